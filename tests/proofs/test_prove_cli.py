"""`iobuf prove`: one line per proof, OK on the real model, non-zero when anything fails."""

from __future__ import annotations

import pytest
from iobuf.cli.main import main
from iobuf.proofs import runner
from iobuf.proofs.abstraction import ACTIONS
from iobuf.proofs.induction import refute_twin
from iobuf.proofs.seed import model_share_checked, seed_share_checked


def test_prove_runs_everything_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "--contract-timeout", "0.5"]) == 0  # tests/contracts runs 3 s each
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if not line.startswith(" ")]
    assert len(lines) == len(runner.Z3_PROOFS) + 2 + 2  # header, proofs, crosshair x2, verdict
    assert "verdict: OK" in out and "twin: release_twice" in out
    assert "crosshair: model contracts (PEP 316)" in out and " CLEAN " in out
    assert "DIFFERENCE-FOUND" in out and "confirmed by re-running both" in out
    assert all(line.rstrip().endswith("s") for line in lines[1:-1])  # every line is timed


def test_a_twin_that_is_not_refuted_fails_the_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    correct = lambda: refute_twin("release (correct)", ACTIONS["release"])  # noqa: E731
    monkeypatch.setattr(runner, "Z3_PROOFS", (*runner.Z3_PROOFS, correct))
    assert main(["prove", "--no-crosshair"]) == 1
    out = capsys.readouterr().out
    assert "NOT-REFUTED" in out and "failed: twin: release (correct)" in out


def test_crosshairs_difference_is_parsed_into_a_runnable_input() -> None:
    text = ("Given: (sizes=(8,), pos=7, size=1),\n"
            "  iobuf.proofs.seed.seed_share_checked : returns ((0, 7, 7),)")
    args = runner.parse_given(text)
    assert args == {"sizes": (8,), "pos": 7, "size": 1}
    assert seed_share_checked(**args) != model_share_checked(**args)
