"""Every litmus file of tests/litmus/ through the explorer, against the expectation it states.

Each file says, in a herd7 comment after `C NAME`, `verdict: Never|Sometimes|Always`,
`races: yes|no`, optionally `uaf: yes|no` and `rs-original: ...` (when the paper's
release-sequence rule gives another verdict). Those expectations are derived by hand
from the RC11 definitions (and re-derived by the brute-force oracle in
test_bruteforce_suite.py); here the explorer must reproduce them, in both rs modes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from iobuf.model.rc11 import explore, parse_litmus

LITMUS = Path(__file__).resolve().parent.parent / "litmus"
FILES = sorted(LITMUS.glob("*.litmus"))


def expectation(text: str) -> tuple[str, bool, bool | None, str | None]:
    """(verdict, races, uaf or None, rs-original verdict or None) from the file's comment."""
    verdict = re.search(r"verdict:\s*(Never|Sometimes|Always)", text)
    races = re.search(r"races:\s*(yes|no)", text)
    assert verdict and races, "the file states no expectation"
    uaf = re.search(r"uaf:\s*(yes|no)", text)
    original = re.search(r"rs-original:\s*(Never|Sometimes|Always)", text)
    return (verdict[1], races[1] == "yes", None if uaf is None else uaf[1] == "yes",
            None if original is None else original[1])


def test_the_suite_has_at_least_sixty_tests() -> None:
    assert len(FILES) >= 60


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_explorer_gives_the_written_verdict(path: Path) -> None:
    text = path.read_text()
    verdict, races, uaf, original = expectation(text)
    prog = parse_litmus(text)
    res = explore(prog, rs="cxx20")
    assert res.executions > 0
    assert (res.verdict, bool(res.races)) == (verdict, races)
    if uaf is not None:
        assert bool(res.use_after_free) == uaf
    res_original = explore(prog, rs="original")
    assert res_original.verdict == (original or verdict)


def test_the_rs_modes_differ_somewhere() -> None:
    # The negative twin of "rs-original is honoured": at least one file expects a difference.
    differing = [p for p in FILES if "rs-original:" in p.read_text()]
    assert differing
    for path in differing:
        prog = parse_litmus(path.read_text())
        assert explore(prog, rs="cxx20").verdict != explore(prog, rs="original").verdict
