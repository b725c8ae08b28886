"""The herd7 C litmus front end: text in the herdtools7 / Dat3M catalogue format to `Program`.

Background: herd7's C litmus tests look like
    C MP+rel+acq
    { [x] = 0; y = 0; }
    P0 (atomic_int* x, atomic_int* y) { atomic_store_explicit(x, 1, memory_order_relaxed); ... }
    P1 (atomic_int* x, atomic_int* y) { int r0 = atomic_load_explicit(y, memory_order_acquire); }
    exists (1:r0=1 /\\ 1:r1=0)

Problem: read the catalogues' subset of C faithfully — `atomic_*_explicit` and
the implicit-seq_cst forms, plain `*x` accesses, `if`/`else` with C
truthiness, `while` loops (accesses in their conditions too), `&&`/`||`
with short-circuit evaluation, CAS with the expected value through a location —
and reject anything else with a message naming the line.

Model: a tokenizer (comments `(* *)`, `/* */`, `//` removed; line numbers
kept) and a recursive-descent parser producing `program` statements.
Memory accesses nested in an expression are hoisted, in evaluation order,
into hidden registers (`#1`, ...), which outcomes do not show. After `&&` and
`||` they are hoisted into an `if` on the left operand (C's short circuit:
the right side's accesses happen only when the left does not decide); in a
`while` condition they run before the loop and again at the end of every
pass of its body. Extensions
beyond herd7: `assume(e)` / `__VERIFIER_assume(e)` (GenMC) and `free(x)`.

Example:
    >>> p = parse_litmus("C T\\n{ x = 0; }\\nP0 (atomic_int* x) { int r0 = *x; }\\nexists (0:r0=0)")
    >>> p.threads[0]
    (Load(reg='r0', loc='x', order='na'),)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .program import (
    ORDERS,
    Assign,
    Bin,
    Cas,
    Condition,
    Const,
    Expr,
    If,
    Load,
    Order,
    Program,
    Prop,
    Reg,
    Rmw,
    Stmt,
    Store,
    Un,
    While,
)


class LitmusSyntaxError(ValueError):
    """A litmus file the parser does not accept; the message names the line."""


TOKEN = re.compile(
    r"\s*(?:(/\\|\\/|==|!=|<=|>=|&&|\|\||[-+*/&|^!~<>=(){}\[\];,:])|(\d+)|([A-Za-z_]\w*))")
TYPES = {"int", "long", "unsigned", "char", "short", "volatile", "const", "signed", "_Atomic",
         "intptr_t", "atomic_int", "atomic_long", "atomic_uint", "atomic_bool", "bool"}
MEMORY_ORDERS: dict[str, Order] = {
    "memory_order_relaxed": "rlx", "memory_order_consume": "acq",
    "memory_order_acquire": "acq", "memory_order_release": "rel",
    "memory_order_acq_rel": "acq_rel", "memory_order_seq_cst": "sc",
}
RMW_OPS = {"add", "sub", "and", "or", "xor"}
LEVELS = (("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", "<=", ">", ">="),
          ("+", "-"), ("*",))


@dataclass
class _Tokens:
    toks: list[tuple[str, int]]
    pos: int = 0

    def peek(self, k: int = 0) -> str:
        i = self.pos + k
        return self.toks[i][0] if i < len(self.toks) else ""

    def line(self) -> int:
        return self.toks[min(self.pos, len(self.toks) - 1)][1] if self.toks else 0

    def next(self) -> str:
        if self.pos >= len(self.toks):
            raise LitmusSyntaxError("unexpected end of file")
        self.pos += 1
        return self.toks[self.pos - 1][0]

    def expect(self, tok: str) -> None:
        got = self.next()
        if got != tok:
            raise LitmusSyntaxError(f"line {self.toks[self.pos - 1][1]}: expected {tok!r}, "
                                    f"got {got!r}")

    def accept(self, tok: str) -> bool:
        if self.peek() == tok:
            self.pos += 1
            return True
        return False

    def fail(self, what: str) -> LitmusSyntaxError:
        return LitmusSyntaxError(f"line {self.line()}: {what} (at {self.peek()!r})")


def _strip_comments(text: str) -> str:
    """Remove comments, keeping newlines so that line numbers stay right."""
    def blank(m: re.Match[str]) -> str:
        return "\n" * m.group(0).count("\n")
    text = re.sub(r"\(\*.*?\*\)", blank, text, flags=re.S)
    text = re.sub(r"/\*.*?\*/", blank, text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _tokenize(text: str, first_line: int) -> _Tokens:
    toks: list[tuple[str, int]] = []
    for n, line in enumerate(text.split("\n"), start=first_line):
        pos = 0
        while pos < len(line):
            if line[pos:].strip() == "":
                break
            m = TOKEN.match(line, pos)
            if m is None or m.end() == pos:
                raise LitmusSyntaxError(f"line {n}: unexpected character {line[pos:].strip()[0]!r}")
            toks.append((m.group(1) or m.group(2) or m.group(3), n))
            pos = m.end()
    return _Tokens(toks)


def parse_litmus(text: str, unroll: int = 2) -> Program:
    """Parse a herd7 C litmus test; raises LitmusSyntaxError (a ValueError) on bad input."""
    lines = text.lstrip("\ufeff").split("\n")
    head = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if head is None or not re.match(r"\s*C\s+\S", lines[head]):
        raise LitmusSyntaxError("line 1: a C litmus test starts with `C NAME`")
    name = lines[head].split()[1]
    body = _strip_comments("\n".join(lines[head + 1:]))
    toks = _tokenize(body, head + 2)
    init = _init(toks)
    threads: list[tuple[Stmt, ...]] = []
    while re.fullmatch(r"P\d+", toks.peek()):
        tid = int(toks.next()[1:])
        if tid != len(threads):
            raise toks.fail(f"thread P{tid} out of order")
        threads.append(_Thread(toks, init).parse())
    if not threads:
        raise toks.fail("expected a thread P0")
    cond = _condition(toks)
    if toks.peek():
        raise toks.fail("unexpected text after the final condition")
    return Program(name, tuple(init.items()), tuple(threads), cond, unroll)


def _init(toks: _Tokens) -> dict[str, int]:
    toks.expect("{")
    init: dict[str, int] = {}
    while not toks.accept("}"):
        if toks.accept(";"):
            continue
        while toks.peek() in TYPES or toks.peek() == "*":
            toks.next()
        if toks.accept("["):
            loc = toks.next()
            toks.expect("]")
        elif toks.peek().isdigit() and toks.peek(1) == ":":
            raise toks.fail("initial register values are not supported")
        else:
            loc = toks.next()
        if not re.fullmatch(r"[A-Za-z_]\w*", loc):
            raise toks.fail(f"bad location {loc!r}")
        init[loc] = _number(toks) if toks.accept("=") else 0
    return init


def _number(toks: _Tokens) -> int:
    neg = toks.accept("-")
    tok = toks.next()
    if not tok.isdigit():
        raise toks.fail(f"expected a number, got {tok!r}")
    return -int(tok) if neg else int(tok)


@dataclass
class _Thread:
    """Parser state for one thread: its parameters (locations) and hidden-register counter."""

    toks: _Tokens
    init: dict[str, int]
    params: set[str] = field(default_factory=set)
    hidden: int = 0

    def parse(self) -> tuple[Stmt, ...]:
        t = self.toks
        t.expect("(")
        while not t.accept(")"):
            words: list[str] = []
            while t.peek() not in (",", ")"):
                words.append(t.next())
            t.accept(",")
            if words:
                self.params.add(words[-1])
        return self.block()

    def block(self) -> tuple[Stmt, ...]:
        self.toks.expect("{")
        out: list[Stmt] = []
        while not self.toks.accept("}"):
            out += self.statement()
        return tuple(out)

    def body(self) -> tuple[Stmt, ...]:
        return self.block() if self.toks.peek() == "{" else tuple(self.statement())

    def statement(self) -> list[Stmt]:
        t = self.toks
        word = t.peek()
        if t.accept(";"):
            return []
        if word == "{":
            return list(self.block())
        if word in ("if", "while"):
            t.next()
            t.expect("(")
            pre, cond = self.expr()
            t.expect(")")
            then = self.body()
            if word == "while":
                # The condition's accesses run before the loop and again after each pass
                # of the body, so every test of the condition reads memory afresh.
                return [*pre, While(cond, (*then, *pre))]
            other = self.body() if t.accept("else") else ()
            return [*pre, If(cond, then, other)]
        if word in TYPES:
            while t.peek() in TYPES:
                t.next()
            reg = t.next()
            if t.accept(";"):
                return []
            t.expect("=")
            return self.assign(reg)
        if word == "*":
            t.next()
            loc = self.location()
            t.expect("=")
            pre, value = self.expr()
            t.expect(";")
            return [*pre, Store(loc, value, "na")]
        if re.fullmatch(r"[A-Za-z_]\w*", word) and t.peek(1) == "=":
            t.next()
            t.next()
            return self.assign(word)
        if t.peek(1) != "(":
            raise t.fail("expected a statement")
        pre, _ = self.expr()
        t.expect(";")
        return pre

    def assign(self, reg: str) -> list[Stmt]:
        pre, value = self.expr()
        self.toks.expect(";")
        # `r = access(...)`: let the access write r itself rather than a hidden register.
        if pre and value == Reg(_target(pre[-1])) and _target(pre[-1]).startswith("#"):
            return [*pre[:-1], _retarget(pre[-1], reg)]
        return [*pre, Assign(reg, value)]

    def location(self) -> str:
        t = self.toks
        t.accept("&")
        loc = t.next()
        if loc not in self.params and loc not in self.init:
            raise t.fail(f"{loc!r} is not a parameter of this thread")
        return loc

    def order(self) -> Order:
        word = self.toks.next()
        if word not in MEMORY_ORDERS:
            raise self.toks.fail(f"unknown memory order {word!r}")
        return MEMORY_ORDERS[word]

    def fresh(self) -> str:
        self.hidden += 1
        return f"#{self.hidden}"

    # --- expressions: (hoisted statements, pure expression) ------------------------------

    def expr(self, level: int = 0) -> tuple[list[Stmt], Expr]:
        if level == len(LEVELS):
            return self.unary()
        pre, left = self.expr(level + 1)
        while self.toks.peek() in LEVELS[level]:
            op = self.toks.next()
            more, right = self.expr(level + 1)
            if more and op in ("&&", "||"):
                hoisted, left = self.short_circuit(op, left, more, right)
                pre = pre + hoisted
            else:
                pre, left = pre + more, Bin(op, left, right)
        return pre, left

    def short_circuit(self, op: str, left: Expr, more: list[Stmt],
                      right: Expr) -> tuple[list[Stmt], Expr]:
        """`left && right` / `left || right` whose right side accesses memory (C semantics).

        The right side's accesses happen only when the left side does not decide:
            #t = left != 0;  if (#t) { more; #t = right != 0; }      (&&; `if (!#t)` for ||)
        and the value is #t, 0 or 1 as C's.
        """
        flag = self.fresh()
        test: Expr = Reg(flag) if op == "&&" else Un("!", Reg(flag))
        return [Assign(flag, Bin("!=", left, Const(0))),
                If(test, (*more, Assign(flag, Bin("!=", right, Const(0)))))], Reg(flag)

    def unary(self) -> tuple[list[Stmt], Expr]:
        t = self.toks
        if t.accept("!"):
            pre, e = self.unary()
            return pre, Un("!", e)
        if t.accept("-"):
            pre, e = self.unary()
            return pre, Un("-", e)
        if t.accept("*"):
            reg = self.fresh()
            return [Load(reg, self.location(), "na")], Reg(reg)
        if t.accept("("):
            pre, e = self.expr()
            t.expect(")")
            return pre, e
        word = t.next()
        if word.isdigit():
            return [], Const(int(word))
        if t.peek() == "(":
            return self.call(word)
        if word in ("true", "false"):
            return [], Const(int(word == "true"))
        if word in self.params:
            raise t.fail(f"location {word!r} used as a value (write *{word})")
        return [], Reg(word)

    def call(self, fn: str) -> tuple[list[Stmt], Expr]:
        from .litmus_calls import call

        return call(self, fn)


def _target(s: Stmt) -> str:
    return getattr(s, "reg", "")


def _retarget(s: Stmt, reg: str) -> Stmt:
    assert isinstance(s, Load | Rmw | Cas)
    return replace(s, reg=reg)


def _condition(toks: _Tokens) -> Condition:
    if toks.peek() == "locations":
        toks.next()
        toks.expect("[")
        while not toks.accept("]"):
            toks.next()
        toks.accept(";")
    if toks.accept("~"):
        toks.expect("exists")
        quantifier = "~exists"
    else:
        quantifier = toks.next()
        if quantifier not in ("exists", "forall"):
            raise toks.fail("expected exists, ~exists or forall")
    prop = _prop_or(toks)
    return Condition(quantifier, prop)  # type: ignore[arg-type]


def _prop_or(toks: _Tokens) -> Prop:
    args = [_prop_and(toks)]
    while toks.accept("\\/"):
        args.append(_prop_and(toks))
    return args[0] if len(args) == 1 else Prop("or", tuple(args))


def _prop_and(toks: _Tokens) -> Prop:
    args = [_prop_atom(toks)]
    while toks.accept("/\\"):
        args.append(_prop_atom(toks))
    return args[0] if len(args) == 1 else Prop("and", tuple(args))


def _prop_atom(toks: _Tokens) -> Prop:
    if toks.accept("~"):
        return Prop("not", (_prop_atom(toks),))
    if toks.accept("("):
        inner = _prop_or(toks)
        toks.expect(")")
        return inner
    word = toks.next()
    if word in ("true", "false"):
        return Prop(word)
    if word == "[":
        word = toks.next()
        toks.expect("]")
    elif toks.accept(":"):
        word = f"{word.lstrip('P')}:{toks.next()}"
    if not toks.accept("="):
        toks.expect("==")
    return Prop("eq", name=word, value=_number(toks))


__all__ = ["ORDERS", "LitmusSyntaxError", "parse_litmus"]
