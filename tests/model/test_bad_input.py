"""Arbitrary arguments thrown at every public operation: only documented errors, no change.

Runs against the model and the implementation (`api` fixture). An operation
may succeed when Hypothesis happens to draw a valid argument; what it may
never do is raise anything but the documented classes, or raise after
changing something.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ANYTHING = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-3, max_value=12),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.binary(max_size=12),
    st.lists(st.integers(0, 255), max_size=3),
    st.just(memoryview(b"ab")),
    st.just(bytearray(b"xyz")),
)

OPERATIONS = [
    ("read", 2),
    ("write", 2),
    ("share", 2),
    ("trim", 1),
    ("trim_front", 1),
    ("send", 1),
    ("alloc", 1),
    ("core", 1),
    ("system", 1),
    ("release", 0),
    ("clone", 0),
    ("poll", 0),
]


def snapshot(system: Any, handles: list[Any]) -> tuple[object, ...]:
    """Everything observable about a system through the public API."""
    views: list[tuple[object, ...]] = []
    for h in handles:
        try:
            views.append((h.read(), h.size, h.refcount, h.owner, h.holder))
        except Exception as e:  # a dead handle stays dead
            views.append((type(e).__name__,))
    return (tuple(views), tuple(c.stats for c in system.cores))


def call(api: Any, s: Any, other: Any, b: Any, op: str, args: list[object]) -> object:
    """Invoke operation `op` with `args` (targets: buffer b, core 0, or the class)."""
    match op:
        case "alloc":
            return s.core(0).alloc(*args)
        case "core":
            return s.core(*args)
        case "system":
            return api.System(*args)
        case "poll":
            return s.core(1).poll()
        case "send":
            target = args[0]
            choices = {0: other.core(0), 1: s, 2: b}
            return b.send(choices.get(target, target) if isinstance(target, int) else target)
    return getattr(b, op)(*args)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(data=st.data())
def test_arbitrary_arguments_raise_documented_errors_and_change_nothing(
    api: Any, data: st.DataObject
) -> None:
    s, other = api.System(cores=2), api.System(cores=2)
    b = s.core(0).alloc(8)
    b.write(0, b"abcdefgh")
    shared = b.share(2, 4) if data.draw(st.booleans(), label="shared") else None
    dead = s.core(1).alloc(3)
    dead.release()
    target = data.draw(st.sampled_from(["live", "dead"]), label="target")
    handle = b if target == "live" else dead
    op, arity = data.draw(st.sampled_from(OPERATIONS), label="op")
    args = [data.draw(ANYTHING, label=f"arg{i}") for i in range(arity)]
    handles = [b, dead] + ([shared] if shared else [])
    before = snapshot(s, handles)
    try:
        call(api, s, other, handle, op, args)
    except api.IobufError:
        assert snapshot(s, handles) == before, "a failing operation changed state"


CHAIN_OPERATIONS = [
    ("append", 1),
    ("append_buffer", 1),
    ("prepend_buffer", 1),
    ("append_fragments", 1),
    ("prepend", 1),
    ("share", 2),
    ("read", 2),
    ("trim_front", 1),
    ("trim_back", 1),
    ("hexdump", 1),
    ("send", 1),
    ("consume", 1),
    ("consume_to", 1),
    ("skip", 1),
    ("peek", 1),
]


def chain_snapshot(system: Any, chains: list[Any], handles: list[Any]) -> tuple[object, ...]:
    """Everything observable about the iobufs and buffers of a system."""
    seen: list[object] = []
    for io in chains:
        try:
            seen.append((bytes(io), io.fragments, io.holder))
        except Exception as e:  # a dead iobuf stays dead
            seen.append(type(e).__name__)
    return (tuple(seen), snapshot(system, handles))


def chain_call(s: Any, other: Any, io: Any, buf: Any, op: str, args: list[object]) -> object:
    """Invoke chain operation `op`, mapping small ints to interesting handles."""
    handles = {0: buf, 1: other.core(0).iobuf(), 2: other.core(0).alloc(1), 3: io, 4: s.core(1)}
    args = [handles.get(a, a) if isinstance(a, int) and not isinstance(a, bool) and
            op in ("append_buffer", "prepend_buffer", "append_fragments", "prepend", "send")
            else a for a in args]
    if op in ("consume", "consume_to", "skip", "peek"):
        k = io.consumer()
        return k.consume(args[0], lambda m: None) if op == "consume" else getattr(k, op)(*args)
    return getattr(io, op)(*args)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(data=st.data())
def test_arbitrary_arguments_to_iobufs_raise_documented_errors_and_change_nothing(
    api: Any, data: st.DataObject
) -> None:
    s, other = api.System(cores=2), api.System(cores=2)
    io = s.core(0).iobuf()
    io.append(b"0123456789")
    buf = s.core(0).alloc(4)
    if data.draw(st.booleans(), label="dead iobuf"):
        io.release()
    op, arity = data.draw(st.sampled_from(CHAIN_OPERATIONS), label="op")
    args = [data.draw(ANYTHING, label=f"arg{i}") for i in range(arity)]
    before = chain_snapshot(s, [io], [buf])
    try:
        chain_call(s, other, io, buf, op, args)
    except api.IobufError:
        assert chain_snapshot(s, [io], [buf]) == before, "a failing operation changed state"
