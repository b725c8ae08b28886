"""The lockstep machine: the implementation against the model, on every pytest run.

Until `iobuf.impl` exports the API, the machine runs the model against a
second, independent model instance: that exercises every rule, the bundle
bookkeeping and the teardown leak check. Its negative twin below shows the
machine does catch an implementation that differs.
"""

from __future__ import annotations

import importlib

import broken_api
import iobuf.model
import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from iobuf.proofs.lockstep import lockstep_machine

_impl = importlib.import_module("iobuf.impl")
IMPLEMENTATION = _impl if hasattr(_impl, "System") else iobuf.model

TestLockstep = lockstep_machine(iobuf.model, IMPLEMENTATION).TestCase  # type: ignore[attr-defined]
TestLockstep.settings = settings.get_profile("lockstep-fast")


def test_lockstep_catches_a_broken_implementation() -> None:
    machine = lockstep_machine(iobuf.model, broken_api)
    with pytest.raises(AssertionError):
        run_state_machine_as_test(machine, settings=settings(
            max_examples=300, stateful_step_count=30, deadline=None, database=None,
            report_multiple_bugs=False))
