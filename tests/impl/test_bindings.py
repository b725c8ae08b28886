"""Unit tests of iobuf.impl's own behaviour: loading, handles, GC, exports, the C error paths.

The API's semantics are tested once for both sides (tests/model, `api`
fixture); these tests cover what only the implementation has.
"""

from __future__ import annotations

import ctypes
import gc

import pytest
from iobuf.impl import _ffi, sites
from iobuf.model import constants

from iobuf import impl


def test_the_library_reports_its_version_limits_and_struct_sizes() -> None:
    lib = _ffi.load()
    assert ctypes.c_uint32.in_dll(lib.dll, "iob_abi_version").value == _ffi.ABI_VERSION
    assert (lib.max_cores, lib.max_alloc_size) == (constants.MAX_CORES, constants.MAX_ALLOC_SIZE)
    assert lib.max_fragment == 131072
    assert lib.errors[1:] == (impl.OutOfRange, impl.InvalidArgument, impl.SharedWriteError,
                              impl.ReleasedHandleError, impl.OutOfMemory, impl.WouldBlock)
    assert not lib.traced


def test_the_site_table_declares_the_protocol_orders() -> None:
    table = {row.site: (row.op, row.order) for row in sites.site_table()}
    assert table["refcount.inc"] == ("fetch_add", "relaxed")
    assert table["refcount.dec"] == ("fetch_sub", "release")
    assert table["drop.fence"] == ("fence", "acquire")
    assert table["xfree.push"] == ("compare_exchange", "release")
    assert table["xfree.drain"] == ("exchange", "acquire")


def test_a_library_with_another_abi_version_is_refused(tmp_path: object) -> None:
    with pytest.raises(_ffi.LibraryError):
        _ffi.load("/nonexistent/libiobuf.so")


def test_tracing_is_refused_by_the_plain_build() -> None:
    with pytest.raises(impl.InvalidArgument):
        sites.set_trace_callback(_ffi.load(), lambda ev: None)


def test_a_foreign_last_drop_defers_to_the_owner() -> None:
    with impl.System(cores=2) as s:
        b = s.core(0).alloc(100).send(s.core(1))
        v = b.share(10, 5)
        b.release()
        assert s.core(0).stats == impl.CoreStats(1, 100, 0)
        v.release()
        assert s.core(0).stats == impl.CoreStats(1, 100, 1)
        assert s.core(1).poll() == 0
        assert s.core(0).poll() == 1
        assert s.core(0).stats == impl.CoreStats(0, 0, 0)


def test_close_releases_forgotten_handles_and_kills_every_object() -> None:
    s = impl.System(cores=2)
    kept = s.core(0).alloc(8)
    s.core(1).alloc(16).send(s.core(0))  # dropped without release
    io = s.core(1).iobuf()
    io.append(b"x" * 1000)
    del io
    gc.collect()
    assert s.core(1).stats.live_allocations == 2
    s.close()
    with pytest.raises(impl.ReleasedHandleError):
        kept.read()
    with pytest.raises(impl.ReleasedHandleError):
        s.core(0).alloc(1)
    s.close()  # idempotent


def test_a_garbage_collected_system_frees_everything() -> None:
    s = impl.System(cores=1)
    s.core(0).alloc(64)
    s.core(0).iobuf().append(b"abc")
    del s
    gc.collect()  # no leak report here; the valgrind test checks this path for leaks


def test_consumer_memoryviews_are_zero_copy_and_pin_the_iobuf() -> None:
    with impl.System(cores=1) as s:
        io = s.core(0).iobuf()
        io.append(b"hello world")
        kept: list[memoryview] = []
        assert io.consumer().consume(5, kept.append) == 5
        assert bytes(kept[0]) == b"hello" and kept[0].readonly
        for freeing in (io.release, io.pop_back, lambda: io.trim_front(1), s.close):
            with pytest.raises(BufferError):
                freeing()
        sliced = kept[0][1:3]
        kept.clear()
        with pytest.raises(BufferError):
            io.trim_back(1)
        moved = io.send(s.core(0))  # the pin moves with the memory
        with pytest.raises(BufferError):
            moved.release()
        assert bytes(sliced) == b"el"
        del sliced
        moved.trim_front(1)
        assert bytes(moved) == b"ello world"


def test_integers_beyond_int64_keep_their_error_class() -> None:
    with impl.System(cores=1) as s:
        b = s.core(0).alloc(4)
        for bad in (2**64, 2**200, -(2**64)):
            with pytest.raises(impl.OutOfRange):
                b.read(bad)
            with pytest.raises(impl.OutOfRange):
                b.share(0, bad)
        with pytest.raises(impl.OutOfMemory):
            s.core(0).alloc(2**70)
        with pytest.raises(impl.InvalidArgument):
            s.core(0).alloc(-(2**70))
        with pytest.raises(impl.InvalidArgument):
            b.read(True)
        assert b.read() == bytes(4)


def test_varint_edges() -> None:
    cases = [
        (b"\xff" * 9 + b"\x01", 2**64 - 1, None),
        (b"\xff" * 9 + b"\x02", None, impl.InvalidArgument),
        (b"\x80" * 10, None, impl.InvalidArgument),
        (b"\x80" * 3, None, impl.OutOfRange),
        (b"\x96\x01", 150, None),
    ]
    with impl.System(cores=1) as s:
        for data, value, error in cases:
            io = s.core(0).iobuf()
            io.append(data)
            k = io.consumer()
            if error is None:
                assert k.read_varint() == value
            else:
                with pytest.raises(error):
                    k.read_varint()
                assert k.bytes_consumed == 0


def test_integer_reads_cross_fragment_boundaries() -> None:
    with impl.System(cores=1) as s:
        io = s.core(0).iobuf()
        for part in (b"\x01", b"\x02\x03", b"\x04\x05\x06\x07\x08"):
            io.append_fragments(_one(s, part))
        k = io.consumer()
        assert k.read_u64_be() == 0x0102030405060708
        assert k.is_finished


def _one(s: impl.System, data: bytes) -> impl.IoBuf:
    io = s.core(0).iobuf()
    io.append(data)
    return io


def test_a_consumer_of_a_dead_iobuf_raises_cleanly(recwarn: pytest.WarningsRecorder) -> None:
    with impl.System(cores=1) as s:
        io = s.core(0).iobuf()
        io.release()
        with pytest.raises(impl.ReleasedHandleError):
            io.consumer()
        gc.collect()
    assert not [w for w in recwarn if "unraisable" in str(w.category).lower()]
