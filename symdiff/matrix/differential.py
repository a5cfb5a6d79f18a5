"""Differentials (Magnus–Neudecker): the steps of a gradient in matrix form.

For a scalar f of a vector or matrix X, `differentials(f, X)` computes the
differential of every sub-expression that depends on X, children first, each
by one named rule of `DRULES` (`d(A*B) = dA*B + A*dB`, `d tr(A) = tr(dA)`,
`d inv(X) = -inv(X)*dX*inv(X)`, ...), and records it as a `DStep`.  The
root's differential `df` is linear in dX; rearranging it to `tr(Gᵀ dX)`
(`gᵀ dx` for a vector) identifies the gradient G: computed here as the
adjoint of dX ↦ df (`symdiff.matrix.diff.adjoint`), which is that
rearrangement.  A rule's formula is an expression over template names, shown
by the step printer (`symdiff.printing.steps`); a scalar function's
derivative comes from its row (`symdiff.functions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from ..errors import DifferentiationError
from ..expr import (
    E, NEG_ONE, ONE, SCALAR, Add, ArrayConst, Const, Delta, Derivative, Expr, Func, Hadamard, HadamardPow, Kind,
    Log, Mul, Num, Pow, Sum, Sym, Transpose, add, func, hadamard, hadamard_pow, ln, matrix, mul, neg, num,
    postorder, pow_, sub, sym, transpose, vector,
)
from ..functions import ARRAY_FUNCTIONS, FUNCTIONS
from .diff import adjoint, lift


class DFormula(NamedTuple):
    """`d(lhs) = rhs`, over template names (A, B, X, u, ...)."""

    lhs: Expr
    rhs: Expr


@dataclass(frozen=True, eq=False)
class DStep:
    """The differential of `expr` (`result`, linear in dX) by the rule `rule`,
    after the steps of the sub-expressions it used."""

    rule: str
    expr: Expr
    result: Expr
    formula: DFormula | None = None
    bindings: tuple[tuple[Expr, Expr], ...] = ()
    substeps: tuple[DStep, ...] = field(default=())


def _not_yet(what: str) -> DifferentiationError:
    return DifferentiationError(f"steps for {what}: not yet for vectors and matrices")


def dsym(x: Sym) -> Sym:
    """dX: the differential of the variable, of its kind."""
    return sym("d" + x.name, kind=x.kind)


# ------------------------------------------------------------------ templates

_M, _N, _P = "m", "n", "p"
A, B = sym("A", kind=matrix(_M, _N)), sym("B", kind=matrix(_N, _P))
SQ = sym("X", kind=matrix(_N, _N))
VA, Z = sym("a", kind=vector(_N)), sym("z", kind=vector(_N))
MZ = sym("Z", kind=matrix(_M, _N))
AN = sym("A", kind=matrix(_M, _N))
BN = sym("B", kind=matrix(_M, _N))
U = sym("u")
P = sym("p")


def _d(e: Sym) -> Sym:
    return dsym(e)


def inner(a: Expr, b: Expr) -> Expr:
    """<a, b>: aᵀb for vectors, tr(aᵀb) for matrices, ab for scalars."""
    if a.kind is SCALAR:
        return mul(a, b)
    at = transpose(a)
    return mul(at, b) if len(a.kind.shape) == 1 else func("tr", mul(at, b))


@cache
def formula(rule: str, variant: str = "") -> DFormula | None:
    """The rule's formula over template names; `variant` picks vector or matrix forms."""
    dA, dB, dX, da, dz, dZ, du = _d(A), _d(B), _d(SQ), _d(VA), _d(Z), _d(MZ), _d(U)
    table: dict[str, Callable[[], DFormula]] = {
        "d_sum": lambda: DFormula(add(AN, BN), add(_d(AN), _d(BN))),
        "d_product": lambda: DFormula(mul(A, B), add(mul(dA, B), mul(A, dB))),
        "d_transpose": lambda: DFormula(transpose(A), transpose(dA)),
        "d_trace": lambda: DFormula(func("tr", SQ), func("tr", dX)),
        "d_trace_product": lambda: DFormula(func("tr", mul(A, sym("X", kind=matrix(_N, _P)), sym("B", kind=matrix(_P, _M)))),
                                            func("tr", mul(A, sym("dX", kind=matrix(_N, _P)), sym("B", kind=matrix(_P, _M))))),
        "d_inverse": lambda: DFormula(func("inv", SQ), neg(mul(func("inv", SQ), dX, func("inv", SQ)))),
        "d_det": lambda: DFormula(func("det", SQ), mul(func("det", SQ), func("tr", mul(func("inv", SQ), dX)))),
        "d_logdet": lambda: DFormula(func("logdet", SQ), func("tr", mul(func("inv", SQ), dX))),
        "d_sum_entries": lambda: DFormula(func("sum", AN), func("sum", _d(AN))),
        "d_norm": lambda: (DFormula(func("norm", VA), mul(inner(VA, da), pow_(func("norm", VA), NEG_ONE)))
                           if variant == "vector" else
                           DFormula(func("norm", AN), mul(inner(AN, _d(AN)), pow_(func("norm", AN), NEG_ONE)))),
        "d_norm1": lambda: DFormula(func("norm1", VA), mul(transpose(func("sign", VA)), da)),
        "d_softmax": lambda: DFormula(func("softmax", Z), mul(sub(func("diag", func("softmax", Z)),
                                                              mul(func("softmax", Z), transpose(func("softmax", Z)))), dz)),
        "d_softmax_rows": lambda: _softmax_rows(MZ, dZ),
        "d_logsumexp": lambda: DFormula(func("logsumexp", Z), mul(transpose(func("softmax", Z)), dz)),
        "d_logsumexp_rows": lambda: _logsumexp_rows(MZ, dZ),
        "d_diag": lambda: DFormula(func("diag", Z), func("diag", dz)),
        "d_hadamard": lambda: DFormula(hadamard(AN, BN), add(hadamard(_d(AN), BN), hadamard(AN, _d(BN)))),
        "d_hadamard_power": lambda: DFormula(hadamard_pow(AN, P),
                                             mul(P, hadamard(hadamard_pow(AN, add(P, NEG_ONE)), _d(AN)))),
        "d_power": lambda: DFormula(pow_(U, P), mul(P, pow_(U, add(P, NEG_ONE)), du)),
        "d_exp": lambda: (DFormula(pow_(E, AN), hadamard(pow_(E, AN), _d(AN))) if variant == "array"
                          else DFormula(pow_(E, U), mul(pow_(E, U), du))),
        "d_log": lambda: (DFormula(ln(AN), hadamard(_d(AN), hadamard_pow(AN, NEG_ONE))) if variant == "array"
                          else DFormula(ln(U), mul(du, pow_(U, NEG_ONE)))),
    }
    if rule in table:
        return table[rule]()
    if rule.startswith(("d_function:", "d_entrywise:")):  # d f(u) = f'(u) du; entrywise d f(A) = f'(A) .* dA
        row = FUNCTIONS[rule.split(":", 1)[1]]
        if variant == "array":
            return DFormula(func(row.name, AN), hadamard(lift(row.derivative, AN), _d(AN)))
        return DFormula(func(row.name, U), mul(row.derivative(U), du))
    return None


def _softmax_rows(z: Expr, dz: Expr) -> DFormula:
    s = func("softmax", z)
    return DFormula(s, _softmax_rows_value(z, dz))


def _softmax_rows_value(z: Expr, dz: Expr) -> Expr:
    """Row by row, ds = s .* (dz - (sᵀdz) 1): S .* (dZ - (S .* dZ)*1*1ᵀ)."""
    from ..expr import ones

    s = func("softmax", z)
    one = ones(Kind((z.kind.cols,)))
    return hadamard(s, sub(dz, mul(hadamard(s, dz), one, transpose(one))))


def _logsumexp_rows(z: Expr, dz: Expr) -> DFormula:
    return DFormula(func("logsumexp", z), _logsumexp_rows_value(z, dz))


def _logsumexp_rows_value(z: Expr, dz: Expr) -> Expr:
    from ..expr import ones

    return mul(hadamard(func("softmax", z), dz), ones(Kind((z.kind.cols,))))


# ------------------------------------------------------------------ rules
# Each rule: (node, the children's differentials (None: constant), dX) ->
# (rule name, the node's differential, formula variant, bindings).

Made = tuple[str, Expr, str, tuple[tuple[Expr, Expr], ...]]
DRule = Callable[[Expr, tuple["Expr | None", ...]], Made]


def _add(c: Expr, ds: tuple[Expr | None, ...]) -> Made:
    return "d_sum", add(*(d for d in ds if d is not None)), "", ()


def _mul(c: Expr, ds: tuple[Expr | None, ...]) -> Made:
    f = c.factors
    terms = [mul(*f[:i], d, *f[i + 1:]) for i, d in enumerate(ds) if d is not None]
    return "d_product", add(*terms), "", ()


def _transpose(c: Expr, ds: tuple[Expr | None, ...]) -> Made:
    (d,) = ds
    assert d is not None
    return "d_transpose", transpose(d), "", ()


def _hadamard(c: Expr, ds: tuple[Expr | None, ...]) -> Made:
    f = c.factors
    terms = [hadamard(*f[:i], d, *f[i + 1:]) for i, d in enumerate(ds) if d is not None]
    return "d_hadamard", add(*terms), "", ()


def _hadamard_pow(c: Expr, ds: tuple[Expr | None, ...]) -> Made:
    db, de = ds
    if de is not None or db is None:
        raise _not_yet(f"an entrywise power with a varying exponent ({c})")
    b, p = c.base, c.exp
    return "d_hadamard_power", mul(p, hadamard(hadamard_pow(b, add(p, NEG_ONE)), db)), "", ((AN, b), (P, p))


def _pow(c: Expr, ds: tuple[Expr | None, ...]) -> Made:
    b, p = c.base, c.exp
    db, dp = ds
    if b.kind is SCALAR and p.kind is SCALAR:
        if dp is None and db is not None:
            return "d_power", mul(p, pow_(b, add(p, NEG_ONE)), db), "", ((U, b), (P, p))
        if db is None and dp is not None and b is E:
            return "d_exp", mul(c, dp), "", ((U, p),)
        raise _not_yet(f"a power with a varying exponent ({c})")
    if b.kind is SCALAR:  # e^A, entrywise
        if db is not None or dp is None or b is not E:
            raise _not_yet(f"the power {c}")
        return "d_exp", hadamard(c, dp), "array", ((AN, p),)
    if dp is not None or db is None or type(p) is not Num or p.value.denominator != 1 or p.value < 1:
        raise _not_yet(f"the power {c}")
    n = int(p.value)

    def power(k: int) -> list[Expr]:
        return [] if k == 0 else [b] if k == 1 else [pow_(b, num(k))]

    return "d_matrix_power", add(*(mul(*power(k), db, *power(n - 1 - k)) for k in range(n))), "", ()


def _log(c: Expr, ds: tuple[Expr | None, ...]) -> Made:
    da, dbase = ds
    if dbase is not None or da is None:
        raise _not_yet(f"a logarithm to a varying base ({c})")
    a = c.arg
    scale = ONE if c.base is E else pow_(ln(c.base), NEG_ONE)
    if a.kind is SCALAR:
        return "d_log", mul(scale, da, pow_(a, NEG_ONE)), "", ((U, a),)
    return "d_log", mul(scale, hadamard(da, hadamard_pow(a, NEG_ONE))), "array", ((AN, a),)


def _array_function(c: Expr, d: Expr) -> Made:
    """d f(A) for the functions of arrays, by name (each has a rule: a test checks)."""
    a = c.args[0]
    name = c.name
    vec = len(a.kind.shape) == 1
    if name == "tr":
        return "d_trace", func("tr", d), "", ((SQ, a),)
    if name == "det":
        return "d_det", mul(c, func("tr", mul(func("inv", a), d))), "", ((SQ, a),)
    if name == "logdet":
        return "d_logdet", func("tr", mul(func("inv", a), d)), "", ((SQ, a),)
    if name == "inv":
        return "d_inverse", neg(mul(c, d, c)), "", ((SQ, a),)
    if name == "sum":
        return "d_sum_entries", func("sum", d), "", ((AN, a),)
    if name == "norm":
        return "d_norm", mul(inner(a, d), pow_(c, NEG_ONE)), "vector" if vec else "matrix", \
            (((VA if vec else AN), a),)
    if name == "norm1":
        if not vec:
            raise _not_yet("the 1-norm of a matrix")
        return "d_norm1", mul(transpose(func("sign", a)), d), "", ((VA, a),)
    if name == "softmax":
        if vec:
            s = c
            return "d_softmax", mul(sub(func("diag", s), mul(s, transpose(s))), d), "", ((Z, a),)
        return "d_softmax_rows", _softmax_rows_value(a, d), "", ((MZ, a),)
    if name == "logsumexp":
        if vec:
            return "d_logsumexp", mul(transpose(func("softmax", a)), d), "", ((Z, a),)
        return "d_logsumexp_rows", _logsumexp_rows_value(a, d), "", ((MZ, a),)
    if name == "diag":
        return "d_diag", func("diag", d), "", (((Z if vec else SQ), a),)
    raise _not_yet(f"the function {name}")


# The functions of arrays the rules above cover; a test checks every row of
# `symdiff.functions.ARRAY_ROWS` is among them.
ARRAY_RULES = frozenset({"tr", "det", "logdet", "inv", "sum", "norm", "norm1", "softmax", "logsumexp", "diag"})


def _func(c: Expr, ds: tuple[Expr | None, ...]) -> Made:
    if c.name in ARRAY_FUNCTIONS and not c.rest:
        d = ds[0]
        assert d is not None
        return _array_function(c, d)
    row = FUNCTIONS.get(c.name)
    if row is None or row.arity != 1 or ds[0] is None:
        raise _not_yet(f"the function {c.name}")
    a, d = c.arg, ds[0]
    if a.kind is SCALAR:
        return f"d_function:{row.name}", mul(row.derivative(a), d), "", ((U, a),)
    return f"d_entrywise:{row.name}", hadamard(lift(row.derivative, a), d), "array", ((AN, a),)


def _refuse(c: Expr, ds: tuple[Expr | None, ...]) -> Made:
    raise _not_yet(type(c).__name__)


DRULES: dict[type[Expr], DRule] = {
    Add: _add, Mul: _mul, Pow: _pow, Log: _log, Func: _func, Transpose: _transpose,
    Hadamard: _hadamard, HadamardPow: _hadamard_pow,
    Sum: _refuse, Delta: _refuse, Derivative: _refuse,
}
# Leaves never reach a rule: the variable's differential is dX, a constant's 0.
LEAVES = (Num, Const, Sym, ArrayConst)


# ------------------------------------------------------------------ the walk


@dataclass(frozen=True)
class Differentials:
    """df step by step."""

    root: DStep
    df: Expr  # the differential of f, simplified
    dx: Sym


def gradient_of(d: Differentials, tidy: Callable[[Expr], Expr] = lambda e: e) -> Expr:
    """G with df = <G, dX>: the adjoint of the linear map dX -> df, which is
    what rearranging df with the trace rules does."""
    return tidy(adjoint(d.df, d.dx))


def _trace_of_product(c: Expr, ds: dict[Expr, Expr], steps: dict[Expr, DStep], x: Sym) -> DStep | None:
    """d tr(A*X*B) = tr(A*dX*B) in one step, when one factor of the product varies."""
    a = c.args[0]
    if type(a) is not Mul:
        return None
    varying = [i for i, f in enumerate(a.factors) if x in f.free]
    if len(varying) != 1 or a.factors[varying[0]].kind is SCALAR:
        return None
    i = varying[0]
    left, middle, right = a.factors[:i], a.factors[i], a.factors[i + 1:]
    if not left and not right:
        return None
    dm = ds[middle]
    value = func("tr", mul(*left, dm, *right))
    bindings = tuple(p for p in ((A, mul(*left)) if left else None, (sym("X"), middle),
                                 (B, mul(*right)) if right else None) if p is not None)
    sub_steps = (steps[middle],) if middle in steps else ()
    return DStep("d_trace_product", c, value, formula("d_trace_product"), bindings, sub_steps)


def differentials(f: Expr, x: Sym, tidy: Callable[[Expr], Expr] = lambda e: e) -> Differentials:
    """The steps of df for the scalar `f` by `x` (each differential put through `tidy`)."""
    if f.kind is not SCALAR:
        raise _not_yet(f"a {f.kind} (the steps are of a scalar's gradient)")
    dx = dsym(x)
    if any(s.name == dx.name for s in f.free):
        raise _not_yet(f"an expression that uses the name {dx.name}")
    ds: dict[Expr, Expr] = {}
    steps: dict[Expr, DStep] = {}
    for node in postorder(f):
        if x not in node.free:
            continue
        if node is x:
            ds[node] = dx
            continue
        if isinstance(node, LEAVES):
            raise _not_yet(f"the leaf {node}")
        kids = tuple(ds.get(k) for k in node.args)
        step = _trace_of_product(node, ds, steps, x) if type(node) is Func and node.name == "tr" else None
        if step is None:
            rule, value, variant, bindings = DRULES[type(node)](node, kids)
            subs = tuple(steps[k] for k in dict.fromkeys(node.args) if k in steps)
            step = DStep(rule, node, value, formula(rule, variant) if rule != "d_matrix_power"
                         else DFormula(node, value), bindings, subs)
        shown = tidy(step.result)
        step = DStep(step.rule, step.expr, shown, step.formula, step.bindings, step.substeps)
        ds[node], steps[node] = shown, step
    if f not in steps:  # f is x itself, or does not depend on it
        raise _not_yet("an expression that is its own variable or does not depend on it")
    return Differentials(steps[f], ds[f], dx)
