"""RC11 as SMT: an axiomatic encoding in z3, a second judge for the explorer's verdicts.

Background: the explorer (`iobuf.model.rc11`) builds execution graphs one
event at a time and checks the axioms incrementally, with vector clocks.
Dat3M's approach is the opposite: state the whole memory model as one SMT
formula over symbolic relations and ask the solver. Two unrelated
algorithms reaching the same verdicts is the evidence that neither misses
or invents executions.

Model: the events of a straight-line program are fixed (init writes, then
each thread's accesses and fences in program order); what varies is `rf`
(a Boolean per same-location write/read pair, exactly one per read, equal
values), `mo` (an integer rank per write, distinct per location, init
first) and the values read (32-bit words, C arithmetic). Every relation of
DESIGN.md §3 is then built by relational algebra on Boolean matrices, a
transcription of herd7's `rc11.cat` with the C++20 (or the paper's) `rs`:
`;` is `compose`, `|` is `union`, `+` is `plus` (log2(n) squarings, enough
for n events), `[S]` is `ident`. Acyclicity (no-thin-air, SC) is
`acyclic`: an integer rank per event increasing along every edge.
An outcome is reachable iff `consistent ∧ prop` is satisfiable; a race
exists iff `consistent ∧ (a, b conflict, unordered by hb)` is for some pair;
a use-after-free iff some access is hb-after a free of its location.

Scope: straight-line programs (no `if`, `while`, `assume` or CAS — those
need path conditions over symbolic control flow, not written yet); the
litmus suite has 83 such programs of 128. `supported(program)` says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

import z3
from iobuf.model.rc11.events import read_mode, write_mode
from iobuf.model.rc11.program import (
    Bin,
    Const,
    Expr,
    IAssign,
    IFence,
    ILoad,
    IRmw,
    IStore,
    Program,
    Reg,
    Un,
    compile_thread,
)

INIT = -1
Term = Any
Rel = dict[tuple[int, int], Term]  # a Boolean matrix; a missing pair is False
FRESH = count()
"""Suffixes that keep the z3 names of separate encodings apart."""


@dataclass(frozen=True)
class SymEvent:
    """An event with a symbolic value (`kind` R/W/F; init writes have tid -1)."""

    eid: int
    tid: int
    index: int
    kind: str
    loc: str | None
    mode: str
    value: Term
    rmw: bool = False
    free: bool = False


def supported(program: Program) -> bool:
    """Whether every thread compiles to straight-line code (the scope of this encoding)."""
    return all(isinstance(i, ILoad | IStore | IRmw | IFence | IAssign)
               for t in program.threads for i in compile_thread(t, program.unroll).code)


def word(v: int) -> Term:
    """A 32-bit constant (C `int`)."""
    return z3.BitVecVal(v, 32)


def _bool(x: Term) -> Term:
    return z3.If(x, word(1), word(0))


_BIN = {
    "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
    "&": lambda x, y: x & y, "|": lambda x, y: x | y, "^": lambda x, y: x ^ y,
    "==": lambda x, y: _bool(x == y), "!=": lambda x, y: _bool(x != y),
    "<": lambda x, y: _bool(x < y), "<=": lambda x, y: _bool(x <= y),
    ">": lambda x, y: _bool(x > y), ">=": lambda x, y: _bool(x >= y),
    "&&": lambda x, y: _bool(z3.And(x != 0, y != 0)),
    "||": lambda x, y: _bool(z3.Or(x != 0, y != 0)),
}
_RMW = {"add": lambda o, a: o + a, "sub": lambda o, a: o - a, "and": lambda o, a: o & a,
        "or": lambda o, a: o | a, "xor": lambda o, a: o ^ a, "xchg": lambda o, a: a}


def value_of(e: Expr, regs: dict[str, Term]) -> Term:
    """The C value of `e` as a 32-bit term (unassigned registers read 0)."""
    match e:
        case Const(v):
            return word(v)
        case Reg(n):
            return regs.get(n, word(0))
        case Un(op, a):
            x = value_of(a, regs)
            return _bool(x == 0) if op == "!" else -x
        case Bin(op, a, b):
            return _BIN[op](value_of(a, regs), value_of(b, regs))
    raise TypeError(e)


@dataclass
class Encoding:
    """The events, the symbolic relations, the consistency formula and the final state."""

    events: list[SymEvent]
    po: Rel
    rf: Rel
    mo: Rel
    hb: Rel
    consistent: list[Term]
    final: dict[str, Term]


def build_events(program: Program) -> tuple[list[SymEvent], dict[str, Term]]:
    """Init writes, then each thread's events in po order; the registers' final values."""
    init = dict(program.init)
    evs = [SymEvent(i, INIT, 0, "W", loc, "na", word(init.get(loc, 0)))
           for i, loc in enumerate(program.locations())]
    final: dict[str, Term] = {}
    for t, stmts in enumerate(program.threads):
        code = compile_thread(stmts, program.unroll)
        regs: dict[str, Term] = {}
        for ins in code.code:
            idx = sum(1 for e in evs if e.tid == t)
            match ins:
                case ILoad(r, loc, order):
                    v = z3.BitVec(f"v{next(FRESH)}", 32)
                    evs.append(SymEvent(len(evs), t, idx, "R", loc, read_mode(order), v))
                    regs[code.regs[r]] = v
                case IStore(loc, value, order, _text, free):
                    mode = "na" if order == "na" else write_mode(order)
                    evs.append(SymEvent(len(evs), t, idx, "W", loc, mode, value_of(value, regs),
                                        free=free))
                case IRmw(r, loc, op, operand, order):
                    v = z3.BitVec(f"v{next(FRESH)}", 32)
                    new = _RMW[op](v, value_of(operand, regs))
                    evs.append(SymEvent(len(evs), t, idx, "R", loc, read_mode(order), v, True))
                    evs.append(SymEvent(len(evs), t, idx + 1, "W", loc, write_mode(order), new,
                                        True))
                    regs[code.regs[r]] = v
                case IFence(order):
                    evs.append(SymEvent(len(evs), t, idx, "F", None, order, word(0)))
                case IAssign(r, value):
                    regs[code.regs[r]] = value_of(value, regs)
        final |= {f"{t}:{name}": v for name, v in regs.items() if not name.startswith("#")}
    return evs, final


# --- relational algebra on Boolean matrices ------------------------------------------------


def _and(a: Term, b: Term) -> Term:
    if a is True:
        return b
    if b is True:
        return a
    return z3.And(a, b)


def _or(terms: list[Term]) -> Term:
    if any(t is True for t in terms):
        return True
    return terms[0] if len(terms) == 1 else z3.Or(terms)


def union(*rels: Rel) -> Rel:
    """a | b | ..."""
    out: dict[tuple[int, int], list[Term]] = {}
    for r in rels:
        for k, v in r.items():
            out.setdefault(k, []).append(v)
    return {k: _or(v) for k, v in out.items()}


def compose(a: Rel, b: Rel) -> Rel:
    """a;b."""
    succ: dict[int, list[tuple[int, Term]]] = {}
    for (x, y), v in b.items():
        succ.setdefault(x, []).append((y, v))
    out: dict[tuple[int, int], list[Term]] = {}
    for (x, y), u in a.items():
        for z, v in succ.get(y, ()):
            out.setdefault((x, z), []).append(_and(u, v))
    return {k: _or(v) for k, v in out.items()}


def plus(a: Rel, n: int) -> Rel:
    """a+ over n events (paths up to length n by repeated squaring)."""
    out, length = a, 1
    while length < n:
        out, length = union(out, compose(out, out)), length * 2
    return out


def ident(ids: list[int] | set[int]) -> Rel:
    """[S]."""
    return {(i, i): True for i in ids}


def inverse(a: Rel) -> Rel:
    """a^-1."""
    return {(y, x): v for (x, y), v in a.items()}


def restrict(a: Rel, keep: Any) -> Rel:
    """The pairs (x, y) of a with keep(x, y) (a static filter)."""
    return {k: v for k, v in a.items() if keep(*k)}


def acyclic(a: Rel, n: int) -> list[Term]:
    """Constraints making `a` acyclic: a rank per event, increasing along every edge."""
    tag = next(FRESH)
    rank = [z3.Int(f"rank{tag}_{i}") for i in range(n)]
    return [z3.Implies(v, rank[x] < rank[y]) if v is not True else rank[x] < rank[y]
            for (x, y), v in a.items()]


def irreflexive(a: Rel) -> list[Term]:
    """No pair (x, x)."""
    return [z3.Not(v) if v is not True else z3.BoolVal(False)
            for (x, y), v in a.items() if x == y]
