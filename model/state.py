"""The state of the ownership machine: an immutable, hashable value.

Background: in a thread-per-core system (Seastar, Redpanda) every byte of
memory belongs to the core that allocated it, its *owner*, and only the owner
may free it. Handles (`temporary_buffer`s) are ref-counted views of an
allocation; each handle lives on one core, its *holder*.

Model: the whole system is one frozen dataclass made of tuples, so states can
be hashed, deduplicated and explored exhaustively (`iobuf.model.explorer`).
Allocations are never removed from the state once freed: keeping them is what
lets the invariants see a double free or a free by the wrong core. Buffer
handles live in numbered slots; a new handle takes the lowest free slot (as a
file descriptor does), so states that differ only in the history of slot
numbers coincide, and the state space stays finite under bounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class View:
    """A window `[start, start + size)` onto allocation number `alloc`."""

    alloc: int
    start: int
    size: int

    @property
    def end(self) -> int:
        """One past the last byte viewed."""
        return self.start + self.size

    def sub(self, pos: int, size: int | None = None) -> View:
        """The view of `[pos, pos + size)` within this one (`temporary_buffer::share`).

        pre: self.start >= 0 and self.size >= 0
        pre: 0 <= pos <= self.size and (size is None or 0 <= size <= self.size - pos)
        post: __return__.alloc == self.alloc
        post: self.start <= __return__.start <= __return__.end <= self.end
        post: __return__.start == self.start + pos
        post: size is None or __return__.size == size
        """
        return View(self.alloc, self.start + pos, self.size - pos if size is None else size)

    def trimmed_front(self, n: int) -> View:
        """This view without its first `n` bytes.

        pre: self.size >= 0 and 0 <= n <= self.size
        post: __return__.end == self.end and __return__.size == self.size - n
        """
        return View(self.alloc, self.start + n, self.size - n)


@dataclass(frozen=True, slots=True)
class Allocation:
    """A block of memory: its owner core, its bytes, its refcount and who freed it.

    `freed_by` lists every core that freed it, in order: a correct protocol
    leaves it empty or with exactly the owner in it (invariant 2).
    """

    owner: int
    data: bytes
    refcount: int
    freed_by: tuple[int, ...] = ()

    @property
    def capacity(self) -> int:
        """Bytes allocated."""
        return len(self.data)

    @property
    def freed(self) -> bool:
        """Whether any core has freed it."""
        return bool(self.freed_by)


@dataclass(frozen=True, slots=True)
class BufferHandle:
    """A `temporary_buffer`: one view, held by one core."""

    holder: int
    view: View


@dataclass(frozen=True, slots=True)
class FragmentState:
    """One fragment of an iobuf: the bytes in use, plus slack an append may fill.

    The fragment's memory is `[view.start, view.start + capacity)`; `view`
    covers the used part. Slack is never shared: a share views used bytes
    only, which is what makes filling the slack of a shared fragment safe.
    """

    view: View
    capacity: int

    @property
    def slack(self) -> int:
        """Bytes an append may still write into this fragment."""
        return self.capacity - self.view.size


@dataclass(frozen=True, slots=True)
class ChainState:
    """An iobuf: a sequence of fragments held by one core (never an empty fragment)."""

    holder: int
    fragments: tuple[FragmentState, ...] = ()

    @property
    def size(self) -> int:
        """Bytes in the chain."""
        return sum(f.view.size for f in self.fragments)


@dataclass(frozen=True, slots=True)
class CoreState:
    """What a core alone updates: its accounting and its deferred-free queue.

    The counters are kept, not derived, so that invariant 5 checks the
    protocol's bookkeeping rather than restating a definition. `queue` is the
    deferred-free queue (allocation numbers pushed by foreign last droppers,
    oldest first).
    """

    live_allocations: int = 0
    live_bytes: int = 0
    queue: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class State:
    """The whole system: cores, allocations, buffer-handle and iobuf slots (None = free slot)."""

    cores: tuple[CoreState, ...]
    allocations: tuple[Allocation, ...] = ()
    buffers: tuple[BufferHandle | None, ...] = ()
    chains: tuple[ChainState | None, ...] = ()

    @property
    def ncores(self) -> int:
        """Number of cores."""
        return len(self.cores)


def initial(cores: int) -> State:
    """The state of a fresh system with `cores` idle cores and nothing allocated."""
    return State(cores=tuple(CoreState() for _ in range(cores)))


def live_buffers(state: State) -> Iterator[tuple[int, BufferHandle]]:
    """Every occupied buffer slot with its handle."""
    for slot, handle in enumerate(state.buffers):
        if handle is not None:
            yield slot, handle


def live_chains(state: State) -> Iterator[tuple[int, ChainState]]:
    """Every occupied iobuf slot with its chain."""
    for slot, chain in enumerate(state.chains):
        if chain is not None:
            yield slot, chain


def live_views(state: State) -> Iterator[tuple[int, View]]:
    """Every live view (buffers and iobuf fragments) with its holder: what refcounts count."""
    for _slot, handle in live_buffers(state):
        yield handle.holder, handle.view
    for _slot, chain in live_chains(state):
        for fragment in chain.fragments:
            yield chain.holder, fragment.view


def free_slot(slots: tuple[object | None, ...]) -> int:
    """The lowest free slot number (one past the end when all are taken).

    post: 0 <= __return__ <= len(slots)
    post: __return__ == len(slots) or slots[__return__] is None
    post: all(s is not None for s in slots[:__return__])
    """
    for i, s in enumerate(slots):
        if s is None:
            return i
    return len(slots)


def put_slot(slots: tuple[T | None, ...], slot: int, value: T | None) -> tuple[T | None, ...]:
    """`slots` with `slot` set to `value`, trailing free slots dropped (canonical form).

    pre: slot >= 0
    post: not __return__ or __return__[-1] is not None
    post: value is None or __return__[slot] is value
    post: all(__return__[i] is slots[i] for i in range(len(__return__)) if i != slot)
    """
    padded = slots + (None,) * (slot + 1 - len(slots))
    out = (*padded[:slot], value, *padded[slot + 1 :])
    while out and out[-1] is None:
        out = out[:-1]
    return out


def with_core(state: State, core: int, **changes: object) -> State:
    """`state` with the named fields of one core's state replaced."""
    cores = list(state.cores)
    cores[core] = replace(cores[core], **changes)  # type: ignore[arg-type]
    return replace(state, cores=tuple(cores))


def with_allocation(state: State, alloc: int, **changes: object) -> State:
    """`state` with the named fields of one allocation replaced."""
    allocs = list(state.allocations)
    allocs[alloc] = replace(allocs[alloc], **changes)  # type: ignore[arg-type]
    return replace(state, allocations=tuple(allocs))
