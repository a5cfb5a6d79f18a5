"""Declaring shapes in text, for the command line and the web page: `X:n,d`
specs (`read_specs`), and the dimensions of names said only to be matrices or
vectors, inferred from how the expression combines them (`infer`).

Inference reads the expression once with the matrix reader (`read.Reader`),
each undeclared dimension a placeholder; every product, sum and entrywise
operation that meets two placeholders (or a placeholder and a declared
dimension) unites them, and a function or power that needs a square matrix
(its row's kind rule refuses otherwise) unites rows and columns.  What the
reader still refuses after that is a real mismatch, refused with its caret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Union

from ..errors import KindError, ParseError, refuse
from ..expr import SCALAR, ArrayConst, Expr, Kind, Sym, array_const, fold, shape, sym
from .read import Operand, Reader, Shapes, Tok, plain_tokens

Dim = Union[str, int]

_SPEC = re.compile(r"\s*(?P<name>[A-Za-z][A-Za-z0-9_]*):")
_DIM = re.compile(r"(?:(?P<int>\d+)|(?P<name>[A-Za-z][A-Za-z0-9_]*))")
# Letters for inferred dimensions, in the order they are handed out.
LETTERS = ("n", "d", "k", "m", "p", "q", "r", "s", "h", "l")


def read_specs(text: str, shapes: dict[str, tuple[Dim, ...]] | None = None) -> dict[str, tuple[Dim, ...]]:
    """`X:n,d w:d lam:` (one or more, separated by spaces) -> {"X": ("n", "d"), "w": ("d",), "lam": ()}.

    A name given twice with different shapes, a dimension that is neither a
    name nor a positive whole number, or more than two dimensions is a
    ParseError with the caret at the fault."""
    out = {} if shapes is None else shapes
    pos, end = 0, len(text.rstrip())
    if not text.strip():
        raise refuse("expected NAME:DIMS, such as X:n,d (a matrix), w:d (a vector) or lam: (a scalar)", text, 0)
    while pos < end:
        m = _SPEC.match(text, pos)
        if m is None:
            at = len(text) - len(text[pos:].lstrip())
            raise refuse("expected NAME:DIMS, such as X:n,d (a matrix), w:d (a vector) or lam: (a scalar)", text, at)
        name, start = m.group("name"), m.start("name")
        pos = m.end()
        dims: list[Dim] = []
        while pos < end and not text[pos].isspace():
            d = _DIM.match(text, pos)
            if d is None or d.end() == pos or not (d.group("int") or d.group("name")):
                raise refuse("a dimension is a name (n) or a positive whole number (3)", text, pos)
            if d.group("int") is not None:
                value = int(d.group("int"))
                if value < 1:
                    raise refuse("a dimension is a positive whole number", text, d.start("int"))
                dims.append(value)
            else:
                dims.append(d.group("name"))
            if len(dims) > 2:
                raise refuse("a shape has at most two dimensions (a matrix)", text, d.start())
            pos = d.end()
            if pos < end and text[pos] == ",":
                pos += 1
                if pos >= end or text[pos].isspace():
                    raise refuse("a dimension is missing after the comma", text, pos)
            elif pos < end and not text[pos].isspace():
                raise refuse("expected a comma between dimensions", text, pos)
        if name in out and out[name] != tuple(dims):
            raise refuse(f"{name} is declared twice, with different shapes", text, start)
        out[name] = tuple(dims)
        while pos < end and text[pos].isspace():
            pos += 1
    return out


def describe(shapes: Mapping[str, tuple[Dim, ...]], names: Iterable[str] | None = None) -> str:
    """`X: n×d matrix, w: d-vector`: the shapes of `names` (default: all)."""
    chosen = list(shapes) if names is None else list(names)
    return ", ".join(f"{n}: {shape(shapes[n])}" for n in chosen)


class _Inferring(Reader):
    """The matrix reader, uniting placeholder dimensions as operands meet."""

    def __init__(self, text: str, shapes: Shapes, placeholders: set[str]) -> None:
        super().__init__(text, shapes)
        self.placeholders = placeholders
        self.parent: dict[str, Dim] = {}

    def find(self, d: Dim) -> Dim:
        while isinstance(d, str) and d in self.parent:
            d = self.parent[d]
        return d

    def unite(self, a: Dim, b: Dim) -> bool:
        """Make a and b one dimension when either is a placeholder; False if nothing changed."""
        a, b = self.find(a), self.find(b)
        if a == b or 1 in (a, b):  # a vector's own 1 (a column) never sizes a placeholder
            return False
        if isinstance(a, str) and a in self.placeholders:
            self.parent[a] = b
        elif isinstance(b, str) and b in self.placeholders:
            self.parent[b] = a
        else:
            return False  # two declared dimensions: the reader's refusal says which
        return True

    def kind(self, k: Kind) -> Kind:
        return k if k is SCALAR else Kind(tuple(self.find(d) for d in k.shape))

    def canon(self, e: Expr) -> Expr:
        """`e` rebuilt with every dimension at its representative."""
        if all(self.find(d) == d for d in e.kind.shape) and not any(
                isinstance(n, (Sym, ArrayConst)) and n.kind is not SCALAR and self.kind(n.kind) is not n.kind
                for n in _leaves(e)):
            return e

        def visit(node: Expr, kids: tuple[Expr, ...]) -> Expr:
            if type(node) is Sym and node.kind is not SCALAR:
                return sym(node.name, kind=self.kind(node.kind))
            if type(node) is ArrayConst:
                return array_const(node.name, self.kind(node.kind))
            return node.rebuild(kids) if kids else node

        return fold(e, visit)

    def square(self, *values: Expr) -> bool:
        """Unite rows and columns of each matrix among `values` (a square was needed)."""
        return any([self.unite(v.kind.shape[0], v.kind.shape[1]) for v in values if len(v.kind.shape) == 2])

    def combine(self, op: Tok, a: Expr, b: Expr) -> Expr:
        a, b = self.canon(a), self.canon(b)
        ka, kb = a.kind, b.kind
        if ka is not SCALAR and kb is not SCALAR:
            if op.text == "*":
                self.unite(ka.cols, kb.rows)
            elif op.text in ("+", "-", ".*", "./") and len(ka.shape) == len(kb.shape):
                for x, y in zip(ka.shape, kb.shape):
                    self.unite(x, y)
            a, b = self.canon(a), self.canon(b)
        try:
            return super().combine(op, a, b)
        except KindError:
            if op.text != "^" or not self.square(a):
                raise
            return super().combine(op, self.canon(a), b)

    def call(self, name: Tok, args: list[Operand], end: int) -> Operand:
        args = [Operand(self.canon(a.value), a.start, a.end) if isinstance(a.value, Expr) else a for a in args]
        try:
            return super().call(name, args, end)
        except ParseError:
            if not self.square(*(a.value for a in args if isinstance(a.value, Expr))):
                raise
            args = [Operand(self.canon(a.value), a.start, a.end) if isinstance(a.value, Expr) else a for a in args]
            return super().call(name, args, end)


def _leaves(e: Expr) -> Iterable[Expr]:
    from ..expr import postorder

    return (n for n in postorder(e) if not n.args)


def infer(texts: Sequence[str], declared: Mapping[str, tuple[Dim, ...]], matrices: Sequence[str] = (),
          vectors: Sequence[str] = (), scalars: Sequence[str] = (), square: Sequence[str] = ()
          ) -> dict[str, tuple[Dim, ...]]:
    """The shapes of every name: `declared` as given, `scalars` as scalars, and
    `matrices` (`square` ones among them n×n) and `vectors` with the dimensions
    their products and sums in `texts` (read together) imply, named n, d, k, ... (letters the
    text and the declared shapes do not use).  A mismatch is a ParseError with
    the caret at the operator."""
    shapes: dict[str, tuple[Dim, ...]] = dict(declared)
    for name in scalars:
        shapes.setdefault(name, ())
    read = [(text, plain_tokens(text) if text.strip() else []) for text in texts]
    toks = [t for _, ts in read for t in ts]
    order = {t.text: k for k, t in reversed(list(enumerate(toks))) if t.kind == "name"}
    unknown = sorted((n for n in dict.fromkeys([*matrices, *square, *vectors]) if n not in declared),
                     key=lambda n: order.get(n, len(toks)))
    placeholders: dict[str, tuple[str, ...]] = {}
    for n in unknown:
        if n in square:
            placeholders[n] = (f"size_{n}", f"size_{n}")
        else:
            placeholders[n] = (f"rows_{n}", f"cols_{n}") if n in matrices else (f"len_{n}",)
        shapes[n] = placeholders[n]
    if not placeholders:
        return shapes
    reader = _Inferring("", shapes, {d for dims in placeholders.values() for d in dims})
    for text, ts in read:
        if ts:
            reader.text = text  # one union of dimensions across the texts
            reader.read(ts)
    taken = {t.text for t in toks if t.kind == "name"} | {
        d for n, dims in declared.items() for d in dims if isinstance(d, str)} | set(declared)
    letters = (x for x in (*LETTERS, *(f"n{k}" for k in range(1, 100))) if x not in taken)
    named: dict[Dim, Dim] = {}
    for n in unknown:
        dims = tuple(reader.find(d) for d in placeholders[n])
        for d in dims:
            if isinstance(d, str) and d in reader.placeholders and d not in named:
                named[d] = next(letters)
        shapes[n] = tuple(named.get(d, d) for d in dims)
    return shapes
