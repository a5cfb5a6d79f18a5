"""Simplification: named rewrites, applied bottom-up until nothing changes.

Each `Rewrite` has a name (the identity it applies, read as documentation and
shown in derivation steps), the node type it looks at, and a function that
returns the rewritten node or None.  The `Simplifier` settles children first
(an explicit stack, memoised per node), then tries the rewrites of the node's
type in order; the first that applies wins and its output is settled again.

Two kinds of rewrite:

* canonical ones (collect like terms, merge powers, exact numbers, identities
  such as `log_b(b^u) -> u`) always apply;
* search ones (expand, common denominator, cancel polynomial factors, pull out
  a common factor, distribute a number) build a candidate, settle it, and
  apply only when it is strictly smaller by `cost` (leaves, then nodes).  So a
  rewrite never grows the expression: `(x + 1)^10` stays as it is.

Every rewrite loop is bounded: strictly decreasing cost, `MAX_REWRITE_CHAIN`,
and the expansion budgets of `polynomial`.  Sums wider than `WIDE` terms get
only the linear-time rewrites, so simplification stays near-linear.

Soundness: each rewrite holds wherever its input is defined on the reals.  The
result may be defined in *more* places: like other computer algebra systems we
let removable singularities disappear.  Precisely, these may vanish:

* cancelled factors: `x/x -> 1`, `x^2/x -> x`, `(x^2 - 1)/(x - 1) -> x + 1`,
  `0*u -> 0` (holes where the cancelled factor is 0 or undefined);
* merged powers: `sqrt(x)^2 -> x`, `x^(1/2)*x^(1/2) -> x` (the restriction
  `x >= 0` of the root is dropped);
* inverse pairs: `b^(log_b(u)) -> u`, `e^(k*ln(u)) -> u^k` (the restriction
  `u > 0` of the logarithm is dropped).

Never applied because they fail somewhere on the domain: `ln(x^2) -> 2*ln(x)`
(use `2*ln(abs(x))`), `sqrt(x^2) -> x` (it is `abs(x)`), `(x*y)^(1/2) ->
sqrt(x)*sqrt(y)`, `(x^a)^b -> x^(a*b)` unless `x > 0` is known.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

from . import polynomial as P
from .functions import FUNCTIONS, Parity
from .expr import (
    E, NEG_ONE, ONE, TWO, ZERO, Add, Const, Expr, Func, Log, Mul, Num, Pow, Sym,
    _fold_numeric_power, add, factor_key, func, mul, neg, num, pow_,
)

# A rewrite that keeps producing new forms is cut off after this many in a row.
MAX_REWRITE_CHAIN = 64
# Candidates settled inside candidates: deeper searches are not started.
MAX_SEARCH_DEPTH = 4
# Sums wider than this get only the linear-time rewrites.
WIDE = 300
# Largest integer whose perfect-power part is extracted (`sqrt(8) -> 2*sqrt(2)`).
MAX_RADICAND = 10**24
MAX_FLIP_FACTORS = 12  # products longer than this keep their sums' signs (flip_sum_signs)


class Rewrite(NamedTuple):
    name: str
    node: type
    fn: Callable[[Expr], Expr | None]


# --------------------------------------------------------------------- size

_COST: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cost(e: Expr) -> tuple[int, int, int]:
    """(leaves, negative numbers, nodes), counting repeats; the `e` of `ln` and
    `exp` is not a leaf.  Fewer minus signs break ties: `-(x + 2)` over `-x - 2`."""
    hit = _COST.get(e)
    if hit is not None:
        return hit
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        node, expanded = stack.pop()
        if node in _COST:
            continue
        kids = node.args
        if type(node) is Sym or not kids:
            _COST[node] = (1, int(type(node) is Num and node.value < 0), 1)
            continue
        if not expanded:
            stack.append((node, True))
            stack.extend((c, False) for c in kids if c not in _COST)
            continue
        if type(node) is Log and node.base is E:
            kids = (node.arg,)
        elif type(node) is Pow and node.base is E:
            kids = (node.exp,)
        leaves = negatives = nodes = 0
        for k in kids:
            kl, kneg, kn = _COST[k]
            leaves += kl
            negatives += kneg
            nodes += kn
        _COST[node] = (leaves, negatives, nodes + 1)
    return _COST[e]


# ------------------------------------------------------------ term helpers


def split_coefficient(e: Expr) -> tuple[Fraction, Expr]:
    """`3*x*y` -> (3, x*y); `x` -> (1, x); `5` -> (5, 1)."""
    if type(e) is Num:
        return e.value, ONE
    if type(e) is Mul and type(e.factors[0]) is Num:
        rest = e.factors[1:]
        return e.factors[0].value, rest[0] if len(rest) == 1 else Mul(rest)
    return Fraction(1), e


def split_power(e: Expr) -> tuple[Expr, Expr]:
    return (e.base, e.exp) if type(e) is Pow else (e, ONE)


def as_factors(e: Expr) -> tuple[Fraction, dict[Expr, Expr]]:
    """`3*x^2*y` -> (3, {x: 2, y: 1}); equal bases have their exponents added."""
    coeff = Fraction(1)
    exps: dict[Expr, list[Expr]] = {}
    for f in e.factors if type(e) is Mul else (e,):
        if type(f) is Num:
            coeff *= f.value
            continue
        base, x = split_power(f)
        exps.setdefault(base, []).append(x)
    # One add per base: adding exponents one at a time is quadratic (exp chains).
    return coeff, {b: xs[0] if len(xs) == 1 else add(*xs) for b, xs in exps.items()}


def put_factor(powers: dict[Expr, Expr], base: Expr, x: Expr) -> None:
    """Multiply `base^x` into a factor dict."""
    powers[base] = add(powers[base], x) if base in powers else x


def from_factors(coeff: Fraction, powers: dict[Expr, Expr]) -> Expr:
    return mul(Num(coeff), *(pow_(b, x) for b, x in powers.items()))


def degree(e: Expr) -> Fraction:
    """Total numeric degree in the variables: `3*x^2*y` -> 3."""
    total = Fraction(0)
    for f in e.factors if type(e) is Mul else (e,):
        base, exp = split_power(f)
        if type(base) is Sym and type(exp) is Num:
            total += exp.value
    return total


def term_key(e: Expr) -> tuple:
    """Order of terms in a sum: higher degree first, then by factors."""
    _, rest = split_coefficient(e)
    factors = rest.factors if type(rest) is Mul else (rest,)
    return (-degree(rest), len(factors), tuple(factor_key(f) for f in factors))


def order_terms(terms: list[Expr]) -> list[Expr]:
    """Canonical order, then the first positive term moved to the front (`1 - x`)."""
    numbers = [t for t in terms if type(t) is Num]
    rest = sorted((t for t in terms if type(t) is not Num), key=term_key)
    ordered = rest + numbers
    for i, t in enumerate(ordered):
        if split_coefficient(t)[0] > 0:
            return [t, *ordered[:i], *ordered[i + 1 :]]
    return ordered


def is_negative(e: Expr) -> bool:
    if type(e) is Num:
        return e.value < 0
    return type(e) is Mul and type(e.factors[0]) is Num and e.factors[0].value < 0


_NONNEG: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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
            x = node.exp
            ok = node.base is E or (type(node.base) is Num and node.base.value > 0) or (
                type(x) is Num and (x.value.denominator != 1 or x.value.numerator % 2 == 0)
            )
        elif t is Func:
            row = FUNCTIONS.get(node.name)
            ok = row is not None and row.nonnegative
        else:
            ok = False
        _NONNEG[node] = ok
    return _NONNEG[e]


# ----------------------------------------------- search: settle and compare

_ACTIVE: list[Simplifier] = []


def settle(e: Expr) -> Expr:
    """`e` simplified within the running simplification (sharing its memo)."""
    if _ACTIVE:
        return _ACTIVE[-1].search(e)
    return simplify(e)


def smaller(candidate: Expr | None, than: Expr) -> Expr | None:
    """The settled candidate when it is strictly smaller than `than`, else None."""
    if candidate is None or candidate is than:
        return None
    out = settle(candidate)
    return out if cost(out) < cost(than) else None


def fewer_leaves(candidate: Expr | None, than: Expr) -> Expr | None:
    """Like `smaller`, but only a strict drop in leaves counts: for expansions,
    which are taken only where terms cancel."""
    out = smaller(candidate, than)
    return out if out is not None and cost(out)[0] < cost(than)[0] else None


# --------------------------------------------------------------------- sums


def collect_terms(e: Expr) -> Expr | None:
    """2*x + 3*x -> 5*x, x*y - y*x -> 0; then order the terms."""
    groups: dict[Expr, Fraction] = {}
    for t in e.terms:
        c, rest = split_coefficient(t)
        groups[rest] = groups.get(rest, 0) + c
    terms = [mul(Num(c), rest) for rest, c in groups.items() if c]
    return add(*order_terms(terms))


def _partners(f: Expr) -> list[tuple[Expr, int, Expr]]:
    """(g, s, r) such that f + s*g = r, for the pair identities."""
    if type(f) is Func and f.name == "sigmoid" and not is_negative(f.arg):
        return [(func("sigmoid", neg(f.arg)), 1, ONE)]  # sigmoid(u) + sigmoid(-u) = 1
    if not (type(f) is Pow and f.exp is TWO and type(f.base) is Func):
        return []
    name, u = f.base.name, f.base.arg
    square = lambda g: pow_(func(g, u), TWO)  # noqa: E731
    double = mul(TWO, u)
    if name == "sin":
        return [(square("cos"), 1, ONE)]
    if name == "cos":
        return [(square("sin"), -1, func("cos", double))]
    if name == "cosh":
        return [(square("sinh"), -1, ONE), (square("sinh"), 1, func("cosh", double))]
    if name == "tan":
        return [(ONE, 1, pow_(func("sec", u), TWO))]  # tan(u)^2 + 1 = sec(u)^2
    return []


def pair_identities(e: Expr) -> Expr | None:
    """sin(u)^2 + cos(u)^2 -> 1, cos(u)^2 - sin(u)^2 -> cos(2u), cosh(u)^2 - sinh(u)^2 -> 1,
    1 + tan(u)^2 -> sec(u)^2, sigmoid(u) + sigmoid(-u) -> 1;
    each times any common rest."""
    groups: dict[Expr, Fraction] = {}
    for t in e.terms:
        c, rest = split_coefficient(t)
        groups[rest] = groups.get(rest, 0) + c
    changed = False
    for rest in list(groups):
        if rest not in groups:
            continue
        fs = rest.factors if type(rest) is Mul else (rest,)
        for i, f in enumerate(fs):
            found = False
            for g, sign, r in _partners(f):
                other = mul(*fs[:i], g, *fs[i + 1 :])
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
        for f in t.factors if type(t) is Mul else (t,):
            if type(f) is Add or (type(f) is Pow and type(f.base) is Add and type(f.exp) is Num
                                  and f.exp.value.denominator == 1 and f.exp.value > 0):
                return True
    return False


def expand_if_smaller(e: Expr) -> Expr | None:
    """Multiply out products of sums when terms cancel: t*(1 - s) + s*t -> t."""
    if len(e.terms) > WIDE or not _has_product_of_sums(e):
        return None
    ring = P.Ring(e)
    p = ring.poly(e)
    return None if p is None else fewer_leaves(ring.expr(p), e)


def _denominator_base(base: Expr, x: Expr) -> tuple[Expr, int] | None:
    """`u^-k` as (u, k); `u^(-3/2)` as (sqrt(u), 3); None when not a denominator."""
    if type(x) is not Num or x.value >= 0:
        return None
    r = -x.value
    if r.denominator == 1:
        return base, r.numerator
    return pow_(base, Num(Fraction(1, r.denominator))), r.numerator


def _over(terms: list[Expr]) -> tuple[list[Expr], dict[Expr, int]] | None:
    """Terms brought over their least common denominator: (numerators, denominator)."""
    split = []
    den: dict[Expr, int] = {}
    for t in terms:
        coeff, powers = as_factors(t)
        top: list[Expr] = [Num(coeff)]
        bottom: dict[Expr, int] = {}
        for b, x in powers.items():
            d = _denominator_base(b, x)
            if d is None:
                top.append(pow_(b, x))
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


def together_if_smaller(e: Expr) -> Expr | None:
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
        best = smaller(_quotient(*cancelled), e)
        if best is not None:
            return best
    return smaller(_quotient(numerator, den), e)


def _numeric_gap(a: Expr, b: Expr) -> Fraction | None:
    """b - a when it is a number: (x - 1, x) -> 1."""
    groups: dict[Expr, Fraction] = {}
    for sign, s in ((1, b), (-1, a)):
        for t in s.terms if type(s) is Add else (s,):
            c, rest = split_coefficient(t)
            groups[rest] = groups.get(rest, 0) + sign * c
    if any(c for rest, c in groups.items() if rest is not ONE):
        return None
    return groups.get(ONE, Fraction(0))


def factor_if_smaller(e: Expr) -> Expr | None:
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
                gap = _numeric_gap(x0, x1)  # x^x and x^(x - 1) share x^(x - 1)
                if gap is not None:
                    common[b] = x0 if gap > 0 else x1
                else:
                    del common[b]
        if not common:
            break
    g = Fraction(math.gcd(*(c.numerator for c, _ in parts)),
                 math.lcm(*(c.denominator for c, _ in parts)))
    if all(c < 0 for c, _ in parts):
        g = -g
    if not common and g == 1:
        return None
    inner = []
    for c, powers in parts:
        rest = {}
        for b, x in powers.items():
            if b in common:
                x = add(x, neg(common[b]))
            if x is not ZERO:
                rest[b] = x
        inner.append(from_factors(c / g, rest))
    outer = from_factors(g, common)
    return smaller(mul(outer, add(*inner)), e)


# ----------------------------------------------------------------- products


def collect_powers(e: Expr) -> Expr | None:
    """x*x -> x^2, x^a*x^b -> x^(a + b)."""
    coeff, powers = as_factors(e)
    if len(powers) + (coeff != 1) == len(e.factors):
        return None
    return from_factors(coeff, powers)


def cancel_polynomials(e: Expr) -> Expr | None:
    """(x^2 - 1)/(x - 1) -> x + 1: cancel common polynomial factors."""
    if not any(type(f) is Pow and type(f.base) is Add and is_negative(f.exp) for f in e.factors):
        return None
    over = _over([e])
    if over is None:
        return None
    (numerator,), den = over
    if not any(type(b) is Add for b in den):
        return None
    if not any(type(split_power(f)[0]) is Add for f in (numerator.factors if type(numerator) is Mul else (numerator,))):
        return None
    cancelled = _cancel(numerator, den)
    return None if cancelled is None else smaller(_quotient(*cancelled), e)


def distribute_number(e: Expr) -> Expr | None:
    """-(a - b) -> b - a: move the minus sign into the one sum, when smaller."""
    if e.factors[0] is not NEG_ONE:  # 2*(1 - s) stays: the coefficient is not pushed in
        return None
    sums = [f for f in e.factors if type(f) is Add]
    if len(sums) != 1:
        return None
    s = sums[0]
    c = e.factors[0]
    others = [f for f in e.factors[1:] if f is not s]
    return smaller(mul(*others, add(*(mul(c, t) for t in s.terms))), e)


def _mostly_negative(s: Expr) -> bool:
    """At least as many negative as positive non-numeric terms: negating may pay."""
    balance = sum(-1 if is_negative(t) else 1 for t in s.terms if type(t) is not Num)
    return balance <= 0


def negated(s: Expr) -> Expr:
    """-s with the sign pushed into the terms: 1 - x -> x - 1."""
    return add(*(mul(NEG_ONE, t) for t in s.terms))


def flip_sum_signs(e: Expr) -> Expr | None:
    """-(1 - x)^3 -> (x - 1)^3, -a/(1 - y) -> a/(y - 1): negate a sum under an odd power
    when that removes minus signs without adding leaves."""
    if len(e.factors) > MAX_FLIP_FACTORS:  # one search per factor: cubic on long chain-rule products
        return None
    for i, f in enumerate(e.factors):
        base, x = split_power(f)
        if type(base) is Add and type(x) is Num and x.value.denominator == 1 \
                and (_mostly_negative(base) or is_negative(e)):
            sign = num(-1 if x.value.numerator % 2 else 1)
            out = settle(mul(sign, *e.factors[:i], pow_(negated(base), x), *e.factors[i + 1 :]))
            # Only to shed minus signs: 2*s*(1 - s) is not turned into -2*s*(s - 1).
            (leaves, negatives, _), (leaves0, negatives0, _) = cost(out), cost(e)
            if leaves <= leaves0 and negatives < negatives0:
                return out
    return None


def even_power_of_negated(e: Expr) -> Expr | None:
    """(1 - x)^2 -> (x - 1)^2, when smaller."""
    x = e.exp
    if type(e.base) is not Add or type(x) is not Num or x.value.denominator != 1 \
            or x.value.numerator % 2 or not _mostly_negative(e.base):
        return None
    return smaller(pow_(negated(e.base), x), e)


def log_times_log_of_base(e: Expr) -> Expr | None:
    """log_b(u)*ln(b) -> ln(u)."""
    coeff, powers = as_factors(e)
    for b, j in powers.items():
        if type(b) is not Log or b.base is E or type(j) is not Num:
            continue
        lnb = Log(b.base, E)
        m = powers.get(lnb)
        if type(m) is not Num or (m.value > 0) != (j.value > 0):
            continue
        k = Num(j.value if abs(j.value) <= abs(m.value) else m.value)
        powers[b], powers[lnb] = add(j, neg(k)), add(m, neg(k))
        lnu = Log(b.arg, E)
        powers[lnu] = add(powers[lnu], k) if lnu in powers else k
        return from_factors(coeff, powers)
    return None


def expand_product(e: Expr) -> Expr | None:
    """2*(c + s)*(c - s) -> 2*c^2 - 2*s^2 (and on to 2*cos(2x)): multiply out, when smaller."""
    if not any(type(b) is Add and type(k) is Num and k.value > 0 and k.value.denominator == 1
               for b, k in map(split_power, e.factors)):
        return None  # only sums under positive powers multiply out
    ring = P.Ring(e)
    p = ring.poly(e)
    return None if p is None or len(p) < 2 else fewer_leaves(ring.expr(p), e)


QUOTIENTS = {("sin", "cos"): "tan", ("cos", "sin"): "cot", ("sinh", "cosh"): "tanh"}


def trig_quotient(e: Expr) -> Expr | None:
    """sin(u)/cos(u) -> tan(u), cos(u)/sin(u) -> cot(u), sinh(u)/cosh(u) -> tanh(u)."""
    coeff, powers = as_factors(e)
    for b, x in powers.items():
        if type(b) is not Func or type(x) is not Num or x.value <= 0:
            continue
        for (top, bottom), name in QUOTIENTS.items():
            if b.name != top:
                continue
            d = func(bottom, b.arg)
            if powers.get(d) is Num(-x.value):
                del powers[b], powers[d]
                put_factor(powers, func(name, b.arg), x)
                return from_factors(coeff, powers)
    return None


def double_angle(e: Expr) -> Expr | None:
    """2*sin(u)*cos(u) -> sin(2u), 2*sinh(u)*cosh(u) -> sinh(2u).

    Always applied, so that terms written either way collect."""
    coeff, powers = as_factors(e)
    for b, x in powers.items():
        if type(b) is Func and b.name in ("sin", "sinh") and x is ONE:
            partner = func("cos" if b.name == "sin" else "cosh", b.arg)
            if powers.get(partner) is ONE:
                del powers[b], powers[partner]
                put_factor(powers, func(b.name, mul(TWO, b.arg)), ONE)
                return from_factors(coeff / 2, powers)
    return None


def sigmoid_product(e: Expr) -> Expr | None:
    """e^u*sigmoid(-u) -> sigmoid(u), e^u/(1 + e^u)^n -> sigmoid(u)*(1 - sigmoid(u))^(n - 1),
    sigmoid(-u)*sigmoid(u) -> sigmoid(u)*(1 - sigmoid(u))."""
    coeff, powers = as_factors(e)
    for b, x in powers.items():
        if b is E and x is not ONE:
            sums = [f for f in powers if _one_plus_exp(f) is x]  # 1 + e^u in either order
            for partner, k in ((func("sigmoid", neg(x)), 1), *((f, -1) for f in sums)):
                y = powers.get(partner)
                if type(y) is Num and y.value.denominator == 1 and k * y.value >= 1:
                    del powers[b]
                    s = func("sigmoid", x)
                    powers[s] = add(powers[s], ONE) if s in powers else ONE
                    if k == 1:
                        powers[partner] = Num(y.value - 1)
                    else:  # what is left of 1/(1 + e^u)^n is (1 - sigmoid(u))^(n - 1)
                        del powers[partner]
                        rest = add(ONE, neg(s))
                        powers[rest] = add(powers[rest], Num(-y.value - 1)) if rest in powers \
                            else Num(-y.value - 1)
                    return from_factors(coeff, powers)
        if type(b) is Func and b.name == "sigmoid" and is_negative(b.arg):
            other = func("sigmoid", neg(b.arg))
            if other in powers:
                del powers[b]
                return mul(from_factors(coeff, powers), pow_(add(ONE, neg(other)), x))
    return None


HYPERBOLIC_OF_EXP = {1: "cosh", -1: "sinh"}  # e^u/(e^(2u) + 1) and e^u/(e^(2u) - 1)


def exp_over_exp_sum(e: Expr) -> Expr | None:
    """e^u/(e^(2u) + 1) -> 1/(2*cosh(u)), e^u/(e^(2u) - 1) -> 1/(2*sinh(u))."""
    coeff, powers = as_factors(e)
    for b, x in powers.items():
        if b is not E or x is ONE:
            continue
        for s, k in powers.items():
            if (type(s) is Add and len(s.terms) == 2 and k is NEG_ONE
                    and s.terms[0] is pow_(E, mul(TWO, x)) and type(s.terms[1]) is Num
                    and s.terms[1].value in HYPERBOLIC_OF_EXP):
                name = HYPERBOLIC_OF_EXP[s.terms[1].value]
                del powers[b], powers[s]
                return mul(from_factors(coeff, powers), pow_(mul(TWO, func(name, x)), NEG_ONE))
    return None


def abs_with_even_power(e: Expr) -> Expr | None:
    """x^2/abs(x) -> abs(x): u^(2k) = abs(u)^(2k)."""
    coeff, powers = as_factors(e)
    for b, x in powers.items():
        if type(b) is Func and b.name == "abs" and b.arg in powers:
            n = powers[b.arg]
            if type(n) is Num and n.value.denominator == 1 and n.value.numerator % 2 == 0:
                del powers[b.arg]
                powers[b] = add(x, n)
                return from_factors(coeff, powers)
    return None


def together_in_factors(e: Expr) -> Expr | None:
    """-1/(x^2*(1/x^2 + 1)) -> -1/(x^2 + 1): a factor brought over its denominator, when smaller."""
    for i, f in enumerate(e.factors):
        base, x = split_power(f)
        if type(base) is not Add or type(x) is not Num or x.value.denominator != 1:
            continue
        over = _over(list(base.terms))
        if over is None:
            continue
        combined = _quotient(add(*over[0]), over[1])
        out = smaller(mul(*e.factors[:i], pow_(combined, x), *e.factors[i + 1 :]), e)
        if out is not None:
            return out
    return None


# ------------------------------------------------------------------- powers


def exp_of_log(e: Expr) -> Expr | None:
    """b^(log_b(u)) -> u, b^(k*log_b(u)) -> u^k."""
    x = e.exp
    if type(x) is Log and x.base is e.base:
        return x.arg
    if type(x) is Mul:
        for i, f in enumerate(x.factors):
            if type(f) is Log and f.base is e.base:
                return pow_(f.arg, mul(*x.factors[:i], *x.factors[i + 1 :]))
    return None


def _positive_constant(e: Expr) -> bool:
    return type(e) is Const or (type(e) is Num and e.value > 0)


def power_of_power(e: Expr) -> Expr | None:
    """(u^2)^(1/2) -> abs(u), (u^3)^(1/3) -> u, (e^a)^b -> e^(a*b)."""
    inner = e.base
    if type(inner) is not Pow:
        return None
    u, n = inner.base, inner.exp
    if _positive_constant(u):
        return pow_(u, mul(n, e.exp))
    if type(n) is not Num or type(e.exp) is not Num:
        return None
    k = n.value
    if k.denominator == 1 and k.numerator % 2 == 0:
        return pow_(func("abs", u), Num(k * e.exp.value))
    return pow_(u, Num(k * e.exp.value))


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
    b, x = e.base, e.exp
    if type(b) is not Num or type(x) is not Num or b.value <= 0 or x.value.denominator == 1:
        return None
    r = x.value
    whole = math.floor(r)
    s, n = (r - whole).numerator, r.denominator
    if s > MAX_RADICAND.bit_length():  # b^s alone would pass MAX_RADICAND: do not build it
        return None
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
    b, x = e.base, e.exp
    if type(b) is not Mul or type(x) is not Num or x.value.denominator == 1:
        return None
    c = b.factors[0]
    if type(c) is not Num or c.value <= 0:
        return None
    return mul(pow_(c, x), pow_(mul(*b.factors[1:]), x))


def abs_even_power(e: Expr) -> Expr | None:
    """abs(u)^2 -> u^2."""
    b, x = e.base, e.exp
    if type(b) is Func and b.name == "abs" and type(x) is Num and x.value.denominator == 1 \
            and x.value.numerator % 2 == 0:
        return pow_(b.arg, x)
    return None


def _one_plus_exp(s: Expr) -> Expr | None:
    """The w of `1 + e^w`, else None."""
    if type(s) is Add and len(s.terms) == 2 and ONE in s.terms:
        other = s.terms[0] if s.terms[1] is ONE else s.terms[1]
        if type(other) is Pow and other.base is E:
            return other.exp
    return None


def sigmoid_form(e: Expr) -> Expr | None:
    """(1 + e^(-u))^(-n) -> sigmoid(u)^n, when smaller."""
    w = _one_plus_exp(e.base)
    x = e.exp
    if w is None or not is_negative(w) or type(x) is not Num or x.value >= 0 \
            or x.value.denominator != 1:
        return None
    return smaller(pow_(func("sigmoid", neg(w)), Num(-x.value)), e)


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


def exact_log(e: Expr) -> Expr | None:
    """log_2(8) -> 3, log_4(2) -> 1/2: a rational logarithm of rational numbers."""
    arg, base = e.arg, e.base
    if not (type(arg) is Num and type(base) is Num and arg.value > 0 and base.value > 0):
        return None
    if base.value == 1:
        return None
    guess = math.log(arg.value) / math.log(base.value)
    for q in range(1, 13):
        k = Fraction(round(guess * q), q)
        if _fold_numeric_power(base.value, k) == arg.value:
            return Num(k)
    return None


def softplus_form(e: Expr) -> Expr | None:
    """ln(1 + e^u) -> softplus(u)."""
    w = _one_plus_exp(e.arg)
    return func("softplus", w) if w is not None and e.base is E else None


# ---------------------------------------------------------------- functions

def function_at_zero(e: Expr) -> Expr | None:
    """sin(0) -> 0, cos(0) -> 1, sigmoid(0) -> 1/2, ..."""
    row = FUNCTIONS.get(e.name)
    return row.at_zero if row is not None and e.arg is ZERO else None


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
    if e.name != "abs":
        return None
    if type(e.arg) is Num:
        return Num(abs(e.arg.value))
    return e.arg if is_nonnegative(e.arg) else None


def abs_of_product(e: Expr) -> Expr | None:
    """abs(c*u) -> |c|*abs(u)."""
    if e.name != "abs" or type(e.arg) is not Mul or type(e.arg.factors[0]) is not Num:
        return None
    return mul(Num(abs(e.arg.factors[0].value)), func("abs", mul(*e.arg.factors[1:])))


REWRITES: list[Rewrite] = [
    Rewrite("collect like terms", Add, collect_terms),
    Rewrite("sin(u)^2 + cos(u)^2 -> 1", Add, pair_identities),
    Rewrite("expand where terms cancel", Add, expand_if_smaller),
    Rewrite("common denominator", Add, together_if_smaller),
    Rewrite("pull out a common factor", Add, factor_if_smaller),
    Rewrite("x^a*x^b -> x^(a+b)", Mul, collect_powers),
    Rewrite("cancel common polynomial factors", Mul, cancel_polynomials),
    Rewrite("-(a - b) -> b - a", Mul, distribute_number),
    Rewrite("-(1 - x)^3 -> (x - 1)^3", Mul, flip_sum_signs),
    Rewrite("log_b(u)*ln(b) -> ln(u)", Mul, log_times_log_of_base),
    Rewrite("expand a product where terms cancel", Mul, expand_product),
    Rewrite("sin(u)/cos(u) -> tan(u)", Mul, trig_quotient),
    Rewrite("2*sin(u)*cos(u) -> sin(2u)", Mul, double_angle),
    Rewrite("e^u*sigmoid(-u) -> sigmoid(u)", Mul, sigmoid_product),
    Rewrite("e^u/(e^(2u) + 1) -> 1/(2*cosh(u))", Mul, exp_over_exp_sum),
    Rewrite("u^2/abs(u) -> abs(u)", Mul, abs_with_even_power),
    Rewrite("common denominator in a factor", Mul, together_in_factors),
    Rewrite("b^(log_b(u)) -> u", Pow, exp_of_log),
    Rewrite("(u^a)^b", Pow, power_of_power),
    Rewrite("exact root", Pow, numeric_radical),
    Rewrite("(c*u)^r -> c^r*u^r", Pow, root_of_coefficient),
    Rewrite("abs(u)^2 -> u^2", Pow, abs_even_power),
    Rewrite("(1 - x)^2 -> (x - 1)^2", Pow, even_power_of_negated),
    Rewrite("1/(1 + e^(-u)) -> sigmoid(u)", Pow, sigmoid_form),
    Rewrite("log_b(b) -> 1", Log, log_of_base),
    Rewrite("log_b(1) -> 0", Log, log_of_one),
    Rewrite("log_b(b^u) -> u", Log, log_of_power_of_base),
    Rewrite("exact logarithm", Log, exact_log),
    Rewrite("ln(1 + e^u) -> softplus(u)", Log, softplus_form),
    Rewrite("f(0)", Func, function_at_zero),
    Rewrite("f(-u) = -f(u), g(-u) = g(u)", Func, symmetry),
    Rewrite("abs(u) -> u for u >= 0", Func, abs_of_nonnegative),
    Rewrite("abs(c*u) -> |c|*abs(u)", Func, abs_of_product),
]


def rewrites_for(node_type: type) -> list[Rewrite]:
    """The rewrites that look at nodes of this type, in order (read at call time,
    so rewrites registered later by other modules take part)."""
    return [rw for rw in REWRITES if rw.node is node_type]


class Simplifier:
    """One simplification run; remembers every node it has settled, and
    optionally the names of the rewrites it applied (not those it only tried
    on candidates)."""

    def __init__(self, trace: list[str] | None = None) -> None:
        self.done: dict[Expr, Expr] = {}
        self.depth = 0
        self.table: dict[type, list[Rewrite]] = {}
        self.trace = trace

    def run(self, root: Expr, chain: int = 0) -> Expr:
        done = self.done
        stack: list[tuple[Expr, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if node in done:
                continue
            if not expanded:
                stack.append((node, True))
                stack.extend((c, False) for c in node.args if c not in done)
                continue
            kids = tuple(done[c] for c in node.args)
            current = node.rebuild(kids) if kids != node.args else node
            if current is not node and current in done:
                done[node] = done[current]
                continue
            result = self.rewrite(current, chain)
            done[node] = done[current] = done[result] = result
        return done[root]

    def search(self, e: Expr) -> Expr:
        """Settle a candidate; past MAX_SEARCH_DEPTH, candidates are left as built."""
        if self.depth >= MAX_SEARCH_DEPTH:
            return e
        self.depth += 1
        try:
            return self.run(e)
        finally:
            self.depth -= 1

    def rewrite(self, node: Expr, chain: int) -> Expr:
        t = type(node)
        table = self.table.get(t)
        if table is None:
            table = self.table[t] = rewrites_for(t)
        for rw in table:
            out = rw.fn(node)
            if out is not None and out is not node:
                if self.trace is not None and self.depth == 0 and rw.name not in self.trace:
                    self.trace.append(rw.name)
                if chain >= MAX_REWRITE_CHAIN:
                    return out
                self.done[node] = node  # provisional: breaks rewrite cycles
                return self.run(out, chain + 1)
        return node


MULTIPLY_OUT = "multiply out and collect"


def simplify_derivative(raw: Expr, order: int = 1, trace: list[str] | None = None) -> Expr:
    """The simplified form of one step of an `order`-th derivative.

    Repeated differentiation multiplies sums into products whose like terms
    only expansion brings together, so from the second order on the
    multiplied-out form is taken whenever it is smaller.  `trace` collects
    the names of the rewrites applied.
    """
    s = simplify(raw, trace)
    if order < 2:
        return s
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


def simplify(e: Expr, trace: list[str] | None = None) -> Expr:
    """A shorter equal form of `e`; deterministic and idempotent.  `trace`,
    when given, collects the names of the rewrites applied."""
    s = Simplifier(trace)
    _ACTIVE.append(s)
    try:
        return s.run(e)
    finally:
        _ACTIVE.pop()
