"""Exhaustive breadth-first exploration of the ownership machine.

Background: a state machine spec is only as good as the states it has been
run through. Within `Bounds`, the explorer visits every reachable state once
(states are hashable values), checks every `always` property in every state
and every `step` property on every transition, and records which `sometimes`
properties were witnessed, so an invariant that holds only because nothing
happens is reported as vacuous.

Breadth-first order makes the first violation found a shortest one; the trace
back to the initial state prints as Python that reproduces it.

Example:
    >>> from iobuf.model.bounds import PAIR
    >>> explore(PAIR).ok
    True
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .actions import Action
from .bounds import Bounds, candidate_actions, unreachable_properties, within_bounds
from .errors import IobufError
from .properties import PROPERTIES, Property
from .state import State, initial
from .step import step as spec_step

Step = Callable[[State, Action], State]


@dataclass(frozen=True, slots=True)
class Violation:
    """A property that failed, with the shortest action trace that reaches the failure."""

    prop: str
    trace: tuple[Action, ...]
    cores: int

    def to_python(self, step_name: str = "step") -> str:
        """A runnable script that replays the trace and fails the same way."""
        lines = [
            "from iobuf.model.actions import *",
            "from iobuf.model.properties import assert_invariants, assert_step",
            "from iobuf.model.state import initial",
            "from iobuf.model.step import step",
            "",
            f"state = initial(cores={self.cores})",
        ]
        for action in self.trace:
            lines += [f"pre, state = state, {step_name}(state, {action!r})",
                      f"assert_step(pre, {action!r}, state)", "assert_invariants(state)"]
        return "\n".join(lines) + "\n"


@dataclass(slots=True)
class Report:
    """What an exploration found: sizes, the first violation, and unwitnessed `sometimes`."""

    bounds: Bounds
    states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0
    violation: Violation | None = None
    witnessed: set[str] = field(default_factory=set)
    unwitnessed: list[str] = field(default_factory=list)
    complete: bool = True

    @property
    def vacuous(self) -> list[str]:
        """`sometimes` properties never witnessed although the bounds allow them."""
        excused = unreachable_properties(self.bounds)
        return [name for name in self.unwitnessed if name not in excused]

    @property
    def ok(self) -> bool:
        """No property violated and every reachable `sometimes` property witnessed."""
        return self.violation is None and not self.vacuous and self.complete


def explore(
    bounds: Bounds,
    step: Step = spec_step,
    properties: Iterable[Property] = PROPERTIES,
    max_states: int | None = None,
) -> Report:
    """Visit every state reachable within `bounds`; stop at the first violation."""
    props = tuple(properties)
    always = [p for p in props if p.kind == "always"]
    steps = [p for p in props if p.kind == "step"]
    sometimes = [p for p in props if p.kind == "sometimes"]
    report = Report(bounds)
    start = time.perf_counter()
    root = initial(bounds.cores)
    parent: dict[State, tuple[State, Action] | None] = {root: None}
    depth = {root: 0}
    queue = deque([root])
    report.violation = _check_state(root, always, parent, bounds)
    while queue and report.violation is None:
        pre = queue.popleft()
        for action in candidate_actions(pre, bounds):
            try:
                post = step(pre, action)
            except IobufError:
                continue  # disabled: the guard said no
            if not within_bounds(post, bounds):
                continue
            report.transitions += 1
            for p in sometimes:
                if p.name not in report.witnessed and p.check(pre, action, post):
                    report.witnessed.add(p.name)
            if bad := next((p for p in steps if not p.check(pre, action, post)), None):
                trace = (*_trace(parent, pre), action)
                report.violation = Violation(bad.name, trace, bounds.cores)
                break
            if post in parent:
                continue
            parent[post] = (pre, action)
            depth[post] = depth[pre] + 1
            report.depth = max(report.depth, depth[post])
            report.violation = _check_state(post, always, parent, bounds)
            if report.violation is not None:
                break
            if max_states is not None and len(parent) >= max_states:
                report.complete = False
                queue.clear()
                break
            queue.append(post)
    report.states = len(parent)
    report.seconds = time.perf_counter() - start
    if report.violation is None:
        report.unwitnessed = [p.name for p in sometimes if p.name not in report.witnessed]
    return report


def _check_state(
    state: State,
    always: list[Property],
    parent: dict[State, tuple[State, Action] | None],
    bounds: Bounds,
) -> Violation | None:
    bad = next((p for p in always if not p.check(state)), None)
    return None if bad is None else Violation(bad.name, _trace(parent, state), bounds.cores)


def _trace(parent: dict[State, tuple[State, Action] | None], state: State) -> tuple[Action, ...]:
    actions: list[Action] = []
    link = parent[state]
    while link is not None:
        state, action = link
        actions.append(action)
        link = parent[state]
    return tuple(reversed(actions))
