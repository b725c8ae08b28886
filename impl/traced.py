"""The traced build at work: a `System` whose every event is race-checked as it happens.

Background: the traced variant of the library (`build("traced")`) reports
every atomic operation with the order its call site used, every payload
access, allocation, free, owner-state access and send (`sites.TraceEvent`).

Problem: those events must reach the online RC11 checker
(`iobuf.model.rc11.online`) as plain values, in the order they ran, and a
bug in the Python callback must not vanish (ctypes prints and swallows
exceptions raised inside callbacks).

Model: a `Tracer` owns the C callback of one library: it converts each
event to a `TraceOp`, optionally records it, and feeds the checker; an
exception inside the callback is kept and re-raised by `check()`. The hook
is one global per loaded library, so one `TracedSystem` per library traces
at a time (the latest one registered; `close()` re-attaches its own tracer
while it runs, so a system's teardown is always judged by its own checker).
`TracedSystem` is the ordinary `System` with a tracer that lives until
`close()`.

Example:
    with TracedSystem(cores=2) as s:
        b = s.core(0).alloc(8); m = b.send(s.core(1)); b.release(); m.release()
        s.core(0).poll()
    assert s.tracer.checker.ok()
"""

from __future__ import annotations

import os
from typing import cast

from iobuf.model.rc11.online import Finding, OnlineChecker
from iobuf.model.rc11.trace import ORDERS, TraceKind, TraceOp

from . import _ffi, sites
from .core import System

_CURRENT: dict[str, Tracer] = {}
"""The tracer registered with each library (by path)."""


def is_traced(library: str | os.PathLike[str]) -> bool:
    """Whether the library at `library` is a traced build (exports `iob_traced` = 1)."""
    import ctypes

    try:
        return bool(ctypes.c_int32.in_dll(_ffi.load(library).dll, "iob_traced").value)
    except ValueError:
        return False


class RaceFound(AssertionError):
    """The online checker found a race, a use-after-free or a thread-per-core violation."""

    def __init__(self, findings: list[Finding]) -> None:
        """Carry the findings; the message is the first report."""
        more = f"\n(and {len(findings) - 1} more)" if len(findings) > 1 else ""
        super().__init__(findings[0].report() + more)
        self.findings = findings


class Tracer:
    """Converts a traced library's events to `TraceOp`s and feeds an `OnlineChecker`."""

    def __init__(self, lib: _ffi.Library, cores: int, *, record: bool = False,
                 prune: bool = True, rs: str = "cxx20") -> None:
        """Register with `lib` (which must be a traced build); `record` keeps every event."""
        self.lib = lib
        self.checker = OnlineChecker(cores, prune=prune, rs=rs)
        self.ops: list[TraceOp] | None = [] if record else None
        self.errors: list[BaseException] = []
        self._sites = tuple(row.site for row in sites.site_table(lib))
        self._functions: dict[bytes, str] = {}
        self._thunk = sites.set_trace_callback(lib, self._on_event)
        _CURRENT[lib.path] = self

    def _on_event(self, ev: sites.TraceEvent) -> None:
        try:
            raw = ev.function or b""
            function = self._functions.get(raw)
            if function is None:
                function = self._functions.setdefault(raw, raw.decode())
            op = TraceOp(
                self.checker.events, _KINDS[ev.kind], ev.core,
                self._sites[ev.site] if ev.site >= 0 else "", sites.ATOMIC_OPS[ev.op],  # type: ignore[arg-type]
                ORDERS[ev.order] if ev.order >= 0 else "", ev.addr or 0, ev.offset,
                ev.length, ev.value_read, ev.value_written, function)
            if self.ops is not None:
                self.ops.append(op)
            self.checker.feed(op)
        except BaseException as e:
            self.errors.append(e)

    def check(self) -> None:
        """Raise what the callback failed with, or RaceFound with every finding so far."""
        if self.errors:
            raise RuntimeError("the trace callback failed") from self.errors[0]
        if self.checker.findings:
            raise RaceFound(self.checker.findings)

    def attach(self) -> Tracer | None:
        """Make this the library's current tracer again; returns the one it displaced."""
        previous = _CURRENT.get(self.lib.path)
        if previous is not self:
            sites.register_thunk(self.lib, self._thunk)
            _CURRENT[self.lib.path] = self
        return previous

    def stop(self) -> None:
        """Unregister (if this tracer is still the library's current one)."""
        if _CURRENT.get(self.lib.path) is self:
            sites.set_trace_callback(self.lib, None)
            del _CURRENT[self.lib.path]


_KINDS = cast(dict[int, TraceKind], sites.EVENT_KINDS)


class TracedSystem(System):
    """A `System` on the traced build whose events all go through the online RC11 checker."""

    def __init__(self, cores: int = 1, *, library: str | os.PathLike[str] | None = None,
                 record: bool = False, prune: bool = True) -> None:
        """Like `System`; `library` defaults to the traced build of the bundled sources."""
        if library is None:
            from .build import build

            library = build("traced")
        super().__init__(cores, library=library)
        self.tracer = Tracer(self._lib, cores, record=record, prune=prune)

    def close(self) -> None:
        """Close the system (its frees are checked too), then stop tracing.

        Hazard: the hook is one per library. A system closed (explicitly or by
        the garbage collector) after another TracedSystem registered would
        hand its events to that system's checker, so closing re-attaches this
        system's own tracer for the duration, then gives the hook back.
        """
        if self._ptr is None:
            return
        previous = self.tracer.attach()
        try:
            super().close()
        finally:
            self.tracer.stop()
            if previous is not None and previous is not self.tracer:
                previous.attach()
