"""herd7's result block for a litmus test, plus the explorer's own lines.

Background: herd7 prints, per test,
    Test MP Allowed
    States 3
    1:r0=0; 1:r1=0;
    ...
    No
    Witnesses
    Positive: 0 Negative: 3
    Condition exists (1:r0=1 /\\ 1:r1=0)
    Observation MP Never 0 3
and tools that compare models (herd7, GenMC, Dat3M) are read by scripts that
expect exactly this.

Problem: print the same block from the explorer's `Result`, then what herd7
does not say: the number of distinct consistent graphs (`Executions`, as
GenMC counts them) and each data race or use-after-free.

Model: States lists the final states projected on the condition's names (all
names when the condition mentions none), with how many executions end there
in a trailing comment; Positive/Negative count executions.

Example: `format_result(explore(parse_litmus(text)))`.
"""

from __future__ import annotations

from collections import Counter

from .explorer import Result


def _states(res: Result) -> Counter[tuple[tuple[str, int], ...]]:
    names = res.program.condition.prop.names()
    out: Counter[tuple[tuple[str, int], ...]] = Counter()
    for outcome, n in res.outcomes.items():
        kept = tuple((k, v) for k, v in outcome if not names or k in names)
        out[kept] += n
    return out


def format_result(res: Result) -> str:
    """The herd7 block, `Executions N`, then `Race ...`/`UseAfterFree ...` lines or `Races 0`."""
    prog = res.program
    kind = "Required" if prog.condition.quantifier == "forall" else "Allowed"
    states = _states(res)
    lines = [f"Test {prog.name} {kind}", f"States {len(states)}"]
    for state, n in sorted(states.items()):
        lines.append(" ".join(f"{k}={v};" for k, v in state) + f"  (* {n} *)")
    lines += ["Ok" if res.ok else "No", "Witnesses",
              f"Positive: {res.positive} Negative: {res.negative}",
              f"Condition {prog.condition}",
              f"Observation {prog.name} {res.verdict} {res.positive} {res.negative}",
              f"Executions {res.executions}"]
    if res.cut:
        lines.append(f"Unrolling bound {prog.unroll} cut {res.cut} partial executions")
    lines += [str(f) for f in res.findings]
    if not res.races:
        lines.append("Races 0")
    return "\n".join(lines) + "\n"
