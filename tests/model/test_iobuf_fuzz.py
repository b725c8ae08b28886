"""Random programs of chain operations against a plain bytes reference (Redpanda iobuf_fuzz.cc).

Every step is applied to an iobuf and to a `bytes` reference; after each one
the content, the size and emptiness must agree. Runs against both the model
and the implementation.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SIZES = st.one_of(st.integers(0, 40), st.integers(500, 2000), st.sampled_from([131071, 131072]))

OPS = st.one_of(
    st.tuples(st.just("append"), SIZES),
    st.tuples(st.just("append_buffer"), SIZES),
    st.tuples(st.just("prepend_buffer"), st.integers(0, 600)),
    st.tuples(st.just("append_fragments"), st.integers(0, 3000)),
    st.tuples(st.just("prepend"), st.integers(0, 900)),
    st.tuples(st.just("share"), st.integers(0, 10**6)),
    st.tuples(st.just("copy"), st.just(0)),
    st.tuples(st.just("trim_front"), st.integers(0, 3000)),
    st.tuples(st.just("trim_back"), st.integers(0, 3000)),
    st.tuples(st.just("pop_front"), st.just(0)),
    st.tuples(st.just("pop_back"), st.just(0)),
    st.tuples(st.just("consume"), st.integers(0, 3000)),
)


def pattern(n: int, salt: int) -> bytes:
    """n recognisable bytes."""
    return bytes((salt * 31 + i) % 256 for i in range(n))


def apply(api: Any, s: Any, io: Any, ref: bytes, op: str, arg: int, salt: int) -> bytes:
    """Apply one operation to `io` and return the new reference bytes."""
    core = s.core(0)
    match op:
        case "append":
            io.append(pattern(arg, salt))
            return ref + pattern(arg, salt)
        case "append_buffer" | "prepend_buffer":
            b = core.alloc(arg)
            b.write(0, pattern(arg, salt))
            getattr(io, op)(b)
            return ref + pattern(arg, salt) if op == "append_buffer" else pattern(arg, salt) + ref
        case "append_fragments":
            other = core.iobuf()
            other.append(pattern(arg, salt))
            io.append_fragments(other)
            other.release()
            return ref + pattern(arg, salt)
        case "prepend":
            other = core.iobuf()
            other.append(pattern(arg, salt))
            io.prepend(other)
            return pattern(arg, salt) + ref
        case "share":
            pos = arg % (len(ref) + 1)
            size = (arg // 7) % (len(ref) - pos + 1)
            view = io.share(pos, size)
            assert bytes(view) == ref[pos : pos + size] and len(view) == size
            view.release()
            return ref
        case "copy":
            c = io.copy()
            assert bytes(c) == ref and all(f.refcount == 1 for f in c.fragments)
            c.release()
            return ref
        case "trim_front":
            io.trim_front(arg)
            return ref[arg:]
        case "trim_back":
            io.trim_back(arg)
            return ref[: max(0, len(ref) - arg)]
        case "pop_front" | "pop_back":
            if not io.fragments:
                return ref
            first, last = io.fragments[0].size, io.fragments[-1].size
            getattr(io, op)()
            return ref[first:] if op == "pop_front" else ref[: len(ref) - last]
        case "consume":
            n = min(arg, len(ref))
            assert io.consumer().consume_to(n) == ref[:n]
            return ref
    raise AssertionError(op)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=st.lists(OPS, max_size=25))
def test_random_chain_programs_match_a_bytes_reference(
    api: Any, program: list[tuple[str, int]]
) -> None:
    s = api.System(cores=1)
    io = s.core(0).iobuf()
    ref = b""
    for salt, (op, arg) in enumerate(program):
        ref = apply(api, s, io, ref, op, arg, salt)
        assert bytes(io) == ref and len(io) == len(ref)
        assert (len(io) == 0) == (io.fragments == ())
        for f in io.fragments:  # copied fragments obey the cap; adopted buffers are exact
            assert 0 < f.size <= f.capacity and (f.capacity <= 131072 or f.capacity == f.size)
    io.release()
    s.core(0).poll()
    assert s.core(0).stats.live_allocations == 0
