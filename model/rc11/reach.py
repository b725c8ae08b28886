"""Can a postponed read still be satisfied? An abstract run of the other threads.

Background: the search (`search`) builds each graph along its canonical
linearisation: when the lowest live thread t waits at a read and a higher
thread goes first, t's read is *postponed* and may then only read a write
added from that point on (its bound).

Problem: a postponed read whose write never comes wastes the whole subtree
below the postponement. In the drop protocol a dropper that postpones its
payload read waits for the free, but the free needs the count to reach 1,
which needs that dropper's own decrement, which comes after the read: every
such subtree (over 40% of the branches at N = 7) ends without a graph. The
cheap test (`Search._bounds_feasible`: some live thread's remaining code
writes the location) cannot see this, since the other droppers do contain a
free.

Model: an over-approximation of everything the other threads can still do
while t stays stuck, computed once, at the moment t would be postponed:
- every thread but t runs its remaining code abstractly, from its concrete
  pc and registers; a register holds a finite set of values (or TOP, past
  `CAP` values); a branch or assume goes every way its condition allows;
- a read of location L returns any value L can hold: the value of a root
  (an existing write of L, or a future store, exchange or successful CAS
  the abstract run reaches) plus the deltas of a *set* of distinct reachable
  add/sub RMWs of L other than the reader's own (an RMW reads before it
  writes, so its own delta is never in what it reads). Every write's value
  is a root's plus the deltas of the RMW chain between them, and a chain's
  RMWs are distinct events from distinct instructions (thread code is
  loop-free after unrolling, so each instruction runs at most once);
- what the run reaches adds roots and deltas; the run repeats until nothing
  new is reached (the sets only grow, TOP absorbs, so this terminates).
Soundness, by induction along any continuation in which t's read is still
pending: every event added is an event of a thread other than t (t's next
event is the read), its instruction is reached by the abstract run, and
every value it reads or writes is in the abstraction. So if no write to t's
location is reached, no continuation ever gives t's read a source: the
subtree has no complete graph, and cutting it changes no result.
t's own future code is left out because it is po-after the pending read;
the other waiting threads are run (over-approximation: their reads may be
satisfied later). The test never prunes a subtree containing a graph, so it
cannot lose or duplicate a graph; it only removes dead branches.

Example (DROP3 with P0 stuck at its payload read: the others read rc = 3 or 2,
never 1, so nobody frees d; `tests/rc11/test_reach.py` has the twin):
    >>> from iobuf.model.rc11.program import compile_thread
    >>> from iobuf.model.rc11.protocols import Drop, build
    >>> codes = [compile_thread(t, 2) for t in build(Drop(3)).threads]
    >>> names = [{n: i for i, n in enumerate(c.regs)} for c in codes]
    >>> starts = [(0, (None,) * len(c.regs)) for c in codes]
    >>> Reach(codes, names, starts, {"rc": [3], "d": [42]}, frozen=0).writes("d")
    False
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
    IRmw,
    IStore,
    Reg,
    ThreadCode,
    Un,
    evaluate,
)

CAP = 64  # a set of more values than this becomes TOP
AVal = frozenset[int] | None  # None is TOP: any value
ARegs = tuple[AVal, ...]


def _const(v: int) -> AVal:
    return frozenset((v,))


def _cap(values: set[int]) -> AVal:
    return frozenset(values) if len(values) <= CAP else None


def _union(a: AVal, b: AVal) -> AVal:
    if a is None or b is None:
        return None
    return a if b <= a else _cap(set(a | b))


def _eval(e: Expr, regs: ARegs, names: dict[str, int]) -> AVal:
    """The set of values `e` may have (C semantics via `evaluate` on each combination)."""
    match e:
        case Const(v):
            return _const(v)
        case Reg(n):
            return regs[names[n]]
        case Un(op, a):
            xs = _eval(a, regs, names)
            if xs is None:
                return None
            return _cap({evaluate(Un(op, Const(x)), (), {}) for x in xs})
        case Bin(op, a, b):
            xs, ys = _eval(a, regs, names), _eval(b, regs, names)
            if xs is None or ys is None or len(xs) * len(ys) > CAP * CAP:
                return None
            return _cap({evaluate(Bin(op, Const(x), Const(y)), (), {}) for x in xs for y in ys})
    raise TypeError(e)


def _may_be_true(v: AVal) -> bool:
    return v is None or any(x != 0 for x in v)


def _may_be_false(v: AVal) -> bool:
    return v is None or 0 in v


@dataclass
class _Loc:
    """What a location can hold: root values, and the delta choices of each add/sub RMW."""

    top: bool = False
    roots: set[int] = field(default_factory=set)
    deltas: dict[tuple[int, int], AVal] = field(default_factory=dict)  # (thread, pc) -> deltas

    def read(self, reader: tuple[int, int]) -> AVal:
        """Values a read at instruction `reader` may see: a root plus a subset of other deltas."""
        if self.top:
            return None
        sums: set[int] = {0}
        for key, ds in self.deltas.items():
            if key == reader:
                continue
            if ds is None:
                return None
            sums |= {s + d for s in sums for d in ds}
            if len(sums) > CAP:
                return None
        return _cap({r + s for r in self.roots for s in sums})

    def snapshot(self) -> tuple[bool, frozenset[int], tuple[tuple[tuple[int, int], AVal], ...]]:
        return self.top, frozenset(self.roots), tuple(sorted(self.deltas.items(),
                                                             key=lambda kv: kv[0]))


class Reach:
    """The abstract run of every live thread but `frozen`; `writes(loc)` asks the question."""

    def __init__(self, codes: Sequence[ThreadCode], names: Sequence[dict[str, int]],
                 starts: Sequence[tuple[int, tuple[int | None, ...]] | None],
                 existing: dict[str, list[int]], frozen: int) -> None:
        # starts[u]: (pc, registers) of a live thread, None for a finished/blocked one.
        self.codes, self.names, self.frozen = codes, names, frozen
        self.starts = starts
        self.locs: dict[str, _Loc] = {}
        for loc, values in existing.items():
            self.locs[loc] = _Loc(roots=set(values))

    def _loc(self, loc: str) -> _Loc:
        return self.locs.setdefault(loc, _Loc())

    def writes(self, target: str, rounds: int = 50) -> bool:
        """Whether some thread but `frozen` may still write `target` (True when unsure)."""
        for _ in range(rounds):
            before = {loc: s.snapshot() for loc, s in self.locs.items()}
            written: set[str] = set()
            for u, start in enumerate(self.starts):
                if u != self.frozen and start is not None and not self._run(u, *start, written):
                    return True  # a backward jump: not the loop-free code assumed
            if target in written:
                return True
            if {loc: s.snapshot() for loc, s in self.locs.items()} == before:
                return False
        return True

    def _run(self, u: int, pc0: int, regs0: tuple[int | None, ...], written: set[str]) -> bool:
        """One abstract pass over thread u's code from pc0; False if the code jumps backwards."""
        code, names = self.codes[u].code, self.names[u]
        start: ARegs = tuple(_const(0 if r is None else r) for r in regs0)
        states: dict[int, ARegs] = {pc0: start}

        def flow(pc: int, regs: ARegs) -> None:
            old = states.get(pc)
            states[pc] = regs if old is None else tuple(
                _union(a, b) for a, b in zip(old, regs, strict=True))

        for pc in range(pc0, len(code)):
            regs = states.pop(pc, None)
            if regs is None:
                continue
            ins = code[pc]
            if isinstance(ins, IJumpUnless):
                if ins.target <= pc:
                    return False
                cond = _eval(ins.cond, regs, names)
                if _may_be_true(cond):
                    flow(pc + 1, regs)
                if _may_be_false(cond):
                    flow(ins.target, regs)
                continue
            if isinstance(ins, IAssume) and not _may_be_true(_eval(ins.cond, regs, names)):
                continue
            flow(pc + 1, self._effect(u, pc, ins, regs, names, written))
        return True

    def _effect(self, u: int, pc: int, ins: object, regs: ARegs, names: dict[str, int],
                written: set[str]) -> ARegs:
        """Registers after one instruction; records the writes it may make."""
        if isinstance(ins, IAssign):
            return _put(regs, ins.reg, _eval(ins.value, regs, names))
        if isinstance(ins, ILoad):
            return _put(regs, ins.reg, self._loc(ins.loc).read((u, pc)))
        if isinstance(ins, IStore):
            written.add(ins.loc)
            self._root(ins.loc, _eval(ins.value, regs, names))
            return regs
        if isinstance(ins, IRmw):
            loc = self._loc(ins.loc)
            seen = loc.read((u, pc))
            written.add(ins.loc)
            operand = _eval(ins.operand, regs, names)
            if ins.op in ("add", "sub"):
                ds = operand if operand is None or ins.op == "add" else frozenset(
                    -x for x in operand)
                loc.deltas[(u, pc)] = _union(loc.deltas.get((u, pc), frozenset()), ds)
            elif ins.op == "xchg":
                self._root(ins.loc, operand)
            else:
                loc.top = True  # and/or/xor: no cheap bound on the values
            return _put(regs, ins.reg, seen)
        if isinstance(ins, ICas):
            seen = self._loc(ins.loc).read((u, pc))
            expected = _eval(ins.expected, regs, names)
            success = seen is None or expected is None or bool(seen & expected)
            if success:
                written.add(ins.loc)
                self._root(ins.loc, _eval(ins.desired, regs, names))
            ok: set[int] = {0, 1} if success else {0}
            return _put(_put(regs, ins.reg, frozenset(ok)), ins.old, seen)
        assert isinstance(ins, IFence | IAssume)
        return regs

    def _root(self, loc: str, values: AVal) -> None:
        s = self._loc(loc)
        if values is None:
            s.top = True
        else:
            s.roots |= values
            if len(s.roots) > CAP:
                s.top = True


def _put(regs: ARegs, i: int, value: AVal) -> ARegs:
    return (*regs[:i], value, *regs[i + 1:])
