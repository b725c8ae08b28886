"""`iobuf bench NAME`: benchmarks that print ratios measured side by side in one run.

Each benchmark lives in its own module of `iobuf.cli` exposing
`register_bench(subparsers)`; the modules are listed in BENCHES.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

BENCHES: tuple[str, ...] = ("bench_impl", "bench_rc11", "bench_trace")


def register(sub: Any) -> None:
    """Add `iobuf bench` and its benchmarks to the CLI."""
    parser: argparse.ArgumentParser = sub.add_parser("bench", help="run benchmarks (ratios)")
    benches = parser.add_subparsers(dest="bench", required=True)
    for module in BENCHES:
        importlib.import_module(f"iobuf.cli.{module}").register_bench(benches)
