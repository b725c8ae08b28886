"""Bindings for chain.c: `IoBuf`, a chain of ref-counted fragments (Redpanda's `iobuf`).

Zero-copy exports: a `Consumer` hands its callback memoryviews straight
over fragment memory. Such a view pins the iobuf: while one is alive, any
call that could free fragment memory (trims, pops, release, System.close)
raises BufferError and changes nothing, as `bytearray` refuses to resize
while exported. Sends and prepends carry the pins along with the memory.
"""

from __future__ import annotations

import ctypes
import weakref
from dataclasses import dataclass
from functools import total_ordering
from typing import TYPE_CHECKING, Any

from iobuf.model.errors import InvalidArgument

from . import _ffi, hexdump
from ._handle import Handle
from .buffer import Buffer

if TYPE_CHECKING:
    from .consumer import Consumer
    from .core import Core, System


@dataclass(frozen=True, slots=True)
class Fragment:
    """What `IoBuf.fragments` shows of one fragment: used bytes, capacity, owner, refcount."""

    size: int
    capacity: int
    owner: int
    refcount: int


class _ChainInfo(ctypes.Structure):
    _fields_ = (("size", ctypes.c_uint64), ("fragments", ctypes.c_uint64),
                ("holder", ctypes.c_int32), ("reserved", ctypes.c_int32))


class _FragmentInfo(ctypes.Structure):
    _fields_ = (("size", ctypes.c_uint64), ("capacity", ctypes.c_uint64),
                ("refcount", ctypes.c_uint64), ("owner", ctypes.c_int32),
                ("reserved", ctypes.c_int32))


@total_ordering
class IoBuf(Handle):
    """A chain of ref-counted fragments held by one core (Redpanda's `iobuf`)."""

    __slots__ = ("_exports", "_len", "_system")
    __hash__ = None  # type: ignore[assignment]  # mutable; compare by bytes instead
    _kind = "iobuf"

    def __init__(self, system: System, ptr: int, length: int = -1) -> None:
        """Own the iob_chain at `ptr` (made by Core.iobuf, share, copy, send).

        `length` is the chain's size when the caller knows it (-1: ask C). A
        chain belongs to this one handle, so only this handle's calls change
        its size: they keep `_len` up to date (or reset it to -1).
        """
        self._ptr = ptr  # Handle.__init__, inlined: this is a hot path
        self._system = system
        self._len = length
        self._exports: list[weakref.ref[Any]] = []
        handles = system._handles  # released by System.close if never released
        handles.append(self)
        if len(handles) > system._handles_limit:
            system._compact()

    # -- plumbing -----------------------------------------------------------
    def _fail(self, rc: int, what: str) -> Exception:
        return self._system._fail(rc, what)

    def _check_no_exports(self) -> None:
        """BufferError while a memoryview over this iobuf's fragments is alive."""
        if self._exports:
            self._exports = [r for r in self._exports if r() is not None]
            if self._exports:
                raise BufferError(f"{len(self._exports)} memoryview(s) of this iobuf are alive")

    def _mutate(self, rc: int, what: str) -> None:
        if rc:
            raise self._fail(rc, what)

    def _info(self) -> _ChainInfo:
        """The C description, in the system's reused cell: read it at once."""
        s = self._system
        s._c_chain_info(self._ptr if self._ptr is not None else self._live(), s._chain_info_at)
        info = s._chain_info
        self._len = info.size
        return info

    def _buffer(self, buf: object) -> int:
        if not isinstance(buf, Buffer) or buf._system is not self._system:
            raise InvalidArgument(f"{buf!r} is not a buffer of this system")
        return buf._live()

    def _other(self, other: object) -> int:
        if not isinstance(other, IoBuf) or other._system is not self._system:
            raise InvalidArgument(f"{other!r} is not an iobuf of this system")
        return other._live()

    def _adopt(self, ptr: int) -> IoBuf:
        """A handle on a chain holding the same bytes as this one (a copy, or this one sent)."""
        return IoBuf(self._system, ptr, self._len)

    # -- queries ------------------------------------------------------------
    @property
    def holder(self) -> int:
        """The core this iobuf lives on."""
        return int(self._info().holder)

    @property
    def fragments(self) -> tuple[Fragment, ...]:
        """Each fragment's used bytes, capacity, owner core and refcount."""
        n = int(self._info().fragments)
        ptr = self._live()
        out = (_FragmentInfo * n)()
        s = self._system
        self._mutate(s._w.iob_chain_fragments(ptr, out, n, s._u64_at), "fragments")
        return tuple(Fragment(f.size, f.capacity, f.owner, f.refcount) for f in out)

    def read(self, pos: int = 0, size: int | None = None) -> bytes:
        """The bytes `[pos, pos + size)` (to the end when size is None)."""
        ptr = self._live()
        if not _ffi.is_int(pos) or not (size is None or _ffi.is_int(size)):
            raise InvalidArgument(f"read: pos and size must be int, got {pos!r}, {size!r}")
        p = _ffi.clamp(pos)
        n = self._system._lib.to_end if size is None else _ffi.clamp(size)
        s = self._system
        self._mutate(s._w.iob_chain_read(ptr, p, n, None, s._u64_at), "read")
        length = s._u64.value
        if not length:
            return b""
        dst = ctypes.create_string_buffer(length)
        self._mutate(s._w.iob_chain_read(ptr, p, n, dst, s._u64_at), "read")
        return dst.raw

    def __bytes__(self) -> bytes:
        return self.read()

    def __len__(self) -> int:
        if self._len >= 0 and self._ptr is not None:
            return self._len
        return self._info().size  # type: ignore[no-any-return]

    def _compare(self, other: IoBuf) -> int:
        a, b = self._live(), other._live()
        cmp = ctypes.c_int32()
        self._mutate(self._system._w.iob_chain_compare(a, b, ctypes.addressof(cmp)), "compare")
        return int(cmp.value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IoBuf):
            return NotImplemented
        return self._compare(other) == 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, IoBuf):
            return NotImplemented
        return self._compare(other) < 0  # unsigned lexicographic, like bytes

    def hexdump(self, limit: int = 1024) -> str:
        """`hexdump -Cv`-style lines for the first `limit` bytes."""
        live = self._live()  # a dead handle first, then the arguments (the guard's order)
        if not _ffi.is_int(limit) or limit < 0:
            raise InvalidArgument(f"hexdump: limit must be a non-negative int, got {limit!r}")
        return hexdump.render(self._system, live, _ffi.clamp(limit))

    def consumer(self) -> Consumer:
        """A cursor that reads this iobuf from the front without copying it."""
        return _Consumer(self)

    # -- mutations ----------------------------------------------------------
    def append(self, data: bytes) -> None:
        """Copy `data` onto the end: the last fragment's slack first, then new fragments."""
        ptr = self._ptr if self._ptr is not None else self._live()
        raw = data if type(data) is bytes else _ffi.to_bytes(data)
        if raw is None:
            raise InvalidArgument(f"append: data must be bytes-like, got {type(data).__name__}")
        n = len(raw)
        rc = self._system._w.iob_chain_append(ptr, raw, n)
        if rc:
            raise self._fail(rc, "append")
        if self._len >= 0:
            self._len += n

    def append_buffer(self, buf: Buffer) -> None:
        """Consume `buf`: copied when small, else it becomes a new fragment (zero-copy)."""
        ptr = self._live()
        self._mutate(self._system._w.iob_chain_append_buffer(ptr, self._buffer(buf)),
                     "append_buffer")
        self._len = -1
        buf._forget()  # the reference moved into this iobuf (or was dropped after copying)

    def prepend_buffer(self, buf: Buffer) -> None:
        """Consume `buf` as the new first fragment (zero-copy)."""
        ptr = self._live()
        self._mutate(self._system._w.iob_chain_prepend_buffer(ptr, self._buffer(buf)),
                     "prepend_buffer")
        self._len = -1
        buf._forget()  # the reference moved into this iobuf

    def append_fragments(self, other: IoBuf) -> None:
        """Share every fragment of `other` onto the end (zero-copy; `other` is unchanged)."""
        ptr = self._live()
        self._mutate(self._system._w.iob_chain_append_fragments(ptr, self._other(other)),
                     "append_fragments")
        self._len = -1

    def prepend(self, other: IoBuf) -> None:
        """Consume `other`, moving its fragments in front of this iobuf's."""
        ptr = self._live()
        self._mutate(self._system._w.iob_chain_prepend(ptr, self._other(other)), "prepend")
        self._len = -1
        self._exports += other._exports  # its pinned memory now lives here
        other._forget()  # its fragments moved into this iobuf

    def share(self, pos: int, size: int) -> IoBuf:
        """A new iobuf viewing `[pos, pos + size)` without copying (refcounts + 1)."""
        ptr = self._ptr if self._ptr is not None else self._live()
        p = pos if type(pos) is int and -_LIMIT <= pos <= _LIMIT else _ffi.int_arg(pos, "share")
        n = size if type(size) is int and -_LIMIT <= size <= _LIMIT else _ffi.int_arg(size, "share")
        s = self._system
        rc = s._w.iob_chain_share(ptr, p, n, s._out_at)
        if rc:
            raise self._fail(rc, f"share({pos}, {size})")
        return IoBuf(s, s._out.value, n)  # type: ignore[arg-type]  # C checked 0 <= n

    def copy(self) -> IoBuf:
        """A deep copy in fresh fragments owned by the holder."""
        s = self._system
        self._mutate(s._w.iob_chain_copy(self._live(), s._out_at), "copy")
        return self._adopt(s._take())

    def _trim(self, fn: Any, n: object, what: str) -> None:
        ptr = self._ptr if self._ptr is not None else self._live()
        count = n if type(n) is int and -_LIMIT <= n <= _LIMIT else _ffi.int_arg(n, what)
        if self._exports:
            self._check_no_exports()
        rc = fn(ptr, count)
        if rc:
            raise self._fail(rc, what)
        if self._len >= 0:  # C checked 0 <= count; a trim beyond the size empties the chain
            self._len = self._len - count if count < self._len else 0

    def _pop(self, fn: Any, what: str) -> None:
        ptr = self._live()
        self._check_no_exports()
        self._mutate(fn(ptr), what)
        self._len = -1

    def trim_front(self, n: int) -> None:
        """Drop the first `n` bytes (all of them when n exceeds the size)."""
        self._trim(self._system._w.iob_chain_trim_front, n, "trim_front")

    def trim_back(self, n: int) -> None:
        """Drop the last `n` bytes (all of them when n exceeds the size)."""
        self._trim(self._system._w.iob_chain_trim_back, n, "trim_back")

    def pop_front(self) -> None:
        """Drop the first fragment; OutOfRange when empty."""
        self._pop(self._system._w.iob_chain_pop_front, "pop_front")

    def pop_back(self) -> None:
        """Drop the last fragment; OutOfRange when empty."""
        self._pop(self._system._w.iob_chain_pop_back, "pop_back")

    def send(self, core: Core) -> IoBuf:
        """Move this iobuf to `core`; this object is dead afterwards."""
        ptr = self._live()
        s = self._system
        self._mutate(s._w.iob_chain_send(ptr, s._core_id(core), s._out_at), "send")
        new = self._adopt(s._take())
        new._exports, self._exports = self._exports, []
        self._forget()  # C freed the old chain: its fragments moved into `new`
        return new

    def _forget(self) -> None:
        """This chain's C object was consumed by a C call: it dies here."""
        self.detach()

    def _dispose(self, ptr: int) -> None:
        self.release()

    def release(self) -> None:
        """Drop this iobuf and its fragment references (foreign last drops defer)."""
        ptr = self._ptr if self._ptr is not None else self._live()  # close(), inlined
        if self._exports:
            self._check_no_exports()
        s = self._system
        rc = s._c_chain_release(ptr)
        if rc:
            raise self._fail(rc, "release")
        self._ptr = None

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<IoBuf released>"
        i = self._info()
        size, holder, fragments = i.size, i.holder, i.fragments
        return f"<IoBuf size={size} holder={holder} fragments={fragments}>"


_LIMIT = _ffi.LIMIT
_V, _I32, _I64, _U64 = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64, ctypes.c_uint64
_ffi.mirror("chain_info", _ChainInfo)
_ffi.mirror("fragment_info", _FragmentInfo)
_ffi.declare("iob_chain_info_get", ctypes.c_int, _V, ctypes.POINTER(_ChainInfo))
_ffi.declare("iob_chain_fragments", ctypes.c_int, _V, ctypes.POINTER(_FragmentInfo), _U64,
             _ffi.c_uint64_p)
_ffi.declare("iob_chain_read", ctypes.c_int, _V, _I64, _I64, _V, _ffi.c_uint64_p)
_ffi.declare("iob_chain_append", ctypes.c_int, _V, ctypes.c_char_p, _U64)
_ffi.declare("iob_chain_append_buffer", ctypes.c_int, _V, _V)
_ffi.declare("iob_chain_prepend_buffer", ctypes.c_int, _V, _V)
_ffi.declare("iob_chain_append_fragments", ctypes.c_int, _V, _V)
_ffi.declare("iob_chain_prepend", ctypes.c_int, _V, _V)
_ffi.declare("iob_chain_share", ctypes.c_int, _V, _I64, _I64, _ffi.c_void_pp)
_ffi.declare("iob_chain_copy", ctypes.c_int, _V, _ffi.c_void_pp)
_ffi.declare("iob_chain_trim_front", ctypes.c_int, _V, _I64)
_ffi.declare("iob_chain_trim_back", ctypes.c_int, _V, _I64)
_ffi.declare("iob_chain_pop_front", ctypes.c_int, _V)
_ffi.declare("iob_chain_pop_back", ctypes.c_int, _V)
_ffi.declare("iob_chain_compare", ctypes.c_int, _V, _V, ctypes.POINTER(_I32))
_ffi.declare("iob_chain_send", ctypes.c_int, _V, _I32, _ffi.c_void_pp)
_ffi.declare("iob_chain_release", ctypes.c_int, _V)

from .consumer import Consumer as _Consumer  # noqa: E402  # late: consumer.py imports this module
