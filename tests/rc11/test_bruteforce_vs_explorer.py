"""The explorer against the brute-force oracle on straight-line litmus tests, in both rs modes.

Background: the explorer (`iobuf.model.rc11`) grows graphs event by event and
claims to find every consistent complete graph exactly once; the oracle
(`bruteforce.py`) builds every rf/mo candidate and filters by the axioms. Same
definitions, unrelated algorithms: equal execution counts, equal outcome
multisets and equal race verdicts are strong evidence that neither misses or
duplicates a graph.

Each case is written twice: as oracle data (`test_bruteforce.CASES`) and as
the litmus file of the same name in tests/litmus/, which the explorer parses.

Footgun: outcome names differ where the two programs differ in bookkeeping
only. A litmus CAS passes its expected value through a thread-private location
(`e`, `e0`, ...), which the explorer reports as memory and the oracle does not
have; and an explorer may report only the condition's variables, as herd7
does. Outcomes are therefore compared on the names both sides report, and the
counts per projected outcome must still agree exactly.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import pytest
from bruteforce import Outcome, RsMode, explore, observation, project
from test_bruteforce import CASES, Case


def rc11() -> ModuleType:
    """The explorer package, imported per test so that a missing explorer fails each test
    (rather than aborting collection of the whole suite)."""
    return importlib.import_module("iobuf.model.rc11")


def names(outcomes: Mapping[Outcome, int]) -> set[str]:
    """Every variable named in some outcome."""
    return {name for outcome in outcomes for name, _ in outcome}


def verdict_word(verdict: Any) -> str:
    """Never/Sometimes/Always from the explorer's verdict (a string or an enum)."""
    text = f"{getattr(verdict, 'name', '')} {getattr(verdict, 'value', '')} {verdict}".lower()
    for word in ("Never", "Sometimes", "Always"):
        if word.lower() in text:
            return word
    raise AssertionError(f"unrecognised verdict {verdict!r}")


@pytest.mark.parametrize("rs", ["cxx20", "original"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_explorer_matches_oracle(case: Case, rs: RsMode) -> None:
    mod = rc11()
    res = mod.explore(mod.parse_litmus(case.text()), rs=rs, model="rc11")
    oracle = explore(case.program, case.init, rs=rs)

    assert res.executions == oracle.executions, "distinct consistent complete graphs"

    theirs: dict[Outcome, int] = {tuple(sorted(k)): v for k, v in res.outcomes.items()}
    common = sorted(names(theirs) & names(oracle.outcomes))
    assert common, f"no common outcome names: {names(theirs)} vs {names(oracle.outcomes)}"
    assert project(theirs, common) == project(oracle.outcomes, common)

    assert bool(res.races) == oracle.race, f"races: explorer {res.races}, oracle {oracle.racy}"
    assert verdict_word(res.verdict) == observation(oracle.outcomes, case.cond)


def test_enough_cases() -> None:
    # The issue asks for at least 15 programs compared both ways.
    assert len(CASES) >= 15
