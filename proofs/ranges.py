"""Range arithmetic of `share(pos, size)` over a fragment chain, proved for all 64-bit sizes.

Background: sharing `[pos, pos + size)` of an iobuf takes one zero-copy view
per fragment the range touches. Off-by-ones here are silent: a view one
byte too long reads the next allocation's bytes, a piece too short drops
data. The seed blog got it wrong four ways (see `iobuf.proofs.seed`).

Claim, for chains of 1..4 fragments with symbolic 64-bit sizes, `pos` and
`size`: under the model's precondition (every fragment non-empty — the chain
invariant —, `pos + size <= total`) and the no-overflow side condition
(every input and the total below 2**64, what a C `size_t` chain can hold),
the pieces returned by `iobuf.model.chain.share_spans`
- are non-empty and lie within their fragment's used bytes
  (`offset + length <= fragment size`);
- taken in the order returned, start at global byte `pos`, each starting
  where the previous one ended, and end at `pos + size`: they cover exactly
  `[pos, pos + size)`, in order, without gap or overlap;
- are computed without wrap-around: every intermediate value the loop
  computes (`fsize - pos`, `left - n`, `pos - fsize`) is proved to lie in
  `[0, 2**64)`.

Why the proof is over integers with 64-bit ranges rather than bit-vectors:
the same claim stated on 64-bit bit-vectors is out of reach of z3's
bit-blaster (two fragments time out after a minute: identities such as
`s0 + (pos - s0) == pos` are hard for SAT). The last bullet closes the gap:
on operands in `[0, 2**64)`, `+`, `-`, `min` and `<` on 64-bit unsigned
words compute exactly the integer results whenever those results are in
`[0, 2**64)` (SMT-LIB's definition of `bvadd`/`bvsub` as arithmetic modulo
2**64), so proving the integer program never leaves the range proves the
64-bit program computes what the integer one (and Python) computes. The
encoding is written once, over a `Domain`; `tests/proofs/test_ranges.py`
evaluates its integer and its 64-bit instance on random concrete inputs,
including values near 2**64, against the Python function.

Encoding (`encode_share_spans`), line by line against the Python:
- `for i, fsize in enumerate(sizes)` — unrolled, one block per fragment, so
  fragment indices increase by construction and each fragment yields at
  most one piece;
- `if left == 0: break` — a `done` flag that, once set, stays set and
  disables every later block (exactly what `break` does);
- `if pos >= fsize: pos -= fsize; continue` — `skip`, updating `pos`;
- `n = min(left, fsize - pos)`; append `(i, pos, n)`; `left -= n`; `pos = 0`
  — `take`, the piece guarded by `take` (its `active` flag).

The seed's share (`encode_seed_spans`) is encoded over 64-bit bit-vectors,
because its `size_t` wrap-around is part of its meaning (finding a model is
easy for the bit-blaster): z3 returns an input, printed as a call, on which
the same claim fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import z3
from iobuf.model.chain import share_spans

from .result import Proof, Status, find_counterexample, timed, verdict_of_proof, verdict_of_twin
from .seed import seed_share_spans

WIDTH = 64
LIMIT = 1 << WIDTH
MAX_FRAGMENTS = 4
Expr = Any  # z3.ArithRef or z3.BitVecRef: the encoding is generic over the two


@dataclass(frozen=True)
class Domain:
    """The arithmetic an encoding runs in: unbounded integers, or 64-bit unsigned words."""

    name: str
    const: Callable[[int], Expr]
    var: Callable[[str], Expr]
    lt: Callable[[Expr, Expr], z3.BoolRef]


INT = Domain("int", z3.IntVal, z3.Int, lambda a, b: a < b)
BV64 = Domain("bv64", lambda v: z3.BitVecVal(v, WIDTH), lambda n: z3.BitVec(n, WIDTH), z3.ULT)


@dataclass(frozen=True)
class Piece:
    """One (fragment, offset, length) triple the loop may emit; `active` says whether it does."""

    index: int
    active: z3.BoolRef
    offset: Expr
    length: Expr


@dataclass(frozen=True)
class Encoding:
    """An unrolled run: the pieces, and each intermediate value with its guard."""

    pieces: list[Piece]
    computed: list[tuple[z3.BoolRef, Expr]]


def encode_share_spans(d: Domain, sizes: Sequence[Expr], pos: Expr, size: Expr) -> Encoding:
    """The model's `share_spans`, unrolled over `sizes` in domain `d`."""
    pieces: list[Piece] = []
    computed: list[tuple[z3.BoolRef, Expr]] = []
    left, done = size, z3.BoolVal(False)
    for i, fsize in enumerate(sizes):
        done = z3.Or(done, left == 0)  # if left == 0: break
        skip = z3.And(z3.Not(done), z3.Not(d.lt(pos, fsize)))  # if pos >= fsize: ... continue
        take = z3.And(z3.Not(done), d.lt(pos, fsize))
        avail = fsize - pos
        n = z3.If(d.lt(left, avail), left, avail)  # n = min(left, fsize - pos)
        pieces.append(Piece(i, take, pos, n))  # spans.append((i, pos, n))
        computed += [(take, avail), (take, left - n), (skip, pos - fsize)]
        left = z3.If(take, left - n, left)  # left -= n
        pos = z3.If(skip, pos - fsize, z3.If(take, d.const(0), pos))  # pos -= fsize / pos = 0
    return Encoding(pieces, computed)


def encode_seed_spans(sizes: Sequence[Expr], pos: Expr, size: Expr) -> list[Piece]:
    """The seed blog's share (`seed_share_spans`), unrolled over 64-bit words (size_t)."""
    pieces: list[Piece] = []
    remaining, done = size, z3.BoolVal(False)
    for i, fsize in enumerate(sizes):
        done = z3.Or(done, remaining == 0)
        skip = z3.And(z3.Not(done), z3.UGE(pos, fsize))
        take = z3.And(z3.Not(done), z3.ULT(pos, fsize))
        right = z3.If(z3.ULT(pos + remaining, fsize - 1), pos + remaining, fsize - 1)
        pieces.append(Piece(i, take, pos, right))  # share_slice(pos, right)
        remaining = z3.If(take, remaining - (right - pos - 1), remaining)
        pos = z3.If(skip, pos - fsize, pos)  # never reset to 0
    return pieces


def in_range(x: Expr) -> z3.BoolRef:
    """`0 <= x < 2**64` (for an integer term)."""
    return z3.And(x >= 0, x < LIMIT)


def precondition(sizes: Sequence[Expr], pos: Expr, size: Expr) -> list[z3.BoolRef]:
    """64-bit inputs, non-empty fragments, `total < 2**64` and `pos + size <= total` (integers)."""
    total = z3.Sum(list(sizes)) if sizes else z3.IntVal(0)
    return [*(in_range(v) for v in (*sizes, pos, size)), *(s > 0 for s in sizes),
            total < LIMIT, pos + size <= total]


def covers_exactly(
    sizes: Sequence[Expr], pos: Expr, size: Expr, pieces: Sequence[Piece],
    as_int: Callable[[Expr], Expr] = lambda x: x,
) -> z3.BoolRef:
    """Pieces are non-empty, inside their fragment, contiguous in order from pos to pos + size."""
    facts: list[z3.BoolRef] = []
    cursor, prefix = as_int(pos), z3.IntVal(0)
    for p in pieces:
        off, n, fsize = as_int(p.offset), as_int(p.length), as_int(sizes[p.index])
        facts.append(z3.Implies(p.active, z3.And(n > 0, off >= 0, off + n <= fsize,
                                                 prefix + off == cursor)))
        cursor = z3.If(p.active, cursor + n, cursor)
        prefix = prefix + fsize
    facts.append(cursor == as_int(pos) + as_int(size))
    return z3.And(facts)


def symbols(d: Domain, nfrags: int) -> tuple[list[Expr], Expr, Expr]:
    """Fresh symbolic fragment sizes, pos and size in domain `d`."""
    return [d.var(f"size{i}") for i in range(nfrags)], d.var("pos"), d.var("size")


def concrete(
    d: Domain, sizes: tuple[int, ...], pos: int, size: int
) -> tuple[list[Expr], Expr, Expr]:
    """Constants of domain `d` for a concrete input."""
    return [d.const(s) for s in sizes], d.const(pos), d.const(size)


def evaluate(pieces: Sequence[Piece]) -> tuple[tuple[int, int, int], ...]:
    """The spans of an encoding built on constants (each field simplifies to a number)."""
    out = []
    for p in pieces:
        if z3.is_true(z3.simplify(p.active)):
            off, n = z3.simplify(p.offset), z3.simplify(p.length)
            out.append((p.index, off.as_long(), n.as_long()))
    return tuple(out)


Encoder = Callable[[Domain, Sequence[Expr], Expr, Expr], Encoding]


def prove_share_spans(
    max_fragments: int = MAX_FRAGMENTS, encode: Encoder = encode_share_spans
) -> Proof:
    """Prove the share claim, with no wrap-around, for chains of 1..max_fragments fragments."""
    def body() -> tuple[Status, str]:
        for nfrags in range(1, max_fragments + 1):
            sizes, pos, size = symbols(INT, nfrags)
            enc = encode(INT, sizes, pos, size)
            nowrap = [z3.Implies(guard, in_range(v)) for guard, v in enc.computed]
            claim = z3.And(covers_exactly(sizes, pos, size, enc.pieces), *nowrap)
            verdict, model = find_counterexample(claim, precondition(sizes, pos, size))
            if verdict != "unsat":
                detail = _describe(model, sizes, pos, size)
                return verdict_of_proof(verdict, detail)
        return "PROVED", f"chains of 1..{max_fragments} fragments, 64-bit sizes, no wrap-around"
    return timed("ranges: share_spans covers [pos, pos+size) exactly", body)


def refute_seed_share(max_fragments: int = MAX_FRAGMENTS) -> Proof:
    """Find an input on which the seed blog's share breaks the claim (small values first)."""
    def body() -> tuple[Status, str]:
        verdict = "unsat"
        for small in (True, False):
            for nfrags in range(1, max_fragments + 1):
                sizes, pos, size = symbols(BV64, nfrags)
                wide = [z3.BV2Int(v) for v in (*sizes, pos, size)]
                pieces = encode_seed_spans(sizes, pos, size)
                claim = covers_exactly(sizes, pos, size, pieces, z3.BV2Int)
                bound = [z3.ULE(v, 8) for v in (*sizes, pos, size)] if small else []
                hyps = precondition(wide[:-2], wide[-2], wide[-1]) + bound
                verdict, model = find_counterexample(claim, hyps)
                if verdict == "sat":
                    detail = _describe(model, sizes, pos, size)
                    return verdict_of_twin(verdict, detail)
        return verdict_of_twin(verdict, "")
    return timed("ranges: seed blog's share is refuted", body)


def _describe(model: z3.ModelRef | None, sizes: Sequence[Expr], pos: Expr, size: Expr) -> str:
    if model is None:
        return "no model (z3 answered unknown)"
    val = [model.eval(x, model_completion=True).as_long() for x in (*sizes, pos, size)]
    sz, p, n = tuple(val[:-2]), val[-2], val[-1]
    return (f"seed_share_spans(sizes={sz}, pos={p}, size={n})\n"
            f"  seed  -> {seed_share_spans(sz, p, n)}\n"
            f"  model -> {share_spans(sz, p, n)}  (covers [{p}, {p + n}))")


PROOFS = (prove_share_spans, refute_seed_share)
"""Every proof of this family, in report order."""
