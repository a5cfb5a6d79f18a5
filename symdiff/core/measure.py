"""Sizes of trees: `cost` and what is counted from it, cached on the nodes."""

from __future__ import annotations

from .expr import Expr, set_cost
from .nodes import E, Log, Num, Pow, Sym


def cost(e: Expr) -> tuple[int, int, int]:
    """(leaves, negative numbers, nodes), counting repeats; the `e` of `ln` and
    `exp` is not a leaf.  Fewer minus signs break ties: `-(x + 2)` over `-x - 2`.
    Cached on each node, and built from the children's, without recursion."""
    try:
        return e._cost
    except AttributeError:
        pass
    stack = [e]
    while stack:
        node = stack[-1]
        kids = node.args
        pending = False
        for kid in kids:
            try:
                kid._cost
            except AttributeError:
                stack.append(kid)
                pending = True
        if pending:
            continue
        stack.pop()
        set_cost(node, _cost_of(node, tuple([kid._cost for kid in kids])))
    return e._cost


def _cost_of(node: Expr, kids: tuple[tuple[int, int, int], ...]) -> tuple[int, int, int]:
    t = type(node)
    if t is Sym or not kids:
        return (1, 1 if t is Num and node.value.numerator < 0 else 0, 1)
    if t is Log and node.base is E:
        kids = kids[:1]  # (arg, base)
    elif t is Pow and node.base is E:
        kids = kids[1:]  # (base, exp)
    leaves = negatives = nodes = 0
    for a, b, c in kids:
        leaves += a
        negatives += b
        nodes += c
    return (leaves, negatives, nodes + 1)


def size(root: Expr) -> int:
    """Number of nodes, counting shared sub-trees each time they occur (`cost`)."""
    return cost(root)[2]


def leaves(root: Expr) -> int:
    """Number of leaves (numbers, constants, symbols), counting repeats (`cost`)."""
    return cost(root)[0]


def symbols(root: Expr) -> list[Sym]:
    """The free variables, sorted by name."""
    return sorted(root.free, key=lambda s: str(s))
