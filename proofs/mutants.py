"""Mutants: deliberate bugs in a copy of the C sources that the checks must catch.

Background: a check that never fails proves nothing. Each mutant is one
source edit (never an #ifdef in the product code) applied to a temporary
copy of impl/csrc; the copy is built with `iobuf.impl.build` and judged in a
subprocess, so a mutant that corrupts memory or hangs is judged by its exit
instead of taking the judge down with it. A mutant is *killed* when the
orders it declares make a protocol of the RC11 catalogue unsafe, when the
lockstep machine finds a difference from the model (the evidence is a test
that reproduces it), when the online RC11 checker finds a race in its real
atomic operations (the lockstep runs on the mutant's traced build; the
evidence is the report naming both events and their sites), when it
crashes, or when it hangs. Only the campaign's explicit mismatch and race
statuses count as kills: any other failure of the judge raises, so a
broken judge can never "kill" a mutant.

The catalogue is data (`tests/mutants/mutants.toml`): name, file, the exact
text to replace (which must occur exactly once, so a mutant cannot silently
stop applying when the code changes), the replacement, why it is a bug, and
optionally which check must kill it and what its evidence must name.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

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
    killer: str = ""  # if set: the check that must kill it (a prefix of Verdict.killer)
    report: tuple[str, ...] = ()  # texts its killing evidence must contain

    def __post_init__(self) -> None:
        """TOML gives lists; keep the value hashable."""
        object.__setattr__(self, "report", tuple(self.report))


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
    """Build the mutant and run a lockstep campaign against it in a subprocess.

    Without `shrink` the first failing program is the evidence (faster; for kill rates).
    """
    from .campaign import MISMATCH, RACE, run_in_subprocess
    from .orders import check_orders, library_orders

    start = time.perf_counter()
    lib = build_mutant(mutant, "traced")
    unsafe = [c for c in check_orders(library_orders(lib)) if not c.safe]
    if unsafe:
        return Verdict(mutant.name, "orders (rc11)", time.perf_counter() - start,
                       f"{unsafe[0].name}: {unsafe[0].evidence}")
    try:
        done = run_in_subprocess(lib, examples, steps, seed=0, shrink=shrink,
                                 timeout=LOCKSTEP_TIMEOUT, traced=True)
    except subprocess.TimeoutExpired:
        return Verdict(mutant.name, "hang", time.perf_counter() - start,
                       f"no result within {LOCKSTEP_TIMEOUT:.0f}s")
    seconds = time.perf_counter() - start
    if done.returncode == 0:
        return Verdict(mutant.name, "survived", seconds, "")
    if done.returncode < 0:
        return Verdict(mutant.name, f"crash (signal {-done.returncode})", seconds,
                       done.stderr[-2000:])
    if done.returncode == RACE:
        return Verdict(mutant.name, "trace (rc11)", seconds,
                       done.stderr[-3000:] + "\n" + done.stdout)
    if done.returncode != MISMATCH:
        raise MutantError(f"{mutant.name}: the lockstep run itself failed "
                          f"({done.returncode}):\n{done.stderr[-3000:]}")
    return Verdict(mutant.name, "lockstep", seconds, done.stdout)
