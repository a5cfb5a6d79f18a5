"""derive(): which rules the steps name, in which nesting, and that they agree with diff()."""

import pytest

import symdiff
from symdiff import expr as E
from symdiff.diff import PLACEHOLDER, Step
from symdiff.expr import postorder
from symdiff.parse import parse


def shape(step: Step) -> tuple:
    """The rule names of a step tree as nested tuples: ("chain", ("ln",), ("power",))."""
    built: dict[int, tuple] = {}
    stack = [(step, False)]
    while stack:
        s, expanded = stack.pop()
        if expanded:
            built[id(s)] = (s.rule, *(built[id(c)] for c in s.substeps))
        else:
            stack.append((s, True))
            stack.extend((c, False) for c in s.substeps)
    return built[id(step)]


def root(text: str, wrt: str = "x") -> Step:
    return symdiff.derive(text, wrt).steps[0]


V = ("variable",)
C = ("constant",)


@pytest.mark.parametrize(
    "rule,            text,              nesting",
    [
        ("sum",               "x^2 + 1",      ("sum", ("power", V))),
        ("constant_multiple", "3*x",          ("constant_multiple", V)),
        ("product",           "x*sin(x)",     ("product", V, ("trig", V))),
        ("quotient",          "sin(x)/x",     ("quotient", ("trig", V), V)),
        ("power",             "x^3",          ("power", V)),
        ("chain",             "(x^2 + 1)^3",  ("chain", ("power",), ("sum", ("power", V)))),
        ("exp",               "exp(2*x)",     ("chain", ("exp",), ("constant_multiple", V))),
        ("exp_base",          "2^x",          ("exp_base", V)),
        ("ln",                "ln(x)",        ("ln", V)),
        ("log_base",          "log_2(x)",     ("log_base", V)),
        ("log_base",          "log_2(x^2+1)", ("chain", ("log_base",), ("sum", ("power", V)))),
        ("trig",              "cos(3*x)",     ("chain", ("trig",), ("constant_multiple", V))),
        ("inverse_trig",      "atan(x)",      ("inverse_trig", V)),
        ("hyperbolic",        "tanh(x)",      ("hyperbolic", V)),
        ("sigmoid",           "sigmoid(x)",   ("sigmoid", V)),
        ("softplus",          "softplus(x)",  ("softplus", V)),
        ("abs",               "abs(x)",       ("abs", V)),
        ("change_of_base",    "log_x(3)",
         ("change_of_base", ("constant_multiple", ("chain", ("power",), ("ln", V))))),
        ("logarithmic_differentiation", "x^x",
         ("logarithmic_differentiation", ("product", V, ("ln", V)))),
    ],
)
def test_rule_nesting(rule, text, nesting):
    step = root(text)
    assert shape(step) == nesting
    assert rule in {s.rule for s in walk(step)}


def walk(step: Step) -> list[Step]:
    out, stack = [], [step]
    while stack:
        s = stack.pop()
        out.append(s)
        stack.extend(s.substeps)
    return out


def test_chain_rule_outer_step_is_in_the_placeholder():
    chain = root("sin(x^2)")
    outer, inner = chain.substeps
    assert chain.inner == parse("x^2")
    assert outer.var is PLACEHOLDER and outer.expr == E.func("sin", PLACEHOLDER)
    assert outer.result == E.func("cos", PLACEHOLDER)
    assert inner.expr == parse("x^2") and inner.var == E.sym("x")


def test_logarithmic_differentiation_differentiates_g_ln_f():
    step = root("x^sin(x)")
    (sub,) = step.substeps
    assert sub.expr == parse("sin(x)*ln(x)")


def test_a_repeated_subexpression_is_derived_once():
    step = root("sin(x^2) + cos(x^2)")
    derived = [s for s in walk(step) if s.expr == parse("x^2") and s.var == E.sym("x")]
    assert len({id(s) for s in derived}) == 1  # one Step object, referred to twice


@pytest.mark.parametrize(
    "text, wrt, order",
    [("log_2(x^2+1)", "x", 1), ("x^x", "x", 1), ("x^sin(x)", "x", 2), ("sigmoid(w*x + b)", "x", 1),
     ("sigmoid(w*x + b)", "w", 1), ("log_x(y)", "x", 1), ("log_{x+1}(y)", "y", 1), ("5", "x", 1),
     ("tan(x)/x", "x", 3), ("x", "x", 0)],
)
def test_result_is_diff(text, wrt, order):
    d = symdiff.derive(text, wrt, order)
    assert d.result == symdiff.diff(text, wrt, order)
    assert len(d.steps) == 2 * order
    if order:
        assert d.steps[-1].rule == "simplify" and d.steps[-1].result == d.result


def test_simplify_step_starts_where_the_rule_left_off():
    # It used to start from the raw output, x^x*(ln(x) + x/x), after the
    # logarithmic differentiation had shown ln(x) + 1: a step backwards.
    d = symdiff.derive("x^2*sin(x)", "x")
    simp = d.steps[1]
    assert simp.expr == parse("2*x*sin(x) + x^2*cos(x)")  # the product rule, filled in
    assert simp.result == d.result == symdiff.diff("x^2*sin(x)", "x")
    x_to_x = symdiff.derive("x^x", "x").steps[1]
    assert x_to_x.expr is x_to_x.result  # nothing left to do
    assert symdiff.diff("x^x", "x", simplify=False) == parse("x^x*(ln(x) + x/x)")


def test_deep_tree_derives_without_recursion():
    e = E.sym("x")
    for _ in range(5000):  # 2*(2*(...(x + 1)...) + 1): 10,000 levels of nodes
        e = E.mul(E.TWO, E.add(e, E.ONE))
    d = symdiff.derive(e, "x")
    assert d.result == symdiff.diff(e, "x") == E.num(2**5000)
    assert len(walk(d.steps[0])) > 10_000
    assert sum(1 for _ in postorder(d.steps[0].expr)) > 10_000


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_deep_derivation_renders_without_recursion():
    # The text grows with depth squared (each step prints its sub-expression), so
    # 1,200 levels: deeper than Python's recursion limit, small enough to print.
    e = E.sym("x")
    for _ in range(600):
        e = E.mul(E.TWO, E.add(e, E.ONE))
    d = symdiff.derive(e, "x", max_length=0)  # 2.2 MB of text: over the default limit
    assert d.render().count("Sum rule") == 600  # the constant factors fold into their sums
    assert "Derivation" in repr(d)
    shallow = symdiff.derive(E.mul(E.TWO, E.add(E.mul(E.TWO, E.add(E.sym("x"), E.ONE)), E.ONE)), "x")
    assert shallow.render(verbose=True).count("Constant multiple rule") == 2


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_wide_sum_derives_and_renders():
    e = E.add(*(E.pow_(E.sym("x"), E.num(k)) for k in range(2, 10_002)))
    d = symdiff.derive(e, "x")
    assert d.result == symdiff.diff(e, "x")
    with pytest.raises(symdiff.SymdiffError, match="steps would run to at least"):
        d.render()  # 1.5 MB: over the default limit of MAX_OUTPUT characters
    assert d.render(max_length=0).count("Power rule") == 10_000


def test_simplify_step_names_the_rewrites_applied():
    simplified = symdiff.derive("x*ln(x)", "x").steps[-1]
    assert simplified.rule == "simplify"
    assert simplified.rewrites == "x^a*x^b -> x^(a+b)"  # x/x -> 1, and nothing merely tried
    both = symdiff.derive("x^2*sin(x)", "x").steps[-1].rewrites
    assert both.split("; ") == ["collect like terms", "pull out a common factor"]
    assert symdiff.derive("x/(1 + x)", "x").steps[-1].rewrites == "collect like terms"
    assert symdiff.derive("log_2(x)", "x").steps[-1].rewrites == ""  # nothing to simplify


def test_simplify_trace_records_only_applied_rewrites():
    from symdiff.simplify import simplify

    used: list[str] = []
    assert str(simplify(symdiff.parse("x*x + 2x - x"), used)) == "x^2 + x"
    assert sorted(used) == ["collect like terms", "x^a*x^b -> x^(a+b)"]
