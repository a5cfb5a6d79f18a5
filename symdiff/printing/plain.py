"""Printing: Expr -> plain text that `parse` reads back to an equal tree."""

from __future__ import annotations

from typing import cast

from ..expr import (
    E, HALF, IDENTITY, Add, ArrayConst, Const, Delta, Derivative, Expr, Func, Hadamard, HadamardPow, Log, Mul, Num, Pow,
    Sum, Sym, Transpose, sym,
)
from ..terms import MUL, POW, is_reciprocal
from .precedence import (
    Child, Numbers, Part, arguments, bracketed_factor, fraction, identities_needing_size, plain_integer, render,
    run_together, sum_parts,
)

TRANSPOSE_LETTER = sym("T")

number = Numbers("-", plain_integer, lambda top, bottom: f"{top}/({bottom})" if "*" in bottom else f"{top}/{bottom}")


def subscript(indices: tuple[Expr, ...]) -> str:
    """`_i`, `_{ik}`, `_{i,10}`: letters and digits run together only when each is one character."""
    texts = [to_str(i) for i in indices]
    if len(texts) == 1 and (type(indices[0]) is Num and texts[0].isdigit() or len(texts[0]) == 1):
        return "_" + texts[0]
    # t_{0A} would not read back: a run starts with a letter
    if run_together(texts) and texts[0].isalpha():
        return "_{" + "".join(texts) + "}"
    return "_{" + ",".join(texts) + "}"


def product_parts(e: Expr) -> list[Part]:
    negative, upper, lower = fraction(e)
    out: list[Part] = ["-"] if negative else []
    out += factor_list(upper, tail=not lower)
    if len(lower) == 1 and not _like_operator(upper, lower[0]):
        sole = lower[0]
        out += ["/", Child(sole, MUL, strict=type(sole) is not Sum)]
    elif lower:
        out += ["/(", *factor_list(lower, tail=True), ")"]
    return out


def _like_operator(upper: list[Expr], sole: Expr) -> bool:
    """d/dy_j, the name d over the name dy_j, would read as the operator d/dy_j:
    it prints as d/(dy_j)."""
    def name(e: Expr) -> str:
        base = e.base if type(e) is Pow else e
        return base.name if type(base) is Sym else ""
    last = upper[-1] if upper else None
    return (last is not None and name(last) == "d" and not cast(Sym, last.base if type(last) is Pow else last).indices
            and name(sole)[:1] == "d" and len(name(sole)) > 1)


def factor_list(items: list[Expr], tail: bool) -> list[Part]:
    """Factors joined by `*`.  A sum's body runs to the end of the product, so
    a sum that is not the last thing printed is bracketed."""
    out: list[Part] = []
    for k, f in enumerate(items):
        if k:
            out.append("*")
        if type(f) is Sum and not (tail and k == len(items) - 1) or bracketed_factor(f):
            out += ["(", Child(f), ")"]
        else:
            out.append(Child(f, MUL))
    return out


def parts(e: Expr, sized: frozenset[Expr] = frozenset()) -> list[Part]:
    """`sized`: the identities written with their size, `I(n)` (nothing beside them sizes them)."""
    match e:
        case Num(value):
            return [number(value)]
        case Const(name):
            return [name]
        case Sym(name, indices):
            return [name + (subscript(indices) if indices else "")]
        case Add(terms):
            return sum_parts(terms)
        case Mul():
            return product_parts(e)
        case Pow(base, exp) if base is E:
            return ["exp(", Child(exp), ")"]
        case Pow(base, exp) if exp is HALF:
            return ["sqrt(", Child(base), ")"]
        case Pow() if is_reciprocal(e):  # x^-k is written under the line
            return product_parts(e)
        case Pow(base, exp) if exp is TRANSPOSE_LETTER:  # x^T alone reads as a transpose
            return [Child(base, POW, strict=True), "^(T)"]
        case Pow(base, exp):
            return [Child(base, POW, strict=True), "^", Child(exp, POW)]
        case Func(name, arg, rest):
            return [f"{name}(", *arguments((arg, *rest), ", "), ")"]
        case Log(arg, base) if base is E:
            return ["ln(", Child(arg), ")"]
        case Log(arg, base):
            return [f"log_{log_base(base)}(", Child(arg), ")"]
        case Sum(body, index, lower, upper):
            return [f"sum_{{{index.name}=", Child(lower), "}^{", Child(upper), "} ", Child(body, MUL)]
        case Delta(i, j):
            return ["delta(", Child(i), ", ", Child(j), ")"]
        case Derivative(body, var, order):  # bracketed whole: its body runs to the end of a product
            n = f"^{order}" if order > 1 else ""
            return [f"(d{n}/d{to_str(var)}{n} ", Child(body, MUL), ")"]
        case Transpose(arg):
            return [Child(arg, POW, strict=True), "^T"]
        case Hadamard(factors):
            return arguments_joined(factors, " .* ")
        case HadamardPow(base, exp):
            return [Child(base, POW, strict=True), ".^", Child(exp, POW)]
        case ArrayConst(name) if name == IDENTITY:
            return [f"I({e.kind.rows})" if e in sized else "I"]
        case ArrayConst():
            return [f"ones({','.join(map(str, e.kind.shape))})"]
    raise TypeError(f"no plain printer for {type(e).__name__}")


def arguments_joined(factors: tuple[Expr, ...], op: str) -> list[Part]:
    """Entrywise factors: each a power or tighter (`(A*x) .* y`)."""
    out: list[Part] = []
    for k, f in enumerate(factors):
        out += [op] if k else []
        out.append(Child(f, MUL, strict=True))
    return out


def log_base(base: Expr) -> str:
    text = to_str(base)
    simple = type(base) is Const or (type(base) is Num and base.value > 0 and text.isdigit())
    simple = simple or (type(base) is Sym and not base.indices)
    return text if simple else "{" + text + "}"


def to_str(e: Expr) -> str:
    """Plain text for `e`, with as few brackets as precedence allows."""
    sized = identities_needing_size(e)
    return render(e, (lambda node: parts(node, sized)) if sized else parts)
