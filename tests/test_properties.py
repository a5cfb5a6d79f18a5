"""Hypothesis properties on random trees: derivatives, simplification, evaluation."""

import math

from hypothesis import given, note
from hypothesis import strategies as st

import symdiff
from symdiff import expr as E
from support.strategies import exprs, numeric_derivative, points, value

TOLERANCE = dict(rel_tol=1e-5, abs_tol=1e-6)


@given(exprs(), points, points)
def test_first_derivative_matches_finite_difference(e, x, y):
    env = {"x": x, "y": y}
    value(e, env)
    expected = numeric_derivative(e, "x", env)
    d = symdiff.diff(e, "x")
    note(f"f = {e}\nf' = {d}")
    assert math.isclose(value(d, env), expected, **TOLERANCE)


@given(exprs(max_leaves=6), points, points)
def test_second_derivative_matches_finite_difference_of_the_first(e, x, y):
    env = {"x": x, "y": y}
    first = symdiff.diff(e, "x")
    value(first, env)
    expected = numeric_derivative(first, "x", env)
    second = symdiff.diff(e, "x", order=2)
    note(f"f' = {first}\nf'' = {second}")
    assert math.isclose(value(second, env), expected, **TOLERANCE)


@given(exprs(), points, points)
def test_raw_derivative_matches_simplified(e, x, y):
    env = {"x": x, "y": y}
    raw = symdiff.diff(e, "x", simplify=False)
    assert math.isclose(value(raw, env), value(symdiff.diff(e, "x"), env), rel_tol=1e-9, abs_tol=1e-9)


@given(exprs(), points, points)
def test_simplify_preserves_value(e, x, y):
    env = {"x": x, "y": y}
    s = symdiff.simplify(e)
    note(f"{e}  ->  {s}")
    assert math.isclose(value(s, env), value(e, env), rel_tol=1e-9, abs_tol=1e-9)


@given(exprs())
def test_simplify_is_idempotent(e):
    once = symdiff.simplify(e)
    assert symdiff.simplify(once) == once


@given(exprs())
def test_derivative_round_trips_through_text(e):
    d = symdiff.diff(e, "x")
    assert symdiff.parse(str(d)) == d


@given(st.sampled_from(["x", "y"]), exprs())
def test_partial_derivative_of_absent_variable_is_zero(name, e):
    other = E.sym("z")
    assert symdiff.diff(E.add(e, other), other) == E.ONE
    assert symdiff.diff(e, other) == E.ZERO
