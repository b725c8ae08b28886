"""iobuf.model: the executable specification of thread-per-core buffers (stdlib only).

Layers, each in the file named after it:
- `state`, `actions`, `step`: the ownership machine as a pure transition
  function over frozen, hashable states, with one guard (`step.check`);
- `properties`: the invariants of DESIGN.md §2 as named predicates;
- `bounds`, `explorer`: exhaustive breadth-first checking within bounds;
- `chain`, `schedule`: the iobuf fragment chain and its allocation schedule;
- `system`, `iobuf`, `consumer`: the object API as a facade over the state;
- `errors`, `constants`: the vocabulary shared with `iobuf.impl`.
"""

from __future__ import annotations

from .consumer import Consumer
from .errors import (
    InvalidArgument,
    IobufError,
    OutOfMemory,
    OutOfRange,
    ReleasedHandleError,
    SharedWriteError,
    WouldBlock,
)
from .iobuf import Fragment, IoBuf
from .system import Buffer, Core, CoreStats, System

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
]
