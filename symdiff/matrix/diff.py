"""Differentiation in matrix form: reverse-mode adjoints over the expression DAG.

Each node kind owns its adjoint rule (the `ADJOINT` column, a row table of
`core.rows`): given a node C and its adjoint G (of C's kind), the rule gives
what each child's adjoint gains, `C = A*B: Ā += G Bᵀ, B̄ += Aᵀ G`.  Nodes are
visited parents first (reversed post-order), each once, so shared sub-trees
cost one visit.  The gradient of a scalar has the variable's shape (the Matrix
Cookbook's layout).  Jacobians of a vector by a vector go forward (`TANGENT`:
dC from the children's dA, rows(f) × rows(x)); a Hessian by a vector is the
Jacobian of the gradient.  Functions of arrays give their rules in their
rows (`symdiff.functions.ARRAY_ROWS`); a scalar function applied entrywise
gives its derivative, lifted to act entry by entry.
"""

from __future__ import annotations

from typing import Callable

from ..core.rows import table
from ..errors import DifferentiationError
from ..expr import (
    E, NEG_ONE, ONE, SCALAR, ZERO, Add, ArrayConst, Const, Delta, Derivative, Expr, Func, Hadamard, HadamardPow, Log,
    Mul, Num, Pow, Sum, Sym, Transpose, add, fold, func, hadamard, hadamard_pow, identity, ln, log, mul, num,
    postorder, pow_, transpose,
)
from ..functions import ARRAY_FUNCTIONS, FUNCTIONS

Contributions = list[tuple[Expr, Expr]]  # (child, what its adjoint gains)
Rule = Callable[[Expr, Expr, Sym], Contributions]


def _depends(e: Expr, v: Sym) -> bool:
    return v in e.free


def _inner(g: Expr, m: Expr) -> Expr:
    """<G, M> = sum(G .* M), a scalar; plain product when both are scalars."""
    if g.kind is SCALAR and m.kind is SCALAR:
        return mul(g, m)
    return func("sum", hadamard(g, m))


def _not_yet(what: str) -> DifferentiationError:
    return DifferentiationError(f"{what}: not yet for vectors and matrices")


def _mul(c: Expr, g: Expr, v: Sym) -> Contributions:
    out: Contributions = []
    factors = c.factors
    scalars = [f for f in factors if f.kind is SCALAR]
    arrays = [f for f in factors if f.kind is not SCALAR]
    j = -1  # f's place among the arrays
    for i, f in enumerate(factors):
        if f.kind is not SCALAR:
            j += 1
        if not _depends(f, v):
            continue
        if f.kind is SCALAR:
            out.append((f, _inner(g, mul(*factors[:i], *factors[i + 1:]))))
            continue
        left, right = arrays[:j], arrays[j + 1:]
        parts = [*scalars]
        if left:
            parts.append(transpose(mul(*left)))
        parts.append(g)
        if right:
            parts.append(transpose(mul(*right)))
        out.append((f, mul(*parts)))
    return out


def lift(derivative: Callable[[Expr], Expr], a: Expr) -> Expr:
    """f'(A) entry by entry: f'(u) built on a scalar u, then u := A with every
    product and power made entrywise."""
    u = Sym("□", ())
    scalar = derivative(u)

    def visit(node: Expr, kids: tuple[Expr, ...]) -> Expr:
        if node is u:
            return a
        t = type(node)
        if not kids or all(k is n for k, n in zip(kids, node.args)):
            return node
        if t is Mul:
            return hadamard(*kids)
        if t is Pow:
            base, exp = kids
            return pow_(base, exp) if base.kind is SCALAR else hadamard_pow(base, exp)
        return node.rebuild(kids)

    return fold(scalar, visit)


def _func(c: Expr, g: Expr, v: Sym) -> Contributions:
    a = c.arg
    row = ARRAY_FUNCTIONS.get(c.name)
    if row is not None and not c.rest:
        return [(a, row.adjoint(a, g, c))]
    scalar_row = FUNCTIONS.get(c.name)
    if scalar_row is None or scalar_row.arity != 1:
        raise _not_yet(f"the derivative of {c.name}")
    if a.kind is SCALAR:
        return [(a, mul(g, scalar_row.derivative(a)))]
    return [(a, hadamard(g, lift(scalar_row.derivative, a)))]


def _pow(c: Expr, g: Expr, v: Sym) -> Contributions:
    b, e = c.base, c.exp
    out: Contributions = []
    if c.kind is SCALAR:
        if _depends(b, v):
            if type(b) is Func and b.name == "norm" and type(e) is Num:
                # d norm(A)^n = n*norm(A)^(n-2) <A, dA>: no norm over norm to cancel
                out.append((b.arg, mul(g, e, pow_(b, num(e.value - 2)), b.arg)))
            else:
                out.append((b, mul(g, e, pow_(b, add(e, NEG_ONE)))))
        if _depends(e, v):
            out.append((e, mul(g, ln(b), c)))
        return out
    if b.kind is SCALAR:  # b^A entrywise: exp(A)
        if _depends(b, v):
            raise _not_yet("a power with a varying base and a vector or matrix exponent")
        return [(e, hadamard(g, c) if b is E else mul(ln(b), hadamard(g, c)))]
    if _depends(e, v) or type(e) is not Num or e.value.denominator != 1 or e.value < 1:
        raise _not_yet(f"the power {c}")
    n = int(e.value)
    bt = transpose(b)
    def power(k: int) -> Expr:
        return identity(b.kind.rows) if k == 0 else pow_(bt, num(k))

    terms = [mul(power(k), g, power(n - 1 - k)) for k in range(n)]
    return [(b, add(*terms))]


def _log(c: Expr, g: Expr, v: Sym) -> Contributions:
    a, base = c.arg, c.base
    if _depends(base, v):
        raise _not_yet("a logarithm to a varying base")
    scale = ONE if base is E else pow_(ln(base), NEG_ONE)
    if a.kind is SCALAR:
        return [(a, mul(g, scale, pow_(a, NEG_ONE)))]
    return [(a, mul(scale, hadamard(g, hadamard_pow(a, NEG_ONE))))]


def _add(c: Expr, g: Expr, v: Sym) -> Contributions:
    return [(t, func("sum", g) if t.kind is SCALAR and c.kind is not SCALAR else g)
            for t in c.terms if _depends(t, v)]


def _hadamard(c: Expr, g: Expr, v: Sym) -> Contributions:
    out: Contributions = []
    for i, f in enumerate(c.factors):
        if _depends(f, v):
            out.append((f, hadamard(g, *c.factors[:i], *c.factors[i + 1:])))
    return out


def _hadamard_pow(c: Expr, g: Expr, v: Sym) -> Contributions:
    b, e = c.base, c.exp
    out: Contributions = []
    if _depends(b, v):
        out.append((b, mul(e, hadamard(g, hadamard_pow(b, add(e, NEG_ONE))))))
    if _depends(e, v):
        out.append((e, func("sum", hadamard(g, c, log(b)))))
    return out


def _leaf(c: Expr, g: Expr, v: Sym) -> Contributions:
    return []


def _refuse(c: Expr, g: Expr, v: Sym) -> Contributions:
    raise _not_yet(f"differentiating {type(c).__name__} ({c})")


# The adjoint column of each node kind's row.
ADJOINT: dict[type[Expr], Rule] = table("matrix adjoint")
ADJOINT.update({
    Num: _leaf, Const: _leaf, Sym: _leaf, ArrayConst: _leaf,
    Add: _add, Mul: _mul, Pow: _pow, Log: _log, Func: _func,
    Transpose: lambda c, g, v: [(c.arg, transpose(g))],
    Hadamard: _hadamard, HadamardPow: _hadamard_pow,
    Sum: _refuse, Delta: _refuse, Derivative: _refuse,
})


def adjoint(f: Expr, v: Sym) -> Expr:
    """The gradient of the scalar `f` by `v`, of v's kind, unsimplified."""
    if f.kind is not SCALAR:
        raise DifferentiationError(f"the gradient is of a scalar; {f} is a {f.kind}: ask for its Jacobian")
    if not _depends(f, v):
        return ZERO if v.kind is SCALAR else mul(ZERO, v)
    gains: dict[Expr, list[Expr]] = {f: [ONE]}
    for node in reversed(list(postorder(f))):
        got = gains.pop(node, None)
        if got is None or node is v:
            if node is v:
                gains[v] = got or []
            continue
        g = add(*got)
        for child, gain in ADJOINT[type(node)](node, g, v):
            gains.setdefault(child, []).append(gain)
    return add(*gains.get(v, [ZERO]))


# ------------------------------------------------------------------ forward mode

Tangent = Callable[[Expr, tuple[Expr | None, ...], Sym], Expr]


def _diag(e: Expr) -> Expr:
    return func("diag", e)


def _t_mul(c: Expr, dt: tuple[Expr | None, ...], x: Sym) -> Expr:
    factors = c.factors
    arrays = [f for f in factors if f.kind is not SCALAR]
    terms: list[Expr] = []
    for i, (f, d) in enumerate(zip(factors, dt)):
        if d is None:
            continue
        rest = [*factors[:i], *factors[i + 1:]]
        if f.kind is SCALAR:
            terms.append(mul(mul(*rest), d) if c.kind is SCALAR else mul(mul(*rest), d))
        elif f is arrays[-1] and len(f.kind.shape) == 1:
            terms.append(mul(*rest, d))
        elif c.kind is SCALAR and f is arrays[0] and type(f) is Transpose and len(f.arg.kind.shape) == 1:
            terms.append(mul(*(s for s in rest if s.kind is SCALAR), transpose(mul(*arrays[1:])), d))
        else:
            raise _not_yet(f"the Jacobian of {c}")
    return add(*terms)


def _t_func(c: Expr, dt: tuple[Expr | None, ...], x: Sym) -> Expr:
    a, (d,) = c.arg, dt
    assert d is not None
    row = ARRAY_FUNCTIONS.get(c.name)
    if row is not None:
        out = row.tangent(a, d, c) if row.tangent else None
        if out is None:
            raise _not_yet(f"the Jacobian of {c.name}")
        return out
    scalar_row = FUNCTIONS.get(c.name)
    if scalar_row is None or scalar_row.arity != 1:
        raise _not_yet(f"the Jacobian of {c.name}")
    if a.kind is SCALAR:
        return mul(scalar_row.derivative(a), d)
    return mul(_diag(lift(scalar_row.derivative, a)), d)


def _t_add(c: Expr, dt: tuple[Expr | None, ...], x: Sym) -> Expr:
    return add(*(d for d in dt if d is not None))


def _t_pow(c: Expr, dt: tuple[Expr | None, ...], x: Sym) -> Expr:
    b, e = c.base, c.exp
    db, de = dt
    if c.kind is SCALAR and de is None and db is not None:
        return mul(e, pow_(b, add(e, NEG_ONE)), db)
    if b.kind is SCALAR and db is None and de is not None and b is E:
        return mul(_diag(c), de)
    raise _not_yet(f"the Jacobian of {c}")


def _t_log(c: Expr, dt: tuple[Expr | None, ...], x: Sym) -> Expr:
    da = dt[0]
    if c.base is not E or da is None or dt[1] is not None:
        raise _not_yet(f"the Jacobian of {c}")
    a = c.arg
    return mul(pow_(a, NEG_ONE), da) if a.kind is SCALAR else mul(_diag(hadamard_pow(a, NEG_ONE)), da)


def _t_hadamard(c: Expr, dt: tuple[Expr | None, ...], x: Sym) -> Expr:
    if len(c.kind.shape) != 1:
        raise _not_yet(f"the Jacobian of {c}")
    terms = [mul(_diag(hadamard(*c.factors[:i], *c.factors[i + 1:])), d)
             for i, d in enumerate(dt) if d is not None]
    return add(*terms)


def _t_hadamard_pow(c: Expr, dt: tuple[Expr | None, ...], x: Sym) -> Expr:
    db, de = dt
    if de is not None or db is None or len(c.kind.shape) != 1:
        raise _not_yet(f"the Jacobian of {c}")
    return mul(_diag(mul(c.exp, hadamard_pow(c.base, add(c.exp, NEG_ONE)))), db)


def _t_refuse(c: Expr, dt: tuple[Expr | None, ...], x: Sym) -> Expr:
    raise _not_yet(f"the Jacobian of {type(c).__name__} ({c})")


TANGENT: dict[type[Expr], Tangent] = table("matrix tangent")
TANGENT.update({
    Num: _t_refuse, Const: _t_refuse, ArrayConst: _t_refuse, Sym: _t_refuse,  # constants never get here
    Add: _t_add, Mul: _t_mul, Pow: _t_pow, Log: _t_log, Func: _t_func,
    Hadamard: _t_hadamard, HadamardPow: _t_hadamard_pow,
    Transpose: _t_refuse, Sum: _t_refuse, Delta: _t_refuse, Derivative: _t_refuse,
})


def tangent(f: Expr, x: Sym) -> Expr:
    """The Jacobian of the vector (or scalar) `f` by the vector `x`: rows(f) × rows(x), unsimplified."""
    if len(x.kind.shape) != 1:
        raise DifferentiationError(f"a Jacobian is by a vector; {x} is a {x.kind}")
    if len(f.kind.shape) == 2:
        raise _not_yet(f"the Jacobian of the matrix {f}")
    done: dict[Expr, Expr | None] = {}
    for node in postorder(f):
        if not _depends(node, x):
            done[node] = None
        elif node is x:
            done[node] = identity(x.kind.shape[0])
        else:
            done[node] = TANGENT[type(node)](node, tuple(done[k] for k in node.args), x)
    out = done[f]
    if out is None:
        rows = 1 if f.kind is SCALAR else f.kind.shape[0]
        return mul(ZERO, pow_(identity(rows), ONE)) if rows != 1 else mul(ZERO, transpose(x))
    return out
