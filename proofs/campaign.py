"""A lockstep campaign against one C library, with progress, seed and a runnable reproducer.

`run_campaign` drives the lockstep machine (model vs the library at a path)
for a number of examples and returns what it found. On a difference,
Hypothesis shrinks the program; the result carries it as a script that
reproduces the failure when pasted into a test file (`Finding.script`).

`python -m iobuf.proofs.campaign --lib PATH` runs one campaign in its own
process: that is how mutants and sanitizer builds are judged, so a library
that crashes the process cannot take its judge down. Exit status: 0 agree,
MISMATCH found a difference, RACE (traced builds) the online RC11 checker
found a race, anything else is a failure of the run itself.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MISMATCH = 3
"""Exit status of a campaign subprocess that found a difference."""

SHRINK_SECONDS = 60
"""How long Hypothesis may shrink a failure (its own default is 300 s, which on a
traced build made `iobuf verify` wait five minutes for a race it had found)."""

RACE = 4
"""Exit status of a traced campaign whose online RC11 checker found a race (or a
use-after-free, or a thread-per-core violation)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A difference between the library and the model, shrunk to a small program."""

    error: str
    program: str
    library: str
    traced: bool = False
    race: bool = False  # the online RC11 checker, not a difference, failed the run

    @property
    def script(self) -> str:
        """A test module that replays the program against the same library."""
        machine = next((line.split("=")[1].strip().rstrip("()")
                        for line in self.program.splitlines() if line.startswith("state = ")),
                       "Lockstep")
        body = "\n".join("    " + line for line in self.program.splitlines())
        return (
            "import iobuf.model\n"
            "from iobuf.proofs.campaign import library_api\n"
            "from iobuf.proofs.lockstep import lockstep_machine\n\n"
            f"{machine} = lockstep_machine(iobuf.model, "
            f"library_api({self.library!r}, traced={self.traced}))\n\n\n"
            "def test_reproduce():\n"
            f"{body}\n"
        )


@dataclass(frozen=True, slots=True)
class CampaignResult:
    """How many examples ran, how long it took, and the finding (None if they agree)."""

    examples: int
    seconds: float
    finding: Finding | None


def library_api(path: Path | str, traced: bool = False) -> types.ModuleType:
    """A module with the public API whose `System` runs on the library at `path`.

    With `traced` (the library must be a traced build) every System is a
    `TracedSystem`: the lockstep machine then race-checks every step.
    """
    import iobuf.impl
    from iobuf.impl.traced import TracedSystem

    module = types.ModuleType(f"iobuf_lib_{Path(path).stem.replace('-', '_').replace('.', '_')}")
    system = TracedSystem if traced else iobuf.impl.System
    module.System = functools.partial(system, library=path)  # type: ignore[attr-defined]
    return module


def run_campaign(
    library: Path | str, examples: int = 200, steps: int = 40, seed: int | None = None,
    shrink: bool = True, progress: Callable[[int], None] | None = None, traced: bool = False,
) -> CampaignResult:
    """Drive the lockstep machine against `library`; a seed makes the run repeatable.

    `traced`: `library` is a traced build, and every step is also race-checked.
    Shrinking a failure stops after SHRINK_SECONDS.
    """
    import hypothesis.core
    import iobuf.model
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.internal.conjecture import engine
    from hypothesis.reporting import with_reporter
    from hypothesis.stateful import run_state_machine_as_test
    from iobuf.impl.traced import RaceFound

    from .lockstep import lockstep_machine

    base = lockstep_machine(iobuf.model, library_api(library, traced))
    count = [0]

    class Counted(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            count[0] += 1
            if progress is not None:
                progress(count[0])

    Counted.__name__ = base.__name__
    # Hypothesis seeds runs from this module global when it is set (it is
    # what `pytest --hypothesis-seed` sets); None means a fresh random seed.
    hypothesis.core.global_force_seed = seed  # type: ignore[assignment]
    # Not a settings field: the engine reads this module constant when it shrinks.
    engine.MAX_SHRINKING_SECONDS = SHRINK_SECONDS
    lines: list[str] = []
    start = time.perf_counter()
    try:
        with with_reporter(lambda value: lines.append(str(value))):
            run_state_machine_as_test(Counted, settings=settings(
                max_examples=examples, stateful_step_count=steps, deadline=None,
                database=None, derandomize=False, report_multiple_bugs=False,
                phases=list(Phase) if shrink else [Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck)))
    except AssertionError as e:
        # Hypothesis attaches the shrunk program to the exception as notes.
        program = _program("\n".join([*lines, *getattr(e, "__notes__", [])]))
        return CampaignResult(count[0], time.perf_counter() - start,
                              Finding(f"{type(e).__name__}: {e}", program, str(library),
                                      traced, isinstance(e, RaceFound)))
    return CampaignResult(count[0], time.perf_counter() - start, None)


def _program(report: str) -> str:
    """The `state = ...` program in Hypothesis's report."""
    lines = report.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip().startswith("state = ")), 0)
    out = []
    for line in lines[first:]:
        out.append(line.strip())
        if line.strip() == "state.teardown()":
            break
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one campaign in this process and report through the exit status."""
    parser = argparse.ArgumentParser(prog="python -m iobuf.proofs.campaign")
    parser.add_argument("--lib", required=True)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--no-shrink", action="store_true")
    parser.add_argument("--traced", action="store_true",
                        help="the library is a traced build: race-check every step")
    parser.add_argument("--progress", action="store_true", help="draw a bar on stderr")
    args = parser.parse_args(argv)
    bar = progress_bar(args.examples) if args.progress else None
    result = run_campaign(args.lib, args.examples, args.steps, args.seed,
                          shrink=not args.no_shrink, progress=bar, traced=args.traced)
    if bar is not None and sys.stderr.isatty():
        print(file=sys.stderr)
    if result.finding is None:
        print(f"agree: {result.examples} examples in {result.seconds:.1f}s")
        return 0
    print(result.finding.error, file=sys.stderr)
    if result.finding.race:  # the report heads the reproducer, as comments
        print("\n".join("# " + line for line in result.finding.error.splitlines()))
    print(result.finding.script)
    return RACE if result.finding.race else MISMATCH


def progress_bar(total: int) -> Callable[[int], None]:
    """A callback drawing `[#####.....] n/total examples` on a terminal's stderr.

    Hypothesis may run a few examples past `total` (and many more while
    shrinking a failure); the count keeps going, the bar stays full.
    """
    def draw(n: int) -> None:
        if sys.stderr.isatty():
            filled = min(30, 30 * n // max(total, 1))
            print(f"\r  [{'#' * filled}{'.' * (30 - filled)}] {n}/{total} examples", end="",
                  file=sys.stderr, flush=True)
    return draw


def run_in_subprocess(library: Path | str, examples: int, steps: int, seed: int | None,
                      shrink: bool, env: dict[str, str] | None = None,
                      timeout: float = 600.0, progress: bool = False,
                      traced: bool = False) -> Any:
    """Run `main` in a fresh interpreter (for crashing or instrumented libraries).

    With `progress` the child's stderr (its progress bar) goes to this process's stderr.
    """
    import subprocess

    cmd = [sys.executable, "-m", "iobuf.proofs.campaign", "--lib", str(library),
           "--examples", str(examples), "--steps", str(steps)]
    cmd += [] if seed is None else ["--seed", str(seed)]
    cmd += [] if shrink else ["--no-shrink"]
    cmd += ["--progress"] if progress else []
    cmd += ["--traced"] if traced else []
    return subprocess.run(cmd, stdout=subprocess.PIPE,
                          stderr=None if progress else subprocess.PIPE, text=True,
                          timeout=timeout, env=env, check=False)


if __name__ == "__main__":
    sys.exit(main())
