"""The explorer's own units: pinned counts, negative twins, exactly-once, clocks vs relations.

Pinned counts are derived by hand in each test's comment; every ordering claim has a
twin with the order weakened that must flip the verdict.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from iobuf.model.rc11 import explore, parse_litmus
from iobuf.model.rc11.builder import (
    Cas,
    Fence,
    Free,
    If,
    Load,
    Rmw,
    Store,
    While,
    all_of,
    const,
    eq,
    holds,
    program,
)
from iobuf.model.rc11.events import INIT
from iobuf.model.rc11.program import Order, Program
from iobuf.model.rc11.relations import Relations, compose
from iobuf.model.rc11.search import Leaf, Search

LITMUS = Path(__file__).resolve().parent.parent / "litmus"


def mp(w: Order, r: Order) -> Program:
    """Message passing with a plain payload d and a flag y."""
    return program(f"MP+{w}+{r}", [
        [Store("d", const(1)), Store("y", const(1), w)],
        [Load("r0", "y", r), If(eq("r0", 1), (Load("r1", "d"),))],
    ], exists=all_of(holds("1:r0", 1), holds("1:r1", 0)))


def sb(order: Order) -> Program:
    """Store buffering."""
    return program(f"SB+{order}", [
        [Store("x", const(1), order), Load("r0", "y", order)],
        [Store("y", const(1), order), Load("r0", "x", order)],
    ], exists=all_of(holds("0:r0", 0), holds("1:r0", 0)))


def test_sb_counts() -> None:
    # Two reads with two sources each: 4 graphs, all RC11-consistent when relaxed; SC
    # accesses forbid both reading init (psc cycle po;fr;po;fr): 3.
    assert explore(sb("rlx")).executions == 4
    assert explore(sb("rlx")).verdict == "Sometimes"
    assert explore(sb("sc")).executions == 3
    assert explore(sb("sc")).verdict == "Never"


def test_sb_relaxed_under_the_sc_model_is_sc() -> None:
    # SC forbids the weak outcome whatever the orders: 3 interleaving-distinct graphs.
    res = explore(sb("rlx"), model="sc")
    assert (res.executions, res.verdict) == (3, "Never")


def test_message_passing_needs_release_and_acquire() -> None:
    good = explore(mp("rel", "acq"))
    assert (good.verdict, good.races) == ("Never", [])
    twins: tuple[tuple[Order, Order], ...] = (("rlx", "acq"), ("rel", "rlx"))
    for w, r in twins:  # the twins: either side weakened
        bad = explore(mp(w, r))
        assert bad.verdict == "Sometimes"
        assert [f.loc for f in bad.races] == ["d"]
        assert bad.races[0].kind == "race"


def test_sc_model_sees_no_reordering_but_still_reports_the_race() -> None:
    # Under SC the payload read after seeing the flag reads 1; the access pair is still
    # unordered by hb when the flag is relaxed... except that the sc model makes every
    # atomic seq_cst, so the flag synchronises: no race either.
    res = explore(mp("rlx", "rlx"), model="sc")
    assert (res.verdict, res.races) == ("Never", [])


def test_free_then_use_is_a_use_after_free_and_unordered_is_a_race() -> None:
    local = program("UAF", [[Free("d"), Load("r0", "d")]], {"d": 1})
    assert [f.kind for f in explore(local).use_after_free] == ["use-after-free"]
    ordered = program("UAF2", [
        [Free("d"), Store("f", const(1), "rel")],
        [Load("r0", "f", "acq"), If(eq("r0", 1), (Load("r1", "d"),))],
    ], {"d": 1})
    res = explore(ordered)
    assert len(res.use_after_free) == 1 and not res.races
    relaxed = program("UAF3", [
        [Free("d"), Store("f", const(1), "rlx")],
        [Load("r0", "f", "rlx"), If(eq("r0", 1), (Load("r1", "d"),))],
    ], {"d": 1})
    res = explore(relaxed)  # the twin: no hb, so a race, not a use-after-free
    assert not res.use_after_free and [f.kind for f in res.races] == ["race"]


def test_fetch_sub_chain_counts_are_factorial() -> None:
    # N RMWs on one location: atomicity makes mo a chain, any of N! orders.
    for n, count in ((2, 2), (3, 6), (4, 24)):
        prog = program("FAA", [[Rmw("r", "x", "add", const(1), "rlx")] for _ in range(n)],
                       forall=holds("x", n))
        res = explore(prog)
        assert (res.executions, res.verdict) == (count, "Always")


def test_weak_cas_may_fail_spuriously_and_failure_writes_expected_back() -> None:
    def cas(weak: bool) -> Program:
        return program("CAS", [[Cas("r0", "x", "e", const(1), "rlx", "rlx", weak)]],
                       {"x": 0, "e": 0}, exists=holds("0:r0", 0))
    assert explore(cas(False)).verdict == "Never"
    assert explore(cas(True)).verdict == "Sometimes"  # spurious failure
    failing = program("CASF", [[Cas("r0", "x", "e", const(1), "rlx", "rlx")]],
                      {"x": 5, "e": 0}, forall=all_of(holds("0:r0", 0), holds("e", 5)))
    assert explore(failing).verdict == "Always"


def test_while_is_unrolled_and_cut_executions_are_counted() -> None:
    spin = program("SPIN", [
        [Store("y", const(1), "rel")],
        [Load("r0", "y", "acq"), While(eq("r0", 0), (Load("r0", "y", "acq"),))],
    ], unroll=1)
    res = explore(spin)
    # Exits: read 1 at once, or read 0 then 1; reading 0 twice is cut by the bound of 1.
    assert (res.executions, res.cut) == (2, 1)
    deeper = explore(replace(spin, unroll=3))  # the twin: a higher bound, more exits
    assert (deeper.executions, deeper.cut) == (4, 1)


def test_fences_make_relaxed_message_passing_safe() -> None:
    prog = program("MP+fences", [
        [Store("d", const(1)), Fence("rel"), Store("y", const(1), "rlx")],
        [Load("r0", "y", "rlx"), If(eq("r0", 1), (Fence("acq"), Load("r1", "d")))],
    ], exists=all_of(holds("1:r0", 1), holds("1:r1", 0)))
    assert (explore(prog).verdict, explore(prog).races) == ("Never", [])
    twin = program("MP+relfence-only", [
        [Store("d", const(1)), Fence("rel"), Store("y", const(1), "rlx")],
        [Load("r0", "y", "rlx"), If(eq("r0", 1), (Fence("rlx"), Load("r1", "d")))],
    ], exists=all_of(holds("1:r0", 1), holds("1:r1", 0)))
    assert explore(twin).verdict == "Sometimes"


def test_bad_modes_are_rejected() -> None:
    with pytest.raises(ValueError):
        explore(sb("rlx"), rs="c11")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        explore(sb("rlx"), model="tso")  # type: ignore[arg-type]


# --- exactly once, and the incremental clocks against relational algebra ------------------


def _key(leaf: Leaf) -> tuple[object, ...]:
    """The graph up to event ids: rf and mo named by (thread, po index)."""
    ev = leaf.graph.events

    def name(i: int) -> tuple[int, int | str | None]:
        return (ev[i].tid, ev[i].index if ev[i].tid != INIT else ev[i].loc)
    rf = sorted((name(r), name(w)) for r, w in enumerate(leaf.graph.rf) if w >= 0)
    mo = sorted((loc, tuple(name(w) for w in ws)) for loc, ws in leaf.graph.mo.items())
    return (tuple(rf), tuple(mo))


SAMPLE = ["IRIW+sc", "RS+rmw+rmw", "CoRR2", "DROP3+rel+facq", "HANDOFF+cas+xchg", "RS+po",
          "Z6.4+sc", "WRC+scfences", "CASW+CASW", "MP+rel+acq+spin"]


@pytest.mark.parametrize("name", SAMPLE)
@pytest.mark.parametrize("rs", ["cxx20", "original"])
def test_each_graph_once_and_clocks_equal_relations(name: str, rs: str) -> None:
    prog = parse_litmus((LITMUS / f"{name}.litmus").read_text())
    seen: set[tuple[object, ...]] = set()

    def leaf(lf: Leaf) -> None:
        key = _key(lf)
        assert key not in seen, "a graph was found twice"
        seen.add(key)
        x, g = lf.freeze(), lf.graph
        rel = Relations.of(x, rs)
        clocks = {(a, b) for a in range(len(x.events)) for b in range(len(x.events))
                  if a != b and g.hb(a, b)}
        assert clocks == set(rel.hb)
        coherence = rel.hb | compose(rel.hb, rel.eco)
        assert not any(a == b for a, b in coherence)  # every leaf is coherent

    Search(prog, rs=rs, sc=False, on_leaf=leaf).run()
    assert len(seen) == explore(prog, rs=rs).executions  # type: ignore[arg-type]
