"""Parsing: text -> LALR parse -> Expr.  The only module that imports lark.

Plain text is read by `symdiff.lalr` over the tables Lark computes for
grammar/plain.lark (cached, so a start-up imports no lark); text it cannot read
(an error) and LaTeX are read by Lark itself, for its errors and explanations.

The transformer runs inside the LALR parser, so trees are built as rules are
reduced, with no recursion however deeply the input nests.  A derivative
operator in the text (`d/dx u`, `\\frac{d}{dx} u`) becomes an unevaluated
`Derivative` node: reading needs no differentiator.  Text that asks for a
derivative as a whole (`derivative of F`) is the next stage's to read
(`symdiff.requests.read`); `symdiff.parse` runs both and evaluates the nodes.
"""

from __future__ import annotations

import gc
import importlib.machinery
import math
import os
import re
import sys
import warnings
from fractions import Fraction
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard, cast

from . import expr as X
from . import functions as F
from . import names as N
from .errors import ParseError, ReadingNote, note, notes_held, notes_once, position
from .lalr import Reader, Token
from .limits import MAX_NUMBER_DIGITS, MAX_ORDER, max_input_length

if TYPE_CHECKING:
    from lark import Lark
    from lark.exceptions import UnexpectedInput

# Lark is imported only when it parses (LaTeX, errors, building the tables), but a
# missing Lark is said at once, as before: `symdiff/__init__.py` turns this into a message.
if "lark" not in sys.modules and importlib.machinery.PathFinder.find_spec("lark") is None:
    raise ModuleNotFoundError("No module named 'lark'", name="lark")

_HERE = os.path.dirname(os.path.realpath(__file__))
# Installed wheels carry the grammar inside the package; a source checkout has it beside.
GRAMMAR_DIRS = (os.path.join(_HERE, "grammar"), os.path.join(os.path.dirname(_HERE), "grammar"))



def grammar_path(name: str) -> str:
    for folder in GRAMMAR_DIRS:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"grammar file {name} not found in {GRAMMAR_DIRS}")


def _token_position(tok: Token) -> tuple[int, int]:
    """(line, column) of a token; the lexer sets both on every token it makes."""
    return cast(int, tok.line), cast(int, tok.column)


def is_token(item: object) -> TypeGuard[Token]:
    """Among a rule's children (tokens, expressions, the wrappers below), the tokens
    are the only strings: Lark's (LaTeX, errors) and symdiff.lalr's alike."""
    return isinstance(item, str)


class _TokenError(Exception):
    """Raised inside the transformer; turned into a ParseError at the token."""

    def __init__(self, token: Token, reason: str) -> None:
        super().__init__(reason)
        self.token = token
        self.reason = reason


def number(tok: Token) -> X.Num:
    """A numeral, exact; refused when it spells more than MAX_NUMBER_DIGITS digits."""
    text = str(tok)
    if len(text) <= MAX_NUMBER_DIGITS and text.isascii() and text.isdigit():
        return X.Num(int(text))  # most numerals: no Fraction parsing
    mantissa, _, exponent = text.lower().partition("e")
    if not mantissa.strip("0."):
        return X.ZERO
    whole, _, decimals = mantissa.partition(".")
    # Digits of the numerator and denominator, worked out without building them.
    shift = len(exponent.lstrip("+-").lstrip("0")) <= 9 and int(exponent or 0)
    too_large = shift is False or max(len(whole.lstrip("0")) + shift, len(decimals) - shift,
                                      len(mantissa)) > MAX_NUMBER_DIGITS
    if too_large:
        shown = f"{text[:20]}..." if len(text) > 20 else text
        raise _TokenError(tok, f"number {shown} is too large: the limit is {MAX_NUMBER_DIGITS} digits")
    return X.num(Fraction(text))


def whole_number(tok: Token, digits: str | None = None) -> X.Num:
    """An index or order written in digits (`x_12`, `x_{-1}`), within MAX_NUMBER_DIGITS."""
    digits = str(tok) if digits is None else digits
    if len(digits.lstrip("-").lstrip("0")) > MAX_NUMBER_DIGITS:
        raise _TokenError(tok, f"number {digits[:20]}... is too large: the limit is {MAX_NUMBER_DIGITS} digits")
    return X.num(int(digits))


# The patterns written as strings (here and below) are compiled, and kept by re, when first used:
# most serve LaTeX, definitions or indices, and a plain start-up compiles none of them.
_INDEX_PART = r"\d+|(?:" + "|".join(sorted(N.GREEK, key=len, reverse=True)) + r")(?![a-z])|[A-Za-z]"


def split_index(tok: Token) -> tuple[X.Expr, ...]:
    """`ik` -> (i, k); `i10` -> (i, 10); `theta` -> (theta,): letters one at a
    time, digit runs and Greek names whole."""
    return tuple(
        whole_number(tok, part) if part.isdigit() else X.sym(part)
        for part in re.findall(_INDEX_PART, str(tok))
    )


class PlainTransformer:
    """Parse-tree aliases of `grammar/plain.lark` -> smart constructors (each
    called with its rule's children as arguments)."""

    number = staticmethod(number)

    def constant(self, tok: Token) -> X.Expr:
        return X.const(str(tok))

    def symbol(self, name: Token, indices: tuple[X.Expr, ...] = ()) -> X.Expr:
        constant = CAPITALISED_CONSTANTS.get(str(name))
        if constant is not None and not indices:
            note(f"read {name} as the constant {constant} (as Mathematica and SymPy spell it); "
                 f"a variable needs another name, such as {name}_0")
            return X.const(constant)
        return X.Sym(str(name), indices)

    def subscript(self, *parts: Token) -> tuple[X.Expr, ...]:
        if len(parts) == 1 and parts[0].type != "NEG_INT":
            return split_index(parts[0])
        return tuple(whole_number(p) if p.type in ("INT", "NEG_INT") else X.sym(str(p)) for p in parts)

    def sum(self, first, *rest) -> X.Expr:
        terms = [_unwrap(first)]
        for op, term in zip(rest[::2], rest[1::2]):
            term = _unwrap(term)
            terms.append(X.neg(term) if op == "-" else term)
        return X.add(*terms)

    def group(self, a) -> X.Expr:
        return _unwrap(a)

    def chain(self, *items) -> X.Expr:
        return product(items)

    def neg(self, a):
        if isinstance(a, _Bare):
            return _Bare(X.neg(a.expr), a.token)
        if isinstance(a, _Juxtaposed):
            return _Juxtaposed(X.neg(a.left), a.right)
        return X.neg(a)

    def pow(self, base, op: Token, exp):
        if isinstance(exp, _Juxtaposed):  # x^y(7 + 1/4): only the letter goes up
            return _Juxtaposed(_unwrap(self.pow(base, op, exp.left)), exp.right)
        if isinstance(base, _Juxtaposed):  # a(x+1)^2: the power binds to the bracket
            return _Juxtaposed(base.left, X.pow_(base.right, _unwrap(exp)))
        return X.pow_(base, _unwrap(exp))

    def func(self, name: Token, *args) -> X.Expr:
        return known_function(name, str(name), tuple(map(_unwrap, args)))

    def func_square(self, name: Token, arg) -> X.Expr:
        note(f"read {name}[...] as {name}(...): square brackets after a function's name apply it, "
             f"as in Mathematica")
        return self.func(name, arg)

    def apply_square(self, name: Token, *args) -> X.Expr | _Juxtaposed:
        applied = self.apply(name, *args)
        if not isinstance(applied, _Juxtaposed):
            note(f"read {name}[...] as {name}(...): square brackets after a name apply it, as in Mathematica")
        return applied

    def func_power(self, name: Token, _pow: Token, power, arg) -> X.Expr:
        return function_power(name, _unwrap(power), _unwrap(arg))

    def bare_func(self, name: Token, arg: X.Expr) -> _Bare:
        return _Bare(known_function(name, str(name), (arg,)), name)

    def bare_func_power(self, name: Token, _pow: Token, power: Token, arg: X.Expr) -> _Bare:
        return _Bare(function_power(name, number(power), arg), name)

    def bare_func_negative_power(self, name: Token, _pow: Token, power: Token, arg: X.Expr) -> _Bare:
        return _Bare(function_power(name, X.neg(number(power)), arg), name)

    def sum_no_upper(self, tok: Token, *items) -> X.Expr:
        index, body = [i for i in items if not (is_token(i) and i.type != "NAME")]
        return sum_to_default_upper(tok, X.sym(str(index)), X.ONE, _unwrap(body), "sum_")

    def apply(self, name: Token, *args) -> X.Expr | _Juxtaposed:
        return application(name, tuple(map(_unwrap, args)))

    def derivative(self, op: Token, body) -> X.Expr:
        return derivative_operator(op, _unwrap(body))

    def log_base(self, _log: Token, base, arg) -> X.Expr:
        return X.log(_unwrap(arg), _unwrap(base))

    def sum_from(self, _sum: Token, index: Token, lower, _pow: Token, upper, body) -> X.Expr:
        return X.summation(_unwrap(body), X.sym(str(index)), _unwrap(lower), _unwrap(upper))

    def sum_from_one(self, _sum: Token, index: Token, _pow: Token, upper, body) -> X.Expr:
        return X.summation(_unwrap(body), X.sym(str(index)), X.ONE, _unwrap(upper))

    def delta(self, _delta: Token, i, j) -> X.Expr:
        return X.delta(_unwrap(i), _unwrap(j))


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def _alternatives(names) -> str:
    # Longest first, so `sinh` is not read as `sin` followed by `h`.
    return "|".join(sorted((re.escape(n) for n in names), key=lambda n: (-len(n), n)))


def grammar_text(name: str) -> str:
    """A grammar file with the terminals generated from the function table (FUNC)
    and, for LaTeX, from symdiff.names (Greek letters, decorations)."""
    if name == "plain.lark":
        generated = f"FUNC.2: /({_alternatives(F.spellings())})(?![A-Za-z0-9_'])/"
    else:
        generated = latex_grammar_terminals()
    return _read(grammar_path(name)) + "\n" + generated + "\n"


def lark_transformer(cls: type) -> Any:
    """An instance of Lark's Transformer with the methods of `cls`, each called with
    its rule's children as arguments (`v_args(inline=True)`)."""
    from lark import Transformer, v_args

    members = {k: v for k, v in vars(cls).items() if not k.startswith("__")}
    return v_args(inline=True)(type(cls.__name__, (Transformer,), members))()


def lalr(grammar: str, transformer: type, postlex: Any = None) -> Lark:
    """An LALR parser that builds trees as it reduces (no recursion on deep input)."""
    from lark import Lark

    return Lark(
        grammar_text(grammar),
        parser="lalr",
        transformer=lark_transformer(transformer),
        postlex=postlex,
        propagate_positions=False,
        maybe_placeholders=False,
        cache=True,  # the LALR tables, in the temp folder: a cold start skips rebuilding them
    )


# The variables a reading may rely on (`--wrt x`) and the whole words of the text
# being read: set by parse_plain for its PlainPostLexer.
_CONTEXT: ContextVar[tuple[frozenset[str], Mapping[str, int]]] = ContextVar(
    "reading_context", default=(frozenset(), {}))
_WORD = re.compile(r"(?<![A-Za-z0-9_'])[A-Za-z][A-Za-z0-9]*(?![A-Za-z0-9_'])")  # x, not the x of x_1 or x'"
_GLUED_AFTER = frozenset({"NAME", "CONST", "FUNC", "APPLY", "LOG_"})
_CHECKED = _GLUED_AFTER | {"LPAR", "NUMBER"}  # the only tokens PlainPostLexer.check reads a rule for
_TRANSPOSED = re.compile(r"[A-Z]'")


def _piece(tok: Token, kind: str, value: str, offset: int) -> Token:
    piece = Token.new_borrow_pos(kind, value, tok)
    piece.start_pos = cast(int, tok.start_pos) + offset
    piece.column = cast(int, tok.column) + offset
    piece.end_pos = piece.start_pos + len(value)
    piece.end_column = piece.column + len(value)
    return piece


@cache
def _function_spellings() -> frozenset[str]:
    return frozenset(F.spellings()) | frozenset(F.BUILDERS)


def letters(name: str) -> list[tuple[str, str]]:
    """`xsinx` -> [(NAME, x), (FUNC, sin), (NAME, x)]: a glued name as the function
    names (longest first) and single letters it is made of."""
    functions = _function_spellings()
    out, i = [], 0
    while i < len(name):
        head = next((name[i:i + k] for k in (9, 8, 7, 6, 5, 4, 3, 2) if name[i:i + k] in functions), None)
        if head is None:
            head = "pi" if name.startswith("pi", i) else name[i]
        out.append(("FUNC" if head in functions else "CONST" if head in ("e", "pi") else "NAME", head))
        i += len(head)
    return out


def _looks_like_a_power(a: str, b: str) -> bool:
    """`x^1/2`, `x^3/2` may mean a root; `x^2/2` is x^2 halved."""
    return a.isdigit() and b.isdigit() and int(b) > 1 and math.gcd(int(a), int(b)) == 1


def _written(parts: list[tuple[str, str]]) -> str:
    """[(NAME, x), (FUNC, sin), (NAME, x)] -> `x*sin(x)`."""
    out: list[str] = []
    for kind, value in parts:
        if out and out[-1].endswith("("):
            out[-1] += value + ")"
        else:
            out.append(value + "(" if kind == "FUNC" else value)
    return "*".join(out)


class PlainPostLexer:
    """Readings decided token by token, looking only back (the contextual lexer
    picks each token by the parser's state, so nothing may be read ahead):

    - a name glued from a function's name and a variable, `sinx`, is `sin x`;
    - a name that holds the variable of differentiation, which occurs nowhere by
      itself, is a product of its letters: `ax^2` by x is a*x^2;
    - a number glued to a letter is one unit to the eye, so where a tighter
      operator would split it (`e^2x`, `1/2x`, `6/2(1+2)`) the text is refused as ambiguous;
    - `x^1/2` and `1/2 x` are read strictly, with a note;
    - `math.`, `np.`, `torch.` before a name are dropped, with a note;
    - `x^T` and `X'` (transposes) are refused until matrices exist.

    Each is a row of the reading rules (symdiff/reading.py), where its examples are.
    """

    always_accept = ("MODULE",)

    def process(self, stream):
        variables, words = _CONTEXT.get()
        recent: list[Token] = []
        prefix = None
        for tok in stream:
            if tok.type == "MODULE":
                prefix = tok
                continue
            if prefix is not None:
                note(f"read {prefix}{tok} as {tok}: the prefix {prefix} is dropped")
                prefix = None
            pieces = self.split(tok, variables, words) if tok.type in ("NAME", "APPLY") else (tok,)
            for piece in pieces:
                if piece.type in _CHECKED:
                    self.check(recent, piece, words)
                recent.append(piece)
                if len(recent) > 4:
                    del recent[0]
                yield piece

    @staticmethod
    def split(tok: Token, variables: frozenset[str], words: Mapping[str, int]) -> list[Token]:
        name = str(tok)
        if not name.isalpha() or len(name) < 2 or name in variables:
            return [tok]
        if tok.type == "APPLY" and len(applied := PlainPostLexer.split_application(tok, variables)) > 1:
            return applied
        function_and_letter = glued(name)
        if function_and_letter is not None:
            head, rest = function_and_letter
            if rest in variables or rest in words:
                note(f"read {name!r} as '{head} {rest}': {head} without brackets takes the next factor; "
                     f"write {head}({rest}) to say so")
                return [_piece(tok, "FUNC", head, 0), _piece(tok, tok.type, rest, len(head))]
            note(f"read {name!r} as one name; write {head}({rest}) for the function {head}")
            return [tok]
        inside = sorted(v for v in variables if len(v) == 1 and v in name)
        if not inside or name in N.GREEK:
            return [tok]
        if inside[0] in words:
            if len(name) <= 3:  # xe in xe^x: x stands alone too, so xe is a name or a product
                raise _TokenError(tok, f"ambiguous: {name!r} holds the variable {inside[0]}, which also stands "
                                  f"alone: write {_written(letters(name))} for a product, or a longer name")
            return [tok]
        pieces, offset = [], 0
        for k, (kind, value) in enumerate(parts := letters(name)):
            last = k == len(parts) - 1
            pieces.append(_piece(tok, "APPLY" if last and tok.type == "APPLY" and kind == "NAME" else kind,
                                 value, offset))
            offset += len(value)
        spaced = " ".join(value for _, value in parts)
        note(f"read {name!r} as '{spaced}', a product of its letters: {inside[0]} occurs nowhere else "
             f"on its own; write {_written(parts)} to say so, or choose another variable")
        return pieces

    @staticmethod
    def split_application(tok: Token, variables: frozenset[str]) -> list[Token]:
        """`xsin(x)` by x: the variable glued to a known function's name before a bracket
        (`acot(x)` stays a name: its letters hold no variable)."""
        name = str(tok)
        parts = letters(name) if name.isalpha() else []
        if (len(parts) < 2 or parts[-1][0] != "FUNC" or any(kind == "FUNC" for kind, _ in parts[:-1])
                or not any(value in variables for _, value in parts[:-1])):
            return [tok]
        product = f"{_written(parts[:-1])}*{parts[-1][1]}(...)"
        note(f"read {name}(...) as {product}; write {product} to say so")
        offsets = [0]
        for _, value in parts:
            offsets.append(offsets[-1] + len(value))
        return [_piece(tok, kind, value, at) for (kind, value), at in zip(parts, offsets)]

    @staticmethod
    def check(recent: list[Token], tok: Token, words: Mapping[str, int]) -> None:
        """Refuse or note what `tok` (one of _CHECKED) means after the `recent` tokens."""
        last = recent[-1].type if recent else None
        if last != "NUMBER" and last != "SLASH" and not (tok.type == "NAME" and tok[-1] in "T'"):
            return  # each rule below needs one of these: most tokens need no more look
        kinds = [t.type for t in recent]
        if tok.type == "NAME" and str(tok) == "T" and kinds[-1:] == ["POW"] and words.get("T", 0) < 2:
            raise _TokenError(tok, "^T reads as a transpose, and matrix expressions need declared shapes, "
                              "which symdiff does not read yet; for a power of a variable T write ^(T)")
        if tok.type == "NAME" and _TRANSPOSED.fullmatch(tok):
            raise _TokenError(tok, f"{tok} reads as a transpose, and matrix expressions need declared "
                              f"shapes, which symdiff does not read yet; a primed name is written in "
                              f"lower case (y')")
        op = -3 if kinds[-2:-1] in (["MINUS"], ["PLUS"]) else -2
        if (tok.type in _GLUED_AFTER and kinds[-3:] == ["NUMBER", "SLASH", "NUMBER"]
                and recent[-1].end_pos != tok.start_pos):
            a, b = str(recent[-3]), str(recent[-1])
            note(f"read {a}/{b} {tok} as ({a}/{b})*{tok}: / divides by {b} alone; write {a}/({b}*{tok}) "
                 f"to divide by the product")
        glued = tok.type in _GLUED_AFTER or (tok.type == "LPAR" and kinds[op:op + 1 or None] == ["SLASH"])
        if (glued and kinds[-1:] == ["NUMBER"] and recent[-1].end_pos == tok.start_pos
                and kinds[op:op + 1 or None] in (["POW"], ["SLASH"])):
            operator, number = str(recent[op]), "".join(map(str, recent[op + 1:]))
            if len(recent) > -op and kinds[op - 1] in ("NAME", "NUMBER", "CONST"):
                operator = str(recent[op - 1]) + operator  # e^2x, not just ^2x
            shown = "(...)" if tok.type == "LPAR" else str(tok)
            glue = f"{number}{shown}"
            raise _TokenError(recent[-1], f"ambiguous: {operator}{glue} could mean {operator}({glue}) or "
                              f"{operator}{number}*{shown}; write one of them")
        if tok.type == "NUMBER" and kinds[-3:] == ["POW", "NUMBER", "SLASH"] and _looks_like_a_power(
                str(recent[-2]), str(tok)):
            a, b = str(recent[-2]), str(tok)
            note(f"read ^{a}/{b} as the power {a}, then a division by {b} (^ binds tighter than /); "
                 f"write ^({a}/{b}) for the power {a}/{b}")


@cache
def plain_parser() -> Lark:
    return lalr("plain.lark", PlainTransformer, PlainPostLexer())


@cache
def plain_reader() -> Reader | None:
    """The fast reader of plain text (symdiff.lalr), over plain_parser's tables;
    None when they use something it does not run (then Lark reads everything)."""
    from .lalr import tables

    found = tables("plain", grammar_text("plain.lark"), plain_parser)
    try:
        return Reader(found, PlainTransformer(), PlainPostLexer()) if found is not None else None
    except ValueError:  # a transformer method named after a terminal: a callback Reader does not run
        return None


# ------------------------------------------------- readings shared by both syntaxes


def product(items) -> X.Expr:
    """Factors joined by `*`, `/` or juxtaposition.  A function applied without
    brackets takes the next factor only, so another factor after it is ambiguous."""
    factors: list[X.Expr] = []
    divide = explicit = False
    prev = None
    for item in items:
        if is_token(item):  # an operator
            divide, explicit = str(item) == "/", True
            continue
        if isinstance(prev, _Bare) and divide and not isinstance(item, _Bare):
            name = str(prev.token).lstrip(chr(92))
            note(f"read {name} without brackets before / as {prev.expr}/...: it takes only the next factor; "
                 f"write {name}(.../...) to take the quotient's {name}")
        if isinstance(prev, _Bare) and not explicit and not isinstance(item, _Bare):
            if type(item) not in (X.Func, X.Log):
                name = str(prev.token)
                raise _TokenError(prev.token, f"ambiguous: {name} without brackets takes only the "
                                  f"next factor; write {name.lstrip(chr(92))}(...) around its argument")
        value = _unwrap(item)
        factors.append(X.pow_(value, X.NEG_ONE) if divide else value)
        divide = explicit = False
        prev = item
    return X.mul(*factors)


def sum_to_default_upper(tok: Token, index: X.Sym, lower: X.Expr, body: X.Expr, spelling: str) -> X.Expr:
    """`sum_i body` (`\\sum_k`): a sum without an upper bound runs to N for the
    samples i, else to the index's capital (k to K), with a note."""
    name = index.name
    if len(name) != 1 or not name.islower():
        raise _TokenError(tok, f"a sum over {name} needs its upper bound: {spelling}{{{name}=1}}^{{N}}")
    upper = X.sym("N" if name == "i" else name.upper())
    note(f"read {spelling}{name} without an upper bound as the sum over {name} = {lower}..{upper}")
    return X.summation(body, index, lower, upper)


# One-letter names that stand for functions when applied to brackets; any other
# single letter before a bracket multiplies it (`a(x+1)` is a*(x + 1)).
FUNCTION_LETTERS = N.FUNCTION_LETTERS


# Constants as Mathematica (E, Pi) and SymPy (E) spell them; read with a note.
CAPITALISED_CONSTANTS = {"E": "e", "Pi": "pi"}


def known_function(tok: Token, name: str, args: tuple[X.Expr, ...]) -> X.Expr:
    """A spelling of the function table applied to `args`, with the note its row gives."""
    counts = F.arities(name)
    if len(args) not in counts:
        wanted = " or ".join(map(str, counts))
        raise _TokenError(tok, f"{name} takes {wanted} argument{'s' * (counts != (1,))}, not {len(args)}")
    said = F.reading_note(name, len(args))
    if said:
        note(said)
    return F.apply(name, *args)


def application(name_tok: Token, args: tuple[X.Expr, ...], styled: bool = False) -> X.Expr | _Juxtaposed:
    """`name(args)` for a name the function table lacks; `styled` names
    (`\\operatorname{a}`) are functions however short.  A known function spelt
    with capitals (`Sin(x)`, `ArcTan(x)`, as Mathematica writes them) is that function."""
    name = str(name_tok).strip()
    base, primes = F.undefined_name(name)
    if not primes and F.arities(base.lower()):
        if base != base.lower():
            note(f"read {base}(...) as {base.lower()}(...): function names are read whatever their capitals")
        return known_function(name_tok, base.lower(), args)
    if base in F.BINARY_BUILDERS and not primes:
        if len(args) < 2:
            raise _TokenError(name_tok, f"{base} takes two or more arguments: {base}(a, b)")
        result = args[0]
        for a in args[1:]:
            result = F.BINARY_BUILDERS[base](result, a)
        return result
    if len(base) == 1 and not primes and base not in FUNCTION_LETTERS and not styled:
        if len(args) != 1:
            raise _TokenError(name_tok, f"{name}(...) with several arguments: {name} is a variable here")
        note(f"read {name}(...) as the product {name}*(...); only f, g, h and longer names "
             f"before a bracket are functions")
        return _Juxtaposed(X.sym(name), args[0])
    if F.lookup(base) is not None or base in F.BUILDERS:
        raise _TokenError(name_tok, f"{base} is a known function; its derivative is not written {name}")
    if len(args) != 1:
        raise _TokenError(name_tok, f"undefined functions take one argument; {name} has {len(args)}")
    if len(base) > 1 and base not in FUNCTION_LETTERS and not styled:
        note(f"{base} is not a function symdiff knows; read {name}(...) as an undefined function")
    return X.func(name, args[0])


def function_power(name: Token, power: X.Expr, arg: X.Expr) -> X.Expr:
    """`sin^2(x)` is sin(x)^2; `sin^{-1}(x)` is arcsin, as calculus books write it."""
    if power is X.NEG_ONE:
        row = F.lookup(str(name).lstrip("\\"))
        inverse = F.lookup("a" + row.name) if row is not None else None
        if inverse is None:
            raise _TokenError(name, f"{name}^-1 is ambiguous: write 1/{name}(...) or the inverse by name")
        note(f"read {name}^-1 as the inverse function {inverse.name}")
        return known_function(name, inverse.name, (arg,))
    return X.pow_(known_function(name, str(name).lstrip("\\"), (arg,)), power)


_DERIV = (r"d(?:\^(?P<n>[0-9]+))?/d(?P<var>[A-Za-z][A-Za-z0-9]*(?:_\{[^{}]*\}|_[A-Za-z0-9]+)?)"
          r"(?:\^(?P<m>[0-9]+))?")


def operator_parts(op: Token) -> tuple[X.Sym, int]:
    """`d^2/dx^2` -> (x, 2): the variable and order a plain derivative operator names."""
    m = cast("re.Match[str]", re.fullmatch(_DERIV, str(op).replace(" ", "")))  # the token is one
    n, m2 = m.group("n"), m.group("m")
    if n != m2:
        raise _TokenError(op, f"the orders in {op} disagree: write d^n/dx^n")
    var = parse_plain(m.group("var"))
    if n and len(n) > 9:
        raise _TokenError(op, f"order {n[:20]}... is above the limit of {MAX_ORDER}")
    if type(var) is not X.Sym:  # d/dpi, d/de: a constant (found by mypy: was an AttributeError)
        raise _TokenError(op, f"can only differentiate with respect to a variable, not {var}")
    return var, int(n or 1)


def brief(e: X.Expr, width: int = 60) -> str:
    """`e` as plain text, cut to about `width` characters for a note."""
    from .printing.precedence import printed_length

    size = printed_length(e)
    if size > 100_000:  # do not print a huge tree for a note
        return f"an expression of about {size:,} characters"
    text = str(e)
    return text if len(text) <= width else text[:width - 3] + "..."


def derivative_operator(op: Token, body: X.Expr) -> X.Expr:
    """`d/dx u`, `d^2/dx^2 u`: the derivative of what follows, to the end of the
    term, as an unevaluated `Derivative` node (the pipeline differentiates it)."""
    var, order = operator_parts(op)
    note(f"read {op} as the derivative of {brief(body)}, what follows it to the end of the term")
    return nth_derivative(body, var, order, op)


def nth_derivative(body: X.Expr, var: X.Sym, order: int, op: Token) -> X.Expr:
    if order > MAX_ORDER:
        raise _TokenError(op, f"order {order} is above the limit of {MAX_ORDER}")
    return X.derivative(body, var, order)


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
    "MODULE": "a module prefix",
    "$END": "the end of the input",
}
OPERAND_STARTS = {"NUMBER", "NAME", "CONST", "FUNC", "LPAR", "LBRACE", "LOG_", "MINUS", "SUM_", "DELTA", "APPLY",
                  "DERIV", "LSQB", "MODULE"}


def _word(parser: Lark, name: str) -> str:
    from lark.lexer import PatternStr

    if name in TERMINAL_WORDS:
        return TERMINAL_WORDS[name]
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name.lower()
    # A literal is shown as typed; a regular expression never reaches the user.
    return repr(pattern.value) if isinstance(pattern, PatternStr) else name.lower().strip("_")


def _previous_token(parser: Lark, text: str, pos: int) -> str | None:
    from lark.exceptions import UnexpectedInput

    try:
        with notes_held():  # lexed again to find the token: its notes were given already
            tokens = list(parser.lex(text[:pos]))
    except UnexpectedInput:
        return None
    return str(tokens[-1]) if tokens else None


def explain(parser: Lark, text: str, err: UnexpectedInput, syntax: str = "plain") -> ParseError:
    """Turn Lark's error into one sentence a person reads, in the words of the
    syntax (`plain_reason`, `latex_reason`), never Lark's token dump."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(err, UnexpectedCharacters):
        at = cast(int, err.pos_in_stream)
        reason = f"unexpected character {text[at]!r}"
        if syntax == "plain" and text[at:at + 2] in (".*", "./", ".^"):
            reason = (f"{text[at:at + 2]} is an elementwise matrix operator, and matrix expressions need "
                      f"declared shapes, which symdiff does not read yet; on numbers write {text[at + 1]}")
        return ParseError(reason, text, err.line, err.column)
    if not isinstance(err, UnexpectedToken):
        return ParseError("invalid input", text, getattr(err, "line", 1), getattr(err, "column", 1))
    tok = err.token
    line, column = tok.line, tok.column
    if tok.type == "$END":
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    reason = (plain_reason if syntax == "plain" else latex_reason)(parser, text, tok, set(err.expected))
    return ParseError(reason, text, line, column)


def plain_reason(parser: Lark, text: str, tok: Token, expected: set[str]) -> str:
    """Why the plain token `tok` cannot come here, where `expected` could."""
    at_end = tok.type == "$END"
    prev = _previous_token(parser, text, len(text) if at_end else cast(int, tok.start_pos))
    found = "the end of the input" if at_end else repr(str(tok))
    if at_end and "LPAR" in expected and prev is not None and F.lookup(prev):
        return f"{prev} needs an argument: write {prev}(...)"
    if expected == {"LPAR"} and prev is not None:
        return f"expected '(' after {prev!r}, found {found}"
    if "LPAR" in expected and not expected - OPERAND_STARTS - {"PLUS"}:
        reason = f"expected an operand after {prev!r}" if prev else "expected an expression"
        return reason + (", found the end of the input" if at_end else "")
    if tok.type == "RPAR":
        return "unmatched ')'"
    if at_end and "RPAR" in expected:
        return "missing ')'"
    if at_end and "RBRACE" in expected:
        return "missing '}'"
    words = sorted(_word(parser, name) for name in expected)
    choices = ", ".join(words[:6]) + (", ..." if len(words) > 6 else "")
    return f"unexpected {found}; expected {choices}"


def glued(name: str) -> tuple[str, str] | None:
    """`sinx` -> ("sin", "x"): a known function's name run into a one-letter name."""
    for k in (5, 4, 3, 2):
        head, rest = name[:k], name[k:]
        if len(rest) == 1 and rest.isalpha() and (F.lookup(head) or head in F.BUILDERS):
            return head, rest
    return None


def is_unicode(text: str) -> bool:
    """Does the text need symdiff.unicode_input's reading: a character beyond ASCII, or a bar?"""
    return not text.isascii() or any(bar in text for bar in F.BARS)


def parse_plain(text: str, variables: frozenset[str] = frozenset(), *, reader: str = "auto") -> X.Expr:
    """Plain text as an expression.  `reader`: "auto" (the fast reader, and Lark
    where it cannot decide), "fast" (raises Undecided there) or "lark"."""
    if is_unicode(text):
        return parse_unicode(text, variables)
    context = _CONTEXT.set((variables, Counter(_WORD.findall(text))))
    try:
        with _collector_paused(len(text) > LONG_TEXT):
            if reader != "lark" and (fast := plain_reader()) is not None:
                read = False
                with notes_held() as held:
                    try:
                        tree, read = fast.parse(text), True
                    except Exception:
                        # An error, or what it cannot decide: its notes are dropped and
                        # Lark reads the text again, for the error and explanation.
                        if reader == "fast":
                            raise
                if read:
                    for message, category in held:
                        note(message, category)
                    return _unwrap(tree)
            return _parse_with_lark(text)
    finally:
        _CONTEXT.reset(context)


def _parse_with_lark(text: str) -> X.Expr:
    from lark.exceptions import UnexpectedInput

    parser = plain_parser()
    try:
        return _unwrap(parser.parse(text))
    except UnexpectedInput as err:
        raise explain(parser, text, err) from None
    except _TokenError as err:
        raise ParseError(err.reason, text, *_token_position(err.token)) from None


# Past this many characters the cyclic garbage collector waits for the parse to end:
# a long parse allocates tokens and nodes that all live on, and the collections
# they trigger scan them again and again (a fifth of a 250,000-character parse).
LONG_TEXT = 10_000


@contextmanager
def _collector_paused(pause: bool) -> Iterator[None]:
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse_unicode(text: str, variables: frozenset[str] = frozenset()) -> X.Expr:
    """`log₂(x² + 1)`, `√x·σ(x)`: read as the plain text they stand for (symdiff.unicode_input);
    a ParseError points into `text`."""
    from .unicode_input import to_plain  # not imported for ASCII text

    plain = to_plain(text)
    for message in plain.notes:
        note(message)
    try:
        return parse_plain(plain.text, variables)
    except ParseError as err:
        raise plain.locate(err) from None


# ------------------------------------------------------------------- LaTeX


class _Head:
    """A function command waiting for its argument: `\\sin`, `\\log_{2}`, `\\sin^{2}`."""

    def __init__(self, token: Token, apply) -> None:
        self.token = token
        self.apply = apply


class _Bare:
    """A function applied without brackets; it must not swallow a following factor."""

    def __init__(self, expr: X.Expr, token: Token) -> None:
        self.expr = expr
        self.token = token


class _Juxtaposed:
    """A letter times a bracket, `a(x+1)`: a factor, not a function.  A power after
    it binds to the bracket, and as an exponent only the letter goes up, so
    `a(x+1)^2` is a*(x+1)^2 and `x^y(7)` is x^y*7."""

    def __init__(self, left: X.Expr, right: X.Expr) -> None:
        self.left = left
        self.right = right

    @property
    def expr(self) -> X.Expr:
        return X.mul(self.left, self.right)


def _unwrap(item):
    return item.expr if isinstance(item, (_Bare, _Juxtaposed)) else item


def _script_char(tok: Token) -> str:
    return str(tok)[1:].strip()


def _script_value(tok: Token) -> X.Expr:
    ch = _script_char(tok)
    return X.num(int(ch)) if ch.isdigit() else (X.E if ch == "e" else X.sym(ch))


# Commands of the notation around the maths; names, functions and decorations
# are added from their tables below.
STRUCTURE_COMMANDS = (
    "cdot times left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr lbrack rbrack "
    "lbrace rbrace lvert rvert lVert rVert frac dfrac tfrac sqrt sum limits nolimits log ln exp max min "
    "operatorname mathrm text mathit textrm textit mathsf rm it delta pi quad qquad tag partial "
    "thinspace medspace thickspace negthinspace displaystyle textstyle begin end le leq ge geq lt gt "
    "leqslant geqslant"
).split()


def latex_function_commands() -> list[str]:
    """`\\sin`, `\\arcsin`, ...: the table's rows printed as a plain command, and the builders."""
    rows = [row.latex[1:] for row in F.ROWS if re.fullmatch(r"\\[A-Za-z]+", row.latex)]
    return [c for c in rows if c not in N.GREEK] + ["exp", "ln", "log"]


@cache
def greek_function_commands() -> dict[str, str]:
    """Rows printed as a Greek letter (`\\sigma` -> sigmoid): that function before a bracket, else the letter."""
    return {row.latex[1:]: row.name for row in F.ROWS if row.latex[1:] in N.GREEK}


KNOWN_COMMANDS = frozenset(
    STRUCTURE_COMMANDS + latex_function_commands() + N.GREEK + list(N.LETTERLIKE)
    + list(N.SUFFIX_OF_COMMAND)
)

# Pieces of the derivative operators \frac{d}{dx}, \frac{d^2 y}{dx^2}, \frac{\partial}{\partial w_j}.
_D = r"(?:d|\\partial(?![A-Za-z])|\\(?:mathrm|text|operatorname)\s*\{\s*d\s*\})"
_ORDER = r"(?:\s*\^\s*(?:\{\s*[0-9]+\s*\}|[0-9]))?"
_VAR = (r"(?:\\[A-Za-z]+\s*\{[^{}]*(?:\{[^{}]*\}[^{}]*)?\}|\\[A-Za-z]+|[A-Za-z])'*"
        r"(?:\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?")
_DVARS = rf"(?:\s*{_D}\s*{_VAR}{_ORDER})+\s*"
_DENOMINATOR = rf"(?:{_DVARS}|\s*\{{{_DVARS}\}}\s*)"  # \frac{d}{{dx}}: a second pair of braces changes nothing
_NUMERATOR = r"(?=\s*[^\s{}])(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*"
_DVAR_ONE = rf"{_D}\s*(?P<var>{_VAR})(?:\s*\^\s*(?:\{{\s*(?P<n>[0-9]+)\s*\}}|(?P<m>[0-9])))?"
_FRAC = r"\\[dt]?frac\s*\{\s*"


def latex_grammar_terminals() -> str:
    """The LaTeX terminals generated from symdiff.functions and symdiff.names."""
    greek = _alternatives([g for g in N.GREEK if g != "pi"] + list(N.LETTERLIKE))
    functions = greek_function_commands()
    fn_greek = _alternatives([g for g in N.GREEK if g != "pi" and g not in functions])
    brackets = r"(?:\(|\\left\s*\(|\\[bB]igg?l?\s*\()"
    letters = _alternatives(n if len(n) == 1 else "\\" + n for n in N.FUNCTION_LETTERS)
    return "\n".join([
        f"FUNC: /\\\\({_alternatives(latex_function_commands())})(?![A-Za-z])/",
        f"GREEK_FUNC.3: /\\\\({_alternatives(functions)})(?=\\s*(\\(|\\\\left\\s*\\())/",
        f"GREEK: /\\\\({greek})(?![A-Za-z])/",
        f"DECOR: /\\\\({_alternatives(N.SUFFIX_OF_COMMAND)})(?![A-Za-z])/",
        f"FNAME.2: /([A-Za-df-z]|\\\\({fn_greek})(?![A-Za-z]))'*(?=\\s*{brackets})/",
        f"INDEXED_FNAME.2: /({letters})_(\\{{[^{{}}]*\\}}|\\\\[A-Za-z]+|[A-Za-z0-9])'*(?=\\s*{brackets})/",
        f"DOP.5: /{_FRAC}{_D}{_ORDER}\\s*\\}}\\s*\\{{{_DENOMINATOR}\\}}/",
        f"DNUM.4: /{_FRAC}{_D}{_ORDER}(?={_NUMERATOR}\\}}\\s*\\{{{_DVARS}\\}})/",
        f"DVAR: /{_DVARS}/",
    ])


class BarPostLexer:
    """Plain bars open or close by what stands before them: `|x|`, `\\|w\\|^2`.

    After an operand, with a bar of the same kind open, a bar closes; else it opens.
    Also: a divisor glued to the next factor (`1/2x`, `1/xy`) is refused as
    ambiguous, and `\\_` in a word (`\\text{negative\\_slope}`) is dropped."""

    always_accept = ("BAR", "DOUBLE_BAR")
    OPERAND_ENDS = frozenset({
        "NUMBER", "CONST", "NAME", "GREEK", "CLOSE", "RBRACK", "BRACE_CLOSE", "ABS_CLOSE", "NORM_CLOSE",
        "SUP1", "SUB1", "SUP_DIGITS", "SUB_DIGITS", "SAMPLE", "PRIMES", "NUMPI", "FRAC_CHAR", "RBRACE",
    })
    KINDS = {"BAR": ("ABS_OPEN", "ABS_CLOSE"), "DOUBLE_BAR": ("NORM_OPEN", "NORM_CLOSE")}
    DIVISORS = frozenset({"NUMBER", "NAME", "CONST", "GREEK"})
    FACTOR_STARTS = frozenset({"NUMBER", "NAME", "CONST", "GREEK", "OPEN", "LBRACK", "FNAME", "INDEXED_FNAME",
                               "LETTER_DIGITS"})

    def process(self, stream):
        depth = {"ABS_OPEN": 0, "NORM_OPEN": 0}
        prev = None
        recent: list[Token] = []  # the last three tokens
        for tok in stream:
            recent = [*recent[-2:], tok]
            if len(recent) == 3:
                _refuse_glued_divisor(recent[0], recent[1], recent[2], self.DIVISORS, self.FACTOR_STARTS)
            if tok.type == "WORD" and "\\_" in tok:
                name = tok.replace("\\_", "")
                note(f"read {tok} as the name {name}: a name has no underscore")
                tok = Token.new_borrow_pos("WORD", name, tok)
            kind = self.KINDS.get(tok.type)
            if kind is not None:
                opener, closer = kind
                closes = depth[opener] > 0 and prev in self.OPERAND_ENDS
                tok = Token.new_borrow_pos(closer if closes else opener, tok, tok)
            if tok.type in ("ABS_OPEN", "NORM_OPEN"):
                depth[tok.type] += 1
            elif tok.type in ("ABS_CLOSE", "NORM_CLOSE"):
                depth[tok.type.replace("CLOSE", "OPEN")] -= 1
            prev = tok.type
            yield tok


def _refuse_glued_divisor(slash: Token, divisor: Token, after: Token, divisors: frozenset[str],
                          starts: frozenset[str]) -> None:
    """`1/2x`: is x over 2 (TeX) or 1 over 2x (what it looks like)?  Refused; a space or braces say which."""
    if (slash.type == "MULOP" and slash == "/" and divisor.type in divisors and after.type in starts
            and divisor.start_pos == slash.end_pos and after.start_pos == divisor.end_pos):
        if str(divisor) == "d" and after.type == "NAME":
            raise _TokenError(slash, f"d/d{after} divides by d: write \\frac{{d}}{{d{after}}} for the derivative")
        raise _TokenError(slash, f"ambiguous: / divides by {divisor} alone, and {str(after).strip()} is glued "
                          f"to it; write \\frac{{...}}{{...}} to say what is divided, or a space after {divisor}")


def _differentiate_by(op: Token, dvars: str, order: int, body: X.Expr) -> X.Expr:
    """Apply the denominator `dx^2`, `\\partial x \\partial y` of a derivative operator to `body`."""
    variables: list[tuple[X.Sym, int]] = []
    for m in re.finditer(_DVAR_ONE, dvars):
        var = parse_latex(m.group("var"))
        if type(var) is not X.Sym:
            raise _TokenError(op, f"cannot differentiate with respect to {m.group('var')}")
        variables.append((var, int(m.group("n") or m.group("m") or 1)))
    total = sum(n for _, n in variables)
    if total != order:
        raise _TokenError(op, f"the orders in the derivative operator disagree ({order} above, {total} below)")
    for var, n in reversed(variables):  # the variable nearest the body acts first
        body = nth_derivative(body, var, n, op)
    return body


_OPERATOR = rf"{_FRAC}{_D}(?P<order>{_ORDER})(?:\s*\}}\s*\{{\s*\{{?(?P<dvars>{_DVARS})\}}?\s*\}})?"


def _operator(op: Token) -> tuple[int, str]:
    """`\\frac{d^2}{dx^2}` -> (2, `dx^2`): the order above and the variables below."""
    m = cast("re.Match[str]", re.fullmatch(_OPERATOR, str(op)))  # the token is one
    digits = re.search(r"[0-9]+", m.group("order"))
    return int(digits.group()) if digits else 1, m.group("dvars") or ""


def _vector_component(s: X.Sym, j: X.Expr) -> X.Sym:
    """`\\mathbf{w}` has components w_j; a plain name `w` has components w_j too."""
    split = N.split_decoration(s.name)
    base = split[0] if split and split[1] == "bold" else s.name
    return X.Sym(base, (j,))


def _complementary(a: X.Expr, b: X.Expr) -> bool:
    """heaviside(u) and heaviside(-u): `x > 0` and `x \\le 0`."""
    return (type(a) is X.Func and type(b) is X.Func and a.name == b.name == F.STEP
            and X.neg(a.arg) is b.arg)


class _Label(str):
    """A word in a subscript, `y_{\\text{true}}`: part of the name, not an index."""


class _Upright(str):
    """A name written in a style command, `\\mathrm{e}`: upright `e` is Euler's number."""


class _Glued:
    """A one-character superscript with text glued to it (`e^2x`): refused as a power's exponent."""

    def __init__(self, value: X.Expr, token: Token) -> None:
        self.value = value
        self.token = token


class _Transpose:
    """`^T`, `^{\\mathsf T}`: a transpose, or (on a number or e) the power T."""

    def __init__(self, token: Token) -> None:
        self.token = token


NEEDS_SHAPES = "matrix expressions need declared shapes, which symdiff does not read yet"
# Commands and operator names of matrix notation, refused with what they mean.
MATRIX_COMMANDS = {
    "top": "a transpose", "intercal": "a transpose", "odot": "an entrywise product",
    "oslash": "an entrywise quotient", "otimes": "a Kronecker product", "det": "a determinant",
}
MATRIX_WORDS = {"tr": "a trace", "trace": "a trace", "diag": "a diagonal", "det": "a determinant",
                "logdet": "a log-determinant"}


def _exponent(sup: Any, base: X.Expr | None) -> X.Expr:
    """The exponent a superscript gives `base`, refusing `e^2x` and `X^T` (`base` None: a bracket's power)."""
    if isinstance(sup, _Glued):
        c = _script_char(sup.token)
        raise _TokenError(sup.token, f"ambiguous: ^{c} without braces is one character, and text follows "
                          f"it unspaced; write ^{{{c}...}} for a longer power, or ^{{{c}}} and then the rest")
    if isinstance(sup, _Transpose):
        if (base is X.E or type(base) is X.Num) and str(sup.token).strip("^ \t\n{}") == "T":
            return X.sym("T")  # e^T, 2^T: no transpose of a number
        raise _TokenError(sup.token, f"^T reads as a transpose: {NEEDS_SHAPES}; for the power T "
                          f"write ^{{+T}}")
    return cast(X.Expr, sup)




def _no_labels(tok: Token, indices: tuple[Any, ...]) -> tuple[X.Expr, ...]:
    if any(isinstance(i, _Label) for i in indices):
        raise _TokenError(tok, "a word in a subscript labels a variable; it is not an index here")
    return indices


def _warn_escaping_index(terms: list[X.Expr]) -> None:
    """`\\sum_i a_i + b_i`: the sum ends at the `+`, so a later `b_i` is outside it."""
    bound = {t.index for t in terms if type(t) is X.Sum}
    if not bound:
        return
    for t in terms:
        loose = bound & {i for s in t.free for i in s.indices} - ({t.index} if type(t) is X.Sum else set())
        if loose:
            i = min(loose, key=str)
            note(f"the sum over {i} ends at the first '+' or '-'; {i} after it is a free variable. "
                 f"Bracket the body to sum all of it: \\sum_{{{i}}} \\left( ... \\right)")
            return


class LatexTransformer:
    """Parse-tree aliases of `grammar/latex.lark` -> smart constructors."""

    number = staticmethod(number)

    def sum(self, first, *rest) -> X.Expr:
        terms = [first]
        for op, term in zip(rest[::2], rest[1::2]):
            terms.append(X.neg(term) if op == "-" else term)
        _warn_escaping_index(terms)
        return X.add(*terms)

    def chain(self, *items) -> X.Expr:
        return product(items)

    def neg(self, a):
        if isinstance(a, _Bare):
            return _Bare(X.neg(a.expr), a.token)
        return X.neg(a)

    def pow(self, base: X.Expr, exp) -> X.Expr:
        return X.pow_(base, _exponent(exp, base))

    def positive_part(self, a: X.Expr, tok: Token) -> X.Expr:
        script = re.sub(r"[\s{}]", "", str(tok))
        if script == "_-":
            raise _TokenError(tok, "(...)_- is the negative part, max(0, -u) or min(0, u) by author: "
                              "write \\max(0, -u) or \\min(0, u)")
        note(f"read (...){script} as the positive part relu(...) = max(0, ...)")
        return F.maximum(X.ZERO, a)

    def positive_part_pow(self, a: X.Expr, tok: Token, exp) -> X.Expr:
        return X.pow_(self.positive_part(a, tok), _exponent(exp, None))

    def constant(self, tok: Token) -> X.Expr:
        return X.PI if str(tok) == "\\pi" else X.E

    def indexed_constant(self, tok: Token, indices: tuple[X.Expr, ...]) -> X.Expr:
        return self.symbol("pi" if str(tok) == "\\pi" else "e", indices)

    def symbol(self, name: str, *rest) -> X.Expr:
        if isinstance(name, _Upright) and name == "e" and not rest:
            return X.E  # \mathrm{e}: upright e, as ISO 80000-2 and many European and Japanese texts write it
        name = str(name)
        indices: tuple[Any, ...] = ()
        for part in rest:
            if is_token(part):  # x^{(i)}: the i-th sample
                i = X.sym(str(part).strip("^{}() \t\n"))
                note(f"read {name}{str(part).strip()} as the index {i} of {name}, not a power")
                indices = (i, *indices)
            else:
                indices = indices + part
        labels = [str(i) for i in indices if isinstance(i, _Label)]
        if labels:
            label = name + "".join(labels)
            note(f"read the subscript {', '.join(labels)} of {name} as part of the name {label} "
                 f"(a label, not an index)")
            name = label
        return X.Sym(name, tuple(i for i in indices if not isinstance(i, _Label)))

    def symbol_sample_first(self, name: str, sample: Token, indices: tuple[X.Expr, ...]) -> X.Expr:
        return self.symbol(name, sample, indices)

    def letter(self, tok: Token) -> str:
        return str(tok)

    def greek(self, tok: Token) -> str:
        return str(tok)[1:]

    def word(self, _cmd: Token, tok: Token) -> str:
        word = str(tok)
        italic = str(_cmd).endswith("it")  # \mathit{e}, \mathit{sin}: variables, as italic letters are
        if not italic and (F.lookup(word) is not None or word in F.BUILDERS):
            raise _TokenError(tok, f"{word} is a function: write its argument in brackets, "
                              f"\\mathrm{{{word}}}(...)")
        return word if italic else _Upright(word)

    def word_rm(self, _cmd: Token, tok: Token) -> str:
        return self.word(_cmd, tok)

    def decorated(self, cmd: Token, inner: str) -> str:
        return N.decorate(inner, str(cmd)[1:])

    def decorated_letter(self, cmd: Token, tok: Token) -> str:
        """`\\hat y`: a decoration without braces takes the next letter, as in TeX."""
        return N.decorate(str(tok).lstrip("\\"), str(cmd)[1:])

    def decorated_indexed(self, cmd: Token, inner: str, indices: tuple[X.Expr, ...],
                          outer: tuple[X.Expr, ...] = ()) -> X.Expr:
        """`\\hat{Y_i}` is `\\hat{Y}_i`: the decoration belongs to the name, the index stays an index."""
        return self.symbol(N.decorate(inner, str(cmd)[1:]), indices + outer)

    def primed(self, name: str, primes: Token) -> str:
        if N.looks_like_matrix(name):
            raise _TokenError(primes, f"{N.latex_name(name)}' on a capital or bold name reads as a transpose "
                              f"(X'X): {NEEDS_SHAPES}; if it names a variable, call it another way, as X_2")
        return name + str(primes)

    def index_char(self, tok: Token) -> tuple[X.Expr, ...]:
        ch = _script_char(tok)  # an index `e` is a name, as in plain syntax (m_e), not Euler's number
        return (X.num(int(ch)) if ch.isdigit() else X.sym(ch),)

    def index_ambiguous(self, tok: Token) -> tuple[X.Expr, ...]:
        digits = _script_char(tok)
        raise _TokenError(tok, f"ambiguous subscript _{digits}: write _{{{digits}}} or _{digits[0]} {digits[1:]}")

    def index(self, *items: tuple[X.Expr, ...]) -> tuple[X.Expr, ...]:
        return tuple(i for item in items for i in item)

    def index_name(self, tok: Token) -> tuple[X.Expr, ...]:
        return (X.sym(str(tok)),)

    def index_indexed(self, tok: Token, indices: tuple[X.Expr, ...]) -> tuple[X.Expr, ...]:
        """`f_{y_i}`: the index is itself an indexed name (the score of the true class)."""
        return (X.Sym(str(tok), _no_labels(tok, indices)),)

    def index_sign(self, tok: Token) -> tuple[Any, ...]:
        """`k_+`, `k_-`: a sign as a subscript labels the name (kplus, kminus)."""
        return (_Label("plus" if "+" in tok else "minus"),)

    def index_greek(self, tok: Token) -> tuple[X.Expr, ...]:
        return (X.sym(str(tok).lstrip("_ \t\n")[1:]),)

    def index_word(self, cmd: Token, tok: Token) -> tuple[Any, ...]:
        word = str(tok)
        if len(word) > 1 and not str(cmd).endswith("mathit"):  # \mathit{ab} is an index name
            return (_Label(word),)
        return (X.sym(word),)

    def index_int(self, tok: Token) -> tuple[X.Expr, ...]:
        return (whole_number(tok),)

    def index_negative(self, tok: Token) -> tuple[X.Expr, ...]:
        return (X.num(-whole_number(tok).value),)

    def sup_char(self, tok: Token) -> X.Expr:
        return _script_value(tok)

    def sup_glued(self, tok: Token) -> _Glued:
        return _Glued(_script_value(tok), tok)

    def transpose(self, tok: Token) -> _Transpose:
        return _Transpose(tok)

    def sup_ambiguous(self, tok: Token) -> X.Expr:
        digits = _script_char(tok)
        raise _TokenError(tok, f"ambiguous superscript ^{digits}: write ^{{{digits}}} or ^{digits[0]} {digits[1:]}")

    def sup_greek(self, tok: Token) -> X.Expr:
        return X.sym(str(tok)[1:])

    def letter_digits(self, tok: Token) -> X.Expr:
        t = str(tok)
        raise _TokenError(tok, f"ambiguous: {t} is one letter and a number; write {t[0]}_{{{t[1:]}}} "
                          f"for an index or {t[0]} \\cdot {t[1:]} for a product")

    def sup(self, value: X.Expr) -> X.Expr:
        return value

    def base_char(self, tok: Token) -> X.Expr:
        return _script_value(tok)

    def func_head(self, tok: Token) -> _Head:
        name = str(tok)[1:]
        return _Head(tok, lambda u: F.apply(name, u))

    def func_power_head(self, tok: Token, power) -> _Head:
        # \sin^2x and \sin^2(x): a function's power is one character by convention, glued or not.
        power = power.value if isinstance(power, _Glued) else _exponent(power, None)
        name = Token(tok.type, str(tok)[1:], tok.start_pos, tok.line, tok.column)
        return _Head(tok, lambda u: function_power(name, power, u))

    def log_head(self, tok: Token, base: X.Expr) -> _Head:
        return _Head(tok, lambda u: X.log(u, base))

    def opname(self, _cmd: Token, word: Token) -> Token:
        return word

    def apply(self, head: _Head, arg: X.Expr) -> X.Expr:
        return head.apply(arg)

    def apply_name(self, tok: Token, arg: X.Expr) -> X.Expr:
        name = str(tok).strip().lstrip("\\")
        base, primes = F.undefined_name(name)
        if base in N.GREEK and base not in N.FUNCTION_LETTERS and not primes:
            note(f"read \\{base}(...) as the product \\{base}*(...); only f, g, h, "
                 f"{', '.join(sorted(N.FUNCTION_LETTERS - set('fgh')))} before a bracket are functions")
            return X.mul(X.sym(base), arg)  # a power after it is apply_name_pow's
        return _unwrap(application(Token(tok.type, name, tok.start_pos, tok.line, tok.column), (arg,),
                                   styled=base in N.FUNCTION_LETTERS))

    def indexed_function(self, tok: Token, _arg: X.Expr) -> X.Expr:
        name = str(tok).strip()
        raise _TokenError(tok, f"{name}(...): symdiff has no indexed functions; write "
                          f"{name.split('_')[0]}(...) for a function or {name} \\cdot (...) for a product")

    def apply_name_pow(self, tok: Token, arg: X.Expr, power) -> X.Expr:
        power = _exponent(power, None)
        name = str(tok).strip().lstrip("\\")
        base, primes = F.undefined_name(name)
        if not primes and base not in N.FUNCTION_LETTERS and N.is_letter(base):
            # a(x+1)^2 is a*(x+1)^2: the letter is a factor, and ^ binds tighter than juxtaposition.
            shown = N.letter_latex(base)
            note(f"read {shown}(...)^{{...}} as the product {shown}*(...)^{{...}}: a letter before a bracket "
                 f"multiplies it, and the power belongs to the bracket")
            return X.mul(X.sym(base), X.pow_(arg, power))
        return X.pow_(self.apply_name(tok, arg), power)

    def styled_apply(self, *items) -> X.Expr:
        toks = [t for t in items if is_token(t)]
        word = toks[1] if toks[0].type == "MATHRM" else toks[0]
        primes = next((str(t) for t in toks if t.type == "PRIMES"), "")
        name = str(word).lstrip("\\")
        row = None if primes else (F.lookup(name) or F.lookup(name.lower()))
        if row is None and name.lower() in MATRIX_WORDS:
            raise _TokenError(word, f"{name} is {MATRIX_WORDS[name.lower()]}: {NEEDS_SHAPES}")
        if row is not None and row.arity == 1:
            return known_function(word, row.name, (items[-1],))
        if not primes and name.lower() in F.BUILDERS:
            return F.BUILDERS[name.lower()](items[-1])
        return _unwrap(application(Token(word.type, name + primes, word.start_pos, word.line, word.column),
                                   (items[-1],), styled=toks[0].type != "MATHRM" or len(name) == 1))

    def styled_apply_many(self, word: Token, _open: Token, *items) -> X.Expr:
        """`\\operatorname{atan2}(y, x)`: a row of several arguments."""
        args = tuple(a for a in items if not is_token(a))
        row = F.lookup(str(word)) or F.lookup(str(word).lower())
        if row is None:
            raise _TokenError(word, f"{word} is not a function of several arguments symdiff knows")
        return known_function(word, row.name, args)

    def vector_function(self, *items) -> X.Expr:
        """`softmax(z)_i` = exp(z_i) / sum_j exp(z_j), the i-th component."""
        word = next(t for t in items if is_token(t) and t.type in ("WORD", "GREEK"))
        arg, indices = items[-2], _no_labels(word, items[-1])
        if str(word).lower() != "softmax":
            raise _TokenError(word, f"{word}(...)_{{...}}: symdiff reads a component only of softmax")
        if type(arg) is not X.Sym or arg.indices or len(indices) != 1:
            raise _TokenError(word, "softmax needs a vector named without indices and one component: "
                              "\\operatorname{softmax}(\\mathbf{z})_i")
        i = indices[0]
        taken = {arg.name, *(s.name for s in i.free)}
        j = next(X.sym(c) for c in "jkmlpq" if c not in taken and X.sym(c) is not i)
        n = next(X.sym(c) for c in "KCn" if c not in taken)
        note(f"read softmax({arg})_{i} as exp over the sum of exp of its components {j} = 1..{n}")
        return X.div(X.exp(_vector_component(arg, i)), X.summation(X.exp(_vector_component(arg, j)), j, X.ONE, n))

    def bare_apply(self, head: _Head, arg: X.Expr) -> _Bare:
        return _Bare(head.apply(_unwrap(arg)), head.token)

    def bare_number_pi(self, head: _Head, tok: Token) -> _Bare:
        text = str(tok)
        digits = text.split("\\")[0].strip()
        note(f"read {str(head.token).strip()} {digits}\\pi as {str(head.token).strip()}({digits}*pi)")
        return _Bare(head.apply(X.mul(number(Token("NUMBER", digits)), X.PI)), head.token)

    def bare_styled(self, word: Token, arg: X.Expr) -> _Bare:
        row = F.lookup(str(word)) or F.lookup(str(word).lower())
        if row is None:
            raise _TokenError(word, f"{word} is not a function symdiff knows; write \\operatorname{{{word}}}(...) "
                              f"with brackets for an undefined function")
        return _Bare(row(arg), word)

    def greek_apply(self, tok: Token, arg: X.Expr) -> X.Expr:
        return X.func(greek_function_commands()[str(tok)[1:]], arg)

    def maxmin(self, tok: Token, _open: Token, *items) -> X.Expr:
        args = [a for a in items if not is_token(a)]
        build = F.BINARY_BUILDERS[str(tok)[1:]]
        result = args[0]
        for a in args[1:]:
            result = build(result, a)
        return result

    def frac(self, _tok: Token, a: X.Expr, b: X.Expr) -> X.Expr:
        return X.div(a, b)

    def frac_char(self, tok: Token) -> X.Expr:
        ch = str(tok)
        return X.num(int(ch)) if ch.isdigit() else (X.E if ch == "e" else X.sym(ch))

    def derivative(self, op: Token, body) -> X.Expr:
        order, dvars = _operator(op)
        note(f"read {' '.join(str(op).split())} as the derivative of what follows it, "
             f"to the end of the product")
        return _differentiate_by(op, dvars, order, _unwrap(body))

    def derivative_of(self, op: Token, body: X.Expr, dvars: Token) -> X.Expr:
        if type(body) is X.Sym:
            raise _TokenError(op, f"{body} is a name, not an expression: write its expression in the "
                              f"numerator, or \\frac{{d}}{{dx}} before it")
        return _differentiate_by(op, str(dvars), _operator(op)[0], body)

    def sqrt(self, _tok: Token, a: X.Expr) -> X.Expr:
        return X.sqrt(a)

    def root(self, _tok: Token, _open: Token, n: X.Expr, _close: Token, a: X.Expr) -> X.Expr:
        return X.pow_(a, X.pow_(n, X.NEG_ONE))

    def abs(self, _open: Token, a: X.Expr, _close: Token) -> X.Expr:
        return X.func(F.ABS, a)

    def norm(self, tok: Token, a: X.Expr, _close: Token, p: tuple[X.Expr, ...] = (X.TWO,)) -> X.Expr:
        if _no_labels(tok, p) not in ((X.ONE,), (X.TWO,)):
            raise _TokenError(tok, "symdiff reads the norms \\|x\\|_1 and \\|x\\|_2 (the default)")
        free = X.symbols(a)
        if not free or any(s.indices for s in free) or any(type(n) is X.Sum for n in X.postorder(a)):
            raise _TokenError(tok, "a norm needs vectors named without indices, as in \\|\\mathbf{w}\\|")
        # Every name in a norm is read as a vector, so a product in it is a matrix product or a scaled vector.
        matrices = [s for s in free if N.looks_like_matrix(s.name) and s.name[0].isupper()]
        products = [n for n in X.postorder(a) if type(n) is X.Mul and sum(bool(X.symbols(f)) for f in n.factors) > 1]
        if matrices or products:
            if matrices:
                raise _TokenError(tok, f"a norm of the matrix {N.latex_name(matrices[0].name)} is matrix notation: "
                                  f"{NEEDS_SHAPES}")
            raise _TokenError(tok, f"a product of names in a norm is a matrix product or a scaled vector: "
                              f"{NEEDS_SHAPES}; take a scalar outside, as |\\lambda| \\|\\mathbf{{w}}\\|")
        taken = {s.name for s in free}
        j = next(X.sym(c) for c in "jkilmpqrs" if c not in taken)
        n = next(X.sym(c) for c in "ndDM" if c not in taken)
        body = X.replace_subtrees(a, {s: _vector_component(s, j) for s in free})
        vectors = ", ".join(str(s) for s in free)
        note(f"read the norm of {vectors} as a sum over its components {j} = 1..{n} ({n} is the dimension)")
        if p == (X.ONE,):
            return X.summation(X.func(F.ABS, body), j, X.ONE, n)
        return X.sqrt(X.summation(X.pow_(body, X.TWO), j, X.ONE, n))

    def kdelta(self, tok: Token, indices: tuple[X.Expr, ...]) -> X.Expr:
        if len(indices) != 2 or any(isinstance(i, _Label) for i in indices):
            return self.symbol("delta", indices)  # \delta_i is a name
        return X.delta(*indices)

    def group(self, _open: Token, a: X.Expr, _close: Token) -> X.Expr:
        return a

    def comparison(self, *items) -> X.Expr:
        """`u > v` as the step heaviside(u - v); `a < u < b` as a product of steps."""
        step: X.Expr = X.ONE
        for left, op, right in zip(items[:-1:2], items[1::2], items[2::2]):
            greater = str(op) in (">", "\\ge", "\\geq", "\\geqslant", "\\gt")
            step = X.mul(step, X.func(F.STEP, X.sub(left, right) if greater else X.sub(right, left)))
        return step

    def otherwise(self, _tok: Token) -> None:
        return None

    def case_row(self, value: X.Expr, *rest) -> tuple[X.Expr, X.Expr | None]:
        return value, rest[-1]

    def cases(self, tok: Token, *items) -> X.Expr:
        rows = [i for i in items if isinstance(i, tuple)]
        if any(c is None for _, c in rows[:-1]):
            raise _TokenError(tok, "only the last row of cases may say otherwise")
        last_value, last_condition = rows[-1]
        complement = len(rows) == 2 and last_condition is not None and _complementary(rows[0][1], last_condition)
        if last_condition is not None and not complement:
            note("read the last row of cases as 'otherwise'")
        note("read cases with the heaviside step: the value on a boundary between rows is left undefined")
        result = last_value
        for value, condition in reversed(rows[:-1]):
            result = X.add(result, X.mul(condition, X.sub(value, result)))  # the first row that holds wins
        return result

    def from_char(self, tok: Token) -> tuple[X.Sym, X.Expr]:
        return X.sym(_script_char(tok)), X.ONE

    def from_greek(self, tok: Token) -> tuple[X.Sym, X.Expr]:
        return X.sym(str(tok)[1:]), X.ONE

    def from_one(self, name: str) -> tuple[X.Sym, X.Expr]:
        return X.sym(str(name)), X.ONE

    def from_value(self, name: str, lower: X.Expr) -> tuple[X.Sym, X.Expr]:
        return X.sym(str(name)), lower

    def big_sum(self, _tok: Token, lower: tuple[X.Sym, X.Expr], upper: X.Expr, body) -> X.Expr:
        return X.summation(_unwrap(body), lower[0], lower[1], upper)

    def sum_no_upper(self, tok: Token, lower: tuple[X.Sym, X.Expr], body) -> X.Expr:
        return sum_to_default_upper(tok, lower[0], lower[1], _unwrap(body), "\\sum_")


@cache
def latex_parser() -> Lark:
    from lark import Lark

    return Lark(grammar_text("latex.lark"), parser="lalr", lexer="contextual",
                transformer=lark_transformer(LatexTransformer),
                postlex=BarPostLexer(), propagate_positions=False, maybe_placeholders=False, cache=True)


def latex_terminals(*names: str) -> dict[str, str]:
    """The regular expressions of the LaTeX grammar's terminals, for a reader that
    shares their spellings (symdiff.matrix.latex: spacing, brackets, commands)."""
    parser = latex_parser()
    return {n: parser.get_terminal(n).pattern.to_regexp() for n in names}


# What a person calls each LaTeX terminal, for error messages.
LATEX_WORDS = {
    "NUMBER": "a number", "INT": "a whole number", "NAME": "a letter", "GREEK": "a Greek letter",
    "WORD": "a word", "CONST": "a constant", "FUNC": "a function", "LOG": "\\log", "SUM": "\\sum",
    "FRAC": "\\frac", "SQRT": "\\sqrt", "OPEN": "'('", "CLOSE": "')'", "LBRACK": "'['",
    "RBRACK": "']'", "BRACE_OPEN": "'\\{'", "BRACE_CLOSE": "'\\}'", "LBRACE": "'{'", "RBRACE": "'}'", "ABS_OPEN": "'|'",
    "ABS_CLOSE": "'|'", "NORM_OPEN": "'\\|'", "NORM_CLOSE": "'\\|'", "MULOP": "an operator",
    "$END": "the end of the input", "PLUS": "'+'", "MINUS": "'-'", "COMMA": "','",
    "CIRCUMFLEX": "'^'", "SUP1": "a superscript", "SUB1": "a subscript", "FNAME": "a function name",
    "DVAR": "d and a variable", "DECOR": "a decorated name", "MATHRM": "\\mathrm",
    "EQUAL": "'='", "FRAC_CHAR": "an argument of \\frac", "AMPERSAND": "'&'", "COMPARE": "a comparison",
    "ROWSEP": "\\\\", "CASES_END": "\\end{cases}", "OTHERWISE": "\\text{otherwise}",
}


def latex_reason(_parser: Lark, text: str, tok: Token, expected: set[str]) -> str:
    """Why the LaTeX token `tok` cannot come here, in the words of LaTeX."""
    if tok.type == "$END":
        if "RBRACE" in expected and not expected & {"NUMBER", "NAME"}:
            return "missing '}': a brace opened here is never closed"
        if "CLOSE" in expected:
            return "missing ')' or \\right): a bracket is never closed"
        if expected & {"RBRACK", "ABS_CLOSE", "NORM_CLOSE"}:
            return "a bracket or bar is never closed"
        return "the input ends where an expression should follow"
    found = str(tok).strip()
    if tok.type in ("CLOSE", "RBRACK", "BRACE_CLOSE", "ABS_CLOSE", "NORM_CLOSE") or found == "}":
        return f"unmatched {found!r}"
    if found.startswith("^") and tok.type in ("SUP1", "SUP_DIGITS", "CIRCUMFLEX", "SAMPLE"):
        return "a double superscript: bracket the power first, as in (e^{x})^{y}"
    if found.startswith("\\left"):
        return f"{found} needs a matching \\right"
    words = sorted({LATEX_WORDS[n] for n in expected if n in LATEX_WORDS})
    choices = ", ".join(words[:5]) + (", ..." if len(words) > 5 else "")
    return f"unexpected {found!r}" + (f"; expected {choices}" if choices else "")


def parse_latex(text: str) -> X.Expr:
    for m in re.finditer(r"\\([A-Za-z]+)", text):
        if m.group(1) not in KNOWN_COMMANDS:
            line, column = position(text, m.start())
            meaning = MATRIX_COMMANDS.get(m.group(1))
            reason = f"{m.group(0)} is {meaning}: {NEEDS_SHAPES}" if meaning else f"unsupported LaTeX command {m.group(0)}"
            raise ParseError(reason, text, line, column)
    from lark.exceptions import UnexpectedInput

    parser = latex_parser()
    try:
        result = parser.parse(text)
    except UnexpectedInput as err:
        raise explain(parser, text, err, "latex") from None
    except _TokenError as err:
        raise ParseError(err.reason, text, *_token_position(err.token)) from None
    return _unwrap(result)


# ------------------------------------------------------------------ definitions


class Definition(NamedTuple):
    """`L = ...`, `f(x) = ...`: the left side names the right side.  A left side
    that is not a name (`-\\log p(y \\mid x)`, `\\sigma^{-1}(x)`) labels it: `name` is None."""

    name: X.Sym | None
    args: tuple[X.Sym, ...]
    body: X.Expr


def _top_level_equals(text: str) -> list[int]:
    depth, found = 0, []
    for k, ch in enumerate(text):
        depth += ch in "{(["
        depth -= ch in "})]"
        if ch == "=" and depth == 0:
            found.append(k)
    return found


_LHS = (r"\s*(?P<name>.+?)\s*(?:(?:\(|\\left\s*\()(?P<args>[^()]*)(?:\)|\\right\s*\))"
        r"(?P<sub>\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?)?\s*")
# A left side's name written as a word: FL, \text{FL}, \operatorname{logit}, \tanh.
_LHS_WORD = (r"\\(?:operatorname|mathrm|text|textrm|mathit)\s*\{\s*(?P<a>[A-Za-z][A-Za-z0-9]*)\s*\}"
             r"|\\(?P<b>[A-Za-z]+)|(?P<c>[A-Za-z]+)")


def parse_definition(text: str, syntax: str | None = None, variables: Iterable[str] = ()) -> Definition | None:
    """The definition `text` states, or None when it has no `=` outside brackets."""
    if syntax is None:
        syntax = "latex" if "\\" in text else "plain"
    cuts = _top_level_equals(text)
    if not cuts:
        return None
    # `\\text{Sigmoid}(x) = \\sigma(x) = ...`: every side but the last names the last.
    sides = [(start, text[start:end]) for start, end in zip([0] + [c + 1 for c in cuts[:-1]], cuts)]
    heads: list[tuple[X.Sym | None, tuple[X.Sym, ...]]]
    try:
        heads = [_left_side(sides[0][1], syntax, text, sides[0][0])]
    except ParseError:
        label = _label(sides[0][1], syntax)
        if label is None:
            raise
        heads = [label]
        note(f"read the left side {sides[0][1].strip()} as a label (a definition); the expression is "
             f"the last side of '='")
    for start, part in sides[1:]:
        try:
            heads.append(_left_side(part, syntax, text, start))
        except ParseError:
            try:
                _parse_one(re.sub(r"[^\n]", " ", text[:start]) + part, syntax)
            except ParseError:
                if _label(part, syntax) is None:
                    raise
            note(f"read the last side of the chain of '=' as the expression; "
                 f"{part.strip()} between them was not checked against it")
    cut = cuts[-1]
    # Blank out the left sides so positions in errors stay those of the whole text.
    body = _parse_one(re.sub(r"[^\n]", " ", text[:cut + 1]) + text[cut + 1:], syntax,
                      frozenset(variables) | {a.name for a in heads[0][1]})
    name, args = heads[0]
    return Definition(name, args, body)


# A name, or a script's closing brace, right before an opening bracket: p(, D_{KL}(, \\sigma^{-1}\\left(.
_APPLIED = r"(?:[A-Za-z]|\})'*\s*(?:\(|\\left\s*\(|\\[bB]igg?l?\s*\()"


def _label(part: str, syntax: str) -> tuple[None, tuple[X.Sym, ...]] | None:
    """A left side that applies something to brackets (`-\\log p(y \\mid x)`, `\\sigma^{-1}(x)`,
    `D_{KL}(p \\| q)`) labels the right side; its variables are those in its last brackets when
    each is a name.  None when the left side applies nothing: `x^2 = 4` is an equation, not a label."""
    applied = list(re.finditer(_APPLIED, part))
    if not applied:
        return None
    start = k = applied[-1].end()
    depth = 1
    while k < len(part) and depth:
        depth += (part[k] == "(") - (part[k] == ")")
        k += 1
    if depth:
        return None
    inside = re.sub(r"\\(right|[bB]igg?r?)\s*$", "", part[start:k - 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        try:
            args = tuple(_parse_one(a, syntax) for a in inside.split(","))
        except ParseError:
            return None, ()
    if not all(type(a) is X.Sym for a in args):
        return None, ()
    return None, cast("tuple[X.Sym, ...]", args)  # each checked above


def _left_side(part: str, syntax: str, text: str, start: int) -> tuple[X.Sym, tuple[X.Sym, ...]]:
    """`L`, `f(x)`, `FL(p_t)`, `\\mathcal{L}(\\theta)`: a name and its variables."""
    bad = ParseError("the left side of '=' must be a name or a name with its variables, as in "
                     "L = ... or f(x) = ...", text, *position(text, start + len(part) - len(part.lstrip())))
    m = re.fullmatch(_LHS, part)
    if m is None:
        raise bad
    word = m.group("name")
    w = re.fullmatch(_LHS_WORD, word)
    name: X.Expr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        try:
            if w is not None and not N.split_decoration(w.group("b") or "") and w.group("b") != "mathcal":
                # Papers name losses with several letters: FL(p_t), \text{CE}(p, y), \tanh(z).
                indices = _parse_one("x" + m.group("sub"), syntax).indices if m.group("sub") else ()
                name = X.Sym(w.group("a") or w.group("b") or w.group("c"), indices)
            else:
                name = _parse_one(word + (m.group("sub") or ""), syntax)
            args = tuple(_parse_one(a, syntax) for a in m.group("args").split(",")) if m.group("args") else ()
        except ParseError:
            raise bad from None
    if type(name) is not X.Sym or any(type(a) is not X.Sym for a in args):
        raise bad
    return name, cast("tuple[X.Sym, ...]", args)  # each checked above


def _parse_one(text: str, syntax: str, variables: frozenset[str] = frozenset()) -> X.Expr:
    return parse_latex(text) if syntax == "latex" else parse_plain(text, variables)


def parse_equation(text: str) -> tuple[X.Expr, X.Expr]:
    """`'sum_{k=1}^{K} t_{ik} = 1'` -> (lhs, rhs), split at the last top-level `=`
    (the `=` of a sum's lower bound sits inside braces)."""
    cuts = _top_level_equals(text)
    if not cuts:
        raise ParseError("expected an equation LHS = RHS", text, 1, len(text) + 1)
    return parse(text[:cuts[-1]]), parse(text[cuts[-1] + 1:])


def parse(text: str, syntax: str | None = None, *, variables: Iterable[str] = (),
          max_length: int | None = None) -> X.Expr:
    """Plain or LaTeX text as the grammar reads it: the arguments, the checks
    and the errors are those of `symdiff.parse`, which runs this inside the
    pipeline's reading step.  Here a derivative operator (`x + d/dx x^2`) stays
    an unevaluated `Derivative` node, and a request (`derivative of F`) is
    not read as one; a definition `L = ...` gives its right side.

    >>> parse("log_2(x)")
    <Log log_2(x)>
    >>> parse("y + d/dx x^2")
    <Add y + (d/dx x^2)>
    """
    syntax = checked(text, syntax, max_length)
    with notes_once():
        if "=" in text:
            definition = parse_definition(text, syntax, variables)
            if definition is not None:
                return definition.body
        return _parse_one(text, syntax, frozenset(variables))


def checked(text: str, syntax: str | None, max_length: int | None) -> str:
    """The syntax `text` is read in, after the checks `parse` makes of its arguments."""
    if not isinstance(text, str):
        raise TypeError(f"parse() needs a str, not {type(text).__name__}")
    if max_length is not None and (type(max_length) is not int or max_length < 0):
        raise ValueError(f"max_length must be a whole number >= 0 (0: no limit), not {max_length!r}")
    limit = max_input_length() if max_length is None else max_length
    if limit and len(text) > limit:
        line, column = position(text, limit)
        raise ParseError(f"the input is {len(text):,} characters long; the limit is {limit:,} "
                         f"(raise it with --max-input N, or max_length=N)", text, line, column)
    if syntax is None:
        syntax = "latex" if "\\" in text else "plain"
    if syntax not in ("plain", "latex"):
        raise ValueError(f"syntax must be 'plain' or 'latex', not {syntax!r}")
    return syntax

