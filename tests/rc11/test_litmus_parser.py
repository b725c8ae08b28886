"""The herd7 C front end: the catalogue syntax it must accept, and the errors it must give."""

from __future__ import annotations

import pytest
from iobuf.model.rc11 import LitmusSyntaxError, explore, parse_litmus
from iobuf.model.rc11.program import Cas, If, Load, Rmw, Store, While

FULL = """C Everything
(* a herd7 comment *)
// a line comment
{ [x] = 0; y = 1; int z = 2; atomic_int w; }

P0 (atomic_int* x, volatile int* y, int *z, atomic_int* w) {
  /* C comment */
  int r0 = atomic_load(x);
  int r1 = *y + 1;
  *z = r1 * 2;
  atomic_store(w, r0);
  atomic_fetch_add_explicit(x, 1, memory_order_relaxed);
  int r2 = atomic_exchange(w, 3);
  if (r0 == 0 && r1 != 5) atomic_thread_fence(memory_order_seq_cst); else { r2 = -1; }
}

P1 (atomic_int* x, int* e) {
  int r0 = atomic_compare_exchange_weak_explicit(x, e, 7, memory_order_acq_rel,
                                                 memory_order_acquire);
  int r1 = 0;
  while (r1 < 1) { r1 = r1 + atomic_load_explicit(x, memory_order_consume); }
}

exists (0:r0=0 /\\ ~(1:r0=1 \\/ x=2) /\\ [y]=1 /\\ true)
"""


def test_the_catalogue_syntax_parses() -> None:
    prog = parse_litmus(FULL)
    assert prog.name == "Everything"
    assert dict(prog.init) == {"x": 0, "y": 1, "z": 2, "w": 0}
    p0, p1 = prog.threads
    assert p0[0] == Load("r0", "x", "sc")
    assert isinstance(p0[1], Load) and p0[1].order == "na"
    assert isinstance(p0[3], Store) and p0[3].order == "na"
    assert isinstance(p0[5], Rmw) and p0[5].op == "add"
    assert isinstance(p0[6], Rmw) and p0[6] .op == "xchg" and p0[6].reg == "r2"
    assert isinstance(p0[7], If) and p0[7].other
    assert isinstance(p1[0], Cas) and p1[0].weak and p1[0].fail == "acq"
    assert isinstance(p1[2], While)
    assert str(prog.condition) == "exists (0:r0=0 /\\ ~(1:r0=1 \\/ x=2) /\\ y=1 /\\ true)"
    assert explore(prog).executions > 0


def test_condition_precedence_and_quantifiers() -> None:
    base = "C T\n{ x = 0; }\nP0 (atomic_int* x) { int r0 = 1; }\n"
    always = parse_litmus(base + "forall (0:r0=1 \\/ x=5 /\\ x=6)")
    assert explore(always).verdict == "Always" and explore(always).ok
    never = parse_litmus(base + "~exists (0:r0=2)")
    assert explore(never).ok and explore(never).verdict == "Never"
    failing = parse_litmus(base + "~exists (0:r0=1)")  # the twin: the state does exist
    assert not explore(failing).ok


@pytest.mark.parametrize(("text", "line"), [
    ("C T\n{ x = 0; }\nP0 (atomic_int* x) { int r0 = atomic_frob(x); }\nexists (x=0)", 3),
    ("C T\n{ x = 0; }\nP0 (atomic_int* x) {\n int r0 = *q;\n}\nexists (x=0)", 4),
    ("C T\n{ x = 0; }\nP0 (atomic_int* x) {\n atomic_store_explicit(x, 1, memory_order_x);"
     "\n}\nexists (x=0)", 4),
    ("C T\n{ x = 0; }\nP0 (atomic_int* x) { int r0 = 1; }\nexists (x=0) junk", 4),
    ("C T\n{ x = 0; }\nP0 (atomic_int* x) { int r0 = 1 @ 2; }\nexists (x=0)", 3),
])
def test_bad_syntax_names_the_line(text: str, line: int) -> None:
    with pytest.raises(LitmusSyntaxError, match=f"line {line}"):
        parse_litmus(text)


def test_syntax_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        parse_litmus("not a litmus test")
    with pytest.raises(ValueError):
        parse_litmus("C T\n{ }\nexists (x=0)")  # no thread


# --- accesses in while conditions and after && / || ---------------------------------------

MP_SPIN = """C MP+spin
{ x = 0; y = 0; }
P0 (int* x, atomic_int* y) {
  *x = 1;
  atomic_store_explicit(y, 1, memory_order_release);
}
P1 (int* x, atomic_int* y) {
  while (atomic_load_explicit(y, memory_order_ORDER) == 0) {}
  int r0 = *x;
}
exists (1:r0=0)
"""

MP_SPIN_BY_HAND = """C MP+spin+reg
{ x = 0; y = 0; }
P0 (int* x, atomic_int* y) {
  *x = 1;
  atomic_store_explicit(y, 1, memory_order_release);
}
P1 (int* x, atomic_int* y) {
  int f = atomic_load_explicit(y, memory_order_ORDER);
  while (f == 0) { f = atomic_load_explicit(y, memory_order_ORDER); }
  int r0 = *x;
}
exists (1:r0=0)
"""


@pytest.mark.parametrize(("order", "graphs"), [("acquire", 3), ("relaxed", 6)])
def test_a_while_condition_reads_memory_on_every_test(order: str, graphs: int) -> None:
    # The same loop with the load in the condition and by hand through a register f: one
    # read before the loop and one after each pass. Unrolled twice: exits after the 1st,
    # 2nd or 3rd read of y = 1 (relaxed: with x = 0 or 1 each), and y = 0 thrice is cut.
    res = explore(parse_litmus(MP_SPIN.replace("ORDER", order)))
    hand = explore(parse_litmus(MP_SPIN_BY_HAND.replace("ORDER", order)))
    assert (res.executions, res.cut) == (hand.executions, hand.cut) == (graphs, 1)
    without_f = {tuple(kv for kv in o if kv[0] != "1:f"): n for o, n in hand.outcomes.items()}
    assert res.outcomes == without_f
    # Only the acquire spin orders the payload (the relaxed one is the twin).
    assert (res.verdict, bool(res.races)) == (hand.verdict, bool(hand.races)) == (
        ("Never", False) if order == "acquire" else ("Sometimes", True))


SHORT = """C SC+OP
{ y = 0; d = 0; }
P0 (atomic_int* y, int* d) {
  *d = 1;
  atomic_store_explicit(y, 1, memory_order_release);
}
P1 (atomic_int* y, int* d) {
  int r0 = atomic_load_explicit(y, memory_order_acquire) OP *d;
}
exists (1:r0=1)
"""


def test_and_reads_its_right_side_only_when_the_left_is_true() -> None:
    # y = 0: r0 = 0 and d is not read; y = 1 (acquire): d = 1 is read, hb-after the write.
    res = explore(parse_litmus(SHORT.replace("OP", "&&")))
    assert res.executions == 2
    assert sorted(dict(o)["1:r0"] for o in res.outcomes) == [0, 1]
    assert not res.races


def test_or_reads_its_right_side_only_when_the_left_is_false() -> None:
    # The twin: || reads d exactly when y = 0, unordered with P0's write: a race.
    res = explore(parse_litmus(SHORT.replace("OP", "||")))
    assert res.races
    assert res.executions == 3  # y = 1; y = 0 and d = 0; y = 0 and d = 1
    assert {dict(o)["1:r0"] for o in res.outcomes} == {0, 1}


def test_short_circuit_values_are_c_booleans() -> None:
    text = """C V
{ x = 2; y = 3; }
P0 (atomic_int* x, atomic_int* y) {
  int a = atomic_load(x) && atomic_load(y);
  int b = 0 || atomic_load(y);
  int c = atomic_load(x) == 2 && !atomic_load(y);
  int d = (atomic_load(x) || atomic_load(y)) + 5;
}
exists (0:a=1 /\\ 0:b=1 /\\ 0:c=0 /\\ 0:d=6)
"""
    res = explore(parse_litmus(text))
    assert (res.executions, res.verdict) == (1, "Always")
