"""Mutants: deliberate bugs in a copy of the C sources that the checks must catch.

Background: a check that never fails proves nothing. Each mutant is one
source edit (never an #ifdef in the product code) applied to a temporary
copy of impl/csrc; the copy is built with `iobuf.impl.build` and judged in a
subprocess, so a mutant that corrupts memory or hangs is judged by its exit
instead of taking the judge down with it. A mutant is *killed* when the
lockstep machine finds a difference from the model (the shrunk program is
the reproducer), when it crashes, or when it hangs.

The catalogue is data (`tests/mutants/mutants.toml`): name, file, the exact
text to replace (which must occur exactly once, so a mutant cannot silently
stop applying when the code changes), the replacement, and why it is a bug.
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import tempfile
import time
import tomllib
import types
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MISMATCH = 3
"""Exit status of the lockstep subprocess when it found a difference (any other
non-zero status is a failure of the judge itself, never a kill)."""

LOCKSTEP_TIMEOUT = 300.0
"""Seconds a mutant's lockstep run may take before it counts as a hang."""


class MutantError(RuntimeError):
    """A mutant does not apply (its text is missing or ambiguous) or does not build."""


@dataclass(frozen=True, slots=True)
class Mutant:
    """One source edit: replace `old` by `new` in `file` of impl/csrc."""

    name: str
    file: str
    old: str
    new: str
    why: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a mutant fared: which check killed it (or "survived"), with evidence."""

    mutant: str
    killer: str
    seconds: float
    evidence: str

    @property
    def killed(self) -> bool:
        """Whether some check caught the mutant."""
        return self.killer != "survived"


def load_catalogue(path: Path) -> list[Mutant]:
    """The mutants listed in a TOML file of `[[mutant]]` tables."""
    data = tomllib.loads(path.read_text())
    return [Mutant(**entry) for entry in data["mutant"]]


def apply(mutant: Mutant, src_dir: Path) -> None:
    """Edit the copy of the sources in `src_dir`; the text must occur exactly once."""
    target = src_dir / mutant.file
    text = target.read_text()
    count = text.count(mutant.old)
    if count != 1:
        raise MutantError(f"{mutant.name}: expected its text once in {mutant.file}, found {count}")
    target.write_text(text.replace(mutant.old, mutant.new))


def build_mutant(mutant: Mutant, variant: str = "plain") -> Path:
    """The shared library built from a mutated copy of the sources."""
    from iobuf.impl import build

    src = build.copy_sources(Path(tempfile.mkdtemp(prefix=f"iobuf-{mutant.name}-")) / "csrc")
    apply(mutant, src)
    try:
        return build.build(variant, src_dir=src)
    except build.BuildError as e:
        raise MutantError(f"{mutant.name}: does not compile: {e}") from e


def judge(mutant: Mutant, examples: int = 200, steps: int = 40, shrink: bool = True) -> Verdict:
    """Build the mutant and run the lockstep machine against it in a subprocess.

    Without `shrink` the first failing program is the evidence (faster; for kill rates).
    """
    start = time.perf_counter()
    lib = build_mutant(mutant)
    cmd = [sys.executable, "-m", "iobuf.proofs.mutants", "lockstep", "--lib", str(lib),
           "--examples", str(examples), "--steps", str(steps)]
    cmd += [] if shrink else ["--no-shrink"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=LOCKSTEP_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        return Verdict(mutant.name, "hang", time.perf_counter() - start,
                       f"no result within {LOCKSTEP_TIMEOUT:.0f}s")
    seconds = time.perf_counter() - start
    if done.returncode == 0:
        return Verdict(mutant.name, "survived", seconds, "")
    if done.returncode < 0:
        return Verdict(mutant.name, f"crash (signal {-done.returncode})", seconds,
                       done.stderr[-2000:])
    if done.returncode != MISMATCH:
        raise MutantError(f"{mutant.name}: the lockstep run itself failed "
                          f"({done.returncode}):\n{done.stderr[-3000:]}")
    return Verdict(mutant.name, "lockstep", seconds, reproducer(done.stdout + done.stderr))


def reproducer(output: str) -> str:
    """The shrunk program Hypothesis printed (from `state = ...` on), or the output's tail."""
    lines = output.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip().startswith("state = ")),
                 None)
    if first is None:
        return "\n".join(lines[-30:])
    tail = lines[first:]
    end = next((i for i, line in enumerate(tail) if line.strip() == "state.teardown()"),
               len(tail) - 1)
    return "\n".join(line.strip() for line in tail[: end + 1])


def library_api(path: Path | str) -> types.ModuleType:
    """A module with the public API whose `System` runs on the library at `path`."""
    import iobuf.impl

    module = types.ModuleType(f"iobuf_lib_{Path(path).stem.replace('-', '_')}")
    module.System = functools.partial(iobuf.impl.System, library=path)  # type: ignore[attr-defined]
    return module


def run_lockstep(lib: str, examples: int, steps: int, shrink: bool = True) -> int:
    """Lockstep against the library at `lib`: 0 if it agrees with the model, MISMATCH if not."""
    import iobuf.model
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.stateful import run_state_machine_as_test

    from .lockstep import lockstep_machine

    machine = lockstep_machine(iobuf.model, library_api(lib))
    try:
        run_state_machine_as_test(machine, settings=settings(
            max_examples=examples, stateful_step_count=steps, deadline=None, database=None,
            derandomize=True, report_multiple_bugs=False,
            phases=list(Phase) if shrink else [Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck)))
    except AssertionError as e:
        print(f"lockstep: {type(e).__name__}: {e}", file=sys.stderr)
        return MISMATCH
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m iobuf.proofs.mutants lockstep --lib PATH`: the subprocess side of `judge`."""
    parser = argparse.ArgumentParser(prog="python -m iobuf.proofs.mutants")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("lockstep")
    run.add_argument("--lib", required=True)
    run.add_argument("--examples", type=int, default=200)
    run.add_argument("--steps", type=int, default=40)
    run.add_argument("--no-shrink", action="store_true")
    args = parser.parse_args(argv)
    return run_lockstep(args.lib, args.examples, args.steps, shrink=not args.no_shrink)


if __name__ == "__main__":
    sys.exit(main())
