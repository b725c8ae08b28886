"""Every proof and CrossHair run, in one pass: what `iobuf prove` prints and pytest checks.

The z3 families (`ranges`, `schedule`, `induction`, `rc11_axioms`) take
about half a minute of CPU in all (the RC11 agreement sweep over the
litmus suite is nearly all of it; the rest is about a second); the
CrossHair runs are subprocesses that take tens of seconds, so they start
first, on worker threads, and the z3 proofs run meanwhile. Results are
reported in a fixed order: z3 proofs as they finish, then CrossHair.

The `crosshair diffbehavior` run compares the seed blog's share with the
model's on inputs the model accepts (`iobuf.proofs.seed`). The seed is known
to be wrong, so finding a difference is the expected outcome (a negative
twin for CrossHair); the differing input is re-run through both Python
functions to confirm it before it is reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import induction, ranges, rc11_axioms, schedule
from .contracts import check_model_contracts, crosshair_diffbehavior
from .result import Proof, Status, timed
from .seed import model_share_checked, seed_share_checked

Z3_PROOFS: tuple[Callable[[], Proof], ...] = (
    *ranges.PROOFS, *schedule.PROOFS, *induction.PROOFS, *rc11_axioms.PROOFS)
"""Every z3 proof and negative twin, in report order."""

SEED = "iobuf.proofs.seed.seed_share_checked"
MODEL = "iobuf.proofs.seed.model_share_checked"


def contracts_proof(per_condition_timeout: float = 1.0) -> Proof:
    """CrossHair over the model's PEP 316 contracts: CLEAN, or each refuted contract."""
    def body() -> tuple[Status, str]:
        report = check_model_contracts(per_condition_timeout)
        if report.clean:
            return "CLEAN", f"{len(report.paths)} model files, {per_condition_timeout}s/condition"
        return "COUNTEREXAMPLE", "\n".join(report.counterexamples)
    return timed("crosshair: model contracts (PEP 316)", body)


def diffbehavior_proof(per_condition_timeout: float = 3.0) -> Proof:
    """CrossHair diffbehavior of the seed's share against the model's: a confirmed difference."""
    def body() -> tuple[Status, str]:
        report = crosshair_diffbehavior(SEED, MODEL, per_condition_timeout)
        if not report.differs:
            return "NO-DIFFERENCE", "CrossHair found no input where the seed's share differs"
        args = parse_given(report.difference)
        confirmed = args is not None and seed_share_checked(**args) != model_share_checked(**args)
        note = "confirmed by re-running both" if confirmed else "NOT confirmed by re-running"
        return ("DIFFERENCE-FOUND" if confirmed else "ERROR"), f"{report.difference}\n({note})"
    return timed("crosshair: diffbehavior seed share vs model", body)


def parse_given(text: str) -> dict[str, Any] | None:
    """The keyword arguments of CrossHair's `Given: (k=v, ...)` line, or None."""
    match = re.search(r"Given: \((.*)\),?\s*$", text.splitlines()[0]) if text else None
    if match is None:
        return None
    call = ast.parse(f"f({match.group(1)})", mode="eval").body
    assert isinstance(call, ast.Call)
    return {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}


def run_all(
    crosshair: bool = True, contract_timeout: float = 1.0, diff_timeout: float = 3.0,
    report: Callable[[Proof], None] = lambda p: None,
) -> list[Proof]:
    """Run every proof (and, unless disabled, the CrossHair runs); `report` sees each result."""
    results: list[Proof] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = ([pool.submit(contracts_proof, contract_timeout),
                 pool.submit(diffbehavior_proof, diff_timeout)] if crosshair else [])
        for proof in Z3_PROOFS:
            results.append(proof())
            report(results[-1])
        for future in slow:
            results.append(future.result())
            report(results[-1])
    return results
