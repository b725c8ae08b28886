"""The command line: `iobuf model check` and `iobuf verify` report and exit as documented."""

from __future__ import annotations

import pytest

from iobuf.cli.main import main


def test_model_check_reports_counts_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "check", "--bounds", "pair"]) == 0
    out = capsys.readouterr().out
    assert "states       201" in out and "verdict      OK" in out


def test_model_check_options_override_a_named_bound(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "check", "--bounds", "pair", "--cores", "1"]) == 0
    assert "cores=1" in capsys.readouterr().out


def test_model_check_rejects_bad_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "check", "--cores", "0"]) == 2


def test_model_check_stops_early_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "check", "--bounds", "pair", "--max-states", "10"]) == 1
    assert "INCOMPLETE" in capsys.readouterr().out
