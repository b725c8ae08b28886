"""The postponement test (`reach`): it cuts dead branches and never a graph.

`reach` claims: if its abstract run of the other threads reaches no write of a
location, no continuation gives the postponed read of that location a source.
The units pin what it decides on the drop protocol (and a twin where the
answer flips); the property runs random programs with branches, RMWs, CASes,
frees and loops with the test on and off and asks for identical results:
same graphs, same outcomes with multiplicities, same findings; the count of
branches cut by the unrolling bound may only shrink (a dead subtree's cut
branches are no longer visited) and stays non-zero when it was.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from iobuf.model.rc11.builder import (
    Cas,
    Fence,
    Free,
    If,
    Load,
    Rmw,
    Store,
    While,
    const,
    eq,
    program,
)
from iobuf.model.rc11.program import Assign, Order, Program, RmwOp, Stmt, compile_thread
from iobuf.model.rc11.protocols import Drop, build
from iobuf.model.rc11.reach import Reach
from iobuf.model.rc11.search import Leaf, Search


def _reach(prog: Program, existing: dict[str, list[int]], frozen: int) -> Reach:
    """The abstract run of `prog`'s threads from their starts, `frozen` left out."""
    codes = [compile_thread(t, prog.unroll) for t in prog.threads]
    names = [{n: i for i, n in enumerate(c.regs)} for c in codes]
    starts = [(0, (None,) * len(c.regs)) for c in codes]
    return Reach(codes, names, starts, existing, frozen)


def test_a_dropper_waiting_for_the_free_waits_forever() -> None:
    # DROP3: P0 stuck at its payload read. The others read rc = 3 minus a subset of one
    # other decrement: 3 or 2, never 1, so nobody frees d. They do still write rc.
    prog = build(Drop(3, "rel", "acq"))
    existing = {"rc": [3], "d": [42]}
    assert not _reach(prog, existing, frozen=0).writes("d")
    assert _reach(prog, existing, frozen=0).writes("rc")


def test_once_the_waiter_has_decremented_the_free_is_reachable() -> None:
    # The twin: P0's decrement is already in the graph (rc 3 -> 2); now P2 may read
    # 2 - 1 = 1 after P1's decrement, and free d.
    prog = build(Drop(3, "rel", "acq"))
    existing = {"rc": [3, 2], "d": [42]}
    assert _reach(prog, existing, frozen=0).writes("d")


def test_a_reader_never_reads_its_own_delta() -> None:
    # One thread: r = fetch_add(x, 1); if r == 1 then store y. From x = 0 it reads 0 only.
    prog = program("OWN", [[Store("y", const(0))],
                           [Rmw("r", "x", "add", const(1), "rlx"),
                            If(eq("r", 1), (Store("y", const(1)),))]], {"x": 0, "y": 0})
    assert not _reach(prog, {"x": [0], "y": [0]}, frozen=0).writes("y")
    assert _reach(prog, {"x": [0, 1], "y": [0]}, frozen=0).writes("y")


def _count(prog: Program, reach: bool) -> tuple[int, int, int]:
    out: list[int] = []

    def leaf(_: Leaf) -> None:
        out.append(1)

    search = Search(prog, rs="cxx20", sc=False, on_leaf=leaf, reach=reach)
    search.run()
    return len(out), search.blocked, search.cut


def test_the_drop_protocol_loses_its_dead_branches() -> None:
    # N! graphs either way; without the test the dead payload postponements are explored.
    prog = build(Drop(5, "rel", "acq"))
    graphs, blocked, _ = _count(prog, reach=True)
    graphs_off, blocked_off, _ = _count(prog, reach=False)
    assert graphs == graphs_off == 120
    assert blocked < blocked_off // 3


# --- property: the test on and off give the same results --------------------------------

LOCS = ("x", "y")
REGS = ("r0", "r1")
ORDERS: tuple[Order, ...] = ("na", "rlx", "acq", "rel", "sc")
ATOMIC: tuple[Order, ...] = ("rlx", "acq", "rel", "acq_rel", "sc")
OPS: tuple[RmwOp, ...] = ("add", "sub", "xchg", "or")

loc = st.sampled_from(LOCS)
reg = st.sampled_from(REGS)
small = st.integers(0, 2)


def _load(r: str, x: str, o: Order) -> Stmt:
    return Load(r, x, "acq" if o == "rel" else o)


def _store(x: str, k: int, o: Order) -> Stmt:
    return Store(x, const(k), "rel" if o == "acq" else o)


access = st.one_of(
    st.builds(_load, reg, loc, st.sampled_from(ORDERS)),
    st.builds(_store, loc, small, st.sampled_from(ORDERS)),
    st.builds(lambda r, x, op, k, o: Rmw(r, x, op, const(k), o),
              reg, loc, st.sampled_from(OPS), small, st.sampled_from(ATOMIC)),
    st.builds(lambda r, x, k: Cas(r, x, "e", const(k), "acq_rel", "acq"), reg, loc, small),
    st.builds(Free, loc),
    st.builds(Fence, st.sampled_from(("acq", "rel", "sc"))),
)
statement = st.one_of(
    access,
    st.builds(lambda r, k, s: If(eq(r, k), (s,)), reg, small, access),
    st.builds(lambda r, k, x: While(eq(r, k), (Load(r, x, "rlx"),)), reg, small, loc),
)
threads = st.lists(st.lists(statement, min_size=1, max_size=3), min_size=2, max_size=3)


def _results(prog: Program, reach: bool) -> tuple[int, Counter[object], int]:
    seen: Counter[object] = Counter()

    def leaf(lf: Leaf) -> None:
        texts = sorted((k, lf.graph.events[a].text, lf.graph.events[b].text)
                       for k, a, b in lf.findings)
        seen[(lf.outcome, tuple(texts))] += 1

    search = Search(prog, rs="cxx20", sc=False, on_leaf=leaf, reach=reach)
    search.run()
    return sum(seen.values()), seen, search.cut


@settings(max_examples=600, deadline=None)
@given(threads, st.integers(1, 2))
def test_the_test_never_cuts_a_graph(body: list[list[Stmt]], unroll: int) -> None:
    regs: list[Stmt] = [Assign(r, const(0)) for r in REGS]  # conditions may test either
    prog = program("RANDOM", [regs + t for t in body], {"x": 0, "y": 1, "e": 0}, unroll=unroll)
    graphs, seen, cut = _results(prog, reach=True)
    graphs_off, seen_off, cut_off = _results(prog, reach=False)
    assert (graphs, seen) == (graphs_off, seen_off)
    # A dead subtree may hold branches cut by the unrolling bound: fewer are counted,
    # but a program that needs more iterations is still reported as such.
    assert cut <= cut_off
    assert (cut > 0) == (cut_off > 0)
