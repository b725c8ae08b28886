"""The exhaustive explorer: pinned state counts, and every negative twin caught.

State counts are pinned (stateright style): a change to the spec that grows or
shrinks the reachable space shows up here and must be explained in the commit.
"""

from __future__ import annotations

import pytest
from broken_specs import (
    free_on_holder,
    no_enqueue,
    poll_keeps_queue,
    poll_skips_accounting,
    release_twice,
    send_keeps_sender,
    share_without_incref,
    trim_front_keeps_size,
    write_while_shared,
)
from iobuf.model.bounds import NAMED, PAIR, PAIR_WIDE
from iobuf.model.errors import IobufError
from iobuf.model.explorer import Step, explore
from iobuf.model.properties import InvariantViolation, assert_invariants, assert_step
from iobuf.model.state import initial
from iobuf.model.step import step

# name -> (states, transitions, depth); all invariants hold in all of them.
PINNED = {
    "pair": (201, 998, 5),
    "pair-wide": (881, 5450, 7),
    "one-core": (6155, 39281, 14),
    "three-cores": (6007, 64593, 7),
    "two-cores-wide": (10169, 101194, 9),
}
SLOW_PINNED = {"two-cores": (251573, 2486694, 15)}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_pinned_state_counts_and_all_invariants_hold(name: str) -> None:
    report = explore(NAMED[name])
    assert report.violation is None
    assert report.vacuous == []
    assert (report.states, report.transitions, report.depth) == PINNED[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_PINNED))
def test_pinned_state_counts_slow(name: str) -> None:
    report = explore(NAMED[name])
    assert report.ok
    assert (report.states, report.transitions, report.depth) == SLOW_PINNED[name]


def test_sometimes_properties_are_witnessed() -> None:
    report = explore(PAIR)
    wanted = {"deferred_free_happens", "write_happens", "fires_Send", "fires_Poll"}
    assert wanted <= report.witnessed


def _name(x: object) -> str:
    return getattr(x, "__name__", "")


# variant -> (the property it breaks, the length of the shortest counterexample)
TWINS: list[tuple[Step, str, int]] = [
    (free_on_holder, "freed_once_by_owner", 3),
    (no_enqueue, "unreferenced_is_freed_or_queued", 3),
    (share_without_incref, "refcount_counts_views", 2),
    (poll_keeps_queue, "unreferenced_is_freed_or_queued", 4),
    (write_while_shared, "writes_are_unshared", 3),
    (send_keeps_sender, "refines_abstract", 2),
    (poll_skips_accounting, "accounting_matches", 4),
    (trim_front_keeps_size, "type_ok", 2),
    (release_twice, "refcount_counts_views", 3),
]


@pytest.mark.parametrize(("variant", "prop", "length"), TWINS, ids=_name)
def test_negative_twin_is_caught_with_shortest_trace(variant: Step, prop: str, length: int) -> None:
    report = explore(PAIR_WIDE, step=variant)
    assert report.violation is not None
    assert report.violation.prop == prop
    assert len(report.violation.trace) == length


@pytest.mark.parametrize(("variant", "prop", "length"), TWINS, ids=_name)
def test_counterexample_script_replays_the_failure(variant: Step, prop: str, length: int) -> None:
    report = explore(PAIR_WIDE, step=variant)
    assert report.violation is not None
    script = report.violation.to_python(step_name="variant")
    with pytest.raises(InvariantViolation, match=prop):
        exec(compile(script, "<trace>", "exec"), {"variant": variant})


@pytest.mark.parametrize(("variant", "prop", "length"), TWINS, ids=_name)
def test_the_real_spec_refuses_or_survives_each_twin_trace(
    variant: Step, prop: str, length: int
) -> None:
    report = explore(PAIR_WIDE, step=variant)
    assert report.violation is not None
    state = initial(PAIR_WIDE.cores)
    try:
        for action in report.violation.trace:
            pre, state = state, step(state, action)
            assert_invariants(state)
            assert_step(pre, action, state)
    except IobufError:
        pass  # the real guard disables the step the broken variant took
