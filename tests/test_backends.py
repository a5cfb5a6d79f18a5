"""Every row of the function table through every backend, against `evaluate`.

Each function is run with a constant argument (`x*f(1/2)`: the constant is
computed in the generated code) and with an array argument (`f(x)`), in
NumPy, `math`, PyTorch and JAX.  torch and jax are required in CI (see
extras.framework), skipped with a reason elsewhere.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import symdiff
from support.extras import framework, need
from symdiff import functions as F

np = need("numpy", "numpy")

BACKENDS = ["numpy", "math", "torch", "jax"]

# Points inside each row's domain, chosen by the domain's own test (symdiff.functions),
# and a constant c with c and sqrt(2)*c inside it; a two-argument row's second argument is SECOND.
CANDIDATES = [-3.5, -1.5, -1.2, -0.7, -0.3, 0.2, 0.4, 0.6, 1.2, 1.5, 2.0, 3.5]
CONSTANTS_TRIED = [Fraction(1, 2), Fraction(1, 3), Fraction(3, 2), Fraction(5, 2), Fraction(-3, 2)]
SECOND = Fraction(7, 10)


def points(row: F.Function) -> tuple[list[float], Fraction]:
    rest = (float(SECOND),) * (row.arity - 1)
    xs = [x for x in CANDIDATES if row.domain.contains(x, *rest)][:4]
    c = next(c for c in CONSTANTS_TRIED
             if row.domain.contains(float(c), *rest) and row.domain.contains(math.sqrt(2) * c, *rest))
    return xs, c


def applied(row: F.Function, arg: str) -> str:
    """`f(arg)`, or `f(arg, 7/10)` for a two-argument row."""
    return f"{row.name}({', '.join([arg] + [str(SECOND)] * (row.arity - 1))})"


def test_every_domain_has_points():
    for row in F.ROWS:
        xs, _ = points(row)
        assert len(xs) >= 3, row.name


def runner(backend: str):
    """(function of an expression and its variables, array maker, to-list) for a backend."""
    if backend == "torch":
        torch = framework("torch")
        return lambda e, names: symdiff.lambdify(e, names, "torch"), \
            (lambda v: torch.tensor(v, dtype=torch.float64)), (lambda a: a.tolist() if isinstance(a, torch.Tensor) else a)
    if backend == "jax":
        jax = framework("jax")
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        return lambda e, names: symdiff.lambdify(e, names, "jax"), \
            (lambda v: jnp.asarray(v, dtype=jnp.float64)), (lambda a: np.asarray(a).tolist())
    if backend == "math":
        def per_point(e, names):
            f = symdiff.lambdify(e, names, "math")
            return lambda xs: [f(v) for v in xs]

        return per_point, list, list
    return lambda e, names: symdiff.lambdify(e, names, "numpy"), np.array, (lambda a: np.asarray(a).tolist())


def agree(got, want):
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-14)


ROWS = [row.name for row in F.ROWS]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ROWS)
def test_function_row_with_an_array_argument(name, backend):
    make, array, listed = runner(backend)
    row = F.FUNCTIONS[name]
    xs, _ = points(row)
    e = symdiff.parse(applied(row, "x"))
    got = listed(make(e, ["x"])(array(xs)))
    for x, g in zip(xs, got):
        assert agree(g, symdiff.evaluate(e, {"x": x})), (name, backend, x, g)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ROWS)
def test_function_row_with_a_constant_argument(name, backend):
    """`x*f(c)`: the constant is computed in code each backend runs (torch.sqrt(2) is a TypeError)."""
    make, array, listed = runner(backend)
    row = F.FUNCTIONS[name]
    _, c = points(row)
    e = symdiff.parse(f"x*{applied(row, str(c))} + {applied(row, f'sqrt(2)*{c}')}/ln(2)")
    got = listed(make(e, ["x"])(array([1.0, -2.0])))
    for x, g in zip([1.0, -2.0], got):
        assert agree(g, symdiff.evaluate(e, {"x": x})), (name, backend, x, g)


# sqrt, exp, ln and logarithms to a base: built as powers and logarithms, not rows
CONSTANTS = ["x*sqrt(3)", "log_2(x)", "log_10(x)", "2^x", "x*exp(2)", "x^sqrt(2)", "x*pi + e",
             "x/2*(1 + erf(x/sqrt(2)))", "ln(1 + exp(2))*x", "x*sigmoid(1) - softplus(-1)", "log_x(2)"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text", CONSTANTS)
def test_numeric_constants_run_in_every_backend(text, backend):
    make, array, listed = runner(backend)
    e = symdiff.diff(text, "x")
    xs = [0.5, 1.5, 3.0]
    got = np.broadcast_to(np.asarray(listed(make(e, ["x"])(array(xs))), dtype=float), (3,))  # sqrt(3): one number
    for x, g in zip(xs, got):
        assert agree(g, symdiff.evaluate(e, {"x": x})), (text, backend, x, g)


def test_gelu_gradient_in_torch_matches_autograd():
    torch = framework("torch")
    g = symdiff.lambdify(symdiff.diff("x/2*(1+erf(x/sqrt(2)))", "x"), ["x"], backend="torch")
    x = torch.tensor([0.5, -1.25, 3.0], dtype=torch.float64, requires_grad=True)
    (x / 2 * (1 + torch.erf(x / math.sqrt(2)))).sum().backward()
    assert torch.allclose(g(x.detach()), x.grad, rtol=1e-13, atol=0)
    assert math.isclose(float(g(torch.tensor([0.5]))), 0.8674951, rel_tol=1e-6)  # float32 in, float32 out


@pytest.mark.parametrize("backend", BACKENDS)
def test_integer_input_is_computed_in_floats(backend):
    make, array, listed = runner(backend)
    if backend == "torch":
        import torch

        array = lambda v: torch.tensor(v)  # noqa: E731  (int64)
    elif backend == "jax":
        import jax.numpy as jnp

        array = lambda v: jnp.asarray(v)  # noqa: E731
    elif backend == "numpy":
        array = lambda v: np.array(v)  # noqa: E731  (int64)
    # torch makes integers its default float type (float32 unless set): that type's precision
    tolerance = 1e-12 if backend != "torch" else 4 * torch.finfo(torch.get_default_dtype()).eps
    for text, n, want in (("x^x", 20, 20.0 ** 20), ("2^x", 70, 2.0 ** 70), ("x/3", 1, 1 / 3)):
        (got,) = listed(make(text, ["x"])(array([n])))
        assert math.isclose(got, want, rel_tol=tolerance), (text, backend, got)


def test_integer_scalars_and_booleans_are_floats_in_numpy():
    f = symdiff.lambdify("x^x", ["x"])
    assert f(20) == 20.0 ** 20 and isinstance(f(20), float)
    assert symdiff.lambdify("x/2", ["x"])(np.array([True, False])).tolist() == [0.5, 0.0]


# ------------------------------------------------------------------ batches
# Convention: batch axes first, the family's index last (as NumPy/PyTorch code).

BATCHED = [
    # (expression, arguments, family names with their lengths, whether the result has a free axis)
    ("sum_{i=1}^{3} x_i^2*w_i", ["x", "w"], {"x": (3,), "w": (3,)}),
    ("sum_{i=1}^{3} (x_i - b)^2 + b*x_2", ["x", "b"], {"x": (3,)}),
    ("sum_{i=1}^{2} sum_{k=1}^{3} t_{ik}*ln(y_{ik}) + c", ["t", "y", "c"], {"t": (2, 3), "y": (2, 3)}),
    ("ln(sum_{k=1}^{3} exp(z_k))*a + sum_{i=1}^{3} i*z_i", ["z", "a"], {"z": (3,)}),
]
FREE = [
    # gradients: one axis for the free index j, after the batch axes
    (("sum_{i=1}^{3} (y_i - b)^2*w_i", "y_j"), ["y", "b", "w"], {"y": (3,), "w": (3,)}),
    (("-sum_{k=1}^{3} t_k*ln(exp(z_k)/sum_{m=1}^{3} exp(z_m))", "z_j"), ["t", "z"], {"t": (3,), "z": (3,)}),
]


def _values(draw_floats, args, families, batch):
    return {a: np.array(draw_floats(batch + families.get(a, ()))) for a in args}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@example(case=0, batch=(50,), seed=0)
@example(case=2, batch=(2, 3), seed=1)
@given(case=st.integers(0, len(BATCHED) + len(FREE) - 1), batch=st.lists(st.integers(1, 4), max_size=2).map(tuple),
       seed=st.integers(0, 2**16))
def test_a_batched_call_is_the_per_sample_calls(backend, case, batch, seed):
    make, array, listed = runner(backend)
    text, args, families = (BATCHED + FREE)[case]
    e = symdiff.diff(*text) if isinstance(text, tuple) else symdiff.parse(text)
    rng = np.random.default_rng(seed)
    values = {a: rng.uniform(0.1, 2.0, batch + families.get(a, ())) for a in args}
    f = make(e, args)
    whole = np.asarray(listed(f(*(array(values[a]) for a in args))))
    free = tuple(families[args[0]][-1:]) if isinstance(text, tuple) else ()
    assert whole.shape == batch + free
    for at in np.ndindex(*batch):
        one = np.asarray(listed(f(*(array(values[a][at]) for a in args))))
        assert np.allclose(whole[at], one, rtol=1e-12, atol=0), (text, batch, at)


def test_the_batch_axis_comes_first():
    f = symdiff.lambdify("sum_{i=1}^{3} x_i^2*w_i", ["x", "w"])
    x, w = np.arange(150.0).reshape(50, 3), np.ones((50, 3))
    assert f(x, w).shape == (50,)
    assert f(x, w)[7] == (x[7] ** 2).sum()
    with pytest.raises(IndexError, match="no entry"):  # (3, 50) is 3 samples of x_1..x_50: x_3 ok, x_4 not
        symdiff.lambdify("sum_{i=1}^{4} x_i", ["x"])(np.ones((50, 3)))
