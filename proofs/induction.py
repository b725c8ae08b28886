"""The inductive invariant of the ownership machine, over unbounded counts, and its negative twins.

What is proved (z3, integers, no bounds on refcounts, handles, cores or
queue lengths), on the one-allocation abstraction of
`iobuf.proofs.abstraction` (which explains why one allocation suffices):
- initiation: Init ⇒ Inv;
- consecution, for every action of the buffer spec (alloc — also the copy a
  clone makes —, share, trim, trim_front, write, clone, send, release, poll
  on the owner and on another core) and for the frame (an action on another
  allocation): Inv ∧ guard ⇒ Inv', every view created or reshaped lies
  inside the allocation, and the action's step obligations hold (it touches
  live memory; a write happens only through the sole view, invariant 6);
- Inv ⇒ invariant 7 (nothing left to free at quiescence).
Inv is the conjunction of invariants 1-5 of DESIGN.md §2 for one allocation,
stated as they are in `iobuf.model.properties` and named the same.

The iobuf (chain) actions need no transitions of their own for invariants
1-5 and 7: they change ownership only through the same primitives, one
fragment at a time, so each chain step is, allocation by allocation, a
sequence of the transitions above (births, shares or releases on the
chain's holder, sends). `tests/proofs/test_induction_chains.py` checks that
decomposition on random runs of the model. Not covered here: bytes. That an
append into a fragment's slack writes memory no view covers is a statement
about the positions of all views at once; the explorer checks it.

The negative twins are the abstract images of the broken variants of
`tests/model/broken_specs.py` (free on the holder, no enqueue, share without
increment, poll keeps its queue, write while shared, send keeps the sender,
poll skips the accounting, trim_front keeps the size, release twice). Each
must yield a counterexample to induction: a state satisfying Inv, an enabled
step of the twin, and the conjunct it breaks, printed. A twin that is not
refuted means Inv (or the encoding) has gone too weak to tell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

import z3

from .abstraction import (
    ACTIONS,
    Abs,
    Action,
    Params,
    Transition,
    initial,
    invariant,
    poll_owner,
    quiescent_means_freed,
    release,
    send,
    share,
    trim_front,
    view_ok,
    write,
)
from .result import (
    Proof,
    Status,
    find_counterexample,
    model_values,
    timed,
    verdict_of_proof,
    verdict_of_twin,
)


def select(cond: z3.BoolRef, then: Abs, otherwise: Abs) -> Abs:
    """Field-wise `If(cond, then, otherwise)`."""
    return Abs(**{f.name: z3.If(cond, getattr(then, f.name), getattr(otherwise, f.name))
                  for f in fields(Abs)})


def obligations(pre: Abs, t: Transition) -> list[tuple[str, z3.BoolRef]]:
    """What the step must establish: Inv', views in bounds, the step obligations."""
    views = [("type_ok (view inside allocation)", view_ok(s, n, pre.cap)) for s, n in t.views]
    return [*invariant(t.post), *views, *t.safety]


def consecution(action: Action) -> tuple[z3.BoolRef, list[z3.BoolRef], Abs, Params, Transition]:
    """The induction step for `action`: claim, hypotheses, and the symbols to describe a model."""
    pre, p = Abs.symbolic(), Params.symbolic()
    t = action(pre, p)
    hyps = [c for _n, c in invariant(pre)] + [t.guard]
    return z3.And([c for _n, c in obligations(pre, t)]), hyps, pre, p, t


def describe(model: z3.ModelRef | None, pre: Abs, p: Params, t: Transition) -> str:
    """A counterexample to induction: the state, the step's choices, what it breaks."""
    assert model is not None
    state = model_values(model, pre.terms())
    post = model_values(model, [z3.simplify(x) for x in t.post.terms()])
    changed = {f.name: v for f, v in zip(fields(Abs), post.values(), strict=True)
               if state[f.name] != v}
    choices = model_values(model, [p.on_owner, p.to_owner, p.pos, p.size, p.vs, p.vn, p.polled])
    broken = [name for name, c in obligations(pre, t)
              if z3.is_false(model.eval(c, model_completion=True))]
    return (f"pre:    {' '.join(f'{k}={v}' for k, v in state.items())}\n"
            f"choice: {' '.join(f'{k}={v}' for k, v in choices.items())}\n"
            f"post:   {' '.join(f'{k}={v}' for k, v in changed.items()) or '(unchanged)'}\n"
            f"breaks: {', '.join(dict.fromkeys(broken))}")


def prove_initiation() -> Proof:
    """Init ⇒ Inv."""
    def body() -> tuple[Status, str]:
        s = Abs.symbolic()
        verdict, model = find_counterexample(z3.And([c for _n, c in invariant(s)]), [initial(s)])
        return verdict_of_proof(verdict, lambda: str(model))
    return timed("induction: Init => Inv", body)


def prove_quiescence() -> Proof:
    """Inv ⇒ invariant 7."""
    def body() -> tuple[Status, str]:
        s = Abs.symbolic()
        hyps = [c for _n, c in invariant(s)]
        verdict, model = find_counterexample(quiescent_means_freed(s), hyps)
        return verdict_of_proof(verdict, lambda: str(model))
    return timed("induction: Inv => quiescent_means_empty", body)


def prove_step(name: str, action: Action) -> Proof:
    """Inv ∧ guard ⇒ Inv' ∧ views ok ∧ step obligations, for one action."""
    def body() -> tuple[Status, str]:
        claim, hyps, pre, p, t = consecution(action)
        verdict, model = find_counterexample(claim, hyps)
        return verdict_of_proof(verdict, lambda: describe(model, pre, p, t))
    return timed(f"induction: Inv /\\ {name} => Inv'", body)


def refute_twin(name: str, action: Action) -> Proof:
    """A negative twin must have a counterexample to induction."""
    def body() -> tuple[Status, str]:
        claim, hyps, pre, p, t = consecution(action)
        verdict, model = find_counterexample(claim, hyps)
        return verdict_of_twin(verdict, lambda: describe(model, pre, p, t))
    return timed(f"twin: {name}", body)


def _last_foreign(s: Abs, p: Params) -> z3.BoolRef:
    return z3.And(s.rc == 1, z3.Not(p.on_owner))


def free_on_holder(s: Abs, p: Params) -> Transition:
    """The last dropper frees the memory itself, even on a foreign core."""
    t = release(s, p)
    bug = replace(s, rc=s.rc - 1, far=s.far - 1, freed_far=s.freed_far + 1,
                  far_n=s.far_n - 1, far_b=s.far_b - s.cap)
    return replace(t, post=select(_last_foreign(s, p), bug, t.post))


def no_enqueue(s: Abs, p: Params) -> Transition:
    """A foreign last drop forgets to push the allocation onto the owner's queue."""
    t = release(s, p)
    return replace(t, post=select(_last_foreign(s, p), replace(s, rc=s.rc - 1, far=s.far - 1),
                                  t.post))


def share_without_incref(s: Abs, p: Params) -> Transition:
    """Share creates the view but does not count it."""
    t = share(s, p)
    return replace(t, post=replace(t.post, rc=s.rc))


def poll_keeps_queue(s: Abs, p: Params) -> Transition:
    """Poll frees what is queued but does not empty the queue."""
    t = poll_owner(s, p)
    return replace(t, post=replace(t.post, q_own=s.q_own))


def write_while_shared(s: Abs, p: Params) -> Transition:
    """The write guard forgets the refcount."""
    t = write(s, p)
    return replace(t, guard=z3.And(s.born, z3.If(p.on_owner, s.own >= 1, s.far >= 1)))


def send_keeps_sender(s: Abs, p: Params) -> Transition:
    """Send copies the handle to the new core and forgets to kill the old one."""
    t = send(s, p)
    post = replace(s, own=z3.If(p.to_owner, s.own + 1, s.own),
                   far=z3.If(p.to_owner, s.far, s.far + 1))
    return replace(t, post=post)


def poll_skips_accounting(s: Abs, p: Params) -> Transition:
    """Deferred frees forget the owner's accounting."""
    t = poll_owner(s, p)
    return replace(t, post=replace(t.post, acct_n=s.acct_n, acct_b=s.acct_b))


def trim_front_keeps_size(s: Abs, p: Params) -> Transition:
    """trim_front advances the start but forgets to shrink the size."""
    t = trim_front(s, p)
    return replace(t, views=((p.vs + p.pos, p.vn),))


def release_twice(s: Abs, p: Params) -> Transition:
    """Release drops two references (a double decrement)."""
    t = release(s, p)
    return replace(t, post=replace(t.post, rc=z3.If(t.post.rc > 0, t.post.rc - 1, t.post.rc)))


TWINS: dict[str, Action] = {
    f.__name__: f for f in (
        free_on_holder, no_enqueue, share_without_incref, poll_keeps_queue, write_while_shared,
        send_keeps_sender, poll_skips_accounting, trim_front_keeps_size, release_twice)
}
"""The negative twins of tests/model/broken_specs.py, on the abstraction."""


def _bind(f: Callable[[str, Action], Proof], name: str, a: Action) -> Callable[[], Proof]:
    return lambda: f(name, a)


PROOFS: tuple[Callable[[], Proof], ...] = (
    prove_initiation,
    *(_bind(prove_step, name, a) for name, a in ACTIONS.items()),
    prove_quiescence,
    *(_bind(refute_twin, name, a) for name, a in TWINS.items()),
)
"""Every proof of this family, in report order."""
