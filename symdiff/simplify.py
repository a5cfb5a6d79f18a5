"""Simplification: named rewrites, applied bottom-up until nothing changes.

Each `Rewrite` has a name (the identity it applies, read as documentation and
shown in derivation steps), the node type it looks at, and a function that
returns the rewritten node or None.  The `Simplifier` settles children first
(an explicit stack, memoised per node), then tries the rewrites of the node's
type in order; the first that applies wins and its output is settled again.

Two kinds of rewrite, marked in the table (`Rewrite.kind`):

* canonical ones (collect like terms, merge powers, exact numbers, identities
  such as `log_b(b^u) -> u`) always apply: `fn(node)`;
* search ones (expand, common denominator, cancel polynomial factors, pull out
  a common factor, distribute a number) build a candidate, settle it in the
  running `Simplifier` they are handed, `fn(node, ctx)`, and apply only when
  it is strictly smaller by `cost` (leaves, then nodes).  So a rewrite never
  grows the expression: `(x + 1)^10` stays as it is.  Past
  `MAX_SEARCH_DEPTH` nested candidates get the canonical rewrites only, and
  a candidate that comes back to a node whose rewrites are being tried
  further up settles as itself (`Simplifier.active`).

Cheap when nothing applies: each node carries facts about its sub-tree
(`expr.FACT_*`: denominators, sums under powers, which functions...), and a
row that needs a fact the node lacks is skipped in O(1).  `simplify` is a
pure function of its input and remembers recent results (see `_memo`).
Higher derivatives go through `normal_form` (a polynomial in their functions).

Every rewrite loop is bounded: strictly decreasing cost, `MAX_REWRITE_CHAIN`,
and the expansion budgets of `polynomial`.  Sums wider than `WIDE` terms get
only the linear-time rewrites, and inputs larger than `SEARCH_SIZE` nodes only
the canonical ones, so simplification stays near-linear.

Soundness: each rewrite holds wherever its input is defined on the reals.  The
result may be defined in *more* places: like other computer algebra systems we
let removable singularities disappear.  Precisely, these may vanish:

* cancelled factors: `x/x -> 1`, `x^2/x -> x`, `(x^2 - 1)/(x - 1) -> x + 1`,
  `0*u -> 0` (holes where the cancelled factor is 0 or undefined);
* merged powers: `sqrt(x)^2 -> x`, `x^(1/2)*x^(1/2) -> x` (the restriction
  `x >= 0` of the root is dropped);
* inverse pairs: `b^(log_b(u)) -> u`, `e^(k*ln(u)) -> u^k` (the restriction
  `u > 0` of the logarithm is dropped);
* zero products: a product with a factor that simplifies to 0 is 0 even where
  another factor is a literal `1/0`, and `0^u*ln(0) -> 0` (inputs undefined
  everywhere, from chain rules whose inner derivative is 0: `acos(sin(x)^2 +
  cos(x)^2)`, `0^y`); an empty sum (`sum_{i=1}^{0} u`) is 0.

Never applied because they fail somewhere on the domain: `ln(x^2) -> 2*ln(x)`
(use `2*ln(abs(x))`), `sqrt(x^2) -> x` (it is `abs(x)`), `(x*y)^(1/2) ->
sqrt(x)*sqrt(y)`, `(x^a)^b -> x^(a*b)` unless `x > 0` is known, and
`log_b(u)^j*ln(b)^m -> ln(u)^k*...` with fractional powers unless `ln(b) > 0`.
"""

from __future__ import annotations

import math
import operator
import weakref
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple

from . import polynomial as P
from .functions import ABS, FUNCTIONS, ROWS, Function, Parity
from .terms import is_negative, is_reciprocal
from .core.expr import set_factors
from .expr import (
    E, FACT_ARRAY, FACT_BINDER, FACT_DENOMINATOR, FACT_EXP, FACT_LOG, FACT_POWER, FACT_SUM_FACTOR, FACT_SUM_POWER,
    MAX_FOLD_BITS, NEG_ONE, ONE, SCALAR, TWO, UNDEFINED, ZERO, Add, Const, Expr, Func, Log, Mul, Num, Pow, Sum, Sym,
    _fold_numeric_power, add, cost, factor_key, set_term_key, func, function_fact, mul, neg, num, order_key, postorder, pow_,
    replace_subtrees, sym,
)

# A rewrite that keeps producing new forms is cut off after this many in a row.
MAX_REWRITE_CHAIN = 64
# Candidates settled inside candidates: deeper searches are not started.
MAX_SEARCH_DEPTH = 2
# Sums wider than this get only the linear-time rewrites.
WIDE = 300
# Inputs larger than this many nodes written out (the second derivative of
# 100 nested sin( has 690,000) get the canonical rewrites only: searching them
# costs ten times as much and finds little.
SEARCH_SIZE = 100_000
# An expansion is settled (to see whether terms cancel) only when, as built,
# it has at most this many leaves more than the product.
EXPANSION_SLACK = 3
# Largest integer whose perfect-power part is extracted (`sqrt(8) -> 2*sqrt(2)`).
MAX_RADICAND = 10**24
# Largest exact exponent, in bits of its numerator or denominator, that merging a
# power of a power builds (10,000 nested sqrt( would add 10,000-bit fractions).
MAX_EXPONENT_BITS = 256
MAX_FLIP_FACTORS = 12  # products longer than this keep their sums' signs (flip_sum_signs)


CANONICAL, SEARCH = "canonical", "search"


class Rewrite(NamedTuple):
    """One row of the rewrite table.

    A canonical rewrite is a local identity, `fn(node)`, applied whenever it
    matches.  A search rewrite, `fn(node, ctx)`, builds a candidate, settles
    it in the running `Simplifier` and applies only when that is smaller.
    `needs` (all of) and `uses` (at least one of) are `expr.FACT_*` bits
    without which the rewrite cannot fire: it is then skipped in O(1).
    """

    name: str
    node: type
    fn: Callable[..., Expr | None]
    kind: str = CANONICAL
    needs: int = 0
    uses: int = 0


# ------------------------------------------------------------ term helpers


def split_coefficient(e: Expr) -> tuple[Fraction, Expr]:
    """`3*x*y` -> (3, x*y); `x` -> (1, x); `5` -> (5, 1)."""
    if type(e) is Num:
        return e.value, ONE
    if type(e) is Mul and type(e.factors[0]) is Num:
        rest = e.factors[1:]
        return e.factors[0].value, rest[0] if len(rest) == 1 else Mul(rest)
    return ONE.value, e


def _factors(e: Expr) -> tuple[Expr, ...]:
    return e.factors if type(e) is Mul else (e,)


def split_power(e: Expr) -> tuple[Expr, Expr]:
    return (e.base, e.exp) if type(e) is Pow else (e, ONE)


def as_factors(e: Expr) -> tuple[Fraction, dict[Expr, Expr]]:
    """`3*x^2*y` -> (3, {x: 2, y: 1}); equal bases have their exponents added.
    The dict is the caller's to change; the reading is cached on the node."""
    try:
        coeff, powers = e._afac
    except AttributeError:
        coeff, powers = _as_factors(e)
        set_factors(e, (coeff, powers))
    return coeff, dict(powers)


def _as_factors(e: Expr) -> tuple[Fraction, dict[Expr, Expr]]:
    coeff = ONE.value
    exps: dict[Expr, list[Expr]] = {}
    for f in _factors(e):
        if type(f) is Num:
            coeff = f.value if coeff is ONE.value else coeff * f.value
            continue
        base, x = split_power(f)
        exps.setdefault(base, []).append(x)
    # One add per base: adding exponents one at a time is quadratic (exp chains).
    return coeff, {b: xs[0] if len(xs) == 1 else add(*xs) for b, xs in exps.items()}


def put_factor(powers: dict[Expr, Expr], base: Expr, n: Expr) -> None:
    """Multiply `base^n` into a factor dict."""
    powers[base] = add(powers[base], n) if base in powers else n


def from_factors(coeff: Fraction, powers: dict[Expr, Expr]) -> Expr:
    return mul(Num(coeff), *(pow_(b, n) for b, n in powers.items()))


def degree(e: Expr) -> int | Fraction:
    """Total numeric degree in the variables: `3*x^2*y` -> 3 (an int when whole)."""
    total: int | Fraction = 0
    for f in _factors(e):
        if type(f) is Sym:
            total += 1
        elif type(f) is Pow and type(f.base) is Sym and type(f.exp) is Num:
            k = f.exp.value
            total += k.numerator if k.denominator == 1 else k
    return total


def term_key(e: Expr) -> tuple[Any, ...]:
    """Order of terms in a sum: terms with variables before constant ones,
    higher degree first, quotients after the rest, then by factors
    (`factor_key`: natural, structural).  Cached on the node."""
    try:
        return e._tkey
    except AttributeError:
        pass
    _, rest = split_coefficient(e)
    factors = _factors(rest)
    quotient = any(is_reciprocal(f) for f in factors)
    key = (not rest.free, -degree(rest), quotient, len(factors), tuple(factor_key(f) for f in factors))
    set_term_key(e, key)
    return key


def order_terms(terms: list[Expr]) -> list[Expr]:
    """Canonical order, then the first positive term moved to the front (`1 - x`)."""
    numbers = [t for t in terms if type(t) is Num]
    rest = sorted((t for t in terms if type(t) is not Num), key=term_key)
    ordered = rest + numbers
    for i, t in enumerate(ordered):
        if split_coefficient(t)[0].numerator > 0:
            return [t, *ordered[:i], *ordered[i + 1 :]]
    return ordered


_NONNEG: weakref.WeakKeyDictionary[Expr, bool] = weakref.WeakKeyDictionary()


def is_nonnegative(e: Expr) -> bool:
    """A cheap, sufficient test that `e >= 0` wherever it is defined."""
    hit = _NONNEG.get(e)
    if hit is not None:
        return hit
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        node, expanded = stack.pop()
        if node in _NONNEG:
            continue
        t = type(node)
        if t in (Add, Mul) and not expanded:
            stack.append((node, True))
            stack.extend((c, False) for c in node.args if c not in _NONNEG)
            continue
        if t is Num:
            ok = node.value >= 0
        elif t is Const:
            ok = True
        elif t in (Add, Mul):
            ok = all(_NONNEG[c] for c in node.args)
        elif t is Pow:
            expo = node.exp
            ok = node.base is E or (type(node.base) is Num and node.base.value > 0) or (
                type(expo) is Num and (expo.value.denominator != 1 or expo.value.numerator % 2 == 0)
            )
        elif t is Func:
            row = FUNCTIONS.get(node.name)
            ok = row is not None and row.nonnegative
        else:
            ok = False
        _NONNEG[node] = ok
    return _NONNEG[e]


# ----------------------------------------------- search: settle and compare


def smaller(candidate: Expr | None, than: Expr, ctx: Simplifier) -> Expr | None:
    """The candidate, settled in `ctx`, when it is strictly smaller than `than`, else None."""
    if candidate is None or candidate is than:
        return None
    out = ctx.search(candidate)
    return out if cost(out) < cost(than) else None


def fewer_leaves(candidate: Expr | None, than: Expr, ctx: Simplifier) -> Expr | None:
    """Like `smaller`, but only a strict drop in leaves counts: for expansions,
    which are taken only where terms cancel."""
    out = smaller(candidate, than, ctx)
    return out if out is not None and cost(out)[0] < cost(than)[0] else None


# --------------------------------------------------------------------- sums


def collect_terms(e: Expr) -> Expr | None:
    """2*x + 3*x -> 5*x, x*y - y*x -> 0; then order the terms."""
    # rest -> [coefficient, the term itself while it is alone in its group]
    groups: dict[Expr, list[Any]] = {}
    for t in e.terms:
        c, rest = split_coefficient(t)
        group = groups.get(rest)
        if group is None:
            groups[rest] = [c, t]
        else:
            group[0] += c
            group[1] = None
    terms = [mul(Num(c), rest) if t is None else t for rest, (c, t) in groups.items() if c]
    return add(*order_terms(terms))


# Rows of the function table by the identities they contribute.
_U, _V = sym("u"), sym("v")  # placeholders, to read a row's identities
_LOGISTIC = tuple(row.name for row in ROWS if row.logistic)  # f(u) = 1/(1 + e^(-u))


def _partners(f: Expr) -> tuple[tuple[Expr, int, Expr], ...]:
    """(g, s, r) such that f + s*g = r, for the pair identities: a row's `squares`,
    and f(u) + f(-u) = 1 for a logistic row."""
    if type(f) is Func and f.name in _LOGISTIC and not is_negative(f.arg):
        return ((func(f.name, neg(f.arg)), 1, ONE),)
    if not (type(f) is Pow and f.exp is TWO and type(f.base) is Func):
        return ()
    row = FUNCTIONS.get(f.base.name)
    return row.squares(f.base.arg) if row is not None and row.squares is not None else ()


def pair_identities(e: Expr) -> Expr | None:
    """The rows' pair identities, each times any common rest: sin(u)^2 + cos(u)^2 -> 1,
    cos(u)^2 - sin(u)^2 -> cos(2u), cosh(u)^2 - sinh(u)^2 -> 1, 1 + tan(u)^2 -> sec(u)^2
    (the `squares` column), sigmoid(u) + sigmoid(-u) -> 1 (`logistic`)."""
    groups: dict[Expr, Fraction] = {}
    for t in e.terms:
        c, rest = split_coefficient(t)
        before = groups.get(rest)
        groups[rest] = c if before is None else before + c
    # A term's factors as a set finds the term with f swapped for g without
    # building that product (products of n factors in n terms: O(n^2), not O(n^3)).
    by_factors = {frozenset(_factors(rest)): rest for rest in groups}
    changed = False
    for rest in list(groups):
        if rest not in groups:
            continue
        fs = _factors(rest)
        bases = {split_power(f)[0] for f in fs}
        for i, f in enumerate(fs):
            found = False
            for g, sign, r in _partners(f):
                if split_power(g)[0] in bases:  # g would merge with a factor: build it
                    other = mul(*fs[:i], g, *fs[i + 1 :])
                else:
                    swapped = fs[:i] + fs[i + 1 :] + ((g,) if g is not ONE else ())
                    other = by_factors.get(frozenset(swapped or (ONE,)), rest)
                c = groups[rest]
                if other is not rest and groups.get(other) == sign * c:
                    del groups[rest], groups[other]
                    left = mul(*fs[:i], r, *fs[i + 1 :])
                    groups[left] = groups.get(left, 0) + c
                    changed = found = True
                    break
            if found:
                break
    if not changed:
        return None
    return add(*(mul(Num(c), rest) for rest, c in groups.items() if c))


def _has_product_of_sums(e: Expr) -> bool:
    for t in e.terms:
        for f in _factors(t):
            if type(f) is Add or (type(f) is Pow and type(f.base) is Add and type(f.exp) is Num
                                  and f.exp.value.denominator == 1 and f.exp.value > 0):
                return True
    return False


def expand_if_smaller(e: Expr, ctx: Simplifier) -> Expr | None:
    """Multiply out products of sums when terms cancel: t*(1 - s) + s*t -> t."""
    if len(e.terms) > WIDE or not _has_product_of_sums(e):
        return None
    ring = P.Ring(e)
    p = ring.poly(e)
    return None if p is None else fewer_leaves(ring.expr(p), e, ctx)


def _denominator_base(base: Expr, expo: Expr) -> tuple[Expr, int] | None:
    """`u^-k` as (u, k); `u^(-3/2)` as (sqrt(u), 3); None when not a denominator."""
    if type(expo) is not Num or expo.value.numerator >= 0:
        return None
    r = expo.value
    if r.denominator == 1:
        return base, -r.numerator
    return pow_(base, Num(Fraction(1, r.denominator))), -r.numerator


def _over(terms: list[Expr]) -> tuple[list[Expr], dict[Expr, int]] | None:
    """Terms brought over their least common denominator: (numerators, denominator)."""
    split = []
    den: dict[Expr, int] = {}
    for t in terms:
        coeff, powers = as_factors(t)
        top: list[Expr] = [Num(coeff)]
        bottom: dict[Expr, int] = {}
        for b, expo in powers.items():
            d = _denominator_base(b, expo)
            if d is None:
                top.append(pow_(b, expo))
            else:
                bottom[d[0]] = bottom.get(d[0], 0) + d[1]
        for b, k in bottom.items():
            den[b] = max(den.get(b, 0), k)
        split.append((top, bottom))
    if not den:
        return None
    numerators = [
        mul(*top, *(pow_(b, num(k - bottom.get(b, 0))) for b, k in den.items()))
        for top, bottom in split
    ]
    return numerators, den


def _cancel(numerator: Expr, den: dict[Expr, int]) -> tuple[Expr, dict[Expr, int]] | None:
    """Divide polynomial factors of the denominator out of the numerator."""
    ring = P.Ring(numerator, *den)
    pn = ring.poly(numerator)
    if pn is None or not pn:
        return None
    den = dict(den)
    changed = False
    for b in list(den):
        pb = ring.poly(b)
        if pb is None or all(not any(m) for m in pb):
            continue
        while den[b] > 0:
            q = P.divide(pn, pb)
            if q is None:
                break
            pn, den[b], changed = q, den[b] - 1, True
        if den[b] > 0:
            g = P.univariate_gcd(pn, pb)
            if g is not None and any(any(m) for m in g):
                pn = P.divide(pn, g)
                rest = P.divide(pb, g)
                if pn is None or rest is None:
                    return None
                den[b] -= 1
                r = ring.expr(rest)
                den[r] = den.get(r, 0) + 1
                changed = True
    if not changed:
        return None
    return ring.expr(pn), den


def _quotient(numerator: Expr, den: dict[Expr, int]) -> Expr:
    return mul(numerator, *(pow_(b, num(-k)) for b, k in den.items() if k))


def together_if_smaller(e: Expr, ctx: Simplifier) -> Expr | None:
    """a/b + c/d -> (a*d + c*b)/(b*d), cancelling common factors, when smaller."""
    if len(e.terms) > WIDE:
        return None
    over = _over(list(e.terms))
    if over is None:
        return None
    numerators, den = over
    numerator = add(*numerators)
    cancelled = _cancel(numerator, den)
    if cancelled is not None:
        best = smaller(_quotient(*cancelled), e, ctx)
        if best is not None:
            return best
    return smaller(_quotient(numerator, den), e, ctx)


def _numeric_gap(a: Expr, b: Expr) -> Fraction | None:
    """b - a when it is a number: (x - 1, x) -> 1."""
    groups: dict[Expr, Fraction] = {}
    for negate, s in ((False, b), (True, a)):
        for t in s.terms if type(s) is Add else (s,):
            c, rest = split_coefficient(t)
            if negate:
                c = -c
            before = groups.get(rest)
            groups[rest] = c if before is None else before + c
    if any(c for rest, c in groups.items() if rest is not ONE):
        return None
    return groups.get(ONE, Fraction(0))


def _less(expo: Expr, common: Expr) -> Expr:
    """expo - common, the exponent left once a common power is pulled out: a
    number when the gap is one (x^x over x^(x - 1) leaves x^1), else a sum."""
    if expo is common:
        return ZERO
    gap = _numeric_gap(common, expo)
    return add(expo, neg(common)) if gap is None else Num(gap)


def factor_if_smaller(e: Expr, ctx: Simplifier) -> Expr | None:
    """x^x*ln(x) + x^x -> x^x*(ln(x) + 1): pull out common factors when smaller."""
    if len(e.terms) > WIDE:
        return None
    parts = [as_factors(t) for t in e.terms]
    common = dict(parts[0][1])
    for _, powers in parts[1:]:
        for b in list(common):
            x0, x1 = common[b], powers.get(b)
            if x1 is None:
                del common[b]
            elif x0 is not x1:
                gap = _numeric_gap(x0, x1)  # expo^expo and expo^(expo - 1) share expo^(expo - 1)
                if gap is not None:
                    common[b] = x0 if gap > 0 else x1
                else:
                    del common[b]
        if not common:
            break
    g = Fraction(math.gcd(*(c.numerator for c, _ in parts)),
                 math.lcm(*(c.denominator for c, _ in parts)))
    if all(c.numerator < 0 for c, _ in parts):
        g = -g
    if not common and g == 1:
        return None
    inner = []
    for c, powers in parts:
        rest = {}
        for b, expo in powers.items():
            if b in common:
                expo = _less(expo, common[b])
            if expo is not ZERO:
                rest[b] = expo
        inner.append(from_factors(c / g, rest))
    outer = from_factors(g, common)
    return smaller(mul(outer, add(*inner)), e, ctx)


def _has_sum_factor(e: Expr) -> bool:
    return any(type(split_power(f)[0]) is Add for f in _factors(e))


def _same_signs(e: Expr) -> Expr:
    """The sum with each base that is another's negation written as that one:
    x^4*(1 - x)^5 + x^5*(x - 1)^4 -> -x^4*(x - 1)^5 + x^5*(x - 1)^4 (whole powers only)."""
    # terms of a base -> (the base written for it, negated?)
    rep: dict[frozenset[Expr], tuple[Expr, bool]] = {}
    terms = []
    changed = False
    for t in e.terms:
        fs = []
        for f in _factors(t):
            base, expo = split_power(f)
            if type(base) is Add and type(expo) is Num and expo.value.denominator == 1:
                key = frozenset(base.terms)
                if key not in rep:
                    n = frozenset(negated(base).terms)
                    rep[key] = (rep[n][0], True) if n in rep and not rep[n][1] else (base, False)
                other, flip = rep[key]
                if flip:
                    f = mul(num(-1 if expo.value.numerator % 2 else 1), pow_(other, expo))
                    changed = True
            fs.append(f)
        terms.append(mul(*fs))
    return add(*terms) if changed else e


MAX_DIVIDED_TERMS = 8  # sums wider than this are not searched for a polynomial to divide


def _divided_out(e: Expr) -> Expr:
    """The sum with the terms that lack a sum factor of the others written as
    that factor times their quotient, when it divides them: (x + 1)^2 + 2*x^2 - 2
    -> (x + 1)^2 + (x + 1)*(2*x - 2) (settling 2*(x - 1)*(x + 1) multiplied it out)."""
    if len(e.terms) > MAX_DIVIDED_TERMS:
        return e
    bases = [[split_power(f)[0] for f in _factors(t)] for t in e.terms]
    for b in dict.fromkeys(b for bs in bases for b in bs if type(b) is Add):
        having = [t for t, bs in zip(e.terms, bases) if b in bs]
        lacking = add(*(t for t, bs in zip(e.terms, bases) if b not in bs))
        if len(having) == len(e.terms) or lacking is ZERO:
            continue
        ring = P.Ring(b, lacking)
        pb, pl = ring.poly(b), ring.poly(lacking)
        q = P.divide(pl, pb) if pl and pb and len(pb) > 1 else None
        if q is not None:
            return add(*having, mul(b, ring.expr(q)))
    return e


def factor_sums_if_smaller(e: Expr, ctx: Simplifier) -> Expr | None:
    """2*(x + 1)*(x + 2)^3 + 3*(x + 1)^2*(x + 2)^2 -> (x + 1)*(x + 2)^2*(5*x + 7):
    common factors that are sums stay factored when that is no larger than
    multiplying out (which the next rows would do), so that derivatives of
    products and quotients keep their factors."""
    if len(e.terms) > WIDE or not any(_has_sum_factor(t) for t in e.terms):
        return None
    given, e = e, _divided_out(_same_signs(e))
    shared = set.intersection(*({split_power(f)[0] for f in _factors(t)} for t in e.terms))
    if not any(type(b) is Add for b in shared):
        return None
    factored = factor_if_smaller(e, ctx)
    if factored is None or cost(factored) >= cost(given):
        return None
    expanded = expand_if_smaller(given, ctx)
    return factored if expanded is None or cost(factored) <= cost(expanded) else None


def _polynomial_in_one_function(e: Expr) -> tuple[Expr, dict[int, Fraction]] | None:
    """(g, {degree: coefficient}) when every term of `e` is c*g^k, g one
    function (not a variable, not a sum), k a positive whole number."""
    g = None
    coeffs: dict[int, Fraction] = {}
    for t in e.terms:
        c, rest = split_coefficient(t)
        base, n = split_power(rest)
        if type(n) is not Num or n.value.denominator != 1 or n.value < 0:
            return None
        if rest is ONE:
            base, k = ONE, 0
        else:
            k = n.value.numerator
            if g is None and type(base) in (Func, Log, Pow):
                g = base
            if base is not g:
                return None
        coeffs[k] = coeffs.get(k, 0) + c
    if g is None or not 2 <= max(coeffs) <= P.MAX_DEGREE:
        return None
    return g, coeffs


def factor_polynomial(e: Expr, ctx: Simplifier) -> Expr | None:
    """s - 3*s^2 + 2*s^3 -> s*(1 - s)*(1 - 2*s) for a function s: rational roots
    split off as factors (constant term positive), when that adds no leaves."""
    found = _polynomial_in_one_function(e)
    if found is None:
        return None
    g, coeffs = found
    k, roots, rest = P.linear_factors(coeffs)
    if not roots and not k:
        return None
    coeff = Fraction(1)
    factors = [pow_(g, num(k))]
    for r in roots:
        p, q = r.numerator, r.denominator
        if p > 0:  # g - p/q = -(p - q*g)/q
            factors.append(add(Num(Fraction(p)), mul(Num(Fraction(-q)), g)))
            coeff /= -q
        else:  # g - p/q = (q*g - p)/q
            factors.append(add(mul(Num(Fraction(q)), g), Num(Fraction(-p))))
            coeff /= q
    if len(rest) == 1 and 0 in rest:
        coeff *= rest[0]
    else:  # what is left, with whole coprime coefficients, the leading one positive
        content = Fraction(math.gcd(*(c.numerator for c in rest.values())),
                           math.lcm(*(c.denominator for c in rest.values())))
        if rest[max(rest)] < 0:
            content = -content
        coeff *= content
        factors.append(add(*(mul(Num(c / content), pow_(g, num(d))) for d, c in sorted(rest.items(), reverse=True))))
    out = ctx.search(mul(Num(coeff), *factors))
    return out if type(out) is Mul and cost(out)[0] <= cost(e)[0] else None


# ----------------------------------------------------------------- products


def collect_powers(e: Expr) -> Expr | None:
    """x*x -> x^2, x^a*x^b -> x^(a + b)."""
    coeff, powers = as_factors(e)
    if len(powers) + (coeff != 1) == len(e.factors):
        return None
    return from_factors(coeff, powers)


def cancel_polynomials(e: Expr, ctx: Simplifier) -> Expr | None:
    """(x^2 - 1)/(x - 1) -> x + 1: cancel common polynomial factors."""
    if not any(type(f) is Pow and type(f.base) is Add and is_negative(f.exp) for f in e.factors):
        return None
    over = _over([e])
    if over is None:
        return None
    (numerator,), den = over
    if not any(type(b) is Add for b in den):
        return None
    if not any(type(split_power(f)[0]) is Add for f in _factors(numerator)):
        return None
    cancelled = _cancel(numerator, den)
    return None if cancelled is None else smaller(_quotient(*cancelled), e, ctx)


def distribute_number(e: Expr, ctx: Simplifier) -> Expr | None:
    """-(a - b) -> b - a: move the minus sign into the one sum, when smaller."""
    if e.factors[0] is not NEG_ONE:  # 2*(1 - s) stays: the coefficient is not pushed in
        return None
    sums = [f for f in e.factors if type(f) is Add]
    if len(sums) != 1:
        return None
    s = sums[0]
    c = e.factors[0]
    others = [f for f in e.factors[1:] if f is not s]
    return smaller(mul(*others, add(*(mul(c, t) for t in s.terms))), e, ctx)


def _mostly_negative(s: Expr) -> bool:
    """At least as many negative as positive non-numeric terms: negating may pay."""
    balance = sum(-1 if is_negative(t) else 1 for t in s.terms if type(t) is not Num)
    return balance <= 0


def negated(s: Expr) -> Expr:
    """-s with the sign pushed into the terms: 1 - x -> x - 1."""
    return add(*(mul(NEG_ONE, t) for t in s.terms))


def flip_sum_signs(e: Expr, ctx: Simplifier) -> Expr | None:
    """-(1 - x)^3 -> (x - 1)^3, -a/(1 - y) -> a/(y - 1): negate a sum under an odd power
    when that removes minus signs without adding leaves."""
    if len(e.factors) > MAX_FLIP_FACTORS:  # one search per factor: cubic on long chain-rule products
        return None
    for i, f in enumerate(e.factors):
        base, expo = split_power(f)
        if type(base) is Add and type(expo) is Num and expo.value.denominator == 1 \
                and (_mostly_negative(base) or is_negative(e)):
            sign = num(-1 if expo.value.numerator % 2 else 1)
            candidate = mul(sign, *e.factors[:i], pow_(negated(base), expo), *e.factors[i + 1 :])
            (leaves, negatives, _), (leaves0, negatives0, _) = cost(candidate), cost(e)
            if negatives >= negatives0 and leaves >= leaves0:
                continue  # as built it sheds nothing: settling it rarely would
            out = ctx.search(candidate)
            # Only to shed minus signs: 2*s*(1 - s) is not turned into -2*s*(s - 1).
            (leaves, negatives, _) = cost(out)
            if leaves <= leaves0 and negatives < negatives0:
                return out
    return None


def _variable_minus_number(s: Expr) -> bool:
    """`y - 1`: one positive term that is not a number, and a negative number."""
    return (type(s) is Add and len(s.terms) == 2 and type(s.terms[1]) is Num and s.terms[1].value < 0
            and not is_negative(s.terms[0]))


def _tidy_negated(s: Expr) -> Expr:
    """-s with its terms collected and in order: t - y -> y - t."""
    n = negated(s)
    return (collect_terms(n) or n) if type(n) is Add else n


def conventional_signs(e: Expr) -> Expr | None:
    """(t - y)/(y*(y - 1)) -> (y - t)/(y*(1 - y)): a sum in the numerator and
    `v - c` under an odd power in the denominator trade signs, as the
    conventional form writes them (y*(1 - y) is positive where ln(y) and
    ln(1 - y) are defined), when that adds no minus sign."""
    sums = [i for i, f in enumerate(e.factors) if type(f) is Add]
    if len(sums) != 1:
        return None
    top = sums[0]
    for i, f in enumerate(e.factors):
        base, expo = split_power(f)
        if type(expo) is Num and expo.value < 0 and expo.value.denominator == 1 \
                and expo.value.numerator % 2 and _variable_minus_number(base):
            fs = list(e.factors)
            fs[top], fs[i] = _tidy_negated(fs[top]), pow_(_tidy_negated(base), expo)
            candidate = mul(*fs)
            (leaves, negatives, _), (leaves0, negatives0, _) = cost(candidate), cost(e)
            # 1 - y counts one leaf more than y - 1 (the 1 of -y): allowed, not more
            return candidate if leaves <= leaves0 + 1 and negatives <= negatives0 else None
    return None


def even_power_of_negated(e: Expr, ctx: Simplifier) -> Expr | None:
    """(1 - x)^2 -> (x - 1)^2, when smaller."""
    expo = e.exp
    if type(e.base) is not Add or type(expo) is not Num or expo.value.denominator != 1 \
            or expo.value.numerator % 2 or not _mostly_negative(e.base):
        return None
    return smaller(pow_(negated(e.base), expo), e, ctx)


def _known_positive_log(base: Expr) -> bool:
    """ln(base) > 0 is known: a number above 1, or e, or pi."""
    return type(base) is Const or (type(base) is Num and base.value > 1)


def log_times_log_of_base(e: Expr) -> Expr | None:
    """log_b(u)*ln(b) -> ln(u), and with powers: log_b(u)^j*ln(b)^m moves
    min(|j|, |m|) of them.  Sound only where a^k*c^k = (a*c)^k: integer powers,
    or all of a fractional log_b(u)^j when ln(b) > 0 is known (then the input's
    domain makes log_b(u), hence ln(u), non-negative)."""
    coeff, powers = as_factors(e)
    for b, j in powers.items():
        if type(b) is not Log or b.base is E or type(j) is not Num:
            continue
        lnb = Log(b.base, E)
        m = powers.get(lnb)
        if type(m) is not Num or (m.value > 0) != (j.value > 0):
            continue
        k = Num(j.value if abs(j.value) <= abs(m.value) else m.value)
        whole = j.value.denominator == 1 and m.value.denominator == 1
        if not whole and not (k is j and _known_positive_log(b.base)):
            continue  # log_{1/2}(x)^(1/3)*ln(1/2) stays: ln(1/2)^(2/3) is undefined
        powers[b], powers[lnb] = add(j, neg(k)), add(m, neg(k))
        lnu = Log(b.arg, E)
        powers[lnu] = add(powers[lnu], k) if lnu in powers else k
        return from_factors(coeff, powers)
    return None


def expand_product(e: Expr, ctx: Simplifier) -> Expr | None:
    """2*(c + s)*(c - s) -> 2*c^2 - 2*s^2 (and on to 2*cos(2x)): multiply out, when smaller."""
    if not any(type(b) is Add and type(k) is Num and k.value.numerator > 0 and k.value.denominator == 1
               for b, k in map(split_power, e.factors)):
        return None  # only sums under positive powers multiply out
    ring = P.Ring(e)
    p = ring.poly(e)
    if p is None or len(p) < 2:
        return None
    expanded = ring.expr(p)
    if cost(expanded)[0] > cost(e)[0] + EXPANSION_SLACK:
        return None  # settling it would have to shed many leaves: it never has
    return fewer_leaves(expanded, e, ctx)


QUOTIENTS = {row.quotient: row.name for row in ROWS if row.quotient}  # (sin, cos) -> tan


def trig_quotient(e: Expr) -> Expr | None:
    """sin(u)/cos(u) -> tan(u), cos(u)/sin(u) -> cot(u), sinh(u)/cosh(u) -> tanh(u):
    the rows' `quotient` column."""
    coeff, powers = as_factors(e)
    for b, expo in powers.items():
        if type(b) is not Func or type(expo) is not Num or expo.value <= 0:
            continue
        for (top, bottom), name in QUOTIENTS.items():
            if b.name != top:
                continue
            d = func(bottom, b.arg)
            if powers.get(d) is Num(-expo.value):
                del powers[b], powers[d]
                put_factor(powers, func(name, b.arg), expo)
                return from_factors(coeff, powers)
    return None


DOUBLE_ANGLES = {row.name: row.double_angle for row in ROWS if row.double_angle}  # sin -> cos


def double_angle(e: Expr) -> Expr | None:
    """2*sin(u)*cos(u) -> sin(2u), 2*sinh(u)*cosh(u) -> sinh(2u): the rows' `double_angle`.

    Always applied, so that terms written either way collect."""
    coeff, powers = as_factors(e)
    for b, expo in powers.items():
        if type(b) is Func and b.name in DOUBLE_ANGLES and expo is ONE:
            partner = func(DOUBLE_ANGLES[b.name], b.arg)
            if powers.get(partner) is ONE:
                del powers[b], powers[partner]
                put_factor(powers, func(b.name, mul(TWO, b.arg)), ONE)
                return from_factors(coeff / 2, powers)
    return None


def logistic_product(e: Expr) -> Expr | None:
    """For a logistic row f (sigmoid): e^u*f(-u) -> f(u), e^u/(1 + e^u)^n -> f(u)*(1 - f(u))^(n - 1),
    f(-u)*f(u) -> f(u)*(1 - f(u))."""
    for name in _LOGISTIC:
        out = _logistic_product(e, name)
        if out is not None:
            return out
    return None


def _logistic_product(e: Expr, name: str) -> Expr | None:
    coeff, powers = as_factors(e)
    for b, expo in powers.items():
        if b is E and expo is not ONE:
            sums = [f for f in powers if _one_plus_exp(f) is expo]  # 1 + e^u in either order
            for partner, k in ((func(name, neg(expo)), 1), *((f, -1) for f in sums)):
                y = powers.get(partner)
                if type(y) is Num and y.value.denominator == 1 and k * y.value >= 1:
                    del powers[b]
                    s = func(name, expo)
                    powers[s] = add(powers[s], ONE) if s in powers else ONE
                    if k == 1:
                        powers[partner] = Num(y.value - 1)
                    else:  # what is left of 1/(1 + e^u)^n is (1 - sigmoid(u))^(n - 1)
                        del powers[partner]
                        rest = add(ONE, neg(s))
                        powers[rest] = add(powers[rest], Num(-y.value - 1)) if rest in powers \
                            else Num(-y.value - 1)
                    return from_factors(coeff, powers)
        if type(b) is Func and b.name == name and is_negative(b.arg):
            other = func(name, neg(b.arg))
            if other in powers:
                del powers[b]
                return mul(from_factors(coeff, powers), pow_(add(ONE, neg(other)), expo))
    return None


# e^u/(e^(2u) + 1) and e^u/(e^(2u) - 1): the rows' `half_exp_sum`, 1 -> cosh, -1 -> sinh.
HYPERBOLIC_OF_EXP: dict[Fraction | int, str] = {row.half_exp_sum: row.name for row in ROWS if row.half_exp_sum}


def exp_over_exp_sum(e: Expr) -> Expr | None:
    """e^u/(e^(2u) + 1) -> 1/(2*cosh(u)), e^u/(e^(2u) - 1) -> 1/(2*sinh(u))."""
    coeff, powers = as_factors(e)
    for b, expo in powers.items():
        if b is not E or expo is ONE:
            continue
        for s, k in powers.items():
            if (type(s) is Add and len(s.terms) == 2 and k is NEG_ONE
                    and s.terms[0] is pow_(E, mul(TWO, expo)) and type(s.terms[1]) is Num
                    and s.terms[1].value in HYPERBOLIC_OF_EXP):
                name = HYPERBOLIC_OF_EXP[s.terms[1].value]
                del powers[b], powers[s]
                return mul(from_factors(coeff, powers), pow_(mul(TWO, func(name, expo)), NEG_ONE))
    return None


def abs_with_even_power(e: Expr) -> Expr | None:
    """x^2/abs(x) -> abs(x): u^(2k) = abs(u)^(2k)."""
    coeff, powers = as_factors(e)
    for b, expo in powers.items():
        if type(b) is Func and b.name == ABS and b.arg in powers:
            n = powers[b.arg]
            if type(n) is Num and n.value.denominator == 1 and n.value.numerator % 2 == 0:
                del powers[b.arg]
                powers[b] = add(expo, n)
                return from_factors(coeff, powers)
    return None


def together_in_factors(e: Expr, ctx: Simplifier) -> Expr | None:
    """-1/(x^2*(1/x^2 + 1)) -> -1/(x^2 + 1): a factor brought over its denominator, when smaller."""
    for i, f in enumerate(e.factors):
        base, expo = split_power(f)
        if type(base) is not Add or type(expo) is not Num or expo.value.denominator != 1:
            continue
        over = _over(list(base.terms))
        if over is None:
            continue
        combined = _quotient(add(*over[0]), over[1])
        out = smaller(mul(*e.factors[:i], pow_(combined, expo), *e.factors[i + 1 :]), e, ctx)
        if out is not None:
            return out
    return None


# ------------------------------------------------------------------- powers


def exp_of_log(e: Expr) -> Expr | None:
    """b^(log_b(u)) -> u, b^(k*log_b(u)) -> u^k."""
    expo = e.exp
    if type(expo) is Log and expo.base is e.base:
        return expo.arg
    if type(expo) is Mul:
        for i, f in enumerate(expo.factors):
            if type(f) is Log and f.base is e.base:
                return pow_(f.arg, mul(*expo.factors[:i], *expo.factors[i + 1 :]))
    return None


def _positive_constant(e: Expr) -> bool:
    return type(e) is Const or (type(e) is Num and e.value > 0)


def power_of_power(e: Expr) -> Expr | None:
    """(u^2)^(1/2) -> abs(u), (u^3)^(1/3) -> u, (e^a)^b -> e^(a*b)."""
    inner = e.base
    if type(inner) is not Pow:
        return None
    if inner is UNDEFINED:  # (1/0)^(-1/2) is undefined too, not 0^(1/2)
        return UNDEFINED
    u, n = inner.base, inner.exp
    if _positive_constant(u):
        return pow_(u, mul(n, e.exp))
    if type(n) is not Num or type(e.exp) is not Num:
        return None
    k = n.value * e.exp.value
    if max(k.numerator.bit_length(), k.denominator.bit_length()) > MAX_EXPONENT_BITS:
        return None  # sqrt nested 300 deep stays nested: x^(1/2^300) is no simpler, and costly
    if n.value.denominator == 1 and n.value.numerator % 2 == 0:
        return pow_(func(ABS, u), Num(k))
    return pow_(u, Num(k))


def _perfect_power_part(n: int, k: int) -> tuple[int, int]:
    """n = a^k * m with a as large as trial division finds: (a, m)."""
    a, m = 1, n
    if k >= n.bit_length():  # 2^k > n: no k-th power but 1 divides n (and p**k may be vast)
        return a, m
    p = 2
    while p * p <= m and p < 10**4:
        while m % p**k == 0:
            m //= p**k
            a *= p
        p += 1 if p == 2 else 2
    return a, m


def numeric_radical(e: Expr) -> Expr | None:
    """sqrt(8) -> 2*sqrt(2), 2^(3/2) -> 2*sqrt(2), 2^(-1/2) -> sqrt(2)/2."""
    b, expo = e.base, e.exp
    if type(b) is not Num or type(expo) is not Num or b.value <= 0 or expo.value.denominator == 1:
        return None
    r = expo.value
    whole = math.floor(r)
    s, n = (r - whole).numerator, r.denominator
    bits = max(b.value.numerator.bit_length(), b.value.denominator.bit_length())
    if (s * n + abs(whole)) * bits > MAX_FOLD_BITS:
        return None  # 2^(-1e-20): the radicand would be astronomically large
    c = b.value**s
    if (c.denominator.bit_length() - 1) * (n - 1) > MAX_RADICAND.bit_length():
        return None  # the radicand below would be vast
    radicand = c.numerator * c.denominator ** (n - 1)
    if radicand > MAX_RADICAND:
        return None
    a, m = _perfect_power_part(radicand, n)
    out = mul(Num(b.value**whole * Fraction(a, c.denominator)), pow_(num(m), Num(Fraction(1, n))))
    return None if out is e else out


def root_of_coefficient(e: Expr) -> Expr | None:
    """(4*u)^(1/2) -> 2*sqrt(u): a positive coefficient leaves a root."""
    b, expo = e.base, e.exp
    if type(b) is not Mul or type(expo) is not Num or expo.value.denominator == 1:
        return None
    c = b.factors[0]
    if type(c) is not Num or c.value <= 0:
        return None
    return mul(pow_(c, expo), pow_(mul(*b.factors[1:]), expo))


def abs_even_power(e: Expr) -> Expr | None:
    """abs(u)^2 -> u^2."""
    b, expo = e.base, e.exp
    if type(b) is Func and b.name == ABS and type(expo) is Num and expo.value.denominator == 1 \
            and expo.value.numerator % 2 == 0:
        return pow_(b.arg, expo)
    return None


def _one_plus_exp(s: Expr) -> Expr | None:
    """The w of `1 + e^w`, else None."""
    if type(s) is Add and len(s.terms) == 2 and ONE in s.terms:
        other = s.terms[0] if s.terms[1] is ONE else s.terms[1]
        if type(other) is Pow and other.base is E:
            return other.exp
    return None


def logistic_form(e: Expr, ctx: Simplifier) -> Expr | None:
    """(1 + e^(-u))^(-n) -> f(u)^n for a logistic row f (sigmoid), when smaller."""
    w = _one_plus_exp(e.base)
    expo = e.exp
    if w is None or not is_negative(w) or type(expo) is not Num or expo.value >= 0 \
            or expo.value.denominator != 1:
        return None
    for name in _LOGISTIC:
        out = smaller(pow_(func(name, neg(w)), Num(-expo.value)), e, ctx)
        if out is not None:
            return out
    return None


# --------------------------------------------------------------- logarithms


def log_of_base(e: Expr) -> Expr | None:
    """log_b(b) -> 1, ln(e) -> 1."""
    return ONE if e.arg is e.base and e.base is not ONE else None


def log_of_one(e: Expr) -> Expr | None:
    """log_b(1) -> 0."""
    return ZERO if e.arg is ONE and e.base is not ONE else None


def log_of_power_of_base(e: Expr) -> Expr | None:
    """log_b(b^u) -> u."""
    if type(e.arg) is Pow and e.arg.base is e.base:
        return e.arg.exp
    return None


def _log_of_fraction(q: Fraction) -> float:
    """ln(q) for any positive rational, however large (no float overflow)."""
    return math.log(q.numerator) - math.log(q.denominator)


def exact_log(e: Expr) -> Expr | None:
    """log_2(8) -> 3, log_4(2) -> 1/2: a rational logarithm of rational numbers."""
    arg, base = e.arg, e.base
    if not (type(arg) is Num and type(base) is Num and arg.value > 0 and base.value > 0):
        return None
    if base.value == 1:
        return None
    guess = _log_of_fraction(arg.value) / _log_of_fraction(base.value)
    for q in range(1, 13):
        k = Fraction(round(guess * q), q)
        if _fold_numeric_power(base.value, k) == arg.value:
            return Num(k)
    return None


_LN_ONE_PLUS_EXP = next((row.name for row in ROWS if row.ln_one_plus_exp), None)  # softplus


def softplus_form(e: Expr) -> Expr | None:
    """ln(1 + e^u) -> softplus(u): the row with `ln_one_plus_exp`."""
    w = _one_plus_exp(e.arg)
    return func(_LN_ONE_PLUS_EXP, w) if w is not None and e.base is E and _LN_ONE_PLUS_EXP else None


# ---------------------------------------------------------------- functions

def function_at_zero(e: Expr) -> Expr | None:
    """sin(0) -> 0, cos(0) -> 1, sigmoid(0) -> 1/2, ..."""
    row = FUNCTIONS.get(e.name)
    return row.at_zero if row is not None and e.arg is ZERO else None


def exact_value(e: Expr) -> Expr | None:
    """sin(pi/6) -> 1/2, atan(1) -> pi/4, tan(pi/2) -> 1/0, hypot(u, 0) -> abs(u):
    the row's `exact` column."""
    row = FUNCTIONS.get(e.name)
    if row is None or row.exact is None or len(e.args) != row.arity:
        return None
    return row.exact(*e.args)


def inverse_pair(e: Expr) -> Expr | None:
    """f(g(u)) -> u where g(u) is defined: sin(asin(u)), log1p(expm1(u)), ..."""
    row = FUNCTIONS.get(e.name)
    inner = e.arg
    if row is None or row.inverse_of is None or type(inner) is not Func or inner.name != row.inverse_of:
        return None
    return inner.arg


def _logarithm_of(row: Function, args: tuple[Expr, ...]) -> Expr | None:
    """w where the row's definition is f(args) = ln(w), else None."""
    if row.definition is None or len(args) != row.arity:
        return None
    d = row.definition(*args)
    return d.arg if type(d) is Log and d.base is E else None


# Rows defined as a natural logarithm: log1p(u) = ln(1 + u).
_LOGARITHMS = tuple(row.name for row in ROWS if _logarithm_of(row, (_U, _V)[:row.arity]) is not None)


def exp_of_log1p(e: Expr) -> Expr | None:
    """e^(f(u)) -> w, e^(k*f(u)) -> w^k where f(u) = ln(w) is the row's definition:
    e^(log1p(u)) -> 1 + u."""
    if e.base is not E:
        return None
    expo = e.exp
    for i, f in enumerate(expo.factors if type(expo) is Mul else (expo,)):
        if type(f) is Func and f.name in _LOGARITHMS:
            w = _logarithm_of(FUNCTIONS[f.name], f.args)
            if w is not None:
                rest = expo.factors[:i] + expo.factors[i + 1:] if type(expo) is Mul else ()
                return pow_(w, mul(*rest))
    return None


# Rows whose n-th power is a polynomial in their arguments: cbrt(u)^3 = u, hypot(u, v)^2 = u^2 + v^2.
_POWER_FORMS: dict[str, tuple[int, Callable[..., Expr]]] = {
    row.name: row.power_form for row in ROWS if row.power_form
}


def power_of_root_function(e: Expr) -> Expr | None:
    """cbrt(u)^(3k) -> u^k, hypot(u, v)^(2k) -> (u^2 + v^2)^k, for whole k."""
    f, n = e.base, e.exp
    if type(f) is not Func or f.name not in _POWER_FORMS or type(n) is not Num:
        return None
    degree, form = _POWER_FORMS[f.name]
    k = n.value / degree
    if k.denominator != 1:
        return None
    return pow_(form(*f.args), Num(k))


def symmetry(e: Expr) -> Expr | None:
    """sin(-u) -> -sin(u), cos(-u) -> cos(u)."""
    row = FUNCTIONS.get(e.name)
    if row is None or row.parity is None or not is_negative(e.arg):
        return None
    if row.parity is Parity.ODD:
        return neg(func(e.name, neg(e.arg)))
    return func(e.name, neg(e.arg))


def abs_of_nonnegative(e: Expr) -> Expr | None:
    """abs(u) -> u where u >= 0: abs(x^2 + 1) -> x^2 + 1, abs(-3) -> 3."""
    if e.name != ABS:
        return None
    if type(e.arg) is Num:
        return Num(abs(e.arg.value))
    return e.arg if is_nonnegative(e.arg) else None


def abs_of_product(e: Expr) -> Expr | None:
    """abs(c*u) -> |c|*abs(u)."""
    if e.name != ABS or type(e.arg) is not Mul or type(e.arg.factors[0]) is not Num:
        return None
    return mul(Num(abs(e.arg.factors[0].value)), func(ABS, mul(*e.arg.factors[1:])))


def step_of_relu(e: Expr) -> Expr | None:
    """f(g(u)) -> f(u) for the rows g in f's `sees_through`: relu(relu(u)) -> relu(u),
    heaviside(relu(u)) -> heaviside(u).

    The second is where relu's chain rule lands (d/dx relu(relu(x)) =
    heaviside(relu(x))*heaviside(x)): for u < 0 the left side is heaviside(0),
    undefined, while the derivative it stands for is 0 there, as the right
    side says; for u > 0 both are 1.  Like x/x -> 1, it removes a singularity
    that is not in the function differentiated."""
    row = FUNCTIONS.get(e.name)
    if row is not None and row.sees_through and type(e.arg) is Func and e.arg.name in row.sees_through:
        return func(e.name, e.arg.arg)
    return None


def _functions(*names: str) -> int:
    """The fact bits of the named functions."""
    bits = 0
    for name in names:
        bits |= function_fact(name)
    return bits


# Facts, for `needs` (all of them) and `uses` (at least one).
DEN, SUM_POWER, SUM_FACTOR = FACT_DENOMINATOR, FACT_SUM_POWER, FACT_SUM_FACTOR
SUM_IN_PRODUCT = FACT_SUM_FACTOR | FACT_SUM_POWER

# The rewrite table.  Canonical rows are local identities, `fn(node)`; search
# rows (SEARCH) build a candidate, settle it in the running Simplifier,
# `fn(node, ctx)`, and apply only when it is smaller.
def empty_sum(e: Expr) -> Expr | None:
    """sum_{i=a}^{b} u -> 0 when b < a (numbers): an empty sum."""
    if type(e.lower) is Num and type(e.upper) is Num and e.upper.value < e.lower.value:
        return ZERO
    return None


LN_ZERO = Log(ZERO, E)


def power_of_zero_times_ln_zero(e: Expr) -> Expr | None:
    """0^u*ln(0) -> 0: d/du 0^u, which is 0 wherever 0^u is differentiable (u > 0)."""
    if LN_ZERO in e.factors and any(type(f) is Pow and f.base is ZERO for f in e.factors):
        return ZERO
    return None


REWRITES: list[Rewrite] = [
    Rewrite("collect like terms", Add, collect_terms),
    Rewrite("sin(u)^2 + cos(u)^2 -> 1", Add, pair_identities,
            uses=_functions(*(row.name for row in ROWS if row.squares or row.logistic))),
    Rewrite("pull out common factors of sums", Add, factor_sums_if_smaller, SEARCH, uses=SUM_IN_PRODUCT),
    Rewrite("expand where terms cancel", Add, expand_if_smaller, SEARCH, uses=SUM_IN_PRODUCT),
    Rewrite("common denominator", Add, together_if_smaller, SEARCH, needs=DEN),
    Rewrite("pull out a common factor", Add, factor_if_smaller, SEARCH),
    Rewrite("factor a polynomial in one function", Add, factor_polynomial, SEARCH, needs=FACT_POWER),
    Rewrite("x^a*x^b -> x^(a+b)", Mul, collect_powers),
    Rewrite("cancel common polynomial factors", Mul, cancel_polynomials, SEARCH, needs=DEN | SUM_POWER),
    Rewrite("-(a - b) -> b - a", Mul, distribute_number, SEARCH, needs=SUM_FACTOR),
    Rewrite("-(1 - x)^3 -> (x - 1)^3", Mul, flip_sum_signs, SEARCH, uses=SUM_IN_PRODUCT),
    Rewrite("conventional signs", Mul, conventional_signs, needs=DEN | SUM_FACTOR | SUM_POWER),
    Rewrite("log_b(u)*ln(b) -> ln(u)", Mul, log_times_log_of_base, needs=FACT_LOG),
    Rewrite("0^u*ln(0) -> 0", Mul, power_of_zero_times_ln_zero, needs=FACT_LOG | FACT_POWER),
    Rewrite("expand a product where terms cancel", Mul, expand_product, SEARCH, uses=SUM_IN_PRODUCT),
    Rewrite("sin(u)/cos(u) -> tan(u)", Mul, trig_quotient, uses=_functions(*(top for top, _ in QUOTIENTS))),
    Rewrite("2*sin(u)*cos(u) -> sin(2u)", Mul, double_angle, uses=_functions(*DOUBLE_ANGLES)),
    Rewrite("e^u*sigmoid(-u) -> sigmoid(u)", Mul, logistic_product, uses=FACT_EXP | _functions(*_LOGISTIC)),
    Rewrite("e^u/(e^(2u) + 1) -> 1/(2*cosh(u))", Mul, exp_over_exp_sum, needs=FACT_EXP | DEN | SUM_POWER),
    Rewrite("u^2/abs(u) -> abs(u)", Mul, abs_with_even_power, uses=_functions(ABS)),
    Rewrite("common denominator in a factor", Mul, together_in_factors, SEARCH, needs=DEN,
            uses=SUM_IN_PRODUCT),
    Rewrite("b^(log_b(u)) -> u", Pow, exp_of_log, needs=FACT_LOG),
    Rewrite("e^(log1p(u)) -> 1 + u", Pow, exp_of_log1p, needs=FACT_EXP, uses=_functions(*_LOGARITHMS)),
    Rewrite("cbrt(u)^3 -> u", Pow, power_of_root_function, uses=_functions(*_POWER_FORMS)),
    Rewrite("(u^a)^b", Pow, power_of_power),
    Rewrite("exact root", Pow, numeric_radical),
    Rewrite("(c*u)^r -> c^r*u^r", Pow, root_of_coefficient),
    Rewrite("abs(u)^2 -> u^2", Pow, abs_even_power, uses=_functions(ABS)),
    Rewrite("(1 - x)^2 -> (x - 1)^2", Pow, even_power_of_negated, SEARCH, needs=SUM_POWER),
    Rewrite("1/(1 + e^(-u)) -> sigmoid(u)", Pow, logistic_form, SEARCH, needs=FACT_EXP | DEN | SUM_POWER),
    Rewrite("log_b(b) -> 1", Log, log_of_base),
    Rewrite("log_b(1) -> 0", Log, log_of_one),
    Rewrite("log_b(b^u) -> u", Log, log_of_power_of_base),
    Rewrite("exact logarithm", Log, exact_log),
    Rewrite("ln(1 + e^u) -> softplus(u)", Log, softplus_form, needs=FACT_EXP),
    Rewrite("f(0)", Func, function_at_zero),
    Rewrite("exact value", Func, exact_value),
    Rewrite("f(g(u)) -> u", Func, inverse_pair),
    Rewrite("f(-u) = -f(u), g(-u) = g(u)", Func, symmetry),
    Rewrite("abs(u) -> u for u >= 0", Func, abs_of_nonnegative),
    Rewrite("abs(c*u) -> |c|*abs(u)", Func, abs_of_product),
    Rewrite("heaviside(relu(u)) -> heaviside(u)", Func, step_of_relu),
    Rewrite("empty sum -> 0", Sum, empty_sum),
]


BUILT_IN = tuple(REWRITES)


def rewrites_for(node_type: type) -> list[Rewrite]:
    """The rewrites that look at nodes of this type, in order (read at call time,
    so rewrites registered later by other modules take part)."""
    return [rw for rw in REWRITES if rw.node is node_type]


# What a node tries: (fn, is a search, name) for each row that can fire on it.
Plan = tuple[tuple[Callable[..., Expr | None], bool, str], ...]
# (node type, its facts, whether searching) -> its plan, for the table as it was.
Plans = dict[tuple[type, int, bool], Plan]
_by_type: tuple[tuple[Rewrite, ...], dict[type, list[Rewrite]], Plans] = ((), {}, {})


def _rows_by_type() -> dict[type, list[Rewrite]]:
    """`rewrites_for` of every node type, worked out again only when the table changes."""
    return _current()[1]


def _current() -> tuple[tuple[Rewrite, ...], dict[type, list[Rewrite]], Plans]:
    """The rows by type and the plans made from them, both anew when the table changes."""
    global _by_type
    table = _by_type[0]
    if len(table) != len(REWRITES) or not all(map(operator.is_, table, REWRITES)):
        rows: dict[type, list[Rewrite]] = {}
        for rw in REWRITES:
            rows.setdefault(rw.node, []).append(rw)
        _by_type = (tuple(REWRITES), rows, {})
    return _by_type


def _plan(rows: list[Rewrite], facts: int, search: bool) -> Plan:
    """The rows that can fire on a node with these facts, in order: a row that
    needs a fact the node lacks, or a search where there is none, is left out."""
    return tuple((rw.fn, rw.kind is SEARCH, rw.name) for rw in rows
                 if (facts & rw.needs) == rw.needs and (not rw.uses or facts & rw.uses)
                 and (search or rw.kind is not SEARCH))


class Simplifier:
    """One simplification run: the context search rewrites settle their
    candidates in.  It remembers every node it has settled, and the names of
    the rewrites it applied at the top level (not those it only tried on
    candidates)."""

    def __init__(self, trace: list[str] | None = None, search: bool = True) -> None:
        self.done: dict[Expr, Expr] = {}
        self.depth = 0
        _, self.rows, self.plans = _current()
        self.trace = trace
        # Past MAX_SEARCH_DEPTH candidates get the canonical rewrites only, in a
        # run of their own, so that what is accepted from there is still canonical.
        self.canonical_only = None if search else self
        # Nodes whose rewrites are being tried, further up the stack.  A candidate
        # that comes back to one of them (x^x*ln(x) + x^x, expanded from x^x*(ln(x) + 1),
        # factors back into it) settles as itself: its rewrites are being tried
        # there already, and trying them again deeper costs a search per level.
        self.active: set[Expr] = set()

    def run(self, root: Expr, chain: int = 0) -> Expr:
        done = self.done
        # Entries: (node, None) to visit, (node, node) once its children are
        # settled, (node, other) to take other's result once that is settled.
        stack: list[tuple[Expr, Expr | None]] = [(root, None)]
        active = self.active
        while stack:
            node, then = stack.pop()
            if node in done:
                continue
            args = node.args
            if then is None:
                pending = [(c, None) for c in args if c not in done]
                if pending:
                    stack.append((node, node))
                    stack += pending
                    continue
            elif then is not node:
                done[node] = done[then]
                continue
            kids = tuple([done[c] for c in args])
            if type(node) is Mul and any(k is ZERO for k in kids) and node.kind is SCALAR:
                # u'*f'(u) with u' = 0 is 0 even where f'(u) is a literal 1/0
                # (acos(sin(x)^2 + cos(x)^2)): the input is undefined there anyway.
                done[node] = ZERO
                continue
            current = node.rebuild(kids) if kids != args else node
            if current is not node:
                if current in done:
                    done[node] = done[current]
                    continue
                if any(done.get(c) is not c for c in current.args):
                    # The constructor built children of its own ((c*u)^2 -> c^2*u^2):
                    # settle them too, so the result is a fixed point.
                    stack.append((node, current))
                    stack.append((current, None))
                    continue
            if current in active:
                done[node] = current  # see `active`
                continue
            result = self.rewrite(current, chain)
            done[node] = result
            if current is not node:
                done[current] = result
            if result is not current:
                done[result] = result
        return done[root]

    def search(self, e: Expr) -> Expr:
        """Settle a candidate; past MAX_SEARCH_DEPTH, with the canonical rewrites only."""
        if e in self.active:
            return e  # see `active`
        if self.depth >= MAX_SEARCH_DEPTH or self.canonical_only is self:
            if self.canonical_only is None:
                self.canonical_only = Simplifier(search=False)
            return self.canonical_only.run(e)
        self.depth += 1
        try:
            return self.run(e)
        finally:
            self.depth -= 1

    def rewrite(self, node: Expr, chain: int) -> Expr:
        facts = node.facts
        if facts & FACT_ARRAY and node.kind is not SCALAR:
            return node  # the rewrites assume products commute: vectors and matrices are left as built
        key = (type(node), facts, self.canonical_only is not self)
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = _plan(self.rows.get(key[0], []), facts, key[2])
        if not plan:
            return node
        active = self.active
        fresh = node not in active
        active.add(node)
        try:
            return self._rewrite(node, chain, plan)
        finally:
            if fresh:
                active.discard(node)

    def _rewrite(self, node: Expr, chain: int, plan: Plan) -> Expr:
        for fn, is_search, name in plan:
            out = fn(node, self) if is_search else fn(node)
            if out is not None and out is not node:
                if self.trace is not None and self.depth == 0 and name not in self.trace:
                    self.trace.append(name)
                if chain >= MAX_REWRITE_CHAIN:
                    return out
                self.done[node] = node  # provisional: breaks rewrite cycles
                return self.run(out, chain + 1)
        return node


MULTIPLY_OUT = "multiply out and collect"
NORMAL_FORM = "normal form: a polynomial in the functions, cos(u)^2 = 1 - sin(u)^2"
# A normal form with more terms than this is taken as it is: searching it for
# a shorter form costs more than it finds.
SEARCH_TERMS = 8


# g -> f for the rows' identities f(u)^2 + g(u)^2 = 1 (`squares`): cos -> sin.
UNIT_SQUARES = {
    g.base.name: row.name for row in ROWS if row.squares
    for g, s, r in row.squares(_U) if s == 1 and r is ONE and type(g) is Pow and g.exp is TWO
    and type(g.base) is Func and g.base.args == (_U,)
}


def _reduce_cos_squares(bases: list[Expr], roots: list[int], p: P.Poly, max_terms: int) -> P.Poly | None:
    """cos(u)^2 -> 1 - sin(u)^2 wherever both are generators (`UNIT_SQUARES`): one form
    for each value; None past `max_terms` terms (each cos(u)^(2k) becomes k + 1 terms)."""
    for i, c in enumerate(bases):
        if type(c) is not Func or c.name not in UNIT_SQUARES or roots[i] != 1:
            continue
        j = next((j for j, g in enumerate(bases) if type(g) is Func and g.name == UNIT_SQUARES[c.name]
                  and g.arg is c.arg and roots[j] == 1), None)
        if j is None or all(m[i] < 2 for m in p):
            continue
        out: P.Poly = {}
        todo = list(p.items())
        while todo:
            mono, k = todo.pop()
            if mono[i] < 2:
                out[mono] = out.get(mono, 0) + k
                if len(out) > max_terms:
                    return None
                continue
            m = list(mono)
            m[i] -= 2
            todo.append((tuple(m), k))
            m[j] += 2
            todo.append((tuple(m), -k))
        p = {m: k for m, k in out.items() if k}
    return p


def _shift(p: P.Poly, i: int, c: int) -> P.Poly:
    """p with generator i written as (y - c): the polynomial in y = g + c."""
    out: P.Poly = {}
    for mono, k in p.items():
        n = mono[i]
        m = list(mono)
        binomial = 1
        for j in range(n + 1):  # (y - c)^n = sum_j C(n, j) y^j (-c)^(n - j)
            m[i] = j
            key = tuple(m)
            out[key] = out.get(key, 0) + k * binomial * (-c) ** (n - j)
            binomial = binomial * (n - j) // (j + 1)
    return {m: k for m, k in out.items() if k}


def _generators(e: Expr) -> frozenset[Expr] | None:
    got = P.laurent(e, P.SEARCH)
    return None if got is None else frozenset(got[0])


def normal_form(raw: Expr, max_leaves: int | None = None) -> Expr | None:
    """`raw` as common factor * (a polynomial in its functions), cos(u)^2
    written as 1 - sin(u)^2: x^x*(ln(x)^2 + 2*ln(x) + 1 + 1/x).  None when
    `raw` is not such a polynomial (a sum under a root or in a denominator,
    sums over an index), is over budget, or would have more than about
    `max_leaves` leaves (multiplied out, a 20-level x^x tower's
    second derivative has 1,500 terms)."""
    if raw.facts & FACT_BINDER:
        return None
    got = P.laurent(raw)
    if got is None:
        return None
    bases, roots, p = got
    if any(type(b) is Add for b in bases) or not p:
        return None
    reduced = _reduce_cos_squares(bases, roots, p, P.LARGE.terms if max_leaves is None else max_leaves)
    if reduced is None:
        return None
    if not reduced:
        return ZERO
    p = reduced
    # The common factor: the least power of each generator that is not a
    # variable (x^x, e^(sin(x))), when every term has it.
    least = [min(m[i] for m in p) for i in range(len(bases))]
    common = [k if k > 0 and type(bases[i]) not in (Sym, Num) else 0 for i, k in enumerate(least)]
    shown = list(bases)
    for i, g in enumerate(bases):
        if (type(g) in (Func, Log) and roots[i] == 1 and least[i] >= 0 and not common[i]
                and max(m[i] for m in p) <= P.MAX_DEGREE):
            for c in (1, -1):  # x^x*((ln(x) + 1)^2 + 1/x): powers of g + c, when fewer terms
                shifted = _shift(p, i, c)
                if len(shifted) < len(p):
                    p, shown[i] = shifted, add(g, num(c))
                    break
    if max_leaves is not None:
        size = [cost(b)[0] + 1 for b in bases]
        if sum(1 + sum(size[i] for i, k in enumerate(m) if k) for m in p) > max_leaves:
            return None
    power: Callable[[int, int], Expr] = lambda i, k: pow_(shown[i], Num(Fraction(k, roots[i])))  # noqa: E731
    terms = [mul(Num(Fraction(c)), *(power(i, k - common[i]) for i, k in enumerate(m) if k != common[i]))
             for m, c in p.items()]
    outer = [power(i, k) for i, k in enumerate(common) if k]
    terms = order_terms(terms)
    if is_negative(terms[0]):  # every term is: -(sin(x) + 3), not (-sin(x) - 3)
        return mul(NEG_ONE, *outer, add(*(neg(t) for t in terms)))
    return mul(*outer, add(*terms))


def _shifted_generators(raw: Expr) -> tuple[Expr, dict[Expr, Expr]]:
    """`raw` with each sum g + c (g a function or logarithm, c a number) that
    stands only as a whole (no bare g elsewhere) replaced by a placeholder
    variable, and the map back; `raw` and {} when there is none.  Repeated
    differentiation keeps x^x's (ln(x) + 1)^k as such: multiplying them out
    costs the normal form its budget from the 14th derivative on."""
    def shifted(n: Expr) -> bool:
        return type(n) is Add and len(n.terms) == 2 and type(n.terms[0]) in (Func, Log) \
            and type(n.terms[1]) is Num

    # the raw rule output writes them as ln(x) + x/x too
    small = {n: simplify(n) for n in postorder(raw)
             if type(n) is Add and len(n.terms) == 2 and any(type(t) in (Func, Log) for t in n.terms)}
    sums = sorted({g for g in small.values() if shifted(g)}, key=order_key)
    if not sums:
        return raw, {}
    placeholder: dict[Expr, Expr] = {g: Sym(f"\0shift{k}", ()) for k, g in enumerate(sums)}
    names: dict[Expr, Expr] = {n: placeholder[g] for n, g in small.items() if g in placeholder}
    hidden = replace_subtrees(raw, names)
    bare = {g.terms[0] for g in sums}
    if any(n in bare for n in postorder(hidden)):
        return raw, {}
    return hidden, {v: g for g, v in placeholder.items()}


def _shifted_normal_form(raw: Expr, max_leaves: int) -> Expr | None:
    """`normal_form` with the sums of `_shifted_generators` kept whole."""
    hidden, back = _shifted_generators(raw)
    nf = normal_form(hidden, max_leaves) if back else None
    if nf is None:
        return None
    nf = replace_subtrees(nf, back)
    inner = nf.factors[-1] if type(nf) is Mul else nf
    if type(inner) is not Add:
        return nf
    return mul(*nf.factors[:-1], add(*order_terms(list(inner.terms)))) if type(nf) is Mul \
        else add(*order_terms(list(inner.terms)))


def simplify_derivative(raw: Expr, order: int = 1, trace: list[str] | None = None) -> Expr:
    """The simplified form of one step of an `order`-th derivative.

    From the second order on, the derivative is brought to a normal form
    (`normal_form`): repeated differentiation multiplies sums into products
    whose like terms only expansion brings together, and the normal form is
    what makes the 12th derivative of exp(sin(x)) cheap.  A small normal form
    is then simplified; a large one is taken as it is.  Where there is no
    normal form, the multiplied-out form is taken whenever it is smaller.
    `trace` collects the names of the rewrites applied.
    """
    if order < 2:
        return simplify(raw, trace)
    # A normal form several times larger than the raw derivative is no simplification.
    nf = normal_form(raw, 4 * cost(raw)[0])
    if nf is None:
        nf = _shifted_normal_form(raw, 4 * cost(raw)[0])
    if nf is not None:
        if trace is not None and NORMAL_FORM not in trace:
            trace.append(NORMAL_FORM)
        inner = nf.factors[-1] if type(nf) is Mul else nf
        if type(inner) is Add and len(inner.terms) > SEARCH_TERMS:
            return nf
        out = simplify(nf, trace)
        # A shorter form in new functions (sin(2*x) for 2*sin(x)*cos(x)) would
        # cost the next order its normal form.
        after, before = _generators(out), _generators(nf)
        if after is None or before is None:  # too large to tell: the smaller
            return out if cost(out) <= cost(nf) else nf
        return out if after <= before else nf
    s = simplify(raw, trace)
    expanded = P.expand(s)
    if expanded is None:
        return s
    more: list[str] = [MULTIPLY_OUT]
    expanded = simplify(expanded, more)
    if cost(expanded) >= cost(s):
        return s
    if trace is not None:
        trace.extend(name for name in more if name not in trace)
    return expanded


# Results of recent calls, keyed by the (interned) input with its variables
# renamed in order (`_renaming`).  `simplify` is a pure function of its input
# and of the rewrite table, and it treats variables only through their order
# (`factor_key`), so a hit is the answer a fresh run would give: the 1,000
# partials of a BCE loss, alike up to names, are simplified once.  Bounded,
# oldest out first, so memory stays flat.
MEMO_SIZE = 1024
RENAME_NODES = 5000  # larger inputs are remembered as they are, not renamed
_memo: dict[Expr, tuple[Expr, tuple[str, ...]]] = {}
_memo_table: tuple[Rewrite, ...] = ()


def clear_memo() -> None:
    """Forget remembered results (benchmarks call this to time cold runs)."""
    _memo.clear()


def _renaming(e: Expr) -> dict[Expr, Expr] | None:
    """Plain variables -> placeholders that sort in the same order, or None
    where names matter beyond their order (sums, deltas, indexed names).  An
    input in one variable is not renamed: the renaming costs a tenth of its
    simplification and such inputs rarely repeat up to names, while partials
    of a loss over samples (t_k, y_k) do."""
    if e.facts & FACT_BINDER or len(e.free) < 2 or cost(e)[2] > RENAME_NODES:
        return None
    names = sorted(e.free, key=order_key)
    if any(v.indices for v in names):
        return None
    return {v: Sym(f"\0{i}", (), v.kind) for i, v in enumerate(names)}


def _rename(e: Expr, names: dict[Expr, Expr]) -> Expr:
    """`e` with variables renamed in order: every sorted product stays sorted
    and nothing folds, so nodes are rebuilt directly, not through `mul`."""
    done: dict[Expr, Expr] = dict(names)
    for node in postorder(e):
        if node in done:
            continue
        args = node.args
        kids = tuple(done[c] for c in args) if args else args
        done[node] = node if kids == args else node.with_args(kids)
    return done[e]


def simplify(e: Expr, trace: list[str] | None = None) -> Expr:
    """A shorter equal form of `e`; deterministic and idempotent.  `trace`,
    when given, collects the names of the rewrites applied."""
    global _memo_table
    table = tuple(REWRITES)
    if table != _memo_table:  # a rewrite was registered or removed
        _memo.clear()
        _memo_table = table
    # A registered rewrite may look at names (the built-in ones only at their order).
    renaming = _renaming(e) if table == BUILT_IN else None
    key = e if renaming is None else _rename(e, renaming)
    hit = _memo.get(key)
    if hit is None:
        names: list[str] = []
        search = cost(key)[2] <= SEARCH_SIZE
        hit = _memo[key] = (Simplifier(names, search).run(key), tuple(names))
        if len(_memo) > MEMO_SIZE:
            try:
                del _memo[next(iter(_memo))]
            except (KeyError, RuntimeError):  # another thread evicted first
                pass
    if trace is not None:
        trace.extend(name for name in hit[1] if name not in trace)
    if renaming is None:
        return hit[0]
    return _rename(hit[0], {p: v for v, p in renaming.items()})
