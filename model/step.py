"""The transition function: one guard (`check`) and one pure `step` for every action.

`check(state, action)` is the single source of truth for when an action is
allowed: it returns the error the action must raise, or None. `step` raises
that error before touching anything, so bad input never changes state; the
explorer treats a raising action as disabled; Hypothesis and the facade use
the same guard through `step`. Buffer actions live in `buffers`, iobuf
actions in `chain`, the ownership primitives both share in `ownership`.
"""

from __future__ import annotations

from .actions import CHAIN_ACTION_TYPES, Action, BufferAction, ChainAction, Send
from .buffers import check_buffer, step_buffer
from .chain import check_chain, new_chain_slot, step_chain
from .errors import IobufError
from .state import State, free_slot, put_slot


def check(state: State, action: Action) -> IobufError | None:
    """The error `action` must raise in `state`, or None when it is enabled."""
    if isinstance(action, CHAIN_ACTION_TYPES):
        return check_chain(state, _as_chain(action))
    return check_buffer(state, _as_buffer(action))


def step(state: State, action: Action) -> State:
    """The state after `action`; raises the guard's error (and changes nothing) if disabled.

    Its safety (the invariants hold after every step) is checked by the
    explorer and by Hypothesis; CrossHair checks the contracts of the small
    functions it is made of, where symbolic execution can reach every case.
    """
    if err := check(state, action):
        raise err
    if isinstance(action, CHAIN_ACTION_TYPES):
        return step_chain(state, _as_chain(action))
    return step_buffer(state, _as_buffer(action))


def enabled(state: State, action: Action) -> bool:
    """Whether `action` may be taken in `state`."""
    return check(state, action) is None


def new_slot(state: State, action: Action) -> int:
    """The slot of the handle an enabled action creates (a buffer, or an iobuf for chain actions).

    pre: check(state, action) is None
    post: __return__ >= 0
    """
    if isinstance(action, CHAIN_ACTION_TYPES):
        return new_chain_slot(state, _as_chain(action))
    if isinstance(action, Send):
        return free_slot(put_slot(state.buffers, action.buffer, None))
    return free_slot(state.buffers)


def _as_chain(action: Action) -> ChainAction:
    return action  # type: ignore[return-value]


def _as_buffer(action: Action) -> BufferAction:
    return action  # type: ignore[return-value]
