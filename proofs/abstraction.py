"""One allocation of the ownership machine, abstracted to counts: the state the induction runs on.

Background: the explorer checks the invariants of DESIGN.md §2 on every
reachable state, but only within bounds (a few cores, refcounts up to 3).
Induction removes the bounds: if the invariant holds initially and every
action preserves it from *any* state satisfying it, it holds for every
number of handles, cores and queued frees.

Why one allocation suffices: every invariant of §2 is a statement about one
allocation (its refcount, its views, who freed it, where it is queued), or,
for the accounting, about per-core counters that are *sums* over
allocations. Actions never let allocations interact: `step` touches the
allocation of the handle it acts on (and a clone creates a new one), and the
only shared places are the queues (a multiset; each allocation sees only its
own entries) and the counters. So we keep, per allocation, its own *share*
of each counter (`acct_n`, `acct_b` on the owner; `far_n`, `far_b` summed
over the other cores); a counter equals the sum of the shares of the
allocations, and per-allocation "share = 1 / capacity while unfreed, else 0"
sums to invariant 5. Actions on other allocations leave every variable of
this one unchanged (`other`, the frame condition).

The abstraction (`Abs`), per allocation:
- `born`, `cap`: allocated yet, and its capacity (fixed at birth);
- `rc`: its refcount; `own`, `far`: live views of it held on its owner core,
  and on any other core (cores other than the owner are interchangeable for
  every rule of §2, so one class stands for all of them);
- `q_own`, `q_far`: entries for it in its owner's queue / other queues;
- `freed_own`, `freed_far`: frees by its owner / by other cores;
- `acct_n`, `acct_b`, `far_n`, `far_b`: its shares of the counters.
Views are unbounded in number, so their bounds are a per-view invariant
`0 <= start`, `start + size <= cap`, checked on a representative: an action
on a handle gets an arbitrary view satisfying it (`vs`, `vn`) and must
produce views satisfying it; every other view is unchanged.

Each action below is the abstract image of one arm of
`iobuf.model.buffers.step_buffer`; `tests/proofs/test_induction.py` replays
random concrete runs of the model and checks that every concrete step maps
onto the abstract transition (the simulation), so the abstraction and the
model cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

import z3
from iobuf.model.state import State, live_views

Term = Any  # a z3 arithmetic or boolean term


@dataclass(frozen=True)
class Abs:
    """The abstract state of one allocation (z3 terms: symbols for proofs, constants for replay)."""

    born: Term
    cap: Term
    rc: Term
    own: Term
    far: Term
    q_own: Term
    q_far: Term
    freed_own: Term
    freed_far: Term
    acct_n: Term
    acct_b: Term
    far_n: Term
    far_b: Term

    @staticmethod
    def symbolic(suffix: str = "") -> Abs:
        """Fresh z3 variables for every field."""
        return Abs(**{f.name: z3.Bool(f.name + suffix) if f.name == "born"
                      else z3.Int(f.name + suffix) for f in fields(Abs)})

    @staticmethod
    def const(**values: int | bool) -> Abs:
        """Constants (for replaying concrete runs)."""
        return Abs(**{k: z3.BoolVal(v) if isinstance(v, bool) else z3.IntVal(v)
                      for k, v in values.items()})

    def terms(self) -> list[Term]:
        """Every field, in declaration order."""
        return [getattr(self, f.name) for f in fields(self)]


@dataclass(frozen=True)
class Params:
    """The nondeterministic choices of an action: which handle class, arguments, acting view."""

    on_owner: Term  # the acting handle is held on the owner core
    to_owner: Term  # send: the destination is the owner core
    pos: Term
    size: Term
    vs: Term  # the acting handle's view: start and size
    vn: Term
    polled: Term  # poll on a non-owner core: how many of q_far are in that core's queue

    @staticmethod
    def symbolic() -> Params:
        """Fresh z3 variables for every parameter."""
        return Params(z3.Bool("on_owner"), z3.Bool("to_owner"), *z3.Ints("pos size vs vn polled"))


@dataclass(frozen=True)
class Transition:
    """Guard, post-state, views it creates or reshapes, and step obligations on the pre-state."""

    guard: Term
    post: Abs
    views: tuple[tuple[Term, Term], ...] = ()
    safety: tuple[tuple[str, Term], ...] = ()


Action = Callable[[Abs, Params], Transition]


def freed(s: Abs) -> Term:
    """Whether any core has freed it."""
    return s.freed_own + s.freed_far > 0


def view_ok(start: Term, size: Term, cap: Term) -> Term:
    """The per-view invariant (part of `type_ok`): inside the allocation."""
    return z3.And(start >= 0, size >= 0, start + size <= cap)


def invariant(s: Abs) -> list[tuple[str, Term]]:
    """The inductive invariant, as named conjuncts (names from `iobuf.model.properties`)."""
    counts = (s.rc, s.own, s.far, s.q_own, s.q_far, s.freed_own, s.freed_far)
    unborn = z3.And(*(c == 0 for c in counts), s.acct_n == 0, s.acct_b == 0,
                    s.far_n == 0, s.far_b == 0)
    live = z3.And(z3.Not(freed(s)), s.born)
    return [
        ("type_ok", z3.And(s.cap >= 0, *(c >= 0 for c in counts),
                           z3.Implies(z3.Not(s.born), unborn))),
        ("refcount_counts_views", s.rc == s.own + s.far),
        ("freed_once_by_owner", z3.And(s.freed_far == 0, s.freed_own <= 1)),
        ("no_use_after_free", z3.Implies(s.own + s.far > 0, z3.Not(freed(s)))),
        ("unreferenced_is_freed_or_queued", z3.And(
            s.q_far == 0,
            z3.Implies(z3.And(s.rc == 0, live), s.q_own == 1),
            z3.Implies(z3.Or(s.rc > 0, freed(s)), s.q_own == 0))),
        ("accounting_matches", z3.And(
            s.acct_n == z3.If(live, 1, 0), s.acct_b == z3.If(live, s.cap, 0),
            s.far_n == 0, s.far_b == 0)),
    ]


def initial(s: Abs) -> Term:
    """Init: the allocation does not exist yet (any capacity it will get)."""
    return z3.And(z3.Not(s.born), s.cap >= 0, *(t == 0 for t in s.terms()[2:]))


def quiescent_means_freed(s: Abs) -> Term:
    """Invariant 7 for one allocation: no view and no queue entry left means it is freed."""
    return z3.Implies(z3.And(s.born, s.own + s.far == 0, s.q_own + s.q_far == 0), freed(s))


def _holders(s: Abs, on_owner: Term, delta: int) -> dict[str, Term]:
    """The view counts with `delta` handles more on the owner, or elsewhere."""
    return {"own": z3.If(on_owner, s.own + delta, s.own),
            "far": z3.If(on_owner, s.far, s.far + delta)}


def acting(s: Abs, p: Params) -> Term:
    """A live handle of this allocation on the chosen class, its view satisfying the invariant."""
    return z3.And(s.born, z3.If(p.on_owner, s.own >= 1, s.far >= 1), view_ok(p.vs, p.vn, s.cap))


def _live_access(s: Abs) -> tuple[tuple[str, Term], ...]:
    return (("no_use_after_free", z3.Not(freed(s))),)


def alloc(s: Abs, p: Params) -> Transition:
    """Birth on the owner (`Alloc`, or the copy a `Clone` makes): refcount 1, counted there."""
    post = replace(s, born=z3.BoolVal(True), rc=z3.IntVal(1), own=z3.IntVal(1),
                   acct_n=s.acct_n + 1, acct_b=s.acct_b + s.cap)
    return Transition(z3.Not(s.born), post, ((z3.IntVal(0), s.cap),))


def share(s: Abs, p: Params) -> Transition:
    """`Share(b, pos, size)`: one more view on the holder, inside the shared one; refcount + 1."""
    guard = z3.And(acting(s, p), p.pos >= 0, p.pos <= p.vn, p.size >= 0, p.size <= p.vn - p.pos)
    post = replace(s, rc=s.rc + 1, **_holders(s, p.on_owner, 1))
    return Transition(guard, post, ((p.vs + p.pos, p.size),), _live_access(s))


def trim(s: Abs, p: Params) -> Transition:
    """`Trim(b, size)`: the view keeps its first `size` bytes."""
    guard = z3.And(acting(s, p), p.size >= 0, p.size <= p.vn)
    return Transition(guard, s, ((p.vs, p.size),), _live_access(s))


def trim_front(s: Abs, p: Params) -> Transition:
    """`TrimFront(b, n)` (n is `pos` here): the view loses its first n bytes."""
    guard = z3.And(acting(s, p), p.pos >= 0, p.pos <= p.vn)
    return Transition(guard, s, ((p.vs + p.pos, p.vn - p.pos),), _live_access(s))


def write(s: Abs, p: Params) -> Transition:
    """`Write(b, ...)`: allowed only at refcount 1; it must be the only view (invariant 6)."""
    guard = z3.And(acting(s, p), z3.Not(s.rc > 1))
    safety = (*_live_access(s), ("writes_are_unshared", s.own + s.far == 1))
    return Transition(guard, s, (), safety)


def clone(s: Abs, p: Params) -> Transition:
    """`Clone(b)`, seen from the source: a read of live memory (the copy is born by `alloc`)."""
    return Transition(acting(s, p), s, (), _live_access(s))


def send(s: Abs, p: Params) -> Transition:
    """`Send(b, core)`: the handle moves (to the owner or elsewhere); the old one dies."""
    moved = _holders(replace(s, **_holders(s, p.on_owner, -1)), p.to_owner, 1)
    return Transition(acting(s, p), replace(s, **moved), ((p.vs, p.vn),), _live_access(s))


def drop(s: Abs, on_owner: Term) -> Abs:
    """`drop_reference`: refcount - 1; the last drop frees on the owner or queues to it."""
    keep = s.rc > 1  # drop_decision: "keep" iff refcount > 1
    frees = z3.And(z3.Not(keep), on_owner)  # "free": the dropper is the owner
    defers = z3.And(z3.Not(keep), z3.Not(on_owner))  # "defer": push onto the owner's queue
    return replace(
        s, rc=s.rc - 1, q_own=z3.If(defers, s.q_own + 1, s.q_own),
        freed_own=z3.If(frees, s.freed_own + 1, s.freed_own),
        acct_n=z3.If(frees, s.acct_n - 1, s.acct_n),
        acct_b=z3.If(frees, s.acct_b - s.cap, s.acct_b))


def release(s: Abs, p: Params) -> Transition:
    """`Release(b)`: the handle dies and drops its reference."""
    post = drop(replace(s, **_holders(s, p.on_owner, -1)), p.on_owner)
    return Transition(acting(s, p), post, (), _live_access(s))


def poll_owner(s: Abs, p: Params) -> Transition:
    """`Poll` on the owner: every queued entry of it is freed by the owner; the queue empties."""
    post = replace(s, q_own=z3.IntVal(0), freed_own=s.freed_own + s.q_own,
                   acct_n=s.acct_n - s.q_own, acct_b=s.acct_b - s.q_own * s.cap)
    return Transition(z3.BoolVal(True), post)


def poll_other(s: Abs, p: Params) -> Transition:
    """`Poll` on another core: frees the `polled` entries of it in that core's queue."""
    post = replace(s, q_far=s.q_far - p.polled, freed_far=s.freed_far + p.polled,
                   far_n=s.far_n - p.polled, far_b=s.far_b - p.polled * s.cap)
    return Transition(z3.And(p.polled >= 0, p.polled <= s.q_far), post)


def other(s: Abs, p: Params) -> Transition:
    """Any action on another allocation: nothing of this one changes (the frame condition)."""
    return Transition(z3.BoolVal(True), s)


def alpha(state: State, alloc: int, acct: tuple[int, int] = (0, 0)) -> dict[str, int | bool]:
    """The abstraction function: allocation `alloc` of a concrete state (`acct`: its shares).

    Views are every live view (buffer handles and iobuf fragments). The
    counter shares are not visible in a concrete state (a counter is a sum),
    so the caller tracks them.
    """
    if alloc >= len(state.allocations):
        return dict(born=False, cap=0, rc=0, own=0, far=0, q_own=0, q_far=0, freed_own=0,
                    freed_far=0, acct_n=0, acct_b=0, far_n=0, far_b=0)
    a = state.allocations[alloc]
    held = [holder for holder, v in live_views(state) if v.alloc == alloc]
    queued = [c for c, core in enumerate(state.cores) for q in core.queue if q == alloc]
    mine = held.count(a.owner), queued.count(a.owner), a.freed_by.count(a.owner)
    return dict(born=True, cap=a.capacity, rc=a.refcount, own=mine[0], far=len(held) - mine[0],
                q_own=mine[1], q_far=len(queued) - mine[1], freed_own=mine[2],
                freed_far=len(a.freed_by) - mine[2], acct_n=acct[0], acct_b=acct[1],
                far_n=0, far_b=0)


ACTIONS: dict[str, Action] = {
    "alloc": alloc, "share": share, "trim": trim, "trim_front": trim_front, "write": write,
    "clone": clone, "send": send, "release": release, "poll_owner": poll_owner,
    "poll_other": poll_other, "other": other,
}
"""Every abstract action: the nine buffer actions (poll split by core class) and the frame."""
