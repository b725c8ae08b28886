"""`Consumer`: Redpanda's iterator_consumer and iobuf_parser over an `IoBuf`.

A consumer borrows its iobuf: it keeps a byte position and reads the
fragments in place, handing each contiguous piece to a callback as a
read-only memoryview. It never copies the chain and never takes references,
so it must not outlive a change to the iobuf: any mutation, send or release
of the iobuf makes every later call raise ReleasedHandleError (where
Redpanda's iterator would be undefined behaviour).

Every read either succeeds completely or raises and leaves the position
where it was.
"""

from __future__ import annotations

import weakref
from array import array
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from .chain import read_chain
from .errors import InvalidArgument, OutOfRange, ReleasedHandleError
from .ownership import is_int, read_view

if TYPE_CHECKING:
    from .iobuf import IoBuf

MAX_VARINT_BYTES = 10
"""An unsigned LEB128 varint of a 64-bit value takes at most this many bytes."""


class Consumer:
    """A forward-only cursor over an iobuf's bytes."""

    def __init__(self, iobuf: IoBuf) -> None:
        """A cursor at the front of `iobuf` (use `IoBuf.consumer`)."""
        self._io = iobuf
        self._version = iobuf._version
        self._pos = 0

    def _check(self) -> int:
        """The iobuf's size, after making sure it is alive and unchanged."""
        if self._io._slot is None or self._io._version != self._version:
            raise ReleasedHandleError("the iobuf changed or died since this consumer was made")
        return len(self._io)

    def _count(self, n: object) -> int:
        left = self._check() - self._pos
        if not is_int(n):
            raise InvalidArgument(f"expected a byte count, got {n!r}")
        if not 0 <= n <= left:
            raise OutOfRange(f"{n} bytes requested, {left} left")
        return n

    def _pieces(self, n: int) -> Iterator[bytes]:
        """The contiguous pieces of the next `n` bytes, one per fragment."""
        chain = self._io._chain()
        state = self._io._system.state
        skip, left = self._pos, n
        for f in chain.fragments:
            if left == 0:
                return
            if skip >= f.view.size:
                skip -= f.view.size
                continue
            piece = read_view(state, f.view.sub(skip, min(left, f.view.size - skip)))
            skip, left = 0, left - len(piece)
            yield piece

    @property
    def bytes_consumed(self) -> int:
        """Bytes consumed so far."""
        self._check()
        return self._pos

    @property
    def bytes_left(self) -> int:
        """Bytes not yet consumed."""
        return self._check() - self._pos

    @property
    def is_finished(self) -> bool:
        """Whether every byte has been consumed."""
        return self.bytes_left == 0

    def consume(self, n: int, fn: Callable[[memoryview], object]) -> int:
        """Pass the next `n` bytes to `fn` piece by contiguous piece; stop when it returns True.

        Returns the bytes consumed: `n`, or fewer if `fn` stopped early (the
        piece it stopped on counts as consumed). The memoryviews pin the
        iobuf while they live: a callback that tries to trim, pop or release
        it gets BufferError. If `fn` changes it otherwise (an append), the next
        piece raises ReleasedHandleError.
        """
        n = self._count(n)
        if not callable(fn):
            raise InvalidArgument(f"consume: {fn!r} is not callable")
        done = 0
        for piece in list(self._pieces(n)):
            if done:
                self._check()  # the callback may have changed the iobuf under us
            stop = fn(self._export(piece))
            done += len(piece)
            self._pos += len(piece)
            if stop is True:
                break
        return done

    def _export(self, piece: bytes) -> memoryview:
        """A read-only view of `piece` that pins the iobuf while it (or a slice of it) lives.

        The model's bytes are immutable copies, so nothing could dangle; the pin
        exists so the model refuses what the implementation must refuse.
        """
        pinned = array("B", piece)
        self._io._exports.append(weakref.ref(pinned))
        return memoryview(pinned).toreadonly()

    def peek(self, n: int) -> bytes:
        """The next `n` bytes, without consuming them."""
        n = self._count(n)
        return read_chain(self._io._system.state, self._io._live(), self._pos, n)

    def consume_to(self, n: int) -> bytes:
        """Consume the next `n` bytes and return them."""
        data = self.peek(n)
        self._pos += n
        return data

    def skip(self, n: int) -> None:
        """Consume the next `n` bytes without reading them."""
        self._pos += self._count(n)

    def _int(self, width: int, order: str) -> int:
        return int.from_bytes(self.consume_to(width), order)  # type: ignore[arg-type]

    def read_u8(self) -> int:
        """Consume one byte as an unsigned integer."""
        return self._int(1, "little")

    def read_u16_le(self) -> int:
        """Consume 2 bytes as a little-endian unsigned integer."""
        return self._int(2, "little")

    def read_u16_be(self) -> int:
        """Consume 2 bytes as a big-endian unsigned integer."""
        return self._int(2, "big")

    def read_u32_le(self) -> int:
        """Consume 4 bytes as a little-endian unsigned integer."""
        return self._int(4, "little")

    def read_u32_be(self) -> int:
        """Consume 4 bytes as a big-endian unsigned integer."""
        return self._int(4, "big")

    def read_u64_le(self) -> int:
        """Consume 8 bytes as a little-endian unsigned integer."""
        return self._int(8, "little")

    def read_u64_be(self) -> int:
        """Consume 8 bytes as a big-endian unsigned integer."""
        return self._int(8, "big")

    def read_varint(self) -> int:
        """Consume an unsigned LEB128 varint (at most 10 bytes, value below 2**64).

        Raises OutOfRange if the bytes end mid-varint and InvalidArgument if it
        is longer than 10 bytes or overflows 64 bits; either way nothing is consumed.
        """
        data = self.peek(min(MAX_VARINT_BYTES, self.bytes_left))
        value = 0
        for i, byte in enumerate(data):
            value |= (byte & 0x7F) << (7 * i)
            if not byte & 0x80:
                if value >= 1 << 64:
                    raise InvalidArgument("varint overflows 64 bits")
                self._pos += i + 1
                return value
        if len(data) == MAX_VARINT_BYTES:
            raise InvalidArgument("varint longer than 10 bytes")
        raise OutOfRange("the bytes end inside a varint")

    def __repr__(self) -> str:
        return f"<Consumer at {self._pos} of {self._io!r}>"
