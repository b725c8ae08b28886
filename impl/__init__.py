"""iobuf.impl: the C implementation, loaded with ctypes, with the model's Python API."""

from __future__ import annotations
