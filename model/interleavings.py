"""Core interleavings as data: a scenario whose schedule CrossHair makes symbolic.

Background: the explorer checks every interleaving within small bounds;
Hypothesis samples interleavings of long programs. CrossHair adds a third
view: the *schedule* (which core takes its next step when) is a symbolic
list, and the solver searches for a schedule that breaks the contract.

Model: each core runs a fixed program of actions written against named
handles; `run_schedule` lets the core named by each schedule entry take its
next step if that step is enabled (a core waiting for a handle it has not
been sent yet skips its turn), then lets the cores alternate to completion
and polls every core. (Alternation makes core 1 drop first by default, so
a schedule that makes the foreign drop the last one must be searched for.)
The contract of `deferred_free_is_safe` says that under every schedule
every invariant holds after every step and nothing is live at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .actions import Action, Alloc, Poll, Release, Send, Share
from .errors import IobufError
from .properties import failing_invariants
from .state import State, initial
from .step import new_slot, step

Step = Callable[[State, Action], State]


@dataclass(frozen=True, slots=True)
class Op:
    """One step of a core's program: an action kind, the handles it uses and the one it makes."""

    kind: str
    uses: str = ""
    makes: str = ""
    core: int = 0


# Core 0 allocates, shares, sends the share to core 1, then drops its own
# reference; core 1 drops what it received. Whichever drop is last decides
# who frees: the owner at once, or the owner's poll after a deferral.
PROGRAMS: tuple[tuple[Op, ...], ...] = (
    (Op("alloc", makes="a"), Op("share", uses="a", makes="b"),
     Op("send", uses="b", makes="c", core=1), Op("release", uses="a"), Op("poll")),
    (Op("release", uses="c"), Op("poll")),
)


def _action(op: Op, core: int, handles: dict[str, int]) -> Action | None:
    """The action for `op` on `core`, or None if a handle it uses does not exist yet."""
    if op.uses and op.uses not in handles:
        return None
    h = handles.get(op.uses, -1)
    match op.kind:
        case "alloc":
            return Alloc(core, 2)
        case "share":
            return Share(h, 0, None)
        case "send":
            return Send(h, op.core)
        case "release":
            return Release(h)
    return Poll(core)


def run_schedule(schedule: list[int], spec_step: Step = step) -> tuple[State, list[str]]:
    """Run PROGRAMS under `schedule`, then to completion; the final state and any violations."""
    state = initial(len(PROGRAMS))
    pcs = [0] * len(PROGRAMS)
    handles: dict[str, int] = {}
    problems: list[str] = []
    # After the schedule, the cores alternate until every program is done.
    longest = max(len(prog) for prog in PROGRAMS)
    # Comparing each entry with every core id turns a symbolic entry into a
    # concrete one (CrossHair branches on each comparison), so the model runs
    # on concrete values and only the schedule is searched.
    chosen = [next((i for i in range(len(PROGRAMS)) if c == i), -1) for c in schedule]
    turns = chosen + list(range(len(PROGRAMS))) * (2 * longest)
    for core in turns:
        if not 0 <= core < len(PROGRAMS) or pcs[core] >= len(PROGRAMS[core]):
            continue
        op = PROGRAMS[core][pcs[core]]
        action = _action(op, core, handles)
        if action is None:
            continue  # waiting for a handle from another core
        slot = new_slot(state, action) if op.makes else -1
        try:
            state = spec_step(state, action)
        except IobufError as e:
            problems.append(f"{action!r} refused: {e!r}")
            break
        if op.makes:
            handles[op.makes] = slot
        if op.kind in ("release", "send"):
            handles.pop(op.uses, None)
        problems += failing_invariants(state)
        pcs[core] += 1
    for core in range(len(PROGRAMS)):
        state = spec_step(state, Poll(core))
    return state, problems


def deferred_free_is_safe(schedule: list[int]) -> bool:
    """Every interleaving of the deferred-free scenario keeps every invariant and frees everything.

    pre: len(schedule) <= 8
    post: __return__
    """
    state, problems = run_schedule(schedule)
    return not problems and all(a.freed for a in state.allocations)
