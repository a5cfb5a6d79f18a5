"""Canonical order: the factor order products keep and the structural sort key.

Each node class has a rank (`_rank`) and two rows here: the head it sorts
under as a factor, and the token it contributes to `order_key`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from fractions import Fraction
from typing import Any, Callable, cast

from .expr import Expr, set_factor_key, set_order
from .nodes import E, ONE, Add, Const, Delta, Derivative, Func, Log, Mul, Num, Pow, Sum, Sym
from .rows import table

ORDER_TOKENS = 16  # nodes read from the top of a tree to order it; deeper ties go by hash

# The head a factor sorts under, by the class of its base (a power sorts with its base):
# numbers, constants, symbols, functions (by name; a power of e is `exp`), other nodes, sums.
FACTOR_HEAD: dict[type[Expr], Callable[[Expr], tuple[int, str]]] = table("order: factor head")
FACTOR_HEAD.update({
    Num: lambda b: (0, ""),
    Const: lambda b: (3, "exp") if b is E else (1, b.name),
    Sym: lambda b: (2, ""),
    Func: lambda b: (3, b.name),
    Log: lambda b: (3, "log"),
    Pow: lambda b: (3, "pow"),
    Mul: lambda b: (4, "Mul"),
    Sum: lambda b: (4, "Sum"),
    Delta: lambda b: (4, "Delta"),
    Derivative: lambda b: (4, "Derivative"),
    Add: lambda b: (5, ""),
})


def factor_key(e: Expr) -> tuple[Any, ...]:
    """Canonical order of factors: numbers, constants, symbols by natural name
    (`y_2` before `y_10`), functions by name, then other nodes, then sums;
    powers sort with their base, then by exponent, highest first.  Ties are broken by
    structure (`order_key`), never by hash values or the order of building.
    Cached on the node: every product it is a factor of sorts by it."""
    try:
        return e._fkey
    except AttributeError:
        pass
    key = _factor_key(e)
    set_factor_key(e, key)
    return key


def _factor_key(e: Expr) -> tuple[Any, ...]:
    base, expo = (e.base, e.exp) if type(e) is Pow else (e, ONE)
    head = FACTOR_HEAD[type(base)](base)
    if type(expo) is Num:  # s^3 + s^2 + s; whole exponents as ints, which compare faster than Fractions
        v = expo.value
        exp_key: tuple[int, int | Fraction] = (0, -v.numerator if v.denominator == 1 else -v)
    else:
        exp_key = (1, 0)
    return (*head, order_key(base), exp_key, order_key(expo))


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[Any, ...]:
    """`y10` -> ("y", 10, ""): a sort key in which digits compare as numbers (`y2` before `y10`)."""
    parts = _DIGITS.split(name)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


# Each node's token in `order_key`: its rank, then what tells it from others of its rank.
TOKEN: dict[type[Expr], Callable[[Expr], tuple[Any, ...]]] = table("order: token")
TOKEN.update({
    # by size, the negative first: 1 - s before 1 - 2*s, x - 1 before x + 1
    Num: lambda n: (0, (abs(n.value), n.value > 0)),
    Const: lambda n: (1, (n.name,)),
    Sym: lambda n: (2, (natural_key(n.name), len(n.indices))),
    Func: lambda n: (3, (n.name,)),
    Log: lambda n: (3, ("log",)),
    Pow: lambda n: (3, ("exp",)) if n.base is E else (Pow._rank, ("",)),  # a power of e is spelt exp
    Mul: lambda n: (Mul._rank, (len(n.factors),)),
    Add: lambda n: (Add._rank, (len(n.terms),)),
    Sum: lambda n: (Sum._rank, ("",)),
    Delta: lambda n: (Delta._rank, ("",)),
    Derivative: lambda n: (Derivative._rank, (n.order, order_key(n.var))),  # its variable is not a child
})


def _tokens(e: Expr) -> Iterator[Any]:
    stack = [e]
    while stack:
        node = stack.pop()
        yield from TOKEN[type(node)](node)
        if type(node) is Pow and node.base is E:
            stack.append(node.exp)
        else:
            stack.extend(reversed(node.args))


class _Rest:
    """The end of a long `order_key`: compares whole trees, without recursion,
    when their first ORDER_TOKENS nodes tie (weakly held: no reference cycle)."""

    __slots__ = ("ref",)

    def __init__(self, ref: weakref.ref[Expr]) -> None:
        self.ref = ref

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Rest) and self.ref() is other.ref()

    def __lt__(self, other: _Rest) -> bool:
        # the nodes being ordered are alive, so both references resolve
        for a, b in zip(_tokens(cast(Expr, self.ref())), _tokens(cast(Expr, other.ref()))):
            if a != b:
                return cast(bool, a < b)
        return False  # one stream is a prefix of the other only if the trees are equal

    def __gt__(self, other: _Rest) -> bool:
        return other < self

    __hash__ = None  # type: ignore[assignment]


def _order_children(node: Expr) -> tuple[Expr, ...]:
    return (node.exp,) if type(node) is Pow and node.base is E else node.args


_LIMIT = 2 * ORDER_TOKENS


def _set_order_key(node: Expr) -> None:
    """A node's key from its children's: its token, then theirs, truncated."""
    parts = list(TOKEN[type(node)](node))
    truncated = False
    for child in _order_children(node):
        parts.extend(child._order[:_LIMIT])
        if len(parts) > _LIMIT:
            truncated = True
            break
    if truncated:
        key = (*parts[:_LIMIT], node.height, _Rest(weakref.ref(node)))
    else:
        key = tuple(parts)
    set_order(node, key)


def order_key(e: Expr) -> tuple[Any, ...]:
    """A structural sort key: the first ORDER_TOKENS nodes of `e` in preorder,
    each as (rank, name or value), flattened; past that the shallower tree
    first, then whole trees compared.  Cached on the node, and built from the
    children's keys, without recursion."""
    try:
        return e._order
    except AttributeError:
        pass
    if not e.args:  # a leaf: x, 2, pi
        _set_order_key(e)
        return e._order
    stack = [e]
    while stack:
        node = stack[-1]
        pending = [c for c in _order_children(node) if not hasattr(c, "_order")]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if not hasattr(node, "_order"):
            _set_order_key(node)
    return e._order
