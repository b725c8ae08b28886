"""`iobuf litmus`, `iobuf protocol` and `iobuf bench rc11` end to end (through `main`)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from iobuf.cli.main import main
from iobuf.model.rc11 import explore, parse_litmus
from iobuf.model.rc11.render import to_dot, to_svg

LITMUS = Path(__file__).resolve().parent.parent / "litmus"


def test_litmus_prints_the_herd7_block(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["litmus", str(LITMUS / "MP+rel+acq.litmus")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Test MP+rel+acq Allowed"
    assert out[1] == "States 3"
    for line in ("No", "Witnesses", "Positive: 0 Negative: 3",
                 "Condition exists (1:r0=1 /\\ 1:r1=0)", "Observation MP+rel+acq Never 0 3",
                 "Executions 3", "Races 0"):
        assert line in out


def test_litmus_reports_each_race_and_draws_it(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    svg = tmp_path / "w.svg"
    assert main(["litmus", str(LITMUS / "DROP+rel.litmus"), "--graph", str(svg)]) == 0
    out = capsys.readouterr().out
    assert "Observation DROP+rel Never 0 2" in out
    assert "Race d: P0: u0 = load(d) || P1: store(d, 0)" in out and "Races 0" not in out
    root = ET.fromstring(svg.read_text())  # well-formed SVG
    assert root.tag.endswith("svg") and "race" in svg.read_text()


def test_litmus_forall_is_required_and_bad_files_fail(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["litmus", str(LITMUS / "FAA+FAA.litmus")]) == 0
    assert "Test FAA+FAA Required" in capsys.readouterr().out
    bad = tmp_path / "bad.litmus"
    bad.write_text("C bad\n{ }\nP0 () { frob; }\nexists (x=0)")
    assert main(["litmus", str(bad)]) == 1


def test_rs_option_changes_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    main(["litmus", str(LITMUS / "RS+po.litmus")])
    assert "Observation RS+po Sometimes" in capsys.readouterr().out
    main(["litmus", "--rs", "original", str(LITMUS / "RS+po.litmus")])
    assert "Observation RS+po Never" in capsys.readouterr().out


def test_protocol_drop_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol", "drop", "--threads", "3", "--dec", "rel", "--fence", "acq"]) == 0
    dot = tmp_path / "cex.dot"
    assert main(["protocol", "drop", "--dec", "rlx", "--fence", "acq", "--graph", str(dot)]) == 1
    assert "unsafe" in capsys.readouterr().out and "race" in dot.read_text()
    assert main(["protocol", "drop", "--handoff", "rel,acq", "--fence", "acq"]) == 0
    assert main(["protocol", "drop", "--handoff", "rlx,acq", "--fence", "acq"]) == 1
    assert main(["protocol", "unique", "--load", "rlx"]) == 1


def test_protocol_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol", "table", "--no-handoff"]) == 0
    out = capsys.readouterr().out
    assert "0 disagree with the rule" in out
    assert "DROP2+dec=rel+fence=acq " in out


@pytest.mark.skipif(shutil.which("spin") is None, reason="SPIN is not installed "
                    "(apt-get install -y spin; .ci/run installs it)")
def test_bench_rc11_runs_at_tiny_n(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "rc11", "--max-threads", "2"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.strip().startswith("2 "))
    assert row.split()[1:3] == ["2", "1"]  # two graphs for two droppers, one blocked branch


def test_dot_and_svg_of_a_witness() -> None:
    text = (LITMUS / "MP+rel+acq.litmus").read_text()
    text = text[:text.rindex("exists")] + "exists (1:r0=1)"  # a witness where sw exists
    res = explore(parse_litmus(text))
    assert res.witness is not None
    dot = to_dot(res.witness, title="MP")
    assert dot.startswith('digraph "MP"') and "label=sw" in dot and "label=rf" in dot
    svg = to_svg(res.witness, title="MP")
    ET.fromstring(svg)
    assert ">sw<" in svg
