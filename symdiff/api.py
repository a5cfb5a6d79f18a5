"""The library's front door: accepts text or trees, returns trees."""

from __future__ import annotations

from collections.abc import Mapping

from . import diff as _diff
from . import simplify as _simplify
from .derivation import Derivation, derivation
from .errors import DifferentiationError, ParseError
from .evaluate import evaluate as _evaluate
from .expr import Expr, Sym, symbols
from .parse import parse


def as_tree(e: Expr | str) -> Expr:
    if isinstance(e, Expr):
        return e
    if isinstance(e, str):
        return parse(e)
    raise TypeError(f"expected an expression or its text, not {type(e).__name__}")


def variable(e: Expr, wrt: Expr | str | None) -> Sym:
    """The variable to differentiate by: as given, or the only one `e` has."""
    if wrt is None:
        names = symbols(e)
        if len(names) == 1:
            return names[0]
        if not names:
            raise DifferentiationError("the expression has no variable; say which with wrt")
        listed = ", ".join(map(str, names))
        raise DifferentiationError(f"the expression has several variables ({listed}); choose one with wrt (--wrt on the command line)")
    x = as_tree(wrt) if isinstance(wrt, str) else wrt
    if not isinstance(x, Sym):
        raise DifferentiationError(f"can only differentiate with respect to a variable, not {wrt!r}")
    return x


def _check_order(order: int) -> None:
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise DifferentiationError(f"the order must be a whole number >= 0, not {order!r}")


def diff(e: Expr | str, wrt: Expr | str | None = None, order: int = 1, *, simplify: bool = True) -> Expr:
    """The `order`-th derivative of `e` with respect to `wrt`, simplified unless asked not to."""
    _check_order(order)
    tree = as_tree(e)
    x = variable(tree, wrt)
    for _ in range(order):
        tree, _steps = _diff.differentiate(tree, x)
        if simplify:
            tree = _simplify.simplify(tree)
    return tree


def derive(e: Expr | str, wrt: Expr | str | None = None, order: int = 1, *,
           verbose: bool = False) -> Derivation:
    """The derivative with the steps that produced it; `verbose` keeps trivial steps."""
    _check_order(order)
    tree = as_tree(e)
    return derivation(tree, variable(tree, wrt), order, verbose)


def simplify(e: Expr | str) -> Expr:
    """A shorter, equal form."""
    return _simplify.simplify(as_tree(e))


def evaluate(e: Expr | str, values: Mapping[str | Expr, float] | None = None) -> float:
    """The value as a float; outside the domain raises EvaluationError."""
    return _evaluate(as_tree(e), values)


__all__ = ["as_tree", "diff", "derive", "simplify", "evaluate", "parse", "ParseError", "variable"]
