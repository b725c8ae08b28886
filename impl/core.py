"""Bindings for core.c: `System` (owns an iob_system) and `Core` (allocates, polls, reports).

Every call runs on one OS thread; the core an operation runs on is the one
the model says (a core's own calls, or a handle's holder). The C library is
still correct under real threads (tests/c/stress.c runs it under TSan).
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import Any, Self

from iobuf.model.errors import InvalidArgument

from . import _ffi
from ._handle import Handle
from .buffer import _STAGE, Buffer
from .buffer import _Info as _BufInfo
from .chain import IoBuf, _ChainInfo


@dataclass(frozen=True, slots=True)
class CoreStats:
    """Per-core accounting: live allocations and bytes owned, and frees waiting in the queue."""

    live_allocations: int
    live_bytes: int
    pending_frees: int


class _Stats(ctypes.Structure):
    _fields_ = (("live_allocations", ctypes.c_uint64), ("live_bytes", ctypes.c_uint64),
                ("pending_frees", ctypes.c_uint64))


class System(Handle):
    """A thread-per-core system of `cores` cores, each with its own memory."""

    _kind = "system"

    def __init__(self, cores: int = 1, *, library: str | os.PathLike[str] | None = None) -> None:
        """Create a system of 1..64 idle cores on `library` (default: the bundled build)."""
        lib = _ffi.load(library)
        if not _ffi.is_int(cores):
            raise InvalidArgument(f"cores must be an int in [1, {lib.max_cores}], got {cores!r}")
        out = ctypes.c_void_p()
        n = cores if 0 <= cores <= lib.max_cores else 0
        _ffi.checker(lib, f"System(cores={cores!r})")(lib.dll.iob_system_new(n, ctypes.byref(out)))
        assert out.value is not None
        super().__init__(out.value)
        self._lib = lib
        self._dll: Any = lib.dll
        self._cores = tuple(Core(self, i) for i in range(cores))
        # Every buffer/iobuf handle made, for close() to release the live ones.
        # Dead ones (_ptr None) are only dropped when the list has doubled
        # (`_register`): an append is cheaper than a dict insert plus delete.
        self._handles: list[Buffer | IoBuf] = []
        self._handles_limit = 64
        # The bindings call through the word prototypes (`_ffi.Library.words`):
        # out-parameters are cells reused by every call (a System is used from
        # one Python thread), passed by address as plain ints.
        self._w: Any = lib.words
        self._out = ctypes.c_void_p()
        self._out_at = ctypes.addressof(self._out)
        self._u64 = ctypes.c_uint64()
        self._u64_at = ctypes.addressof(self._u64)
        self._u64b = ctypes.c_uint64()
        self._u64b_at = ctypes.addressof(self._u64b)
        self._buf_info = _BufInfo()
        self._buf_info_at = ctypes.addressof(self._buf_info)
        self._int_cells: dict[int, tuple[Any, int]] = {
            n: (cell, ctypes.addressof(cell)) for n, cell in (
                (1, ctypes.c_uint8()), (2, ctypes.c_uint16()), (4, ctypes.c_uint32()),
                (8, self._u64))}
        self._chain_info = _ChainInfo()
        self._chain_info_at = ctypes.addressof(self._chain_info)
        self._stage = (ctypes.c_char * _STAGE)()
        self._stage_at = ctypes.addressof(self._stage)
        self._stage_view = memoryview(self._stage)
        # The hottest entry points, bound once (the wrapper must cost no more than the FFI).
        self._c_alloc = self._w.iob_alloc
        self._c_buf_release = self._w.iob_buf_release
        self._c_buf_read = self._w.iob_buf_read
        self._c_chain_release = self._w.iob_chain_release
        self._c_buf_info = self._w.iob_buf_info_get
        self._c_chain_info = self._w.iob_chain_info_get

    @property
    def cores(self) -> tuple[Core, ...]:
        """Every core, by id."""
        return self._cores

    @property
    def library(self) -> _ffi.Library:
        """The C library this system runs on."""
        return self._lib

    def core(self, i: int) -> Core:
        """Core number `i`."""
        if not _ffi.is_int(i) or not 0 <= i < len(self._cores):
            raise InvalidArgument(f"no core {i!r} in a system of {len(self._cores)} cores")
        return self._cores[i]

    def _core_id(self, core: object) -> int:
        if not isinstance(core, Core) or core.system is not self:
            raise InvalidArgument(f"{core!r} is not a core of this system")
        return core.id

    def _take(self) -> int:
        """The pointer the last call stored in the shared out-parameter."""
        ptr = self._out.value
        assert ptr is not None, "a successful call always sets its out-parameter"
        return ptr

    def _fail(self, rc: int, what: str) -> Exception:
        return self._lib.error(rc, what)

    def _compact(self) -> None:
        """Forget the dead handles (called when the registry outgrows its limit)."""
        live = [h for h in self._handles if h._ptr is not None]
        self._handles = live
        self._handles_limit = 2 * len(live) + 64

    def close(self) -> None:
        """Release every handle still alive (each on its holder), poll every core, free it all.

        Raises BufferError, changing nothing, while a memoryview exported by
        a consumer is alive. Closing twice does nothing.
        """
        ptr = self._ptr
        if ptr is None:
            return
        live = [h for h in self._handles if h._ptr is not None]
        for h in live:
            h._check_no_exports()
        for h in live:
            h.release()
        self._handles = []
        for c in self._cores:
            c.poll()
        rc = self._w.iob_system_destroy(ptr)
        if rc:
            raise self._fail(rc, "System.close")
        self._ptr = None

    def __enter__(self) -> Self:
        return self

    def __del__(self) -> None:
        if getattr(self, "_ptr", None) is None:
            return
        try:  # noqa: SIM105  # no contextlib: at interpreter exit module globals may be gone
            self.close()
        except BaseException:  # never raise from a finaliser (globals may be gone at exit)
            pass

    def __repr__(self) -> str:
        return f"iobuf.impl.System(cores={len(self._cores)})"


class Core:
    """One core (one shard): allocates, polls its deferred-free queue, reports its stats."""

    __slots__ = ("__weakref__", "id", "system")

    def __init__(self, system: System, core_id: int) -> None:
        """A core of `system` (use `System.core`)."""
        self.system = system
        self.id = core_id

    def alloc(self, size: int) -> Buffer:
        """Allocate `size` zero-filled bytes owned and held by this core."""
        s = self.system
        if type(size) is not int or not -(1 << 62) <= size <= 1 << 62:
            s._ptr if s._ptr is not None else s._live()  # a closed system first
            if not _ffi.is_int(size):
                raise InvalidArgument(f"alloc: size must be a non-negative int, got {size!r}")
            size = _ffi.clamp(size)
        # A closed system passes NULL, which C refuses: the liveness check waits for an error.
        rc = s._c_alloc(s._ptr, self.id, size, s._out_at)
        if rc:
            s._ptr if s._ptr is not None else s._live()
            raise s._fail(rc, f"alloc({size})")
        # Buffer(s, ptr, size), inlined: a Python __init__ frame costs a tenth of the FFI call.
        b = _new(Buffer)
        b._ptr = s._out.value
        b._system = s
        b._size = size
        handles = s._handles
        handles.append(b)
        if len(handles) > s._handles_limit:
            s._compact()
        return b

    def iobuf(self) -> IoBuf:
        """A new, empty iobuf held by this core."""
        s = self.system
        rc = s._w.iob_chain_new(s._ptr if s._ptr is not None else s._live(), self.id, s._out_at)
        if rc:
            raise s._fail(rc, "iobuf()")
        return IoBuf(s, s._out.value, 0)  # type: ignore[arg-type]

    def poll(self) -> int:
        """Free everything foreign cores queued for this core; return how many."""
        s = self.system
        rc = s._w.iob_core_poll(s._ptr if s._ptr is not None else s._live(), self.id, s._u64_at)
        if rc:
            raise s._fail(rc, "poll")
        return s._u64.value

    @property
    def stats(self) -> CoreStats:
        """This core's accounting (all zero once the system is closed: it freed everything)."""
        s = self.system
        if s._ptr is None:
            return CoreStats(0, 0, 0)
        out = _Stats()
        rc = s._w.iob_core_stats(s._ptr, self.id, ctypes.addressof(out))
        if rc:
            raise s._fail(rc, "stats")
        return CoreStats(out.live_allocations, out.live_bytes, out.pending_frees)

    def __repr__(self) -> str:
        return f"{self.system!r}.core({self.id})"



_new = object.__new__
_V, _I32 = ctypes.c_void_p, ctypes.c_int32
_ffi.mirror("stats", _Stats)
_ffi.declare("iob_system_new", ctypes.c_int, _I32, _ffi.c_void_pp)
_ffi.declare("iob_system_destroy", ctypes.c_int, _V)
_ffi.declare("iob_system_cores", ctypes.c_int, _V, ctypes.POINTER(_I32))
_ffi.declare("iob_core_poll", ctypes.c_int, _V, _I32, _ffi.c_uint64_p)
_ffi.declare("iob_core_stats", ctypes.c_int, _V, _I32, ctypes.POINTER(_Stats))
_ffi.declare("iob_alloc", ctypes.c_int, _V, _I32, ctypes.c_int64, _ffi.c_void_pp)
_ffi.declare("iob_chain_new", ctypes.c_int, _V, _I32, _ffi.c_void_pp)
