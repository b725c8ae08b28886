"""The closed set of actions of the ownership machine, in Seastar's vocabulary.

Each action is a frozen dataclass whose repr is valid Python, so a trace of
actions printed by the explorer or by Hypothesis is a runnable reproducer.
Buffer handles are named by their slot number in `State.buffers`.
Field types say what a well-formed action holds; arguments are stored as
given, not coerced, and the guard (`iobuf.model.step.check`) checks them at
run time, because bad input is part of the contract and must reach one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Alloc:
    """Core `core` allocates `size` zero-filled bytes and gets the only handle to them."""

    core: int
    size: int


@dataclass(frozen=True, slots=True)
class Share:
    """A zero-copy view of `size` bytes at `pos` of a buffer, on its holder (refcount + 1)."""

    buffer: int
    pos: int = 0
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Trim:
    """Shrink a buffer's view to its first `size` bytes (`temporary_buffer::trim`)."""

    buffer: int
    size: int


@dataclass(frozen=True, slots=True)
class TrimFront:
    """Drop the first `n` bytes of a buffer's view (`temporary_buffer::trim_front`)."""

    buffer: int
    n: int


@dataclass(frozen=True, slots=True)
class Write:
    """Overwrite bytes at `pos` of a buffer; only its sole handle may write."""

    buffer: int
    pos: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Clone:
    """Deep-copy a buffer's bytes into a new allocation owned by its holder."""

    buffer: int


@dataclass(frozen=True, slots=True)
class Send:
    """Move a buffer handle to core `core` (`foreign_ptr` hand-off; the old handle dies)."""

    buffer: int
    core: int


@dataclass(frozen=True, slots=True)
class Release:
    """Drop a buffer handle; the last drop frees on the owner or defers to its queue."""

    buffer: int


@dataclass(frozen=True, slots=True)
class Poll:
    """Core `core` drains its deferred-free queue and frees every allocation in it."""

    core: int


# The iobuf (fragment chain) actions. Chains are named by their slot in
# `State.chains`; buffers by their slot in `State.buffers`.


@dataclass(frozen=True, slots=True)
class NewChain:
    """Core `core` creates an empty iobuf."""

    core: int


@dataclass(frozen=True, slots=True)
class Append:
    """Copy `data` onto the end: fill the last fragment's slack, then allocate fragments."""

    chain: int
    data: bytes


@dataclass(frozen=True, slots=True)
class AppendBuffer:
    """Consume a buffer: copy it if small, else make it a new fragment (zero-copy)."""

    chain: int
    buffer: int


@dataclass(frozen=True, slots=True)
class AppendFragments:
    """Share every fragment of iobuf `other` onto the end of `chain` (zero-copy)."""

    chain: int
    other: int


@dataclass(frozen=True, slots=True)
class PrependBuffer:
    """Consume a buffer as the new first fragment (zero-copy)."""

    chain: int
    buffer: int


@dataclass(frozen=True, slots=True)
class Prepend:
    """Consume iobuf `other`, moving its fragments in front of `chain`'s."""

    chain: int
    other: int


@dataclass(frozen=True, slots=True)
class ChainShare:
    """A new iobuf viewing `[pos, pos + size)` of `chain` (zero-copy, refcounts + 1)."""

    chain: int
    pos: int
    size: int


@dataclass(frozen=True, slots=True)
class ChainCopy:
    """A deep copy of `chain` into fresh fragments owned by its holder."""

    chain: int


@dataclass(frozen=True, slots=True)
class ChainTrimFront:
    """Drop the first `n` bytes (all of them when n exceeds the size)."""

    chain: int
    n: int


@dataclass(frozen=True, slots=True)
class ChainTrimBack:
    """Drop the last `n` bytes (all of them when n exceeds the size)."""

    chain: int
    n: int


@dataclass(frozen=True, slots=True)
class PopFront:
    """Drop the first fragment."""

    chain: int


@dataclass(frozen=True, slots=True)
class PopBack:
    """Drop the last fragment."""

    chain: int


@dataclass(frozen=True, slots=True)
class ChainSend:
    """Move an iobuf to core `core`; the old handle dies."""

    chain: int
    core: int


@dataclass(frozen=True, slots=True)
class ChainRelease:
    """Drop an iobuf and every fragment reference it holds."""

    chain: int


BufferAction = Alloc | Share | Trim | TrimFront | Write | Clone | Send | Release | Poll
ChainAction = (
    NewChain | Append | AppendBuffer | AppendFragments | PrependBuffer | Prepend | ChainShare
    | ChainCopy | ChainTrimFront | ChainTrimBack | PopFront | PopBack | ChainSend | ChainRelease
)
Action = BufferAction | ChainAction

BUFFER_ACTION_TYPES: tuple[type, ...] = (
    Alloc, Share, Trim, TrimFront, Write, Clone, Send, Release, Poll,
)
CHAIN_ACTION_TYPES: tuple[type, ...] = (
    NewChain, Append, AppendBuffer, AppendFragments, PrependBuffer, Prepend, ChainShare,
    ChainCopy, ChainTrimFront, ChainTrimBack, PopFront, PopBack, ChainSend, ChainRelease,
)
ACTION_TYPES: tuple[type, ...] = BUFFER_ACTION_TYPES + CHAIN_ACTION_TYPES
