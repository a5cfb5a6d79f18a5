"""Differentiation: one rule table, applied without recursion, recording each step.

`select(e, x)` picks the rule for a node; a rule names the derivatives it
`needs` (of children, or of a rewritten form) and `apply` combines them. The
driver computes needed derivatives first with an explicit stack, memoised per
node, and skips every sub-tree that does not contain the variable.  The steps
it records are the derivation `derive` shows, so the two can never disagree.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from .errors import DifferentiationError
from .functions import FUNCTIONS, Function, undefined_derivative
from .sums import collapse, collapses, depends, index_deltas, same_family, unclash
from .expr import (
    E, NEG_ONE, ONE, TWO, ZERO, Add, Expr, Func, Log, Mul, Num, Pow, Sum, Sym,
    add, summation, div, func, ln, mul, neg, num, pow_, sub,
)

D = Callable[[Expr], Expr]
from .limits import MAX_ORDER  # the highest order `diff` and `d^n/dx^n` take


class Rule(NamedTuple):
    name: str
    formula: str
    needs: Callable[[Expr, Sym], tuple[Expr, ...]]
    apply: Callable[[Expr, Sym, D], Expr]
    # Rules for f(u), made by `chain_rule`: u and f'(u); the driver records the chain.
    inner: Callable[[Expr], Expr] | None = None
    outer: Callable[[Expr], Expr] | None = None


def chain_rule(name: str, formula: str, inner: Callable[[Expr], Expr],
               outer: Callable[[Expr], Expr]) -> Rule:
    """The rule for f(u) given f'(u) as `outer(e)`: the chain rule multiplies by u'."""
    return Rule(name, formula, lambda e, x: (inner(e),),
                lambda e, x, d: mul(outer(e), d(inner(e))), inner, outer)


def _none(e: Expr, x: Sym) -> tuple[Expr, ...]:
    return ()


def _children(e: Expr, x: Sym) -> tuple[Expr, ...]:
    return e.args


# ---------------------------------------------------------------------- sums

WIDE_SUM = 32
_term_index: weakref.WeakKeyDictionary[Expr, dict[Sym, list[Expr]]] = weakref.WeakKeyDictionary()


def _dependent_terms(e: Expr, x: Sym) -> tuple[Expr, ...]:
    """The terms that vary with `x`.  A wide sum keeps an index from each
    variable to its terms, so taking every partial of it costs linear time."""
    if len(e.terms) < WIDE_SUM or x.indices:
        return tuple(t for t in e.terms if depends(t, x))
    index = _term_index.get(e)
    if index is None:
        index = {}
        for t in e.terms:
            for v in t.free:
                index.setdefault(v, []).append(t)
        _term_index[e] = index
    return tuple(index.get(x, ()))


# ------------------------------------------------------------------ products


def _split_constant(e: Mul, x: Sym) -> tuple[list[Expr], list[Expr]]:
    const = [f for f in e.factors if not depends(f, x)]
    return const, [f for f in e.factors if depends(f, x)]


def _dependent_part(e: Expr, x: Sym) -> tuple[Expr, ...]:
    return (mul(*_split_constant(e, x)[1]),)


def _constant_multiple(e: Expr, x: Sym, d: D) -> Expr:
    const, dep = _split_constant(e, x)
    return mul(*const, d(mul(*dep)))


def _quotient_parts(e: Expr) -> tuple[Expr, Expr]:
    """`u*v^-1` as (u, v)."""
    top: list[Expr] = []
    bottom: list[Expr] = []
    for f in e.factors:
        if type(f) is Pow and type(f.exp) is Num and f.exp.value < 0:
            bottom.append(pow_(f.base, neg(f.exp)))
        else:
            top.append(f)
    return mul(*top), mul(*bottom)


def _quotient(e: Expr, x: Sym, d: D) -> Expr:
    u, v = _quotient_parts(e)
    return div(sub(mul(d(u), v), mul(u, d(v))), pow_(v, TWO))


def _product(e: Expr, x: Sym, d: D) -> Expr:
    fs = e.factors
    return add(*(mul(*fs[:i], d(f), *fs[i + 1 :]) for i, f in enumerate(fs)))


def _is_quotient(e: Mul, x: Sym) -> bool:
    u, v = _quotient_parts(e)
    return v is not ONE and depends(u, x) and depends(v, x)


# -------------------------------------------------------------------- powers


def _power(e: Expr) -> Expr:
    return mul(e.exp, pow_(e.base, sub(e.exp, ONE)))


def _exponent(e: Expr) -> Expr:
    return e.exp


def _base(e: Expr) -> Expr:
    return e.base


def _log_of_power(e: Expr, x: Sym) -> tuple[Expr, ...]:
    """y = f^g as ln(y) = g*ln(f): differentiating both sides gives y'/y."""
    return (mul(e.exp, ln(e.base)),)


def _logarithmic(e: Expr, x: Sym, d: D) -> Expr:
    return mul(e, d(_log_of_power(e, x)[0]))


# ---------------------------------------------------------------- logarithms


def _arg(e: Expr) -> Expr:
    return e.arg


def _log_base(e: Expr) -> Expr:
    return pow_(mul(e.arg, ln(e.base)), NEG_ONE)


def _as_natural_logs(e: Expr, x: Sym) -> tuple[Expr, ...]:
    return (div(ln(e.arg), ln(e.base)),)


def _change_of_base(e: Expr, x: Sym, d: D) -> Expr:
    return d(_as_natural_logs(e, x)[0])


# ----------------------------------------------------------------- functions

def _sum_over_index(e: Expr, x: Sym, d: D) -> Expr:
    s = unclash(e, x)
    return collapse(summation(d(s.body), s.index, s.lower, s.upper))[0]


def _function_rule(row: Function) -> Rule:
    return chain_rule(row.phrase, f"d/du {row.name}(u) = {row.derivative(U)}", _arg,
                      lambda e: row.derivative(e.arg))


U = Sym("u", ())


# ---------------------------------------------------------------- rule table

RULES: dict[str, Rule] = {
    "constant": Rule("constant", "d/dx c = 0", _none, lambda e, x, d: ZERO),
    "variable": Rule("variable", "d/dx x = 1", _none, lambda e, x, d: ONE),
    "sum": Rule("sum", "(u + v)' = u' + v'", _dependent_terms,
                lambda e, x, d: add(*map(d, _dependent_terms(e, x)))),
    "constant_multiple": Rule("constant_multiple", "(c*u)' = c*u'", _dependent_part,
                              _constant_multiple),
    "quotient": Rule("quotient", "(u/v)' = (u'*v - u*v')/v^2",
                     lambda e, x: _quotient_parts(e), _quotient),
    "product": Rule("product", "(u*v)' = u'*v + u*v'", _children, _product),
    "power": chain_rule("power", "d/du u^n = n*u^(n - 1)", _base, _power),
    "exp": chain_rule("exp", "d/du e^u = e^u", _exponent, lambda e: e),
    "exp_base": chain_rule("exp_base", "d/du a^u = a^u*ln(a)", _exponent,
                           lambda e: mul(e, ln(e.base))),
    "logarithmic_differentiation": Rule(
        "logarithmic_differentiation", "y = f^g, ln(y) = g*ln(f), y'/y = (g*ln(f))'",
        _log_of_power, _logarithmic),
    "ln": chain_rule("ln", "d/du ln(u) = 1/u", _arg, lambda e: pow_(e.arg, NEG_ONE)),
    "log_base": chain_rule("log_base", "d/du log_b(u) = 1/(u*ln(b))", _arg, _log_base),
    "change_of_base": Rule("change_of_base", "log_b(u) = ln(u)/ln(b)", _as_natural_logs,
                           _change_of_base),
    **{f"fn:{name}": _function_rule(row) for name, row in FUNCTIONS.items()},
    "undefined_function": chain_rule("undefined_function", "d/du f(u) = f'(u)", _arg,
                                     lambda e: undefined_derivative(e.arg, e.name)),
    "indexed_variable": Rule("indexed_variable", "d/dy_{jl} y_{ik} = delta(i, j)*delta(k, l)",
                             _none, lambda e, x, d: index_deltas(e, x)),
    "sum_over_index": Rule("sum_over_index",
                           "d/dx sum_i u = sum_i du/dx; sum_i f(i)*delta(i, j) = f(j)",
                           lambda e, x: (unclash(e, x).body,), _sum_over_index),
}


def select(e: Expr, x: Sym) -> Rule:
    """The rule that differentiates `e` (which contains `x`)."""
    t = type(e)
    if not depends(e, x):
        return RULES["constant"]
    if t is Sym:
        if e is x:
            return RULES["variable"]
        if same_family(e, x):
            return RULES["indexed_variable"]
        raise DifferentiationError(f"cannot differentiate {e} with respect to its index {x}")
    if t is Add:
        return RULES["sum"]
    if t is Mul:
        if any(not depends(f, x) for f in e.factors):
            return RULES["constant_multiple"]
        return RULES["quotient"] if _is_quotient(e, x) else RULES["product"]
    if t is Pow:
        if not depends(e.exp, x):
            return RULES["power"]
        if not depends(e.base, x):
            return RULES["exp"] if e.base is E else RULES["exp_base"]
        return RULES["logarithmic_differentiation"]
    if t is Log:
        if depends(e.base, x):
            return RULES["change_of_base"]
        return RULES["ln"] if e.base is E else RULES["log_base"]
    if t is Func:
        return RULES[f"fn:{e.name}"] if e.name in FUNCTIONS else RULES["undefined_function"]
    if t is Sum:
        rule = RULES["sum_over_index"]
        ranges = collapses(unclash(e, x), x)
        if ranges:
            return rule._replace(formula=f"{rule.formula}, assuming {', '.join(map(str, ranges))}")
        return rule
    raise DifferentiationError(f"no differentiation rule for {t.__name__}")


CHAIN_FORMULA = "d/dx f(u) = f'(u)*u'"
# Stands for the inner function u in the outer step of a chain; renderers name it.
PLACEHOLDER = Sym("□", ())


@dataclass(frozen=True, eq=False)
class Step:
    """One rule applied: `d/d(var) expr = result`, with the steps it relied on.

    A `chain` step has `inner` (u) and two substeps: the outer rule, which
    differentiates `expr` with u replaced by `PLACEHOLDER`, and u's own step.
    """

    rule: str
    formula: str
    expr: Expr
    result: Expr
    substeps: tuple[Step, ...] = field(default=())
    var: Sym | None = None
    inner: Expr | None = None


def _record(rule: Rule, node: Expr, x: Sym, result: Expr, needed: tuple[Expr, ...],
            steps: dict[Expr, Step]) -> Step:
    inner = rule.inner(node) if rule.inner else None
    if inner is None or inner is x:
        subs = tuple(steps[n] for n in dict.fromkeys(needed) if n in steps)
        return Step(rule.name, rule.formula, node, result, subs, x)
    outside = node.rebuild(tuple(PLACEHOLDER if a is inner else a for a in node.args))
    outer = Step(rule.name, rule.formula, outside, rule.outer(outside), (), PLACEHOLDER)
    return Step("chain", CHAIN_FORMULA, node, result, (outer, steps[inner]), x, inner)


Linear = tuple[tuple[Expr, ...], Expr]


def _linear_step(node: Expr, rule: Rule, x: Sym) -> Linear | None:
    """`(factors, u)` when the rule gives `d(node) = factors * d(u)`."""
    if rule.inner is not None:
        return (rule.outer(node),), rule.inner(node)
    if rule.name == "sum":
        terms = _dependent_terms(node, x)
        return ((), terms[0]) if len(terms) == 1 else None
    if rule.name == "constant_multiple":
        const, dep = _split_constant(node, x)
        return tuple(const), mul(*dep)
    return None


def _chain_product(step: Linear, x: Sym, memo: dict[Expr, Expr]) -> tuple[Expr | None, Expr | None]:
    """Follow one-argument rules down to a known derivative and multiply the
    factors once, so nesting n deep costs O(n log n) rather than O(n^2).

    Returns `(derivative, None)`, or `(None, u)` when `u`, the first node down
    the chain that needs a rule of its own, must be differentiated first.  The
    product is the one the rules build level by level: `mul` flattens, folds
    and orders the same factors either way.
    """
    factors: list[Expr] = []
    while True:
        outer, inner = step
        factors.extend(outer)
        if inner in memo:
            return mul(*factors, memo[inner]), None
        next_step = _linear_step(inner, select(inner, x), x)
        if next_step is None:
            return None, inner
        step = next_step


def differentiate(e: Expr, x: Sym, record: bool = False) -> tuple[Expr, Step | None]:
    """The raw (unsimplified) derivative of `e` in `x`, and optionally its step tree."""
    memo: dict[Expr, Expr] = {}
    steps: dict[Expr, Step] = {}
    stack = [e]
    while stack:
        node = stack[-1]
        if node in memo:
            stack.pop()
            continue
        rule = select(node, x)
        step = None if record else _linear_step(node, rule, x)
        if step is not None:
            result, first = _chain_product(step, x, memo)
            if first is not None:
                stack.append(first)
            else:
                stack.pop()
                memo[node] = result
            continue
        needed = rule.needs(node, x)
        pending = [n for n in needed if n not in memo]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        memo[node] = result = rule.apply(node, x, memo.__getitem__)
        if record:
            steps[node] = _record(rule, node, x, result, needed, steps)
    return memo[e], steps.get(e) if record else None
