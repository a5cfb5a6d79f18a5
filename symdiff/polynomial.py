"""Polynomials with rational coefficients, for the simplifier's rational stage.

An expression is read as a polynomial in *generators*: every sub-tree that is
not a sum, a product, a number or a non-negative integer power of those
(`x`, `sin(x)`, `sqrt(x + 1)`, `exp(x)`).  A `Ring` fixes the generators of
the expressions being compared; a polynomial is a dict from exponent tuples
(one entry per generator) to non-zero Fractions.  Expansion is budgeted: a
conversion that would exceed `MAX_TERMS` terms gives up and returns None.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd
from typing import NamedTuple, cast

from .expr import FACT_ARRAY, Add, Expr, Mul, Num, Pow, add, mul, pow_

# Coefficients are ints where they are whole (int arithmetic is many times
# faster than Fraction's), Fractions otherwise.
Coeff = int | Fraction
Poly = dict[tuple[int, ...], Coeff]


def _exact(c: Fraction) -> Coeff:
    return c.numerator if c.denominator == 1 else c


def _div(a: Coeff, b: Coeff) -> Coeff:
    """a / b, exactly."""
    if type(a) is int and type(b) is int:
        return a // b if a % b == 0 else Fraction(a, b)
    return _exact(Fraction(a) / b)

MAX_TERMS = 200  # expansion budget, in terms of any intermediate polynomial
MAX_POWER = 12  # largest integer power of a sum that is expanded
MAX_DIVISION_STEPS = 2000
MAX_NODES = 150  # sums and products walked per conversion: keeps deep trees linear
MAX_WORK = 3000  # coefficient multiplications per conversion
MAX_GENERATORS = 64  # each multiplication costs one addition per generator
MAX_DEGREE = 64  # dense work (root finding, shifts) only below this degree: erfc(x)^1e32 has one term


class Budget(NamedTuple):
    nodes: int = MAX_NODES
    terms: int = MAX_TERMS
    work: int = MAX_WORK
    generators: int = MAX_GENERATORS


SEARCH = Budget()
# For normalising a higher derivative between orders, where only expansion collects terms.
LARGE = Budget(nodes=50_000, terms=4000, work=4_000_000)


def _is_poly_power(e: Expr) -> bool:
    """A positive integer power: of a generator (any size) or of a sum or product."""
    if not (type(e) is Pow and type(e.exp) is Num and e.exp.value.denominator == 1
            and e.exp.value.numerator > 0):
        return False
    return type(e.base) not in (Add, Mul) or e.exp.value.numerator <= MAX_POWER


def structure(e: Expr, max_nodes: int = MAX_NODES) -> list[Expr] | None:
    """The polynomial nodes of `e` in postorder (generators are not entered),
    or None past MAX_NODES or where a vector or matrix occurs (their products
    do not commute)."""
    if e.facts & FACT_ARRAY:
        return None
    out: list[Expr] = []
    stack: list[tuple[Expr, bool]] = [(e, False)]
    seen: set[int] = set()
    while stack:
        node, expanded = stack.pop()
        if expanded:
            out.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if len(out) + len(stack) > max_nodes:
            return None
        if type(node) in (Add, Mul):
            stack.extend((c, False) for c in node.args)
        elif _is_poly_power(node):
            stack.append((node.base, False))
    return out


class Ring:
    """Polynomials over a fixed, ordered list of generators."""

    def __init__(self, *exprs: Expr, budget: Budget = SEARCH) -> None:
        self.budget = budget
        self.gens: list[Expr] = []
        self.index: dict[Expr, int] = {}
        self.valid = True
        self.walked: dict[Expr, list[Expr]] = {}  # `structure` of each expression given: `poly` reads it again
        for e in exprs:
            nodes = structure(e, budget.nodes)
            if nodes is None:
                self.valid = False
                break
            self.walked[e] = nodes
            for node in nodes:
                if type(node) not in (Add, Mul, Num) and not _is_poly_power(node):
                    if node not in self.index:
                        self.index[node] = len(self.gens)
                        self.gens.append(node)
        self.n = len(self.gens)
        if self.n > budget.generators:
            self.valid = False
        self.zero_mono = (0,) * self.n

    # -------------------------------------------------------------- converting

    def poly(self, e: Expr) -> Poly | None:
        """`e` expanded, or None when it is over budget or has an unknown generator."""
        budget = self.budget
        nodes = (self.walked.get(e) or structure(e, budget.nodes)) if self.valid else None
        if nodes is None:
            return None
        done: dict[int, Poly] = {}
        work = 0
        for node in nodes:
            t = type(node)
            if t is Num:
                p: Poly | None = {self.zero_mono: _exact(node.value)} if node.value else {}
            elif t is Add or t is Mul or _is_poly_power(node) and type(node.base) in (Add, Mul):
                p, work = _compound(node, done, self.zero_mono, budget, work)
            elif _is_poly_power(node):
                ((mono, _),) = done[id(node.base)].items()
                p = {tuple(a * node.exp.value.numerator for a in mono): 1}
            else:
                i = self.index.get(node)
                if i is None:
                    return None
                unit = [0] * self.n
                unit[i] = 1
                p = {tuple(unit): 1}
            if p is None or len(p) > budget.terms:
                return None
            done[id(node)] = p
        return done[id(e)]

    def expr(self, p: Poly) -> Expr:
        """The polynomial as an expression: a sum of monomials, highest degree first."""
        terms = []
        for mono, c in sorted(p.items(), key=lambda mc: (-sum(mc[0]), mc[0])):
            terms.append(mul(Num(c), *(pow_(g, Num(k)) for g, k in zip(self.gens, mono) if k)))
        return add(*terms)


def _compound(node: Expr, done: dict[int, Poly], zero: tuple[int, ...], budget: Budget,
              work: int) -> tuple[Poly | None, int]:
    """A sum, a product, or a whole positive power of one, from its children's
    polynomials in `done`: (the polynomial, or None over budget; the work so far)."""
    t = type(node)
    if t is Add:
        total: Poly = {}
        for c in node.terms:
            total = padd(total, done[id(c)])
        return total, work
    if t is Mul:
        p: Poly = {zero: 1}
        for c in node.factors:
            work += len(p) * len(done[id(c)])
            if work > budget.work:
                return None, work
            q = pmul(p, done[id(c)], budget.terms * 4)
            if q is None:
                return None, work
            p = q
        return p, work
    base, k = done[id(node.base)], node.exp.value.numerator
    work += len(base) ** 2 * k
    if work > budget.work:
        return None, work
    return ppow(base, k, budget.terms), work


def padd(p: Poly, q: Poly) -> Poly:
    out = dict(p)
    for m, c in q.items():
        s = out.get(m, 0) + c
        if s:
            out[m] = s
        else:
            out.pop(m, None)
    return out


def psub(p: Poly, q: Poly) -> Poly:
    return padd(p, {m: -c for m, c in q.items()})


def pmul(p: Poly, q: Poly, limit: int = MAX_TERMS * 4) -> Poly | None:
    if len(p) * len(q) > limit:
        return None
    out: Poly = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            m = tuple(a + b for a, b in zip(m1, m2))
            s = out.get(m, 0) + c1 * c2
            if s:
                out[m] = s
            else:
                out.pop(m, None)
    return out


def ppow(p: Poly, k: int, max_terms: int = MAX_TERMS) -> Poly | None:
    if not p:
        return {}
    out: Poly | None = {(0,) * len(next(iter(p))): 1}
    for _ in range(k):
        out = pmul(cast(Poly, out), p, max_terms * 4)  # not None: checked below on each turn
        if out is None or len(out) > max_terms:
            return None
    return out


def leading(p: Poly) -> tuple[tuple[int, ...], Coeff]:
    """The lexicographically largest monomial and its coefficient."""
    m = max(p)
    return m, p[m]


def divide(p: Poly, q: Poly) -> Poly | None:
    """p / q when q divides p exactly, else None (lexicographic division)."""
    if not q:
        return None
    if not p:
        return {}
    qm, qc = leading(q)
    quotient: Poly = {}
    rest = dict(p)
    for _ in range(MAX_DIVISION_STEPS):
        if not rest:
            return quotient
        rm, rc = leading(rest)
        if any(a < b for a, b in zip(rm, qm)):
            return None
        m = tuple(a - b for a, b in zip(rm, qm))
        c = _div(rc, qc)
        quotient[m] = c
        rest = psub(rest, {tuple(a + b for a, b in zip(m, mm)): c * cc for mm, cc in q.items()})
        if len(rest) > MAX_TERMS * 4:
            return None
    return None


def variables(p: Poly) -> set[int]:
    """The indices of the generators that occur in p."""
    return {i for m in p for i, k in enumerate(m) if k}


def univariate_gcd(p: Poly, q: Poly) -> Poly | None:
    """The monic gcd of two polynomials in the same single generator, else None."""
    vs = variables(p) | variables(q)
    if len(vs) != 1:
        return None
    (i,) = vs
    a: Poly
    b: Poly | None
    a, b = p, q
    for _ in range(MAX_DIVISION_STEPS):
        if not b:
            break
        a, b = b, remainder(a, b, i)
        if b is None:
            return None
    if not a:
        return None
    _, lc = leading(a)
    return {m: _div(c, lc) for m, c in a.items()}


def remainder(p: Poly, q: Poly, i: int) -> Poly | None:
    """Remainder of p by q, both polynomials in generator i alone."""
    qm, qc = leading(q)
    rest = dict(p)
    for _ in range(MAX_DIVISION_STEPS):
        if not rest:
            return rest
        rm, rc = leading(rest)
        if rm[i] < qm[i]:
            return rest
        shift = rm[i] - qm[i]
        c = _div(rc, qc)
        rest = psub(rest, {tuple(k + shift if j == i else k for j, k in enumerate(mm)): c * cc for mm, cc in q.items()})
    return None


def content(p: Poly) -> Fraction:
    """The positive rational gcd of the coefficients (the sign follows the leading one)."""
    nums = 0
    dens = 1
    for c in p.values():
        nums = gcd(nums, c.numerator)
        dens = dens * c.denominator // gcd(dens, c.denominator)
    g = Fraction(nums, dens) if nums else Fraction(1)
    return g


def expand(e: Expr, budget: Budget = LARGE) -> Expr | None:
    """`e` multiplied out as a polynomial in its generators, or None over budget."""
    ring = Ring(e, budget=budget)
    p = ring.poly(e)
    return None if p is None else ring.expr(p)


MAX_ROOT_CANDIDATE = 10**4  # constant and leading coefficients whose divisors are tried


def _divisors(n: int) -> list[int]:
    n = abs(n)
    small = [d for d in range(1, int(n**0.5) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


def linear_factors(coeffs: dict[int, Fraction]) -> tuple[int, list[Fraction], dict[int, Fraction]]:
    """A univariate polynomial {degree: coefficient} as g^k * prod(g - r) * rest:
    (k, the rational roots r other than 0 with repeats, rest).  Roots are found
    by the rational root theorem, for integer-scaled coefficients up to
    MAX_ROOT_CANDIDATE; `rest` has the leading coefficient of the input."""
    k = min(coeffs)
    top = max(coeffs)
    poly = [Fraction(coeffs.get(d, 0)) for d in range(k, top + 1)]  # ascending
    roots: list[Fraction] = []
    scale = 1
    for c in poly:
        scale = scale * c.denominator // gcd(scale, c.denominator)
    a0, an = int(poly[0] * scale), int(poly[-1] * scale)
    if len(poly) > 2 and abs(a0) <= MAX_ROOT_CANDIDATE and abs(an) <= MAX_ROOT_CANDIDATE:
        candidates = sorted({Fraction(s * p, q) for p in _divisors(a0) for q in _divisors(an) for s in (1, -1)},
                            key=lambda r: (abs(r), r < 0))
        for r in candidates:
            while len(poly) > 1:
                # synthetic division by (g - r), from the top
                out = [poly[-1]]
                for c in reversed(poly[:-1]):
                    out.append(c + out[-1] * r)
                if out[-1] != 0:
                    break
                poly = list(reversed(out[:-1]))
                roots.append(r)
    return k, roots, {d: c for d, c in enumerate(poly) if c}


def _split_power(node: Expr) -> list[tuple[Expr, Fraction]]:
    """A non-polynomial node as generator powers: `x^-2` -> [(x, -2)],
    `sqrt(u)` -> [(u, 1/2)], `x^(x - 1)` -> [(x^x, 1), (x, -1)], `sin(x)` -> [(sin(x), 1)]."""
    if type(node) is Pow and type(node.base) is not Num:
        b, x = node.base, node.exp
        if type(x) is Num:
            return [(b, x.value)]
        if type(x) is Add and type(b) is not Add:
            c = sum((t.value for t in x.terms if type(t) is Num), Fraction(0))
            if c:
                rest = add(*(t for t in x.terms if type(t) is not Num))
                return [(pow_(b, rest), Fraction(1)), (b, c)]
    return [(node, Fraction(1))]


def laurent(e: Expr, budget: Budget = LARGE) -> tuple[list[Expr], list[int], Poly] | None:
    """`e` multiplied out as a Laurent polynomial in generators, or None over budget.

    Powers of one base share a generator, so `x*x^-1` cancels and `sqrt(u)^2`
    is `u`: generator i stands for `bases[i]^(1/roots[i])` and exponents are
    whole numbers of either sign.  Sums and products under whole positive
    powers are multiplied out; every other node is a generator power.
    """
    nodes = structure(e, budget.nodes)
    if nodes is None:
        return None
    atoms: dict[int, list[tuple[Expr, Fraction]]] = {}
    bases: list[Expr] = []
    index: dict[Expr, int] = {}
    roots: list[int] = []
    split: list[tuple[Expr, Fraction]] | None
    for node in nodes:
        if type(node) in (Add, Mul, Num) or _is_poly_power(node) and type(node.base) in (Add, Mul):
            continue
        split = atoms[id(node)] = _split_power(node)
        for b, r in split:
            i = index.get(b)
            if i is None:
                i = index[b] = len(bases)
                bases.append(b)
                roots.append(1)
            roots[i] = roots[i] * r.denominator // gcd(roots[i], r.denominator)
    n = len(bases)
    if n > budget.generators:
        return None
    zero = (0,) * n
    done: dict[int, Poly] = {}
    work = 0
    for node in nodes:
        t = type(node)
        split = atoms.get(id(node))
        if split is not None:
            mono = [0] * n
            for b, r in split:
                i = index[b]
                mono[i] += int(r * roots[i])
            p: Poly | None = {tuple(mono): 1}
        elif t is Num:
            p = {zero: _exact(node.value)} if node.value else {}
        else:  # a sum, a product, or a sum or product under a whole positive power
            p, work = _compound(node, done, zero, budget, work)
        if p is None or len(p) > budget.terms:
            return None
        done[id(node)] = p
    return bases, roots, done[id(e)]
