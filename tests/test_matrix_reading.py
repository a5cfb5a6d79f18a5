"""Reading and writing vectors and matrices in every syntax (issue 24): LaTeX with
shapes reads as plain text does (the whole matrix corpus, then each construct),
mismatches are refused with a caret, and every printed result (plain, LaTeX)
reads back to the same tree."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import example, given, note, reject

import symdiff
from symdiff import expr as E
from support.extras import need
from support.matrix_corpus import CASES, Case, draw_sizes, draw_values, rng_for
from support.matrix_strategies import SHAPES, matrix_exprs

IDS = [c.name for c in CASES]


def quiet_parse(text: str, shapes) -> tuple[E.Expr, list[str]]:
    """The reading and the notes it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", symdiff.ReadingNote)
        e = symdiff.parse(text, shapes=shapes)
    return e, [str(w.message) for w in caught if issubclass(w.category, symdiff.ReadingNote)]


def result(case: Case) -> E.Expr:
    call = {"gradient": symdiff.diff, "jacobian": symdiff.jacobian, "hessian": symdiff.hessian}[case.kind]
    return call(case.text, case.wrt, shapes=case.shapes, symmetric=case.symmetric)


# ------------------------------------------------------------------ the corpus in LaTeX

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_corpus_latex_reads_as_its_plain_text(case: Case):
    np = need("numpy", "numpy")
    from_latex, notes = quiet_parse(case.latex, case.shapes)
    from_plain = symdiff.parse(case.text, shapes=case.shapes)
    assert not notes, notes
    assert from_latex.kind is from_plain.kind
    for draw in range(3):
        rng = rng_for(case, draw)
        v = draw_values(case, draw_sizes(case, rng, distinct=draw == 0), rng)
        got = np.asarray(symdiff.evaluate(from_latex, v, shapes=case.shapes), dtype=float)
        want = np.asarray(case.f(**v), dtype=float)
        assert np.allclose(got, want, rtol=1e-9, atol=1e-9 * max(1.0, float(np.max(np.abs(want))))), case.latex
        assert not np.allclose(got * 2 + 1, want)  # the check can fail


def test_every_corpus_case_has_latex():
    assert all(c.latex for c in CASES) and len(CASES) >= 75


# ------------------------------------------------------------------ each construct

V = {"x": ("n",), "y": ("n",), "mu": ("n",), "A": ("n", "n"), "B": ("n", "n"), "W": ("n", "n"), "X": ("m", "n"),
     "T": ("n", "n"), "Sigma": ("n", "n"), "c": (), "alpha": ()}


def read(text: str) -> E.Expr:
    e, notes = quiet_parse(text, V)
    assert not notes, notes
    return e


@pytest.mark.parametrize("latex, plain", [
    (r"\mathbf{x}^\top A \mathbf{x}", "x^T*A*x"),
    (r"\mathbf{x}^{\top} A \mathbf{x}", "x^T*A*x"),
    (r"x^{\mathsf T} y", "x^T*y"),
    (r"x^{\mathsf{T}}y", "x^T*y"),
    (r"x^\intercal y", "x^T*y"),
    (r"x^T y", "x^T*y"),
    (r"\operatorname{tr}(T^T A)", "tr(T^T*A)"),  # a matrix named T: shapes decide
    (r"\mathbf{x} \odot \mathbf{y}", "x .* y"),
    (r"\mathbf{x} \oslash \mathbf{y}", "x ./ y"),
    (r"\mathbf{y} \odot A\mathbf{x}", "y .* (A*x)"),  # \odot binds looser than a product
    (r"\operatorname{tr}(A)", "tr(A)"),
    (r"\mathrm{tr}\left(A B\right)", "tr(A*B)"),
    (r"\det A", "det(A)"),
    (r"\det(A B)", "det(A*B)"),
    (r"\log\det A", "logdet(A)"),
    (r"\log \det(A^\top A + I)", "logdet(A^T*A + I)"),
    (r"\|\mathbf{x}\|", "norm(x)"),
    (r"\left\| \mathbf{x} \right\|_2", "norm(x)"),
    (r"\|\mathbf{x} - \boldsymbol{\mu}\|_2^2", "norm(x - mu)^2"),
    (r"\|X\|_F", "norm(X)"),
    (r"\lVert X \rVert_{F}^{2}", "norm(X)^2"),
    (r"\|\mathbf{x}\|_1", "norm1(x)"),
    (r"\bm{W} \boldsymbol{\mu}", "W*mu"),
    (r"\mathbf{1}^\top \mathbf{x}", "ones(1,n)*x"),
    (r"\mathbf{1}^\top A \mathbf{1}", "ones(1,n)*A*ones(n)"),
    (r"-\mathbf{1}^\top \mathbf{x}", "-ones(1,n)*x"),
    (r"\mathbf{1}_n", "ones(n)"),
    (r"I_{n}", "I(n)"),
    (r"A + 2I", "A + 2*I"),
    (r"A^{-1}", "inv(A)"),
    (r"\Sigma^{-1} (\mathbf{x} - \boldsymbol{\mu})", "inv(Sigma)*(x - mu)"),
    (r"A^{-2}", "inv(A)^2"),
    (r"A^{-\top}", "inv(A)^T"),
    (r"{A^{-1}}^{\top}", "inv(A)^T"),
    (r"\operatorname{softmax}(A\mathbf{x})", "softmax(A*x)"),
    (r"\operatorname{diag}(\mathbf{x})", "diag(x)"),
    (r"\operatorname{logsumexp}(\mathbf{x})", "logsumexp(x)"),
    (r"\sum A", "sum(A)"),
    (r"\operatorname{sum}(A \odot B)", "sum(A .* B)"),
    (r"\sigma(A\mathbf{x})", "sigmoid(A*x)"),
    (r"\log \sigma(A\mathbf{x})", "log(sigmoid(A*x))"),
    (r"\exp(-\mathbf{y} \odot A\mathbf{x})", "exp(-y .* (A*x))"),
    (r"\tanh(A) \cdot B", "tanh(A)*B"),
    (r"A \times B", "A*B"),
    (r"\mathbf{x}^{\odot 2}", "x.^2"),
    (r"\sqrt{\mathbf{x}}", "sqrt(x)"),
    (r"\frac{1}{2}\|A\mathbf{x} - \mathbf{y}\|^2", "norm(A*x - y)^2/2"),
    (r"\frac{A}{c}", "A/c"),
    (r"\frac12 \mathbf{x}", "x/2"),
    (r"\alpha \|\mathbf{x}\|_2^2", "alpha*norm(x)^2"),
    (r"\left(A + B\right)^{\top} \mathbf{x}", "(A + B)^T*x"),
    (r"\left[A + B\right]\mathbf{x}", "(A + B)*x"),
    (r"\left|c\right| A", "abs(c)*A"),
    (r"\operatorname{abs}(\mathbf{x})", "abs(x)"),
    (r"e^{c} A", "exp(c)*A"),
    (r"\pi \mathbf{x}", "pi*x"),
])
def test_latex_construct_reads_as_plain(latex, plain):
    assert read(latex) == read(plain)


def test_the_ones_vector_sums():
    assert symdiff.equals(read(r"\mathbf{1}^\top A \mathbf{1}"), "sum(A)", shapes=V)
    assert not symdiff.equals(read(r"\mathbf{1}^\top A \mathbf{1}"), "tr(A)", shapes=V)


def test_a_norm_of_a_matrix_without_subscript_is_noted_as_frobenius():
    e, notes = quiet_parse(r"\|X\|", V)
    assert e == read("norm(X)")
    assert any("Frobenius" in n for n in notes), notes


@pytest.mark.parametrize("text, says, column", [
    (r"A\mathbf{x} + B", "A\\mathbf{x}+B: A\\mathbf{x} has length n but B is n×n", 13),
    (r"\mathbf{x} X", "\\mathbf{x} X: \\mathbf{x} has length n but X is m×n", 12),
    (r"\mathbf{x}^2", "x.^2", 11),
    (r"\|X\|_2", "spectral norm", 1),
    (r"\|X\|_1", "largest column sum", 1),
    (r"\|\mathbf{x}\|_\infty", "not _inf", 1),
    (r"\left|\mathbf{x}\right|", "could mean its norm", 1),
    (r"A^{-1}^{\top}", "double superscript", 7),
    (r"A^{-1}'", "double superscript", 7),
    (r"x_i", "an entry of x is index notation", 1),
    (r"\mathbf{x}_i", "an entry of x is index notation", 1),
    (r"\sum_i x_i", "index notation", 1),
    (r"\sin A B", "takes only the next factor", 8),
    (r"\sin^2 A", "is not read", 5),
    (r"2 I", "needs a size", 1),
    (r"e^{A}", "an exponent must be a scalar", 2),
    (r"\frac{A}{B}", "cannot divide by an array", 8),
    (r"\operatorname{tr}(X)", "square matrix", 1),
    (r"\operatorname{tr}(A", "not closed", 18),
    (r"\left(A + B\right]", "does not close", 12),
    (r"A^2B", "one character", 2),
    (r"A^-1", "write an exponent in braces", 2),
    (r"\mathbf{x}^\top \foo", "does not read \\foo", 17),
    (r"\frac A", "in braces", 7),
])
def test_latex_mismatches_are_refused_with_a_caret(text, says, column):
    with pytest.raises(symdiff.ParseError) as info:
        symdiff.parse(text, "latex", shapes=V)
    assert says in info.value.reason
    assert info.value.column == column
    assert str(info.value).splitlines()[-1].strip() == "^"


def test_the_plain_reader_sizes_and_scales_I_and_the_ones():
    assert read("I(n)") == E.identity("n")
    assert read("2*I(n)") == E.mul(E.num(2), E.identity("n"))
    assert symdiff.equals(read("-I + A"), read("A - I"), shapes=V)
    assert read("ones(m,n)").kind is E.shape(("m", "n"))
    with pytest.raises(symdiff.ParseError, match="names or numbers of its dimensions"):
        read("I(x + 1)")


def test_braces_without_a_backslash_read_as_latex():
    assert read("A^{-1}") == read("inv(A)")


# ------------------------------------------------------------------ round trips

@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_corpus_results_read_back_from_plain_and_latex(case: Case):
    g = result(case)
    for text in (str(g), symdiff.latex(g)):
        again, notes = quiet_parse(text, case.shapes)
        assert again == g, text
        assert not notes, (text, notes)


@pytest.mark.parametrize("text, plain, latex", [
    ("I(n)", "I(n)", "I_{n}"),
    ("3*I(n)", "3*I(n)", "3 I_{n}"),
    ("A + I", "A + I", "A + I"),
    ("tr(I(n))", "tr(I(n))", r"\operatorname{tr}\left(I_{n}\right)"),
    ("ones(n)", "ones(n)", r"\mathbf{1}_{n}"),
    ("ones(1,n)*x", "ones(1,n)*x", r"\mathbf{1}_{n}^{\top} x"),
    ("ones(m,n)", "ones(m,n)", r"\mathbf{1}_{m \times n}"),
    ("inv(A)^T", "inv(A)^T", r"A^{-\top}"),
    ("inv(A)^2", "inv(A)^2", r"\left(A^{-1}\right)^{2}"),
    ("inv(A).^2", "inv(A).^2", r"\left(A^{-1}\right)^{\odot 2}"),
    ("(A^T)^3", "(A^T)^3", r"\left(A^{\top}\right)^{3}"),
    ("exp(A)", "exp(A)", r"\exp\left(A\right)"),
    ("norm(X)", "norm(X)", r"\left\|X\right\|_F"),
])
def test_printed_forms_read_back(text, plain, latex):
    e = read(text)
    assert str(e) == plain and symdiff.latex(e) == latex
    assert read(plain) == e and read(latex) == e


def test_unicode_writes_products_side_by_side():
    g = symdiff.diff("norm(X*w - y)^2", "w", shapes={"X": ("n", "d"), "w": ("d",), "y": ("n",)})
    assert symdiff.pretty(g) == "2 Xᵀ(X w − y)"
    assert symdiff.pretty(read("inv(A)^2")) == "(A⁻¹)²"
    assert symdiff.pretty(read("x.^(-1)")) == "x^∘⁻¹"
    assert symdiff.pretty(read("ones(1,n)*x")) == "𝟏ᵀ x"


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
@given(matrix_exprs())
@example(E.identity("n"))
@example(E.mul(E.num(2), E.identity("n")))
@example(E.func("tr", E.identity("n")))
@example(E.mul(E.identity("n"), E.identity("n"), E.sym("A", kind=E.shape(("n", "n")))))
def test_printed_matrix_expressions_read_back(e):
    """The same tree, or (where the reader builds `I*I` as `I`) the same value."""
    text, tex = str(e), symdiff.latex(e)
    note(f"{text}\n{tex}")
    for again in (symdiff.parse(text, shapes=SHAPES), symdiff.parse(tex, shapes=SHAPES)):
        if again != e:
            need("numpy", "numpy")
            try:
                assert symdiff.equals(again, e, shapes=SHAPES), again
            except symdiff.EvaluationError:
                reject()  # no draw inside the domain (a singular inverse, a log of a negative entry)


# ------------------------------------------------------------------ tidier results

@pytest.mark.parametrize("text, wrt, shapes, want", [
    ("tr(X^3)", "X", {"X": ("n", "n")}, "3*(X^T)^2"),
    ("tr(sin(X))", "X", {"X": ("n", "n")}, "diag(cos(diag(X)))"),
    ("sum(exp(diag(X)))", "X", {"X": ("n", "n")}, "diag(exp(diag(X)))"),
    ("-sum(t .* log(sigmoid(X*w)) + (1 - t) .* log(1 - sigmoid(X*w)))", "w",
     {"X": ("n", "d"), "w": ("d",), "t": ("n",)}, "X^T*(sigmoid(X*w) - t)"),
])
def test_tidier_results(text, wrt, shapes, want):
    need("numpy", "numpy")
    g = symdiff.diff(text, wrt, shapes=shapes)
    assert str(g) == want
    assert symdiff.equals(g, symdiff.diff(text, wrt, shapes=shapes, simplify=False), shapes=shapes)


def test_the_trace_of_an_entrywise_sine_is_no_matrix_function():
    """sin acts entrywise, so only the diagonal of X matters: the Cookbook's cos(X)^T
    (for the matrix function sin) would be a wrong answer here."""
    need("numpy", "numpy")
    g = symdiff.diff("tr(sin(X))", "X", shapes={"X": ("n", "n")})
    assert not symdiff.equals(g, "cos(X)^T", shapes={"X": ("n", "n")})


@pytest.mark.parametrize("text, want", [
    ("A*A*x", "A^2*x"),
    ("A^2*A", "A^3"),
    ("I .* B", "diag(diag(B))"),
    ("diag(A .* B)", "diag(A) .* diag(B)"),
    ("x .* (y + x.^(-1))", "x .* y + ones(n)"),
])
def test_matrix_simplifications(text, want):
    assert str(symdiff.simplify(read(text))) == want
