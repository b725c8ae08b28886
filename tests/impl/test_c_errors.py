"""The C error paths, called straight through ctypes: bad input returns a code, never crashes.

These are the paths the Python layer never reaches (it checks types and
liveness first): NULL handles, bad cores, stale consumers, a system
destroyed while memory is live, and the "validate only" calls.
"""

from __future__ import annotations

import ctypes
from typing import Any

import pytest
from iobuf.impl import _ffi

OK, ERANGE, EINVAL, ESHARED, ERELEASED, ENOMEM, EWOULDBLOCK = range(7)


@pytest.fixture()
def c() -> Any:
    """The bundled library's CDLL with prototypes applied."""
    return _ffi.load().dll


def _new(dll: Any, fn: str, *args: object) -> int:
    out = ctypes.c_void_p()
    assert getattr(dll, fn)(*args, ctypes.byref(out)) == OK
    assert out.value is not None
    return out.value


def test_null_handles_and_bad_cores_are_einval(c: Any) -> None:
    out = ctypes.c_void_p()
    assert c.iob_system_new(0, ctypes.byref(out)) == EINVAL
    assert c.iob_system_new(65, ctypes.byref(out)) == EINVAL
    assert c.iob_system_new(1, None) == EINVAL
    s = _new(c, "iob_system_new", 2)
    assert c.iob_alloc(s, 2, 1, ctypes.byref(out)) == EINVAL
    assert c.iob_alloc(s, -1, 1, ctypes.byref(out)) == EINVAL
    assert c.iob_alloc(None, 0, 1, ctypes.byref(out)) == EINVAL
    assert c.iob_alloc(s, 0, -1, ctypes.byref(out)) == EINVAL
    assert c.iob_alloc(s, 0, (1 << 30) + 1, ctypes.byref(out)) == ENOMEM
    assert c.iob_core_poll(s, 7, None) == EINVAL
    assert c.iob_buf_release(None) == EINVAL
    assert c.iob_chain_release(None) == EINVAL
    assert c.iob_chain_append(None, b"x", 1) == EINVAL
    assert c.iob_consumer_skip(None, 0) == EINVAL
    assert c.iob_system_destroy(s) == OK


def test_buffer_ranges_sharing_and_send(c: Any) -> None:
    s = _new(c, "iob_system_new", 2)
    b = _new(c, "iob_alloc", s, 0, 8)
    data, n = ctypes.c_void_p(), ctypes.c_uint64()
    assert c.iob_buf_peek(b, 9, 0, ctypes.byref(data), ctypes.byref(n)) == ERANGE
    assert c.iob_buf_peek(b, 0, -5, ctypes.byref(data), ctypes.byref(n)) == ERANGE
    assert c.iob_buf_peek(b, 2, _ffi.load().to_end, ctypes.byref(data), ctypes.byref(n)) == OK
    assert n.value == 6
    assert c.iob_buf_write(b, 7, b"ab", 2) == ERANGE
    v = _new(c, "iob_buf_share", b, 0, 8)
    assert c.iob_buf_write(b, 0, b"ab", 2) == ESHARED
    assert c.iob_buf_send(v, 5, ctypes.byref(ctypes.c_void_p())) == EINVAL
    m = _new(c, "iob_buf_send", v, 1)  # v is consumed
    assert c.iob_buf_release(m) == OK  # foreign drop of a shared allocation: refcount 1
    assert c.iob_buf_write(b, 0, b"ab", 2) == OK
    assert c.iob_system_destroy(s) == EWOULDBLOCK  # b is still live: nothing destroyed
    assert c.iob_buf_release(b) == OK
    assert c.iob_system_destroy(s) == OK


def test_buffer_read_copies_in_one_call_within_its_capacity(c: Any) -> None:
    s = _new(c, "iob_system_new", 1)
    b = _new(c, "iob_alloc", s, 0, 8)
    assert c.iob_buf_write(b, 0, b"abcdefgh", 8) == OK
    dst, n = ctypes.create_string_buffer(8), ctypes.c_uint64()
    to_end = _ffi.load().to_end
    assert c.iob_buf_read(b, 2, 3, dst, 8, ctypes.byref(n)) == OK
    assert (n.value, dst.raw[:3]) == (3, b"cde")
    assert c.iob_buf_read(b, 3, to_end, dst, 8, ctypes.byref(n)) == OK
    assert (n.value, dst.raw[:5]) == (5, b"defgh")
    assert c.iob_buf_read(b, 9, 0, dst, 8, ctypes.byref(n)) == ERANGE
    assert c.iob_buf_read(b, 0, -5, dst, 8, ctypes.byref(n)) == ERANGE
    n.value = 0
    assert c.iob_buf_read(b, 0, to_end, dst, 4, ctypes.byref(n)) == ERANGE  # over capacity:
    assert n.value == 8 and dst.raw[:5] == b"defgh"  # the count is given, nothing copied
    assert c.iob_buf_read(b, 0, 0, None, 0, ctypes.byref(n)) == OK and n.value == 0
    assert c.iob_buf_read(b, 0, 1, None, 4, ctypes.byref(n)) == EINVAL
    assert c.iob_buf_read(b, 0, 1, dst, 8, None) == EINVAL
    assert c.iob_buf_read(None, 0, 1, dst, 8, ctypes.byref(n)) == EINVAL
    assert c.iob_buf_release(b) == OK
    assert c.iob_system_destroy(s) == OK


def test_chain_errors(c: Any) -> None:
    s = _new(c, "iob_system_new", 2)
    a = _new(c, "iob_chain_new", s, 0)
    b = _new(c, "iob_chain_new", s, 1)
    n = ctypes.c_uint64()
    assert c.iob_chain_pop_front(a) == ERANGE
    assert c.iob_chain_trim_back(a, -1) == ERANGE
    assert c.iob_chain_prepend(a, a) == EINVAL
    assert c.iob_chain_prepend(a, b) == EINVAL  # different holders
    assert c.iob_chain_append_fragments(a, b) == EINVAL
    assert c.iob_chain_append(a, b"hello", 5) == OK
    assert c.iob_chain_read(a, 3, 3, None, ctypes.byref(n)) == ERANGE
    assert c.iob_chain_read(a, 3, 2, None, ctypes.byref(n)) == OK and n.value == 2
    assert c.iob_chain_share(a, 6, 0, ctypes.byref(ctypes.c_void_p())) == ERANGE
    assert c.iob_chain_hexdump(a, -1, None, 0, ctypes.byref(n)) == EINVAL
    assert c.iob_chain_hexdump(a, 16, None, 0, ctypes.byref(n)) == OK
    small = ctypes.create_string_buffer(4)
    assert c.iob_chain_hexdump(a, 16, small, 4, ctypes.byref(n)) == ERANGE
    frags = ctypes.c_uint64()
    assert c.iob_chain_fragments(a, None, 0, ctypes.byref(frags)) == ERANGE and frags.value == 1
    buf = _new(c, "iob_alloc", s, 1, 4)
    assert c.iob_chain_append_buffer(a, buf) == EINVAL  # held by core 1: untouched
    assert c.iob_buf_release(buf) == OK
    for chain in (a, b):
        assert c.iob_chain_release(chain) == OK
    assert c.iob_system_destroy(s) == OK


def test_a_consumer_of_a_changed_chain_is_stale(c: Any) -> None:
    s = _new(c, "iob_system_new", 1)
    a = _new(c, "iob_chain_new", s, 0)
    assert c.iob_chain_append(a, b"\x01\x02\x03", 3) == OK
    k = _new(c, "iob_consumer_new", a)
    out = ctypes.c_uint8()
    assert c.iob_consumer_read_u8(k, ctypes.byref(out)) == OK and out.value == 1
    assert c.iob_consumer_skip(k, 3) == ERANGE
    assert c.iob_consumer_peek(k, -1, None) == ERANGE
    assert c.iob_chain_append(a, b"\x04", 1) == OK
    assert c.iob_consumer_read_u8(k, ctypes.byref(out)) == ERELEASED
    assert c.iob_consumer_destroy(k) == OK
    assert c.iob_chain_release(a) == OK
    assert c.iob_system_destroy(s) == OK


def test_error_names_and_the_site_table_bounds(c: Any) -> None:
    name = ctypes.c_char_p()
    assert c.iob_error_name(6, ctypes.byref(name)) == OK and name.value == b"IOB_EWOULDBLOCK"
    assert c.iob_error_name(7, ctypes.byref(name)) == EINVAL
    count = ctypes.c_uint32()
    assert c.iob_sites_count(ctypes.byref(count)) == OK
    row = [ctypes.c_char_p() for _ in range(3)]
    assert c.iob_site(count.value, *map(ctypes.byref, row)) == ERANGE
