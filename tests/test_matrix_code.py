"""Generated code for vectors and matrices (issue 24): every case of the matrix
corpus (tests/support/matrix_corpus.py) lambdified for NumPy, PyTorch and JAX,
its function and its gradient checked against the corpus's NumPy oracle on the
corpus's draws; then each array function row, stability, sizes and the shape
of the code (`@`, solves, common subexpressions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.extras import framework, need

np = need("numpy", "numpy")

import symdiff  # noqa: E402
from symdiff.functions import ARRAY_ROWS  # noqa: E402
from support.matrix_checks import case_values, close, derivative  # noqa: E402
from support.matrix_corpus import CASES, Case  # noqa: E402

IDS = [c.name for c in CASES]
DRAWS = range(3)
BACKENDS = ["numpy", "torch", "jax"]
SOFTMAX_CE = "(sum(logsumexp(X*W)) - tr(T^T*X*W))/N"
SOFTMAX_SHAPES = {"X": ("n", "d"), "W": ("d", "k"), "T": ("n", "k"), "N": ()}


def backend_module(backend: str):
    """The framework (torch, jax) of a backend, set for float64; None for NumPy."""
    if backend == "numpy":
        return None
    module = framework(backend)
    if backend == "jax":
        module.config.update("jax_enable_x64", True)
    return module


def inputs(backend: str, values: dict) -> dict:
    """The draws as the backend's arrays (scalars stay numbers)."""
    module = backend_module(backend)
    if module is None:
        return values
    convert = module.as_tensor if backend == "torch" else module.numpy.asarray
    return {k: convert(v) if isinstance(v, np.ndarray) else v for k, v in values.items()}


def draws(case: Case):
    for draw in DRAWS:
        yield case_values(case, draw)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_corpus_function_and_gradient_run_as_the_oracle(case: Case, backend: str):
    backend_module(backend)
    names = list(case.shapes)
    gradient = symdiff.lambdify(derivative(case), names, backend=backend, shapes=case.shapes)
    function = symdiff.lambdify(case.text, names, backend=backend, shapes=case.shapes)
    for values in draws(case):
        given = inputs(backend, values)
        got = gradient(*(given[n] for n in names))
        want = case.grad(**values)
        assert close(got, want), f"{case.name}: {gradient.source}"
        assert not close(np.asarray(got) * 2, want)  # the check can fail
        assert close(function(*(given[n] for n in names)), case.f(**values)), function.source


def test_logistic_loss_gradient_stays_finite_for_large_margins():
    """exp(-u) .* (1 + exp(-u)).^(-1) overflowed to nan past |u| ~ 710; it is sigmoid(-u)."""
    sh = {"X": ("n", "d"), "w": ("d",), "y": ("n",), "N": ()}
    g = symdiff.diff("sum(log(1 + exp(-y .* (X*w))))/N", "w", shapes=sh)
    assert "sigmoid" in str(g)
    f = symdiff.lambdify(g, ["X", "w", "y", "N"], shapes=sh)
    X, w, y = np.array([[1000.0, -2.0], [3.0, -1000.0], [0.5, 0.25]]), np.array([1.0, 1.0]), np.array([1.0, -1.0, 1.0])
    u = y * (X @ w)
    want = -X.T @ (y / (1 + np.exp(np.clip(u, -700, 700)))) / 3
    got = f(X, w, y, 3.0)
    assert np.all(np.isfinite(got)) and close(got, want)


def test_softmax_cross_entropy_gradient_stays_finite_for_large_logits():
    """Issue 24: logits X*W of order 1e3 (softmax shifted by each row's maximum)."""
    g = symdiff.diff(SOFTMAX_CE, "W", shapes=SOFTMAX_SHAPES)
    grad = symdiff.lambdify(g, ["X", "W", "T", "N"], shapes=SOFTMAX_SHAPES)
    loss = symdiff.lambdify(SOFTMAX_CE, ["X", "W", "T", "N"], shapes=SOFTMAX_SHAPES)
    rng = np.random.default_rng(24)
    X, W = rng.normal(size=(6, 4)) * 40, rng.normal(size=(4, 3)) * 40
    T = np.eye(3)[rng.integers(0, 3, 6)]
    assert np.max(np.abs(X @ W)) > 1e3
    z = X @ W
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    got = grad(X, W, T, 6.0)
    assert np.all(np.isfinite(got)) and close(got, X.T @ (p - T) / 6)
    lse = z.max(axis=1) + np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1))
    assert np.isfinite(loss(X, W, T, 6.0)) and close(loss(X, W, T, 6.0), (lse.sum() - np.sum(T * z)) / 6)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("row", ARRAY_ROWS, ids=[r.name for r in ARRAY_ROWS])
def test_every_array_row_has_code_that_computes_its_value(row, backend):
    """The row's `code` column against `symdiff.evaluate` (its `numpy` column), of a matrix and a vector."""
    backend_module(backend)
    rng = np.random.default_rng(7)
    square = rng.normal(size=(4, 4))
    arguments = [({"v": ("n", "n")}, square @ square.T + np.eye(4))]  # SPD: logdet is defined
    if row.name not in ("tr", "det", "logdet", "inv"):
        arguments.append(({"v": ("n",)}, rng.normal(size=5)))
    for shapes, v in arguments:
        f = symdiff.lambdify(f"{row.name}(v)", ["v"], backend=backend, shapes=shapes)
        want = symdiff.evaluate(f"{row.name}(v)", {"v": v}, shapes=shapes)
        assert close(f(inputs(backend, {"v": v})["v"]), want), f.source


@pytest.mark.parametrize("backend", BACKENDS)
def test_stable_forms_stay_finite(backend):
    backend_module(backend)
    z = np.array([1000.0, 999.0, -1000.0])
    Z = np.array([[1000.0, 0.0], [-800.0, -801.0]])
    sh = {"z": ("k",), "Z": ("n", "k")}
    lse = symdiff.lambdify("logsumexp(z)", ["z"], backend=backend, shapes=sh)
    assert float(lse(inputs(backend, {"z": z})["z"])) == pytest.approx(1000 + np.log1p(np.exp(-1.0)))
    rows = np.asarray(symdiff.lambdify("logsumexp(Z)", ["Z"], backend=backend, shapes=sh)(inputs(backend, {"Z": Z})["Z"]))
    assert close(rows, [1000.0, -800 + np.log1p(np.exp(-1.0))])
    soft = np.asarray(symdiff.lambdify("softmax(Z)", ["Z"], backend=backend, shapes=sh)(inputs(backend, {"Z": Z})["Z"]))
    assert np.all(np.isfinite(soft)) and close(soft.sum(axis=1), [1.0, 1.0])
    big = np.eye(200) * 1e3  # det = 1e600 overflows; its logarithm does not
    logdet = symdiff.lambdify("logdet(A)", ["A"], backend=backend, shapes={"A": ("n", "n")})
    assert float(logdet(inputs(backend, {"A": big})["A"])) == pytest.approx(200 * np.log(1e3))
    negative = np.diag([-1.0, 2.0])
    assert np.isnan(float(logdet(inputs(backend, {"A": negative})["A"])))  # never a wrong number


def test_vectors_are_1d_in_and_out_and_sizes_are_checked():
    sh = {"A": ("n", "n"), "x": ("n",), "y": ("n",)}
    f = symdiff.lambdify("A*x + y", ["A", "x", "y"], shapes=sh)
    A, x = np.arange(9.0).reshape(3, 3), np.array([1.0, 2.0, 3.0])
    assert f(A, x, x).shape == (3,) and close(f(A, x, x), A @ x + x)
    with pytest.raises(ValueError, match="n = 3"):
        f(A, x, np.ones(4))
    with pytest.raises(ValueError, match="1-D"):
        f(A, x[:, None], x)
    scalar = symdiff.lambdify("x^T*A*y", ["A", "x", "y"], shapes=sh)
    assert np.ndim(scalar(A, x, x)) == 0 and scalar(A, x, x) == pytest.approx(x @ A @ x)
    ints = symdiff.lambdify("x .^ 40", ["x"], shapes=sh)  # integer powers would overflow silently
    assert ints(np.array([3, 3, 3]))[0] == pytest.approx(3.0**40)


def test_identity_and_ones_take_their_sizes_from_the_arguments():
    sh = {"X": ("n", "n"), "v": ("m",)}
    g = symdiff.diff("tr(X)", "X", shapes=sh)
    assert str(g) == "I(n)"  # an identity nothing beside it sizes prints its size
    f = symdiff.lambdify(g, ["X"], shapes=sh)
    assert close(f(np.zeros((4, 4))), np.eye(4))
    with pytest.raises(symdiff.SymdiffError, match="size n is not known"):
        symdiff.codegen(g, [], shapes=sh)
    torch = backend_module("torch")
    t = symdiff.lambdify(symdiff.parse("X + I", shapes=sh), ["X"], backend="torch", shapes=sh)
    assert t(torch.zeros((3, 3), dtype=torch.float64)).dtype == torch.float64  # I takes X's type


def test_products_use_matmul_in_the_cheap_order_and_solve_with_a_single_inverse():
    sh = {"X": ("n", "d"), "w": ("d",), "b": ("n",), "A": ("n", "n")}
    source = symdiff.codegen(symdiff.parse("X^T*X*w", shapes=sh), ["X", "w"], shapes=sh)
    assert "X.T @ (X @ w)" in source
    source = symdiff.codegen(symdiff.parse("inv(A)*b", shapes=sh), ["A", "b"], shapes=sh)
    assert "np.linalg.solve(A, b)" in source and "inv" not in source.split("def f")[1].split('"""')[2]
    source = symdiff.codegen(symdiff.parse("b^T*inv(A)", shapes=sh), ["A", "b"], shapes=sh)
    assert "np.linalg.solve(A.T, b)" in source
    twice = symdiff.diff("a^T*inv(X)*c", "X", shapes={"a": ("n",), "X": ("n", "n"), "c": ("n",)})
    source = symdiff.codegen(twice, ["a", "X", "c"], shapes={"a": ("n",), "X": ("n", "n"), "c": ("n",)})
    assert source.count("np.linalg.inv(X)") == 1 and "solve" not in source  # computed once, used twice


def test_common_subexpressions_are_computed_once_across_outputs():
    sh = {"X": ("n", "d"), "W": ("d", "h"), "V": ("h", "k"), "T": ("n", "k"), "N": ()}
    loss = "(sum(logsumexp(tanh(X*W)*V)) - tr(T^T*tanh(X*W)*V))/N"
    grads = symdiff.gradient(loss, ["V", "W"], shapes=sh)
    source = symdiff.codegen(grads, ["X", "W", "V", "T", "N"], backend="torch", shapes=sh)
    body = source.split('"""')[-1]
    writing, plain = body.split("    if _torch_overwritable(")[1].split("\n    return ")[0].split("\n    t0")
    for branch in (writing, plain):  # the branch writing into its own arrays, and the one that does not
        assert branch.count("X @ W") == 1 and branch.count("torch.tanh(") == 1 and branch.count("torch.softmax(") == 1


def test_array_code_needs_an_array_backend():
    g = symdiff.diff("x^T*A*x", "x", shapes={"x": ("n",), "A": ("n", "n")})
    with pytest.raises(symdiff.SymdiffError, match="array backend"):
        symdiff.codegen(g, ["A", "x"], backend="python")
    with pytest.raises(symdiff.SymdiffError, match="shapes= makes it"):
        symdiff.codegen(symdiff.parse("x*y"), ["x", "y"], shapes={"x": ("n",)})


def test_deep_matrix_input_does_not_recurse():
    sh = {"x": ("n",)}
    e = symdiff.parse("x" + " + x" * 3000, shapes=sh)
    f = symdiff.lambdify(e, ["x"], shapes=sh)
    assert close(f(np.array([1.0, 2.0])), [3001.0, 6002.0])


def test_the_readme_shows_the_generated_torch_function():
    """Issue 24: the README's softmax example as torch code is what codegen writes today."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown = readme.split("checks this block against codegen -->\n```python\n", 1)[1].split("```", 1)[0]
    g = symdiff.diff(SOFTMAX_CE, "W", shapes=SOFTMAX_SHAPES)
    source = symdiff.codegen(g, ["X", "W", "T", "N"], backend="torch", shapes=SOFTMAX_SHAPES, name="grad_W")
    assert source[source.index("def grad_W"):] == shown
    sh = {"X": ("n", "d"), "w": ("d",), "y": ("n",), "lam": ()}
    least_squares = symdiff.diff("norm(X*w - y)^2 + lam*norm(w)^2", "w", shapes=sh)
    assert "((w*lam + X.T @ (X @ w - y))*2)[:, 0]" in readme
    assert "return ((w*lam + X.T @ (X @ w - y))*2)[:, 0]" in symdiff.codegen(least_squares, list(sh), "torch", shapes=sh)


# ------------------------------------------------ writing into its own arrays (issue 26)


def _writing_and_plain(case: Case, torch):
    """The gradient's torch function, and the inputs of a draw as float64 tensors."""
    names = list(case.shapes)
    f = symdiff.lambdify(derivative(case), names, backend="torch", shapes=case.shapes)
    given = inputs("torch", case_values(case, 0))
    return f, [given[n] for n in names]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_torch_code_writing_into_its_arrays_leaves_the_arguments_and_the_values_alone(case: Case):
    """The branch writing into the arrays it made (no autograd recording) gives the
    same numbers, to the last bit, as the plain one (taken when an argument
    requires grad), and no argument changes."""
    torch = backend_module("torch")
    f, args = _writing_and_plain(case, torch)
    before = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    fast = f(*args)
    for a, b in zip(args, before):
        assert not isinstance(a, torch.Tensor) or torch.equal(a, b), f.source
    tracked = [a.detach().clone().requires_grad_(True) if isinstance(a, torch.Tensor) else a for a in args]
    plain = f(*tracked)
    for got, want in zip(*(r if isinstance(r, tuple) else (r,) for r in (fast, plain))):
        assert torch.equal(torch.as_tensor(got), torch.as_tensor(want).detach()), f.source


def test_the_mlp_gradient_overwrites_its_temporaries_and_never_an_argument():
    torch = backend_module("torch")
    sh = {"X": ("n", "d"), "W": ("d", "h"), "V": ("h", "k"), "T": ("n", "k"), "N": ()}
    loss = "(sum(logsumexp(tanh(X*W)*V)) - tr(T^T*tanh(X*W)*V))/N"
    grads = symdiff.gradient(loss, ["W", "V"], shapes=sh)
    f = symdiff.lambdify(list(grads.values()), list(sh), backend="torch", shapes=sh)
    writing = f.source.split("if _torch_overwritable(")[1].split("\n    t0 = ")[0]
    assert "t0.cosh_().pow_(-2).mul_(" in writing and ".div_(N)" in writing  # t0 = X @ W, read last there
    assert not any(f"{name}.{method}" in writing for name in sh for method in ("mul_", "div_", "sub_", "add_"))
    rng = np.random.default_rng(26)
    X, W, V = rng.normal(size=(7, 5)), rng.normal(size=(5, 4)) * 5, rng.normal(size=(4, 3))
    T = np.eye(3)[rng.integers(0, 3, 7)]
    args = [torch.as_tensor(a) for a in (X, W, V, T)]
    w, v = (a.clone().requires_grad_(True) for a in args[1:3])
    torch.nn.functional.cross_entropy(torch.tanh(args[0] @ w) @ v, torch.as_tensor(T.argmax(1))).backward()
    got = f(*args, 7.0)
    assert close(got[0], w.grad) and close(got[1], v.grad)
    assert not close(got[0] * 2, w.grad)
    # autograd through the generated function (the plain branch): the Hessian-vector product's way
    tracked = args[1].clone().requires_grad_(True)
    torch.sum(f(args[0], tracked, args[2], args[3], 7.0)[0]).backward()
    assert tracked.grad is not None and torch.all(torch.isfinite(tracked.grad))


def test_torch_code_writes_into_its_arrays_only_when_every_result_keeps_their_type():
    torch = backend_module("torch")
    sh = {"A": ("n", "n"), "B": ("n", "n"), "c": ()}
    f = symdiff.lambdify("(2*A + B)*c", list(sh), backend="torch", shapes=sh)
    assert "(A*2).add_(B).mul_(c)" in f.source
    a64, b64 = torch.full((2, 2), 1.1, dtype=torch.float64), torch.full((2, 2), 0.1, dtype=torch.float64)
    want = (a64 * 2 + b64) * 3.0
    for A, B, c in [(a64, b64, 3.0), (a64, b64, torch.tensor(3.0, dtype=torch.float32)),
                    (a64.float(), b64, 3.0),  # A's float32 array cannot hold 2*A + B (float64)
                    (a64, b64, torch.full((3, 1, 1), 3.0, dtype=torch.float64)),  # batch of scalars: broadcast
                    (a64.clone().requires_grad_(True), b64, 3.0)]:  # autograd keeps what it reads
        got = f(A, B, c)
        plain = (A * 2 + B) * torch.as_tensor(c)
        assert got.dtype == plain.dtype and got.shape == plain.shape and close(got.detach(), want.expand_as(got))


def test_every_torch_function_written_in_place_has_its_method():
    """`_overwrite` writes torch.f(a) as a.f_(): each function of the table (and
    exp, log, sqrt) spelt torch.f has that method."""
    torch = backend_module("torch")
    from symdiff.functions import ROWS
    from symdiff.generate import BACKENDS

    b = BACKENDS["torch"]
    names = [row.torch for row in ROWS if row.torch] + [b.exp, b.log, b.sqrt]
    single = [n[len(b.in_place):] for n in names if n.startswith(b.in_place) and n[len(b.in_place):].isidentifier()]
    assert "cosh" in single and "exp" in single
    assert [n for n in single if not hasattr(torch.Tensor, n + "_")] == []
