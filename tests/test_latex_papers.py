"""The maths as papers write it (issue 11) and the LaTeX rows of issue 10:
each input reads as intended and differentiates correctly, errors are one
sentence and a caret, never Lark's internals."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import symdiff
from symdiff import diff, latex, parse
from symdiff.errors import ParseError, ReadingNote
from symdiff.parse import parse_definition


def L(text: str) -> symdiff.Expr:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        return parse(text, syntax="latex")


def notes(text: str) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReadingNote)
        parse(text, syntax="latex")
    return [str(w.message) for w in caught if issubclass(w.category, ReadingNote)]


# (LaTeX, wrt, the derivative in plain syntax): the table of issue 11 and the LaTeX rows of issue 10
ISSUE_ROWS = [
    (r"\frac{1}{N}\sum_{i=1}^{N}(y_i-\hat{y}_i)^2", r"\hat{y}_j", "2*(yhat_j - y_j)/N"),
    (r"\lambda \|\mathbf{w}\|^2", "w_j", "2*lambda*w_j"),
    (r"\max(0, 1 - y\hat{y})", "yhat", "-y*heaviside(1 - y*yhat)"),
    (r"\log \sum_{k=1}^{K} e^{z_k}", "z_j", "exp(z_j)/sum_{k=1}^{K} exp(z_k)"),
    (r"L = -\sum_k t_k \log y_k", "y_j", "-t_j/y_j"),
    (r"\frac1N \sum_i (y_i - w x_i)^2", "w", "-2*(sum_{i=1}^{N} x_i*(y_i - w*x_i))/N"),
    # an operator at the start asks for that derivative (tests/test_requests.py)
    (r"\frac{\partial}{\partial w} \frac{1}{2}(w x - y)^2", "w", "x*(w*x - y)"),
    (r"\frac{d}{dx}\left(x^2\right)", "x", "2*x"),
    (r"\frac{d^2}{dx^2} x^4", "x", "12*x^2"),
    (r"\frac{\partial (w^2 x)}{\partial w}", "w", "2*w*x"),
    (r"\frac{\mathrm{d}^2}{\mathrm{d}x^2} x^3", "x", "6*x"),
    (r"\frac{d^{2} x^3}{dx^{2}}", "x", "6*x"),
    (r"\frac{\partial}{\partial \hat{y}_i} (y_i - \hat{y}_i)^2", "yhat_i", "2*(yhat_i - y_i)"),
    (r"\mathrm{erf}(x/\sqrt{2})", "x", "sqrt(2)*exp(-x^2/2)/sqrt(pi)"),
    (r"\text{Tanh}(u)", "u", "1/cosh(u)^2"),
    (r"x * \text{Tanh}(\text{Softplus}(x))", "x", "x*sigmoid(x)/cosh(softplus(x))^2 + tanh(softplus(x))"),
    (r"\frac{1}{\sin^{-1}x}", "x", "-1/(asin(x)^2*sqrt(1 - x^2))"),
    (r"\sin^2 x", "x", "sin(2*x)"),
    (r"f\left(x\right) g(x)", "x", "f(x)*g'(x) + f'(x)*g(x)"),
    (r"f'\left(x\right)", "x", "f''(x)"),
]


@pytest.mark.parametrize("text, wrt, expected", ISSUE_ROWS)
def test_issue_rows(text, wrt, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        assert diff(text, wrt) == symdiff.simplify(parse(expected))


@pytest.mark.parametrize("latex_name, plain", [
    (r"\hat{y}", "yhat"), (r"\bar{x}", "xbar"), (r"\tilde{z}", "ztilde"), (r"\dot{x}", "xdot"),
    (r"y'", "y'"), (r"\mathbf{w}", "wbold"), (r"\boldsymbol{\theta}", "thetabold"),
    (r"\mathrm{lr}", "lr"), (r"\text{loss}", "loss"), (r"\sigma_i", "sigma_i"), (r"\mu_k", "mu_k"),
    (r"\hat{y}_i", "yhat_i"), (r"\mathcal{L}", "Lcal"), (r"\ell", "ell"), (r"{\rm lr}", "lr"),
    (r"\hat{\mathbf{w}}_j", "wboldhat_j"), (r"x^{(i)}", "x_i"), (r"y_{\text{true}}", "ytrue"),
])
def test_decorated_and_styled_names(latex_name, plain):
    assert L(latex_name) == parse(plain)
    if "rm" not in latex_name and "(i)" not in latex_name and "text{true}" not in latex_name:
        assert latex(parse(plain)) == latex_name.replace("_i", "_{i}").replace("_k", "_{k}").replace("_j", "_{j}") \
            .replace(r"\text{loss}", r"\mathrm{loss}")


def test_plain_max_and_min_are_the_same_builders():
    assert parse("max(0, 1 - y*t)") == L(r"\max(0, 1 - y t)")
    assert parse("min(a, b)") == L(r"\min(a, b)")


def test_names_are_distinct_variables_and_wrt_takes_either_spelling():
    e = r"(y - \hat{y})^2 + \bar{y}"
    assert diff(e, r"\hat{y}") == diff(e, "yhat") == symdiff.simplify(parse("2*(yhat - y)"))
    assert diff(e, "y") == symdiff.simplify(parse("2*(y - yhat)"))


@pytest.mark.parametrize("text, plain", [
    (r"|x|", "abs(x)"), (r"\lvert x \rvert", "abs(x)"), (r"|w_j|", "abs(w_j)"), (r"|x| + |y|", "abs(x) + abs(y)"),
    (r"\max(a, b)", "a + relu(b - a)"), (r"\min(0, x)", "-relu(-x)"), (r"\max\{0, x\}", "relu(x)"),
    (r"\min(a, b)", "a - relu(a - b)"), (r"\max(a, b, c)", "max(max(a, b), c)"),
    (r"\|w\|_1", "sum_{j=1}^{n} abs(w_j)"), (r"\|w\|", "sqrt(sum_{j=1}^{n} w_j^2)"),
    (r"\|w\|_2^2", "sum_{j=1}^{n} w_j^2"), (r"\operatorname{softplus}(x)", "softplus(x)"),
    (r"\exp\left(x\right)", "exp(x)"), (r"\sum\nolimits_{i=1}^{N} x_i", "sum_{i=1}^{N} x_i"),
    (r"\tfrac{1}{2}x", "x/2"), (r"\dfrac12 x", "x/2"), (r"x \cdot y", "x*y"),
    (r"\left[ x + 1 \right]^2", "(x + 1)^2"), (r"\Big( x + 1 \Big)^2", "(x + 1)^2"),
    (r"x \, y \! z", "x*y*z"), (r"\log 2\pi", "ln(2*pi)"), (r"\left\{ x + 1 \right\} y", "(x + 1)*y"),
    (r"\{ x + 1 \} y", "(x + 1)*y"), (r"\rm lr", None), (r"\pi_i + e_i", "pi_i + e_i"),
    (r"\delta_i + \delta_{ij}", "delta_i + delta(i, j)"), (r"\sin^{-1} x", "asin(x)"),
])
def test_operators_and_conventions(text, plain):
    if plain is None:
        with pytest.raises(ParseError):
            L(text)
        return
    assert L(text) == parse(plain)


@pytest.mark.parametrize("text, fragment", [
    (r"\log 2\pi", r"log(2*pi)"),
    (r"x^{(i)}", "index i of x"),
    (r"\sum_k t_k", "k = 1..K"),
    (r"\|w\|^2", "components j = 1..n"),
    (r"a(x + 1)", "product"),
    (r"\lambda(x + 1)", "product"),
    (r"\mathrm{loss}(x)", "undefined function"),
    (r"\sum_{i=1}^{n} y_i + z_i", "free variable"),
    (r"\begin{cases} x & x > 0 \\ 0 & x \le 0 \end{cases}", "heaviside"),
])
def test_ambiguous_conventions_say_how_they_were_read(text, fragment):
    assert any(fragment in n for n in notes(text)), notes(text)


@pytest.mark.parametrize("text, name, args, body", [
    ("L = x^2", "L", (), "x^2"),
    ("f(x) = x^2 + a*x", "f", ("x",), "x^2 + a*x"),
    (r"\mathcal{L}(\theta) = \frac{1}{2}(\theta - \mu)^2", "Lcal", ("theta",), "(theta - mu)^2/2"),
    (r"\text{FL}(p_t) = -(1 - p_t)^\gamma \log(p_t)", "FL", ("p_t",), "-(1 - p_t)^gamma*ln(p_t)"),
    (r"\sigma(\mathbf{z})_i = \frac{e^{z_i}}{\sum_{j=1}^K e^{z_j}}", "sigma_i", ("zbold",),
     "exp(z_i)/sum_{j=1}^{K} exp(z_j)"),
    (r"J(\theta_0, \theta_1) = (\theta_0 + \theta_1 x - y)^2", "J", ("theta_0", "theta_1"),
     "(theta_0 + theta_1*x - y)^2"),
])
def test_definitions(text, name, args, body):
    d = parse_definition(text)
    assert d.name == parse(name) and d.args == tuple(parse(a) for a in args)
    assert d.body == parse(body)
    assert parse(text) == d.body


def test_wrt_defaults_to_the_left_sides_argument():
    assert diff("f(x) = x^2 + a*x") == symdiff.simplify(parse("2*x + a"))
    assert diff(r"\mathcal{L}(\theta) = \frac{1}{2}(\theta - \mu)^2") == symdiff.simplify(parse("theta - mu"))
    with pytest.raises(symdiff.SymdiffError):
        diff("L = x^2 + a*x")  # no argument named: say which


def test_cli_reads_a_definition_and_a_decorated_wrt():
    run = lambda *a: subprocess.run([sys.executable, "-m", "symdiff", *a], capture_output=True, text=True)
    out = run("diff", r"f(x) = x^3")
    assert out.returncode == 0 and out.stdout.strip() == "3*x^2"
    out = run("diff", r"\frac{1}{N}\sum_{i=1}^{N}(y_i-\hat{y}_i)^2", "--wrt", r"\hat{y}_j")
    assert out.returncode == 0 and out.stdout.strip() == "2*(yhat_j - y_j)/N"


@pytest.mark.parametrize("text, reason", [
    (r"\foo x", r"unsupported LaTeX command \foo"),
    (r"\frac{1}{x", "missing '}'"),
    (r"\left( x + 1", r"\right)"),
    (r"x + 1 \right)", "unmatched"),
    (r"e^{x}^{y}", "double superscript"),
    (r"x1", "ambiguous"),
    (r"\frac{\partial L}{\partial w}", "L is a name"),
    (r"\frac{d^2}{dx} x^3", "orders"),
    (r"L = x = ", "the input ends"),
    (r"x^2 + 1 = y", "left side"),
    (r"\mathrm{erf} x", "brackets"),
    (r"\theta_{t-1}", "unexpected '-'"),
    (r"h_\theta(x)", "no indexed functions"),
])
def test_latex_errors_are_one_sentence_and_a_caret(text, reason):
    with pytest.raises(ParseError) as err:
        L(text)
    message = str(err.value)
    assert reason in message
    assert message.count("\n") == 2 and message.splitlines()[-1].strip() == "^"
    assert_no_internals(message)


INTERNALS = re.compile(r"__ANON|Token\(|Lark|Unexpected[A-Z]|\(\?[=!:<]|\\s\*|\[A-Za-z|[A-Z_]{4,}[0-9]*\b(?<!LaTeX)")


def assert_no_internals(message: str) -> None:
    reason = message.splitlines()[0]
    assert not INTERNALS.search(reason.replace("LaTeX", "")), reason


PIECES = [r"\frac", "{", "}", "x", "y_i", "^", "_", "2", "+", "-", "(", ")", r"\left(", r"\right)", "|", r"\|",
          r"\sum_{i=1}^{N}", r"\log", r"\sin", r"\sqrt", r"\hat{y}", r"\mathbf{w}", r"\max(", ",", r"\cdot",
          r"\begin{cases}", r"\end{cases}", "&", r"\\", ">", r"\le", "=", r"\partial", "d", r"\text{if}",
          r"\operatorname{softmax}", r"\mathrm{erf}", "'", r"\lvert", r"\rvert", r"\{", r"\}", "[", "]", " "]


@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
@example(r"\log \sum_{k=1}^{K} e^{z_k}+")
@example(r"\pi_{")
def test_latex_fuzz_never_shows_lark_internals(text):
    try:
        L(text)
    except ParseError as err:
        assert_no_internals(str(err))
    except symdiff.SymdiffError:
        pass


def test_every_latex_grammar_alias_has_a_transformer_method():
    from pathlib import Path

    from symdiff.parse import LatexTransformer, grammar_path

    grammar = Path(grammar_path("latex.lark")).read_text()
    aliases = set(re.findall(r"->\s*(\w+)", grammar))
    assert aliases and all(hasattr(LatexTransformer, a) for a in aliases), \
        sorted(a for a in aliases if not hasattr(LatexTransformer, a))
