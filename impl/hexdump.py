"""Bindings for hexdump.c: `hexdump -Cv`-style text of a chain, rendered in C."""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING

from . import _ffi

if TYPE_CHECKING:
    from .core import System


def render(system: System, chain: int, limit: int) -> str:
    """The text for the first `limit` bytes of the live chain at `chain` (limit >= 0)."""
    dll, n = system._dll, ctypes.c_uint64()
    rc = dll.iob_chain_hexdump(chain, limit, None, 0, ctypes.byref(n))
    if rc:
        raise system._fail(rc, "hexdump")
    dst = ctypes.create_string_buffer(n.value)
    rc = dll.iob_chain_hexdump(chain, limit, dst, n.value, ctypes.byref(n))
    if rc:
        raise system._fail(rc, "hexdump")
    return dst.raw.decode("ascii")


_ffi.declare("iob_chain_hexdump", ctypes.c_int, ctypes.c_void_p, ctypes.c_int64,
             ctypes.c_char_p, ctypes.c_uint64, _ffi.c_uint64_p)
