"""Any real number type where a number is expected: evaluate, substitute, Python operators."""

from fractions import Fraction
import time

import pytest
from hypothesis import given, strategies as st

import symdiff
from support.extras import need
from symdiff.printing.precedence import SHORT_BITS, long_integer

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


@given(st.integers(1, 10**30), st.integers(2, 1000), st.integers(0, 3000))
def test_a_long_integer_is_written_as_the_number_it_is(m, b, v):
    """m*b^v comes back as (m', b', k) with m'*b'^k equal to it, and fast: 10^12000 takes
    O(log k) divisions (the derivation of 1e400*...*1e400*x took 2.8 s to print)."""
    n = m * b**v
    form = long_integer(n)
    if form is None:
        assert n.bit_length() <= SHORT_BITS or n % 100 != 0
    else:
        mm, bb, k = form
        assert mm * bb**k == n and k > 1


def test_a_product_of_huge_numerals_prints_its_steps_at_once():
    text = "*".join(["1e400"] * 30) + "*x"
    start = time.process_time()
    steps = symdiff.derive(text, "x").render("text")
    assert "10^" in steps and time.process_time() - start < 1.5
