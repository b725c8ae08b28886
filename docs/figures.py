"""Regenerate the figures of the docs from the model: `python docs/figures.py`.

Every picture in docs/ is drawn by the model itself (the explorer finds the
trace, `iobuf.model.diagram` draws it), so a figure can never drift from the
spec: tests/docs/test_figures.py regenerates them and compares.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "model"))  # the broken twins live with the tests

import broken_chains  # noqa: E402
import broken_specs  # noqa: E402
from iobuf.model.actions import Action, Alloc, Poll, Release, Send, Share  # noqa: E402
from iobuf.model.bounds import PAIR_WIDE, Bounds  # noqa: E402
from iobuf.model.diagram import trace_svg  # noqa: E402
from iobuf.model.explorer import explore  # noqa: E402
from iobuf.model.state import State  # noqa: E402
from iobuf.model.step import step  # noqa: E402

CHAIN_TWIN_BOUNDS = Bounds(cores=1, allocs=1, refs=2, sizes=(), chains=2, chain_bytes=2,
                           appends=(1, 2), values=(1, 2))

Step = Callable[[State, Action], State]


def _counterexample(name: str, variant: Step, bounds: Bounds, title: str) -> tuple[str, str]:
    report = explore(bounds, step=variant)
    assert report.violation is not None, f"{name}: the twin was not caught"
    return name, trace_svg(bounds.cores, report.violation.trace, variant, title)


def _litmus_witness(name: str) -> str:
    """The smallest racy graph of a litmus test of the suite, drawn by the RC11 renderer."""
    from iobuf.model.rc11 import explore, parse_litmus
    from iobuf.model.rc11.render import to_svg

    text = (HERE.parent / "tests" / "litmus" / f"{name}.litmus").read_text()
    result = explore(parse_litmus(text))
    finding = min(result.findings, key=lambda f: (f.witness.size(), f.kind, f.first))
    return to_svg(finding.witness, result.rs, finding.pair, name)


def _traced_witness(mutant: str) -> str:
    """A real run of a call-site mutant's traced build, as an execution graph, race in red.

    Core 0 allocates and sends a share to core 1; core 1 reads and drops first;
    core 0 drops last and frees (no poll: queue pointers would make labels vary).
    """
    from iobuf.impl.traced import TracedSystem
    from iobuf.model.rc11.render import to_svg
    from iobuf.model.rc11.trace_graph import to_execution
    from iobuf.proofs.mutants import build_mutant, load_catalogue

    catalogue = load_catalogue(HERE.parent / "tests" / "mutants" / "mutants.toml")
    lib = build_mutant(next(m for m in catalogue if m.name == mutant), "traced")
    with TracedSystem(cores=2, library=lib, record=True) as s:
        b = s.core(0).alloc(4)
        m = b.share().send(s.core(1))
        m.read()
        m.release()
        b.release()
    assert s.tracer.ops is not None
    finding = next(f for f in s.tracer.checker.findings if f.first and f.first.kind == "read")
    x, _ = to_execution(s.tracer.ops, 2)
    ends = []
    for op in (finding.first, finding.second):
        assert op is not None
        ends.append(next(e.eid for e in x.events if e.tid >= 0 and e.text == str(op.seq)))
    return to_svg(x, "cxx20", (ends[0], ends[1]), f"traced run of {mutant}")


def figures() -> dict[str, str]:
    """Every figure of the docs, by file name."""
    # slot numbers: the share takes slot 1; the send moves it to core 1 (still slot 1)
    deferred: tuple[Action, ...] = (Alloc(0, 4), Share(0, 0, None), Send(1, 1), Release(0),
                                    Release(1), Poll(0))
    return dict([
        ("deferred-free.svg", trace_svg(2, deferred, step, "a foreign last drop defers the free")),
        _counterexample("free-on-holder.svg", broken_specs.free_on_holder, PAIR_WIDE,
                        "twin: the foreign last dropper frees the memory itself"),
        _counterexample("no-enqueue.svg", broken_specs.no_enqueue, PAIR_WIDE,
                        "twin: the foreign last drop forgets to enqueue (a leak)"),
        _counterexample("trim-back-keeps-slack.svg", broken_chains.trim_back_keeps_slack,
                        CHAIN_TWIN_BOUNDS, "twin: Redpanda's trim_back keeps the slack"),
        _counterexample("seed-share.svg", broken_chains.seed_share, CHAIN_TWIN_BOUNDS,
                        "twin: the seed blog's share"),
        ("drop-rlx-facq.svg", _litmus_witness("DROP+rlx+facq")),
        ("drop-rel.svg", _litmus_witness("DROP+rel")),
        ("traced-dec-relaxed.svg", _traced_witness("callsite-refcount-dec-relaxed")),
    ])


def main() -> None:
    """Write every figure into docs/figures/."""
    for name, svg in figures().items():
        (HERE / "figures" / name).write_text(svg)
        print(f"wrote docs/figures/{name}")


if __name__ == "__main__":
    main()
