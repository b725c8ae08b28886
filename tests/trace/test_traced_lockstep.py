"""The lockstep machine on the traced build: every step is also race-checked by RC11.

The traced library behaves like the bundled one (the model agrees with it
step by step) and the online checker finds no race, use-after-free or
thread-per-core violation in its real atomic operations.
"""

from __future__ import annotations

import iobuf.model
from hypothesis import settings
from iobuf.impl.build import build
from iobuf.proofs.campaign import library_api
from iobuf.proofs.lockstep import lockstep_machine

TestTracedLockstep = lockstep_machine(  # type: ignore[attr-defined]
    iobuf.model, library_api(build("traced"), traced=True)).TestCase
TestTracedLockstep.settings = settings.get_profile("lockstep-fast")
