"""Evaluation: Expr + variable values -> float, refusing values outside the real domain.

Sums are added term by term up to `limits.MAX_SUM_TERMS` terms in all; a
longer sum is worked out in closed form when its body is a polynomial in the
index or geometric (`sum_{i=1}^{1e9} i`, `sum_{i=0}^{N} x^i`), else refused.
Every failure is an EvaluationError: nothing from `math` escapes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Callable, NamedTuple, SupportsFloat, cast
from functools import cache
from math import comb

from .errors import EvaluationError, LimitError, SymdiffError
from .functions import FUNCTIONS, Function
from .core.rows import table
from .expr import ArrayConst, Hadamard, HadamardPow, Transpose  # the rows of issue 24
from .expr import (
    SCALAR, UNDEFINED, Add, Const, Delta, Derivative, Expr, Func, Log, Mul, Num, Pow, Sum, Sym, add, mul, postorder, sym,
)
from .limits import MAX_SUM_TERMS

CONSTANT_VALUES = {"e": math.e, "pi": math.pi}
MAX_SUM_NESTING = 100  # sums inside sums, each evaluated with its own index value
MAX_FAULHABER_DEGREE = 60  # highest power of the index a closed-form sum takes
CLOSED_FORM_FROM = 1000  # longer sums try a closed form before adding term by term
CLOSED_FORM_COST = 10  # what a closed form counts against MAX_SUM_TERMS


def _power(base: float, exp: float, exact_exp: Expr) -> float:
    integral = type(exact_exp) is Num and exact_exp.value.denominator == 1
    if base == 0 and exp < 0:
        raise EvaluationError("division by zero: 0 raised to a negative power")
    if base < 0 and not integral and not (math.isfinite(exp) and exp == int(exp)):
        raise EvaluationError(
            f"({base:g})^{exp:g} is not a real number: negative base, non-integer exponent"
        )
    return base ** (int(exact_exp.value) if integral else exp)


def _log(arg: float, base: float) -> float:
    if arg <= 0:
        raise EvaluationError(f"logarithm of a non-positive number ({arg:g})")
    if base <= 0 or base == 1:
        raise EvaluationError(f"logarithm to base {base:g} is undefined")
    if base == math.e:
        return math.log(arg)
    return math.log(arg) / math.log(base)


def _symbol_name(key: str | Expr) -> str:
    return key if isinstance(key, str) else str(key)


def _as_float(name: str, value: object) -> float:
    try:
        return float(cast(SupportsFloat, value))  # int, float, Fraction, Decimal, numpy scalars
    except OverflowError:
        raise EvaluationError(f"the value of {name} overflows a float") from None
    except (TypeError, ValueError):
        raise EvaluationError(f"the value of {name} must be one real number, not {value!r} "
                              "(for arrays use symdiff.lambdify)") from None


def _whole(value: float, what: str) -> int:
    if not math.isfinite(value) or value != int(value):
        raise EvaluationError(f"{what} must be a whole number, not {value:g}")
    return int(value)


class _Evaluator:
    """One evaluation: the values, and the budget of sum terms left."""

    def __init__(self, env: dict[str, float]) -> None:
        self.env = env
        self.terms_left = MAX_SUM_TERMS
        self.nesting = 0

    def value(self, root: Expr, env: dict[str, float]) -> float:
        """Bottom-up, without recursion; a leaf row (a sum among them) is valued on its own."""
        done: dict[int, float] = {}
        stack: list[tuple[Expr, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in done:
                continue
            row = VALUES[type(node)]
            if row.leaf:
                done[id(node)] = row.fn(self, node, (), env)
            elif not expanded:
                stack.append((node, True))
                stack.extend((c, False) for c in node.args if id(c) not in done)
            else:
                done[id(node)] = row.fn(self, node, tuple(done[id(c)] for c in node.args), env)
        return done[id(root)]

    def symbol(self, node: Expr, kids: tuple[float, ...], env: dict[str, float]) -> float:
        name = str(node)
        if node.kind is not SCALAR:
            raise EvaluationError(f"{name} is a {node.kind}: evaluate gives one number, from a value "
                                  "for each scalar variable")
        if name in env:
            return env[name]
        if node.indices:
            # `z_j` with j = 2 is z_2: an index that has a value selects the element.
            at = tuple(_whole(self.value(i, env), f"the index {i} of {name}") for i in node.indices)
            element = str(sym(node.name, *at))
            if element in env:
                return env[element]
            raise EvaluationError(f"no value given for the variable {name!r} ({element})")
        raise EvaluationError(f"no value given for the variable {name!r}")

    def function(self, node: Expr, kids: tuple[float, ...], env: dict[str, float]) -> float:
        row = FUNCTIONS.get(node.name)
        if row is None:
            raise EvaluationError(f"{node.name} is an undefined function: it has no value")
        if row.exact is not None and not node.free:
            exact = self.exact(row, node)
            if exact is not None:
                return exact
        return row.evaluate(*kids)

    def exact(self, row: Function, node: Expr) -> float | None:
        """The value of a function of constants that its row knows exactly
        (sin(pi) is 0, not 1.2e-16); a pole (tan(pi/2)) is an EvaluationError."""
        value = row.exact(*node.args) if row.exact else None
        if value is None or value is node:
            return None
        if value is UNDEFINED:
            raise EvaluationError(f"{node} is undefined: {row.name} has a pole there")
        return self.value(value, self.env)

    # ------------------------------------------------------------- sums

    def sum_value(self, s: Expr, kids: tuple[float, ...], env: dict[str, float]) -> float:
        lo = _whole(self.value(s.lower, env), f"the lower bound of sum_{{{s.index}}}")
        hi = _whole(self.value(s.upper, env), f"the upper bound of sum_{{{s.index}}}")
        if hi < lo:
            return 0.0  # an empty sum
        count = hi - lo + 1
        if count > CLOSED_FORM_FROM:
            closed = self.closed_form(s, lo, hi, env)
            if closed is not None:
                self.spend(CLOSED_FORM_COST, s, count)
                return closed
        self.spend(count, s, count)
        if self.nesting >= MAX_SUM_NESTING:
            raise LimitError(f"sums nested more than {MAX_SUM_NESTING} deep")
        self.nesting += 1
        try:
            name = str(s.index)
            return math.fsum(self.value(s.body, {**env, name: float(k)}) for k in range(lo, hi + 1))
        finally:
            self.nesting -= 1

    def spend(self, terms: int, s: Expr, count: int) -> None:
        self.terms_left -= terms
        if self.terms_left < 0:
            what = f"sum_{{{s.index}}} of {count:,} terms" if terms == count else "these sums"
            raise LimitError(
                f"evaluating {what} takes more than the {MAX_SUM_TERMS:,} terms symdiff adds one by one, "
                f"and no closed form is known for the body"
            )

    def closed_form(self, s: Expr, lo: int, hi: int, env: dict[str, float]) -> float | None:
        """sum_{i=lo}^{hi} body for a body polynomial in i (Faulhaber) or geometric."""
        terms = _index_terms(s.body, s.index)
        if terms is None:
            from . import polynomial

            expanded = polynomial.expand(s.body)
            terms = None if expanded is None else _index_terms(expanded, s.index)
        if terms is None:
            return None
        total = []
        for coeff, k, ratio in terms:
            c = self.value(coeff, env)
            if ratio is None:
                total.append(c * float(_power_sum(k, hi) - _power_sum(k, lo - 1)))
            else:
                r = self.value(ratio, env)
                total.append(c * _geometric(r, lo, hi))
        return math.fsum(total)


def _checked(out: float, kids: tuple[float, ...]) -> float:
    if isinstance(out, complex) or (math.isinf(out) and all(map(math.isfinite, kids))):
        raise EvaluationError("the value overflows a float")
    return out


class Value(NamedTuple):
    """The evaluate column of a node kind's row: `fn(evaluator, node, kids, env)`,
    where `kids` are the children's values, or () for a `leaf` row (valued on
    its own: a symbol reads its subscripts, a sum binds its index)."""

    fn: Callable[[_Evaluator, Expr, tuple[float, ...], dict[str, float]], float]
    leaf: bool = False


VALUES: dict[type[Expr], Value] = table("evaluate")
VALUES.update({
    Num: Value(lambda ev, n, kids, env: float(n.value), leaf=True),
    Const: Value(lambda ev, n, kids, env: CONSTANT_VALUES[n.name], leaf=True),
    Sym: Value(_Evaluator.symbol, leaf=True),
    Sum: Value(_Evaluator.sum_value, leaf=True),
    Add: Value(lambda ev, n, kids, env: _checked(math.fsum(kids), kids)),
    Mul: Value(lambda ev, n, kids, env: _checked(math.prod(kids), kids)),
    Pow: Value(lambda ev, n, kids, env: _checked(_power(kids[0], kids[1], n.exp), kids)),
    Log: Value(lambda ev, n, kids, env: _log(kids[0], kids[1])),
    Func: Value(_Evaluator.function),
    Delta: Value(lambda ev, n, kids, env: 1.0 if kids[0] == kids[1] else 0.0),
    Derivative: Value(lambda ev, n, kids, env: _unevaluated(n), leaf=True),
})
VALUES.update(dict.fromkeys((Transpose, Hadamard, HadamardPow, ArrayConst),
                            Value(lambda ev, n, kids, env: _array(n), leaf=True)))


def _array(n: Expr) -> float:
    raise EvaluationError(f"{n} is a vector or matrix: evaluate it with shapes= and NumPy arrays")


def _unevaluated(n: Expr) -> float:
    """A `d/dx` node has a value once differentiated: the public calls do that as they read."""
    raise EvaluationError(f"{n} is a derivative not yet taken: differentiate it first (symdiff.parse does)")


def _depends(e: Expr, i: Sym) -> bool:
    return any(n is i for n in postorder(e))


def _index_terms(body: Expr, i: Sym) -> list[tuple[Expr, int, Expr | None]] | None:
    """body as a list of (c, k, None) for c*i^k, or (c, 0, r) for c*r^i; c and r free of i."""
    out: list[tuple[Expr, int, Expr | None]] = []
    for term in body.terms if type(body) is Add else (body,):
        coeff: list[Expr] = []
        k = 0
        ratio: list[Expr] = []
        for f in term.factors if type(term) is Mul else (term,):
            if not _depends(f, i):
                coeff.append(f)
            elif f is i:
                k += 1
            elif type(f) is Pow and f.base is i and type(f.exp) is Num and f.exp.value.denominator == 1 \
                    and f.exp.value > 0:
                k += int(f.exp.value)
            elif type(f) is Pow and not _depends(f.base, i):
                linear = _linear(f.exp, i)
                if linear is None:
                    return None
                p, q = linear
                coeff.append(Pow(f.base, q) if q is not None else Num(1))
                ratio.append(Pow(f.base, p))
            else:
                return None
        if k > MAX_FAULHABER_DEGREE or (k and ratio):
            return None
        out.append((mul(*coeff), k, mul(*ratio) if ratio else None))
    return out


def _linear(e: Expr, i: Sym) -> tuple[Expr, Expr | None] | None:
    """e = p*i + q with p, q free of i: (p, q or None)."""
    slope: list[Expr] = []
    rest: list[Expr] = []
    for t in e.terms if type(e) is Add else (e,):
        if not _depends(t, i):
            rest.append(t)
            continue
        factors = t.factors if type(t) is Mul else (t,)
        at = [n for n, f in enumerate(factors) if f is i]
        if len(at) != 1 or any(_depends(f, i) for n, f in enumerate(factors) if n != at[0]):
            return None
        slope.append(mul(*factors[: at[0]], *factors[at[0] + 1 :]))
    return add(*slope), (add(*rest) if rest else None)


def _geometric(r: float, lo: int, hi: int) -> float:
    """sum_{i=lo}^{hi} r^i, in floats."""
    if r == 1.0:
        return float(hi - lo + 1)
    if r == 0.0:
        return 1.0 if lo <= 0 <= hi else 0.0
    if r == -1.0:
        return 0.0 if (hi - lo) % 2 else float((-1) ** (lo % 2))  # pairs cancel
    try:
        return (r**lo - r ** (hi + 1)) / (1.0 - r)
    except ZeroDivisionError:
        raise EvaluationError("division by zero: 0 raised to a negative power in a geometric sum") from None


@cache
def _bernoulli(n: int) -> Fraction:
    """B_n with B_1 = +1/2, so that sum_{i=1}^{n} i^k = _power_sum(k, n)."""
    if n == 0:
        return Fraction(1)
    return 1 - sum((Fraction(comb(n, j), n - j + 1) * _bernoulli(j) for j in range(n)), Fraction(0))


def _power_sum(k: int, n: int) -> Fraction:
    """Faulhaber: the polynomial P with P(n) - P(n - 1) = n^k and P(0) = 0, at n."""
    if k == 0:
        return Fraction(n)
    terms = (comb(k + 1, j) * _bernoulli(j) * Fraction(n) ** (k + 1 - j) for j in range(k + 1))
    return sum(terms, Fraction(0)) / (k + 1)


def evaluate(e: Expr, values: Mapping[str, float] | Mapping[Expr, float] | Mapping[str | Expr, float] | None = None,
             ) -> float:  # keyed by name, by tree or both (a Mapping's key type is invariant)
    """The value of `e` with the given variables (int, float or Fraction), as a float.

    Raises EvaluationError outside the real domain (`ln(-1)`, `1/0`,
    `asin(2)`), on overflow, or when a variable has no value.  An index with
    a value selects an element: `z_j` with `j = 2` is `z_2`.
    """
    env = {}
    for k, v in (values or {}).items():
        name = _symbol_name(k)
        env[name] = _as_float(name, v)
    try:
        result = _Evaluator(env).value(e, env)
    except SymdiffError:
        raise
    except OverflowError:
        raise EvaluationError("the value overflows a float") from None
    except ZeroDivisionError:
        raise EvaluationError("division by zero") from None
    except ValueError:  # math domain errors, inf - inf in fsum
        raise EvaluationError("the value is not a finite real number") from None
    if isinstance(result, complex) or math.isnan(result) or math.isinf(result):
        raise EvaluationError("the value is not a finite real number")
    return result
