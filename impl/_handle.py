"""`Handle`: the one base class through which Python objects own C objects (llvmlite's ObjectRef).

A handle holds a C pointer (`_ptr`) and the object it depends on (its
System: children hold parents, so a System outlives every handle made from
it). `close()` gives the C object back exactly once (`_dispose`), after
which `_ptr` is None: the dead sentinel every method checks first, raising
ReleasedHandleError. `detach()` hands the pointer to a C call that consumes
it (send, prepend, append_buffer) without disposing of it here.

Garbage collection: buffer and iobuf handles are registered with their
System, which keeps them until they are released, so dropping the last
Python reference never releases memory behind the program's back (which
core would run the drop?); `System.close()` releases whatever is left, each
on its holder, and polls every core. Objects that own only private C memory
(a consumer's cursor) free it in `__del__`. Finalisers use only their own
object's attributes (the CDLL they hold stays loaded), never module
globals, so they also run safely at interpreter exit, and nothing the C
library allocated outlives the process (the valgrind test checks it).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from iobuf.model.errors import ReleasedHandleError


class Handle:
    """A Python object owning one C object."""

    __slots__ = ("__weakref__", "_ptr")
    _kind = "handle"

    def __init__(self, ptr: int) -> None:
        """Own the C object at `ptr`."""
        self._ptr: int | None = ptr

    def _live(self) -> int:
        """The pointer, or ReleasedHandleError once this handle is dead."""
        ptr = self._ptr
        if ptr is None:
            raise ReleasedHandleError(f"{self._kind} was released, sent away or consumed")
        return ptr

    @property
    def closed(self) -> bool:
        """Whether the C object was given back (released, sent away or consumed)."""
        return self._ptr is None

    def _dispose(self, ptr: int) -> None:
        """Give the C object at `ptr` back to the library (subclasses)."""
        raise NotImplementedError

    def close(self) -> None:
        """Give the C object back; afterwards every method raises ReleasedHandleError."""
        ptr = self._live()
        self._dispose(ptr)
        self._ptr = None

    def detach(self) -> int:
        """Take the pointer away from this object, which is dead afterwards."""
        ptr = self._live()
        self._ptr = None  # ownership moves to whoever took the pointer
        return ptr

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._ptr is not None:
            self.close()

