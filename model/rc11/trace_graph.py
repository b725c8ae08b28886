"""The offline judgement of a recorded trace: an execution graph and the RC11 definitions.

Background: the online checker (`online`) decides races with vector clocks
as events arrive. Its answer is only as good as its clock rules; the
definitions of DESIGN.md §3 are relational (`relations.Relations.of`).

Problem: to test the online checker against the definitions, a recorded
trace must become an execution graph: events with po, rf, mo and rmw.

Model: each core is a thread; its events in trace order are po. Locations
are made per allocation *instance* (an address reused after a free is a new
instance): its header word (the refcount, `a<i>[-1:0]`) and the elementary
byte intervals cut by every range any event of the instance touches, so two
ranges overlap exactly when they share a location. An allocation is a non-
atomic write of every location of its instance, a free the same write
flagged `free`; a payload access is one event per interval it covers; an
atomic operation is a read, a write, both (an RMW, linked by rmw) or a
fence, with the RC11 modes of its C order; other atomics (the deferred-free
queue heads) get a location per address, named x0, x1, ... in order of use.
A send is a release write of a fresh location by the sender and an acquire
read of it by the receiver. The run was sequential, so rf is "the latest
write before it in the trace" and mo is trace order; each atomic read's
value must equal its source's (a trace that misses a write fails here, not
silently). A location read before any write gets an initial write (value 0)
when first read: initial writes are thread -1, po-before every event,
wherever they sit in the event list. `judge` then derives hb from the
definitions and lists every conflicting pair: a use after a free it happens-
after is a use-after-free, any other conflicting pair on different cores
unordered by hb a race. The thread-per-core rule is the same syntactic rule
as online.

Example: `judge(ops)` of a trace recorded with `TracedSystem(record=True)`
gives the set `{(kind, seq, seq)}` that `OnlineChecker(prune=False)` finds.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from .events import INIT, Event
from .graph import Execution
from .program import Order
from .relations import Relations
from .trace import TraceOp, fence_order, read_order, write_order


class TraceError(ValueError):
    """The trace is not a run of a sequential program (a read saw a value nobody wrote)."""


@dataclass
class _Instance:
    cuts: set[int] = field(default_factory=set)
    points: list[int] = field(default_factory=list)

    def locations(self, name: str, lo: int, hi: int) -> list[str]:
        """The interval locations covering [lo, hi)."""
        i = bisect_left(self.points, lo)
        out = []
        while i + 1 < len(self.points) and self.points[i + 1] <= hi:
            out.append(f"{name}[{self.points[i]}:{self.points[i + 1]}]")
            i += 1
        return out


def _instances(ops: list[TraceOp]) -> tuple[list[int], list[_Instance]]:
    """Per op: its allocation instance (-1 for none); per instance: its cut points."""
    current: dict[int, int] = {}
    instances: list[_Instance] = []
    of: list[int] = []
    for op in ops:
        if op.kind == "alloc":
            current[op.addr] = len(instances)
            instances.append(_Instance({-1, 0}))
        i = current.get(op.addr, -1) if op.kind != "core_state" and op.kind != "send" else -1
        of.append(i)
        if i < 0:
            continue
        if op.kind in ("alloc", "free"):
            instances[i].cuts |= {-1, 0, op.length}
        elif op.kind in ("read", "write"):
            instances[i].cuts |= {op.offset, op.offset + op.length}
    for inst in instances:
        inst.points = sorted(inst.cuts)
    return of, instances


class _Builder:
    """Appends graph events with their rf and mo as the trace is replayed."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.events: list[Event] = []
        self.index = [0] * threads
        self.rf: list[tuple[int, int]] = []
        self.mo: dict[str, list[int]] = {}

    def add(self, tid: int, kind: str, loc: str | None, mode: str, value: int, seq: int,
            rmw: bool = False, free: bool = False) -> int:
        eid = len(self.events)
        self.events.append(Event(eid, tid, self.index[tid], kind, loc, mode,  # type: ignore[arg-type]
                                 value, rmw, free, str(seq)))
        self.index[tid] += 1
        if kind == "R":
            assert loc is not None
            self.rf.append((self.source(loc), eid))
        elif kind == "W":
            assert loc is not None
            self.mo.setdefault(loc, []).append(eid)
        return eid

    def source(self, loc: str) -> int:
        """The write a read of `loc` reads now: the latest, or a new initial write (value 0)."""
        if loc not in self.mo:
            self.events.append(Event(len(self.events), INIT, 0, "W", loc, "na", 0))
            self.mo[loc] = [len(self.events) - 1]
        return self.mo[loc][-1]

    def source_value(self, loc: str) -> Event:
        return self.events[self.source(loc)]


def to_execution(ops: list[TraceOp], cores: int) -> tuple[Execution, list[tuple[str, int, int]]]:
    """The execution graph of a trace, and the findings that are not about hb (see `judge`)."""
    of, instances = _instances(ops)
    b = _Builder(cores)
    other: list[tuple[str, int, int]] = []
    last_owner_access: dict[int, int] = {}
    names: dict[int, int] = {}  # other atomics: x0, x1, ... by first use (addresses vary)
    for op, i in zip(ops, of, strict=True):
        if not 0 <= op.core < cores:
            other.append(("untraced", -1, op.seq))
            continue
        t = op.core
        if op.kind == "atomic":
            loc = f"a{i}[-1:0]" if i >= 0 else f"x{names.setdefault(op.addr, len(names))}"
            _atomic(b, op, loc)
        elif op.kind in ("read", "write", "alloc", "free"):
            if i < 0:
                other.append(("untraced", -1, op.seq))
                continue
            inst = instances[i]
            whole = op.kind in ("alloc", "free")
            lo, hi = (-1, op.length) if whole else (op.offset, op.offset + op.length)
            for loc in inst.locations(f"a{i}", lo, hi):
                value = 1 if op.kind == "alloc" and loc.endswith("[-1:0]") else 0
                b.add(t, "R" if op.kind == "read" else "W", loc, "na", value, op.seq,
                      free=op.kind == "free")
        elif op.kind == "core_state":
            if t != op.offset:
                other.append(("thread-per-core", last_owner_access.get(op.offset, -1), op.seq))
            else:
                last_owner_access[op.offset] = op.seq
            b.add(t, "W", f"core{op.offset}", "na", 0, op.seq)
        elif op.kind == "send":
            b.add(t, "W", f"send{op.seq}", "rel", 1, op.seq)
            b.add(op.written, "R", f"send{op.seq}", "acq", 1, op.seq)
    mo = tuple((loc, tuple(ws)) for loc, ws in sorted(b.mo.items()))
    return Execution(tuple(b.events), tuple(b.rf), mo, cores), other


def _atomic(b: _Builder, op: TraceOp, loc: str) -> None:
    if op.op == "fence":
        b.add(op.core, "F", None, fence_order(op.order), 0, op.seq)
        return
    if op.op in ("load", "rmw"):
        src = b.source_value(loc)
        if src.is_atomic and src.value != op.read:
            raise TraceError(f"event {op.seq} ({op.describe()}) read {op.read}, but the latest "
                             f"write to its location wrote {src.value}")
        b.add(op.core, "R", loc, _mode(read_order(op.order)), op.read, op.seq, rmw=op.op == "rmw")
    if op.op in ("store", "rmw"):
        b.add(op.core, "W", loc, _mode(write_order(op.order)), op.written, op.seq,
              rmw=op.op == "rmw")


def _mode(mode: str) -> Order:
    return mode  # type: ignore[return-value]


def judge(ops: list[TraceOp], cores: int, rs: str = "cxx20") -> set[tuple[str, int, int]]:
    """Every finding of the trace by the offline definitions, as (kind, seq, seq) triples."""
    x, found = to_execution(ops, cores)
    rel = Relations.of(x, rs=rs)
    out = set(found)
    by_loc: dict[str, list[Event]] = {}
    for e in x.events:
        if e.tid != INIT and e.loc is not None:
            by_loc.setdefault(e.loc, []).append(e)
    for events in by_loc.values():
        for k, b in enumerate(events):
            for a in events[:k]:
                if "W" not in (a.kind, b.kind) or "na" not in (a.mode, b.mode):
                    continue
                ordered = (a.eid, b.eid) in rel.hb
                if a.free:
                    out.add(("use-after-free" if ordered else "race", int(a.text), int(b.text)))
                elif not ordered and a.tid != b.tid:
                    out.add(("race", int(a.text), int(b.text)))
    return out
