"""The cross-entropy gradients of issue 5, exactly and numerically.

Each symbolic result is also checked by writing the sums out at small N, K
with random values and comparing with a central difference of the loss.
"""

from __future__ import annotations

import math
import random

import pytest

import symdiff
from symdiff.expr import num, sym
from symdiff.sums import replace

F1 = r"\ - \frac{1}{N} \sum_{i}^{N} \sum_{k}^{K} t_{ik} \log y_{ik} \tag{1}"
F2 = r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}"
SOFTMAX = {"y_{ik}": "exp(z_{ik})/sum_{m=1}^{K} exp(z_{im})"}
ONE_HOT = "sum_{k=1}^{K} t_{ik} = 1"
N, K = 3, 3
H = 1e-5


def fill(expr, var, at, bounds, values):
    """`expr` with the free index variables of `var` set to `at` and sums written out."""
    idx = {s: num(v) for s, v in zip(var.indices, at)}
    bound = {sym(k): num(v) for k, v in bounds.items()}
    return symdiff.expand_sums(replace(expr, {**idx, **bound}))


def check_numerically(loss, grad, var_text, bounds, values):
    """grad at every concrete index equals the central difference of the loss."""
    var = symdiff.parse(var_text)
    loss_n = symdiff.expand_sums(replace(symdiff.parse(loss) if isinstance(loss, str) else loss,
                                         {sym(k): num(v) for k, v in bounds.items()}))
    ranges = [range(1, bounds["N"] + 1), range(1, bounds.get("K", 1) + 1)][: len(var.indices)]
    points = [(a,) for a in ranges[0]] if len(ranges) == 1 else [(a, b) for a in ranges[0] for b in ranges[1]]
    for at in points:
        name = str(replace(var, {s: num(v) for s, v in zip(var.indices, at)}))
        g = fill(grad, var, at, bounds, values)
        env = {k: v for k, v in values.items() if k not in bounds}
        plus, minus = dict(env), dict(env)
        plus[name] += H
        minus[name] -= H
        numeric = (symdiff.evaluate(loss_n, plus) - symdiff.evaluate(loss_n, minus)) / (2 * H)
        assert math.isclose(symdiff.evaluate(g, env), numeric, rel_tol=1e-5, abs_tol=1e-8), (at, g)


def names(prefix, n, k=None):
    if k is None:
        return [f"{prefix}_{i}" for i in range(1, n + 1)]
    return [str(sym(prefix, i, j)) for i in range(1, n + 1) for j in range(1, k + 1)]


def test_formula_1_wrt_y_jl():
    d = symdiff.diff(F1, "y_{jl}")
    assert d == symdiff.parse("-t_{jl}/(N*y_{jl})")
    rng = random.Random(1)
    values = {n: rng.uniform(0.1, 0.9) for n in names("y", N, K) + names("t", N, K)}
    check_numerically(F1, d, "y_{jl}", {"N": N, "K": K}, values)


def equally_short_equal_form(d, expected_text):
    """The issue allows any form of the expected result that is equal and no longer."""
    expected = symdiff.parse(expected_text)
    if d == expected:
        return True
    rng = random.Random(0)
    for _ in range(5):
        env = {str(s): rng.uniform(0.1, 0.9) for s in expected.free | d.free}
        if not math.isclose(symdiff.evaluate(d, env), symdiff.evaluate(expected, env), rel_tol=1e-12):
            return False
    return symdiff.expr.size(d) <= symdiff.expr.size(expected)


def test_formula_2_wrt_y_j():
    d = symdiff.diff(F2, "y_j")
    assert equally_short_equal_form(d, "(y_j - t_j)/(N*y_j*(1 - y_j))")
    rng = random.Random(2)
    values = {n: rng.uniform(0.1, 0.9) for n in names("y", N) + names("t", N)}
    check_numerically(F2, d, "y_j", {"N": N}, values)


def test_formula_2_through_sigmoid_wrt_z_j():
    d = symdiff.diff(F2, "z_j", where={"y_i": "sigmoid(z_i)"})
    assert d == symdiff.parse("(sigmoid(z_j) - t_j)/N")
    rng = random.Random(3)
    values = {n: rng.uniform(-2, 2) for n in names("z", N)} | {n: rng.uniform(0, 1) for n in names("t", N)}
    loss = symdiff.substitute(F2, {"y_i": "sigmoid(z_i)"})
    check_numerically(loss, d, "z_j", {"N": N}, values)


def test_formula_1_through_softmax_with_one_hot_targets():
    d = symdiff.diff(F1, "z_{jl}", where=SOFTMAX, assume=[ONE_HOT])
    assert d == symdiff.parse("(y_{jl} - t_{jl})/N")  # in the names `where` gave, as the article writes it
    rng = random.Random(4)
    values = {n: rng.uniform(-2, 2) for n in names("z", N, K)}
    for i in range(1, N + 1):  # one-hot targets, so the assumption holds
        hot = rng.randrange(1, K + 1)
        values |= {str(sym("t", i, k)): float(k == hot) for k in range(1, K + 1)}
    loss = symdiff.substitute(F1, SOFTMAX)
    check_numerically(loss, symdiff.substitute(d, SOFTMAX), "z_{jl}", {"N": N, "K": K}, values)


def test_softmax_without_the_assumption_keeps_the_target_sum():
    d = symdiff.diff(F1, "z_{jl}", where=SOFTMAX)
    assert any(type(n).__name__ == "Sum" and "t_{jk}" in str(n) for n in symdiff.expr.postorder(d))


@pytest.mark.parametrize("wrt, expected", [("x_2", "2*x_2"), ("x_5", "0"), ("x_j", "2*x_j")])
def test_concrete_sum(wrt, expected):
    assert symdiff.diff("sum_{i=1}^{3} x_i^2", wrt) == symdiff.parse(expected)


def test_concrete_sum_numerically():
    e = symdiff.parse("sum_{i=1}^{3} x_i^2")
    env = {"x_1": 0.3, "x_2": -1.2, "x_3": 2.0}
    for k in (1, 2, 3):
        g = symdiff.diff(e, f"x_{k}")
        plus, minus = dict(env), dict(env)
        plus[f"x_{k}"] += H
        minus[f"x_{k}"] -= H
        numeric = (symdiff.evaluate(e, plus) - symdiff.evaluate(e, minus)) / (2 * H)
        assert math.isclose(symdiff.evaluate(g, env), numeric, rel_tol=1e-6)


def test_plain_variable_passes_into_the_body():
    d = symdiff.diff("sum_{i=1}^{N} (w*x_i - y_i)^2", "w")
    assert d == symdiff.parse("2*sum_{i=1}^{N} x_i*(w*x_i - y_i)")


def test_steps_record_range_assumptions():
    text = symdiff.derive(F1, "y_{jl}").render("text")
    assert "1 <= j <= N" in text and "1 <= l <= K" in text


def test_cli_done_when(capsys):
    from symdiff.cli import main

    assert main(["diff", F2, "--wrt", "y_j"]) == 0
    out = capsys.readouterr().out.strip()
    assert equally_short_equal_form(symdiff.parse(out), "(y_j - t_j)/(N*y_j*(1 - y_j))")
    assert main(["diff", F2, "--where", "y_i = sigmoid(z_i)", "--wrt", "z_j"]) == 0
    assert capsys.readouterr().out.strip() == "(sigmoid(z_j) - t_j)/N"
    assert main(["diff", F2, "--where", "y_i = sigmoid(z_i)", "--wrt", "z_j", "--format", "latex"]) == 0
    assert capsys.readouterr().out.strip() == r"\frac{\sigma\left(z_{j}\right) - t_{j}}{N}"
    args = ["diff", F1, "--wrt", "z_{jl}", "--where", "y_{ik} = " + SOFTMAX["y_{ik}"], "--assume", ONE_HOT]
    assert main(args) == 0
    assert capsys.readouterr().out.strip() == "(y_{jl} - t_{jl})/N"
    assert main(args + ["--steps"]) == 0
    steps = capsys.readouterr().out
    assert "Use the assumption: sum_{k=1}^{K} t_{ik} = 1" in steps
    assert steps.rstrip().splitlines()[-1] == "= (y_{jl} - t_{jl})/N"


def test_cross_entropy_example_script_prints_the_gradients():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "examples" / "cross_entropy_gradients.py"
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True)
    assert "(sigmoid(z_j) - t_j)/N" in out.stdout
    assert "(y_{jl} - t_{jl})/N" in out.stdout


SOFTMAX_1 = {"y_i": "exp(z_i)/sum_{k=1}^{K} exp(z_k)"}


@pytest.mark.parametrize("expr, expected", [("y_i", "y_i*(delta(i, j) - y_j)"),
                                            ("ln(y_i)", "delta(i, j) - y_j")])
def test_softmax_derivative_in_the_names_given(expr, expected):
    d = symdiff.diff(expr, "z_j", where=SOFTMAX_1)
    assert d == symdiff.parse(expected)
    assert symdiff.derive(expr, "z_j", where=SOFTMAX_1).result == d
    # the named form equals the written-out derivative at every index pair
    rng = random.Random(7)
    values = {f"z_{k}": rng.uniform(-2, 2) for k in range(1, 4)}
    raw = symdiff.diff(symdiff.substitute(expr, SOFTMAX_1), "z_j")
    for i in range(1, 4):
        for j in range(1, 4):
            at = {"i": i, "j": j, "K": 3}
            mine = symdiff.substitute(symdiff.substitute(d, SOFTMAX_1), at)
            theirs = symdiff.substitute(raw, at)
            assert symdiff.evaluate(mine, values) == pytest.approx(symdiff.evaluate(theirs, values))
