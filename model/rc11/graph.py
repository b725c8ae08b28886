"""Execution graphs: the growing graph the explorer edits, and the frozen `Execution`.

Background: the explorer adds one event at a time, and every read is added
after the write it reads from, so the addition order is a linearisation of
po | rf. RC11 forbids po | rf cycles, so this loses no consistent graph.

Problem: the explorer asks "does a happen-before b?" thousands of times per
second, and must undo each step on backtracking.

Model: since sw ⊆ (po | rf)+ (the release sequence is a chain of rf;rmw and
rmw ⊆ po), hb = (po | sw)+ also follows the addition order: the hb
predecessors of a new event are all in the graph already, and adding events
never changes hb between old ones. So each event carries a vector clock,
clock[t] = how many events of thread t happen-before-or-equal it, fixed when
it is added. A write also carries its *release clock*: the join of the clocks
of every release head (release write or fence) whose release sequence
contains it; an acquire read of that write joins it. `Graph` is mutable with
LIFO `push`/`pop`; `freeze()` gives the immutable `Execution`.

Example:
    >>> g = Graph(1, [("x", 0)])
    >>> g.mo["x"]
    [0]
"""

from __future__ import annotations

from dataclasses import dataclass

from .events import INIT, Event

Clock = tuple[int, ...]


def join(a: Clock, b: Clock) -> Clock:
    """Pointwise maximum of two vector clocks."""
    return tuple(x if x >= y else y for x, y in zip(a, b, strict=True))


@dataclass(frozen=True, slots=True)
class Execution:
    """A frozen execution graph: events (by eid), rf as (write, read) pairs, mo per location."""

    events: tuple[Event, ...]
    rf: tuple[tuple[int, int], ...]
    mo: tuple[tuple[str, tuple[int, ...]], ...]
    threads: int

    def size(self) -> int:
        """Number of events of the threads (init writes not counted)."""
        return sum(e.tid != INIT for e in self.events)


class Graph:
    """The partial execution graph under construction (mutable, LIFO undo)."""

    def __init__(self, threads: int, init: list[tuple[str, int]]) -> None:
        self.threads = threads
        self.events: list[Event] = []
        self.rf: list[int] = []  # per eid: the write a read reads from, else -1
        self.clock: list[Clock] = []
        self.relclock: list[Clock | None] = []
        self.mo: dict[str, list[int]] = {}
        self.by_loc: dict[str, list[int]] = {}
        self.per_thread: list[list[int]] = [[] for _ in range(threads)]
        self.rmw_reader: dict[int, int] = {}  # write -> the RMW read that reads it
        self.plain: dict[str, int] = {}  # per location: how many non-atomic thread events
        self.sc_fences = 0
        zero = (0,) * threads
        for loc, value in init:
            eid = len(self.events)
            self.events.append(Event(eid, INIT, 0, "W", loc, "na", value))
            self.rf.append(-1)
            self.clock.append(zero)
            self.relclock.append(None)
            self.mo[loc] = [eid]
            self.by_loc[loc] = [eid]

    def hb(self, a: int, b: int) -> bool:
        """a happens-before b (a != b); initial writes happen-before every thread event."""
        ea = self.events[a]
        if ea.tid == INIT:
            return self.events[b].tid != INIT
        return self.clock[b][ea.tid] > ea.index

    def push(self, ev: Event, clock: Clock, src: int = -1, mo_pos: int = -1,
             relclock: Clock | None = None) -> None:
        """Add `ev`: a read with its rf source `src`, a write at `mo_pos` in its location's mo."""
        assert ev.eid == len(self.events)
        self.events.append(ev)
        self.rf.append(src)
        self.clock.append(clock)
        self.relclock.append(relclock)
        if ev.tid != INIT:
            self.per_thread[ev.tid].append(ev.eid)
            if ev.mode == "na" and ev.loc is not None:
                self.plain[ev.loc] = self.plain.get(ev.loc, 0) + 1
        if ev.loc is not None:
            self.by_loc.setdefault(ev.loc, []).append(ev.eid)
            if ev.kind == "W":
                self.mo.setdefault(ev.loc, []).insert(mo_pos, ev.eid)
        if ev.kind == "R" and ev.rmw:
            self.rmw_reader[src] = ev.eid
        if ev.kind == "F" and ev.mode == "sc":
            self.sc_fences += 1

    def pop(self) -> None:
        """Undo the last `push`."""
        ev = self.events.pop()
        src = self.rf.pop()
        self.clock.pop()
        self.relclock.pop()
        if ev.tid != INIT:
            self.per_thread[ev.tid].pop()
            if ev.mode == "na" and ev.loc is not None:
                self.plain[ev.loc] -= 1
        if ev.loc is not None:
            self.by_loc[ev.loc].pop()
            if ev.kind == "W":
                self.mo[ev.loc].remove(ev.eid)
        if ev.kind == "R" and ev.rmw:
            del self.rmw_reader[src]
        if ev.kind == "F" and ev.mode == "sc":
            self.sc_fences -= 1

    def mo_pos(self, w: int) -> int:
        """Position of write `w` in its location's modification order."""
        loc = self.events[w].loc
        assert loc is not None
        return self.mo[loc].index(w)

    def freeze(self) -> Execution:
        """The immutable snapshot of the current graph."""
        rf = tuple((w, r) for r, w in enumerate(self.rf) if w >= 0)
        mo = tuple((loc, tuple(ws)) for loc, ws in sorted(self.mo.items()))
        return Execution(tuple(self.events), rf, mo, self.threads)
