"""Generated code, executed and compared with `evaluate` (the reference for values).

NumPy and plain Python always run; the torch and JAX tests run where those
packages are installed and are skipped, saying so, elsewhere.
"""

import ast
import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import symdiff
from support.extras import framework, need
from symdiff import expr as E
from symdiff.generate import codegen
from symdiff.errors import SymdiffError
from symdiff.functions import FUNCTIONS

from support.strategies import exprs, points, value

np = need("numpy", "numpy")


def run(source: str, name: str = "f"):
    """Execute generated source (our own printer's output, in a test) and return the function."""
    namespace: dict = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace[name]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


OVERFLOWS = [symdiff.parse(t) for t in ("csch(1 + e^8)", "sech(1 + x^2*e^8)")]  # 1/sinh(2982) raised OverflowError


@given(exprs(), points, points)
@settings(max_examples=150)
@example(OVERFLOWS[0], 0.0, 0.0).via("found by hypothesis: csch of a large constant")
@example(OVERFLOWS[1], 1.0, 0.0).via("sech of a large value")
def test_python_backend_matches_evaluate(e, x, y):
    expected = value(e, {"x": x, "y": y})
    got = run(codegen(e, ["x", "y"], backend="python"))(x, y)
    assert close(got, expected), (str(e), got, expected)


@given(exprs(), points, points, points)
@settings(max_examples=150)
@example(OVERFLOWS[0], 0.0, 0.0, 0.0).via("found by hypothesis: a constant is computed with math")
def test_numpy_backend_broadcasts_and_matches_evaluate(e, x1, x2, y):
    expected = [value(e, {"x": x1, "y": y}), value(e, {"x": x2, "y": y})]
    got = np.broadcast_to(run(codegen(e, ["x", "y"]))(np.array([x1, x2]), y), (2,))
    assert all(close(g, w) for g, w in zip(got, expected)), (str(e), got, expected)


def repeated_subtrees(source: str) -> list[str]:
    """Compound sub-expressions written more than once in the function `f`."""
    tree = ast.parse(source)
    body = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "f")
    family = {ast.Add: 0, ast.Sub: 0, ast.Mult: 1, ast.Div: 1}
    # `2*x*y` is BinOp(BinOp(2*x)*y): the prefix `2*x` is part of one product, not a value of its own
    prefixes = {id(n.left) for n in ast.walk(body) if isinstance(n, ast.BinOp) and isinstance(n.left, ast.BinOp)
                and family.get(type(n.op)) is not None and family.get(type(n.op)) == family.get(type(n.left.op))}
    seen: dict[str, int] = {}
    for node in ast.walk(body):
        if isinstance(node, (ast.Call, ast.BinOp, ast.UnaryOp)) and id(node) not in prefixes:
            if all(isinstance(n, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop))
                   for n in ast.walk(node)):
                continue  # a number such as 1/2
            key = ast.dump(node)
            seen[key] = seen.get(key, 0) + 1
    return [k for k, n in seen.items() if n > 1]


@given(exprs(max_leaves=8))
@settings(max_examples=100)
@example(symdiff.parse("(1 + x^2)^(-2*y)")).via("found by hypothesis: -t1 in two exponents")
@example(symdiff.parse("1/sqrt(1 + x^2/(1 + sigmoid(x)^2)^2)")).via("found by hypothesis: -x*... and sigmoid(-x)")
@example(symdiff.parse("x/((1 + x^2)*(1 + sin(x)^2))")).via("found by hypothesis: t0*t1 below the line and as a term")
def test_gradient_code_computes_each_subexpression_once(e):
    grad = symdiff.gradient(e, ["x", "y"])
    source = codegen({"f": e, **grad}, ["x", "y"])
    assert repeated_subtrees(source) == []


def test_gradient_shares_work_across_outputs():
    grad = symdiff.gradient("sin(x*y)*exp(x)")
    source = codegen(grad, ["x", "y"])
    assert source.count("np.cos(") == 1 and source.count("np.exp(") == 1 and repeated_subtrees(source) == []
    got = run(source)(0.3, 0.7)
    assert all(close(g, symdiff.evaluate(d, {"x": 0.3, "y": 0.7})) for g, d in zip(got, grad.values()))


def test_source_is_self_contained_with_its_imports():
    source = codegen("sigmoid(x) + softplus(x) + erf(x) + cot(x)", backend="numpy")
    assert source.startswith("import math\nimport numpy as np\n")
    f = run(source)  # the helpers come with it
    assert close(f(0.7), symdiff.evaluate("sigmoid(x) + softplus(x) + erf(x) + cot(x)", {"x": 0.7}))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@pytest.mark.parametrize("backend", ["numpy", "python"])
def test_every_function_of_the_table_has_code(name, backend):
    e = FUNCTIONS[name](*[E.sym("x")] * FUNCTIONS[name].arity)  # atan2(x, x) for a row of two
    for x in (0.3, -0.4, 1.7):
        try:
            expected = symdiff.evaluate(e, {"x": x})
        except symdiff.EvaluationError:
            continue
        assert close(float(run(codegen(e, ["x"], backend=backend))(x)), expected), (name, x)


def test_undefined_functions_are_named_in_the_error():
    with pytest.raises(SymdiffError, match="f, g: undefined functions"):
        codegen("f(x) + g(x)^2")
    with pytest.raises(SymdiffError, match="f': undefined function"):
        symdiff.lambdify(symdiff.diff("f(x)", "x"), ["x"])


def test_names_that_are_not_python_identifiers_are_renamed():
    source = codegen("lambda*x + np", ["lambda", "x", "np"])
    assert "def f(lambda_, x, np_):" in source
    assert close(run(source)(2.0, 3.0, 1.0), 7.0)


def test_deep_trees_become_a_chain_of_assignments():
    e = E.sym("x")
    for _ in range(3000):
        e = E.func("sin", e)
    f = run(codegen(e, ["x"], backend="python"))
    assert close(f(0.5), symdiff.evaluate(e, {"x": 0.5}))
    d = symdiff.diff(e, "x")  # a product of 3,000 cosines: one chain would overflow Python's parser
    assert close(float(symdiff.lambdify(d, ["x"])(0.5)), symdiff.evaluate(d, {"x": 0.5}))


def test_wide_sums_are_written_in_groups():
    names = [f"x{i}" for i in range(1, 3001)]
    e = symdiff.parse(" + ".join(f"{v}^2" for v in names))
    assert symdiff.lambdify(e, names, "math")(*range(1, 3001)) == sum(i * i for i in range(1, 3001))


def test_a_list_gives_a_tuple_and_args_set_the_order():
    f = run(codegen(["x - y", "x*y"], ["y", "x"]))
    assert f(1.0, 5.0) == (4.0, 5.0)


def test_indexed_arguments_are_documented():
    source = codegen("sum_{i=1}^{N} t_{ik}*ln(y_{ik})", ["t_{ik}", "y_{ik}", "N", "k"])
    assert "t: array of 2 dimensions: t[i-1, k-1] is t_{ik}" in source
    assert "k: whole number, the index k" in source
    f = run(source)
    t, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[0.5, 0.25], [0.125, 0.75]])
    assert close(f(t, y, 2, 2), math.log(0.75))


@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_framework_backends(backend):
    """Run where the framework is installed; skipped (with this reason) elsewhere."""
    if backend == "torch":
        torch = framework("torch")
        tensor = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    else:
        framework("jax")
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        tensor = lambda v: jnp.asarray(v, dtype=jnp.float64)  # noqa: E731
    cases = ["sigmoid(w*x + b)*x - ln(1 + exp(x))", "ln(exp(a) + exp(b) + exp(x))", "asinh(x)*erf(x) + sec(x)",
             "-t*ln(sigmoid(x)) - (1 - t)*ln(1 - sigmoid(x))"]
    env = {"w": 0.5, "b": -0.25, "x": 0.75, "a": 1.5, "t": 1.0}
    for text in cases:
        e = symdiff.parse(text)
        names = [str(s) for s in E.symbols(e)]
        f = run(codegen(e, names, backend=backend))
        got = f(*(tensor(env[n]) for n in names))
        assert close(float(got), symdiff.evaluate(e, {n: env[n] for n in names})), text
    # stable at 800 where exp overflows
    f = run(codegen("ln(exp(a) + exp(b))", ["a", "b"], backend=backend))
    assert close(float(f(tensor(800.0), tensor(800.0))), 800 + math.log(2))
    # sums are reductions, free indices axes
    g = symdiff.diff("-(1/N) sum_{i=1}^{N} (t_i ln(sigmoid(z_i)) + (1 - t_i) ln(1 - sigmoid(z_i)))", "z_j")
    f = run(codegen(g, ["t", "z", "N"], backend=backend))
    got = f(tensor([1.0, 0.0, 1.0]), tensor([800.0, -800.0, 0.5]), 3)
    want = [symdiff.evaluate("(sigmoid(z) - t)/3", {"z": z, "t": t}) for t, z in ((1, 800.0), (0, -800.0), (1, 0.5))]
    assert all(close(float(a), b) for a, b in zip(got, want))


@example(800.0).via("stable at the overflow point")
@given(st.floats(-900, 900))
def test_stable_forms_are_finite(u):
    for text in ["ln(sigmoid(u))", "ln(1 - sigmoid(u))", "ln(1 + exp(u))", "softplus(u)", "sigmoid(u)",
                 "ln(exp(u) + exp(2u))", "exp(u)/(exp(u) + exp(-u))", "exp(u)/(1 + exp(u))^2"]:
        f = symdiff.lambdify(text, ["u"])
        assert np.isfinite(f(np.array([u]))).all(), (text, u)


@pytest.mark.parametrize("backend", ["numpy", "python", "torch", "jax"])
def test_every_backend_writes_valid_python(backend):
    """Compiled, not run: the torch and jax text is checked here even where they are not installed."""
    cases = ["sigmoid(x)*ln(1 + exp(y)) - ln(1 - sigmoid(x))", "ln(exp(x) + exp(y) + 1)",
             "sec(x) + heaviside(x) + relu(y) + erf(x)", "exp(x)/(exp(x) + exp(2y))"]
    for text in cases:
        compile(codegen(text, backend=backend), "<generated>", "exec")
    indexed = symdiff.diff("-(1/N) sum_{i=1}^{N} sum_{k=1}^{K} t_{ik} ln(exp(z_{ik})/sum_{m=1}^{K} exp(z_{im}))",
                           "z_{jl}")
    compile(codegen(indexed, backend=backend if backend != "python" else "numpy"), "<generated>", "exec")
