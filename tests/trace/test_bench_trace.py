"""`iobuf bench trace` runs, races nothing, and prints its three rows (timings never asserted)."""

from __future__ import annotations

import pytest
from iobuf.cli.main import main


def test_bench_trace_prints_the_three_builds(capsys: pytest.CaptureFixture[str]) -> None:
    # repeat >= 2: a traced system left registered would trace the next round's
    # plain calls and report races that are not there (it once did).
    assert main(["bench", "trace", "--ops", "400", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    for row in ("plain", "traced, no callback", "traced + online RC11"):
        assert f"\n{row} " in out
