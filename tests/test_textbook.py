"""The textbook table: each derivative prints as we want it and has the right value."""

from __future__ import annotations

import math

import pytest

import symdiff
from symdiff.errors import EvaluationError
from support.textbook_table import TABLE

POINTS = (0.3, 0.7, 1.3, 2.1, 3.7, 5.2, -0.4, -1.7)
OTHERS = {"t": 0.3, "y": 0.4, "w": 0.8, "b": -0.5, "x": 0.6, "z": 0.2, "a": 3.0}
H = 1e-4


def _value(e, env):
    try:
        return symdiff.evaluate(e, env)
    except EvaluationError:
        return None


def _central(f, var, env, h=H):
    """Richardson-extrapolated central difference, or None off the domain."""
    vals = {}
    for k in (-2, -1, 1, 2):
        v = _value(f, {**env, var: env[var] + k * h})
        if v is None:
            return None
        vals[k] = v
    d1 = (vals[1] - vals[-1]) / (2 * h)
    d2 = (vals[2] - vals[-2]) / (4 * h)
    return (4 * d1 - d2) / 3


def _reference(f, var, env):
    """The numeric derivative, when two step sizes agree on it (else None)."""
    coarse, fine = _central(f, var, env, H), _central(f, var, env, H / 2)
    if coarse is None or fine is None or not math.isclose(coarse, fine, rel_tol=1e-7, abs_tol=1e-8):
        return None
    return fine


def test_the_table_is_big_enough():
    assert len(TABLE) >= 150
    assert len({(f, v) for f, v, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize("text, var, expected", TABLE, ids=[f"{v}:{f}" for f, v, _ in TABLE])
def test_textbook_derivative(text, var, expected):
    d = symdiff.diff(text, var)
    assert str(d) == expected
    assert symdiff.parse(expected) == d  # the printed form round-trips
    f = symdiff.parse(text)
    checked = 0
    for p in POINTS:
        env = {**OTHERS, var: p}
        numeric = _reference(f, var, env)
        exact = _value(d, env)
        if numeric is None or exact is None:
            continue
        assert math.isclose(exact, numeric, rel_tol=1e-6, abs_tol=1e-6), (p, exact, numeric)
        checked += 1
    assert checked >= 2, "the derivative was checked at fewer than two points"
