"""iobuf.proofs: z3 proofs and CrossHair runs over the model."""

from __future__ import annotations
