"""Hypothesis strategies: random expression trees with domain guards built in.

Every tree is defined and smooth for all real `x` and `y`: logarithms, roots
and divisions only ever see `positive(u) = 1 + u^2`; inverse trig functions
see arguments inside [-1/2, 1/2]; `tan` sees arguments inside [-1/2, 1/2];
`asec`, `acsc`, `acoth` see `1 + positive(u)` >= 2, `csch` and `coth` see
`positive(u)`; `atan2` and `hypot` never see the origin.  Trigonometric
functions also see multiples of pi by a number (`sin(3*pi/4)`, `tan(pi/3)`,
never a pole), whose exact values the simplifier knows.
"""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import assume
from hypothesis import strategies as st

from symdiff import expr as E
from symdiff.errors import EvaluationError
from symdiff.evaluate import evaluate

X, Y = E.sym("x"), E.sym("y")


def positive(u: E.Expr) -> E.Expr:
    """An expression >= 1 everywhere: 1 + u^2."""
    return E.add(E.ONE, E.pow_(u, E.TWO))


def bounded(u: E.Expr) -> E.Expr:
    """An expression inside [-1/2, 1/2]: sin(u)/2."""
    return E.mul(E.HALF, E.func("sin", u))


numbers = st.one_of(
    st.integers(-4, 5).map(E.num),
    st.fractions(min_value=-3, max_value=3, max_denominator=4).map(E.num),
)
leaves = st.one_of(st.sampled_from([X, X, Y, E.E, E.PI]), numbers)

UNARY = [
    lambda u: E.func("sin", u),
    lambda u: E.func("cos", u),
    lambda u: E.func("atan", u),
    lambda u: E.func("tanh", u),
    lambda u: E.func("sigmoid", u),
    lambda u: E.func("softplus", u),
    lambda u: E.func("sinh", bounded(u)),
    lambda u: E.func("cosh", bounded(u)),
    lambda u: E.func("tan", bounded(u)),
    lambda u: E.func("asin", bounded(u)),
    lambda u: E.func("acos", bounded(u)),
    lambda u: E.exp(bounded(u)),
    lambda u: E.exp(u),
    lambda u: E.ln(positive(u)),
    lambda u: E.log(positive(u), E.num(2)),
    lambda u: E.log(positive(u), E.num(10)),
    lambda u: E.sqrt(positive(u)),
    lambda u: E.func("abs", positive(u)),
    lambda u: E.func("acot", u),
    lambda u: E.func("asec", E.add(E.ONE, positive(u))),
    lambda u: E.func("acsc", E.neg(E.add(E.ONE, positive(u)))),
    lambda u: E.func("sech", u),
    lambda u: E.func("csch", positive(u)),
    lambda u: E.func("coth", E.neg(positive(u))),
    lambda u: E.func("acoth", E.add(E.ONE, positive(u))),
    lambda u: E.func("cbrt", E.add(E.TWO, bounded(u))),  # away from 0, where its slope is infinite
    lambda u: E.func("log1p", E.pow_(u, E.TWO)),
    lambda u: E.func("expm1", bounded(u)),
]

# Exact values: a trigonometric function of a number times pi; at a pole (tan(pi/2)),
# the angle moves on by pi/4, so that every tree is defined everywhere.
POLES = {"tan": Fraction(1, 2), "sec": Fraction(1, 2), "cot": Fraction(0), "csc": Fraction(0)}


def _at_pi(name: str, q: Fraction) -> E.Expr:
    if name in POLES and (q - POLES[name]) % 1 == 0:
        q += Fraction(1, 4)
    return E.func(name, E.mul(E.num(q), E.PI))


AT_PI = st.builds(_at_pi, st.sampled_from(["sin", "cos", "tan", "cot", "sec", "csc"]),
                  st.fractions(min_value=-4, max_value=4, max_denominator=12))
INVERSE_AT = st.builds(lambda name, v: E.func(name, v),
                       st.sampled_from(["asin", "acos", "atan", "acot"]),
                       st.sampled_from([E.ZERO, E.HALF, E.neg(E.HALF), E.ONE, E.NEG_ONE, E.mul(E.HALF, E.sqrt(E.TWO)),
                                        E.mul(E.num(Fraction(-1, 2)), E.sqrt(E.num(3))), E.pow_(E.num(3), E.num(Fraction(-1, 2)))]))

BINARY = [
    E.add,
    E.sub,
    E.mul,
    lambda a, b: E.div(a, positive(b)),
    lambda a, b: E.pow_(positive(a), b),  # f(x)^g(x): logarithmic differentiation
    lambda a, b: E.log(positive(a), E.add(E.TWO, E.pow_(b, E.TWO))),  # variable base
    lambda a, b: E.func("atan2", a, positive(b)),  # x > 0: away from the branch cut
    lambda a, b: E.func("hypot", a, positive(b)),
]


def _extend(children: st.SearchStrategy[E.Expr]) -> st.SearchStrategy[E.Expr]:
    return st.one_of(
        st.builds(lambda f, u: f(u), st.sampled_from(UNARY), children),
        st.builds(lambda f, a, b: f(a, b), st.sampled_from(BINARY), children, children),
        st.builds(E.pow_, children, st.integers(2, 4).map(E.num)),
        st.builds(lambda u, q: E.pow_(positive(u), E.num(q)),
                  children, st.sampled_from([Fraction(1, 2), Fraction(-1, 2), Fraction(3, 2), Fraction(-1)])),
    )


def exprs(*, max_leaves: int = 10) -> st.SearchStrategy[E.Expr]:
    """Random expressions in x and y, smooth on all of R^2 but at the poles of AT_PI."""
    return st.recursive(st.one_of(leaves, leaves, leaves, AT_PI, INVERSE_AT), _extend, max_leaves=max_leaves)


points = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False).map(lambda v: round(v, 3))


def value(e: E.Expr, env: dict[str, float]) -> float:
    """evaluate(), with overflowing or undefined points assumed away."""
    try:
        v = evaluate(e, env)
    except EvaluationError:
        assume(False)
    assume(abs(v) < 1e8)
    return v


def central_difference(f, x: float, h: float) -> float:
    """Richardson-extrapolated central difference: error O(h^4)."""
    d1 = (f(x + h) - f(x - h)) / (2 * h)
    d2 = (f(x + h / 2) - f(x - h / 2)) / h
    return (4 * d2 - d1) / 3


def numeric_derivative(e: E.Expr, var: str, env: dict[str, float]) -> float:
    """d e / d var at env, or an assumption failure where the estimate is unreliable.

    Two step sizes must agree before the estimate is trusted: if they do not,
    the function is too curved here for finite differences to be a reference.
    """

    def f(t: float) -> float:
        return value(e, {**env, var: t})

    x = env[var]
    coarse = central_difference(f, x, 1e-2)
    fine = central_difference(f, x, 5e-3)
    assume(math.isclose(coarse, fine, rel_tol=1e-6, abs_tol=1e-7))
    return fine
