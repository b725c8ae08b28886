"""Entry point of the `iobuf` console script.

Each subcommand lives in its own module of `iobuf.cli` exposing
`register(subparsers)`; modules are imported only when listed here, so a
command's heavy dependencies (z3, the C library) load only when it runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# (subcommand, module in iobuf.cli). Each module defines
# `register(subparsers) -> None` which adds its parser and sets `func`.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("model", "model_check"),
    ("bench", "bench"),
    ("verify", "verify"),
    ("prove", "prove"),
    ("litmus", "litmus"),
    ("protocol", "protocol"),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="iobuf", description="Formally checked thread-per-core buffers."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for _name, module in COMMANDS:
        importlib.import_module(f"iobuf.cli.{module}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
