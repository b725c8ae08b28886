"""The traced build: every atomic op, payload access and free reaches a Python callback.

This is the hook issue 6's online RC11 checker plugs into; here we check
the hook itself: the foreign-drop protocol shows up with the sites, orders
and cores the design says, on the real code path.
"""

from __future__ import annotations

from typing import Any

from iobuf.impl import sites
from iobuf.impl.build import build

from iobuf import impl


def test_a_foreign_drop_traces_release_decrement_acquire_fence_push_and_drain() -> None:
    s = impl.System(cores=2, library=build("traced"))
    table = sites.site_table(s.library)
    events: list[tuple[str, int, str, str]] = []

    def record(ev: Any) -> None:
        kind = sites.EVENT_KINDS[ev.kind]
        site = table[ev.site].site if ev.site >= 0 else ""
        order = sites.MEMORY_ORDERS[ev.order] if ev.order >= 0 else ""
        events.append((kind, ev.core, site, order))

    thunk = sites.set_trace_callback(s.library, record)
    try:
        b = s.core(0).alloc(8)
        m = b.send(s.core(1))
        m.read()
        m.release()
        s.core(0).poll()
    finally:
        sites.set_trace_callback(s.library, None)
    del thunk
    assert [e for e in events if e[0] in ("send", "read", "free")] == [
        ("send", 0, "", ""), ("read", 1, "", ""), ("free", 0, "", "")]
    atomics = [(core, site, order) for kind, core, site, order in events if kind == "atomic"]
    assert atomics == [
        (1, "refcount.dec", "release"),
        (1, "drop.fence", "acquire"),
        (1, "xfree.head", "relaxed"),
        (1, "xfree.push", "release"),
        (0, "xfree.drain", "acquire"),
    ]
    assert ("core_state", 0, "", "") in events and ("alloc", 0, "", "") in events
    s.close()
