"""`iobuf bench trace`: what the traced build costs per operation, side by side in one run.

The same 10k-operation mix as `iobuf bench impl` (every kind of buffer and
chain operation over two cores) runs on three libraries built from the same
sources: the plain build, the traced build with no callback registered (the
cost of the hooks alone), and the traced build feeding every event to the
online RC11 checker (what `iobuf verify` and the traced lockstep pay). The
table prints microseconds per operation and each ratio to the plain build,
each side's best of `--repeat` alternated runs. Nothing asserts a timing.
"""

from __future__ import annotations

import argparse
import functools
import time
import types
from typing import Any

from .bench_impl import best_of, mix, program


def register_bench(sub: Any) -> None:
    """Add `iobuf bench trace`."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "trace", help="traced build overhead per operation (vs the plain build)")
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.set_defaults(func=run)


def _api(name: str, system: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.System = system  # type: ignore[attr-defined]
    return module


def measure(ops: int, repeat: int) -> list[tuple[str, float, int]]:
    """(library, seconds per operation, events traced per run) for the three builds."""
    import iobuf.impl
    from iobuf.impl.build import build
    from iobuf.impl.traced import TracedSystem

    traced = str(build("traced"))
    systems: list[TracedSystem] = []

    def checked(cores: int) -> Any:
        s = TracedSystem(cores=cores, library=traced)
        systems.append(s)
        return s

    apis = [("plain", _api("plain", iobuf.impl.System)),
            ("traced, no callback", _api("hooks", functools.partial(iobuf.impl.System,
                                                                     library=traced))),
            ("traced + online RC11", _api("checked", checked))]
    prog = program(ops)
    expected = mix(apis[0][1], prog)
    events = [0]

    def timed(api: types.ModuleType) -> float:
        """One mix; a traced system is closed and checked after the clock stops (left
        open, it would keep the hook and trace the next side's calls)."""
        start = time.perf_counter()
        seen = mix(api, prog)
        seconds = time.perf_counter() - start
        assert seen == expected, "the three builds must do the same work"
        for s in systems:
            s.close()
            s.tracer.check()
            events[0] = s.tracer.checker.events
        systems.clear()
        return seconds

    best = best_of(repeat, *[functools.partial(timed, api) for _, api in apis])
    return [(name, t / ops, events[0] if name.startswith("traced +") else 0)
            for (name, _), t in zip(apis, best, strict=True)]


def run(args: argparse.Namespace) -> int:
    """Print the table."""
    rows = measure(args.ops, args.repeat)
    plain = rows[0][1]
    print(f"iobuf bench trace: {args.ops} operations, best of {args.repeat}")
    print(f"{'library':24} {'us/op':>8} {'x plain':>8} {'events':>8}")
    for name, per_op, events in rows:
        shown = str(events) if events else ""
        print(f"{name:24} {per_op * 1e6:8.2f} {per_op / plain:8.2f} {shown:>8}")
    return 0
