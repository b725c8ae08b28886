"""RC11 as SMT: an axiomatic encoding in z3, a second judge for the explorer's verdicts.

Background: the explorer (`iobuf.model.rc11`) builds execution graphs one
event at a time and checks the axioms incrementally, with vector clocks.
Dat3M's approach is the opposite: state the whole memory model as one SMT
formula over symbolic relations and ask the solver. Two unrelated
algorithms reaching the same verdicts is the evidence that neither misses
or invents executions.

Model: the events a program may perform are fixed (init writes, then each
thread's accesses and fences in program order, each under the path
condition that reaches it, see "Control flow"); what varies is `rf`
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

Control flow: a thread's flat code (`compile_thread`: `while` unrolled to
the program's bound, so every jump is forward and the code is a DAG) is
executed symbolically. Each pc gets a path condition (the disjunction of
the guards of the edges reaching it) and registers merged with `If`; an
event exists iff its path condition holds (`SymEvent.exists`), and every
relation is guarded by the existence of its ends. `assume` (and the
unrolling bound's cut) becomes a constraint, as the explorer drops those
branches. A CAS is two alternative events chosen by a Boolean: success
(an RMW read with the success order, and its write) or failure (a read
with the failure order); a strong CAS fails only on an unequal value, a
weak one may also fail spuriously. A register assigned on some paths only
is "defined" on those paths only, and herd7's `name=value` is false where
it is undefined (as in the explorer's outcomes).
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
    IAssume,
    ICas,
    IFence,
    IJumpUnless,
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
    exists: Term = True  # the path condition under which the event happens
    text: str = ""  # the instruction, as the explorer labels it


def supported(program: Program) -> bool:
    """Whether every instruction is one the encoding knows (all the explorer's, today)."""
    return all(isinstance(i, ILoad | IStore | IRmw | ICas | IFence | IAssign | IAssume
                          | IJumpUnless)
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
    rank: dict[int, Term]  # each write's place in mo
    hb: Rel
    consistent: list[Term]
    final: dict[str, tuple[Term, Term]]  # name -> (defined, value)


Regs = dict[str, tuple[Term, Term]]  # register -> (assigned on this path, value)


def _merge(paths: list[tuple[Term, Regs]]) -> tuple[Term, Regs]:
    """Join the (guard, registers) of the mutually exclusive paths reaching one pc."""
    if len(paths) == 1:
        return paths[0]
    regs: Regs = {}
    for n in {n for _g, r in paths for n in r}:
        got = [(g, *r[n]) for g, r in paths if n in r]
        value = word(0)  # an unassigned register reads 0
        for g, _a, v in reversed(got):
            value = v if g is True else z3.If(g, v, value)
        regs[n] = (disj([conj(g, a) for g, a, _v in got]), value)
    return disj([g for g, _r in paths]), regs


@dataclass
class Paths:
    """One thread's symbolic run: its events and the constraints its control flow adds."""

    events: list[SymEvent]
    constraints: list[Term]
    final: Regs


def run_thread(program: Program, t: int, first_eid: int) -> Paths:
    """Symbolic execution of thread `t` over its flat code (forward jumps only: a DAG)."""
    code = compile_thread(program.threads[t], program.unroll)
    incoming: list[list[tuple[Term, Regs]]] = [[] for _ in range(len(code.code) + 1)]
    incoming[0].append((True, {}))
    evs: list[SymEvent] = []
    cons: list[Term] = []

    def event(kind: str, loc: str | None, mode: str, value: Term, exists: Term,
              rmw: bool = False, free: bool = False) -> None:
        text = getattr(ins, "text", "")
        evs.append(SymEvent(first_eid + len(evs), t, len(evs), kind, loc, mode, value, rmw,
                            free, exists, text))

    def fresh() -> Term:
        return z3.BitVec(f"v{next(FRESH)}", 32)

    for pc, ins in enumerate(code.code):
        if isinstance(ins, IJumpUnless) and ins.target <= pc:
            raise ValueError(f"backward jump at pc {pc}: the code is not a DAG")
        if not incoming[pc]:
            continue
        reach, regs = _merge(incoming[pc])
        val = {n: v for n, (_a, v) in regs.items()}
        match ins:
            case ILoad(r, loc, order):
                v = fresh()
                event("R", loc, read_mode(order), v, reach)
                regs = regs | {code.regs[r]: (True, v)}
            case IStore(loc, value, order, _text, free):
                event("W", loc, write_mode(order), value_of(value, val), reach, free=free)
            case IRmw(r, loc, op, operand, order):
                v = fresh()
                event("R", loc, read_mode(order), v, reach, rmw=True)
                event("W", loc, write_mode(order), _RMW[op](v, value_of(operand, val)), reach,
                      rmw=True)
                regs = regs | {code.regs[r]: (True, v)}
            case ICas():
                ok, seen_ok, seen_fail = z3.Bool(f"cas{next(FRESH)}"), fresh(), fresh()
                expected = value_of(ins.expected, val)
                event("R", ins.loc, read_mode(ins.order), seen_ok, conj(reach, ok), rmw=True)
                event("W", ins.loc, write_mode(ins.order), value_of(ins.desired, val),
                      conj(reach, ok), rmw=True)
                event("R", ins.loc, read_mode(ins.fail), seen_fail, conj(reach, z3.Not(ok)))
                cons.append(z3.Implies(conj(reach, ok), seen_ok == expected))
                if not ins.weak:  # a weak CAS may fail spuriously on an equal value
                    cons.append(z3.Implies(conj(reach, z3.Not(ok)), seen_fail != expected))
                regs = regs | {code.regs[ins.reg]: (True, _bool(ok)),
                               code.regs[ins.old]: (True, z3.If(ok, seen_ok, seen_fail))}
            case IFence(order):
                event("F", None, order, word(0), reach)
            case IAssign(r, value):
                regs = regs | {code.regs[r]: (True, value_of(value, val))}
            case IAssume(cond):
                cons.append(z3.Implies(reach, value_of(cond, val) != 0) if reach is not True
                            else value_of(cond, val) != 0)
            case IJumpUnless(cond, target):
                if cond == Const(0):
                    incoming[target].append((reach, regs))
                    continue
                holds = value_of(cond, val) != 0
                incoming[target].append((conj(reach, z3.Not(holds)), regs))
                incoming[pc + 1].append((conj(reach, holds), regs))
                continue
        incoming[pc + 1].append((reach, regs))
    _reach, final = _merge(incoming[-1]) if incoming[-1] else (False, {})
    return Paths(evs, cons, final)


def build_events(program: Program) -> tuple[list[SymEvent], dict[str, tuple[Term, Term]],
                                            list[Term]]:
    """Init writes, then each thread's events; the final registers; control-flow constraints."""
    init = dict(program.init)
    evs = [SymEvent(i, INIT, 0, "W", loc, "na", word(init.get(loc, 0)))
           for i, loc in enumerate(program.locations())]
    final: dict[str, tuple[Term, Term]] = {}
    cons: list[Term] = []
    for t in range(len(program.threads)):
        run = run_thread(program, t, len(evs))
        evs += run.events
        cons += run.constraints
        final |= {f"{t}:{n}": av for n, av in run.final.items() if not n.startswith("#")}
    return evs, final, cons


# --- relational algebra on Boolean matrices ------------------------------------------------


def conj(a: Term, b: Term) -> Term:
    """a ∧ b, keeping Python True as the neutral element (static relations stay small)."""
    if a is True:
        return b
    if b is True:
        return a
    return z3.And(a, b)


def disj(terms: list[Term]) -> Term:
    """The disjunction of a non-empty list (True if any is Python True)."""
    if any(t is True for t in terms):
        return True
    return terms[0] if len(terms) == 1 else z3.Or(terms)


def union(*rels: Rel) -> Rel:
    """a | b | ..."""
    out: dict[tuple[int, int], list[Term]] = {}
    for r in rels:
        for k, v in r.items():
            out.setdefault(k, []).append(v)
    return {k: disj(v) for k, v in out.items()}


def compose(a: Rel, b: Rel) -> Rel:
    """a;b."""
    succ: dict[int, list[tuple[int, Term]]] = {}
    for (x, y), v in b.items():
        succ.setdefault(x, []).append((y, v))
    out: dict[tuple[int, int], list[Term]] = {}
    for (x, y), u in a.items():
        for z, v in succ.get(y, ()):
            out.setdefault((x, z), []).append(conj(u, v))
    return {k: disj(v) for k, v in out.items()}


def cycles(a: Rel, b: Rel, only: set[tuple[int, int]] | None = None) -> Rel:
    """The entries of a;b, only the diagonal (or only the `only` pairs): n^2 work, not n^3."""
    succ: dict[int, list[tuple[int, Term]]] = {}
    for (x, y), v in b.items():
        succ.setdefault(x, []).append((y, v))
    out: dict[tuple[int, int], list[Term]] = {}
    for (x, y), u in a.items():
        for z, v in succ.get(y, ()):
            if (x, z) in only if only is not None else x == z:
                out.setdefault((x, z), []).append(conj(u, v))
    return {k: disj(v) for k, v in out.items()}


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
