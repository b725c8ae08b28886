"""The brute-force RC11 oracle on its own: hand-derived counts, then the litmus suite's verdicts.

The counts below are derived by hand from the definitions (DESIGN.md §3), never
by running an explorer: for each test the comment lists the rf/mo candidates
and the axiom that removes each rejected one. Then `CASES` ties straight-line
files of tests/litmus/ to oracle programs, and the oracle must reproduce the
verdict, race flag and rs-original verdict written in each file's comment.
`CASES` is shared with test_bruteforce_vs_explorer.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bruteforce import (
    CAS,
    RMW,
    F,
    Instr,
    Let,
    Order,
    Program,
    R,
    W,
    explore,
    observation,
    plus,
    project,
)
from bruteforce import (
    Assume as If,
)

LITMUS = Path(__file__).resolve().parent.parent / "litmus"

Cond = Callable[[Mapping[str, int]], bool]


def fence(order: Order | None) -> list[Instr]:
    """A fence, or nothing."""
    return [F(order)] if order else []


def sb(w: Order, r: Order, mid: Order | None = None) -> Program:
    """Store buffering: each thread stores 1 to its location, then loads the other's."""
    return [[W("x", w, 1), *fence(mid), R("y", r, "r0")],
            [W("y", w, 1), *fence(mid), R("x", r, "r0")]]


def mp(wy: Order, ry: Order, f0: Order | None = None, f1: Order | None = None) -> Program:
    """Message passing: data x then flag y; the reader loads y then x."""
    return [[W("x", "rlx", 1), *fence(f0), W("y", wy, 1)],
            [R("y", ry, "r0"), *fence(f1), R("x", "rlx", "r1")]]


# --- hand-derived counts ----------------------------------------------------------------


def test_sb_relaxed_has_four_executions_one_per_outcome() -> None:
    # Two reads, two sources each (init or the other store), one write per location: 2x2 = 4,
    # all consistent (no sw, no SC).
    res = explore(sb("rlx", "rlx"))
    assert res.executions == 4
    assert set(project(res.outcomes, ["0:r0", "1:r0"]).values()) == {1}
    assert not res.race


def test_sb_sc_and_sc_fences_forbid_only_the_weak_outcome() -> None:
    # Of the 4 candidates, both-read-init closes a psc cycle (po;fr;po;fr): 3 remain.
    for prog in (sb("sc", "sc"), sb("rlx", "rlx", "sc")):
        res = explore(prog)
        assert res.executions == 3
        assert ((("0:r0", 0), ("1:r0", 0))) not in project(res.outcomes, ["0:r0", "1:r0"])


def test_sb_acq_rel_fences_do_not_restore_sc() -> None:
    assert explore(sb("rlx", "rlx", "acq_rel")).executions == 4


def test_mp_counts() -> None:
    # 2 sources for each read = 4 candidates. Relaxed: all 4. Release/acquire (store or
    # fence form): r0=1 /\ r1=0 is an hb;fr cycle, 3 remain.
    assert explore(mp("rlx", "rlx")).executions == 4
    assert explore(mp("rlx", "acq")).executions == 4
    for prog in (mp("rel", "acq"), mp("rlx", "rlx", "rel", "acq"), mp("sc", "sc")):
        res = explore(prog)
        assert res.executions == 3
        assert (("1:r0", 1), ("1:r1", 0)) not in project(res.outcomes, ["1:r0", "1:r1"])


def test_two_fetch_adds_have_two_executions() -> None:
    # mo has 2 orders; atomicity forces the mo-second RMW to read the mo-first one's write.
    res = explore([[RMW("x", "rlx", "add", 1, "r0")], [RMW("x", "rlx", "add", 1, "r0")]])
    assert res.executions == 2
    assert project(res.outcomes, ["0:r0", "1:r0", "x"]) == {
        (("0:r0", 0), ("1:r0", 1), ("x", 2)): 1,
        (("0:r0", 1), ("1:r0", 0), ("x", 2)): 1,
    }


def test_coherence_shapes() -> None:
    # CoRR: 4 rf candidates, (1, 0) is hb;fr;rf reflexive: 3.
    corr: Program = [[W("x", "rlx", 1)], [R("x", "rlx", "r0"), R("x", "rlx", "r1")]]
    assert explore(corr).executions == 3
    # CoWW: one thread, 1 execution (mo reversing po is hb;mo reflexive): x=2.
    res = explore([[W("x", "rlx", 1), W("x", "rlx", 2)]])
    assert res.executions == 1 and list(res.outcomes) == [(("x", 2),)]
    # Two writers, no reads: the 2 mo orders.
    assert explore([[W("x", "rlx", 1)], [W("x", "rlx", 2)]]).executions == 2


def test_load_buffering_cycle_is_thin_air() -> None:
    # 4 rf candidates; both reading 1 is a po|rf cycle: 3.
    lb: Program = [[R("x", "rlx", "r0"), W("y", "rlx", 1)], [R("y", "rlx", "r0"), W("x", "rlx", 1)]]
    assert explore(lb).executions == 3


def test_iriw() -> None:
    # 2^4 rf candidates, one write per location: 16; all SC forbids the disagreeing one: 15.
    def iriw(w: Order, r: Order) -> Program:
        return [[W("x", w, 1)], [W("y", w, 1)],
                [R("x", r, "r0"), R("y", r, "r1")], [R("y", r, "r0"), R("x", r, "r1")]]
    assert explore(iriw("rel", "acq")).executions == 16
    assert explore(iriw("sc", "sc")).executions == 15


def test_release_sequence_modes_differ_on_a_same_thread_store() -> None:
    # y has 3 sources (init, W1 rel, W2 rlx) and x 2. C++20: reading W1 syncs (r1=1 only),
    # reading init or W2 does not: 2 + 1 + 2 = 5. Original: W2 is in W1's rs too: 2 + 1 + 1 = 4.
    prog: Program = [[W("x", "rlx", 1), W("y", "rel", 1), W("y", "rlx", 2)],
            [R("y", "acq", "r0"), R("x", "rlx", "r1")]]
    weak = (("1:r0", 2), ("1:r1", 0))
    cxx20, original = explore(prog, rs="cxx20"), explore(prog, rs="original")
    assert (cxx20.executions, original.executions) == (5, 4)
    assert weak in project(cxx20.outcomes, ["1:r0", "1:r1"])
    assert weak not in project(original.outcomes, ["1:r0", "1:r1"])


def test_cas_returns_success_and_two_cases_cannot_both_succeed() -> None:
    # Each CAS succeeds (reads 0) or fails (reads the other's write). Both succeeding breaks
    # atomicity; both failing needs both to write: 2 executions.
    res = explore([[CAS("x", 0, 1, "rlx", "rlx", "r0")], [CAS("x", 0, 2, "rlx", "rlx", "r0")]])
    assert res.executions == 2
    assert set(project(res.outcomes, ["0:r0", "1:r0"])) == {
        (("0:r0", 1), ("1:r0", 0)), (("0:r0", 0), ("1:r0", 1))}


def test_weak_cas_may_fail_spuriously() -> None:
    # On top of the 2 strong executions: either CAS (or both) reads 0 and fails anyway, a
    # plain read of init that is fr-before the other's write: 2 + 2 + 1 = 5.
    res = explore([[CAS("x", 0, 1, "rlx", "rlx", "r0", weak=True)],
                   [CAS("x", 0, 2, "rlx", "rlx", "r0", weak=True)]])
    assert res.executions == 5
    assert (("0:r0", 1), ("1:r0", 1)) not in project(res.outcomes, ["0:r0", "1:r0"])


def test_races_count_executions_where_the_condition_is_false() -> None:
    # Without the `if`, the plain read of d also runs when the flag read 0, unordered with
    # the write: a race even under release/acquire. With the `if` (Assume per path), none.
    straight: Program = [[W("d", "na", 1), W("y", "rel", 1)],
                         [R("y", "acq", "r0"), R("d", "na", "r1")]]
    assert explore(straight).racy == {"d"}
    guarded: Program = [[W("d", "na", 1), W("y", "rel", 1)],
               [R("y", "acq", "r0"), If("r0", 1), R("d", "na", "r1")]]
    assert not explore(guarded).race
    relaxed: Program = [[W("d", "na", 1), W("y", "rlx", 1)],
               [R("y", "rlx", "r0"), If("r0", 1), R("d", "na", "r1")]]
    assert explore(relaxed).racy == {"d"}


def test_deferred_delete_by_paths() -> None:
    # One straight-line program per path of the `if (r == 1)`; exactly one dropper frees.
    def drop(dec: Order, acquire: Order | None) -> list[Program]:
        def path(i: int, last: bool) -> list[Instr]:
            tail: list[Instr] = [If(f"r{i}", 1), *fence(acquire), W("d", "na", 0)] if last \
                else [If(f"r{i}", 1, equal=False)]
            return [R("d", "na", f"u{i}"), RMW("rc", dec, "sub", 1, f"r{i}"), *tail]
        return [[path(0, a), path(1, b)] for a in (True, False) for b in (True, False)]

    def run(paths: list[Program]) -> tuple[int, bool]:
        results = [explore(p, {"rc": 2, "d": 42}) for p in paths]
        return sum(r.executions for r in results), any(r.race for r in results)

    assert run(drop("rel", "acq")) == (2, False)
    assert run(drop("acq_rel", None)) == (2, False)
    assert run(drop("rel", None)) == (2, True)
    assert run(drop("rlx", "acq")) == (2, True)


def test_let_sets_a_register() -> None:
    res = explore([[Let("r1", -1), R("x", "rlx", "r0")]])
    assert list(res.outcomes) == [(("0:r0", 0), ("0:r1", -1), ("x", 0))]


def test_transitive_closure() -> None:
    assert plus(frozenset({(0, 1), (1, 2), (2, 3)})) == frozenset(
        {(0, 1), (1, 2), (2, 3), (0, 2), (1, 3), (0, 3)})


# --- the straight-line part of the litmus suite, as oracle programs ----------------------


@dataclass(frozen=True)
class Case:
    """A straight-line litmus file of tests/litmus/ written as oracle data, with its condition."""

    name: str
    program: Program
    cond: Cond
    init: Mapping[str, int] = field(default_factory=dict)

    def text(self) -> str:
        """The litmus file's text."""
        return (LITMUS / f"{self.name}.litmus").read_text()


def two(a: list[Instr], b: list[Instr]) -> Program:
    """A two-thread program (saves the type annotation on a nested literal)."""
    return [a, b]


CASES = [
    Case("SB+rlx", sb("rlx", "rlx"), lambda o: o["0:r0"] == 0 and o["1:r0"] == 0),
    Case("SB+sc", sb("sc", "sc"), lambda o: o["0:r0"] == 0 and o["1:r0"] == 0),
    Case("SB+scfences", sb("rlx", "rlx", "sc"), lambda o: o["0:r0"] == 0 and o["1:r0"] == 0),
    Case("SB+rel+acq", sb("rel", "acq"), lambda o: o["0:r0"] == 0 and o["1:r0"] == 0),
    Case("SB+na", sb("na", "na"), lambda o: o["0:r0"] == 0 and o["1:r0"] == 0),
    Case("MP+rlx", mp("rlx", "rlx"), lambda o: o["1:r0"] == 1 and o["1:r1"] == 0),
    Case("MP+rlx+acq", mp("rlx", "acq"), lambda o: o["1:r0"] == 1 and o["1:r1"] == 0),
    Case("MP+rel+acq", mp("rel", "acq"), lambda o: o["1:r0"] == 1 and o["1:r1"] == 0),
    Case("MP+frel+facq", mp("rlx", "rlx", "rel", "acq"),
         lambda o: o["1:r0"] == 1 and o["1:r1"] == 0),
    Case("MP+scfences", mp("rlx", "rlx", "sc", "sc"),
         lambda o: o["1:r0"] == 1 and o["1:r1"] == 0),
    Case("LB+rlx", two([R("x", "rlx", "r0"), W("y", "rlx", 1)],
                       [R("y", "rlx", "r0"), W("x", "rlx", 1)]),
         lambda o: o["0:r0"] == 1 and o["1:r0"] == 1),
    Case("CoRR", two([W("x", "rlx", 1)], [R("x", "rlx", "r0"), R("x", "rlx", "r1")]),
         lambda o: o["1:r0"] == 1 and o["1:r1"] == 0),
    Case("CoRR+na", two([W("x", "rlx", 1)], [R("x", "na", "r0"), R("x", "na", "r1")]),
         lambda o: o["1:r0"] == 1 and o["1:r1"] == 0),
    Case("CoWW", [[W("x", "rlx", 1), W("x", "rlx", 2)]], lambda o: o["x"] == 1),
    Case("CoRW2", two([R("x", "rlx", "r0"), W("x", "rlx", 1)], [W("x", "rlx", 2)]),
         lambda o: o["0:r0"] == 2 and o["x"] == 2),
    Case("FAA+FAA", two([RMW("x", "rlx", "add", 1, "r0")], [RMW("x", "rlx", "add", 1, "r0")]),
         lambda o: o["x"] == 2),
    Case("IRIW+acq", [[W("x", "rel", 1)], [W("y", "rel", 1)],
                      [R("x", "acq", "r0"), R("y", "acq", "r1")],
                      [R("y", "acq", "r0"), R("x", "acq", "r1")]],
         lambda o: (o["2:r0"], o["2:r1"], o["3:r0"], o["3:r1"]) == (1, 0, 1, 0)),
    Case("2+2W+rel", two([W("x", "rel", 1), W("y", "rel", 2)],
                         [W("y", "rel", 1), W("x", "rel", 2)]),
         lambda o: o["x"] == 1 and o["y"] == 1),
    Case("WRC+rel+acq", [[W("x", "rlx", 1)], [R("x", "rlx", "r0"), W("y", "rel", 1)],
                         [R("y", "acq", "r0"), R("x", "rlx", "r1")]],
         lambda o: (o["1:r0"], o["2:r0"], o["2:r1"]) == (1, 1, 0)),
    Case("R+sc", two([W("x", "sc", 1), W("y", "sc", 1)], [W("y", "sc", 2), R("x", "sc", "r0")]),
         lambda o: o["y"] == 2 and o["1:r0"] == 0),
    Case("RWC+scfences", [[W("x", "rlx", 1)],
                          [R("x", "rlx", "r0"), F("sc"), R("y", "rlx", "r1")],
                          [W("y", "rlx", 1), F("sc"), R("x", "rlx", "r0")]],
         lambda o: (o["1:r0"], o["1:r1"], o["2:r0"]) == (1, 0, 0)),
    Case("Z6.3+sc", [[W("x", "sc", 1), W("y", "sc", 1)], [W("y", "sc", 2), W("z", "sc", 1)],
                     [R("z", "sc", "r0"), R("x", "sc", "r1")]],
         lambda o: (o["y"], o["2:r0"], o["2:r1"]) == (2, 1, 0)),
    Case("RS+rmw", [[W("x", "rlx", 1), W("y", "rel", 1)], [RMW("y", "rlx", "add", 1, "r0")],
                    [R("y", "acq", "r0"), R("x", "rlx", "r1")]],
         lambda o: (o["1:r0"], o["2:r0"], o["2:r1"]) == (1, 2, 0)),
    Case("RS+po", two([W("x", "rlx", 1), W("y", "rel", 1), W("y", "rlx", 2)],
                      [R("y", "acq", "r0"), R("x", "rlx", "r1")]),
         lambda o: o["1:r0"] == 2 and o["1:r1"] == 0),
    Case("RS+po+rmw", [[W("x", "rlx", 1), W("y", "rel", 1), W("y", "rlx", 2)],
                       [RMW("y", "rlx", "add", 1, "r0")],
                       [R("y", "acq", "r0"), R("x", "rlx", "r1")]],
         lambda o: (o["1:r0"], o["2:r0"], o["2:r1"]) == (2, 3, 0)),
    Case("RS+store", [[W("x", "rlx", 1), W("y", "rel", 1)], [W("y", "rlx", 2)],
                      [R("y", "acq", "r0"), R("x", "rlx", "r1")]],
         lambda o: o["2:r0"] == 2 and o["2:r1"] == 0),
    Case("SB+faa-acqrel",
         two([W("x", "rlx", 1), RMW("z", "acq_rel", "add", 1, "r1"), R("y", "rlx", "r0")],
             [W("y", "rlx", 1), RMW("z", "acq_rel", "add", 1, "r1"), R("x", "rlx", "r0")]),
         lambda o: o["0:r0"] == 0 and o["1:r0"] == 0),
    Case("CAS+CAS", two([CAS("x", 0, 1, "rlx", "rlx", "r0")], [CAS("x", 0, 2, "rlx", "rlx", "r0")]),
         lambda o: o["0:r0"] == 1 and o["1:r0"] == 1),
    Case("MP+rel+casfail-rlx", two([W("x", "rlx", 1), W("y", "rel", 1)],
                                   [CAS("y", 0, 2, "acq", "rlx", "r0"), R("x", "rlx", "r1")]),
         lambda o: o["1:r0"] == 0 and o["1:r1"] == 0),
    Case("XCHG+XCHG", two([RMW("x", "rlx", "xchg", 1, "r0")], [RMW("x", "rlx", "xchg", 2, "r0")]),
         lambda o: o["0:r0"] == 0 and o["1:r0"] == 0),
    Case("FAND+FXOR", two([RMW("x", "rlx", "and", 1, "r0")], [RMW("x", "rlx", "xor", 1, "r0")]),
         lambda o: o["x"] == 0, {"x": 3}),
    Case("WW+na", two([W("x", "na", 1)], [W("x", "na", 2)]), lambda o: o["x"] == 1),
    Case("RACE+na+rlx", two([W("x", "na", 1)], [R("x", "rlx", "r0")]), lambda o: o["1:r0"] == 1),
]


def expectation(text: str) -> tuple[str, bool, str]:
    """(verdict, races, rs-original verdict) from a litmus file's expectation comment."""
    verdict = re.search(r"verdict:\s*(Never|Sometimes|Always)", text)
    races = re.search(r"races:\s*(yes|no)", text)
    assert verdict and races, "missing expectation comment"
    original = re.search(r"rs-original:\s*(Never|Sometimes|Always)", text)
    return verdict[1], races[1] == "yes", original[1] if original else verdict[1]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_oracle_agrees_with_the_suite(case: Case) -> None:
    verdict, races, original = expectation(case.text())
    cxx20 = explore(case.program, case.init, rs="cxx20")
    orig = explore(case.program, case.init, rs="original")
    assert observation(cxx20.outcomes, case.cond) == verdict
    assert observation(orig.outcomes, case.cond) == original
    assert cxx20.race == races


def test_suite_is_large_and_every_file_states_its_expectation() -> None:
    files = sorted(LITMUS.glob("*.litmus"))
    assert len(files) >= 60
    for path in files:
        text = path.read_text()
        first, second = text.splitlines()[:2]
        assert first == f"C {path.stem}", path.name
        assert second.startswith("(* verdict:"), path.name
        expectation(text)
        assert text.count("(*") == 1 and text.count("*)") == 1, f"nested comment in {path.name}"
