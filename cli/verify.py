"""`iobuf verify`: the main job — every check that applies, one report, non-zero on a finding.

Checks, in order (each prints what it checked, how much and how long):
1. model: exhaustive exploration of the ownership and chain machines;
2. orders: the memory orders the library declares for its atomic sites,
   plugged into the RC11 deferred-delete and uniqueness protocols;
3. lockstep: a Hypothesis campaign driving the model and the C library
   (the bundled one, or `--lib PATH`: any library implementing iobuf.h) in
   step, in a subprocess so a crashing library is a finding, not a crash;
4. traced: the same campaign on the traced build of the bundled sources,
   every step race-checked by the online RC11 checker on the library's real
   atomic operations (for `--lib`: instead of step 3 when that library is a
   traced build, else skipped with a note);
5. sanitizers: a shorter campaign on an ASan+UBSan build of the bundled
   sources (skipped with a note for `--lib`, whose sources we do not have);
6. mutants (`--mutants`): every mutant of tests/mutants/mutants.toml must be
   killed.
A finding prints a shrunk, runnable reproducer and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iobuf.model.bounds import NAMED
from iobuf.model.explorer import explore

FAST_BOUNDS = ("pair", "pair-wide", "one-core", "three-cores", "two-cores-wide",
               "chain-one-core", "chain-pair")
THOROUGH_BOUNDS = (*FAST_BOUNDS, "two-cores", "chain-three-cores")
DEFAULT_MUTANTS = Path("tests") / "mutants" / "mutants.toml"


def register(sub: Any) -> None:
    """Add `iobuf verify` to the CLI."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "verify", help="run every check and report (the main job)")
    parser.add_argument("--lib", help="a shared library implementing iobuf.h (default: bundled)")
    parser.add_argument("--examples", type=int, default=300, help="lockstep examples")
    parser.add_argument("--steps", type=int, default=40, help="steps per lockstep example")
    parser.add_argument("--seed", type=int, default=None, help="make the campaign repeatable")
    parser.add_argument("--thorough", action="store_true",
                        help="also explore the large bounds (minutes)")
    parser.add_argument("--bounds", type=lambda t: tuple(t.split(",")), default=None,
                        metavar="NAME,...", help=f"model bounds to explore (of {', '.join(NAMED)})")
    parser.add_argument("--mutants", nargs="?", const=str(DEFAULT_MUTANTS), default=None,
                        metavar="FILE", help="judge every mutant (default: %(const)s)")
    parser.set_defaults(func=run)


class Report:
    """Collects findings and prints one line per check."""

    def __init__(self) -> None:
        self.findings: list[str] = []
        self.start = time.perf_counter()

    def check(self, name: str, fn: Callable[[], tuple[bool, str]]) -> None:
        """Run one check and print its line (and its evidence when it fails)."""
        start = time.perf_counter()
        ok, detail = fn()
        status = "ok" if ok else "FINDING"
        head = detail.splitlines()[0] if detail else ""
        print(f"  {name:24} {status:8} {time.perf_counter() - start:7.1f}s  {head}")
        if not ok:
            self.findings.append(name)
            for line in detail.splitlines()[1:]:  # unindented: reproducers are pasted as is
                print(line)


def run(args: argparse.Namespace) -> int:
    """Run the checks, print the report, return 1 if anything was found."""
    report = Report()
    print("iobuf verify")
    print("model: exhaustive exploration (every invariant in every state)")
    bounds = args.bounds or (THOROUGH_BOUNDS if args.thorough else FAST_BOUNDS)
    unknown = [name for name in bounds if name not in NAMED]
    if unknown:
        print(f"error: unknown bounds {', '.join(unknown)}")
        return 2
    for name in bounds:
        report.check(name, _bind(_explore, name))
    library = args.lib or str(_bundled())
    print(f"implementation: {library}")
    report.check("orders (rc11)", lambda: _orders(library))
    traced = args.lib is not None and _is_traced(args.lib)
    if not traced:
        report.check("lockstep", lambda: _lockstep(library, args))
    if args.lib is None:
        report.check("lockstep (traced, rc11)", lambda: _traced(args, str(_traced_build())))
        report.check("lockstep (asan+ubsan)", lambda: _sanitized(args))
    elif traced:
        report.check("lockstep (traced, rc11)", lambda: _traced(args, args.lib))
        print("  sanitizers: skipped for --lib (no sources to instrument)")
    else:
        print("  traced and sanitizer builds: skipped for --lib (no sources to build;"
              " pass a traced build to race-check it)")
    if args.mutants:
        _mutants(Path(args.mutants), report)
    seconds = time.perf_counter() - report.start
    if report.findings:
        print(f"verdict: FAIL ({len(report.findings)} finding(s): "
              f"{', '.join(report.findings)}; {seconds:.1f}s)")
        return 1
    print(f"verdict: OK ({seconds:.1f}s)")
    return 0


def _explore(name: str) -> tuple[bool, str]:
    r = explore(NAMED[name])
    detail = f"{r.states} states, {r.transitions} transitions"
    if r.violation is not None:
        return False, f"{detail}; violated {r.violation.prop}\n{r.violation.to_python()}"
    if r.vacuous:
        return False, f"{detail}; never witnessed: {', '.join(r.vacuous)}"
    return True, detail


def _orders(library: str) -> tuple[bool, str]:
    from iobuf.proofs.orders import check_orders, library_orders

    orders = library_orders(library)
    checks = check_orders(orders)
    declared = ", ".join(f"{site}={orders[site]}" for site in
                         ("refcount.dec", "drop.fence", "xfree.push", "xfree.drain",
                          "refcount.unique"))
    unsafe = [c for c in checks if not c.safe]
    if not unsafe:
        return True, f"{len(checks)} protocols safe with {declared}"
    lines = [f"{c.name}: {c.evidence}" for c in unsafe]
    return False, "\n".join([f"unsafe with {declared}", *lines])


def _bundled() -> Path:
    from iobuf.impl import _ffi

    return _ffi.bundled_path()


def _campaign(library: str, args: argparse.Namespace, examples: int, shrink: bool,
              env: dict[str, str] | None = None, progress: bool = True,
              traced: bool = False) -> tuple[bool, str]:
    from iobuf.proofs.campaign import MISMATCH, RACE, run_in_subprocess

    done = run_in_subprocess(library, examples, args.steps, args.seed, shrink=shrink, env=env,
                             progress=progress, traced=traced)
    if done.returncode == 0:
        return True, done.stdout.strip()
    if done.returncode == RACE:
        return False, "the online RC11 checker found a race; reproducer:\n" + done.stdout
    if done.returncode == MISMATCH:
        return False, "differs from the model; reproducer (paste into a test file):\n" \
            + done.stdout
    tail = (done.stderr or "")[-3000:] if not progress else ""
    return False, f"the library crashed or failed (exit {done.returncode})\n{tail}"


def _lockstep(library: str, args: argparse.Namespace) -> tuple[bool, str]:
    return _campaign(library, args, args.examples, shrink=True)


def _is_traced(library: str) -> bool:
    from iobuf.impl.traced import is_traced

    return is_traced(library)


def _traced_build() -> Path:
    from iobuf.impl import build

    return build.build("traced")


def _traced(args: argparse.Namespace, library: str) -> tuple[bool, str]:
    return _campaign(library, args, args.examples, shrink=True, traced=True)


def _sanitized(args: argparse.Namespace) -> tuple[bool, str]:
    from iobuf.impl import build

    lib = build.build("asan")
    env = dict(os.environ, LD_PRELOAD=str(build.sanitizer_runtime("asan")),
               ASAN_OPTIONS="detect_leaks=0:halt_on_error=1",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    return _campaign(str(lib), args, max(20, args.examples // 5), shrink=False, env=env,
                     progress=False)


def _mutants(path: Path, report: Report) -> None:
    from iobuf.proofs.mutants import load_catalogue

    if not path.exists():
        print(f"  mutants: {path} not found (run from a checkout, or pass --mutants FILE)")
        report.findings.append("mutants")
        return
    print(f"mutants: {path}")
    for mutant in load_catalogue(path):
        report.check(mutant.name, _bind(_judge, mutant))


def _judge(mutant: Any) -> tuple[bool, str]:
    from iobuf.proofs.mutants import judge

    verdict = judge(mutant, shrink=False)
    return verdict.killed, f"killed by {verdict.killer}" if verdict.killed else "SURVIVED"


def _bind(fn: Callable[[Any], tuple[bool, str]], arg: Any) -> Callable[[], tuple[bool, str]]:
    return lambda: fn(arg)
