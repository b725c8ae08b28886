"""The deferred-delete protocol catalogue: which orders make the free happen after every use.

Background: a shared buffer is dropped by N threads. Each uses the payload,
then `fetch_sub(rc, 1, DEC)`; the thread that read 1 is the last dropper. It
issues `FENCE` (or an acquire `LOAD` of the count, or nothing) and frees —
locally, or by pushing the buffer to the owner core's queue (`PUSH`), whose
owner pops it (`POP`) and frees it there (Seastar's foreign free, Redpanda's
cross-shard release). Rust's `Arc::drop` is `fetch_sub(Release)` +
`fence(Acquire)`; `Arc::get_mut` loads the count with Acquire
(rust-lang/rust#51780 was a missing acquire there).

Problem: for each combination of orders, is every use ordered before the
free (no race between a use and the free, no use after it)?

Model: the payload is location `d`, the free a `Free("d")` event (a
non-atomic write of the allocation). A use is a read of `d` (with
`use="write"`, thread 0 writes `d` and the others do not use it: a writer
and any other user race with each other whatever the protocol does). The
safety verdict is the explorer's: safe iff no execution has a race or a
use-after-free on `d`. `expected_safe` is the rule DESIGN.md §3 states, so
the table checks the explorer against it.

Example:
    >>> explore(drop(2, dec="rel", fence="acq")).races
    []
"""

from __future__ import annotations

from dataclasses import dataclass

from .builder import Fence, Free, If, Load, Rmw, Store, const, eq, program
from .explorer import Finding, explore
from .graph import Execution
from .program import Order, Program, Stmt

RELEASE = ("rel", "acq_rel", "sc")
ACQUIRE = ("acq", "acq_rel", "sc")
DEC_ORDERS: tuple[Order, ...] = ("rlx", "acq", "rel", "acq_rel", "sc")
FENCES: tuple[str, ...] = ("none", "rlx", "acq", "rel", "acq_rel", "sc")
LOADS: tuple[str, ...] = ("rlx", "acq", "sc")
HANDOFFS: tuple[tuple[Order, Order], ...] = tuple(
    (push, pop) for push in ("rlx", "rel", "sc") for pop in ("rlx", "acq", "sc"))


@dataclass(frozen=True, slots=True)
class Drop:
    """One protocol variant: orders of the decrement, the last dropper's acquire, the hand-off."""

    threads: int = 2
    dec: Order = "rel"
    fence: str = "acq"  # an order, or "none"
    load: str = "none"  # acquire-load variant: the last dropper loads rc with this order
    handoff: tuple[Order, Order] | None = None  # (push, pop) orders, None = free locally
    use: str = "read"

    def name(self) -> str:
        """`DROP2+dec=rel+fence=acq[+load=acq][+push=rel+pop=acq][+write]`."""
        parts = [f"DROP{self.threads}", f"dec={self.dec}", f"fence={self.fence}"]
        if self.load != "none":
            parts.append(f"load={self.load}")
        if self.handoff:
            parts += [f"push={self.handoff[0]}", f"pop={self.handoff[1]}"]
        if self.use != "read":
            parts.append(self.use)
        return "+".join(parts)

    def expected_safe(self) -> bool:
        """DESIGN.md §3: release decrement, an acquiring last dropper, a rel/acq hand-off."""
        acquires = self.fence in ACQUIRE or self.dec in ACQUIRE or self.load in ACQUIRE
        handoff = self.handoff is None or (self.handoff[0] in RELEASE
                                           and self.handoff[1] in ACQUIRE)
        # With one thread nothing is shared; the release side matters only with two or more.
        return (self.dec in RELEASE or self.threads == 1) and acquires and handoff


def drop(threads: int = 2, dec: Order = "rel", fence: str = "acq", load: str = "none",
         handoff: tuple[Order, Order] | None = None, use: str = "read") -> Program:
    """The deferred-delete program for one variant (see the module docstring)."""
    return build(Drop(threads, dec, fence, load, handoff, use))


def build(v: Drop) -> Program:
    """The program of a variant: N droppers, plus the owner thread when there is a hand-off."""
    if v.threads < 1:
        raise ValueError("need at least one thread")
    if v.use not in ("read", "write"):
        raise ValueError("use must be 'read' or 'write'")
    threads = [_dropper(i, v) for i in range(v.threads)]
    init = {"rc": v.threads, "d": 42}
    if v.handoff:
        init["q"] = 0
        threads.append([Load("p", "q", v.handoff[1]), If(eq("p", 1), (Free("d"),))])
    return program(v.name(), threads, init)


def _dropper(i: int, v: Drop) -> list[Stmt]:
    # use="write": thread 0 writes the payload and the others do not touch it (a writer and
    # a reader of d would race with each other whatever the protocol does).
    uses: list[Stmt] = [Load(f"u{i}", "d")]
    if v.use == "write":
        uses = [Store("d", const(i + 1))] if i == 0 else []
    last: list[Stmt] = []
    if v.fence != "none":
        last.append(Fence(v.fence))  # type: ignore[arg-type]
    if v.load != "none":
        last.append(Load(f"a{i}", "rc", v.load))  # type: ignore[arg-type]
    last.append(Store("q", const(1), v.handoff[0]) if v.handoff else Free("d"))
    return [*uses, Rmw(f"r{i}", "rc", "sub", const(1), v.dec), If(eq(f"r{i}", 1), tuple(last))]


def unique(dec: Order = "rel", load: Order = "acq") -> Program:
    """`Arc::get_mut`: P0 uses and drops; P1 mutates in place only if its load of rc reads 1."""
    return program(f"UNIQUE+dec={dec}+load={load}", [
        [Load("u0", "d"), Rmw("r0", "rc", "sub", const(1), dec)],
        [Load("r1", "rc", load), If(eq("r1", 1), (Store("d", const(0)),))],
    ], {"rc": 2, "d": 42})


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: the variant, the explorer's verdict, and the smallest counterexample."""

    variant: Drop
    executions: int
    safe: bool
    finding: Finding | None

    @property
    def agrees(self) -> bool:
        """The explorer's verdict equals the rule's."""
        return self.safe == self.variant.expected_safe()

    @property
    def counterexample(self) -> Execution | None:
        """The smallest graph with a race or use-after-free, if unsafe."""
        return None if self.finding is None else self.finding.witness


def check(v: Drop, rs: str = "cxx20") -> Row:
    """Explore one variant; the finding kept is the one with the smallest witness graph."""
    res = explore(build(v), rs=rs)  # type: ignore[arg-type]
    findings = sorted(res.findings, key=lambda f: (f.witness.size(), f.kind, f.first))
    return Row(v, res.executions, not findings, findings[0] if findings else None)


def variants(threads: int = 2, handoffs: bool = True) -> list[Drop]:
    """Every combination the table shows: local free, then each hand-off."""
    local = [Drop(threads, dec, fence) for dec in DEC_ORDERS for fence in FENCES]
    local += [Drop(threads, dec, "none", load) for dec in DEC_ORDERS for load in LOADS]
    if not handoffs:
        return local
    shapes = [("rel", "acq"), ("acq_rel", "none"), ("rlx", "acq"), ("rel", "none")]
    return local + [Drop(threads, dec, fence, "none", h)  # type: ignore[arg-type]
                    for dec, fence in shapes for h in HANDOFFS]


def table(threads: int = 2, handoffs: bool = True) -> list[Row]:
    """Every row of the catalogue (see `variants`)."""
    return [check(v) for v in variants(threads, handoffs)]
