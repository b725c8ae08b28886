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


Action = Alloc | Share | Trim | TrimFront | Write | Clone | Send | Release | Poll

ACTION_TYPES: tuple[type, ...] = (Alloc, Share, Trim, TrimFront, Write, Clone, Send, Release, Poll)
