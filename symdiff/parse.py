"""Parsing: text -> Lark LALR parse -> Expr.  The only module that imports lark.

The transformer runs inside the LALR parser, so trees are built as rules are
reduced, with no recursion however deeply the input nests.
"""

from __future__ import annotations

import os
import re
import warnings
from fractions import Fraction
from collections.abc import Iterable
from functools import cache

from lark import Lark, Token, Transformer, v_args
from lark.lexer import PatternStr
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from . import expr as E
from . import functions as F
from .errors import ParseError, ReadingNote
from .limits import MAX_INPUT_LENGTH, MAX_NUMBER_DIGITS, MAX_ORDER

_HERE = os.path.dirname(os.path.realpath(__file__))
# Installed wheels carry the grammar inside the package; a source checkout has it beside.
GRAMMAR_DIRS = (os.path.join(_HERE, "grammar"), os.path.join(os.path.dirname(_HERE), "grammar"))



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
    """A numeral, exact; refused when it spells more than MAX_NUMBER_DIGITS digits."""
    text = str(tok)
    mantissa, _, exponent = text.lower().partition("e")
    if not mantissa.strip("0."):
        return E.ZERO
    whole, _, decimals = mantissa.partition(".")
    # Digits of the numerator and denominator, worked out without building them.
    shift = len(exponent.lstrip("+-").lstrip("0")) <= 9 and int(exponent or 0)
    too_large = shift is False or max(len(whole.lstrip("0")) + shift, len(decimals) - shift,
                                      len(mantissa)) > MAX_NUMBER_DIGITS
    if too_large:
        shown = f"{text[:20]}..." if len(text) > 20 else text
        raise _TokenError(tok, f"number {shown} is too large: the limit is {MAX_NUMBER_DIGITS} digits")
    return E.num(Fraction(text))


def whole_number(tok: Token, digits: str | None = None) -> E.Num:
    """An index or order written in digits (`x_12`, `x_{-1}`), within MAX_NUMBER_DIGITS."""
    digits = str(tok) if digits is None else digits
    if len(digits.lstrip("-").lstrip("0")) > MAX_NUMBER_DIGITS:
        raise _TokenError(tok, f"number {digits[:20]}... is too large: the limit is {MAX_NUMBER_DIGITS} digits")
    return E.num(int(digits))


def split_index(tok: Token) -> tuple[E.Expr, ...]:
    """`ik` -> (i, k); `i10` -> (i, 10): letters one at a time, digit runs whole."""
    return tuple(
        whole_number(tok, part) if part.isdigit() else E.sym(part)
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
        if len(parts) == 1 and parts[0].type != "NEG_INT":
            return split_index(parts[0])
        return tuple(whole_number(p) if p.type in ("INT", "NEG_INT") else E.sym(str(p)) for p in parts)

    def sum(self, first, *rest) -> E.Expr:
        terms = [_unwrap(first)]
        for op, term in zip(rest[::2], rest[1::2]):
            term = _unwrap(term)
            terms.append(E.neg(term) if op == "-" else term)
        return E.add(*terms)

    def group(self, a) -> E.Expr:
        return _unwrap(a)

    def chain(self, *items) -> E.Expr:
        return product(items)

    def neg(self, a):
        if isinstance(a, _Bare):
            return _Bare(E.neg(a.expr), a.token)
        return E.neg(a)

    def pow(self, base: E.Expr, _op: Token, exp) -> E.Expr:
        return E.pow_(base, _unwrap(exp))

    def func(self, name: Token, arg) -> E.Expr:
        return F.apply(str(name), _unwrap(arg))

    def func_power(self, name: Token, _pow: Token, power, arg) -> E.Expr:
        return function_power(name, _unwrap(power), _unwrap(arg))

    def bare_func(self, name: Token, arg: E.Expr) -> _Bare:
        return _Bare(F.apply(str(name), arg), name)

    def apply(self, name: Token, *args) -> E.Expr:
        return application(name, tuple(map(_unwrap, args)))

    def derivative(self, op: Token, body) -> E.Expr:
        return derivative_operator(op, _unwrap(body))

    def log_base(self, _log: Token, base, arg) -> E.Expr:
        return E.log(_unwrap(arg), _unwrap(base))

    def sum_from(self, _sum: Token, index: Token, lower, _pow: Token, upper, body) -> E.Expr:
        return E.summation(_unwrap(body), E.sym(str(index)), _unwrap(lower), _unwrap(upper))

    def sum_from_one(self, _sum: Token, index: Token, _pow: Token, upper, body) -> E.Expr:
        return E.summation(_unwrap(body), E.sym(str(index)), E.ONE, _unwrap(upper))

    def delta(self, _delta: Token, i, j) -> E.Expr:
        return E.delta(_unwrap(i), _unwrap(j))


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def _alternatives(names) -> str:
    # Longest first, so `sinh` is not read as `sin` followed by `h`.
    return "|".join(sorted((re.escape(n) for n in names), key=lambda n: (-len(n), n)))


def grammar_text(name: str) -> str:
    """A grammar file with the FUNC terminal generated from the function table."""
    known = _alternatives(F.spellings())
    func = f"FUNC.2: /({known})(?![A-Za-z0-9_'])/" if name == "plain.lark" else ""
    return _read(grammar_path(name)) + "\n" + func + "\n"


def lalr(grammar: str, transformer: Transformer) -> Lark:
    """An LALR parser that builds trees as it reduces (no recursion on deep input)."""
    return Lark(
        grammar_text(grammar),
        parser="lalr",
        transformer=transformer,
        propagate_positions=False,
        maybe_placeholders=False,
        cache=True,  # the LALR tables, in the temp folder: a cold start skips rebuilding them
    )


@cache
def plain_parser() -> Lark:
    return lalr("plain.lark", PlainTransformer())


# ------------------------------------------------- readings shared by both syntaxes


def note(message: str) -> None:
    """Say how ambiguous text was read (the CLI prints it on stderr)."""
    warnings.warn(message, ReadingNote, stacklevel=2)


def product(items) -> E.Expr:
    """Factors joined by `*`, `/` or juxtaposition.  A function applied without
    brackets takes the next factor only, so another factor after it is ambiguous."""
    factors: list[E.Expr] = []
    divide = explicit = False
    prev = None
    for item in items:
        if isinstance(item, Token):
            divide, explicit = str(item) == "/", True
            continue
        if isinstance(prev, _Bare) and not explicit and not isinstance(item, _Bare):
            if type(item) not in (E.Func, E.Log):
                name = str(prev.token)
                raise _TokenError(prev.token, f"ambiguous: {name} without brackets takes only the "
                                  f"next factor; write {name.lstrip(chr(92))}(...) around its argument")
        value = _unwrap(item)
        factors.append(E.pow_(value, E.NEG_ONE) if divide else value)
        divide = explicit = False
        prev = item
    return E.mul(*factors)


# One-letter names that stand for functions when applied to brackets; any other
# single letter before a bracket multiplies it (`a(x+1)` is a*(x + 1)).
FUNCTION_LETTERS = frozenset("fgh")


def application(name_tok: Token, args: tuple[E.Expr, ...]) -> E.Expr:
    """`name(args)` for a name the function table lacks."""
    name = str(name_tok).strip()
    base, primes = F.undefined_name(name)
    if len(base) == 1 and not primes and base not in FUNCTION_LETTERS:
        if len(args) != 1:
            raise _TokenError(name_tok, f"{name}(...) with several arguments: {name} is a variable here")
        note(f"read {name}(...) as the product {name}*(...); only f, g, h and longer names "
             f"before a bracket are functions")
        return E.mul(E.sym(name), args[0])
    if F.lookup(base) is not None or base in F.BUILDERS:
        raise _TokenError(name_tok, f"{base} is a known function; its derivative is not written {name}")
    if len(args) != 1:
        raise _TokenError(name_tok, f"undefined functions take one argument; {name} has {len(args)}")
    if len(base) > 1:
        note(f"{base} is not a function symdiff knows; read {name}(...) as an undefined function")
    return E.func(name, args[0])


def function_power(name: Token, power: E.Expr, arg: E.Expr) -> E.Expr:
    """`sin^2(x)` is sin(x)^2; `sin^{-1}(x)` is arcsin, as calculus books write it."""
    if power is E.NEG_ONE:
        row = F.lookup(str(name).lstrip("\\"))
        inverse = F.lookup("a" + row.name) if row is not None else None
        if inverse is None:
            raise _TokenError(name, f"{name}^-1 is ambiguous: write 1/{name}(...) or the inverse by name")
        note(f"read {name}^-1 as the inverse function {inverse.name}")
        return inverse(arg)
    return E.pow_(F.apply(str(name), arg), power)


_DERIV = re.compile(r"d(?:\^(?P<n>[0-9]+))?/d(?P<var>[A-Za-z][A-Za-z0-9]*(?:_\{[^{}]*\}|_[A-Za-z0-9]+)?)"
                    r"(?:\^(?P<m>[0-9]+))?")


def derivative_operator(op: Token, body: E.Expr) -> E.Expr:
    """`d/dx u`, `d^2/dx^2 u`: the derivative of what follows (raw; `simplify` tidies it)."""
    m = _DERIV.fullmatch(str(op).replace(" ", ""))
    n, m2 = m.group("n"), m.group("m")
    if n != m2:
        raise _TokenError(op, f"the orders in {op} disagree: write d^n/dx^n")
    var = parse_plain(m.group("var"))
    if n and len(n) > 9:
        raise _TokenError(op, f"order {n[:20]}... is above the limit of {MAX_ORDER}")
    note(f"read {op} as the derivative of what follows it")
    return differentiate_n(body, var, int(n or 1), op)


def differentiate_n(body: E.Expr, var: E.Expr, order: int, op: Token) -> E.Expr:
    from .diff import differentiate

    if order > MAX_ORDER:
        raise _TokenError(op, f"order {order} is above the limit of {MAX_ORDER}")
    for _ in range(order):
        body = differentiate(body, var)[0]
    return body


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
    "APPLY": "a function name",
    "DERIV": "d/dx",
    "POW": "'^'",
    "$END": "the end of the input",
}
OPERAND_STARTS = {"NUMBER", "NAME", "CONST", "FUNC", "LPAR", "LOG_", "MINUS", "SUM_", "DELTA", "APPLY",
                  "DERIV"}


def _word(parser: Lark, name: str) -> str:
    if name in TERMINAL_WORDS:
        return TERMINAL_WORDS[name]
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name.lower()
    # A literal is shown as typed; a regular expression never reaches the user.
    return repr(pattern.value) if isinstance(pattern, PatternStr) else name.lower().strip("_")


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
        if at_end and "LPAR" in expected and prev is not None and F.lookup(prev):
            reason = f"{prev} needs an argument: write {prev}(...)"
        elif expected == {"LPAR"} and prev is not None:
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


def glued(name: str) -> tuple[str, str] | None:
    """`sinx` -> ("sin", "x"): a known function's name run into a one-letter name."""
    for k in (5, 4, 3, 2):
        head, rest = name[:k], name[k:]
        if len(rest) == 1 and rest.isalpha() and (F.lookup(head) or head in F.BUILDERS):
            return head, rest
    return None


def unglue(e: E.Expr, variables: frozenset[str]) -> E.Expr:
    """Read `sinx` as sin(x) when x is a variable of the expression (or of
    `variables`); either way, say how it was read."""
    names = {s.name for s in e.free if not s.indices}
    mapping: dict[E.Expr, E.Expr] = {}
    for name in sorted(names):
        parts = glued(name)
        if parts is None:
            continue
        head, rest = parts
        if rest in names or rest in variables:
            mapping[E.sym(name)] = F.apply(head, E.sym(rest))
            note(f"read {name!r} as {head}({rest}); write {head}({rest}) to say so")
        else:
            note(f"read {name!r} as one name; write {head}({rest}) for the function {head}")
    return E.substitute(e, mapping) if mapping else e


def parse_plain(text: str) -> E.Expr:
    parser = plain_parser()
    try:
        return _unwrap(parser.parse(text))
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
        return product(items)

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
            out.extend(split_index(tok) if tok.type == "NAME" else (whole_number(tok),))
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
        return _Head(tok, lambda u: F.apply(name, u))

    def func_power_head(self, tok: Token, power: E.Expr) -> _Head:
        inner = self.func_head(tok).apply
        return _Head(tok, lambda u: E.pow_(inner(u), power))

    def log_head(self, tok: Token, base: E.Expr) -> _Head:
        return _Head(tok, lambda u: E.log(u, base))

    def named_head(self, tok: Token, word: Token) -> _Head:
        row = F.lookup(str(word)) or F.lookup(str(word).lower())
        if row is None:
            raise _TokenError(word, f"unsupported function \\operatorname{{{word}}}")
        return _Head(tok, row)

    def apply(self, head: _Head, arg: E.Expr) -> E.Expr:
        return head.apply(arg)

    def styled_apply(self, _cmd: Token, word: Token, arg: E.Expr) -> E.Expr:
        row = F.lookup(str(word)) or F.lookup(str(word).lower())
        return row(arg) if row is not None else application(word, (arg,))

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


def parse_equation(text: str) -> tuple[E.Expr, E.Expr]:
    """`'sum_{k=1}^{K} t_{ik} = 1'` -> (lhs, rhs), split at the last top-level `=`
    (the `=` of a sum's lower bound sits inside braces)."""
    depth, cut = 0, -1
    for k, ch in enumerate(text):
        depth += ch in "{(["
        depth -= ch in "})]"
        if ch == "=" and depth == 0:
            cut = k
    if cut < 0:
        raise ParseError("expected an equation LHS = RHS", text, 1, len(text) + 1)
    return parse(text[:cut]), parse(text[cut + 1:])


def parse(text: str, syntax: str | None = None, *, variables: Iterable[str] = ()) -> E.Expr:
    """Parse plain or LaTeX text; LaTeX is chosen when the text holds a backslash.

    `variables` names variables the text may use alone: with `x` among them,
    `sinx` reads as sin(x) (a ReadingNote says so either way).
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() needs a str, not {type(text).__name__}")
    if len(text) > MAX_INPUT_LENGTH:
        line = text.count("\n", 0, MAX_INPUT_LENGTH) + 1
        column = MAX_INPUT_LENGTH - (text.rfind("\n", 0, MAX_INPUT_LENGTH) + 1) + 1
        raise ParseError(f"the input is {len(text):,} characters long; the limit is {MAX_INPUT_LENGTH:,}",
                         text, line, column)
    if syntax is None:
        syntax = "latex" if "\\" in text else "plain"
    if syntax == "plain":
        return unglue(parse_plain(text), frozenset(variables))
    if syntax == "latex":
        return parse_latex(text)
    raise ValueError(f"syntax must be 'plain' or 'latex', not {syntax!r}")
