"""Jacobians and Hessians: matrices of partial derivatives, each entry one `diff`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from typing import Any, cast

from .api import Shapes, as_tree, diff, parse, variable
from .matrix import hessian as matrix_hessian, is_array, jacobian as matrix_jacobian
from .expr import Expr, Sym, natural_key, symbols


def _variables(exprs: Sequence[Expr], vars: Iterable[Expr | str] | None) -> list[Sym]:
    if vars is None:
        found = {s for e in exprs for s in symbols(e)}
        return sorted(found, key=lambda v: natural_key(str(v)))
    chosen = [variable(exprs[0] if exprs else as_tree("0"), v) for v in vars]
    return list(dict.fromkeys(chosen))


def jacobian(exprs: Iterable[Expr | str] | Expr | str, vars: Iterable[Expr | str] | Expr | str | None = None, *,
             shapes: Shapes | None = None, symmetric: Iterable[str] = ()) -> Any:
    """Row i, column j: d exprs[i] / d vars[j] (simplified); `vars` defaults to
    every variable in natural order.  Costs one partial derivative per entry,
    each visiting only the sub-trees that contain its variable.

    Args:
        exprs: the expressions (each an `Expr` or its text).
        vars: the variables (each a `Sym` or its name).

    Returns:
        A list of rows, each a list of `Expr`; with `shapes` (a vector by a
        vector), one matrix `Expr`, rows(f) × rows(x).

    Raises:
        ParseError: some text does not parse.
        DifferentiationError: an entry of `vars` is not a variable.

    >>> [[str(d) for d in row] for row in jacobian(["x*y", "x + y"], ["x", "y"])]
    [['y', 'x'], ['1', '1']]
    """
    if shapes is not None or (isinstance(exprs, Expr) and is_array(exprs)):
        # vectors: one expression, one vector variable; the Jacobian is a matrix expression
        tree = parse(exprs, shapes=shapes) if isinstance(exprs, str) else cast(Expr, exprs)
        wrt = vars if isinstance(vars, (str, Expr)) or vars is None else next(iter(vars))
        return matrix_jacobian(tree, wrt, shapes, symmetric)
    trees = [as_tree(e) for e in cast(Iterable[Expr | str], exprs)]
    xs = _variables(trees, cast(Iterable[Expr | str] | None, vars))
    return [[diff(e, x) for x in xs] for e in trees]


def hessian(expr: Expr | str, vars: Iterable[Expr | str] | Expr | str | None = None, *,
            shapes: Shapes | None = None, symmetric: Iterable[str] = ()) -> Any:
    """The matrix of second partials d^2 e/(dx_i dx_j), symmetric: each mixed
    partial is computed once (from the gradient) and stands in both places.

    Args:
        expr: the expression, as an `Expr` or its text.
        vars: the variables (each a `Sym` or its name); by default all of
            them, in natural order.

    Returns:
        A list of rows, each a list of `Expr`; with `shapes` (a vector by a
        vector), one matrix `Expr`, rows(f) × rows(x).

    Raises:
        ParseError: some text does not parse.
        DifferentiationError: an entry of `vars` is not a variable.

    >>> [[str(d) for d in row] for row in hessian("x^2*y", ["x", "y"])]
    [['2*y', '2*x'], ['2*x', '0']]
    """
    if shapes is not None or (isinstance(expr, Expr) and is_array(expr)):
        tree = parse(expr, shapes=shapes) if isinstance(expr, str) else expr
        wrt = vars if isinstance(vars, (str, Expr)) or vars is None else next(iter(vars))
        return matrix_hessian(tree, wrt, shapes, symmetric)
    tree = as_tree(expr)
    xs = _variables([tree], cast(Iterable[Expr | str] | None, vars))
    first = [diff(tree, x) for x in xs]
    rows: list[list[Expr]] = [[None] * len(xs) for _ in xs]  # type: ignore[list-item]
    for i, g in enumerate(first):
        for j in range(i, len(xs)):
            rows[i][j] = rows[j][i] = diff(g, xs[j])
    return rows
