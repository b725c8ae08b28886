"""What a proof run reports, and the two ways of asking z3 a question.

A *proof* asks z3 whether `hypotheses ∧ ¬claim` is satisfiable: `unsat` means
the claim holds for every value of every variable (PROVED); a model is a
counterexample, printed variable by variable (COUNTEREXAMPLE). A *negative
twin* is a claim that must be false (a seeded bug): finding the model is the
expected outcome (REFUTED-AS-EXPECTED), and `unsat` means the proof
machinery has gone blind (NOT-REFUTED, a failure). `unknown` is never taken
as success either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import z3

Status = Literal[
    "PROVED", "COUNTEREXAMPLE", "REFUTED-AS-EXPECTED", "NOT-REFUTED", "UNKNOWN",
    "CLEAN", "DIFFERENCE-FOUND", "NO-DIFFERENCE", "AGREES", "DISAGREES", "ERROR",
]
OK_STATUSES: frozenset[str] = frozenset(
    {"PROVED", "REFUTED-AS-EXPECTED", "CLEAN", "DIFFERENCE-FOUND", "AGREES"})


@dataclass(frozen=True, slots=True)
class Proof:
    """The outcome of one proof (or CrossHair run): name, status, time, details."""

    name: str
    status: Status
    seconds: float
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether this outcome is the expected one (a proof proved, a twin refuted)."""
        return self.status in OK_STATUSES

    def line(self) -> str:
        """One report line: name, status, time, then the details indented."""
        head = f"{self.name:52} {self.status:20} {self.seconds:6.2f}s"
        if not self.detail:
            return head
        return head + "\n" + "\n".join("    " + d for d in self.detail.splitlines())


def model_values(model: z3.ModelRef, names: Iterable[z3.ExprRef]) -> dict[str, Any]:
    """The value of each named expression in `model`, as Python ints/bools."""
    out: dict[str, Any] = {}
    for e in names:
        v = model.eval(e, model_completion=True)
        out[str(e)] = (z3.is_true(v) if z3.is_bool(v) else v.as_long()
                       if z3.is_bv_value(v) or z3.is_int_value(v) else str(v))
    return out


def find_counterexample(
    claim: z3.BoolRef, hypotheses: Iterable[z3.BoolRef] = (), timeout_ms: int = 20000
) -> tuple[str, z3.ModelRef | None]:
    """Ask z3 for values satisfying the hypotheses and refuting `claim`: (verdict, model)."""
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(*hypotheses)
    solver.add(z3.Not(claim))
    verdict = solver.check()
    return str(verdict), solver.model() if verdict == z3.sat else None


def timed(name: str, body: Callable[[], tuple[Status, str]]) -> Proof:
    """Run `body` (returning status and detail) and time it."""
    start = time.perf_counter()
    try:
        status, detail = body()
    except Exception as exc:  # a crashing proof is a failing proof, reported, not raised
        status, detail = "ERROR", f"{type(exc).__name__}: {exc}"
    return Proof(name, status, time.perf_counter() - start, detail)


Describe = Callable[[], str] | str
"""A counterexample's description, or how to compute it (only when there is one)."""


def _text(describe: Describe) -> str:
    return describe if isinstance(describe, str) else describe()


def verdict_of_proof(verdict: str, describe: Describe) -> tuple[Status, str]:
    """PROVED on unsat; COUNTEREXAMPLE (described) on sat; UNKNOWN otherwise."""
    if verdict == "unsat":
        return "PROVED", ""
    if verdict == "sat":
        return "COUNTEREXAMPLE", _text(describe)
    return "UNKNOWN", "z3 answered unknown (timeout?)"


def verdict_of_twin(verdict: str, describe: Describe) -> tuple[Status, str]:
    """REFUTED-AS-EXPECTED (described) on sat; NOT-REFUTED on unsat; UNKNOWN otherwise."""
    if verdict == "sat":
        return "REFUTED-AS-EXPECTED", _text(describe)
    if verdict == "unsat":
        return "NOT-REFUTED", "the seeded bug was not found: the proof has gone vacuous"
    return "UNKNOWN", "z3 answered unknown (timeout?)"
