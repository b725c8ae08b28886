"""The bundled library's declared orders pass the RC11 catalogue; each weakening fails it."""

from __future__ import annotations

import pytest
from iobuf.proofs.orders import check_orders, library_orders


def test_the_bundled_library_declares_safe_orders() -> None:
    orders = library_orders()
    assert (orders["refcount.dec"], orders["drop.fence"]) == ("rel", "acq")
    checks = check_orders(orders)
    assert checks and all(c.safe for c in checks), [c.name for c in checks if not c.safe]


@pytest.mark.parametrize(("site", "weaker"), [
    ("refcount.dec", "rlx"), ("drop.fence", "rlx"), ("xfree.push", "rlx"),
    ("xfree.drain", "rlx"), ("refcount.unique", "rlx"),
])
def test_each_weakened_order_is_unsafe_with_a_race_as_evidence(site: str, weaker: str) -> None:
    orders = dict(library_orders(), **{site: weaker})
    unsafe = [c for c in check_orders(orders) if not c.safe]
    assert unsafe and all("Race" in c.evidence or "UseAfterFree" in c.evidence for c in unsafe)


def test_an_acq_rel_decrement_needs_no_fence() -> None:
    orders = dict(library_orders(), **{"refcount.dec": "acq_rel", "drop.fence": "rlx"})
    assert all(c.safe for c in check_orders(orders))
