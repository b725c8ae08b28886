"""The bindings' fast paths: word prototypes, and sizes kept in the handles, agree with C.

`Library.words` declares every argument as a machine word (see
`iobuf.impl._ffi._word_function`); these tests pin the values where a
wrong width or sign would show: int64 extremes, IOB_TO_END, negative
int32 core ids. Buffers and iobufs keep their size in the handle (only
their own calls change it); after every step of random programs it must
equal what C reports.
"""

from __future__ import annotations

import ctypes
import random

import iobuf.impl as impl
import pytest
from iobuf.impl import _ffi

OK, ERANGE, EINVAL, ENOMEM = 0, 1, 2, 5


def test_word_calls_carry_int64_extremes_and_negative_int32_unchanged() -> None:
    lib = _ffi.load()
    w = lib.words
    with impl.System(cores=2) as s:
        out = ctypes.c_void_p()
        at = ctypes.addressof(out)
        assert w.iob_alloc(s._ptr, 0, -1, at) == EINVAL
        assert w.iob_alloc(s._ptr, 0, lib.max_alloc_size + 1, at) == ENOMEM
        assert w.iob_alloc(s._ptr, 0, (1 << 62), at) == ENOMEM
        assert w.iob_alloc(s._ptr, -1, 8, at) == EINVAL  # int32 -1, not 2**32 - 1
        assert w.iob_alloc(s._ptr, 2, 8, at) == EINVAL
        assert w.iob_alloc(s._ptr, 1, 8, at) == OK and out.value is not None
        b = out.value
        n = ctypes.c_uint64()
        assert w.iob_buf_peek(b, 3, lib.to_end, at, ctypes.addressof(n)) == OK
        assert n.value == 5
        assert w.iob_buf_peek(b, -(1 << 62), 1, at, ctypes.addressof(n)) == ERANGE
        assert w.iob_buf_peek(b, 0, -(1 << 62), at, ctypes.addressof(n)) == ERANGE
        assert w.iob_buf_release(b) == OK


def test_huge_python_ints_keep_their_error_class_through_word_calls() -> None:
    with impl.System(cores=1) as s:
        with pytest.raises(impl.OutOfMemory):
            s.core(0).alloc(1 << 70)
        with pytest.raises(impl.InvalidArgument):
            s.core(0).alloc(-(1 << 70))
        b = s.core(0).alloc(8)
        with pytest.raises(impl.OutOfRange):
            b.read(1 << 64, 1)
        with pytest.raises(impl.OutOfRange):
            b.share(0, 1 << 80)
        io = s.core(0).iobuf()
        io.append(b"abc")
        with pytest.raises(impl.OutOfRange):
            io.share(0, 1 << 63)
        io.trim_front(1 << 100)  # beyond the size: empties it
        assert len(io) == 0 == io._info().size


def _c_size(h: impl.Buffer | impl.IoBuf) -> int:
    s = h._system
    if isinstance(h, impl.Buffer):
        s._w.iob_buf_info_get(h._ptr, s._buf_info_at)
        return int(s._buf_info.size)
    s._w.iob_chain_info_get(h._ptr, s._chain_info_at)
    return int(s._chain_info.size)


@pytest.mark.parametrize("seed", range(6))
def test_sizes_kept_in_handles_match_c_after_every_step(seed: int) -> None:
    rng = random.Random(seed)
    with impl.System(cores=2) as s:
        c0, c1 = s.cores
        bufs: list[impl.Buffer] = [c0.alloc(40)]
        chains: list[impl.IoBuf] = [c0.iobuf()]
        for _ in range(400):
            op = rng.randrange(16)
            b = rng.choice(bufs) if bufs else None
            io = rng.choice(chains) if chains else None
            try:
                if op == 0 or b is None:
                    bufs.append(rng.choice((c0, c1)).alloc(rng.randrange(0, 300)))
                elif op == 1:
                    bufs.append(b.share(rng.randrange(0, 20), rng.choice((None, 3, 0))))
                elif op == 2:
                    b.trim(rng.randrange(0, 40))
                elif op == 3:
                    b.trim_front(rng.randrange(0, 40))
                elif op == 4:
                    bufs.append(b.clone())
                elif op == 5 and b._ptr is not None:
                    bufs.remove(b)
                    bufs.append(b.send(rng.choice((c0, c1))))
                elif op == 6 or io is None:
                    chains.append(c0.iobuf())
                elif op == 7:
                    io.append(bytes(rng.randrange(0, 200_000)))
                elif op == 8:
                    chains.append(io.share(rng.randrange(0, 50), rng.randrange(0, 50)))
                elif op == 9:
                    (io.trim_front if rng.random() < 0.5 else io.trim_back)(rng.randrange(0, 900))
                elif op == 10:
                    (io.pop_front if rng.random() < 0.5 else io.pop_back)()
                elif op == 11 and b is not None and b._system is s:
                    bufs.remove(b)
                    (io.append_buffer if rng.random() < 0.5 else io.prepend_buffer)(b)
                elif op == 12:
                    other = rng.choice(chains)
                    if other is not io:
                        io.append_fragments(other)
                elif op == 13:
                    other = rng.choice(chains)
                    if other is not io:
                        chains.remove(other)
                        io.prepend(other)
                elif op == 14:
                    chains.append(io.copy())
                elif op == 15:
                    chains.remove(io)
                    chains.append(io.send(rng.choice((c0, c1))))
            except impl.IobufError:
                pass
            handles: list[impl.Buffer | impl.IoBuf] = [*bufs, *chains]
            for h in handles:
                if h._ptr is None:
                    continue
                kept = h._size if isinstance(h, impl.Buffer) else h._len
                assert kept in (-1, _c_size(h)), (op, h)
                assert len(h) == _c_size(h)
            bufs = [b for b in bufs if b._ptr is not None]
            chains = [c for c in chains if c._ptr is not None]


def test_reads_beyond_the_staging_cell_take_the_peek_path() -> None:
    from iobuf.impl.buffer import _STAGE

    with impl.System(cores=1) as s:
        b = s.core(0).alloc(_STAGE + 10)
        b.write(_STAGE - 2, b"wxyz")
        assert b.read(_STAGE - 2, 4) == b"wxyz"  # within the cell
        assert b.read() == bytes(_STAGE - 2) + b"wxyz" + bytes(8)  # beyond it
        assert b.read(_STAGE + 10, None) == b""
        with pytest.raises(impl.OutOfRange):
            b.read(_STAGE + 11, None)
        b.release()
