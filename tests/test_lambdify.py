"""lambdify: callables over arrays (numpy) and floats (math), stable by construction."""

import math
from decimal import Decimal, getcontext

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import symdiff
from support.extras import need
from support.strategies import exprs, points, value
from symdiff import expr as E
from symdiff.errors import SymdiffError

np = need("numpy", "numpy")

getcontext().prec = 60
D = Decimal


def sig(u: Decimal) -> Decimal:
    return 1 / (1 + (-u).exp())


# (expression in u, exact value as a function of u in 60-digit decimals)
STABLE = [
    ("sigmoid(u)", sig),
    ("softplus(u)", lambda u: (1 + u.exp()).ln()),
    ("ln(sigmoid(u))", lambda u: sig(u).ln()),
    ("ln(1 - sigmoid(u))", lambda u: (1 - sig(u)).ln() if u < 30 else -(1 + u.exp()).ln()),
    ("ln(1 + exp(u))", lambda u: (1 + u.exp()).ln()),
    ("ln(exp(u) + exp(-u) + 1)", lambda u: (u.exp() + (-u).exp() + 1).ln()),
    ("exp(u)/(exp(u) + exp(-u))", lambda u: u.exp() / (u.exp() + (-u).exp())),
    ("exp(u)/(1 + exp(u))^2", lambda u: u.exp() / (1 + u.exp()) ** 2),
    ("sigmoid(u) - 1", lambda u: sig(u) - 1),
    # derivatives symdiff writes as ratios of sums of exponentials
    ("(exp(u/2)/2 + exp(u))/(exp(u/2) + exp(u))", lambda u: ((u / 2).exp() / 2 + u.exp()) / ((u / 2).exp() + u.exp())),
    ("(-2*exp(-u) - 1)/(exp(-u) + exp(u) + 1)", lambda u: (-2 * (-u).exp() - 1) / ((-u).exp() + u.exp() + 1)),
    ("2*exp(u)/(2*exp(u) + 3)", lambda u: 2 * u.exp() / (2 * u.exp() + 3)),
]


@pytest.mark.parametrize("text, exact", STABLE, ids=[t for t, _ in STABLE])
def test_stable_forms_are_finite_and_correct_at_10_100_800(text, exact):
    us = [-800.0, -100.0, -10.0, 10.0, 100.0, 800.0]
    for backend in ("numpy", "math"):
        f = symdiff.lambdify(text, ["u"], backend=backend)
        got = f(np.array(us)) if backend == "numpy" else [f(u) for u in us]
        for u, g in zip(us, got):
            want = float(exact(D(u)))
            assert math.isfinite(g), (text, backend, u, g)
            assert math.isclose(g, want, rel_tol=1e-12, abs_tol=1e-300), (text, backend, u, g, want)


def test_log_sum_exp_of_the_issue():
    f = symdiff.lambdify("ln(exp(a) + exp(b))", ["a", "b"])
    assert f(1000.0, 1000.0) == 1000 + math.log(2)
    assert symdiff.lambdify("ln(exp(a) + exp(b))", ["a", "b"], "math")(1000.0, 1000.0) == 1000 + math.log(2)


def test_broadcasting_and_argument_order():
    f = symdiff.lambdify("x^2 - y", ["y", "x"])
    got = f(np.array([[1.0], [2.0]]), np.array([1.0, 2.0, 3.0]))
    assert got.shape == (2, 3)
    assert got.tolist() == [[0.0, 3.0, 8.0], [-1.0, 2.0, 7.0]]
    assert symdiff.lambdify("x^2 - y", ["y", "x"], "math")(1, 3) == 8.0


def test_default_arguments_are_in_natural_order():
    f = symdiff.lambdify("x10 - 2*x2 + x1")
    assert "def f(x1, x2, x10)" in f.source
    assert f(1.0, 2.0, 10.0) == 7.0


def test_source_is_attached_and_numbers_are_exact():
    f = symdiff.lambdify("x/3 + 1/7", ["x"])
    assert "x/3 + 1/7" in f.source
    assert f(1.0) == 1 / 3 + 1 / 7


F2 = r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}"
F1 = r"\ - \frac{1}{N} \sum_{i}^{N} \sum_{k}^{K} t_{ik} \log y_{ik} \tag{1}"


def element_values(name: str, array) -> dict[str, float]:
    a = np.asarray(array)
    if a.ndim == 1:
        return {f"{name}_{i + 1}": float(v) for i, v in enumerate(a)}
    return {f"{name}_{{{i + 1},{k + 1}}}": float(a[i, k]) for i in range(a.shape[0]) for k in range(a.shape[1])}


def test_the_article_loss_is_a_reduction_and_its_gradient_an_array():
    rng = np.random.default_rng(1)
    t = (rng.random(7) < 0.5).astype(float)
    y = rng.uniform(0.05, 0.95, 7)
    env = {"N": 7, **element_values("t", t), **element_values("y", y)}
    loss = symdiff.lambdify(F2, ["t", "y", "N"])
    assert math.isclose(loss(t, y, 7), symdiff.evaluate(F2, env), rel_tol=1e-12)
    assert math.isclose(symdiff.lambdify(F2, ["t", "y", "N"], "math")(list(t), list(y), 7),
                        symdiff.evaluate(F2, env), rel_tol=1e-12)
    grad = symdiff.diff(F2, "y_j")
    g = symdiff.lambdify(grad, ["t", "y", "N"])(t, y, 7)
    assert g.shape == (7,)
    for j in range(7):
        want = symdiff.evaluate(symdiff.diff(symdiff.expand_sums(symdiff.substitute(F2, {"N": 7})), f"y_{j + 1}"), env)
        assert math.isclose(g[j], want, rel_tol=1e-12)


def test_softmax_cross_entropy_gradient_is_stable():
    softmax = {"y_{ik}": "exp(z_{ik})/sum_{m=1}^{K} exp(z_{im})"}
    grad = symdiff.diff(F1, "z_{jl}", where=softmax, assume=["sum_{k=1}^{K} t_{ik} = 1"])
    # diff answers in the names `where` gave, (y_{jl} - t_{jl})/N; code runs on z
    f = symdiff.lambdify(symdiff.substitute(grad, softmax), ["t", "z", "N", "K"])
    z = np.array([[800.0, -800.0, 0.0], [1.0, 2.0, 3.0]])
    t = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    g = f(t, z, 2, 3)
    softmax = np.exp(z - z.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    assert np.isfinite(g).all()
    np.testing.assert_allclose(g, (softmax - t) / 2, rtol=1e-12, atol=1e-300)


def test_nested_sums_vectorised_and_as_loops():
    rng = np.random.default_rng(2)
    t, y = rng.random((3, 4)), rng.uniform(0.1, 1.0, (3, 4))
    env = {"N": 3, "K": 4, **element_values("t", t), **element_values("y", y)}
    want = symdiff.evaluate(F1, env)
    assert math.isclose(symdiff.lambdify(F1, ["t", "y", "N", "K"])(t, y, 3, 4), want, rel_tol=1e-12)
    assert math.isclose(symdiff.lambdify(F1, ["t", "y", "N", "K"], "math")(t.tolist(), y.tolist(), 3, 4),
                        want, rel_tol=1e-12)


def test_sums_with_numeric_bounds_offsets_and_index_values():
    i = E.sym("i")
    body = E.add(E.mul(i, E.sym("x", i)), E.sym("x", E.add(i, E.num(-1))))  # i*x_i + x_{i-1}
    e = E.add(E.summation(body, i, E.num(2), E.num(4)), E.sym("x", 5))
    x = np.array([1.0, 2.0, 3.0, 5.0, 8.0])
    want = symdiff.evaluate(e, element_values("x", x))
    assert symdiff.lambdify(e, ["x"])(x) == want
    assert symdiff.lambdify(e, ["x"], "math")(list(x)) == want


def test_sum_bounds_must_be_whole():
    f = symdiff.lambdify("sum_{i=1}^{N} x_i", ["x", "N"])
    assert f(np.arange(5.0), 3.0) == 3.0
    with pytest.raises(ValueError, match="whole number"):
        f(np.arange(5.0), 2.5)


def test_arrays_too_short_for_the_bounds_are_refused_not_truncated():
    f = symdiff.lambdify("sum_{i=1}^{N} x_i", ["x", "N"])
    assert f(np.arange(4.0), 4) == 6.0
    with pytest.raises(IndexError, match="x has no entry for some index"):
        f(np.arange(4.0), 5)
    with pytest.raises(IndexError):
        symdiff.lambdify("sum_{i=1}^{N} x_i", ["x", "N"], "math")([0.0, 1.0], 3)


def test_index_0_is_refused_not_read_as_the_last_entry():
    for backend in ("numpy", "math"):
        with pytest.raises(IndexError, match="no entry"):
            symdiff.lambdify("sum_{i=0}^{N} x_i", ["x", "N"], backend)(np.array([1.0, 2.0, 3.0]), 2)
        with pytest.raises(IndexError, match="no entry 0"):
            symdiff.lambdify("y_j", ["y", "j"], backend)([1.0, 2.0, 3.0], 0)
    with pytest.raises(SymdiffError, match="before the first entry"):
        symdiff.lambdify("y_0 + y_1", ["y"])


def test_a_body_without_the_index_counts_the_terms():
    f = symdiff.lambdify("sum_{i=M}^{N} y", ["y", "M", "N"])
    assert f(2.0, 1, 3) == 6.0 and f(2.0, 4, 3) == 0.0  # an empty sum is 0, not -2
    assert np.shape(f(2.0, 1, 3)) == ()


def test_a_free_index_needs_an_argument_with_math():
    with pytest.raises(SymdiffError, match="index j is free"):
        symdiff.lambdify("y_j^2", ["y"], "math")
    assert symdiff.lambdify("y_j^2", ["y", "j"], "math")([1.0, 3.0], 2) == 9.0


def test_missing_and_unknown_arguments():
    with pytest.raises(SymdiffError, match="no argument for the variable y"):
        symdiff.lambdify("x + y", ["x"])
    with pytest.raises(SymdiffError, match="unknown backend"):
        symdiff.lambdify("x", ["x"], backend="fortran")


def test_sympy_lambdify_of_the_bce_gradient_gives_nan_where_ours_does_not():
    sympy = need("sympy", "sympy")
    z, t = sympy.symbols("z t")
    bce = -(t * sympy.log(1 / (1 + sympy.exp(-z))) + (1 - t) * sympy.log(1 - 1 / (1 + sympy.exp(-z))))
    theirs = sympy.lambdify((z, t), sympy.diff(bce, z), "numpy")
    ours = symdiff.lambdify(symdiff.diff("-(t*ln(sigmoid(z)) + (1 - t)*ln(1 - sigmoid(z)))", "z"), ["z", "t"])
    with np.errstate(all="ignore"):
        assert not np.isfinite(theirs(np.array([800.0, -800.0]), 1.0)).all()
    np.testing.assert_array_equal(ours(np.array([800.0, -800.0]), 1.0), [0.0, -1.0])


def test_numpy_and_sympy_are_loaded_only_when_asked_for():
    import subprocess
    import sys

    code = ("import sys, symdiff; symdiff.diff('x^2', 'x'); symdiff.hessian('x*y'); symdiff.equals('x', 'x');"
            "symdiff.codegen('sigmoid(x)'); symdiff.lambdify('x', ['x'], 'math');"
            "print(sorted(m for m in ('numpy', 'sympy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


@example(E.sym("y"), 1, [0.0, 0.0, 0.0, 0.0], 0.0)  # a body without the index came back as an array
@given(exprs(max_leaves=6), st.integers(1, 4), st.lists(points, min_size=4, max_size=4), points)
@settings(max_examples=100)
def test_sums_of_random_bodies_match_the_written_out_sum(body, n, xs, c):
    """sum_{i=1}^{N} body(x_i, y) with x an array: vectorised (numpy) and as a loop (math)."""
    i = E.sym("i")
    e = E.summation(E.replace_subtrees(body, {E.sym("x"): E.sym("x", i)}), i, E.num(1), E.sym("N"))
    env = {"N": n, "y": c, **{f"x_{k + 1}": v for k, v in enumerate(xs)}}
    expected = value(e, env)
    got = symdiff.lambdify(e, ["x", "y", "N"])(np.array(xs), c, n)
    assert math.isclose(float(got), expected, rel_tol=1e-9, abs_tol=1e-9), (str(e), got, expected)
    got = symdiff.lambdify(e, ["x", "y", "N"], "math")(xs, c, n)
    assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-9), (str(e), got, expected)
