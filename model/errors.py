"""The exception classes both `iobuf.model` and `iobuf.impl` raise.

The spec owns the vocabulary: the C implementation maps each of its error
codes onto one of these classes, so a lockstep test can compare the *type*
of an error raised by the model with the one raised by the implementation.

Every operation that raises leaves the state exactly as it was.
"""

from __future__ import annotations


class IobufError(Exception):
    """Base class of every error raised by iobuf."""


class InvalidArgument(IobufError, ValueError):
    """An argument has the wrong type or a value no operation accepts (IOB_EINVAL)."""


class OutOfRange(IobufError, IndexError):
    """A position or size reaches outside the bytes a handle views (IOB_ERANGE)."""


class SharedWriteError(IobufError):
    """A write through a handle whose allocation has other live views (IOB_ESHARED)."""


class ReleasedHandleError(IobufError):
    """An operation on a handle that was released or sent away (IOB_ERELEASED)."""


class WouldBlock(IobufError):
    """A non-blocking operation found nothing to take (IOB_EWOULDBLOCK)."""


class OutOfMemory(IobufError, MemoryError):
    """An allocation request cannot be satisfied (IOB_ENOMEM)."""


__all__ = [
    "InvalidArgument",
    "IobufError",
    "OutOfMemory",
    "OutOfRange",
    "ReleasedHandleError",
    "SharedWriteError",
    "WouldBlock",
]
