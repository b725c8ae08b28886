"""`iobuf bench impl`: the C implementation's four ratios, measured side by side in one run.

1. share: `IoBuf.share(pos, 1 MiB)` of a 64 MiB chain against slicing 1 MiB
   out of 64 MiB of `bytes` (target: >= 10x), plus how share's cost grows
   with the fragments a share spans, not with its bytes;
2. append: 64 MiB appended in 64 KiB chunks against a plain C memcpy of
   the same chunks into fresh memory (ctypes.memmove; target: >= 0.5x);
3. mix: 10k operations on `iobuf.impl` against the same operations on the
   model (target: >= 20x);
4. alloc+release through the Python API against the raw ctypes calls to
   the same C functions (target: wrapper within 2x).

Each pair is timed alternately, `--repeat` times, keeping each side's best
(the least disturbed) run, so both sides see the same machine state. These
are measurements to print, never assertions in tests.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

MIB = 1 << 20
CHUNK = 64 << 10


@dataclass(frozen=True)
class Row:
    """One line of the result table: ours against a baseline (seconds per unit)."""

    name: str
    ours: float
    baseline: float
    unit: str
    higher_is_better_ratio: float
    target: str
    ok: bool


def best_of(repeat: int, *sides: Callable[[], float]) -> list[float]:
    """Run the sides alternately `repeat` times; each side's fastest time.

    The cyclic garbage collector is off while a side runs (as in `timeit`):
    one side's garbage must not be collected on the other side's clock.
    """
    best = [float("inf")] * len(sides)
    for _ in range(repeat):
        for i, side in enumerate(sides):
            gc.collect()
            gc.disable()
            try:
                best[i] = min(best[i], side())
            finally:
                gc.enable()
    return best


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def build_chain(system: Any, total: int) -> Any:
    """A chain of `total` bytes appended in 64 KiB chunks."""
    io = system.core(0).iobuf()
    chunk = random.Random(1).randbytes(CHUNK)
    for _ in range(total // CHUNK):
        io.append(chunk)
    return io


def bench_share(impl: ModuleType, total: int, repeat: int) -> tuple[Row, list[str]]:
    """share(pos, 1 MiB) of a chain vs slicing bytes, and the cost per fragment spanned."""
    rng = random.Random(2)
    with impl.System(cores=1) as s:
        io = build_chain(s, total)
        data = bytes(io)
        lines = []
        results = {}
        for size in (s for s in (4 << 10, 128 << 10, MIB, 8 * MIB) if s <= total // 2):
            positions = [rng.randrange(0, total - size) for _ in range(64)]

            def share(size: int = size, positions: list[int] = positions) -> float:
                t = time.perf_counter()
                for p in positions:
                    io.share(p, size).release()
                return (time.perf_counter() - t) / len(positions)

            def slice_(size: int = size, positions: list[int] = positions) -> float:
                t = time.perf_counter()
                for p in positions:
                    data[p : p + size]
                return (time.perf_counter() - t) / len(positions)

            ours, base = best_of(repeat, share, slice_)
            with io.share(positions[0], size) as probe:
                spanned = len(probe.fragments)
            results[size] = (ours, base)
            lines.append(f"  share {size >> 10:>5} KiB: {spanned:>3} fragments, "
                         f"{ours * 1e6:7.2f} us ({ours * 1e9 / spanned:6.0f} ns/fragment); "
                         f"bytes slice {base * 1e6:8.2f} us")
        io.release()
    ours, base = results[MIB]
    row = Row("share(pos, 1 MiB) of 64 MiB vs bytes slice", ours, base, "op", base / ours,
              ">= 10x", base / ours >= 10)
    return row, lines


def bench_append(impl: ModuleType, total: int, repeat: int) -> Row:
    """Appending `total` bytes in 64 KiB chunks vs memcpy of the same chunks into fresh memory."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    chunk = random.Random(3).randbytes(CHUNK)
    n = total // CHUNK
    with impl.System(cores=1) as s:
        core = s.core(0)

        def append() -> float:
            io = core.iobuf()
            t = time.perf_counter()
            for _ in range(n):
                io.append(chunk)
            elapsed = time.perf_counter() - t
            io.release()
            return elapsed

        def memcpy() -> float:
            dst = libc.malloc(total)
            t = time.perf_counter()
            for i in range(n):
                ctypes.memmove(dst + i * CHUNK, chunk, CHUNK)
            elapsed = time.perf_counter() - t
            libc.free(dst)
            return elapsed

        ours, base = best_of(repeat, append, memcpy)
    speed = base / ours  # our speed relative to memcpy's
    return Row(f"append {total // MIB} MiB in 64 KiB chunks vs memcpy", ours, base, "run",
               speed, ">= 0.5x", speed >= 0.5)


def program(ops: int, seed: int = 4) -> list[tuple[float, int, int, int]]:
    """`ops` pre-drawn random choices (kind, core, two ints), so replaying costs no RNG time."""
    rng = random.Random(seed)
    return [(rng.random(), rng.randrange(2), rng.getrandbits(30), rng.getrandbits(30))
            for _ in range(ops)]


def mix(api: ModuleType, prog: list[tuple[float, int, int, int]]) -> int:
    """Replay `prog` on `api`: every kind of operation, the same sequence on every api.

    Returns a checksum of what the reads saw, so the two sides can be
    compared (they must do the same work to be timed against each other).
    """
    seen = 0
    s = api.System(cores=2)
    cores = s.cores
    bufs: list[Any] = []
    chains: list[Any] = []
    for r, c, x, y in prog:
        if r < 0.15 or not bufs:
            bufs.append(cores[c].alloc(1 + x % 600))
        elif r < 0.25:
            b = bufs[x % len(bufs)]
            if b.refcount == 1:
                b.write(0, b"payload"[: b.size])
        elif r < 0.35:
            seen = (seen * 31 + bufs[x % len(bufs)].read(0, 1)[0]) % (1 << 61)
        elif r < 0.45:
            bufs.append(bufs[x % len(bufs)].share(0, None))
        elif r < 0.52:
            i = x % len(bufs)
            bufs[i] = bufs[i].send(cores[c])
        elif r < 0.65:
            bufs.pop(x % len(bufs)).release()
        elif r < 0.70:
            cores[c].poll()
        elif r < 0.78 or not chains:
            if not chains or r >= 0.75:
                chains.append(cores[0].iobuf())
            chains[-1].append(b"x" * (1 + y % 900))
        elif r < 0.84:
            io = chains[x % len(chains)]
            chains.append(io.share(0, y % (len(io) + 1)))
        elif r < 0.90:
            k = chains[x % len(chains)].consumer()
            if k.bytes_left:
                seen = (seen * 31 + k.read_u8() + len(chains)) % (1 << 61)
        elif r < 0.95:
            chains[x % len(chains)].trim_front(y % 50)
        else:
            chains.pop(x % len(chains)).release()
    for b in bufs:
        b.release()
    for io in chains:
        io.release()
    for core in cores:
        core.poll()
    return seen


def bench_mix(impl: ModuleType, model: ModuleType, ops: int, repeat: int) -> Row:
    """The same `ops`-operation mix on the implementation and on the model."""
    prog = program(ops)
    ours, base = best_of(repeat, lambda: _timed(lambda: mix(impl, prog)),
                         lambda: _timed(lambda: mix(model, prog)))
    return Row(f"{ops // 1000}k-operation mix vs the model", ours, base, "run", base / ours,
               ">= 20x", base / ours >= 20)


def bench_alloc(impl: ModuleType, n: int, repeat: int) -> Row:
    """alloc+release through the API vs the raw ctypes calls to the same C functions.

    The raw side calls the very function objects the API calls (the library's
    word prototypes, `iobuf.impl._ffi.Library.words`) the cheapest way ctypes
    allows: an out-cell passed by its address as a plain int, nothing else.
    So the ratio is what the Python layer adds on top of the FFI call itself.
    """
    with impl.System(cores=1) as s:
        words, sp, out = s.library.words, s._ptr, ctypes.c_void_p()
        out_at = ctypes.addressof(out)
        core = s.core(0)

        def wrapped() -> float:
            alloc = core.alloc
            t = time.perf_counter()
            for _ in range(n):
                alloc(64).release()
            return (time.perf_counter() - t) / n

        def raw() -> float:
            c_alloc, c_release = words.iob_alloc, words.iob_buf_release
            t = time.perf_counter()
            for _ in range(n):
                c_alloc(sp, 0, 64, out_at)
                c_release(out.value)
            return (time.perf_counter() - t) / n

        ours, base = best_of(repeat, wrapped, raw)
    overhead = ours / base
    return Row("alloc+release: API vs raw ctypes", ours, base, "pair", base / ours,
               "<= 2x slower", overhead <= 2)


def render(rows: list[Row], notes: list[str]) -> str:
    """The result table (Markdown, so it can go in the README as is)."""
    out = ["| benchmark | iobuf.impl | baseline | ratio | target | met |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        ratio = (f"{1 / r.higher_is_better_ratio:.2f}x slower" if "slower" in r.target
                 else f"{r.higher_is_better_ratio:.2f}x")
        out.append(f"| {r.name} | {_fmt(r.ours)}/{r.unit} | {_fmt(r.baseline)}/{r.unit} "
                   f"| {ratio} | {r.target} | {'yes' if r.ok else 'NO'} |")
    return "\n".join([*out, "", *notes])


def _fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} us"


def run(args: argparse.Namespace) -> int:
    """Measure and print the table; exit 0 (benchmarks report, they do not judge)."""
    import iobuf.impl as impl
    import iobuf.model as model

    total = (8 if args.quick else 64) * MIB
    ops = 1000 if args.quick else 10000
    rows: list[Row] = []
    share_row, notes = bench_share(impl, total, args.repeat)
    rows.append(share_row)
    rows.append(bench_append(impl, total, args.repeat))
    rows.append(bench_mix(impl, model, ops, args.repeat))
    rows.append(bench_alloc(impl, 20000 if args.quick else 200000, args.repeat))
    print(render(rows, ["share cost by span (64 MiB chain of 128 KiB fragments):", *notes]))
    return 0


def register_bench(benches: Any) -> None:
    """Add `iobuf bench impl`."""
    parser: argparse.ArgumentParser = benches.add_parser(
        "impl", help="C implementation: share, append, op mix, FFI overhead (ratios)")
    parser.add_argument("--repeat", type=int, default=5, help="alternating runs per side")
    parser.add_argument("--quick", action="store_true", help="8 MiB and 1k ops (smoke test)")
    parser.set_defaults(func=run)
