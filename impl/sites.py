"""Bindings for sites.c: the library's version, its table of atomic sites, and the trace hook.

`site_table()` is what `iobuf verify` checks with the RC11 explorer: every
(site, operation, memory order) the library declares. In the traced build
(`iobuf.impl.build.build("traced")`), `set_trace_callback` routes every
atomic operation, payload access, free and owner-state access to Python,
tagged with the core performing it; `iobuf.impl.traced` feeds them to the
online RC11 checker.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import _ffi

MEMORY_ORDERS = ("relaxed", "consume", "acquire", "release", "acq_rel", "seq_cst")
"""C11 `memory_order` values, in enum order (as GCC and Clang number them)."""

EVENT_KINDS = {1: "atomic", 2: "read", 3: "write", 4: "alloc", 5: "free", 6: "core_state",
               7: "send"}
"""`iob_event_kind` values (iobuf.h)."""

ATOMIC_OPS = ("", "load", "store", "rmw", "fence")
"""`iob_atomic_op` values (iobuf.h): what an atomic event did."""


@dataclass(frozen=True, slots=True)
class Site:
    """One row of the site table: where an atomic operation happens, which, and its order."""

    site: str
    op: str
    order: str


class TraceEvent(ctypes.Structure):
    """Mirror of `iob_trace_event`."""

    _fields_ = (("kind", ctypes.c_int32), ("core", ctypes.c_int32), ("site", ctypes.c_int32),
                ("order", ctypes.c_int32), ("op", ctypes.c_int32), ("reserved", ctypes.c_int32),
                ("addr", ctypes.c_void_p), ("offset", ctypes.c_uint64),
                ("length", ctypes.c_uint64), ("value_read", ctypes.c_uint64),
                ("value_written", ctypes.c_uint64), ("function", ctypes.c_char_p))


TRACE_FN = ctypes.CFUNCTYPE(None, ctypes.POINTER(TraceEvent))
"""The C type of a trace callback."""


def site_table(lib: _ffi.Library | None = None) -> tuple[Site, ...]:
    """Every (site, operation, order) the library was built with."""
    lib = lib or _ffi.load()
    count = ctypes.c_uint32()
    lib.dll.iob_sites_count(ctypes.byref(count))
    rows = []
    for i in range(count.value):
        site, op, order = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
        lib.dll.iob_site(i, ctypes.byref(site), ctypes.byref(op), ctypes.byref(order))
        rows.append(Site(*((v.value or b"").decode() for v in (site, op, order))))
    return tuple(rows)


def set_trace_callback(lib: _ffi.Library, fn: Callable[[TraceEvent], None] | None) -> Any:
    """Route the traced build's events to `fn` (None removes it); returns the C callback.

    Keep the returned object alive while tracing: ctypes frees the thunk with it.
    Raises InvalidArgument on a library built without tracing.
    """
    thunk = TRACE_FN(lambda ev: fn(ev.contents)) if fn is not None else TRACE_FN()
    register_thunk(lib, thunk)
    return thunk


def register_thunk(lib: _ffi.Library, thunk: Any) -> None:
    """Register a C callback made by `set_trace_callback` again (after another replaced it)."""
    rc = lib.dll.iob_trace_set_callback(thunk)
    if rc:
        raise lib.error(rc, "set_trace_callback")


_ffi.mirror("trace_event", TraceEvent)
_ffi.declare("iob_error_name", ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p))
_ffi.declare("iob_sites_count", ctypes.c_int, ctypes.POINTER(ctypes.c_uint32))
_ffi.declare("iob_site", ctypes.c_int, ctypes.c_uint32, ctypes.POINTER(ctypes.c_char_p),
             ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p))
_ffi.declare("iob_trace_set_callback", ctypes.c_int, TRACE_FN)
