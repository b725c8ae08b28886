"""iobuf.impl: the C implementation, loaded with ctypes, with the model's Python API.

`System`, `Core`, `Buffer`, `IoBuf`, `Fragment`, `Consumer` behave exactly as
their `iobuf.model` namesakes (same names, same argument checks in the same
order, the same exception classes), so one test suite runs on both. The C
library (`csrc/`, compiled by `pip install`) is loaded lazily on the first
`System`; `iobuf.impl.build` compiles sanitizer, traced and mutant variants
of it, and `System(cores, library=path)` runs on any of them.
"""

from __future__ import annotations

from iobuf.model.errors import (
    InvalidArgument,
    IobufError,
    OutOfMemory,
    OutOfRange,
    ReleasedHandleError,
    SharedWriteError,
    WouldBlock,
)

from . import hexdump, sites
from .buffer import Buffer
from .chain import Fragment, IoBuf
from .consumer import Consumer
from .core import Core, CoreStats, System

__all__ = [
    "Buffer",
    "Consumer",
    "Core",
    "CoreStats",
    "Fragment",
    "InvalidArgument",
    "IoBuf",
    "IobufError",
    "OutOfMemory",
    "OutOfRange",
    "ReleasedHandleError",
    "SharedWriteError",
    "System",
    "WouldBlock",
    "hexdump",
    "sites",
]
