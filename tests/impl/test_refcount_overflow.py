"""Refcount overflow aborts (DESIGN.md §4, as Rust's Arc does), tested at the real limit.

2^31 live references would need 2^31 handles, so tests/c/refcount_overflow.c
(compiled with the library's sources) starts one allocation's count at or
just below IOB_REFCOUNT_MAX through the private layout and takes every
further reference through the public API, in a subprocess: the library's own
check, on its real path, must abort exactly past the limit and nowhere else.
A mutant without the check shows the test would notice it missing.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from iobuf.impl.build import build_program, copy_sources

PROGRAM = Path(__file__).resolve().parents[2] / "tests" / "c" / "refcount_overflow.c"
CHECK = "if (old >= IOB_REFCOUNT_MAX) abort();"


def _run(exe: Path, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(exe), mode], capture_output=True, text=True, check=False,
                          timeout=60)


@pytest.fixture(scope="module")
def program() -> Path:
    return build_program(PROGRAM)


@pytest.mark.parametrize("mode", ["buf", "chain"])
def test_a_reference_past_the_limit_aborts(program: Path, mode: str) -> None:
    proc = _run(program, mode)
    assert proc.returncode == -signal.SIGABRT, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == "calling\n"  # the setup ran; the share itself aborted


def test_the_last_reference_below_the_limit_is_allowed(program: Path) -> None:
    proc = _run(program, "below")
    assert (proc.returncode, proc.stdout) == (0, "ok\n"), proc.stderr


def test_a_send_at_the_limit_moves_a_reference_and_does_not_abort(program: Path) -> None:
    proc = _run(program, "send")
    assert (proc.returncode, proc.stdout) == (0, "ok\n"), proc.stderr


def test_without_the_check_the_overflowing_share_returns(tmp_path: Path) -> None:
    src = copy_sources(tmp_path / "csrc")
    buffer_c = src / "buffer.c"
    text = buffer_c.read_text()
    assert text.count(CHECK) == 1, "the overflow check moved: update this test"
    buffer_c.write_text(text.replace(CHECK, "(void)old;"))
    proc = _run(build_program(PROGRAM, src_dir=src), "buf")
    assert (proc.returncode, proc.stdout) == (1, "calling\nreturned\n")
