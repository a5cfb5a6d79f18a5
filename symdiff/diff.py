"""Differentiation: one rule table, applied without recursion, recording each step.

`select(e, x)` picks the rule for a node; a rule names the derivatives it
`needs` (of children, or of a rewritten form) and `apply` combines them. The
driver computes needed derivatives first with an explicit stack, memoised per
node, and skips every sub-tree that does not contain the variable.  The steps
it records are the derivation `derive` shows, so the two can never disagree.
"""

from __future__ import annotations

import functools
import weakref
from typing import Callable, NamedTuple, cast

from .errors import AssumptionNote, DifferentiationError, LimitError, note
from .functions import FUNCTIONS, Function, undefined_derivative
from .indexing import depends, index_deltas, same_family
from .limits import MAX_CHAIN_FACTORS, MAX_RESULT_SIZE
from .sums import Collapse, collapse, collapses, unclash
from .core.facts import FACT_DERIVATIVE
from .core.rows import table
from .expr import ArrayConst, Hadamard, HadamardPow, Transpose  # the rows of issue 24
from .expr import (
    E, FACT_ARRAY, NEG_ONE, ONE, SCALAR, TWO, ZERO, Add, Const, Delta, Expr, Func, Log, Mul, Num, Pow, Sum, Sym,
    add, cost, delta, derivative, div, func, ln, log, mul, num, pow_, sub, summation, transform,
)
from .expr import Derivative as Operator  # `Derivative` here is the type of a rule's `d`
from .terms import quotient


D = Callable[[Expr], Expr]


Derivative = Callable[[Expr], Expr]
# A rule binds its letters (Syms); an `assume` step binds an assumption's sides.
Bindings = tuple[tuple[Expr, Expr], ...]

# The names rule formulas are written in; `u'` is read "the derivative of u".
_u, _v, _c, _n, _a, _b, _f, _g = (Sym(k, ()) for k in "uvcnabfg")
_x, _y = Sym("x", ()), Sym("y", ())
_du, _dv, _df, _dg = (Sym(k + "'", ()) for k in "uvfg")
_i, _j, _N = Sym("i", ()), Sym("j", ()), Sym("N", ())


class Formula(NamedTuple):
    """`d/d(var) lhs = rhs` in the names above; `var` None is a plain equation."""

    var: Sym | None
    lhs: Expr
    rhs: Expr


def _no_bindings(e: Expr, x: Sym) -> Bindings:
    return ()


class Rule(NamedTuple):
    name: str
    written: Callable[[], Formula]  # the formula, built when first asked for (steps), not at start-up
    needs: Callable[[Expr, Sym], tuple[Expr, ...]]
    apply: Callable[[Expr, Sym, Derivative], Expr]
    # What the formula's names stand for in this instance, by the rule's own test.
    bind: Callable[[Expr, Sym], Bindings] = _no_bindings
    # Rules for f(u), made by `chain_rule`: u and f'(u); the driver records the chain.
    inner: Callable[[Expr], Expr] | None = None
    outer: Callable[[Expr], Expr] | None = None

    @property
    def formula(self) -> Formula:
        return _formula(self.written)


@functools.cache
def _formula(written: Callable[[], Formula]) -> Formula:
    return written()


def chain_rule(name: str, lhs: Expr, inner: Callable[[Expr], Expr], outer: Callable[[Expr], Expr],
               bind: Callable[[Expr, Sym], Bindings] = _no_bindings) -> Rule:
    """The rule for f(u) given f'(u) as `outer(e)`: the chain rule multiplies by u'.
    Its formula is `outer` applied to the formula's own `lhs` (in u)."""
    return Rule(name, lambda: Formula(_u, lhs, outer(lhs)), lambda e, x: (inner(e),),
                lambda e, x, d: mul(outer(e), d(inner(e))), bind, inner, outer)


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


def _split_constant(e: Expr, x: Sym) -> tuple[list[Expr], list[Expr]]:  # e: a Mul
    const = [f for f in e.factors if not depends(f, x)]
    return const, [f for f in e.factors if depends(f, x)]


def _dependent_part(e: Expr, x: Sym) -> tuple[Expr, ...]:
    return (mul(*_split_constant(e, x)[1]),)


def _constant_multiple(e: Expr, x: Sym, d: Derivative) -> Expr:
    const, dep = _split_constant(e, x)
    return mul(*const, d(mul(*dep)))


def _quotient_parts(e: Expr) -> tuple[Expr, Expr]:
    """`u*v^-1` as (u, v)."""
    coeff, top, bottom = quotient(e)
    return mul(Num(coeff), *top), mul(*bottom)


def _quotient(e: Expr, x: Sym, d: Derivative) -> Expr:
    u, v = _quotient_parts(e)
    return div(sub(mul(d(u), v), mul(u, d(v))), pow_(v, TWO))


def _product(e: Expr, x: Sym, d: Derivative) -> Expr:
    fs = e.factors
    return add(*(mul(*fs[:i], d(f), *fs[i + 1 :]) for i, f in enumerate(fs)))


def _is_quotient(e: Expr, x: Sym) -> bool:  # e: a Mul
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


def _logarithmic(e: Expr, x: Sym, d: Derivative) -> Expr:
    return mul(e, d(_log_of_power(e, x)[0]))


def log_of_product(e: Expr) -> Expr:
    """ln(y) for y a product of powers, as the sum of the logs: y = u^a*v^b gives
    a*ln(u) + b*ln(v) (and ln(e^w) = w)."""
    terms = []
    for f in e.factors if type(e) is Mul else (e,):
        base, expo = (f.base, f.exp) if type(f) is Pow else (f, ONE)
        terms.append(expo if base is E else mul(expo, ln(base)))
    return add(*terms)


def _log_of_product(e: Expr, x: Sym) -> tuple[Expr, ...]:
    return (log_of_product(e),)


def _logarithmic_product(e: Expr, x: Sym, d: Derivative) -> Expr:
    return mul(e, d(log_of_product(e)))


def _as_exp_of_log(e: Expr, x: Sym) -> tuple[Expr, ...]:
    """f^g = e^(g*ln(f)), for f > 0."""
    return (pow_(E, mul(e.exp, ln(e.base))),)


def _through_exp(e: Expr, x: Sym, d: Derivative) -> Expr:
    return d(_as_exp_of_log(e, x)[0])


# ---------------------------------------------------------------- logarithms


def _arg(e: Expr) -> Expr:
    return e.arg


def _log_base(e: Expr) -> Expr:
    return pow_(mul(e.arg, ln(e.base)), NEG_ONE)


def _as_natural_logs(e: Expr, x: Sym) -> tuple[Expr, ...]:
    return (div(ln(e.arg), ln(e.base)),)


def _change_of_base(e: Expr, x: Sym, d: Derivative) -> Expr:
    return d(_as_natural_logs(e, x)[0])


# ------------------------------------------------------- derivatives in the input


@functools.lru_cache(maxsize=16)
def evaluated(e: Operator) -> Expr:
    """The raw derivative an unevaluated `Derivative` node stands for (its body differentiated)."""
    body = e.body
    for _ in range(e.order):
        body = differentiate(body, e.var)[0]
    return body


def evaluate_derivatives(e: Expr) -> Expr:
    """`e` with every `Derivative` node (a derivative the input asks for, `d/dx x^2`)
    replaced by the raw derivative it stands for, innermost first: what the
    pipeline does right after reading."""
    if not e.facts & FACT_DERIVATIVE:
        return e
    return transform(e, lambda node: evaluated(node) if type(node) is Operator else None)


def _operator_bindings(e: Expr, x: Sym) -> Bindings:
    e = cast(Operator, e)
    return ((_u, e.body), (_y, e.var), (_n, num(e.order)), (_v, evaluated(e)))


# ----------------------------------------------------------------- functions

def _sum_over_index(e: Expr, x: Sym, d: Derivative) -> Expr:
    s = unclash(cast(Sum, e), x)
    result, conditions = collapse(summation(d(s.body), s.index, s.lower, s.upper))
    for c in conditions:  # the result holds only inside the sum's range: say so
        note(f"assuming {c}, where {x} is one of the summed terms", AssumptionNote)
    return result


def _function_rule(row: Function) -> Rule:
    if row.arity == 2:
        return _two_argument_rule(row)
    return chain_rule(row.phrase, row(_u), _arg, lambda e: row.derivative(e.arg))


def _two_argument_rule(row: Function) -> Rule:
    """f(u, v)' = f_u(u, v)*u' + f_v(u, v)*v': the chain rule in each argument that varies."""
    partials = (row.derivative, cast(Callable[..., Expr], row.derivative_v))

    def needs(e: Expr, x: Sym) -> tuple[Expr, ...]:
        return tuple(a for a in e.args if depends(a, x))

    def apply(e: Expr, x: Sym, d: Derivative) -> Expr:
        return add(*(mul(p(*e.args), d(a)) for p, a in zip(partials, e.args) if depends(a, x)))

    def formula() -> Formula:
        return Formula(_x, row(_u, _v), add(mul(partials[0](_u, _v), _du), mul(partials[1](_u, _v), _dv)))

    return Rule(row.phrase, formula, needs, apply, lambda e, x: ((_u, e.arg), (_v, e.rest[0])))


def _undefined_outer(e: Expr) -> Expr:
    return undefined_derivative(e.arg, e.name)


def _constant_bindings(e: Expr, x: Sym) -> Bindings:
    const, dep = _split_constant(e, x)
    return ((_c, mul(*const)), (_u, mul(*dep)))


def _two_factors(e: Expr, x: Sym) -> Bindings:
    return ((_u, e.factors[0]), (_v, mul(*e.factors[1:]))) if len(e.factors) == 2 else ()


def _log_binding(e: Expr, x: Sym) -> Bindings:
    return ((_b, e.base),)


# ---------------------------------------------------------------- rule table

RULES: dict[str, Rule] = {
    "constant": Rule("constant", lambda: Formula(_x, _c, ZERO), _none, lambda e, x, d: ZERO),
    "variable": Rule("variable", lambda: Formula(_x, _x, ONE), _none, lambda e, x, d: ONE),
    "sum": Rule("sum", lambda: Formula(_x, add(_u, _v), add(_du, _dv)), _dependent_terms,
                lambda e, x, d: add(*map(d, _dependent_terms(e, x)))),
    "constant_multiple": Rule("constant_multiple", lambda: Formula(_x, mul(_c, _u), mul(_c, _du)),
                              _dependent_part, _constant_multiple, _constant_bindings),
    "quotient": Rule("quotient", lambda: Formula(_x, div(_u, _v), div(sub(mul(_du, _v), mul(_u, _dv)),
                                                                       pow_(_v, TWO))),
                     lambda e, x: _quotient_parts(e), _quotient,
                     lambda e, x: tuple(zip((_u, _v), _quotient_parts(e)))),
    "product": Rule("product", lambda: Formula(_x, mul(_u, _v), add(mul(_du, _v), mul(_u, _dv))),
                    _children, _product, _two_factors),
    "power": chain_rule("power", pow_(_u, _n), _base, _power, lambda e, x: ((_n, e.exp),)),
    "exp": chain_rule("exp", pow_(E, _u), _exponent, lambda e: e),
    "exp_base": chain_rule("exp_base", pow_(_a, _u), _exponent, lambda e: mul(e, ln(e.base)),
                           lambda e, x: ((_a, e.base),)),
    "logarithmic_differentiation": Rule(
        "logarithmic_differentiation",
        lambda: Formula(_x, pow_(_f, _g), mul(pow_(_f, _g), add(mul(_dg, ln(_f)), div(mul(_g, _df), _f)))),
        _log_of_power, _logarithmic, lambda e, x: ((_f, e.base), (_g, e.exp))),
    "logarithmic_product": Rule(
        "logarithmic_product",
        lambda: Formula(_x, mul(pow_(_u, _a), pow_(_v, _b)),
                        mul(pow_(_u, _a), pow_(_v, _b), add(div(mul(_a, _du), _u), div(mul(_b, _dv), _v)))),
        _log_of_product, _logarithmic_product),
    "power_as_exp": Rule("power_as_exp", lambda: Formula(None, pow_(_f, _g), pow_(E, mul(_g, ln(_f)))),
                         _as_exp_of_log, _through_exp, lambda e, x: ((_f, e.base), (_g, e.exp))),
    "ln": chain_rule("ln", ln(_u), _arg, lambda e: pow_(e.arg, NEG_ONE)),
    "log_base": chain_rule("log_base", log(_u, _b), _arg, _log_base, _log_binding),
    "change_of_base": Rule("change_of_base", lambda: Formula(None, log(_u, _b), div(ln(_u), ln(_b))),
                           _as_natural_logs, _change_of_base,
                           lambda e, x: ((_b, e.base), (_u, e.arg))),
    **{f"fn:{name}": _function_rule(row) for name, row in FUNCTIONS.items()},
    "undefined_function": chain_rule("undefined_function", func("f", _u), _arg, _undefined_outer),
    "indexed_variable": Rule("indexed_variable", lambda: Formula(Sym("y", (_j,)), Sym("y", (_i,)), delta(_i, _j)),
                             _none, lambda e, x, d: index_deltas(cast(Sym, e), x)),
    "sum_over_index": Rule("sum_over_index",
                           lambda: Formula(_x, summation(_u, _i, ONE, _N), summation(_du, _i, ONE, _N)),
                           lambda e, x: (unclash(cast(Sum, e), x).body,), _sum_over_index),
    "derivative_operator": Rule("derivative_operator", lambda: Formula(None, derivative(_u, _y), _v),
                                lambda e, x: (evaluated(cast(Operator, e)),),
                                lambda e, x, d: d(evaluated(cast(Operator, e))), _operator_bindings),
}


METHODS = ("auto", "rules", "log")


def check_method(method: str) -> str:
    if method not in METHODS:
        raise DifferentiationError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return method


def log_target(e: Expr, x: Sym) -> Expr | None:
    """The product, quotient or power that logarithmic differentiation takes
    the logarithm of: `e` without its constant factors, when that is a product
    or a power of a base in `x` (not e^u or a^u, whose rules say it already)."""
    target = mul(*_split_constant(e, x)[1]) if type(e) is Mul else e
    if type(target) is Mul or (type(target) is Pow and depends(target.base, x) and target.base is not E):
        return target
    return None


def offers_log(e: Expr, x: Sym) -> bool:
    """Whether logarithmic differentiation would save work on `e`: a product or
    quotient of three factors or more, or of two powers at least."""
    target = log_target(e, x)
    if type(target) is not Mul:
        return False
    powers = sum(type(f) is Pow and type(f.exp) is Num for f in target.factors)
    return len(target.factors) >= 3 or powers >= 2


def _select_sym(e: Expr, x: Sym) -> Rule:
    if e is x:
        return RULES["variable"]
    if same_family(e, x):
        return RULES["indexed_variable"]
    raise DifferentiationError(f"cannot differentiate {e} with respect to its index {x}")


def _select_mul(e: Expr, x: Sym) -> Rule:
    if any(not depends(f, x) for f in e.factors):
        return RULES["constant_multiple"]
    return RULES["quotient"] if _is_quotient(e, x) else RULES["product"]


def _select_pow(e: Expr, x: Sym) -> Rule:
    if not depends(e.exp, x):
        return RULES["power"]
    if not depends(e.base, x):
        return RULES["exp"] if e.base is E else RULES["exp_base"]
    return RULES["logarithmic_differentiation"]


def _select_log(e: Expr, x: Sym) -> Rule:
    if depends(e.base, x):
        return RULES["change_of_base"]
    return RULES["ln"] if e.base is E else RULES["log_base"]


def _matrix_form(e: Expr, x: Sym) -> Rule:
    raise DifferentiationError(f"{e} is a vector or matrix expression: differentiate it with shapes= "
                               "(symdiff.diff(..., shapes=...)); its steps are not yet shown")


def _no_rule(e: Expr, x: Sym) -> Rule:
    raise DifferentiationError(f"no differentiation rule for {type(e).__name__} (a {e} that contains {x})")


# The diff column of each node kind's row: the rule for a node that contains x.
SELECT: dict[type[Expr], Callable[[Expr, Sym], Rule]] = table("diff")
SELECT.update({
    Num: _no_rule,  # constant: never contains x
    Const: _no_rule,
    Sym: _select_sym,
    Add: lambda e, x: RULES["sum"],
    Mul: _select_mul,
    Pow: _select_pow,
    Log: _select_log,
    Func: lambda e, x: RULES.get(f"fn:{e.name}") or RULES["undefined_function"],
    Sum: lambda e, x: RULES["sum_over_index"],
    Delta: _no_rule,  # its indices are never differentiated: delta(i, j) is constant in x
    Operator: lambda e, x: RULES["derivative_operator"],
})
# vectors and matrices differentiate in matrix form (symdiff.matrix.diff), not by these rules
SELECT.update(dict.fromkeys((Transpose, Hadamard, HadamardPow, ArrayConst), _matrix_form))


def select(e: Expr, x: Sym) -> Rule:
    """The rule that differentiates `e` (which contains `x`)."""
    if not depends(e, x):
        return RULES["constant"]
    return SELECT[type(e)](e, x)


CHAIN = Formula(_x, func("f", _u), mul(func("f'", _u), _du))
# Stands for the inner function u in the outer step of a chain; renderers name it.
PLACEHOLDER = Sym("□", ())


class Step:
    """One rule applied: `d/d(var) expr = result`, with the steps it relied on.

    A `chain` step has `inner` (u) and two substeps: the outer rule, which
    differentiates `expr` with u replaced by `PLACEHOLDER`, and u's own step.
    Immutable; equal only to itself (comparing step trees would walk them).
    """

    __slots__ = ("rule", "formula", "expr", "result", "substeps", "var", "inner", "bindings", "conditions",
                 "rewrites")
    rule: str
    formula: Formula | None
    expr: Expr
    result: Expr
    substeps: tuple[Step, ...]
    var: Sym | None
    inner: Expr | None
    bindings: Bindings
    # Where the step holds: `sum_i f(i)*delta(i, j) = f(j)` needs lower <= j <= upper.
    conditions: tuple[Collapse, ...]
    rewrites: str  # for a `simplify` step: the rewrites it applied

    def __init__(self, rule: str, formula: Formula | None, expr: Expr, result: Expr, substeps: tuple[Step, ...] = (),
                 var: Sym | None = None, inner: Expr | None = None, bindings: Bindings = (),
                 conditions: tuple[Collapse, ...] = (), rewrites: str = "") -> None:
        for name, value in zip(self.__slots__, (rule, formula, expr, result, substeps, var, inner, bindings,
                                                conditions, rewrites)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Step is immutable: cannot set {name}")

    def __reduce__(self) -> tuple[type[Step], tuple[object, ...]]:  # copy and pickle, past __setattr__
        return Step, tuple(getattr(self, name) for name in self.__slots__)

    def __repr__(self) -> str:
        return f"<Step {self.rule}: {self.expr} -> {self.result}>"


def _record(rule: Rule, node: Expr, x: Sym, result: Expr, needed: tuple[Expr, ...],
            steps: dict[Expr, Step]) -> Step:
    inner = rule.inner(node) if rule.inner else None
    if inner is None or inner is x:
        subs = tuple(steps[n] for n in dict.fromkeys(needed) if n in steps)
        conditions = tuple(collapses(unclash(node, x), x)) if type(node) is Sum else ()
        return Step(rule.name, rule.formula, node, result, subs, x, None, rule.bind(node, x),
                    conditions)
    outside = node.rebuild(tuple(PLACEHOLDER if a is inner else a for a in node.args))
    # a rule with `inner` (made by chain_rule) has `outer` too
    outer = Step(rule.name, rule.formula, outside, cast(Derivative, rule.outer)(outside), (), PLACEHOLDER,
                 bindings=rule.bind(outside, PLACEHOLDER))
    return Step("chain", CHAIN, node, result, (outer, steps[inner]), x, inner)


Linear = tuple[tuple[Expr, ...], Expr]


def _linear_step(node: Expr, rule: Rule, x: Sym) -> Linear | None:
    """`(factors, u)` when the rule gives `d(node) = factors * d(u)`."""
    if rule.inner is not None:
        return (cast(Derivative, rule.outer)(node),), rule.inner(node)  # chain_rule sets both
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


PRODUCT = RULES["product"]  # its result writes the product once for each of its k factors


def _check_size(symbols: int) -> None:
    if symbols > MAX_RESULT_SIZE:
        raise LimitError(
            f"the derivative is too large: written out it would have more than {MAX_RESULT_SIZE:,} "
            f"symbols (numbers, names, functions, operations), the limit on results")


def differentiate(e: Expr, x: Sym, record: bool = False, method: str = "auto") -> tuple[Expr, Step | None]:
    """The raw (unsimplified) derivative of `e` in `x`, and optionally its step tree.

    `method` "log" takes logarithms of `e` (a product, quotient or power; see
    `log_target`); "rules" writes f^g as e^(g*ln(f)) instead of taking
    logarithms; "auto" takes logarithms for f^g only."""
    if e.facts & FACT_ARRAY or x.kind is not SCALAR:
        arrays = ", ".join(sorted(f"{s} ({s.kind})" for s in e.free | {x} if s.kind is not SCALAR))
        raise DifferentiationError(f"symdiff differentiates scalar expressions only, so far: {arrays}")
    log_at = log_target(e, x) if check_method(method) == "log" else None
    through_exp = method == "rules"
    memo: dict[Expr, Expr] = {}
    steps: dict[Expr, Step] = {}
    stack = [e]
    chained = 0  # factors of every chain product built: nested chains under a sum cost their depth squared
    while stack:
        node = stack[-1]
        if node in memo:
            stack.pop()
            continue
        rule = select(node, x)
        if node is log_at and rule.name != "logarithmic_differentiation":
            rule = RULES["logarithmic_product"]
        elif through_exp and rule.name == "logarithmic_differentiation":
            rule = RULES["power_as_exp"]
        # chains are followed without `select`ing the log target: log mode goes node by node
        step = None if record or log_at is not None else _linear_step(node, rule, x)
        if step is not None:
            result, first = _chain_product(step, x, memo)
            if first is not None:
                stack.append(first)
            else:
                stack.pop()
                memo[node] = cast(Expr, result)  # the derivative, since no node was pending
                chained += len(memo[node].args)
                if chained > MAX_CHAIN_FACTORS:
                    raise LimitError(
                        f"the derivative is too large: its chain rules multiply more than "
                        f"{MAX_CHAIN_FACTORS:,} factors, the limit on results")
            continue
        needed = rule.needs(node, x)
        pending = [n for n in needed if n not in memo]
        if pending:
            if rule is PRODUCT:  # refused before its factors are differentiated
                _check_size((len(node.args) - 1) * cost(node)[2])
            stack.extend(pending)
            continue
        stack.pop()
        memo[node] = result = rule.apply(node, x, memo.__getitem__)
        _check_size(cost(result)[2])
        if record:
            steps[node] = _record(rule, node, x, result, needed, steps)
    return memo[e], steps.get(e) if record else None
