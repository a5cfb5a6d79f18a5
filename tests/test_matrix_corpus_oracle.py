"""The matrix corpus (tests/support/matrix_corpus.py) checked against itself, before
symdiff uses it: every expected gradient agrees with central differences of
the function on random shapes and entries, the plain texts say what the NumPy
functions compute, and every text keeps to the interface's matrix syntax."""

from __future__ import annotations

import inspect
import re

import pytest

from support.extras import need

np = need("numpy", "numpy")

from support.matrix_corpus import (  # noqa: E402
    CASES, FUNCTIONS, IDENTITY, Case, Eye, dims, draw_sizes, draw_values, evaluate_plain,
    read_plain, rng_for, tokens,
)

IDS = [c.name for c in CASES]
DRAWS = range(3)  # draw 0 gives different dimension names different sizes
EPS = 1e-4        # central differences, as jax's check_grads
EPS_2 = 1e-3      # second differences (Hessians)
TOL = 1e-5        # float64


def setup(case: Case, draw: int) -> dict:
    rng = rng_for(case, draw)
    return draw_values(case, draw_sizes(case, rng, distinct=draw == 0), rng)


def moved(values: dict, name: str, index: tuple, step: float) -> dict:
    v = np.array(values[name], dtype=float)
    if v.ndim == 0:
        return {**values, name: float(v) + step}
    v[index] += step
    return {**values, name: v}


def finite_difference(case: Case, values: dict):
    """Gradient (the variable's shape), Jacobian (rows(f) x rows(x)) or Hessian of
    `case.f`, from its values alone."""
    x = case.wrt
    entries = list(np.ndindex(np.shape(values[x])))
    f = case.f
    if case.kind == "hessian":
        h = EPS_2
        n = len(entries)
        out = np.empty((n, n))
        for i, a in enumerate(entries):
            for j, b in enumerate(entries):
                def at(sa: float, sb: float) -> float:
                    return f(**moved(moved(values, x, a, sa * h), x, b, sb * h))
                out[i, j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h)
        return out
    cols = [(np.asarray(f(**moved(values, x, e, EPS))) - np.asarray(f(**moved(values, x, e, -EPS)))) / (2 * EPS)
            for e in entries]
    if case.kind == "jacobian":
        return np.stack(cols, axis=1)
    return np.array(cols, dtype=float).reshape(np.shape(values[x]))


def close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(float(np.max(np.abs(b))), 1e-12)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=TOL, atol=TOL * scale))


def layout(case: Case, values: dict) -> tuple:
    shape = np.shape(values[case.wrt])
    if case.kind == "gradient":
        return shape
    if case.kind == "jacobian":
        return (np.shape(case.f(**values))[0], shape[0])
    return (shape[0], shape[0])


@pytest.mark.parametrize("draw", DRAWS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_grad_agrees_with_finite_differences(case: Case, draw: int):
    values = setup(case, draw)
    g = np.asarray(case.grad(**values), dtype=float)
    numeric = finite_difference(case, values)
    assert g.shape == layout(case, values)
    assert np.max(np.abs(numeric)) > 1e-6, "a zero gradient proves nothing"
    assert close(g, numeric), f"max error {np.max(np.abs(g - numeric))}"
    assert not close(2 * g, numeric)  # the check can fail


@pytest.mark.parametrize("draw", DRAWS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_texts_say_what_f_and_grad_compute(case: Case, draw: int):
    values = setup(case, draw)
    assert np.allclose(evaluate_plain(case.text, values), case.f(**values), rtol=1e-10, atol=1e-12)
    expected = evaluate_plain(case.expected, values)
    g = np.asarray(case.grad(**values), dtype=float)
    if isinstance(expected, Eye):  # a bare I takes the gradient's size
        expected = np.eye(g.shape[0])
    assert np.shape(expected) == g.shape
    assert np.allclose(expected, g, rtol=1e-10, atol=1e-12)


def test_corpus_size_and_coverage():
    assert len(CASES) >= 45
    assert len(set(IDS)) == len(IDS)
    assert all(c.source and c.text and c.expected for c in CASES)
    kinds = {c.kind for c in CASES}
    assert kinds == {"gradient", "jacobian", "hessian"}
    words = {w for c in CASES for w in tokens(c.text) if w in FUNCTIONS}
    assert {"sum", "tr", "det", "logdet", "norm", "norm1", "softmax", "logsumexp", "inv"} <= words
    ops = {t for c in CASES for t in tokens(c.text)}
    assert {".*", "./", ".^", "'", "^"} <= ops


NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*$")
RESERVED = FUNCTIONS | {IDENTITY, "T", "e", "pi", "d", "ln"}


def names_in(text: str) -> set[str]:
    return {arg for kind, arg in read_plain(text) if kind == "name"}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_names_and_shapes_are_consistent(case: Case):
    for name, shape in case.shapes.items():
        assert NAME.match(name) and name not in RESERVED - {"T"}, name
        assert isinstance(shape, tuple) and len(shape) <= 2
        assert all(isinstance(d, int) and d > 0 or isinstance(d, str) and NAME.match(d) for d in shape)
    assert case.wrt in case.shapes
    assert names_in(case.text) - {IDENTITY} == set(case.shapes)  # every declared name is used
    assert names_in(case.expected) - {IDENTITY} <= set(case.shapes)
    assert IDENTITY not in case.shapes
    for name in case.symmetric + case.positive_definite:
        shape = case.shapes[name]
        assert len(shape) == 2 and shape[0] == shape[1], f"{name} must be square"
    assert set(case.positive) <= set(case.shapes)
    # f and grad take exactly the declared names
    for fn in (case.f, case.grad):
        assert list(inspect.signature(fn).parameters) == list(case.shapes)
    if case.kind != "gradient":
        assert len(case.shapes[case.wrt]) == 1, "Jacobians and Hessians are by a vector"
    assert set(dims(case)) == {d for s in case.shapes.values() for d in s if isinstance(d, str)}


ALLOWED_TOKENS = {"+", "-", "*", "/", "^", ".*", "./", ".^", "'", "(", ")"}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_text_uses_only_the_interface_syntax(case: Case):
    for text in (case.text, case.expected):
        toks = tokens(text)
        assert "".join(toks) == re.sub(r"\s+", "", text)  # nothing skipped
        for i, t in enumerate(toks):
            if t[0].isalpha():
                assert t in FUNCTIONS or t in case.shapes or t == IDENTITY or (t == "T" and toks[i - 1] == "^"), t
                if t in FUNCTIONS:
                    assert toks[i + 1] == "(", f"{t} without brackets"
            elif not t[0].isdigit():
                assert t in ALLOWED_TOKENS, t


LATEX_COMMANDS = {
    "top", "mathbf", "boldsymbol", "operatorname", "det", "log", "exp", "sin", "tanh", "sigma",
    "frac", "left", "right", "odot", "oslash", "|", "mu", "Sigma", "alpha",
}
GREEK = {"mu", "Sigma", "alpha"}


def latex_names(tex: str) -> set[str]:
    """The variables a LaTeX text names: \\mathbf{x} and \\boldsymbol{\\mu} are x and mu,
    other single letters are names; operator names, \\mathbf{1} and subscripts _F, _2, _1 are not."""
    tex = re.sub(r"\\operatorname\{\w+\}", " ", tex)
    tex = re.sub(r"\\mathbf\{1\}", " ", tex)
    tex = re.sub(r"_[F12]|\^\{?-?\d\}?|\^\{\\odot \d\}", " ", tex)
    tex = re.sub(r"\\(?:mathbf|boldsymbol)\{\\?(\w+)\}", r" \1 ", tex)
    out = set()
    for m in re.finditer(r"\\([A-Za-z]+|\|)|([A-Za-z]+)|\d", tex):
        if m.group(1) in GREEK:
            out.add(m.group(1))
        elif m.group(2):
            out |= set(m.group(2)) if len(m.group(2)) > 1 and m.group(2) not in GREEK else {m.group(2)}
    return out


@pytest.mark.parametrize("case", [c for c in CASES if c.latex], ids=[c.name for c in CASES if c.latex])
def test_latex_names_the_same_variables(case: Case):
    commands = set(re.findall(r"\\([A-Za-z]+|\|)", case.latex))
    assert commands <= LATEX_COMMANDS, commands - LATEX_COMMANDS
    assert latex_names(case.latex) - {IDENTITY} == set(case.shapes)
    assert case.latex.count("(") == case.latex.count(")")


def test_reader_binds_as_the_interface_says():
    """The oracle's own reader: -x^2 is -(x^2), ^T and ' bind tightest, X^-1 is an inverse."""
    v = {"x": np.array([2.0, 3.0]), "X": np.array([[2.0, 1.0], [0.0, 1.0]]), "a": np.array([1.0, -1.0])}
    assert evaluate_plain("-x^T*x", v) == pytest.approx(-13.0)
    assert evaluate_plain("x'*x", v) == pytest.approx(13.0)
    assert np.allclose(evaluate_plain("X^-1", v), np.linalg.inv(v["X"]))
    assert np.allclose(evaluate_plain("a*x^T", v), np.outer(v["a"], v["x"]))
    assert evaluate_plain("2^3^2", v) == pytest.approx(512.0)
    assert np.allclose(evaluate_plain("X*X^T + I", v), v["X"] @ v["X"].T + np.eye(2))
    with pytest.raises(ValueError):
        evaluate_plain("x*x", v)  # a column times a column
    with pytest.raises(ValueError):
        evaluate_plain("x .* X", v)
