"""Sums, Kronecker deltas and indexed variables.

Used by differentiation (deltas that collapse against sums), substitution
with index patterns (`y_i -> sigmoid(z_i)`), `expand_sums` and assumptions
such as one-hot targets (`sum_{k=1}^{K} t_{ik} = 1`).  Every traversal here
uses an explicit stack.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from fractions import Fraction
from itertools import product
from typing import NamedTuple, cast

from .errors import LimitError, SymdiffError
from .indexing import same_family
from .limits import MAX_SUM_TERMS
from .expr import (
    E, FACT_BINDER, NEG_ONE, ONE, Add, Delta, Expr, Mul, Num, Pow, Sum, Sym,
    add, mul, neg, num, postorder, pow_, summation, sym, transform,
)

# ------------------------------------------------------------- substitution


def names(e: Expr) -> set[str]:
    return {n.name for n in postorder(e) if type(n) is Sym} | {
        n.index.name for n in postorder(e) if type(n) is Sum
    }


def fresh_index(avoid: set[str]) -> Sym:
    """An index name not in `avoid`: single letters first, so LaTeX stays `t_{ik}`."""
    for letter in "mnpqrsuvabcdfgh":
        if letter not in avoid:
            return sym(letter)
    k = 1
    while f"m{k}" in avoid:
        k += 1
    return sym(f"m{k}")


# Variables bound to values, innermost last: replace()'s environment.
Env = tuple[tuple[Sym, Expr], ...]


def replace(root: Expr, mapping: Mapping[Sym, Expr]) -> Expr:
    """Replace free variables (also inside indices: `y_i` with i -> 3 is `y_3`),
    respecting sums: an index shadows, and is renamed rather than capture a value."""
    env0 = tuple(mapping.items())
    memo: dict[tuple[Expr, Env], Expr] = {}
    stack: list[tuple[Expr, Env, bool]] = [(root, env0, False)]
    while stack:
        node, env, expanded = stack.pop()
        key = (node, env)
        if key in memo:
            continue
        kids: tuple[tuple[Expr, Env], ...]
        if type(node) is Sum:
            inner, index = _binder_env(node, env)
            kids = ((node.body, inner), (node.lower, env), (node.upper, env))
        else:
            kids = tuple((c, env) for c in node.args)
        if not expanded:
            stack.append((node, env, True))
            stack.extend((c, en, False) for c, en in kids if (c, en) not in memo)
            continue
        new = tuple(memo[k] for k in kids)
        if type(node) is Sum:
            memo[key] = summation(new[0], index, new[1], new[2])
            continue
        rebuilt = node.rebuild(new) if new != node.args else node
        memo[key] = dict(env).get(rebuilt, rebuilt) if type(rebuilt) is Sym else rebuilt
    return memo[(root, env0)]


def _binder_env(s: Sum, env: Env) -> tuple[Env, Sym]:
    """The environment inside a sum's body, and the index it binds there."""
    i = s.index
    inner = tuple((k, v) for k, v in env if k is not i)
    if any(i.name in names(v) for _, v in inner):
        avoid = names(s.body) | {n for _, v in inner for n in names(v)} | {k.name for k, _ in inner}
        new = fresh_index(avoid)
        return inner + ((i, new),), new
    return inner, i


def substitute_indexed(e: Expr, mapping: Mapping[Expr, Expr]) -> Expr:
    """Replace variables; an indexed key is a pattern: `{y_i: sigmoid(z_i)}`
    replaces `y` at every index, `y_3` by `sigmoid(z_3)`."""
    plain: dict[Sym, Expr] = {}
    patterns: dict[tuple[str, int], tuple[tuple[Expr, ...], Expr]] = {}
    for k, v in mapping.items():
        if type(k) is not Sym:
            raise SymdiffError(f"can only substitute for a variable, not {k}")
        if k.indices and all(type(i) is Sym and not i.indices for i in k.indices):
            patterns[(k.name, len(k.indices))] = (k.indices, v)
        else:
            plain[k] = v

    def visit(node: Expr) -> Expr | None:
        if type(node) is Sym and node.indices:
            hit = patterns.get((node.name, len(node.indices)))
            if hit is not None:
                params, template = hit
                return replace(template, dict(zip(cast("tuple[Sym, ...]", params), node.indices)))  # Syms: checked above
        return plain.get(node) if type(node) is Sym else None

    if not patterns:
        return replace(e, plain)
    # Patterns first (bottom-up, each Sym once), then plain names respecting binders.
    return replace(transform(e, visit), plain) if plain else transform(e, visit)


def fold_back(e: Expr, key: Sym, value: Expr) -> Expr | None:
    """`e` with a named quotient written by its name again.

    For `y_i = exp(z_i)/sum_k exp(z_k)` every `exp(z_t)` (t a free index of
    `e`) becomes `y_t*sum_k exp(z_k)` and `exp(-z_t)` its reciprocal, which
    hold by the definition; an exponential of a sum is split first, so
    `exp(z_i + z_j)` shows both.  The varying part is the factors that mention
    the key's last index (`y_{ik}`: exp(z_{ik}) over sum_m exp(z_{im})).  None
    when `value` has no part that stays fixed as that index varies."""
    params = cast("tuple[Sym, ...]", key.indices)  # each checked below
    if not params or any(type(p) is not Sym for p in params):
        return None
    fs = value.factors if type(value) is Mul else (value,)
    top = mul(*(f for f in fs if mentions(f, params[-1])))
    rest = mul(*(f for f in fs if not mentions(f, params[-1])))
    if rest is ONE or top is ONE:
        return None
    free = sorted({k for v in e.free if type(v) is Sym for k in v.indices}, key=str)
    named: dict[Expr, Expr] = {}
    for ts in product(free, repeat=len(params)):
        at = dict(zip(params, ts))
        named[replace(top, at)] = mul(Sym(key.name, ts), pow_(replace(rest, at), NEG_ONE))

    def visit(node: Expr) -> Expr | None:
        if node in named:
            return named[node]
        if type(node) is Pow and node.base is E:
            flipped = pow_(E, neg(node.exp))
            if flipped in named:
                return pow_(named[flipped], NEG_ONE)
            if type(node.exp) is Add:
                parts = [pow_(E, t) for t in node.exp.terms]
                if any(p in named for p in parts):
                    return mul(*(named.get(p, p) for p in parts))
        return None

    out = transform(e, visit)
    return None if out is e else out


# ------------------------------------------------------------------- sums


def expand_sums(e: Expr) -> Expr:
    """Write out every sum whose bounds are whole numbers (at most MAX_SUM_TERMS terms)."""
    written = [0]

    def visit(node: Expr) -> Expr | None:
        if type(node) is Sum and _whole(node.lower) and _whole(node.upper):
            lo, hi = int(node.lower.value), int(node.upper.value)
            written[0] += max(0, hi - lo + 1)
            if written[0] > MAX_SUM_TERMS:
                raise LimitError(f"sum_{{{node.index}={lo}}}^{{{hi}}}: expand_sums writes out at most "
                                   f"{MAX_SUM_TERMS:,} terms in all")
            return add(*(replace(node.body, {node.index: num(k)}) for k in range(lo, hi + 1)))
        return None

    while True:
        out = transform(e, visit)
        if out is e or not any(type(n) is Sum for n in postorder(out)):
            return out
        e = out


def _whole(e: Expr) -> bool:
    return type(e) is Num and e.value.denominator == 1


class Collapse(NamedTuple):
    """`sum_{i=lo}^{hi} f(i)*delta(i, t) = f(t)`, valid when lo <= t <= hi."""

    index: Sym  # type: ignore[assignment]  # a field named like tuple.index, which it hides
    target: Expr
    lower: Expr
    upper: Expr

    def __str__(self) -> str:
        return f"{self.lower} <= {self.target} <= {self.upper}"


def _delta_target(f: Expr, i: Sym) -> Expr | None:
    if type(f) is Delta:
        for a, b in ((f.i, f.j), (f.j, f.i)):
            if a is i and i not in b.free:
                return b
    return None


def _products(term: Expr, i: Sym) -> list[Expr]:
    """`term` as a sum of products, distributing only sums that hold a delta on `i`."""
    out: list[Expr] = []
    work = [term]
    while work:
        t = work.pop()
        fs = t.factors if type(t) is Mul else (t,)
        spread = next((k for k, f in enumerate(fs) if type(f) is Add
                       and any(type(n) is Delta and i in n.free for n in postorder(f))), None)
        if spread is None:
            out.append(t)
            continue
        rest = fs[:spread] + fs[spread + 1:]
        work.extend(mul(*rest, u) for u in _like_terms(fs[spread].terms))
    return out


def _like_terms(terms: tuple[Expr, ...]) -> list[Expr]:
    """Terms with equal parts added up: `delta(k, 2) - delta(k, 2)` (the chain
    factor of `x_k - x_k`) is no term at all, as `x - x` gives 1 - 1 = 0."""
    coeffs: dict[Expr, Fraction] = {}
    for t in terms:
        fs = t.factors if type(t) is Mul else (t,)
        c = Fraction(1)
        for f in fs:
            if type(f) is Num:
                c *= f.value
        part = mul(*(f for f in fs if type(f) is not Num))
        coeffs[part] = coeffs.get(part, Fraction(0)) + c
    return [mul(num(c), part) for part, c in coeffs.items() if c]


def _in_range(t: Expr, lo: Expr, hi: Expr) -> bool | None:
    """Is lo <= t <= hi?  None when that depends on a symbol; a number below a
    numeric lower bound is outside whatever the upper bound is (beta_0 is not
    among beta_1 ... beta_p)."""
    if type(t) is not Num:
        return None
    if type(lo) is Num and t.value < lo.value or type(hi) is Num and t.value > hi.value:
        return False
    if type(lo) is Num and type(hi) is Num:
        return True
    return None


def collapse(s: Expr) -> tuple[Expr, list[Collapse]]:
    """Absorb Kronecker deltas on a sum's index: `sum_i f(i)*delta(i, j) = f(j)`."""
    if type(s) is not Sum:
        return s, []
    i, lo, hi = s.index, s.lower, s.upper
    kept: list[Expr] = []
    out: list[Expr] = []
    used: list[Collapse] = []
    terms = s.body.terms if type(s.body) is Add else (s.body,)
    for term in terms:
        for p in _products(term, i):
            fs = p.factors if type(p) is Mul else (p,)
            hit = next(((k, t) for k, f in enumerate(fs) if (t := _delta_target(f, i)) is not None), None)
            if hit is None:
                kept.append(p)
                continue
            k, t = hit
            in_range = _in_range(t, lo, hi)
            if in_range is False:
                continue
            if in_range is None:
                c = Collapse(i, t, lo, hi)
                if c not in used:
                    used.append(c)
            out.append(replace(mul(*fs[:k], *fs[k + 1:]), {i: t}))
    # Factors free of the index leave the sum, so deltas on outer indices
    # reach the sum that binds them: sum_k c*f(k) = c*sum_k f(k).
    inside: dict[Expr, list[Expr]] = {}
    for p in kept:
        fs = p.factors if type(p) is Mul else (p,)
        outside = mul(*(f for f in fs if not mentions(f, i)))
        inside.setdefault(outside, []).append(mul(*(f for f in fs if mentions(f, i))))
    for outside, bodies in inside.items():
        out.append(mul(outside, summation(add(*bodies), i, lo, hi)))
    return add(*out), used


def mentions(e: Expr, i: Sym) -> bool:
    """Does the index `i` occur free in `e`, alone or inside an index?"""
    return i in e.free or any(i is k or i in k.free for s in e.free if type(s) is Sym for k in s.indices)


def collapses(s: Sum, x: Sym) -> list[Collapse]:
    """The range assumptions differentiating `s` by `x` will make."""
    i = s.index
    found: list[Collapse] = []
    for n in postorder(s.body):
        if same_family(n, x):
            for a, b in zip(n.indices, x.indices):
                if a is i and _in_range(b, s.lower, s.upper) is None:
                    c = Collapse(i, b, s.lower, s.upper)
                    if c not in found:
                        found.append(c)
    return found


def free_names(e: Expr) -> set[str]:
    """Names free in `e`: plain variables and the names in free variables' indices (j in z_j)."""
    return {n for v in e.free for n in ({v.name} if not v.indices else set().union(*map(names, v.indices)))}


def rename_bound(e: Expr, taken: Collection[str] = ()) -> Expr:
    """`e` with every sum whose index is also free in `e` (or in `taken`) given a
    fresh index: `z_j*sum_j e^(z_j)` is `z_j*sum_m e^(z_m)`, so no formula holds
    one name both free and bound."""
    if not e.facts & FACT_BINDER:
        return e
    clash = free_names(e) | set(taken)

    def visit(node: Expr) -> Expr | None:
        if type(node) is not Sum or node.index.name not in clash:
            return None
        new = fresh_index(names(node) | clash)
        return summation(replace(node.body, {node.index: new}), new, node.lower, node.upper)

    return transform(e, visit)


def unclash(s: Sum, x: Sym) -> Sum:
    """`s` with its index renamed if the variable `x` mentions it (d/dx_i sum_i ...)."""
    i = s.index
    if not any(i is k or i in k.free for k in x.indices):
        return s
    new = fresh_index(names(s) | {k.name for k in x.free} | {n for k in x.indices for n in names(k)})
    return Sum(replace(s.body, {i: new}), new, s.lower, s.upper)


# ------------------------------------------------------------ assumptions


class Assumption(NamedTuple):
    """`lhs = rhs`, used by the simplifier where `lhs` appears verbatim up to its index names."""

    lhs: Expr
    rhs: Expr

    def __str__(self) -> str:
        return f"{self.lhs} = {self.rhs}"


def _alpha_key(s: Sum) -> Expr:
    """The sum with its index renamed to a fixed name, for matching up to renaming."""
    return replace(s.body, {s.index: Sym("_", ())})


def usable(a: Assumption) -> Assumption:
    """`a`, if `apply_assumptions` can use it: a sum's value, or a variable's; else refused."""
    if type(a.lhs) in (Sum, Sym):
        return a
    raise SymdiffError(f"cannot use the assumption {a}: its left side must be a sum "
                       "(sum_{k=1}^{K} t_{ik} = 1) or a variable (a = 3)")


def apply_assumptions(e: Expr, assumptions: list[Assumption]) -> tuple[Expr, list[Assumption]]:
    """Replace each occurrence of an assumed sum, with its free indices matched
    (`sum_k t_{jk}` matches `sum_k t_{ik} = 1` with i -> j), and each assumed
    variable by its value (`a = 3`; `y_i = 1` for every index)."""
    used: list[Assumption] = []
    for a in assumptions:
        if type(a.lhs) is Sym:
            replaced = substitute_indexed(e, {a.lhs: a.rhs})
            if replaced is not e:
                used.append(a)
                e = replaced
    forms = [(a, a.lhs) for a in assumptions if type(a.lhs) is Sum]
    if not forms:
        return e, used

    def visit(node: Expr) -> Expr | None:
        if type(node) is not Sum:
            return None
        for a, lhs in forms:
            binding = _match_sum(lhs, node)
            if binding is not None:
                if a not in used:
                    used.append(a)
                return replace(a.rhs, binding)
        return None

    return transform(e, visit), used


def _match_sum(pattern: Sum, node: Sum) -> dict[Sym, Expr] | None:
    """Free index variables of `pattern` bound so that it equals `node`, or None."""
    if pattern.lower is not node.lower or pattern.upper is not node.upper:
        return None
    a, b = _alpha_key(pattern), _alpha_key(node)
    if a is b:
        return {}
    # try each free plain index of the pattern against each index of the node
    free_idx = {k for s in postorder(a) if type(s) is Sym for k in s.indices
                if type(k) is Sym and k.name != "_"}
    node_idx = {k for s in postorder(b) if type(s) is Sym for k in s.indices if k.name != "_"}
    for p in free_idx:
        for q in node_idx:
            if replace(a, {p: q}) is b:
                return {p: q}
    return None
