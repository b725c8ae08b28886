"""The transition function: one guard (`check`) and one pure `step` per action.

`check(state, action)` is the single source of truth for when an action is
allowed: it returns the error the action must raise, or None. `step` raises
that error before touching anything, so bad input never changes state; the
explorer treats a raising action as disabled; Hypothesis and the facade use
the same guard through `step`.

The order of the checks is part of the contract (the C implementation follows
it, and lockstep tests compare error types): a dead handle first, then the
types of the arguments, then ranges, then sharing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Literal, TypeGuard

from .actions import Action, Alloc, Clone, Poll, Release, Send, Share, Trim, TrimFront, Write
from .constants import MAX_ALLOC_SIZE
from .errors import (
    InvalidArgument,
    IobufError,
    OutOfMemory,
    OutOfRange,
    ReleasedHandleError,
    SharedWriteError,
)
from .state import (
    Allocation,
    BufferHandle,
    State,
    View,
    free_slot,
    put_slot,
    with_allocation,
    with_core,
)


def is_int(x: object) -> TypeGuard[int]:
    """Whether `x` is an int argument (bool is rejected: `alloc(True)` is a bug, not a size)."""
    return isinstance(x, int) and not isinstance(x, bool)


def is_bytes_like(x: object) -> bool:
    """Whether `x` is data a write accepts."""
    return isinstance(x, bytes | bytearray | memoryview)


def _core_error(state: State, core: object) -> IobufError | None:
    if not is_int(core) or not 0 <= core < state.ncores:
        return InvalidArgument(f"no core {core!r} in a system of {state.ncores} cores")
    return None


def _range_error(limit: int, pos: object, size: object, what: str) -> IobufError | None:
    """Whether `[pos, pos + size)` fits in `[0, limit)`; size None means "to the end"."""
    if not is_int(pos) or not (size is None or is_int(size)):
        return InvalidArgument(f"{what}: pos and size must be int, got {pos!r}, {size!r}")
    if not 0 <= pos <= limit:
        return OutOfRange(f"{what}: pos {pos} outside [0, {limit}]")
    if size is not None and not 0 <= size <= limit - pos:
        return OutOfRange(f"{what}: size {size} at pos {pos} exceeds {limit}")
    return None


def buffer_handle(state: State, slot: int) -> BufferHandle | None:
    """The live handle in `slot`, or None if the slot is free or out of range."""
    if 0 <= slot < len(state.buffers):
        return state.buffers[slot]
    return None


def check(state: State, action: Action) -> IobufError | None:
    """The error `action` must raise in `state`, or None when it is enabled."""
    match action:
        case Alloc(core, size):
            if err := _core_error(state, core):
                return err
            if not is_int(size) or size < 0:
                return InvalidArgument(f"alloc: size must be a non-negative int, got {size!r}")
            if size > MAX_ALLOC_SIZE:
                return OutOfMemory(f"alloc: {size} bytes exceeds {MAX_ALLOC_SIZE}")
            return None
        case Poll(core):
            return _core_error(state, core)
    handle = buffer_handle(state, action.buffer)
    if handle is None:
        return ReleasedHandleError(f"buffer {action.buffer} was released or sent away")
    return _check_buffer_action(state, handle, action)


def _check_buffer_action(state: State, handle: BufferHandle, action: Action) -> IobufError | None:
    size = handle.view.size
    match action:
        case Share(_, pos, n):
            return _range_error(size, pos, n, "share")
        case Trim(_, n):
            return _range_error(size, 0, n, "trim") if is_int(n) else _bad(n, "trim")
        case TrimFront(_, n):
            return _range_error(size, n, None, "trim_front") if is_int(n) else _bad(n, "trim_front")
        case Write(_, pos, data):
            if not is_bytes_like(data):
                return InvalidArgument(f"write: data must be bytes-like, got {type(data).__name__}")
            if err := _range_error(size, pos, len(data), "write"):
                return err
            if state.allocations[handle.view.alloc].refcount > 1:
                return SharedWriteError("write: the buffer is shared; clone it first")
            return None
        case Send(_, core):
            return _core_error(state, core)
    return None


def _bad(value: object, what: str) -> IobufError:
    return InvalidArgument(f"{what}: expected an int, got {value!r}")


def new_slot(state: State, action: Action) -> int:
    """The slot of the handle that an enabled Alloc/Share/Clone/Send creates.

    pre: check(state, action) is None
    post: 0 <= __return__ <= len(state.buffers)
    """
    if isinstance(action, Send):
        return free_slot(put_slot(state.buffers, action.buffer, None))
    return free_slot(state.buffers)


def step(state: State, action: Action) -> State:
    """The state after `action`; raises the guard's error (and changes nothing) if disabled.

    Its safety (the invariants hold after every step) is checked by the
    explorer and by Hypothesis; CrossHair checks the contracts of the small
    functions it is made of, where symbolic execution can reach every case.
    """
    if err := check(state, action):
        raise err
    match action:
        case Alloc(core, size):
            return allocate(state, core, bytes(size))
        case Share(b, pos, size):
            return _share(state, b, pos, size)
        case Trim(b, size):
            return _reshape(state, b, lambda v: v.sub(0, size))
        case TrimFront(b, n):
            return _reshape(state, b, lambda v: v.trimmed_front(n))
        case Write(b, pos, data):
            return _write(state, b, pos, bytes(data))
        case Clone(b):
            return _clone(state, b)
        case Send(b, core):
            return _send(state, b, core)
        case Release(b):
            return release_buffer(state, b)
        case Poll(core):
            return poll(state, core)
    raise InvalidArgument(f"not an action: {action!r}")


def allocate(state: State, core: int, data: bytes) -> State:
    """A new allocation of `data` owned by `core`, with one buffer handle on `core`."""
    alloc = len(state.allocations)
    c = state.cores[core]
    state = replace(state, allocations=(*state.allocations, Allocation(core, data, 1)))
    state = with_core(
        state, core, live_allocations=c.live_allocations + 1, live_bytes=c.live_bytes + len(data)
    )
    handle = BufferHandle(core, View(alloc, 0, len(data)))
    return replace(state, buffers=put_slot(state.buffers, free_slot(state.buffers), handle))


def _share(state: State, b: int, pos: int, size: int | None) -> State:
    handle = state.buffers[b]
    assert handle is not None
    state = add_reference(state, handle.view.alloc)
    view = BufferHandle(handle.holder, handle.view.sub(pos, size))
    return replace(state, buffers=put_slot(state.buffers, free_slot(state.buffers), view))


def add_reference(state: State, alloc: int) -> State:
    """One more live view of `alloc` (the relaxed increment of the C code)."""
    return with_allocation(state, alloc, refcount=state.allocations[alloc].refcount + 1)


def _reshape(state: State, b: int, f: Callable[[View], View]) -> State:
    handle = state.buffers[b]
    assert handle is not None
    return replace(
        state, buffers=put_slot(state.buffers, b, replace(handle, view=f(handle.view)))
    )


def _write(state: State, b: int, pos: int, data: bytes) -> State:
    handle = state.buffers[b]
    assert handle is not None
    a = state.allocations[handle.view.alloc]
    at = handle.view.start + pos
    return with_allocation(
        state, handle.view.alloc, data=a.data[:at] + data + a.data[at + len(data) :]
    )


def _clone(state: State, b: int) -> State:
    handle = state.buffers[b]
    assert handle is not None
    return allocate(state, handle.holder, read_view(state, handle.view))


def _send(state: State, b: int, core: int) -> State:
    handle = state.buffers[b]
    assert handle is not None
    # The hand-off is a message: at this (SC) level it is atomic; its
    # release/acquire pair is what the RC11 protocol catalogue checks.
    buffers = put_slot(state.buffers, b, None)
    return replace(
        state, buffers=put_slot(buffers, free_slot(buffers), BufferHandle(core, handle.view))
    )


def release_buffer(state: State, b: int) -> State:
    """Kill buffer handle `b` and drop its reference."""
    handle = state.buffers[b]
    assert handle is not None
    state = replace(state, buffers=put_slot(state.buffers, b, None))
    return drop_reference(state, handle.view.alloc, handle.holder)


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


def read_buffer(state: State, b: int, pos: object = 0, size: object = None) -> bytes:
    """The bytes `[pos, pos + size)` of buffer `b`, with the guards of `Share`."""
    if err := check(state, Share(b, pos, size)):  # type: ignore[arg-type]
        raise err
    handle = state.buffers[b]
    assert handle is not None and isinstance(pos, int) and isinstance(size, int | None)
    return read_view(state, handle.view.sub(pos, size))


def enabled(state: State, action: Action) -> bool:
    """Whether `action` may be taken in `state`."""
    return check(state, action) is None
