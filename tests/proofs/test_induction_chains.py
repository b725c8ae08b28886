"""iobuf actions are compositions of the proved buffer transitions (for invariants 1-5 and 7).

The induction is proved for the buffer actions. The chain actions change
ownership only through the same primitives (`new_allocation`,
`add_reference`, `drop_reference`), one fragment at a time, so each chain
step should be, allocation by allocation, a sequence of abstract transitions:
births, shares or releases on the chain's holder, or sends to the new core.
This replays random mixed runs and checks exactly that, so Inv holds after
chain steps for the same reason it holds after buffer steps.

What this does not cover: the bytes. Appending into a fragment's slack
writes memory that no view covers; that argument ("slack is never shared")
is about the positions of all views at once, not about counts, and is
checked by the explorer (`writes_are_unshared`), not by this induction.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import pytest
import z3
from iobuf.model.actions import (
    Action,
    Alloc,
    Append,
    AppendBuffer,
    AppendFragments,
    ChainCopy,
    ChainRelease,
    ChainSend,
    ChainShare,
    ChainTrimBack,
    ChainTrimFront,
    NewChain,
    Poll,
    PopBack,
    PopFront,
    Prepend,
    PrependBuffer,
    Release,
    Send,
)
from iobuf.model.chain import share
from iobuf.model.state import (
    State,
    free_slot,
    initial,
    live_buffers,
    live_chains,
    live_views,
    put_slot,
)
from iobuf.model.step import check, step
from iobuf.proofs.abstraction import ACTIONS, Abs, Params, alpha, invariant

CHAIN_STEPS = (Append, AppendBuffer, AppendFragments, PrependBuffer, Prepend, ChainShare,
               ChainCopy, ChainTrimFront, ChainTrimBack, PopFront, PopBack, ChainSend,
               ChainRelease)


def _params(on_owner: bool, to_owner: bool = False, polled: int = 0) -> Params:
    zero = z3.IntVal(0)
    return Params(z3.BoolVal(on_owner), z3.BoolVal(to_owner), zero, zero, zero, zero,
                  z3.IntVal(polled))


def _const(term: object) -> int | bool:
    v = z3.simplify(term)
    return z3.is_true(v) if z3.is_bool(v) else int(v.as_long())


def _holder(state: State, action: Action) -> int:
    """The core the action runs on (the holder of the handle it acts on)."""
    if isinstance(action, Alloc | NewChain | Poll):
        return action.core
    if isinstance(action, Send | Release):
        handle = state.buffers[action.buffer]
        assert handle is not None
        return handle.holder
    assert isinstance(action, CHAIN_STEPS)
    chain = state.chains[action.chain]
    assert chain is not None
    return chain.holder


def _moved(state: State, action: Send | ChainSend, a: int) -> int:
    """How many views of allocation `a` the send moves."""
    if isinstance(action, Send):
        handle = state.buffers[action.buffer]
        return int(handle is not None and handle.view.alloc == a)
    chain = state.chains[action.chain]
    return sum(1 for f in chain.fragments if f.view.alloc == a) if chain else 0


def decomposition(pre: State, post: State, action: Action, a: int) -> list[tuple[str, Params]]:
    """The abstract transitions a concrete step is for allocation `a`, in order."""
    views = [sum(1 for _h, v in live_views(s) if v.alloc == a) for s in (pre, post)]
    if a >= len(pre.allocations):  # born in this step: allocated on the holder, its owner
        return [("alloc", _params(True))] + [("share", _params(True))] * (views[1] - 1)
    owner = pre.allocations[a].owner
    if isinstance(action, Poll):
        if action.core == owner:
            return [("poll_owner", _params(False))]
        return [("poll_other", _params(False, polled=pre.cores[action.core].queue.count(a)))]
    on_owner = _holder(pre, action) == owner
    if isinstance(action, Send | ChainSend):
        return [("send", _params(on_owner, action.core == owner))] * _moved(pre, action, a)
    delta = views[1] - views[0]
    return [("share" if delta > 0 else "release", _params(on_owner))] * abs(delta)


def random_step(rng: random.Random, state: State) -> Action:
    """A random chain action (sometimes an alloc, send or release of a buffer), maybe disabled."""
    chains = [c for c, _ch in live_chains(state)] or [0]
    bufs = [b for b, _h in live_buffers(state)] or [0]
    c, d, b = rng.choice(chains), rng.choice(chains), rng.choice(bufs)
    core = rng.randrange(state.ncores)
    n = rng.choice([0, 1, 3, 600])
    options: list[Action] = [
        NewChain(core), Alloc(core, rng.choice([1, 4, 700])), Send(b, core), Release(b),
        Poll(core),
        Append(c, b"z" * n), AppendBuffer(c, b), AppendFragments(c, d), PrependBuffer(c, b),
        Prepend(c, d), ChainShare(c, rng.randrange(3), rng.randrange(3)), ChainCopy(c),
        ChainTrimFront(c, rng.randrange(4)), ChainTrimBack(c, rng.randrange(4)), PopFront(c),
        PopBack(c), ChainSend(c, core), ChainRelease(c),
        Append(c, b"w" * (n + 2)), ChainShare(c, 0, rng.randrange(1, 3)),
        AppendFragments(c, d)]  # weighted towards chains that hold shared fragments
    return rng.choice(options)


def run_mixed(step_fn: Callable[[State, Action], State], runs: int = 10) -> set[str]:
    """Replay random mixed runs through `step_fn`; return the action types exercised."""
    rng, seen = random.Random(11), set()
    for _run in range(runs):
        state = initial(2)
        acct: dict[int, tuple[int, int]] = {}  # the counter shares of each allocation
        for _ in range(50):
            action = random_step(rng, state)
            if check(state, action) is not None:
                continue
            seen.add(type(action).__name__)
            post = step_fn(state, action)
            for a in range(len(post.allocations)):
                _replay(state, post, action, a, acct)
            for c, core in enumerate(post.cores):
                mine = [acct[a] for a, al in enumerate(post.allocations) if al.owner == c]
                assert core.live_allocations == sum(n for n, _b in mine)
                assert core.live_bytes == sum(b for _n, b in mine)
            state = post
    return seen


def test_every_chain_step_is_a_sequence_of_proved_transitions() -> None:
    seen = run_mixed(step)
    assert seen >= {t.__name__ for t in CHAIN_STEPS}, "every chain action must be exercised"


def share_chain_without_incref(state: State, action: Action) -> State:
    """Negative twin: a chain share that builds its fragments without taking references."""
    if isinstance(action, ChainShare):
        chain = state.chains[action.chain]
        assert chain is not None
        shared_state, new = share(state, chain, action.pos, action.size)
        shared_state = replace(shared_state, allocations=state.allocations)
        return replace(shared_state, chains=put_slot(state.chains, free_slot(state.chains), new))
    return step(state, action)


def test_a_chain_share_without_increment_is_not_a_composition() -> None:
    with pytest.raises(AssertionError):
        run_mixed(share_chain_without_incref)


def _replay(pre: State, post: State, action: Action, a: int,
            acct: dict[int, tuple[int, int]]) -> None:
    values = alpha(pre, a, acct.get(a, (0, 0)))
    if not values["born"]:
        values["cap"] = post.allocations[a].capacity
    s = Abs.const(**values)
    for name, p in decomposition(pre, post, action, a):
        t = ACTIONS[name](s, p)
        assert _const(t.guard), (action, a, name)
        s = Abs.const(**{k: _const(v) for k, v in zip(values, t.post.terms(), strict=True)})
    got = {k: _const(v) for k, v in zip(values, s.terms(), strict=True)}
    acct[a] = (int(got["acct_n"]), int(got["acct_b"]))
    assert got == alpha(post, a, acct[a]), (action, a)
    assert all(_const(c) for _n, c in invariant(s)), (action, a)
