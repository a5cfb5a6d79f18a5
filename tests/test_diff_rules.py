"""One test per differentiation rule, named after it."""

import math

import pytest

import symdiff
from symdiff.functions import FUNCTIONS
from symdiff.diff import RULES, differentiate, select
from symdiff import expr as E
from symdiff.errors import DifferentiationError
from symdiff.parse import parse
from support.strategies import central_difference


def derivative(text: str, wrt: str = "x", order: int = 1) -> str:
    return str(symdiff.diff(text, wrt, order=order))


def rule_of(text: str, wrt: str = "x") -> str:
    return select(parse(text), E.sym(wrt)).name


def agrees_numerically(text: str, at: float, wrt: str = "x", env=None) -> bool:
    env = dict(env or {})
    e, d = parse(text), symdiff.diff(text, wrt)
    f = lambda t: symdiff.evaluate(e, {**env, wrt: t})
    return math.isclose(symdiff.evaluate(d, {**env, wrt: at}), central_difference(f, at, 1e-3),
                        rel_tol=1e-6, abs_tol=1e-8)


def check(rule: str, text: str, printed: str, at: float = 0.7, wrt: str = "x", env=None):
    assert rule_of(text, wrt) == rule
    assert derivative(text, wrt) == printed
    assert agrees_numerically(text, at, wrt, env)


@pytest.mark.parametrize("text, printed", [("5", "0"), ("y", "0"), ("pi*e", "0")])
def test_constant_rule(text, printed):
    assert derivative(text) == printed


def test_variable_rule():
    check("variable", "x", "1")


@pytest.mark.parametrize("text, printed", [("x + 1", "1"), ("x^2 + 3x - 1", "2*x + 3")])
def test_sum_rule(text, printed):
    check("sum", text, printed)


@pytest.mark.parametrize("text, printed", [("3x", "3"), ("a*sin(x)", "a*cos(x)"), ("-x^3/4", "-3*x^2/4")])
def test_constant_multiple_rule(text, printed):
    check("constant_multiple", text, printed, env={"a": 2.0})


@pytest.mark.parametrize("text, printed", [("x*sin(x)", "x*cos(x) + sin(x)"), ("x*ln(x)", "ln(x) + 1")])
def test_product_rule(text, printed):
    check("product", text, printed)


@pytest.mark.parametrize("text, printed", [("x/(1+x)", "1/(x + 1)^2"), ("sin(x)/x", None)])
def test_quotient_rule(text, printed):
    assert rule_of(text) == "quotient"
    if printed:
        assert derivative(text) == printed
    assert agrees_numerically(text, 0.7)


@pytest.mark.parametrize(
    "text, printed",
    [("x^3", "3*x^2"), ("1/x", "-1/x^2"), ("sqrt(x)", "1/(2*sqrt(x))"), ("(2x+1)^3", "6*(2*x + 1)^2")],
)
def test_power_rule(text, printed):
    check("power", text, printed)


@pytest.mark.parametrize("text, printed", [("e^x", "exp(x)"), ("exp(2x)", "2*exp(2*x)")])
def test_exp_rule(text, printed):
    check("exp", text, printed)


def test_exp_base_rule():
    check("exp_base", "2^x", "2^x*ln(2)")


def test_ln_rule():
    check("ln", "ln(x)", "1/x")
    check("ln", "log(x^2 + 1)", "2*x/(x^2 + 1)")


@pytest.mark.parametrize("text, printed", [("log_2(x)", "1/(x*ln(2))"), ("log_10(x)", "1/(x*ln(10))")])
def test_log_base_rule(text, printed):
    check("log_base", text, printed)


def test_change_of_base_rule():
    check("change_of_base", "log_{x}(2)", "-ln(2)/(x*ln(x)^2)", at=1.7)


@pytest.mark.parametrize("text, printed", [("x^x", "x^x*(ln(x) + 1)"), ("x^sin(x)", None)])
def test_logarithmic_differentiation_rule(text, printed):
    assert rule_of(text) == "logarithmic_differentiation"
    if printed:
        assert derivative(text) == printed
    assert agrees_numerically(text, 0.7)


@pytest.mark.parametrize(
    "text, printed",
    [("sin(x)", "cos(x)"), ("cos(x)", "-sin(x)"), ("tan(x)", "sec(x)^2"), ("cot(x)", "-csc(x)^2"),
     ("sec(x)", "sec(x)*tan(x)"), ("csc(x)", "-cot(x)*csc(x)")],
)
def test_trig_rule(text, printed):
    check("trig", text, printed)


@pytest.mark.parametrize(
    "text, printed",
    [("asin(x)", "1/sqrt(1 - x^2)"), ("acos(x)", "-1/sqrt(1 - x^2)"), ("atan(x)", "1/(x^2 + 1)")],
)
def test_inverse_trig_rule(text, printed):
    check("inverse_trig", text, printed, at=0.3)


@pytest.mark.parametrize(
    "text, printed", [("sinh(x)", "cosh(x)"), ("cosh(x)", "sinh(x)"), ("tanh(x)", "1/cosh(x)^2")]
)
def test_hyperbolic_rule(text, printed):
    check("hyperbolic", text, printed)


def test_sigmoid_rule():
    check("sigmoid", "sigmoid(x)", "sigmoid(x)*(1 - sigmoid(x))")
    assert derivative("sigmoid(w*x+b)", "w") == "x*sigmoid(w*x + b)*(1 - sigmoid(w*x + b))"
    assert agrees_numerically("sigmoid(w*x+b)", 0.3, "w", {"x": 1.5, "b": -0.5})


def test_softplus_rule():
    check("softplus", "softplus(x)", "sigmoid(x)")


def test_abs_rule():
    check("abs", "abs(x)", "x/abs(x)", at=-0.7)


def test_chain_rule_nests():
    assert derivative("sin(x^2)") == "2*x*cos(x^2)"
    assert agrees_numerically("ln(sin(x)^2 + 2)", 0.4)


def test_partial_derivative_treats_other_names_as_constants():
    assert derivative("x^2*y + y^3", "y") == "x^2 + 3*y^2"
    assert derivative("x*y", "z") == "0"


def test_higher_order():
    assert derivative("x^4", order=3) == "24*x"
    assert derivative("sin(x)", order=4) == "sin(x)"
    assert derivative("x^5", order=0) == "x^5"
    second = symdiff.diff("x^x", "x", order=2)
    first = symdiff.diff("x^x", "x")
    f = lambda t: symdiff.evaluate(first, {"x": t})
    assert math.isclose(symdiff.evaluate(second, {"x": 1.3}), central_difference(f, 1.3, 1e-3), rel_tol=1e-7)


def test_every_node_type_has_a_rule():
    x = E.sym("x")
    samples = {E.Num: E.num(2), E.Const: E.PI, E.Sym: x, E.Add: parse("x + 1"), E.Mul: parse("x*sin(x)"),
               E.Pow: parse("x^2"), E.Func: parse("sin(x)"), E.Log: parse("ln(x)"),
               E.Sum: parse("sum_{i=1}^{3} x^i"), E.Delta: parse("x*delta(i, j)").factors[-1],
               E.Derivative: E.derivative(parse("x^3*y"), E.sym("y"))}
    v = E.sym("v", kind=E.vector("n"))
    arrays = {E.Transpose: E.transpose(E.mul(x, v)), E.Hadamard: E.hadamard(v, E.func("sin", E.mul(x, v))),
              E.HadamardPow: E.hadamard_pow(v, x)}
    samples[E.ArrayConst] = E.identity("n")  # a constant
    for node_type in E.NODE_TYPES:
        if node_type in arrays:  # vectors and matrices differentiate in matrix form (symdiff.matrix)
            with pytest.raises(DifferentiationError, match="shapes="):
                select(arrays[node_type], x)
            continue
        assert node_type in samples, node_type
        assert select(samples[node_type], x).name


def test_derivative_operator_rule():
    """A derivative left in the tree (`d/dy (x^3*y)`) is the derivative it stands for, differentiated."""
    x, y = E.sym("x"), E.sym("y")
    inner = E.derivative(parse("x^3*y^2"), y)
    assert select(inner, x).name == "derivative_operator"
    assert symdiff.simplify(differentiate(inner, x)[0]) == parse("6*x^2*y")
    assert symdiff.simplify(differentiate(E.derivative(parse("sin(x)"), x, 2), x)[0]) == parse("-cos(x)")


def test_every_function_has_a_rule():
    for name in FUNCTIONS:
        assert f"fn:{name}" in RULES


def test_bad_variable_and_order():
    with pytest.raises(DifferentiationError):
        symdiff.diff("x*y")  # two variables: which?
    with pytest.raises(DifferentiationError):
        symdiff.diff("x^2", "x + 1")
    with pytest.raises(DifferentiationError):
        symdiff.diff("x^2", "x", order=-1)


def test_diff_without_simplify_shows_raw_rule_output():
    raw = symdiff.diff("x*ln(x)", "x", simplify=False)
    assert str(raw) == "ln(x) + x/x"
    assert str(symdiff.simplify(raw)) == "ln(x) + 1"
