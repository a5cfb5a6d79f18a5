"""Reading matrix text: plain (and LaTeX, through `latex.latex_tokens`) -> Expr, with declared shapes.

Shapes decide what a name is: a declared name is a symbol of its kind, `I` (when
not declared) the identity and `\\mathbf{1}` the ones vector, each sized by
what it meets (or by its own size: `I(n)`, `ones(m,n)`).  Precedence, loosest
first: `+ -`; `* / .* ./` and juxtaposition (one level, left to right, as
MATLAB's; in LaTeX `\\odot` and `\\oslash` bind looser than a product, so
`y \\odot X w` is y ⊙ (X w)); unary minus and a function without brackets
(`\\log\\det X`); `^ .^` (right); postfix `'` and `^T`, which bind tightest.
The reader is a shunting-yard loop (no recursion); a shape mismatch is refused
with a caret under the operator (`X*w: X is n×d but w has length m`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from ..errors import KindError, ParseError, note, refuse
from .. import functions as F
from ..expr import (
    E, IDENTITY, NEG_ONE, ONE, ONES, PI, SCALAR, Expr, Kind, Num, Sym, add, array_const, div, func, hadamard,
    hadamard_pow, mul, neg, num, pow_, shape, sub, sym, transpose,
)

Shapes = Mapping[str, tuple[Union[str, int], ...]]

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)"
                    r"|(?P<op>\.\*|\./|\.\^|\*\*|[-+*/^'(),]))")


@dataclass
class Tok:
    # "num", "name", "op", "fn" (a function's name), "ones" (LaTeX's \mathbf{1}), "sized" (I_n, \mathbf{1}_n)
    kind: str
    text: str
    at: int
    stop: int = -1  # where the token's text ends, when that is not at + len(text) (LaTeX)
    label: str = ""  # a norm's subscript (`2`, `F`, `1`), `bars` for |u|, `implicit` for juxtaposition
    dims: tuple[Union[str, int], ...] = ()  # of a "sized" constant

    @property
    def end(self) -> int:
        return self.stop if self.stop >= 0 else self.at + len(self.text)


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
    """`I` or the ones, not yet sized: the first array it meets gives its size.
    Until then it may be scaled (`2*I`, `-I`, `I/c`) and transposed."""

    name: str
    transposed: bool = False
    scale: Expr = ONE


Value = Union[Expr, Pending]


@dataclass
class Operand:
    value: Value
    start: int
    end: int


MATRIX_WORDS = frozenset(F.ARRAY_FUNCTIONS)
SIZED = {"I": IDENTITY, "ones": ONES}  # constants that may be given their size: I(n), ones(n), ones(m,n)
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2, ".*": 2, "./": 2, "^": 4, ".^": 4}
# LaTeX: \odot and \oslash bind looser than a product, as papers write them (y \odot X w).
_BINARY_LATEX = {**_BINARY, ".*": 1.5, "./": 1.5}
_RIGHT = {"^", ".^"}
_PREFIX = 3  # unary minus: -x^2 is -(x^2), -a*b is (-a)*b; a function without brackets: \sin x^2


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


def _scaled(p: Pending, factor: Expr) -> Pending:
    return Pending(p.name, p.transposed, mul(p.scale, factor))


class Reader:
    """One reading of one text."""

    def __init__(self, text: str, shapes: Shapes, latex: bool = False) -> None:
        self.text = text
        self.latex = latex
        self.binary_levels = _BINARY_LATEX if latex else _BINARY
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
        base = tok.text.partition("_")[0]
        if base != tok.text and self.kinds.get(base, SCALAR) is not SCALAR:
            raise refuse(f"{tok.text}: an entry of {base} is index notation; with shapes, symdiff reads whole "
                         f"vectors and matrices (declare {tok.text} if it is a name of its own)", self.text, tok.at)
        if tok.text == IDENTITY:
            return Pending(IDENTITY)
        if tok.text in ("e", "pi"):
            return E if tok.text == "e" else PI
        return sym(tok.text)

    def settle(self, v: Operand, what: str = "") -> Expr:
        if isinstance(v.value, Pending):
            spelt = ("I_n" if self.latex else "I(n)") if v.value.name == IDENTITY else \
                ("\\mathbf{1}_n" if self.latex else "ones(n)")
            raise refuse(f"{self.text[v.start:v.end].strip()} needs a size: use it beside a matrix or vector "
                         f"of known shape (A + I, A*I), or give it one: {spelt}", self.text, v.start)
        return v.value

    def sized(self, p: Pending, other: Expr, side: str, op: str) -> Expr:
        """A pending I or ones, sized by `other`, on the `side` of `op`."""
        k = other.kind
        if op == "*":
            n = k.rows if side == "left" else k.cols
            if p.name == IDENTITY:
                return mul(p.scale, array_const(IDENTITY, Kind((n, n))))
            if side == "left" and not p.transposed:
                raise KindError("the ones vector before a product needs a transpose: 1^T*A")
            v = array_const(ONES, Kind((n,)))
            return mul(p.scale, transpose(v) if p.transposed else v)
        if p.name == IDENTITY:
            if len(k.shape) != 2 or k.rows != k.cols:
                raise KindError(f"I beside a {k}: the identity is square")
            return mul(p.scale, array_const(IDENTITY, k))
        return mul(p.scale, array_const(ONES, k))

    def binary(self, op: Tok, a: Operand, b: Operand) -> Operand:
        x, y = a.value, b.value
        try:
            scaled = self.scale_pending(op.text, x, y)
            if scaled is not None:
                return Operand(scaled, a.start, b.end)
            if isinstance(x, Pending) and not isinstance(y, Pending):
                x = self.sized(x, y, "left", op.text)
            elif isinstance(y, Pending) and not isinstance(x, Pending):
                y = self.sized(y, x, "right", op.text)
            xa, ya = self.settle(Operand(x, a.start, a.end)), self.settle(Operand(y, b.start, b.end))
            out = self.combine(op, xa, ya)
        except KindError as exc:
            raise refuse(self.mismatch(op, a, b, x, y, exc), self.text, op.at) from None
        return Operand(out, a.start, b.end)

    @staticmethod
    def scale_pending(op: str, x: Value, y: Value) -> Pending | None:
        """A scalar times (or over) a pending I or ones leaves it pending: `2*I`, `I/c`; so do
        `I*I`, `I .* I`, `I + I`."""
        if isinstance(x, Pending) and isinstance(y, Pending) and x.name == y.name == IDENTITY \
                and op in ("*", ".*", "+", "-"):
            scale = mul(x.scale, y.scale) if op in ("*", ".*") else add(x.scale, y.scale) if op == "+" \
                else sub(x.scale, y.scale)
            return Pending(IDENTITY, False, scale)
        if isinstance(y, Pending) and isinstance(x, Expr) and x.kind is SCALAR and op in ("*", ".*"):
            return _scaled(y, x)
        if isinstance(x, Pending) and isinstance(y, Expr) and y.kind is SCALAR and op in ("*", ".*", "/", "./"):
            return _scaled(x, y if op in ("*", ".*") else pow_(y, NEG_ONE))
        return None

    def mismatch(self, op: Tok, a: Operand, b: Operand, x: Value, y: Value, exc: KindError) -> str:
        ta, tb = self.text[a.start:a.end].strip(), self.text[b.start:b.end].strip()
        shown = " " if op.label == "implicit" else op.text
        if isinstance(x, Expr) and isinstance(y, Expr) and x.kind is not SCALAR and y.kind is not SCALAR \
                and op.text in ("*", "+", "-", ".*", "./"):
            return f"{ta}{shown}{tb}: {_says(ta, x)} but {_says(tb, y)}"
        return f"{ta}{shown}{tb}: {exc}"

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
        if name.text in SIZED and name.kind != "fn" and name.text not in self.kinds:
            return Operand(self.sized_constant(name, args), name.at, end)
        exprs = [self.settle(a) for a in args]
        try:
            if name.text in MATRIX_WORDS:
                if len(exprs) != 1:
                    raise refuse(f"{name.text} takes one argument", self.text, name.at)
                self.check_norm(name, exprs[0])
                out = func(name.text, exprs[0])
            else:
                out = self.scalar_function(name, exprs)
        except KindError as exc:
            raise refuse(f"{self.text[name.at:name.end].strip()}(...): {exc}", self.text, name.at) from None
        return Operand(out, name.at, end)

    def sized_constant(self, name: Tok, args: list[Operand]) -> Expr:
        """`I(n)`, `ones(n)`, `ones(m,n)`: each argument a dimension's name or a positive whole number."""
        dims: list[Union[str, int]] = []
        for a in args:
            v = a.value
            if type(v) is Sym and not v.indices and v.kind is SCALAR:
                dims.append(v.name)
            elif type(v) is Num and v.value.denominator == 1 and v.value > 0:
                dims.append(int(v.value))
            else:
                raise refuse(f"{name.text}(...) takes the names or numbers of its dimensions, as in "
                             f"{'I(n)' if name.text == 'I' else 'ones(n) or ones(m,n)'}", self.text, a.start)
        return self.constant(name, tuple(dims))

    def constant(self, name: Tok, dims: tuple[Union[str, int], ...]) -> Expr:
        which = SIZED[name.text]
        try:
            if which == IDENTITY and len(dims) == 1:
                dims = (dims[0], dims[0])
            if not dims:
                raise KindError("give its size")
            return array_const(which, shape(dims))
        except KindError as exc:
            raise refuse(f"{self.text[name.at:name.end].strip()}: {exc}", self.text, name.at) from None

    def check_norm(self, name: Tok, arg: Expr) -> None:
        """LaTeX norms say which norm they are: `\\|X\\|_F`, `\\|v\\|_2`, `\\|v\\|_1`."""
        if name.text not in ("norm", "norm1") or not name.label:
            return
        label, matrix = name.label, len(arg.kind.shape) == 2
        if label not in ("1", "2", "F", "bare"):
            raise refuse(f"symdiff reads the norms \\|v\\|_1, \\|v\\|_2 and \\|X\\|_F, not _{label}",
                         self.text, name.at)
        if matrix and label == "2":
            raise refuse("\\|X\\|_2 of a matrix is its spectral norm, which symdiff does not read: "
                         "\\|X\\|_F is the Frobenius norm", self.text, name.at)
        if matrix and label == "1":
            raise refuse("\\|X\\|_1 of a matrix is its largest column sum, which symdiff does not read: "
                         "norm1(X) in plain text is the sum of the entries' absolute values", self.text, name.at)
        if matrix and label == "bare":
            note(f"read {self.text[name.at:name.end].strip()}...\\| of a matrix as the Frobenius norm "
                 f"\\|X\\|_F (the spectral norm is not read)")

    def scalar_function(self, name: Tok, args: list[Expr]) -> Expr:
        spelling = name.text
        if not F.arities(spelling):
            raise refuse(f"unknown function {spelling}: with shapes, symdiff reads the functions of its table "
                         f"and {', '.join(sorted(MATRIX_WORDS))}", self.text, name.at)
        if len(args) not in F.arities(spelling):
            raise refuse(f"{spelling} takes {' or '.join(map(str, F.arities(spelling)))} argument(s)",
                         self.text, name.at)
        arrays = [a for a in args if a.kind is not SCALAR]
        if arrays and name.label == "bars":
            raise refuse("|u| of a vector or matrix could mean its norm, its determinant or the absolute value "
                         "of each entry: write \\|u\\|, \\det(U) or \\operatorname{abs}(u)", self.text, name.at)
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
            return Operand(Pending(value.name, not value.transposed, value.scale), v.start, tok.end)
        if tok.text == "^-T":  # LaTeX's X^{-\top}
            try:
                value = func("inv", value)
            except KindError as exc:
                raise refuse(f"{self.text[v.start:tok.end].strip()}: {exc}", self.text, tok.at) from None
        return Operand(transpose(value), v.start, tok.end)

    def negate(self, v: Operand, tok: Tok) -> Operand:
        if isinstance(v.value, Pending):
            return Operand(_scaled(v.value, NEG_ONE), tok.at, v.end)
        return Operand(neg(v.value), tok.at, v.end)

    # ---------------------------------------------------------------- the loop

    def read(self, toks: list[Tok]) -> Expr:
        values: list[Operand] = []
        # ("bin" | "neg" | "bare" | "(" | "fn", token, argument count so far)
        ops: list[tuple[str, Tok, int]] = []
        expect_operand = True
        i = 0
        levels = self.binary_levels

        def reduce_top() -> None:
            kind, tok, _ = ops.pop()
            if kind == "neg":
                values.append(self.negate(values.pop(), tok))
            elif kind == "bare":
                v = values.pop()
                values.append(self.call(tok, [v], v.end))
            else:
                b, a = values.pop(), values.pop()
                values.append(self.binary(tok, a, b))

        def precedence(entry: tuple[str, Tok, int]) -> float:
            return _PREFIX if entry[0] in ("neg", "bare") else levels[entry[1].text]

        def push_binary(tok: Tok) -> None:
            p = levels[tok.text]
            while ops and ops[-1][0] in ("bin", "neg", "bare"):
                q = precedence(ops[-1])
                if q > p or (q == p and tok.text not in _RIGHT):
                    if ops[-1][0] == "bare" and tok.label == "implicit":
                        head = ops[-1][1]
                        raise refuse(f"{self.text[head.at:head.end].strip()} without brackets takes only the next "
                                     "factor: write its argument in brackets", self.text, tok.at)
                    reduce_top()
                else:
                    break
            ops.append(("bin", tok, 0))

        while i < len(toks):
            tok = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if expect_operand:
                opens = nxt is not None and nxt.text == "(" and nxt.kind == "op"
                if tok.kind == "num":
                    values.append(Operand(num(tok.text), tok.at, tok.end))
                    expect_operand = False
                elif opens and (tok.kind == "fn" or (tok.kind == "name" and not self.latex
                                                     and tok.text not in self.kinds)):
                    assert nxt is not None
                    ops.append(("fn", tok, 0))
                    ops.append(("(", nxt, 0))
                    i += 1
                elif tok.kind == "fn":
                    ops.append(("bare", tok, 0))
                elif tok.kind == "sized":
                    values.append(Operand(self.constant(tok, tok.dims), tok.at, tok.end))
                    expect_operand = False
                elif tok.kind in ("name", "ones"):
                    value = Pending(ONES) if tok.kind == "ones" else self.name(tok)
                    values.append(Operand(value, tok.at, tok.end))
                    expect_operand = False
                elif tok.text == "(":
                    ops.append(("(", tok, 0))
                elif tok.text == "-":
                    ops.append(("neg", tok, 0))
                elif tok.text == "+":
                    pass
                else:
                    raise refuse(f"expected a value, found {self.text[tok.at:tok.end].strip() or tok.text!r}",
                                 self.text, tok.at)
                i += 1
                continue
            # after an operand
            if tok.text in ("'", "^-T") or (tok.text == "^" and nxt is not None and nxt.text == "T" and nxt.kind == "name"
                                   and self.transposes(values[-1])):
                end_tok = tok if tok.text != "^" else nxt
                assert end_tok is not None
                values[-1] = self.postfix_transpose(values[-1], end_tok)
                i += 1 if tok.text != "^" else 2
                continue
            if tok.kind == "op" and tok.text in levels:
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
                        values.append(self.call(fn_tok, args, tok.end))
                    else:
                        v = values[-1]
                        values[-1] = Operand(v.value, open_tok.at, tok.end)
            elif tok.kind in ("num", "name", "fn", "ones", "sized") or tok.text == "(":
                push_binary(Tok("op", "*", tok.at, label="implicit"))  # juxtaposition: X w, 2x, 2(x + 1)
                expect_operand = True
                continue
            else:
                raise refuse(f"unexpected {self.text[tok.at:tok.end].strip() or tok.text!r}", self.text, tok.at)
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
