"""`iobuf model check`: exhaustive exploration of the ownership machine within bounds."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from iobuf.model.bounds import NAMED, Bounds
from iobuf.model.explorer import explore


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())


def register(sub: Any) -> None:
    """Add `iobuf model check` to the CLI."""
    model: argparse.ArgumentParser = sub.add_parser("model", help="the executable specification")
    actions = model.add_subparsers(dest="model_command", required=True)
    check = actions.add_parser("check", help="explore every state within bounds")
    check.add_argument("--bounds", choices=sorted(NAMED), help="a named configuration")
    check.add_argument("--cores", type=int, help="cores in the system")
    check.add_argument("--allocs", type=int, help="allocations ever made (clones count)")
    check.add_argument("--refs", type=int, help="largest refcount reached")
    check.add_argument("--sizes", type=_ints, help="allocation sizes tried, e.g. 1,2")
    check.add_argument("--values", type=_ints, help="byte values written, e.g. 1")
    check.add_argument("--chains", type=int, help="iobuf slots (0: buffers only)")
    check.add_argument("--appends", type=_ints, help="lengths appended to iobufs, e.g. 1,2")
    check.add_argument("--chain-bytes", type=int, help="largest iobuf explored")
    check.add_argument("--max-states", type=int, default=None, help="stop after this many")
    check.set_defaults(func=run_check)


def bounds_from(args: argparse.Namespace) -> Bounds:
    """The bounds named by --bounds, overridden field by field by the other options."""
    bounds = NAMED[args.bounds] if args.bounds else Bounds()
    fields = ("cores", "allocs", "refs", "sizes", "values", "chains", "appends", "chain_bytes")
    changes = {f: getattr(args, f) for f in fields if getattr(args, f) is not None}
    return replace(bounds, **changes)


def run_check(args: argparse.Namespace) -> int:
    """Explore, print the report, and return 1 on a violation or a vacuous property."""
    bounds = bounds_from(args)
    if not 1 <= bounds.cores <= 8 or bounds.allocs < 1 or bounds.refs < 1:
        print(f"error: bounds out of range: {bounds}")
        return 2
    report = explore(bounds, max_states=args.max_states)
    print(f"bounds       {bounds}")
    print(f"states       {report.states}")
    print(f"transitions  {report.transitions}")
    print(f"depth        {report.depth}")
    print(f"time         {report.seconds:.2f}s")
    if report.violation is not None:
        print(f"verdict      VIOLATED {report.violation.prop} "
              f"(shortest trace, {len(report.violation.trace)} actions)")
        print(report.violation.to_python())
        return 1
    if not report.complete:
        print(f"verdict      INCOMPLETE stopped at --max-states {args.max_states}; "
              "no violation found so far")
        return 1
    if report.vacuous:
        print(f"verdict      VACUOUS never witnessed: {', '.join(report.vacuous)}")
        return 1
    print("verdict      OK all invariants hold; every sometimes-property witnessed")
    return 0
