"""The library's front door: accepts text or trees, returns trees."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from typing import TYPE_CHECKING

from . import diff as _diff
from . import simplify as _simplify
from . import sums as _sums
from .sums import Assumption
from .errors import DifferentiationError, ParseError
from .evaluate import evaluate as _evaluate
from .expr import Expr, Sym, as_expr, symbols
from .limits import MAX_ORDER
from .parse import parse, parse_definition, parse_equation

if TYPE_CHECKING:  # the step renderer loads only when steps are asked for
    from .derivation import Derivation


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


def defined_variable(e: Expr | str, wrt: Expr | str | None) -> Expr | str | None:
    """`wrt` as given, or the argument of a definition's left side (`f(x) = ...` -> x)."""
    if wrt is None and isinstance(e, str) and "=" in e:
        definition = parse_definition(e)
        if definition is not None and len(definition.args) == 1:
            return str(definition.args[0])
    return wrt


def _check_order(order: int) -> None:
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise DifferentiationError(f"the order must be a whole number >= 0, not {order!r}")
    if order > MAX_ORDER:
        shown = str(order) if order.bit_length() < 1000 else "too large to show"
        raise DifferentiationError(f"the order {shown} is above the limit of {MAX_ORDER}")


Wrt = Expr | str | Sequence[Expr | str] | None


def _tree(e: Expr | str, wrt: Wrt = None) -> Expr:
    if isinstance(e, str):
        # `sinx` with --wrt x reads as sin(x): tell the parser the variables.
        names = [wrt] if isinstance(wrt, str) else [w for w in wrt or () if isinstance(w, str)]
        return parse(e, variables=names)
    return as_tree(e)


def assumption(a: str | Assumption) -> Assumption:
    """`"sum_{k=1}^{K} t_{ik} = 1"` as an Assumption."""
    return Assumption(*parse_equation(a)) if isinstance(a, str) else a


def _prepared(e: Expr | str, wrt: Wrt, where: Mapping[Expr | str, Expr | str] | None,
              assume: Sequence[str | Assumption]) -> tuple[Expr, list[Sym], list[Assumption]]:
    wrt = defined_variable(e, wrt)
    tree = _tree(e, wrt)
    if where:
        tree = substitute(tree, where)
    many = wrt is not None and not isinstance(wrt, (str, Expr))
    xs = [variable(tree, w) for w in wrt] if many else [variable(tree, wrt)]  # type: ignore[union-attr]
    return tree, xs, [assumption(a) for a in assume]


def diff(e: Expr | str, wrt: Wrt = None, order: int = 1, *, simplify: bool = True,
         where: Mapping[Expr | str, Expr | str] | None = None,
         assume: Sequence[str | Assumption] = ()) -> Expr:
    """The `order`-th derivative of `e` with respect to `wrt`, simplified unless asked not to.

    `wrt` may list several variables: the mixed partial, taken in the order
    given.  `where` substitutes first (`{"y_i": "sigmoid(z_i)"}`); `assume`
    lists equations the result may use (`"sum_{k=1}^{K} t_{ik} = 1"`).
    """
    _check_order(order)
    tree, xs, facts = _prepared(e, wrt, where, assume)
    for x in xs:
        for _ in range(order):
            tree, _steps = _diff.differentiate(tree, x)
            if simplify:
                tree = _simplify.simplify_derivative(tree, order * len(xs))
            if facts:
                tree, used = _sums.apply_assumptions(tree, facts)
                if used and simplify:
                    tree = _simplify.simplify(tree)
    if where and simplify:
        tree = _sums.named_again(tree, _pairs(where))
    return tree


def _pairs(mapping: Mapping[Expr | str, Expr | str | int | float]) -> dict[Expr, Expr]:
    return {as_tree(k): (as_tree(v) if isinstance(v, (str, Expr)) else as_expr(v))
            for k, v in mapping.items()}


def substitute(e: Expr | str, mapping: Mapping[Expr | str, Expr | str | int | float]) -> Expr:
    """Replace variables; an indexed key is a pattern (`{"y_i": "sigmoid(z_i)"}`)."""
    return _sums.substitute(as_tree(e), _pairs(mapping))


def expand_sums(e: Expr | str) -> Expr:
    """Write out every sum whose bounds are whole numbers."""
    return _sums.expand_sums(as_tree(e))


def derive(e: Expr | str, wrt: Expr | str | None = None, order: int = 1, *,
           where: Mapping[Expr | str, Expr | str] | None = None,
           assume: Sequence[str | Assumption] = (), verbose: bool = False,
           lang: str = "en") -> Derivation:
    """The derivative with the steps that produced it; `verbose` keeps trivial
    steps, `lang` is the language it renders in by default.  `where` and
    `assume` work as in `diff`, and the steps show them."""
    _check_order(order)
    tree, (x,), facts = _prepared(e, wrt, where, assume)
    from .derivation import derivation

    shown = tuple(_pairs(where).items()) if where else ()
    definition = parse_definition(e) if isinstance(e, str) and "=" in e else None
    return derivation(tree, x, order, verbose, facts=facts, where=shown, lang=lang,
                      name=definition.name if definition is not None else None)


def gradient(e: Expr | str, vars: Iterable[Expr | str] | None = None, *,
             simplify: bool = True) -> dict[str, Expr]:
    """Every first partial derivative, keyed by variable name in natural order
    (`y2` before `y10`); `vars` picks the variables, by default all of them.
    Each partial is `diff(e, v)`, or the raw rule output with `simplify=False`.

    Costs time linear in the size of `e` plus the size of the partials: each
    partial visits only the sub-trees that contain its variable.
    """
    tree = as_tree(e)
    chosen = symbols(tree) if vars is None else [variable(tree, v) for v in vars]
    chosen = sorted(dict.fromkeys(chosen), key=lambda v: _natural_key(str(v)))
    tidy = _simplify.simplify if simplify else (lambda d: d)
    return {str(x): tidy(_diff.differentiate(tree, x)[0]) for x in chosen}


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def simplify(e: Expr | str) -> Expr:
    """A shorter, equal form."""
    return _simplify.simplify(as_tree(e))


def evaluate(e: Expr | str, values: Mapping[str | Expr, float] | None = None) -> float:
    """The value as a float; outside the domain raises EvaluationError."""
    return _evaluate(as_tree(e), values)


__all__ = ["as_tree", "diff", "gradient", "derive", "simplify", "evaluate", "expand_sums", "parse", "ParseError",
           "substitute", "variable"]
