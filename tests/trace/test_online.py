"""The online checker's clock rules, against the relational definitions and by hand.

Real runs of the library use few shapes of synchronisation; synthetic traces
use them all: stores, RMW chains, failed CASes (loads), fences of every
order, SC accesses, sends, payload accesses, frees, on three cores. For each
such trace the vector-clock checker (every access kept) and the offline
judgement by `Relations.of` must find exactly the same pairs, under both
release-sequence rules. The hand-written cases pin the classic shapes.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from iobuf.model.rc11.online import OnlineChecker
from iobuf.model.rc11.trace import ORDERS, TraceOp
from iobuf.model.rc11.trace_graph import judge

X, Y, A = 0x100, 0x200, 0x1000  # two atomic locations and an allocation (refcount at A)


class Run:
    """Builds a sequential trace, keeping every location's current value."""

    def __init__(self) -> None:
        self.ops: list[TraceOp] = []
        self.values: dict[int, int] = {X: 0, Y: 0}

    def add(self, kind: Any, core: int, **kw: Any) -> None:
        self.ops.append(TraceOp(len(self.ops), kind, core, **kw))

    def atomic(self, core: int, op: str, order: str, addr: int, value: int = 0) -> None:
        old = self.values.get(addr, 0)
        written = {"store": value, "rmw": old + 1}.get(op, 0)
        if op in ("store", "rmw"):
            self.values[addr] = written
        self.add("atomic", core, site=f"s{addr:x}", op=op, order=order, addr=addr,
                 read=old if op in ("load", "rmw") else 0, written=written)

    def fence(self, core: int, order: str) -> None:
        self.add("atomic", core, site="fence", op="fence", order=order, addr=X)

    def payload(self, core: int, kind: str, lo: int, n: int) -> None:
        self.add(kind, core, addr=A, offset=lo, length=n)

    def alloc(self, core: int, size: int = 8) -> None:
        self.values[A] = 1
        self.add("alloc", core, addr=A, length=size)

    def free(self, core: int, size: int = 8) -> None:
        self.values.pop(A, None)
        self.add("free", core, addr=A, length=size)


def online(ops: list[TraceOp], rs: str = "cxx20", prune: bool = False) -> set[Any]:
    """The online checker's pairs for a whole trace."""
    checker = OnlineChecker(3, rs=rs, prune=prune)
    for op in ops:
        checker.feed(op)
    return {f.pair() for f in checker.findings}


CORE = st.integers(0, 2)
ORDER = st.sampled_from(ORDERS)
STEP = st.one_of(
    st.tuples(st.just("atomic"), CORE, st.sampled_from(["load", "store", "rmw"]), ORDER,
              st.sampled_from([X, Y, A])),
    st.tuples(st.just("fence"), CORE, ORDER),
    st.tuples(st.just("payload"), CORE, st.sampled_from(["read", "write"]), st.integers(0, 7),
              st.integers(0, 3)),
    st.tuples(st.just("send"), CORE, CORE),
    st.tuples(st.just("free"), CORE),
    st.tuples(st.just("alloc"), CORE),
)


def build(steps: list[tuple[Any, ...]]) -> list[TraceOp]:
    """A well-formed trace: the allocation exists first; stores only to X and Y."""
    run = Run()
    run.alloc(0)
    for step in steps:
        name, core, *args = step
        if name == "atomic":
            op, order, addr = args
            if addr == A and A not in run.values:
                continue  # the refcount only while allocated (a UAF is tested by payload)
            run.atomic(core, "rmw" if addr == A and op == "store" else op, order, addr, 7)
        elif name == "fence":
            run.fence(core, args[0])
        elif name == "payload":
            kind, lo, n = args
            run.payload(core, kind, lo, min(n, 8 - lo))
        elif name == "send":
            run.add("send", core, written=args[0])
        elif name == "free" and A in run.values:
            run.free(core)
        elif name == "alloc" and A not in run.values:
            run.alloc(core)
    return run.ops


@pytest.mark.parametrize("rs", ["cxx20", "original"])
@settings(max_examples=300, deadline=None)
@given(steps=st.lists(STEP, max_size=18))
def test_online_equals_the_definitions_on_synthetic_traces(rs: str,
                                                           steps: list[tuple[Any, ...]]) -> None:
    ops = build(steps)
    assert online(ops, rs) == judge(ops, 3, rs)
    pruned = online(ops, rs, prune=True)
    assert pruned <= online(ops, rs) and bool(pruned) == bool(online(ops, rs))


def message_passing(write_order: str, read_order: str, fence: str = "") -> list[TraceOp]:
    """Core 1 writes the payload and flag X; core 0 reads the flag (and fences), then frees."""
    run = Run()
    run.alloc(1)
    run.add("send", 1, written=0)
    run.payload(1, "write", 0, 8)
    run.atomic(1, "store", write_order, X, 1)
    run.atomic(0, "load", read_order, X)
    if fence:
        run.fence(0, fence)
    run.free(0)
    return run.ops


@pytest.mark.parametrize(("w", "r", "f", "safe"), [
    ("release", "acquire", "", True),
    ("seq_cst", "seq_cst", "", True),
    ("release", "relaxed", "acquire", True),
    ("release", "relaxed", "", False),
    ("relaxed", "acquire", "", False),
    ("relaxed", "relaxed", "seq_cst", False),
    ("release", "consume", "", True),  # consume is acquire, as compilers implement it
])
def test_message_passing(w: str, r: str, f: str, safe: bool) -> None:
    ops = message_passing(w, r, f)
    assert (online(ops) == set()) == safe
    assert online(ops) == judge(ops, 3)


def release_sequence(middle: str) -> list[TraceOp]:
    """Core 1 writes data, releases X; core 2 does `middle` on X; core 0 acquires X, frees."""
    run = Run()
    run.alloc(1)
    run.add("send", 1, written=0)
    run.payload(1, "write", 0, 8)
    run.atomic(1, "store", "release", X, 1)
    if middle == "rmw":
        run.atomic(2, "rmw", "relaxed", X)
    elif middle == "store-same-core":
        run.atomic(1, "store", "relaxed", X, 5)
    else:
        run.atomic(2, "store", "relaxed", X, 5)
    run.atomic(0, "load", "acquire", X)
    run.free(0)
    return run.ops


def test_release_sequences_continue_through_rmw_chains_only_in_cxx20() -> None:
    assert online(release_sequence("rmw")) == set()
    assert online(release_sequence("store-same-core")) != set()  # C++20: a store ends it
    assert online(release_sequence("store-same-core"), rs="original") == set()
    assert online(release_sequence("store-other-core"), rs="original") != set()
    for case in ("rmw", "store-same-core", "store-other-core"):
        for rs in ("cxx20", "original"):
            assert online(release_sequence(case), rs) == judge(release_sequence(case), 3, rs)


def test_the_original_rule_continues_a_sequence_across_another_cores_store() -> None:
    # W_rel(x) by core 1; a relaxed store by core 2; a relaxed store by core 1 again:
    # that store is po-after the release, so in its sequence under the paper's rule.
    run = Run()
    run.alloc(1)
    run.add("send", 1, written=0)
    run.payload(1, "write", 0, 8)
    run.atomic(1, "store", "release", X, 1)
    run.atomic(2, "store", "relaxed", X, 2)
    run.atomic(1, "store", "relaxed", X, 3)
    run.atomic(0, "load", "acquire", X)
    run.free(0)
    assert online(run.ops, "original") == set() == judge(run.ops, 3, "original")
    assert online(run.ops) != set() and online(run.ops) == judge(run.ops, 3)


def test_a_pruning_checker_still_names_both_events_and_the_failed_hand_off() -> None:
    checker = OnlineChecker(3)
    for op in message_passing("relaxed", "acquire"):
        checker.feed(op)
    [finding] = [f for f in checker.findings if f.first and f.first.kind == "write"]
    report = finding.report()
    assert "core 1 write [0, 8)" in report and "core 0 free" in report
    assert "not a release" in report


def test_a_foreign_core_touching_owner_state_is_reported() -> None:
    run = Run()
    run.add("core_state", 0, offset=0)
    run.add("core_state", 1, offset=0)
    [tpc, *_] = [f for f in _findings(run.ops) if f.kind == "thread-per-core"]
    assert tpc.first is not None and tpc.first.core == 0 and tpc.second.core == 1
    assert online(run.ops) == judge(run.ops, 3)


def test_an_event_on_no_core_and_an_access_to_unknown_memory_are_reported() -> None:
    run = Run()
    run.add("read", -1, addr=A, length=1)
    run.add("read", 0, addr=0xdead, length=1)
    assert [f.kind for f in _findings(run.ops)] == ["untraced", "untraced"]
    assert online(run.ops) == judge(run.ops, 3)


def _findings(ops: list[TraceOp]) -> list[Any]:
    checker = OnlineChecker(3)
    for op in ops:
        checker.feed(op)
    return checker.findings
