"""symdiff.gradient: every partial, in natural name order, equal to diff."""

import pytest

import symdiff
from symdiff.errors import DifferentiationError


def test_gradient_equals_each_partial():
    e = symdiff.parse("x^2*y + sin(y*z) + z")
    g = symdiff.gradient(e)
    assert list(g) == ["x", "y", "z"]
    for name, partial in g.items():
        assert partial == symdiff.diff(e, name)


def test_gradient_orders_names_naturally_and_takes_chosen_variables_in_the_order_given():
    terms = " + ".join(f"w{k}*x{k}" for k in (1, 2, 10, 11, 3))
    assert list(symdiff.gradient(terms))[:6] == ["w1", "w2", "w3", "w10", "w11", "x1"]
    g = symdiff.gradient(terms, ["x10", "x2", "x1", "x2"])
    assert list(g) == ["x10", "x2", "x1"]
    assert str(g["x10"]) == "w10"


def test_the_users_order_everywhere():
    e = "(w*x + b - y)^2"
    assert list(symdiff.gradient(e, ["w", "b"])) == ["w", "b"]
    assert [str(d) for d in symdiff.jacobian([e], ["w", "b"])[0]] == [str(symdiff.diff(e, v)) for v in ("w", "b")]
    assert str(symdiff.hessian(e, ["w", "b"])[0][0]) == str(symdiff.diff(e, "w", 2))


def test_gradient_of_wide_sum_uses_only_terms_with_the_variable():
    n = 200
    text = "-" + " - ".join(f"(t{k}*log(y{k}) + (1 - t{k})*log(1 - y{k}))" for k in range(1, n + 1))
    g = symdiff.gradient(text, [f"y{k}" for k in range(1, n + 1)])
    assert len(g) == n
    for k in (1, 57, n):
        assert g[f"y{k}"] == symdiff.diff(text, f"y{k}")
        assert symdiff.evaluate(g[f"y{k}"], {f"y{k}": 0.25, f"t{k}": 1.0}) == pytest.approx(-4.0)


def test_raw_gradient_is_the_rule_output():
    g = symdiff.gradient("x*ln(x) + y", simplify=False)
    assert g == {"x": symdiff.diff("x*ln(x) + y", "x", simplify=False), "y": symdiff.parse("1")}
    assert str(g["x"]) == "ln(x) + x/x"


def test_gradient_rejects_non_variables():
    with pytest.raises(DifferentiationError):
        symdiff.gradient("x*y", ["x + 1"])
