"""A copy of the model's API with one deliberate bug: the negative twin of lockstep.

Foreign last drops are freed by `poll`, but this Core's poll reports the
frees without performing them. The lockstep machine must notice.
"""

from __future__ import annotations

from iobuf.model import Core as _Core
from iobuf.model import System as _System

# The lockstep machine only reaches an API through `System`; everything else
# (cores, buffers, iobufs, errors) it reaches through the objects.


class Core(_Core):
    """A core whose poll forgets to free."""

    def poll(self) -> int:
        """Report the queue length; free nothing."""
        return len(self.system.state.cores[self.id].queue)


class System(_System):
    """A system made of forgetful cores."""

    def __init__(self, cores: int = 1) -> None:
        super().__init__(cores)
        self._cores = tuple(Core(self, i) for i in range(cores))
