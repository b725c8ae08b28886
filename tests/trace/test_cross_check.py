"""The online checker against the offline RC11 definitions, on traces of real runs.

Random programs run on the traced library and on traced builds of the
call-site mutants (so that races actually happen); each run's trace is
judged twice: by the vector-clock checker as it ran (keeping every access,
`prune=False`) and offline, as an execution graph whose hb comes from the
relational definitions. They must find exactly the same pairs. The pruning
checker must reach the same verdict with a subset of the pairs.
"""

from __future__ import annotations

import contextlib
import types
from functools import cache
from pathlib import Path
from typing import Any

import iobuf.model
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from iobuf.impl.build import build
from iobuf.impl.traced import TracedSystem
from iobuf.model.errors import IobufError
from iobuf.model.rc11.online import OnlineChecker
from iobuf.model.rc11.trace import TraceOp
from iobuf.model.rc11.trace_graph import TraceError, judge, to_execution
from iobuf.proofs.lockstep import lockstep_machine
from iobuf.proofs.mutants import build_mutant, load_catalogue

CATALOGUE = {m.name: m for m in load_catalogue(
    Path(__file__).parent.parent / "mutants" / "mutants.toml")}
VARIANTS = ["bundled", "callsite-refcount-dec-relaxed", "callsite-drop-fence-removed",
            "callsite-xfree-push-relaxed", "callsite-xfree-drain-relaxed",
            "foreign-core-updates-owner-counters"]


@cache
def library(variant: str) -> str:
    """The traced build of the bundled sources or of a mutant."""
    if variant == "bundled":
        return str(build("traced"))
    return str(build_mutant(CATALOGUE[variant], "traced"))


CORE = st.integers(0, 2)
OPS = st.lists(st.one_of(
    st.tuples(st.just("alloc"), CORE, st.integers(0, 24)),
    st.tuples(st.just("share"), st.integers(0, 9), st.integers(0, 8), st.integers(0, 8)),
    st.tuples(st.just("send"), st.integers(0, 9), CORE),
    st.tuples(st.just("read"), st.integers(0, 9)),
    st.tuples(st.just("write"), st.integers(0, 9), st.integers(0, 8)),
    st.tuples(st.just("release"), st.integers(0, 9)),
    st.tuples(st.just("poll"), CORE),
    st.tuples(st.just("chain"), st.integers(0, 9), CORE),
), max_size=12)


def run(variant: str, program: list[tuple[Any, ...]]) -> tuple[list[TraceOp], OnlineChecker]:
    """Run `program` on 3 cores of `variant`; every handle is released and every core polled."""
    s = TracedSystem(cores=3, library=library(variant), record=True, prune=False)
    live: list[Any] = []
    for step in program:
        name, *args = step
        h = live[args[0] % len(live)] if live and name not in ("alloc", "poll") else None
        try:
            if name == "alloc":
                live.append(s.core(args[0]).alloc(args[1]))
            elif name == "poll":
                s.core(args[0]).poll()
            elif h is None:
                continue
            elif name == "share":
                live.append(h.share(args[1], args[2]))
            elif name == "send":
                live.remove(h)
                live.append(h.send(s.core(args[1])))
            elif name == "read":
                bytes(h) if hasattr(h, "fragments") else h.read()
            elif name == "write" and not hasattr(h, "fragments"):
                h.write(args[1], b"\x01")
            elif name == "release":
                live.remove(h)
                h.release()
            elif name == "chain" and not hasattr(h, "fragments"):
                io = s.core(args[1]).iobuf()
                io.append(b"xyz")
                io.append_buffer(h.share())
                live.append(io)
        except IobufError:
            pass
    for h in live:
        with contextlib.suppress(IobufError):
            h.release()
    s.close()
    assert s.tracer.ops is not None and not s.tracer.errors
    return s.tracer.ops, s.tracer.checker


def agree(variant: str, program: list[tuple[Any, ...]]) -> set[tuple[str, int, int]]:
    """Assert the three judgements agree on one run; return the offline findings."""
    ops, online = run(variant, program)
    offline = judge(ops, 3)
    assert {f.pair() for f in online.findings} == offline
    pruned = OnlineChecker(3)
    for op in ops:
        pruned.feed(op)
    assert pruned.ok() == online.ok()
    assert {f.pair() for f in pruned.findings} <= offline
    return offline


@pytest.mark.parametrize("variant", VARIANTS)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(program=OPS)
def test_online_and_offline_find_the_same_pairs(variant: str,
                                                program: list[tuple[Any, ...]]) -> None:
    agree(variant, program)


FOREIGN_DROP_FIRST = [("alloc", 0, 8), ("share", 0, 0, 8), ("send", 1, 1), ("read", 1),
                      ("release", 1), ("release", 0), ("poll", 0)]
OWNER_DROPS_LAST = [("alloc", 0, 8), ("share", 0, 0, 8), ("send", 1, 1), ("read", 1),
                    ("release", 0), ("release", 0), ("poll", 0)]


@pytest.mark.parametrize("variant", VARIANTS[1:])
def test_every_call_site_mutant_races_in_a_foreign_drop(variant: str) -> None:
    # The negative twins: each weakened call site makes one of the two drop orders race,
    # and both judgements see it; the bundled build is clean in both.
    found = agree(variant, FOREIGN_DROP_FIRST) | agree(variant, OWNER_DROPS_LAST)
    assert found, variant
    assert not agree("bundled", FOREIGN_DROP_FIRST) | agree("bundled", OWNER_DROPS_LAST)


def test_a_trace_missing_a_write_is_refused() -> None:
    ops, _ = run("bundled", FOREIGN_DROP_FIRST)
    dec = next(i for i, op in enumerate(ops) if op.site == "refcount.dec")
    forged = [*ops[:dec], TraceOp(ops[dec].seq, "atomic", ops[dec].core, "refcount.dec", "rmw",
                                  "release", ops[dec].addr, read=7, written=6),
              *ops[dec + 1:]]
    with pytest.raises(TraceError):
        to_execution(forged, 3)


LOCKSTEP_TRACE_LIMIT = 250
"""Longer traces are skipped: the offline hb is a relational closure (cubic)."""


@pytest.mark.parametrize("variant", VARIANTS[:5])
def test_online_and_offline_agree_on_lockstep_runs(variant: str) -> None:
    # The lockstep machine reaches every API call (chains, consumers, trims, bad input),
    # which the small programs above do not; here its traces are judged both ways. The
    # call-site mutants behave like the library, so the machine runs to the end while
    # their races are collected instead of raised.
    systems: list[TracedSystem] = []

    def recording(cores: int) -> TracedSystem:
        s = TracedSystem(cores=cores, library=library(variant), record=True, prune=False)
        s.tracer.check = lambda: None  # type: ignore[method-assign]
        systems.append(s)
        return s

    api = types.ModuleType(f"recording_{variant.replace('-', '_')}")
    api.System = recording  # type: ignore[attr-defined]
    run_state_machine_as_test(lockstep_machine(iobuf.model, api), settings=settings(
        max_examples=25, stateful_step_count=12, deadline=None, database=None,
        suppress_health_check=list(HealthCheck)))
    judged = racy = 0
    for s in systems:
        ops = s.tracer.ops or []
        if len(ops) <= LOCKSTEP_TRACE_LIMIT:
            found = {f.pair() for f in s.tracer.checker.findings}
            assert found == judge(ops, len(s.cores)), variant
            judged += 1
            racy += bool(found)
    assert judged >= 10
    if variant == "bundled":
        assert racy == 0
