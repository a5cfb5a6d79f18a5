"""Canonical constructors: build trees with these, never with the classes.

They flatten, fold numbers exactly and keep products in one canonical order
(scalar factors sorted, vectors and matrices in the order given), which is
what makes printing round-trip.  Each is its node class's `make`.
"""

from __future__ import annotations

import functools
import numbers
import operator
from fractions import Fraction
from typing import Any, Callable, TypeVar, cast

from .expr import OPERATORS, Expr, _get_facts
from .facts import FACT_ARRAY
from .kinds import KINDS, SCALAR, Kind
from .nodes import (
    CONSTANTS, E, NEG_ONE, ONE, UNDEFINED, ZERO, HALF, Add, Const, Delta, Derivative, Func, Log, Mul, Num, Pow, Sum, Sym,
)
from .order import factor_key, order_key

# Largest exact integer power folded, in bits of the result; beyond it a power
# stays symbolic rather than building a number nobody can print.
MAX_FOLD_BITS = 4096

F = TypeVar("F", bound=Callable[..., Expr])


def _makes(cls: type[Expr]) -> Callable[[F], F]:
    """Record the decorated function as the constructor of `cls` (its row's `make`)."""
    def record(fn: F) -> F:
        type.__setattr__(cls, "make", staticmethod(fn))
        return fn
    return record


@_makes(Num)
def num(value: int | Fraction | str) -> Num:
    """An exact number from an int, a Fraction or a decimal string (`"2.5"`, `"1e-3"`)."""
    return Num(Fraction(value))


@_makes(Sym)
def sym(name: str, *indices: Expr | str | int, kind: Kind = SCALAR) -> Sym:
    """A variable; `sym("y", "i", "k")` is `y_{ik}`.  `kind` declares a vector
    or matrix: `sym("X", kind=matrix("n", "d"))`, `sym("w", kind=vector("d"))`."""
    if not isinstance(kind, Kind):
        raise TypeError(f"kind must be a Kind (symdiff.kinds.vector, matrix, shape), not {kind!r}")
    return Sym(name, tuple(as_expr(i) for i in indices), kind)


@_makes(Const)
def const(name: str) -> Const:
    if name not in CONSTANTS:
        raise ValueError(f"unknown constant {name!r}")
    return Const(name)


def as_expr(value: Any) -> Expr:
    """Coerce Python numbers and plain names to expressions."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise TypeError("a bool is not an expression")
    if isinstance(value, (int, Fraction)):
        return num(value)
    if isinstance(value, numbers.Integral):  # NumPy integers
        return num(int(value))
    if isinstance(value, numbers.Rational):
        return num(Fraction(cast(int, value.numerator), cast(int, value.denominator)))
    if isinstance(value, numbers.Real):  # float and NumPy floats
        x = float(value)
        if x != x or x in (float("inf"), float("-inf")):
            raise TypeError(f"{value!r} is not a finite number, so not an expression")
        return num(Fraction(repr(x)))  # 0.1 -> 1/10, as the user typed it
    if isinstance(value, str) and value.isidentifier():
        return Const(value) if value in CONSTANTS else sym(value)
    raise TypeError(f"cannot make an expression of {value!r}")


def _plus(a: Num, b: Num) -> Num:
    """a + b: whole numbers without Fraction arithmetic (ten times faster)."""
    x, y = a.value, b.value
    if x.denominator == 1 and y.denominator == 1:
        return Num(x.numerator + y.numerator)
    return Num(x + y)


def _times(a: Num, b: Num) -> Num:
    """a * b: whole numbers without Fraction arithmetic."""
    x, y = a.value, b.value
    if x.denominator == 1 and y.denominator == 1:
        return Num(x.numerator * y.numerator)
    return Num(x * y)


@_makes(Add)
def add(*terms: Expr) -> Expr:
    """Sum: flattens nested sums and folds numbers into one term, kept where
    the first number stood (`x + 1` and `1 - x` both stay as written)."""
    flat: list[Expr] = []
    number: Num | None = None  # the numbers so far, folded
    at = -1
    for t in terms:
        for u in t.terms if type(t) is Add else (t,):
            if type(u) is Num:
                if number is None:
                    number, at = u, len(flat)
                else:
                    number = _plus(number, u)
            else:
                flat.append(u)
    if number is not None and number is not ZERO:
        flat.insert(at, number)
    if not flat:
        return ZERO
    if len(flat) == 1:
        return flat[0]
    return Add(tuple(flat))


@_makes(Mul)
def mul(*factors: Expr) -> Expr:
    """Product: flattens, folds numbers into a leading coefficient, sorts the
    scalar factors and keeps vectors and matrices in the order given after them
    (`X*w` is not `w*X`; scalars commute with everything).

    A literal division by zero absorbs the product: it is undefined however
    it is multiplied.  Otherwise a zero coefficient absorbs a scalar product
    (the removable-singularity convention, see `simplify`).
    """
    if len(factors) == 2:
        # A number times one scalar factor, a third of the calls: nothing to flatten or sort.
        c, g = factors
        if type(c) is Num and type(g) is not Mul and not g.facts & FACT_ARRAY:
            if type(g) is Num:
                return _times(c, g)
            if g is UNDEFINED or c is ONE:
                return g
            return ZERO if c is ZERO else Mul((c, g))
    flat: list[Expr] = []
    coeff: Num | None = None  # the numbers so far, folded
    for f in factors:
        # a 1x1 product (x^T*y) is one scalar factor: its vectors stay together
        for g in f.factors if type(f) is Mul and not (f.facts & FACT_ARRAY and f.kind is SCALAR
                                                      and f.factors[-1].kind is not SCALAR) else (f,):
            if type(g) is Num:
                coeff = g if coeff is None else _times(coeff, g)
            elif g is UNDEFINED:
                return UNDEFINED
            else:
                flat.append(g)
    # Only SCALAR made (len(KINDS) == 1): no array exists in this process.
    if coeff is ZERO and not (len(KINDS) > 1 and _has_array(flat)):
        return ZERO
    if len(flat) > 1:
        if len(KINDS) > 1 and _has_array(flat):
            # SymPy's c_part / nc_part: the scalars sorted, then the arrays as given
            scalars = sorted((g for g in flat if g.kind is SCALAR), key=factor_key)
            flat = scalars + [g for g in flat if g.kind is not SCALAR]
        else:
            flat.sort(key=factor_key)
    if coeff is not None and coeff is not ONE or not flat:
        flat.insert(0, coeff or ONE)
    if len(flat) == 1:
        return flat[0]
    return Mul(tuple(flat))


def _has_array(factors: list[Expr]) -> int:
    return functools.reduce(operator.or_, map(_get_facts, factors), 0) & FACT_ARRAY


def neg(a: Expr) -> Expr:
    return mul(NEG_ONE, a)


def sub(a: Expr, b: Expr) -> Expr:
    return add(a, neg(b))


def div(a: Expr, b: Expr) -> Expr:
    return mul(a, pow_(b, NEG_ONE))


@_makes(Pow)
def pow_(base: Expr, exp: Expr) -> Expr:
    """Power: folds exact numeric powers and `x^0`, `x^1`, `1^x`.

    Integer powers are pushed into products and powers, which holds wherever
    the input is defined: `(x*y)^2 = x^2*y^2`, `(x^(1/2))^2 = x`.  Non-integer
    ones are not: `(x^2)^(1/2)` is `abs(x)`, not `x`.  Of a product's vectors
    and matrices, only the scalar factors take the power: `(A*B)^2` is not
    `A^2*B^2`.
    """
    if type(exp) is Num:
        n = exp.value
        if n == 0:
            if base.kind is SCALAR:
                return ONE
            return Pow(base, exp)  # the identity matrix, which has no node yet
        if n == 1:
            return base
        if n.denominator == 1:
            if type(base) is Mul:
                if base.facts & FACT_ARRAY and base.factors[-1].kind is not SCALAR:
                    return _power_of_array_product(base.factors, exp)
                return mul(*(pow_(f, exp) for f in base.factors))
            if type(base) is Pow:
                return pow_(base.base, mul(base.exp, exp))
        if type(base) is Num:
            folded = _fold_numeric_power(base.value, n)
            if folded is not None:
                return Num(folded)
            if n < 0 and base.value == 0:
                return UNDEFINED
    if base is ONE:
        return ONE
    return Pow(base, exp)


def _power_of_array_product(factors: tuple[Expr, ...], exp: Expr) -> Expr:
    """(c*A*B)^n = c^n*(A*B)^n: the scalars take the power, the arrays stay a product."""
    scalars = [pow_(f, exp) for f in factors if f.kind is SCALAR]
    arrays = [f for f in factors if f.kind is not SCALAR]
    inner = arrays[0] if len(arrays) == 1 else Mul(tuple(arrays))
    return mul(*scalars, pow_(inner, exp)) if scalars else Pow(inner, exp)


def _fold_numeric_power(b: Fraction, n: Fraction) -> Fraction | None:
    """Exact value of b^n when it is rational and of sane size, else None."""
    if b == 0:
        return Fraction(0) if n > 0 else None
    p, q = n.numerator, n.denominator
    if q != 1:
        if b < 0:
            return None
        num_root, den_root = _int_root(b.numerator, q), _int_root(b.denominator, q)
        if num_root is None or den_root is None:
            return None
        b = Fraction(num_root, den_root)
    bits = max(b.numerator.bit_length(), b.denominator.bit_length())
    if bits * abs(p) > MAX_FOLD_BITS and abs(p) != 1:  # a reciprocal is no larger than b
        return None
    return b**p


def _int_root(n: int, k: int) -> int | None:
    """The exact k-th root of a non-negative int, or None."""
    if n < 2:
        return n
    if k > n.bit_length():
        return None
    r = round(n ** (1.0 / k)) if n.bit_length() < 1000 else _int_root_newton(n, k)
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**k == n:
            return c
    return None


def _int_root_newton(n: int, k: int) -> int:
    x = 1 << ((n.bit_length() + k - 1) // k)
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            return x
        x = y


def sqrt(u: Expr) -> Expr:
    return pow_(u, HALF)


def exp(u: Expr) -> Expr:
    return pow_(E, u)


@_makes(Log)
def log(arg: Expr, base: Expr = E) -> Expr:
    """Logarithm; `log(u)` is the natural log."""
    return Log(arg, base)


def ln(arg: Expr) -> Expr:
    return Log(arg, E)


@_makes(Func)
def func(name: str, arg: Expr, *rest: Expr) -> Expr:
    """Apply the function called `name` (canonical spelling; see `symdiff.functions.apply`)."""
    if not name or not isinstance(name, str):
        raise ValueError(f"a function needs a name, not {name!r}")
    return Func(name, arg, rest)


@_makes(Sum)
def summation(body: Expr, index: Sym, lower: Expr, upper: Expr) -> Expr:
    """`sum_{index=lower}^{upper} body`; a zero body gives zero."""
    if type(index) is not Sym or index.indices:
        raise ValueError(f"a sum index must be a plain name, not {index}")
    if body is ZERO:
        return ZERO
    return Sum(body, index, lower, upper)


def _index_key(e: Expr) -> tuple[Any, ...]:
    return (type(e) is not Sym, order_key(e))


@_makes(Delta)
def delta(i: Expr, j: Expr) -> Expr:
    """Kronecker delta, folded when decidable: `delta(i, i) = 1`, `delta(1, 2) = 0`."""
    if i is j:
        return ONE
    if type(i) is Num and type(j) is Num:
        return ZERO
    if _index_key(j) < _index_key(i):
        i, j = j, i
    return Delta(i, j)


@_makes(Derivative)
def derivative(body: Expr, var: Sym, order: int = 1) -> Derivative:
    """The unevaluated derivative `d^order/dvar^order body` (order a whole number >= 1)."""
    if type(var) is not Sym:
        raise ValueError(f"can only differentiate with respect to a variable, not {var}")
    if type(order) is not int or order < 1:
        raise ValueError(f"a derivative's order is a whole number >= 1, not {order!r}")
    return Derivative(body, var, order)


OPERATORS.update(add=add, sub=sub, mul=mul, div=div, pow=pow_, neg=neg, as_expr=as_expr)
