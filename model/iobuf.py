"""`IoBuf`: the object API of the fragment chain, a facade over `iobuf.model.chain`.

Like `Buffer`, an `IoBuf` object names one slot of `State.chains` and dies
when released, sent, or consumed by `prepend`. While a memoryview that a
consumer handed out is alive, whatever would take its bytes away (trims,
pops, release, `System.close`) raises BufferError and changes nothing, as
`bytearray` refuses to resize while exported. It also counts its own
mutations (`_version`), so a `Consumer` borrowing it notices a change under
its feet instead of reading stale positions (Redpanda's iterator_consumer
leaves that undefined).

Example:
    >>> s = System(cores=2)
    >>> io = s.core(0).iobuf()
    >>> io.append(b"hello"); io.append(b" world")
    >>> bytes(io.share(6, 5)), [f.capacity for f in io.fragments]
    (b'world', [768])
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import total_ordering
from typing import TYPE_CHECKING, Any

from .actions import (
    Append,
    AppendBuffer,
    AppendFragments,
    ChainAction,
    ChainCopy,
    ChainRelease,
    ChainSend,
    ChainShare,
    ChainTrimBack,
    ChainTrimFront,
    PopBack,
    PopFront,
    Prepend,
    PrependBuffer,
)
from .chain import chain_at, chain_bytes, read_chain
from .errors import InvalidArgument, ReleasedHandleError
from .hexdump import hexdump
from .ownership import is_int
from .state import ChainState
from .step import new_slot

if TYPE_CHECKING:
    from .consumer import Consumer
    from .system import Buffer, Core, System


@dataclass(frozen=True, slots=True)
class Fragment:
    """What `IoBuf.fragments` shows of one fragment: used bytes, capacity, owner, refcount."""

    size: int
    capacity: int
    owner: int
    refcount: int


@total_ordering
class IoBuf:
    """A chain of ref-counted fragments held by one core (Redpanda's `iobuf`)."""

    __hash__ = None  # type: ignore[assignment]  # mutable; compare by bytes instead

    def __init__(self, system: System, slot: int) -> None:
        """A handle on iobuf slot `slot` (created by Core.iobuf, share, copy, send)."""
        self._system = system
        self._slot: int | None = slot
        self._version = 0
        # Memory handed out as memoryviews by a consumer (see Consumer.consume):
        # while one lives, the bytes it shows must not go away.
        self._exports: list[weakref.ref[Any]] = []
        system._iobufs.append(weakref.ref(self))

    def _check_no_exports(self) -> None:
        """BufferError while a memoryview over this iobuf's fragments is alive (as bytearray)."""
        self._exports = [r for r in self._exports if r() is not None]
        if self._exports:
            raise BufferError(f"{len(self._exports)} memoryview(s) of this iobuf are alive")

    # -- plumbing -----------------------------------------------------------
    def _live(self) -> int:
        if self._slot is None or self._system.closed:
            raise ReleasedHandleError("iobuf was released, sent away, consumed, or closed")
        return self._slot

    def _chain(self) -> ChainState:
        chain = chain_at(self._system.state, self._live())
        assert chain is not None, "a live IoBuf object always names a live slot"
        return chain

    def _apply(self, action: ChainAction) -> None:
        self._system.apply(action)
        self._version += 1

    def _derive(self, action: ChainAction) -> IoBuf:
        slot = new_slot(self._system.state, action)
        self._system.apply(action)
        return IoBuf(self._system, slot)

    def _buffer_slot(self, buf: object) -> int:
        from .system import Buffer

        self._live()
        if not isinstance(buf, Buffer) or buf._system is not self._system:
            raise InvalidArgument(f"{buf!r} is not a buffer of this system")
        return buf._live()

    def _other_slot(self, other: object) -> int:
        self._live()
        if not isinstance(other, IoBuf) or other._system is not self._system:
            raise InvalidArgument(f"{other!r} is not an iobuf of this system")
        return other._live()

    # -- queries ------------------------------------------------------------
    @property
    def holder(self) -> int:
        """The core this iobuf lives on."""
        return self._chain().holder

    @property
    def fragments(self) -> tuple[Fragment, ...]:
        """Each fragment's used bytes, capacity, owner core and refcount."""
        allocs = self._system.state.allocations
        return tuple(
            Fragment(f.view.size, f.capacity, allocs[f.view.alloc].owner,
                     allocs[f.view.alloc].refcount)
            for f in self._chain().fragments
        )

    def read(self, pos: int = 0, size: int | None = None) -> bytes:
        """The bytes `[pos, pos + size)` (to the end when size is None)."""
        return read_chain(self._system.state, self._live(), pos, size)

    def __bytes__(self) -> bytes:
        return chain_bytes(self._system.state, self._chain())

    def __len__(self) -> int:
        return self._chain().size

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IoBuf):
            return NotImplemented
        return bytes(self) == bytes(other)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, IoBuf):
            return NotImplemented
        return bytes(self) < bytes(other)  # bytes order is unsigned lexicographic

    def hexdump(self, limit: int = 1024) -> str:
        """`hexdump -Cv`-style lines for the first `limit` bytes."""
        self._live()  # a dead handle first, then the arguments (the guard's order)
        if not is_int(limit) or limit < 0:
            raise InvalidArgument(f"hexdump: limit must be a non-negative int, got {limit!r}")
        return hexdump(bytes(self), limit)

    def consumer(self) -> Consumer:
        """A cursor that reads this iobuf from the front without copying it."""
        from .consumer import Consumer

        self._live()
        return Consumer(self)

    # -- mutations ----------------------------------------------------------
    def append(self, data: bytes) -> None:
        """Copy `data` onto the end: the last fragment's slack first, then new fragments."""
        self._apply(Append(self._live(), data))

    def append_buffer(self, buf: Buffer) -> None:
        """Consume `buf`: copied when small, else it becomes a new fragment (zero-copy)."""
        self._apply(AppendBuffer(self._live(), self._buffer_slot(buf)))
        buf._slot = None  # the reference moved into this iobuf (or was dropped after copying)

    def prepend_buffer(self, buf: Buffer) -> None:
        """Consume `buf` as the new first fragment (zero-copy)."""
        self._apply(PrependBuffer(self._live(), self._buffer_slot(buf)))
        buf._slot = None  # the reference moved into this iobuf

    def append_fragments(self, other: IoBuf) -> None:
        """Share every fragment of `other` onto the end (zero-copy; `other` is unchanged)."""
        self._apply(AppendFragments(self._live(), self._other_slot(other)))

    def prepend(self, other: IoBuf) -> None:
        """Consume `other`, moving its fragments in front of this iobuf's."""
        self._apply(Prepend(self._live(), self._other_slot(other)))
        other._slot = None  # its fragments moved into this iobuf
        self._exports += other._exports  # and so did any memory it pinned

    def share(self, pos: int, size: int) -> IoBuf:
        """A new iobuf viewing `[pos, pos + size)` without copying (refcounts + 1)."""
        return self._derive(ChainShare(self._live(), pos, size))

    def copy(self) -> IoBuf:
        """A deep copy in fresh fragments owned by the holder."""
        return self._derive(ChainCopy(self._live()))

    def _unpinned(self, n: object = 0) -> int:
        """The slot, once the handle is alive, `n` is an int and no export pins the memory."""
        slot = self._live()
        if not is_int(n):
            raise InvalidArgument(f"expected an int, got {n!r}")
        self._check_no_exports()
        return slot

    def trim_front(self, n: int) -> None:
        """Drop the first `n` bytes (all of them when n exceeds the size)."""
        self._apply(ChainTrimFront(self._unpinned(n), n))

    def trim_back(self, n: int) -> None:
        """Drop the last `n` bytes (all of them when n exceeds the size)."""
        self._apply(ChainTrimBack(self._unpinned(n), n))

    def pop_front(self) -> None:
        """Drop the first fragment; OutOfRange when empty."""
        self._apply(PopFront(self._unpinned()))

    def pop_back(self) -> None:
        """Drop the last fragment; OutOfRange when empty."""
        self._apply(PopBack(self._unpinned()))

    def send(self, core: Core) -> IoBuf:
        """Move this iobuf to `core`; this object is dead afterwards."""
        action = ChainSend(self._live(), self._system._core_id(core))
        new = self._derive(action)
        self._slot = None  # ownership moved to `new`
        new._exports, self._exports = self._exports, []  # pinned memory moved with it
        return new

    def release(self) -> None:
        """Drop this iobuf and its fragment references (foreign last drops defer)."""
        self._apply(ChainRelease(self._unpinned()))
        self._slot = None

    def __enter__(self) -> IoBuf:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._slot is not None:
            self.release()

    def __repr__(self) -> str:
        if self._slot is None:
            return "<IoBuf released>"
        return f"<IoBuf slot={self._slot} size={len(self)} holder={self.holder} " \
            f"fragments={len(self._chain().fragments)}>"
