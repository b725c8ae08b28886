"""Deliberately broken variants of the ownership spec: the negative twins.

Each variant overrides one arm of `iobuf.model.step.step` and defers to the
real spec for everything else. The explorer must catch every one of them
with a shortest counterexample; the tests pin which property fails and how
long the shortest trace is. A variant the explorer cannot catch would mean
the invariants are too weak.
"""

from __future__ import annotations

from dataclasses import replace

from iobuf.model.actions import Action, Poll, Release, Send, Share, TrimFront, Write
from iobuf.model.buffers import release_buffer
from iobuf.model.ownership import free
from iobuf.model.state import BufferHandle, State, View, free_slot, put_slot, with_core
from iobuf.model.step import check, step


def free_on_holder(state: State, action: Action) -> State:
    """The last dropper frees the memory itself, even on a foreign core."""
    match action:
        case Release(b) if check(state, action) is None:
            handle = state.buffers[b]
            assert handle is not None
            a = state.allocations[handle.view.alloc]
            if a.refcount == 1 and handle.holder != a.owner:
                state = replace(state, buffers=put_slot(state.buffers, b, None))
                state = _set_refcount(state, handle.view.alloc, 0)
                return free(state, handle.view.alloc, handle.holder)
    return step(state, action)


def no_enqueue(state: State, action: Action) -> State:
    """A foreign last drop forgets to push the allocation onto the owner's queue."""
    match action:
        case Release(b) if check(state, action) is None:
            handle = state.buffers[b]
            assert handle is not None
            a = state.allocations[handle.view.alloc]
            if a.refcount == 1 and handle.holder != a.owner:
                state = replace(state, buffers=put_slot(state.buffers, b, None))
                return _set_refcount(state, handle.view.alloc, 0)
    return step(state, action)


def share_without_incref(state: State, action: Action) -> State:
    """Share creates the view but does not count it."""
    match action:
        case Share(b, pos, size) if check(state, action) is None:
            handle = state.buffers[b]
            assert handle is not None
            v = handle.view
            n = v.size - pos if size is None else size
            new = BufferHandle(handle.holder, View(v.alloc, v.start + pos, n))
            return replace(state, buffers=put_slot(state.buffers, free_slot(state.buffers), new))
    return step(state, action)


def poll_keeps_queue(state: State, action: Action) -> State:
    """Poll frees what is queued but does not empty the queue (a second poll frees twice)."""
    match action:
        case Poll(core) if check(state, action) is None:
            for alloc in state.cores[core].queue:
                state = free(state, alloc, core)
            return state
    return step(state, action)


def write_while_shared(state: State, action: Action) -> State:
    """The write guard forgets the refcount: a write changes bytes another view sees."""
    match action:
        case Write(b, _pos, _data) if b < len(state.buffers) and state.buffers[b] is not None:
            handle = state.buffers[b]
            assert handle is not None
            alloc = handle.view.alloc
            refcount = state.allocations[alloc].refcount
            state = _set_refcount(state, alloc, 1)  # fool the guard
            state = step(state, action)
            return _set_refcount(state, alloc, refcount)
    return step(state, action)


def send_keeps_sender(state: State, action: Action) -> State:
    """Send copies the handle to the new core and forgets to kill the old one."""
    match action:
        case Send(b, core) if check(state, action) is None:
            handle = state.buffers[b]
            assert handle is not None
            new = BufferHandle(core, handle.view)
            return replace(state, buffers=put_slot(state.buffers, free_slot(state.buffers), new))
    return step(state, action)


def poll_skips_accounting(state: State, action: Action) -> State:
    """Deferred frees forget the owner's accounting."""
    match action:
        case Poll(core) if check(state, action) is None:
            c = state.cores[core]
            state = step(state, action)
            return with_core(state, core, live_allocations=c.live_allocations,
                             live_bytes=c.live_bytes)
    return step(state, action)


def trim_front_keeps_size(state: State, action: Action) -> State:
    """trim_front advances the start but forgets to shrink the size (views past the end)."""
    match action:
        case TrimFront(b, n) if check(state, action) is None:
            handle = state.buffers[b]
            assert handle is not None
            v = handle.view
            moved = replace(handle, view=View(v.alloc, v.start + n, v.size))
            return replace(state, buffers=put_slot(state.buffers, b, moved))
    return step(state, action)


def release_twice(state: State, action: Action) -> State:
    """Release drops two references (a double decrement)."""
    match action:
        case Release(b) if check(state, action) is None:
            handle = state.buffers[b]
            assert handle is not None
            state = release_buffer(state, b)
            if state.allocations[handle.view.alloc].refcount > 0:
                state = _set_refcount(state, handle.view.alloc,
                                      state.allocations[handle.view.alloc].refcount - 1)
            return state
    return step(state, action)


def _set_refcount(state: State, alloc: int, refcount: int) -> State:
    allocs = list(state.allocations)
    allocs[alloc] = replace(allocs[alloc], refcount=refcount)
    return replace(state, allocations=tuple(allocs))
