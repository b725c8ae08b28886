"""The RC11 axioms over the symbolic events of `iobuf.proofs.rc11_smt`, and the questions asked.

`encode` states consistency as herd7's `rc11.cat` does, relation by
relation (DESIGN.md §3):

    rs  = [W & atomic]; (rf; rmw)*            (C++20; "original" prefixes [W]; (po & loc)?)
    sw  = [REL]; ([F]; po)?; rs; rf; [R & atomic]; (po; [F])?; [ACQ]
    hb  = (po | sw)+        eco = (rf | mo | fr)+        fr = rf^-1; mo
    coherence   irreflexive(hb; eco?)       atomicity   empty(rmw & (fr; mo))
    SC          acyclic(psc)                no-thin-air acyclic(po | rf)

with psc = ([Esc] | [Fsc]; hb); scb; ([Esc] | hb; [Fsc]) | [Fsc]; (hb |
hb; eco; hb); [Fsc] and scb = po | po|≠loc; hb; po|≠loc | hb|loc | mo | fr
(Lahav et al. 2017). `judge` asks three questions: is the condition's
proposition satisfiable, is its negation (herd7's Never / Sometimes /
Always), is some conflicting pair with a plain access unordered by hb (a
race), is some access hb-after a free of its location (a use after free).

Two closures are computed in closed form, for speed (both are exact):
- eco = rf | mo | fr | mo;rf | fr;rf: mo is transitive, fr;mo ⊆ fr,
  rf;fr ⊆ mo, and rf;rf, rf;mo, mo;fr are empty (a read is never a write);
- hb = po | po?; (sw; po?)^k with k at most the number of threads: a
  shortest hb path (or a shortest hb cycle, which coherence must detect)
  visits each thread once, since two visits to one thread are po-ordered
  and shortcut the path.

`witness` turns a satisfying model back into the explorer's `Execution`
(the existing events, renumbered; rf; mo sorted by rank), the object `iobuf
litmus` renders; the tests re-check those graphs with the explorer's own
relational code.

`omit` drops one axiom (or synchronisation altogether): the negative twins
that show the agreement test can fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import iobuf.model
import z3
from iobuf.model.rc11.events import Event
from iobuf.model.rc11.explorer import explore
from iobuf.model.rc11.graph import Execution
from iobuf.model.rc11.litmus import parse_litmus
from iobuf.model.rc11.program import Program, Prop

from .rc11_smt import (
    FRESH,
    INIT,
    Encoding,
    Rel,
    SymEvent,
    Term,
    acyclic,
    build_events,
    compose,
    conj,
    cycles,
    ident,
    inverse,
    irreflexive,
    plus,
    restrict,
    supported,
    union,
    word,
)
from .result import Proof, Status, timed, verdict_of_twin

AXIOMS = ("coherence", "atomicity", "no-thin-air", "sc", "sw")
"""What `omit` may drop (negative twins of the encoding: "sw" drops synchronisation)."""


def encode(program: Program, rs: str = "cxx20", omit: frozenset[str] = frozenset()) -> Encoding:
    """Events, rf/mo choices and every RC11 axiom of `program` (minus `omit`) as z3 constraints."""
    evs, final, cons = build_events(program)
    n = len(evs)
    po: Rel = {(a.eid, b.eid): conj(a.exists, b.exists) for a in evs for b in evs
               if b.tid != INIT and (a.tid == INIT or (a.tid == b.tid and a.index < b.index))}
    writes = [e for e in evs if e.kind == "W"]
    rf: Rel = {}
    for r in (e for e in evs if e.kind == "R"):
        choices = []
        for w in (w for w in writes if w.loc == r.loc):
            var = z3.Bool(f"rf_{w.eid}_{r.eid}_{next(FRESH)}")
            rf[w.eid, r.eid] = var
            choices.append(var)
            cons.append(z3.Implies(var, z3.And(_true(w.exists), _true(r.exists),
                                               r.value == w.value)))
        cons.append(z3.Implies(_true(r.exists), z3.PbEq([(c, 1) for c in choices], 1)))
    rank = {w.eid: z3.Int(f"mo{w.eid}_{next(FRESH)}") for w in writes}
    mo: Rel = {}
    for loc in {w.loc for w in writes}:
        mine = [w for w in writes if w.loc == loc]
        cons.append(z3.Distinct([rank[w.eid] for w in mine]) if len(mine) > 1 else True)
        cons += [rank[w.eid] > rank[i.eid] for w in mine for i in mine
                 if i.tid == INIT and w.tid != INIT]
        mo |= {(a.eid, b.eid): conj(conj(a.exists, b.exists), rank[a.eid] < rank[b.eid])
               for a in mine for b in mine if a != b}
    rmw: Rel = {(a.eid, b.eid): conj(a.exists, b.exists) for a, b in pairwise(evs)
                if a.rmw and b.rmw and a.kind == "R" and b.kind == "W" and a.tid == b.tid}
    fr = compose(inverse(rf), mo)
    hb = plus(po, n) if "sw" in omit else _hb(evs, po, rf, rmw, rs)
    eco = union(rf, mo, fr, compose(mo, rf), compose(fr, rf))  # = (rf | mo | fr)+, see doc
    if "coherence" not in omit:
        cons += irreflexive(union(hb, cycles(hb, eco)))
    if "atomicity" not in omit:
        cons += [z3.Not(v) for k, v in cycles(fr, mo, set(rmw)).items()]
    if "no-thin-air" not in omit:
        cons += acyclic(union(po, rf), n)
    if "sc" not in omit:
        cons += acyclic(_psc(evs, po, hb, eco, mo, fr), n)
    # the final value of each location: its mo-maximal write's
    for loc in sorted({w.loc for w in writes if w.loc is not None}):
        mine = [w for w in writes if w.loc == loc]
        top = [z3.And(_true(w.exists), *(z3.Implies(_true(o.exists), rank[w.eid] > rank[o.eid])
                                         for o in mine if o != w)) for w in mine]
        value = z3.BitVec(f"final_{loc}_{next(FRESH)}", 32)
        cons += [z3.Implies(t, value == w.value) for t, w in zip(top, mine, strict=True)]
        final[loc] = (True, value)
    cons = [c for c in cons if c is not True]
    return Encoding(evs, po, rf, mo, rank, hb, cons, final)


def _hb(evs: list[SymEvent], po: Rel, rf: Rel, rmw: Rel, rs: str) -> Rel:
    """hb = (po | sw)+ with sw = [REL]; ([F]; po)?; rs; rf; [R & atomic]; (po; [F])?; [ACQ]."""
    n, ids = len(evs), [e.eid for e in evs]
    atomic_w = ident([e.eid for e in evs if e.kind == "W" and e.mode != "na"])
    seq = compose(atomic_w, union(ident(ids), plus(compose(rf, rmw), n)))  # rs, C++20
    if rs == "original":
        same = restrict(po, lambda a, b: evs[a].loc is not None and evs[a].loc == evs[b].loc)
        all_w = ident([e.eid for e in evs if e.kind == "W"])
        seq = compose(compose(all_w, union(ident(ids), same)), seq)
    fences = ident([e.eid for e in evs if e.kind == "F"])
    rel = ident([e.eid for e in evs if e.mode in ("rel", "acq_rel", "sc")])
    acq = ident([e.eid for e in evs if e.mode in ("acq", "acq_rel", "sc")])
    atomic_r = ident([e.eid for e in evs if e.kind == "R" and e.mode != "na"])
    left = compose(rel, union(ident(ids), compose(fences, po)))
    right = compose(atomic_r, union(ident(ids), compose(po, fences)))
    sw = compose(compose(compose(compose(left, seq), rf), right), acq)
    hops = plus(union(sw, compose(sw, po)), len({e.tid for e in evs if e.tid != INIT}))
    return union(po, hops, compose(po, hops))  # = (po | sw)+, see the module doc


def _psc(evs: list[SymEvent], po: Rel, hb: Rel, eco: Rel, mo: Rel, fr: Rel) -> Rel:
    """psc = ([Esc] | [Fsc]; hb); scb; ([Esc] | hb; [Fsc]) | [Fsc]; (hb | hb; eco; hb); [Fsc]."""
    esc = ident([e.eid for e in evs if e.mode == "sc"])
    fsc = ident([e.eid for e in evs if e.mode == "sc" and e.kind == "F"])
    if not esc:
        return {}
    po_nl = restrict(po, lambda a, b: evs[a].loc is None or evs[a].loc != evs[b].loc)
    hb_loc = restrict(hb, lambda a, b: evs[a].loc is not None and evs[a].loc == evs[b].loc)
    scb = union(po, compose(compose(po_nl, hb), po_nl), hb_loc, mo, fr)
    base = compose(compose(union(esc, compose(fsc, hb)), scb), union(esc, compose(hb, fsc)))
    fences = compose(compose(fsc, union(hb, compose(compose(hb, eco), hb))), fsc)
    return union(base, fences)


def prop_term(p: Prop, state: dict[str, tuple[Term, Term]]) -> Term:
    """A final condition's proposition over the symbolic final state."""
    match p.op:
        case "and":
            return z3.And([prop_term(a, state) for a in p.args])
        case "or":
            return z3.Or([prop_term(a, state) for a in p.args])
        case "not":
            return z3.Not(prop_term(p.args[0], state))
        case "true" | "false":
            return z3.BoolVal(p.op == "true")
    if p.name not in state:  # a missing name is never equal (herd7, and the explorer)
        return z3.BoolVal(False)
    defined, value = state[p.name]
    return conj(defined, value == word(p.value))


@dataclass(frozen=True)
class SmtVerdict:
    """What z3 says of a program: herd7's observation, and whether it races or frees early."""

    verdict: str  # Never | Sometimes | Always
    racy: bool
    use_after_free: bool


def _sat(solver: z3.Solver, *extra: Term) -> bool:
    """Whether the consistent executions in `solver` admit `extra` (pushed, then popped)."""
    solver.push()
    solver.add(*extra)
    verdict = solver.check()
    solver.pop()
    if verdict == z3.unknown:
        raise RuntimeError("z3 answered unknown")
    return bool(verdict == z3.sat)


def witness(program: Program, rs: str = "cxx20", holds: bool = True,
            omit: frozenset[str] = frozenset()) -> Execution | None:
    """A consistent execution where the condition's proposition holds (or fails), as the
    explorer's `Execution` (what `iobuf litmus` renders), or None if there is none."""
    enc = encode(program, rs, omit)
    prop = prop_term(program.condition.prop, enc.final)
    solver = z3.Solver()
    solver.add(*enc.consistent, prop if holds else z3.Not(prop))
    if solver.check() != z3.sat:
        return None
    m = solver.model()

    def val(x: Term) -> Any:
        v = m.eval(x if x is not True else z3.BoolVal(True), model_completion=True)
        return z3.is_true(v) if z3.is_bool(v) else v.as_signed_long() if z3.is_bv(v) \
            else v.as_long()

    alive = [e for e in enc.events if val(e.exists)]
    new = {e.eid: i for i, e in enumerate(alive)}
    index: dict[int, int] = {}
    events = []
    for e in alive:
        po = index[e.tid] = index.get(e.tid, -1) + 1
        events.append(Event(new[e.eid], e.tid, 0 if e.tid == INIT else po, e.kind,  # type: ignore[arg-type]
                            e.loc, e.mode, val(e.value), e.rmw, e.free, e.text))  # type: ignore[arg-type]
    rf = tuple(sorted((new[w], new[r]) for (w, r), v in enc.rf.items()
                      if r in new and w in new and val(v)))
    locs = sorted({e.loc for e in alive if e.kind == "W" and e.loc is not None})
    mo = tuple((loc, tuple(new[w.eid] for w in sorted(
        (w for w in alive if w.kind == "W" and w.loc == loc), key=lambda w: val(enc.rank[w.eid]))))
        for loc in locs)
    return Execution(tuple(events), rf, mo, len(program.threads))


@cache  # pure (programs are frozen values): the CLI and the tests share answers in one process
def judge(program: Program, rs: str = "cxx20", omit: frozenset[str] = frozenset()
          ) -> SmtVerdict:
    """The verdict, race and use-after-free answers for a program."""
    enc = encode(program, rs, omit)
    solver = z3.Solver()
    solver.add(*enc.consistent)
    prop = prop_term(program.condition.prop, enc.final)
    pos, neg = _sat(solver, prop), _sat(solver, z3.Not(prop))
    verdict = "Never" if not pos else "Always" if not neg else "Sometimes"
    accesses = [e for e in enc.events if e.loc is not None and e.tid != INIT]
    hb = enc.hb
    races, frees = [], []
    for i, a in enumerate(accesses):
        for b in accesses[i + 1:]:
            if (a.loc == b.loc and a.tid != b.tid and "W" in (a.kind, b.kind)
                    and "na" in (a.mode, b.mode)):
                races.append(z3.And(_true(a.exists), _true(b.exists),
                                    _not(hb.get((a.eid, b.eid))), _not(hb.get((b.eid, a.eid)))))
    for f in (e for e in accesses if e.free):
        frees += [_yes(hb.get((f.eid, b.eid))) for b in accesses if b.loc == f.loc and b != f]
    racy = bool(races) and _sat(solver, z3.Or(races))
    uaf = bool(frees) and _sat(solver, z3.Or(frees))
    return SmtVerdict(verdict, racy, uaf)


def _true(v: Term) -> Term:
    return z3.BoolVal(True) if v is True else v


def _not(v: Term) -> Term:
    return z3.BoolVal(True) if v is None else z3.BoolVal(False) if v is True else z3.Not(v)


def _yes(v: Term) -> Term:
    return z3.BoolVal(False) if v is None else z3.BoolVal(True) if v is True else v


# --- agreement with the explorer (what `iobuf prove` reports) ----------------------------

WITNESSES: dict[str, tuple[str, ...]] = {
    "coherence": ("CoRR.litmus", "CoWR.litmus", "CoRW2.litmus", "CoWW.litmus"),
    "atomicity": ("FAA+FAA.litmus", "XCHG+XCHG.litmus", "FSUB+XCHG.litmus"),
    "no-thin-air": ("LB+rlx.litmus", "LB+rel+acq.litmus"),
    "sc": ("SB+sc.litmus", "IRIW+sc.litmus", "SB+scfences.litmus"),
    "sw": ("MP+rel+acq.litmus", "MP+frel+facq.litmus"),
}
"""Litmus tests the literature uses to show each axiom matters (the twins' witnesses)."""

RS_MODES = ("cxx20", "original")


def litmus_dir() -> Path:
    """The project's litmus suite (tests/litmus next to the model's folder)."""
    return Path(iobuf.model.__file__).resolve().parents[1] / "tests" / "litmus"


def disagreements(names: list[str] | None = None, omit: frozenset[str] = frozenset()
                  ) -> tuple[list[str], int, int]:
    """Where z3 and the explorer differ (verdict, race, use after free); checked/skipped counts."""
    files = sorted(litmus_dir().glob("*.litmus")) if names is None else [
        litmus_dir() / n for n in names]
    out, checked, skipped = [], 0, 0
    for path in files:
        prog = parse_litmus(path.read_text())
        if not supported(prog):
            skipped += 1
            continue
        checked += 1
        for rs in RS_MODES:
            r = explore(prog, rs=rs)  # type: ignore[arg-type]
            mine, theirs = judge(prog, rs, omit), (r.verdict, bool(r.races),
                                                   bool(r.use_after_free))
            if (mine.verdict, mine.racy, mine.use_after_free) != theirs:
                out.append(f"{path.name} rs={rs}: explorer {theirs}, z3 "
                           f"{(mine.verdict, mine.racy, mine.use_after_free)}")
    return out, checked, skipped


def prove_agreement() -> Proof:
    """z3 and the explorer agree on every litmus test of the suite, in both rs modes."""
    def body() -> tuple[Status, str]:
        if not litmus_dir().is_dir():
            return "ERROR", f"no litmus suite at {litmus_dir()}"
        bad, checked, skipped = disagreements()
        if bad:
            return "DISAGREES", "\n".join(bad)
        return "AGREES", (f"{checked} litmus tests x {len(RS_MODES)} rs modes"
                          + (f" ({skipped} outside the encoding)" if skipped else ""))
    return timed("rc11: z3 encoding agrees with the explorer", body)


def refute_without(axiom: str) -> Proof:
    """A negative twin: without `axiom` the encoding must disagree on one of its witnesses."""
    def body() -> tuple[Status, str]:
        bad, _checked, _skipped = disagreements(list(WITNESSES[axiom]), frozenset({axiom}))
        return verdict_of_twin("sat" if bad else "unsat", bad[0] if bad else "")
    return timed(f"twin: rc11 encoding without {axiom}", body)


def _bind(axiom: str) -> Callable[[], Proof]:
    return lambda: refute_without(axiom)


PROOFS: tuple[Callable[[], Proof], ...] = (prove_agreement, *(_bind(a) for a in AXIOMS))
"""Every check of this family, in report order."""
