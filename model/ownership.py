"""The primitives of ownership: allocations, references, the last drop, frees.

Every transition of the machine, for buffers and for iobuf fragments alike,
changes memory only through these functions, so the thread-per-core rule
lives in one place: `drop_decision` says what the last drop does, `free`
records who freed, `poll` drains the deferred-free queue.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal, TypeGuard

from .errors import InvalidArgument, IobufError, OutOfRange
from .state import Allocation, State, View, with_allocation, with_core


def is_int(x: object) -> TypeGuard[int]:
    """Whether `x` is an int argument (bool is rejected: `alloc(True)` is a bug, not a size)."""
    return isinstance(x, int) and not isinstance(x, bool)


def is_bytes_like(x: object) -> bool:
    """Whether `x` is data a write accepts."""
    return isinstance(x, bytes | bytearray | memoryview)


def core_error(state: State, core: object) -> IobufError | None:
    if not is_int(core) or not 0 <= core < state.ncores:
        return InvalidArgument(f"no core {core!r} in a system of {state.ncores} cores")
    return None


def range_error(limit: int, pos: object, size: object, what: str) -> IobufError | None:
    """Whether `[pos, pos + size)` fits in `[0, limit)`; size None means "to the end"."""
    if not is_int(pos) or not (size is None or is_int(size)):
        return InvalidArgument(f"{what}: pos and size must be int, got {pos!r}, {size!r}")
    if not 0 <= pos <= limit:
        return OutOfRange(f"{what}: pos {pos} outside [0, {limit}]")
    if size is not None and not 0 <= size <= limit - pos:
        return OutOfRange(f"{what}: size {size} at pos {pos} exceeds {limit}")
    return None


def new_allocation(state: State, core: int, data: bytes) -> tuple[State, int]:
    """A new allocation of `data` owned by `core` with refcount 1, and its number."""
    alloc = len(state.allocations)
    c = state.cores[core]
    state = replace(state, allocations=(*state.allocations, Allocation(core, data, 1)))
    state = with_core(
        state, core, live_allocations=c.live_allocations + 1, live_bytes=c.live_bytes + len(data)
    )
    return state, alloc


def add_reference(state: State, alloc: int) -> State:
    """One more live view of `alloc` (the relaxed increment of the C code)."""
    return with_allocation(state, alloc, refcount=state.allocations[alloc].refcount + 1)


Drop = Literal["keep", "free", "defer"]


def drop_decision(refcount: int, dropper: int, owner: int) -> Drop:
    """What dropping one of `refcount` references on core `dropper` does to the memory.

    The thread-per-core rule in one function: only the last drop acts, and
    only the owner frees; a foreign last dropper defers to the owner's queue.

    pre: refcount >= 1
    post: (__return__ == "keep") == (refcount > 1)
    post: __return__ != "free" or dropper == owner
    post: __return__ != "defer" or (dropper != owner and refcount == 1)
    """
    if refcount > 1:
        return "keep"
    return "free" if dropper == owner else "defer"


def drop_reference(state: State, alloc: int, core: int) -> State:
    """Core `core` drops one reference; the last drop frees on the owner or defers to its queue."""
    a = state.allocations[alloc]
    state = with_allocation(state, alloc, refcount=a.refcount - 1)
    match drop_decision(a.refcount, core, a.owner):
        case "keep":
            return state
        case "free":
            return free(state, alloc, core)
    owner = state.cores[a.owner]
    return with_core(state, a.owner, queue=(*owner.queue, alloc))


def free(state: State, alloc: int, core: int) -> State:
    """Core `core` frees `alloc` and updates its own accounting."""
    a = state.allocations[alloc]
    c = state.cores[core]
    state = with_allocation(state, alloc, freed_by=(*a.freed_by, core))
    return with_core(
        state, core, live_allocations=c.live_allocations - 1, live_bytes=c.live_bytes - a.capacity
    )


def poll(state: State, core: int) -> State:
    """Core `core` frees every allocation in its deferred-free queue, oldest first.

    """
    for alloc in state.cores[core].queue:
        state = free(state, alloc, core)
    return with_core(state, core, queue=())


def read_view(state: State, view: View) -> bytes:
    """The bytes a view sees."""
    return state.allocations[view.alloc].data[view.start : view.end]
