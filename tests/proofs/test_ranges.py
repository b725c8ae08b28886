"""share's range arithmetic: the proof holds, the seed is refuted, and the encodings match Python.

The cross-checks are what make the proof about the model rather than about
a look-alike: the unrolled z3 encoding, instantiated on integers (the proof)
and on 64-bit words, is evaluated on random concrete chains, including sizes
near 2**64, and must return exactly what `share_spans` returns; the seed's
encoding must return what its transcription returns.
"""

from __future__ import annotations

from collections.abc import Sequence

import z3
from hypothesis import given, settings
from hypothesis import strategies as st
from iobuf.model.chain import share_spans
from iobuf.proofs.ranges import (
    BV64,
    INT,
    Domain,
    Encoding,
    Expr,
    concrete,
    encode_seed_spans,
    encode_share_spans,
    evaluate,
    prove_share_spans,
    refute_seed_share,
)
from iobuf.proofs.seed import SIZE_T, seed_share_spans, share_precondition

SIZES = st.one_of(st.integers(1, 40), st.integers(1, SIZE_T // 4))


@st.composite
def share_inputs(draw: st.DrawFn) -> tuple[tuple[int, ...], int, int]:
    """A chain of 1..4 fragments and an in-range (pos, size)."""
    sizes = tuple(draw(st.lists(SIZES, min_size=1, max_size=4)))
    total = sum(sizes)
    pos = draw(st.integers(0, total))
    size = draw(st.integers(0, total - pos))
    return sizes, pos, size


def covers(sizes: tuple[int, ...], pos: int, size: int,
           spans: tuple[tuple[int, int, int], ...]) -> bool:
    """The claim, in plain Python: spans tile [pos, pos + size) in order, inside fragments."""
    cursor = pos
    for i, off, n in spans:
        if not (n > 0 and off >= 0 and off + n <= sizes[i] and sum(sizes[:i]) + off == cursor):
            return False
        cursor += n
    return cursor == pos + size


def test_share_spans_is_proved_for_up_to_four_fragments() -> None:
    proof = prove_share_spans()
    assert proof.status == "PROVED", proof.line()


def test_the_seed_blogs_share_is_refuted_with_an_input_that_really_fails() -> None:
    proof = refute_seed_share()
    assert proof.status == "REFUTED-AS-EXPECTED", proof.line()
    call = proof.detail.splitlines()[0]
    args = eval(call.replace("seed_share_spans", "dict"))  # the printed call is runnable
    assert share_precondition(**args)
    assert not covers(args["sizes"], args["pos"], args["size"], seed_share_spans(**args))
    assert covers(args["sizes"], args["pos"], args["size"], share_spans(**args))


def _off_by_one(d: Domain, sizes: Sequence[Expr], pos: Expr, size: Expr) -> Encoding:
    """share_spans reading every fragment as one byte longer: pieces reach past the used bytes."""
    return encode_share_spans(d, [s + 1 for s in sizes], pos, size)


def test_a_mutated_encoding_gets_a_counterexample() -> None:
    proof = prove_share_spans(max_fragments=2, encode=_off_by_one)
    assert proof.status == "COUNTEREXAMPLE", proof.line()
    assert "sizes=" in proof.detail


@settings(max_examples=150, deadline=None)
@given(share_inputs())
def test_the_encoding_computes_what_share_spans_computes(
    case: tuple[tuple[int, ...], int, int],
) -> None:
    sizes, pos, size = case
    expected = share_spans(sizes, pos, size)
    assert covers(sizes, pos, size, expected)
    for d in (INT, BV64):
        assert evaluate(encode_share_spans(d, *concrete(d, sizes, pos, size)).pieces) == expected


@settings(max_examples=150, deadline=None)
@given(share_inputs())
def test_the_seed_encoding_computes_what_the_seed_transcription_computes(
    case: tuple[tuple[int, ...], int, int],
) -> None:
    sizes, pos, size = case
    assert evaluate(encode_seed_spans(*concrete(BV64, sizes, pos, size))) == seed_share_spans(
        sizes, pos, size)


def test_the_precondition_is_satisfiable() -> None:
    """The proof is not vacuous: some 4-fragment chain meets its hypotheses."""
    from iobuf.proofs.ranges import precondition, symbols

    sizes, pos, size = symbols(INT, 4)
    solver = z3.Solver()
    solver.add(*precondition(sizes, pos, size), size > 0, pos > sizes[0])
    assert solver.check() == z3.sat
