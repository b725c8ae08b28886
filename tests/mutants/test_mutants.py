"""Every mutant of the C sources is killed; a table of mutant, killer and time is printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from iobuf.impl import build
from iobuf.proofs.lockstep import FAST_EXAMPLES, FAST_STEPS
from iobuf.proofs.mutants import Mutant, MutantError, apply, judge, load_catalogue

CATALOGUE = load_catalogue(Path(__file__).parent / "mutants.toml")


def test_every_mutant_applies_exactly_once(tmp_path: Path) -> None:
    for mutant in CATALOGUE:
        src = build.copy_sources(tmp_path / mutant.name)
        apply(mutant, src)
    assert len({m.name for m in CATALOGUE}) == len(CATALOGUE)


def test_a_mutant_whose_text_is_gone_is_an_error(tmp_path: Path) -> None:
    src = build.copy_sources(tmp_path / "csrc")
    apply(CATALOGUE[0], src)
    with pytest.raises(MutantError):
        apply(CATALOGUE[0], src)  # already applied: its text no longer occurs


def test_the_unmutated_library_survives_the_judge() -> None:
    # The control: a judge that "kills" everything (e.g. because its subprocess
    # crashes on start) would make the kill rate meaningless.
    first = CATALOGUE[0]
    null = Mutant("null", first.file, first.old, first.old, "changes nothing")
    assert judge(null, examples=FAST_EXAMPLES, steps=FAST_STEPS, shrink=False).killer == "survived"


def test_every_mutant_is_killed(capsys: pytest.CaptureFixture[str]) -> None:
    # every mutant must die within the budget pytest's lockstep run spends (the fast profile)
    verdicts = [judge(m, examples=FAST_EXAMPLES, steps=FAST_STEPS, shrink=False)
                for m in CATALOGUE]
    with capsys.disabled():
        print(f"\n{'mutant':36} {'killer':22} {'seconds':>8}")
        for v in verdicts:
            print(f"{v.mutant:36} {v.killer:22} {v.seconds:8.1f}")
    survivors = [v.mutant for v in verdicts if not v.killed]
    assert survivors == [], f"mutants survived: {survivors}"
    # The call-site mutants: only the traced run can see them, and its report must
    # name both unordered events, their sites and the hand-off that failed.
    for m, v in zip(CATALOGUE, verdicts, strict=True):
        assert v.killer.startswith(m.killer), (m.name, v.killer)
        missing = [text for text in m.report if text not in v.evidence]
        assert not missing, f"{m.name}: report lacks {missing}:\n{v.evidence[:2000]}"
