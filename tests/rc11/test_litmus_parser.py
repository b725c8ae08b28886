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
