"""Text typed the way people type it, each with the meaning its writer intended.

Every generator builds the text and the intended tree together (`Typed`):
juxtaposition before brackets and powers (`a(x+1)^2`, `x^y (7 + 1/4)`),
glued names (`xy`, `xsinx`, `ax^2+bx+c`, differentiated by one of their
letters), Unicode (`x²`, `√x`, `·`, `×`, `−`, `÷`, `θ`, `x₁`, and
`pretty()`'s own output), calculator phrases and derivative operators
(`derivative of F`, `diff(F, x)`, `D[F, x]`, `d/dx F`, `\\frac{d}{dx} F`,
`F wrt x`), loose precedence (`e^2x`, `1/2x`, `sin 2x`), a variable that does
not occur, constants (`E^x`, `\\mathrm{e}^x`), spellings (`log10`, `gelu`,
`hypot`), module prefixes (`np.exp`), plain forms LaTeX already reads
(`|x|`, `sin^2 x`, `[2x+1]^6`) and matrix notation.

`check_typed` runs one through symdiff and counts a *misread* when the result
is a tree other than the one meant (silently, or with a note on text that is
not in doubt), when ambiguous text is answered without a note, or when matrix
notation is read at all.  A note and the meant tree, or a refusal, is fine.
"""

from __future__ import annotations

import io
import math
import random
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import symdiff
from symdiff import expr as E
from symdiff import functions as F
from symdiff.errors import ReadingNote, SymdiffError
from symdiff.names import GREEK as GREEK_NAMES
from symdiff.printing.latex import latex

# Letters that are plain variables in every reading: not e (Euler), d (d/dx),
# f, g, h (functions before a bracket), i (an index), l and o (1 and 0).
LETTERS = "abckmnpqrstuvwxyz"
GREEK = {"θ": "theta", "α": "alpha", "β": "beta", "λ": "lambda", "ω": "omega", "μ": "mu"}
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
SUM, PRODUCT, POWER, ATOM = range(4)  # precedence levels of a piece of text


@dataclass(frozen=True)
class Typed:
    generator: str
    text: str
    meant: tuple[E.Expr, ...]  # the intended tree first; other readings a careful reader may take
    needs_note: bool = False  # ambiguous or defaulted: a silent answer is a guess
    wrt: str | None = None  # differentiate by this (the caller gives it unless `asks`)
    order: int = 1
    asks: bool = False  # the text asks for the derivative itself
    refuse: bool = False  # must be refused (matrix notation)

    def call(self, given: bool) -> Callable[[], E.Expr]:
        """The library call: parse, or diff with the variable given (or left to the text)."""
        if self.wrt is None:
            return lambda: symdiff.parse(self.text)
        if self.asks and not given:
            return lambda: symdiff.diff(self.text)
        return lambda: symdiff.diff(self.text, self.wrt, 1 if self.asks else self.order)


@dataclass(frozen=True)
class Piece:
    text: str
    tree: E.Expr
    level: int

    def at(self, level: int) -> str:
        """The text, bracketed when it binds looser than `level` needs."""
        return self.text if self.level >= level else f"({self.text})"


class Typist:
    """Random expressions as text and tree together, in one style: "plain",
    "python" (`**`, explicit `*`) or "unicode" (superscripts, `·`, `−`, `√`, Greek)."""

    def __init__(self, rng: random.Random, style: str = "plain", names: str = "xxxyt") -> None:
        self.rng, self.style, self.names = rng, style, names

    def minus(self) -> str:
        return "−" if self.style == "unicode" and self.rng.random() < 0.8 else "-"

    def times(self) -> str:
        if self.style == "unicode":
            return self.rng.choice(["·", "×", "⋅", "*"])
        return self.rng.choice(["*", "*", " * "])

    def name(self) -> Piece:
        r = self.rng
        if self.style == "unicode" and r.random() < 0.25:
            if r.random() < 0.5:
                glyph = r.choice(sorted(GREEK))
                return Piece(glyph, E.sym(GREEK[glyph]), ATOM)
            letter, k = r.choice("xy"), r.randint(1, 3)
            return Piece(letter + str(k).translate(SUBSCRIPT), E.sym(letter, k), ATOM)
        v = r.choice(self.names)
        return Piece(v, E.sym(v), ATOM)

    def number(self) -> Piece:
        k = self.rng.randint(2, 9)
        return Piece(str(k), E.num(k), ATOM)

    def leaf(self) -> Piece:
        r = self.rng.random()
        if r < 0.6:
            return self.name()
        if r < 0.9:
            return self.number()
        if self.style == "unicode":
            return Piece("π", E.PI, ATOM)
        return Piece("pi", E.PI, ATOM)

    def expr(self, depth: int) -> Piece:
        r = self.rng
        if depth <= 0 or r.random() < 0.2:
            return self.leaf()
        sub = lambda: self.expr(depth - 1)  # noqa: E731
        k = r.random()
        if k < 0.2:
            a, b = sub(), sub()
            if r.random() < 0.5:
                return Piece(f"{a.at(SUM)} + {b.at(PRODUCT)}", E.add(a.tree, b.tree), SUM)
            return Piece(f"{a.at(SUM)} {self.minus()} {b.at(PRODUCT)}", E.sub(a.tree, b.tree), SUM)
        if k < 0.4:
            a, b = sub(), sub()
            if r.random() < 0.4 and b.level >= POWER and (b.text[0].isalpha() or b.text[0] == "√"):
                n = self.number()  # juxtaposition after a number, before a name: 2x, 2 sin(x), 3√(...)
                return Piece(f"{n.text}{b.text}", E.mul(n.tree, b.tree), PRODUCT)
            return Piece(f"{a.at(PRODUCT)}{self.times()}{b.at(POWER)}", E.mul(a.tree, b.tree), PRODUCT)
        if k < 0.5:
            a, b = sub(), sub()
            b_text = b.at(ATOM)
            if self.style == "unicode" and r.random() < 0.5:
                return Piece(f"{a.at(PRODUCT)} ÷ {b_text}", E.div(a.tree, b.tree), PRODUCT)
            return Piece(f"{a.at(PRODUCT)}/{b_text}", E.div(a.tree, b.tree), PRODUCT)
        if k < 0.7:
            base = sub()
            n = r.choice([2, 2, 3, 4, -1, -2])
            if self.style == "unicode" and r.random() < 0.7:
                return Piece(base.at(ATOM) + str(n).translate(SUPERSCRIPT), E.pow_(base.tree, E.num(n)), POWER)
            caret = "**" if self.style == "python" else "^"
            exponent = str(n) if n > 0 else f"({self.minus()}{-n})" if r.random() < 0.5 else f"{self.minus()}{-n}"
            return Piece(f"{base.at(ATOM)}{caret}{exponent}", E.pow_(base.tree, E.num(n)), POWER)
        if k < 0.8 and self.style == "unicode":
            a = sub()
            inside = E.add(E.ONE, E.pow_(a.tree, E.TWO))
            text = f"1 + {a.at(ATOM)}²"  # (6³)², never 6³²: superscripts run together
            return Piece(f"√({text})", E.sqrt(inside), ATOM)
        name = r.choice(["sin", "cos", "exp", "tanh", "atan", "sigmoid" if self.style != "unicode" else "σ"])
        a = sub()
        row = "sigmoid" if name == "σ" else name
        tree = E.exp(a.tree) if row == "exp" else E.func(row, a.tree)
        return Piece(f"{name}({a.text})", tree, ATOM)


# Words glued letters must not spell: function names, and the words of derivative phrases.
WORDS = (*F.FUNCTIONS, *(a for row in F.FUNCTIONS.values() for a in row.aliases), "ln", "exp", "sqrt", "log",
         "wrt", "of", "diff")


def _letters(rng: random.Random, n: int, avoid: str = "") -> list[str]:
    """`n` distinct letters other than those in `avoid`."""
    return rng.sample([c for c in LETTERS if c not in avoid], n)


# ----------------------------------------------------------------- generators


def juxtaposition(rng: random.Random) -> Typed:
    """A factor before a bracket is a factor, and `^` binds tighter: `a(x+1)^2` is a*(x+1)^2."""
    t = Typist(rng)
    u, v = t.expr(1), t.expr(1)
    if u.level == ATOM and rng.random() < 0.7:
        u = Piece(f"{u.text} + 1", E.add(u.tree, E.ONE), SUM)
    k = rng.random()
    if k < 0.25:
        letter = rng.choice("abckmnpqrstxy")
        c = Piece(letter, E.sym(letter), ATOM)
    elif k < 0.45:
        c = t.number()
    elif k < 0.65:
        n, x = rng.randint(2, 9), rng.choice("xt")
        c = Piece(f"{n}{x}", E.mul(E.num(n), E.sym(x)), PRODUCT)
    else:
        b, y = rng.choice("xt"), rng.choice(["y", "2", "3", "n"])
        text = f"{b}^{y} ({u.text})"
        y_tree = E.sym(y) if y.isalpha() else E.num(int(y))
        return Typed("juxtaposition", text, (E.mul(E.pow_(E.sym(b), y_tree), u.tree),))
    n = rng.randint(2, 4)
    open_, close = ("[", "]") if rng.random() < 0.15 else ("(", ")")
    tail = rng.choice(["", "", f"({v.text})"])
    text = f"{c.text}{open_}{u.text}{close}^{n}{tail}"
    tree = E.mul(c.tree, E.pow_(u.tree, E.num(n)), *([v.tree] if tail else []))
    return Typed("juxtaposition", text, (tree,))


def glued(rng: random.Random) -> Typed:
    """Letters typed together, differentiated by one of them: a product (with a note) or a refusal, never 0."""
    k = rng.random()
    x = rng.choice("xt")
    if k < 0.3:
        letters = [x, *_letters(rng, rng.randint(1, 2), avoid=x)]
        while True:
            rng.shuffle(letters)
            if not any(w in "".join(letters) for w in WORDS) and "".join(letters) not in GREEK_NAMES:
                break  # `tau` is the name tau, not t*a*u
        return Typed("glued", "".join(letters), (E.mul(*map(E.sym, letters)),), needs_note=True, wrt=x)
    if k < 0.55:
        a, b, c = _letters(rng, 3, avoid=x)
        sep = rng.choice(["+", " + "])
        text = f"{a}{x}^2{sep}{b}{x}{sep}{c}"
        tree = E.add(E.mul(E.sym(a), E.pow_(E.sym(x), E.TWO)), E.mul(E.sym(b), E.sym(x)), E.sym(c))
        return Typed("glued", text, (tree,), needs_note=True, wrt=x)
    if k < 0.85:
        name = rng.choice(["sin", "cos", "tan", "ln"])
        arg = E.sym(x)
        inner = E.ln(arg) if name == "ln" else E.func(name, arg)
        before = rng.choice([x, f"{x}^2", "2" + x])
        b_tree = {x: E.sym(x), f"{x}^2": E.pow_(E.sym(x), E.TWO), "2" + x: E.mul(E.TWO, E.sym(x))}[before]
        return Typed("glued", f"{before}{name}{x}", (E.mul(b_tree, inner),), needs_note=True, wrt=x)
    text = rng.choice([f"{x}e^{{{x}}}", f"{x}e^{x}"])
    return Typed("glued", text, (E.mul(E.sym(x), E.exp(E.sym(x))),), needs_note=True, wrt=x)


def unicode(rng: random.Random, maker: Any = None) -> Typed:
    """Unicode as typeset text and phones give it; and symdiff's own `pretty()` output."""
    if maker is not None and rng.random() < 0.3:
        tree = maker.tree(rng.randint(1, 3))
        return Typed("unicode (pretty)", symdiff.pretty(tree), (tree,))
    p = Typist(rng, "unicode").expr(rng.randint(1, 3))
    return Typed("unicode", p.text, (p.tree,))


def _formula(rng: random.Random, x: str) -> Piece:
    """A formula in which `x` occurs."""
    t = Typist(rng, "plain", names=x * 3 + "y")
    for _ in range(10):
        p = t.expr(rng.randint(1, 3))
        if E.sym(x) in p.tree.free:
            return p
    return Piece(f"{x}^2 + {p.at(SUM)}", E.add(E.pow_(E.sym(x), E.TWO), p.tree), SUM)


FIRST = [
    "d/d{x} {F}", "d/d{x} ({F})", "d/d{x}({F})", "(d/d{x}) [{F}]", "d/d{x}[{F}]", "derivative of {F}",
    "differentiate {F}", "diff {F}", "{F} wrt {x}", "derivative of {F} with respect to {x}",
    "derivative of {F} wrt {x}", "diff({F}, {x})", "D[{F}, {x}]", r"\frac{{d}}{{d{x}}} {L}",
    r"\frac{{d}}{{d{x}}}\left({L}\right)",
]
SECOND = ["d^2/d{x}^2 {F}", "second derivative of {F}", "diff({F}, {x}, 2)", r"\frac{{d^2}}{{d{x}^2}} {L}"]


def phrase(rng: random.Random) -> Typed:
    """Input that asks for a derivative: the operator or phrase at the start takes the whole rest."""
    x = rng.choice("xxxt")
    f = _formula(rng, x)
    order = 2 if rng.random() < 0.25 else 1
    template = rng.choice(SECOND if order == 2 else FIRST)
    text = template.format(x=x, F=f.text, L=latex(f.tree) if "{L}" in template else "")
    return Typed("phrase", text, (f.tree,), wrt=x, order=order, asks=True)


def precedence(rng: random.Random) -> Typed:
    """Strict precedence against what the typist often means: a note naming the reading, or a refusal."""
    x = rng.choice("xt")
    X = E.sym(x)
    n, m = rng.randint(2, 9), rng.randint(2, 9)
    N, M = E.num(n), E.num(m)
    forms = [
        (f"e^{n}{x}", E.exp(E.mul(N, X)), E.mul(E.exp(N), X)),
        (f"{x}^1/{n}", E.pow_(X, E.num(Fraction(1, n))), E.div(X, N)),
        (f"{m}^{n}{x}", E.pow_(M, E.mul(N, X)), E.mul(E.pow_(M, N), X)),
        (f"1/{n}{x}", E.div(X, N), E.div(E.ONE, E.mul(N, X))),
        (f"1/{n} {x}^2", E.div(E.pow_(X, E.TWO), N), E.div(E.ONE, E.mul(N, E.pow_(X, E.TWO)))),
        (f"sin {n}{x}", E.func("sin", E.mul(N, X)), E.mul(E.func("sin", N), X)),
        (f"sqrt {n}{x}", E.sqrt(E.mul(N, X)), E.mul(E.sqrt(N), X)),
        (f"ln {x}/{n}", E.div(E.ln(X), N), E.ln(E.div(X, N))),
    ]
    text, *readings = rng.choice(forms)
    return Typed("precedence", text, tuple(readings), needs_note=True)


def absent(rng: random.Random) -> Typed:
    """Differentiated by a variable that does not occur: 0, with a note."""
    f = _formula(rng, "x")
    wrt = rng.choice([c for c in "tsuz" if E.sym(c) not in f.tree.free])
    return Typed("absent variable", f.text, (f.tree,), needs_note=True, wrt=wrt)


def constants(rng: random.Random) -> Typed:
    """Euler's number and π as other notations spell them."""
    u = _formula(rng, "x")
    k = rng.random()
    if k < 0.35:
        return Typed("constants", f"E^({u.text})", (E.exp(u.tree), E.pow_(E.sym("E"), u.tree)), needs_note=True)
    if k < 0.55:
        return Typed("constants", f"Pi*{u.at(POWER)}", (E.mul(E.PI, u.tree), E.mul(E.sym("Pi"), u.tree)),
                     needs_note=True)
    command = rng.choice([r"\mathrm{e}", r"\text{e}", r"\mathrm e"])
    return Typed("constants", f"{command}^{{{latex(u.tree)}}}", (E.exp(u.tree),))


def _cbrt(u: E.Expr) -> E.Expr:
    return E.mul(E.func("sign", u), E.pow_(E.func("abs", u), E.num(Fraction(1, 3))))


SPELLINGS: dict[str, Callable[[E.Expr], E.Expr]] = {
    "log10": lambda u: E.log(u, E.num(10)), "log2": lambda u: E.log(u, E.TWO),
    "log1p": lambda u: E.ln(E.add(E.ONE, u)), "expm1": lambda u: E.sub(E.exp(u), E.ONE),
    "cbrt": _cbrt, "sech": lambda u: E.func("sech", u),  # rows of their own (symdiff.functions)
    "csch": lambda u: E.func("csch", u), "coth": lambda u: E.func("coth", u),
    "arcsinh": lambda u: E.func("asinh", u), "arsinh": lambda u: E.func("asinh", u),
    "gelu": lambda u: E.mul(E.HALF, u, E.add(E.ONE, E.func("erf", E.div(u, E.sqrt(E.TWO))))),
    "silu": lambda u: E.mul(u, E.func("sigmoid", u)), "swish": lambda u: E.mul(u, E.func("sigmoid", u)),
    "Sin": lambda u: E.func("sin", u), "Cos": lambda u: E.func("cos", u),
}


def spellings(rng: random.Random) -> Typed:
    """Other libraries' and traditions' names of functions symdiff knows."""
    u = _formula(rng, "x")
    k = rng.random()
    if k < 0.15:
        v = _formula(rng, "y")
        return Typed("spellings", f"hypot({u.text}, {v.text})",
                     (E.sqrt(E.add(E.pow_(u.tree, E.TWO), E.pow_(v.tree, E.TWO))),))
    if k < 0.25:
        b = rng.choice([2, 3, 10])
        return Typed("spellings", f"log({u.text}, {b})", (E.log(u.tree, E.num(b)),))
    name = rng.choice(sorted(SPELLINGS))
    return Typed("spellings", f"{name}({u.text})", (SPELLINGS[name](u.tree),))


PREFIXES = {"exp": ["np.", "numpy.", "math.", "torch."], "sin": ["np.", "math.", "torch."],
            "tanh": ["np.", "torch.", "math."], "sigmoid": ["torch."], "log": ["np.", "math.", "torch."],
            "sqrt": ["np.", "math.", "torch."]}


def prefixes(rng: random.Random) -> Typed:
    """REPL code: module prefixes and `**`."""
    t = Typist(rng, "python", names="x")
    u = t.expr(rng.randint(1, 2))
    name = rng.choice(sorted(PREFIXES))
    build = {"exp": E.exp, "log": E.ln, "sqrt": E.sqrt}.get(name, lambda a: E.func(name, a))
    inner = Piece(f"{rng.choice(PREFIXES[name])}{name}({u.text})", build(u.tree), ATOM)
    if rng.random() < 0.5:
        n = rng.randint(2, 3)
        return Typed("prefixes", f"{inner.text}**{n}", (E.pow_(inner.tree, E.num(n)),))
    return Typed("prefixes", inner.text, (inner.tree,))


def agreement(rng: random.Random) -> Typed:
    """Plain forms LaTeX already reads: bars, powers of functions without brackets, square brackets."""
    x = rng.choice("xt")
    X = E.sym(x)
    u = _formula(rng, x)
    k = rng.random()
    if k < 0.3:
        return Typed("plain forms", f"|{u.text}|", (E.func("abs", u.tree),))
    if k < 0.45:
        return Typed("plain forms", f"ln|{u.text}|", (E.ln(E.func("abs", u.tree)),))
    if k < 0.75:
        name, n = rng.choice(["sin", "cos", "tan"]), rng.randint(2, 3)
        return Typed("plain forms", f"{name}^{n} {x}", (E.pow_(E.func(name, X), E.num(n)),))
    n = rng.randint(2, 6)
    return Typed("plain forms", f"[{u.text}]^{n}", (E.pow_(u.tree, E.num(n)),))


def matrices(rng: random.Random) -> Typed:
    """Matrix notation: refused until shapes are declared, never read as scalars."""
    A, x, w, y = rng.choice("ABWX"), rng.choice("xvu"), rng.choice("wb"), rng.choice("yt")
    text = rng.choice([
        f"{x}^T*{A}*{x}", f"{x}^T {A} {x}", f"{A}'", f"{A}'*{A}", f"{A}.*{A}", f"{x}.^2 + 3*{x}",
        rf"\|{A}\mathbf{{{w}}} - \mathbf{{{y}}}\|^2", rf"\mathbf{{{x}}}^\top {A} \mathbf{{{x}}}",
        rf"{A}^{{\top}} {A}",
    ])
    return Typed("matrices", text, (), refuse=True)


GENERATORS: tuple[Callable[..., Typed], ...] = (
    juxtaposition, glued, unicode, phrase, precedence, absent, constants, spellings, prefixes, agreement,
    matrices,
)


# ------------------------------------------------------------------- checking


def _values(e: E.Expr, env: dict[str, float]) -> float | None:
    try:
        v = symdiff.evaluate(e, env)
    except SymdiffError:
        return None
    return v if math.isfinite(v) and abs(v) < 1e8 else None


def agree(a: E.Expr, b: E.Expr, rng: random.Random, concrete: Callable[[E.Expr], E.Expr | None]) -> bool:
    """The same tree, after simplify, or the same values (and domain) at random points."""
    if a is b:
        return True
    try:
        if symdiff.simplify(a) is symdiff.simplify(b):
            return True
    except SymdiffError:
        pass
    ca, cb = concrete(a), concrete(b)
    if ca is None or cb is None:
        return False
    names = sorted({str(s) for s in ca.free | cb.free})
    for _ in range(4):
        env = {n: round(rng.uniform(-1.5, 1.5), 3) for n in names}
        env.update({f"x_{k}": round(rng.uniform(-1.5, 1.5), 3) for k in range(4)})
        va, vb = _values(ca, env), _values(cb, env)
        if va is None and vb is None:
            continue
        if va is None or vb is None or not math.isclose(va, vb, rel_tol=1e-7, abs_tol=1e-9):
            return False
    return True


def reference(case: Typed, meant: E.Expr) -> E.Expr:
    """What the text means: the tree, or its derivative (of the order asked for)."""
    if case.wrt is None:
        return meant
    return symdiff.diff(meant, case.wrt, case.order)


def verdict(case: Typed, got: E.Expr, noted: bool, rng: random.Random,
            concrete: Callable[[E.Expr], E.Expr | None]) -> str | None:
    """None when `got` (read with or without a note) is acceptable, else why it is a misread."""
    if case.refuse:
        return f"matrix notation read as {got}"
    match = next((k for k, m in enumerate(case.meant) if agree(got, reference(case, m), rng, concrete)), None)
    shown = f"read as {got}" + (" (with a note)" if noted else "")
    if match is None:
        return f"{shown}; meant {reference(case, case.meant[0])}"
    if case.needs_note and not noted:
        return f"{shown}, silently; a note (or a refusal) was needed"
    return None


def cli_diff(argv: list[str]) -> tuple[object, str, str]:
    """The command line in process: (status, stdout, stderr)."""
    from symdiff.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status: object = main(argv)
    except SystemExit as stop:
        status = stop.code
    except BaseException as exc:  # noqa: BLE001
        status = f"{type(exc).__name__}: {exc}"
    finally:
        sys.stdout, sys.stderr = old
    return status, out.getvalue(), err.getvalue()


def make(rng: random.Random, n: int, maker: Any = None) -> Typed:
    """The n-th typed case: the generators take turns."""
    gen = GENERATORS[n % len(GENERATORS)]
    return gen(rng, maker) if gen is unicode else gen(rng)


def check_typed(report: Any, case: Typed, rng: random.Random, call: Callable[..., tuple[bool, Any]],
                concrete: Callable[[E.Expr], E.Expr | None], cli: bool = False) -> None:
    """Run one typed text through the library (and, if `cli`, `symdiff diff`) and count misreads.
    `call` and `concrete` are the harness's (a guarded public call; undefined functions given values)."""
    report.checked["typed inputs"] += 1
    given = rng.random() < 0.5 or (case.asks and len(case.meant[0].free) > 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ok, got = call(report, f"{case.generator}: {case.text!r}", case.call(given))
    noted = any(issubclass(w.category, ReadingNote) for w in caught)
    if not ok:
        if isinstance(got, SymdiffError):
            report.checked["typed: refused"] += 1
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notes from working out the reference are not the reading's
        why = verdict(case, got, noted, rng, concrete)
    how = f", by {case.wrt}" + (f" (order {case.order})" if case.order > 1 else "") if case.wrt else ""
    if case.asks:
        how = f" (diff{'(text, ' + repr(case.wrt) + ')' if given else '(text)'})"
    if why is not None:
        report.fail("misread", f"[{case.generator}] {case.text!r}{how}: {why}", kind=case.generator)
        return
    report.checked["typed: read as meant"] += 1
    if cli and case.wrt is not None and not case.refuse:
        argv = ["diff", case.text, "--wrt", case.wrt]
        if case.order > 1 and not case.asks:
            argv += ["--order", str(case.order)]
        status, out, err = cli_diff(argv)
        report.checked["typed: CLI"] += 1
        if status not in (0, 1, 2) or "Traceback" in err:
            report.fail("CLI traceback", f"symdiff {argv}: {status}: {err[-300:]}")
        elif status == 0:
            try:
                printed = symdiff.parse(out.strip())
            except SymdiffError as exc:
                report.fail("misread", f"[{case.generator}] symdiff {argv} printed {out.strip()!r}, "
                            f"which does not parse back: {exc}", kind=case.generator)
                return
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                why = verdict(case, printed, "note" in err, rng, concrete)
            if why is not None:
                report.fail("misread", f"[{case.generator}] symdiff {argv}: {why}", kind=case.generator)
