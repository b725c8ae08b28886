"""The C11 `<stdatomic.h>` calls a herd7 C litmus test may make, as `program` statements.

Background: herd7's C dialect spells every atomic operation as a call:
`atomic_load_explicit(x, memory_order_acquire)`, and the forms without
`_explicit` are seq_cst.

Problem: one table from call names to statements, so that the parser stays
about syntax.

Model: `call(parser, name)` parses the arguments (locations, values, memory
orders) and returns the statements to run plus the call's value as a pure
expression (the hidden register the access writes, or 0 for a store or fence).
A CAS returns 1 or 0, as C and herd7 do. `free(x)` and `assume(e)` are this
project's extensions (a free event; GenMC's assume).

Example: `atomic_fetch_sub_explicit(rc, 1, memory_order_release)` becomes
`Rmw('#1', 'rc', 'sub', Const(1), 'rel')` with value `Reg('#1')`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .program import Assume, Cas, Const, Expr, Fence, Free, Load, Order, Reg, Rmw, Stmt, Store

if TYPE_CHECKING:
    from .litmus import _Thread

CallResult = tuple[list[Stmt], Expr]


def call(p: _Thread, fn: str) -> CallResult:
    """Parse the arguments of `fn(...)` (the name is consumed) and translate the call."""
    t = p.toks
    t.expect("(")
    explicit = fn.endswith("_explicit")
    base = fn.removesuffix("_explicit")
    out = _dispatch(p, base, explicit)
    t.expect(")")
    return out


def _comma(p: _Thread) -> None:
    p.toks.expect(",")


def _order(p: _Thread, explicit: bool) -> Order:
    if not explicit:
        return "sc"
    _comma(p)
    return p.order()


def _dispatch(p: _Thread, base: str, explicit: bool) -> CallResult:
    if base == "atomic_load":
        loc = p.location()
        reg = p.fresh()
        return [Load(reg, loc, _order(p, explicit))], Reg(reg)
    if base == "atomic_store":
        loc = p.location()
        _comma(p)
        pre, value = p.expr()
        return [*pre, Store(loc, value, _order(p, explicit))], Const(0)
    if base == "atomic_thread_fence":
        return [Fence(p.order())], Const(0)
    if m := re.fullmatch(r"atomic_(?:fetch_(add|sub|and|or|xor)|(exchange))", base):
        loc = p.location()
        _comma(p)
        pre, operand = p.expr()
        reg = p.fresh()
        op = m.group(1) or "xchg"
        return [*pre, Rmw(reg, loc, op, operand, _order(p, explicit))], Reg(reg)  # type: ignore[arg-type]
    if m := re.fullmatch(r"atomic_compare_exchange_(strong|weak)", base):
        return _cas(p, m.group(1) == "weak", explicit)
    if base in ("assume", "__VERIFIER_assume") and not explicit:
        pre, cond = p.expr()
        return [*pre, Assume(cond)], Const(0)
    if base == "free" and not explicit:
        return [Free(p.location())], Const(0)
    raise p.toks.fail(f"unsupported call {base}{'_explicit' if explicit else ''}")


def _cas(p: _Thread, weak: bool, explicit: bool) -> CallResult:
    loc = p.location()
    _comma(p)
    expected = p.location()
    _comma(p)
    pre, desired = p.expr()
    order: Order = "sc"
    fail: Order = "sc"
    if explicit:
        _comma(p)
        order = p.order()
        _comma(p)
        fail = p.order()
    reg = p.fresh()
    return [*pre, Cas(reg, loc, expected, desired, order, fail, weak)], Reg(reg)
