"""Reading LaTeX with shapes: LaTeX -> the matrix reader's tokens (`read.Reader`).

Each construct becomes the plain tokens that mean the same, placed at its own
characters so that a refusal's caret points into the LaTeX: `\\mathbf{x}`,
`\\boldsymbol{\\mu}`, `\\bm{W}` are the names x, mu, W; `^\\top`,
`^{\\mathsf T}`, `^\\intercal` a transpose (`^T` one when shapes say so);
`X^{-1}` a power -1, which the reader makes an inverse, `X^{-\\top}` the
inverse of the transpose; `\\odot` `.*`, `\\oslash` `./`, `^{\\odot 2}` `.^2`;
`\\frac{a}{b}` `((a)/(b))`; `\\|v\\|`, `\\|v\\|_2`, `\\|X\\|_F` `norm(...)`,
`\\|x\\|_1` `norm1(...)`; `\\operatorname{tr}`, `\\det`, `\\log\\det` their
rows; `\\mathbf{1}` the ones, sized by what it meets, `\\mathbf{1}_n` and
`I_n` sized by their subscript.  Letters are one-letter names, as in TeX.

The spellings scalar LaTeX shares (spacing, brackets, bars, transposes,
function and Greek commands) are read from the LaTeX grammar, their owner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

from .. import functions as F
from .. import names as N
from ..errors import ParseError, refuse
from ..expr import Expr, Kind
from .read import MATRIX_WORDS, Reader, Shapes, Tok

_GRAMMAR = ("SPACING", "TRANSPOSE", "OPEN", "CLOSE", "LBRACK", "RBRACK", "BRACE_OPEN", "BRACE_CLOSE", "NORM_OPEN",
            "NORM_CLOSE", "ABS_OPEN", "ABS_CLOSE", "FUNC", "GREEK", "GREEK_FUNC", "DECOR", "MATHRM", "OPERATORNAME",
            "FRAC", "SQRT", "SUM", "MULOP", "NUMBER")
BOLD = frozenset(N.DECORATIONS["bold"])
ENTRYWISE = {"odot": ".*", "circ": ".*", "oslash": "./"}
_INNER = r"(?:[A-Za-z]|\\[A-Za-z]+)"  # what a bold or decorated name holds: a letter or a Greek command
_SUB = re.compile(r"_\s*(?:\{\s*(?P<a>[A-Za-z0-9]+)\s*\}|(?P<b>[A-Za-z0-9]))")
_SIZE = re.compile(r"_\s*(?:\{\s*(?P<a>\w+)\s*(?:(?:\\times|,)\s*(?P<c>\w+)\s*)?\}"
                   r"|(?P<b>[A-Za-z0-9]))")
_SUPERSCRIPTS = frozenset({"inverse_transpose", "transpose", "entrywise_power", "power_group", "power_char",
                           "power_greek", "power_other", "prime"})
_FRAC_CHARS = re.compile(r"\s*(?P<a>[0-9A-Za-z])\s*(?P<b>[0-9A-Za-z])")
_NORM_LABEL = re.compile(r"_\s*(?:\{\s*(?P<a>[0-9A-Za-z]+|\\infty)\s*\}|(?P<b>[0-9A-Za-z])|(?P<c>\\infty))")


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(what, pattern), tried in order at each position."""
    from ..parse import greek_function_commands, latex_function_commands, latex_terminals

    t = latex_terminals(*_GRAMMAR)
    greek = "|".join(sorted(N.GREEK + list(N.LETTERLIKE), key=len, reverse=True))
    matrix_commands = sorted((row.latex for row in F.ARRAY_ROWS if re.fullmatch(r"(\\[A-Za-z]+)+", row.latex)),
                             key=len, reverse=True)  # \log\det before \det
    functions = "|".join(sorted(latex_function_commands(), key=len, reverse=True))
    greek_functions = "|".join(greek_function_commands())
    mark_t = r"(?:T|\\top|\\intercal|\\mathsf\s*(?:T|\{\s*T\s*\}))"
    rows = [
        ("space", rf"\s+|{t['SPACING']}"),
        ("inverse_transpose", rf"\^\s*\{{\s*-\s*{mark_t}\s*\}}"),
        ("transpose", rf"\^\s*\{{\s*{mark_t}\s*\}}|{t['TRANSPOSE']}"),  # braced, any letter may follow
        ("entrywise_power", r"\^\s*\{\s*\\(?:odot|circ)(?![A-Za-z])"),
        ("power_group", r"\^\s*\{"),
        ("power_char", r"\^\s*(?P<c>[0-9A-Za-z])"),
        ("power_greek", rf"\^\s*\\(?P<g>{greek})(?![A-Za-z])"),
        ("power_other", r"\^"),
        ("matrix_function", "|".join(r"\s*".join(re.escape(p) for p in re.findall(r"\\[A-Za-z]+", c))
                                     + "(?![A-Za-z])" for c in matrix_commands)),
        ("word", rf"(?:\\operatorname\*?|{t['MATHRM']})\s*\{{\s*(?P<w>[A-Za-z][A-Za-z0-9]*)\s*\}}"),
        ("bold", rf"\\(?:{'|'.join(BOLD)})(?![A-Za-z])\s*(?:\{{\s*(?P<i>{_INNER}|1)\s*\}}|(?P<j>[A-Za-z1]))"),
        ("decorated", rf"{t['DECOR']}\s*(?:\{{\s*(?P<i>{_INNER})\s*\}}|(?P<j>[A-Za-z]))"),
        ("greek_function", rf"\\(?P<g>{greek_functions})(?=\s*(?:\(|\\left\s*\())"),
        ("function", rf"\\(?P<f>{functions})(?![A-Za-z])"),
        ("pi", r"\\pi(?![A-Za-z])"),
        ("greek", rf"\\(?P<g>{greek})(?![A-Za-z])"),
        ("frac", t["FRAC"]),
        ("sqrt", t["SQRT"]),
        ("sum", t["SUM"]),
        ("norm_open", t["NORM_OPEN"]), ("norm_close", t["NORM_CLOSE"]),
        ("abs_open", t["ABS_OPEN"]), ("abs_close", t["ABS_CLOSE"]),
        ("norm_bar", r"\\\||\\Vert(?![A-Za-z])"), ("abs_bar", r"\||\\vert(?![A-Za-z])"),
        ("open", "|".join((t["OPEN"], t["LBRACK"], t["BRACE_OPEN"]))),
        ("close", "|".join((t["CLOSE"], t["RBRACK"], t["BRACE_CLOSE"]))),
        ("times", t["MULOP"]),
        ("entrywise", rf"\\(?P<e>{'|'.join(ENTRYWISE)})(?![A-Za-z])"),
        ("divide", r"\\div(?![A-Za-z])"),
        ("brace_open", r"\{"), ("brace_close", r"\}"),
        ("number", t["NUMBER"]),
        ("letter", r"[A-Za-z]"),
        ("sign", r"[-+,]"),
        ("prime", r"'"),
        ("command", r"\\[A-Za-z]+|\\."),
    ]
    return [(what, re.compile(pattern)) for what, pattern in rows]


@dataclass
class _Open:
    """A bracket not yet closed: its role says what its closing emits."""

    role: str  # "paren", "group", "power" (a superscript's braces), "frac1", "frac2", "norm", "abs"
    at: int
    head: Tok | None = None  # a norm's or |u|'s function token
    shape: str = ""  # a bracket's: "(", "[" or "{"


def _bracket_shape(text: str) -> str:
    """`\\left(` and `)` are round, `\\lbrack` and `]` square, `\\{` and `\\rbrace` curly."""
    if text.endswith(("(", ")")):
        return "("
    return "[" if text.endswith(("[", "]", "brack")) else "{"


class _Lexer:
    def __init__(self, text: str, kinds: Mapping[str, Kind]) -> None:
        self.text = text
        self.kinds = kinds
        self.out: list[Tok] = []
        self.open: list[_Open] = []
        self.frac_next = ""  # "1" or "2": a \frac's argument must open next
        self.after_power = False  # the last thing read was a superscript (X^{-1}): another is a double one
        self.handlers: dict[str, Callable[[re.Match[str]], int | None]] = {
            name[3:]: getattr(self, name) for name in dir(self) if name.startswith("on_")}

    # ---------------------------------------------------------------- output

    def emit(self, kind: str, text: str, at: int, stop: int = -1, **extra: object) -> Tok:
        tok = Tok(kind, text, at, stop, **extra)  # type: ignore[arg-type]
        self.out.append(tok)
        return tok

    def op(self, text: str, m: re.Match[str]) -> None:
        self.emit("op", text, m.start(), m.end())

    def after_operand(self) -> bool:
        if not self.out:
            return False
        last = self.out[-1]
        return last.kind in ("num", "name", "ones", "sized") or last.text in (")", "'")

    def refuse(self, reason: str, at: int) -> Exception:
        return refuse(reason, self.text, at)

    # ---------------------------------------------------------------- the loop

    def run(self) -> list[Tok]:
        pos, end = 0, len(self.text)
        patterns = _patterns()
        while pos < end:
            for what, pattern in patterns:
                m = pattern.match(self.text, pos)
                if m is not None and m.end() > pos:
                    break
            else:
                raise self.refuse(f"cannot read {self.text[pos]!r} here", pos)
            if self.frac_next and what not in ("space", "brace_open"):
                raise self.refuse("\\frac takes its numerator and denominator in braces: \\frac{a}{b}", pos)
            if what in _SUPERSCRIPTS and self.after_power:
                raise self.refuse("a double superscript: brace what it applies to, as in {X^{-1}}^{\\top}", pos)
            if what != "space":
                self.after_power = False
            pos = self.handlers[what](m) or m.end()  # a handler may read on: a subscript, a norm's label
            self.after_power = self.after_power or what in _SUPERSCRIPTS and what not in ("entrywise_power",
                                                                                         "power_group")
        if self.frac_next:
            raise self.refuse("\\frac takes its numerator and denominator in braces: \\frac{a}{b}", end)
        if self.open:
            raise self.refuse("a bracket is not closed", self.open[-1].at)
        return self.out

    # ---------------------------------------------------------------- handlers

    def on_space(self, m: re.Match[str]) -> None:
        pass

    def on_inverse_transpose(self, m: re.Match[str]) -> None:
        self.emit("op", "^-T", m.start(), m.end())  # X^{-T}: the transpose of the inverse

    def on_transpose(self, m: re.Match[str]) -> None:
        if re.sub(r"[\s^{}]", "", m.group()) == "T":  # ^T: the reader asks the shapes
            self.emit("op", "^", m.start())
            self.emit("name", "T", m.group().index("T") + m.start())
        else:
            self.emit("op", "'", m.start(), m.end())

    def on_entrywise_power(self, m: re.Match[str]) -> None:
        self.emit("op", ".^", m.start(), m.end())
        self.group(m, "power")

    def on_power_group(self, m: re.Match[str]) -> None:
        self.emit("op", "^", m.start())
        self.group(m, "power")

    def on_power_char(self, m: re.Match[str]) -> None:
        c = m.group("c")
        if re.match(r"[0-9A-Za-z]", self.text[m.end():m.end() + 1]):
            raise self.refuse(f"^{c} without braces is one character: write ^{{{c}{self.text[m.end()]}...}} "
                              f"or ^{{{c}}} followed by a space", m.start())
        self.emit("op", "^", m.start())
        self.emit("num" if c.isdigit() else "name", c, m.start("c"))

    def on_power_greek(self, m: re.Match[str]) -> int:
        self.emit("op", "^", m.start())
        return self.name(m.group("g"), m.start("g") - 1, m.end())

    def on_power_other(self, m: re.Match[str]) -> None:
        raise self.refuse("write an exponent in braces: X^{-1}, x^{2}", m.start())

    def on_matrix_function(self, m: re.Match[str]) -> None:
        command = re.sub(r"\s+", "", m.group())
        name = next(row.name for row in F.ARRAY_ROWS if row.latex == command)
        self.function(name, m)

    def on_word(self, m: re.Match[str]) -> int | None:
        word = m.group("w")
        if word in MATRIX_WORDS or F.arities(word):
            self.function(word, m)
        elif word.lower() in MATRIX_WORDS:
            self.function(word.lower(), m)
        elif word == "e":
            self.emit("name", "e", m.start(), m.end())
        else:
            return self.name(word, m.start(), m.end())
        return None

    def on_bold(self, m: re.Match[str]) -> int:
        inner = m.group("i") or m.group("j")
        if inner == "1":
            return self.sized_or(m, "ones", lambda: self.emit("ones", "1", m.start(), m.end()))
        base = inner.lstrip("\\")
        if inner.startswith("\\") and base not in N.GREEK:
            raise self.refuse(f"cannot read {inner} as a name here", m.start("i"))
        # bold marks an array in matrix notation: \mathbf{x} is the name x, unless only xbold is declared
        plain = N.decorate(base, "mathbf")
        return self.name(base if base in self.kinds or plain not in self.kinds else plain, m.start(), m.end())

    def on_decorated(self, m: re.Match[str]) -> int:
        inner = (m.group("i") or m.group("j")).lstrip("\\")
        command = re.sub(r"[\s\\]", "", self.text[m.start():m.start("i") if m.group("i") else m.start("j")])
        return self.name(N.decorate(inner, command.rstrip("{")), m.start(), m.end())

    def on_greek_function(self, m: re.Match[str]) -> None:
        from ..parse import greek_function_commands

        self.function(greek_function_commands()[m.group("g")], m)

    def on_function(self, m: re.Match[str]) -> None:
        self.function(m.group("f"), m)

    def on_pi(self, m: re.Match[str]) -> None:
        self.emit("name", "pi", m.start(), m.end())

    def on_greek(self, m: re.Match[str]) -> int:
        return self.name(m.group("g"), m.start(), m.end())

    def on_frac(self, m: re.Match[str]) -> int | None:
        chars = _FRAC_CHARS.match(self.text, m.end())
        if chars is not None:  # \frac12, \frac1N
            self.emit("op", "(", m.start(), m.end())
            for k, part in enumerate("ab"):
                if k:
                    self.emit("op", "/", chars.start(part))
                c = chars.group(part)
                self.emit("num" if c.isdigit() else "name", c, chars.start(part))
            self.emit("op", ")", chars.end() - 1, chars.end())
            return chars.end()
        self.emit("op", "(", m.start(), m.end())
        self.frac_next = "1"
        return None

    def on_sqrt(self, m: re.Match[str]) -> None:
        rest = self.text[m.end():].lstrip()
        if not rest.startswith("{"):
            raise self.refuse("with shapes, \\sqrt takes its argument in braces: \\sqrt{x}", m.start())
        self.emit("fn", "sqrt", m.start(), m.end())

    def on_sum(self, m: re.Match[str]) -> None:
        if re.match(r"\s*[_^]", self.text[m.end():]):
            raise self.refuse("with shapes, \\sum without limits is the sum of all entries (\\sum X); a sum over "
                              "an index is index notation, read without shapes", m.start())
        self.emit("fn", "sum", m.start(), m.end())

    def on_norm_open(self, m: re.Match[str]) -> None:
        self.bar_open(m, "norm")

    def on_norm_close(self, m: re.Match[str]) -> int:
        return self.bar_close(m, "norm")

    def on_abs_open(self, m: re.Match[str]) -> None:
        self.bar_open(m, "abs")

    def on_abs_close(self, m: re.Match[str]) -> int:
        return self.bar_close(m, "abs")

    def on_norm_bar(self, m: re.Match[str]) -> int:
        return self.bar(m, "norm")

    def on_abs_bar(self, m: re.Match[str]) -> int:
        return self.bar(m, "abs")

    def on_open(self, m: re.Match[str]) -> None:
        self.open.append(_Open("paren", m.start(), shape=_bracket_shape(m.group())))
        self.op("(", m)

    def on_close(self, m: re.Match[str]) -> None:
        if not self.open or self.open[-1].role != "paren":
            raise self.refuse("a closing bracket without an opening one" if not self.open else
                              f"this bracket closes the {self.describe(self.open[-1])} opened before it", m.start())
        opened = self.open.pop()
        if opened.shape != _bracket_shape(m.group()):
            raise self.refuse(f"{m.group().strip()} does not close {self.text[opened.at]!r}... opened before it",
                              m.start())
        self.op(")", m)

    def on_times(self, m: re.Match[str]) -> None:
        self.op("/" if m.group() == "/" else "*", m)

    def on_entrywise(self, m: re.Match[str]) -> None:
        self.op(ENTRYWISE[m.group("e")], m)

    def on_divide(self, m: re.Match[str]) -> None:
        self.op("/", m)

    def on_brace_open(self, m: re.Match[str]) -> None:
        role = "frac" + self.frac_next if self.frac_next else "group"
        self.frac_next = ""
        self.group(m, role)

    def on_brace_close(self, m: re.Match[str]) -> None:
        if not self.open or self.open[-1].role not in ("group", "power", "frac1", "frac2"):
            raise self.refuse("a closing brace without an opening one" if not self.open else
                              f"this brace closes the {self.describe(self.open[-1])} opened before it", m.start())
        role = self.open.pop().role
        self.op(")", m)
        self.after_power = role == "power"
        if role == "frac1":
            self.op("/", m)
            self.frac_next = "2"
        elif role == "frac2":
            self.op(")", m)

    def on_number(self, m: re.Match[str]) -> None:
        self.emit("num", m.group(), m.start(), m.end())

    def on_letter(self, m: re.Match[str]) -> int:
        if m.group() == "I" and "I" not in self.kinds and not any(k.startswith("I_") for k in self.kinds):
            return self.sized_or(m, "I", lambda: self.emit("name", "I", m.start(), m.end()))
        return self.name(m.group(), m.start(), m.end())

    def on_sign(self, m: re.Match[str]) -> None:
        self.op(m.group(), m)

    def on_prime(self, m: re.Match[str]) -> None:
        if not self.after_operand():
            raise self.refuse("a prime after nothing", m.start())
        self.op("'", m)

    def on_command(self, m: re.Match[str]) -> None:
        raise self.refuse(f"symdiff does not read {m.group()} in matrix LaTeX", m.start())

    # ---------------------------------------------------------------- pieces

    def group(self, m: re.Match[str], role: str) -> None:
        self.open.append(_Open(role, m.end() - 1))
        self.emit("op", "(", m.end() - 1, m.end())

    def function(self, name: str, m: re.Match[str]) -> None:
        after = self.text[m.end():].lstrip()
        if after.startswith(("^", "_")):
            shown = re.sub(r"\s+", "", m.group())
            raise self.refuse(f"with shapes, {shown}{after[0]} is not read: write a power as (\\sin x)^{{2}}, "
                              f"a logarithm's base as a quotient of \\log", m.end())
        self.emit("fn", name, m.start(), m.end())

    def name(self, name: str, at: int, stop: int) -> int:
        """A name, with its subscript (x_i, W_{12}) and a scalar's primes; where it ends."""
        sub = _SUB.match(self.text, stop)
        primes = ""
        if sub is not None:
            index = sub.group("a") or sub.group("b")
            whole = f"{name}_{index}"
            if whole not in self.kinds and name in self.kinds:
                raise self.refuse(f"{self.text[at:sub.end()]}: an entry of {name} is index notation; with shapes, "
                                  "symdiff reads whole vectors and matrices (read entries without shapes)", at)
            name, stop = whole, sub.end()
        while self.text.startswith("'", stop + len(primes)) and not self.is_array(name):
            primes += "'"  # x' of a scalar is another name, as in scalar LaTeX; of an array, a transpose
        self.emit("name", name + primes, at, stop + len(primes))
        return stop + len(primes)

    def is_array(self, name: str) -> bool:
        k = self.kinds.get(name)
        return k is not None and bool(k.shape)

    def sized_or(self, m: re.Match[str], which: str, otherwise: Callable[[], object]) -> int:
        """`I_n`, `\\mathbf{1}_{m \\times n}`: a constant of that size; else `otherwise`."""
        size = _SIZE.match(self.text, m.end())
        if size is None:
            otherwise()
            return m.end()
        dims = tuple(int(d) if d.isdigit() else d for d in (size.group("a") or size.group("b"), size.group("c")) if d)
        self.emit("sized", which, m.start(), size.end(), dims=dims)
        return size.end()

    def bar(self, m: re.Match[str], role: str) -> int:
        """A bar closes the same bar's opening after an operand; else it opens."""
        if self.open and self.open[-1].role == role and self.after_operand():
            return self.bar_close(m, role)
        self.bar_open(m, role)
        return m.end()

    def bar_open(self, m: re.Match[str], role: str) -> None:
        head = self.emit("fn", "norm" if role == "norm" else F.ABS, m.start(), m.end(),
                         label="bare" if role == "norm" else "bars")
        self.open.append(_Open(role, m.start(), head))
        self.emit("op", "(", m.start(), m.end())

    def bar_close(self, m: re.Match[str], role: str) -> int:
        if not self.open or self.open[-1].role != role:
            raise self.refuse(f"a closing {'norm' if role == 'norm' else 'bar'} without an opening one"
                              if not self.open else
                              f"this bar closes the {self.describe(self.open[-1])} opened before it", m.start())
        head = self.open.pop().head
        assert head is not None
        self.emit("op", ")", m.start(), m.end())
        if role == "norm":
            label = _NORM_LABEL.match(self.text, m.end())
            if label is not None:
                head.label = (label.group("a") or label.group("b") or "inf").lstrip("\\")
                head.text = "norm1" if head.label == "1" else "norm"
                self.out[-1].stop = label.end()
                return label.end()
        return m.end()

    @staticmethod
    def describe(o: _Open) -> str:
        return {"paren": "bracket", "group": "brace", "power": "superscript's brace", "frac1": "\\frac's brace", "frac2": "\\frac's brace",
                "norm": "norm", "abs": "absolute value"}[o.role]


def latex_tokens(text: str, kinds: Mapping[str, Kind]) -> list[Tok]:
    """The tokens of `text` for `read.Reader`, with `kinds` the declared shapes (a bold name, a
    subscript and a prime read by what is declared)."""
    return _Lexer(text, kinds).run()


def read_latex(text: str, shapes: Shapes) -> Expr:
    """LaTeX with declared shapes -> Expr: `latex_tokens` spells it as the plain reader's tokens."""
    if not text.strip():
        raise ParseError("the text is empty", text, 1, 1)
    reader = Reader(text, shapes, latex=True)
    return reader.read(latex_tokens(text, reader.kinds))
