"""Buffer (`temporary_buffer`) transitions and their guard.

The guard's order is part of the contract (the C implementation follows it
and lockstep tests compare error types): a dead handle first, then the types
of the arguments, then ranges, then sharing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .actions import Alloc, BufferAction, Clone, Poll, Release, Send, Share, Trim, TrimFront, Write
from .constants import MAX_ALLOC_SIZE
from .errors import InvalidArgument, IobufError, OutOfMemory, ReleasedHandleError, SharedWriteError
from .ownership import (
    add_reference,
    core_error,
    drop_reference,
    is_bytes_like,
    is_int,
    new_allocation,
    poll,
    range_error,
    read_view,
)
from .state import BufferHandle, State, View, free_slot, put_slot, with_allocation


def check_buffer(state: State, action: BufferAction) -> IobufError | None:
    """The error a buffer action must raise in `state`, or None when it is enabled."""
    match action:
        case Alloc(core, size):
            if err := core_error(state, core):
                return err
            if not is_int(size) or size < 0:
                return InvalidArgument(f"alloc: size must be a non-negative int, got {size!r}")
            if size > MAX_ALLOC_SIZE:
                return OutOfMemory(f"alloc: {size} bytes exceeds {MAX_ALLOC_SIZE}")
            return None
        case Poll(core):
            return core_error(state, core)
    handle = buffer_handle(state, action.buffer)
    if handle is None:
        return ReleasedHandleError(f"buffer {action.buffer} was released or sent away")
    return _check_buffer_action(state, handle, action)


def step_buffer(state: State, action: BufferAction) -> State:
    """The state after an enabled buffer action (the guard has been checked by `step`)."""
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
    raise InvalidArgument(f"not a buffer action: {action!r}")


def buffer_handle(state: State, slot: int) -> BufferHandle | None:
    """The live handle in `slot`, or None if the slot is free or out of range."""
    if 0 <= slot < len(state.buffers):
        return state.buffers[slot]
    return None


def _check_buffer_action(
    state: State, handle: BufferHandle, action: BufferAction
) -> IobufError | None:
    size = handle.view.size
    match action:
        case Share(_, pos, n):
            return range_error(size, pos, n, "share")
        case Trim(_, n):
            return range_error(size, 0, n, "trim") if is_int(n) else _bad(n, "trim")
        case TrimFront(_, n):
            return range_error(size, n, None, "trim_front") if is_int(n) else _bad(n, "trim_front")
        case Write(_, pos, data):
            if not is_bytes_like(data):
                return InvalidArgument(f"write: data must be bytes-like, got {type(data).__name__}")
            # nbytes, not len(): a memoryview of 4-byte items writes 4 bytes per item
            if err := range_error(size, pos, memoryview(data).nbytes, "write"):
                return err
            if state.allocations[handle.view.alloc].refcount > 1:
                return SharedWriteError("write: the buffer is shared; clone it first")
            return None
        case Send(_, core):
            return core_error(state, core)
    return None


def _bad(value: object, what: str) -> IobufError:
    return InvalidArgument(f"{what}: expected an int, got {value!r}")


def allocate(state: State, core: int, data: bytes) -> State:
    """A new allocation of `data` owned by `core`, with one buffer handle on `core`."""
    state, alloc = new_allocation(state, core, data)
    handle = BufferHandle(core, View(alloc, 0, len(data)))
    return replace(state, buffers=put_slot(state.buffers, free_slot(state.buffers), handle))


def _share(state: State, b: int, pos: int, size: int | None) -> State:
    handle = state.buffers[b]
    assert handle is not None
    state = add_reference(state, handle.view.alloc)
    view = BufferHandle(handle.holder, handle.view.sub(pos, size))
    return replace(state, buffers=put_slot(state.buffers, free_slot(state.buffers), view))


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


def read_buffer(state: State, b: int, pos: object = 0, size: object = None) -> bytes:
    """The bytes `[pos, pos + size)` of buffer `b`, with the guards of `Share`."""
    if err := check_buffer(state, Share(b, pos, size)):  # type: ignore[arg-type]
        raise err
    handle = state.buffers[b]
    assert handle is not None and isinstance(pos, int) and isinstance(size, int | None)
    return read_view(state, handle.view.sub(pos, size))
