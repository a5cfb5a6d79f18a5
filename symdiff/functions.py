"""The function table: everything symdiff knows about a named function, in one row.

Each `Function` row holds a function's names, its derivative f'(u) as an
expression in u, its real domain, its float value, its LaTeX and Unicode
spellings, its parity, its value at 0, its sign, the names other libraries
use for it, the identities it gives the simplifier, its run-time helpers and
stable forms for generated code, and the phrase key its derivation step is
titled by (a language without that phrase shows the row's name).  The
parsers, `diff`, `evaluate`, the simplifier, code generation, the printers
and the steps all read this table and name no function themselves; adding a
function is adding a row (plus its tests: tests/test_function_row.py adds one
to a scratch copy of the package).

A row of two arguments (`atan2(y, x)`, `hypot(x, y)`) gives both partial
derivatives.  A row's `exact` column gives its value where that is known
exactly (`sin(pi/6) = 1/2`, `atan(1) = pi/4`, `UNDEFINED` at a pole such as
`tan(pi/2)`); the simplifier and `evaluate` both read it.

A name that is not in the table, applied to brackets (`f(x)`), is an
*undefined function*: it differentiates to `f'(x)` by the chain rule and has
no value.  `sqrt`, `exp`, `ln`/`log`, `log10`, `gelu`, ... are spelt like
functions but build other nodes (`BUILDERS`, `BUILDERS_OF_TWO`); a spelling
with more than one plausible reading carries the note that names the one
taken (`NOTES`).
"""

# No `from __future__ import annotations` here: the rows' classes are NamedTuples,
# which would compile each annotation written as a string, a cost at every start.
import math
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import EvaluationError, KindError
from . import runtime as R  # stable forms, shared by evaluate (the value column) and generated code
from .expr import (
    HALF, NEG_ONE, ONE, PI, TWO, UNDEFINED, ZERO, Add, Expr, Func, Mul, Num, Pow, _fold_numeric_power,
    add, exp, func, ln, log, mul, neg, pow_, sqrt, sub,
    FUNCTION_KINDS, SCALAR, Kind, hadamard, identity, ones, transpose,
)
from .core.arrays import ENTRYWISE_TRANSPOSE

Square = tuple[Expr, int, Expr]  # (g, s, r): f(u)^2 + s*g = r


class Parity(Enum):
    ODD = "odd"  # f(-u) = -f(u)
    EVEN = "even"  # f(-u) = f(u)


# The rows are NamedTuples, not dataclasses: immutable and compared by value
# alike, without the start-up cost of importing and building dataclasses.
class Domain(NamedTuple):
    """Where a function is defined on the reals: a test of its arguments and
    its statement in u (and v, for a row of two)."""

    text: str
    contains: Callable[..., bool]


REALS = Domain("every real u", lambda *u: True)
UNIT_CLOSED = Domain("-1 <= u <= 1", lambda u: -1.0 <= u <= 1.0)
UNIT_OPEN = Domain("-1 < u < 1", lambda u: -1.0 < u < 1.0)
AT_LEAST_ONE = Domain("u >= 1", lambda u: u >= 1.0)
NONZERO = Domain("u != 0", lambda u: u != 0.0)
COS_NONZERO = Domain("cos(u) != 0", lambda u: math.cos(u) != 0.0)
SIN_NONZERO = Domain("sin(u) != 0", lambda u: math.sin(u) != 0.0)
ABOVE_MINUS_ONE = Domain("u > -1", lambda u: u > -1.0)
OUTSIDE_UNIT_OPEN = Domain("u <= -1 or u >= 1", lambda u: abs(u) >= 1.0)
OUTSIDE_UNIT_CLOSED = Domain("u < -1 or u > 1", lambda u: abs(u) > 1.0)
NOT_ORIGIN = Domain("(u, v) != (0, 0)", lambda u, v: u != 0.0 or v != 0.0)


class Function(NamedTuple):
    """One row of the table.  `derivative(u)` is f'(u); the chain rule multiplies by u'.
    A row of two arguments has `derivative(u, v)` = df/du and `derivative_v(u, v)` = df/dv."""

    name: str
    derivative: Callable[..., Expr]
    value: Callable[..., float]
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
    derivative_v: Callable[..., Expr] | None = None  # df/dv of a row of two arguments f(u, v)
    # f(args) written without f where that is exact: special values (sin(pi/6) = 1/2),
    # UNDEFINED at a pole (tan(pi/2)), identities (hypot(u, 0) = abs(u)); else None.
    exact: Callable[..., Expr | None] | None = None
    # f as other rows and nodes, equal on the whole domain: code for a backend with no spelling.
    # A definition ln(w) also gives the simplifier e^(k*f(u)) = w^k (log1p: e^(log1p(u)) = 1 + u).
    definition: Callable[..., Expr] | None = None
    inverse_of: str | None = None  # f(g(u)) = u wherever g(u) is defined, for the row g named
    # Run-time helpers of `symdiff.runtime` computing f where a backend has no spelling, or only
    # an unstable one (`_np_sigmoid`); a helper's name says its backend (`_np_`, `_math_`, ...).
    helpers: tuple[Callable[..., Any], ...] = ()
    # Identities the simplifier (and, where they matter for stability, generated code) reads:
    squares: Callable[[Expr], tuple[Square, ...]] | None = None  # f(u)^2 + s*g = r, as (g, s, r)
    quotient: tuple[str, str] | None = None  # f(u) = g(u)/h(u): tan is sin/cos
    double_angle: str | None = None  # f(2u) = 2*f(u)*g(u) for the row g named: sin with cos
    half_exp_sum: int | None = None  # f(u) = (e^(2u) + c)/(2*e^u) for this c: cosh 1, sinh -1
    power_form: tuple[int, Callable[..., Expr]] | None = None  # f(args)^n is a polynomial: cbrt(u)^3 = u
    # f(u) = 1/(1 + e^(-u)) = e^u/(1 + e^u), so f(u) + f(-u) = 1 and e^u*f(-u) = f(u):
    # the simplifier writes these forms as f, and code writes 1 - f(u) as f(-u) (no cancellation).
    logistic: bool = False
    ln_one_plus_exp: bool = False  # f(u) = ln(1 + e^u): the simplifier and code write ln(1 + e^u) as f(u)
    stable_log: Callable[..., Expr] | None = None  # ln(f(u)) for code, without cancellation
    absolute: bool = False  # f(u) = |u|: abs(u)^2 = u^2, sqrt(u^2) = abs(u), abs(c*u) = |c|*abs(u), ...
    sees_through: tuple[str, ...] = ()  # f(g(u)) = f(u) for these rows g (heaviside(relu(u)))
    period: int | None = None  # f(u + k*period*pi) = f(u): plots mark whole periods

    @property
    def arity(self) -> int:
        """How many arguments the function takes."""
        return 1 if self.derivative_v is None else 2

    def __call__(self, *args: Expr) -> Expr:
        return func(self.name, *args)

    @property
    def symbol(self) -> str:
        """The Unicode spelling: `σ` for the sigmoid, else the name."""
        return self.unicode or self.name

    def evaluate(self, *args: float) -> float:
        """f(args) as a float; EvaluationError outside the domain."""
        shown = f"{self.name}({', '.join(f'{u:g}' for u in args)})"
        if len(args) != self.arity:
            raise EvaluationError(f"{shown}: {self.name} takes {self.arity} argument{'s' * (self.arity > 1)}")
        if not self.domain.contains(*args):
            raise EvaluationError(f"{shown} is undefined: it needs {self.domain.text}")
        try:
            return self.value(*args)
        except (OverflowError, ValueError, ZeroDivisionError):
            raise EvaluationError(f"{shown} is not a finite real number") from None


def _sign(u: float) -> float:
    return (u > 0) - (u < 0)


def _one_minus_square(u: Expr) -> Expr:
    return sub(ONE, pow_(u, TWO))


NEG_HALF = Num(Fraction(-1, 2))
TWO_OVER_ROOT_PI = mul(TWO, pow_(PI, NEG_HALF))


def _f(name: str) -> Callable[[Expr], Expr]:
    return lambda u: func(name, u)


def _square(name: str, u: Expr) -> Expr:
    return pow_(func(name, u), TWO)


# ------------------------------------------------------------- exact values

def pi_multiple(e: Expr) -> Fraction | None:
    """q when `e` is exactly q*pi (`0`, `pi`, `3*pi/4`, `pi/2 + pi`), else None."""
    total = Fraction(0)
    for t in e.terms if type(e) is Add else (e,):
        if t is PI:
            total += 1
        elif type(t) is Mul and len(t.factors) == 2 and type(t.factors[0]) is Num and t.factors[1] is PI:
            total += t.factors[0].value
        elif t is not ZERO:
            return None
    return total


# sin(q*pi)^2 at the standard angles 0 <= q <= 1/2: every trigonometric value
# there is a sign times the square root of a rational.
_SINE_SQUARES = {Fraction(0): Fraction(0), Fraction(1, 6): Fraction(1, 4), Fraction(1, 4): Fraction(1, 2),
                 Fraction(1, 3): Fraction(3, 4), Fraction(1, 2): Fraction(1)}
Surd = tuple[int, Fraction]  # sign, square: -sqrt(3)/2 is (-1, 3/4)
Signs = Callable[[Surd, Surd], Surd | None]  # (sin, cos) at an angle -> the row's value; None at a pole


def surd(sign: int, square: Fraction) -> Expr:
    """sign*sqrt(square), written as the simplifier writes it: sqrt(3)/3, not 1/sqrt(3)."""
    top, bottom = square.numerator * square.denominator, square.denominator  # sqrt(a/b) = sqrt(a*b)/b
    outside, k = 1, 2  # top = outside^2 * (what stays under the root)
    while k * k <= top:
        while top % (k * k) == 0:
            top //= k * k
            outside *= k
        k += 1
    return mul(Num(Fraction(sign * outside, bottom)), sqrt(Num(top)))


def _at_pi(value: Signs) -> Callable[[Expr], Expr | None]:
    """The `exact` column of a trigonometric row: its value at a standard
    multiple q*pi from sin and cos there; the literal 1/0 (UNDEFINED) at a pole."""
    def exact(u: Expr) -> Expr | None:
        q = pi_multiple(u)
        if q is None:
            return None
        q %= 2
        r = q % 1
        s2 = _SINE_SQUARES.get(min(r, 1 - r))
        if s2 is None:
            return None
        sin_sign = 0 if r == 0 else 1 if q < 1 else -1
        cos_sign = 0 if r == HALF.value else 1 if q < HALF.value or q > Fraction(3, 2) else -1
        found = value((sin_sign, s2), (cos_sign, 1 - s2))
        return UNDEFINED if found is None else surd(*found)
    return exact


def _over(a: Surd, b: Surd) -> Surd | None:
    return None if b[0] == 0 else (a[0] * b[0], a[1] / b[1])


def _reciprocal(a: Surd) -> Surd | None:
    return _over((1, Fraction(1)), a)


def sign_and_square(e: Expr) -> tuple[int, Fraction] | None:
    """(sign, e^2) for `e` = c*r^(k/2) with rational c, r > 0 and small k
    (`-1/2`, `sqrt(3)/2`, `1/sqrt(3)`): how the standard sines and tangents are written."""
    coeff, square = Fraction(1), Fraction(1)
    for f in e.factors if type(e) is Mul else (e,):
        if type(f) is Num:
            coeff *= f.value
        elif (type(f) is Pow and type(f.base) is Num and f.base.value > 0 and type(f.exp) is Num
              and f.exp.value.denominator == 2 and abs(f.exp.value.numerator) <= 3):
            square *= f.base.value ** f.exp.value.numerator
        else:
            return None
    return (coeff > 0) - (coeff < 0), coeff * coeff * square


# The angle q (as q*pi) in [0, pi/2] whose sine, or tangent, has this square.
_ASIN = {Fraction(0): Fraction(0), Fraction(1, 4): Fraction(1, 6), Fraction(1, 2): Fraction(1, 4),
         Fraction(3, 4): Fraction(1, 3), Fraction(1): Fraction(1, 2)}
_ATAN = {Fraction(0): Fraction(0), Fraction(1, 3): Fraction(1, 6), Fraction(1): Fraction(1, 4),
         Fraction(3): Fraction(1, 3)}


def _inverse_at(table: dict[Fraction, Fraction], shift: Fraction = Fraction(0), flip: int = 1,
                reciprocal: bool = False) -> Callable[[Expr], Expr | None]:
    """The `exact` column of an inverse trigonometric row: shift + flip*sign*q*pi
    where `table` maps the square of the argument (of its reciprocal) to q."""
    def exact(u: Expr) -> Expr | None:
        found = sign_and_square(u)
        if found is None or (reciprocal and found[1] == 0):
            return None
        sign, square = found
        q = table.get(1 / square if reciprocal else square)
        return None if q is None else mul(Num(shift + flip * sign * q), PI)
    return exact


def _cube_root_exact(u: Expr) -> Expr | None:
    """cbrt(-8) = -2, cbrt(u^3) = u."""
    if type(u) is Num:
        root = _fold_numeric_power(abs(u.value), Fraction(1, 3))
        return None if root is None else Num(root if u.value >= 0 else -root)
    if type(u) is Pow and type(u.exp) is Num and u.exp.value.numerator % 3 == 0 \
            and u.exp.value.denominator == 1:
        return pow_(u.base, Num(u.exp.value / 3))  # an odd or even integer power: exact either way
    return None


def _atan2_exact(y: Expr, x: Expr) -> Expr | None:
    """atan2 where y/x has a standard tangent, in the quadrant of (x, y):
    atan2(1, -1) = 3*pi/4, atan2(sqrt(3), 1) = pi/3, atan2(-1, 0) = -pi/2."""
    fy, fx = sign_and_square(y), sign_and_square(x)
    if fy is None or fx is None or (fy[0] == 0 and fx[0] == 0):
        return None
    (sy, y2), (sx, x2) = fy, fx
    if sx == 0:
        return mul(Num(Fraction(sy, 2)), PI)
    q = _ATAN.get(y2 / x2)
    if q is None:
        return None
    turn = 0 if sx > 0 else 1 if sy >= 0 else -1  # the half turn from atan's range to (x, y)'s quadrant
    return mul(Num(sy * sx * q + turn), PI)


def _hypot_exact(u: Expr, v: Expr) -> Expr | None:
    """hypot(u, 0) = abs(u); of two numbers, the root of the sum of squares."""
    if v is ZERO or u is ZERO:
        return func("abs", u if v is ZERO else v)
    if type(u) is Num and type(v) is Num:
        return sqrt(Num(u.value ** 2 + v.value ** 2))
    return None


_ATAN_EXACT = _inverse_at(_ATAN)


def _inverse_square_root(u: Expr, minus: Expr) -> Expr:
    """1/(abs(u)*sqrt(u^2 - 1)), the slope of asec (minus=ONE) and of acsc (minus=NEG_ONE)."""
    return mul(minus, pow_(func("abs", u), NEG_ONE), pow_(add(pow_(u, TWO), NEG_ONE), NEG_HALF))


def _sum_of_squares(u: Expr, v: Expr) -> Expr:
    return add(pow_(u, TWO), pow_(v, TWO))


HALF_PI = mul(HALF, PI)


ROWS: tuple[Function, ...] = (
    Function("sin", _f("cos"), math.sin, r"\sin", "trig",
             parity=Parity.ODD, at_zero=ZERO, numpy="sin", sympy="sin", math="sin", torch="torch.sin", jax="jnp.sin",
             exact=_at_pi(lambda s, c: s), inverse_of="asin", period=2, double_angle="cos",
             squares=lambda u: ((_square("cos", u), 1, ONE),)),
    Function("cos", lambda u: neg(func("sin", u)), math.cos, r"\cos", "trig",
             parity=Parity.EVEN, at_zero=ONE, numpy="cos", sympy="cos", math="cos", torch="torch.cos", jax="jnp.cos",
             exact=_at_pi(lambda s, c: c), inverse_of="acos", period=2,
             squares=lambda u: ((_square("sin", u), -1, func("cos", mul(TWO, u))),)),
    Function("tan", lambda u: pow_(func("sec", u), TWO), math.tan, r"\tan", "trig",
             domain=COS_NONZERO, parity=Parity.ODD, at_zero=ZERO, numpy="tan", sympy="tan", math="tan", torch="torch.tan", jax="jnp.tan",
             exact=_at_pi(_over), inverse_of="atan", period=1, quotient=("sin", "cos"),
             squares=lambda u: ((ONE, 1, _square("sec", u)),)),
    Function("cot", lambda u: neg(pow_(func("csc", u), TWO)), lambda u: 1.0 / math.tan(u),
             r"\cot", "trig", domain=SIN_NONZERO, parity=Parity.ODD, sympy="cot",
             exact=_at_pi(lambda s, c: _over(c, s)), inverse_of="acot", period=1, quotient=("cos", "sin"),
             helpers=(R._math_cot, R._np_cot, R._torch_cot, R._jax_cot)),
    Function("sec", lambda u: mul(func("sec", u), func("tan", u)), lambda u: 1.0 / math.cos(u),
             r"\sec", "trig", domain=COS_NONZERO, parity=Parity.EVEN, at_zero=ONE, sympy="sec",
             exact=_at_pi(lambda s, c: _reciprocal(c)), inverse_of="asec", period=2,
             helpers=(R._math_sec, R._np_sec, R._torch_sec, R._jax_sec)),
    Function("csc", lambda u: neg(mul(func("csc", u), func("cot", u))),
             lambda u: 1.0 / math.sin(u), r"\csc", "trig", domain=SIN_NONZERO,
             parity=Parity.ODD, sympy="csc", exact=_at_pi(lambda s, c: _reciprocal(s)), inverse_of="acsc",
             period=2, helpers=(R._math_csc, R._np_csc, R._torch_csc, R._jax_csc)),
    Function("asin", lambda u: pow_(_one_minus_square(u), NEG_HALF), math.asin, r"\arcsin",
             "inverse_trig", aliases=("arcsin",), domain=UNIT_CLOSED, parity=Parity.ODD,
             at_zero=ZERO, unicode="arcsin", numpy="arcsin", sympy="asin", math="asin", torch="torch.asin", jax="jnp.arcsin",
             exact=_inverse_at(_ASIN)),
    Function("acos", lambda u: neg(pow_(_one_minus_square(u), NEG_HALF)), math.acos,
             r"\arccos", "inverse_trig", aliases=("arccos",), domain=UNIT_CLOSED,
             unicode="arccos", numpy="arccos", sympy="acos", math="acos", torch="torch.acos", jax="jnp.arccos",
             nonnegative=True, exact=_inverse_at(_ASIN, HALF.value, -1)),
    Function("atan", lambda u: pow_(add(ONE, pow_(u, TWO)), NEG_ONE), math.atan, r"\arctan",
             "inverse_trig", aliases=("arctan",), parity=Parity.ODD, at_zero=ZERO,
             unicode="arctan", numpy="arctan", sympy="atan", math="atan", torch="torch.atan", jax="jnp.arctan",
             exact=_ATAN_EXACT),
    Function("sinh", _f("cosh"), math.sinh, r"\sinh", "hyperbolic",
             parity=Parity.ODD, at_zero=ZERO, numpy="sinh", sympy="sinh", math="sinh", torch="torch.sinh", jax="jnp.sinh",
             inverse_of="asinh", double_angle="cosh", half_exp_sum=-1),
    Function("cosh", _f("sinh"), math.cosh, r"\cosh", "hyperbolic",
             parity=Parity.EVEN, at_zero=ONE, nonnegative=True, numpy="cosh", sympy="cosh", math="cosh", torch="torch.cosh", jax="jnp.cosh",
             inverse_of="acosh", half_exp_sum=1,
             squares=lambda u: ((_square("sinh", u), -1, ONE), (_square("sinh", u), 1, func("cosh", mul(TWO, u))))),
    Function("tanh", lambda u: pow_(func("cosh", u), Num(-2)), math.tanh, r"\tanh",
             "hyperbolic", parity=Parity.ODD, at_zero=ZERO, numpy="tanh", sympy="tanh", math="tanh", torch="torch.tanh", jax="jnp.tanh",
             inverse_of="atanh", quotient=("sinh", "cosh")),
    Function("asinh", lambda u: pow_(add(pow_(u, TWO), ONE), NEG_HALF), math.asinh,
             r"\mathrm{arsinh}", "inverse_hyperbolic", aliases=("arsinh", "arcsinh"),
             parity=Parity.ODD, at_zero=ZERO, unicode="arsinh", numpy="arcsinh", sympy="asinh", math="asinh", torch="torch.asinh", jax="jnp.arcsinh",
             inverse_of="sinh"),
    Function("acosh", lambda u: pow_(add(pow_(u, TWO), NEG_ONE), NEG_HALF), math.acosh,
             r"\mathrm{arcosh}", "inverse_hyperbolic", aliases=("arcosh", "arccosh"),
             domain=AT_LEAST_ONE, nonnegative=True, unicode="arcosh", numpy="arccosh",
             sympy="acosh", math="acosh", torch="torch.acosh", jax="jnp.arccosh"),
    Function("atanh", lambda u: pow_(_one_minus_square(u), NEG_ONE), math.atanh,
             r"\mathrm{artanh}", "inverse_hyperbolic", aliases=("artanh", "arctanh"),
             domain=UNIT_OPEN, parity=Parity.ODD, at_zero=ZERO, unicode="artanh",
             numpy="arctanh", sympy="atanh", math="atanh", torch="torch.atanh", jax="jnp.arctanh",
             inverse_of="tanh"),
    Function("erf", lambda u: mul(TWO_OVER_ROOT_PI, exp(neg(pow_(u, TWO)))), math.erf,
             r"\mathrm{erf}", "erf", parity=Parity.ODD, at_zero=ZERO, sympy="erf", math="erf", torch="torch.erf", jax="jax.scipy.special.erf",
             helpers=(R._np_erf,)),
    Function("erfc", lambda u: neg(mul(TWO_OVER_ROOT_PI, exp(neg(pow_(u, TWO))))), math.erfc,
             r"\mathrm{erfc}", "erf", at_zero=ONE, nonnegative=True, sympy="erfc", math="erfc", torch="torch.erfc", jax="jax.scipy.special.erfc",
             helpers=(R._np_erfc,)),
    Function("sigmoid", lambda u: mul(func("sigmoid", u), sub(ONE, func("sigmoid", u))),
             R._math_sigmoid, r"\sigma", "sigmoid", at_zero=HALF, nonnegative=True, unicode="σ", torch="torch.sigmoid",
             jax="jax.nn.sigmoid", helpers=(R._math_sigmoid, R._np_sigmoid), logistic=True,
             stable_log=lambda u: neg(func("softplus", neg(u)))),  # ln(sigmoid(u)) = -softplus(-u)
    Function("softplus", _f("sigmoid"), R._math_softplus, r"\mathrm{softplus}", "softplus",
             nonnegative=True, jax="jax.nn.softplus", ln_one_plus_exp=True,
             helpers=(R._math_softplus, R._np_softplus, R._torch_softplus)),
    Function("relu", _f("heaviside"), lambda u: max(u, 0.0), r"\mathrm{relu}", "relu",
             at_zero=ZERO, nonnegative=True, sympy=None, torch="torch.relu", jax="jax.nn.relu",
             helpers=(R._math_relu, R._np_relu), sees_through=("relu",)),
    # The step function is undefined at 0, so relu' = heaviside is too: relu has no
    # derivative there, and symdiff says so rather than pick a convention.
    Function("heaviside", lambda u: ZERO, lambda u: float(u > 0), r"\mathrm{heaviside}",
             "heaviside", domain=NONZERO, nonnegative=True, sympy="Heaviside", sees_through=("relu",),
             helpers=(R._math_heaviside, R._np_heaviside, R._torch_heaviside, R._jax_heaviside)),
    Function("sign", lambda u: ZERO, _sign, r"\mathrm{sgn}", "sign", aliases=("sgn",),
             parity=Parity.ODD, at_zero=ZERO, unicode="sgn", numpy="sign", sympy="sign", torch="torch.sign", jax="jnp.sign",
             helpers=(R._math_sign,)),
    Function("abs", lambda u: mul(u, pow_(func("abs", u), NEG_ONE)), abs, r"\left|{}\right|", "abs",
             parity=Parity.EVEN, at_zero=ZERO, nonnegative=True, unicode="|{}|", numpy="abs",
             sympy="Abs", math="fabs", torch="torch.abs", jax="jnp.abs", absolute=True),
    # acot(u) = pi/2 - atan(u), continuous, in (0, pi), as Abramowitz and Stegun 4.4.8; SymPy and
    # Wolfram take atan(1/u), pi less for u < 0 (same derivative).  No note: symdiff prints acot,
    # and what it prints reads back without one; the README states the convention.
    Function("acot", lambda u: neg(pow_(add(ONE, pow_(u, TWO)), NEG_ONE)),
             lambda u: math.pi / 2 - math.atan(u), r"\mathrm{arccot}", "inverse_trig", aliases=("arccot",),
             at_zero=HALF_PI, nonnegative=True, unicode="arccot",
             exact=_inverse_at(_ATAN, HALF.value, -1), definition=lambda u: sub(HALF_PI, func("atan", u))),
    Function("asec", lambda u: _inverse_square_root(u, ONE), lambda u: math.acos(1.0 / u),
             r"\mathrm{arcsec}", "inverse_trig", aliases=("arcsec",), domain=OUTSIDE_UNIT_OPEN,
             nonnegative=True, unicode="arcsec", sympy="asec",
             exact=_inverse_at(_ASIN, HALF.value, -1, reciprocal=True),
             definition=lambda u: func("acos", pow_(u, NEG_ONE))),
    Function("acsc", lambda u: _inverse_square_root(u, NEG_ONE), lambda u: math.asin(1.0 / u),
             r"\mathrm{arccsc}", "inverse_trig", aliases=("arccsc",), domain=OUTSIDE_UNIT_OPEN,
             parity=Parity.ODD, unicode="arccsc", sympy="acsc", exact=_inverse_at(_ASIN, reciprocal=True),
             definition=lambda u: func("asin", pow_(u, NEG_ONE))),
    Function("sech", lambda u: neg(mul(func("sech", u), func("tanh", u))), R._math_sech, r"\mathrm{sech}",
             "hyperbolic", parity=Parity.EVEN, at_zero=ONE, nonnegative=True, sympy="sech", helpers=(R._math_sech,),
             definition=lambda u: pow_(func("cosh", u), NEG_ONE)),
    Function("csch", lambda u: neg(mul(func("csch", u), func("coth", u))), R._math_csch, r"\mathrm{csch}",
             "hyperbolic", domain=NONZERO, parity=Parity.ODD, sympy="csch", helpers=(R._math_csch,),
             definition=lambda u: pow_(func("sinh", u), NEG_ONE)),
    Function("coth", lambda u: neg(pow_(func("csch", u), TWO)), lambda u: 1.0 / math.tanh(u), r"\coth",
             "hyperbolic", domain=NONZERO, parity=Parity.ODD, sympy="coth", inverse_of="acoth",
             definition=lambda u: pow_(func("tanh", u), NEG_ONE)),
    Function("acoth", lambda u: pow_(_one_minus_square(u), NEG_ONE), lambda u: math.atanh(1.0 / u),
             r"\mathrm{arcoth}", "inverse_hyperbolic", aliases=("arcoth", "arccoth"),
             domain=OUTSIDE_UNIT_CLOSED, parity=Parity.ODD, unicode="arcoth", sympy="acoth",
             definition=lambda u: func("atanh", pow_(u, NEG_ONE))),
    Function("cbrt", lambda u: mul(Num(Fraction(1, 3)), pow_(func("cbrt", u), Num(-2))), math.cbrt,
             r"\mathrm{cbrt}", "cube_root", parity=Parity.ODD, at_zero=ZERO, numpy="cbrt", math="cbrt",
             jax="jnp.cbrt", exact=_cube_root_exact, power_form=(3, lambda u: u),
             definition=lambda u: mul(func("sign", u), pow_(func("abs", u), Num(Fraction(1, 3))))),
    Function("log1p", lambda u: pow_(add(ONE, u), NEG_ONE), math.log1p, r"\mathrm{log1p}", "log1p",
             domain=ABOVE_MINUS_ONE, at_zero=ZERO, numpy="log1p", math="log1p", torch="torch.log1p",
             jax="jnp.log1p", inverse_of="expm1", definition=lambda u: ln(add(ONE, u))),
    Function("expm1", exp, math.expm1, r"\mathrm{expm1}", "expm1", at_zero=ZERO, numpy="expm1",
             math="expm1", torch="torch.expm1", jax="jnp.expm1", inverse_of="log1p",
             definition=lambda u: sub(exp(u), ONE)),
    # Functions of two arguments: derivative is df/du, derivative_v df/dv.
    Function("atan2", lambda u, v: mul(v, pow_(_sum_of_squares(u, v), NEG_ONE)), math.atan2,
             r"\operatorname{atan2}", "atan2", aliases=("arctan2",), domain=NOT_ORIGIN,
             derivative_v=lambda u, v: neg(mul(u, pow_(_sum_of_squares(u, v), NEG_ONE))),
             numpy="arctan2", sympy="atan2", math="atan2", torch="torch.atan2", jax="jnp.arctan2",
             exact=_atan2_exact),
    Function("hypot", lambda u, v: mul(u, pow_(func("hypot", u, v), NEG_ONE)), math.hypot,
             r"\operatorname{hypot}", "hypot", nonnegative=True,
             derivative_v=lambda u, v: mul(v, pow_(func("hypot", u, v), NEG_ONE)),
             numpy="hypot", math="hypot", torch="torch.hypot", jax="jnp.hypot", exact=_hypot_exact,
             power_form=(2, _sum_of_squares),
             definition=lambda u, v: sqrt(_sum_of_squares(u, v))),
)


FUNCTIONS: dict[str, Function] = {row.name: row for row in ROWS}
# Rows that notation builds: bars |u| are the absolute value; a condition u > 0 is the step.
ABS = next(row.name for row in ROWS if row.absolute)
STEP = "heaviside"
_BY_SPELLING: dict[str, Function] = {
    spelling: row for row in ROWS for spelling in (row.name, *row.aliases)
}

def _gelu(u: Expr) -> Expr:
    """The exact GELU, u*Phi(u) = u/2*(1 + erf(u/sqrt(2)))."""
    return mul(HALF, u, add(ONE, func("erf", mul(u, pow_(TWO, NEG_HALF)))))


def _silu(u: Expr) -> Expr:
    return mul(u, func("sigmoid", u))


def _log_base(base: int) -> Callable[[Expr], Expr]:
    return lambda u: log(u, Num(base))


# Spelt like functions, built as other nodes.
BUILDERS: dict[str, Callable[[Expr], Expr]] = {
    "sqrt": sqrt, "exp": exp, "ln": ln, "log": ln, "log10": _log_base(10), "log2": _log_base(2),
    "lg": _log_base(10), "gelu": _gelu, "silu": _silu, "swish": _silu,
}
# Spelt like functions of two arguments, built as other nodes: log(u, b) is log_b(u).
BUILDERS_OF_TWO: dict[str, Callable[[Expr, Expr], Expr]] = {"log": log}
# What is said when a spelling is read, by (spelling, number of arguments): where tools disagree.
NOTES: dict[tuple[str, int], str] = {
    ("lg", 1): "read lg as log_10, as ISO 80000-2 writes it; in computer science lg is often log_2: "
               "write log_2(...) for that",
    ("log", 2): "read log(u, b) as log_b(u), the logarithm of u to base b, as Python's math.log and "
                "SymPy write it (Wolfram's Log[b, u] puts the base first)",
}


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


# Functions written between two equal bars (`|x|` for abs): bar -> function name.
BARS = {before: row.name for row in ROWS for before, after in [notation(row.symbol, "(", ")")] if before == after}


def lookup(name: str) -> Function | None:
    """The row for a name or alias (`arcsin` is `asin`), else None."""
    return _BY_SPELLING.get(name)


def spellings() -> Iterator[str]:
    """Every name the parsers read as a known function: rows, aliases and builders."""
    yield from _BY_SPELLING
    yield from BUILDERS
    yield from (name for name in BUILDERS_OF_TWO if name not in BUILDERS)


def arities(name: str) -> tuple[int, ...]:
    """How many arguments a known spelling takes (`log`: 1 or 2); () for an unknown name."""
    row = lookup(name)
    counts: tuple[int, ...] = (row.arity,) if row else ()
    counts += (1,) if name in BUILDERS else ()
    return counts + ((2,) if name in BUILDERS_OF_TWO else ())


def reading_note(name: str, count: int) -> str:
    """What to say when `name` is read with `count` arguments: the reading
    taken where tools differ (`lg`, `log(u, b)`); else ""."""
    return NOTES.get((name, count), "")


def apply(name: str, *args: Expr) -> Expr:
    """`name(args)` for a known spelling; an unknown name is an undefined function."""
    if len(args) == 1 and name in BUILDERS:
        return BUILDERS[name](args[0])
    if len(args) == 2 and name in BUILDERS_OF_TWO:
        return BUILDERS_OF_TWO[name](*args)
    row = lookup(name)
    return func(row.name if row else name, *args)


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


# ------------------------------------------------------------- functions of vectors and matrices
# Rows read only where shapes are declared (symdiff.matrix): the scalar readers
# do not see them, so `tr(x)` without shapes stays an undefined function.


def _square_kind(what: str) -> Callable[[Kind], Kind]:
    def rule(k: Kind) -> Kind:
        if len(k.shape) != 2 or k.rows != k.cols:
            raise KindError(f"{what} needs a square matrix, not a {k}")
        return SCALAR
    return rule


def _same_square(k: Kind) -> Kind:
    _square_kind("an inverse")(k)
    return k


def _softmax_kind(k: Kind) -> Kind:
    if k is SCALAR or (len(k.shape) == 2 and k.rows == 1):
        raise KindError(f"softmax takes a vector, or a matrix row by row, not a {k}")
    return k


def _logsumexp_kind(k: Kind) -> Kind:
    if k is SCALAR or (len(k.shape) == 2 and k.rows == 1):
        raise KindError(f"logsumexp takes a vector, or a matrix row by row, not a {k}")
    return SCALAR if len(k.shape) == 1 else Kind((k.rows,))


def _diag_kind(k: Kind) -> Kind:
    if len(k.shape) == 1:
        return Kind((k.shape[0], k.shape[0]))
    if len(k.shape) == 2 and k.rows == k.cols:
        return Kind((k.rows,))
    raise KindError(f"diag takes a vector or a square matrix, not a {k}")


def _to_scalar(k: Kind) -> Kind:
    return SCALAR


def _per_row_ones(k: Kind) -> Expr:
    return ones(Kind((k.cols,)))


def _softmax_adjoint(a: Expr, g: Expr, c: Expr) -> Expr:
    """s .* (g - s^T*g) for a vector; per row, s .* (g - ((g .* s)*1)*1^T)."""
    if len(a.kind.shape) == 1:
        return hadamard(c, sub(g, mul(transpose(c), g)))
    one = _per_row_ones(a.kind)
    return hadamard(c, sub(g, mul(hadamard(g, c), one, transpose(one))))


def _logsumexp_adjoint(a: Expr, g: Expr, c: Expr) -> Expr:
    soft = func("softmax", a)
    return mul(g, soft) if len(a.kind.shape) == 1 else mul(func("diag", g), soft)


class ArrayFunction(NamedTuple):
    """A function of a vector or matrix.  `kind` gives the result's kind from
    the argument's (KindError when it does not apply); `adjoint(a, g, c)` is
    what the argument's adjoint gains from c = f(a) with adjoint g (reverse
    mode, `symdiff.matrix.diff`); `tangent(a, da, c)` is dc from da for a
    Jacobian (forward mode; None: not yet); `numpy(a)` its value, on NumPy
    arrays with vectors as columns; `code` its spelling in generated code."""

    name: str
    kind: Callable[[Kind], Kind]
    adjoint: Callable[[Expr, Expr, Expr], Expr]
    numpy: Callable[[Any], Any]
    latex: str
    unicode: str = ""
    tangent: Callable[[Expr, Expr, Expr], Expr] | None = None
    # Templates for `symdiff.generate`, keyed "numpy", "torch", "jax" or "*" (every backend), each
    # optionally followed by " vector" or " matrix" (the argument's kind).  {0} is the argument
    # (a vector is a column there), {xp} the array module (np, torch, jnp), {h} the prefix of the
    # backend's helpers in `symdiff.runtime`, {axis} the axis a row-wise function runs along.
    code: Mapping[str, str] = MappingProxyType({})

    def __call__(self, arg: Expr) -> Expr:
        return func(self.name, arg)


def _np() -> Any:
    import numpy

    return numpy


def _logdet(a: Any) -> float:
    sign, value = _np().linalg.slogdet(a)
    if sign <= 0:
        raise EvaluationError("logdet of a matrix whose determinant is not positive")
    return float(value)


def _inverse(a: Any) -> Any:
    np = _np()
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise EvaluationError("inv of a singular matrix") from None


def _np_softmax(z: Any) -> Any:
    np = _np()
    axis = 0 if z.shape[1] == 1 else 1  # a vector is a column; a matrix, row by row
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _np_logsumexp(z: Any) -> Any:
    np = _np()
    axis = 0 if z.shape[1] == 1 else 1
    m = np.max(z, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)) + m
    return float(out[0, 0]) if axis == 0 else out


def _np_diag(a: Any) -> Any:
    np = _np()
    return np.diag(a[:, 0]) if a.shape[1] == 1 else np.diag(a)[:, None]


ARRAY_ROWS: tuple[ArrayFunction, ...] = (
    ArrayFunction("tr", _square_kind("a trace"), lambda a, g, c: mul(g, identity(a.kind.rows)),
                  lambda a: float(_np().trace(a)), r"\operatorname{tr}", code={"*": "{xp}.trace({0})"}),
    ArrayFunction("det", _square_kind("a determinant"), lambda a, g, c: mul(g, c, transpose(func("inv", a))),
                  lambda a: float(_np().linalg.det(a)), r"\det", code={"*": "{xp}.linalg.det({0})"}),
    ArrayFunction("logdet", _square_kind("logdet"), lambda a, g, c: mul(g, transpose(func("inv", a))),
                  _logdet, r"\log\det", "log det", code={"*": "{h}logdet({0})"}),  # slogdet: no overflow
    ArrayFunction("inv", _same_square, lambda a, g, c: neg(mul(transpose(c), g, transpose(c))),
                  _inverse, "{}^{-1}", "{}⁻¹", code={"*": "{xp}.linalg.inv({0})"}),
    ArrayFunction("sum", _to_scalar, lambda a, g, c: mul(g, ones(a.kind)),
                  lambda a: float(_np().sum(a)), r"\operatorname{sum}", "Σ",
                  tangent=lambda a, da, c: mul(transpose(ones(a.kind)), da), code={"*": "{xp}.sum({0})"}),
    ArrayFunction("norm", _to_scalar, lambda a, g, c: mul(g, pow_(c, NEG_ONE), a),
                  lambda a: float(_np().linalg.norm(a)), r"\left\|{}\right\|", "‖{}‖",
                  code={"*": "{xp}.linalg.norm({0})"}),
    ArrayFunction("norm1", _to_scalar, lambda a, g, c: mul(g, func("sign", a)),
                  lambda a: float(_np().sum(_np().abs(a))), r"\left\|{}\right\|_1", "‖{}‖₁",
                  code={"*": "{xp}.sum({xp}.abs({0}))"}),
    ArrayFunction("softmax", _softmax_kind, _softmax_adjoint, _np_softmax, r"\operatorname{softmax}",
                  tangent=lambda a, da, c: mul(sub(func("diag", c), mul(c, transpose(c))), da)
                  if len(a.kind.shape) == 1 else None,  # type: ignore[arg-type, return-value]
                  code={"numpy": "_np_softmax({0}, {axis})", "torch": "torch.softmax({0}, {axis})",
                        "jax": "jax.nn.softmax({0}, axis={axis})"}),  # each shifts by the maximum
    ArrayFunction("logsumexp", _logsumexp_kind, _logsumexp_adjoint, _np_logsumexp, r"\operatorname{logsumexp}",
                  tangent=lambda a, da, c: mul(transpose(func("softmax", a)), da)
                  if len(a.kind.shape) == 1 else None,  # type: ignore[arg-type, return-value]
                  code={"* vector": "{h}logsumexp_last({0}[:, 0])", "* matrix": "{h}logsumexp_last({0})[:, None]"}),
    ArrayFunction("diag", _diag_kind, lambda a, g, c: func("diag", g), _np_diag, r"\operatorname{diag}",
                  code={"* vector": "{xp}.diagflat({0})", "* matrix": "{xp}.diagonal({0})[:, None]"}),
)
ARRAY_FUNCTIONS: dict[str, ArrayFunction] = {row.name: row for row in ARRAY_ROWS}
FUNCTION_KINDS.update({row.name: (lambda rule: lambda a: rule(a.kind))(row.kind) for row in ARRAY_ROWS})
ENTRYWISE_TRANSPOSE.update(name for name, row in FUNCTIONS.items() if row.arity == 1)
