"""Check the memory orders a C library was built with against the RC11 protocol catalogue.

Background: the library exports the table of its atomic sites with the
order each one declares (`iob_site`). The deferred-delete protocol is safe
exactly when the decrement releases, the last dropper acquires and the
hand-off to the owner is release/acquire (DESIGN.md §3); the uniqueness
check before an in-place write (`Arc::get_mut`) needs an acquire load.
This module reads a library's orders, builds those protocols with exactly
those orders, and lets the RC11 explorer decide each of them.

The traced build checks that the call sites use the orders they declare;
this check decides whether the declared orders are enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from iobuf.model.rc11 import explore
from iobuf.model.rc11.protocols import Drop, check, unique

C_TO_RC11 = {"relaxed": "rlx", "consume": "acq", "acquire": "acq", "release": "rel",
             "acq_rel": "acq_rel", "seq_cst": "sc"}
"""C11 `memory_order_*` names to the explorer's (consume is treated as acquire, as compilers do)."""

NEEDED = ("refcount.dec", "drop.fence", "xfree.push", "xfree.drain", "refcount.unique")


@dataclass(frozen=True, slots=True)
class OrderCheck:
    """One protocol built with the library's orders, and the explorer's verdict on it."""

    name: str
    safe: bool
    executions: int
    evidence: str


def library_orders(library: Path | str | None = None) -> dict[str, str]:
    """The explorer's name of the order each atomic site of the library declares."""
    from iobuf.impl import _ffi, sites

    table = sites.site_table(_ffi.load(library))
    orders = {row.site: C_TO_RC11.get(row.order, row.order) for row in table}
    missing = [site for site in NEEDED if site not in orders]
    if missing:
        raise ValueError(f"the library declares no order for {', '.join(missing)}")
    return orders


def check_orders(orders: dict[str, str], threads: tuple[int, ...] = (2, 3)) -> list[OrderCheck]:
    """Decide the deferred-delete and uniqueness protocols built with `orders`."""
    fence = orders["drop.fence"] if orders["drop.fence"] != "rlx" else "none"
    handoff = (orders["xfree.push"], orders["xfree.drain"])
    checks = []
    for n in threads:
        for ho in (None, handoff):
            for use in ("read", "write"):
                row = check(Drop(n, orders["refcount.dec"], fence, "none", ho, use))  # type: ignore[arg-type]
                evidence = "" if row.finding is None else str(row.finding)
                checks.append(OrderCheck(row.variant.name(), row.safe, row.executions, evidence))
    result = explore(unique(orders["refcount.dec"], orders["refcount.unique"]))  # type: ignore[arg-type]
    findings = [*result.races, *result.use_after_free]
    checks.append(OrderCheck("UNIQUE (get_mut)", not findings, result.executions,
                             str(findings[0]) if findings else ""))
    return checks
