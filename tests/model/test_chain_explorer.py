"""The explorer with chain actions: pinned counts, and every chain twin caught."""

from __future__ import annotations

import pytest
from broken_chains import (
    append_at_fragment_start,
    seed_share,
    share_chain_without_incref,
    trim_back_keeps_slack,
    trim_front_keeps_capacity,
)
from iobuf.model.actions import Append, ChainShare, ChainTrimBack, NewChain
from iobuf.model.bounds import NAMED, Bounds
from iobuf.model.explorer import Step, explore

# name -> (states, transitions, depth); all invariants and refinement hold.
PINNED = {
    "chain-one-core": (205, 2700, 8),
    "chain-pair": (2557, 42130, 9),
}
SLOW_PINNED = {"chain-three-cores": (12823, 256239, 9)}

# Two byte values and appends of one or two bytes: enough for a share to see
# bytes that an append later rewrites.
TWIN_BOUNDS = Bounds(cores=1, allocs=1, refs=2, sizes=(), chains=2, chain_bytes=2,
                     appends=(1, 2), values=(1, 2))


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_chain_state_counts(name: str) -> None:
    report = explore(NAMED[name])
    assert report.ok, (report.violation, report.vacuous)
    assert (report.states, report.transitions, report.depth) == PINNED[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_PINNED))
def test_pinned_chain_state_counts_slow(name: str) -> None:
    report = explore(NAMED[name])
    assert report.ok
    assert (report.states, report.transitions, report.depth) == SLOW_PINNED[name]


def _name(x: object) -> str:
    return getattr(x, "__name__", "")


TWINS: list[tuple[Step, str, int]] = [
    (trim_back_keeps_slack, "writes_are_unshared", 5),
    (seed_share, "refines_abstract", 3),
    (append_at_fragment_start, "refines_abstract", 3),
    (share_chain_without_incref, "refcount_counts_views", 3),
    (trim_front_keeps_capacity, "type_ok", 3),
]


@pytest.mark.parametrize(("variant", "prop", "length"), TWINS, ids=_name)
def test_chain_twin_is_caught_with_shortest_trace(variant: Step, prop: str, length: int) -> None:
    report = explore(TWIN_BOUNDS, step=variant)
    assert report.violation is not None
    assert (report.violation.prop, len(report.violation.trace)) == (prop, length)


def test_redpanda_trim_back_hazard_trace_is_the_expected_one() -> None:
    report = explore(TWIN_BOUNDS, step=trim_back_keeps_slack)
    assert report.violation is not None
    assert report.violation.trace == (
        NewChain(0), Append(0, b"\x01\x01"), ChainShare(0, 0, 2), ChainTrimBack(0, 1),
        Append(0, b"\x02"),  # a different byte: rewriting \x01 with \x01 would change nothing
    )


def test_the_real_spec_survives_the_twin_bounds() -> None:
    report = explore(TWIN_BOUNDS, max_states=20000)
    assert report.violation is None
