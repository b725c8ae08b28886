"""The online RC11 race checker: vector clocks over a traced run of the C library.

Background: the explorer (`search`) decides what RC11 allows for a small
program; the C library is not a small program. loom and C11Tester check real
code instead by running it and keeping, per thread, a vector clock of what
happens-before its next event (FastTrack-style race detection over the RC11
`sw`). We do the same for the traced build: every atomic op, payload access,
allocation and free arrives here in the order it ran, tagged with its core.

Problem: a sequential run shows only one interleaving, and in that
interleaving every free *does* come after every use. What must be checked is
whether the free *happens-after* each use under RC11: whether the orders the
code used build a `po | sw` path from the use to the free. A relaxed
decrement runs exactly like a release one; only the clocks tell them apart.

Model (DESIGN.md §3, exactly its sw and hb, C++20 release sequences unless
`rs="original"`):
- each core has a clock; every event ticks its own component. `e hb f` iff
  e's tick <= f's clock at e's core;
- each atomic location keeps the release clocks of the release sequences its
  latest write belongs to (by head core). A release write (or a relaxed
  write after a release fence: the fence's clock) heads one; an RMW extends
  all of them; a plain store ends all of them (C++20). Under the original
  rule every write also rejoins the sequences its own core headed on that
  location earlier (it is po-after them), even across other cores' stores;
- an acquire read joins them into its core's clock; a relaxed read saves
  them for the core's next acquire fence; SC accesses and fences are both;
- the run is sequential, so a read reads the latest write in the trace;
- a send between cores is the message queue's release/acquire pair
  (Seastar's `submit_to`): the receiver joins the sender's clock;
- an allocation is a non-atomic write of its header (the refcount, at its
  address) and payload, a free a non-atomic write of all of it. Two accesses
  conflict when they overlap, one writes and one is non-atomic; a conflicting
  pair from different cores unordered by hb is a race; an access hb-after
  the free of its allocation is a use-after-free;
- a core's owner-only counters may be touched only by that core: any other
  core's access is a thread-per-core violation (and raced like a location).
Per allocation the checker keeps the accesses not yet dominated: a later
access of the same core covering the same bytes, writing if the older wrote
and non-atomic if the older was, conflicts with everything the older would
(and happens-after it), so the older is dropped (`prune=False` keeps all:
the cross-check with the offline judgement compares every pair).

Example: a relaxed decrement by core 1 followed by the last decrement, an
acquire fence and the free on core 0 reports core 1's payload read racing
with the free, and names the relaxed decrement core 0 read without syncing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Literal

from .trace import TraceOp, fence_order, read_order, write_order

FindingKind = Literal["race", "use-after-free", "thread-per-core", "untraced"]
HEADER = -1
"""Payload offsets start at 0; the header (refcount) is the byte range [-1, 0)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found: two events (the older may be None) and what synchronisation is missing."""

    kind: FindingKind
    first: TraceOp | None
    second: TraceOp
    missing: str = ""

    def pair(self) -> tuple[str, int, int]:
        """(kind, seq of the older event or -1, seq of the newer): what cross-checks compare."""
        return self.kind, self.first.seq if self.first else -1, self.second.seq

    def report(self) -> str:
        """A multi-line report naming both events, their sites, cores and the missing sync."""
        lines = [f"{self.kind}: {self.first.describe() if self.first else '(nothing)'}",
                 f"  and {self.second.describe()}"]
        if self.kind in ("race", "use-after-free"):
            verb = "happens-after" if self.kind == "use-after-free" else "is unordered with"
            lines.append(f"  (the second {verb} the first under RC11)")
        if self.missing:
            label = "rule" if self.kind in ("thread-per-core", "untraced") else \
                "missing synchronisation"
            lines.append(f"  {label}: {self.missing}")
        return "\n".join(lines)


@dataclass(slots=True)
class _Access:
    op: TraceOp
    epoch: int
    write: bool
    atomic: bool
    lo: int
    hi: int


@dataclass(slots=True)
class _Region:
    """An allocation (or a core's owner-only state) and its undominated accesses."""

    accesses: list[_Access] = field(default_factory=list)
    freed: _Access | None = None


@dataclass(slots=True)
class _Atomic:
    writer: TraceOp | None = None
    rel: dict[int, list[int]] = field(default_factory=dict)  # head core -> release clock
    # rs="original": per core, the join of its release heads on this location. Every
    # later write of that core is po-after them, so in their release sequences,
    # whatever other cores wrote in between.
    own: dict[int, list[int]] = field(default_factory=dict)


@dataclass(slots=True)
class _Core:
    clock: list[int]
    acquired: list[int]  # release clocks of relaxed reads, for the next acquire fence
    fence_rel: list[int] | None = None  # clock of the last release fence


def _join(into: list[int], other: list[int]) -> None:
    for i, v in enumerate(other):
        if v > into[i]:
            into[i] = v


class OnlineChecker:
    """Consumes a traced run event by event; `findings` holds what it found so far."""

    def __init__(self, cores: int, *, rs: str = "cxx20", prune: bool = True,
                 limit: int = 64) -> None:
        """A checker for `cores` cores; at most `limit` findings are kept."""
        if rs not in ("cxx20", "original"):
            raise ValueError(f"rs must be 'cxx20' or 'original', got {rs!r}")
        self.ncores = cores
        self.rs = rs
        self.prune = prune
        self.limit = limit
        self.findings: list[Finding] = []
        self.events = 0
        self._cores = [_Core([0] * cores, [0] * cores) for _ in range(cores)]
        self._regions: dict[int, _Region] = {}
        self._states: dict[int, _Region] = {}
        self._atomics: dict[int, _Atomic] = {}
        # Cross-core reads-from edges (write, read, the writer's release clock then), to
        # explain races; the clock lists in `_Atomic.rel` are never mutated once published.
        self._rf: deque[tuple[TraceOp, TraceOp, list[int] | None]] = deque(maxlen=4096)

    # -- entry point ---------------------------------------------------------------------

    def feed(self, op: TraceOp) -> None:
        """Account for the next event of the run."""
        self.events += 1
        if not 0 <= op.core < self.ncores:
            self._find("untraced", None, op, "the event ran on no core (IOB_ON_CORE missing)")
            return
        core = self._cores[op.core]
        core.clock[op.core] += 1
        if op.kind == "atomic":
            self._atomic(op, core)
        elif op.kind in ("read", "write"):
            region = self._regions.get(op.addr)
            if region is None:
                self._find("untraced", None, op, "no traced allocation at this address")
                return
            self._access(region, op, op.kind == "write", False, op.offset,
                         op.offset + op.length)
        elif op.kind == "alloc":
            self._regions[op.addr] = _Region()
            self._atomics[op.addr] = _Atomic(op)
            self._access(self._regions[op.addr], op, True, False, HEADER, op.length)
        elif op.kind == "free":
            self._free(op)
        elif op.kind == "core_state":
            self._core_state(op)
        elif op.kind == "send":
            receiver = self._cores[op.written]
            _join(receiver.clock, core.clock)
            receiver.clock[op.written] += 1

    def ok(self) -> bool:
        """Whether nothing was found."""
        return not self.findings

    # -- the parts -----------------------------------------------------------------------

    def _atomic(self, op: TraceOp, core: _Core) -> None:
        if op.op == "fence":
            mode = fence_order(op.order)
            if mode in ("acq", "acq_rel", "sc"):
                _join(core.clock, core.acquired)
            if mode in ("rel", "acq_rel", "sc"):
                core.fence_rel = list(core.clock)
            return
        loc = self._atomics.setdefault(op.addr, _Atomic())
        if op.op in ("load", "rmw"):
            if loc.writer is not None and loc.writer.kind == "atomic" \
                    and loc.writer.core != op.core:
                self._rf.append((loc.writer, op, loc.rel.get(loc.writer.core)))
            target = core.clock if read_order(op.order) in ("acq", "sc") else core.acquired
            for clock in loc.rel.values():
                _join(target, clock)
        if op.op in ("store", "rmw"):
            mode = write_order(op.order)
            head = list(core.clock) if mode in ("rel", "sc") else core.fence_rel
            rel = {} if op.op == "store" else {k: list(v) for k, v in loc.rel.items()}
            own = loc.own.get(op.core) if self.rs == "original" else None
            for joined in (head, own):
                if joined is not None:
                    _join(rel.setdefault(op.core, [0] * self.ncores), joined)
            if head is not None and self.rs == "original":
                _join(loc.own.setdefault(op.core, [0] * self.ncores), head)
            loc.rel = rel
            loc.writer = op
        region = self._regions.get(op.addr)
        if region is not None:  # the refcount: the header word of its allocation
            self._access(region, op, op.op in ("store", "rmw"), True, HEADER, 0)

    def _free(self, op: TraceOp) -> None:
        region = self._regions.get(op.addr)
        if region is None:
            self._find("untraced", None, op, "free of an allocation the trace never saw")
            return
        self._access(region, op, True, False, HEADER, op.length)
        region.freed = region.accesses[-1]
        self._atomics.pop(op.addr, None)

    def _core_state(self, op: TraceOp) -> None:
        region = self._states.setdefault(op.offset, _Region())
        if op.core != op.offset:
            last = next((a.op for a in reversed(region.accesses) if a.op.core == op.offset),
                        None)
            self._find("thread-per-core", last, op,
                       f"only core {op.offset} may touch its counters; core {op.core} must "
                       "hand the work to it (the deferred-free queue)")
        self._access(region, op, True, False, 0, 1)

    def _access(self, region: _Region, op: TraceOp, write: bool, atomic: bool,
                lo: int, hi: int) -> None:
        if lo >= hi:
            return  # touches no byte (a zero-length read): conflicts with nothing
        clock = self._cores[op.core].clock
        for old in region.accesses:
            if not (old.lo < hi and lo < old.hi) or not (old.write or write) \
                    or (old.atomic and atomic):
                continue
            ordered = old.epoch <= clock[old.op.core]
            if old is region.freed:
                kind: FindingKind = "use-after-free" if ordered else "race"
            elif ordered:
                continue
            else:
                kind = "race"
            self._find(kind, old.op, op, "" if ordered else self._missing(old, op))
        new = _Access(op, clock[op.core], write, atomic, lo, hi)
        if self.prune:
            region.accesses = [a for a in region.accesses if not (
                a is not region.freed and a.op.core == op.core and lo <= a.lo and a.hi <= hi
                and (write or not a.write) and (a.atomic or not atomic))]
        region.accesses.append(new)

    def _missing(self, first: _Access, second: TraceOp) -> str:
        """Which atomic hand-offs after `first` failed to synchronise (from the rf edges seen).

        `first` does not happen-before `second`, so no write of first's core
        after it reached second's core through sw: each such rf edge is
        either not released (no release write or fence after `first`) or
        not acquired (a relaxed read with no acquire fence after it).
        """
        reasons: dict[str, tuple[bool, int]] = {}  # text -> sort key: second's core first
        core, epoch = first.op.core, first.epoch
        for w, r, released in self._rf:
            if w.core != core or w.seq < first.op.seq or r.seq > second.seq:
                continue
            if released is None or released[core] < epoch:
                why = "but it is not a release (nor after a release fence)"
            elif self._cores[r.core].clock[core] >= epoch:
                continue  # synchronised (now or by a later fence); the chain broke further on
            elif read_order(r.order) not in ("acq", "sc"):
                why = "but reads it relaxed, and no acquire fence after that read joined it"
            else:
                continue  # synchronised; the chain broke further on
            text = f"{w.describe()} was read by {r.describe()}, {why}"
            reasons[text] = (r.core != second.core, -r.seq)
        if not reasons:
            return (f"no atomic write of core {core} after the first event was read by "
                    "another core before the second")
        ranked = sorted(reasons, key=reasons.__getitem__)
        extra = f" (and {len(ranked) - 2} more)" if len(ranked) > 2 else ""
        return "; ".join(ranked[:2]) + extra

    def _find(self, kind: FindingKind, first: TraceOp | None, second: TraceOp,
              missing: str) -> None:
        if len(self.findings) < self.limit:
            self.findings.append(Finding(kind, first, second, missing))
