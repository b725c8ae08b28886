"""Seeded broken helpers with the model's own contracts: CrossHair must refute them.

Each function copies the PEP 316 contract of a real model function and breaks
the body the way a plausible bug would. If `crosshair check` stops finding
these, the contract run in tests/contracts/ has become vacuous (for instance,
CrossHair can no longer build a state satisfying the preconditions).
"""

from __future__ import annotations

from iobuf.model.state import View


def trimmed_front_keeps_size(view: View, n: int) -> View:
    """Advances the start but forgets to shrink the size (the view runs past its end).

    pre: view.size >= 0 and 0 <= n <= view.size
    post: __return__.end == view.end and __return__.size == view.size - n
    """
    return View(view.alloc, view.start + n, view.size)


def drop_decision_by_holder(refcount: int, dropper: int, owner: int) -> str:
    """The last dropper frees wherever it runs (the classic thread-per-core bug).

    pre: refcount >= 1
    post: (__return__ == "keep") == (refcount > 1)
    post: __return__ != "free" or dropper == owner
    """
    return "keep" if refcount > 1 else "free"


def free_slot_from_the_end(slots: tuple[object | None, ...]) -> int:
    """Returns the highest free slot instead of the lowest.

    post: 0 <= __return__ <= len(slots)
    post: __return__ == len(slots) or slots[__return__] is None
    post: all(s is not None for s in slots[:__return__])
    """
    for i in reversed(range(len(slots))):
        if slots[i] is None:
            return i
    return len(slots)




def deferred_free_with_holder_freeing(schedule: list[int]) -> bool:
    """The interleaving scenario under a spec whose foreign last dropper frees by itself.

    Only schedules where core 1 drops last expose it; CrossHair must find one.

    pre: len(schedule) <= 8
    post: __return__
    """
    from broken_specs import free_on_holder
    from iobuf.model.interleavings import run_schedule

    state, problems = run_schedule(schedule, free_on_holder)
    return not problems and all(a.freed for a in state.allocations)
