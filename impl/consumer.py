"""Bindings for consumer.c: `Consumer`, Redpanda's iterator_consumer and iobuf_parser.

The cursor is a small C object borrowing its chain; this object holds the
`IoBuf` (children hold parents), checks it is alive before every call (a
released or sent iobuf is gone in C), and the C side checks the chain's
mutation count (a changed iobuf gives IOB_ERELEASED). `consume` passes each
contiguous chunk as a read-only memoryview straight over fragment memory;
each view pins the iobuf (see `iobuf.impl.chain`), so it can never dangle.
"""

from __future__ import annotations

import ctypes
import weakref
from collections.abc import Callable
from typing import Any

from iobuf.model.errors import InvalidArgument

from . import _ffi
from ._handle import Handle
from .chain import IoBuf


class Consumer(Handle):
    """A forward-only cursor over an iobuf's bytes."""

    __slots__ = ("_io", "_w")
    _kind = "consumer"

    def __init__(self, iobuf: IoBuf) -> None:
        """A cursor at the front of `iobuf` (use `IoBuf.consumer`)."""
        self._ptr = None  # set first: __del__ reads it even if this raises
        s = iobuf._system
        rc = s._w.iob_consumer_new(iobuf._ptr if iobuf._ptr is not None else iobuf._live(),
                                   s._out_at)
        if rc:
            raise s._fail(rc, "consumer")
        self._ptr = s._out.value  # Handle.__init__, inlined
        self._io = iobuf
        self._w: Any = s._w

    def _dispose(self, ptr: int) -> None:
        self._w.iob_consumer_destroy(ptr)

    def __del__(self) -> None:
        # Also at interpreter exit: only attributes of this object are used
        # (the library it holds stays loaded), never module globals.
        ptr = self._ptr  # None too if __init__ raised before owning one
        if ptr is not None:
            self._ptr = None
            self._w.iob_consumer_destroy(ptr)

    def _k(self) -> int:
        """The cursor, after checking that its iobuf is alive (else ReleasedHandleError)."""
        if self._io._ptr is None:
            self._io._live()
        return self._ptr if self._ptr is not None else self._live()

    def _check(self, rc: int, what: str) -> None:
        if rc:
            raise self._io._fail(rc, what)

    def _count(self, n: object, what: str) -> int:
        """`n` as an int64, or the model's error: a changed iobuf first, then the type."""
        k = self._k()
        if not _ffi.is_int(n):
            self._position(k)
            raise InvalidArgument(f"{what}: expected a byte count, got {n!r}")
        return _ffi.clamp(n)  # type: ignore[arg-type]

    def _position(self, k: int) -> tuple[int, int]:
        s = self._io._system
        rc = self._w.iob_consumer_position(k, s._u64_at, s._u64b_at)
        if rc:
            raise self._io._fail(rc, "consumer")
        return s._u64.value, s._u64b.value

    @property
    def bytes_consumed(self) -> int:
        """Bytes consumed so far."""
        return self._position(self._k())[0]

    @property
    def bytes_left(self) -> int:
        """Bytes not yet consumed."""
        io = self._io
        if io._ptr is None or self._ptr is None:
            return self._position(self._k())[1]
        s = io._system
        rc = self._w.iob_consumer_position(self._ptr, s._u64_at, s._u64b_at)
        if rc:
            raise io._fail(rc, "consumer")
        return s._u64b.value

    @property
    def is_finished(self) -> bool:
        """Whether every byte has been consumed."""
        return self.bytes_left == 0

    def consume(self, n: int, fn: Callable[[memoryview], object]) -> int:
        """Pass the next `n` bytes to `fn` piece by contiguous piece; stop when it returns True.

        Returns the bytes consumed: `n`, or fewer if `fn` stopped early (the
        piece it stopped on counts as consumed). The memoryviews are zero-copy
        and pin the iobuf while they live.
        """
        count = self._count(n, "consume")
        k = self._k()
        self._check(self._w.iob_consumer_peek(k, count, None), "consume")
        if not callable(fn):
            raise InvalidArgument(f"consume: {fn!r} is not callable")
        data, length = ctypes.c_void_p(), ctypes.c_uint64()
        done = 0
        while done < count:
            self._check(self._w.iob_consumer_chunk(
                self._k(), count - done, ctypes.addressof(data), ctypes.addressof(length)),
                "consume")
            view = self._export(data.value or 0, int(length.value))
            stop = fn(view)
            del view
            self._check(self._w.iob_consumer_skip(self._k(), length.value), "consume")
            done += length.value
            if stop is True:
                break
        return done

    def _export(self, address: int, length: int) -> memoryview:
        """A read-only memoryview of C memory that pins the iobuf while it (or a slice) lives."""
        array = (ctypes.c_char * length).from_address(address)
        array._pin = self._io  # type: ignore[attr-defined]  # the memory's owner stays alive
        self._io._exports.append(weakref.ref(array))
        return memoryview(array).cast("B").toreadonly()

    def _copy(self, fn: Any, n: int, what: str) -> bytes:
        count = self._count(n, what)
        k = self._k()
        self._check(fn(k, count, None), what)  # validate before allocating
        dst = ctypes.create_string_buffer(count)
        self._check(fn(k, count, dst), what)
        return dst.raw

    def peek(self, n: int) -> bytes:
        """The next `n` bytes, without consuming them."""
        return self._copy(self._w.iob_consumer_peek, n, "peek")

    def consume_to(self, n: int) -> bytes:
        """Consume the next `n` bytes and return them."""
        return self._copy(self._w.iob_consumer_consume_to, n, "consume_to")

    def skip(self, n: int) -> None:
        """Consume the next `n` bytes without reading them."""
        count = self._count(n, "skip")
        self._check(self._w.iob_consumer_skip(self._k(), count), "skip")

    def _read(self, fn: Any, width: int, what: str) -> int:
        """An integer read into the system's reused cell of `width` bytes."""
        io = self._io
        if io._ptr is None or self._ptr is None:
            self._k()  # ReleasedHandleError
        cell, at = io._system._int_cells[width]
        rc = fn(self._ptr, at)
        if rc:
            raise io._fail(rc, what)
        return cell.value  # type: ignore[no-any-return]

    def read_u8(self) -> int:
        """Consume one byte as an unsigned integer."""
        return self._read(self._w.iob_consumer_read_u8, 1, "read_u8")

    def read_u16_le(self) -> int:
        """Consume 2 bytes as a little-endian unsigned integer."""
        return self._read(self._w.iob_consumer_read_u16_le, 2, "read_u16_le")

    def read_u16_be(self) -> int:
        """Consume 2 bytes as a big-endian unsigned integer."""
        return self._read(self._w.iob_consumer_read_u16_be, 2, "read_u16_be")

    def read_u32_le(self) -> int:
        """Consume 4 bytes as a little-endian unsigned integer."""
        return self._read(self._w.iob_consumer_read_u32_le, 4, "read_u32_le")

    def read_u32_be(self) -> int:
        """Consume 4 bytes as a big-endian unsigned integer."""
        return self._read(self._w.iob_consumer_read_u32_be, 4, "read_u32_be")

    def read_u64_le(self) -> int:
        """Consume 8 bytes as a little-endian unsigned integer."""
        return self._read(self._w.iob_consumer_read_u64_le, 8, "read_u64_le")

    def read_u64_be(self) -> int:
        """Consume 8 bytes as a big-endian unsigned integer."""
        return self._read(self._w.iob_consumer_read_u64_be, 8, "read_u64_be")

    def read_varint(self) -> int:
        """Consume an unsigned LEB128 varint (at most 10 bytes, value below 2**64).

        Raises OutOfRange if the bytes end mid-varint and InvalidArgument if it
        is longer than 10 bytes or overflows 64 bits; either way nothing is consumed.
        """
        return self._read(self._w.iob_consumer_read_varint, 8, "read_varint")

    def __repr__(self) -> str:
        return f"<Consumer of {self._io!r}>"


_V, _I64, _U64 = ctypes.c_void_p, ctypes.c_int64, ctypes.c_uint64
_ffi.declare("iob_consumer_new", ctypes.c_int, _V, _ffi.c_void_pp)
_ffi.declare("iob_consumer_destroy", ctypes.c_int, _V)
_ffi.declare("iob_consumer_position", ctypes.c_int, _V, _ffi.c_uint64_p, _ffi.c_uint64_p)
_ffi.declare("iob_consumer_chunk", ctypes.c_int, _V, _I64, _ffi.c_void_pp, _ffi.c_uint64_p)
_ffi.declare("iob_consumer_peek", ctypes.c_int, _V, _I64, _V)
_ffi.declare("iob_consumer_consume_to", ctypes.c_int, _V, _I64, _V)
_ffi.declare("iob_consumer_skip", ctypes.c_int, _V, _I64)
for _name, _ctype in (("u8", ctypes.c_uint8), ("u16_le", ctypes.c_uint16),
                      ("u16_be", ctypes.c_uint16), ("u32_le", ctypes.c_uint32),
                      ("u32_be", ctypes.c_uint32), ("u64_le", ctypes.c_uint64),
                      ("u64_be", ctypes.c_uint64), ("varint", ctypes.c_uint64)):
    _ffi.declare(f"iob_consumer_read_{_name}", ctypes.c_int, _V, ctypes.POINTER(_ctype))
