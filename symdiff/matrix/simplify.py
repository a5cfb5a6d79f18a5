"""Simplification of vector and matrix expressions: named rewrites, bottom up, until nothing changes.

Every rewrite holds wherever its input is defined on the reals, whatever the
sizes.  The constructors already remove transposes (`(A^T)^T`, `(A*B)^T` where
that leaves fewer) and pull scalars out of entrywise products; these add:

- `I` drops out of a product (`A*I = A`), `diag(c*1) = c*I`;
- powers of one scalar base with whole exponents gather (`n^1*n^-1 = 1`);
- linear reductions take their scalars out (`sum(c*M) = c*sum(M)`, `tr`);
- `inv(inv(A)) = A`;
- like terms of a sum gather (`2*X^T*y - X^T*y = X^T*y`), and common factors come
  out: scalars (`2*a - 2*b = 2*(a - b)`), arrays on the left
  (`X^T*a - X^T*b = X^T*(a - b)`) and on the right (`A*x + A^T*x = (A + A^T)*x`);
- a declared symmetric matrix is its own transpose (`S^T = S`);
- equal neighbours in a matrix product gather as a power (`X^T*X^T = (X^T)^2`);
- the diagonal: `I .* M = diag(diag(M))`, and `diag` of an entrywise function,
  product or power of a square matrix is that of its diagonal
  (`diag(cos(X)) = cos(diag(X))`);
- an entrywise product of sums is multiplied out when that is shorter
  (`s .* (1 - s) .* ((1 - s).^(-1) .* (1 - t) - t .* s.^(-1)) = s - t`).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from ..core.arrays import ENTRYWISE_TRANSPOSE
from ..functions import ROWS
from ..expr import (
    E, IDENTITY, ONE, ONES, SCALAR, Add, ArrayConst, Expr, Func, Hadamard, HadamardPow, Mul, Num,
    Pow, Sym, Transpose, add, func, hadamard, hadamard_pow, identity, mul, num, pow_, replace_subtrees, size, transform,
)

from ..terms import is_negative  # noqa: E402

LINEAR = frozenset({"sum", "tr"})  # f(c*M) = c*f(M)
MAX_ROUNDS = 20


def _split(term: Expr) -> tuple[Fraction, list[Expr], list[Expr]]:
    """(number, other scalar factors, array factors in order) of a term."""
    coeff = Fraction(1)
    scalars: list[Expr] = []
    arrays: list[Expr] = []
    for f in term.factors if type(term) is Mul else (term,):
        if type(f) is Num:
            coeff *= f.value
        elif f.kind is SCALAR:
            scalars.append(f)
        else:
            arrays.append(f)
    return coeff, scalars, arrays


def _product(coeff: Fraction, scalars: Iterable[Expr], arrays: Iterable[Expr]) -> Expr:
    return mul(num(coeff), *scalars, *arrays)


def _gather_powers(e: Expr) -> Expr | None:
    """x^a*x^b = x^(a+b) for scalar factors with whole exponents."""
    seen: dict[Expr, list[Fraction]] = {}
    order: list[Expr] = []
    others: list[Expr] = []
    for f in e.factors:
        if f.kind is not SCALAR or type(f) is Num:
            others.append(f)
            continue
        base, k = (f.base, f.exp) if type(f) is Pow else (f, ONE)
        if type(k) is not Num or k.value.denominator != 1:
            others.append(f)
            continue
        if base not in seen:
            order.append(base)
        seen.setdefault(base, []).append(k.value)
    if all(len(v) == 1 for v in seen.values()):
        return None
    return mul(*(pow_(b, num(sum(seen[b]))) for b in order), *others)


def _matrix_power(f: Expr) -> tuple[Expr, int]:
    """(base, whole exponent) of an array factor: `A^3` -> (A, 3), `A` -> (A, 1)."""
    if type(f) is Pow and f.base.kind is not SCALAR and type(f.exp) is Num and f.exp.value.denominator == 1 \
            and f.exp.value > 0:
        return f.base, int(f.exp.value)
    return f, 1


def _neighbours(e: Expr) -> Expr | None:
    """A*A = A^2, A^2*A = A^3: equal neighbours of a matrix product gather (scalars commute out)."""
    scalars = [f for f in e.factors if f.kind is SCALAR]
    runs: list[tuple[Expr, int]] = []
    for f in e.factors:
        if f.kind is SCALAR:
            continue
        base, k = _matrix_power(f)
        if runs and runs[-1][0] == base:
            runs[-1] = (base, runs[-1][1] + k)
        else:
            runs.append((base, k))
    if len(runs) == sum(1 for f in e.factors if f.kind is not SCALAR):
        return None
    return mul(*scalars, *(b if k == 1 else pow_(b, num(k)) for b, k in runs))


def _mul(e: Expr) -> Expr | None:
    arrays = [f for f in e.factors if f.kind is not SCALAR]
    if len(arrays) > 1 and any(type(f) is ArrayConst and f.name == IDENTITY for f in arrays):
        kept = [f for f in e.factors if not (type(f) is ArrayConst and f.name == IDENTITY)]
        if any(f.kind is not SCALAR for f in kept):
            return mul(*kept)
    return _neighbours(e) if len(arrays) > 1 else _gather_powers(e)


# The logistic row (sigmoid): exp(u) .* (1 + exp(u)).^(-1) is it, entrywise.
LOGISTIC = next(row.name for row in ROWS if row.logistic)


def _logistic(factors: tuple[Expr, ...]) -> Expr | None:
    """`exp(u) .* (1 + exp(u)).^(-1) -> sigmoid(u)`: equal everywhere, and finite
    where the quotient overflows (u of order 1e3)."""
    for f in factors:
        if type(f) is HadamardPow and f.exp == Num(-1) and type(f.base) is Add and len(f.base.terms) == 2 \
                and ONE in f.base.terms:
            power = next(t for t in f.base.terms if t is not ONE)
            if type(power) is Pow and power.base is E and power in factors:
                rest = [g for g in factors if g is not f and g is not power]
                return hadamard(*rest, func(LOGISTIC, power.exp))
    return None


def _hadamard(e: Expr) -> Expr | None:
    """`I .* M = diag(diag(M))`; `exp(u) .* (1 + exp(u)).^(-1) = sigmoid(u)`; a sum among the
    factors multiplied out, when that is shorter (the others may cancel against its terms:
    `s .* (1 - s) .* ((1 - s).^(-1) .* u)`)."""
    rest = [f for f in e.factors if not (type(f) is ArrayConst and f.name == IDENTITY)]
    if len(rest) < len(e.factors) and rest:
        return func("diag", func("diag", hadamard(*rest)))
    logistic = _logistic(e.factors)
    if logistic is not None:
        return logistic
    best: Expr | None = None
    for k, f in enumerate(e.factors):
        if type(f) is Add:
            others = e.factors[:k] + e.factors[k + 1:]
            candidate = simplify(add(*(hadamard(*others, t) for t in f.terms)))
            if size(candidate) < size(best if best is not None else e):
                best = candidate
    return best


def _multiplied_out(e: Expr) -> Expr | None:
    """Entrywise products of sums in a sum, multiplied out, when the terms then cancel:
    `s .* (1 - t) - t .* (1 - s) = s - t`."""
    terms: list[Expr] = []
    for t in e.terms:
        coeff, scalars, arrays = _split(t)
        if len(arrays) == 1 and type(arrays[0]) is Hadamard and any(type(f) is Add for f in arrays[0].factors):
            expanded: list[Expr] = [_product(coeff, scalars, [])]
            for f in arrays[0].factors:
                expanded = [hadamard(x, p) for x in expanded for p in (f.terms if type(f) is Add else (f,))]
            terms += expanded
        else:
            terms.append(t)
        if len(terms) > 64:  # multiplying out grows as a product of the sums' lengths
            return None
    if len(terms) == len(e.terms):
        return None
    candidate = simplify(add(*terms))
    return candidate if size(candidate) < size(e) else None


def _diagonal(e: Expr) -> Expr | None:
    """diag of a square matrix's entrywise function, product or power: that of its diagonal."""
    a = e.arg
    if len(a.kind.shape) != 2:
        return None
    t = type(a)
    if t is Func and a.name in ENTRYWISE_TRANSPOSE and not a.rest:
        return func(a.name, func("diag", a.arg))
    if t is Hadamard:
        return hadamard(*(func("diag", f) for f in a.factors))
    if t is HadamardPow:
        return hadamard_pow(func("diag", a.base), a.exp)
    if t is Pow and a.base.kind is SCALAR:  # exp(X) is e^X entrywise
        return pow_(a.base, func("diag", a.exp))
    return None


def _func(e: Expr) -> Expr | None:
    a = e.arg
    if e.rest:
        return None
    if e.name == "inv" and type(a) is Func and a.name == "inv":
        return a.arg
    if e.name in LINEAR and type(a) is Mul:
        coeff, scalars, arrays = _split(a)
        if (coeff != 1 or scalars) and arrays:
            return _product(coeff, scalars, [func(e.name, mul(*arrays))])
    if e.name == "diag" and len(a.kind.shape) == 2:
        return _diagonal(e)
    if e.name == "diag":
        coeff, scalars, arrays = _split(a)
        if len(arrays) == 1 and type(arrays[0]) is ArrayConst and arrays[0].name == ONES \
                and len(arrays[0].kind.shape) == 1:
            return _product(coeff, scalars, [identity(arrays[0].kind.shape[0])])
    return None


def _like_terms(e: Expr) -> Expr | None:
    groups: dict[tuple[Expr, ...], Fraction] = {}
    for t in e.terms:
        coeff, scalars, arrays = _split(t)
        key = (*scalars, *arrays)
        groups[key] = groups.get(key, Fraction(0)) + coeff
    if len(groups) == len(e.terms):
        return None
    return add(*(mul(num(c), *key) for key, c in groups.items() if c != 0))


def _common(e: Expr) -> Expr | None:
    """Factors every term shares: scalars, then a left or a right array factor."""
    if e.kind is SCALAR:
        return None
    parts = [_split(t) for t in e.terms]
    shared = [s for s in parts[0][1] if all(s in p[1] for p in parts[1:])]
    coeffs = {abs(p[0]) for p in parts}
    c = coeffs.pop() if len(coeffs) == 1 else Fraction(1)
    if shared or c != 1:
        def without(p: tuple[Fraction, list[Expr], list[Expr]]) -> Expr:
            rest = list(p[1])
            for s in shared:
                rest.remove(s)
            return _product(p[0] / c, rest, p[2])
        return _product(c, shared, [add(*map(without, parts))])
    for side in (0, -1):
        heads = {p[2][side] if len(p[2]) > 1 else None for p in parts}
        if len(heads) == 1 and None not in heads:
            (head,) = heads
            assert head is not None
            inner = add(*(_product(p[0], p[1], p[2][1:] if side == 0 else p[2][:-1]) for p in parts))
            return mul(head, inner) if side == 0 else mul(inner, head)
    return _grouped(e, parts)


def _grouped(e: Expr, parts: list[tuple[Fraction, list[Expr], list[Expr]]]) -> Expr | None:
    """Some terms share a left (or right) array factor: those are factored together."""
    for side in (0, -1):
        groups: dict[Expr, list[int]] = {}
        for k, p in enumerate(parts):
            if len(p[2]) > 1:
                groups.setdefault(p[2][side], []).append(k)
        for head, members in groups.items():
            if len(members) > 1 and len(members) < len(parts):
                inner = add(*(e.terms[k] for k in members))
                rest = [t for k, t in enumerate(e.terms) if k not in members]
                factored = _common(inner)
                if factored is not None:
                    return add(factored, *rest)
    return None


def _positive_first(e: Expr) -> Expr | None:
    """`-T + S` reads better as `S - T`: a term without a minus sign leads."""
    if not is_negative(e.terms[0]):
        return None
    for k, t in enumerate(e.terms):
        if not is_negative(t):
            return Add((t, *e.terms[:k], *e.terms[k + 1:]))
    return None


def _add(e: Expr) -> Expr | None:
    return _like_terms(e) or _multiplied_out(e) or _common(e) or _positive_first(e)


REWRITES = {Mul: _mul, Func: _func, Add: _add, Hadamard: _hadamard}


def simplify(e: Expr, symmetric: Iterable[Sym] = ()) -> Expr:
    """A shorter, equal form of a vector or matrix expression."""
    mapping: dict[Expr, Expr] = {Transpose(s): s for s in symmetric}
    for _ in range(MAX_ROUNDS):
        before = e
        if mapping:
            e = replace_subtrees(e, mapping)

        def visit(node: Expr) -> Expr | None:
            rule = REWRITES.get(type(node))
            return rule(node) if rule is not None else None

        e = transform(e, visit)
        if e is before:
            return e
    return e
