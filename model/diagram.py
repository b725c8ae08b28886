"""Draw an action trace of the ownership machine as an SVG sequence diagram.

Cores are columns; each action is a row in the column of the core that
performs it (a buffer or iobuf action runs on its holder); a send is an arrow
from the holder's column to the receiver's. Beside each row the diagram
prints what changed: refcounts, deferred-free queues, frees, and the
properties the step broke. It is how the docs show a counterexample.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from .actions import (
    Action,
    Alloc,
    ChainSend,
    NewChain,
    Poll,
    Send,
)
from .chain import chain_bytes
from .errors import IobufError
from .properties import ALWAYS, STEP
from .state import State, initial
from .step import step as spec_step

COL, ROW, TOP, LEFT, NOTE = 240, 46, 60, 20, 540


def actor(state: State, action: Action) -> int:
    """The core that performs `action` in `state`."""
    match action:
        case Alloc(core, _) | Poll(core) | NewChain(core):
            return core
    if hasattr(action, "chain"):
        chain = state.chains[action.chain]
        return chain.holder if chain is not None else 0
    handle = state.buffers[action.buffer]
    return handle.holder if handle is not None else 0


def changes(pre: State, post: State) -> list[str]:
    """A short description of what a step changed in refcounts, queues and frees."""
    notes = []
    for i, (a, b) in enumerate(zip(pre.allocations, post.allocations, strict=False)):
        if a.refcount != b.refcount:
            notes.append(f"alloc {i}: refcount {a.refcount}→{b.refcount}")
        if len(b.freed_by) > len(a.freed_by):
            notes.append(f"alloc {i} freed by core {b.freed_by[-1]} (owner {b.owner})")
    notes += [f"alloc {len(pre.allocations) + k}: new, owner {a.owner}"
              for k, a in enumerate(post.allocations[len(pre.allocations):])]
    for c, (x, y) in enumerate(zip(pre.cores, post.cores, strict=False)):
        if x.queue != y.queue:
            notes.append(f"core {c} queue {list(x.queue)}→{list(y.queue)}")
    for i, (old, new) in enumerate(zip(pre.chains, post.chains, strict=False)):
        if old is not None and new is not None:
            before, after = chain_bytes(pre, old), chain_bytes(post, new)
            if before != after:
                notes.append(f"iobuf {i}: {_short(before)}→{_short(after)}")
    return notes


def _short(data: bytes) -> str:
    return repr(data) if len(data) <= 12 else repr(data[:12])[:-1] + "…'"


def trace_svg(
    cores: int, trace: Sequence[Action], step: Callable[[State, Action], State] = spec_step,
    title: str = "",
) -> str:
    """The SVG sequence diagram of `trace` run from the initial state by `step`."""
    rows: list[str] = []
    state = initial(cores)
    for i, action in enumerate(trace):
        y = TOP + ROW * i + 20
        col = actor(state, action)
        try:
            post = step(state, action)
        except IobufError as e:
            rows.append(_text(_note_x(cores), y, f"refused: {type(e).__name__}", "bad"))
            continue
        x = LEFT + COL * col + COL // 2
        rows.append(f'<circle cx="{x}" cy="{y}" r="5" class="ev"/>')
        rows.append(_text(x + 9, y - 8, repr(action), "act"))
        target = getattr(action, "core", None)
        if isinstance(action, Send | ChainSend) and isinstance(target, int):
            tx = LEFT + COL * target + COL // 2
            rows.append(f'<line x1="{x}" y1="{y}" x2="{tx}" y2="{y + ROW - 10}" class="msg"/>')
        broken = [p.name for p in ALWAYS if not p.check(post)]
        broken += [p.name for p in STEP if not p.check(state, action, post)]
        note = "; ".join(changes(state, post))
        rows.append(_text(_note_x(cores), y, note, "note"))
        if broken:
            rows.append(_text(_note_x(cores), y + 15, "violates " + ", ".join(broken), "bad"))
        state = post
    return _frame(cores, len(trace), title, rows)


def _note_x(cores: int) -> int:
    return LEFT + COL * max(cores, 2) + 20


def _text(x: int, y: int, text: str, cls: str) -> str:
    return f'<text x="{x}" y="{y}" class="{cls}">{escape(text)}</text>'


def _frame(cores: int, n: int, title: str, rows: list[str]) -> str:
    width, height = _note_x(cores) + NOTE, TOP + ROW * n + 30
    heads = [_text(LEFT + COL * c + COL // 2 - 25, TOP - 20, f"core {c}", "head")
             for c in range(cores)]
    lanes = [f'<line x1="{LEFT + COL * c + COL // 2}" y1="{TOP - 10}" '
             f'x2="{LEFT + COL * c + COL // 2}" y2="{height - 10}" class="lane"/>'
             for c in range(cores)]
    style = (
        "<style>text{font:12px monospace}.head{font-weight:bold}.lane{stroke:#bbb}"
        ".ev{fill:#246}.msg{stroke:#2a7;stroke-width:2}.note{fill:#555}"
        ".bad{fill:#c22;font-weight:bold}.title{font-weight:bold;font-size:14px}</style>"
    )
    body = "\n".join([_text(LEFT, 22, title, "title"), *heads, *lanes, *rows])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">\n{style}\n'
            f'<rect width="100%" height="100%" fill="white"/>\n{body}\n</svg>\n')
