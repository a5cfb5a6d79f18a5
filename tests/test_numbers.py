"""Any real number type where a number is expected: evaluate, substitute, Python operators."""

from fractions import Fraction

import pytest

import symdiff
from extras import need

np = need("numpy", "numpy")

REALS = [3, 2.5, Fraction(1, 3), np.float64(0.25), np.float32(0.5), np.int64(7), np.int32(-2)]


@pytest.mark.parametrize("v", REALS, ids=repr)
def test_evaluate_accepts_any_real_number(v):
    assert symdiff.evaluate("x^2 + 1", {"x": v}) == float(v) ** 2 + 1


@pytest.mark.parametrize("v", [1 + 2j, np.array([1.0, 2.0]), 10 ** 400], ids=["complex", "array", "huge"])
def test_evaluate_refuses_what_is_not_one_real_number(v):
    with pytest.raises(symdiff.EvaluationError, match="value of x"):
        symdiff.evaluate("x", {"x": v})


def test_substitute_accepts_numbers():
    assert str(symdiff.substitute("x^2 + y", {"x": 2})) == "4 + y"
    assert str(symdiff.substitute("x*y", {"x": np.float64(0.5), "y": Fraction(2, 3)})) == "1/3"


@pytest.mark.parametrize("v", REALS, ids=repr)
def test_arithmetic_between_expressions_and_numbers(v):
    x = symdiff.parse("x")
    for result, want in [(x * v, "x*c"), (v * x, "c*x"), (x + v, "x + c"), (v - x, "c - x"), (x / v, "x/c"),
                         (x ** v, "x^c"), (v ** x, "c^x")]:
        assert isinstance(result, symdiff.Expr)
        assert symdiff.evaluate(result, {"x": 2.0}) == pytest.approx(
            symdiff.evaluate(want.replace("c", f"({Fraction(float(v)).limit_denominator(10**6)})"), {"x": 2.0}))


def test_bools_nans_and_complex_are_not_expressions():
    x = symdiff.parse("x")
    for bad in (True, np.bool_(True), float("nan"), np.float64("inf"), 1j):
        with pytest.raises(TypeError):
            x * bad
