"""Printing: Expr -> LaTeX that `parse` reads back to an equal tree.

Driven by the same precedence table and non-recursive `render` as the plain
printer; quotients and negative exponents become `\\frac`, brackets are
`\\left( \\right)` and only where precedence needs them.
"""

from __future__ import annotations

from fractions import Fraction

from .. import expr as X
from ..functions import FUNCTIONS, notation, undefined_name
from ..expr import E, HALF, Add, Const, Delta, Expr, Func, Log, Mul, Num, Pow, Sum, Sym
from .precedence import MUL, POW, Child, Part, latex_integer, render, split_fraction, sum_parts

OPEN, CLOSE = "\\left(", "\\right)"

GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
    "sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon "
    "Phi Psi Omega".split()
)



def number(value: Fraction) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    top = latex_integer(value.numerator)
    if value.denominator == 1:
        return f"{sign}{top}"
    return f"{sign}\\frac{{{top}}}{{{latex_integer(value.denominator)}}}"


def name(text: str) -> str:
    """`x` stays, `theta` is `\\theta`, `x1` or `rate` is `\\mathrm{x1}`; primes stay primes."""
    primes = len(text) - len(text.rstrip("'"))
    if primes:
        return name(text[:-primes]) + "'" * primes
    if len(text) == 1:
        return text
    if text in GREEK:
        return "\\" + text
    return f"\\mathrm{{{text}}}"


def subscript(indices: tuple[Expr, ...]) -> str:
    """`_{i}`, `_{ik}`, `_{i,10}`: indices run together only when each is one character."""
    texts = [latex(i) for i in indices]
    digits_touch = any(a.isdigit() and b.isdigit() for a, b in zip(texts, texts[1:]))
    sep = "" if all(len(t) == 1 for t in texts) and not digits_touch else ","
    return "_{" + sep.join(texts) + "}"


def bare_argument(e: Expr) -> bool:
    """Can a logarithm take `e` without brackets (`\\ln 2`, `\\log_{2} x`)?"""
    if type(e) is Num:
        return e.value > 0 and e.value.denominator == 1
    return type(e) is Const or (type(e) is Sym and not e.indices)


def is_bare_log(e: Expr) -> bool:
    return type(e) is Log and bare_argument(e.arg)


def starts_with_digit(e: Expr) -> bool:
    while type(e) is Pow and e.base is not E and e.exp is not HALF:
        if type(e.exp) is Num and e.exp.value < 0:
            return False
        e = e.base
    return type(e) is Num and e.value >= 0


def factors(items: list[Expr]) -> list[Part]:
    """Juxtaposed factors, with `\\cdot` where juxtaposition would misread."""
    if len(items) == 1 and not is_bare_log(items[0]):
        return [Child(items[0])]  # alone inside \frac braces: no brackets needed
    out: list[Part] = []
    for k, f in enumerate(items):
        if k:
            prev = items[k - 1]
            glue = prev is X.sym("sigma") or is_bare_log(prev) or starts_with_digit(f)
            out.append(" \\cdot " if glue else " ")
        if is_sum(f) and k < len(items) - 1:
            # A sum's body runs to the end of the product, so an inner one is bracketed.
            out += [OPEN, Child(f), CLOSE]
        else:
            out.append(Child(f, MUL))
    return out


def is_sum(e: Expr) -> bool:
    return type(e) is Sum


def product_parts(e: Expr) -> list[Part]:
    negative, coeff, top, bottom = split_fraction(e)
    p, q = coeff.numerator, coeff.denominator
    upper: list[Expr] = ([X.num(p)] if p != 1 or not top else []) + top
    lower: list[Expr] = ([X.num(q)] if q != 1 else []) + bottom
    out: list[Part] = ["-"] if negative else []
    if not lower:
        return out + [Child(f, MUL) for f in upper] if len(upper) == 1 else out + factors(upper)
    return out + ["\\frac{", *factors(upper), "}{", *factors(lower), "}"]


def parts(e: Expr) -> list[Part]:
    match e:
        case Num(value):
            return [number(value)]
        case Const(name_):
            return ["\\pi" if name_ == "pi" else name_]
        case Sym(name_, indices):
            return [name(name_) + (subscript(indices) if indices else "")]
        case Add(terms):
            return sum_parts(terms)
        case Mul():
            return product_parts(e)
        case Pow(base, exp) if base is E:
            return ["e^{", Child(exp), "}"]
        case Pow(base, exp) if exp is HALF:
            return ["\\sqrt{", Child(base), "}"]
        case Pow(base, Num(value)) if value < 0:
            return product_parts(e)
        case Pow(base, exp):
            if is_bare_log(base) or is_sum(base):
                return [OPEN, Child(base), CLOSE, "^{", Child(exp), "}"]
            return [Child(base, POW, strict=True), "^{", Child(exp), "}"]
        case Func(fname, arg):
            row = FUNCTIONS.get(fname)
            if row is None:  # an undefined function: f(x), f'(x)
                base, primes = undefined_name(fname)
                before, after = name(base) + "'" * primes + OPEN, CLOSE
            else:
                before, after = notation(row.latex, OPEN, CLOSE)
            return [before, Child(arg), after]
        case Log(arg, base):
            head = "\\ln" if base is E else f"\\log_{{{latex(base)}}}"
            if bare_argument(arg):
                return [head, " ", Child(arg)]
            return [head, OPEN, Child(arg), CLOSE]
        case Sum(body, index, lower, upper):
            return [f"\\sum_{{{name(index.name)}=", Child(lower), "}^{", Child(upper), "} ", Child(body, MUL)]
        case Delta(i, j):
            return ["\\delta", subscript((i, j))]
    raise TypeError(f"no LaTeX printer for {type(e).__name__}")


def latex(e: Expr) -> str:
    """LaTeX for `e`, with as few brackets as precedence allows."""
    return render(e, parts, OPEN, CLOSE)
