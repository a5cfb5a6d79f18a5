"""Vectors and matrices (issue 24): the whole matrix corpus (tests/matrix_corpus.py)
differentiated in matrix form and checked against its NumPy oracle, read back
from its printed text; then the rules one by one, refusals with a caret, and
the public calls with `shapes=`."""

from __future__ import annotations

import re
import warnings

import pytest

from support.extras import need

np = need("numpy", "numpy")

import symdiff  # noqa: E402
from symdiff import expr as E  # noqa: E402
from support.matrix_checks import case_values, close, derivative  # noqa: E402
from support.matrix_corpus import CASES, Case  # noqa: E402

IDS = [c.name for c in CASES]
DRAWS = range(3)
# Index notation or a leftover ones array: the forms that are not "matrix form".
NOT_MATRIX_FORM = re.compile(r"sum_|delta\(|ones\(")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_corpus_gradient_is_right_and_reads_back(case: Case):
    g = derivative(case)
    text = str(g)
    again = symdiff.parse(text, shapes=case.shapes) if text != "I" else None
    for draw in DRAWS:
        v = case_values(case, draw)
        want = case.grad(**v)
        got = symdiff.evaluate(g, v, shapes=case.shapes)
        assert close(got, want), f"{case.name}: {text}"
        assert not close(np.asarray(got) * 2, want)  # the check can fail
        if again is not None:
            assert close(symdiff.evaluate(again, v, shapes=case.shapes), want), text


def test_corpus_in_matrix_form():
    """Every result prints in matrix form: no sums, indices or ones arrays left."""
    forms = {c.name: str(derivative(c)) for c in CASES}
    index_form = sorted(name for name, text in forms.items() if NOT_MATRIX_FORM.search(text))
    assert index_form == [], index_form
    assert len(forms) == len(CASES) >= 75


@pytest.mark.parametrize("text, wrt, shapes, want", [
    ("norm(X*w - y)^2", "w", {"X": ("n", "d"), "w": ("d",), "y": ("n",)}, "2*X^T*(X*w - y)"),
    ("(sum(logsumexp(X*W)) - tr(T^T*X*W))/N", "W", {"X": ("n", "d"), "W": ("d", "k"), "T": ("n", "k"), "N": ()},
     "X^T*(softmax(X*W) - T)/N"),
    ("x^T*S*x", "x", {"x": ("n",), "S": ("n", "n")}, "2*S*x"),
    ("x^T*A*x", "x", {"x": ("n",), "A": ("n", "n")}, "(A^T + A)*x"),
    ("logdet(X)", "X", {"X": ("n", "n")}, "inv(X)^T"),
    ("tr(A*X*B)", "X", {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "p")}, "A^T*B^T"),
])
def test_issue_targets_print_as_people_write_them(text, wrt, shapes, want):
    symmetric = ["S"] if "S" in shapes else []
    assert str(symdiff.diff(text, wrt, shapes=shapes, symmetric=symmetric)) == want


# ------------------------------------------------------------------ rules

V = {"x": ("n",), "y": ("n",), "A": ("n", "n"), "B": ("n", "n"), "X": ("m", "n"), "w": ("n",), "c": ()}


def read(text: str):
    return symdiff.parse(text, shapes=V)


@pytest.mark.parametrize("text, same", [
    ("(A^T)^T", "A"),
    ("(x^T*A)^T", "A^T*x"),
    ("x'", "x^T"),
    ("inv(A)", "A^-1"),
    ("inv(A)", "A^(-1)"),
    ("2 .* x", "2*x"),
    ("x .* x", "x.^2"),
    ("x ./ y", "x .* y.^(-1)"),
    ("X w", "X*w"),
    ("A*I", "A"),
])
def test_constructors_keep_one_canonical_form(text, same):
    assert symdiff.simplify(read(text)) == symdiff.simplify(read(same))


def test_a_1x1_product_is_a_scalar_and_keeps_its_vectors_together():
    s = read("x^T*y")
    assert s.kind is E.SCALAR
    e = read("(x^T*y)*A")
    assert e.kind is E.shape(("n", "n"))
    assert str(e) == "(x^T*y)*A"
    assert read(str(e)) == e


def test_transpose_is_pushed_in_only_where_it_removes_transposes():
    assert str(read("(A*x)^T")) == "(A*x)^T"
    assert str(read("(A^T*B^T)^T")) == "B*A"


def test_scalars_broadcast_in_sums_and_entrywise_operations():
    assert read("1 - x").kind is E.vector("n")
    assert read("c .* x") == read("c*x")


@pytest.mark.parametrize("text, says, column", [
    ("A*X + 1", "A*X: A is n×n but X is m×n", 2),
    ("x^2", "x.^2", 2),
    ("x + A", "x+A: x has length n but A is n×n", 3),
    ("X^2", "square", 2),
    ("tr(X)", "square matrix", 1),
    ("I", "needs a size", 1),
    ("A / B", "divide by an array", 3),
    ("f(x)", "unknown function", 1),
    ("(x + y", "not closed", 1),
])
def test_shape_mismatches_are_refused_with_a_caret(text, says, column):
    with pytest.raises(symdiff.ParseError) as info:
        read(text)
    assert says in info.value.reason
    assert info.value.column == column
    assert str(info.value).splitlines()[-1].strip() == "^"


def test_without_shapes_the_refusals_stay():
    for text in ("x^T*A*x", "X'*X", "x.*y"):
        with pytest.raises(symdiff.ParseError):
            symdiff.parse(text)


def test_printers_write_matrix_notation():
    g = symdiff.diff("norm(X*w - y)^2", "w", shapes={"X": ("n", "d"), "w": ("d",), "y": ("n",)})
    assert symdiff.latex(g) == r"2 X^{\top} \left(X w - y\right)"
    assert symdiff.pretty(g) == "2 Xᵀ(X w − y)"  # as issue 24 writes it
    assert symdiff.mathml(g).startswith("<math")
    h = read("x .* y.^3 + inv(A)*x")
    assert r"\odot" in symdiff.latex(h) and "A^{-1}" in symdiff.latex(h)
    assert "⊙" in symdiff.pretty(h)


def test_evaluate_takes_and_gives_arrays():
    rng = np.random.default_rng(1)
    A, x = rng.normal(size=(3, 3)), rng.normal(size=3)
    assert np.allclose(symdiff.evaluate("A*x", {"A": A, "x": x}, shapes=V), A @ x)
    assert symdiff.evaluate("x^T*A*x", {"A": A, "x": x}, shapes=V) == pytest.approx(x @ A @ x)
    with pytest.raises(symdiff.EvaluationError, match="shape"):
        symdiff.evaluate("A*x", {"A": A, "x": np.ones(4)}, shapes=V)


def test_equals_draws_random_shapes_and_entries():
    assert symdiff.equals("(A + A^T)*x", "A*x + A^T*x", shapes=V)
    assert not symdiff.equals("2*A*x", "A*x + A^T*x", shapes=V)


def test_deep_input_does_not_recurse():
    text = "x" + " + x" * 3000
    with warnings.catch_warnings():
        g = symdiff.diff(f"norm({text})^2", "x", shapes=V)
    assert str(g) == "2*3001^2*x" or symdiff.equals(g, "18012002*x", shapes=V)
