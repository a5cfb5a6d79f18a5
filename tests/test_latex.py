"""LaTeX in and out: a corpus from ML and calculus, the two article formulas,
errors, and the round trip parse(latex(e)) == e."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given

import symdiff
from symdiff import latex, parse
from symdiff.expr import Mul, Sum, num, sym, summation

from support.strategies import exprs

def L(text):
    return parse(text, syntax="latex")


# (LaTeX, the same expression in plain syntax)
CORPUS = [
    (r"\log_2 x", "log_2(x)"),
    (r"\log_{2}(x)", "log_2(x)"),
    (r"\log_{10} 100", "log_10(100)"),
    (r"\log_{b}(x y)", "log_b(x*y)"),
    (r"\ln x + 1", "ln(x) + 1"),
    (r"\log x + 1", "ln(x) + 1"),
    (r"\ln(1 + e^{x})", "ln(1 + exp(x))"),
    (r"\frac{1}{1 + e^{-x}}", "1/(1 + exp(-x))"),
    (r"\sigma(z)", "sigmoid(z)"),
    (r"\sigma\left(w x + b\right)", "sigmoid(w*x + b)"),
    (r"\sigma(z)(1 - \sigma(z))", "sigmoid(z)*(1 - sigmoid(z))"),
    (r"\operatorname{softplus}(x)", "softplus(x)"),
    (r"\log(1 + \exp(x))", "ln(1 + exp(x))"),
    (r"\tanh(x)", "tanh(x)"),
    (r"\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}", "(exp(x) - exp(-x))/(exp(x) + exp(-x))"),
    (r"\frac{e^{z_{i}}}{\sum_{k=1}^{K} e^{z_{k}}}", "exp(z_i)/sum_{k=1}^{K} exp(z_k)"),
    (r"-t \log y - (1 - t) \log(1 - y)", "-t*ln(y) - (1 - t)*ln(1 - y)"),
    (r"t \log(y) + (1-t)\log(1-y)", "t*ln(y) + (1 - t)*ln(1 - y)"),
    (r"\frac{1}{2}(y - t)^{2}", "(y - t)^2/2"),
    (r"\frac{1}{N} \sum_{i=1}^{N} (y_{i} - t_{i})^{2}", "(sum_{i=1}^{N} (y_i - t_i)^2)/N"),
    (r"\sum_{i=1}^{N} \left| y_i - t_i \right|", "sum_{i=1}^{N} abs(y_i - t_i)"),
    (r"\sqrt{x^{2} + y^{2}}", "sqrt(x^2 + y^2)"),
    (r"\sqrt[3]{x}", "x^(1/3)"),
    (r"x^{2} \cdot y", "x^2*y"),
    (r"a \times b", "a*b"),
    (r"2 x^{3} - 4 x + 1", "2*x^3 - 4*x + 1"),
    (r"\sin^{2} x + \cos^{2} x", "sin(x)^2 + cos(x)^2"),
    (r"\sin x \cos x", "sin(x)*cos(x)"),
    (r"\sin(2 x)", "sin(2*x)"),
    (r"\arctan(x)", "atan(x)"),
    (r"\arcsin x", "asin(x)"),
    (r"\frac{d}{c}", "d/c"),
    (r"e^{-\frac{x^{2}}{2}}", "exp(-x^2/2)"),
    (r"\frac{1}{\sqrt{2 \pi}} e^{-\frac{x^{2}}{2}}", "exp(-x^2/2)/sqrt(2*pi)"),
    (r"\ln\left(\frac{x}{y}\right)", "ln(x/y)"),
    (r"\log_{2} 8", "log_2(8)"),
    (r"\lbrack x + 1 \rbrack^{2}", "(x + 1)^2"),
    (r"[x + 1] [x - 1]", "(x + 1)*(x - 1)"),
    (r"\theta_{0} + \theta_{1} x", "theta_0 + theta_1*x"),
    (r"\alpha \, x \; + \quad \beta", "alpha*x + beta"),
    (r"x^{2} \tag{3}", "x^2"),
    (r"\delta_{ij} y_{j}", "delta(i, j)*y_j"),
    (r"\sum_{i}^{N} x_{i}", "sum_{i=1}^{N} x_i"),
    (r"\sum_i^N x_i", "sum_{i=1}^{N} x_i"),
    (r"\sum_{i=0}^{n-1} 2^{i}", "sum_{i=0}^{n - 1} 2^i"),
    (r"\sum_{i=1}^{N} \sum_{k=1}^{K} t_{ik} \log y_{ik}", "sum_{i=1}^{N} sum_{k=1}^{K} t_{ik}*ln(y_{ik})"),
    (r"\mathrm{rate} \cdot x", "rate*x"),
    (r"x y", "x*y"),
    (r"\left|x\right|", "abs(x)"),
    (r"\frac{\partial}{x}", None),
]
CORPUS = [(t, p) for t, p in CORPUS if p is not None]


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("text, plain", CORPUS)
def test_corpus(text, plain):
    assert L(text) == parse(plain)


# (LaTeX, a value it must have)
VALUES = [
    (r"\log_2(8)", {}, 3.0),
    (r"\sum_{i=1}^{4} i^{2}", {}, 30.0),
    (r"\frac{1}{1 + e^{-x}}", {"x": 0.0}, 0.5),
    (r"\sqrt[3]{27}", {}, 3.0),
    (r"\sum_{k=1}^{K} \delta_{k2} x_{k}", {"K": 3, "x_1": 1.0, "x_2": 4.0, "x_3": 9.0}, 4.0),
]


@pytest.mark.parametrize("text, env, value", VALUES)
def test_values(text, env, value):
    assert math.isclose(symdiff.evaluate(L(text), env), value)


def test_exact_logs_from_the_article():
    assert symdiff.simplify(r"\log_2(8)") == num(3)
    assert latex(symdiff.diff(r"\log_2 x", "x")) == r"\frac{1}{x \ln 2}"


def test_formula_1_structure():
    e = parse(r"\ - \frac{1}{N} \sum_{i}^{N} \sum_{k}^{K} t_{ik} \log y_{ik} \tag{1}")
    assert type(e) is Mul
    coeff, n_inv, outer = e.factors
    assert coeff == num(-1) and n_inv == parse("1/N")
    assert (outer.index, outer.lower, outer.upper) == (sym("i"), num(1), sym("N"))
    inner = outer.body
    assert type(inner) is Sum and (inner.index, inner.lower, inner.upper) == (sym("k"), num(1), sym("K"))
    assert inner.body == parse("t_{ik}*ln(y_{ik})")
    assert e.free == {sym("N"), sym("K")}  # i and k are bound


def test_formula_2_structure():
    e = parse(r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}")
    assert e == parse("-1/N * sum_{i=1}^{N} (t_i*ln(y_i) + (1 - t_i)*ln(1 - y_i))")


@pytest.mark.parametrize("text, message", [
    (r"\foo x", r"unsupported LaTeX command \foo"),
    (r"\frac{1}{2} (y - \oint{y})", r"unsupported LaTeX command \oint"),
    (r"\log x y", "ambiguous"),
    (r"x^23", "ambiguous superscript"),
    (r"y_12", "ambiguous subscript"),
    (r"\frac{1}{x", "missing '}'"),
])
def test_errors(text, message):
    with pytest.raises(symdiff.ParseError) as err:
        L(text)
    assert message in str(err.value)
    assert "^" in err.value.context()


def test_unknown_command_caret_points_at_it():
    with pytest.raises(symdiff.ParseError) as err:
        L(r"x + \foo")
    assert (err.value.line, err.value.column) == (1, 5)


def test_backslash_selects_latex_and_syntax_forces():
    assert parse(r"\ln x") == parse("ln(x)")
    assert parse("x^{2}", syntax="latex") == parse("x^2")
    assert parse("xy") == sym("xy") and parse("xy", syntax="latex") == parse("x*y")


@pytest.mark.parametrize("plain, tex", [
    ("1/(x*ln(2))", r"\frac{1}{x \ln 2}"),
    ("-t_{jl}/(N*y_{jl})", r"-\frac{t_{jl}}{N y_{jl}}"),
    ("sigmoid(z)", r"\sigma\left(z\right)"),
    ("softplus(x)", r"\mathrm{softplus}\left(x\right)"),
    ("abs(x)", r"\left|x\right|"),
    ("log_2(x)", r"\log_{2} x"),
    ("x^2", "x^{2}"),
    ("exp(x)", "e^{x}"),
    ("sqrt(x)", r"\sqrt{x}"),
    ("x^(-2)", r"\frac{1}{x^{2}}"),
    ("(x + 1)*(x - 1)", r"\left(x - 1\right) \left(x + 1\right)"),
    ("delta(i, j)", r"\delta_{ij}"),
    ("sum_{i=1}^{N} x_i", r"\sum_{i=1}^{N} x_{i}"),
])
def test_latex_output(plain, tex):
    assert latex(parse(plain)) == tex


def test_sum_inside_a_product_is_bracketed():
    i = sym("i")
    s = summation(sym("x", i), i, num(1), sym("N"))
    e = s * (sym("a") + sym("b"))
    assert L(latex(e)) == e
    assert L(latex(s ** 2)) == s ** 2


def test_deep_latex_input_does_not_recurse():
    text = r"\sin(" * 3000 + "x" + ")" * 3000
    e = L(text)
    assert L(latex(e)) == e


@given(exprs())
@example(num(4) ** (num(5) ** num(4)))  # 4^(5^4): a 377-digit number, found by hypothesis
@example(num(9**420) * sym("x"))
@example(num(10**400) + num(7 * 10**401) * sym("x"))
def test_latex_round_trip(e):
    assert parse(latex(e), syntax="latex") == e  # \operatorname{atan2}\left(y, x\right) included


@pytest.mark.parametrize("tex", [r"\ f delta a sum_ erf 1e400", r"y_{e} + m_e", r"t_{ke}"])
def test_an_index_e_is_a_name_in_both_syntaxes(tex):
    # found by the fuzz harness: LaTeX read the index e as Euler's number, plain as a name
    e = symdiff.parse(tex, syntax="latex")
    assert symdiff.parse(str(e)) == e
    assert symdiff.parse(symdiff.latex(e), syntax="latex") == e
