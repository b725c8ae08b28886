"""Bounds of exhaustive exploration, named in one place (loom `Builder`, TLA+ `.cfg`).

The ownership machine is infinite (sizes, allocations, shares); the explorer
checks it within a `Bounds`. Test configurations are the named instances
below, with the state counts they produce pinned in `tests/model/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .actions import (
    CHAIN_ACTION_TYPES,
    Action,
    Alloc,
    Append,
    AppendBuffer,
    AppendFragments,
    ChainCopy,
    ChainRelease,
    ChainSend,
    ChainShare,
    ChainTrimBack,
    ChainTrimFront,
    Clone,
    NewChain,
    Poll,
    PopBack,
    PopFront,
    Prepend,
    PrependBuffer,
    Release,
    Send,
    Share,
    Trim,
    TrimFront,
    Write,
)
from .state import State, free_slot, live_buffers, live_chains


@dataclass(frozen=True, slots=True)
class Bounds:
    """How far the explorer goes.

    cores: cores in the system; allocs: allocations ever made (clones,
    copies and new fragments count); refs: the largest refcount reached;
    sizes: allocation sizes tried; values: byte values written (at position
    0, and appended); chains: iobuf slots (0 explores buffers only);
    appends: lengths of the byte strings appended; chain_bytes: the largest
    iobuf explored.
    """

    cores: int = 2
    allocs: int = 2
    refs: int = 2
    sizes: tuple[int, ...] = (1,)
    values: tuple[int, ...] = (1,)
    chains: int = 0
    appends: tuple[int, ...] = (1,)
    chain_bytes: int = 2


def within_bounds(state: State, bounds: Bounds) -> bool:
    """Whether `state` is inside the explored region."""
    return (
        len(state.allocations) <= bounds.allocs
        and all(a.refcount <= bounds.refs for a in state.allocations)
        and len(state.chains) <= bounds.chains
        and all(c.size <= bounds.chain_bytes for _s, c in live_chains(state))
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
    if bounds.chains:
        yield from _chain_actions(state, bounds)


def _chain_actions(state: State, bounds: Bounds) -> Iterator[Action]:
    if free_slot(state.chains) < bounds.chains:
        yield from (NewChain(core) for core in range(bounds.cores))
    buffers = [slot for slot, _h in live_buffers(state)]
    chains = [slot for slot, _c in live_chains(state)]
    for c, chain in live_chains(state):
        n = chain.size
        yield from (Append(c, bytes([v]) * k) for v in bounds.values for k in bounds.appends)
        yield from (AppendBuffer(c, b) for b in buffers)
        yield from (PrependBuffer(c, b) for b in buffers)
        yield from (AppendFragments(c, o) for o in chains)
        yield from (Prepend(c, o) for o in chains if o != c)
        yield from (ChainShare(c, pos, k) for pos in range(n + 1) for k in range(n - pos + 1))
        yield ChainCopy(c)
        yield from (ChainTrimFront(c, k) for k in range(1, n + 2))
        yield from (ChainTrimBack(c, k) for k in range(1, n + 2))
        yield from (PopFront(c), PopBack(c))
        yield from (ChainSend(c, core) for core in range(bounds.cores) if core != chain.holder)
        yield ChainRelease(c)


def unreachable_properties(bounds: Bounds) -> frozenset[str]:
    """The `sometimes` properties that `bounds` rules out by construction.

    A one-core system never sends; with one allocation nothing can be cloned;
    refs=1 forbids sharing; no values means no writes. Every other
    `sometimes` property must be witnessed, or the exploration is vacuous.
    """
    out: set[str] = set()
    if bounds.cores == 1:
        out |= {"fires_Send", "fires_Poll", "deferred_free_happens", "foreign_last_drop_happens",
                "fires_ChainSend"}
    if bounds.allocs == 1:
        out.add("fires_Clone")
    if bounds.refs == 1:
        out.add("fires_Share")
    if not bounds.values or not any(bounds.sizes):
        out |= {"fires_Write", "write_happens"}
    if bounds.chains == 0:
        out |= {f"fires_{t.__name__}" for t in CHAIN_ACTION_TYPES}
    elif bounds.chains == 1:
        out.add("fires_Prepend")  # needs a second iobuf to consume
    return frozenset(out)


# Named configurations; their state counts are pinned in tests/model/test_explorer.py.
PAIR = Bounds(cores=2, allocs=1, refs=2, sizes=(1,))
PAIR_WIDE = Bounds(cores=2, allocs=1, refs=2, sizes=(2,))
ONE_CORE = Bounds(cores=1, allocs=2, refs=2, sizes=(1,))
THREE_CORES = Bounds(cores=3, allocs=1, refs=3, sizes=(1,))
TWO_CORES_WIDE = Bounds(cores=2, allocs=1, refs=3, sizes=(2,))
TWO_CORES = Bounds(cores=2, allocs=2, refs=2, sizes=(1,))

CHAIN_ONE_CORE = Bounds(cores=1, allocs=1, refs=2, sizes=(1,), chains=2, chain_bytes=1)
CHAIN_PAIR = Bounds(cores=2, allocs=1, refs=2, sizes=(1,), chains=2, chain_bytes=1)
CHAIN_THREE_CORES = Bounds(cores=3, allocs=1, refs=2, sizes=(1,), chains=2, chain_bytes=1)

NAMED: dict[str, Bounds] = {
    "pair": PAIR,
    "pair-wide": PAIR_WIDE,
    "one-core": ONE_CORE,
    "three-cores": THREE_CORES,
    "two-cores-wide": TWO_CORES_WIDE,
    "two-cores": TWO_CORES,
    "chain-one-core": CHAIN_ONE_CORE,
    "chain-pair": CHAIN_PAIR,
    "chain-three-cores": CHAIN_THREE_CORES,
}
