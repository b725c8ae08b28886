"""`iobuf bench impl` runs and prints its table (timings are reported, never asserted)."""

from __future__ import annotations

import iobuf.impl
import iobuf.model
import pytest
from iobuf.cli.bench_impl import mix, program
from iobuf.cli.main import main


def test_bench_impl_prints_the_four_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "impl", "--quick", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("share(pos, 1 MiB)", "append", "operation mix", "alloc+release"):
        assert name in out


def test_the_mix_is_the_same_workload_on_both_sides() -> None:
    prog = program(2000, seed=9)
    assert mix(iobuf.model, prog) == mix(iobuf.impl, prog) != 0
