"""Bindings for buffer.c: `Buffer`, a handle on a ref-counted view (`seastar::temporary_buffer`).

Argument checks follow `iobuf.model.step.check`'s order: a dead handle
first, then argument types (here, in Python: C cannot see a `bool` or a
`str`), then ranges and sharing (in C, which owns the sizes). Python ints
are clamped into int64 before the call (`_ffi.clamp`), which keeps their
error class.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING

from iobuf.model.errors import InvalidArgument

from . import _ffi
from ._handle import Handle

if TYPE_CHECKING:
    from .core import Core, System


class _Info(ctypes.Structure):
    _fields_ = (("size", ctypes.c_uint64), ("refcount", ctypes.c_uint64),
                ("owner", ctypes.c_int32), ("holder", ctypes.c_int32))


class Buffer(Handle):
    """A handle to a ref-counted view of memory (`seastar::temporary_buffer`)."""

    __slots__ = ("_size", "_system")
    _kind = "buffer"

    def __init__(self, system: System, ptr: int, size: int = -1) -> None:
        """Own the iob_buf at `ptr` (made by Core.alloc, share, clone, send).

        `size` is the view's size when the caller knows it (-1: ask C). Only
        this handle's own trims change it, so it is kept here, not re-read.
        """
        self._ptr = ptr  # Handle.__init__, inlined: this is the hot path
        self._system = system
        self._size = size
        handles = system._handles  # released by System.close if never released
        handles.append(self)
        if len(handles) > system._handles_limit:
            system._compact()

    def _info(self) -> _Info:
        """The C description, in the system's reused cell: read it at once."""
        s = self._system
        s._c_buf_info(self._ptr if self._ptr is not None else self._live(), s._buf_info_at)
        info = s._buf_info
        self._size = info.size
        return info

    def _check_no_exports(self) -> None:
        """Buffers export no memoryviews (reads copy)."""

    @property
    def size(self) -> int:
        """Bytes this handle views."""
        if self._size >= 0 and self._ptr is not None:
            return self._size
        return self._info().size  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return self.size

    @property
    def owner(self) -> int:
        """The core that allocated the memory (and must free it)."""
        return self._info().owner  # type: ignore[no-any-return]

    @property
    def holder(self) -> int:
        """The core this handle lives on."""
        return self._info().holder  # type: ignore[no-any-return]

    @property
    def refcount(self) -> int:
        """Live views of the underlying allocation."""
        s = self._system  # _info(), inlined: the refcount is read before every write
        s._c_buf_info(self._ptr if self._ptr is not None else self._live(), s._buf_info_at)
        return s._buf_info.refcount  # type: ignore[no-any-return]

    def _span(self, what: str, pos: object, size: object) -> tuple[int, int]:
        """(pos, size) as int64 arguments: both type-checked here, ranges left to C."""
        p = pos if type(pos) is int and -_LIMIT <= pos <= _LIMIT else _ffi.int_arg(pos, what)
        if size is None:
            return p, self._system._lib.to_end
        return p, (size if type(size) is int and -_LIMIT <= size <= _LIMIT
                   else _ffi.int_arg(size, what))

    def read(self, pos: int = 0, size: int | None = None) -> bytes:
        """The bytes `[pos, pos + size)` of this view (to the end when size is None)."""
        ptr = self._ptr if self._ptr is not None else self._live()
        if type(pos) is int and -_LIMIT <= pos <= _LIMIT and (
                type(size) is int and -_LIMIT <= size <= _LIMIT):  # _span(), inlined
            p, n = pos, size
        else:
            p, n = self._span("read", pos, size)
        s = self._system
        # C copies into the system's staging cell, Python copies that into bytes:
        # one FFI call. Out of range, or more than the cell holds: peek below.
        if not s._c_buf_read(ptr, p, n, s._stage_at, _STAGE, s._u64_at):
            return s._stage_view[: s._u64.value].tobytes()
        rc = s._w.iob_buf_peek(ptr, p, n, s._out_at, s._u64_at)
        if rc:
            raise s._fail(rc, f"read({pos!r}, {size!r})")
        n = s._u64.value
        # One copy out of C memory; from_address avoids string_at's second FFI call.
        return (_CHAR * n).from_address(s._out.value).raw if n else b""  # type: ignore[arg-type]

    def write(self, pos: int, data: bytes) -> None:
        """Overwrite bytes at `pos`; raises SharedWriteError while other views exist."""
        ptr = self._ptr if self._ptr is not None else self._live()
        raw = data if type(data) is bytes else _ffi.to_bytes(data)
        if raw is None:
            raise InvalidArgument(f"write: data must be bytes-like, got {type(data).__name__}")
        p = pos if type(pos) is int and -_LIMIT <= pos <= _LIMIT else _ffi.int_arg(pos, "write")
        rc = self._system._w.iob_buf_write(ptr, p, raw, len(raw))
        if rc:
            raise self._system._fail(rc, f"write({pos!r}, <{len(raw)} bytes>)")

    def share(self, pos: int = 0, size: int | None = None) -> Buffer:
        """A zero-copy view of `[pos, pos + size)` on the same holder (refcount + 1)."""
        ptr = self._ptr if self._ptr is not None else self._live()
        if size is None and type(pos) is int and -_LIMIT <= pos <= _LIMIT:  # _span(), inlined
            p, n = pos, self._system._lib.to_end
        else:
            p, n = self._span("share", pos, size)
        s = self._system
        rc = s._w.iob_buf_share(ptr, p, n, s._out_at)
        if rc:
            raise s._fail(rc, f"share({pos!r}, {size!r})")
        # The view's size: `n`, or what lies past `p` when sharing to the end.
        known = self._size
        return Buffer(s, s._out.value, n if size is not None else  # type: ignore[arg-type]
                      known - p if known >= 0 else -1)

    def trim(self, size: int) -> None:
        """Keep only the first `size` bytes of this view."""
        ptr = self._live()
        if not _ffi.is_int(size):
            raise InvalidArgument(f"trim: expected an int, got {size!r}")
        rc = self._system._w.iob_buf_trim(ptr, _ffi.clamp(size))
        if rc:
            raise self._system._fail(rc, f"trim({size!r})")
        self._size = -1

    def trim_front(self, n: int) -> None:
        """Drop the first `n` bytes of this view."""
        ptr = self._live()
        if not _ffi.is_int(n):
            raise InvalidArgument(f"trim_front: expected an int, got {n!r}")
        rc = self._system._w.iob_buf_trim_front(ptr, _ffi.clamp(n))
        if rc:
            raise self._system._fail(rc, f"trim_front({n!r})")
        self._size = -1

    def clone(self) -> Buffer:
        """A deep copy owned and held by this handle's holder."""
        s = self._system
        rc = s._w.iob_buf_clone(self._live(), s._out_at)
        if rc:
            raise s._fail(rc, "clone()")
        return Buffer(s, s._take(), self._size)

    def send(self, core: Core) -> Buffer:
        """Move this handle to `core`; this object is dead afterwards."""
        ptr = self._ptr if self._ptr is not None else self._live()
        s = self._system
        cid = core.id if type(core) is _Core and core.system is s else s._core_id(core)
        rc = s._w.iob_buf_send(ptr, cid, s._out_at)
        if rc:
            raise s._fail(rc, "send")
        new = s._out.value
        self._ptr = None
        return Buffer(s, new, self._size)  # type: ignore[arg-type]

    def _forget(self) -> None:
        """This handle's C object was consumed by a C call: it dies here."""
        self.detach()

    def _dispose(self, ptr: int) -> None:
        rc = self._system._c_buf_release(ptr)
        if rc:
            raise self._system._fail(rc, "release")

    def release(self) -> None:
        """Drop this handle (the last drop frees, or defers the free to the owner core)."""
        s = self._system  # close(), inlined; a dead handle passes NULL, which C refuses:
        rc = s._c_buf_release(self._ptr)  # the liveness check waits for an error
        if rc:
            self._live()
            raise s._fail(rc, "release")
        self._ptr = None

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<Buffer released>"
        i = self._info()
        size, owner, holder, refcount = i.size, i.owner, i.holder, i.refcount
        return f"<Buffer size={size} owner={owner} holder={holder} refcount={refcount}>"


_LIMIT = _ffi.LIMIT
_CHAR = ctypes.c_char
_STAGE = 16 << 10
"""Bytes of a System's staging cell (`Buffer.read` of up to this many takes one FFI call)."""
_V, _I32, _I64, _U64 = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64, ctypes.c_uint64
_ffi.mirror("buf_info", _Info)
_ffi.declare("iob_buf_info_get", ctypes.c_int, _V, ctypes.POINTER(_Info))
_ffi.declare("iob_buf_peek", ctypes.c_int, _V, _I64, _I64, _ffi.c_void_pp, _ffi.c_uint64_p)
_ffi.declare("iob_buf_read", ctypes.c_int, _V, _I64, _I64, _V, _U64, _ffi.c_uint64_p)
_ffi.declare("iob_buf_write", ctypes.c_int, _V, _I64, ctypes.c_char_p, _U64)
_ffi.declare("iob_buf_share", ctypes.c_int, _V, _I64, _I64, _ffi.c_void_pp)
_ffi.declare("iob_buf_trim", ctypes.c_int, _V, _I64)
_ffi.declare("iob_buf_trim_front", ctypes.c_int, _V, _I64)
_ffi.declare("iob_buf_clone", ctypes.c_int, _V, _ffi.c_void_pp)
_ffi.declare("iob_buf_send", ctypes.c_int, _V, _I32, _ffi.c_void_pp)
_ffi.declare("iob_buf_release", ctypes.c_int, _V)

from .core import Core as _Core  # noqa: E402  # late: core.py imports this module
