"""Reading Unicode: text as `pretty` prints it or people type it -> plain syntax.

`to_plain("log₂(x² + 1)")` gives `log_{2}(x^2 + 1)` and, for every character
of it, the index of the character typed, so a ParseError raised on the plain
text points into what the user typed (`locate`).  The plain grammar then
reads the result; every reading rule of plain text holds unchanged.

Characters, and where their table lives:

- superscripts `x²`, `x⁻¹`, `eˣ`, `xⁿ⁺¹` -> `^`; subscripts `xᵢ`, `x₁₂`,
  `log₂` -> `_{...}` (digit runs are one index, letters one each).  The
  digits and subscript letters are the Unicode printer's tables, read back.
- `·` `×` `⋅` -> `*`, `÷` -> `/`, `−` -> `-`, `′` -> `'`, `∑` -> `sum`, `π` -> `pi`.
- Greek letters are names (`θ` is theta, as `symdiff.names.GREEK` spells
  them); a letter that is a function's Unicode symbol (`σ`, from the
  function table) is that function before a bracket: `σ(x)` is the sigmoid,
  `σ` alone the name sigma.  `δᵢⱼ` is the Kronecker delta, `δ` alone a name.
- `|x|` (the function table's template for abs) -> `abs(x)`: a bar opens or
  closes by what stands beside it; bars that pair up in two ways are refused.
- `√x` -> `sqrt x` (the next factor, as `sqrt x` reads), `√(...)`, and
  `∛x` -> `cbrt(x)` (the real cube root), `∜x` -> `x^(1/4)`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable
from string import ascii_letters, ascii_lowercase, ascii_uppercase, digits

from . import functions as F
from . import names as N
from .errors import ParseError, position, refuse
from .expr import CONSTANTS
from .functions import BARS
from .printing.unicode import DELTA, DOT, MINUS, PI, PRIME, ROOT, SIGMA_SUM, SUBSCRIPT, SUPERSCRIPT

# ------------------------------------------------------------------ the tables


def _chars(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Character -> the plain text it stands for, from (plain text, Unicode name)
    pairs; names Unicode lacks are skipped (there is no superscript q)."""
    out = {}
    for plain, name in pairs:
        try:
            out[unicodedata.lookup(name)] = plain
        except KeyError:
            pass
    return out


_SPELT = {name: name.upper().replace("LAMBDA", "LAMDA") for name in N.GREEK}  # Unicode's LAMDA
GREEK = _chars(  # θ -> theta; variant forms read as the letter (fonts draw ϕ and φ, ϵ and ε alike)
    [(name, ("GREEK SMALL LETTER " if name.islower() else "GREEK CAPITAL LETTER ") + spelt)
     for name, spelt in _SPELT.items() if not name.startswith("var")]
    + [("epsilon", "GREEK LUNATE EPSILON SYMBOL"), ("theta", "GREEK THETA SYMBOL"),
       ("phi", "GREEK PHI SYMBOL"), ("pi", "GREEK PI SYMBOL"), ("rho", "GREEK RHO SYMBOL"),
       ("sigma", "GREEK SMALL LETTER FINAL SIGMA"), ("mu", "MICRO SIGN")])
assert GREEK[PI] == "pi" and "pi" in CONSTANTS  # π is the constant, as `pi` is

# The printer's superscript digits, and the signs, brackets and letters it never writes.
SUPERSCRIPTS = {char: d for d, char in SUPERSCRIPT.items()} | _chars(
    [("-", "SUPERSCRIPT MINUS"), ("+", "SUPERSCRIPT PLUS SIGN"), ("=", "SUPERSCRIPT EQUALS SIGN"),
     ("(", "SUPERSCRIPT LEFT PARENTHESIS"), (")", "SUPERSCRIPT RIGHT PARENTHESIS")]
    + [(c, f"SUPERSCRIPT LATIN SMALL LETTER {c.upper()}") for c in ascii_lowercase]
    + [(c, f"MODIFIER LETTER SMALL {c.upper()}") for c in ascii_lowercase]
    + [(c, f"MODIFIER LETTER CAPITAL {c}") for c in ascii_uppercase])

# The printer's subscript digits and letters, a minus sign, and Greek letters (one index each).
SUBSCRIPTS = {char: c for c, char in SUBSCRIPT.items()} | _chars(
    [("-", "SUBSCRIPT MINUS")]
    + [(name, f"GREEK SUBSCRIPT SMALL LETTER {spelt}") for name, spelt in _SPELT.items()])

# One character for one piece of plain syntax: the printer's signs, and their look-alikes.
REPLACEMENTS = {MINUS: "-", DOT: "*", PRIME: "'", SIGMA_SUM: "sum"} | _chars([
    ("*", "MULTIPLICATION SIGN"), ("*", "DOT OPERATOR"), ("*", "BULLET OPERATOR"), ("*", "ASTERISK OPERATOR"),
    ("/", "DIVISION SIGN"), ("/", "DIVISION SLASH"), ("/", "FRACTION SLASH"),
    ("''", "DOUBLE PRIME"), ("'''", "TRIPLE PRIME"),
])
PRIMES = frozenset(c for c, r in REPLACEMENTS.items() if set(r) == {"'"}) | {"'"}

# Roots: the printer's √ and the index each sign takes.
ROOTS: dict[str, int] = {ROOT: 2, unicodedata.lookup("CUBE ROOT"): 3, unicodedata.lookup("FOURTH ROOT"): 4}

# Functions the table spells with a Unicode symbol: σ -> sigmoid, the function before a bracket.
SYMBOLS = {row.symbol: row.name for row in F.ROWS if "{}" not in row.symbol and not row.symbol.isascii()}
assert all(len(bar) == 1 for bar in BARS)  # the printer's bars (`|x|`), each one character

NAME_CHARS = frozenset(ascii_letters + digits)
SPELLINGS = frozenset(F.spellings())


# ------------------------------------------------------------------ the result


class Translation:
    """Plain text, and for each of its characters the index of the character typed."""

    def __init__(self, typed: str) -> None:
        self.typed = typed
        self.text = ""
        self.origin: list[int] = []
        self.notes: list[str] = []

    def locate(self, err: ParseError) -> ParseError:
        """The same error, with its line, column and caret in the typed text."""
        if err.text != self.text:
            return err
        lines = self.text.split("\n")
        line = min(max(err.line, 1), len(lines))
        offset = sum(len(s) + 1 for s in lines[:line - 1]) + max(err.column - 1, 0)
        where = self.origin[offset] if offset < len(self.origin) else len(self.typed)
        return ParseError(err.reason, self.typed, *position(self.typed, where))




# ------------------------------------------------------------------ bars


def _skip(text: str, k: int, step: int) -> int:
    while 0 <= k < len(text) and text[k].isspace():
        k += step
    return k


def _word_before(text: str, k: int) -> str:
    """The run of letters and digits that ends at index k."""
    start = k
    while start > 0 and text[start - 1] in NAME_CHARS:
        start -= 1
    return text[start:k + 1]


def _ends_operand(text: str, k: int) -> bool:
    c = text[k]
    if c in NAME_CHARS:
        return _word_before(text, k) not in SPELLINGS  # `ln|x|`: the bar opens
    return c.isalnum() or c in ")]}" or c in PRIMES


def _starts_operand(c: str) -> bool:
    if c in SUPERSCRIPTS or c in SUBSCRIPTS:
        return False
    return c.isalnum() or c in "([.-+" or c in (MINUS, SIGMA_SUM) or c in ROOTS


MAX_BAR_STATES = 1000  # ways of pairing the bars kept at once; beyond it, refused


def pair_bars(text: str, bars: list[int]) -> dict[int, bool]:
    """Which bars of one bracket level open (True) and which close.

    A bar opens where an operand follows it and closes where one precedes it;
    where both hold (`|a|b|c|`), every pairing is tried.  Exactly one must
    work: none is an error, several are refused as ambiguous."""
    OPEN, CLOSE = True, False
    # (depth, opens) -> the states before it that lead to it
    steps: list[dict[tuple[int, bool], set[tuple[int, bool]]]] = []
    states: set[tuple[int, bool]] = {(0, CLOSE)}
    # What follows each bar and the bars right after it: `||x|` opens twice or not at all.
    follows = [0] * len(bars)
    for k in range(len(bars) - 1, -1, -1):
        after = _skip(text, bars[k] + 1, 1)
        follows[k] = follows[k + 1] if k + 1 < len(bars) and after == bars[k + 1] else after
    for k, b in enumerate(bars):
        before, after = _skip(text, b - 1, -1), follows[k]
        adjacent_before = k > 0 and before == bars[k - 1]
        can_close = before >= 0 and (adjacent_before or _ends_operand(text, before))
        # After an operand, a sign after a space is binary (`|x| − 1`), one touching the bar unary.
        can_open = after < len(text) and _starts_operand(text[after]) and not (
            can_close and text[after] in ("-", "+", MINUS) and text[after - 1].isspace())
        step: dict[tuple[int, bool], set[tuple[int, bool]]] = {}
        for depth, opened in states:
            if can_open:
                step.setdefault((depth + 1, OPEN), set()).add((depth, opened))
            if can_close and depth > 0 and not (adjacent_before and opened):  # `||` is never empty
                step.setdefault((depth - 1, CLOSE), set()).add((depth, opened))
        if not step:
            raise refuse(f"this {text[b]} neither opens nor closes an absolute value", text, b)
        if len(step) > MAX_BAR_STATES:
            raise refuse("too many ways to pair these bars; write abs(...)", text, b)
        steps.append(step)
        states = set(step)
    # Walk back from the pairings that end with every bar closed, keeping the states on their way.
    useful = [{s for s in states if s[0] == 0}]
    if not useful[0]:
        raise refuse(f"the bars {text[bars[0]]} do not pair up: one is never closed", text, bars[0])
    for k in range(len(bars) - 1, 0, -1):
        useful.append(set().union(*(steps[k][s] for s in useful[-1])))
    useful.reverse()
    opens: dict[int, bool] = {}
    for b, ways in zip(bars, useful):
        if len(ways) > 1:
            raise refuse(f"ambiguous bars: this {text[b]} could open or close; write abs(...) "
                         f"or put {DOT} between the factors", text, b)
        opens[b] = next(iter(ways))[1]
    return opens


def bar_roles(text: str) -> dict[int, bool]:
    """Every bar of the text: opens (True) or closes, paired within each bracket level."""
    levels: list[list[int]] = [[]]
    roles: dict[int, bool] = {}
    for k, c in enumerate(text):
        if c in "([{":
            levels.append([])
        elif c in ")]}" and len(levels) > 1:
            bars = levels.pop()
            if bars:
                roles.update(pair_bars(text, bars))
        elif c in BARS:
            levels[-1].append(k)
    for bars in levels:
        if bars:
            roles.update(pair_bars(text, bars))
    return roles


def matches(text: str, roles: dict[int, bool]) -> dict[int, int]:
    """Opening bracket or bar -> its closing partner (unbalanced ones are left to the parser)."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for k, c in enumerate(text):
        if c in "([{" or roles.get(k) is True:
            stack.append(k)
        elif (c in ")]}" or roles.get(k) is False) and stack:
            pairs[stack.pop()] = k
    return pairs


# ------------------------------------------------------------------ roots


class Root:
    """A root sign at `index` and the factor it takes, which ends at `end`.  `bare`: written
    as `sqrt` before that factor (`√x` as `sqrt x`, `√(x + 1)` as `sqrt(x + 1)`);
    else wrapped in brackets.  `power`: where a power of the factor starts
    (`√x²` is √(x²), as `sqrt x^2` reads), else `end`."""

    __slots__ = ("index", "degree", "bare", "end", "power")

    def __init__(self, index: int, degree: int, bare: bool, end: int, power: int) -> None:
        self.index, self.degree, self.bare, self.end, self.power = index, degree, bare, end, power


def _scripts_end(text: str, k: int, pairs: dict[int, int]) -> int:
    """After the primes and subscripts (`′`, `ᵢ`, `_{ik}`, `_i`) that follow a name."""
    while k < len(text) and (text[k] in PRIMES or text[k] in SUBSCRIPTS):
        k += 1
    if k + 1 < len(text) and text[k] == "_":
        if text[k + 1] == "{":
            return pairs.get(k + 1, len(text) - 1) + 1
        if text[k + 1] in NAME_CHARS:
            return k + 2
    return k


def _power_end(text: str, k: int, pairs: dict[int, int]) -> int:
    """After a power that follows a factor (`²`, `^2`, `^(n + 1)`, `^-x`), else k."""
    if k < len(text) and text[k] in SUPERSCRIPTS:
        while k < len(text) and text[k] in SUPERSCRIPTS:
            k += 1
        return k
    at = _skip(text, k, 1)
    if at >= len(text) or text[at] != "^":
        return k
    at = _skip(text, at + 1, 1)
    while at < len(text) and text[at] in ("-", "+", MINUS):
        at = _skip(text, at + 1, 1)
    if at in pairs:
        return pairs[at] + 1
    start = at
    while at < len(text) and (text[at] in NAME_CHARS or text[at] == "."):
        at += 1
    return at if at > start else k


def _word_end(text: str, k: int) -> int:
    if text[k] in GREEK:
        return k + 1
    while k < len(text) and text[k] in NAME_CHARS:
        k += 1
    return k


def _takes_argument(text: str, k: int) -> bool:
    """Does a function name start at k (`sin`, `σ(`; `σ` alone is a name)?"""
    c = text[k]
    if c in SYMBOLS:
        return _symbol_applied(text, k)
    return c in ascii_letters and text[k:_word_end(text, k)] in SPELLINGS


def _symbol_applied(text: str, k: int) -> bool:
    """Is the function symbol at k (`σ`) followed by a bracket, after primes and powers?"""
    after = _skip(text, _run_end(text, _run_end(text, k + 1, PRIMES), SUPERSCRIPTS), 1)
    return after < len(text) and text[after] == "("


def root_operands(text: str, pairs: dict[int, int]) -> dict[int, Root]:
    """Every root sign of the text and the factor it takes."""
    found: dict[int, Root] = {}
    signs = [k for k, c in enumerate(text) if c in ROOTS]
    for r in reversed(signs):  # an inner root is known before the root around it
        n = ROOTS[text[r]]
        k = _skip(text, r + 1, 1)
        if k >= len(text):
            raise refuse(f"{text[r]} needs an argument", text, r)
        c = text[k]
        simple = False
        if c in "([":
            end = pairs.get(k, len(text) - 1) + 1
            found[r] = Root(r, n, n == 2, end, end)  # `√(x)²` is (√x)², as sqrt(x)^2 reads
            continue
        if c in ROOTS:  # `√∛x²`: the inner root took the power
            inner = found[k]
            found[r] = Root(r, n, False, inner.end, inner.end)
            continue
        if k in pairs:  # an opening bar
            end = pairs[k] + 1
        elif c in digits or c == ".":
            end = k
            while end < len(text) and (text[end] in digits or text[end] == "."):
                end += 1
            simple = True
        elif c in ascii_letters or c in GREEK:
            word_end = _word_end(text, k)
            end = _scripts_end(text, word_end, pairs)
            look = end
            if _takes_argument(text, k):
                while look < len(text) and text[look] in SUPERSCRIPTS:  # `√sin²(x)`
                    look += 1
            after = _skip(text, look, 1)
            kronecker = _kronecker(text, k, pairs)
            if kronecker is not None:  # `√δᵢⱼ`
                end = kronecker[1] if kronecker[2] is None else kronecker[2] + 1
            elif after < len(text) and text[after] == "(":
                end = pairs.get(after, len(text) - 1) + 1
            elif _takes_argument(text, k) and _skip(text, end, 1) < len(text):  # `√ln 2`: the next factor
                end = _scripts_end(text, _word_end(text, _skip(text, end, 1)), pairs)
            else:
                simple = True
        else:
            raise refuse(f"{text[r]} needs an argument", text, r)
        root = Root(r, n, simple and n == 2, _power_end(text, end, pairs), end)
        after = _skip(text, root.end, 1)
        if not root.bare and after < len(text) and (
                text[after] in NAME_CHARS or text[after] in GREEK or text[after] == "(") \
                and not _takes_argument(text, after):
            raise refuse(f"{text[r]} without brackets takes only the next factor; write "
                         f"{text[r]}(...) around its argument, or {DOT} between factors", text, r)
        found[r] = root
    return found


# ------------------------------------------------------------------ writing plain text

TYPED, NAME, MADE = "typed", "name", "made"  # where a piece of plain text comes from


class _Writer:
    """Plain text with the typed index of each character.  Pieces that would
    run together into one name (`2` `pi`, `x` `theta`) get a space between."""

    def __init__(self, typed: str) -> None:
        self.out = Translation(typed)
        self.pieces: list[str] = []
        self.last, self.kind, self.tail = " ", TYPED, ""

    def put(self, piece: str, at: int, kind: str = MADE) -> None:
        if not piece:
            return
        touching = (self.last in NAME_CHARS and piece[0] in NAME_CHARS
                    or self.last in "*/.^" and piece[0] in "*/^")  # `··` is not `**`, a power
        if touching and not (kind == self.kind == TYPED) and not (
                self.kind == NAME and kind == TYPED and piece[0] in digits):  # θ2 is a name, like x2
            self.pieces.append(" ")
            self.out.origin.append(at)
        self.pieces.append(piece)
        self.out.origin.extend([at] * len(piece))
        self.last, self.kind = piece[-1], kind
        self.tail = (self.tail + piece)[-40:]

    def last_word(self) -> str:
        """The name or function name the text so far ends with (`ln`, `x`), else ''."""
        m = re.search(r"[A-Za-z][A-Za-z0-9]*'*\s*$", self.tail)
        return m.group().strip() if m else ""

    def done(self) -> Translation:
        self.out.text = "".join(self.pieces)
        return self.out


def _subscript_indices(chars: str) -> list[str]:
    """`ᵢₖ` -> [i, k]; `₁₂` -> [12]; `₋₁` -> [-1]: a digit run is one index."""
    out: list[str] = []
    for c in chars:
        s = SUBSCRIPTS[c]
        if s.isdigit() and out and (out[-1].lstrip("-").isdigit() or out[-1] == "-"):
            out[-1] += s
        else:
            out.append(s)
    return out


def _run_end(text: str, k: int, table: Collection[str]) -> int:
    while k < len(text) and text[k] in table:
        k += 1
    return k


def _top_level_commas(text: str, start: int, end: int) -> int:
    depth = commas = 0
    for c in text[start:end]:
        depth += c in "([{"
        depth -= c in ")]}"
        commas += c == "," and depth == 0
    return commas


def to_plain(typed: str) -> Translation:
    """Plain syntax for Unicode text, with the typed index of each character.

    Raises:
        ParseError: bars that do not pair up, or pair up in two ways; a root
            sign with nothing after it or an ambiguous factor (`∛2x`); a
            character outside the tables (the result is always ASCII).
    """
    roles = bar_roles(typed)
    pairs = matches(typed, roles)
    roots = root_operands(typed, pairs)
    w = _Writer(typed)
    closing: dict[int, list[str]] = {}  # text written before the typed character at an index, inner first
    replaced: dict[int, str] = {}  # text written instead of the typed character
    n, k = len(typed), 0
    while k <= n:
        for piece in closing.pop(k, ()):
            w.put(piece, k)
        if k == n:
            break
        c = typed[k]
        if k in replaced:
            w.put(replaced[k], k)
        elif k in roles:
            if not roles[k]:
                w.put(")", k)
            elif w.last_word() in SPELLINGS:  # `ln|x|`: the bars are the function's brackets
                w.put(f"({BARS[c]}(", k)
                closing.setdefault(pairs[k] + 1, []).insert(0, ")")
            else:
                w.put(f"{BARS[c]}(", k)
        elif c in ROOTS:
            root = roots[k]
            if root.power < root.end:
                power = typed[root.power:root.end]
                w.out.notes.append(f"read {typed[k:root.end]} as {c}({typed[k + 1:root.end].strip()}); "
                                   f"write ({typed[k:root.power].strip()}){power} for a power of the root")
            if root.bare:
                w.put("sqrt", k)
            elif root.degree == 2:
                w.put("sqrt(", k)
                closing.setdefault(root.end, []).insert(0, ")")
            else:
                if (w.last in NAME_CHARS or w.last == "'") and w.last_word() not in SPELLINGS:
                    w.put("*", k)  # `x∛y`: never `x(...)`, which reads as a function call
                if root.degree == 3:  # the real cube root, defined for x < 0 too
                    w.put("cbrt(", k)
                    closing.setdefault(root.end, []).insert(0, ")")
                else:
                    w.put("((", k)
                    closing.setdefault(root.end, []).insert(0, f")^(1/{root.degree}))")
        elif c in SUPERSCRIPTS:
            end = _run_end(typed, k, SUPERSCRIPTS)
            power = "".join(SUPERSCRIPTS[s] for s in typed[k:end])
            w.put("^" + power if re.fullmatch(r"-?[0-9]+|[A-Za-z]", power) else f"^({power})", k)
            k = end
            continue
        elif c in SUBSCRIPTS:
            end = _run_end(typed, k, SUBSCRIPTS)
            w.put("_{" + ",".join(_subscript_indices(typed[k:end])) + "}", k)
            k = end
            continue
        elif c in GREEK:
            k = _greek(typed, k, w, pairs, replaced)
            continue
        elif c in REPLACEMENTS:
            w.put(REPLACEMENTS[c], k)
        elif c.isspace():
            w.put(c if c.isascii() else " ", k, TYPED)
        elif c.isascii():
            w.put(c, k, TYPED)
        else:
            raise refuse(f"unexpected character {c!r} ({unicodedata.name(c, 'unnamed').lower()})", typed, k)
        k += 1
    return w.done()


_INDEX_PART = re.compile(r"[A-Za-z]|[0-9]+")  # `ik` is (i, k), `i10` is (i, 10), as plain subscripts read


def _kronecker(typed: str, k: int, pairs: dict[int, int]) -> tuple[str, int, int | None] | None:
    """`δᵢⱼ`, `δ_{ij}`, `δ_{i,j + 1}` at k: the Kronecker delta, as (plain text, the
    index after it, the `}` to write as `)`); None when δ is a name (`δ`, `δᵢ`)."""
    if typed[k] != DELTA:
        return None
    end = _run_end(typed, k + 1, SUBSCRIPTS)
    indices = _subscript_indices(typed[k + 1:end])
    if len(indices) == 2:
        return f"delta({indices[0]},{indices[1]})", end, None
    if typed.startswith("_{", k + 1) and k + 2 in pairs:
        close = pairs[k + 2]
        inside = typed[k + 3:close].replace(" ", "")
        parts = _INDEX_PART.findall(inside)
        if len(parts) == 2 and "".join(parts) == inside:  # δ_{ij}, as \delta_{ij} reads
            return f"delta({parts[0]},{parts[1]})", close + 1, None
        if _top_level_commas(typed, k + 3, close) == 1:
            return "delta(", k + 3, close
    return None


def _greek(typed: str, k: int, w: _Writer, pairs: dict[int, int], replaced: dict[int, str]) -> int:
    """Write the Greek letter at k (and what it takes with it); the index after."""
    c, name = typed[k], GREEK[typed[k]]
    if c in SYMBOLS and _symbol_applied(typed, k):
        w.put(SYMBOLS[c], k)  # σ(x): the sigmoid
        return k + 1
    kronecker = _kronecker(typed, k, pairs)
    if kronecker is not None:
        head, after, close = kronecker
        w.put(head, k)
        if close is not None:
            replaced[close] = ")"
        return after
    if name == "Sigma" and typed.startswith("_{", k + 1) and "=" in typed[k + 3:pairs.get(k + 2, k + 2)]:
        w.out.notes.append(f"read {c} as the summation sign {SIGMA_SUM}")
        w.put("sum", k)
        return k + 1
    if name in ("delta", "Delta") and k + 1 < len(typed) and typed[k + 1] in ascii_letters:
        w.out.notes.append(f"read {c}{typed[k + 1]} as the product {name}*{typed[k + 1]}; "
                           f"write {name}{typed[k + 1]} for one name")
    w.put(name, k, NAME)
    return k + 1
