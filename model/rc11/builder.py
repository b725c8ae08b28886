"""A small Python builder for programs: the statements, plus helpers for conditions and `if`.

Background: litmus files are the lingua franca of memory models, but the
protocol catalogue generates dozens of variants (thread counts, orders,
hand-off), which is easier from Python.

Problem: write programs in Python that read like the C they stand for, with
no second representation to keep in sync with the parser.

Model: the builder *is* the statement vocabulary of `program` (`Load`,
`Store`, `Rmw`, `Cas`, `Fence`, `Free`, `If`, `While`, `Assume`, `Assign`)
plus short helpers: `reg`, `const`, `eq`, `ne`, `holds`, `all_of`, `any_of`,
`not_` and `program`, which names, initialises and conditions the threads.

Example:
    >>> mp = program("MP", [
    ...     [Store("x", const(1), "rlx"), Store("y", const(1), "rel")],
    ...     [Load("r0", "y", "acq"), Load("r1", "x", "rlx")],
    ... ], exists=all_of(holds("1:r0", 1), holds("1:r1", 0)))
    >>> str(mp.condition)
    'exists (1:r0=1 /\\\\ 1:r1=0)'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .program import (
    Assign,
    Assume,
    Bin,
    Cas,
    Condition,
    Const,
    Expr,
    Fence,
    Free,
    If,
    Load,
    Program,
    Prop,
    Reg,
    Rmw,
    Stmt,
    Store,
    Un,
    While,
)

__all__ = [
    "Assign", "Assume", "Cas", "Fence", "Free", "If", "Load", "Rmw", "Store", "While",
    "all_of", "any_of", "const", "eq", "holds", "ne", "not_", "program", "reg",
]


def reg(name: str) -> Reg:
    """A register as an expression."""
    return Reg(name)


def const(value: int) -> Const:
    """A constant as an expression."""
    return Const(value)


def _expr(x: str | int | Expr) -> Expr:
    if isinstance(x, str):
        return Reg(x)
    return Const(x) if isinstance(x, int) else x


def eq(a: str | int | Expr, b: str | int | Expr) -> Expr:
    """`a == b` (a string is a register)."""
    return Bin("==", _expr(a), _expr(b))


def ne(a: str | int | Expr, b: str | int | Expr) -> Expr:
    """`a != b` (a string is a register)."""
    return Un("!", eq(a, b))


def holds(name: str, value: int) -> Prop:
    """The final-state atom `name=value` (`"0:r0"` or a location)."""
    return Prop("eq", name=name, value=value)


def all_of(*props: Prop) -> Prop:
    """Conjunction `/\\`."""
    return Prop("and", props)


def any_of(*props: Prop) -> Prop:
    """Disjunction `\\/`."""
    return Prop("or", props)


def not_(prop: Prop) -> Prop:
    """Negation `~`."""
    return Prop("not", (prop,))


def program(name: str, threads: Iterable[Sequence[Stmt]], init: Mapping[str, int] | None = None,
            *, exists: Prop | None = None, forall: Prop | None = None,
            not_exists: Prop | None = None, unroll: int = 2) -> Program:
    """A program; at most one of exists / forall / not_exists (default: exists true)."""
    given = [(q, p) for q, p in (("exists", exists), ("forall", forall),
                                 ("~exists", not_exists)) if p is not None]
    if len(given) > 1:
        raise ValueError("give at most one final condition")
    quantifier, prop = given[0] if given else ("exists", Prop("true"))
    cond = Condition(quantifier, prop)  # type: ignore[arg-type]
    return Program(name, tuple((init or {}).items()), tuple(tuple(t) for t in threads), cond,
                   unroll)
