"""Bounds of exhaustive exploration, named in one place (loom `Builder`, TLA+ `.cfg`).

The ownership machine is infinite (sizes, allocations, shares); the explorer
checks it within a `Bounds`. Test configurations are the named instances
below, with the state counts they produce pinned in `tests/model/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .actions import Action, Alloc, Clone, Poll, Release, Send, Share, Trim, TrimFront, Write
from .state import State, live_buffers


@dataclass(frozen=True, slots=True)
class Bounds:
    """How far the explorer goes.

    cores: cores in the system; allocs: allocations ever made (clones count);
    refs: the largest refcount reached; sizes: allocation sizes tried;
    values: byte values written (at position 0).
    """

    cores: int = 2
    allocs: int = 2
    refs: int = 2
    sizes: tuple[int, ...] = (1,)
    values: tuple[int, ...] = (1,)


def within_bounds(state: State, bounds: Bounds) -> bool:
    """Whether `state` is inside the explored region."""
    return len(state.allocations) <= bounds.allocs and all(
        a.refcount <= bounds.refs for a in state.allocations
    )


def candidate_actions(state: State, bounds: Bounds) -> Iterator[Action]:
    """Actions worth trying in `state`; disabled ones are filtered out by `step` raising.

    Poll is offered only when the queue is non-empty: an empty poll is a
    self-loop that adds transitions but no states.
    """
    for core in range(bounds.cores):
        if len(state.allocations) < bounds.allocs:
            yield from (Alloc(core, size) for size in bounds.sizes)
        if state.cores[core].queue:
            yield Poll(core)
    for slot, handle in live_buffers(state):
        n = handle.view.size
        yield from (Share(slot, pos, size) for pos in range(n + 1) for size in range(n - pos + 1))
        yield from (Trim(slot, size) for size in range(n))
        yield from (TrimFront(slot, k) for k in range(1, n + 1))
        if n:
            yield from (Write(slot, 0, bytes([v])) for v in bounds.values)
        if len(state.allocations) < bounds.allocs:
            yield Clone(slot)
        yield from (Send(slot, core) for core in range(bounds.cores) if core != handle.holder)
        yield Release(slot)


def unreachable_properties(bounds: Bounds) -> frozenset[str]:
    """The `sometimes` properties that `bounds` rules out by construction.

    A one-core system never sends; with one allocation nothing can be cloned;
    refs=1 forbids sharing; no values means no writes. Every other
    `sometimes` property must be witnessed, or the exploration is vacuous.
    """
    out: set[str] = set()
    if bounds.cores == 1:
        out |= {"fires_Send", "fires_Poll", "deferred_free_happens", "foreign_last_drop_happens"}
    if bounds.allocs == 1:
        out.add("fires_Clone")
    if bounds.refs == 1:
        out.add("fires_Share")
    if not bounds.values or not any(bounds.sizes):
        out |= {"fires_Write", "write_happens"}
    return frozenset(out)


# Named configurations; their state counts are pinned in tests/model/test_explorer.py.
PAIR = Bounds(cores=2, allocs=1, refs=2, sizes=(1,))
PAIR_WIDE = Bounds(cores=2, allocs=1, refs=2, sizes=(2,))
ONE_CORE = Bounds(cores=1, allocs=2, refs=2, sizes=(1,))
THREE_CORES = Bounds(cores=3, allocs=1, refs=3, sizes=(1,))
TWO_CORES_WIDE = Bounds(cores=2, allocs=1, refs=3, sizes=(2,))
TWO_CORES = Bounds(cores=2, allocs=2, refs=2, sizes=(1,))

NAMED: dict[str, Bounds] = {
    "pair": PAIR,
    "pair-wide": PAIR_WIDE,
    "one-core": ONE_CORE,
    "three-cores": THREE_CORES,
    "two-cores-wide": TWO_CORES_WIDE,
    "two-cores": TWO_CORES,
}
