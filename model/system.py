"""The object API (`System`, `Core`, `Buffer`): a thin facade over the state machine.

Every method builds one action and applies `iobuf.model.step.step` to the
system's current state; queries read the state. The facade keeps no facts of
its own except which Python object stands for which buffer slot, and whether
that object is dead (released or sent away): a slot number can be reused by a
later handle, so a dead object must never reach the state again.

Example:
    >>> s = System(cores=2)
    >>> b = s.core(0).alloc(4)
    >>> m = b.send(s.core(1))       # b is dead now
    >>> m.release()                 # last drop on a foreign core: deferred
    >>> s.core(0).stats.pending_frees, s.core(0).poll()
    (1, 1)
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from types import TracebackType

from .actions import (
    Action,
    Alloc,
    ChainRelease,
    Clone,
    NewChain,
    Poll,
    Release,
    Send,
    Share,
    Trim,
    TrimFront,
    Write,
)
from .buffers import buffer_handle, read_buffer
from .constants import MAX_CORES
from .errors import InvalidArgument, ReleasedHandleError
from .iobuf import IoBuf
from .ownership import is_int
from .state import State, initial
from .step import new_slot, step


@dataclass(frozen=True, slots=True)
class CoreStats:
    """Per-core accounting: live allocations and bytes owned, and frees waiting in the queue."""

    live_allocations: int
    live_bytes: int
    pending_frees: int


class System:
    """A thread-per-core system of `cores` cores, each with its own memory."""

    def __init__(self, cores: int = 1) -> None:
        """Create a system of 1..64 idle cores.

        pre: True
        raises: InvalidArgument
        """
        if not is_int(cores) or not 1 <= cores <= MAX_CORES:
            raise InvalidArgument(f"cores must be an int in [1, {MAX_CORES}], got {cores!r}")
        self.state: State = initial(cores)
        self._cores = tuple(Core(self, i) for i in range(cores))
        self._closed = False
        # Every IoBuf object made, for close() (IoBufs are unhashable: no WeakSet).
        self._iobufs: list[weakref.ref[IoBuf]] = []

    @property
    def cores(self) -> tuple[Core, ...]:
        """Every core, by id."""
        return self._cores

    def core(self, i: int) -> Core:
        """Core number `i`."""
        if not is_int(i) or not 0 <= i < len(self._cores):
            raise InvalidArgument(f"no core {i!r} in a system of {len(self._cores)} cores")
        return self._cores[i]

    def apply(self, action: Action) -> State:
        """Apply one action to the state (raising, with no change, if it is disabled)."""
        if self._closed:
            raise ReleasedHandleError("the system is closed")
        self.state = step(self.state, action)
        return self.state

    def _core_id(self, core: object) -> int:
        if not isinstance(core, Core) or core.system is not self:
            raise InvalidArgument(f"{core!r} is not a core of this system")
        return core.id

    def __repr__(self) -> str:
        return f"System(cores={len(self._cores)})"

    @property
    def closed(self) -> bool:
        """Whether `close()` has run; every handle is dead afterwards."""
        return self._closed

    def close(self) -> None:
        """Release every live handle, poll every core; every handle is dead afterwards.

        Raises BufferError, changing nothing, while a consumer's memoryview is alive.
        """
        if self._closed:
            return
        for ref in self._iobufs:
            io = ref()
            if io is not None and io._slot is not None:
                io._check_no_exports()
        for slot in reversed(range(len(self.state.chains))):
            if self.state.chains[slot] is not None:
                self.apply(ChainRelease(slot))
        for slot in reversed(range(len(self.state.buffers))):
            if self.state.buffers[slot] is not None:
                self.apply(Release(slot))
        for core in range(len(self._cores)):
            self.apply(Poll(core))
        self._closed = True

    def __enter__(self) -> System:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Core:
    """One core (one shard): allocates, polls its deferred-free queue, reports its stats."""

    def __init__(self, system: System, core_id: int) -> None:
        """A core of `system` (use `System.core`)."""
        self.system = system
        self.id = core_id

    def alloc(self, size: int) -> Buffer:
        """Allocate `size` zero-filled bytes owned and held by this core."""
        action = Alloc(self.id, size)
        slot = new_slot(self.system.state, action)
        self.system.apply(action)
        return Buffer(self.system, slot)

    def iobuf(self) -> IoBuf:
        """A new, empty iobuf held by this core."""
        action = NewChain(self.id)
        slot = new_slot(self.system.state, action)
        self.system.apply(action)
        return IoBuf(self.system, slot)

    def poll(self) -> int:
        """Free everything foreign cores queued for this core; return how many."""
        pending = len(self.system.state.cores[self.id].queue)
        self.system.apply(Poll(self.id))
        return pending

    @property
    def stats(self) -> CoreStats:
        """This core's accounting."""
        c = self.system.state.cores[self.id]
        return CoreStats(c.live_allocations, c.live_bytes, len(c.queue))

    def __repr__(self) -> str:
        return f"{self.system!r}.core({self.id})"


class Buffer:
    """A handle to a ref-counted view of memory (`seastar::temporary_buffer`)."""

    def __init__(self, system: System, slot: int) -> None:
        """A handle on buffer slot `slot` (created by Core.alloc, share, clone, send)."""
        self._system = system
        self._slot: int | None = slot

    def _live(self) -> int:
        if self._slot is None or self._system._closed:
            raise ReleasedHandleError("buffer was released or sent away, or its system closed")
        return self._slot

    def _handle(self) -> tuple[int, int, int, int]:
        slot = self._live()
        h = buffer_handle(self._system.state, slot)
        assert h is not None, "a live Buffer object always names a live slot"
        a = self._system.state.allocations[h.view.alloc]
        return h.view.size, a.owner, h.holder, a.refcount

    def _derive(self, action: Action) -> Buffer:
        slot = new_slot(self._system.state, action)
        self._system.apply(action)
        return Buffer(self._system, slot)

    @property
    def size(self) -> int:
        """Bytes this handle views."""
        return self._handle()[0]

    def __len__(self) -> int:
        return self.size

    @property
    def owner(self) -> int:
        """The core that allocated the memory (and must free it)."""
        return self._handle()[1]

    @property
    def holder(self) -> int:
        """The core this handle lives on."""
        return self._handle()[2]

    @property
    def refcount(self) -> int:
        """Live views of the underlying allocation."""
        return self._handle()[3]

    def read(self, pos: int = 0, size: int | None = None) -> bytes:
        """The bytes `[pos, pos + size)` of this view (to the end when size is None)."""
        return read_buffer(self._system.state, self._live(), pos, size)

    def write(self, pos: int, data: bytes) -> None:
        """Overwrite bytes at `pos`; raises SharedWriteError while other views exist."""
        self._system.apply(Write(self._live(), pos, data))

    def share(self, pos: int = 0, size: int | None = None) -> Buffer:
        """A zero-copy view of `[pos, pos + size)` on the same holder (refcount + 1)."""
        return self._derive(Share(self._live(), pos, size))

    def trim(self, size: int) -> None:
        """Keep only the first `size` bytes of this view."""
        self._system.apply(Trim(self._live(), size))

    def trim_front(self, n: int) -> None:
        """Drop the first `n` bytes of this view."""
        self._system.apply(TrimFront(self._live(), n))

    def clone(self) -> Buffer:
        """A deep copy owned and held by this handle's holder."""
        return self._derive(Clone(self._live()))

    def send(self, core: Core) -> Buffer:
        """Move this handle to `core`; this object is dead afterwards."""
        action = Send(self._live(), self._system._core_id(core))
        new = self._derive(action)
        self._slot = None  # ownership moved to `new`
        return new

    def release(self) -> None:
        """Drop this handle (the last drop frees, or defers the free to the owner core)."""
        self._system.apply(Release(self._live()))
        self._slot = None

    def __enter__(self) -> Buffer:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._slot is not None:
            self.release()

    def __repr__(self) -> str:
        if self._slot is None:
            return "<Buffer released>"
        return f"<Buffer slot={self._slot} size={self.size} owner={self.owner} " \
            f"holder={self.holder}>"
