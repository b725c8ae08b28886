"""Unit tests of the buffer API (System, Core, Buffer), run against model and implementation."""

from __future__ import annotations

from typing import Any

import pytest


def test_alloc_is_zero_filled_owned_and_held_by_the_core(api: Any) -> None:
    s = api.System(cores=2)
    b = s.core(1).alloc(16)
    assert (b.size, len(b), b.owner, b.holder, b.refcount) == (16, 16, 1, 1, 1)
    assert b.read() == bytes(16)
    assert s.core(1).stats == api.CoreStats(live_allocations=1, live_bytes=16, pending_frees=0)
    assert s.core(0).stats.live_allocations == 0


def test_write_then_read_ranges(api: Any) -> None:
    s = api.System(cores=1)
    b = s.core(0).alloc(8)
    b.write(2, b"abc")
    assert b.read() == b"\0\0abc\0\0\0"
    assert b.read(2, 3) == b"abc"
    assert b.read(8) == b""
    assert b.read(5, 0) == b""


def test_share_is_a_zero_copy_view_that_counts(api: Any) -> None:
    s = api.System(cores=1)
    b = s.core(0).alloc(8)
    b.write(0, b"01234567")
    v = b.share(2, 3)
    assert v.read() == b"234" and v.refcount == 2 and b.refcount == 2
    with pytest.raises(api.SharedWriteError):
        b.write(0, b"x")
    v.release()
    assert b.refcount == 1
    b.write(0, b"x")
    assert b.read(0, 1) == b"x"


def test_share_defaults_to_the_rest_of_the_view(api: Any) -> None:
    s = api.System(cores=1)
    b = s.core(0).alloc(4)
    b.write(0, b"wxyz")
    assert b.share(1).read() == b"xyz"
    assert b.share().read() == b"wxyz"
    assert b.share(4).size == 0


def test_trim_and_trim_front_shrink_the_view_only(api: Any) -> None:
    s = api.System(cores=1)
    b = s.core(0).alloc(6)
    b.write(0, b"abcdef")
    v = b.share()
    v.trim(4)
    v.trim_front(1)
    assert v.read() == b"bcd" and b.read() == b"abcdef"
    assert s.core(0).stats.live_bytes == 6


def test_clone_is_a_deep_copy_owned_by_the_holder(api: Any) -> None:
    s = api.System(cores=2)
    b = s.core(0).alloc(3)
    b.write(0, b"abc")
    m = b.send(s.core(1))
    c = m.clone()
    assert (c.owner, c.holder, c.refcount, c.read()) == (1, 1, 1, b"abc")
    assert m.refcount == 1
    assert s.core(1).stats.live_bytes == 3


def test_send_moves_the_handle_and_kills_the_old_one(api: Any) -> None:
    s = api.System(cores=2)
    b = s.core(0).alloc(2)
    m = b.send(s.core(1))
    assert (m.owner, m.holder, m.refcount) == (0, 1, 1)
    with pytest.raises(api.ReleasedHandleError):
        b.read()
    with pytest.raises(api.ReleasedHandleError):
        b.release()


def test_last_drop_on_the_owner_frees_at_once(api: Any) -> None:
    s = api.System(cores=2)
    b = s.core(0).alloc(5)
    v = b.share()
    b.release()
    assert s.core(0).stats.live_allocations == 1
    v.release()
    assert s.core(0).stats == api.CoreStats(0, 0, 0)


def test_last_drop_on_a_foreign_core_defers_to_the_owner(api: Any) -> None:
    s = api.System(cores=3)
    b = s.core(2).alloc(7)
    m = b.send(s.core(0))
    m.release()
    assert s.core(2).stats == api.CoreStats(live_allocations=1, live_bytes=7, pending_frees=1)
    assert s.core(0).poll() == 0
    assert s.core(2).poll() == 1
    assert s.core(2).stats == api.CoreStats(0, 0, 0)
    assert s.core(2).poll() == 0


def test_non_last_foreign_drop_defers_nothing(api: Any) -> None:
    s = api.System(cores=2)
    b = s.core(0).alloc(1)
    v = b.share().send(s.core(1))
    v.release()
    assert s.core(0).stats.pending_frees == 0 and b.refcount == 1
    b.release()
    assert s.core(0).stats == api.CoreStats(0, 0, 0)


def test_context_manager_releases(api: Any) -> None:
    s = api.System(cores=1)
    with s.core(0).alloc(8) as b:
        assert b.refcount == 1
    assert s.core(0).stats.live_allocations == 0
    with pytest.raises(api.ReleasedHandleError):
        b.size  # noqa: B018


def test_cores_are_numbered(api: Any) -> None:
    s = api.System(cores=4)
    assert [c.id for c in s.cores] == [0, 1, 2, 3]
    assert s.core(3) is s.cores[3]


@pytest.mark.parametrize("bad", [0, 65, -1, "2", 2.0, True, None])
def test_system_rejects_bad_core_counts(api: Any, bad: object) -> None:
    with pytest.raises(api.InvalidArgument):
        api.System(cores=bad)


def test_error_classes_are_also_builtin_classes(api: Any) -> None:
    assert issubclass(api.InvalidArgument, ValueError)
    assert issubclass(api.OutOfRange, IndexError)
    assert issubclass(api.OutOfMemory, MemoryError)
    for cls in (api.SharedWriteError, api.ReleasedHandleError, api.WouldBlock):
        assert issubclass(cls, api.IobufError)


@pytest.mark.parametrize(
    ("op", "error"),
    [
        (lambda b, c: b.read(9), "OutOfRange"),
        (lambda b, c: b.read(0, 9), "OutOfRange"),
        (lambda b, c: b.read(-1), "OutOfRange"),
        (lambda b, c: b.read("0"), "InvalidArgument"),
        (lambda b, c: b.share(3, 6), "OutOfRange"),
        (lambda b, c: b.share(0, -1), "OutOfRange"),
        (lambda b, c: b.share(0, 1.5), "InvalidArgument"),
        (lambda b, c: b.trim(9), "OutOfRange"),
        (lambda b, c: b.trim(-1), "OutOfRange"),
        (lambda b, c: b.trim(None), "InvalidArgument"),
        (lambda b, c: b.trim_front(9), "OutOfRange"),
        (lambda b, c: b.trim_front(True), "InvalidArgument"),
        (lambda b, c: b.write(7, b"ab"), "OutOfRange"),
        (lambda b, c: b.write(0, "text"), "InvalidArgument"),
        (lambda b, c: b.write(0, [1]), "InvalidArgument"),
        (lambda b, c: b.send(c), "InvalidArgument"),
        (lambda b, c: b.send(0), "InvalidArgument"),
        (lambda b, c: c.system.core(0).alloc(-1), "InvalidArgument"),
        (lambda b, c: c.system.core(0).alloc(1 << 40), "OutOfMemory"),
        (lambda b, c: c.system.core(0).alloc("1"), "InvalidArgument"),
        (lambda b, c: c.system.core(5), "InvalidArgument"),
    ],
)
def test_bad_input_raises_the_documented_class_and_changes_nothing(
    api: Any, op: Any, error: str
) -> None:
    s = api.System(cores=2)
    other = api.System(cores=2)
    b = s.core(0).alloc(8)
    b.write(0, b"abcdefgh")
    before = (b.read(), b.size, b.refcount, s.core(0).stats, s.core(1).stats)
    with pytest.raises(getattr(api, error)):
        op(b, other.core(1))
    assert (b.read(), b.size, b.refcount, s.core(0).stats, s.core(1).stats) == before


def test_close_releases_everything_polls_and_kills_every_handle(api: Any) -> None:
    s = api.System(cores=2)
    b = s.core(0).alloc(8)
    moved = b.share().send(s.core(1))
    io = s.core(1).iobuf()
    io.append(b"x" * 1000)
    s.close()
    assert all(c.stats == api.CoreStats(0, 0, 0) for c in s.cores)
    for op in (b.read, moved.release, lambda: len(io), lambda: s.core(0).alloc(1)):
        with pytest.raises(api.ReleasedHandleError):
            op()
    s.close()  # idempotent


def test_with_system_closes_it(api: Any) -> None:
    with api.System(cores=1) as s:
        b = s.core(0).alloc(4)
    with pytest.raises(api.ReleasedHandleError):
        b.read()
