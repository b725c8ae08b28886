"""The z3 encoding of RC11 and the explorer agree on every straight-line litmus test, both rs modes.

Agreement means the same herd7 observation (Never / Sometimes / Always of
the condition's proposition), the same answer to "does it race?" and to "is
there a use after free?". Each axiom dropped from the encoding (and
synchronisation dropped altogether) must make some test disagree, so the
agreement is not vacuous.

Footgun: programs with `if`, `while`, `assume` or CAS are out of the
encoding's scope (`supported`); they are listed, not silently dropped, and
their number is pinned so a change of scope is visible.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from iobuf.model.rc11.explorer import explore
from iobuf.model.rc11.litmus import parse_litmus
from iobuf.model.rc11.program import Program
from iobuf.proofs.rc11_axioms import AXIOMS, WITNESSES, judge, litmus_dir
from iobuf.proofs.rc11_smt import supported

LITMUS = sorted((Path(__file__).parents[1] / "litmus").glob("*.litmus"))
assert LITMUS and LITMUS[0].parent == litmus_dir(), "the CLI and the tests read one suite"


@cache
def program(name: str) -> Program:
    """The parsed litmus test of that file name."""
    return parse_litmus((LITMUS[0].parent / name).read_text())


@cache
def explorer_says(name: str, rs: str) -> tuple[str, bool, bool]:
    """The explorer's (verdict, racy, use after free)."""
    r = explore(program(name), rs=rs)  # type: ignore[arg-type]
    return r.verdict, bool(r.races), bool(r.use_after_free)


def z3_says(name: str, rs: str, omit: frozenset[str] = frozenset()) -> tuple[str, bool, bool]:
    """The encoding's (verdict, racy, use after free)."""
    v = judge(program(name), rs, omit)
    return v.verdict, v.racy, v.use_after_free


STRAIGHT = [p.name for p in LITMUS if supported(program(p.name))]


def test_the_scope_is_pinned() -> None:
    assert len(LITMUS) >= 128 and len(STRAIGHT) >= 83
    assert {"MP+rel+acq.litmus", "SB+sc.litmus", "IRIW+sc.litmus", "LB+rlx.litmus",
            "RACE+na+rlx.litmus", "2+2W+scfences.litmus"} <= set(STRAIGHT)


@pytest.mark.parametrize("name", STRAIGHT)
def test_z3_and_the_explorer_agree(name: str) -> None:
    for rs in ("cxx20", "original"):
        assert z3_says(name, rs) == explorer_says(name, rs), rs


@pytest.mark.parametrize("axiom", AXIOMS)
def test_dropping_an_axiom_makes_some_test_disagree(axiom: str) -> None:
    differs = [n for n in WITNESSES[axiom]
               if z3_says(n, "cxx20", frozenset({axiom})) != explorer_says(n, "cxx20")]
    assert differs, f"without {axiom} the encoding still agrees on {WITNESSES[axiom]}"
