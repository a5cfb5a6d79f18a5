"""Reading matrix text: plain (and LaTeX, through `latex_tokens`) -> Expr, with declared shapes.

Shapes decide what a name is: a declared name is a symbol of its kind, `I` (when
not declared) the identity and `\\mathbf{1}` the ones vector, each sized by
what it meets.  Precedence, loosest first: `+ -`; `* / .* ./` and
juxtaposition (one level, left to right, as MATLAB's); unary minus; `^ .^`
(right); postfix `'` and `^T`, which bind tightest.  The reader is a
shunting-yard loop (no recursion); a shape mismatch is refused with a caret
under the operator (`X*w: X is n×d but w has length m`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from ..errors import KindError, ParseError, refuse
from .. import functions as F
from ..expr import (
    E, IDENTITY, NEG_ONE, ONES, PI, SCALAR, Expr, Kind, Num, add, array_const, div, func, hadamard, hadamard_pow,
    mul, neg, num, pow_, shape, sub, sym, transpose,
)

Shapes = Mapping[str, tuple[Union[str, int], ...]]

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
                    r"|(?P<op>\.\*|\./|\.\^|\*\*|[-+*/^'(),]))")


@dataclass
class Tok:
    kind: str  # "num", "name", "op", "fn" (a function name before its bracket), "end"
    text: str
    at: int


def plain_tokens(text: str) -> list[Tok]:
    out: list[Tok] = []
    pos = 0
    end = len(text.rstrip())
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            at = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise refuse(f"cannot read {text[at]!r} here", text, at)
        kind = m.lastgroup or "op"
        value = m.group(kind)
        out.append(Tok(kind, "^" if value == "**" else value, m.start(kind)))
        pos = m.end()
    return out


@dataclass
class Pending:
    """`I` or the ones, not yet sized: the first operand it meets gives its size."""

    name: str
    transposed: bool = False


Value = Union[Expr, Pending]


@dataclass
class Operand:
    value: Value
    start: int
    end: int


MATRIX_WORDS = frozenset(F.ARRAY_FUNCTIONS)
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2, ".*": 2, "./": 2, "^": 4, ".^": 4}
_RIGHT = {"^", ".^"}
_PREFIX = 3  # unary minus: -x^2 is -(x^2), -a*b is (-a)*b


def _describe(e: Expr) -> str:
    k = e.kind
    if k is SCALAR:
        return "a scalar"
    if len(k.shape) == 1:
        return f"has length {k.shape[0]}"
    return f"is {k.shape[0]}×{k.shape[1]}"


def _says(text: str, e: Expr) -> str:
    d = _describe(e)
    return f"{text} {d}" if d.startswith(("is", "has")) else f"{text} is {d}"


class Reader:
    """One reading of one text."""

    def __init__(self, text: str, shapes: Shapes) -> None:
        self.text = text
        self.kinds: dict[str, Kind] = {}
        for name, dims in shapes.items():
            try:
                self.kinds[name] = shape(dims)
            except KindError as exc:
                raise KindError(f"the shape of {name}: {exc}") from None

    # ---------------------------------------------------------------- values

    def name(self, tok: Tok) -> Value:
        k = self.kinds.get(tok.text)
        if k is not None:
            return sym(tok.text, kind=k)
        if tok.text == IDENTITY:
            return Pending(IDENTITY)
        if tok.text in ("e", "pi"):
            return E if tok.text == "e" else PI
        return sym(tok.text)

    def settle(self, v: Operand, what: str = "") -> Expr:
        if isinstance(v.value, Pending):
            raise refuse(f"{self.text[v.start:v.end]} needs a size: use it beside a matrix or vector "
                         "of known shape (A + I, A*I)", self.text, v.start)
        return v.value

    def sized(self, p: Pending, other: Expr, side: str, op: str) -> Expr:
        """A pending I or ones, sized by `other`, on the `side` of `op`."""
        k = other.kind
        if op in ("*",):
            n = k.rows if side == "left" else k.cols
            if p.name == IDENTITY:
                return array_const(IDENTITY, Kind((n, n)))
            if side == "left" and not p.transposed:
                raise KindError("the ones vector before a product needs a transpose: 1^T*A")
            v = array_const(ONES, Kind((n,)))
            return transpose(v) if p.transposed else v
        if p.name == IDENTITY:
            if len(k.shape) != 2 or k.rows != k.cols:
                raise KindError(f"I beside a {k}: the identity is square")
            return array_const(IDENTITY, k)
        return array_const(ONES, k)

    def binary(self, op: Tok, a: Operand, b: Operand) -> Operand:
        x, y = a.value, b.value
        try:
            if isinstance(x, Pending) and not isinstance(y, Pending):
                x = self.sized(x, y, "left", op.text)
            elif isinstance(y, Pending) and not isinstance(x, Pending):
                y = self.sized(y, x, "right", op.text)
            xa, ya = self.settle(Operand(x, a.start, a.end)), self.settle(Operand(y, b.start, b.end))
            out = self.combine(op, xa, ya)
        except KindError as exc:
            raise refuse(self.mismatch(op, a, b, x, y, exc), self.text, op.at) from None
        return Operand(out, a.start, b.end)

    def mismatch(self, op: Tok, a: Operand, b: Operand, x: Value, y: Value, exc: KindError) -> str:
        ta, tb = self.text[a.start:a.end].strip(), self.text[b.start:b.end].strip()
        if isinstance(x, Expr) and isinstance(y, Expr) and x.kind is not SCALAR and y.kind is not SCALAR \
                and op.text in ("*", "+", "-", ".*", "./"):
            return f"{ta}{op.text}{tb}: {_says(ta, x)} but {_says(tb, y)}"
        return f"{ta}{op.text}{tb}: {exc}"

    def combine(self, op: Tok, a: Expr, b: Expr) -> Expr:
        o = op.text
        if o == "+":
            return add(a, b)
        if o == "-":
            return sub(a, b)
        if o == "*":
            return mul(a, b)
        if o == "/":
            if b.kind is not SCALAR:
                raise KindError(f"cannot divide by an array ({b.kind}): write inv(...) for an inverse, ./ entrywise")
            return div(a, b)
        if o == ".*":
            return hadamard(a, b)
        if o == "./":
            if b.kind is SCALAR:
                return div(a, b)
            return hadamard(a, hadamard_pow(b, NEG_ONE))
        if o == ".^":
            if b.kind is not SCALAR:
                raise KindError("an entrywise power takes a scalar exponent")
            return hadamard_pow(a, b)
        # "^"
        if b.kind is not SCALAR:
            raise KindError("an exponent must be a scalar: exp(X) is e to each entry of X")
        if a.kind is not SCALAR and type(b) is Num and b.value.denominator == 1 and b.value < 0 \
                and len(a.kind.shape) == 2:
            inverse = func("inv", a)
            return inverse if b.value == -1 else pow_(inverse, num(-b.value))
        return pow_(a, b)

    def call(self, name: Tok, args: list[Operand], end: int) -> Operand:
        exprs = [self.settle(a) for a in args]
        try:
            if name.text in MATRIX_WORDS:
                if len(exprs) != 1:
                    raise refuse(f"{name.text} takes one argument", self.text, name.at)
                out = func(name.text, exprs[0])
            else:
                out = self.scalar_function(name, exprs)
        except KindError as exc:
            raise refuse(f"{name.text}(...): {exc}", self.text, name.at) from None
        return Operand(out, name.at, end)

    def scalar_function(self, name: Tok, args: list[Expr]) -> Expr:
        spelling = name.text
        if not F.arities(spelling):
            raise refuse(f"unknown function {spelling}: with shapes, symdiff reads the functions of its table "
                         f"and {', '.join(sorted(MATRIX_WORDS))}", self.text, name.at)
        if len(args) not in F.arities(spelling):
            raise refuse(f"{spelling} takes {' or '.join(map(str, F.arities(spelling)))} argument(s)",
                         self.text, name.at)
        arrays = [a for a in args if a.kind is not SCALAR]
        if arrays and spelling in F.BUILDERS and spelling not in ("exp", "ln", "log", "log10", "log2", "lg"):
            if spelling == "sqrt":
                return hadamard_pow(args[0], num(Fraction(1, 2)))
            raise refuse(f"{spelling} of a vector or matrix is not yet read entrywise", self.text, name.at)
        if arrays and len(args) > 1:
            raise refuse(f"{spelling} of vectors or matrices is not yet read", self.text, name.at)
        return F.apply(spelling, *args)

    def postfix_transpose(self, v: Operand, tok: Tok) -> Operand:
        value = v.value
        if isinstance(value, Pending):
            return Operand(Pending(value.name, not value.transposed), v.start, tok.at + len(tok.text))
        return Operand(transpose(value), v.start, tok.at + len(tok.text))

    # ---------------------------------------------------------------- the loop

    def read(self, toks: list[Tok]) -> Expr:
        values: list[Operand] = []
        ops: list[tuple[str, Tok, int]] = []  # ("bin" | "neg" | "(" | "fn", token, argument count so far)
        expect_operand = True
        i = 0

        def reduce_top() -> None:
            kind, tok, _ = ops.pop()
            if kind == "neg":
                v = values.pop()
                settled = self.settle(v)
                values.append(Operand(neg(settled), tok.at, v.end))
            else:
                b, a = values.pop(), values.pop()
                values.append(self.binary(tok, a, b))

        def precedence(entry: tuple[str, Tok, int]) -> int:
            return _PREFIX if entry[0] == "neg" else _BINARY[entry[1].text]

        def push_binary(tok: Tok) -> None:
            p = _BINARY[tok.text]
            while ops and ops[-1][0] in ("bin", "neg"):
                q = precedence(ops[-1])
                if q > p or (q == p and tok.text not in _RIGHT):
                    reduce_top()
                else:
                    break
            ops.append(("bin", tok, 0))

        while i < len(toks):
            tok = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if expect_operand:
                if tok.kind == "num":
                    values.append(Operand(num(tok.text), tok.at, tok.at + len(tok.text)))
                    expect_operand = False
                elif tok.kind == "name" and nxt is not None and nxt.text == "(" and tok.text not in self.kinds:
                    ops.append(("fn", tok, 0))
                    ops.append(("(", nxt, 0))
                    i += 1
                elif tok.kind == "name" or tok.kind == "pending":
                    value = Pending(ONES) if tok.kind == "pending" else self.name(tok)
                    values.append(Operand(value, tok.at, tok.at + len(tok.text)))
                    expect_operand = False
                elif tok.text == "(":
                    ops.append(("(", tok, 0))
                elif tok.text == "-":
                    ops.append(("neg", tok, 0))
                elif tok.text == "+":
                    pass
                else:
                    raise refuse(f"expected a value, found {tok.text!r}", self.text, tok.at)
                i += 1
                continue
            # after an operand
            if tok.text == "'" or (tok.text == "^" and nxt is not None and nxt.text == "T"
                                   and self.transposes(values[-1])):
                end_tok = tok if tok.text == "'" else nxt
                assert end_tok is not None
                values[-1] = self.postfix_transpose(values[-1], end_tok)
                i += 1 if tok.text == "'" else 2
                continue
            if tok.text in _BINARY:
                push_binary(tok)
                expect_operand = True
            elif tok.text == ")" or tok.text == ",":
                while ops and ops[-1][0] != "(":
                    reduce_top()
                if not ops:
                    raise refuse("a closing bracket without an opening one" if tok.text == ")"
                                 else "a comma outside a function's brackets", self.text, tok.at)
                if tok.text == ",":
                    kind, open_tok, count = ops.pop()
                    if not ops or ops[-1][0] != "fn":
                        raise refuse("a comma outside a function's brackets", self.text, tok.at)
                    ops.append((kind, open_tok, count + 1))
                    expect_operand = True
                else:
                    _, open_tok, count = ops.pop()
                    if ops and ops[-1][0] == "fn":
                        _, fn_tok, _ = ops.pop()
                        args = values[len(values) - count - 1:]
                        del values[len(values) - count - 1:]
                        values.append(self.call(fn_tok, args, tok.at + 1))
                    else:
                        v = values[-1]
                        values[-1] = Operand(v.value, open_tok.at, tok.at + 1)
            elif tok.kind in ("num", "name", "pending") or tok.text == "(":
                push_binary(Tok("op", "*", tok.at))  # juxtaposition: X w, 2x, 2(x + 1)
                expect_operand = True
                continue
            else:
                raise refuse(f"unexpected {tok.text!r}", self.text, tok.at)
            i += 1
        if expect_operand:
            raise refuse("the text ends where a value is expected", self.text, len(self.text.rstrip()))
        while ops:
            if ops[-1][0] in ("(", "fn"):
                raise refuse("a bracket is not closed", self.text, ops[-1][1].at)
            reduce_top()
        (result,) = values
        return self.settle(result)

    def transposes(self, v: Operand) -> bool:
        """`^T` after this operand is a transpose: it is an array, or T is no declared scalar."""
        value = v.value
        if isinstance(value, Pending) or value.kind is not SCALAR:
            return True
        return "T" not in self.kinds


def read_plain(text: str, shapes: Shapes) -> Expr:
    """Plain matrix text with declared shapes -> Expr (ParseError with a caret when it does not read)."""
    if not text.strip():
        raise ParseError("the text is empty", text, 1, 1)
    reader = Reader(text, shapes)
    return reader.read(plain_tokens(text))
