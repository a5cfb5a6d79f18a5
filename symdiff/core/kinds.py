"""Kinds of values: what a node is (a scalar, a vector, a matrix), computed at construction.

A kind is a shape: `()` for a scalar, `(n,)` for a vector (a column), `(n, d)`
for a matrix, each dimension a name or a positive int.  Kinds are interned,
so `is` compares them.  Scalars commute with everything; vectors and matrices
multiply in the order written, and only when their inner dimensions agree.
Mixing kinds wrongly raises `KindError` when the node is built.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Callable, Protocol, Union

from ..errors import KindError


class Expr(Protocol):
    """What a kind rule reads of a node (the nodes build on this module)."""

    @property
    def kind(self) -> Kind: ...

Dim = Union[str, int]

KINDS: dict[tuple[Dim, ...], Kind] = {}  # every kind made, by shape (never removed)


class Kind:
    """The shape of a value; build with `shape`, `vector`, `matrix` or use `SCALAR`."""

    __slots__ = ("shape", "stable_hash")
    shape: tuple[Dim, ...]
    stable_hash: int  # the same in every process, unlike hash(str)

    def __new__(cls, shape: tuple[Dim, ...]) -> Kind:
        known = KINDS.get(shape)
        if known is not None:
            return known
        if len(shape) > 2:
            raise KindError(f"a shape has at most two dimensions, not {len(shape)}: {shape!r}")
        for d in shape:
            if isinstance(d, bool) or not (isinstance(d, int) and d > 0 or isinstance(d, str) and d.isidentifier()):
                raise KindError(f"a dimension is a name or a positive integer, not {d!r}")
        kind = object.__new__(cls)
        object.__setattr__(kind, "shape", shape)
        object.__setattr__(kind, "stable_hash", zlib.crc32(repr(shape).encode()))
        KINDS[shape] = kind
        return kind

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Kind is immutable")

    def __reduce__(self) -> tuple[type[Kind], tuple[tuple[Dim, ...]]]:
        return (Kind, (self.shape,))

    @property
    def is_scalar(self) -> bool:
        return not self.shape

    @property
    def rows(self) -> Dim:
        """Rows as a matrix: a vector is one column, a scalar 1x1."""
        return self.shape[0] if self.shape else 1

    @property
    def cols(self) -> Dim:
        return self.shape[1] if len(self.shape) == 2 else 1

    def __str__(self) -> str:
        if not self.shape:
            return "scalar"
        if len(self.shape) == 1:
            return f"{self.shape[0]}-vector"
        return f"{self.shape[0]}×{self.shape[1]} matrix"

    def __repr__(self) -> str:
        return f"<Kind {self}>"


SCALAR = Kind(())


def shape(dims: Iterable[Dim]) -> Kind:
    """The kind of a value with these dimensions: `shape(("n", "d"))` is an n×d matrix, `shape(())` a scalar."""
    return Kind(tuple(dims))


def vector(n: Dim) -> Kind:
    """An n-vector (a column)."""
    return Kind((n,))


def matrix(rows: Dim, cols: Dim) -> Kind:
    """A rows×cols matrix."""
    return Kind((rows, cols))


def _show(e: Expr) -> str:
    text = str(e)
    return text if len(text) <= 40 else text[:37] + "..."


def _named(e: Expr) -> str:
    return f"{_show(e)} ({e.kind})"


# ------------------------------------------------------------------ rules
# Each returns the kind of a node from its children's, or raises KindError.


def same_kind(what: str, parts: Iterable[Expr]) -> Kind:
    """Terms of a sum (or arguments applied entrywise): arrays must agree; in a
    sum a scalar does not mix with an array either."""
    first: Expr | None = None
    for p in parts:
        if first is None:
            first = p
        elif p.kind is not first.kind:
            raise KindError(f"cannot {what} {_named(first)} and {_named(p)}: their shapes differ")
    return SCALAR if first is None else first.kind


def entrywise_kind(what: str, parts: Iterable[Expr]) -> Kind:
    """A function applied entry by entry: scalars broadcast, arrays must agree."""
    out: Expr | None = None
    for p in parts:
        if p.kind is SCALAR:
            continue
        if out is None:
            out = p
        elif p.kind is not out.kind:
            raise KindError(f"cannot apply {what} to {_named(out)} and {_named(p)}: their shapes differ")
    return SCALAR if out is None else out.kind


def product_kind(factors: Iterable[Expr]) -> Kind:
    """Scalars scale; arrays multiply in order, as matrices (a vector is a column)."""
    left: Expr | None = None
    rows: Dim = 1
    cols: Dim = 1
    last: Kind = SCALAR
    for f in factors:
        k = f.kind
        if k is SCALAR:
            continue
        if left is not None and cols != k.rows:
            raise KindError(f"cannot multiply {_named(left)} by {_named(f)}: "
                            f"the inner dimensions {cols} and {k.rows} differ")
        if left is None:
            rows = k.rows
        cols, last = k.cols, k
        left = f
    if left is None or rows == 1 and (cols == 1 or len(last.shape) == 1):
        return SCALAR  # a 1x1 product (x^T*y, x^T*A*x) is a scalar
    if len(last.shape) == 1:
        return Kind((rows,))
    return Kind((rows, cols))


def power_kind(base: Expr, exp: Expr, integral: bool, natural: bool = False) -> Kind:
    """A scalar to a scalar power; a square matrix to an integer power (`integral`: exp is a whole number);
    e to an array, entry by entry (`natural`: the base is e; `exp(X)`)."""
    k = base.kind
    if exp.kind is not SCALAR:
        if natural:
            return exp.kind
        raise KindError(f"an exponent must be a scalar, not {_named(exp)}")
    if k is SCALAR:
        return SCALAR
    if len(k.shape) == 2 and k.rows == k.cols and integral:
        return k
    if len(k.shape) == 1:
        raise KindError(f"cannot raise {_named(base)} to a power: a vector has no powers "
                        "(entrywise: x.^2; its square length: x^T*x or norm(x)^2)")
    raise KindError(f"cannot raise {_named(base)} to the power {_show(exp)}: "
                    "only a square matrix has powers, and only integer ones")


def scalar_kind(what: str, parts: Iterable[Expr]) -> Kind:
    """Parts that must be scalars (a sum's bounds, a delta's indices, a name's subscripts)."""
    for p in parts:
        if p.kind is not SCALAR:
            raise KindError(f"{what} must be a scalar, not {_named(p)}")
    return SCALAR


# The kind rules of the functions of arrays (`tr`, `det`, `softmax`, ...), by
# name: `symdiff.functions` fills it from its rows; others act entrywise.
FUNCTION_KINDS: dict[str, Callable[[Expr], Kind]] = {}


def function_kind(name: str, args: tuple[Expr, ...]) -> Kind:
    """A function's kind: its row's rule, or entrywise."""
    rule = FUNCTION_KINDS.get(name)
    if rule is not None and len(args) == 1:
        return rule(args[0])
    return entrywise_kind(name, args)
