"""`iobuf prove`: every z3 proof, every negative twin, and the CrossHair runs, one line each.

Exit status 1 if a proof fails (a counterexample, or z3 answers unknown), a
negative twin is not refuted, or CrossHair refutes a model contract or no
longer tells the seed's share from the model's.
"""

from __future__ import annotations

import argparse
import time
from typing import Any


def register(sub: Any) -> None:
    """Add `iobuf prove` to the CLI."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "prove", help="z3 proofs, negative twins and CrossHair runs over the model")
    parser.add_argument("--no-crosshair", action="store_true",
                        help="skip the CrossHair runs (z3 proofs only)")
    parser.add_argument("--contract-timeout", type=float, default=1.0,
                        help="CrossHair seconds per contract (default 1)")
    parser.add_argument("--diff-timeout", type=float, default=3.0,
                        help="CrossHair seconds for diffbehavior (default 3)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run everything, print one line per proof and a verdict, return 1 on any failure."""
    from iobuf.proofs.runner import run_all  # z3 and CrossHair load only for this command

    start = time.perf_counter()
    print("iobuf prove")
    results = run_all(crosshair=not args.no_crosshair, contract_timeout=args.contract_timeout,
                      diff_timeout=args.diff_timeout, report=lambda p: print(p.line(), flush=True))
    failed = [p for p in results if not p.ok]
    twins = sum(p.status == "REFUTED-AS-EXPECTED" for p in results)
    proved = sum(p.status == "PROVED" for p in results)
    print(f"verdict: {'FAIL' if failed else 'OK'} ({proved} proved, {twins} twins refuted, "
          f"{len(failed)} failed, {time.perf_counter() - start:.1f}s)")
    for p in failed:
        print(f"  failed: {p.name} ({p.status})")
    return 1 if failed else 0
