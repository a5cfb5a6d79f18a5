"""The SymPy bridge (extra `[sympy]`): symdiff trees <-> SymPy expressions.

Function names come from the `sympy` column of `symdiff.functions`; a row
without one (sigmoid, softplus, relu) becomes an undefined SymPy function of
the same name, as does an undefined symdiff function (`f(x)`), so both come
back unchanged.  Indexed variables are `IndexedBase` entries and sums are
`Sum`.  SymPy may rewrite forms (`log_2(x)` is `log(x)/log(2)` there); values
are kept.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .api import as_tree
from .errors import SymdiffError
from .expr import (
    E, PI, Add, Const, Delta, Expr, Func, Log, Mul, Num, Pow, Sum, Sym,
    add, delta, exp, fold, func, log, mul, num, pow_, summation, sym,
)
from .functions import FUNCTIONS


def _sympy() -> Any:
    try:
        import sympy
    except ImportError:
        raise SymdiffError("the SymPy bridge needs sympy: pip install 'symdiff[sympy]'") from None
    return sympy


def to_sympy(e: Expr) -> Any:
    """The SymPy expression for `e`.  Needs the `[sympy]` extra.

    Args:
        e: the expression tree.

    Returns:
        A SymPy expression; indexed names become `IndexedBase` entries.

    Raises:
        SymdiffError: SymPy is not installed.

    >>> from symdiff import parse
    >>> to_sympy(parse("x^2*sin(x)"))
    x**2*sin(x)
    """
    sp = _sympy()

    def visit(node: Expr, kids: tuple[Any, ...]) -> Any:
        t = type(node)
        if t is Num:
            return sp.Rational(node.value.numerator, node.value.denominator)
        if t is Const:
            return sp.E if node is E else sp.pi
        if t is Sym:
            if not node.indices:
                return sp.Symbol(node.name)
            return sp.IndexedBase(node.name)[kids]
        if t is Add:
            return sp.Add(*kids)
        if t is Mul:
            return sp.Mul(*kids)
        if t is Pow:
            return sp.exp(kids[1]) if node.base is E else sp.Pow(*kids)
        if t is Log:
            return sp.log(kids[0]) if node.base is E else sp.log(kids[0], kids[1])
        if t is Func:
            row = FUNCTIONS.get(node.name)
            if row is not None and row.sympy:
                return getattr(sp, row.sympy)(*kids)
            return sp.Function(node.name)(*kids)
        if t is Sum:
            return sp.Sum(kids[0], (sp.Symbol(node.index.name), kids[1], kids[2]))
        if t is Delta:
            return sp.KroneckerDelta(*kids)
        raise SymdiffError(f"no SymPy form for a {t.__name__} node")

    return fold(as_tree(e), visit)


def from_sympy(s: Any) -> Expr:
    """The symdiff tree for a SymPy expression (iterative: deep trees are fine).
    Needs the `[sympy]` extra.

    Args:
        s: a SymPy expression.

    Returns:
        The `Expr`.

    Raises:
        SymdiffError: SymPy is not installed, or `s` uses something symdiff
            has no node for.

    >>> import sympy
    >>> from_sympy(sympy.sin(sympy.Symbol("x")) ** 2)
    <Pow sin(x)^2>
    """
    sp = _sympy()
    by_sympy = {row.sympy: row.name for row in FUNCTIONS.values() if row.sympy}
    done: dict[int, Expr] = {}
    stack: list[tuple[Any, bool]] = [(s, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in done:
            continue
        if isinstance(node, sp.Sum):
            kids = (node.function, *(b for limit in node.limits for b in limit[1:]))
        elif isinstance(node, sp.Indexed):
            kids = tuple(node.indices)
        else:
            kids = tuple(node.args)
        if not ready:
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in done)
            continue
        done[id(node)] = _one(sp, node, [done[id(k)] for k in kids], by_sympy)
    return done[id(s)]


def _one(sp: Any, node: Any, kids: list[Expr], by_sympy: dict[str, str]) -> Expr:
    if node is sp.E:
        return E
    if node is sp.pi:
        return PI
    if isinstance(node, sp.Rational):
        return num(Fraction(int(node.p), int(node.q)))
    if isinstance(node, sp.Float):
        return num(Fraction(repr(float(node))))
    if isinstance(node, sp.Indexed):
        return sym(str(node.base), *kids)
    if isinstance(node, sp.Symbol):
        return sym(node.name)
    if isinstance(node, sp.Add):
        return add(*kids)
    if isinstance(node, sp.Mul):
        return mul(*kids)
    if isinstance(node, sp.Pow):
        return pow_(*kids)
    if isinstance(node, sp.exp):
        return exp(kids[0])
    if isinstance(node, sp.log):
        return log(*kids)
    if isinstance(node, sp.Sum):
        if len(node.limits) != 1:
            raise SymdiffError("only single sums come across from SymPy")
        return summation(kids[0], sym(str(node.limits[0][0])), kids[1], kids[2])
    if isinstance(node, sp.KroneckerDelta):
        return delta(*kids)
    name = type(node).__name__
    if isinstance(node, sp.Function) and name in by_sympy and len(kids) == FUNCTIONS[by_sympy[name]].arity:
        return func(by_sympy[name], *kids)
    if isinstance(node, sp.Function) and len(kids) == 1:
        if isinstance(node, sp.core.function.AppliedUndef):  # sigmoid, softplus, f(x)
            return func(name, kids[0])
    raise SymdiffError(f"no symdiff form for SymPy's {name}: {node}")
