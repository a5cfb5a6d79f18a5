"""Printing: the precedence table and the shared, non-recursive print driver.

A printer is a function `parts(node)` returning a list of strings and
`Child(expr, level, strict)` items; `render` expands the children with an
explicit stack, adding brackets where `parenthesize` says they are needed.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, NamedTuple, Union

from ..expr import E, HALF, Add, Expr, Mul, Num, Pow, Sum, mul, pow_

ADD, MUL, NEG, POW, ATOM = 10, 20, 30, 40, 50


class Child(NamedTuple):
    expr: Expr
    level: int = 0
    strict: bool = False


Part = Union[str, Child]


def is_negative(e: Expr) -> bool:
    """Does the expression print with a leading minus sign?"""
    if type(e) is Num:
        return e.value < 0
    return type(e) is Mul and type(e.factors[0]) is Num and e.factors[0].value < 0


def split_fraction(e: Expr) -> tuple[bool, Fraction, list[Expr], list[Expr]]:
    """(negative, |coefficient|, numerator factors, denominator factors) of a product."""
    factors = e.factors if type(e) is Mul else (e,)
    coeff = Fraction(1)
    if type(factors[0]) is Num:
        coeff, factors = factors[0].value, factors[1:]
    top: list[Expr] = []
    bottom: list[Expr] = []
    for f in factors:
        if type(f) is Pow and type(f.exp) is Num and f.exp.value < 0:
            bottom.append(pow_(f.base, Num(-f.exp.value)))
        else:
            top.append(f)
    return coeff < 0, abs(coeff), top, bottom


def precedence(e: Expr) -> int:
    t = type(e)
    if t is Add:
        return ADD
    if t is Num:
        if e.value < 0:
            return NEG
        return ATOM if e.value.denominator == 1 else MUL
    if t is Mul:
        return NEG if is_negative(e) else MUL
    if t is Sum:
        return MUL  # its body runs to the end of a product
    if t is Pow:
        if e.base is E or e.exp is HALF:
            return ATOM
        if type(e.exp) is Num and e.exp.value < 0:
            return MUL
        return POW
    return ATOM


def needs_brackets(child: Child) -> bool:
    p = precedence(child.expr)
    return p < child.level or (child.strict and p == child.level)


def render(
    root: Expr,
    parts: Callable[[Expr], list[Part]],
    open_: str = "(",
    close: str = ")",
) -> str:
    """Expand `root` with the printer `parts`, bracketing children as needed."""
    out: list[str] = []
    stack: list[Part] = [Child(root)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif needs_brackets(item):
            stack.extend((close, Child(item.expr), open_))
        else:
            stack.extend(reversed(parts(item.expr)))
    return "".join(out)


def neg_term(e: Expr) -> Expr:
    """The term without its leading minus: `-2*x` -> `2*x`."""
    if type(e) is Num:
        return Num(-e.value)
    return mul(Num(-e.factors[0].value), *e.factors[1:])


def sum_parts(terms: tuple[Expr, ...]) -> list[Part]:
    """`a + b - c`: a negative term after the first is shown as subtraction."""
    out: list[Part] = [Child(terms[0], ADD)]
    for t in terms[1:]:
        if is_negative(t):
            out += [" - ", Child(neg_term(t), ADD, strict=True)]
        else:
            out += [" + ", Child(t, ADD, strict=True)]
    return out
