"""Unit tests of the iobuf chain and its consumer, run against model and implementation."""

from __future__ import annotations

from typing import Any

import pytest

SCHEDULE = [768, 1280, 1792, 2560, 3584, 6144, 8192, 12288, 16384, 32768, 65536, 131072, 131072]


def chain_of(api: Any, *sizes: int, core: int = 0, cores: int = 2) -> tuple[Any, Any, bytes]:
    """A system and an iobuf whose fragments hold exactly `sizes` bytes, and the iobuf's bytes.

    Buffers are prepended in reverse order: prepend_buffer is always zero-copy,
    so each buffer becomes one fragment of exactly its size.
    """
    s = api.System(cores=cores)
    io = s.core(core).iobuf()
    chunks = [bytes((i * 37 + k) % 251 for k in range(n)) for i, n in enumerate(sizes)]
    for chunk in reversed(chunks):
        b = s.core(core).alloc(len(chunk))
        b.write(0, chunk)
        io.prepend_buffer(b)
    assert [f.size for f in io.fragments] == list(sizes)
    return s, io, b"".join(chunks)


def test_repeated_small_appends_follow_the_allocation_schedule(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    for _ in range(len(SCHEDULE)):
        slack = io.fragments[-1].capacity - io.fragments[-1].size if io.fragments else 0
        io.append(b"x" * (slack + 1))
    assert [f.capacity for f in io.fragments] == SCHEDULE
    assert max(f.capacity for f in io.fragments) <= 131072


def test_append_fills_the_tail_slack_first(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    io.append(bytes([1, 2, 3]))
    io.append(bytes([4, 5]))
    assert bytes(io) == bytes([1, 2, 3, 4, 5])
    assert [(f.size, f.capacity) for f in io.fragments] == [(5, 768)]


def test_append_fills_slack_even_when_the_tail_is_shared(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    io.append(b"abc")
    view = io.share(0, 3)
    io.append(b"de")
    assert bytes(io) == b"abcde" and bytes(view) == b"abc"
    assert [(f.size, f.refcount) for f in io.fragments] == [(5, 2)]


def test_a_200000_byte_append_is_split_at_the_cap(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    data = bytes(i % 256 for i in range(200000))
    io.append(data)
    assert bytes(io) == data and len(io) == 200000
    assert [f.capacity for f in io.fragments] == [131072, 131072]
    assert [f.size for f in io.fragments] == [131072, 200000 - 131072]


def test_seed_share_inputs_on_one_fragment(api: Any) -> None:
    _s, io, data = chain_of(api, 1000)
    for pos, size in [(10, 20), (0, 1000), (999, 1)]:
        view = io.share(pos, size)
        assert bytes(view) == data[pos : pos + size]
        assert [f.size for f in view.fragments] == [size]


def test_seed_share_inputs_across_two_fragments(api: Any) -> None:
    _s, io, data = chain_of(api, 1000, 3000)
    one = io.share(0, 1)
    assert [f.size for f in one.fragments] == [1] and bytes(one) == data[:1]
    two = io.share(500, 1000)
    assert [f.size for f in two.fragments] == [500, 500] and bytes(two) == data[500:1500]
    assert [f.refcount for f in io.fragments] == [3, 2]


def test_consume_to_across_fragments(api: Any) -> None:
    _s, io, data = chain_of(api, 1000, 3000)
    k = io.consumer()
    assert k.consume_to(4000) == data
    assert k.is_finished and k.bytes_consumed == 4000 and k.bytes_left == 0


def test_share_out_of_range_raises_and_changes_nothing(api: Any) -> None:
    _s, io, _data = chain_of(api, 1000, 3000)
    before = (bytes(io), io.fragments)
    for pos, size in [(0, 4001), (4001, 0), (-1, 1), (1, -1), (3999, 2)]:
        with pytest.raises(api.OutOfRange):
            io.share(pos, size)
    with pytest.raises(api.InvalidArgument):
        io.share("0", 1)
    assert (bytes(io), io.fragments) == before


def test_read_ranges(api: Any) -> None:
    _s, io, data = chain_of(api, 1000, 3000)
    assert io.read() == data and io.read(999, 2) == data[999:1001] and io.read(4000) == b""
    with pytest.raises(api.OutOfRange):
        io.read(3999, 2)
    with pytest.raises(api.OutOfRange):
        io.read(4001)


def test_copy_is_deep_and_sized_by_the_copy_rule(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    io.append(bytes(200000))
    c = io.copy()
    assert bytes(c) == bytes(io)
    assert [f.capacity for f in c.fragments] == [131072, 65536, 200000 - 131072 - 65536]
    assert all(f.refcount == 1 for f in c.fragments)
    small = s.core(0).iobuf()
    small.append(b"abc")
    assert [(f.size, f.capacity) for f in small.copy().fragments] == [(3, 3)]


def test_append_buffer_copies_small_and_adopts_large(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    small = s.core(0).alloc(100)
    io.append_buffer(small)
    assert [(f.size, f.capacity) for f in io.fragments] == [(100, 768)]
    big = s.core(0).alloc(1000)
    io.append_buffer(big)
    assert [(f.size, f.capacity) for f in io.fragments] == [(100, 768), (1000, 1000)]
    with pytest.raises(api.ReleasedHandleError):
        big.read()
    assert s.core(0).stats.live_allocations == 2


def test_append_fragments_shares_every_fragment(api: Any) -> None:
    s, io, data = chain_of(api, 1000, 3000)
    other = s.core(0).iobuf()
    other.append_fragments(io)
    assert bytes(other) == data
    assert [f.refcount for f in other.fragments] == [2, 2]
    assert [f.capacity for f in other.fragments] == [1000, 3000]


def test_prepend_consumes_the_other_iobuf(api: Any) -> None:
    s = api.System(cores=1)
    a, b = s.core(0).iobuf(), s.core(0).iobuf()
    a.append(b"tail")
    b.append(b"head-")
    a.prepend(b)
    assert bytes(a) == b"head-tail"
    with pytest.raises(api.ReleasedHandleError):
        len(b)
    with pytest.raises(api.InvalidArgument):
        a.prepend(a)


def test_trims_and_pops(api: Any) -> None:
    _s, io, data = chain_of(api, 1000, 3000)
    io.trim_front(1500)
    assert bytes(io) == data[1500:] and [f.size for f in io.fragments] == [2500]
    io.trim_back(500)
    assert bytes(io) == data[1500:3500]
    io.trim_back(10**9)
    assert len(io) == 0 and io.fragments == ()
    with pytest.raises(api.OutOfRange):
        io.pop_front()
    with pytest.raises(api.OutOfRange):
        io.pop_back()
    _s2, io2, data2 = chain_of(api, 1000, 3000)
    io2.pop_back()
    assert bytes(io2) == data2[:1000]
    io2.pop_front()
    assert len(io2) == 0
    with pytest.raises(api.OutOfRange):
        io2.trim_front(-1)


def test_comparison_is_unsigned_lexicographic_over_bytes(api: Any) -> None:
    s = api.System(cores=1)
    a, b, c = s.core(0).iobuf(), s.core(0).iobuf(), s.core(0).iobuf()
    a.append(b"\x01\xff")
    b.append(b"\x01")
    b.append_fragments(a.share(1, 1))  # the same bytes in another layout
    c.append(b"\x80")
    assert a == b and not a < b and a <= b
    assert a < c and c > b  # 0x80 is 128, not -128
    with pytest.raises(TypeError):
        hash(a)


def test_hexdump(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    io.append(b"hello world\nhello")
    assert io.hexdump() == (
        "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a 68 65 6c 6c  |hello world.hell|\n"
        "00000010  6f                                                |o|\n"
        "00000011"
    )
    assert io.hexdump(limit=4).splitlines()[-1] == "... 13 more bytes"


def test_send_and_foreign_release_defer_every_fragment(api: Any) -> None:
    s, io, data = chain_of(api, 1000, 3000)
    moved = io.send(s.core(1))
    assert moved.holder == 1 and bytes(moved) == data
    with pytest.raises(api.ReleasedHandleError):
        io.append(b"x")
    moved.release()
    assert s.core(0).stats.pending_frees == 2
    assert s.core(0).poll() == 2 and s.core(0).stats.live_allocations == 0


def test_cross_core_arguments_are_rejected(api: Any) -> None:
    s = api.System(cores=2)
    io = s.core(0).iobuf()
    b = s.core(1).alloc(4)
    other = s.core(1).iobuf()
    with pytest.raises(api.InvalidArgument):
        io.append_buffer(b)
    with pytest.raises(api.InvalidArgument):
        io.append_fragments(other)
    assert b.refcount == 1 and len(io) == 0


def test_released_iobuf_raises(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    io.release()
    for op in (lambda: io.append(b"x"), lambda: len(io), lambda: io.share(0, 0),
               io.release, io.pop_front, io.consumer, lambda: bytes(io)):
        with pytest.raises(api.ReleasedHandleError):
            op()


def test_consumer_reads_integers_and_varints(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    io.append(b"\x01" + (0x0203).to_bytes(2, "little") + (0x04050607).to_bytes(4, "big"))
    io.append((2**64 - 1).to_bytes(8, "little") + bytes([0xAC, 0x02]) + b"\x80")
    k = io.consumer()
    assert k.read_u8() == 1 and k.read_u16_le() == 0x0203 and k.read_u32_be() == 0x04050607
    assert k.read_u64_le() == 2**64 - 1
    assert k.read_varint() == 300
    with pytest.raises(api.OutOfRange):
        k.read_varint()  # ends mid-varint: nothing consumed
    assert k.bytes_left == 1


def test_consume_calls_back_per_contiguous_chunk_and_stops_early(api: Any) -> None:
    _s, io, data = chain_of(api, 1000, 3000)
    seen: list[bytes] = []
    k = io.consumer()
    assert k.consume(2000, lambda m: seen.append(bytes(m))) == 2000
    assert [len(x) for x in seen] == [1000, 1000] and b"".join(seen) == data[:2000]
    k2 = io.consumer()
    assert k2.consume(4000, lambda m: True) == 1000 and k2.bytes_consumed == 1000
    with pytest.raises(api.OutOfRange):
        k2.consume(3001, lambda m: None)
    k2.skip(3000)
    assert k2.is_finished


def test_consumer_is_invalidated_by_a_change(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    io.append(b"abcd")
    k = io.consumer()
    assert k.peek(2) == b"ab"
    io.trim_front(1)
    with pytest.raises(api.ReleasedHandleError):
        k.read_u8()


def test_consumed_memoryviews_pin_the_iobuf(api: Any) -> None:
    s, io, data = chain_of(api, 10, 10)
    kept: list[memoryview] = []
    assert io.consumer().consume(20, kept.append) == 20
    assert b"".join(bytes(m) for m in kept) == data
    for op in (lambda: io.trim_back(1), io.pop_front, io.release, s.close):
        with pytest.raises(BufferError):
            op()
    with pytest.raises(api.InvalidArgument):
        io.trim_front("1")  # argument types are checked before the pin
    moved = io.send(s.core(1))  # the pin moves with the memory
    with pytest.raises(BufferError):
        moved.trim_front(1)
    kept.clear()
    moved.trim_front(1)
    assert bytes(moved) == data[1:]


def test_a_consume_callback_that_appends_stops_the_consumer(api: Any) -> None:
    _s, io, data = chain_of(api, 10, 10)
    with pytest.raises(api.ReleasedHandleError):
        io.consumer().consume(20, lambda m: io.append(b"x"))
    assert bytes(io) == data + b"x"


def test_write_counts_bytes_not_items(api: Any) -> None:
    s = api.System(cores=1)
    b = s.core(0).alloc(8)
    words = memoryview(bytes(range(8))).cast("I")  # two 4-byte items
    b.write(0, words)
    assert b.read() == bytes(range(8)) and b.size == 8
    with pytest.raises(api.OutOfRange):
        b.write(4, words)  # 8 bytes at 4 do not fit, although len(words) == 2


def test_hexdump_of_a_dead_iobuf_is_a_released_handle_error(api: Any) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    io.release()
    with pytest.raises(api.ReleasedHandleError):
        io.hexdump("bad limit")
