"""Events of an execution graph and the access modes of RC11.

Background: an execution graph (Lahav et al., PLDI 2017) has one node per
memory event — read, write, fence — labelled with its location, its mode (na,
rlx, acq, rel, acq_rel, sc) and its value, plus the relations po (program
order), rf (reads-from), mo (modification order per location) and rmw (the
read and the write of one atomic read-modify-write).

Problem: C orders are per *operation*; RC11 modes are per *event*. An
`atomic_fetch_add(acq_rel)` is a read and a write; the read is acquire, the
write release. A failing CAS is a read with the failure order.

Model: `Event` is a frozen value. Initial writes belong to thread -1, are
non-atomic (so they head no release sequence) and come po-before every thread
event. A free is a non-atomic write of the whole allocation, flagged `free`.

Example:
    >>> read_mode("acq_rel"), write_mode("acq_rel")
    ('acq', 'rel')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .program import Order

INIT = -1  # thread id of the initialising writes
Kind = Literal["R", "W", "F"]


@dataclass(frozen=True, slots=True)
class Event:
    """One node: `eid` is its place in the graph (addition order), `index` its po index."""

    eid: int
    tid: int
    index: int
    kind: Kind
    loc: str | None
    mode: Order
    value: int
    rmw: bool = False  # the read or the write half of an RMW
    free: bool = False
    text: str = ""

    @property
    def is_atomic(self) -> bool:
        """Atomic accesses and fences (initial writes and plain accesses are not)."""
        return self.mode != "na"

    @property
    def is_release(self) -> bool:
        """E ⊒ rel."""
        return self.mode in ("rel", "acq_rel", "sc")

    @property
    def is_acquire(self) -> bool:
        """E ⊒ acq."""
        return self.mode in ("acq", "acq_rel", "sc")

    def name(self) -> str:
        """Short label: `a` for init, else `P<tid>.<index>`."""
        return f"init.{self.loc}" if self.tid == INIT else f"P{self.tid}.{self.index}"

    def label(self) -> str:
        """`W_rel(x,1)` style label (herd7 / GenMC figures)."""
        if self.kind == "F":
            return f"F_{self.mode}"
        kind = "Free" if self.free else self.kind
        mode = "" if self.mode == "na" else "_" + self.mode
        return f"{kind}{mode}({self.loc},{self.value})"


def read_mode(order: Order) -> Order:
    """Mode of the read half of an operation with `order` (acq_rel reads acquire)."""
    return {"acq_rel": "acq", "rel": "rlx"}.get(order, order)  # type: ignore[return-value]


def write_mode(order: Order) -> Order:
    """Mode of the write half of an operation with `order` (acq_rel writes release)."""
    return {"acq_rel": "rel", "acq": "rlx"}.get(order, order)  # type: ignore[return-value]
