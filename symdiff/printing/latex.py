"""Printing: Expr -> LaTeX that `parse` reads back to an equal tree.

Driven by the same precedence table and non-recursive `render` as the plain
printer; quotients and negative exponents become `\\frac`, brackets are
`\\left( \\right)` and only where precedence needs them.
"""

from __future__ import annotations

from ..functions import ARRAY_FUNCTIONS, BUILDERS, FUNCTIONS, lookup, notation, undefined_name
from .. import names
from ..names import FUNCTION_LETTERS, is_letter, latex_name
from ..expr import (
    E, HALF, IDENTITY, SCALAR, Add, ArrayConst, Const, Delta, Derivative, Expr, Func, Hadamard, HadamardPow, Log, Mul,
    Num, Pow, Sum, Sym, Transpose,
)
from ..terms import MUL, POW, is_reciprocal
from .precedence import bracketed_factor
from .precedence import (
    Child, Numbers, Part, arguments, fraction, identities_needing_size, latex_integer, precedence, render,
    run_together, sum_parts,
)

OPEN, CLOSE = "\\left(", "\\right)"
# Greek letters with a letter of their own (no var- forms), for the MathML printer.
GREEK = frozenset(g for g in names.GREEK if not g.startswith("var"))

number = Numbers("-", latex_integer, lambda top, bottom: f"\\frac{{{top}}}{{{bottom}}}")


def name(text: str) -> str:
    """`x`, `\\theta`, `\\hat{y}`, `\\mathbf{w}`, `\\mathrm{rate}`: see symdiff.names."""
    return latex_name(text)


def symbol(s: Sym) -> str:
    """A variable; names LaTeX would read as something else are spelt out."""
    n, indices = s.name, s.indices
    if n in ("e", "pi") and not indices:
        head = "\\mathit{e}" if n == "e" else "\\mathrm{pi}"  # not the constant (upright e is Euler's number)
    elif n == "delta" and len(indices) == 2:
        head = "\\mathrm{delta}"  # not the Kronecker delta
    elif lookup(n) is not None or n in BUILDERS:
        head = f"\\mathit{{{n}}}"  # a variable named sin: italic, as variables are, not the function
    else:
        head = name(n)
    return head + (subscript(indices) if indices else "")


def function_name(fname: str) -> str:
    """An undefined function: `f`, `f'`, `\\phi`; any other name is
    `\\operatorname{loss}`, `\\operatorname{a}` (a bare `a(` would read as a product)."""
    base, primes = undefined_name(fname)
    if base not in FUNCTION_LETTERS:
        return f"\\operatorname{{{name(base) if is_letter(base) else base}}}" + "'" * primes
    return name(base) + "'" * primes


def subscript(indices: tuple[Expr, ...]) -> str:
    """`_{i}`, `_{ik}`, `_{i,10}`: indices run together only when each is one character."""
    # A multi-letter index is \mathit{ab}: \mathrm{ab} or \text{ab} in a subscript is a label.
    texts = [f"\\mathit{{{i.name}}}" if type(i) is Sym and not i.indices and not is_letter(i.name)
             else latex(i) for i in indices]
    return "_{" + ("" if run_together(texts) else ",").join(texts) + "}"


def bare_argument(e: Expr) -> bool:
    """Can a logarithm take `e` without brackets (`\\ln 2`, `\\log_{2} x`)?"""
    if type(e) is Num:
        return e.value > 0 and e.value.denominator == 1
    return type(e) is Const or (type(e) is Sym and not e.indices)


def is_bare_log(e: Expr) -> bool:
    return type(e) is Log and bare_argument(e.arg)


def starts_with_digit(e: Expr) -> bool:
    while type(e) is Pow and e.base is not E and e.exp is not HALF:
        if is_reciprocal(e):
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
            glue = is_bare_log(prev) or starts_with_digit(f) or (
                type(prev) is Sym and (not prev.indices or prev.name in FUNCTION_LETTERS)
                and opens_with_bracket(f, k == len(items) - 1))
            out.append(" \\cdot " if glue else " ")
        if is_sum(f) and k < len(items) - 1 or bracketed_factor(f):
            # A sum's body runs to the end of the product, so an inner one is bracketed.
            out += [OPEN, Child(f), CLOSE]
        else:
            out.append(Child(f, MUL))
    return out


def opens_with_bracket(f: Expr, last: bool) -> bool:
    """Does the factor print starting with a bracket?  After a name that would
    read as a function applied to it (`f \\left(`, `\\sigma \\left(`)."""
    if is_sum(f):
        return not last
    return precedence(f) < MUL or (type(f) is Pow and not (f.base is E or f.exp is HALF)
                                    and (precedence(f.base) <= POW or is_bare_log(f.base)
                                         or type(f.base) is Pow or is_sum(f.base)))


def is_sum(e: Expr) -> bool:
    return type(e) is Sum


def product_parts(e: Expr) -> list[Part]:
    negative, upper, lower = fraction(e)
    out: list[Part] = ["-"] if negative else []
    if not lower:
        return out + [Child(f, MUL) for f in upper] if len(upper) == 1 else out + factors(upper)
    return out + ["\\frac{", *factors(upper), "}{", *factors(lower), "}"]


def ends_in_superscript(e: Expr) -> bool:
    """Does `e` print ending in a superscript (`X^{-1}`, `X^{\\top}`)?  Then another one needs
    brackets first: `X^{-1}^{\\top}` is a double superscript, which TeX refuses."""
    return type(e) in (Transpose, HadamardPow, Pow) or (type(e) is Func and e.name == "inv" and not e.rest)


def array_constant(e: Expr, sized: frozenset[Expr]) -> list[Part]:
    """`I`, or `I_{n}` where nothing beside it gives its size; the ones always with theirs:
    `\\mathbf{1}_{n}`, `\\mathbf{1}_{n}^{\\top}`, `\\mathbf{1}_{m \\times n}`."""
    shape = e.kind.shape
    if type(e) is ArrayConst and e.name == IDENTITY:
        return [f"I_{{{shape[0]}}}" if e in sized else "I"]
    if len(shape) == 2 and shape[0] == 1:
        return [f"\\mathbf{{1}}_{{{shape[1]}}}^{{\\top}}"]
    return ["\\mathbf{1}_{" + " \\times ".join(map(str, shape)) + "}"]


def superscript_base(base: Expr) -> list[Part]:
    """The base of `^{...}`: bracketed when it ends in a superscript of its own."""
    if ends_in_superscript(base):
        return [OPEN, Child(base), CLOSE]
    return [Child(base, POW, strict=True)]


def parts(e: Expr, sized: frozenset[Expr] = frozenset()) -> list[Part]:
    """`sized`: the identities written with their size, `I_{n}` (nothing beside them sizes them)."""
    match e:
        case Num(value):
            return [number(value)]
        case Const(name_):
            return ["\\pi" if name_ == "pi" else name_]
        case Sym():
            return [symbol(e)]
        case Add(terms):
            return sum_parts(terms)
        case Mul():
            return product_parts(e)
        case Pow(base, exp) if base is E and exp.kind is not SCALAR:  # entrywise: e^{X} would be expm
            return ["\\exp", OPEN, Child(exp), CLOSE]
        case Pow(base, exp) if base is E:
            return ["e^{", Child(exp), "}"]
        case Pow(base, exp) if exp is HALF:
            return ["\\sqrt{", Child(base), "}"]
        case Pow() if is_reciprocal(e):  # x^-k is written under the line
            return product_parts(e)
        case Pow(base, exp):
            if is_bare_log(base) or is_sum(base) or ends_in_superscript(base):  # never x^{a}^{b}
                return [OPEN, Child(base), CLOSE, "^{", Child(exp), "}"]
            return [Child(base, POW, strict=True), "^{", Child(exp), "}"]
        case Func(fname, arg, rest) if fname in ARRAY_FUNCTIONS and not rest:
            if fname == "inv":
                return [*superscript_base(arg), "^{-1}"]
            before, after = notation(ARRAY_FUNCTIONS[fname].latex, OPEN, CLOSE)
            if fname == "norm" and len(arg.kind.shape) == 2:
                after += "_F"  # \\|X\\| alone could be the spectral norm
            return [before, Child(arg), after]
        case Transpose(arg) if type(arg) is Func and arg.name == "inv" and not arg.rest:
            return [*superscript_base(arg.arg), "^{-\\top}"]  # the Cookbook's X^{-T}
        case Transpose(arg):
            return [*superscript_base(arg), "^{\\top}"]
        case Hadamard(factors_):
            out: list[Part] = []
            for k, f in enumerate(factors_):
                out += [" \\odot "] if k else []
                out.append(Child(f, MUL, strict=True))
            return out
        case HadamardPow(base, exp):
            return [*superscript_base(base), "^{\\odot ", Child(exp), "}"]
        case ArrayConst():
            return array_constant(e, sized)
        case Func(fname, arg, rest):
            row = FUNCTIONS.get(fname)
            if row is None:  # an undefined function: f(x), f'(x)
                before, after = function_name(fname) + OPEN, CLOSE
            else:
                before, after = notation(row.latex, OPEN, CLOSE)
            return [before, *arguments((arg, *rest), ", "), after]
        case Log(arg, base):
            head = "\\ln" if base is E else f"\\log_{{{latex(base)}}}"
            if bare_argument(arg):
                return [head, " ", Child(arg)]
            return [head, OPEN, Child(arg), CLOSE]
        case Sum(body, index, lower, upper):
            return [f"\\sum_{{{name(index.name)}=", Child(lower), "}^{", Child(upper), "} ", Child(body, MUL)]
        case Delta(i, j):
            return ["\\delta", subscript((i, j))]
        case Derivative(body, var, order):  # bracketed whole: its body runs to the end of a product
            n = f"^{{{order}}}" if order > 1 else ""
            return [OPEN, f"\\frac{{d{n}}}{{d{symbol(var)}{n}}} ", Child(body, MUL), CLOSE]
    raise TypeError(f"no LaTeX printer for {type(e).__name__}")


def latex(e: Expr) -> str:
    """LaTeX for `e`, with as few brackets as precedence allows.

    Args:
        e: the expression tree (parse text first with `symdiff.parse`).

    Returns:
        The LaTeX source, a `str` without surrounding `$`.

    Raises:
        TypeError: `e` is not an expression tree.

    >>> from symdiff import parse
    >>> print(latex(parse("1/(x*ln(2))")))
    \\frac{1}{x \\ln 2}
    """
    sized = identities_needing_size(e)
    return render(e, (lambda node: parts(node, sized)) if sized else parts, OPEN, CLOSE)
