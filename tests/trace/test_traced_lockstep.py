"""The lockstep machine on the traced build: every step is also race-checked by RC11.

The traced library behaves like the bundled one (the model agrees with it
step by step) and the online checker finds no race, use-after-free or
thread-per-core violation in its real atomic operations: the fast profile
on every run, the thorough one (2000 examples x 80 steps) with --runslow.
The negative twins are the call-site mutants (tests/mutants), which this
same machine must kill.
"""

from __future__ import annotations

import iobuf.model
import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from iobuf.impl.build import build
from iobuf.proofs.campaign import library_api
from iobuf.proofs.lockstep import lockstep_machine

TestTracedLockstep = lockstep_machine(  # type: ignore[attr-defined]
    iobuf.model, library_api(build("traced"), traced=True)).TestCase
TestTracedLockstep.settings = settings.get_profile("lockstep-fast")


@pytest.mark.slow
def test_the_thorough_profile_is_race_free_too() -> None:
    run_state_machine_as_test(
        lockstep_machine(iobuf.model, library_api(build("traced"), traced=True)),
        settings=settings.get_profile("lockstep-thorough"))
