"""Index form: a matrix expression written entry by entry with sums
(`X*w` at i is `sum_{k=1}^{d} X_{ik}*w_k`), and derivatives in that form, as
the scalar sums machinery (`symdiff.sums`) writes them (`--form index`).

`entry(e, at)` lowers `e` at the index symbols `at` (one per dimension; the
1 of a row or column is no index).  `index_derivative` lowers the input and
differentiates it by one entry of the variable (`w_a`, `W_{ab}`) with the
scalar rules.  Functions with no entry-by-entry formula (`inv`, `det`,
`logdet`) have no index form: NoIndexForm says so, and the matrix form stands.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from fractions import Fraction
from typing import Callable, cast

from ..errors import AssumptionNote, SymdiffError
from ..expr import (
    IDENTITY, ONE, SCALAR, Add, ArrayConst, Const, Expr, Func, Hadamard, HadamardPow, Log, Mul, Num, Pow, Sym,
    Transpose, add, delta, exp, func, ln, log, mul, num, pow_, summation, sym,
)
from ..functions import ARRAY_FUNCTIONS

Index = Expr  # an index symbol, or ONE for the 1 of a row or column


class NoIndexForm(SymdiffError):
    """An expression with no entry-by-entry formula (an inverse, a determinant)."""


# Index names handed out, in this order, skipping names the expression uses.
INDEX_LETTERS = ("i", "j", "k", "l", "m", "p", "q", "r", "s", "t", "u", "v")
ENTRY_LETTERS = ("a", "b", "c")


class Fresh:
    """Index symbols not among `taken`."""

    def __init__(self, taken: set[str], letters: tuple[str, ...] = INDEX_LETTERS) -> None:
        self.taken = taken
        self.names: Iterator[str] = (x for x in (*letters, *(f"{letters[0]}{k}" for k in range(1, 10_000)))
                                     if x not in taken)

    def __call__(self) -> Sym:
        name = next(self.names)
        self.taken.add(name)
        return sym(name)


def _bound(d: str | int) -> Expr:
    return sym(d) if isinstance(d, str) else num(d)


def _full(e: Expr, at: tuple[Index, ...]) -> tuple[Index, Index]:
    """`at` as (row, column) of e seen as a matrix: a vector's column is 1."""
    shape = e.kind.shape
    if len(shape) == 0:
        return ONE, ONE
    if len(shape) == 1:
        return at[0], ONE
    return at[0], at[1]


def _own(e: Expr, row: Index, col: Index) -> tuple[Index, ...]:
    """(row, column) back to e's own indices."""
    n = len(e.kind.shape)
    return () if n == 0 else (row,) if n == 1 else (row, col)


def _dims(e: Expr) -> tuple[str | int, str | int]:
    k = e.kind
    return k.rows, k.cols


def entry(e: Expr, at: tuple[Index, ...], fresh: Fresh) -> Expr:
    """The entry of `e` at `at` (empty for a scalar), with sums over fresh indices."""
    # An explicit stack of (node, indices) -> value; children first.
    done: dict[tuple[Expr, tuple[Index, ...]], Expr] = {}
    stack: list[tuple[Expr, tuple[Index, ...], bool]] = [(e, at, False)]
    plans: dict[tuple[Expr, tuple[Index, ...]], Callable[[], Expr]] = {}
    while stack:
        node, idx, ready = stack.pop()
        key = (node, idx)
        if key in done:
            continue
        if ready:
            done[key] = plans.pop(key)()
            continue
        needs, build = _rule(node, idx, fresh, done)
        plans[key] = build
        stack.append((node, idx, True))
        stack.extend((n, i, False) for n, i in needs)
    return done[(e, at)]


Needs = list[tuple[Expr, tuple[Index, ...]]]


def _rule(node: Expr, idx: tuple[Index, ...], fresh: Fresh,
          done: dict[tuple[Expr, tuple[Index, ...]], Expr]) -> tuple[Needs, Callable[[], Expr]]:
    """What the entry of `node` at `idx` needs, and how it is built from them."""
    t = type(node)

    def get(n: Expr, i: tuple[Index, ...]) -> Expr:
        return done[(n, i)]

    if node.kind is SCALAR and t in (Num, Const) or (t is Sym and node.kind is SCALAR):
        return [], lambda: node
    if t is Sym:
        return [], lambda: sym(node.name, *idx)
    if t is ArrayConst:
        row, col = _full(node, idx)
        return [], (lambda: delta(row, col)) if node.name == IDENTITY else (lambda: ONE)
    if t is Transpose:
        row, col = _full(node, idx)
        inner = _own(node.arg, col, row)
        return [(node.arg, inner)], lambda: get(node.arg, inner)
    if t is Add or t is Hadamard:
        parts = [(a, idx if a.kind is not SCALAR else ()) for a in node.args]
        combine = add if t is Add else mul
        return parts, lambda: combine(*(get(a, i) for a, i in parts))
    if t is Mul:
        return _product(list(node.factors), idx, node, fresh, get)
    if t is HadamardPow:
        return [(node.base, idx), (node.exp, ())], lambda: pow_(get(node.base, idx), get(node.exp, ()))
    if t is Pow:
        b, x = node.base, node.exp
        if b.kind is SCALAR:
            need = [(b, ()), (x, idx if x.kind is not SCALAR else ())]
            return need, lambda: pow_(get(b, ()), get(*need[1]))
        if type(x) is Num and x.value.denominator == 1 and x.value > 0:  # X^3 = X*X*X
            return _product([b] * int(x.value), idx, node, fresh, get)
        raise NoIndexForm(f"{node} has no index form")
    if t is Log:
        need = [(node.arg, idx), (node.base, ())]
        return need, lambda: log(get(node.arg, idx), get(node.base, ()))
    if t is Func:
        if node.name in ARRAY_FUNCTIONS and not node.rest:
            return _array_function(node, idx, fresh, get)
        args = [(a, idx if a.kind is not SCALAR else ()) for a in node.args]
        return args, lambda: func(node.name, *(get(a, i) for a, i in args))
    raise NoIndexForm(f"{node} has no index form")


Get = Callable[[Expr, tuple[Index, ...]], Expr]


def _product(factors: list[Expr], idx: tuple[Index, ...], node: Expr, fresh: Fresh,
             get: Get) -> tuple[Needs, Callable[[], Expr]]:
    """A matrix product's entry: a chain of shared indices, each inner one summed."""
    scalars = [f for f in factors if f.kind is SCALAR]
    arrays = [f for f in factors if f.kind is not SCALAR]
    row, col = _full(node, idx)
    bounds: list[tuple[Sym, str | int]] = []
    links: list[Index] = [row]
    for f in arrays[:-1]:
        d = _dims(f)[1]
        if d == 1:
            links.append(ONE)
        else:
            k = fresh()
            links.append(k)
            bounds.append((k, d))
    links.append(col)
    parts = [(f, _own(f, links[n], links[n + 1])) for n, f in enumerate(arrays)]
    parts += [(s, ()) for s in scalars]

    def build() -> Expr:
        body = mul(*(get(f, i) for f, i in parts))
        for k, d in reversed(bounds):
            body = summation(body, k, ONE, _bound(d))
        return body

    return parts, build


def _array_function(node: Expr, idx: tuple[Index, ...], fresh: Fresh, get: Get) -> tuple[Needs, Callable[[], Expr]]:
    a = node.args[0]
    name = node.name
    rows, cols = _dims(a)
    vector = len(a.kind.shape) == 1

    if name in ("sum", "norm1", "norm"):
        i, j = fresh(), (ONE if vector else fresh())
        at = _own(a, i, j)

        def reduce() -> Expr:
            v = get(a, at)
            s = func("abs", v) if name == "norm1" else pow_(v, num(2)) if name == "norm" else v
            if not vector:
                s = summation(s, cast(Sym, j), ONE, _bound(cols))
            s = summation(s, i, ONE, _bound(rows))
            return pow_(s, num(Fraction(1, 2))) if name == "norm" else s

        return [(a, at)], reduce
    if name == "tr":
        i = fresh()
        need: Needs = [(a, (i, i))]
        return need, lambda: summation(get(a, (i, i)), i, ONE, _bound(rows))
    if name == "diag":
        if vector:  # diag(v) at (i, j): delta(i, j)*v_i
            r, c = idx
            return [(a, (r,))], lambda: mul(delta(r, c), get(a, (r,)))
        (r,) = idx
        return [(a, (r, r))], lambda: get(a, (r, r))
    if name in ("softmax", "logsumexp"):
        row = ONE if vector else idx[0]
        k = fresh()
        own_k = (k,) if vector else (row, k)
        here = () if name == "logsumexp" else (idx[0],) if vector else (row, idx[1])
        needs: Needs = [(a, own_k)] + ([(a, here)] if name == "softmax" else [])
        length = rows if vector else cols

        def build_soft() -> Expr:
            total = summation(exp(get(a, own_k)), k, ONE, _bound(length))
            if name == "logsumexp":
                return ln(total)
            return mul(exp(get(a, here)), pow_(total, num(-1)))

        return needs, build_soft
    raise NoIndexForm(f"{name} has no index form (no entry-by-entry formula with sums)")


# ------------------------------------------------------------------ derivatives


def taken_names(*exprs: Expr) -> set[str]:
    """Names an index must not take: the variables and the dimension names."""
    out: set[str] = {"e", "pi", "I"}
    for e in exprs:
        for s in e.free:
            out.add(s.name)
            out.update(d for d in s.kind.shape if isinstance(d, str))
    return out


def entry_indices(x: Expr, taken: set[str]) -> tuple[Sym, ...]:
    """a, b for the entry of the variable (none for a scalar)."""
    fresh = Fresh(taken, ENTRY_LETTERS + INDEX_LETTERS)
    return tuple(fresh() for _ in x.kind.shape)


def index_derivative(f: Expr, xs: list[Sym], matrix_result: Expr | None = None
                     ) -> tuple[Expr, tuple[Sym, ...], list[Expr]]:
    """d f / d x_a (d y_b ...) in index form: (the derivative, the indices of
    f's entry (a Jacobian's row; none for a scalar), the entries it is by).

    `f` is lowered and differentiated by the variables' entries in turn with
    the scalar rules; where those cannot, `matrix_result` is lowered instead."""
    from .. import api

    taken = taken_names(f, *xs)
    rows = entry_indices(f, taken) if f.kind is not SCALAR else ()
    wrt: list[Expr] = []
    for x in xs:
        ix = entry_indices(x, taken)
        wrt.append(sym(x.name, *ix) if ix else sym(x.name))
    fresh = Fresh(taken)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionNote)  # the entries' ranges go with the label
        lowered = entry(f, rows, fresh)
        try:
            out = lowered
            for w in wrt:
                out = api.diff(out, w)
            return out, rows, wrt
        except SymdiffError:
            if matrix_result is None:
                raise
        at = (*rows, *(i for w in wrt for i in w.args))
        return api.simplify(entry(matrix_result, tuple(at), fresh)), rows, wrt
