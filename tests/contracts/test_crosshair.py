"""CrossHair on the model's PEP 316 contracts: nothing refuted, and seeded bugs found.

`deferred_free_is_safe` (model/interleavings.py) makes the schedule of two
cores symbolic: CrossHair searches interleavings, finds none that breaks the
model, and finds one that breaks a model whose foreign last dropper frees.

The second test keeps the first honest: the seeded helpers carry the model's
own contracts with broken bodies, so a CrossHair run that stops finding them
would mean the contract check has gone vacuous.
"""

from __future__ import annotations

from pathlib import Path

from iobuf.proofs.contracts import check_model_contracts, crosshair_check


def test_crosshair_finds_no_counterexample_in_the_model() -> None:
    report = check_model_contracts(per_condition_timeout=3)
    assert report.clean, "\n".join(report.counterexamples)


def test_crosshair_refutes_every_seeded_broken_helper() -> None:
    here = Path(__file__).parent
    report = crosshair_check([here / "seeded_broken.py"], 10, import_paths=[here.parent / "model"])
    refuted = {line.split("when calling ")[1].split("(")[0] for line in report.counterexamples}
    assert refuted == {"trimmed_front_keeps_size", "drop_decision_by_holder",
                       "free_slot_from_the_end", "deferred_free_with_holder_freeing"}
