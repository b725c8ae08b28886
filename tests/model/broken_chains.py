"""Deliberately broken variants of the chain spec: negative twins for the explorer.

Each overrides one chain action and defers to the real spec otherwise. The
seed blog's `share` and Redpanda's slack-keeping `trim_back` are among them:
the first returns the wrong bytes, the second lets an append rewrite bytes a
share still sees.
"""

from __future__ import annotations

from dataclasses import replace

from iobuf.model.actions import Action, Append, ChainShare, ChainTrimBack, ChainTrimFront
from iobuf.model.chain import append, live_chain, put_chain, share, trim_back
from iobuf.model.ownership import add_reference
from iobuf.model.state import ChainState, FragmentState, State, View, free_slot
from iobuf.model.step import check, step


def trim_back_keeps_slack(state: State, action: Action) -> State:
    """Redpanda's `fragment::trim`: lowers the used count but keeps the capacity."""
    match action:
        case ChainTrimBack(c, n) if check(state, action) is None:
            before = live_chain(state, c)
            state, chain = trim_back(state, before, n)
            if chain.fragments and len(chain.fragments) == len(before.fragments):
                old = before.fragments[-1]
                frags = (*chain.fragments[:-1], replace(chain.fragments[-1], capacity=old.capacity))
                chain = replace(chain, fragments=frags)
            return put_chain(state, chain, c)
    return step(state, action)


def seed_share(state: State, action: Action) -> State:
    """The seed blog's share: end index passed as a length, `size - 1`, no reset of `pos`."""
    match action:
        case ChainShare(c, pos, size) if check(state, action) is None:
            chain = live_chain(state, c)
            frags = []
            remaining = size
            for f in chain.fragments:
                if remaining <= 0:
                    break
                if pos >= f.view.size:
                    pos -= f.view.size
                    continue
                right = min(pos + remaining, f.view.size - 1)
                n = max(0, min(right, f.view.size - pos))  # share_slice(pos, right)
                if n == 0:
                    break
                state = add_reference(state, f.view.alloc)
                frags.append(FragmentState(f.view.sub(pos, n), n))
                remaining -= right - pos - 1
            new = ChainState(chain.holder, tuple(frags))
            return put_chain(state, new, free_slot(state.chains))
    return step(state, action)


def append_at_fragment_start(state: State, action: Action) -> State:
    """Appending into slack writes at the fragment's start instead of its end."""
    match action:
        case Append(c, data) if check(state, action) is None and live_chain(state, c).fragments:
            chain = live_chain(state, c)
            last = chain.fragments[-1]
            if last.slack and data:
                k = min(last.slack, len(data))
                a = state.allocations[last.view.alloc]
                at = last.view.start
                new_data = a.data[:at] + bytes(data[:k]) + a.data[at + k:]
                allocs = list(state.allocations)
                allocs[last.view.alloc] = replace(a, data=new_data)
                state = replace(state, allocations=tuple(allocs))
                grown = replace(last, view=replace(last.view, size=last.view.size + k))
                chain = replace(chain, fragments=(*chain.fragments[:-1], grown))
                state, chain = append(state, chain, bytes(data[k:]))
                return put_chain(state, chain, c)
    return step(state, action)


def share_chain_without_incref(state: State, action: Action) -> State:
    """Share builds the new chain's fragments without taking references."""
    match action:
        case ChainShare(c, pos, size) if check(state, action) is None:
            before = state
            state, new = share(state, live_chain(state, c), pos, size)
            state = replace(state, allocations=before.allocations)
            return put_chain(state, new, free_slot(state.chains))
    return step(state, action)


def trim_front_keeps_capacity(state: State, action: Action) -> State:
    """trim_front moves the view but forgets to shrink the capacity (slack past the end)."""
    match action:
        case ChainTrimFront(c, n) if check(state, action) is None:
            chain = live_chain(state, c)
            if chain.fragments and 0 < n < chain.fragments[0].view.size:
                first = chain.fragments[0]
                moved = FragmentState(View(first.view.alloc, first.view.start + n,
                                           first.view.size - n), first.capacity)
                return put_chain(state, replace(chain, fragments=(moved, *chain.fragments[1:])), c)
    return step(state, action)
