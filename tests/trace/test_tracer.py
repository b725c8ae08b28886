"""The plumbing between the traced library and the checker: registration and failures."""

from __future__ import annotations

import pytest
from iobuf.impl import _ffi
from iobuf.impl.build import build
from iobuf.impl.traced import RaceFound, TracedSystem, is_traced
from iobuf.model.errors import InvalidArgument
from iobuf.model.rc11.trace import TraceOp


def test_only_a_traced_build_can_be_traced() -> None:
    assert is_traced(build("traced")) and not is_traced(_ffi.bundled_path())
    with pytest.raises(InvalidArgument):
        TracedSystem(cores=1, library=_ffi.bundled_path())


def test_a_failure_inside_the_callback_is_not_swallowed() -> None:
    # ctypes prints and drops exceptions raised in callbacks; the tracer keeps them.
    s = TracedSystem(cores=1)

    def broken(op: TraceOp) -> None:
        raise KeyError(op.kind)

    s.tracer.checker.feed = broken  # type: ignore[method-assign]
    s.core(0).alloc(4).release()
    with pytest.raises(RuntimeError, match="callback failed"):
        s.tracer.check()
    s.close()


def test_the_latest_traced_system_owns_the_hook() -> None:
    first = TracedSystem(cores=1, record=True)
    second = TracedSystem(cores=1, record=True)
    second.core(0).alloc(4).release()
    assert first.tracer.ops == [] and second.tracer.ops
    kept = first.core(0).alloc(4)  # traced by the second's hook: the misrouting hazard
    del kept
    n = len(second.tracer.ops or [])
    first.close()  # its own checker judges its teardown, and the second keeps the hook
    assert len(second.tracer.ops or []) == n
    assert any(op.kind == "free" for op in first.tracer.ops or [])
    second.core(0).alloc(4).release()
    assert len(second.tracer.ops or []) > n
    second.close()
    second.tracer.check()


def test_a_race_raises_with_every_finding() -> None:
    s = TracedSystem(cores=2)
    s.tracer.checker.feed(TraceOp(10**6, "core_state", 1, offset=0))
    with pytest.raises(RaceFound) as caught:
        s.tracer.check()
    assert caught.value.findings[0].kind == "thread-per-core"
    s.close()
