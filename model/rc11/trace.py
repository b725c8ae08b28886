"""Traced events: what a real run of the C library reports, as plain values.

Background: the traced build of the C library (`iobuf.impl.build("traced")`)
calls back on every atomic operation (with the memory order the call site
actually used), every payload read and write, every allocation and free,
every access to a core's owner-only counters, and every cross-core send.
Each event is tagged with the simulated core performing it and the C
function it happened in.

Problem: the online checker (`online`) and the offline judgement
(`trace_graph`) must see the same events, and neither should depend on
ctypes or on the library being loaded: a recorded trace is data.

Model: `TraceOp` is one event, numbered by its place in the run (`seq`).
The run is sequential (all simulated cores share one OS thread), so the
trace is one interleaving: every read reads the latest write to its
location before it in the trace. Orders are C11 names (`relaxed`,
`acquire`, `release`, `acq_rel`, `seq_cst`; `consume` counts as acquire,
as every compiler implements it). `op` says what an atomic event *did*
(a failed compare-exchange is a `load`), whatever its site is declared as.

Example:
    >>> TraceOp(0, "atomic", 1, "refcount.dec", "rmw", "release", 0x10).describe()
    'core 1 refcount.dec (rmw, release)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TraceKind = Literal["atomic", "read", "write", "alloc", "free", "core_state", "send"]
AtomicOp = Literal["", "load", "store", "rmw", "fence"]

ORDERS = ("relaxed", "consume", "acquire", "release", "acq_rel", "seq_cst")
"""C11 memory orders in `memory_order` enum order."""


@dataclass(frozen=True, slots=True)
class TraceOp:
    """One traced event of a run of the C library.

    `addr` is the allocation (payload events, alloc, free, and the refcount,
    which is the first word of its allocation), the atomic's address, or
    the core state; `offset`/`length` the payload byte range (alloc and free:
    length = payload size; core_state: offset = the core whose state it is;
    send: `written` = the receiving core).
    """

    seq: int
    kind: TraceKind
    core: int
    site: str = ""
    op: AtomicOp = ""
    order: str = ""
    addr: int = 0
    offset: int = 0
    length: int = 0
    read: int = 0
    written: int = 0
    function: str = ""

    def describe(self) -> str:
        """`core 1 read [0, 8) of 0x55.. in iob_buf_read` style text for reports."""
        where = f" in {self.function}" if self.function else ""
        if self.kind == "atomic":
            return f"core {self.core} {self.site} ({self.op}, {self.order}){where}"
        if self.kind in ("read", "write"):
            span = f"[{self.offset}, {self.offset + self.length})"
            return f"core {self.core} {self.kind} {span} of allocation {self.addr:#x}{where}"
        if self.kind in ("alloc", "free"):
            return f"core {self.core} {self.kind} of allocation {self.addr:#x}{where}"
        if self.kind == "core_state":
            return f"core {self.core} touches core {self.offset}'s owner-only state{where}"
        return f"core {self.core} sends to core {self.written}{where}"


def read_order(order: str) -> str:
    """RC11 mode of the read half of an operation with C order `order`."""
    return {"relaxed": "rlx", "consume": "acq", "acquire": "acq", "release": "rlx",
            "acq_rel": "acq", "seq_cst": "sc"}[order]


def write_order(order: str) -> str:
    """RC11 mode of the write half of an operation with C order `order`."""
    return {"relaxed": "rlx", "consume": "rlx", "acquire": "rlx", "release": "rel",
            "acq_rel": "rel", "seq_cst": "sc"}[order]


def fence_order(order: str) -> str:
    """RC11 mode of a fence with C order `order` (a relaxed fence is a no-op)."""
    return {"relaxed": "rlx", "consume": "acq", "acquire": "acq", "release": "rel",
            "acq_rel": "acq_rel", "seq_cst": "sc"}[order]
