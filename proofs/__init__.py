"""iobuf.proofs: z3 proofs and CrossHair runs over the model (`iobuf prove` runs them all).

The proof families and their helpers:
- `ranges`: share's range arithmetic over 1..4 fragments of 64-bit sizes;
  the seed blog's share refuted (`seed` transcribes it);
- `schedule`: the allocation table, fragment capacities, append and copy
  sizing, for every size (loops by induction);
- `abstraction`, `induction`: the ownership invariant of DESIGN.md §2 is
  inductive over unbounded counts; each negative twin gets a counterexample;
- `rc11_smt`, `rc11_axioms`: RC11 as SMT (events, rf, mo, the axioms), a
  second judge that must agree with the explorer on the litmus suite;
- `contracts`: CrossHair on the model's PEP 316 contracts, and diffbehavior;
- `result`, `runner`: what a proof reports, and the one pass over all of them.
"""

from __future__ import annotations
