"""The inductive invariant: proved for every action, each twin refuted, the abstraction simulated.

The simulation is what ties the proof to the model: random runs of the real
ownership machine (buffer actions, three cores) are mapped allocation by
allocation through the abstraction function `alpha`, and every concrete step
must be the abstract transition of its action, with the guard true, the
same post-state, the same reshaped views, and Inv holding. The per-core
counters must equal the sum of the per-allocation shares (the decomposition
that lets one allocation stand for all).
"""

from __future__ import annotations

import random

import pytest
import z3
from iobuf.model.actions import (
    Alloc,
    BufferAction,
    Clone,
    Poll,
    Release,
    Send,
    Share,
    Trim,
    TrimFront,
    Write,
)
from iobuf.model.state import State, initial, live_buffers
from iobuf.model.step import check, new_slot, step
from iobuf.proofs.abstraction import ACTIONS, Abs, Params, alpha, invariant
from iobuf.proofs.induction import PROOFS, TWINS, refute_twin

BREAKS = {
    "free_on_holder": "freed_once_by_owner",
    "no_enqueue": "unreferenced_is_freed_or_queued",
    "share_without_incref": "refcount_counts_views",
    "poll_keeps_queue": "unreferenced_is_freed_or_queued",
    "write_while_shared": "writes_are_unshared",
    "send_keeps_sender": "refcount_counts_views",
    "poll_skips_accounting": "accounting_matches",
    "trim_front_keeps_size": "type_ok",
    "release_twice": "refcount_counts_views",
}
"""The conjunct each twin's counterexample to induction breaks (pinned)."""


@pytest.mark.parametrize("index", range(len(PROOFS)))
def test_every_induction_obligation_has_its_expected_outcome(index: int) -> None:
    result = PROOFS[index]()
    expected = "REFUTED-AS-EXPECTED" if result.name.startswith("twin:") else "PROVED"
    assert result.status == expected, result.line()


@pytest.mark.parametrize("name", sorted(TWINS))
def test_each_twin_breaks_the_pinned_conjunct(name: str) -> None:
    result = refute_twin(name, TWINS[name])
    breaks = result.detail.splitlines()[-1]
    assert breaks.startswith("breaks:") and BREAKS[name] in breaks, result.line()


def test_the_correct_release_is_not_a_twin() -> None:
    """The twin check itself can fail: a correct action reported as a twin is NOT-REFUTED."""
    assert refute_twin("release", ACTIONS["release"]).status == "NOT-REFUTED"


def abstract_step(pre: State, action: BufferAction, a: int) -> tuple[str, dict[str, int | bool]]:
    """The abstract action (and its choices) that concrete `action` is for allocation `a`."""
    if isinstance(action, Alloc | Clone) and a == len(pre.allocations):
        return "alloc", {}
    if isinstance(action, Poll):
        if a >= len(pre.allocations) or action.core == pre.allocations[a].owner:
            return "poll_owner", {}
        return "poll_other", {"polled": pre.cores[action.core].queue.count(a)}
    if isinstance(action, Alloc):
        return "other", {}
    assert not isinstance(action, Poll)
    handle = pre.buffers[action.buffer]
    assert handle is not None
    if handle.view.alloc != a:
        return "other", {}
    v, owner = handle.view, pre.allocations[a].owner
    choice: dict[str, int | bool] = {"on_owner": handle.holder == owner, "vs": v.start,
                                     "vn": v.size}
    match action:
        case Share(_, pos, size):
            return "share", choice | {"pos": pos, "size": v.size - pos if size is None else size}
        case Trim(_, size):
            return "trim", choice | {"size": size}
        case TrimFront(_, n):
            return "trim_front", choice | {"pos": n}
        case Send(_, core):
            return "send", choice | {"to_owner": core == owner}
    return type(action).__name__.lower(), choice


def _params(choice: dict[str, int | bool]) -> Params:
    base: dict[str, int | bool] = dict(on_owner=False, to_owner=False, pos=0, size=0, vs=0,
                                       vn=0, polled=0)
    vals = base | choice
    return Params(**{k: z3.BoolVal(v) if isinstance(v, bool) else z3.IntVal(v)
                     for k, v in vals.items()})


def _value(term: object) -> int | bool:
    v = z3.simplify(term)
    return z3.is_true(v) if z3.is_bool(v) else int(v.as_long())


def random_action(rng: random.Random, state: State) -> BufferAction:
    """A random buffer action over the handles of `state` (possibly disabled)."""
    slots = [s for s, _h in live_buffers(state)]
    core = rng.randrange(state.ncores)
    if not slots or rng.random() < 0.15:
        fresh: list[BufferAction] = [Alloc(core, rng.choice([0, 1, 4])), Poll(core)]
        return rng.choice(fresh)
    b = rng.choice(slots)
    options: list[BufferAction] = [Share(b, rng.randrange(3), rng.choice([None, 0, 1])),
                       Trim(b, rng.randrange(3)), TrimFront(b, rng.randrange(3)),
                       Write(b, 0, b"\x01"), Clone(b), Send(b, core), Release(b), Release(b),
                       Poll(core)]
    return rng.choice(options)


def test_every_concrete_step_is_an_abstract_transition() -> None:
    rng, seen = random.Random(2024), set()
    for _run in range(6):
        state = initial(3)
        acct: dict[int, tuple[int, int]] = {}  # the counter shares of each allocation
        for _ in range(35):
            action = random_action(rng, state)
            if check(state, action) is not None:
                continue
            post = step(state, action)
            for a in range(len(post.allocations)):
                name, choice = abstract_step(state, action, a)
                before = alpha(state, a, acct.get(a, (0, 0)))
                if not before["born"]:  # the abstraction fixes the capacity before birth
                    before["cap"] = post.allocations[a].capacity
                pre_abs = Abs.const(**before)
                t = ACTIONS[name](pre_abs, _params(choice))
                seen.add(name if name != "poll_owner" or not _value(pre_abs.q_own) else "deferred")
                assert _value(t.guard), (action, a, name)
                got = {k: _value(v) for k, v in zip(alpha(post, a, (0, 0)), t.post.terms(),
                                                    strict=True)}
                acct[a] = (int(got["acct_n"]), int(got["acct_b"]))
                assert got == alpha(post, a, acct[a]), (action, a, name)
                assert all(_value(c) for _n, c in invariant(t.post)), (action, a)
                if name in ("share", "trim", "trim_front"):
                    assert isinstance(action, Share | Trim | TrimFront)
                    slot = new_slot(state, action) if name == "share" else action.buffer
                    handle = post.buffers[slot]
                    assert handle is not None
                    assert tuple(_value(x) for x in t.views[0]) == (handle.view.start,
                                                                    handle.view.size)
            for c, core in enumerate(post.cores):
                mine = [acct[a] for a, al in enumerate(post.allocations) if al.owner == c]
                assert core.live_allocations == sum(n for n, _b in mine)
                assert core.live_bytes == sum(b for _n, b in mine)
            state = post
    assert seen == {*ACTIONS, "deferred"}, "the runs must exercise every abstract action"
