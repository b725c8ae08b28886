"""The abstract spec: a buffer is its bytes, an iobuf is its bytes; and the refinement map.

Background: the fragment model has many details (views, slack, refcounts,
queues) that exist only to share memory safely. What a user sees is much
simpler: each live handle holds a byte string. This module states that
simple machine (`abstract_step`) and the map from concrete states to it
(`abstraction`). The property `refines_abstract` checks, on every concrete
transition, that abstraction(post) == abstract_step(abstraction(pre),
action) — the TLA+ `Spec => AbstractSpec` refinement, checked by the
explorer and by Hypothesis rather than proved.

Ownership actions (sends, polls, releases) do not change any surviving
handle's bytes; they only move or remove handles.
"""

from __future__ import annotations

from dataclasses import dataclass

from .actions import (
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
from .chain import chain_bytes
from .ownership import read_view
from .state import State, free_slot, put_slot

Slots = tuple[bytes | None, ...]


@dataclass(frozen=True, slots=True)
class Abstract:
    """What users see: the bytes of each live buffer and of each live iobuf, by slot."""

    buffers: Slots
    chains: Slots


def abstraction(state: State) -> Abstract:
    """The refinement map: forget fragments, views and refcounts; keep the bytes."""
    buffers = tuple(None if h is None else read_view(state, h.view) for h in state.buffers)
    chains = tuple(None if c is None else chain_bytes(state, c) for c in state.chains)
    return Abstract(buffers, chains)


def _b(slots: Slots, i: int) -> bytes:
    data = slots[i]
    assert data is not None
    return data


def abstract_step(a: Abstract, action: Action, fragment_sizes: tuple[int, ...] = ()) -> Abstract:
    """The abstract effect of an (enabled) action.

    `fragment_sizes` are the concrete chain's fragment sizes, needed only by
    PopFront/PopBack, whose effect on bytes depends on the fragment layout.
    """
    bufs, chains = a.buffers, a.chains
    match action:
        case Alloc(_, size):
            return Abstract(put_slot(bufs, free_slot(bufs), bytes(size)), chains)
        case Share(b, pos, size):
            data = _b(bufs, b)[pos:] if size is None else _b(bufs, b)[pos : pos + size]
            return Abstract(put_slot(bufs, free_slot(bufs), data), chains)
        case Trim(b, size):
            return Abstract(put_slot(bufs, b, _b(bufs, b)[:size]), chains)
        case TrimFront(b, n):
            return Abstract(put_slot(bufs, b, _b(bufs, b)[n:]), chains)
        case Write(b, pos, data):
            old = _b(bufs, b)
            return Abstract(put_slot(bufs, b, old[:pos] + bytes(data) + old[pos + len(data):]),
                            chains)
        case Clone(b):
            return Abstract(put_slot(bufs, free_slot(bufs), _b(bufs, b)), chains)
        case Send(b, _):
            data, rest = _b(bufs, b), put_slot(bufs, b, None)
            return Abstract(put_slot(rest, free_slot(rest), data), chains)
        case Release(b):
            return Abstract(put_slot(bufs, b, None), chains)
        case Poll(_):
            return a
    return _abstract_chain_step(a, action, fragment_sizes)


def _abstract_chain_step(a: Abstract, action: Action, sizes: tuple[int, ...]) -> Abstract:
    bufs, chains = a.buffers, a.chains
    match action:
        case NewChain(_):
            return Abstract(bufs, put_slot(chains, free_slot(chains), b""))
        case Append(c, data):
            return Abstract(bufs, put_slot(chains, c, _b(chains, c) + bytes(data)))
        case AppendBuffer(c, b):
            return Abstract(put_slot(bufs, b, None),
                            put_slot(chains, c, _b(chains, c) + _b(bufs, b)))
        case PrependBuffer(c, b):
            return Abstract(put_slot(bufs, b, None),
                            put_slot(chains, c, _b(bufs, b) + _b(chains, c)))
        case AppendFragments(c, o):
            return Abstract(bufs, put_slot(chains, c, _b(chains, c) + _b(chains, o)))
        case Prepend(c, o):
            joined = _b(chains, o) + _b(chains, c)
            return Abstract(bufs, put_slot(put_slot(chains, o, None), c, joined))
        case ChainShare(c, pos, size):
            data = _b(chains, c)[pos : pos + size]
            return Abstract(bufs, put_slot(chains, free_slot(chains), data))
        case ChainCopy(c):
            return Abstract(bufs, put_slot(chains, free_slot(chains), _b(chains, c)))
        case ChainTrimFront(c, n):
            return Abstract(bufs, put_slot(chains, c, _b(chains, c)[n:]))
        case ChainTrimBack(c, n):
            data = _b(chains, c)
            return Abstract(bufs, put_slot(chains, c, data[: max(0, len(data) - n)]))
        case PopFront(c):
            return Abstract(bufs, put_slot(chains, c, _b(chains, c)[sizes[0]:]))
        case PopBack(c):
            data = _b(chains, c)
            return Abstract(bufs, put_slot(chains, c, data[: len(data) - sizes[-1]]))
        case ChainSend(c, _):
            data, rest = _b(chains, c), put_slot(chains, c, None)
            return Abstract(bufs, put_slot(rest, free_slot(rest), data))
        case ChainRelease(c):
            return Abstract(bufs, put_slot(chains, c, None))
    raise AssertionError(f"no abstract effect for {action!r}")


def refines_abstract(pre: State, action: Action, post: State) -> bool:
    """The concrete step maps onto the abstract step (bytes of every handle as a user sees them)."""
    sizes: tuple[int, ...] = ()
    if isinstance(action, PopFront | PopBack):
        chain = pre.chains[action.chain]
        assert chain is not None
        sizes = tuple(f.view.size for f in chain.fragments)
    return abstraction(post) == abstract_step(abstraction(pre), action, sizes)
