"""Printing: Expr -> one line of Unicode for people, `2x/((x² + 1)·ln 2)`.

Driven by the same precedence table and non-recursive `render` as the plain
and LaTeX printers.  `parse` reads it back (symdiff/unicode_input.py), and it is
unambiguous: two different trees never print the same.  What keeps it so:

- factors are joined by `·`, except a numeric coefficient before a factor
  that starts with a letter or a bracket (`2x`, `2(x + 1)`, `2σ(x)`, but
  `2·|x|`: a bar opens and closes alike), so a
  name before brackets is never read as a function (`f·(x + 1)` vs `f(x + 1)`)
  and two names never run together (`x·y` vs `xy`);
- names print as written (`sigma` is a name, `σ(u)` the sigmoid), indices as
  subscript characters only when each index is one character, or a single
  number (`x₁₂` is x at 12, `x_{1,2}` x at (1, 2));
- function spellings come from the function table (`symbol`, templates such
  as `|{}|`); undefined functions print as named, with primes (`f′(x)`).
"""

from __future__ import annotations

import unicodedata
from string import ascii_lowercase, digits

from ..expr import (
    E, HALF, IDENTITY, SCALAR, Add, ArrayConst, Const, Delta, Derivative, Expr, Func, Hadamard, HadamardPow, Log, Mul,
    Num, Pow, Sum, Sym, Transpose,
)
from ..functions import ARRAY_FUNCTIONS, BARS, FUNCTIONS, notation, undefined_name
from ..terms import ATOM, MUL, POW, is_reciprocal
from .precedence import (
    bracketed_factor, digits as int_digits, Child, Numbers, Part, arguments, fraction, precedence, render, run_together,
    sum_parts,
)


def _table(names: dict[str, str]) -> dict[str, str]:
    """Characters by Unicode name, skipping the ones Unicode lacks (there is no subscript b)."""
    out = {}
    for char, name in names.items():
        try:
            out[char] = unicodedata.lookup(name)
        except KeyError:
            pass
    return out


_DIGIT_NAMES = {d: unicodedata.name(d).split()[-1] for d in digits}  # "2" -> "TWO"
SUPERSCRIPT = _table({d: f"SUPERSCRIPT {n}" for d, n in _DIGIT_NAMES.items()})
SUBSCRIPT = _table({
    **{d: f"SUBSCRIPT {n}" for d, n in _DIGIT_NAMES.items()},
    **{c: f"LATIN SUBSCRIPT SMALL LETTER {c.upper()}" for c in ascii_lowercase},
})
MINUS = unicodedata.lookup("MINUS SIGN")
DOT = unicodedata.lookup("MIDDLE DOT")
SUPERSCRIPT_MINUS = unicodedata.lookup("SUPERSCRIPT MINUS")
RING = unicodedata.lookup("RING OPERATOR")  # the Hadamard power: x^∘²
ROOT = unicodedata.lookup("SQUARE ROOT")
SIGMA_SUM = unicodedata.lookup("N-ARY SUMMATION")
PRIME = unicodedata.lookup("PRIME")
PI = unicodedata.lookup("GREEK SMALL LETTER PI")
DELTA = unicodedata.lookup("GREEK SMALL LETTER DELTA")

number = Numbers(MINUS, int_digits, lambda top, bottom: f"{top}/{bottom}")


def is_natural(e: Expr) -> bool:
    return type(e) is Num and e.value > 0 and e.value.denominator == 1


def sub_text(e: Expr) -> str:
    """An index or log base as text: a name, a number, else its full printing."""
    if type(e) is Sym and not e.indices:
        return e.name
    if type(e) is Num and e.value >= 0 and e.value.denominator == 1:
        return int_digits(e.value.numerator)
    return pretty(e)


def subscript(indices: tuple[Expr, ...]) -> str:
    """`ᵢₖ`, `₁₂` (one index 12) where Unicode has the characters and the reading
    is unique; else `_{i,b}`, `_{1,2}`, `_{kk}` (always braced, commas between)."""
    texts = [sub_text(i) for i in indices]
    convertible = all(c in SUBSCRIPT for t in texts for c in t)
    unique = run_together(texts) or (len(texts) == 1 and texts[0].isdigit())
    if convertible and unique:
        return "".join(SUBSCRIPT[c] for c in "".join(texts))
    return "_{" + ",".join(texts) + "}"


def superscript(n: int) -> str:
    return "".join(SUPERSCRIPT[c] for c in int_digits(n))


def is_constant_log(e: Expr) -> bool:
    """`ln 2`, `ln π`: printed without brackets when nothing follows them."""
    return type(e) is Log and e.base is E and (is_natural(e.arg) or type(e.arg) is Const)


def leading(e: Expr) -> str:
    """What `e` prints first: a function's or log's name, else one character."""
    while True:
        t = type(e)
        if t is Pow and e.base is not E and e.exp is not HALF:
            if base_brackets(e.base):
                return "("
            e = e.base
            continue
        if t is Pow:
            return "e" if e.base is E else ROOT
        if t is Num:
            return number(e.value)[0]
        if t is Add:
            return "("
        if t is Sum:
            return SIGMA_SUM
        if t is Delta:
            return DELTA
        if t is Log:
            return "ln" if e.base is E else "log"
        if t is Func:
            row = FUNCTIONS.get(e.name)
            if row is None:
                return e.name
            before = notation(row.symbol, "(", ")")[0]
            return before.removesuffix("(")
        if t is Const:
            return "e" if e.name == "e" else PI
        if t is Sym:  # `e1` whole: after a coefficient it would spell a number, 2e1 = 20
            return e.name[:2] if e.name[:1] in "eE" and e.name[1:2].isdigit() else e.name[0]
        return "("  # a product, bracketed wherever it is a factor


def glue(coefficient: bool, factor: Expr) -> str:
    """`2x`, `2(x + 1)`, `2 ln(x)`, but `3·2^x`, `x·y`, `f·(x + 1)`, `2·e1`, and
    `2·|x|`: a bar both opens and closes, so `|2|x| − 1|` would pair up two ways."""
    if not coefficient:
        return DOT
    head = leading(factor)
    if head[0].isdigit() or head[0] == MINUS or head in BARS or (head[0] in "eE" and head[1:2].isdigit()):
        return DOT
    return " " if len(head) > 1 else ""


def opens_bracket(f: Expr) -> bool:
    """Does the factor print starting with a bracket: `(X w − y)`, `(A x)ᵀ`?"""
    while type(f) in (Transpose, HadamardPow) or type(f) is Pow and f.base is not E and f.exp is not HALF:
        base = f.args[0]
        if precedence(base) <= POW or type(base) is Pow:
            return True
        f = base
    return type(f) in (Add, Sum) or bracketed_factor(f) or precedence(f) < MUL


def factor_list(items: list[Expr], tail: bool) -> list[Part]:
    """Factors joined by `·`; a coefficient touches a factor starting with a
    letter or bracket.  A trailing constant log drops its brackets (`ln 2`).
    A product with vectors or matrices is written side by side, as papers do:
    `2 Xᵀ(X w − y)`."""
    items = [f for f in items if not is_constant_log(f)] + [f for f in items if is_constant_log(f)]
    arrays = any(f.kind is not SCALAR for f in items)
    out: list[Part] = []
    for k, f in enumerate(items):
        if k and arrays:  # a bracket touches a number or a superscript (Xᵀ(X w − y)); C (D x) is no function C
            prev = items[k - 1]
            raised = type(prev) in (Num, Transpose, Pow, HadamardPow) or type(prev) is Func and prev.name == "inv"
            out.append("" if opens_bracket(f) and raised else " ")
        elif k:
            out.append(glue(k == 1 and type(items[0]) is Num, f))
        last = k == len(items) - 1
        if type(f) is Sum and not (tail and last) or bracketed_factor(f):
            out += ["(", Child(f), ")"]  # a sum's body runs to the end of the product
        elif tail and last and is_constant_log(f):
            out += ["ln ", Child(f.arg, ATOM)]
        else:
            out.append(Child(f, MUL))
    return out


def product_parts(e: Expr) -> list[Part]:
    negative, upper, lower = fraction(e)
    out: list[Part] = [MINUS] if negative else []
    out += factor_list(upper, tail=not lower)
    if len(lower) == 1 and not is_constant_log(lower[0]):
        sole = lower[0]
        out += ["/", Child(sole, MUL, strict=type(sole) is not Sum)]
    elif len(lower) == 1:
        out += ["/", *factor_list(lower, tail=True)]
    elif lower:
        out += ["/(", *factor_list(lower, tail=True), ")"]
    return out


def base_brackets(base: Expr) -> bool:
    """Brackets for a power's base beyond precedence: `(√x)^y`, `(e^x)^y`, `(x²)^y`, `(A⁻¹)²`."""
    return precedence(base) <= POW or type(base) is Pow or type(base) is Func and base.name == "inv"


def integer_superscript(e: Expr) -> str | None:
    """`²`, `⁻¹`: a whole number as a superscript."""
    if type(e) is not Num or e.value.denominator != 1:
        return None
    n = e.value.numerator
    return (SUPERSCRIPT_MINUS if n < 0 else "") + superscript(abs(n))


def exponent_parts(exp: Expr) -> list[Part]:
    if is_natural(exp):
        return [superscript(exp.value.numerator)]
    if type(exp) in (Sym, Const):
        return ["^", Child(exp)]
    return ["^(", Child(exp), ")"]


def parts(e: Expr) -> list[Part]:
    match e:
        case Num(value):
            return [number(value)]
        case Const(name):
            return [PI if name == "pi" else name]
        case Sym(name, indices):
            return [name + (subscript(indices) if indices else "")]
        case Add(terms):
            return [f" {MINUS} " if p == " - " else p for p in sum_parts(terms)]
        case Mul():
            return product_parts(e)
        case Pow(base, exp) if base is E and exp.kind is not SCALAR:  # entrywise: e^X would be expm
            return ["exp(", Child(exp), ")"]
        case Pow(base, exp) if base is E:
            return ["e", *exponent_parts(exp)]
        case Pow(base, exp) if exp is HALF:
            if type(base) is Pow:
                return [ROOT, "(", Child(base), ")"]
            return [ROOT, Child(base, ATOM)]
        case Pow() if is_reciprocal(e):  # x^-k is written under the line
            return product_parts(e)
        case Pow(base, exp):
            if base_brackets(base):
                return ["(", Child(base), ")", *exponent_parts(exp)]
            return [Child(base), *exponent_parts(exp)]
        case Func(fname, arg, rest) if fname in ARRAY_FUNCTIONS and not rest:
            array_row = ARRAY_FUNCTIONS[fname]
            if "{}" in array_row.unicode and fname == "inv":
                return [Child(arg, POW, strict=True), "⁻¹"]
            before, after = notation(array_row.unicode or fname, "(", ")")
            return [before, Child(arg), after]
        case Transpose(arg):
            return [Child(arg, POW, strict=True), "ᵀ"]
        case Hadamard(factors):
            out: list[Part] = []
            for k, f in enumerate(factors):
                out += [" ⊙ "] if k else []
                out.append(Child(f, MUL, strict=True))
            return out
        case HadamardPow(base, exp):
            raised = integer_superscript(exp)
            shown: list[Part] = ["(", Child(base), ")"] if base_brackets(base) else [Child(base, POW, strict=True)]
            return [*shown, "^" + RING + raised] if raised else [*shown, "^(" + RING, Child(exp), ")"]
        case ArrayConst(name):
            if name == IDENTITY:
                return ["I"]
            return ["𝟏ᵀ" if len(e.kind.shape) == 2 and e.kind.rows == 1 else "𝟏"]
        case Func(fname, arg, rest):
            row = FUNCTIONS.get(fname)
            if row is None:  # an undefined function: f(x), f′(x)
                base, primes = undefined_name(fname)
                before, after = base + PRIME * primes + "(", ")"
            else:
                before, after = notation(row.symbol, "(", ")")
            return [before, *arguments((arg, *rest), ", "), after]
        case Log(arg, base) if base is E:
            return ["ln(", Child(arg), ")"]
        case Log(arg, base):
            text = sub_text(base)
            if all(c in SUBSCRIPT for c in text) and (is_natural(base) or len(text) == 1):
                head = "log" + "".join(SUBSCRIPT[c] for c in text)
            else:
                head = "log_{" + text + "}"
            return [head + "(", Child(arg), ")"]
        case Sum(body, index, lower, upper):
            return [f"{SIGMA_SUM}_{{{index.name}=", Child(lower), "}^{", Child(upper), "} ", Child(body, MUL)]
        case Delta(i, j):
            return [DELTA + subscript((i, j))]
        case Derivative(body, var, order):  # bracketed whole: its body runs to the end of a product
            n = superscript(order) if order > 1 else ""
            return [f"(d{n}/d{pretty(var)}{n} ", Child(body, MUL), ")"]
    raise TypeError(f"no Unicode printer for {type(e).__name__}")


def pretty(e: Expr) -> str:
    """One line of Unicode for `e`: `2x/((x² + 1)·ln 2)`, `σ(x)·(1 − σ(x))`.

    Args:
        e: the expression tree (parse text first with `symdiff.parse`).

    Returns:
        The Unicode text, a `str`.

    Raises:
        TypeError: `e` is not an expression tree.

    >>> from symdiff import diff
    >>> pretty(diff("log_2(x^2 + 1)", "x"))
    '2x/((x² + 1)·ln 2)'
    """
    return render(e, parts)
