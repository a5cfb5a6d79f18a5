"""Printing: Expr -> presentation MathML, which browsers typeset natively.

Driven by the same precedence table and non-recursive `render` as the plain
and LaTeX printers, and laid out like the LaTeX printer: quotients and
negative exponents become `<mfrac>`, brackets only where precedence needs
them.  Function spellings come from the function table (`symbol`, `unicode`
templates); Greek names are the letters whose Unicode names the LaTeX
printer's list gives.  The output is well-formed XML.
"""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape

from .. import expr as X
from ..expr import E, HALF, Add, Const, Delta, Derivative, Expr, Func, Log, Mul, Num, Pow, Sum, Sym
from ..functions import ARRAY_FUNCTIONS, FUNCTIONS, notation, undefined_name
from .latex import GREEK, bare_argument, is_bare_log, starts_with_digit
from ..terms import MUL, POW, is_reciprocal
from .precedence import digits as int_digits, Child, Numbers, Part, arguments, fraction, render, run_together, sum_parts

NAMESPACE = "http://www.w3.org/1998/Math/MathML"
OPEN, CLOSE = "<mrow><mo>(</mo>", "<mo>)</mo></mrow>"
APPLY, TIMES, DOT = "<mo>\u2061</mo>", "<mo>\u2062</mo>", "<mo>\u22c5</mo>"
# MathML Core gives invisible operators no space: a thin space (as TeX puts around
# \ln) after a function name before a bare argument, and beside a named function.
THIN = "0.1667em"
APPLY_SPACED = f'<mo rspace="{THIN}">\u2061</mo>'
TIMES_SPACED = f'<mo lspace="0" rspace="{THIN}">\u2062</mo>'
MINUS = "\u2212"
PRIMES = {1: "\u2032", 2: "\u2033", 3: "\u2034"}


def _greek(name: str) -> str:
    case = "CAPITAL" if name[0].isupper() else "SMALL"
    spelt = name.upper().replace("LAMBDA", "LAMDA")  # Unicode's spelling
    return unicodedata.lookup(f"GREEK {case} LETTER {spelt}")


LETTERS: dict[str, str] = {g: _greek(g) for g in GREEK}


def mi(text: str) -> str:
    return f"<mi>{escape(text)}</mi>"


def mo(text: str) -> str:
    return f"<mo>{escape(text)}</mo>"


number = Numbers(f"<mo>{MINUS}</mo>", lambda n: f"<mn>{int_digits(n)}</mn>",
                 lambda top, bottom: f"<mfrac>{top}{bottom}</mfrac>", lambda text: f"<mn>{text}</mn>")


def name(text: str) -> str:
    """`x` stays, `theta` is θ, `rate` is upright (MathML's rule for long names);
    a name with primes (`y'`, as steps write y') gets them as a superscript."""
    base = text.rstrip("'")
    return primed(mi(LETTERS.get(base, base)), len(text) - len(base)) if base else mi(text)


def primed(base: str, primes: int) -> str:
    if not primes:
        return base
    marks = PRIMES.get(primes, PRIMES[1] * primes)
    return f"<msup>{base}<mo>{marks}</mo></msup>"


def subscript(indices: tuple[Expr, ...]) -> str:
    texts = [mathml_body(i) for i in indices]
    sep = "" if run_together([str(i) for i in indices]) or len(texts) == 1 else "<mo>,</mo>"
    return "<mrow>" + sep.join(texts) + "</mrow>"


def factors(items: list[Expr]) -> list[Part]:
    """Juxtaposed factors (invisible times), a dot where juxtaposition would misread."""
    out: list[Part] = []
    for k, f in enumerate(items):
        if k:
            prev = items[k - 1]
            glue = prev is X.sym("sigma") or is_bare_log(prev) or starts_with_digit(f)
            out.append(DOT if glue else TIMES_SPACED if named(prev) or named(f) else TIMES)
        if type(f) is Sum and k < len(items) - 1:
            # A sum's body runs to the end of the product, so an inner one is bracketed.
            out += [OPEN, Child(f), CLOSE]
        else:
            out.append(Child(f, MUL))
    return out


def named(e: Expr) -> bool:
    """Does `e` print as a function name applied to something (`ln x`, `sin(x)`)?"""
    if type(e) is Log:
        return True
    if type(e) is not Func:
        return False
    row = FUNCTIONS.get(e.name)
    return row is None or "{}" not in row.symbol  # |x| is not named


def product_parts(e: Expr) -> list[Part]:
    negative, upper, lower = fraction(e)
    out: list[Part] = [f"<mo>{MINUS}</mo>"] if negative else []
    if not lower:
        return out + factors(upper)
    return out + ["<mfrac><mrow>", *factors(upper), "</mrow><mrow>", *factors(lower), "</mrow></mfrac>"]


def function_parts(fname: str, args: tuple[Expr, ...]) -> list[Part]:
    row = FUNCTIONS.get(fname)
    inside = arguments(args, "<mo>,</mo>")
    if row is None:  # an undefined function: f(x), f'(x)
        base, primes = undefined_name(fname)
        return [primed(name(base), primes) + APPLY + OPEN, *inside, CLOSE]
    if "{}" in row.symbol:  # a template such as |{}|
        before, after = notation(row.symbol, "", "")
        return ["<mrow>" + mo(before), *inside, mo(after) + "</mrow>"]
    before, after = notation(mi(row.symbol) + APPLY, OPEN, CLOSE)
    return [before, *inside, after]


def parts(e: Expr) -> list[Part]:
    match e:
        case Num(value):
            return [number(value)]
        case Const(name_):
            return [mi("\u03c0" if name_ == "pi" else name_)]
        case Sym(name_, indices) if indices:
            return [f"<msub>{name(name_)}{subscript(indices)}</msub>"]
        case Sym(name_):
            return [name(name_)]
        case Add(terms):
            return [part.replace(" + ", "<mo>+</mo>").replace(" - ", f"<mo>{MINUS}</mo>")
                    if isinstance(part, str) else part for part in sum_parts(terms)]
        case Mul():
            return product_parts(e)
        case Pow(base, exp) if base is E and exp.kind is not X.SCALAR:  # entrywise: e^X would be expm
            return ["<mi>exp</mi><mo>(</mo>", Child(exp), "<mo>)</mo>"]
        case Pow(base, exp) if base is E:
            return ["<msup><mi>e</mi><mrow>", Child(exp), "</mrow></msup>"]
        case Pow(base, exp) if exp is HALF:
            return ["<msqrt>", Child(base), "</msqrt>"]
        case Pow() if is_reciprocal(e):  # x^-k is written under the line
            return product_parts(e)
        case Pow(base, exp):
            if is_bare_log(base) or type(base) is Sum:
                return ["<msup>", OPEN, Child(base), CLOSE, "<mrow>", Child(exp), "</mrow></msup>"]
            return ["<msup><mrow>", Child(base, POW, strict=True), "</mrow><mrow>", Child(exp), "</mrow></msup>"]
        case Func(fname, arg, rest) if fname in ARRAY_FUNCTIONS and not rest:
            if fname == "inv":
                return ["<msup><mrow>", Child(arg, POW, strict=True), "</mrow><mrow><mo>\u2212</mo><mn>1</mn></mrow></msup>"]
            return [mi(fname) + APPLY + OPEN, Child(arg), CLOSE]
        case X.Transpose(arg):
            return ["<msup><mrow>", Child(arg, POW, strict=True), "</mrow><mi>T</mi></msup>"]
        case X.Hadamard(factors_):
            out: list[Part] = []
            for k, f in enumerate(factors_):
                out += [mo("\u2299")] if k else []
                out.append(Child(f, MUL, strict=True))
            return out
        case X.HadamardPow(base, exp):
            return ["<msup><mrow>", Child(base, POW, strict=True), "</mrow><mrow>", mo("\u2218"), Child(exp),
                    "</mrow></msup>"]
        case X.ArrayConst(name_):
            return [mi("I") if name_ == X.IDENTITY else "<mn mathvariant=\"bold\">1</mn>"]
        case Func(fname, arg, rest):
            return function_parts(fname, (arg, *rest))
        case Log(arg, base):
            head = mi("ln") if base is E else f"<msub>{mi('log')}<mrow>{mathml_body(base)}</mrow></msub>"
            if bare_argument(arg):
                return [head + APPLY_SPACED, Child(arg)]
            return [head + APPLY + OPEN, Child(arg), CLOSE]
        case Sum(body, index, lower, upper):
            return ["<mrow><munderover><mo>\u2211</mo><mrow>", name(index.name), "<mo>=</mo>", Child(lower),
                    "</mrow><mrow>", Child(upper), "</mrow></munderover>", Child(body, MUL), "</mrow>"]
        case Delta(i, j):
            return [f"<msub>{mi(LETTERS['delta'])}{subscript((i, j))}</msub>"]
        case Derivative(body, var, order):  # bracketed whole: its body runs to the end of a product
            d, x = mi("d"), mathml_body(var)
            top, bottom = (f"<msup>{d}<mn>{order}</mn></msup>", f"{d}<msup><mrow>{x}</mrow><mn>{order}</mn></msup>") \
                if order > 1 else (d, d + x)
            return [OPEN, f"<mfrac><mrow>{top}</mrow><mrow>{bottom}</mrow></mfrac>", Child(body, MUL), CLOSE]
    raise TypeError(f"no MathML printer for {type(e).__name__}")


def mathml_body(e: Expr) -> str:
    """The presentation markup of `e`, without the enclosing `<math>` element."""
    return render(e, parts, OPEN, CLOSE)


def mathml(e: Expr, display: str = "inline") -> str:
    """A `<math>` element for `e` (`display="block"` for a displayed formula).

    Args:
        e: the expression tree (parse text first with `symdiff.parse`).
        display: `"inline"` or `"block"`.

    Returns:
        Presentation MathML, a `str`.

    Raises:
        ValueError: `display` is neither `"inline"` nor `"block"`.
        TypeError: `e` is not an expression tree.

    >>> from symdiff import parse
    >>> mathml(parse("x^2"))  # doctest: +ELLIPSIS
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><msup>...<mn>2</mn>...</math>'
    """
    if display not in ("inline", "block"):
        raise ValueError(f"display must be 'inline' or 'block', not {display!r}")
    attrs = f' xmlns="{NAMESPACE}"' + (' display="block"' if display == "block" else "")
    return f"<math{attrs}><mrow>{mathml_body(e)}</mrow></math>"
