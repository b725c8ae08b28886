"""The deferred-delete catalogue: the explorer's verdict equals DESIGN.md §3's rule on every row.

The rule: safe iff the decrement is release or stronger, the last dropper acquires
(acquire fence, acq_rel decrement or acquire load) and the hand-off is release/acquire.
Every unsafe row must come with a counterexample naming a use and the free.
"""

from __future__ import annotations

import math

import pytest
from iobuf.model.rc11 import explore
from iobuf.model.rc11.protocols import Drop, build, check, drop, table, unique, variants


def test_every_row_of_the_table_agrees_with_the_rule() -> None:
    rows = table(2)
    assert len(rows) == len(variants(2)) >= 60
    assert all(row.agrees for row in rows), [r.variant.name() for r in rows if not r.agrees]
    assert {row.safe for row in rows} == {True, False}  # neither side is vacuous
    for row in rows:
        if not row.safe:
            assert row.finding is not None and row.counterexample is not None
            assert "load(d)" in row.finding.first + row.finding.second
            assert "free(d)" in row.finding.first + row.finding.second


def test_arc_drop_is_safe_and_each_weakening_is_not() -> None:
    assert check(Drop(3, "rel", "acq")).safe
    assert check(Drop(3, "acq_rel", "none")).safe
    assert check(Drop(3, "rel", "none", "acq")).safe
    for weak in (Drop(3, "rlx", "acq"), Drop(3, "rel", "none"), Drop(3, "rel", "rel"),
                 Drop(3, "rel", "none", "rlx"), Drop(3, "acq", "acq")):
        assert not check(weak).safe, weak.name()


def test_handoff_needs_release_push_and_acquire_pop() -> None:
    assert check(Drop(2, "rel", "acq", "none", ("rel", "acq"))).safe
    assert not check(Drop(2, "rel", "acq", "none", ("rlx", "acq"))).safe
    assert not check(Drop(2, "rel", "acq", "none", ("rel", "rlx"))).safe


def test_smallest_counterexample_is_pinned() -> None:
    # DROP2 with a relaxed decrement: 2 uses, 2 RMWs (4 events), fence, free = 8 events.
    row = check(Drop(2, "rlx", "acq"))
    assert row.counterexample is not None and row.counterexample.size() == 8


def test_use_write_variant() -> None:
    assert check(Drop(2, "rel", "acq", use="write")).safe
    assert not check(Drop(2, "rlx", "acq", use="write")).safe


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_drop_has_n_factorial_graphs(n: int) -> None:
    # One graph per order of the N decrements (atomicity chains them); every use reads
    # the initial payload (reading the free would close a po|rf cycle).
    res = explore(drop(n))
    assert (res.executions, res.findings) == (math.factorial(n), [])


def test_get_mut_uniqueness_check() -> None:
    assert not explore(unique("rel", "acq")).findings
    assert explore(unique("rel", "rlx")).races  # rust-lang/rust#51780
    assert explore(unique("rlx", "acq")).races


def test_bad_variants_are_rejected() -> None:
    with pytest.raises(ValueError):
        build(Drop(0))
    with pytest.raises(ValueError):
        build(Drop(2, use="touch"))


@pytest.mark.slow
@pytest.mark.parametrize("n", [6, 7])
def test_drop_counts_at_the_bench_sizes(n: int) -> None:
    # The sizes `iobuf bench rc11` times: N! graphs, no finding (several seconds each).
    res = explore(drop(n))
    assert (res.executions, res.findings) == (math.factorial(n), [])
