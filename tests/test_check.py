"""Answers that check themselves (equals, --check), Jacobians and Hessians, and their commands."""

import subprocess
import sys

import pytest
from hypothesis import example, given, settings

import symdiff
from symdiff import expr as E
from symdiff.check import check_derivative, check_diff, compare
from symdiff.matrices import hessian, jacobian

from support.strategies import exprs


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True, text=True, timeout=120)


# ------------------------------------------------------------------ equals


@pytest.mark.parametrize("a, b, how", [
    ("x*sigmoid(x)*(1-sigmoid(x))", "x*exp(-x)/(1+exp(-x))^2", "symbolically"),
    ("sin(x)^2 + cos(x)^2", "1", "symbolically"),
    ("sqrt(x^2)", "abs(x)", "symbolically"),
    ("(x + y)^2", "x^2 + 2*x*y + y^2", "symbolically"),
])
def test_equal_expressions(a, b, how):
    verdict = compare(a, b)
    assert verdict.equal and how in verdict.how
    assert symdiff.equals(a, b)


@pytest.mark.parametrize("a, b, undefined", [
    ("ln(x^2)", "2*ln(x)", "2*ln(x) is undefined"),
    ("exp(ln(x))", "x", "exp(ln(x)) is undefined"),
    ("x/x", "1", "x/x is undefined"),
    ("sqrt(x)*sqrt(x)", "x", "sqrt(x)*sqrt(x) is undefined"),
])
def test_same_values_on_different_domains_are_not_equal(a, b, undefined):
    verdict = compare(a, b)
    assert not verdict.equal and undefined in verdict.how
    assert not symdiff.equals(a, b)
    good = b if undefined.startswith(a) else a
    with pytest.raises(symdiff.EvaluationError):
        symdiff.evaluate(undefined.removesuffix(" is undefined"), verdict.point)
    symdiff.evaluate(good, verdict.point)


def test_ln_x_squared_is_not_2_ln_x_at_a_negative_point():
    verdict = compare("ln(x^2)", "2*ln(x)")
    assert verdict.point["x"] < 0


def test_different_values_give_a_point_where_they_differ():
    verdict = compare("x^2", "x^3")
    assert not verdict.equal
    x = verdict.point["x"]
    assert x ** 2 != x ** 3


def test_sums_with_symbolic_bounds_are_compared_written_out():
    verdict = compare("sum_{i=1}^{N} x_i", "sum_{j=1}^{N} x_j")
    assert verdict.equal and "N drawn from 1..4" in verdict.how
    verdict = compare("sum_{i=1}^{N} ln(x_i^2)", "sum_{i=1}^{N} 2*ln(x_i)")
    assert not verdict.equal and "2*ln(x_i) is undefined" in verdict.how
    assert 1 <= verdict.point["N"] <= 4


def test_overflow_is_not_mistaken_for_a_domain():
    assert compare("exp(x)*exp(-x)", "1").equal
    with pytest.raises(symdiff.EvaluationError):  # overflows at some points tried (x near 10)
        symdiff.evaluate("exp(exp(x))", {"x": 9.0})
    assert compare("exp(exp(x))*exp(-exp(x))", "1").equal


@example(E.pow_(E.E, E.num(8)))  # e^8 + 1/1000 was "equal" at 1e-6 relative
@example(E.pow_(E.num(5), E.num(625)))  # 5^625: past floats, told apart exactly
@example(E.pow_(E.add(E.ONE, E.pow_(E.E, E.TWO)), E.num(256)))  # past floats, not a number
@given(exprs(max_leaves=6))
@settings(max_examples=50)
def test_an_expression_equals_its_simplification_and_not_itself_plus_a_bit(e):
    assert compare(e, symdiff.simplify(e)).equal
    # e + (1 + e^2)/1000 differs from e by at least 0.2% wherever e is defined
    nudged = E.add(e, E.mul(E.num("0.001"), E.add(E.ONE, E.pow_(e, E.TWO))))
    try:
        assert not compare(e, nudged).equal
    except symdiff.SymdiffError as err:  # a refusal, never a wrong "equal"
        assert "overflows a float" in str(err)


# ------------------------------------------------------------------ --check


def test_check_passes_on_symdiffs_derivatives():
    for text, wrt in [("softplus(x)^2", ["x"]), ("x^x", ["x", "x"]), ("x^2*sin(y)", ["x", "y"]),
                      ("asin(x)", ["x"]), ("acosh(x)", ["x"])]:
        verdict = check_diff(text, wrt)
        assert verdict.ok and verdict.points == 5, (text, verdict)
        assert verdict.largest < 1e-7


def test_check_fails_on_a_wrong_derivative():
    verdict = check_derivative("x^3", "3*x^2 + 1/1000", ["x"])
    assert not verdict.ok and "disagrees" in str(verdict)
    assert not check_derivative("sin(x)", "cos(x) + x/10^5", ["x"]).ok


F2 = "-(1/N) sum_{i=1}^{N} (t_i ln(y_i) + (1 - t_i) ln(1 - y_i))"


def test_check_writes_sums_out_with_small_bounds():
    assert check_diff(F2, ["y_j"]).ok and check_diff(F2, ["y_j"]).points == 5
    assert check_diff("sum_{i=1}^{N} x_i^2", ["x_3"]).ok  # N is drawn >= 3, as the result assumes
    assert check_diff("x_1*sum_{i=1}^{N} x_i^2", ["x_j", "x_1"]).ok
    softmax = symdiff.substitute("-(1/N) sum_{i=1}^{N} sum_{k=1}^{K} t_{ik} ln(y_{ik})",
                                 {"y_{ik}": "exp(z_{ik})/sum_{m=1}^{K} exp(z_{im})"})
    assert check_derivative(softmax, symdiff.diff(softmax, "z_{jl}"), ["z_{jl}"]).ok
    wrong = check_derivative(F2, "(t_j - y_j)/(N*y_j*(y_j - 1)) + 1/10", ["y_j"])
    assert not wrong.ok and "N = " in str(wrong)


def test_check_finds_no_point_outside_every_domain():
    verdict = check_diff("ln(-x^2 - 1)", ["x"])
    assert verdict.ok and verdict.points == 0 and str(verdict).startswith("not checked: ")


def test_cli_diff_check():
    ok = run("diff", "softplus(x)^2", "--check")
    assert ok.returncode == 0 and ok.stdout.strip() == "2*sigmoid(x)*softplus(x)"
    assert ok.stderr.startswith("checked at 5 points, largest relative error ")
    none = run("diff", "ln(-x^2-1)", "--check")
    assert none.returncode == 0 and none.stderr.startswith("not checked: ")


# ------------------------------------------------------------------ matrices


def test_hessian_is_symmetric_with_each_mixed_partial_once():
    h = hessian("x^2*y + sin(x*y) + z^3", ["x", "y", "z"])
    for i in range(3):
        for j in range(3):
            assert h[i][j] is h[j][i]
            want = symdiff.diff(symdiff.diff("x^2*y + sin(x*y) + z^3", "xyz"[i]), "xyz"[j])
            assert symdiff.equals(h[i][j], want)


def test_jacobian_rows_are_gradients():
    j = jacobian(["x*y", "x + y^2", "sin(x)"])
    assert [[str(d) for d in row] for row in j] == [["y", "x"], ["1", "2*y"], ["cos(x)", "0"]]
    assert jacobian(["x*y"], ["y"]) == [[symdiff.parse("x")]]


def test_cli_grad_hessian_codegen_equals():
    grad = run("grad", "x^2*y + sin(y)")
    assert grad.returncode == 0 and grad.stdout.splitlines() == ["d/dx: 2*x*y", "d/dy: x^2 + cos(y)"]
    assert run("grad", "x^2*y + sin(y)", "--wrt", "y").stdout.strip() == "d/dy: x^2 + cos(y)"
    hess = run("hessian", "x^2*y")
    assert hess.stdout.splitlines() == ["d2/dxdx: 2*y", "d2/dxdy: 2*x", "d2/dydy: 0"]
    code = run("codegen", "sigmoid(w*x + b)", "--backend", "python", "--grad")
    assert code.returncode == 0 and code.stdout.startswith("import math\n")
    namespace: dict = {}
    exec(code.stdout, namespace)  # our generated code, in a test
    value, db, dw, dx = namespace["f"](0.5, 2.0, -1.0)
    s = symdiff.evaluate("sigmoid(w*x + b)", {"b": 0.5, "w": 2.0, "x": -1.0})
    assert (value, db) == pytest.approx((s, s * (1 - s)), rel=1e-12)
    eq = run("equals", "x*sigmoid(x)*(1-sigmoid(x))", "x*exp(-x)/(1+exp(-x))^2")
    assert eq.returncode == 0 and eq.stdout.startswith("equal")
    ne = run("equals", "ln(x^2)", "2*ln(x)")
    assert ne.returncode == 1 and ne.stdout.startswith("not equal: at x = -")
    bad = run("codegen", "f(x)")
    assert bad.returncode == 2 and "undefined function" in bad.stderr
