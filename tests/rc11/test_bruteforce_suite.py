"""Every verdict written in tests/litmus/ re-derived by the brute-force oracle.

Background: each litmus file carries a hand-derived expectation (verdict, races,
rs-original). Hand derivations go wrong; the oracle (`bruteforce.py`) is a
second, mechanical derivation from the same RC11 definitions.

Model: a reader for the subset of herd7 C the suite is written in, turning each
file into the oracle's straight-line programs, one per path. An
`if (r == v) {A} else {B}` becomes two paths, `Assume(r == v); A` and
`Assume(r != v); B`; a `while (r == v) {A}` becomes the paths that exit after
0, 1, ..., UNROLL iterations, each iteration `Assume(r == v); A`, then
`Assume(r != v)` (executions needing more iterations are cut, as with GenMC's
assume and herd7's unrolling). The paths of a program have different events,
so summing their graphs counts each graph once. A CAS's expected value is the
initial value of its (thread-private) expected location; the C return value
(1 or 0) goes to the register; a weak CAS may fail spuriously.

This is not the project's parser (that is `iobuf.model.rc11.parse_litmus`); it
is deliberately minimal, and rejects what it does not know.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from bruteforce import (
    CAS,
    RMW,
    Assume,
    F,
    Instr,
    Let,
    Order,
    Outcome,
    Program,
    R,
    Result,
    RsMode,
    W,
    explore,
    observation,
)
from test_bruteforce import Cond, expectation

LITMUS = Path(__file__).resolve().parent.parent / "litmus"
UNROLL = 2
# Oracle run time grows with the product of rf choices over all paths; this one takes
# several seconds (the others well under one), so it runs with --runslow only.
SLOW = {"DROP3+rel+lacq"}

ORDERS: dict[str, Order] = {
    "memory_order_relaxed": "rlx", "memory_order_acquire": "acq",
    "memory_order_release": "rel", "memory_order_acq_rel": "acq_rel",
    "memory_order_seq_cst": "sc",
}
NUM = r"(-?\d+)"
MO = r"(memory_order_\w+)"
STATEMENT = re.compile(r"(?:if|while)\s*\([^)]*\)\s*\{|\}\s*else\s*\{|\}|[^;{}]+;")
GUARD = re.compile(r"(if|while)\s*\(\s*(\w+)\s*(==|!=)\s*" + NUM + r"\s*\)")


@dataclass(frozen=True)
class SuiteTest:
    """A litmus file as oracle input: its paths (programs) and its final condition."""

    name: str
    init: dict[str, int]
    paths: tuple[Program, ...]
    cond: Cond


def expression(reg: str, e: str, init: dict[str, int]) -> list[list[Instr]]:
    """The alternatives for `reg = e` (a CAS has a success and a failure alternative)."""
    if m := re.fullmatch(NUM, e):
        return [[Let(reg, int(m[1]))]]
    if m := re.fullmatch(r"\*(\w+)", e):
        return [[R(m[1], "na", reg)]]
    if m := re.fullmatch(rf"atomic_load_explicit\((\w+),\s*{MO}\)", e):
        return [[R(m[1], ORDERS[m[2]], reg)]]
    fetch = rf"atomic_fetch_(add|sub|and|or|xor)_explicit\((\w+),\s*{NUM},\s*{MO}\)"
    if m := re.fullmatch(fetch, e):
        return [[RMW(m[2], ORDERS[m[4]], m[1], int(m[3]), reg)]]
    if m := re.fullmatch(rf"atomic_exchange_explicit\((\w+),\s*{NUM},\s*{MO}\)", e):
        return [[RMW(m[1], ORDERS[m[3]], "xchg", int(m[2]), reg)]]
    cas = (r"atomic_compare_exchange_(strong|weak)_explicit"
           rf"\((\w+),\s*(\w+),\s*{NUM},\s*{MO},\s*{MO}\)")
    if m := re.fullmatch(cas, e):
        return [[CAS(m[2], init.get(m[3], 0), int(m[4]), ORDERS[m[5]], ORDERS[m[6]], reg,
                     weak=m[1] == "weak")]]
    raise ValueError(f"unsupported expression {e!r}")


def statement(s: str, init: dict[str, int]) -> list[list[Instr]]:
    """The alternatives for one simple statement (without its `;`)."""
    s = re.sub(r"^int\s+", "", s.strip())
    if m := re.fullmatch(rf"\*(\w+)\s*=\s*{NUM}", s):
        return [[W(m[1], "na", int(m[2]))]]
    if m := re.fullmatch(rf"atomic_store_explicit\((\w+),\s*{NUM},\s*{MO}\)", s):
        return [[W(m[1], ORDERS[m[3]], int(m[2]))]]
    if m := re.fullmatch(rf"atomic_thread_fence\({MO}\)", s):
        return [[F(ORDERS[m[1]])]]
    if m := re.fullmatch(r"(\w+)\s*=\s*(.+)", s):
        return expression(m[1], m[2].strip(), init)
    return expression("_", s, init)  # an RMW whose result is dropped


def block(toks: list[str], i: int, init: dict[str, int]) -> tuple[list[list[Instr]], int]:
    """The paths through statements toks[i:] up to the closing `}`; returns the next index."""
    paths: list[list[Instr]] = [[]]
    while i < len(toks) and not toks[i].startswith("}"):
        if m := GUARD.match(toks[i]):
            kind, reg, value = m[1], m[2], int(m[4])
            yes = m[3] == "=="
            body, i = block(toks, i + 1, init)
            other: list[list[Instr]] = [[]]
            if kind == "if" and "else" in toks[i]:
                other, i = block(toks, i + 1, init)
            i += 1
            if kind == "if":
                alts = [[Assume(reg, value, yes), *p] for p in body] + \
                       [[Assume(reg, value, not yes), *p] for p in other]
            else:
                alts = [[*loop, Assume(reg, value, not yes)]
                        for n in range(UNROLL + 1)
                        for loop in unroll([[Assume(reg, value, yes), *p] for p in body], n)]
        else:
            alts, i = statement(toks[i][:-1], init), i + 1
        paths = [p + a for p in paths for a in alts]
    return paths, i


def unroll(iteration: list[list[Instr]], n: int) -> list[list[Instr]]:
    """All paths through n iterations of a loop body."""
    return [list(itertools.chain.from_iterable(c)) for c in itertools.product(iteration, repeat=n)]


@dataclass(frozen=True)
class Prop:
    """A node of a final condition: `and`, `or`, `not`, `const` or `eq` (name = value)."""

    op: str
    args: tuple[Prop, ...] = ()
    name: str = ""
    value: int = 0

    def __call__(self, outcome: Mapping[str, int]) -> bool:
        """Whether the outcome satisfies the proposition."""
        match self.op:
            case "and":
                return all(a(outcome) for a in self.args)
            case "or":
                return any(a(outcome) for a in self.args)
            case "not":
                return not self.args[0](outcome)
            case "const":
                return bool(self.value)
        return outcome.get(self.name) == self.value


def condition(text: str) -> Prop:
    """The final condition (exists / ~exists / forall) as a proposition on an outcome;
    `~` binds tightest, then `/\\`, then `\\/` (herd7's precedence)."""
    m = re.fullmatch(r"\s*(?:~\s*exists|exists|forall)\s*(.*?)\s*", text, re.S)
    assert m, f"bad condition {text!r}"
    toks = re.findall(r"/\\|\\/|~|\(|\)|true|false|(?:\d+:)?\w+\s*=\s*-?\d+", m[1])

    def primary(pos: int) -> tuple[Prop, int]:
        tok = toks[pos]
        if tok == "~":
            inner, pos = primary(pos + 1)
            return Prop("not", (inner,)), pos
        if tok == "(":
            inner, pos = binary(pos + 1, "\\/")
            return inner, pos + 1  # skip ")"
        if tok in ("true", "false"):
            return Prop("const", value=int(tok == "true")), pos + 1
        name, value = (x.strip() for x in tok.split("="))
        return Prop("eq", name=name, value=int(value)), pos + 1

    def binary(pos: int, op: str) -> tuple[Prop, int]:
        # op is the weakest operator allowed at this level: \/ (or), else /\ (and).
        sub = (lambda p: binary(p, "/\\")) if op == "\\/" else primary
        first, pos = sub(pos)
        args = [first]
        while pos < len(toks) and toks[pos] == op:
            nxt, pos = sub(pos + 1)
            args.append(nxt)
        if len(args) == 1:
            return first, pos
        return Prop("or" if op == "\\/" else "and", tuple(args)), pos

    return binary(0, "\\/")[0]


def load(text: str) -> SuiteTest:
    """Read a suite file into oracle programs, one per path."""
    name = text.split("\n", 1)[0].split()[1]
    body = re.sub(r"//[^\n]*", "", re.sub(r"\(\*.*?\*\)", "", text, flags=re.S))
    head = re.search(r"\{(.*?)\}", body, re.S)
    assert head
    init = {k: int(v) for k, v in re.findall(r"\[?(\w+)\]?\s*=\s*(-?\d+)", head[1])}
    rest, threads, end = body[head.end():], [], 0
    for m in re.finditer(r"P\d+\s*\([^)]*\)\s*\{", rest):
        threads.append(block(STATEMENT.findall(rest, m.end()), 0, init)[0])
        depth, end = 1, m.end()
        while depth:  # skip to the thread's closing brace
            depth += {"{": 1, "}": -1}.get(rest[end], 0)
            end += 1
    programs = tuple(list(p) for p in itertools.product(*threads))
    # A CAS's expected location is bookkeeping: C writes the observed value back on failure,
    # which the oracle does not model, so the location is left out of the oracle's memory.
    expected = set(re.findall(r"compare_exchange_\w+\(\w+,\s*(\w+)", rest))
    init = {k: v for k, v in init.items() if k not in expected}
    return SuiteTest(name, init, programs, condition(rest[end:]))


def run(test: SuiteTest, rs: RsMode) -> Result:
    """The oracle's result over all paths of the test."""
    count, outcomes, racy = 0, Counter[Outcome](), set[str]()
    for program in test.paths:
        res = explore(program, test.init, rs)
        count += res.executions
        outcomes.update(res.outcomes)
        racy |= res.racy
    return Result(count, dict(outcomes), frozenset(racy))


FILES = sorted(LITMUS.glob("*.litmus"))


def marks(path: Path) -> list[pytest.MarkDecorator]:
    """Slow marker for the tests the oracle needs long for."""
    return [pytest.mark.slow] if path.stem in SLOW else []


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=p.stem, marks=marks(p)) for p in FILES])
def test_oracle_derives_the_written_expectation(path: Path) -> None:
    text = path.read_text()
    verdict, races, original = expectation(text)
    test = load(text)
    cxx20, orig = run(test, "cxx20"), run(test, "original")
    assert (observation(cxx20.outcomes, test.cond), cxx20.race) == (verdict, races)
    assert observation(orig.outcomes, test.cond) == original


def test_condition_precedence() -> None:
    # `/\` binds tighter than `\/`, `~` tighter than both.
    prop = condition("exists (x=1 \\/ 0:r0=1 /\\ ~1:r0=2)")
    assert prop({"x": 1, "0:r0": 0, "1:r0": 2})
    assert not prop({"x": 0, "0:r0": 1, "1:r0": 2})
    assert prop({"x": 0, "0:r0": 1, "1:r0": 0})
    assert condition("forall (true)")({}) and not condition("~exists (false)")({})
