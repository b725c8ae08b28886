"""The iobuf fragment chain as transitions of the ownership machine (Redpanda `src/v/bytes/`).

Background: Redpanda's `iobuf` is a list of fragments, each a ref-counted
`temporary_buffer` plus a count of used bytes. Appends copy into the last
fragment's unused tail ("slack") and then into new fragments sized by the
allocation schedule; shares and `append_fragments` take new references to
existing memory instead of copying, which is how cores pass data around
without copies.

Model: fragments are views of the ownership machine's allocations, so a
fragment is counted by its allocation's refcount exactly like a buffer
handle, and releasing a chain on a foreign core defers the free to the
owner. The guard (`check_chain`) follows the order of `step.check`: a dead
handle first, then argument types, then cores, then ranges.

Deliberate deviation from Redpanda: `trim_back` inside a fragment also drops
its slack. Redpanda keeps it (`fragment::trim` only lowers `_used_bytes`),
so a later append rewrites bytes that an earlier share still sees; the
explorer catches that variant (tests/model/broken_chains.py).
"""

from __future__ import annotations

from dataclasses import replace

from .actions import (
    Append,
    AppendBuffer,
    AppendFragments,
    ChainAction,
    ChainCopy,
    ChainRelease,
    ChainSend,
    ChainShare,
    ChainTrimBack,
    ChainTrimFront,
    NewChain,
    PopBack,
    PopFront,
    Prepend,
    PrependBuffer,
)
from .buffers import buffer_handle
from .errors import InvalidArgument, IobufError, OutOfRange, ReleasedHandleError
from .ownership import (
    add_reference,
    core_error,
    drop_reference,
    is_bytes_like,
    is_int,
    new_allocation,
    range_error,
    read_view,
)
from .schedule import DEFAULT_LAST, MAX_FRAGMENT, copy_fragment_sizes, new_fragment_capacity
from .state import ChainState, FragmentState, State, View, free_slot, put_slot, with_allocation


def chain_at(state: State, slot: int) -> ChainState | None:
    """The live chain in `slot`, or None if the slot is free or out of range."""
    if 0 <= slot < len(state.chains):
        return state.chains[slot]
    return None


def chain_bytes(state: State, chain: ChainState) -> bytes:
    """The bytes of a chain, fragment after fragment."""
    return b"".join(read_view(state, f.view) for f in chain.fragments)


def last_capacity(chain: ChainState) -> int:
    """The capacity of the last fragment (DEFAULT_LAST when the chain is empty)."""
    return chain.fragments[-1].capacity if chain.fragments else DEFAULT_LAST


def check_chain(state: State, action: ChainAction) -> IobufError | None:
    """The error a chain action must raise in `state`, or None when it is enabled."""
    if isinstance(action, NewChain):
        return core_error(state, action.core)
    chain = chain_at(state, action.chain)
    if chain is None:
        return ReleasedHandleError(f"iobuf {action.chain} was released or sent away")
    match action:
        case Append(_, data):
            return None if is_bytes_like(data) else InvalidArgument(
                f"append: data must be bytes-like, got {type(data).__name__}")
        case AppendBuffer(_, b) | PrependBuffer(_, b):
            handle = buffer_handle(state, b)
            if handle is None:
                return ReleasedHandleError(f"buffer {b} was released or sent away")
            return _same_holder(chain.holder, handle.holder)
        case AppendFragments(c, other) | Prepend(c, other):
            other_chain = chain_at(state, other)
            if other_chain is None:
                return ReleasedHandleError(f"iobuf {other} was released or sent away")
            if isinstance(action, Prepend) and other == c:
                return InvalidArgument("prepend: an iobuf cannot consume itself")
            return _same_holder(chain.holder, other_chain.holder)
        case ChainShare(_, pos, size):
            return _span_error(chain.size, pos, size)
        case ChainTrimFront(_, n) | ChainTrimBack(_, n):
            if not is_int(n):
                return InvalidArgument(f"trim: expected an int, got {n!r}")
            return OutOfRange(f"trim: negative count {n}") if n < 0 else None
        case PopFront(_) | PopBack(_):
            return OutOfRange("pop from an empty iobuf") if not chain.fragments else None
        case ChainSend(_, core):
            return core_error(state, core)
    return None


def _same_holder(mine: int, theirs: int) -> IobufError | None:
    if mine != theirs:
        return InvalidArgument(f"the handle lives on core {theirs}, this iobuf on core {mine}")
    return None


def _span_error(limit: int, pos: object, size: object) -> IobufError | None:
    if not is_int(pos) or not is_int(size):
        return InvalidArgument(f"share: pos and size must be int, got {pos!r}, {size!r}")
    if pos < 0 or size < 0 or pos + size > limit:
        return OutOfRange(f"share: [{pos}, {pos} + {size}) outside an iobuf of {limit} bytes")
    return None


def step_chain(state: State, action: ChainAction) -> State:
    """The state after an enabled chain action (the guard has been checked by `step`)."""
    match action:
        case NewChain(core):
            return put_chain(state, ChainState(core), free_slot(state.chains))
        case Append(c, data):
            return put_chain(*append(state, live_chain(state, c), bytes(data)), c)
        case AppendBuffer(c, b):
            return _append_buffer(state, c, b)
        case PrependBuffer(c, b):
            return _prepend_buffer(state, c, b)
        case AppendFragments(c, other):
            return _append_fragments(state, c, other)
        case Prepend(c, other):
            mine, theirs = live_chain(state, c), live_chain(state, other)
            state = replace(state, chains=put_slot(state.chains, other, None))
            return put_chain(state, replace(mine, fragments=theirs.fragments + mine.fragments), c)
        case ChainShare(c, pos, size):
            state, shared = share(state, live_chain(state, c), pos, size)
            return put_chain(state, shared, free_slot(state.chains))
        case ChainCopy(c):
            state, copied = copy(state, live_chain(state, c))
            return put_chain(state, copied, free_slot(state.chains))
        case ChainTrimFront(c, n):
            return put_chain(*trim_front(state, live_chain(state, c), n), c)
        case ChainTrimBack(c, n):
            return put_chain(*trim_back(state, live_chain(state, c), n), c)
        case PopFront(c) | PopBack(c):
            chain = live_chain(state, c)
            i = 0 if isinstance(action, PopFront) else len(chain.fragments) - 1
            state = drop_reference(state, chain.fragments[i].view.alloc, chain.holder)
            rest = chain.fragments[:i] + chain.fragments[i + 1 :]
            return put_chain(state, replace(chain, fragments=rest), c)
        case ChainSend(c, core):
            chain = live_chain(state, c)
            state = replace(state, chains=put_slot(state.chains, c, None))
            return put_chain(state, replace(chain, holder=core), free_slot(state.chains))
        case ChainRelease(c):
            chain = live_chain(state, c)
            state = replace(state, chains=put_slot(state.chains, c, None))
            return _drop_all(state, chain.fragments, chain.holder)
    raise InvalidArgument(f"not a chain action: {action!r}")


def new_chain_slot(state: State, action: ChainAction) -> int:
    """The slot of the iobuf that an enabled NewChain/ChainShare/ChainCopy/ChainSend creates."""
    if isinstance(action, ChainSend):
        return free_slot(put_slot(state.chains, action.chain, None))
    return free_slot(state.chains)


def live_chain(state: State, slot: int) -> ChainState:
    """The chain in `slot`, which an enabled action guarantees is live."""
    chain = state.chains[slot]
    assert chain is not None
    return chain


def put_chain(state: State, chain: ChainState, slot: int) -> State:
    """`state` with `chain` in `slot`."""
    return replace(state, chains=put_slot(state.chains, slot, chain))


def _drop_all(state: State, fragments: tuple[FragmentState, ...], core: int) -> State:
    for f in fragments:
        state = drop_reference(state, f.view.alloc, core)
    return state


def append(state: State, chain: ChainState, data: bytes) -> tuple[State, ChainState]:
    """Copy `data` onto the end: the last fragment's slack first, then new fragments."""
    frags = list(chain.fragments)
    if frags and frags[-1].slack and data:
        last = frags[-1]
        k = min(last.slack, len(data))
        state = _write_at(state, last.view.alloc, last.view.end, data[:k])
        frags[-1] = replace(last, view=replace(last.view, size=last.view.size + k))
        data = data[k:]
    while data:
        capacity = new_fragment_capacity(len(data), frags[-1].capacity if frags else None)
        k = min(capacity, len(data))
        state, alloc = new_allocation(state, chain.holder, data[:k] + bytes(capacity - k))
        frags.append(FragmentState(View(alloc, 0, k), capacity))
        data = data[k:]
    return state, replace(chain, fragments=tuple(frags))


def _write_at(state: State, alloc: int, at: int, data: bytes) -> State:
    old = state.allocations[alloc].data
    return with_allocation(state, alloc, data=old[:at] + data + old[at + len(data) :])


def _take_buffer(state: State, b: int) -> tuple[State, View]:
    handle = buffer_handle(state, b)
    assert handle is not None
    return replace(state, buffers=put_slot(state.buffers, b, None)), handle.view


def _append_buffer(state: State, c: int, b: int) -> State:
    chain = live_chain(state, c)
    state, view = _take_buffer(state, b)
    if view.size == 0:
        return drop_reference(state, view.alloc, chain.holder)
    if view.size <= last_capacity(chain) and view.size < MAX_FRAGMENT:
        state, chain = append(state, chain, read_view(state, view))
        return put_chain(drop_reference(state, view.alloc, chain.holder), chain, c)
    fragment = FragmentState(view, view.size)  # the buffer's reference moves into the chain
    return put_chain(state, replace(chain, fragments=(*chain.fragments, fragment)), c)


def _prepend_buffer(state: State, c: int, b: int) -> State:
    chain = live_chain(state, c)
    state, view = _take_buffer(state, b)
    if view.size == 0:
        return drop_reference(state, view.alloc, chain.holder)
    fragment = FragmentState(view, view.size)
    return put_chain(state, replace(chain, fragments=(fragment, *chain.fragments)), c)


def _append_fragments(state: State, c: int, other: int) -> State:
    chain, theirs = live_chain(state, c), live_chain(state, other)
    for f in theirs.fragments:
        state = add_reference(state, f.view.alloc)
    shared = tuple(FragmentState(f.view, f.view.size) for f in theirs.fragments)
    return put_chain(state, replace(chain, fragments=chain.fragments + shared), c)


def read_chain(state: State, c: int, pos: object = 0, size: object = None) -> bytes:
    """The bytes `[pos, pos + size)` of iobuf `c` (to the end when size is None), guarded."""
    chain = chain_at(state, c)
    if chain is None:
        return _raise(ReleasedHandleError(f"iobuf {c} was released or sent away"))
    if err := range_error(chain.size, pos, size, "read"):
        return _raise(err)
    assert isinstance(pos, int) and isinstance(size, int | None)
    data = chain_bytes(state, chain)
    return data[pos:] if size is None else data[pos : pos + size]


def _raise(err: IobufError) -> bytes:
    raise err


def share_spans(sizes: tuple[int, ...], pos: int, size: int) -> tuple[tuple[int, int, int], ...]:
    """(fragment index, offset, length) of each piece of `[pos, pos + size)` over fragment sizes.

    Per fragment the piece is `min(left, frag.size - pos)`, then pos restarts
    at 0 (Redpanda's `iobuf::share`, without the seed blog's four mistakes).

    pre: all(s > 0 for s in sizes) and 0 <= pos and 0 <= size and pos + size <= sum(sizes)
    post: sum(n for _i, _o, n in __return__) == size
    post: all(0 <= o and 0 < n and o + n <= sizes[i] for i, o, n in __return__)
    post: all(a[0] < b[0] for a, b in zip(__return__, __return__[1:]))
    """
    spans: list[tuple[int, int, int]] = []
    left = size
    for i, fsize in enumerate(sizes):
        if left == 0:
            break
        if pos >= fsize:
            pos -= fsize
            continue
        n = min(left, fsize - pos)
        spans.append((i, pos, n))
        left -= n
        pos = 0
    return tuple(spans)


def share(state: State, chain: ChainState, pos: int, size: int) -> tuple[State, ChainState]:
    """A new chain viewing `[pos, pos + size)` of `chain`, taking one reference per fragment."""
    frags = []
    for i, offset, n in share_spans(tuple(f.view.size for f in chain.fragments), pos, size):
        view = chain.fragments[i].view.sub(offset, n)
        state = add_reference(state, view.alloc)
        frags.append(FragmentState(view, n))
    return state, ChainState(chain.holder, tuple(frags))


def copy(state: State, chain: ChainState) -> tuple[State, ChainState]:
    """A deep copy in fresh fragments sized by `copy_fragment_sizes`, owned by the holder."""
    data = chain_bytes(state, chain)
    frags = []
    for size in copy_fragment_sizes(len(data)):
        state, alloc = new_allocation(state, chain.holder, data[:size])
        frags.append(FragmentState(View(alloc, 0, size), size))
        data = data[size:]
    return state, ChainState(chain.holder, tuple(frags))


def trim_front(state: State, chain: ChainState, n: int) -> tuple[State, ChainState]:
    """Drop the first `n` bytes; whole fragments are released, the next one is trimmed."""
    frags = list(chain.fragments)
    while frags and n >= frags[0].view.size:
        n -= frags[0].view.size
        state = drop_reference(state, frags.pop(0).view.alloc, chain.holder)
    if frags and n:
        first = frags[0]
        frags[0] = FragmentState(first.view.trimmed_front(n), first.capacity - n)
    return state, replace(chain, fragments=tuple(frags))


def trim_back(state: State, chain: ChainState, n: int) -> tuple[State, ChainState]:
    """Drop the last `n` bytes; a fragment trimmed inside loses its slack (see module doc)."""
    frags = list(chain.fragments)
    while frags and n >= frags[-1].view.size:
        n -= frags[-1].view.size
        state = drop_reference(state, frags.pop().view.alloc, chain.holder)
    if frags and n:
        last = frags[-1]
        view = last.view.sub(0, last.view.size - n)
        frags[-1] = FragmentState(view, view.size)
    return state, replace(chain, fragments=tuple(frags))
