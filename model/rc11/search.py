"""The depth-first search over canonical linearisations (see `explorer` for the idea).

Background and problem: `explorer` states the strategy; this module is the
machine: per thread an interpreter state (pc, registers, clocks, bound), one
mutable `Graph`, and a recursive `_step` that tries every canonical next event.

Model: a step of thread t
- runs t's code up to its next event instruction (`_advance`: assignments,
  branches and assumes cost no event);
- branches over the choices of that event: a read over the writes it may
  read (coherence bound, atomicity, t's own canonical bound, and for an
  acquire read the release clock of its source), a write over its mo slots,
  a CAS over source x success/failure (a weak CAS may also fail spuriously);
- records races and uses after free against older events, checks psc (or SC)
  when it can have changed, then recurses and undoes.
Threads lower than t that are skipped at this step must be waiting on a read
(else the step is not canonical); they get the bound `len(graph)`. Before a
waiting thread is skipped, `_may_postpone` asks whether any other thread can
still write its location while it waits: syntactically (`may_write`), then
along straight-line code (`_sure_writes`, cheap, settles the usual yes),
then by the abstract run of `reach` (settles the no that costs whole dead
subtrees, e.g. a dropper waiting for a free that needs its own decrement).
A no ends the step's loop: every later branch of it would be dead.

Example: see `explorer.explore`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import axioms
from .events import Event, read_mode, write_mode
from .graph import Clock, Execution, Graph, join
from .program import (
    Bin,
    Const,
    Expr,
    IAssign,
    IAssume,
    ICas,
    IFence,
    IJumpUnless,
    ILoad,
    Instr,
    IRmw,
    IStore,
    Program,
    Reg,
    ThreadCode,
    compile_thread,
    evaluate,
)
from .reach import Reach

READS = (ILoad, IRmw, ICas)
Regs = tuple[int | None, ...]


@dataclass(frozen=True, slots=True)
class Thread:
    """A thread's interpreter state: pc at its next event (or end), registers, clocks."""

    pc: int
    regs: tuple[int | None, ...]
    clock: Clock  # the clock of its last event
    acquired: Clock  # join of release clocks of sources of its atomic reads (for acq fences)
    bound: int = 0  # its next read must read a write with eid >= bound


@dataclass
class Leaf:
    """A complete consistent graph as the collector sees it (valid only during the callback)."""

    graph: Graph
    outcome: tuple[tuple[str, int], ...]
    findings: list[tuple[str, int, int]]

    def size(self) -> int:
        """Number of thread events."""
        return sum(e.tid >= 0 for e in self.graph.events)

    def freeze(self) -> Execution:
        """A frozen copy of the graph."""
        return self.graph.freeze()


_OPS: dict[str, Callable[[int, int], int]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "and": lambda a, b: a & b,
    "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b, "xchg": lambda a, b: b,
}


class Search:
    """One exploration: call `run()`; leaves go to `on_leaf`."""

    def __init__(self, program: Program, rs: str, sc: bool,
                 on_leaf: Callable[[Leaf], None], reach: bool = True) -> None:
        self.codes: list[ThreadCode] = [compile_thread(t, program.unroll)
                                        for t in program.threads]
        self.names = [{n: i for i, n in enumerate(c.regs)} for c in self.codes]
        self.ends = [len(c.code) for c in self.codes]
        self.sure = [_sure_writes(c.code) for c in self.codes]
        self.visible = [[(i, f"{t}:{name}") for i, name in enumerate(c.regs)
                         if not name.startswith("#")] for t, c in enumerate(self.codes)]
        self.fns = [_compile_code(c.code, names) for c, names in zip(self.codes, self.names,
                                                                     strict=True)]
        init = dict(program.init)
        n = len(self.codes)
        self.g = Graph(n, [(loc, init.get(loc, 0)) for loc in program.locations()])
        self.original, self.sc, self.on_leaf = rs == "original", sc, on_leaf
        self.reach = reach  # False: postpone without the `reach` test (for the tests' twin)
        self.findings: list[tuple[str, int, int]] = []
        self.cut = self.blocked = 0
        zero = (0,) * n
        self.threads: list[Thread | str] = []
        for t, code in enumerate(self.codes):
            state = self._advance(t, Thread(0, (None,) * len(code.regs), zero, zero))
            if not isinstance(state, Thread):
                raise ValueError(f"thread {t} blocks before its first event")
            self.threads.append(state)

    # --- running code between events ---------------------------------------------------

    def _advance(self, t: int, th: Thread) -> Thread | str:
        """Run thread t to its next event (pc at the end when done), or "cut"/"blocked"."""
        code, fns = self.codes[t].code, self.fns[t]
        pc, regs = th.pc, th.regs
        while pc < len(code):
            ins = code[pc]
            if isinstance(ins, IAssign):
                regs = _set(regs, ins.reg, fns[pc](regs))
            elif isinstance(ins, IJumpUnless):
                if not fns[pc](regs):
                    pc = ins.target
                    continue
            elif isinstance(ins, IAssume):
                if not fns[pc](regs):
                    return "cut" if ins.cut else "blocked"
            else:
                return Thread(pc, regs, th.clock, th.acquired, th.bound)
            pc += 1
        return Thread(pc, regs, th.clock, th.acquired, th.bound)

    # --- the search ----------------------------------------------------------------------

    def run(self) -> None:
        """Explore every canonical path."""
        self._step()

    def _step(self) -> None:
        ends = self.ends
        live = [t for t, th in enumerate(self.threads)
                if type(th) is Thread and th.pc < ends[t]]
        if not live:
            self.on_leaf(Leaf(self.g, self._outcome(), self.findings))
            return
        skipped: list[int] = []
        for t in live:
            th = self.threads[t]
            assert isinstance(th, Thread)
            ins = self.codes[t].code[th.pc]
            self._try(t, th, ins, skipped)
            if not isinstance(ins, READS):
                break  # t is enabled: no higher thread may go first
            if t != live[-1] and not self._may_postpone(t, ins.loc):
                self.blocked += 1  # no write t could read can come: every later branch is dead
                break
            skipped.append(t)

    def _live(self, t: int, th: Thread | str) -> bool:
        return isinstance(th, Thread) and th.pc < len(self.codes[t].code)

    def _try(self, t: int, th: Thread, ins: object, skipped: list[int]) -> None:
        """Every choice for thread t's next event, each followed by the rest of the search."""
        n = len(self.g.events)
        saved = [(u, self.threads[u]) for u in skipped]
        for u in skipped:
            th_u = self.threads[u]
            assert isinstance(th_u, Thread)
            self.threads[u] = Thread(th_u.pc, th_u.regs, th_u.clock, th_u.acquired, n)
        for _ in self._choices(t, th, ins):
            self._continue(t)
        for u, old in saved:
            self.threads[u] = old

    def _continue(self, t: int) -> None:
        """After thread t's step (already applied): prune or recurse."""
        if self.threads[t] == "cut":
            self.cut += 1
        elif self.threads[t] == "blocked" or not self._bounds_feasible():
            self.blocked += 1
        else:
            self._step()

    def _bounds_feasible(self) -> bool:
        """Every waiting thread's bounded read can still be satisfied by some write."""
        g = self.g
        for t, th in enumerate(self.threads):
            if not isinstance(th, Thread) or th.bound == 0:
                continue
            ins = self.codes[t].code[th.pc]
            assert isinstance(ins, READS)
            if any(w >= th.bound for w in g.mo[ins.loc]):
                continue
            if not any(self._live(u, o) and u != t and ins.loc in
                       self.codes[u].may_write[o.pc]  # type: ignore[union-attr]
                       for u, o in enumerate(self.threads)):
                return False
        return True

    def _may_postpone(self, t: int, loc: str) -> bool:
        """Whether, with thread t stuck at its read of `loc`, another thread may still write it."""
        threads, ends = self.threads, self.ends
        may = False
        for u, o in enumerate(threads):
            if u != t and type(o) is Thread and o.pc < ends[u]:
                if loc in self.sure[u][o.pc]:
                    return True
                may = may or loc in self.codes[u].may_write[o.pc]
        if not may or not self.reach:
            return may
        starts = [(o.pc, o.regs) if isinstance(o, Thread) and self._live(u, o) else None
                  for u, o in enumerate(threads)]
        g = self.g
        existing = {x: [g.events[w].value for w in ws] for x, ws in g.mo.items()}
        return Reach(self.codes, self.names, starts, existing, t).writes(loc)

    # --- one event -----------------------------------------------------------------------

    def _choices(self, t: int, th: Thread, ins: object) -> Iterator[None]:
        """Apply each choice in turn (state set, events pushed), yield, then undo it."""
        if isinstance(ins, ILoad):
            yield from self._load(t, th, ins)
        elif isinstance(ins, IStore):
            yield from self._store(t, th, ins)
        elif isinstance(ins, IRmw):
            yield from self._rmw(t, th, ins)
        elif isinstance(ins, ICas):
            yield from self._cas(t, th, ins)
        elif isinstance(ins, IFence):
            yield from self._fence(t, th, ins)

    def _tick(self, th: Thread, t: int, extra: Clock | None = None) -> Clock:
        clock = list(th.clock)
        clock[t] = len(self.g.per_thread[t]) + 1
        out = tuple(clock)
        return out if extra is None else join(out, extra)

    def _sources(self, t: int, th: Thread, loc: str, mode: str,
                 rmw: bool) -> Iterator[tuple[int, Clock]]:
        """(write, clock of the read) for every write the new read may read from."""
        g = self.g
        base = self._tick(th, t)
        base_bound = axioms.coherence_bound(g, loc, base)
        acq = self._acq(mode)
        for p, w in enumerate(g.mo[loc]):
            if w < th.bound or (rmw and w in g.rmw_reader):
                continue
            clock, bound = base, base_bound
            rel = g.relclock[w]
            if acq and rel is not None:
                clock = join(base, rel)
                if clock != base:
                    bound = axioms.coherence_bound(g, loc, clock)
            if p >= bound:
                yield w, clock

    def _acq(self, mode: str) -> bool:
        return mode != "na" and (self.sc or mode in ("acq", "acq_rel", "sc"))

    def _rel(self, mode: str) -> bool:
        return mode != "na" and (self.sc or mode in ("rel", "acq_rel", "sc"))

    def _read_event(self, t: int, ins: ILoad | IRmw | ICas, mode: str, w: int,
                    rmw: bool) -> Event:
        g = self.g
        return Event(len(g.events), t, len(g.per_thread[t]), "R", ins.loc, mode,  # type: ignore[arg-type]
                     g.events[w].value, rmw=rmw, text=ins.text)

    def _load(self, t: int, th: Thread, ins: ILoad) -> Iterator[None]:
        mode = read_mode(ins.order)
        for w, clock in self._sources(t, th, ins.loc, mode, rmw=False):
            ev = self._read_event(t, ins, mode, w, rmw=False)
            regs = _set(th.regs, ins.reg, ev.value)
            yield from self._commit(t, th, regs, [(ev, clock, w, -1)])

    def _rmw(self, t: int, th: Thread, ins: IRmw) -> Iterator[None]:
        operand = self.fns[t][th.pc](th.regs)
        for w, clock in self._sources(t, th, ins.loc, read_mode(ins.order), rmw=True):
            r = self._read_event(t, ins, read_mode(ins.order), w, rmw=True)
            value = _OPS[ins.op](r.value, operand)
            regs = _set(th.regs, ins.reg, r.value)
            yield from self._rmw_pair(t, th, regs, ins, r, clock, w, value)

    def _rmw_pair(self, t: int, th: Thread, regs: Regs, ins: IRmw | ICas, r: Event,
                  clock: Clock, w: int, value: int) -> Iterator[None]:
        wmode = write_mode(ins.order)
        wev = Event(r.eid + 1, t, r.index + 1, "W", ins.loc, wmode, value, rmw=True,
                    text=ins.text)
        wclock = list(clock)
        wclock[t] += 1
        pos = self.g.mo_pos(w) + 1
        yield from self._commit(t, th, regs, [(r, clock, w, -1), (wev, tuple(wclock), -1, pos)])

    def _cas(self, t: int, th: Thread, ins: ICas) -> Iterator[None]:
        names = self.names[t]
        expected = evaluate(ins.expected, th.regs, names)
        desired = evaluate(ins.desired, th.regs, names)
        for ok in (True, False):
            mode = read_mode(ins.order if ok else ins.fail)
            for w, clock in self._sources(t, th, ins.loc, mode, rmw=ok):
                seen = self.g.events[w].value
                if ok != (seen == expected) and not (ins.weak and not ok):
                    continue  # a weak CAS may fail spuriously on an equal value
                r = self._read_event(t, ins, mode, w, rmw=ok)
                regs = _set(_set(th.regs, ins.reg, int(ok)), ins.old, seen)
                if ok:
                    yield from self._rmw_pair(t, th, regs, ins, r, clock, w, desired)
                else:
                    yield from self._commit(t, th, regs, [(r, clock, w, -1)])

    def _store(self, t: int, th: Thread, ins: IStore) -> Iterator[None]:
        g = self.g
        mode = write_mode(ins.order)
        value = self.fns[t][th.pc](th.regs)
        clock = self._tick(th, t)
        ev = Event(len(g.events), t, len(g.per_thread[t]), "W", ins.loc, mode, value,
                   free=ins.free, text=ins.text)
        for pos in list(axioms.write_slots(g, ins.loc, axioms.coherence_bound(g, ins.loc,
                                                                              clock))):
            yield from self._commit(t, th, th.regs, [(ev, clock, -1, pos)])

    def _fence(self, t: int, th: Thread, ins: IFence) -> Iterator[None]:
        g = self.g
        extra = th.acquired if self._acq(ins.order) else None
        ev = Event(len(g.events), t, len(g.per_thread[t]), "F", None, ins.order, 0,
                   text=ins.text)
        yield from self._commit(t, th, th.regs, [(ev, self._tick(th, t, extra), -1, -1)])

    # --- commit: push, check, advance, recurse, undo ---------------------------------------

    def _commit(self, t: int, th: Thread, regs: Regs,
                steps: list[tuple[Event, Clock, int, int]]) -> Iterator[None]:
        g = self.g
        acquired = th.acquired
        for ev, clock, src, pos in steps:
            rel = self._release_clock(ev, clock, src) if ev.kind == "W" else None
            g.push(ev, clock, src, pos, rel)
            if ev.kind == "R" and ev.mode != "na" and g.relclock[src] is not None:
                acquired = join(acquired, g.relclock[src])  # type: ignore[arg-type]
        last = steps[-1][1]
        mark = len(self.findings)
        for ev, _, _, _ in steps:
            if ev.loc is not None:
                self.findings += [(k, a, ev.eid) for k, a in axioms.conflicts(g, ev)]
        if self._consistent(steps):
            old = self.threads[t]
            adv = self._advance(t, Thread(th.pc + 1, regs, last, acquired, 0))
            self.threads[t] = adv
            yield None
            self.threads[t] = old
        else:
            self.blocked += 1
        del self.findings[mark:]
        for _ in steps:
            g.pop()

    def _consistent(self, steps: list[tuple[Event, Clock, int, int]]) -> bool:
        if self.sc:
            return axioms.sc_acyclic(self.g)
        if self.g.sc_fences or any(ev.mode == "sc" for ev, _, _, _ in steps):
            return axioms.psc_acyclic(self.g)
        return True

    def _release_clock(self, ev: Event, clock: Clock, src: int) -> Clock | None:
        """Join of the clocks of the release heads whose release sequence contains `ev`."""
        if ev.mode == "na":
            return None
        g = self.g
        out: Clock | None = clock if self._rel(ev.mode) else None
        for x in reversed(g.per_thread[ev.tid]):
            e = g.events[x]
            if e.kind == "F" and self._rel(e.mode):
                out = g.clock[x] if out is None else join(out, g.clock[x])
                break
        if self.original:  # [W]; (po & loc)?: earlier release writes to the same location
            for x in reversed(g.per_thread[ev.tid]):
                e = g.events[x]
                if e.kind == "W" and e.loc == ev.loc and self._rel(e.mode):
                    out = g.clock[x] if out is None else join(out, g.clock[x])
                    break
        if ev.rmw:  # (rf; rmw)*: an RMW continues the release sequences of what it read
            inherited = g.relclock[g.rf[ev.eid - 1]]
            if inherited is not None:
                out = inherited if out is None else join(out, inherited)
        return out

    def _outcome(self) -> tuple[tuple[str, int], ...]:
        """Final state: each location's mo-last value and every register the path assigned."""
        g = self.g
        state = {loc: g.events[order[-1]].value for loc, order in g.mo.items()}
        for t, th in enumerate(self.threads):
            assert isinstance(th, Thread)
            regs = th.regs
            for i, key in self.visible[t]:
                value = regs[i]
                if value is not None:
                    state[key] = value
        return tuple(sorted(state.items()))


def _compile(e: Expr, names: dict[str, int]) -> Callable[[Regs], int]:
    """`evaluate` as a closure for the hot shapes (constants, registers, == and !=)."""
    if isinstance(e, Const):
        v = e.value
        return lambda regs: v
    if isinstance(e, Reg):
        i = names[e.name]
        return lambda regs: regs[i] or 0  # an unassigned register reads 0
    if isinstance(e, Bin) and e.op in ("==", "!="):
        a, b, want = _compile(e.left, names), _compile(e.right, names), e.op == "=="
        return lambda regs: int((a(regs) == b(regs)) == want)
    return lambda regs: evaluate(e, regs, names)


def _compile_code(code: tuple[Instr, ...],
                  names: dict[str, int]) -> tuple[Callable[[Regs], int], ...]:
    """Per pc, the compiled expression an instruction evaluates on the hot path (or 0)."""
    out: list[Callable[[Regs], int]] = []
    for ins in code:
        e: Expr = Const(0)
        if isinstance(ins, IAssign | IStore):
            e = ins.value
        elif isinstance(ins, IJumpUnless | IAssume):
            e = ins.cond
        elif isinstance(ins, IRmw):
            e = ins.operand
        out.append(_compile(e, names))
    return tuple(out)


def _sure_writes(code: tuple[Instr, ...]) -> tuple[frozenset[str], ...]:
    """Per pc, the locations the straight-line code from pc writes before any branch or assume.

    Used as the cheap "yes" of `_may_postpone`: such a write is reached on every path
    that does not stop, so the abstract run of `reach` would reach it too.
    """
    sure: list[frozenset[str]] = [frozenset()] * (len(code) + 1)
    for pc in range(len(code) - 1, -1, -1):
        ins = code[pc]
        if isinstance(ins, IJumpUnless):
            sure[pc] = sure[ins.target] if ins.cond == Const(0) else frozenset()
        elif isinstance(ins, IAssume):
            sure[pc] = frozenset()
        elif isinstance(ins, IStore | IRmw):
            sure[pc] = sure[pc + 1] | {ins.loc}
        else:
            sure[pc] = sure[pc + 1]
    return tuple(sure)


def _set(regs: Regs, i: int, value: int) -> Regs:
    return (*regs[:i], value, *regs[i + 1:])
