"""The function table: everything symdiff knows about a named function, in one row.

Each `Function` row holds a function's names, its derivative f'(u) as an
expression in u, its real domain, its float value, its LaTeX and Unicode
spellings, its parity, its value at 0, its sign, the names other libraries
use for it and the phrase key its derivation step is titled by.  The
parsers, `diff`, `evaluate`, the simplifier, the printers and the steps all
read this table; adding a function is adding a row (plus its tests).

A name that is not in the table, applied to brackets (`f(x)`), is an
*undefined function*: it differentiates to `f'(x)` by the chain rule and has
no value.  `sqrt`, `exp` and `ln`/`log` are spelt like functions but build
powers and logarithms (`BUILDERS`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from .errors import EvaluationError
from .runtime import _math_sigmoid as _sigmoid, _math_softplus as _softplus  # stable forms, shared with generated code
from .expr import (
    HALF, NEG_ONE, ONE, PI, TWO, ZERO, Expr, Func, Num, add, exp, func, ln, mul, neg,
    pow_, sqrt, sub,
)


class Parity(Enum):
    ODD = "odd"  # f(-u) = -f(u)
    EVEN = "even"  # f(-u) = f(u)


@dataclass(frozen=True)
class Domain:
    """Where a function is defined on the reals: a test and its statement in u."""

    text: str
    contains: Callable[[float], bool]


REALS = Domain("every real u", lambda u: True)
UNIT_CLOSED = Domain("-1 <= u <= 1", lambda u: -1.0 <= u <= 1.0)
UNIT_OPEN = Domain("-1 < u < 1", lambda u: -1.0 < u < 1.0)
AT_LEAST_ONE = Domain("u >= 1", lambda u: u >= 1.0)
NONZERO = Domain("u != 0", lambda u: u != 0.0)
COS_NONZERO = Domain("cos(u) != 0", lambda u: math.cos(u) != 0.0)
SIN_NONZERO = Domain("sin(u) != 0", lambda u: math.sin(u) != 0.0)


@dataclass(frozen=True)
class Function:
    """One row of the table.  `derivative(u)` is f'(u); the chain rule multiplies by u'."""

    name: str
    derivative: Callable[[Expr], Expr]
    value: Callable[[float], float]
    latex: str  # the command before \left( ... \right), or a template with {} for the argument
    phrase: str  # key of the step title in symdiff.languages
    aliases: tuple[str, ...] = ()
    domain: Domain = REALS
    parity: Parity | None = None
    at_zero: Expr | None = None
    nonnegative: bool = False  # f(u) >= 0 wherever defined
    unicode: str = ""  # defaults to the name; a template with {} like `latex`
    numpy: str | None = None  # attribute of numpy computing it, when there is one
    sympy: str | None = None  # attribute of sympy, when there is one
    math: str | None = None  # attribute of Python's math module, when there is one
    torch: str | None = None  # dotted name after `import torch`, when there is one
    jax: str | None = None  # dotted name after `import jax, jax.numpy as jnp`, when there is one

    def __call__(self, u: Expr) -> Expr:
        return func(self.name, u)

    @property
    def symbol(self) -> str:
        """The Unicode spelling: `σ` for the sigmoid, else the name."""
        return self.unicode or self.name

    def evaluate(self, u: float) -> float:
        """f(u) as a float; EvaluationError outside the domain."""
        if not self.domain.contains(u):
            raise EvaluationError(f"{self.name}({u:g}) is undefined: it needs {self.domain.text}")
        try:
            return self.value(u)
        except (OverflowError, ValueError):
            raise EvaluationError(f"{self.name}({u:g}) is not a finite real number") from None


def _sign(u: float) -> float:
    return (u > 0) - (u < 0)


def _one_minus_square(u: Expr) -> Expr:
    return sub(ONE, pow_(u, TWO))


NEG_HALF = Num(Fraction(-1, 2))
TWO_OVER_ROOT_PI = mul(TWO, pow_(PI, NEG_HALF))


def _f(name: str) -> Callable[[Expr], Expr]:
    return lambda u: func(name, u)


ROWS: tuple[Function, ...] = (
    Function("sin", _f("cos"), math.sin, r"\sin", "trig",
             parity=Parity.ODD, at_zero=ZERO, numpy="sin", sympy="sin", math="sin", torch="torch.sin", jax="jnp.sin"),
    Function("cos", lambda u: neg(func("sin", u)), math.cos, r"\cos", "trig",
             parity=Parity.EVEN, at_zero=ONE, numpy="cos", sympy="cos", math="cos", torch="torch.cos", jax="jnp.cos"),
    Function("tan", lambda u: pow_(func("sec", u), TWO), math.tan, r"\tan", "trig",
             domain=COS_NONZERO, parity=Parity.ODD, at_zero=ZERO, numpy="tan", sympy="tan", math="tan", torch="torch.tan", jax="jnp.tan"),
    Function("cot", lambda u: neg(pow_(func("csc", u), TWO)), lambda u: 1.0 / math.tan(u),
             r"\cot", "trig", domain=SIN_NONZERO, parity=Parity.ODD, sympy="cot"),
    Function("sec", lambda u: mul(func("sec", u), func("tan", u)), lambda u: 1.0 / math.cos(u),
             r"\sec", "trig", domain=COS_NONZERO, parity=Parity.EVEN, at_zero=ONE, sympy="sec"),
    Function("csc", lambda u: neg(mul(func("csc", u), func("cot", u))),
             lambda u: 1.0 / math.sin(u), r"\csc", "trig", domain=SIN_NONZERO,
             parity=Parity.ODD, sympy="csc"),
    Function("asin", lambda u: pow_(_one_minus_square(u), NEG_HALF), math.asin, r"\arcsin",
             "inverse_trig", aliases=("arcsin",), domain=UNIT_CLOSED, parity=Parity.ODD,
             at_zero=ZERO, unicode="arcsin", numpy="arcsin", sympy="asin", math="asin", torch="torch.asin", jax="jnp.arcsin"),
    Function("acos", lambda u: neg(pow_(_one_minus_square(u), NEG_HALF)), math.acos,
             r"\arccos", "inverse_trig", aliases=("arccos",), domain=UNIT_CLOSED,
             unicode="arccos", numpy="arccos", sympy="acos", math="acos", torch="torch.acos", jax="jnp.arccos"),
    Function("atan", lambda u: pow_(add(ONE, pow_(u, TWO)), NEG_ONE), math.atan, r"\arctan",
             "inverse_trig", aliases=("arctan",), parity=Parity.ODD, at_zero=ZERO,
             unicode="arctan", numpy="arctan", sympy="atan", math="atan", torch="torch.atan", jax="jnp.arctan"),
    Function("sinh", _f("cosh"), math.sinh, r"\sinh", "hyperbolic",
             parity=Parity.ODD, at_zero=ZERO, numpy="sinh", sympy="sinh", math="sinh", torch="torch.sinh", jax="jnp.sinh"),
    Function("cosh", _f("sinh"), math.cosh, r"\cosh", "hyperbolic",
             parity=Parity.EVEN, at_zero=ONE, nonnegative=True, numpy="cosh", sympy="cosh", math="cosh", torch="torch.cosh", jax="jnp.cosh"),
    Function("tanh", lambda u: pow_(func("cosh", u), Num(-2)), math.tanh, r"\tanh",
             "hyperbolic", parity=Parity.ODD, at_zero=ZERO, numpy="tanh", sympy="tanh", math="tanh", torch="torch.tanh", jax="jnp.tanh"),
    Function("asinh", lambda u: pow_(add(pow_(u, TWO), ONE), NEG_HALF), math.asinh,
             r"\mathrm{arsinh}", "inverse_hyperbolic", aliases=("arsinh", "arcsinh"),
             parity=Parity.ODD, at_zero=ZERO, unicode="arsinh", numpy="arcsinh", sympy="asinh", math="asinh", torch="torch.asinh", jax="jnp.arcsinh"),
    Function("acosh", lambda u: pow_(add(pow_(u, TWO), NEG_ONE), NEG_HALF), math.acosh,
             r"\mathrm{arcosh}", "inverse_hyperbolic", aliases=("arcosh", "arccosh"),
             domain=AT_LEAST_ONE, nonnegative=True, unicode="arcosh", numpy="arccosh",
             sympy="acosh", math="acosh", torch="torch.acosh", jax="jnp.arccosh"),
    Function("atanh", lambda u: pow_(_one_minus_square(u), NEG_ONE), math.atanh,
             r"\mathrm{artanh}", "inverse_hyperbolic", aliases=("artanh", "arctanh"),
             domain=UNIT_OPEN, parity=Parity.ODD, at_zero=ZERO, unicode="artanh",
             numpy="arctanh", sympy="atanh", math="atanh", torch="torch.atanh", jax="jnp.arctanh"),
    Function("erf", lambda u: mul(TWO_OVER_ROOT_PI, exp(neg(pow_(u, TWO)))), math.erf,
             r"\mathrm{erf}", "erf", parity=Parity.ODD, at_zero=ZERO, sympy="erf", math="erf", torch="torch.erf", jax="jax.scipy.special.erf"),
    Function("erfc", lambda u: neg(mul(TWO_OVER_ROOT_PI, exp(neg(pow_(u, TWO))))), math.erfc,
             r"\mathrm{erfc}", "erf", at_zero=ONE, nonnegative=True, sympy="erfc", math="erfc", torch="torch.erfc", jax="jax.scipy.special.erfc"),
    Function("sigmoid", lambda u: mul(func("sigmoid", u), sub(ONE, func("sigmoid", u))),
             _sigmoid, r"\sigma", "sigmoid", at_zero=HALF, nonnegative=True, unicode="σ", torch="torch.sigmoid", jax="jax.nn.sigmoid"),
    Function("softplus", _f("sigmoid"), _softplus, r"\mathrm{softplus}", "softplus",
             nonnegative=True, jax="jax.nn.softplus"),
    Function("relu", _f("heaviside"), lambda u: max(u, 0.0), r"\mathrm{relu}", "relu",
             at_zero=ZERO, nonnegative=True, sympy=None, torch="torch.relu", jax="jax.nn.relu"),
    # The step function is undefined at 0, so relu' = heaviside is too: relu has no
    # derivative there, and symdiff says so rather than pick a convention.
    Function("heaviside", lambda u: ZERO, lambda u: float(u > 0), r"\mathrm{heaviside}",
             "heaviside", domain=NONZERO, nonnegative=True, sympy="Heaviside"),
    Function("sign", lambda u: ZERO, _sign, r"\mathrm{sgn}", "sign", aliases=("sgn",),
             parity=Parity.ODD, at_zero=ZERO, unicode="sgn", numpy="sign", sympy="sign", torch="torch.sign", jax="jnp.sign"),
    Function("abs", lambda u: mul(u, pow_(func("abs", u), NEG_ONE)), abs, r"\left|{}\right|", "abs",
             parity=Parity.EVEN, at_zero=ZERO, nonnegative=True, unicode="|{}|", numpy="abs",
             sympy="Abs", math="fabs", torch="torch.abs", jax="jnp.abs"),
)


FUNCTIONS: dict[str, Function] = {row.name: row for row in ROWS}
_BY_SPELLING: dict[str, Function] = {
    spelling: row for row in ROWS for spelling in (row.name, *row.aliases)
}

# Spelt like functions, built as other nodes.
BUILDERS: dict[str, Callable[[Expr], Expr]] = {"sqrt": sqrt, "exp": exp, "ln": ln, "log": ln}


def maximum(a: Expr, b: Expr) -> Expr:
    """max(a, b) = a + relu(b - a): exact, and differentiable wherever a != b."""
    if a is ZERO:
        return func("relu", b)
    if b is ZERO:
        return func("relu", a)
    return add(a, func("relu", sub(b, a)))


def minimum(a: Expr, b: Expr) -> Expr:
    """min(a, b) = a - relu(a - b), which is -max(-a, -b)."""
    if a is ZERO:
        return neg(func("relu", neg(b)))
    if b is ZERO:
        return neg(func("relu", neg(a)))
    return sub(a, func("relu", sub(a, b)))


# Functions of two arguments, built from the rows above: max(0, u) is relu(u).
BINARY_BUILDERS: dict[str, Callable[[Expr, Expr], Expr]] = {"max": maximum, "min": minimum}


def notation(template: str, open_: str, close: str) -> tuple[str, str]:
    """What a printer writes before and after the argument: a template's two
    halves (`|{}|`), or a function's name and the printer's brackets."""
    if "{}" in template:
        before, _, after = template.partition("{}")
        return before, after
    return template + open_, close


def lookup(name: str) -> Function | None:
    """The row for a name or alias (`arcsin` is `asin`), else None."""
    return _BY_SPELLING.get(name)


def spellings() -> Iterator[str]:
    """Every name the parsers read as a known function: rows, aliases and builders."""
    yield from _BY_SPELLING
    yield from BUILDERS


def apply(name: str, u: Expr) -> Expr:
    """`name(u)` for a known spelling; an unknown name is an undefined function."""
    builder = BUILDERS.get(name)
    if builder is not None:
        return builder(u)
    row = lookup(name)
    return func(row.name if row else name, u)


# ------------------------------------------------------------- undefined functions

PRIME = "'"


def is_undefined(e: Expr) -> bool:
    """Is `e` an application of a function symdiff does not know (`f(x)`, `f'(x)`)?"""
    return type(e) is Func and e.name not in FUNCTIONS


def undefined_derivative(u: Expr, name: str) -> Expr:
    """f'(u) for an undefined f: one more prime (`f` -> `f'` -> `f''`)."""
    return func(name + PRIME, u)


def undefined_name(name: str) -> tuple[str, int]:
    """`f''` -> (`f`, 2)."""
    base = name.rstrip(PRIME)
    return base, len(name) - len(base)
