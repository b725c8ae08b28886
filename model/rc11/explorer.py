"""The explorer: every consistent complete execution graph of a program, each exactly once.

Background: GenMC (Kokologiannakis et al.) explores execution graphs rather
than interleavings: many interleavings give one graph, and a graph is what
RC11 judges. A step adds one thread's next event; a read picks the write it
reads from, a write picks its place in mo.

Problem: adding events in every interleaving order reaches each graph many
times; remembering visited graphs costs memory that grows with the number of
graphs.

Model: a depth-first search whose paths are *canonical linearisations*. Of
the orders in which a complete graph can be built (each a linearisation of
po | rf, since a read is added after its source), the canonical one always
adds the next event of the lowest-numbered thread that is enabled — a write
or fence is always enabled, a read once its source is in the graph. So when
the search adds thread t's event while a lower thread t' waits, t' must be
waiting on a read whose source is not yet there: t' gets a *bound*, and its
read may later only read a write added from this point on. Each complete
graph has one canonical linearisation, so it is found exactly once, with no
visited set (memory is the DFS stack). The price of guessing ahead (instead
of GenMC's backward revisits) is a read postponed for a write that never
comes: its whole subtree is dead. So a read is only postponed if another
thread can still write its location while it waits, by an abstract run of
the other threads (`reach`: value sets, RMW chains counted per instruction)
that over-approximates every continuation; and a bounded read that no write
can satisfy any more (no write late enough, no live thread whose remaining
code writes its location) is pruned at once. Neither test ever cuts a
subtree holding a graph, so both only remove dead branches. The axioms
are checked incrementally on each step (`axioms`), so a doomed partial graph
is cut the moment it is doomed.

Example (store buffering, relaxed: each read sees the other's store or not):
    >>> from iobuf.model.rc11.builder import Load, Store, const, program
    >>> sb = program("SB", [[Store("x", const(1), "rlx"), Load("r0", "y", "rlx")],
    ...                     [Store("y", const(1), "rlx"), Load("r0", "x", "rlx")]])
    >>> explore(sb).executions
    4
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from .graph import Execution
from .program import Program
from .search import Leaf, Search

RsMode = Literal["cxx20", "original"]
Model = Literal["rc11", "sc"]
Verdict = Literal["Never", "Sometimes", "Always"]
FindingKind = Literal["race", "use-after-free"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A data race or a use-after-free: the two events, by name and text, and a witness graph."""

    kind: FindingKind
    loc: str
    first: str
    second: str
    pair: tuple[int, int]
    witness: Execution

    def __str__(self) -> str:
        word = "Race" if self.kind == "race" else "UseAfterFree"
        return f"{word} {self.loc}: {self.first} || {self.second}"


@dataclass
class Result:
    """What the exploration found (see the module docstring for the counts' meaning)."""

    program: Program
    rs: RsMode
    model: Model
    executions: int = 0
    outcomes: dict[tuple[tuple[str, int], ...], int] = field(default_factory=dict)
    positive: int = 0
    races: list[Finding] = field(default_factory=list)
    use_after_free: list[Finding] = field(default_factory=list)
    cut: int = 0  # branches stopped by the `while` unrolling bound
    blocked: int = 0  # branches stopped: failed assume, unsatisfiable bound, dead postponement
    witness: Execution | None = None  # smallest graph satisfying the condition's proposition
    counterexample: Execution | None = None  # smallest graph falsifying it
    seconds: float = 0.0

    @property
    def negative(self) -> int:
        """Executions whose final state falsifies the condition's proposition."""
        return self.executions - self.positive

    @property
    def verdict(self) -> Verdict:
        """herd7's Observation of the condition's proposition over all executions."""
        if self.positive == 0:
            return "Never"
        return "Always" if self.positive == self.executions else "Sometimes"

    @property
    def ok(self) -> bool:
        """herd7's Ok/No: the quantified condition holds."""
        q = self.program.condition.quantifier
        if q == "exists":
            return self.positive > 0
        if q == "~exists":
            return self.positive == 0
        return self.positive == self.executions

    @property
    def findings(self) -> list[Finding]:
        """Races then uses after free."""
        return self.races + self.use_after_free


class _Collector:
    """Folds complete graphs into a Result, keeping the smallest witness of each finding."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.outcomes: Counter[tuple[tuple[str, int], ...]] = Counter()
        self.found: dict[tuple[FindingKind, str, str, str], Finding] = {}

    def leaf(self, leaf: Leaf) -> None:
        res = self.result
        res.executions += 1
        self.outcomes[leaf.outcome] += 1
        holds = res.program.condition.prop.holds(dict(leaf.outcome))
        res.positive += holds
        size = leaf.size()
        best = res.witness if holds else res.counterexample
        if best is None or size < best.size():
            if holds:
                res.witness = leaf.freeze()
            else:
                res.counterexample = leaf.freeze()
        for word, a, b in leaf.findings:
            kind: FindingKind = "race" if word == "race" else "use-after-free"
            ea, eb = leaf.graph.events[a], leaf.graph.events[b]
            assert ea.loc is not None
            key = (kind, ea.loc, describe(ea), describe(eb))
            old = self.found.get(key)
            if old is None or size < old.witness.size():
                self.found[key] = Finding(kind, ea.loc, key[2], key[3], (a, b), leaf.freeze())

    def finish(self, seconds: float) -> Result:
        res = self.result
        res.outcomes = dict(sorted(self.outcomes.items()))
        ordered = sorted(self.found.values(), key=lambda f: (f.kind, f.loc, f.first, f.second))
        res.races = [f for f in ordered if f.kind == "race"]
        res.use_after_free = [f for f in ordered if f.kind == "use-after-free"]
        res.seconds = seconds
        return res


def describe(e: object) -> str:
    """`P0: u0 = load(d)` — thread and instruction of an event."""
    tid, text = getattr(e, "tid", -1), getattr(e, "text", "")
    return f"P{tid}: {text}"


def explore(program: Program, rs: RsMode = "cxx20", model: Model = "rc11") -> Result:
    """Every consistent complete graph of `program` under RC11 (or SC), each exactly once."""
    if rs not in ("cxx20", "original"):
        raise ValueError(f"rs must be 'cxx20' or 'original', not {rs!r}")
    if model not in ("rc11", "sc"):
        raise ValueError(f"model must be 'rc11' or 'sc', not {model!r}")
    start = time.perf_counter()
    result = Result(program, rs, model)
    collector = _Collector(result)
    search = Search(program, rs=rs, sc=model == "sc", on_leaf=collector.leaf)
    search.run()
    result.cut, result.blocked = search.cut, search.blocked
    return collector.finish(time.perf_counter() - start)
