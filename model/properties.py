"""Named, registered properties of the ownership machine (DESIGN.md §2).

Three kinds, as stateright and TLA+ use them:
- `always`: a predicate on every reachable state (safety);
- `step`: a predicate on every transition `(pre, action, post)` (safety of
  what an action does, e.g. who may write);
- `sometimes`: a predicate that must hold on at least one transition, so no
  invariant is vacuous (a safety property over a space where nothing is ever
  freed proves nothing).

Predicates return bool; test adapters assert them (`assert_invariants`).
The type invariant comes first: the others assume a well-formed state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from .actions import ACTION_TYPES, Action, Poll, Release, Write
from .state import ChainState, State, live_buffers, live_chains, live_views

Kind = Literal["always", "step", "sometimes"]


@dataclass(frozen=True, slots=True)
class Property:
    """A named predicate of a given kind (state predicate, or transition predicate)."""

    name: str
    kind: Kind
    check: Callable[..., bool]
    doc: str


class InvariantViolation(AssertionError):
    """A property failed; the message names it."""


def type_ok(state: State) -> bool:
    """Every field is in its domain: views inside allocations, holders and owners real cores."""
    n, nallocs = state.ncores, len(state.allocations)
    views_ok = all(
        0 <= h < n and 0 <= v.alloc < nallocs and v.size >= 0 and v.start >= 0
        and v.end <= state.allocations[v.alloc].capacity
        for h, v in live_views(state)
    )
    allocs_ok = all(0 <= a.owner < n and a.refcount >= 0 for a in state.allocations)
    queues_ok = all(0 <= i < nallocs for c in state.cores for i in c.queue)
    chains_ok = all(_fragments_ok(state, chain) for _s, chain in live_chains(state))
    canonical = all(not slots or slots[-1] is not None for slots in (state.buffers, state.chains))
    return views_ok and allocs_ok and queues_ok and chains_ok and canonical


def _fragments_ok(state: State, chain: ChainState) -> bool:
    """No empty fragment; slack stays inside the fragment's allocation."""
    return all(
        0 < f.view.size <= f.capacity
        and f.view.start + f.capacity <= state.allocations[f.view.alloc].capacity
        for f in chain.fragments
    )


def refcount_counts_views(state: State) -> bool:
    """1. The refcount of an allocation equals the number of live views of it."""
    counts = Counter(v.alloc for _h, v in live_views(state))
    return all(a.refcount == counts[i] for i, a in enumerate(state.allocations))


def freed_once_by_owner(state: State) -> bool:
    """2. An allocation is freed at most once, and only by its owner core."""
    return all(a.freed_by in ((), (a.owner,)) for a in state.allocations)


def no_use_after_free(state: State) -> bool:
    """3. No live view looks at a freed allocation."""
    return not any(state.allocations[v.alloc].freed for _h, v in live_views(state))


def unreferenced_is_freed_or_queued(state: State) -> bool:
    """4. A refcount-0 allocation is freed, or sits exactly once in its owner's queue only."""
    for i, a in enumerate(state.allocations):
        places = [c for c, core in enumerate(state.cores) for q in core.queue if q == i]
        if a.refcount == 0 and not a.freed and places != [a.owner]:
            return False
        if (a.refcount > 0 or a.freed) and places:
            return False
    return True


def accounting_matches(state: State) -> bool:
    """5. Each core's live allocations and bytes equal the sum over its unfreed allocations."""
    for c, core in enumerate(state.cores):
        mine = [a for a in state.allocations if a.owner == c and not a.freed]
        if core.live_allocations != len(mine) or core.live_bytes != sum(a.capacity for a in mine):
            return False
    return True


def quiescent_means_empty(state: State) -> bool:
    """7. With no live view and every queue drained, nothing is live on any core."""
    quiescent = not any(True for _ in live_views(state)) and not any(c.queue for c in state.cores)
    return not quiescent or all(a.freed for a in state.allocations)


def writes_are_unshared(pre: State, action: Action, post: State) -> bool:
    """6. A byte changes only if no other live view can see it: the writer's own view, or none.

    A buffer write changes bytes of the writer's sole view; an append fills
    slack that no view covers. Any other viewer of a changed byte would see
    its bytes change under it.
    """
    writer = None
    if isinstance(action, Write) and 0 <= action.buffer < len(pre.buffers):
        handle = pre.buffers[action.buffer]
        writer = None if handle is None else handle.view
    views = [v for _h, v in live_views(pre)]
    for i, (a, b) in enumerate(zip(pre.allocations, post.allocations, strict=False)):
        if a.data == b.data:
            continue
        viewers = [v for v in views if v.alloc == i]
        for k in range(len(a.data)):
            if a.data[k] != b.data[k]:
                seeing = [v for v in viewers if v.start <= k < v.end]
                if seeing and seeing != [writer]:
                    return False
    return True


def _fires(kind: type) -> Callable[[State, Action, State], bool]:
    return lambda pre, action, post: isinstance(action, kind)


def deferred_free_happens(pre: State, action: Action, post: State) -> bool:
    """A poll frees something a foreign core dropped."""
    return isinstance(action, Poll) and bool(pre.cores[action.core].queue)


def foreign_last_drop_happens(pre: State, action: Action, post: State) -> bool:
    """A release on a foreign core enqueues the allocation to its owner."""
    return isinstance(action, Release) and sum(len(c.queue) for c in post.cores) > sum(
        len(c.queue) for c in pre.cores
    )


def write_happens(pre: State, action: Action, post: State) -> bool:
    """Some write changes bytes."""
    return isinstance(action, Write) and pre.allocations != post.allocations


def quiescence_after_work(pre: State, action: Action, post: State) -> bool:
    """A state with allocations made, all freed, is reached."""
    return bool(post.allocations) and not any(True for _ in live_buffers(post)) and all(
        a.freed for a in post.allocations
    )


ALWAYS: tuple[Property, ...] = tuple(
    Property(f.__name__, "always", f, (f.__doc__ or "").strip())
    for f in (
        type_ok,
        refcount_counts_views,
        freed_once_by_owner,
        no_use_after_free,
        unreferenced_is_freed_or_queued,
        accounting_matches,
        quiescent_means_empty,
    )
)
def _refines(pre: State, action: Action, post: State) -> bool:
    from .abstract import refines_abstract  # abstract.py builds on the chain model

    return refines_abstract(pre, action, post)


STEP: tuple[Property, ...] = (
    Property("writes_are_unshared", "step", writes_are_unshared, "6. writes only while unshared"),
    Property("refines_abstract", "step", _refines,
             "every step maps onto the abstract spec (each handle is its bytes)"),
)
SOMETIMES: tuple[Property, ...] = (
    *(Property(f"fires_{t.__name__}", "sometimes", _fires(t), f"{t.__name__} happens")
      for t in ACTION_TYPES),
    *(Property(f.__name__, "sometimes", f, (f.__doc__ or "").strip())
      for f in (deferred_free_happens, foreign_last_drop_happens, write_happens,
                quiescence_after_work)),
)
PROPERTIES: tuple[Property, ...] = ALWAYS + STEP + SOMETIMES


def failing_invariants(state: State, props: Iterable[Property] = ALWAYS) -> list[str]:
    """The names of the `always` properties that `state` violates."""
    return [p.name for p in props if p.kind == "always" and not p.check(state)]


def assert_invariants(state: State) -> None:
    """Raise InvariantViolation naming every `always` property `state` violates."""
    if bad := failing_invariants(state):
        raise InvariantViolation(f"invariants violated: {', '.join(bad)}")


def assert_step(pre: State, action: Action, post: State) -> None:
    """Raise InvariantViolation if a `step` property fails on this transition."""
    bad = [p.name for p in STEP if not p.check(pre, action, post)]
    if bad:
        raise InvariantViolation(f"step properties violated by {action!r}: {', '.join(bad)}")
