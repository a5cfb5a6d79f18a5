"""Requests: text that asks for a derivative -> the expression, variable and order.

`d/dx x^2 sin x`, `second derivative of x^3`, `diff(x^2, x)`, `D[Sin[x^2], x]`,
`x^2 y wrt y`, `f'(x) if f(x) = x^2 + 1`: PHRASES is the one table of how a
request is written and what it means (the README shows it).  `parse_request`
finds the phrase, blanks it out and parses what is left in place, so an error
in the expression points into the text as typed.  A phrase at the start takes
everything after it, as calculators do; `parse` alone keeps an operator's
scope to the end of its term (`symdiff.parse.derivative_operator`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import NamedTuple

from . import expr as X
from . import functions as F
from .errors import ParseError, note, notes_once, position, refuse
from .lalr import Token
from .limits import MAX_ORDER, max_input_length
from .parse import (_D, _DERIV, _DVAR_ONE, _DVARS, _FRAC, _NUMERATOR, _ORDER, Definition, _TokenError, _operator,
                    brief, checked, operator_parts, parse, parse_definition, parse_latex)

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_NTH = "|".join(ORDINALS) + r"|[0-9]+(?:st|nd|rd|th)"
_NAME = r"\\?[A-Za-z][A-Za-z0-9]*(?:_\{[^{}]*\}|_[A-Za-z0-9]+)?"  # x, theta, \theta, y_j, t_{ik}
_PLAIN_OP = _DERIV  # groups n, var, m: the operator's one spelling, in parse.py
_LATEX_OP = rf"{_FRAC}{_D}{_ORDER}\s*\}}\s*\{{{_DVARS}\}}"


class Phrase(NamedTuple):
    """One way to ask for a derivative: how it is written, an example, what it means.

    `place` says where the expression F is: "head" (the phrase, then F to
    the end), "tail" (F, then the phrase), "call" (F is the first argument
    inside), "define" (the phrase, then a definition of F).  The pattern's
    groups say the rest: `var`, `n` (an order in digits), `nth` (an ordinal
    word), `op` (a plain operator), `latex` (a LaTeX operator), `dvars`,
    `args`, `body`, `fname`/`primes`/`farg` (f'(x)).  `order` is the order
    when the phrase names none; None leaves it to the caller.  `dialect`
    "mathematica" reads F as Mathematica writes it; "latex" is a phrase
    only text with a backslash can hold, so other text skips it (and
    compiling its pattern, at start-up).  `needs`: words one of which every
    match holds, in lower case; ASCII text with none of them skips the
    phrase the same way (tests/test_requests.py checks every match has one).
    """

    written: tuple[str, ...]
    example: str
    means: str
    place: str
    pattern: str
    needs: tuple[str, ...]
    order: int | None = 1
    dialect: str = ""

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)


PHRASES = (
    Phrase(("d/dX F", "d^n/dX^n F", "d/dX of F"), "d/dx x^2 sin x",
           "the n-th derivative in X of all of F", "head",
           rf"(?P<op>{_PLAIN_OP})(?![A-Za-z0-9])(?:\s+of(?![A-Za-z0-9_]))?", ("/d",)),
    Phrase(("(d/dX) F", "(d/dX)[F]"), "(d/dx) [x^3 + 2x]", "the same", "head",
           rf"\(\s*(?P<op>{_PLAIN_OP})\s*\)", ("/d",)),
    Phrase((r"\frac{d}{dX} F", r"\frac{d^n}{dX^n} F", r"\frac{\partial}{\partial X} F"), r"\frac{d}{dx} x^x",
           "the same", "head", rf"(?P<latex>{_LATEX_OP})", ("frac",), dialect="latex"),
    Phrase((r"\frac{dF}{dX}", r"\frac{d^n F}{dX^n}"), r"\frac{d(x^3)}{dx}", "the same, when it is the whole input",
           "call", rf"{_FRAC}(?P<latex>{_D}{_ORDER})(?P<body>{_NUMERATOR})\}}\s*\{{(?P<dvars>{_DVARS})\}}",
           ("frac",), dialect="latex"),
    Phrase(("derivative of F", "second derivative of F", "5th derivative of F", "find the derivative of F"),
           "second derivative of x^3 + 2x", "the n-th derivative (ordinals first to tenth, or 5th) of all of F",
           "head", rf"(?i:(?:(?:find|compute|calculate|what\s+is|what's)\s+)?(?:the\s+)?(?:(?P<nth>{_NTH})\s+)?"
                   rf"(?:partial\s+)?derivative\s+of)(?![A-Za-z0-9_])", ("derivative",)),
    Phrase(("differentiate F", "diff F"), "differentiate f(x)^g(x)",
           "the derivative of all of F, of the order the caller gives (default 1)", "head",
           r"(?i:differentiate|diff)(?=[\s(\[])", ("diff",), order=None),
    Phrase(("F wrt X", "F w.r.t. X", "F with respect to X"), "x^2 y wrt y",
           "the derivative of all of F in X (after a phrase above: its variable)", "tail",
           rf"(?i:wrt|w\.\s*r\.\s*t\.?|with\s+respect\s+to)\s+(?P<var>{_NAME})", ("wrt", "w.", "respect"),
           order=None),
    Phrase(("F を X で微分", "F を微分(せよ)"), "x^2 sin x を x で微分", "the derivative of F (in X)", "tail",
           rf"を\s*(?:(?P<var>{_NAME})\s*で\s*)?微分(?:せよ|して(?:ください)?|しなさい|する)?\s*[。.]?",
           ("を",), order=None),
    Phrase(("F の導関数", "F の n 階導関数"), "x^3 の導関数", "the (n-th) derivative of F", "tail",
           r"の\s*(?:(?P<n>[0-9]+)\s*階)?導関数(?:を求めよ)?\s*[。.]?", ("導関数",)),
    Phrase(("diff(F, X)", "diff(F, X, n)", "diff(F, X, X)", "diff(F)"), "diff(x^2, x, 2)",
           "the n-th derivative of F in X (SymPy, Maxima)", "call", r"diff\s*\((?P<args>.*)\)", ("diff",)),
    Phrase(("D[F, X]", "D[F, {X, n}]"), "D[Sin[x^2], x]",
           "the n-th derivative of F in X; F as Mathematica writes it (Sin[u], Exp[u], E, Pi)", "call",
           r"D\s*\[(?P<args>.*)\]", ("[",), dialect="mathematica"),
    Phrase(("f'(X) if f(X) = F", "f''(X) where f(X) = F"), "f'(x) if f(x) = x^2 + 1",
           "the derivative of F in X, one order per prime (also: when, for, given)", "define",
           rf"(?P<fname>[A-Za-z][A-Za-z0-9]*)(?P<primes>'+)\s*\(\s*(?P<farg>{_NAME})\s*\)\s*,?\s*"
           r"(?i:if|where|when|for|given)\s+", ("'",)),
)


def markdown_table() -> str:
    """PHRASES as the README shows them."""
    lines = ["| asked as | example | means |", "|---|---|---|"]
    for row in PHRASES:
        written = ", ".join(f"`{w}`" for w in row.written)
        lines.append(f"| {written} | `{row.example}` | {row.means} |")
    return "\n".join(lines)


SCOPE = {"head": ", everything after it", "tail": ", everything before it", "call": "", "define": ""}


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.DOTALL)


class Request(NamedTuple):
    """What a request asks for: the derivative of `body` in `var` (None: not
    named), of order `order` (None: not named), written as `phrase`."""

    body: X.Expr
    var: X.Sym | None
    order: int | None
    phrase: str
    place: str
    text: str
    start: int  # where the phrase begins in `text`, for the caret
    name: X.Sym | None = None  # f in f'(x) if f(x) = ...

    def error(self, reason: str) -> ParseError:
        return refuse(reason, self.text, self.start)

    def agree(self, wrt: X.Expr | str | Sequence[X.Expr | str] | None,
              order: int | None) -> tuple[X.Expr | Sequence[X.Expr] | None, int]:
        """The variable(s) and order to use: the phrase's, checked against the
        caller's; a caller's that disagrees is an error naming both."""
        given: X.Expr | list[X.Expr] | None = None
        if isinstance(wrt, (str, X.Expr)):
            given = parse(wrt) if isinstance(wrt, str) else wrt
        elif wrt is not None:
            given = [parse(w) if isinstance(w, str) else w for w in wrt]
        if self.var is not None and given is not None:
            trees = [given] if isinstance(given, X.Expr) else given
            if trees != [self.var]:
                shown = ", ".join(map(str, trees))
                raise self.error(f"'{self.phrase}' asks for the derivative in {self.var}, and the variable "
                                 f"given is {shown}: give one of them, or the same")
        if self.order is not None and order is not None and order != self.order:
            raise self.error(f"'{self.phrase}' asks for the derivative of order {self.order}, and the order "
                             f"given is {order}: give one of them, or the same")
        n = self.order if self.order is not None else 1 if order is None else order
        return (self.var if self.var is not None else given), n

    def derivative(self) -> X.Expr:
        """The request as the tree it stands for, an unevaluated `Derivative` of
        its body; the variable must be named, or the body's only one."""
        wrt, order = self.agree(None, None)
        names = X.symbols(self.body)
        if not isinstance(wrt, X.Sym) and len(names) != 1:
            raise self.error(f"'{self.phrase}' names no variable and the expression has "
                             f"{'several' if names else 'none'}: say which, as in d/dx")
        var = wrt if isinstance(wrt, X.Sym) else names[0]
        if order > MAX_ORDER:
            raise self.error(f"order {order} is above the limit of {MAX_ORDER}")
        note(self.describe(var, order))
        return X.derivative(self.body, var, order) if order else self.body

    def describe(self, var: X.Expr | None, order: int) -> str:
        """The note: how the text was read, naming the tree differentiated."""
        if isinstance(var, X.Sym):
            op = f"d/d{var}" if order == 1 else f"d^{order}/d{var}^{order}"
        else:
            op = "the derivative" if order == 1 else f"the derivative of order {order}"
        return f"read '{self.phrase}' as asking for {op} of {brief(self.body)}{SCOPE[self.place]}"


# ------------------------------------------------------------------ finding the phrase


def _closing(text: str, k: int) -> int | None:
    """The index of the bracket closing the one at `k`, or None."""
    depth = 0
    for j in range(k, len(text)):
        ch = text[j]
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0:
            return j
    return None


def _two_arguments(text: str, k: int, end: int) -> bool:
    """Whether the bracket opened before `k` holds a comma of its own."""
    depth = 0
    for j in range(k, end):
        ch = text[j]
        if ch == "," and depth == 0:
            return True
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0:
            return False
    return False


def _top_level_commas(text: str, start: int, end: int) -> list[int]:
    depth, cuts = 0, []
    for j in range(start, end):
        ch = text[j]
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            cuts.append(j)
    return cuts


def _rows(text: str, *places: str) -> Iterator[Phrase]:
    """The phrases at these places that `text` could hold: a phrase is compiled
    (at start-up, the most of reading) only for text that holds one of its words."""
    latex = "\\" in text
    lowered = text.lower() if text.isascii() else None  # re's ignored case is wider than lower() beyond ASCII
    return (row for row in PHRASES if row.place in places and (latex or row.dialect != "latex")
            and (lowered is None or any(word in lowered for word in row.needs)))


def _head(text: str) -> tuple[Phrase, re.Match[str]] | None:
    k = len(text) - len(text.lstrip())
    for row in _rows(text, "head", "define"):
        m = row.regex.match(text, k)
        if m is not None:
            return row, m
    return None


_TAIL_WORDS = re.compile(r"(?i:wrt|w\.|with\s+respect)|を|の")


def _tail(text: str, start: int) -> tuple[Phrase, re.Match[str]] | None:
    """The tail phrase ending the text, searched from its last keyword back
    (each try anchored, so a long input costs one pass)."""
    hits = [m.start() for m in _TAIL_WORDS.finditer(text, start)]
    for k in reversed(hits[-3:]):  # the phrase ends the text: only the last keywords can start it
        if k > 0 and (text[k - 1].isalnum() or text[k - 1] == "_") and text[k] not in "をの":
            continue
        for row in _rows(text, "tail"):
            m = row.regex.match(text, k)
            if m is not None and not text[m.end():].strip():
                return row, m
    return None


def _call(text: str) -> tuple[Phrase, re.Match[str]] | None:
    for row in _rows(text, "call"):
        m = row.regex.fullmatch(text, len(text) - len(text.lstrip()), len(text.rstrip()))
        if m is None:
            continue
        if "args" in row.regex.groupindex:  # the opening bracket must close at the very end
            opening = m.start("args") - 1
            if _closing(text, opening) != m.end("args"):
                continue
        return row, m
    return None


def _order(m: re.Match[str]) -> int | None:
    groups = m.groupdict()
    if groups.get("nth"):
        word = groups["nth"].lower()
        return ORDINALS.index(word) + 1 if word in ORDINALS else int(word[:-2])
    if groups.get("primes"):
        return len(groups["primes"])
    return None


def _variable(text: str, k: int, var_text: str) -> X.Sym:
    try:
        var = parse(var_text)
    except ParseError:
        var = None
    if type(var) is not X.Sym:
        raise refuse(f"can only differentiate with respect to a variable, not {var_text}", text, k)
    return var


def _plain_operator(text: str, m: re.Match[str]) -> tuple[X.Sym, int]:
    line, column = position(text, m.start("op"))
    op = Token("DERIV", m.group("op"), start_pos=m.start("op"), line=line, column=column)
    try:
        return operator_parts(op)
    except _TokenError as err:
        raise refuse(str(err), text, m.start("op")) from None


def _latex_operator(text: str, order: int, dvars: str, k: int) -> tuple[X.Sym, int]:
    """The operator `\\frac{d^2}{dx^2}` (order 2, below `dx^2`) -> (x, 2); a mixed partial is refused."""
    variables: list[tuple[X.Expr, int]] = []
    for d in re.finditer(_DVAR_ONE, dvars):
        variables.append((parse_latex(d.group("var")), int(d.group("n") or d.group("m") or 1)))
    if any(type(v) is not X.Sym for v, _ in variables):
        raise refuse("can only differentiate with respect to a variable", text, k)
    if sum(n for _, n in variables) != order:
        raise refuse(f"the orders in the derivative operator disagree ({order} above, "
                     f"{sum(n for _, n in variables)} below)", text, k)
    if len({v for v, _ in variables}) > 1:
        raise refuse("a mixed partial asked for at the start: give the variables to differentiate by "
                     "instead (wrt=[x, y], --wrt x --wrt y)", text, k)
    return variables[0][0], order  # type: ignore[return-value]  # checked to be a Sym above


# Compiled, and kept by re, when first used: most text holds no Mathematica and no phrase.
_MATHEMATICA_CALL = r"([A-Za-z][A-Za-z0-9]*)\s*\["
_MATHEMATICA_CONSTANT = r"(?<![A-Za-z0-9_])(E|Pi)(?![A-Za-z0-9_])"


def _from_mathematica(text: str, start: int, end: int) -> str:
    """The body of `D[...]` in plain syntax, position for position: `Sin[u]`
    is sin(u), `E` and `Pi` the constants; `Log[b, u]` is refused."""
    chars = list(text)
    for m in re.compile(_MATHEMATICA_CALL).finditer(text, start, end):
        name = m.group(1)
        if name == "Log" and _two_arguments(text, m.end(), end):
            raise refuse("Log[b, u] is the logarithm to base b: write Log[u]/Log[b]", text, m.start())
        if F.lookup(name.lower()) is not None or name.lower() in F.BUILDERS:
            chars[m.start():m.start() + len(name)] = name.lower()
    for m in re.compile(_MATHEMATICA_CONSTANT).finditer(text, start, end):
        chars[m.start():m.end()] = m.group(1).lower()
    for j in range(start, end):
        chars[j] = {"[": "(", "]": ")"}.get(chars[j], chars[j])
    return "".join(chars)


def _check_scope(text: str, phrase: str, start: int, end: int) -> None:
    """A phrase at the start takes everything after it; refuse where a reader
    could take less: `d/dx (x^2) + 1`, `d/dx x^2 + d/dx x^3`."""
    k = start + len(text[start:end]) - len(text[start:end].lstrip())
    if k < end and (text[k] in "([{" or text.startswith("\\left", k)):
        opening = next((j for j in range(k, min(k + 8, end)) if text[j] in "([{"), k)
        close = _closing(text, opening)
        if close is not None and close < end:
            rest = text[close + 1:end]
            after = close + 1 + len(rest) - len(rest.lstrip())
            if after < end and text[after] in "+-":
                raise refuse(f"ambiguous: {phrase} may apply to {text[k:close + 1].strip()} alone or to everything "
                             f"after it; bracket all it applies to: {phrase} (...)", text, after)
    depth, seen, signed = 0, False, False
    for j in range(start, end):
        ch = text[j]
        depth += ch in "([{"
        depth -= ch in ")]}"
        signed = signed or (depth == 0 and ch in "+-" and seen)
        seen = seen or not ch.isspace()
        operator = signed and depth == 0 and re.compile(_OPERATOR_START).match(text, j) is not None
        if operator and (j == 0 or not text[j - 1].isalnum()):
            raise refuse(f"ambiguous: {phrase} at the start applies to everything after it, this derivative "
                         f"included; bracket all it applies to: {phrase} (...)", text, j)


_OPERATOR_START = rf"d(?:\^[0-9]+)?/d[A-Za-z\\]|{_FRAC}{_D}"  # compiled, and kept by re, when first used


def _blank(text: str, start: int, end: int, inner: str | None = None) -> str:
    """`text` with everything outside [start, end) blanked, lines kept."""
    kept = (inner if inner is not None else text)[start:end]
    return re.sub(r"[^\n]", " ", text[:start]) + kept + re.sub(r"[^\n]", " ", text[end:])


class _Span:
    """Where a phrase puts the expression, and what the phrase says so far."""

    def __init__(self, start: int, end: int, phrase: str, at: int, place: str, var: X.Sym | None = None,
                 order: int | None = None, rewritten: str | None = None) -> None:
        self.start, self.end = start, end  # the expression's span in the text
        self.phrase = phrase
        self.at = at  # where the phrase starts
        self.place = place
        self.var = var
        self.order = order
        self.rewritten = rewritten  # the text with the expression rewritten in place (same length)


def _from_call(text: str, row: Phrase, m: re.Match[str]) -> _Span:
    if "args" not in row.regex.groupindex:  # \frac{d(x^3)}{dx}
        digits = re.search(r"[0-9]+", m.group("latex"))
        x, order = _latex_operator(text, int(digits.group()) if digits else 1, m.group("dvars"), m.start())
        return _Span(m.start("body"), m.end("body"), m.group(0).strip(), m.start(), row.place, x, order)
    start, end = m.start("args"), m.end("args")
    cuts = _top_level_commas(text, start, end)
    var, n = _arguments(text, row, [(a + 1, b) for a, b in zip(cuts, cuts[1:] + [end])])
    end = cuts[0] if cuts else end
    mathematica = row.dialect == "mathematica"
    return _Span(start, end, text[:start].strip() + "..." + text[end:].strip(), m.start(), row.place, var, n,
                 _from_mathematica(text, start, end) if mathematica else None)


def _from_head(text: str, row: Phrase, m: re.Match[str], end: int) -> _Span:
    var: X.Sym | None = None
    order: int | None
    if m.groupdict().get("op"):
        var, order = _plain_operator(text, m)
    elif m.groupdict().get("latex"):
        top, dvars = _operator(Token("DOP", m.group("latex")))
        var, order = _latex_operator(text, top, dvars, m.start())
    else:
        n = _order(m)
        order = n if n is not None else row.order
    return _Span(m.end(), end, m.group(0).strip(), m.start(), row.place, var, order)


def _with_tail(text: str, span: _Span | None, row: Phrase, m: re.Match[str]) -> _Span:
    """A tail phrase alone, or after a head phrase whose variable it must match."""
    if span is None:
        n = m.groupdict().get("n")
        span = _Span(0, m.start(), m.group(0).strip(), m.start(), row.place, order=int(n) if n else row.order)
    if m.groupdict().get("var") is not None:
        var = _variable(text, m.start("var"), m.group("var"))
        if span.var is not None and var != span.var:
            raise refuse(f"'{span.phrase}' asks for the derivative in {span.var}, and '{m.group(0).strip()}' "
                         f"in {var}: give one of them", text, m.start())
        span.var = var
    return span


def _square_brackets(text: str, span: _Span) -> None:
    """`(d/dx)[x^3 + 2x]`: square brackets around the whole expression group it."""
    k = span.start + len(text[span.start:span.end]) - len(text[span.start:span.end].lstrip())
    if k < span.end and text[k] == "[" and _closing(text, k) == span.end - 1:
        span.rewritten = text[:k] + " " + text[k + 1:span.end - 1] + " " + text[span.end:]


def parse_request(text: str, *, variables: Sequence[str] = ()) -> Request | None:
    """The derivative `text` asks for, or None when it asks for none.

    Args:
        text: plain or LaTeX text (LaTeX when it holds a backslash).
        variables: names that count as variables when reading glued names.

    Raises:
        ParseError: the text asks for a derivative but the expression does
            not parse, the phrase is malformed, or its scope is ambiguous.
    """
    limit = max_input_length()
    if limit and len(text) > limit:
        return None  # parse refuses it, with the caret at the limit
    syntax = "latex" if "\\" in text else "plain"
    call = _call(text)
    head = None
    span: _Span | None
    if call is not None:
        span = _from_call(text, *call)
    else:
        head = _head(text)
        tail = _tail(text, head[1].end() if head else 0)
        if head is None and tail is None:
            return None
        end = tail[1].start() if tail else len(text)
        span = _from_head(text, *head, end) if head else None
        if tail is not None:
            span = _with_tail(text, span, *tail)
        assert span is not None  # a head or a tail was found
        span.end = len(text[:span.end].rstrip().rstrip(",;"))
        if span.place == "head":
            _check_scope(text, span.phrase, span.start, span.end)
        if syntax == "plain":
            _square_brackets(text, span)
    assert span is not None  # a call, a head or a tail was found
    if not text[span.start:span.end].strip():
        raise refuse(f"'{span.phrase}' needs the expression to differentiate", text, span.end)
    names = [*variables, *([span.var.name] if span.var is not None else [])]
    blanked = _blank(text, span.start, span.end, span.rewritten)
    try:
        definition = parse_definition(blanked, syntax, names) if "=" in text[span.start:span.end] else None
        body = definition.body if definition is not None else parse(blanked, syntax, variables=names)
    except ParseError as err:
        raise ParseError(err.reason, text, err.line, err.column) from None
    if call is not None and "body" in call[1].re.groupindex and type(body) is X.Sym:
        raise refuse(f"{body} is a name, not an expression: write its expression in the numerator, "
                     f"or \\frac{{d}}{{dx}} before it", text, span.start)
    name = None
    if head is not None and head[0].place == "define":
        name, var, span.order = _defined(text, head[1], definition)
        span.var = var
    elif definition is not None and span.var is None and len(definition.args) == 1:
        span.var = definition.args[0]  # derivative of f(x) = ...: in x
    return Request(body, span.var, span.order, span.phrase, span.place, text, span.at, name)


def _arguments(text: str, row: Phrase, args: list[tuple[int, int]]) -> tuple[X.Sym | None, int]:
    """The variable and order after F in `diff(F, x, 2)` or `D[F, {x, 2}]`."""
    parts = [(a + len(text[a:b]) - len(text[a:b].lstrip()), text[a:b].strip()) for a, b in args]
    if not parts:
        return None, 1
    if row.dialect == "mathematica" and len(parts) == 1 and parts[0][1].startswith("{"):
        k, spec = parts[0]
        inside = spec[1:-1].split(",") if spec.endswith("}") else []
        if len(inside) != 2 or not inside[1].strip().isdigit():
            raise refuse("expected {x, n}: the variable and the order", text, k)
        return _variable(text, k + 1, inside[0].strip()), int(inside[1])
    if len(parts) == 2 and parts[1][1].isdigit() and row.dialect != "mathematica":
        return _variable(text, *parts[0]), int(parts[1][1])
    found = [_variable(text, k, p) for k, p in parts]
    if len(set(found)) > 1:
        raise refuse("a mixed partial: give the variables to differentiate by instead "
                     "(wrt=[x, y], --wrt x --wrt y)", text, parts[1][0])
    return found[0], len(found)


def _defined(text: str, m: re.Match[str], definition: object) -> tuple[X.Sym, X.Sym, int]:
    """`f''(x) if f(x) = ...`: the name, the variable and the order, checked
    against the definition that follows."""
    fname, farg = m.group("fname"), _variable(text, m.start("farg"), m.group("farg"))
    if not isinstance(definition, Definition):
        raise refuse(f"expected a definition {fname}({farg}) = ... after '{m.group(0).strip()}'", text, m.end())
    if definition.name != X.sym(fname) or definition.args != (farg,):
        args = ", ".join(map(str, definition.args))
        raise refuse(f"{fname}'({farg}) asks about {fname}({farg}), and the definition is of "
                     f"{definition.name}({args})", text, m.start())
    return definition.name, farg, len(m.group("primes"))


# ------------------------------------------------------------------ reading


class Reading(NamedTuple):
    """Text read once: its tree (a request's body, a definition's right side, or
    the whole expression) and what the text said about it."""

    tree: X.Expr
    request: Request | None = None
    definition: Definition | None = None

    @property
    def asked(self) -> X.Expr:
        """The tree the text stands for: a request is a `Derivative` of its body."""
        return self.request.derivative() if self.request is not None else self.tree


def read(text: str, syntax: str | None = None, *, variables: Sequence[str] = (),
         max_length: int | None = None) -> Reading:
    """The reading step of the pipeline: `text` parsed once, with the derivative
    it asks for (`d/dx F`, `derivative of F`: PHRASES) or the definition it states.

    Raises:
        ParseError: the text does not parse (`symdiff.parse.parse` says how
            `syntax`, `variables` and `max_length` are read).
    """
    syntax = checked(text, syntax, max_length)
    with notes_once():
        request = parse_request(text, variables=variables)
        if request is not None:
            return Reading(request.body, request)
        definition = parse_definition(text, syntax, variables) if "=" in text else None
        if definition is not None:
            return Reading(definition.body, definition=definition)
        return Reading(parse(text, syntax, variables=variables, max_length=max_length))
