"""A corpus of matrix-calculus gradients: Matrix Cookbook identities and
machine-learning losses in symdiff's plain matrix syntax (issue 24), each with
an independent NumPy oracle.

Each case gives the input as the interface writes it (`text`) and as a paper
writes it (`latex`), the shapes of its names, the variable, and the expected
gradient in matrix form (`expected`), in the Cookbook's layout: the gradient of
a scalar has the variable's shape; a Jacobian of a vector f by a vector x is
rows(f) x rows(x); a Hessian by a vector is a square matrix. `f` and `grad` are
NumPy functions of keyword arrays written by hand from the formulas (vectors
are 1-D arrays, scalars floats); tests/test_matrix_corpus_oracle.py checks
`grad` against central differences of `f`, and `text` / `expected` against
`f` / `grad` through `evaluate_plain`, a small reader of the plain syntax that
shares nothing with symdiff.

Matrix Cookbook citations are to Petersen & Pedersen, version of November 15,
2012, by section (2.1 determinants, 2.2 inverses, 2.4 scalar forms, 2.5 traces,
2.6 vector norms, 2.7 matrix norms). The LaTeX names the same variables
(`\\mathbf{x}` is x, `\\boldsymbol{\\mu}` is mu, `\\Sigma` is Sigma).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any, Callable

try:
    import numpy as np
except ImportError:  # the text, shapes and reader stay usable; f and grad need NumPy
    np = None

Shape = tuple[str | int, ...]


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    text: str
    latex: str | None
    shapes: dict[str, Shape]
    wrt: str
    expected: str
    f: Callable[..., Any]
    grad: Callable[..., Any]
    kind: str = "gradient"  # "gradient" | "jacobian" | "hessian"
    symmetric: tuple[str, ...] = ()
    positive_definite: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()  # entries drawn in [0.5, 2] (logarithms, quotients)
    note: str | None = None


# ---- NumPy forms of the nonlinear functions, written out (stable) ----------

def sigmoid(u: Any) -> Any:
    return np.exp(-np.logaddexp(0.0, -u))


def softplus(u: Any) -> Any:
    return np.logaddexp(0.0, u)


def logsumexp(z: Any) -> Any:
    """Of a vector: a scalar; of a matrix: one value per row."""
    m = np.max(z, axis=-1, keepdims=True)
    out = np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)) + m
    return out[..., 0] if z.ndim > 1 else float(out[0])


def softmax(z: Any) -> Any:
    """Of a vector, or of each row of a matrix."""
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def inv(m: Any) -> Any:
    return np.linalg.inv(m)


def outer(u: Any, v: Any) -> Any:
    return np.outer(u, v)


def dsig(u: Any) -> Any:
    return sigmoid(u) * (1.0 - sigmoid(u))


CB = "Matrix Cookbook (2012) "

CASES: list[Case] = [
    # ---- linear forms (Cookbook 2.4.1, 2.5.1) ----
    Case("linear_aTx", CB + "2.4.1", "a^T*x", r"\mathbf{a}^\top \mathbf{x}",
         {"a": ("n",), "x": ("n",)}, "x", "a",
         lambda a, x: a @ x, lambda a, x: a),
    Case("linear_xTa", CB + "2.4.1", "x^T*a", r"\mathbf{x}^\top \mathbf{a}",
         {"a": ("n",), "x": ("n",)}, "x", "a",
         lambda a, x: x @ a, lambda a, x: a),
    Case("linear_aTXb", CB + "2.4.1", "a^T*X*b", r"\mathbf{a}^\top X \mathbf{b}",
         {"a": ("m",), "X": ("m", "n"), "b": ("n",)}, "X", "a*b^T",
         lambda a, X, b: a @ X @ b, lambda a, X, b: outer(a, b)),
    Case("linear_aTXTb", CB + "2.4.1", "a^T*X^T*b", r"\mathbf{a}^\top X^\top \mathbf{b}",
         {"a": ("n",), "X": ("m", "n"), "b": ("m",)}, "X", "b*a^T",
         lambda a, X, b: a @ X.T @ b, lambda a, X, b: outer(b, a)),
    Case("linear_aTXa", CB + "2.4.1", "a^T*X*a", r"\mathbf{a}^\top X \mathbf{a}",
         {"a": ("n",), "X": ("n", "n")}, "X", "a*a^T",
         lambda a, X: a @ X @ a, lambda a, X: outer(a, a)),
    Case("linear_sum_hadamard", "Frobenius inner product <A, X>", "sum(A .* X)",
         r"\mathbf{1}^\top (A \odot X) \mathbf{1}",
         {"A": ("m", "n"), "X": ("m", "n")}, "X", "A",
         lambda A, X: np.sum(A * X), lambda A, X: A),
    Case("trace_X", CB + "2.5.1", "tr(X)", r"\operatorname{tr}(X)",
         {"X": ("n", "n")}, "X", "I",
         lambda X: np.trace(X), lambda X: np.eye(X.shape[0])),
    Case("trace_AX", CB + "2.5.1", "tr(A*X)", r"\operatorname{tr}(AX)",
         {"A": ("n", "m"), "X": ("m", "n")}, "X", "A^T",
         lambda A, X: np.trace(A @ X), lambda A, X: A.T),
    Case("trace_XTA", CB + "2.5.1", "tr(X^T*A)", r"\operatorname{tr}(X^\top A)",
         {"X": ("m", "n"), "A": ("m", "n")}, "X", "A",
         lambda X, A: np.trace(X.T @ A), lambda X, A: A),
    Case("trace_AXB", CB + "2.5.1", "tr(A*X*B)", r"\operatorname{tr}(AXB)",
         {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "p")}, "X", "A^T*B^T",
         lambda A, X, B: np.trace(A @ X @ B), lambda A, X, B: A.T @ B.T),
    Case("trace_AXTB", CB + "2.5.1", "tr(A*X^T*B)", r"\operatorname{tr}(AX^\top B)",
         {"A": ("p", "n"), "X": ("m", "n"), "B": ("m", "p")}, "X", "B*A",
         lambda A, X, B: np.trace(A @ X.T @ B), lambda A, X, B: B @ A),

    # ---- quadratic forms (Cookbook 2.4.2) ----
    Case("quad_xTAx", CB + "2.4.2", "x^T*A*x", r"\mathbf{x}^\top A \mathbf{x}",
         {"x": ("n",), "A": ("n", "n")}, "x", "(A + A^T)*x",
         lambda x, A: x @ A @ x, lambda x, A: (A + A.T) @ x),
    Case("quad_xTSx_symmetric", CB + "2.4.2, symmetric S", "x^T*S*x", r"\mathbf{x}^\top S \mathbf{x}",
         {"x": ("n",), "S": ("n", "n")}, "x", "2*S*x",
         lambda x, S: x @ S @ x, lambda x, S: 2 * S @ x, symmetric=("S",)),
    Case("quad_xTx", CB + "2.4.2", "x^T*x", r"\mathbf{x}^\top \mathbf{x}",
         {"x": ("n",)}, "x", "2*x",
         lambda x: x @ x, lambda x: 2 * x),
    Case("quad_bTXTXc", CB + "2.4.2", "b^T*X^T*X*c", r"\mathbf{b}^\top X^\top X \mathbf{c}",
         {"b": ("m",), "X": ("n", "m"), "c": ("m",)}, "X", "X*(b*c^T + c*b^T)",
         lambda b, X, c: b @ X.T @ X @ c, lambda b, X, c: X @ (outer(b, c) + outer(c, b))),
    Case("quad_affine", CB + "2.4.2", "(A*x + u)^T*C*(D*x + v)",
         r"(A\mathbf{x} + \mathbf{u})^\top C (D\mathbf{x} + \mathbf{v})",
         {"A": ("m", "n"), "x": ("n",), "u": ("m",), "C": ("m", "p"), "D": ("p", "n"), "v": ("p",)},
         "x", "A^T*C*(D*x + v) + D^T*C^T*(A*x + u)",
         lambda A, x, u, C, D, v: (A @ x + u) @ C @ (D @ x + v),
         lambda A, x, u, C, D, v: A.T @ C @ (D @ x + v) + D.T @ C.T @ (A @ x + u)),
    Case("quad_bTXTDXc", CB + "2.4.2", "b^T*X^T*D*X*c", r"\mathbf{b}^\top X^\top D X \mathbf{c}",
         {"b": ("m",), "X": ("n", "m"), "D": ("n", "n"), "c": ("m",)}, "X",
         "D^T*X*b*c^T + D*X*c*b^T",
         lambda b, X, D, c: b @ X.T @ D @ X @ c,
         lambda b, X, D, c: D.T @ X @ outer(b, c) + D @ X @ outer(c, b)),
    Case("quad_Xb_plus_c", CB + "2.4.2", "(X*b + c)^T*D*(X*b + c)",
         r"(X\mathbf{b} + \mathbf{c})^\top D (X\mathbf{b} + \mathbf{c})",
         {"X": ("n", "m"), "b": ("m",), "c": ("n",), "D": ("n", "n")}, "X",
         "(D + D^T)*(X*b + c)*b^T",
         lambda X, b, c, D: (X @ b + c) @ D @ (X @ b + c),
         lambda X, b, c, D: outer((D + D.T) @ (X @ b + c), b)),
    Case("weighted_residual_by_s", CB + "2.4.2, symmetric W", "(x - A*s)^T*W*(x - A*s)",
         r"(\mathbf{x} - A\mathbf{s})^\top W (\mathbf{x} - A\mathbf{s})",
         {"x": ("n",), "A": ("n", "m"), "s": ("m",), "W": ("n", "n")}, "s", "-2*A^T*W*(x - A*s)",
         lambda x, A, s, W: (x - A @ s) @ W @ (x - A @ s),
         lambda x, A, s, W: -2 * A.T @ W @ (x - A @ s), symmetric=("W",)),
    Case("weighted_residual_by_A", CB + "2.4.2, symmetric W", "(x - A*s)^T*W*(x - A*s)",
         r"(\mathbf{x} - A\mathbf{s})^\top W (\mathbf{x} - A\mathbf{s})",
         {"x": ("n",), "A": ("n", "m"), "s": ("m",), "W": ("n", "n")}, "A", "-2*W*(x - A*s)*s^T",
         lambda x, A, s, W: (x - A @ s) @ W @ (x - A @ s),
         lambda x, A, s, W: -2 * outer(W @ (x - A @ s), s), symmetric=("W",)),

    # ---- traces, second and higher order (Cookbook 2.5.2, 2.5.3) ----
    Case("trace_XTX", CB + "2.5.2", "tr(X^T*X)", r"\operatorname{tr}(X^\top X)",
         {"X": ("n", "m")}, "X", "2*X",
         lambda X: np.trace(X.T @ X), lambda X: 2 * X),
    Case("trace_X2", CB + "2.5.2", "tr(X^2)", r"\operatorname{tr}(X^2)",
         {"X": ("n", "n")}, "X", "2*X^T",
         lambda X: np.trace(X @ X), lambda X: 2 * X.T),
    Case("trace_X3", CB + "2.5.3", "tr(X^3)", r"\operatorname{tr}(X^3)",
         {"X": ("n", "n")}, "X", "3*(X^2)^T",
         lambda X: np.trace(X @ X @ X), lambda X: 3 * (X @ X).T),
    Case("trace_XTBX", CB + "2.5.2", "tr(X^T*B*X)", r"\operatorname{tr}(X^\top B X)",
         {"X": ("n", "m"), "B": ("n", "n")}, "X", "B*X + B^T*X",
         lambda X, B: np.trace(X.T @ B @ X), lambda X, B: B @ X + B.T @ X),
    Case("trace_XAXT", CB + "2.5.2", "tr(X*A*X^T)", r"\operatorname{tr}(X A X^\top)",
         {"X": ("n", "m"), "A": ("m", "m")}, "X", "X*A^T + X*A",
         lambda X, A: np.trace(X @ A @ X.T), lambda X, A: X @ A.T + X @ A),
    Case("trace_AXBX", CB + "2.5.2", "tr(A*X*B*X)", r"\operatorname{tr}(AXBX)",
         {"A": ("n", "n"), "X": ("n", "n"), "B": ("n", "n")}, "X", "A^T*X^T*B^T + B^T*X^T*A^T",
         lambda A, X, B: np.trace(A @ X @ B @ X), lambda A, X, B: A.T @ X.T @ B.T + B.T @ X.T @ A.T),
    Case("trace_affine_square", CB + "2.5.2", "tr((A*X*B + C)*(A*X*B + C)^T)",
         r"\operatorname{tr}\left((AXB + C)(AXB + C)^\top\right)",
         {"A": ("p", "m"), "X": ("m", "n"), "B": ("n", "q"), "C": ("p", "q")}, "X",
         "2*A^T*(A*X*B + C)*B^T",
         lambda A, X, B, C: np.sum((A @ X @ B + C) ** 2),
         lambda A, X, B, C: 2 * A.T @ (A @ X @ B + C) @ B.T),

    # ---- determinants (Cookbook 2.1) ----
    Case("det_X", CB + "2.1.1", "det(X)", r"\det(X)",
         {"X": ("n", "n")}, "X", "det(X)*inv(X)^T",
         lambda X: np.linalg.det(X), lambda X: np.linalg.det(X) * inv(X).T,
         note="the expected form needs X invertible; the gradient itself (the adjugate's transpose) exists everywhere"),
    Case("logdet_X", CB + "2.1.2", "logdet(X)", r"\log\det X",
         {"X": ("n", "n")}, "X", "inv(X)^T",
         lambda X: np.linalg.slogdet(X)[1], lambda X: inv(X).T, positive_definite=("X",),
         note="defined where det(X) > 0; X is drawn SPD but differentiated as a general matrix"),
    Case("det_AXB", CB + "2.1.1", "det(A*X*B)", r"\det(AXB)",
         {"A": ("n", "n"), "X": ("n", "n"), "B": ("n", "n")}, "X", "det(A*X*B)*inv(X)^T",
         lambda A, X, B: np.linalg.det(A @ X @ B), lambda A, X, B: np.linalg.det(A @ X @ B) * inv(X).T),
    Case("det_X3", CB + "2.1.1", "det(X^3)", r"\det(X^3)",
         {"X": ("n", "n")}, "X", "3*det(X^3)*inv(X)^T",
         lambda X: np.linalg.det(X @ X @ X), lambda X: 3 * np.linalg.det(X @ X @ X) * inv(X).T),
    Case("logdet_XTX_plus_I", "log det(X^T X + I) (issue 24)", "logdet(X^T*X + I)",
         r"\log\det(X^\top X + I)",
         {"X": ("n", "m")}, "X", "2*X*inv(X^T*X + I)",
         lambda X: np.linalg.slogdet(X.T @ X + np.eye(X.shape[1]))[1],
         lambda X: 2 * X @ inv(X.T @ X + np.eye(X.shape[1]))),

    # ---- inverses (Cookbook 2.2, 2.5.4) ----
    Case("inverse_aTXinvb", CB + "2.2", "a^T*inv(X)*b", r"\mathbf{a}^\top X^{-1} \mathbf{b}",
         {"a": ("n",), "X": ("n", "n"), "b": ("n",)}, "X", "-inv(X)^T*a*b^T*inv(X)^T",
         lambda a, X, b: a @ inv(X) @ b, lambda a, X, b: -inv(X).T @ outer(a, b) @ inv(X).T),
    Case("inverse_power_spelling", CB + "2.2, spelt X^-1", "a^T*X^-1*a", r"\mathbf{a}^\top X^{-1} \mathbf{a}",
         {"a": ("n",), "X": ("n", "n")}, "X", "-inv(X)^T*a*a^T*inv(X)^T",
         lambda a, X: a @ inv(X) @ a, lambda a, X: -inv(X).T @ outer(a, a) @ inv(X).T),
    Case("trace_A_invX_B", CB + "2.5.4", "tr(A*inv(X)*B)", r"\operatorname{tr}(A X^{-1} B)",
         {"A": ("m", "n"), "X": ("n", "n"), "B": ("n", "m")}, "X", "-inv(X)^T*A^T*B^T*inv(X)^T",
         lambda A, X, B: np.trace(A @ inv(X) @ B), lambda A, X, B: -inv(X).T @ A.T @ B.T @ inv(X).T),
    Case("trace_invX_A", CB + "2.5.4", "tr(inv(X)*A)", r"\operatorname{tr}(X^{-1} A)",
         {"X": ("n", "n"), "A": ("n", "n")}, "X", "-inv(X)^T*A^T*inv(X)^T",
         lambda X, A: np.trace(inv(X) @ A), lambda X, A: -inv(X).T @ A.T @ inv(X).T),

    # ---- norms (Cookbook 2.6, 2.7) ----
    Case("norm_squared", CB + "2.6.1", "norm(x)^2", r"\|\mathbf{x}\|_2^2",
         {"x": ("n",)}, "x", "2*x",
         lambda x: np.linalg.norm(x) ** 2, lambda x: 2 * x),
    Case("norm_distance", CB + "2.6.1", "norm(x - a)", r"\|\mathbf{x} - \mathbf{a}\|",
         {"x": ("n",), "a": ("n",)}, "x", "(x - a)/norm(x - a)",
         lambda x, a: np.linalg.norm(x - a), lambda x, a: (x - a) / np.linalg.norm(x - a),
         note="undefined at x = a, like the norm's derivative"),
    Case("frobenius_squared", CB + "2.7.1", "norm(X)^2", r"\|X\|_F^2",
         {"X": ("n", "m")}, "X", "2*X",
         lambda X: np.linalg.norm(X) ** 2, lambda X: 2 * X),
    Case("frobenius", CB + "2.7.1", "norm(X)", r"\|X\|_F",
         {"X": ("n", "m")}, "X", "X/norm(X)",
         lambda X: np.linalg.norm(X), lambda X: X / np.linalg.norm(X)),
    Case("norm1", "1-norm (lasso penalty)", "norm1(x)", r"\|\mathbf{x}\|_1",
         {"x": ("n",)}, "x", "x ./ abs(x)",
         lambda x: np.sum(np.abs(x)), lambda x: x / np.abs(x),
         note="undefined where an entry is 0, like norm1's derivative; \\|x\\|_1 is not in the interface's LaTeX list"),

    # ---- entrywise functions ----
    Case("entrywise_sum_exp", "entrywise exp", "sum(exp(X))", r"\mathbf{1}^\top \exp(X) \mathbf{1}",
         {"X": ("n", "m")}, "X", "exp(X)",
         lambda X: np.sum(np.exp(X)), lambda X: np.exp(X)),
    Case("entrywise_sum_log", "entrywise log (log-barrier)", "sum(log(x))", r"\mathbf{1}^\top \log(\mathbf{x})",
         {"x": ("n",)}, "x", "1 ./ x",
         lambda x: np.sum(np.log(x)), lambda x: 1 / x, positive=("x",)),
    Case("entrywise_trace_sin", "entrywise sin under a trace", "tr(sin(X))", r"\operatorname{tr}(\sin(X))",
         {"X": ("n", "n")}, "X", "diag(cos(diag(X)))",
         lambda X: np.trace(np.sin(X)), lambda X: np.diag(np.cos(np.diag(X))),
         note="sin acts entrywise (the interface's rule), so only the diagonal matters; "
              "the Cookbook's matrix-function sin would give cos(X)^T"),
    Case("entrywise_cubes", "entrywise power", "sum(a .* x.^3)", r"\mathbf{a}^\top \mathbf{x}^{\odot 3}",
         {"a": ("n",), "x": ("n",)}, "x", "3*a .* x.^2",
         lambda a, x: np.sum(a * x ** 3), lambda a, x: 3 * a * x ** 2, note=r"the LaTeX power \odot 3 is a guess at papers' Hadamard power"),
    Case("entrywise_quotient", "entrywise quotient", "sum(a ./ x)", r"\mathbf{1}^\top (\mathbf{a} \oslash \mathbf{x})",
         {"a": ("n",), "x": ("n",)}, "x", "-a ./ x.^2",
         lambda a, x: np.sum(a / x), lambda a, x: -a / x ** 2, positive=("x",)),

    # ---- least squares and ridge ----
    Case("least_squares", "least squares", "norm(X*w - y)^2", r"\|X\mathbf{w} - \mathbf{y}\|^2",
         {"X": ("n", "d"), "w": ("d",), "y": ("n",)}, "w", "2*X^T*(X*w - y)",
         lambda X, w, y: np.sum((X @ w - y) ** 2), lambda X, w, y: 2 * X.T @ (X @ w - y)),
    Case("least_squares_prime", "least squares, transpose spelt '", "(X*w - y)'*(X*w - y)",
         r"(X\mathbf{w} - \mathbf{y})^\top (X\mathbf{w} - \mathbf{y})",
         {"X": ("n", "d"), "w": ("d",), "y": ("n",)}, "w", "2*X^T*(X*w - y)",
         lambda X, w, y: (X @ w - y) @ (X @ w - y), lambda X, w, y: 2 * X.T @ (X @ w - y)),
    Case("least_squares_entrywise", "least squares, entrywise square", "sum((X*w - y).^2)/2",
         r"\frac{1}{2} \mathbf{1}^\top (X\mathbf{w} - \mathbf{y})^{\odot 2}",
         {"X": ("n", "d"), "w": ("d",), "y": ("n",)}, "w", "X^T*(X*w - y)",
         lambda X, w, y: np.sum((X @ w - y) ** 2) / 2, lambda X, w, y: X.T @ (X @ w - y)),
    Case("least_squares_by_X", "least squares by the design matrix", "norm(X*w - y)^2",
         r"\|X\mathbf{w} - \mathbf{y}\|^2",
         {"X": ("n", "d"), "w": ("d",), "y": ("n",)}, "X", "2*(X*w - y)*w^T",
         lambda X, w, y: np.sum((X @ w - y) ** 2), lambda X, w, y: 2 * outer(X @ w - y, w)),
    Case("ridge", "ridge regression (scikit-learn's alpha)", "norm(X*w - y)^2 + alpha*norm(w)^2",
         r"\|X\mathbf{w} - \mathbf{y}\|_2^2 + \alpha \|\mathbf{w}\|_2^2",
         {"X": ("n", "d"), "w": ("d",), "y": ("n",), "alpha": ()}, "w", "2*X^T*(X*w - y) + 2*alpha*w",
         lambda X, w, y, alpha: np.sum((X @ w - y) ** 2) + alpha * (w @ w),
         lambda X, w, y, alpha: 2 * X.T @ (X @ w - y) + 2 * alpha * w),
    Case("ridge_by_alpha", "ridge regression by its weight", "norm(X*w - y)^2 + alpha*norm(w)^2",
         r"\|X\mathbf{w} - \mathbf{y}\|_2^2 + \alpha \|\mathbf{w}\|_2^2",
         {"X": ("n", "d"), "w": ("d",), "y": ("n",), "alpha": ()}, "alpha", "norm(w)^2",
         lambda X, w, y, alpha: np.sum((X @ w - y) ** 2) + alpha * (w @ w),
         lambda X, w, y, alpha: w @ w),

    # ---- logistic regression ----
    Case("logistic_pm1_labels", "logistic regression, labels y = ±1", "sum(log(1 + exp(-y .* (X*w))))/N",
         r"\frac{1}{N} \mathbf{1}^\top \log\left(1 + \exp(-\mathbf{y} \odot X\mathbf{w})\right)",
         {"X": ("n", "d"), "w": ("d",), "y": ("n",), "N": ()}, "w", "-X^T*(y .* sigmoid(-y .* (X*w)))/N",
         lambda X, w, y, N: np.sum(softplus(-y * (X @ w))) / N,
         lambda X, w, y, N: -X.T @ (y * sigmoid(-y * (X @ w))) / N,
         positive=("N",), note="y is drawn real, not only ±1: the identity holds for every y"),
    Case("logistic_cross_entropy", "logistic regression, binary cross-entropy",
         "-sum(t .* log(sigmoid(X*w)) + (1 - t) .* log(1 - sigmoid(X*w)))",
         r"-\mathbf{1}^\top \left(\mathbf{t} \odot \log \sigma(X\mathbf{w}) + (1 - \mathbf{t}) \odot \log(1 - \sigma(X\mathbf{w}))\right)",
         {"X": ("n", "d"), "w": ("d",), "t": ("n",)}, "w", "X^T*(sigmoid(X*w) - t)",
         lambda X, w, t: np.sum(t * softplus(-(X @ w)) + (1 - t) * softplus(X @ w)),
         lambda X, w, t: X.T @ (sigmoid(X @ w) - t)),
    Case("logistic_softplus", "logistic regression, softplus form", "sum(softplus(X*w) - t .* (X*w))",
         r"\mathbf{1}^\top \left(\operatorname{softplus}(X\mathbf{w}) - \mathbf{t} \odot X\mathbf{w}\right)",
         {"X": ("n", "d"), "w": ("d",), "t": ("n",)}, "w", "X^T*(sigmoid(X*w) - t)",
         lambda X, w, t: np.sum(softplus(X @ w) - t * (X @ w)), lambda X, w, t: X.T @ (sigmoid(X @ w) - t),
         note=r"symdiff's LaTeX spelling of softplus is \mathrm{softplus}"),

    # ---- softmax cross-entropy ----
    Case("softmax_ce_logits_vector", "softmax cross-entropy by the logits", "logsumexp(z) - t^T*z",
         r"\operatorname{logsumexp}(\mathbf{z}) - \mathbf{t}^\top \mathbf{z}",
         {"z": ("k",), "t": ("k",)}, "z", "softmax(z) - t",
         lambda z, t: logsumexp(z) - t @ z, lambda z, t: softmax(z) - t),
    Case("softmax_ce_vector", "softmax cross-entropy, one example, by the weights", "logsumexp(W*x) - t^T*W*x",
         r"\operatorname{logsumexp}(W\mathbf{x}) - \mathbf{t}^\top W \mathbf{x}",
         {"W": ("k", "d"), "x": ("d",), "t": ("k",)}, "W", "(softmax(W*x) - t)*x^T",
         lambda W, x, t: logsumexp(W @ x) - t @ W @ x, lambda W, x, t: outer(softmax(W @ x) - t, x)),
    Case("softmax_ce_matrix", "softmax cross-entropy, a batch (issue 24)", "(sum(logsumexp(X*W)) - tr(T^T*X*W))/N",
         r"\frac{1}{N}\left(\mathbf{1}^\top \operatorname{logsumexp}(XW) - \operatorname{tr}(T^\top X W)\right)",
         {"X": ("n", "d"), "W": ("d", "k"), "T": ("n", "k"), "N": ()}, "W", "X^T*(softmax(X*W) - T)/N",
         lambda X, W, T, N: (np.sum(logsumexp(X @ W)) - np.trace(T.T @ X @ W)) / N,
         lambda X, W, T, N: X.T @ (softmax(X @ W) - T) / N, positive=("N",),
         note="a matrix named T: T^T is its transpose"),
    Case("softmax_ce_logits_matrix", "softmax cross-entropy, a batch, by the logits", "sum(logsumexp(Z)) - tr(T^T*Z)",
         r"\mathbf{1}^\top \operatorname{logsumexp}(Z) - \operatorname{tr}(T^\top Z)",
         {"Z": ("n", "k"), "T": ("n", "k")}, "Z", "softmax(Z) - T",
         lambda Z, T: np.sum(logsumexp(Z)) - np.trace(T.T @ Z), lambda Z, T: softmax(Z) - T),

    # ---- a 2-layer MLP, by each weight matrix ----
    Case("mlp_squared_by_V", "2-layer MLP, squared loss, output layer", "norm(V*sigmoid(W*x) - y)^2/2",
         r"\frac{1}{2}\|V \sigma(W\mathbf{x}) - \mathbf{y}\|^2",
         {"V": ("k", "h"), "W": ("h", "d"), "x": ("d",), "y": ("k",)}, "V",
         "(V*sigmoid(W*x) - y)*sigmoid(W*x)^T",
         lambda V, W, x, y: np.sum((V @ sigmoid(W @ x) - y) ** 2) / 2,
         lambda V, W, x, y: outer(V @ sigmoid(W @ x) - y, sigmoid(W @ x))),
    Case("mlp_squared_by_W", "2-layer MLP, squared loss, hidden layer", "norm(V*sigmoid(W*x) - y)^2/2",
         r"\frac{1}{2}\|V \sigma(W\mathbf{x}) - \mathbf{y}\|^2",
         {"V": ("k", "h"), "W": ("h", "d"), "x": ("d",), "y": ("k",)}, "W",
         "((V^T*(V*sigmoid(W*x) - y)) .* sigmoid(W*x) .* (1 - sigmoid(W*x)))*x^T",
         lambda V, W, x, y: np.sum((V @ sigmoid(W @ x) - y) ** 2) / 2,
         lambda V, W, x, y: outer((V.T @ (V @ sigmoid(W @ x) - y)) * dsig(W @ x), x)),
    Case("mlp_batch_by_V", "2-layer MLP, a batch, output layer", "norm(sigmoid(X*W)*V - Y)^2/2",
         r"\frac{1}{2}\|\sigma(XW) V - Y\|_F^2",
         {"X": ("n", "d"), "W": ("d", "h"), "V": ("h", "k"), "Y": ("n", "k")}, "V",
         "sigmoid(X*W)^T*(sigmoid(X*W)*V - Y)",
         lambda X, W, V, Y: np.sum((sigmoid(X @ W) @ V - Y) ** 2) / 2,
         lambda X, W, V, Y: sigmoid(X @ W).T @ (sigmoid(X @ W) @ V - Y)),
    Case("mlp_batch_by_W", "2-layer MLP, a batch, hidden layer", "norm(sigmoid(X*W)*V - Y)^2/2",
         r"\frac{1}{2}\|\sigma(XW) V - Y\|_F^2",
         {"X": ("n", "d"), "W": ("d", "h"), "V": ("h", "k"), "Y": ("n", "k")}, "W",
         "X^T*(((sigmoid(X*W)*V - Y)*V^T) .* sigmoid(X*W) .* (1 - sigmoid(X*W)))",
         lambda X, W, V, Y: np.sum((sigmoid(X @ W) @ V - Y) ** 2) / 2,
         lambda X, W, V, Y: X.T @ (((sigmoid(X @ W) @ V - Y) @ V.T) * dsig(X @ W))),
    Case("mlp_softmax_by_V", "2-layer tanh MLP, softmax cross-entropy, output layer",
         "(sum(logsumexp(tanh(X*W)*V)) - tr(T^T*tanh(X*W)*V))/N",
         r"\frac{1}{N}\left(\mathbf{1}^\top \operatorname{logsumexp}(\tanh(XW) V) - \operatorname{tr}(T^\top \tanh(XW) V)\right)",
         {"X": ("n", "d"), "W": ("d", "h"), "V": ("h", "k"), "T": ("n", "k"), "N": ()}, "V",
         "tanh(X*W)^T*(softmax(tanh(X*W)*V) - T)/N",
         lambda X, W, V, T, N: (np.sum(logsumexp(np.tanh(X @ W) @ V)) - np.trace(T.T @ np.tanh(X @ W) @ V)) / N,
         lambda X, W, V, T, N: np.tanh(X @ W).T @ (softmax(np.tanh(X @ W) @ V) - T) / N, positive=("N",)),
    Case("mlp_softmax_by_W", "2-layer tanh MLP, softmax cross-entropy, hidden layer",
         "(sum(logsumexp(tanh(X*W)*V)) - tr(T^T*tanh(X*W)*V))/N",
         r"\frac{1}{N}\left(\mathbf{1}^\top \operatorname{logsumexp}(\tanh(XW) V) - \operatorname{tr}(T^\top \tanh(XW) V)\right)",
         {"X": ("n", "d"), "W": ("d", "h"), "V": ("h", "k"), "T": ("n", "k"), "N": ()}, "W",
         "X^T*(((softmax(tanh(X*W)*V) - T)*V^T) .* (1 - tanh(X*W).^2))/N",
         lambda X, W, V, T, N: (np.sum(logsumexp(np.tanh(X @ W) @ V)) - np.trace(T.T @ np.tanh(X @ W) @ V)) / N,
         lambda X, W, V, T, N: X.T @ (((softmax(np.tanh(X @ W) @ V) - T) @ V.T) * (1 - np.tanh(X @ W) ** 2)) / N,
         positive=("N",)),

    # ---- Gaussian negative log-likelihood ----
    Case("gaussian_nll_by_mu", "Gaussian negative log-likelihood by the mean", "(x - mu)^T*inv(Sigma)*(x - mu)/2",
         r"\frac{1}{2}(\mathbf{x} - \boldsymbol{\mu})^\top \Sigma^{-1} (\mathbf{x} - \boldsymbol{\mu})",
         {"x": ("n",), "mu": ("n",), "Sigma": ("n", "n")}, "mu", "inv(Sigma)*(mu - x)",
         lambda x, mu, Sigma: (x - mu) @ inv(Sigma) @ (x - mu) / 2,
         lambda x, mu, Sigma: inv(Sigma) @ (mu - x), symmetric=("Sigma",), positive_definite=("Sigma",)),
    Case("gaussian_nll_by_sigma", "Gaussian negative log-likelihood by the covariance",
         "(logdet(Sigma) + (x - mu)^T*inv(Sigma)*(x - mu))/2",
         r"\frac{1}{2}\left(\log\det\Sigma + (\mathbf{x} - \boldsymbol{\mu})^\top \Sigma^{-1} (\mathbf{x} - \boldsymbol{\mu})\right)",
         {"x": ("n",), "mu": ("n",), "Sigma": ("n", "n")}, "Sigma",
         "(inv(Sigma)^T - inv(Sigma)^T*(x - mu)*(x - mu)^T*inv(Sigma)^T)/2",
         lambda x, mu, Sigma: (np.linalg.slogdet(Sigma)[1] + (x - mu) @ inv(Sigma) @ (x - mu)) / 2,
         lambda x, mu, Sigma: (inv(Sigma).T - inv(Sigma).T @ outer(x - mu, x - mu) @ inv(Sigma).T) / 2,
         positive_definite=("Sigma",),
         note="Sigma is drawn SPD but not declared symmetric: the gradient treats its entries as independent "
              "(the Cookbook's 2.8 caveat on structured matrices)"),

    # ---- Jacobians (rows(f) x rows(x)) ----
    Case("jacobian_Ax", CB + "2.4.1", "A*x", r"A\mathbf{x}",
         {"A": ("m", "n"), "x": ("n",)}, "x", "A",
         lambda A, x: A @ x, lambda A, x: A, kind="jacobian"),
    Case("jacobian_hadamard", "entrywise product", "x .* y", r"\mathbf{x} \odot \mathbf{y}",
         {"x": ("n",), "y": ("n",)}, "x", "diag(y)",
         lambda x, y: x * y, lambda x, y: np.diag(y), kind="jacobian"),
    Case("jacobian_sigmoid_layer", "a sigmoid layer by its input", "sigmoid(W*x)", r"\sigma(W\mathbf{x})",
         {"W": ("m", "n"), "x": ("n",)}, "x", "diag(sigmoid(W*x) .* (1 - sigmoid(W*x)))*W",
         lambda W, x: sigmoid(W @ x), lambda W, x: np.diag(dsig(W @ x)) @ W, kind="jacobian"),
    Case("jacobian_softmax", "softmax", "softmax(z)", r"\operatorname{softmax}(\mathbf{z})",
         {"z": ("k",)}, "z", "diag(softmax(z)) - softmax(z)*softmax(z)^T",
         lambda z: softmax(z), lambda z: np.diag(softmax(z)) - outer(softmax(z), softmax(z)), kind="jacobian"),

    # ---- Hessians by a vector ----
    Case("hessian_quadratic_form", CB + "2.4.2", "x^T*A*x", r"\mathbf{x}^\top A \mathbf{x}",
         {"x": ("n",), "A": ("n", "n")}, "x", "A + A^T",
         lambda x, A: x @ A @ x, lambda x, A: A + A.T, kind="hessian"),
    Case("hessian_least_squares", "least squares", "norm(X*w - y)^2", r"\|X\mathbf{w} - \mathbf{y}\|^2",
         {"X": ("n", "d"), "w": ("d",), "y": ("n",)}, "w", "2*X^T*X",
         lambda X, w, y: np.sum((X @ w - y) ** 2), lambda X, w, y: 2 * X.T @ X, kind="hessian"),
    Case("hessian_logistic", "logistic regression", "sum(softplus(X*w) - t .* (X*w))",
         r"\mathbf{1}^\top \left(\operatorname{softplus}(X\mathbf{w}) - \mathbf{t} \odot X\mathbf{w}\right)",
         {"X": ("n", "d"), "w": ("d",), "t": ("n",)}, "w",
         "X^T*diag(sigmoid(X*w) .* (1 - sigmoid(X*w)))*X",
         lambda X, w, t: np.sum(softplus(X @ w) - t * (X @ w)),
         lambda X, w, t: X.T @ np.diag(dsig(X @ w)) @ X, kind="hessian"),
    Case("hessian_logsumexp", "log-sum-exp", "logsumexp(z)", r"\operatorname{logsumexp}(\mathbf{z})",
         {"z": ("k",)}, "z", "diag(softmax(z)) - softmax(z)*softmax(z)^T",
         lambda z: logsumexp(z), lambda z: np.diag(softmax(z)) - outer(softmax(z), softmax(z)), kind="hessian"),
]


BY_NAME = {c.name: c for c in CASES}


# ---- random shapes and entries --------------------------------------------

def dims(case: Case) -> list[str]:
    """The case's dimension names, in order of first use."""
    out: list[str] = []
    for shape in case.shapes.values():
        out += [d for d in shape if isinstance(d, str) and d not in out]
    return out


def rng_for(case: Case, draw: int) -> Any:
    """A generator seeded by the case's name and the draw number (stable across runs)."""
    return np.random.default_rng([zlib.crc32(case.name.encode()), draw])


def draw_sizes(case: Case, rng: Any, distinct: bool = False) -> dict[str, int]:
    """Each dimension name a size in 2..6; `distinct` gives different names different
    sizes (while there are enough), so that a mismatched product cannot pass by accident."""
    names = dims(case)
    if distinct and len(names) <= 5:
        return dict(zip(names, (int(k) for k in rng.permutation(np.arange(2, 7))[: len(names)])))
    return {d: int(rng.integers(2, 7)) for d in names}


def draw_values(case: Case, sizes: dict[str, int], rng: Any) -> dict[str, Any]:
    """Random entries: N(0, 1) pushed 0.1 away from 0; `positive` names in [0.5, 2];
    scalars in [0.5, 2]; symmetric and SPD names as declared; other square matrices
    redrawn until their condition number is under 50 (inverses and determinants)."""
    out: dict[str, Any] = {}
    for name, shape in case.shapes.items():
        size = tuple(sizes[d] if isinstance(d, str) else d for d in shape)
        if size == ():
            out[name] = float(rng.uniform(0.5, 2.0))
        elif name in case.positive:
            out[name] = rng.uniform(0.5, 2.0, size)
        elif name in case.positive_definite:
            m = rng.normal(size=size)
            out[name] = m @ m.T / size[0] + np.eye(size[0])
        elif name in case.symmetric:
            m = rng.normal(size=size)
            out[name] = (m + m.T) / 2
        else:
            while True:
                v = rng.normal(size=size)
                v = v + 0.1 * np.where(v < 0, -1.0, 1.0)
                if len(size) < 2 or size[0] != size[1] or np.linalg.cond(v) < 50:
                    break
            out[name] = v
    return out


# ---- an independent reader and evaluator of the plain matrix syntax ----------

MATRIX_WORDS = frozenset({"sum", "tr", "det", "logdet", "norm", "norm1", "softmax", "logsumexp", "diag", "inv"})
SCALAR_WORDS = frozenset({"exp", "log", "sin", "cos", "tanh", "sigmoid", "softplus", "sqrt", "abs"})
FUNCTIONS = MATRIX_WORDS | SCALAR_WORDS
IDENTITY = "I"

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|([A-Za-z][A-Za-z0-9]*)|(\.\*|\./|\.\^|[-+*/^'()]))")
# Binding, loosest first: + -, then * / .* ./ (one level, as MATLAB's), unary minus, ^ .^ (right).
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, ".*": 2, "./": 2, "neg": 3, "^": 4, ".^": 4}
_RIGHT = {"^", ".^", "neg"}


def tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text.rstrip()):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot read {text[pos:]!r}")
        out.append(m.group(m.lastindex or 0))
        pos = m.end()
    return out


def read_plain(text: str) -> list[tuple[str, Any]]:
    """The text in postfix order (shunting-yard): ("num", v), ("name", s), ("T", None),
    ("op", "+"), ("neg", None), ("call", "tr"). `^T` and `'` transpose; `^` then a
    minus sign is a negative exponent (`X^-1`)."""
    toks = tokens(text)
    out: list[tuple[str, Any]] = []
    stack: list[tuple[str, Any]] = []  # ("op", o) / ("neg", None) / ("(", None) / ("fn", name)
    operand = False  # whether the last token ended an operand
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t == "^" and nxt == "T" and (i + 2 == len(toks) or toks[i + 2] != "("):
            out.append(("T", None))  # postfix binds tightest: it applies to the operand just read
            i += 2
            continue
        if t == "'":
            out.append(("T", None))
        elif t[0].isdigit():
            out.append(("num", float(t)))
            operand = True
        elif t[0].isalpha():
            if t in FUNCTIONS and nxt == "(":
                stack.append(("fn", t))
                operand = False
            else:
                out.append(("name", t))
                operand = True
        elif t == "(":
            stack.append(("(", None))
            operand = False
        elif t == ")":
            while stack[-1][0] != "(":
                out.append(stack.pop())
            stack.pop()
            if stack and stack[-1][0] == "fn":
                out.append(("call", stack.pop()[1]))
            operand = True
        elif t in "+-" and not operand:
            if t == "-":
                stack.append(("neg", None))
        else:
            p = _PREC[t]
            while stack and stack[-1][0] in ("op", "neg"):
                top = stack[-1][1] if stack[-1][0] == "op" else "neg"
                if _PREC[top] > p or (_PREC[top] == p and t not in _RIGHT):
                    out.append(stack.pop())
                else:
                    break
            stack.append(("op", t))
            operand = False
        i += 1
    while stack:
        out.append(stack.pop())
    return out


class Eye:
    """`I`, sized by what it meets."""


def _np_fn(name: str, v: Any) -> Any:
    scalar = {"exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
              "sigmoid": sigmoid, "softplus": softplus, "sqrt": np.sqrt, "abs": np.abs}
    if name in scalar:
        return scalar[name](v)
    if name == "inv":
        return np.linalg.inv(v)
    if name == "diag":
        return np.diag(v[:, 0]) if v.shape[1] == 1 else np.diag(v)[:, None]
    if name in ("softmax", "logsumexp"):
        if v.shape[1] == 1:  # a vector: one set of logits
            return softmax(v[:, 0])[:, None] if name == "softmax" else float(logsumexp(v[:, 0]))
        return softmax(v) if name == "softmax" else logsumexp(v)[:, None]  # per row
    reductions = {"sum": np.sum, "tr": np.trace, "det": np.linalg.det,
                  "logdet": lambda m: np.log(np.linalg.det(m)),
                  "norm": np.linalg.norm, "norm1": lambda m: np.sum(np.abs(m))}
    return float(reductions[name](v))


def _np_binary(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Eye):
        a = np.eye(b.shape[0])  # I*B, I + B: B's rows
    if isinstance(b, Eye):
        b = np.eye(a.shape[1])  # A*I, A + I: A's columns
    sa, sb = np.ndim(a) == 0, np.ndim(b) == 0
    if op == "*" and not (sa or sb):
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"product of {a.shape} and {b.shape}")
        r = a @ b
        return float(r[0, 0]) if r.shape == (1, 1) else r
    if op in ("+", "-", ".*", "./") and not (sa or sb) and a.shape != b.shape:
        raise ValueError(f"{op} of {a.shape} and {b.shape}")
    if op == "/" and not sb:
        raise ValueError("division by an array")
    if op == "^":
        if sa:
            return a ** b
        if a.shape[0] != a.shape[1] or b != int(b):
            raise ValueError("^ of a non-square matrix or by a non-integer")
        return np.linalg.matrix_power(a, int(b))
    if op == ".^" and not sb:
        raise ValueError(".^ by an array")
    return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide,
            ".*": np.multiply, "./": np.divide, ".^": np.power}[op](a, b)


def evaluate_plain(text: str, values: dict[str, Any]) -> Any:
    """The value of plain matrix text under NumPy: vectors in `values` are 1-D arrays and
    come back 1-D, scalars are floats; a bare `I` comes back as an `Eye()`."""
    stack: list[Any] = []
    for kind, arg in read_plain(text):
        if kind == "num":
            stack.append(arg)
        elif kind == "name":
            if arg == IDENTITY:
                stack.append(Eye())
            else:
                v = values[arg]
                stack.append(v[:, None] if np.ndim(v) == 1 else v)
        elif kind == "T":
            v = stack.pop()
            stack.append(v.T if np.ndim(v) == 2 else v)
        elif kind == "neg":
            stack.append(-stack.pop())
        elif kind == "call":
            stack.append(_np_fn(arg, stack.pop()))
        else:
            b = stack.pop()
            stack.append(_np_binary(arg, stack.pop(), b))
    (result,) = stack
    if np.ndim(result) == 2 and result.shape[1] == 1:
        return result[:, 0]
    return result
