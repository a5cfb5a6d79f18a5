"""One pipeline (text -> reading -> tree -> diff -> simplify -> names) behind
diff, derive, gradient, the command line and the web page: the text is parsed
once, `derive(...).result` is `diff(...)`, and a derivative written in the
input is a `Derivative` node until the pipeline evaluates it."""

import warnings

import lark
import pytest

import symdiff
from symdiff import expr as X
from symdiff.cli import main
from symdiff.diff import differentiate, evaluate_derivatives
from symdiff.lalr import Reader
from symdiff.parse import parse as read_tree


@pytest.fixture
def runs(monkeypatch):
    """The texts the parsers (Lark's, and the fast plain reader) are run on, in order."""
    seen: list[str] = []
    for cls in (lark.Lark, Reader):
        original = cls.parse

        def counting(self, text, *args, _original=original, **kwargs):
            seen.append(text)
            return _original(self, text, *args, **kwargs)

        monkeypatch.setattr(cls, "parse", counting)
    return seen


def quietly(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# (text, what only the expression's own parse holds): a variable named in the
# text ('x' of f(x), of d/dx) is parsed on its own, as a name.
ONCE = [
    ("x^2 sin(x)", "sin"),
    ("f(x) = x^2 sin(x)", "sin"),
    ("L = sum_{i=1}^{N} y_i^2", "sum"),
    ("d/dx x^2 sin x", "sin"),
    ("derivative of x^3 + x", "x^3"),
    (r"\frac{x^{2}}{2} + \sin x", "sin"),
]


@pytest.mark.parametrize(("text", "mark"), ONCE)
@pytest.mark.parametrize("call", ["diff", "derive", "gradient"])
def test_the_library_parses_the_expression_once(runs, call, text, mark):
    quietly(getattr(symdiff, call), text)
    assert sum(mark in t for t in runs) == 1, runs


@pytest.mark.parametrize(("text", "mark"), ONCE)
@pytest.mark.parametrize("options", [[], ["--check"], ["--steps"]])
def test_the_command_line_parses_the_expression_once(runs, capsys, text, mark, options):
    assert main(["diff", text, *options]) == 0
    assert sum(mark in t for t in runs) == 1, runs


@pytest.mark.parametrize(("text", "mark"), ONCE)
def test_the_web_page_parses_the_expression_once(runs, text, mark):
    from symdiff.web.work import Request, run_job

    status, _body = run_job("diff", Request(text))
    assert status == 200 and sum(mark in t for t in runs) == 1, runs


@pytest.mark.parametrize(("text", "wrt", "order", "where", "assume"), [
    ("x^x", "x", 2, None, ()),
    ("f(x) = sin(x)^2", None, None, None, ()),
    ("second derivative of x^3 ln x", None, None, None, ()),
    ("-sum_{k=1}^{K} t_k ln(y_k)", "z_j", 1, {"y_k": "exp(z_k)/sum_{m=1}^{K} exp(z_m)"},
     ["sum_{k=1}^{K} t_k = 1"]),
    ("a x^3", None, None, None, ["a = 3"]),
])
def test_derive_gives_what_diff_gives(text, wrt, order, where, assume):
    d = quietly(symdiff.derive, text, wrt, order, where=where, assume=assume)
    assert d.result is quietly(symdiff.diff, text, wrt, order, where=where, assume=assume)


def test_the_reader_leaves_a_derivative_for_the_pipeline():
    x = X.sym("x")
    tree = quietly(read_tree, "y + d/dx x^2")
    (operator,) = [t for t in tree.args if type(t) is X.Derivative]
    assert operator == X.derivative(quietly(read_tree, "x^2"), x)
    # The public reader evaluates it, to the raw derivative it always gave.
    raw = differentiate(quietly(read_tree, "x^2"), x)[0]
    assert quietly(symdiff.parse, "y + d/dx x^2") is X.add(X.sym("y"), raw)
    assert evaluate_derivatives(tree) is X.add(X.sym("y"), raw)


@pytest.mark.parametrize("text", [
    "d/dx x^2", "y + d/dx x^2 sin(x)", "3 d^2/dx^2 (x^3 + 1)", "d/dy_j (x*y_j)*z", "-d/dt_{ik} t_{ik}^2",
    "d/dx (d/dy x^2 y^2)", r"\frac{\partial^2}{\partial x \partial y} x^2 y^2", "sum_{i=1}^{N} d/dx x^i",
])
def test_an_unevaluated_derivative_prints_and_reads_back(text):
    tree = quietly(read_tree, text)
    assert any(type(n) is X.Derivative for n in X.postorder(tree))
    assert quietly(read_tree, str(tree)) is tree
    assert quietly(read_tree, symdiff.latex(tree)) is tree
    assert symdiff.pretty(tree) and symdiff.mathml(tree)


def test_a_derivative_node_is_checked_at_construction():
    x = X.sym("x")
    with pytest.raises(ValueError, match="variable"):
        X.derivative(x, X.num(2))
    with pytest.raises(ValueError, match="order"):
        X.derivative(x, x, 0)
    assert X.derivative(x, x, 2) is X.derivative(x, x, 2)  # interned, the variable and order in its key
    assert X.derivative(x, x, 2) is not X.derivative(x, x, 1)
    assert X.derivative(X.sym("y") * x, x).free == {x, X.sym("y")}
