"""CrossHair runs over the model's PEP 316 contracts.

The model states its contracts in docstrings (`pre:`, `post:`, `raises:`),
so there is no contract library at run time; `crosshair check` executes the
functions symbolically and reports inputs that satisfy `pre` and break
`post`. CrossHair is given file paths, not module names: it then imports the
model as a plain package, which works the same in an editable and in a
regular install.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import iobuf.model

MODEL_DIR = Path(iobuf.model.__file__).parent

MODEL_CONTRACT_FILES: tuple[str, ...] = (
    "state.py", "ownership.py", "buffers.py", "step.py", "system.py", "schedule.py", "chain.py",
    "interleavings.py",
)
"""The model files that carry PEP 316 contracts."""


@dataclass(frozen=True, slots=True)
class CrosshairReport:
    """What one `crosshair check` run found: one line per refuted contract."""

    paths: tuple[str, ...]
    counterexamples: tuple[str, ...]
    returncode: int

    @property
    def clean(self) -> bool:
        """No contract refuted."""
        return self.returncode == 0 and not self.counterexamples


def crosshair_check(
    paths: list[Path], per_condition_timeout: float = 3.0, import_paths: Sequence[Path] = ()
) -> CrosshairReport:
    """Run `crosshair check` (PEP 316 contracts) on `paths` and collect its findings.

    `import_paths` are prepended to PYTHONPATH for modules the checked files import.
    """
    cmd = [
        sys.executable, "-m", "crosshair", "check", "--analysis_kind=PEP316",
        f"--per_condition_timeout={per_condition_timeout}", *map(str, paths),
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, import_paths), env.get("PYTHONPATH", "")])
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=paths[0].parent, env=env,
                          check=False)
    found = tuple(line for line in done.stdout.splitlines() if ": error:" in line)
    if done.returncode not in (0, 1) or (done.returncode == 1 and not found):
        raise RuntimeError(f"crosshair failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return CrosshairReport(tuple(map(str, paths)), found, done.returncode)


def check_model_contracts(per_condition_timeout: float = 3.0) -> CrosshairReport:
    """Check every contract of the model."""
    return crosshair_check([MODEL_DIR / f for f in MODEL_CONTRACT_FILES], per_condition_timeout)


@dataclass(frozen=True, slots=True)
class DiffReport:
    """What one `crosshair diffbehavior` run found: the differing input and both results."""

    functions: tuple[str, str]
    difference: str
    returncode: int

    @property
    def differs(self) -> bool:
        """Whether CrossHair found an input on which the two functions behave differently."""
        return self.returncode == 1 and bool(self.difference)


def crosshair_diffbehavior(first: str, second: str, per_condition_timeout: float = 4.0
                           ) -> DiffReport:
    """Run `crosshair diffbehavior` on two fully-qualified functions (bounded time)."""
    cmd = [sys.executable, "-m", "crosshair", "diffbehavior",
           f"--per_condition_timeout={per_condition_timeout}", first, second]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1) or (done.returncode == 1 and not done.stdout.strip()):
        raise RuntimeError(f"crosshair failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return DiffReport((first, second), done.stdout.strip(), done.returncode)
