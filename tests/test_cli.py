"""The command line: `iobuf model check` and `iobuf verify` report and exit as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from iobuf.cli.main import main
from iobuf.proofs.mutants import build_mutant, load_catalogue

MUTANTS = Path(__file__).parent / "mutants" / "mutants.toml"


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


def test_verify_passes_on_the_bundled_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--bounds", "pair", "--examples", "20", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "lockstep                 ok" in out and "verdict: OK" in out
    assert "lockstep (traced, rc11)  ok" in out and "asan+ubsan" in out


def test_verify_rejects_unknown_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--bounds", "nope"]) == 2


@pytest.mark.slow
def test_verify_on_a_mutant_fails_with_a_reproducer_that_fails_on_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutant = next(m for m in load_catalogue(MUTANTS) if m.name == "lost-deferred-enqueue")
    lib = build_mutant(mutant)
    assert main(["verify", "--bounds", "pair", "--lib", str(lib), "--examples", "200",
                 "--seed", "3"]) == 1
    out = capsys.readouterr().out
    script = out[out.index("import iobuf.model"): out.index("def test_reproduce")]
    script += out[out.index("def test_reproduce"):].split("\n\n")[0] + "\n"
    (tmp_path / "test_repro.py").write_text(script)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    # the replay fails the way the campaign did: an assertion of the lockstep machine
    assert done.returncode == 1 and "AssertionError" in done.stdout, done.stdout


@pytest.mark.slow
def test_verify_on_a_traced_call_site_mutant_reports_the_race_and_a_reproducer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutant = next(m for m in load_catalogue(MUTANTS) if m.name == "callsite-xfree-drain-relaxed")
    lib = build_mutant(mutant, "traced")
    assert main(["verify", "--bounds", "pair", "--lib", str(lib), "--examples", "300",
                 "--seed", "3"]) == 1
    out = capsys.readouterr().out
    assert "lockstep (traced, rc11)  FINDING" in out and "race: core" in out
    script = out[out.index("import iobuf.model"):]
    script = script[:script.index("def test_reproduce")] + \
        script[script.index("def test_reproduce"):].split("\n\n")[0] + "\n"
    (tmp_path / "test_repro.py").write_text(script)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "RaceFound" in done.stdout, done.stdout
