"""Random straight-line programs: the explorer against the brute-force oracle, in both rs modes.

The litmus suite covers the shapes of the literature; random programs cover the mixes
nobody writes by hand (SC fences next to release writes, RMWs of every order on both
locations, plain accesses between them). The oracle (`bruteforce.py`, written
independently) enumerates every rf and mo; the explorer must find the same number of
graphs, the same outcomes with the same multiplicities, and the same race verdict.
"""

from __future__ import annotations

import bruteforce as bf
from hypothesis import given, settings
from hypothesis import strategies as st
from iobuf.model.rc11 import explore
from iobuf.model.rc11.builder import Fence, Load, Rmw, Store, const, program
from iobuf.model.rc11.program import Order, Stmt

LOCS = ("x", "y")
LOAD: tuple[Order, ...] = ("na", "rlx", "acq", "sc")
STORE: tuple[Order, ...] = ("na", "rlx", "rel", "sc")
RMW: tuple[Order, ...] = ("rlx", "acq", "rel", "acq_rel", "sc")
FENCE: tuple[Order, ...] = ("acq", "rel", "acq_rel", "sc")

Op = tuple[str, str, Order, int]  # (kind, location, order, constant)

ops = st.one_of(
    st.tuples(st.just("R"), st.sampled_from(LOCS), st.sampled_from(LOAD), st.just(0)),
    st.tuples(st.just("W"), st.sampled_from(LOCS), st.sampled_from(STORE),
              st.integers(1, 3)),
    st.tuples(st.just("U"), st.sampled_from(LOCS), st.sampled_from(RMW), st.integers(1, 2)),
    st.tuples(st.just("F"), st.just(""), st.sampled_from(FENCE), st.just(0)),
)
# At most six events, so that the oracle (every rf x every mo) stays well under a second.
programs = st.one_of(st.lists(st.lists(ops, min_size=1, max_size=3), min_size=2, max_size=2),
                     st.lists(st.lists(ops, min_size=1, max_size=2), min_size=3, max_size=3))


def both(threads: list[list[Op]]) -> tuple[list[list[Stmt]], list[list[bf.Instr]]]:
    """The same program for the explorer (builder) and for the oracle."""
    mine: list[list[Stmt]] = []
    theirs: list[list[bf.Instr]] = []
    for thread in threads:
        a: list[Stmt] = []
        b: list[bf.Instr] = []
        for i, (kind, loc, order, k) in enumerate(thread):
            reg = f"r{i}"
            if kind == "R":
                a.append(Load(reg, loc, order))
                b.append(bf.R(loc, order, reg))
            elif kind == "W":
                a.append(Store(loc, const(k), order))
                b.append(bf.W(loc, order, k))
            elif kind == "U":
                a.append(Rmw(reg, loc, "add", const(k), order))
                b.append(bf.RMW(loc, order, "add", k, reg))
            else:
                a.append(Fence(order))
                b.append(bf.F(order))
        mine.append(a)
        theirs.append(b)
    return mine, theirs


@settings(max_examples=80, deadline=None)
@given(programs, st.sampled_from(["cxx20", "original"]))
def test_random_programs_agree_with_the_oracle(threads: list[list[Op]], rs: bf.RsMode) -> None:
    mine, theirs = both(threads)
    res = explore(program("RANDOM", mine, {"x": 0, "y": 0}), rs=rs)
    oracle = bf.explore(theirs, {"x": 0, "y": 0}, rs=rs)
    assert res.executions == oracle.executions
    assert res.outcomes == oracle.outcomes
    assert bool(res.races) == oracle.race
