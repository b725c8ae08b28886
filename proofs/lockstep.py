"""Lockstep: one Hypothesis state machine drives two implementations of the API.

Background: the model is the specification; the C library must behave the
same on every sequence of operations, across cores. Hypothesis picks the
sequence (which handle, which core, which arguments, and so the interleaving
of the simulated cores) and shrinks any disagreement to a minimal program.

Model: every handle is a pair (reference handle, implementation handle)
living in a Bundle per kind; release and send consume the pair
(`consumes()`). Each rule applies the same call to both sides through
`both()`, which demands the same result or the same error class. After every
rule the machine compares everything observable: bytes, sizes, fragments
(size, capacity, owner, refcount), holders, refcounts and per-core stats,
and asserts the model's invariants on its state. On the traced build
(`iobuf.impl.traced.TracedSystem`) it also asserts, after every rule, that
the online RC11 checker found no race, use-after-free or thread-per-core
violation in the library's real atomic operations. Teardown releases
everything, polls every core and asserts nothing is live.

`lockstep_machine(reference, implementation)` builds the machine class for
any two modules with the API of DESIGN.md §2.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

FAST_EXAMPLES, FAST_STEPS = 300, 40
"""The fast profile's budget: what every pytest run spends, and what each mutant must die in."""

settings.register_profile("lockstep-fast", max_examples=FAST_EXAMPLES,
                          stateful_step_count=FAST_STEPS, deadline=None)
settings.register_profile("lockstep-thorough", max_examples=2000, stateful_step_count=80,
                          deadline=None)


@dataclass(frozen=True, eq=False)
class Pair:
    """The same handle on both sides (compared by identity: IoBufs compare by bytes)."""

    ref: Any
    imp: Any


class Mismatch(AssertionError):
    """The two sides disagreed."""


SIZES = st.one_of(st.integers(0, 16), st.integers(500, 1500))
SMALL = st.integers(-2, 40)
BAD = st.one_of(st.integers(-(2**65), -1), st.integers(2**40, 2**65), st.none(),
                st.text(max_size=2), st.floats(allow_nan=False), st.booleans())


def both(ref: Callable[[], Any], imp: Callable[[], Any]) -> tuple[Any, Any]:
    """Run the same call on both sides: same value, or the same error class.

    Returns both results, or (None, None) when both sides raised alike.
    """
    outcome: list[tuple[str, Any]] = []
    for side in (ref, imp):
        try:
            outcome.append(("ok", side()))
        except Exception as e:  # compared below; anything unexpected is a mismatch
            outcome.append(("raise", e))
    (k1, v1), (k2, v2) = outcome
    if k1 == "raise" and k2 == "raise":
        if type(v1).__name__ != type(v2).__name__:
            raise Mismatch(f"reference raised {v1!r}, implementation raised {v2!r}")
        return None, None
    if k1 != k2:
        raise Mismatch(f"reference: {k1} {v1!r}; implementation: {k2} {v2!r}")
    return v1, v2


def observe_buffer(b: Any) -> tuple[object, ...]:
    """Everything observable about a buffer handle."""
    return (b.read(), b.size, b.owner, b.holder, b.refcount)


def observe_iobuf(io: Any) -> tuple[object, ...]:
    """Everything observable about an iobuf handle."""
    frags = tuple((f.size, f.capacity, f.owner, f.refcount) for f in io.fragments)
    return (bytes(io), len(io), io.holder, frags)


def lockstep_machine(reference: ModuleType, implementation: ModuleType) -> type:
    """A RuleBasedStateMachine class comparing `implementation` with `reference`."""

    class Lockstep(RuleBasedStateMachine):
        buffers = Bundle("buffers")
        iobufs = Bundle("iobufs")

        def __init__(self) -> None:
            super().__init__()
            self.ref: Any = None
            self.imp: Any = None
            self.live_buffers: list[Pair] = []
            self.live_iobufs: list[Pair] = []
            self.dead: list[Pair] = []

        @initialize(cores=st.integers(1, 3))
        def start(self, cores: int) -> None:
            self.ref, self.imp = reference.System(cores=cores), implementation.System(cores=cores)
            self.cores = cores

        def _core(self, i: int) -> tuple[Any, Any]:
            i %= self.cores
            return self.ref.core(i), self.imp.core(i)

        def _new(self, kind: str, r: Any, m: Any) -> Any:
            if r is None:  # both sides refused: nothing new enters the bundle
                return multiple()
            pair = Pair(r, m)
            (self.live_buffers if kind == "buffer" else self.live_iobufs).append(pair)
            return pair

        def _settle(self, pair: Pair) -> None:
            """After a consuming call: a refused call leaves the handle alive but out of its
            bundle, so release it (on both sides) to keep the books exact."""
            alive = both(lambda: _alive(pair.ref), lambda: _alive(pair.imp))[0]
            if alive:
                both(pair.ref.release, pair.imp.release)
            self._kill(pair)

        def _kill(self, pair: Pair) -> None:
            for pool in (self.live_buffers, self.live_iobufs):
                if pair in pool:
                    pool.remove(pair)
            self.dead.append(pair)

        # -- buffers ---------------------------------------------------------
        @rule(target=buffers, core=st.integers(0, 2), size=SIZES)
        def alloc(self, core: int, size: int) -> Any:
            rc, ic = self._core(core)
            r, m = both(lambda: rc.alloc(size), lambda: ic.alloc(size))
            return self._new("buffer", r, m)

        @rule(b=buffers, pos=SMALL, data=st.binary(max_size=8))
        def write(self, b: Pair, pos: int, data: bytes) -> None:
            both(lambda: b.ref.write(pos, data), lambda: b.imp.write(pos, data))

        @rule(b=buffers, pos=SMALL, size=st.none() | SMALL)
        def read(self, b: Pair, pos: int, size: int | None) -> None:
            r, m = both(lambda: b.ref.read(pos, size), lambda: b.imp.read(pos, size))
            assert r == m

        @precondition(lambda self: len(self.live_buffers) < 12)
        @rule(target=buffers, b=buffers, pos=SMALL, size=st.none() | SMALL)
        def share(self, b: Pair, pos: int, size: int | None) -> Any:
            r, m = both(lambda: b.ref.share(pos, size), lambda: b.imp.share(pos, size))
            return self._new("buffer", r, m)

        @rule(b=buffers, n=SMALL)
        def trim(self, b: Pair, n: int) -> None:
            both(lambda: b.ref.trim(n), lambda: b.imp.trim(n))

        @rule(b=buffers, n=SMALL)
        def trim_front(self, b: Pair, n: int) -> None:
            both(lambda: b.ref.trim_front(n), lambda: b.imp.trim_front(n))

        @precondition(lambda self: len(self.live_buffers) < 12)
        @rule(target=buffers, b=buffers)
        def clone(self, b: Pair) -> Any:
            r, m = both(b.ref.clone, b.imp.clone)
            return self._new("buffer", r, m)

        @rule(target=buffers, b=consumes(buffers), core=st.integers(0, 2))
        def send(self, b: Pair, core: int) -> Any:
            rc, ic = self._core(core)
            r, m = both(lambda: b.ref.send(rc), lambda: b.imp.send(ic))
            self._kill(b)
            return self._new("buffer", r, m)

        @rule(b=consumes(buffers))
        def release(self, b: Pair) -> None:
            both(b.ref.release, b.imp.release)
            self._kill(b)

        @rule(core=st.integers(0, 2))
        def poll(self, core: int) -> None:
            rc, ic = self._core(core)
            r, m = both(rc.poll, ic.poll)
            assert r == m

        # -- iobufs ----------------------------------------------------------
        @rule(target=iobufs, core=st.integers(0, 2))
        def new_iobuf(self, core: int) -> Any:
            rc, ic = self._core(core)
            r, m = both(rc.iobuf, ic.iobuf)
            return self._new("iobuf", r, m)

        @rule(target=iobufs, core=st.integers(0, 2), salt=st.integers(0, 255),
              sizes=st.lists(st.integers(1, 40), min_size=2, max_size=4))
        def iobuf_of_fragments(self, core: int, salt: int, sizes: list[int]) -> Any:
            """An iobuf with one fragment per size: multi-fragment chains are where the
            range arithmetic of share, trims and consumers goes wrong."""
            rc, ic = self._core(core)
            r, m = both(rc.iobuf, ic.iobuf)
            for i, n in enumerate(reversed(sizes)):
                data = bytes((salt + 7 * i + k) % 256 for k in range(n))
                rb, mb = both(partial(rc.alloc, n), partial(ic.alloc, n))
                both(partial(rb.write, 0, data), partial(mb.write, 0, data))
                both(partial(r.prepend_buffer, rb), partial(m.prepend_buffer, mb))
            return self._new("iobuf", r, m)

        @rule(io=iobufs, size=SIZES, salt=st.integers(0, 255))
        def append(self, io: Pair, size: int, salt: int) -> None:
            data = bytes((salt + i) % 256 for i in range(size))
            both(lambda: io.ref.append(data), lambda: io.imp.append(data))

        @rule(io=iobufs, b=consumes(buffers), front=st.booleans())
        def append_buffer(self, io: Pair, b: Pair, front: bool) -> None:
            op = "prepend_buffer" if front else "append_buffer"
            try:
                both(lambda: getattr(io.ref, op)(b.ref), lambda: getattr(io.imp, op)(b.imp))
            finally:
                self._settle(b)

        @rule(io=iobufs, other=iobufs)
        def append_fragments(self, io: Pair, other: Pair) -> None:
            both(lambda: io.ref.append_fragments(other.ref),
                 lambda: io.imp.append_fragments(other.imp))

        @rule(io=iobufs, other=consumes(iobufs))
        def prepend(self, io: Pair, other: Pair) -> None:
            try:
                both(lambda: io.ref.prepend(other.ref), lambda: io.imp.prepend(other.imp))
            finally:
                self._settle(other)

        @precondition(lambda self: len(self.live_iobufs) < 8)
        @rule(target=iobufs, io=iobufs, where=WHERE, span=WHERE)
        def share_iobuf(self, io: Pair, where: tuple[int, int], span: tuple[int, int]) -> Any:
            n = _length(io.ref)
            pos = _point(io.ref, n, where)
            size = _point(io.ref, n - pos, span, offset=pos)
            r, m = both(lambda: io.ref.share(pos, size), lambda: io.imp.share(pos, size))
            return self._new("iobuf", r, m)

        @rule(io=iobufs, d=st.integers(1, 3), extra=st.integers(0, 3))
        def share_straddling(self, io: Pair, d: int, extra: int) -> None:
            """Share from inside the first fragment into the next: pos must restart at 0."""
            n = _length(io.ref)
            first = _point(io.ref, n, (1, 0))
            pos = max(first - d, 0)
            size = min(n - pos, d + extra)
            r, m = both(lambda: io.ref.share(pos, size), lambda: io.imp.share(pos, size))
            if r is not None:
                assert bytes(r) == bytes(m)
                both(r.release, m.release)

        @rule(io=iobufs, cut=st.integers(1, 3), salt=st.integers(0, 255))
        def share_trim_back_append(self, io: Pair, cut: int, salt: int) -> None:
            """A share sees the tail; trim_back cuts into it; an append must not rewrite it."""
            n = _length(io.ref)
            r, m = both(lambda: io.ref.share(0, n), lambda: io.imp.share(0, n))
            if r is None:
                return
            both(lambda: io.ref.trim_back(cut), lambda: io.imp.trim_back(cut))
            data = bytes((salt + i) % 256 for i in range(cut))
            both(lambda: io.ref.append(data), lambda: io.imp.append(data))
            assert bytes(r) == bytes(m), "a shared view changed under an append"
            both(r.release, m.release)

        @rule(io=iobufs, pos=st.integers(-1, 3000), size=st.integers(-1, 3000))
        def share_anywhere(self, io: Pair, pos: int, size: int) -> None:
            r, m = both(lambda: io.ref.share(pos, size), lambda: io.imp.share(pos, size))
            if r is not None:
                both(r.release, m.release)

        @precondition(lambda self: len(self.live_iobufs) < 8)
        @rule(target=iobufs, io=iobufs)
        def copy(self, io: Pair) -> Any:
            r, m = both(io.ref.copy, io.imp.copy)
            return self._new("iobuf", r, m)

        @rule(io=iobufs, where=WHERE | st.tuples(st.just(-1), st.integers(-1, 3000)),
              back=st.booleans())
        def trim_iobuf(self, io: Pair, where: tuple[int, int], back: bool) -> None:
            op = "trim_back" if back else "trim_front"
            n = _point(io.ref, _length(io.ref), where, from_back=back)
            both(lambda: getattr(io.ref, op)(n), lambda: getattr(io.imp, op)(n))

        @rule(io=iobufs, k=st.integers(1, 2), back=st.booleans())
        def trim_whole_fragments(self, io: Pair, k: int, back: bool) -> None:
            """Trim exactly k fragments' worth: the off-by-one at a fragment boundary lives here."""
            op = "trim_back" if back else "trim_front"
            n = _point(io.ref, _length(io.ref), (k, 0), from_back=back)
            both(lambda: getattr(io.ref, op)(n), lambda: getattr(io.imp, op)(n))

        @rule(io=iobufs, back=st.booleans())
        def pop(self, io: Pair, back: bool) -> None:
            op = "pop_back" if back else "pop_front"
            both(getattr(io.ref, op), getattr(io.imp, op))

        @rule(target=iobufs, io=consumes(iobufs), core=st.integers(0, 2))
        def send_iobuf(self, io: Pair, core: int) -> Any:
            rc, ic = self._core(core)
            r, m = both(lambda: io.ref.send(rc), lambda: io.imp.send(ic))
            self._kill(io)
            return self._new("iobuf", r, m)

        @rule(io=consumes(iobufs))
        def release_iobuf(self, io: Pair) -> None:
            both(io.ref.release, io.imp.release)
            self._kill(io)

        @rule(io=iobufs, where=WHERE | st.tuples(st.just(-1), st.integers(-1, 3000)),
              how=st.sampled_from(["consume_to", "peek", "skip", "read_u8", "read_u32_be",
                                   "read_varint", "consume"]))
        def consume(self, io: Pair, where: tuple[int, int], how: str) -> None:
            n = _point(io.ref, _length(io.ref), where)
            def run(k: Any) -> object:
                if how == "consume":
                    seen: list[bytes] = []

                    def take(chunk: memoryview) -> bool:
                        seen.append(bytes(chunk))
                        return len(seen) > 1  # stop after the second chunk

                    return k.consume(n, take), seen, k.bytes_consumed
                args = (n,) if how in ("consume_to", "peek", "skip") else ()
                return getattr(k, how)(*args), k.bytes_consumed, k.bytes_left
            r, m = both(lambda: run(io.ref.consumer()), lambda: run(io.imp.consumer()))
            assert r == m, (r, m)

        @rule(io=iobufs, limit=st.integers(0, 64))
        def hexdump(self, io: Pair, limit: int) -> None:
            r, m = both(lambda: io.ref.hexdump(limit), lambda: io.imp.hexdump(limit))
            assert r == m

        # -- bad input and dead handles ---------------------------------------
        @rule(b=buffers, bad=BAD, op=st.sampled_from(["read", "share", "trim", "write"]))
        def bad_buffer_argument(self, b: Pair, bad: object, op: str) -> None:
            args = (0, bad) if op == "write" else (bad,)
            both(lambda: getattr(b.ref, op)(*args), lambda: getattr(b.imp, op)(*args))

        @precondition(lambda self: bool(self.dead))
        @rule(i=st.integers(0, 1000), op=st.sampled_from(["release", "read", "len"]))
        def use_dead_handle(self, i: int, op: str) -> None:
            pair = self.dead[i % len(self.dead)]

            def call(h: Any) -> object:
                return h.release() if op == "release" else h.read() if op == "read" else len(h)

            both(lambda: call(pair.ref), lambda: call(pair.imp))

        # -- comparison --------------------------------------------------------
        @invariant()
        def same_observables(self) -> None:
            if self.ref is None:
                return
            # On the traced build, first: every event so far passed the online RC11
            # checker (a race explains whatever difference it causes, so it goes first).
            tracer = getattr(self.imp, "tracer", None)
            if tracer is not None:
                tracer.check()
            for pair in self.live_buffers:
                assert observe_buffer(pair.ref) == observe_buffer(pair.imp), pair
            for pair in self.live_iobufs:
                assert observe_iobuf(pair.ref) == observe_iobuf(pair.imp), pair
            ref_stats = [c.stats for c in self.ref.cores]
            imp_stats = [c.stats for c in self.imp.cores]
            assert [tuple(vars_of(s)) for s in ref_stats] == [tuple(vars_of(s)) for s in imp_stats]

        @invariant()
        def model_invariants_hold(self) -> None:
            for side in (self.ref, self.imp):
                state = getattr(side, "state", None)
                if state is not None:
                    from iobuf.model.properties import assert_invariants

                    assert_invariants(state)

        def teardown(self) -> None:
            if self.ref is None:
                return
            tracer = getattr(self.imp, "tracer", None)
            try:
                for pair in self.live_buffers + self.live_iobufs:
                    both(pair.ref.release, pair.imp.release)
                for i in range(self.cores):
                    rc, ic = self._core(i)
                    both(rc.poll, ic.poll)
                for side in (self.ref, self.imp):
                    for c in side.cores:
                        assert (c.stats.live_allocations, c.stats.live_bytes,
                                c.stats.pending_frees) == (0, 0, 0), "leak at quiescence"
            except BaseException:
                if tracer is not None:
                    with contextlib.suppress(Exception):  # the first failure is the finding
                        self.imp.close()
                raise
            if tracer is not None:
                # Close now, while this example's tracer listens (see TracedSystem.__del__),
                # and check the frees of teardown and close too.
                self.imp.close()
                tracer.check()

    Lockstep.__name__ = f"Lockstep_{implementation.__name__.replace('.', '_')}"
    return Lockstep


# A position inside an iobuf, drawn so that interesting places are common:
# (k, d) with k >= 0 is the k-th fragment boundary plus d bytes (clamped into
# the iobuf), with k = -1 it is d itself (anywhere, in range or not).
WHERE = st.tuples(st.integers(0, 4), st.just(0) | st.integers(-2, 2))


def _length(io: Any) -> int:
    """The iobuf's size, or 0 if it is dead (the call will then be refused on both sides)."""
    try:
        return len(io)
    except Exception:
        return 0


def _point(io: Any, limit: int, where: tuple[int, int], offset: int = 0,
           from_back: bool = False) -> int:
    """A byte count in [0, limit] near a fragment boundary (see WHERE)."""
    k, d = where
    if k < 0:
        return d
    try:
        sizes: list[int] = [f.size for f in io.fragments]
    except Exception:
        sizes = []
    if from_back:
        sizes.reverse()
    boundary: int = sum(sizes[:k]) - offset
    return min(max(boundary + d, 0), max(limit, 0))


def _alive(handle: Any) -> bool:
    """Whether a handle still answers (a released or consumed one raises)."""
    try:
        len(handle)
    except Exception:
        return False
    return True


def vars_of(stats: Any) -> tuple[int, int, int]:
    """The compared per-core counters."""
    return (stats.live_allocations, stats.live_bytes, stats.pending_frees)
