"""The RC11 relations of a finished graph, by plain relational algebra.

Background: herd7's `rc11.cat` defines every relation from po, rf, mo and
rmw with `;` (composition), `|`, `+`, `*`, `^-1` and `[S]` (identity on S).

Problem: the explorer keeps hb as vector clocks; pictures of a witness graph
(and a test of those clocks) want the relations themselves.

Model: `Relations.of(execution, rs)` builds po, rf, mo, rmw, fr, rs, sw, hb
and eco as frozensets of event-id pairs, straight from the definitions of
DESIGN.md §3; nothing is shared with the incremental checks of `axioms`.

Example: for MP+rel+acq's execution where the acquire reads 1, `sw` holds the
pair (release store, acquire load) and `hb` orders the data store before the
data load.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations, pairwise

from .events import INIT
from .graph import Execution

Rel = frozenset[tuple[int, int]]


def compose(a: Rel, b: Rel) -> Rel:
    """a;b."""
    succ: dict[int, list[int]] = defaultdict(list)
    for x, y in b:
        succ[x].append(y)
    return frozenset((x, z) for x, y in a for z in succ.get(y, ()))


def plus(a: Rel) -> Rel:
    """a+ (transitive closure)."""
    out = a
    while True:
        nxt = out | compose(out, out)
        if nxt == out:
            return out
        out = nxt


def ident(ids: set[int] | frozenset[int]) -> Rel:
    """[S]."""
    return frozenset((i, i) for i in ids)


@dataclass(frozen=True, slots=True)
class Relations:
    """po, rf, mo, rmw, fr, sw, hb, eco of one execution."""

    po: Rel
    rf: Rel
    mo: Rel
    rmw: Rel
    fr: Rel
    sw: Rel
    hb: Rel
    eco: Rel

    @staticmethod
    def of(x: Execution, rs: str = "cxx20", sc: bool = False) -> Relations:
        """Derive every relation (sc: every atomic access counts as seq_cst for sw)."""
        ev = x.events
        ids = {e.eid for e in ev}
        inits = [e.eid for e in ev if e.tid == INIT]
        po = {(a.eid, b.eid) for a, b in combinations(ev, 2)
              if a.tid == b.tid != INIT and a.index < b.index}
        po |= {(i, e.eid) for i in inits for e in ev if e.tid != INIT}
        po_rel = frozenset(po)
        rf = frozenset(x.rf)
        mo = frozenset(p for _, order in x.mo for p in combinations(order, 2))
        rmw = frozenset((a.eid, b.eid) for a, b in pairwise(ev)
                        if a.rmw and b.rmw and a.kind == "R" and b.kind == "W"
                        and a.tid == b.tid and b.index == a.index + 1)
        fr = compose(frozenset((r, w) for w, r in rf), mo)
        rel = {e.eid for e in ev if e.mode != "na" and (sc or e.is_release)}
        acq = {e.eid for e in ev if e.mode != "na" and (sc or e.is_acquire)}
        fences = ident({e.eid for e in ev if e.kind == "F"})
        atomic_w = ident({e.eid for e in ev if e.kind == "W" and e.is_atomic})
        chain = ident(ids) | plus(compose(rf, rmw))
        seq = compose(atomic_w, chain)
        if rs == "original":
            same = frozenset((a, b) for a, b in po_rel if ev[a].loc is not None
                             and ev[a].loc == ev[b].loc)
            writes = ident({e.eid for e in ev if e.kind == "W"})
            seq = compose(compose(writes, ident(ids) | same), seq)
        atomic_r = ident({e.eid for e in ev if e.kind == "R" and e.is_atomic})
        left = compose(ident(rel), ident(ids) | compose(fences, po_rel))
        right = compose(atomic_r, ident(ids) | compose(po_rel, fences))
        sw = compose(compose(compose(compose(left, seq), rf), right), ident(acq))
        hb = plus(po_rel | sw)
        eco = plus(rf | mo | fr)
        return Relations(po_rel, rf, mo, rmw, fr, sw, hb, eco)
