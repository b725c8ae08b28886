"""The fragment allocation schedule and `copy()`'s sizing rule, proved for every size.

Background: an iobuf grows by fragments whose capacities follow Redpanda's
allocation table (`iobuf.model.schedule`); `copy()` sizes its fragments
exactly up to 16 KiB and by powers of two above. Tests sample sizes; these
proofs cover all of them, symbolically, with z3 integers (Python's ints are
unbounded, so integers are the faithful domain; the copy rule is stated for
64-bit totals because its encoding enumerates the 64 possible bit lengths).

What is proved:
- `next_allocation(x)` is a table entry, never above 131072, strictly
  greater than `x` whenever `x < 131072`, and monotone in `x`;
- `new_fragment_capacity(n, last)` is at most 131072, at least
  `min(n + 1, 131072)`, and never below `last` when `last <= 131072`
  (growth is monotone; strict below the cap). The proviso matters: a
  zero-copy `append_buffer` of a large buffer makes a last fragment larger
  than the cap, and the next scheduled fragment is then 131072, smaller;
  "no fragment above 131072" is a fact about fragments the schedule
  allocates, not about buffers a chain adopts;
- `append` of `n` bytes after a last fragment of any capacity `c` with `s` bytes
  of slack places exactly `n` bytes: the slack fill takes `min(s, n)`, and
  the fragment loop has the inductive invariant `written + remaining == n`,
  a strictly decreasing `remaining` (so it terminates), every new fragment
  holding `0 < k <= capacity` bytes, all but the last one full. Induction
  over the loop makes this hold for any `n`, not only for unrolled sizes;
- `copy_fragment_sizes(total)`: each size is in `(0, 131072]`, never more
  than what remains, a power of two above 16384, sizes never increase, and
  `written + remaining == total` is inductive, so the sizes sum to `total`.

Encodings mirror the Python: `encode_next` is the `for entry in TABLE: if
entry > x: return entry` loop as nested `If`s read from the model's own
table; `encode_copy_step` writes `1 << (left.bit_length() - 1)` as "the
`2**k` with `2**k <= left < 2**(k + 1)`", enumerated for k = 0..63.
`tests/proofs/test_schedule.py` evaluates every encoding against the model on
concrete inputs (and the append loop against `iobuf.model.chain.append`),
and shows that a mutated encoding is refuted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import z3
from iobuf.model.schedule import ALLOCATION_TABLE, COPY_EXACT_LIMIT, DEFAULT_LAST, MAX_FRAGMENT

from .result import Proof, Status, find_counterexample, model_values, timed, verdict_of_proof

Next = Callable[[z3.ArithRef], z3.ArithRef]
CopyStep = Callable[[z3.ArithRef], z3.ArithRef]


def encode_next(x: z3.ArithRef) -> z3.ArithRef:
    """`next_allocation(x)`: the first table entry strictly greater than x, else the cap."""
    result: z3.ArithRef = z3.IntVal(MAX_FRAGMENT)
    for entry in reversed(ALLOCATION_TABLE):
        result = z3.If(entry > x, z3.IntVal(entry), result)
    return result


def encode_capacity(
    request: z3.ArithRef, last: z3.ArithRef, nxt: Next = encode_next
) -> z3.ArithRef:
    """`new_fragment_capacity(request, last)` for a chain with a last fragment."""
    return nxt(z3.If(request > last, request, last))


def encode_copy_step(left: z3.ArithRef) -> z3.ArithRef:
    """The size `copy_fragment_sizes` takes when `left` bytes remain (0 < left < 2**64)."""
    power: z3.ArithRef = z3.IntVal(1)
    for k in range(1, 64):  # 1 << (left.bit_length() - 1): the 2**k with 2**k <= left < 2**(k+1)
        power = z3.If(left >= 2**k, z3.IntVal(2**k), power)
    capped = z3.If(power < MAX_FRAGMENT, power, z3.IntVal(MAX_FRAGMENT))
    return z3.If(left <= COPY_EXACT_LIMIT, left, capped)


def _prove(name: str, claim: Callable[[], tuple[z3.BoolRef, list[z3.BoolRef], list[z3.ArithRef]]]
           ) -> Proof:
    """Prove `hyps ⇒ claim` (built lazily); a counterexample prints the listed variables."""
    def body() -> tuple[Status, str]:
        goal, hyps, shown = claim()
        verdict, model = find_counterexample(goal, hyps)
        return verdict_of_proof(verdict, lambda: _show(model, shown))
    return timed(name, body)


def _show(model: z3.ModelRef | None, names: Iterable[z3.ArithRef]) -> str:
    assert model is not None
    return ", ".join(f"{k} = {v}" for k, v in model_values(model, names).items())


def prove_next_bounded(nxt: Next = encode_next) -> Proof:
    """next(x) is a table entry and never above the cap."""
    x = z3.Int("x")
    return _prove("schedule: next(x) in table, <= 131072", lambda: (
        z3.And(z3.Or([nxt(x) == e for e in ALLOCATION_TABLE]), nxt(x) <= MAX_FRAGMENT),
        [x >= 0], [x, nxt(x)]))


def prove_next_strict(nxt: Next = encode_next) -> Proof:
    """next(x) > x for every x below the cap."""
    x = z3.Int("x")
    return _prove("schedule: next(x) > x below the cap", lambda: (
        nxt(x) > x, [x >= 0, x < MAX_FRAGMENT], [x, nxt(x)]))


def prove_next_monotone(nxt: Next = encode_next) -> Proof:
    """x <= y implies next(x) <= next(y)."""
    x, y = z3.Ints("x y")
    return _prove("schedule: next monotone", lambda: (
        nxt(x) <= nxt(y), [x >= 0, x <= y], [x, y, nxt(x), nxt(y)]))


def prove_capacity(nxt: Next = encode_next) -> Proof:
    """New fragment capacity: capped, fits the request, never shrinks, grows below the cap."""
    n, last = z3.Ints("n last")
    cap = encode_capacity(n, last, nxt)
    empty = encode_capacity(n, z3.IntVal(DEFAULT_LAST), nxt)  # last_capacity None
    goal = z3.And(cap <= MAX_FRAGMENT, cap >= z3.If(n + 1 < MAX_FRAGMENT, n + 1, MAX_FRAGMENT),
                  cap >= last, z3.Implies(last < MAX_FRAGMENT, cap > last),
                  empty <= MAX_FRAGMENT, empty > z3.If(n < DEFAULT_LAST, n, DEFAULT_LAST))
    return _prove("schedule: new fragment capacity bounds, growth",
                  lambda: (goal, [n >= 1, last >= 0, last <= MAX_FRAGMENT], [n, last, cap]))


def prove_append_exact(nxt: Next = encode_next) -> Proof:
    """Append of n bytes: slack fill, then an inductive fragment loop placing exactly n bytes."""
    def claim() -> tuple[z3.BoolRef, list[z3.BoolRef], list[z3.ArithRef]]:
        n, slack, c, r, w = z3.Ints("n slack last_capacity remaining written")
        k0 = z3.If(slack < n, slack, n)  # slack fill: k = min(last.slack, len(data))
        init = z3.And(k0 >= 0, k0 <= slack, inv(n, n - k0, k0, c))
        cap = encode_capacity(r, c, nxt)  # one loop iteration (r > 0)
        k = z3.If(cap < r, cap, r)
        step = z3.Implies(z3.And(inv(n, r, w, c), r > 0), z3.And(
            k >= 1, k <= cap, cap <= MAX_FRAGMENT, r - k < r, inv(n, r - k, w + k, cap),
            z3.Implies(r - k > 0, k == cap)))
        done = z3.Implies(z3.And(inv(n, r, w, c), r == 0), w == n)
        hyps = [n >= 0, slack >= 0, c >= slack]  # c may exceed the cap (zero-copy fragment)
        return z3.And(init, step, done), hyps, [n, slack, c, r, w]
    return _prove("schedule: append places exactly n bytes (induction)", claim)


def inv(n: z3.ArithRef, r: z3.ArithRef, w: z3.ArithRef, c: z3.ArithRef) -> z3.BoolRef:
    """The append loop's invariant: bytes written plus bytes remaining is n."""
    return z3.And(w + r == n, r >= 0, w >= 0, c >= 0)


def prove_copy_sizes(step: CopyStep = encode_copy_step) -> Proof:
    """copy(): sizes in (0, cap], never above what remains, non-increasing, summing to total."""
    def claim() -> tuple[z3.BoolRef, list[z3.BoolRef], list[z3.ArithRef]]:
        total, left, written = z3.Ints("total left written")
        size = step(left)
        rest = left - size
        powers = z3.Or([size == 2**k for k in range(64)])
        goal = z3.And(
            size > 0, size <= MAX_FRAGMENT, size <= left,
            z3.Implies(size > COPY_EXACT_LIMIT, powers),
            z3.Implies(rest > 0, step(rest) <= size),  # sizes never increase
            written + size + rest == total, rest >= 0)  # invariant written + left == total
        hyps = [total >= 0, total < 2**64, left > 0, left <= total, written + left == total]
        return goal, hyps, [total, left, size]
    return _prove("schedule: copy sizes (0, 131072], sum to total (induction)", claim)


PROOFS = (prove_next_bounded, prove_next_strict, prove_next_monotone, prove_capacity,
          prove_append_exact, prove_copy_sizes)
"""Every proof of this family, in report order."""
