"""Parsing: text -> Lark LALR parse -> Expr.  The only module that imports lark.

The transformer runs inside the LALR parser, so trees are built as rules are
reduced, with no recursion however deeply the input nests.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction
from functools import cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from . import expr as E
from .errors import ParseError

_HERE = os.path.dirname(os.path.realpath(__file__))
# Installed wheels carry the grammar inside the package; a source checkout has it beside.
GRAMMAR_DIRS = (os.path.join(_HERE, "grammar"), os.path.join(os.path.dirname(_HERE), "grammar"))

MAX_NUMBER_LENGTH = 400
MAX_DECIMAL_EXPONENT = 400


def grammar_path(name: str) -> str:
    for folder in GRAMMAR_DIRS:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"grammar file {name} not found in {GRAMMAR_DIRS}")


class _TokenError(Exception):
    """Raised inside the transformer; turned into a ParseError at the token."""

    def __init__(self, token: Token, reason: str) -> None:
        super().__init__(reason)
        self.token = token
        self.reason = reason


def number(tok: Token) -> E.Num:
    text = str(tok)
    mantissa, _, exponent = text.lower().partition("e")
    zero = not mantissa.strip("0.")
    if len(mantissa) > MAX_NUMBER_LENGTH or (
        exponent and not zero and abs(int(exponent)) > MAX_DECIMAL_EXPONENT
    ):
        raise _TokenError(tok, f"number {text[:20]}{'...' if len(text) > 20 else ''} is too large")
    return E.ZERO if zero else E.num(Fraction(text))


def split_index(tok: Token) -> tuple[E.Expr, ...]:
    """`ik` -> (i, k); `i10` -> (i, 10): letters one at a time, digit runs whole."""
    return tuple(
        E.num(int(part)) if part.isdigit() else E.sym(part)
        for part in re.findall(r"\d+|[A-Za-z]", str(tok))
    )


@v_args(inline=True)
class PlainTransformer(Transformer):
    """Parse-tree aliases of `grammar/plain.lark` -> smart constructors."""

    number = staticmethod(number)

    def constant(self, tok: Token) -> E.Expr:
        return E.const(str(tok))

    def symbol(self, name: Token, indices: tuple[E.Expr, ...] = ()) -> E.Expr:
        return E.Sym(str(name), indices)

    def subscript(self, *parts: Token) -> tuple[E.Expr, ...]:
        if len(parts) == 1:
            return split_index(parts[0])
        return tuple(E.num(int(p)) if p.type == "INT" else E.sym(str(p)) for p in parts)

    def sum(self, first: E.Expr, *rest: Token | E.Expr) -> E.Expr:
        terms = [first]
        for op, term in zip(rest[::2], rest[1::2]):
            terms.append(E.neg(term) if op == "-" else term)
        return E.add(*terms)

    def chain(self, first: E.Expr, *rest: Token | E.Expr) -> E.Expr:
        factors = [first]
        divide = False
        for item in rest:
            if isinstance(item, Token):
                divide = item == "/"
            else:
                factors.append(E.pow_(item, E.NEG_ONE) if divide else item)
                divide = False
        return E.mul(*factors)

    def add(self, a: E.Expr, b: E.Expr) -> E.Expr:
        return E.add(a, b)

    def mul(self, a: E.Expr, b: E.Expr) -> E.Expr:
        return E.mul(a, b)

    def div(self, a: E.Expr, b: E.Expr) -> E.Expr:
        return E.div(a, b)

    def neg(self, a: E.Expr) -> E.Expr:
        return E.neg(a)

    def pow(self, base: E.Expr, _op: Token, exp: E.Expr) -> E.Expr:
        return E.pow_(base, exp)

    def func(self, name: Token, arg: E.Expr) -> E.Expr:
        return E.func(str(name), arg)

    def log_base(self, _log: Token, base: E.Expr, arg: E.Expr) -> E.Expr:
        return E.log(arg, base)

    def sum_from(self, _sum: Token, index: Token, lower: E.Expr, _pow: Token, upper: E.Expr, body: E.Expr) -> E.Expr:
        return E.summation(body, E.sym(str(index)), lower, upper)

    def sum_from_one(self, _sum: Token, index: Token, _pow: Token, upper: E.Expr, body: E.Expr) -> E.Expr:
        return E.summation(body, E.sym(str(index)), E.ONE, upper)

    def delta(self, _delta: Token, i: E.Expr, j: E.Expr) -> E.Expr:
        return E.delta(i, j)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def lalr(grammar: str, transformer: Transformer) -> Lark:
    """An LALR parser that builds trees as it reduces (no recursion on deep input)."""
    return Lark(
        _read(grammar_path(grammar)),
        parser="lalr",
        transformer=transformer,
        propagate_positions=False,
        maybe_placeholders=False,
        cache=True,  # the LALR tables, in the temp folder: a cold start skips rebuilding them
    )


@cache
def plain_parser() -> Lark:
    return lalr("plain.lark", PlainTransformer())


# What a person calls each terminal, for error messages.
TERMINAL_WORDS = {
    "NUMBER": "a number",
    "INT": "a whole number",
    "NAME": "a name",
    "CONST": "a constant",
    "FUNC": "a function",
    "LOG_": "log_",
    "SUM_": "sum_",
    "DELTA": "delta",
    "POW": "'^'",
    "$END": "the end of the input",
}
OPERAND_STARTS = {"NUMBER", "NAME", "CONST", "FUNC", "LPAR", "LOG_", "MINUS", "SUM_", "DELTA"}


def _word(parser: Lark, name: str) -> str:
    if name in TERMINAL_WORDS:
        return TERMINAL_WORDS[name]
    try:
        return repr(parser.get_terminal(name).pattern.value)
    except KeyError:
        return name


def _previous_token(parser: Lark, text: str, pos: int) -> str | None:
    try:
        tokens = list(parser.lex(text[:pos]))
    except UnexpectedInput:
        return None
    return str(tokens[-1]) if tokens else None


def explain(parser: Lark, text: str, err: UnexpectedInput) -> ParseError:
    """Turn Lark's token dump into a sentence a person reads."""
    line, column = err.line, err.column
    if isinstance(err, UnexpectedCharacters):
        reason = f"unexpected character {text[err.pos_in_stream]!r}"
    elif isinstance(err, UnexpectedToken):
        tok = err.token
        at_end = tok.type == "$END"
        if at_end:
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
            pos = len(text)
        else:
            pos = tok.start_pos
        prev = _previous_token(parser, text, pos)
        expected = set(err.expected)
        found = "the end of the input" if at_end else repr(str(tok))
        if expected == {"LPAR"} and prev is not None:
            reason = f"expected '(' after {prev!r}, found {found}"
        elif expected & OPERAND_STARTS and not expected - OPERAND_STARTS - {"PLUS"}:
            reason = f"expected an operand after {prev!r}" if prev else "expected an expression"
            if at_end:
                reason += ", found the end of the input"
        elif tok.type == "RPAR":
            reason = "unmatched ')'"
        elif at_end and "RPAR" in expected:
            reason = "missing ')'"
        elif at_end and "RBRACE" in expected:
            reason = "missing '}'"
        else:
            words = sorted(_word(parser, name) for name in expected)
            choices = ", ".join(words[:6]) + (", ..." if len(words) > 6 else "")
            reason = f"unexpected {found}; expected {choices}"
    else:
        reason = "invalid input"
    return ParseError(reason, text, line, column)


def parse_plain(text: str) -> E.Expr:
    parser = plain_parser()
    try:
        return parser.parse(text)
    except UnexpectedInput as err:
        raise explain(parser, text, err) from None
    except _TokenError as err:
        raise ParseError(err.reason, text, err.token.line, err.token.column) from None


# ------------------------------------------------------------------- LaTeX


class _Head:
    """A function command waiting for its argument: `\\sin`, `\\log_{2}`, `\\sin^{2}`."""

    def __init__(self, token: Token, apply) -> None:
        self.token = token
        self.apply = apply


class _Bare:
    """A function applied without brackets; it must not swallow a following factor."""

    def __init__(self, expr: E.Expr, token: Token) -> None:
        self.expr = expr
        self.token = token


def _unwrap(item):
    return item.expr if isinstance(item, _Bare) else item


LATEX_FUNCTIONS = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "ln": "ln", "log": "ln"}
NAMED_FUNCTIONS = frozenset({"softplus", "sigmoid"})


def _script_char(tok: Token) -> str:
    return str(tok)[1:].strip()


def _script_value(tok: Token) -> E.Expr:
    ch = _script_char(tok)
    return E.num(int(ch)) if ch.isdigit() else (E.E if ch == "e" else E.sym(ch))


@v_args(inline=True)
class LatexTransformer(Transformer):
    """Parse-tree aliases of `grammar/latex.lark` -> smart constructors."""

    number = staticmethod(number)

    def sum(self, first, *rest) -> E.Expr:
        terms = [first]
        for op, term in zip(rest[::2], rest[1::2]):
            terms.append(E.neg(term) if op == "-" else term)
        return E.add(*terms)

    def chain(self, *items) -> E.Expr:
        factors: list[E.Expr] = []
        divide = explicit = False
        prev = None
        for item in items:
            if isinstance(item, Token):
                divide, explicit = item == "/", True
                continue
            if isinstance(prev, _Bare) and not explicit and not isinstance(item, _Bare):
                if type(item) not in (E.Func, E.Log):
                    raise _TokenError(prev.token, f"ambiguous: {prev.token} without brackets takes only the "
                                      f"next factor; write {prev.token}(...) or put \\cdot after its argument")
            value = _unwrap(item)
            factors.append(E.pow_(value, E.NEG_ONE) if divide else value)
            divide = explicit = False
            prev = item
        return E.mul(*factors)

    def neg(self, a):
        if isinstance(a, _Bare):
            return _Bare(E.neg(a.expr), a.token)
        return E.neg(a)

    def pow(self, base: E.Expr, exp: E.Expr) -> E.Expr:
        return E.pow_(base, exp)

    def constant(self, tok: Token) -> E.Expr:
        return E.PI if str(tok) == "\\pi" else E.E

    def symbol(self, name: str, indices: tuple[E.Expr, ...] = ()) -> E.Expr:
        return E.Sym(name, indices)

    def letter(self, tok: Token) -> str:
        return str(tok)

    def greek(self, tok: Token) -> str:
        return str(tok)[1:]

    def word(self, _cmd: Token, tok: Token) -> str:
        return str(tok)

    def index_char(self, tok: Token) -> tuple[E.Expr, ...]:
        return (_script_value(tok),)

    def index_ambiguous(self, tok: Token) -> tuple[E.Expr, ...]:
        digits = _script_char(tok)
        raise _TokenError(tok, f"ambiguous subscript _{digits}: write _{{{digits}}} or _{digits[0]} {digits[1:]}")

    def index(self, *items: Token) -> tuple[E.Expr, ...]:
        out: list[E.Expr] = []
        for tok in items:
            out.extend(split_index(tok) if tok.type == "NAME" else (E.num(int(tok)),))
        return tuple(out)

    def sup_char(self, tok: Token) -> E.Expr:
        return _script_value(tok)

    def sup_ambiguous(self, tok: Token) -> E.Expr:
        digits = _script_char(tok)
        raise _TokenError(tok, f"ambiguous superscript ^{digits}: write ^{{{digits}}} or ^{digits[0]} {digits[1:]}")

    def sup(self, value: E.Expr) -> E.Expr:
        return value

    def base_char(self, tok: Token) -> E.Expr:
        return _script_value(tok)

    def func_head(self, tok: Token) -> _Head:
        name = str(tok)[1:]
        return _Head(tok, lambda u: E.func(LATEX_FUNCTIONS.get(name, name), u))

    def func_power_head(self, tok: Token, power: E.Expr) -> _Head:
        inner = self.func_head(tok).apply
        return _Head(tok, lambda u: E.pow_(inner(u), power))

    def log_head(self, tok: Token, base: E.Expr) -> _Head:
        return _Head(tok, lambda u: E.log(u, base))

    def named_head(self, tok: Token, word: Token) -> _Head:
        if str(word) not in NAMED_FUNCTIONS:
            raise _TokenError(word, f"unsupported function \\operatorname{{{word}}}")
        return _Head(tok, lambda u: E.func(str(word), u))

    def apply(self, head: _Head, arg: E.Expr) -> E.Expr:
        return head.apply(arg)

    def bare_apply(self, head: _Head, arg: E.Expr) -> _Bare:
        return _Bare(head.apply(arg), head.token)

    def sigmoid(self, _tok: Token, arg: E.Expr) -> E.Expr:
        return E.func("sigmoid", arg)

    def frac(self, _tok: Token, a: E.Expr, b: E.Expr) -> E.Expr:
        return E.div(a, b)

    def sqrt(self, _tok: Token, a: E.Expr) -> E.Expr:
        return E.sqrt(a)

    def root(self, _tok: Token, _open: Token, n: E.Expr, _close: Token, a: E.Expr) -> E.Expr:
        return E.pow_(a, E.pow_(n, E.NEG_ONE))

    def abs(self, _open: Token, a: E.Expr, _close: Token) -> E.Expr:
        return E.func("abs", a)

    def kdelta(self, tok: Token, indices: tuple[E.Expr, ...]) -> E.Expr:
        if len(indices) != 2:
            raise _TokenError(tok, "\\delta_{..} needs exactly two indices")
        return E.delta(*indices)

    def group(self, _open: Token, a: E.Expr, _close: Token) -> E.Expr:
        return a

    def from_char(self, tok: Token) -> tuple[E.Sym, E.Expr]:
        return E.sym(_script_char(tok)), E.ONE

    def from_one(self, name: Token) -> tuple[E.Sym, E.Expr]:
        return E.sym(str(name)), E.ONE

    def from_value(self, name: Token, lower: E.Expr) -> tuple[E.Sym, E.Expr]:
        return E.sym(str(name)), lower

    def big_sum(self, _tok: Token, lower: tuple[E.Sym, E.Expr], upper: E.Expr, body) -> E.Expr:
        return E.summation(_unwrap(body), lower[0], lower[1], upper)


@cache
def latex_parser() -> Lark:
    return lalr("latex.lark", LatexTransformer())


KNOWN_COMMANDS = frozenset(
    "cdot times left right lbrack rbrack frac dfrac tfrac sqrt sum limits log ln exp sin cos tan cot sec "
    "csc arcsin arccos arctan sinh cosh tanh operatorname mathrm text mathit sigma delta pi quad qquad "
    "tag alpha beta gamma epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho tau "
    "upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Sigma Upsilon Phi Psi Omega".split()
)


def parse_latex(text: str) -> E.Expr:
    for m in re.finditer(r"\\([A-Za-z]+)", text):
        if m.group(1) not in KNOWN_COMMANDS:
            line = text.count("\n", 0, m.start()) + 1
            column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            raise ParseError(f"unsupported LaTeX command {m.group(0)}", text, line, column)
    parser = latex_parser()
    try:
        result = parser.parse(text)
    except UnexpectedInput as err:
        raise explain(parser, text, err) from None
    except _TokenError as err:
        raise ParseError(err.reason, text, err.token.line, err.token.column) from None
    return _unwrap(result)


def parse(text: str, syntax: str | None = None) -> E.Expr:
    """Parse plain or LaTeX text into an expression tree.

    Args:
        text: the expression, plain (`"log_2(x)"`) or LaTeX.
        syntax: `"plain"` or `"latex"`; by default LaTeX is chosen when the
            text holds a backslash.

    Returns:
        The `Expr`, unsimplified; `parse(str(e)) == e` for every `Expr` `e`.

    Raises:
        ParseError: the text does not parse; it carries `.line` and
            `.column`, and its message shows the text with a caret.
        TypeError: `text` is not a `str`.
        ValueError: `syntax` is neither `"plain"` nor `"latex"`.

    >>> parse("log_2(x)")
    <Log log_2(x)>
    >>> parse(r"\\frac{x^{2}}{2}") == parse("x^2/2")
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() needs a str, not {type(text).__name__}")
    if syntax is None:
        syntax = "latex" if "\\" in text else "plain"
    if syntax == "plain":
        return parse_plain(text)
    if syntax == "latex":
        return parse_latex(text)
    raise ValueError(f"syntax must be 'plain' or 'latex', not {syntax!r}")
