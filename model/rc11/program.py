"""Programs: the statement tree that litmus files and the builder produce, and its flat code.

Background: a litmus test is a handful of threads of C code over shared
locations; the explorer needs, for each thread, "what is the next memory event
given the values read so far". Control flow (`if`, `while`) depends on values
read, so a thread is an interpreter state (pc, registers) rather than a fixed
list of events.

Problem: one representation for the herd7 C front end and the Python builder,
and a cheap `advance` that runs a thread up to its next event.

Model: a `Program` holds threads of statements (`Load`, `Store`, `Rmw`, `Cas`,
`Fence`, `Free`, `Assign`, `If`, `While`, `Assume`) over pure expressions of
registers. `compile_thread` flattens a thread into instructions with jumps;
`while` is unrolled to a bound, and an execution that would need more
iterations is *cut* (an assume that fails, counted apart, as herd7 and GenMC
do). A CAS reads its expected value from a (thread-private) location and
writes the value it saw back there on failure, as C does.

Example:
    >>> t = compile_thread((Load("r0", "x", "acq"),), unroll=2)
    >>> t.code[0]
    ILoad(reg=0, loc='x', order='acq', text='r0 = load_acq(x)')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Order = Literal["na", "rlx", "acq", "rel", "acq_rel", "sc"]
ORDERS: tuple[Order, ...] = ("na", "rlx", "acq", "rel", "acq_rel", "sc")
RmwOp = Literal["add", "sub", "and", "or", "xor", "xchg"]


# --- expressions over registers ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Const:
    """An integer constant."""

    value: int


@dataclass(frozen=True, slots=True)
class Reg:
    """A thread-local register (C local variable)."""

    name: str


@dataclass(frozen=True, slots=True)
class Bin:
    """A binary C operator (`+ - * & | ^ == != < <= > >= && ||`)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Un:
    """A unary C operator (`!` or `-`)."""

    op: str
    arg: Expr


Expr = Const | Reg | Bin | Un


# --- statements -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Load:
    """`reg = load(loc, order)`; order "na" is a plain `*loc` read."""

    reg: str
    loc: str
    order: Order = "na"


@dataclass(frozen=True, slots=True)
class Store:
    """`store(loc, value, order)`; order "na" is a plain `*loc = value`."""

    loc: str
    value: Expr
    order: Order = "na"


@dataclass(frozen=True, slots=True)
class Rmw:
    """`reg = atomic_fetch_OP(loc, operand, order)` (or `atomic_exchange` with op "xchg")."""

    reg: str
    loc: str
    op: RmwOp
    operand: Expr
    order: Order


@dataclass(frozen=True, slots=True)
class Cas:
    """`reg = atomic_compare_exchange(loc, expected_loc, desired, order, fail)`: 1 or 0."""

    reg: str
    loc: str
    expected: str
    desired: Expr
    order: Order
    fail: Order
    weak: bool = False


@dataclass(frozen=True, slots=True)
class Fence:
    """`atomic_thread_fence(order)`; a relaxed fence is no event at all."""

    order: Order


@dataclass(frozen=True, slots=True)
class Free:
    """Free the allocation `loc`: a non-atomic write of the whole allocation."""

    loc: str


@dataclass(frozen=True, slots=True)
class Assign:
    """`reg = expr` (no memory access)."""

    reg: str
    value: Expr


@dataclass(frozen=True, slots=True)
class Assume:
    """Block every execution where `cond` is false here (GenMC's `assume`)."""

    cond: Expr


@dataclass(frozen=True, slots=True)
class If:
    """`if (cond) {then} else {other}` with C truthiness."""

    cond: Expr
    then: tuple[Stmt, ...]
    other: tuple[Stmt, ...] = ()


@dataclass(frozen=True, slots=True)
class While:
    """`while (cond) {body}`, unrolled to the program's bound."""

    cond: Expr
    body: tuple[Stmt, ...]


Stmt = Load | Store | Rmw | Cas | Fence | Free | Assign | Assume | If | While


# --- final conditions (herd7) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prop:
    """A node of a final condition: "and", "or", "not", "true", "false" or "eq" (name=value)."""

    op: str
    args: tuple[Prop, ...] = ()
    name: str = ""
    value: int = 0

    def holds(self, state: dict[str, int]) -> bool:
        """Whether the final state satisfies the proposition (a missing name is never equal)."""
        match self.op:
            case "and":
                return all(a.holds(state) for a in self.args)
            case "or":
                return any(a.holds(state) for a in self.args)
            case "not":
                return not self.args[0].holds(state)
            case "true":
                return True
            case "false":
                return False
        return state.get(self.name) == self.value

    def names(self) -> list[str]:
        """The registers and locations the proposition mentions, in order of appearance."""
        if self.op == "eq":
            return [self.name]
        out: list[str] = []
        for a in self.args:
            out += [n for n in a.names() if n not in out]
        return out

    def __str__(self) -> str:
        match self.op:
            case "and" | "or":
                sep = " /\\ " if self.op == "and" else " \\/ "
                return "(" + sep.join(str(a) for a in self.args) + ")"
            case "not":
                return f"~{self.args[0]}"
            case "true" | "false":
                return self.op
        return f"{self.name}={self.value}"


Quantifier = Literal["exists", "~exists", "forall"]


@dataclass(frozen=True, slots=True)
class Condition:
    """herd7's final condition: a quantifier over a proposition on final states."""

    quantifier: Quantifier
    prop: Prop

    def __str__(self) -> str:
        text = str(self.prop)
        return f"{self.quantifier} {text if text.startswith('(') else '(' + text + ')'}"


@dataclass(frozen=True, slots=True)
class Program:
    """A named program: initial memory, threads of statements, a final condition."""

    name: str
    init: tuple[tuple[str, int], ...]
    threads: tuple[tuple[Stmt, ...], ...]
    condition: Condition = field(default=Condition("exists", Prop("true")))
    unroll: int = 2

    def locations(self) -> list[str]:
        """Every location: initialised ones first, then those the threads touch."""
        out = [loc for loc, _ in self.init]
        for thread in self.threads:
            for loc in _stmt_locs(thread):
                if loc not in out:
                    out.append(loc)
        return out


def _stmt_locs(stmts: tuple[Stmt, ...]) -> list[str]:
    out: list[str] = []
    for s in stmts:
        match s:
            case Cas():
                out += [s.loc, s.expected]
            case Load() | Store() | Rmw() | Free():
                out.append(s.loc)
            case If():
                out += _stmt_locs(s.then) + _stmt_locs(s.other)
            case While():
                out += _stmt_locs(s.body)
    return out


# --- flat code ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ILoad:
    """Read `loc` into register number `reg`."""

    reg: int
    loc: str
    order: Order
    text: str


@dataclass(frozen=True, slots=True)
class IStore:
    """Write the value of `value` to `loc` (a free if `free`)."""

    loc: str
    value: Expr
    order: Order
    text: str
    free: bool = False


@dataclass(frozen=True, slots=True)
class IRmw:
    """Atomic read-modify-write: old value into `reg`."""

    reg: int
    loc: str
    op: RmwOp
    operand: Expr
    order: Order
    text: str


@dataclass(frozen=True, slots=True)
class ICas:
    """CAS core: compare with the value of `expected`; `reg` := 1/0, `old` := value seen."""

    reg: int
    old: int
    loc: str
    expected: Expr
    desired: Expr
    order: Order
    fail: Order
    weak: bool
    text: str


@dataclass(frozen=True, slots=True)
class IFence:
    """A fence event."""

    order: Order
    text: str


@dataclass(frozen=True, slots=True)
class IAssign:
    """Register assignment (no event)."""

    reg: int
    value: Expr


@dataclass(frozen=True, slots=True)
class IAssume:
    """Block the execution unless `cond` holds; `cut` marks the unrolling bound."""

    cond: Expr
    cut: bool = False


@dataclass(frozen=True, slots=True)
class IJumpUnless:
    """Jump to `target` unless `cond` holds (an unconditional jump uses Const(0))."""

    cond: Expr
    target: int


Instr = ILoad | IStore | IRmw | ICas | IFence | IAssign | IAssume | IJumpUnless
EventInstr = ILoad | IStore | IRmw | ICas | IFence


@dataclass(frozen=True, slots=True)
class ThreadCode:
    """A compiled thread: flat code, register names (hidden ones start with '#')."""

    code: tuple[Instr, ...]
    regs: tuple[str, ...]
    may_write: tuple[frozenset[str], ...]  # per pc: locations the rest of the code may write


def evaluate(e: Expr, regs: tuple[int | None, ...], names: dict[str, int]) -> int:
    """The C value of `e` (unassigned registers read as 0, as herd7's locals)."""
    match e:
        case Const(v):
            return v
        case Reg(n):
            r = regs[names[n]]
            return 0 if r is None else r
        case Un(op, a):
            x = evaluate(a, regs, names)
            return int(not x) if op == "!" else -x
        case Bin(op, a, b):
            x = evaluate(a, regs, names)
            if op == "&&":
                return int(bool(x) and bool(evaluate(b, regs, names)))
            if op == "||":
                return int(bool(x) or bool(evaluate(b, regs, names)))
            return _BIN[op](x, evaluate(b, regs, names))
    raise TypeError(e)


_BIN: dict[str, Callable[[int, int], int]] = {
    "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
    "&": lambda x, y: x & y, "|": lambda x, y: x | y, "^": lambda x, y: x ^ y,
    "==": lambda x, y: int(x == y), "!=": lambda x, y: int(x != y),
    "<": lambda x, y: int(x < y), "<=": lambda x, y: int(x <= y),
    ">": lambda x, y: int(x > y), ">=": lambda x, y: int(x >= y),
}
BIN_OPS = frozenset(_BIN) | {"&&", "||"}


def show(e: Expr) -> str:
    """C text of an expression."""
    match e:
        case Const(v):
            return str(v)
        case Reg(n):
            return n
        case Un(op, a):
            return f"{op}{show(a)}"
        case Bin(op, a, b):
            return f"({show(a)} {op} {show(b)})"
    raise TypeError(e)


class _Compiler:
    """Flattens one thread's statements; `while` bodies are copied `unroll` times."""

    def __init__(self, unroll: int) -> None:
        self.unroll = unroll
        self.code: list[Instr] = []
        self.regs: dict[str, int] = {}

    def reg(self, name: str) -> int:
        return self.regs.setdefault(name, len(self.regs))

    def block(self, stmts: tuple[Stmt, ...]) -> None:
        for s in stmts:
            self.stmt(s)

    def stmt(self, s: Stmt) -> None:
        emit = self.code.append
        match s:
            case Load(reg, loc, order):
                emit(ILoad(self.reg(reg), loc, order, f"{reg} = {_name('load', order)}({loc})"))
            case Store(loc, value, order):
                emit(IStore(loc, value, order, f"{_name('store', order)}({loc}, {show(value)})"))
            case Free(loc):
                emit(IStore(loc, Const(0), "na", f"free({loc})", free=True))
            case Rmw(reg, loc, op, operand, order):
                text = f"{reg} = {_name('fetch_' + op, order)}({loc}, {show(operand)})"
                emit(IRmw(self.reg(reg), loc, op, operand, order, text))
            case Cas():
                self.cas(s)
            case Fence(order):
                if order != "rlx":  # a relaxed fence orders nothing: no event (as herd7)
                    emit(IFence(order, f"fence_{order}"))
            case Assign(reg, value):
                emit(IAssign(self.reg(reg), value))
            case Assume(cond):
                emit(IAssume(cond))
            case If(cond, then, other):
                jump = len(self.code)
                emit(IJumpUnless(cond, -1))
                self.block(then)
                if other:
                    skip = len(self.code)
                    emit(IJumpUnless(Const(0), -1))
                    self.code[jump] = IJumpUnless(cond, len(self.code))
                    self.block(other)
                    self.code[skip] = IJumpUnless(Const(0), len(self.code))
                else:
                    self.code[jump] = IJumpUnless(cond, len(self.code))
            case While(cond, body):
                # Unrolled: `unroll` guarded copies of the body, then the exit must hold.
                for _ in range(self.unroll):
                    self.stmt(If(cond, body))
                emit(IAssume(Un("!", cond), cut=True))

    def cas(self, s: Cas) -> None:
        # C semantics: read *expected (plain), compare-exchange, on failure write back.
        exp, old = f"#{s.reg}.expected", f"#{s.reg}.old"
        self.stmt(Load(exp, s.expected, "na"))
        kind = "cas_weak" if s.weak else "cas"
        text = f"{s.reg} = {kind}_{s.order}_{s.fail}({s.loc}, *{s.expected}, {show(s.desired)})"
        self.code.append(ICas(self.reg(s.reg), self.reg(old), s.loc, Reg(exp), s.desired,
                              s.order, s.fail, s.weak, text))
        self.stmt(If(Un("!", Reg(s.reg)), (Store(s.expected, Reg(old), "na"),)))


def _name(verb: str, order: Order) -> str:
    return verb if order == "na" else f"{verb}_{order}"


def _may_write(code: tuple[Instr, ...]) -> tuple[frozenset[str], ...]:
    """Per pc, the locations some path from pc may write (a backwards fixpoint)."""
    sets: list[set[str]] = [set() for _ in range(len(code) + 1)]
    changed = True
    while changed:
        changed = False
        for pc in range(len(code) - 1, -1, -1):
            ins = code[pc]
            new = set(sets[pc + 1]) if not _is_goto(ins) else set()
            if isinstance(ins, IJumpUnless):
                new |= sets[ins.target]
            if isinstance(ins, IStore | IRmw | ICas):
                new.add(ins.loc)
            if new != sets[pc]:
                sets[pc], changed = new, True
    return tuple(frozenset(s) for s in sets)


def _is_goto(ins: Instr) -> bool:
    return isinstance(ins, IJumpUnless) and ins.cond == Const(0)


def compile_thread(stmts: tuple[Stmt, ...], unroll: int) -> ThreadCode:
    """Flatten a thread's statements into code with jumps."""
    c = _Compiler(unroll)
    c.block(stmts)
    code = tuple(c.code)
    return ThreadCode(code, tuple(c.regs), _may_write(code))
