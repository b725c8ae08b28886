"""Properties of RC11 that the oracle must satisfy on random small programs.

The hand-derived counts in test_bruteforce.py pin a few programs; these
properties cover many more, each against something simpler than the oracle:

- SC programs are SC (Lahav et al. 2017, §4): if every access is seq_cst, the
  consistent graphs are exactly those an interleaving produces (reads read the
  latest write, mo is the order of the writes). The interleavings are
  enumerated directly, with no relation algebra at all.
- Stronger orders only remove behaviours: raising one access from relaxed to
  release/acquire/seq_cst can add sw and psc edges, never remove one, so the
  outcome set can only shrink.
- The original release sequence is larger than the C++20 one, so `--rs
  original` allows a subset of the C++20 outcomes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace

from bruteforce import RMW, Instr, Order, Outcome, Program, R, W, explore
from hypothesis import given, settings
from hypothesis import strategies as st

LOCS = ("x", "y")


def instr(orders: Sequence[Order]) -> st.SearchStrategy[Instr]:
    """A load, store or fetch_add on x or y with one of `orders`."""
    loc, order = st.sampled_from(LOCS), st.sampled_from(orders)
    return st.one_of(
        st.builds(R, loc, order, st.just("r")),
        st.builds(W, loc, order, st.integers(1, 2)),
        st.builds(RMW, loc, order, st.just("add"), st.just(1), st.just("r")),
    )


def programs(*orders: Order) -> st.SearchStrategy[Program]:
    """Two or three threads, at most five instructions and two RMWs in all (the oracle is
    exponential: six RMWs on one location already take minutes)."""
    thread = st.lists(instr(orders), min_size=1, max_size=3)
    return st.lists(thread, min_size=2, max_size=3).filter(small).map(distinct_registers)


def small(program: list[list[Instr]]) -> bool:
    """At most five instructions, two of them RMWs."""
    flat = [i for t in program for i in t]
    return len(flat) <= 5 and sum(isinstance(i, RMW) for i in flat) <= 2


def distinct_registers(program: list[list[Instr]]) -> Program:
    """Give every load/RMW of a thread its own register r0, r1, ..."""
    out: list[list[Instr]] = []
    for thread in program:
        n, renamed = 0, list[Instr]()
        for ins in thread:
            if isinstance(ins, (R, RMW)):
                ins = R(ins.loc, ins.order, f"r{n}") if isinstance(ins, R) else \
                    RMW(ins.loc, ins.order, ins.op, ins.operand, f"r{n}")
                n += 1
            renamed.append(ins)
        out.append(renamed)
    return out


def interleavings(lengths: Sequence[int]) -> Iterator[list[int]]:
    """Every merge of the threads' instruction sequences, as a list of thread ids."""
    if not any(lengths):
        yield []
        return
    for tid, n in enumerate(lengths):
        if n:
            rest = [*lengths[:tid], n - 1, *lengths[tid + 1:]]
            for tail in interleavings(rest):
                yield [tid, *tail]


def sc_graphs(program: Program) -> Counter[Outcome]:
    """Outcome of each distinct graph (rf, mo) produced by running an interleaving."""
    seen: dict[tuple[object, ...], Outcome] = {}
    for order in interleavings([len(t) for t in program]):
        pcs = [0] * len(program)
        mem: dict[str, tuple[int, int]] = {}  # loc -> (value, writer id)
        rf: list[tuple[tuple[int, int], int]] = []
        mo: dict[str, list[int]] = {loc: [] for loc in LOCS}
        regs: dict[str, int] = {}
        for tid in order:
            ins, me = program[tid][pcs[tid]], tid * 10 + pcs[tid]
            pcs[tid] += 1
            assert isinstance(ins, R | W | RMW)
            old, src = mem.get(ins.loc, (0, -1))
            if isinstance(ins, R | RMW):
                rf.append(((tid, pcs[tid]), src))
                regs[f"{tid}:{ins.reg}"] = old
            if isinstance(ins, W | RMW):
                value = ins.value if isinstance(ins, W) else old + ins.operand
                mem[ins.loc] = (value, me)
                mo[ins.loc].append(me)
        used = {i.loc for t in program for i in t if isinstance(i, R | W | RMW)}
        final = {loc: mem.get(loc, (0, -1))[0] for loc in used}
        key = (tuple(sorted(rf)), tuple(tuple(mo[loc]) for loc in LOCS))
        seen[key] = tuple(sorted((regs | final).items()))
    return Counter(seen.values())


@settings(max_examples=150, deadline=None)
@given(programs("sc"))
def test_sc_programs_have_exactly_the_interleaving_graphs(program: Program) -> None:
    assert Counter(explore(program).outcomes) == sc_graphs(program)


STRONGER: dict[str, list[Order]] = {"R": ["acq", "sc"], "W": ["rel", "sc"],
                                    "RMW": ["acq", "rel", "acq_rel", "sc"]}


@settings(max_examples=100, deadline=None)
@given(programs("rlx"), st.data())
def test_stronger_orders_only_remove_outcomes(program: Program, data: st.DataObject) -> None:
    tid = data.draw(st.integers(0, len(program) - 1))
    pos = data.draw(st.integers(0, len(program[tid]) - 1))
    ins = program[tid][pos]
    order = data.draw(st.sampled_from(STRONGER[type(ins).__name__]))
    assert isinstance(ins, R | W | RMW)
    stronger = [list(t) for t in program]
    stronger[tid][pos] = replace(ins, order=order)
    assert set(explore(stronger).outcomes) <= set(explore(program).outcomes)


@settings(max_examples=100, deadline=None)
@given(programs("rlx", "rel", "acq", "acq_rel"))
def test_original_release_sequences_allow_fewer_outcomes(program: Program) -> None:
    assert set(explore(program, rs="original").outcomes) <= set(explore(program).outcomes)
