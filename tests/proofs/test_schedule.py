"""The schedule proofs hold, their encodings compute what the model computes, and mutants fail.

Footgun: a proof about `encode_next` is only a proof about `next_allocation`
if the two agree; every table boundary (entry - 1, entry, entry + 1) and
random sizes are compared here, and the append loop is replayed against the
model's real `append`, fragment by fragment.
"""

from __future__ import annotations

import random

import pytest
import z3
from iobuf.model.chain import append, last_capacity
from iobuf.model.schedule import (
    ALLOCATION_TABLE,
    MAX_FRAGMENT,
    copy_fragment_sizes,
    new_fragment_capacity,
    next_allocation,
)
from iobuf.model.state import ChainState, initial
from iobuf.proofs.schedule import (
    PROOFS,
    encode_capacity,
    encode_copy_step,
    encode_next,
    prove_copy_sizes,
    prove_next_monotone,
    prove_next_strict,
)


def _int(term: z3.ArithRef) -> int:
    value = z3.simplify(term)
    assert isinstance(value, z3.IntNumRef)
    return int(value.as_long())


BOUNDARIES = sorted({max(0, e + d) for e in ALLOCATION_TABLE for d in (-1, 0, 1)}
                    | {0, 1, 10**6, 2**40})


@pytest.mark.parametrize("proof", PROOFS, ids=lambda p: p.__name__)
def test_every_schedule_claim_is_proved(proof: object) -> None:
    result = proof()  # type: ignore[operator]
    assert result.status == "PROVED", result.line()


def test_encode_next_is_next_allocation() -> None:
    rng = random.Random(7)
    for x in BOUNDARIES + [rng.randrange(0, 200_000) for _ in range(300)]:
        assert _int(encode_next(z3.IntVal(x))) == next_allocation(x), x


def test_encode_capacity_is_new_fragment_capacity() -> None:
    rng = random.Random(8)
    for _ in range(300):
        n, last = rng.choice(BOUNDARIES) + 1, rng.choice(BOUNDARIES)
        assert _int(encode_capacity(z3.IntVal(n), z3.IntVal(last))) == new_fragment_capacity(
            n, last)


def test_encode_copy_step_is_copy_fragment_sizes() -> None:
    rng = random.Random(9)
    for left in [*range(1, 40), *BOUNDARIES[1:-1], *(rng.randrange(1, 10**7) for _ in range(300))]:
        assert _int(encode_copy_step(z3.IntVal(left))) == copy_fragment_sizes(left)[0], left


def _append_by_encoding(n: int, slack: int, last: int | None) -> list[tuple[int, int]]:
    """The (size, capacity) of each new fragment, by iterating the proof's loop step."""
    out, r = [], n - min(slack, n)
    c = 512 if last is None else last
    while r > 0:
        cap = _int(encode_capacity(z3.IntVal(r), z3.IntVal(c)))
        out.append((min(cap, r), cap))
        r, c = r - min(cap, r), cap
    return out


@pytest.mark.parametrize("first,n", [(0, 1), (0, 700), (300, 5000), (512, 300_000),
                                     (1, 140_000), (131072, 10), (0, 0)])
def test_the_append_loop_is_the_models_append(first: int, n: int) -> None:
    state, chain = initial(1), ChainState(0)
    if first:
        state, chain = append(state, chain, b"x" * first)
    before = len(chain.fragments)
    slack = chain.fragments[-1].slack if chain.fragments else 0
    last = last_capacity(chain) if chain.fragments else None
    state, chain = append(state, chain, b"y" * n)
    created = [(f.view.size, f.capacity) for f in chain.fragments[before:]]
    assert created == _append_by_encoding(n, slack, last)
    assert all(cap <= MAX_FRAGMENT for _s, cap in created)


def test_a_next_that_allows_equality_is_not_strict() -> None:
    def at_least(x: z3.ArithRef) -> z3.ArithRef:
        result: z3.ArithRef = z3.IntVal(MAX_FRAGMENT)
        for entry in reversed(ALLOCATION_TABLE):
            result = z3.If(entry >= x, z3.IntVal(entry), result)
        return result

    proof = prove_next_strict(at_least)
    assert proof.status == "COUNTEREXAMPLE", proof.line()
    assert f"x = {next(e for e in ALLOCATION_TABLE if f'x = {e},' in proof.detail)}" in proof.detail


def test_a_next_that_wraps_past_the_end_is_not_monotone() -> None:
    """Falling back to the first entry instead of the cap (any table order is monotone)."""
    def wraps(x: z3.ArithRef) -> z3.ArithRef:
        result: z3.ArithRef = z3.IntVal(ALLOCATION_TABLE[0])
        for entry in reversed(ALLOCATION_TABLE):
            result = z3.If(entry > x, z3.IntVal(entry), result)
        return result

    assert prove_next_monotone(wraps).status == "COUNTEREXAMPLE"


def test_an_uncapped_copy_step_is_refuted() -> None:
    def uncapped(left: z3.ArithRef) -> z3.ArithRef:
        power: z3.ArithRef = z3.IntVal(1)
        for k in range(1, 64):
            power = z3.If(left >= 2**k, z3.IntVal(2**k), power)
        return z3.If(left <= 16384, left, power)

    proof = prove_copy_sizes(uncapped)
    assert proof.status == "COUNTEREXAMPLE", proof.line()
