"""`iobuf litmus FILE...`: run herd7 C litmus tests through the RC11 explorer.

Prints herd7's result block per file, then `Executions N` (distinct consistent
complete graphs) and one line per data race or use-after-free (or `Races 0`).
`--graph FILE.svg|FILE.dot` draws a witness: the smallest racy graph if there
is a race, else the smallest graph satisfying the condition, else the
smallest one falsifying it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from iobuf.model.rc11 import explore, parse_litmus
from iobuf.model.rc11.explorer import Result
from iobuf.model.rc11.herd import format_result
from iobuf.model.rc11.render import to_dot, to_svg


def register(sub: Any) -> None:
    """Add `iobuf litmus` to the CLI."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "litmus", help="run herd7 C litmus tests under RC11 (herd7-style output)")
    parser.add_argument("files", nargs="+", type=Path, help="litmus files")
    parser.add_argument("--rs", choices=("cxx20", "original"), default="cxx20",
                        help="release sequences: C++20 (default) or the paper's rule")
    parser.add_argument("--model", choices=("rc11", "sc"), default="rc11")
    parser.add_argument("--unroll", type=int, default=2, help="while-loop unrolling bound")
    parser.add_argument("--graph", type=Path, help="write a witness graph (.svg or .dot)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Explore each file; exit 1 on a parse error, 0 otherwise (verdicts are output)."""
    status = 0
    for path in args.files:
        try:
            prog = parse_litmus(path.read_text(), unroll=args.unroll)
        except (OSError, ValueError) as err:
            print(f"{path}: {err}", file=sys.stderr)
            status = 1
            continue
        res = explore(prog, rs=args.rs, model=args.model)
        print(format_result(res))
        if args.graph is not None:
            write_graph(res, args.graph, len(args.files) > 1)
    return status


def write_graph(res: Result, target: Path, many: bool) -> None:
    """Draw the most telling witness of `res` to `target` (one file per test if `many`)."""
    finding = res.findings[0] if res.findings else None
    graph = finding.witness if finding else res.witness or res.counterexample
    if graph is None:
        return
    if many:
        target = target.with_name(f"{target.stem}-{res.program.name}{target.suffix}")
    pair = finding.pair if finding else None
    draw = to_dot if target.suffix == ".dot" else to_svg
    target.write_text(draw(graph, res.rs, pair, res.program.name))
    print(f"graph: {target}")
