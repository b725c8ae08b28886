"""The RC11 axioms, checked incrementally as the explorer adds one event at a time.

Background: RC11 (Lahav et al., PLDI 2017; DESIGN.md §3) keeps a graph iff
  coherence    irreflexive(hb; eco?)       eco = (rf | mo | fr)+, fr = rf^-1; mo
  atomicity    empty(rmw & (fr; mo))
  SC           acyclic(psc)                psc = psc_base | psc_F
  no-thin-air  acyclic(po | rf)
and a data race is a conflicting pair, one of them non-atomic, from different
threads, unordered by hb.

Problem: checking these on every complete graph is what a brute-force
enumerator does; the explorer instead wants to reject a partial graph the
moment it is doomed, and only if it is doomed.

Model: the explorer adds events in an order that extends po | rf, so the new
event e has no hb successors and relations among old events never change
(mo only grows by insertion). Every new violation therefore passes through e:
- coherence reduces to a *lower bound* on e's place in mo: a read must read a
  write, and a write must be placed, mo-after every write that is hb-before e
  or read by a read hb-before e (eco = rf | mo | fr | mo;rf | fr;rf);
- atomicity: an RMW reads a write no other RMW read, and its write goes right
  after it in mo; no write is ever inserted between the two;
- no-thin-air holds by construction (reads read writes already present);
- psc may gain edges between old SC fences through e (hb; eco; hb), so
  `psc_acyclic` rebuilds psc over the graph; it runs only when the new event
  is SC or the graph has an SC fence (otherwise no psc edge can appear);
- races and uses after a free involve e and an older access, since hb
  between old events is fixed.
Each check is prefix-closed: a partial graph it rejects has no consistent
extension, so pruning loses nothing.

Example: in SB+sc, the second SC read reading the initial write closes the
psc cycle po; fr; po; fr, and `psc_acyclic` rejects that graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from .events import INIT, Event
from .graph import Clock, Graph


def hb_into(g: Graph, a: int, clock: Clock) -> bool:
    """Event `a` of the graph happens-before a new event with vector clock `clock`."""
    ea = g.events[a]
    return ea.tid == INIT or clock[ea.tid] > ea.index


def write_pos(g: Graph, a: int) -> int:
    """mo position of an access: a write's own, a read's source's."""
    w = a if g.events[a].kind == "W" else g.rf[a]
    return g.mo_pos(w)


def coherence_bound(g: Graph, loc: str, clock: Clock) -> int:
    """The lowest mo position a new access with `clock` may read from or be placed after."""
    bound = 0
    for a in g.by_loc[loc]:
        if hb_into(g, a, clock):
            p = write_pos(g, a)
            if p > bound:
                bound = p
    return bound


def write_slots(g: Graph, loc: str, bound: int) -> Iterator[int]:
    """Insertion indices in mo for a new plain write: after `bound`, never inside an RMW pair."""
    order = g.mo[loc]
    for p in range(bound + 1, len(order) + 1):
        if p < len(order) and g.events[order[p]].rmw:
            continue  # order[p] is an RMW write reading order[p-1]: atomicity
        yield p


def conflicts(g: Graph, e: Event) -> Iterator[tuple[str, int]]:
    """("race" | "use-after-free", older event) for the new access `e` (already pushed)."""
    assert e.loc is not None
    if e.mode != "na" and not g.plain.get(e.loc):
        return  # atomic against atomic: no race, and no free (a free is non-atomic) here
    clock = g.clock[e.eid]
    # A read conflicts with writes only (frees are writes), and those are exactly mo's.
    for a in g.mo[e.loc] if e.kind == "R" else g.by_loc[e.loc]:
        ea = g.events[a]
        if a == e.eid or ea.tid == INIT:
            continue
        ordered = clock[ea.tid] > ea.index
        if ea.free and ordered:
            yield "use-after-free", a
        elif (not ordered and ea.tid != e.tid and "W" in (ea.kind, e.kind)
              and "na" in (ea.mode, e.mode)):
            yield "race", a


# --- SC: psc (RC11) and plain sequential consistency -------------------------------------


def _first_other_loc_after(g: Graph, e: Event) -> int | None:
    """The po-first event after `e` on another location (fences count as another)."""
    for x in g.per_thread[e.tid][e.index + 1:]:
        if e.loc is None or g.events[x].loc != e.loc:
            return x
    return None


def _last_other_loc_before(g: Graph, e: Event) -> int | None:
    """The po-last event before `e` on another location."""
    for x in reversed(g.per_thread[e.tid][:e.index]):
        if e.loc is None or g.events[x].loc != e.loc:
            return x
    return None


def _hb(g: Graph, a: int, b: int) -> bool:
    return a != b and g.hb(a, b)


def _eco(g: Graph, a: Event, b: Event) -> bool:
    """a eco b for two accesses to the same location (rf | mo | fr | mo;rf | fr;rf)."""
    pa, pb = write_pos(g, a.eid), write_pos(g, b.eid)
    if a.kind == "W" and b.kind == "R":
        return pa <= pb
    return pa < pb


def _scb(g: Graph, a: Event, b: Event, after: int | None, before: int | None) -> bool:
    """a scb b: po | po|≠loc; hb; po|≠loc | hb|loc | mo | fr."""
    if a.tid == b.tid and a.index < b.index:
        return True
    same = a.loc is not None and a.loc == b.loc
    if same and (_hb(g, a.eid, b.eid) or (b.kind == "W" and _eco(g, a, b))):
        return True
    return after is not None and before is not None and _hb(g, after, before)


def psc_edges(g: Graph) -> dict[int, set[int]]:
    """psc = ([Esc] | [Fsc]; hb); scb; ([Esc] | hb; [Fsc]) | [Fsc]; (hb | hb; eco; hb); [Fsc]."""
    evs = [e for e in g.events if e.tid != INIT]
    fences = [e.eid for e in evs if e.kind == "F" and e.mode == "sc"]
    left = {e.eid: {e.eid} if e.mode == "sc" else set() for e in evs}
    right = {e.eid: {e.eid} if e.mode == "sc" else set() for e in evs}
    for f in fences:
        for e in evs:
            if _hb(g, f, e.eid):
                left[e.eid].add(f)
            if _hb(g, e.eid, f):
                right[e.eid].add(f)
    edges: dict[int, set[int]] = {e.eid: set() for e in evs if e.mode == "sc"}
    xs = [e for e in evs if left[e.eid]]
    ys = [e for e in evs if right[e.eid]]
    after = {e.eid: _first_other_loc_after(g, e) for e in xs}
    before = {e.eid: _last_other_loc_before(g, e) for e in ys}
    for a in xs:
        for b in ys:
            if a.eid != b.eid and _scb(g, a, b, after[a.eid], before[b.eid]):
                for s in left[a.eid]:
                    edges[s] |= right[b.eid]
    _fence_edges(g, evs, fences, edges)
    return edges


def _fence_edges(g: Graph, evs: list[Event], fences: list[int],
                 edges: dict[int, set[int]]) -> None:
    """psc_F: [Fsc]; (hb | hb; eco; hb); [Fsc]."""
    accesses = [e for e in evs if e.loc is not None]
    for f1 in fences:
        src = [a for a in accesses if _hb(g, f1, a.eid)]
        for f2 in fences:
            if _hb(g, f1, f2):
                edges[f1].add(f2)
                continue
            dst = [b for b in accesses if _hb(g, b.eid, f2)]
            if any(a.loc == b.loc and a.eid != b.eid and _eco(g, a, b) for a in src for b in dst):
                edges[f1].add(f2)


def acyclic(edges: dict[int, set[int]]) -> bool:
    """No cycle in a directed graph given as adjacency sets (iterative three-colour DFS)."""
    colour: dict[int, int] = {}
    for root in edges:
        if root in colour:
            continue
        stack = [(root, iter(edges.get(root, ())))]
        colour[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
            elif colour.get(nxt) == 1:
                return False
            elif nxt not in colour:
                colour[nxt] = 1
                stack.append((nxt, iter(edges.get(nxt, ()))))
    return True


def psc_acyclic(g: Graph) -> bool:
    """The SC axiom of RC11."""
    return acyclic(psc_edges(g))


def sc_acyclic(g: Graph) -> bool:
    """Sequential consistency: acyclic(po | rf | mo | fr) (Shasha-Snir)."""
    edges: dict[int, set[int]] = {e.eid: set() for e in g.events}
    for events in g.per_thread:
        for a, b in pairwise(events):
            edges[a].add(b)
    for order in g.mo.values():
        for a, b in pairwise(order):
            edges[a].add(b)
    for r, w in enumerate(g.rf):
        if w >= 0:
            edges[w].add(r)
            loc = g.events[r].loc
            assert loc is not None
            order = g.mo[loc]
            p = order.index(w)
            if p + 1 < len(order):
                edges[r].add(order[p + 1])  # fr to the mo-successor (mo does the rest)
    return acyclic(edges)
