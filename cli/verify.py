"""`iobuf verify`: the main job — every check that applies, one report, non-zero on a finding.

Today it runs the exhaustive model checks (ownership and chain machines on
every fast named bound). The RC11 check of the library's built-in orders,
the lockstep campaign against the C library and the sanitizer run join it
as they land ([RC11], [LOCKSTEP], [TRACE] issues); the report says which
checks ran, so a pass never claims more than was checked.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from iobuf.model.bounds import NAMED
from iobuf.model.explorer import explore

FAST_BOUNDS = ("pair", "pair-wide", "one-core", "three-cores", "two-cores-wide",
               "chain-one-core", "chain-pair")
THOROUGH_BOUNDS = (*FAST_BOUNDS, "two-cores", "chain-three-cores")


def register(sub: Any) -> None:
    """Add `iobuf verify` to the CLI."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "verify", help="run every check and report (the main job)")
    parser.add_argument("--thorough", action="store_true",
                        help="also explore the large bounds (minutes)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the checks, print the report, return 1 if anything was found."""
    failures = 0
    start = time.perf_counter()
    print("iobuf verify")
    print("model: exhaustive exploration (every invariant in every state)")
    for name in THOROUGH_BOUNDS if args.thorough else FAST_BOUNDS:
        report = explore(NAMED[name])
        status = "ok" if report.ok else "FAIL"
        print(f"  {name:18} {report.states:>8} states {report.transitions:>9} transitions "
              f"{report.seconds:6.1f}s  {status}")
        if report.violation is not None:
            failures += 1
            print(f"    violated {report.violation.prop}; reproducer:")
            print("    " + report.violation.to_python().replace("\n", "\n    "))
        elif report.vacuous:
            failures += 1
            print(f"    vacuous: never witnessed {', '.join(report.vacuous)}")
    print(f"verdict: {'FAIL' if failures else 'OK'} ({failures} finding(s), "
          f"{time.perf_counter() - start:.1f}s)")
    return 1 if failures else 0
