"""A deliberately naive RC11 oracle: enumerate every rf and every mo, keep what the axioms allow.

Background: the explorer in `iobuf.model.rc11` is clever (it grows execution
graphs one event at a time and never builds a graph twice). Clever code needs
a dumb witness. This module is that witness, written from the RC11 paper
(Lahav, Vafeiadis, Kang, Hur, Dreyer, PLDI 2017) and DESIGN.md §3 only, never
from the explorer, so that the two can disagree.

Problem: given a straight-line program (threads of loads, stores, RMWs, CASes
and fences; no branches), list every consistent complete execution graph, its
outcome, and whether some consistent execution has a data race.

Model: the candidate graphs are the cartesian product of one rf source per
read and one modification order per location (a permutation of the
location's writes, after the initialising write). For each candidate we build
po, rf, mo and rmw as explicit sets of pairs, derive rs, sw, hb, fr, eco and
psc by relational algebra, and filter by the four RC11 axioms. Nothing is
pruned except by an axiom or a path's own test (no-thin-air and `Assume`
are checked before mo is enumerated because they do not depend on mo).
`Let` and `Assume` are not events: they set or test a register, which lets
a test enumerate the paths of an `if` by hand (one straight-line program per
path, `Assume` keeping the executions that take it).

Example:
    >>> sb = [[W("x", "rlx", 1), R("y", "rlx", "r0")], [W("y", "rlx", 1), R("x", "rlx", "r0")]]
    >>> explore(sb).executions
    4
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Order = Literal["na", "rlx", "acq", "rel", "acq_rel", "sc"]
RsMode = Literal["cxx20", "original"]
Rel = frozenset[tuple[int, int]]
Outcome = tuple[tuple[str, int], ...]

INIT = -1  # thread id of the initialising writes


@dataclass(frozen=True, slots=True)
class R:
    """Load `loc` with `order` into register `reg`."""

    loc: str
    order: Order
    reg: str


@dataclass(frozen=True, slots=True)
class W:
    """Store the constant `value` to `loc` with `order`."""

    loc: str
    order: Order
    value: int


@dataclass(frozen=True, slots=True)
class RMW:
    """Atomic read-modify-write (`op` in add sub and or xor xchg); the old value goes to `reg`."""

    loc: str
    order: Order
    op: str
    operand: int
    reg: str


@dataclass(frozen=True, slots=True)
class CAS:
    """Compare-exchange: an RMW writing `desired` if it reads `expected`, else a read.

    `reg` receives the C return value: 1 on success, 0 on failure (as herd7 reports it).
    A `weak` CAS may also fail spuriously, reading `expected` as a plain failed read.
    """

    loc: str
    expected: int
    desired: int
    order: Order
    fail: Order
    reg: str
    weak: bool = False


@dataclass(frozen=True, slots=True)
class F:
    """A fence (`atomic_thread_fence`); a relaxed fence is no event at all."""

    order: Order


@dataclass(frozen=True, slots=True)
class Let:
    """Set register `reg` to a constant (herd7's `int r1 = -1;`); not an event."""

    reg: str
    value: int


@dataclass(frozen=True, slots=True)
class Assume:
    """Keep only executions where `(reg == value) == equal` at this point; not an event."""

    reg: str
    value: int
    equal: bool = True


Instr = R | W | RMW | CAS | F | Let | Assume
Program = Sequence[Sequence[Instr]]


@dataclass(frozen=True, slots=True)
class Event:
    """One node of an execution graph; RMWs are a read and a write linked by `rmw`."""

    tid: int
    kind: Literal["R", "W", "F"]
    loc: str | None
    mode: Order
    value: int = 0  # the constant of a plain store or of the init write
    op: str | None = None  # for the write half of an RMW: how it derives its value


@dataclass(frozen=True, slots=True)
class Graph:
    """The events and the program-fixed relations (po, rmw) of one path through the program."""

    events: tuple[Event, ...]
    po: Rel
    rmw: Rel
    # Per thread, the register effects in program order, replayed once values are known:
    # ("read", reg, event) | ("let", reg, value) | ("assume", reg, value, equal)
    # | ("cas", event, expected, succeeded, weak).
    script: tuple[tuple[tuple[object, ...], ...], ...]


@dataclass(frozen=True, slots=True)
class Result:
    """What the oracle found: graph count, outcome multiset, and the racy locations."""

    executions: int
    outcomes: Mapping[Outcome, int]
    racy: frozenset[str]

    @property
    def race(self) -> bool:
        """True if some consistent execution has a data race."""
        return bool(self.racy)


# --- relational algebra on explicit sets of pairs --------------------------------------


def compose(a: Rel, b: Rel) -> Rel:
    """The relation a;b."""
    succ: dict[int, list[int]] = defaultdict(list)
    for x, y in b:
        succ[x].append(y)
    return frozenset((x, z) for x, y in a for z in succ.get(y, ()))


def seq(*rels: Rel) -> Rel:
    """r1;r2;...;rn."""
    out = rels[0]
    for r in rels[1:]:
        out = compose(out, r)
    return out


def plus(a: Rel) -> Rel:
    """Transitive closure a+, by squaring until nothing new appears."""
    out = a
    while True:
        nxt = out | compose(out, out)
        if nxt == out:
            return out
        out = nxt


def ident(nodes: frozenset[int] | set[int]) -> Rel:
    """The identity relation [nodes]."""
    return frozenset((n, n) for n in nodes)


def inverse(a: Rel) -> Rel:
    """The converse a^-1."""
    return frozenset((y, x) for x, y in a)


def irreflexive(a: Rel) -> bool:
    """No pair (x, x)."""
    return all(x != y for x, y in a)


def acyclic(a: Rel) -> bool:
    """a+ is irreflexive."""
    return irreflexive(plus(a))


# --- programs to graphs ---------------------------------------------------------------


def read_mode(order: Order) -> Order:
    """The mode of the read half of an access with `order` (acq_rel reads acquire)."""
    return {"acq_rel": "acq", "rel": "rlx"}.get(order, order)  # type: ignore[return-value]


def write_mode(order: Order) -> Order:
    """The mode of the write half of an access with `order` (acq_rel writes release)."""
    return {"acq_rel": "rel", "acq": "rlx"}.get(order, order)  # type: ignore[return-value]


def build(program: Program, init: Mapping[str, int], cas_ok: Sequence[bool]) -> Graph:
    """The graph skeleton of `program`, with each CAS succeeding or failing as `cas_ok` says."""
    locs = sorted(set(init) | {i.loc for t in program for i in t if hasattr(i, "loc")})
    events = [Event(INIT, "W", loc, "na", init.get(loc, 0)) for loc in locs]
    po: set[tuple[int, int]] = set()
    rmw: set[tuple[int, int]] = set()
    script: list[tuple[tuple[object, ...], ...]] = []
    guesses = iter(cas_ok)

    def add(ev: Event) -> int:
        events.append(ev)
        return len(events) - 1

    for tid, thread in enumerate(program):
        mine: list[int] = []
        steps: list[tuple[object, ...]] = []
        for ins in thread:
            match ins:
                case R(loc, order, reg):
                    mine.append(add(Event(tid, "R", loc, read_mode(order))))
                    steps.append(("read", reg, mine[-1]))
                case W(loc, order, value):
                    mine.append(add(Event(tid, "W", loc, write_mode(order), value)))
                case RMW(loc, order, op, operand, reg):
                    r = add(Event(tid, "R", loc, read_mode(order)))
                    w = add(Event(tid, "W", loc, write_mode(order), operand, op))
                    mine += [r, w]
                    rmw.add((r, w))
                    steps.append(("read", reg, r))
                case CAS(loc, expected, desired, order, fail, reg, weak):
                    ok = next(guesses)
                    r = add(Event(tid, "R", loc, read_mode(order if ok else fail)))
                    mine.append(r)
                    if ok:
                        mine.append(add(Event(tid, "W", loc, write_mode(order), desired, "xchg")))
                        rmw.add((r, mine[-1]))
                    steps += [("cas", r, expected, ok, weak), ("let", reg, int(ok))]
                case F(order):
                    if order != "rlx":
                        mine.append(add(Event(tid, "F", None, order)))
                case Let(reg, value):
                    steps.append(("let", reg, value))
                case Assume(reg, value, equal):
                    steps.append(("assume", reg, value, equal))
        po |= set(itertools.combinations(mine, 2))
        po |= {(i, e) for i in range(len(locs)) for e in mine}  # init is sequenced first
        script.append(tuple(steps))
    return Graph(tuple(events), frozenset(po), frozenset(rmw), tuple(script))


def count_cas(program: Program) -> int:
    """How many CAS instructions the program has (each may succeed or fail)."""
    return sum(isinstance(i, CAS) for t in program for i in t)


# --- the candidates ---------------------------------------------------------------------


def writes_to(g: Graph, loc: str | None) -> list[int]:
    """Indices of the writes to `loc`, init first."""
    return [i for i, e in enumerate(g.events) if e.kind == "W" and e.loc == loc]


def rf_candidates(g: Graph) -> Iterator[Rel]:
    """Every map from reads to a same-location write, as a relation write -> read."""
    reads = [i for i, e in enumerate(g.events) if e.kind == "R"]
    for srcs in itertools.product(*(writes_to(g, g.events[r].loc) for r in reads)):
        yield frozenset(zip(srcs, reads, strict=True))


def mo_candidates(g: Graph) -> Iterator[Rel]:
    """Every modification order: per location, init first then any permutation of the rest."""
    locs = sorted({e.loc for e in g.events if e.kind == "W" and e.loc is not None})
    per_loc = []
    for loc in locs:
        init, *rest = writes_to(g, loc)
        per_loc.append([(init, *p) for p in itertools.permutations(rest)])
    for choice in itertools.product(*per_loc):
        yield frozenset(pair for order in choice for pair in itertools.combinations(order, 2))


def apply(op: str | None, old: int, operand: int) -> int:
    """The value an RMW writes when it read `old` (C int arithmetic is not modelled: keep small)."""
    match op:
        case "add":
            return old + operand
        case "sub":
            return old - operand
        case "and":
            return old & operand
        case "or":
            return old | operand
        case "xor":
            return old ^ operand
        case "xchg":
            return operand
    raise ValueError(f"unknown RMW op {op!r}")


def values(g: Graph, rf: Rel) -> dict[int, int] | None:
    """The value of every read and write, or None if a value depends on itself (an rf;rmw
    cycle, which no-thin-air would reject anyway)."""
    source = {r: w for w, r in rf}
    read_of = {w: r for r, w in g.rmw}
    val: dict[int, int] = {}
    pending: set[int] = set()

    def of(i: int) -> int | None:
        if i in pending:
            return None
        if i not in val:
            e = g.events[i]
            pending.add(i)
            if e.kind == "R":
                v = of(source[i])
            elif e.op is None:
                v = e.value
            else:
                old = of(read_of[i])
                v = None if old is None else apply(e.op, old, e.value)
            pending.discard(i)
            if v is None:
                return None
            val[i] = v
        return val[i]

    for i, e in enumerate(g.events):
        if e.kind != "F" and of(i) is None:
            return None
    return val


def registers(g: Graph, val: Mapping[int, int]) -> dict[str, int] | None:
    """Final registers ("tid:reg"), or None if an Assume or a CAS success guess does not hold."""
    out: dict[str, int] = {}
    for tid, steps in enumerate(g.script):
        regs: dict[str, int] = {}
        for step in steps:
            match step:
                case ("read", str(reg), int(ev)):
                    regs[reg] = val[ev]
                case ("let", str(reg), int(value)):
                    regs[reg] = value
                case ("assume", str(reg), int(value), bool(equal)):
                    if (regs.get(reg) == value) != equal:
                        return None
                case ("cas", int(ev), int(expected), bool(ok), bool(weak)):
                    # Success needs the expected value; failure needs another one,
                    # unless the CAS is weak (spurious failure).
                    if ok != (val[ev] == expected) and (ok or not weak):
                        return None
        out |= {f"{tid}:{reg}": v for reg, v in regs.items()}
    return out


# --- derived relations and axioms (DESIGN.md §3; the RC11 paper, §3) ----------------------


def select(g: Graph, pred: Callable[[Event], bool]) -> frozenset[int]:
    """Indices of the events satisfying `pred`."""
    return frozenset(i for i, e in enumerate(g.events) if pred(e))


def is_atomic(e: Event) -> bool:
    """Atomic accesses and fences; non-atomic (plain) accesses and init writes are not."""
    return e.mode != "na"


def is_rel(e: Event) -> bool:
    """E ⊒ rel: release, acq_rel or sc writes and fences."""
    return e.mode in ("rel", "acq_rel", "sc")


def is_acq(e: Event) -> bool:
    """E ⊒ acq: acquire, acq_rel or sc reads and fences."""
    return e.mode in ("acq", "acq_rel", "sc")


def release_sequence(g: Graph, rf: Rel, rs: RsMode) -> Rel:
    """rs: C++20 `[W & atomic]; (rf; rmw)*`; original adds `[W]; (po & loc)?` in front."""
    everything = ident(frozenset(range(len(g.events))))
    chain = everything | plus(compose(rf, g.rmw))
    atomic_w = ident(select(g, lambda e: e.kind == "W" and is_atomic(e)))
    if rs == "cxx20":
        return compose(atomic_w, chain)
    po_loc = frozenset((a, b) for a, b in g.po if g.events[a].loc == g.events[b].loc)
    writes = ident(select(g, lambda e: e.kind == "W"))
    return seq(writes, everything | po_loc, atomic_w, chain)


def synchronizes_with(g: Graph, rf: Rel, rs: RsMode) -> Rel:
    """sw = [E⊒rel]; ([F]; po)?; rs; rf; [R & atomic]; (po; [F])?; [E⊒acq]."""
    everything = ident(frozenset(range(len(g.events))))
    fences = ident(select(g, lambda e: e.kind == "F"))
    return seq(
        ident(select(g, is_rel)),
        everything | compose(fences, g.po),
        release_sequence(g, rf, rs),
        rf,
        ident(select(g, lambda e: e.kind == "R" and is_atomic(e))),
        everything | compose(g.po, fences),
        ident(select(g, is_acq)),
    )


def happens_before(g: Graph, rf: Rel, rs: RsMode) -> Rel:
    """hb = (po | sw)+ (po includes init before every thread event)."""
    return plus(g.po | synchronizes_with(g, rf, rs))


def psc(g: Graph, hb: Rel, mo: Rel, fr: Rel, eco: Rel) -> Rel:
    """psc_base | psc_F from the RC11 paper (with scb, sb|≠loc and hb|loc)."""
    same = frozenset(
        (a, b) for a, b in itertools.product(range(len(g.events)), repeat=2)
        if g.events[a].loc is not None and g.events[a].loc == g.events[b].loc
    )
    po_neq = g.po - same
    scb = g.po | seq(po_neq, hb, po_neq) | (hb & same) | mo | fr
    e_sc = select(g, lambda e: e.mode == "sc")
    f_sc = ident(select(g, lambda e: e.kind == "F" and e.mode == "sc"))
    left = ident(e_sc) | compose(f_sc, hb)
    right = ident(e_sc) | compose(hb, f_sc)
    base = seq(left, scb, right)
    fences = seq(f_sc, hb | seq(hb, eco, hb), f_sc)
    return base | fences


def consistent(g: Graph, rf: Rel, mo: Rel, hb: Rel) -> bool:
    """Coherence, atomicity and SC; no-thin-air (acyclic po|rf) is checked by the caller."""
    fr = compose(inverse(rf), mo)
    eco = plus(rf | mo | fr)
    if not irreflexive(hb | compose(hb, eco)):
        return False  # coherence: irreflexive(hb; eco?)
    if g.rmw & compose(fr, mo):
        return False  # atomicity: empty(rmw & (fr; mo))
    if any(e.mode == "sc" for e in g.events):
        return acyclic(psc(g, hb, mo, fr, eco))
    return True


def racy_locations(g: Graph, hb: Rel) -> set[str]:
    """Locations of data races: conflicting, one non-atomic, other threads, unordered by hb."""
    out: set[str] = set()
    for a, b in itertools.combinations(range(len(g.events)), 2):
        ea, eb = g.events[a], g.events[b]
        if (
            ea.loc is not None and ea.loc == eb.loc
            and INIT not in (ea.tid, eb.tid) and ea.tid != eb.tid
            and "W" in (ea.kind, eb.kind)
            and not (is_atomic(ea) and is_atomic(eb))
            and (a, b) not in hb and (b, a) not in hb
        ):
            out.add(ea.loc)
    return out


def final_memory(g: Graph, mo: Rel, val: Mapping[int, int]) -> dict[str, int]:
    """Each location's value in its mo-last write."""
    out: dict[str, int] = {}
    for i, e in enumerate(g.events):
        if e.kind == "W" and e.loc is not None and not any(a == i for a, _ in mo):
            out[e.loc] = val[i]
    return out


def executions(
    program: Program, init: Mapping[str, int] | None = None, rs: RsMode = "cxx20"
) -> Iterator[tuple[Graph, Rel, Rel, Outcome, set[str]]]:
    """Every consistent complete graph: (graph, rf, mo, outcome, racy locations)."""
    for cas_ok in itertools.product((True, False), repeat=count_cas(program)):
        g = build(program, init or {}, cas_ok)
        for rf in rf_candidates(g):
            # Cheapest filters first; none depends on mo. A path's Assume or a CAS guess
            # that these values contradict is simply not the path these values take.
            val = values(g, rf)
            regs = None if val is None else registers(g, val)
            if val is None or regs is None or not acyclic(g.po | rf):
                continue  # no-thin-air (acyclic po|rf) is the last of the three
            hb = happens_before(g, rf, rs)
            races = racy_locations(g, hb)
            for mo in mo_candidates(g):
                if consistent(g, rf, mo, hb):
                    outcome = tuple(sorted((regs | final_memory(g, mo, val)).items()))
                    yield g, rf, mo, outcome, races


def explore(
    program: Program, init: Mapping[str, int] | None = None, rs: RsMode = "cxx20"
) -> Result:
    """Count the consistent complete graphs, their outcomes, and the racy locations."""
    count = 0
    outcomes: Counter[Outcome] = Counter()
    racy: set[str] = set()
    for _g, _rf, _mo, outcome, races in executions(program, init, rs):
        count += 1
        outcomes[outcome] += 1
        racy |= races
    return Result(count, dict(outcomes), frozenset(racy))


def project(outcomes: Mapping[Outcome, int], names: Sequence[str]) -> dict[Outcome, int]:
    """Outcome counts restricted to `names` (herd7 shows only the condition's variables)."""
    out: Counter[Outcome] = Counter()
    for outcome, n in outcomes.items():
        out[tuple((k, v) for k, v in outcome if k in names)] += n
    return dict(out)


def observation(outcomes: Mapping[Outcome, int], cond: Callable[[Mapping[str, int]], bool]) -> str:
    """herd7's Observation of a condition: Never, Sometimes or Always over the outcomes."""
    positive = sum(n for outcome, n in outcomes.items() if cond(dict(outcome)))
    if positive == 0:
        return "Never"
    return "Always" if positive == sum(outcomes.values()) else "Sometimes"
