"""Dependence of expressions on indexed variables, beside `expr`.

`y_{ik}` may be `y_{jl}` for some values of the indices, so an expression
depends on `y_{jl}` when it holds any `y` with two indices.  `diff` picks its
rules with `depends`; the steps name a rule's bindings with the same test.
"""

from __future__ import annotations

import weakref

from .expr import Expr, Sym, delta, mul, postorder

_families: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def families(e: Expr) -> frozenset:
    """`(name, arity)` of every indexed variable in `e`, bound or free."""
    cached = _families.get(e)
    if cached is not None:
        return cached
    for node in postorder(e):
        if node in _families:
            continue
        if type(node) is Sym:
            own = frozenset({(node.name, len(node.indices))}) if node.indices else frozenset()
        else:
            own = frozenset()
        kids = [_families[k] for k in node.args]
        _families[node] = own.union(*kids) if kids else own
    return _families[e]


def depends(e: Expr, x: Sym) -> bool:
    """Can `e` change with `x`?  `y_{ik}` may be `y_{jl}`, so an indexed
    variable matches every variable of the same name and number of indices."""
    if x in e.free:
        return True
    return bool(x.indices) and (x.name, len(x.indices)) in families(e)


def same_family(e: Expr, x: Sym) -> bool:
    return type(e) is Sym and e.name == x.name and len(e.indices) == len(x.indices)


def index_deltas(e: Sym, x: Sym) -> Expr:
    """d e/d x for two variables of one family: `delta(i, j)*delta(k, l)`."""
    return mul(*(delta(a, b) for a, b in zip(e.indices, x.indices)))
