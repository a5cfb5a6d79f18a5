"""How a term is put together, as every stage that writes one out sees it:
its sign, its quotient (the factors over and under the line) and the one
precedence scale of the printers and the code generator.

Just above the nodes (symdiff.expr); the differentiator, the simplifier,
the printers and code generation read these facts here.
"""

from __future__ import annotations

from fractions import Fraction

from .expr import Expr, Mul, Num, Pow, pow_

# Binding strength, loosest first: `a + b`, `a*b`, `-a`, `a^b`, atoms (names,
# numbers, calls, bracketed text).  Printers and generated code compare levels only.
ADD, MUL, NEG, POW, ATOM = 10, 20, 30, 40, 50


def is_negative(e: Expr) -> bool:
    """Does `e` carry a minus sign in front: a negative number, or a product with one first?"""
    # the numerator carries the sign: an int comparison, not a Fraction's
    if type(e) is Num:
        return e.value.numerator < 0
    return type(e) is Mul and type(e.factors[0]) is Num and e.factors[0].value.numerator < 0


def is_reciprocal(f: Expr) -> bool:
    """A factor written under the line: a power with a negative number for exponent."""
    return type(f) is Pow and type(f.exp) is Num and f.exp.value.numerator < 0


def sides(e: Expr) -> tuple[Fraction, list[tuple[Expr, bool]]]:
    """The coefficient of a product and its other factors in order, each as
    written and whether it goes below the line: `-3*x*y^-2` is
    (-3, [(x, False), (y^2, True)])."""
    factors = e.factors if type(e) is Mul else (e,)
    coeff = Fraction(1)
    out: list[tuple[Expr, bool]] = []
    for f in factors:
        if type(f) is Num:
            coeff *= f.value
        elif is_reciprocal(f):
            out.append((pow_(f.base, Num(-f.exp.value)), True))
        else:
            out.append((f, False))
    return coeff, out


def quotient(e: Expr) -> tuple[Fraction, list[Expr], list[Expr]]:
    """(coefficient, factors above the line, factors below it) of a product:
    `-3*x*y^-2` is (-3, [x], [y^2]).  The factors keep their order."""
    coeff, factors = sides(e)
    return coeff, [f for f, below in factors if not below], [f for f, below in factors if below]
