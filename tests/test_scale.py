"""Deep and wide input through the whole pipeline, with no recursion limit in sight."""

import math
import sys
import time

import pytest

import symdiff
from symdiff.printing.plain import to_str

DEPTH = 5000
WIDTH = 10000


def test_5000_deep_chain_runs_the_whole_pipeline():
    text = "sin(" * DEPTH + "x" + ")" * DEPTH
    e = symdiff.parse(text)
    assert str(e) == text
    d = symdiff.diff(e, "x")
    v = symdiff.evaluate(d, {"x": 0.5})
    # d/dx sin^n(x) = prod cos(sin^k(x)); check it against a float loop.
    expected, s = 1.0, 0.5
    for _ in range(DEPTH):
        expected *= math.cos(s)
        s = math.sin(s)
    assert math.isclose(v, expected, rel_tol=1e-9)
    assert symdiff.simplify(d) is d
    assert symdiff.evaluate(symdiff.simplify(e), {"x": 0.5}) == pytest.approx(s)


@pytest.mark.slow
def test_5000_deep_log_chain():
    text = "x"
    for _ in range(DEPTH):
        text = f"ln(1 + {text})"
    e = symdiff.parse(text)
    d = symdiff.diff(e, "x")
    assert symdiff.evaluate(d, {"x": 1.0}) > 0
    assert symdiff.parse(to_str(e)) == e


@pytest.mark.slow
def test_10000_wide_sum_runs_the_whole_pipeline():
    text = " + ".join(f"{k}*x^{k % 7}*y_{k}" for k in range(1, WIDTH + 1))
    start = time.perf_counter()
    e = symdiff.parse(text)
    d = symdiff.diff(e, "x")
    s = symdiff.simplify(d)
    assert symdiff.parse(str(s)) == s
    env = {f"y_{k}": 1.0 for k in range(1, WIDTH + 1)} | {"x": 1.0}
    expected = sum(k * (k % 7) for k in range(1, WIDTH + 1))
    assert symdiff.evaluate(s, env) == pytest.approx(expected)
    assert time.perf_counter() - start < 60  # a hang guard, not a benchmark


def test_recursion_limit_is_untouched():
    assert sys.getrecursionlimit() <= 10000
