"""Vectors and matrices on the command line (issue 24): --shape, --matrix,
--vector, --scalar, --symmetric, --form, --check, --steps, run as a user runs
them (a fresh process), and the shape specs and inference behind them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support.extras import need

np = need("numpy", "numpy")

import symdiff  # noqa: E402
from symdiff.errors import ParseError  # noqa: E402
from symdiff.matrix.shapes import infer, read_specs  # noqa: E402

LSQ = ["--shape", "X:n,d", "--shape", "w:d", "--shape", "y:n"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True, text=True, timeout=120,
                          input=stdin)


def notes(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("symdiff: note: ")]


def test_issue_done_when_least_squares():
    r = run("diff", "norm(X*w - y)^2", "--wrt", "w", *LSQ)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "2*X^T*(X*w - y)"
    assert notes(r) == []  # everything declared: nothing inferred to state


def test_inferred_dimensions_are_stated():
    r = run("diff", "(sum(logsumexp(X*W)) - tr(T^T*X*W))/N", "--wrt", "W", "--matrix", "X,W,T", "--scalar", "N")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "X^T*(softmax(X*W) - T)/N"
    assert notes(r) == ["symdiff: note: where X: n×d matrix, W: d×k matrix, T: n×k matrix"]


def test_vector_and_matrix_flags_with_a_declared_shape():
    r = run("diff", "norm(X*w - y)^2 + lam*norm(w)^2", "--wrt", "w", "--shape", "X:m,3", "--vector", "w,y")
    assert r.returncode == 0, r.stderr
    assert notes(r) == ["symdiff: note: where w: 3-vector, y: m-vector"]
    assert r.stdout.strip() == "2*(lam*w + X^T*(X*w - y))"


def test_symmetric():
    r = run("diff", "x^T*S*x", "--wrt", "x", "--vector", "x", "--symmetric", "S")
    assert (r.returncode, r.stdout.strip()) == (0, "2*S*x"), r.stderr
    assert notes(r) == ["symdiff: note: where S: n×n matrix, x: n-vector"]
    plain = run("diff", "x^T*S*x", "--wrt", "x", "--vector", "x", "--matrix", "S")
    assert plain.stdout.strip() == "(S^T + S)*x"


@pytest.mark.parametrize("args, message, caret", [
    (["diff", "X*w", "--shape", "X:n,d", "--shape", "w:m"], "X*w: X is n×d but w has length m", "   ^"),
    (["diff", "X*w", "--shape", "X:n,d,", "--shape", "w:d"], "--shape X:n,d,: a dimension is missing", "        ^"),
    (["diff", "X*w", "--shape", "X:n;d"], "--shape X:n;d: expected a comma between dimensions", "     ^"),
    (["diff", "X*w", "--shape", "X:0,d"], "a dimension is a positive whole number", "    ^"),
    (["diff", "x^2", "--vector", "x"], "x^2", None),
    (["diff", "w^T*X", "--matrix", "X", "--vector", "w,y", "--wrt", "w"], None, None),
    (["diff", "X*w", "--matrix", "X,1w"], "--matrix: expected names", "    ^"),
])
def test_bad_shapes_one_line_and_caret_exit_2(args, message, caret):
    r = run(*args)
    if message is None:  # w^T*X is a row: not a scalar, so no gradient; refused all the same
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        return
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("symdiff: error:")]
    assert len(errors) == 1 and message in errors[0], r.stderr
    if caret is not None:
        assert r.stderr.rstrip("\n").splitlines()[-1] == caret, r.stderr


def test_symmetric_must_be_square():
    r = run("diff", "x^T*S*x", "--shape", "S:n,d", "--vector", "x", "--symmetric", "S")
    assert r.returncode == 2 and "square" in r.stderr


def test_form_both_and_index():
    both = run("diff", "norm(X*w - y)^2", "--wrt", "w", *LSQ, "--form", "both")
    assert both.returncode == 0, both.stderr
    matrix, index = both.stdout.strip().splitlines()
    assert matrix == "2*X^T*(X*w - y)"
    assert index == "d/dw_a = 2*sum_{i=1}^{n} X_{ia}*(sum_{j=1}^{d} X_{ij}*w_j - y_i)"
    assert "symdiff: note: index form: a = 1..d" in notes(both)
    alone = run("diff", "norm(X*w - y)^2", "--wrt", "w", *LSQ, "--form", "index")
    assert alone.stdout.strip() == index


def test_form_index_without_index_form_is_refused_and_both_keeps_the_matrix():
    r = run("diff", "logdet(X)", "--matrix", "X", "--form", "index")
    assert r.returncode == 2 and "logdet has no index form" in r.stderr
    r = run("diff", "logdet(X)", "--matrix", "X", "--form", "both")
    assert r.returncode == 0 and r.stdout.strip() == "inv(X)^T"
    assert any("no index form" in n for n in notes(r))


def test_form_without_shapes_is_a_note():
    r = run("diff", "x^2", "--form", "index")
    assert r.returncode == 0 and r.stdout.strip() == "2*x"
    assert any("--form" in n for n in notes(r))


def test_check_passes_and_catches():
    ok = run("diff", "(sum(logsumexp(X*W)) - tr(T^T*X*W))/N", "--wrt", "W", "--matrix", "X,W,T", "--scalar", "N",
             "--check")
    assert ok.returncode == 0, ok.stderr
    assert "checked: agrees with central differences" in ok.stderr


def test_check_fails_on_a_wrong_gradient():
    from symdiff.matrix.verify import check

    sh = {"X": ("n", "d"), "w": ("d",), "y": ("n",)}
    f = symdiff.parse("norm(X*w - y)^2", shapes=sh)
    (w,) = [s for s in f.free if s.name == "w"]
    right = check(f, symdiff.parse("2*X^T*(X*w - y)", shapes=sh), w, sh)
    wrong = check(f, symdiff.parse("X^T*(X*w - y)", shapes=sh), w, sh)
    assert right.ok and right.tried == 3
    assert not wrong.ok and "CHECK FAILED" in str(wrong)


def test_grad_and_hessian():
    g = run("grad", "norm(X*w - y)^2", "--wrt", "w,X", *LSQ, "--form", "both")
    assert g.returncode == 0, g.stderr
    assert g.stdout.strip().splitlines() == [
        "d/dw: 2*X^T*(X*w - y)",
        "d/dw_a = 2*sum_{i=1}^{n} X_{ia}*(sum_{j=1}^{d} X_{ij}*w_j - y_i)",
        "d/dX: 2*(X*w - y)*w^T",
        "d/dX_{ab} = 2*w_b*(sum_{j=1}^{d} X_{aj}*w_j - y_a)",
    ]
    h = run("hessian", "sum(softplus(X*w) - t .* (X*w))", "--wrt", "w", "--matrix", "X", "--vector", "w,t")
    assert h.returncode == 0, h.stderr
    assert h.stdout.strip() == "d2/dwdw: X^T*diag(sigmoid(X*w) .* (1 - sigmoid(X*w)))*X"


def test_eval_with_arrays():
    r = run("eval", "x^T*A*x", "--shape", "x:2", "--shape", "A:2,2", "x=[1,2]", "A=[[1,0],[0,3]]")
    assert (r.returncode, r.stdout.strip()) == (0, "13.0"), r.stderr
    r = run("eval", "A*x", "x=[1,2]", "A=[[1,0],[0,3]]", "--vector", "x", "--matrix", "A")
    assert json.loads(r.stdout) == [1.0, 6.0]
    for bad in (["eval", "A*x", "x=[1,2]", "A=[[1,0],[0,3]]"], ["eval", "A*x", "x=[1,2", "--vector", "x"],
                ["eval", "A*x", "x=[1,2]", "A=[[1,0],[0,3]]", "--shape", "x:3", "--shape", "A:3,3"]):
        bad_run = run(*bad)
        assert bad_run.returncode == 2 and "Traceback" not in bad_run.stderr, bad_run.stderr


def test_equals_and_simplify():
    same = run("equals", "x^T*A*x", "x^T*A^T*x", "--vector", "x", "--matrix", "A")
    assert (same.returncode, same.stdout.strip()) == (0, "equal"), same.stderr
    differ = run("equals", "x^T*S*y", "y^T*S*x", "--vector", "x,y", "--matrix", "S")
    assert differ.returncode == 1 and differ.stdout.startswith("not equal")
    symmetric = run("equals", "x^T*S*y", "y^T*S*x", "--vector", "x,y", "--symmetric", "S")
    assert symmetric.returncode == 0, symmetric.stderr
    s = run("simplify", "A*x + A^T*x", "--vector", "x", "--matrix", "A")
    assert s.stdout.strip() == "(A + A^T)*x"


def test_steps_in_differentials_on_the_command_line():
    r = run("diff", "norm(X*w - y)^2", "--wrt", "w", *LSQ, "--steps")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("Differentiate f = norm(X*w - y)^2 with respect to w.\n"
                          "Shapes: X: n×d matrix, w: d-vector, y: n-vector.\n")
    for phrase in ("Power rule of differentials", "Differential of a norm", "Product rule of differentials",
                   "Identify the gradient", "d(X*w) = X*dw"):
        assert phrase in out
    assert out.rstrip().endswith("= 2*X^T*(X*w - y)")
    ja = run("diff", "logdet(X)", "--matrix", "X", "--steps", "--lang", "ja", "--format", "unicode")
    assert "log det の微分" in ja.stdout and "勾配を読み取る" in ja.stdout


def test_not_yet_is_said_not_guessed():
    for args in (["diff", "x^T*A*x", "--vector", "x", "--matrix", "A", "--order", "2"],
                 ["diff", "x^T*A*y", "--vector", "x,y", "--matrix", "A", "--wrt", "x,y"],
                 ["diff", "x^T*A*x", "--vector", "x", "--matrix", "A", "--wrt", "x", "--at", "x=1"]):
        r = run(*args)
        assert r.returncode == 2 and "not yet" in r.stderr and "Traceback" not in r.stderr, r.stderr


# ------------------------------------------------------------ specs and inference, in process


@pytest.mark.parametrize("text, want", [
    ("X:n,d", {"X": ("n", "d")}),
    ("X:n,d w:d y:n lam:", {"X": ("n", "d"), "w": ("d",), "y": ("n",), "lam": ()}),
    ("A:3,3  x:3", {"A": (3, 3), "x": (3,)}),
])
def test_specs(text, want):
    assert read_specs(text) == want


@pytest.mark.parametrize("text, column", [("X:n,", 5), ("X", 1), ("X:n,d,k", 7), ("X:n,d X:n", 7), ("X:-1", 3)])
def test_bad_specs_have_a_caret(text, column):
    with pytest.raises(ParseError) as err:
        read_specs(text)
    assert err.value.column == column


@pytest.mark.parametrize("texts, matrices, vectors, want", [
    (["norm(X*w - y)^2"], ["X"], ["w", "y"], {"X": ("n", "d"), "w": ("d",), "y": ("n",)}),
    (["x^T*A*x"], ["A"], ["x"], {"x": ("n",), "A": ("n", "n")}),
    (["tr(X^3)"], ["X"], [], {"X": ("n", "n")}),
    (["norm(V*sigmoid(W*x) - y)^2/2"], ["V", "W"], ["x", "y"],
     {"V": ("n", "d"), "W": ("d", "k"), "x": ("k",), "y": ("n",)}),
    (["x^T*S*y", "y^T*S*x"], ["S"], ["x", "y"], {"S": ("n", "n"), "x": ("n",), "y": ("n",)}),
    (["n*x^T*A*x"], ["A"], ["x"], {"x": ("d",), "A": ("d", "d")}),  # n is taken: a scalar of the text
])
def test_inference(texts, matrices, vectors, want):
    assert infer(texts, {}, matrices, vectors) == want


def test_inferred_shapes_read_the_text():
    """The inferred shapes are the ones the reader then accepts: every corpus case, its
    arrays only said to be matrices or vectors, reads and differentiates as declared."""
    from support.matrix_corpus import CASES

    for case in CASES:
        matrices = [n for n, s in case.shapes.items() if len(s) == 2]
        vectors = [n for n, s in case.shapes.items() if len(s) == 1]
        declared = {n: s for n, s in case.shapes.items() if not s}
        shapes = infer([case.text], declared, matrices, vectors)
        tree = symdiff.parse(case.text, shapes=shapes)
        assert {s.name for s in tree.free} <= set(shapes), case.name
