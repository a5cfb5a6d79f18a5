"""Simplification: named rewrites, applied bottom-up until nothing changes.

Each `Rewrite` has a name (the identity it applies, read as documentation and
shown in derivation steps) and a function that returns the rewritten node or
None.  Every rewrite holds wherever its input is defined on the reals; the
result may be defined in more places.  Like other computer algebra systems we
let removable singularities disappear: `x/x` is `1`, `x^2/x` is `x`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

from .expr import (
    E, ONE, ZERO, Add, Expr, Func, Log, Mul, Num, Pow, Sym,
    _fold_numeric_power, add, factor_key, mul, pow_,
)

# A rewrite that keeps producing new forms is cut off after this many in a row.
MAX_REWRITE_CHAIN = 64


class Rewrite(NamedTuple):
    name: str
    node: type
    fn: Callable[[Expr], Expr | None]


def split_coefficient(e: Expr) -> tuple[Fraction, Expr]:
    """`3*x*y` -> (3, x*y); `x` -> (1, x); `5` -> (5, 1)."""
    if type(e) is Num:
        return e.value, ONE
    if type(e) is Mul and type(e.factors[0]) is Num:
        rest = e.factors[1:]
        return e.factors[0].value, rest[0] if len(rest) == 1 else Mul(rest)
    return Fraction(1), e


def split_power(e: Expr) -> tuple[Expr, Expr]:
    return (e.base, e.exp) if type(e) is Pow else (e, ONE)


def degree(e: Expr) -> Fraction:
    """Total numeric degree in the variables: `3*x^2*y` -> 3."""
    total = Fraction(0)
    for f in e.factors if type(e) is Mul else (e,):
        base, exp = split_power(f)
        if type(base) is Sym and type(exp) is Num:
            total += exp.value
    return total


def term_key(e: Expr) -> tuple:
    """Order of terms in a sum: higher degree first, then by factors."""
    _, rest = split_coefficient(e)
    factors = rest.factors if type(rest) is Mul else (rest,)
    return (-degree(rest), len(factors), tuple(factor_key(f) for f in factors))


def order_terms(terms: list[Expr]) -> list[Expr]:
    """Canonical order, then the first positive term moved to the front (`1 - x`)."""
    numbers = [t for t in terms if type(t) is Num]
    rest = sorted((t for t in terms if type(t) is not Num), key=term_key)
    ordered = rest + numbers
    for i, t in enumerate(ordered):
        if split_coefficient(t)[0] > 0:
            return [t, *ordered[:i], *ordered[i + 1 :]]
    return ordered


# --------------------------------------------------------------------- sums


def collect_terms(e: Expr) -> Expr | None:
    """2*x + 3*x -> 5*x, x*y - y*x -> 0; then order the terms."""
    groups: dict[Expr, Fraction] = {}
    for t in e.terms:
        c, rest = split_coefficient(t)
        groups[rest] = groups.get(rest, 0) + c
    terms = [mul(Num(c), rest) for rest, c in groups.items() if c]
    return add(*order_terms(terms))


# ----------------------------------------------------------------- products


def collect_powers(e: Expr) -> Expr | None:
    """x*x -> x^2, x^a*x^b -> x^(a + b)."""
    groups: dict[Expr, list[Expr]] = {}
    for f in e.factors:
        base, exp = split_power(f)
        groups.setdefault(base, []).append(exp)
    if len(groups) == len(e.factors):
        return None
    return mul(*(pow_(base, add(*exps)) for base, exps in groups.items()))


# ------------------------------------------------------------------- powers


def exp_of_log(e: Expr) -> Expr | None:
    """b^(log_b(u)) -> u."""
    if type(e.exp) is Log and e.exp.base is e.base:
        return e.exp.arg
    return None


# --------------------------------------------------------------- logarithms


def log_of_base(e: Expr) -> Expr | None:
    """log_b(b) -> 1, ln(e) -> 1."""
    return ONE if e.arg is e.base and e.base is not ONE else None


def log_of_one(e: Expr) -> Expr | None:
    """log_b(1) -> 0."""
    return ZERO if e.arg is ONE and e.base is not ONE else None


def log_of_power_of_base(e: Expr) -> Expr | None:
    """log_b(b^u) -> u."""
    if type(e.arg) is Pow and e.arg.base is e.base:
        return e.arg.exp
    return None


def exact_log(e: Expr) -> Expr | None:
    """log_2(8) -> 3, log_4(2) -> 1/2: a rational logarithm of rational numbers."""
    arg, base = e.arg, e.base
    if not (type(arg) is Num and type(base) is Num and arg.value > 0 and base.value > 0):
        return None
    if base.value == 1:
        return None
    guess = math.log(arg.value) / math.log(base.value)
    for q in range(1, 13):
        k = Fraction(round(guess * q), q)
        if _fold_numeric_power(base.value, k) == arg.value:
            return Num(k)
    return None


# ---------------------------------------------------------------- functions

VALUES_AT_ZERO = {
    "sin": ZERO, "tan": ZERO, "asin": ZERO, "atan": ZERO, "sinh": ZERO, "tanh": ZERO,
    "cos": ONE, "cosh": ONE, "sigmoid": Num(Fraction(1, 2)),
}


def function_at_zero(e: Expr) -> Expr | None:
    """sin(0) -> 0, cos(0) -> 1, sigmoid(0) -> 1/2, ..."""
    return VALUES_AT_ZERO.get(e.name) if e.arg is ZERO else None


def abs_of_number(e: Expr) -> Expr | None:
    """abs(-3) -> 3."""
    if e.name == "abs" and type(e.arg) is Num:
        return Num(abs(e.arg.value))
    return None


REWRITES: list[Rewrite] = [
    Rewrite("collect like terms", Add, collect_terms),
    Rewrite("x^a*x^b -> x^(a+b)", Mul, collect_powers),
    Rewrite("b^(log_b(u)) -> u", Pow, exp_of_log),
    Rewrite("log_b(b) -> 1", Log, log_of_base),
    Rewrite("log_b(1) -> 0", Log, log_of_one),
    Rewrite("log_b(b^u) -> u", Log, log_of_power_of_base),
    Rewrite("exact logarithm", Log, exact_log),
    Rewrite("f(0)", Func, function_at_zero),
    Rewrite("abs(c) -> |c|", Func, abs_of_number),
]


def _rewrites_by_type() -> dict[type, list[Rewrite]]:
    table: dict[type, list[Rewrite]] = {}
    for rw in REWRITES:
        table.setdefault(rw.node, []).append(rw)
    return table


BY_TYPE = _rewrites_by_type()


class Simplifier:
    """One simplification run; remembers every node it has settled."""

    def __init__(self) -> None:
        self.done: dict[Expr, Expr] = {}

    def run(self, root: Expr, chain: int = 0) -> Expr:
        done = self.done
        stack: list[tuple[Expr, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if node in done:
                continue
            if not expanded:
                stack.append((node, True))
                stack.extend((c, False) for c in node.args if c not in done)
                continue
            kids = tuple(done[c] for c in node.args)
            current = node.rebuild(kids) if kids != node.args else node
            if current is not node and current in done:
                done[node] = done[current]
                continue
            result = self.rewrite(current, chain)
            done[node] = done[current] = done[result] = result
        return done[root]

    def rewrite(self, node: Expr, chain: int) -> Expr:
        for rw in BY_TYPE.get(type(node), ()):
            out = rw.fn(node)
            if out is not None and out is not node:
                if chain >= MAX_REWRITE_CHAIN:
                    return out
                self.done[node] = node  # provisional: breaks rewrite cycles
                return self.run(out, chain + 1)
        return node


def simplify(e: Expr) -> Expr:
    """A shorter equal form of `e`; deterministic and idempotent."""
    return Simplifier().run(e)
