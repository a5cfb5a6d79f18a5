"""Input people type that used to get a confident wrong answer: each now gets
the right answer, or a note on stderr saying how it was read (CLI, fresh process)."""

import math
import subprocess
import sys

import pytest

import symdiff


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True, text=True,
                          timeout=60)


def central(f, x: float, h: float = 1e-5) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize(
    "args, out, note",
    [
        (["diff", "erf(x)"],                          "2*exp(-x^2)/sqrt(pi)",   None),
        (["diff", "g(x)^2", "--wrt", "x"],            "2*g(x)*g'(x)",           None),
        (["diff", "f(g(x))", "--wrt", "x"],           "f'(g(x))*g'(x)",         None),
        (["diff", "relu(x)", "--wrt", "x"],           "heaviside(x)",           None),
        (["diff", "asinh(x)"],                        "1/sqrt(x^2 + 1)",        None),
        (["diff", "sinx", "--wrt", "x"],              "cos(x)",                 "read 'sinx' as sin(x)"),
        (["diff", "d/dx x^2", "--wrt", "x"],          "2*x",                    "read 'd/dx' as asking for d/dx"),
        (["simplify", "d/dx x^2"],                    "2*x",                    "read 'd/dx'"),
        (["diff", r"\frac{d}{dx}\left(x^2\right)", "--wrt", "x"], "2*x",       "read '\\frac{d}{dx}'"),
        (["simplify", r"\frac{d}{dx}\left(x^2\right)"], "2*x",              "read '\\frac{d}{dx}'"),
        (["diff", "x^2*y^3", "--wrt", "x", "--wrt", "y"], "6*x*y^2",            None),
        (["diff", "x^2*y^3", "--wrt", "x,y"],         "6*x*y^2",                None),
        (["diff", "-x^2"],                            "-2*x",                   None),
        (["diff", "x^2", "--lang", "ja"],             "2*x",                    "--lang changes the --steps"),
        (["diff", "a(x+1)", "--wrt", "x"],            "a",                      "read a(...) as the product"),
        (["diff", "cost", "--wrt", "cost"],           "1",                      "read 'cost' as one name"),
        (["diff", "cost", "--wrt", "t"],              "-sin(t)",                "read 'cost' as cos(t)"),
        (["diff", "sin x^2"],                         "2*x*cos(x^2)",           None),
        (["diff", "sin^2(x)"],                        "sin(2*x)",               None),
    ],
)
def test_cli_reads_what_was_meant(args, out, note):
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == out
    if note is None:
        assert result.stderr == ""
    else:
        assert note in result.stderr and "Traceback" not in result.stderr


def test_a_concrete_index_outside_the_sum_does_not_collapse():
    # beta_0 is not among beta_1 ... beta_p, whatever p is
    assert symdiff.diff(r"\lambda\sum_{j=1}^{p}\beta_j^2", r"\beta_0") == symdiff.parse("0")
    with pytest.warns(symdiff.errors.AssumptionNote, match="1 <= k <= p"):
        d = symdiff.diff(r"\lambda\sum_{j=1}^{p}\beta_j^2", r"\beta_k")
    assert d == symdiff.parse("2*beta_k*lambda")


@pytest.mark.parametrize("name", ["erf", "erfc", "asinh", "atanh", "softplus", "sigmoid"])
def test_new_rows_differentiate_to_their_slope(name):
    d = symdiff.diff(f"{name}(x)", "x")
    f = lambda x: symdiff.evaluate(f"{name}(x)", {"x": x})  # noqa: E731
    for x in (-0.7, 0.3, 0.9):
        assert math.isclose(symdiff.evaluate(d, {"x": x}), central(f, x), rel_tol=1e-6)


def test_undefined_functions_have_no_value():
    with pytest.raises(symdiff.EvaluationError, match="undefined function"):
        symdiff.evaluate("f(x)", {"x": 1.0})


def test_relu_slope_is_undefined_at_zero():
    d = symdiff.diff("relu(x)", "x")
    assert symdiff.evaluate(d, {"x": 2.0}) == 1.0 and symdiff.evaluate(d, {"x": -2.0}) == 0.0
    with pytest.raises(symdiff.EvaluationError, match="heaviside"):
        symdiff.evaluate(d, {"x": 0.0})
