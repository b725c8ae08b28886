"""`iobuf bench rc11`: the RC11 explorer vs SPIN on the drop protocol, side by side in one run.

For N = 2..8 (by default) it times `protocol drop` (release decrement,
acquire fence; `--handoff` adds the owner hand-off) in the RC11 explorer, and
SPIN on the SC Promela model of the same protocol (`iobuf.model.rc11.promela`):
`spin -a`, the C compiler, then `./pan`. SPIN's total (what a user waits for)
and its verification step alone are both reported, with the ratios. Nothing
here asserts a timing: the numbers are measurements of this machine, now.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iobuf.model.rc11 import explore
from iobuf.model.rc11.promela import drop_model
from iobuf.model.rc11.protocols import Drop, build


def register_bench(sub: Any) -> None:
    """Add `iobuf bench rc11`."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "rc11", help="RC11 explorer vs SPIN (SC) on the drop protocol")
    parser.add_argument("--min-threads", type=int, default=2)
    parser.add_argument("--max-threads", type=int, default=8)
    parser.add_argument("--handoff", action="store_true", help="hand the free to an owner")
    parser.set_defaults(func=run)


@dataclass(frozen=True, slots=True)
class Spin:
    """One SPIN run: states stored, errors, seconds for generate+compile and for pan."""

    states: int
    errors: int
    build_seconds: float
    verify_seconds: float

    @property
    def total(self) -> float:
        """Everything a user waits for."""
        return self.build_seconds + self.verify_seconds


def run_spin(threads: int, handoff: bool, workdir: Path) -> Spin:
    """Generate, compile and run the SPIN verifier for the SC model."""
    (workdir / "drop.pml").write_text(drop_model(threads, handoff))
    start = time.perf_counter()
    subprocess.run(["spin", "-a", "drop.pml"], cwd=workdir, check=True, capture_output=True)
    subprocess.run(["cc", "-O2", "-DSAFETY", "-o", "pan", "pan.c"], cwd=workdir, check=True,
                   capture_output=True)
    built = time.perf_counter()
    out = subprocess.run(["./pan", "-m1000000"], cwd=workdir, check=True, capture_output=True,
                         text=True).stdout
    done = time.perf_counter()
    states = re.search(r"(\d+) states, stored", out)
    errors = re.search(r"errors: (\d+)", out)
    if states is None or errors is None:
        raise RuntimeError(f"unexpected pan output:\n{out}")
    return Spin(int(states[1]), int(errors[1]), built - start, done - built)


def run(args: argparse.Namespace) -> int:
    """Print the table; exit 2 if spin or a C compiler is missing."""
    missing = [tool for tool in ("spin", "cc") if shutil.which(tool) is None]
    if missing:
        print(f"bench rc11 needs {' and '.join(missing)} (apt-get install -y spin gcc)")
        return 2
    print("drop protocol: dec=rel, fence=acq" + (", hand-off rel/acq" if args.handoff else ""))
    # Timings are wall clock: say how busy the machine was, so a reader can judge them.
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    print(f"{'N':>2} {'graphs':>7} {'blocked':>7} {'rc11 s':>8} {'unsafe':>6} | "
          f"{'spin states':>11} {'build s':>8} {'pan s':>7} {'total s':>8} | "
          f"{'rc11/total':>10} {'rc11/pan':>9}")
    handoff = ("rel", "acq") if args.handoff else None
    with tempfile.TemporaryDirectory(prefix="iobuf-spin-") as tmp:
        for n in range(args.min_threads, args.max_threads + 1):
            res = explore(build(Drop(n, "rel", "acq", "none", handoff)))  # type: ignore[arg-type]
            spin = run_spin(n, args.handoff, Path(tmp))
            print(f"{n:>2} {res.executions:>7} {res.blocked:>7} {res.seconds:>8.2f} "
                  f"{len(res.findings):>6} | "
                  f"{spin.states:>11} {spin.build_seconds:>8.2f} {spin.verify_seconds:>7.2f} "
                  f"{spin.total:>8.2f} | {res.seconds / spin.total:>10.2f} "
                  f"{res.seconds / max(spin.verify_seconds, 1e-6):>9.1f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print("ratios < 1: the RC11 explorer finished first; SPIN checks SC only (every order "
          "alike), the explorer checks RC11 (and finds the races SC cannot see); blocked: "
          "explorer branches cut without a graph")
    return 0
