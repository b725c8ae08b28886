"""The lockstep machine: the implementation against the model, on every pytest run.

The fast profile runs here; `iobuf verify` runs longer campaigns. The
negative twin below shows the machine does catch an implementation that
differs from the model.
"""

from __future__ import annotations

import broken_api
import iobuf.impl
import iobuf.model
import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from iobuf.proofs.lockstep import lockstep_machine

TestLockstep = lockstep_machine(iobuf.model, iobuf.impl).TestCase  # type: ignore[attr-defined]
TestLockstep.settings = settings.get_profile("lockstep-fast")


def test_lockstep_catches_a_broken_implementation() -> None:
    machine = lockstep_machine(iobuf.model, broken_api)
    with pytest.raises(AssertionError):
        run_state_machine_as_test(machine, settings=settings(
            max_examples=300, stateful_step_count=30, deadline=None, database=None,
            report_multiple_bugs=False))
