"""Evaluation: Expr + variable values -> float, refusing values outside the real domain."""

from __future__ import annotations

import math
from collections.abc import Mapping

from .errors import EvaluationError
from .functions import FUNCTIONS
from .expr import Add, Const, Delta, Expr, Func, Log, Mul, Num, Pow, Sum, Sym, fold, num, postorder, sym

CONSTANT_VALUES = {"e": math.e, "pi": math.pi}


def _power(base: float, exp: float, exact_exp: Expr) -> float:
    integral = type(exact_exp) is Num and exact_exp.value.denominator == 1
    if base == 0 and exp < 0:
        raise EvaluationError("division by zero: 0 raised to a negative power")
    if base < 0 and not integral and exp != int(exp):
        raise EvaluationError(
            f"({base:g})^{exp:g} is not a real number: negative base, non-integer exponent"
        )
    return base ** (int(exp) if integral else exp)


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


def _expand_sums(e: Expr, env: dict[str, float]) -> Expr:
    """Sums written out, their bounds taken from `env` (`N=3`)."""
    if not any(type(n) is Sum for n in postorder(e)):
        return e
    from .sums import expand_sums, replace

    whole = {sym(k): num(int(v)) for k, v in env.items() if k.isidentifier() and v == int(v)}
    out = expand_sums(replace(e, whole))
    if any(type(n) is Sum for n in postorder(out)):
        raise EvaluationError("a sum needs whole-number bounds to be evaluated")
    return out


def _index_only(e: Expr) -> set[Expr]:
    """Nodes that occur only as indices of variables, never as operands."""
    indices: set[Expr] = set()
    operands: set[Expr] = {e}
    for node in postorder(e):
        if type(node) is Sym:
            indices.update(node.indices)
        else:
            operands.update(node.args)
    return indices - operands


def _real(name: str | Expr, value: object) -> float:
    """A variable's value as a float: int, float, Fraction, NumPy scalars..."""
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        raise EvaluationError(f"the value of {name} overflows a float") from None
    except (TypeError, ValueError):
        raise EvaluationError(f"the value of {name} must be one real number, not {value!r} "
                              "(for arrays use symdiff.lambdify)") from None


def evaluate(e: Expr, values: Mapping[str, float] | Mapping[Expr, float] | Mapping[str | Expr, float] | None = None,
             ) -> float:  # keyed by name, by tree or both (a Mapping's key type is invariant)
    """The value of `e` with the given variables, as a float.

    Raises EvaluationError outside the real domain (`ln(-1)`, `1/0`,
    `asin(2)`), on overflow, or when a variable has no value.
    """
    env = {_symbol_name(k): _real(k, v) for k, v in (values or {}).items()}
    e = _expand_sums(e, env)
    index_only = _index_only(e)

    def visit(node: Expr, kids: tuple[float, ...]) -> float:
        match node:
            case Num(value):
                return float(value)
            case Const(name):
                return CONSTANT_VALUES[name]
            case Sym():
                name = str(node)
                if name not in env:
                    if node in index_only:
                        return 0.0  # `j` in `y_j`: part of the name, looked up with it
                    raise EvaluationError(f"no value given for the variable {name!r}")
                return env[name]
            case Add():
                return math.fsum(kids)
            case Mul():
                return math.prod(kids)
            case Pow(_, exp):
                return _power(kids[0], kids[1], exp)
            case Log():
                return _log(kids[0], kids[1])
            case Func(name):
                row = FUNCTIONS.get(name)
                if row is None:
                    raise EvaluationError(f"{name} is an undefined function: it has no value")
                return row.evaluate(kids[0])
            case Delta():
                return 1.0 if kids[0] == kids[1] else 0.0
        raise EvaluationError(f"cannot evaluate a {type(node).__name__} node")

    try:
        result = fold(e, visit)
    except OverflowError:
        raise EvaluationError("the value overflows a float") from None
    except ZeroDivisionError:
        raise EvaluationError("division by zero") from None
    if isinstance(result, complex) or math.isnan(result) or math.isinf(result):
        raise EvaluationError("the value is not a finite real number")
    return result
