"""`iobuf protocol ...`: the deferred-delete protocol catalogue under RC11.

- `drop`: N droppers use the payload, `fetch_sub(rc, 1, --dec)`; the last one
  runs `--fence` (and/or an acquire `--load` of rc) and frees, locally or by
  `--handoff PUSH,POP` to an owner thread that frees;
- `unique`: the `Arc::get_mut` uniqueness check (rust-lang/rust#51780);
- `table`: every combination of orders, its verdict, the rule's verdict, and
  the smallest counterexample for each unsafe row; exit 1 if any row's
  verdict differs from the rule.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from iobuf.model.rc11 import explore
from iobuf.model.rc11.explorer import Result
from iobuf.model.rc11.program import ORDERS
from iobuf.model.rc11.protocols import Drop, build, table, unique
from iobuf.model.rc11.render import to_dot, to_svg

ATOMIC = [o for o in ORDERS if o != "na"]


def register(sub: Any) -> None:
    """Add `iobuf protocol` and its subcommands to the CLI."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "protocol", help="deferred-delete protocol catalogue under RC11")
    kinds = parser.add_subparsers(dest="protocol", required=True)
    d = kinds.add_parser("drop", help="one variant of the drop protocol")
    d.add_argument("--threads", type=int, default=2)
    d.add_argument("--dec", choices=ATOMIC, default="rel")
    d.add_argument("--fence", choices=[*ATOMIC, "none"], default="acq")
    d.add_argument("--load", choices=[*ATOMIC, "none"], default="none",
                   help="acquire-load variant: the last dropper loads rc with this order")
    d.add_argument("--handoff", type=_handoff, default=None, metavar="PUSH,POP")
    d.add_argument("--use", choices=("read", "write"), default="read")
    _common(d)
    d.set_defaults(func=run_drop)
    u = kinds.add_parser("unique", help="the get_mut-style uniqueness check")
    u.add_argument("--dec", choices=ATOMIC, default="rel")
    u.add_argument("--load", choices=ATOMIC, default="acq")
    _common(u)
    u.set_defaults(func=run_unique)
    t = kinds.add_parser("table", help="every combination of orders with its verdict")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--no-handoff", action="store_true", help="local frees only")
    t.add_argument("--graphs", type=Path, help="write each counterexample as DIR/NAME.svg")
    t.set_defaults(func=run_table)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rs", choices=("cxx20", "original"), default="cxx20")
    p.add_argument("--model", choices=("rc11", "sc"), default="rc11")
    p.add_argument("--graph", type=Path, help="write the smallest counterexample (.svg/.dot)")


def _handoff(text: str) -> tuple[str, str]:
    push, _, pop = text.partition(",")
    if push not in ATOMIC or pop not in ATOMIC:
        raise argparse.ArgumentTypeError(f"expected PUSH,POP orders from {ATOMIC}")
    return push, pop


def _report(res: Result, graph: Path | None) -> int:
    verdict = "unsafe" if res.findings else "safe"
    print(f"{res.program.name}: {verdict} ({res.executions} executions, "
          f"{res.seconds:.2f}s, model {res.model}, rs {res.rs})")
    for f in res.findings:
        print(f"  {f}  (witness: {f.witness.size()} events)")
    if graph is not None and res.findings:
        best = min(res.findings, key=lambda f: f.witness.size())
        draw = to_dot if graph.suffix == ".dot" else to_svg
        graph.write_text(draw(best.witness, res.rs, best.pair, res.program.name))
        print(f"graph: {graph}")
    return 1 if res.findings else 0


def run_drop(args: argparse.Namespace) -> int:
    """Explore one drop variant; exit 1 if it is unsafe."""
    v = Drop(args.threads, args.dec, args.fence, args.load, args.handoff, args.use)
    return _report(explore(build(v), rs=args.rs, model=args.model), args.graph)


def run_unique(args: argparse.Namespace) -> int:
    """Explore the uniqueness check; exit 1 if it is unsafe."""
    return _report(explore(unique(args.dec, args.load), rs=args.rs, model=args.model),
                   args.graph)


def run_table(args: argparse.Namespace) -> int:
    """Print the catalogue; exit 1 if the explorer and the rule disagree on a row."""
    start = time.perf_counter()
    rows = table(args.threads, handoffs=not args.no_handoff)
    print(f"{'variant':52} {'execs':>5}  {'verdict':7} {'rule':7}  smallest counterexample")
    for row in rows:
        rule = "safe" if row.variant.expected_safe() else "unsafe"
        verdict = "safe" if row.safe else "unsafe"
        mark = "" if row.agrees else "  <-- DISAGREES WITH THE RULE"
        cex = ""
        if row.finding is not None:
            cex = f"{row.finding} [{row.finding.witness.size()} events]"
            if args.graphs is not None:
                args.graphs.mkdir(parents=True, exist_ok=True)
                (args.graphs / f"{row.variant.name()}.svg").write_text(
                    to_svg(row.finding.witness, "cxx20", row.finding.pair, row.variant.name()))
        print(f"{row.variant.name():52} {row.executions:5}  {verdict:7} {rule:7}  {cex}{mark}")
    bad = sum(not r.agrees for r in rows)
    safe = sum(r.safe for r in rows)
    print(f"{len(rows)} variants: {safe} safe, {len(rows) - safe} unsafe, {bad} disagree "
          f"with the rule ({time.perf_counter() - start:.1f}s)")
    return 1 if bad else 0
