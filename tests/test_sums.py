"""Sums, Kronecker deltas, indexed variables, substitution and expansion."""

from __future__ import annotations

import pytest

import symdiff
from symdiff import parse
from symdiff.expr import ONE, ZERO, delta, num, sym
from symdiff.api import assumption as parse_assumption
from symdiff.sums import apply_assumptions, replace


@pytest.mark.parametrize("text", [
    "sum_{i=1}^{N} x_i*y_i + 1",
    "a/sum_{m=1}^{K} exp(z_{jm}) - t",
    "y*sum_{i=1}^{N} x_i",
    "(sum_{i=1}^{N} x_i)*(a + b)",
    "(sum_{i=1}^{N} x_i)^2",
    "-sum_{i=1}^{3} x_i^2",
    "sum_{i=0}^{N - 1} sum_{k=1}^{i} x_{ik}",
    "delta(i, j)*x_j",
])
def test_plain_round_trip(text):
    e = parse(text)
    assert parse(str(e)) == e
    assert parse(symdiff.latex(e), syntax="latex") == e


def test_index_is_bound():
    e = parse("sum_{i=1}^{N} x_i*w")
    assert e.free == {sym("N"), sym("w")}
    assert parse("sum_{k=1}^{K} t_{ik}").free == {sym("i"), sym("K")}


def test_renaming_the_index_changes_nothing_numerically():
    a, b = parse("sum_{i=1}^{3} x_i^2"), parse("sum_{k=1}^{3} x_k^2")
    env = {"x_1": 1.0, "x_2": 2.0, "x_3": 3.0}
    assert symdiff.evaluate(a, env) == symdiff.evaluate(b, env) == 14.0
    assert symdiff.diff(a, "x_2") == symdiff.diff(b, "x_2")


def test_delta_folds():
    i, j = sym("i"), sym("j")
    assert delta(i, i) is ONE and delta(num(1), num(2)) is ZERO and delta(j, i) is delta(i, j)


def test_derivative_of_indexed_variable_is_a_delta():
    assert symdiff.diff("y_{ik}", "y_{jl}") == parse("delta(i, j)*delta(k, l)")
    assert symdiff.diff("y_3", "y_3") == ONE and symdiff.diff("y_3", "y_4") == ZERO


def test_differentiating_by_a_variable_named_like_the_index():
    assert symdiff.diff("sum_{i=1}^{N} x_i^2", "x_i") == parse("2*x_i")


def test_substitute_index_pattern():
    e = symdiff.substitute("sum_{i=1}^{N} ln(y_i) + y_3", {"y_i": "sigmoid(z_i)"})
    assert e == parse("sum_{i=1}^{N} ln(sigmoid(z_i)) + sigmoid(z_3)")


def test_substitute_avoids_capture():
    # the template's own index m must not capture the caller's m
    e = symdiff.substitute("sum_{m=1}^{K} y_{jm}", {"y_{ik}": "exp(z_{ik})/sum_{m=1}^{K} exp(z_{im})"})
    k = 2
    env = {str(sym("z", 1, c)): 0.1 * c for c in range(1, k + 1)} | {"K": k, "j": 1}
    assert abs(symdiff.evaluate(replace(e, {sym("j"): num(1)}), env) - 1.0) < 1e-12  # softmax sums to 1


def test_replace_respects_shadowing():
    e = parse("i + sum_{i=1}^{3} x_i")
    assert replace(e, {sym("i"): num(7)}) == parse("7 + sum_{i=1}^{3} x_i")


def test_expand_sums():
    assert symdiff.expand_sums("sum_{i=1}^{3} x_i^2") == parse("x_1^2 + x_2^2 + x_3^2")
    expanded = symdiff.expand_sums("sum_{i=1}^{2} sum_{k=1}^{i} t_{ik}")
    assert expanded == sym("t", 1, 1) + sym("t", 2, 1) + sym("t", 2, 2)
    assert parse(str(expanded)) == expanded  # t at (1, 1) is not t at 11
    assert symdiff.expand_sums("sum_{i=1}^{0} x_i") == ZERO


def test_assumption_matches_up_to_index_names():
    fact = parse_assumption("sum_{k=1}^{K} t_{ik} = 1")
    out, used = apply_assumptions(parse("a*sum_{m=1}^{K} t_{jm}"), [fact])
    assert out == parse("a") and used == [fact]
    out, used = apply_assumptions(parse("sum_{m=1}^{N} t_{jm}"), [fact])  # other bound: no match
    assert used == []


def test_sum_of_index_free_body():
    # not folded to 2*w*N: that needs N >= 0, which nothing records yet
    assert symdiff.diff("sum_{i=1}^{N} w^2", "w") == parse("2*w*sum_{i=1}^{N} 1")


def test_wide_sum_body():
    body = " + ".join(f"x_{{i,{k}}}" for k in range(1, 2001))
    e = parse(f"sum_{{i=1}}^{{N}} ({body})")
    assert symdiff.diff(e, "x_{j,7}") == ONE
