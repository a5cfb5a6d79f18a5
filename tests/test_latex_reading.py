"""How LaTeX is read as people type it (issue 20): definitions whose left side is
not a name, names and notations papers use, Euler's number, juxtaposition against
powers and division, agreement with plain syntax, and matrix notation refused."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

import symdiff
from symdiff import expr as E
from symdiff import latex, parse
from symdiff.errors import ParseError, ReadingNote
from symdiff.parse import parse_definition

i, j, x = E.sym("i"), E.sym("j"), E.sym("x")


def L(text: str) -> E.Expr:
    return parse(text, syntax="latex")


def notes(text: str) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        L(text)
    return [str(w.message) for w in caught if issubclass(w.category, ReadingNote)]


def refusal(text: str) -> ParseError:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        with pytest.raises(ParseError) as err:
            L(text)
    return err.value


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True, text=True)


# ------------------------------------------------------------------ definitions

@pytest.mark.parametrize("text, body, args", [
    (r"-\log p(y\mid x) = -y \log x - (1 - y)\log(1 - x)", "-y*ln(x) - (1 - y)*ln(1 - x)", ()),
    (r"D_{\mathrm{KL}}(p\,\|\,q) = \sum_{i=1}^{n} p_i \log\frac{p_i}{q_i}",
     "sum_{i=1}^{n} p_i*ln(p_i/q_i)", ()),
    (r"\sigma^{-1}(x) = \log(\frac{x}{1-x})", "ln(x/(1 - x))", ("x",)),
    (r"\sigma^{-1}\left(x\right) = \log x - \log(1 - x)", "ln(x) - ln(1 - x)", ("x",)),
    (r"L_{CE}(\hat{y}, y) = -y\log\hat{y} - (1-y)\log(1-\hat{y})",
     "-y*ln(yhat) - (1 - y)*ln(1 - yhat)", ("yhat", "y")),
])
def test_a_left_side_that_is_not_a_name_labels_the_last_side(text, body, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        d = parse_definition(text)
    assert d is not None and d.body == parse(body)
    assert d.args == tuple(parse(a) for a in args)
    if not text.startswith("L_"):  # L_{CE}(...) is a name with its variables, as before
        assert d.name is None
        assert any("as a label" in n for n in notes(text)), notes(text)


def test_a_label_middle_side_is_not_checked_but_said():
    text = r"\mathcal{L} = -\log p(y \mid x) = -\log \sigma(z)"
    assert L(text) == parse("-ln(sigmoid(z))")
    assert any("was not checked" in n for n in notes(text))


def test_wrt_defaults_to_a_labels_one_variable():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        d = symdiff.diff(r"\sigma^{-1}(x) = \log(\frac{x}{1-x})")
    assert symdiff.equals(d, "1/(x*(1 - x))")


def test_an_equation_without_an_application_is_still_refused():
    err = refusal(r"x^2 = 4")
    assert "left side of '='" in err.reason and (err.line, err.column) == (1, 1)


def test_cli_reads_a_labelled_definition():
    out = cli("diff", r"\sigma^{-1}(x) = \log(\frac{x}{1-x})")
    assert out.returncode == 0, out.stderr
    assert symdiff.equals(out.stdout.strip(), "1/(x*(1 - x))")
    assert "as a label" in out.stderr


# ------------------------------------------------------------ names and notations

@pytest.mark.parametrize("text, expected", [
    (r"\hat{Y_i}", E.sym("Yhat", i)),
    (r"\hat{Y}_i", E.sym("Yhat", i)),
    (r"\hat y_i", E.sym("yhat", i)),
    (r"\hat\theta", E.sym("thetahat")),
    (r"\bar x^2", E.pow_(E.sym("xbar"), E.TWO)),
    (r"f_{y_i}", E.sym("f", E.sym("y", i))),
    (r"s_{y_{i}} + 1", E.add(E.sym("s", E.sym("y", i)), E.ONE)),
    (r"\exp{x}", E.exp(x)),
    (r"\exp{(x + 1)}", E.exp(E.add(x, E.ONE))),
])
def test_names_papers_write(text, expected):
    assert L(text) == expected


def test_an_indexed_index_differentiates_through_a_delta_and_prints_back():
    e = L(r"f_{y_i}^2")
    f_yi = E.sym("f", E.sym("y", i))
    assert symdiff.diff(e, "f_j") == E.mul(E.TWO, f_yi, E.delta(j, E.sym("y", i)))
    assert L(latex(e)) == e


@pytest.mark.parametrize("text, name", [(r"k_+", "kplus"), (r"k_{-}", "kminus"), (r"k_- x", "kminus")])
def test_a_sign_as_a_subscript_labels_the_name(text, name):
    assert E.sym(name) in E.symbols(L(text))
    assert any(f"name {name}" in n for n in notes(text))


def test_an_escaped_underscore_in_a_word_is_dropped_with_a_note():
    text = r"\text{LeakyReLU}(x) = \max(0, x) + \text{negative\_slope} * \min(0, x)"
    e = L(text)
    assert E.sym("negativeslope") in E.symbols(e)
    assert symdiff.evaluate(e, {"x": -2.0, "negativeslope": 0.01}) == pytest.approx(-0.02)
    assert any("negativeslope" in n and "underscore" in n for n in notes(text))


@pytest.mark.parametrize("text, order, expected", [
    (r"\frac{d}{{dx}} x^3", 1, "3*x^2"),
    (r"\frac{d^2}{{dx^2}} x^3", 2, "6*x"),
])
def test_a_derivative_operator_with_doubled_braces(text, order, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        assert symdiff.simplify(L(text)) == parse(expected)


@pytest.mark.parametrize("text, inner, power", [
    (r"(x)^+", "x", None),
    (r"\left(x\right)^{+}", "x", None),
    (r"[1 - y z]_+", "1 - y*z", None),
    (r"(1 - x)_+^2", "1 - x", 2),
])
def test_positive_part_is_relu_with_a_note(text, inner, power):
    expected = E.func("relu", parse(inner))
    assert L(text) == (E.pow_(expected, E.num(power)) if power else expected)
    assert any("positive part" in n for n in notes(text))


def test_negative_part_is_refused():
    err = refusal(r"(x)_-")
    assert "negative part" in err.reason and err.column == 4


# ---------------------------------------------------------------- Euler's number

@pytest.mark.parametrize("text", [
    r"\mathrm{e}^x", r"\text{e}^x", r"\textrm{e}^{x}", r"{\rm e}^x", r"e^{x}", r"\exp x", r"\exp(x)",
    r"\exp{x}", r"\exp\left(x\right)", r"\mathrm{e}^{x}",
])
def test_upright_e_and_exp_are_eulers_number(text):
    assert L(text) == E.exp(x)


def test_italic_e_is_a_variable_and_prints_back():
    assert L(r"\mathit{e}") == E.sym("e")
    assert L(latex(E.sym("e"))) == E.sym("e")
    assert L(r"\mathrm{e}_i") == E.sym("e", i)  # an indexed e is a name, as e_i is


# ------------------------------------------------ juxtaposition, powers and division

@pytest.mark.parametrize("text, plain", [
    (r"a(x+1)^2", "a*(x + 1)^2"),
    (r"a\left(x+1\right)^2", "a*(x + 1)^2"),
    (r"x(x-1)^2", "x*(x - 1)^2"),
    (r"3x(x+1)^3", "3*x*(x + 1)^3"),
    (r"t(1-x)^2", "t*(1 - x)^2"),
    (r"\lambda(x+1)^2", "lambda*(x + 1)^2"),
    (r"x^y (7 + 1/4)", "x^y*(29/4)"),
    (r"f(x)^2", "f(x)^2"),
])
def test_a_factor_before_a_bracket_is_a_factor_and_the_power_is_the_brackets(text, plain):
    assert L(text) == parse(plain)


def test_the_product_before_a_powered_bracket_says_so():
    assert any("power belongs to the bracket" in n for n in notes(r"a(x+1)^2"))


# One policy: text glued to a one-character superscript or to a divisor is refused
# with a caret, as `\sin 2x` is; braces, \frac or a space say which reading is meant.
@pytest.mark.parametrize("text, column, fragment", [
    (r"e^2x", 2, "ambiguous: ^2"),
    (r"2^3x", 2, "ambiguous: ^3"),
    (r"x^2y", 2, "ambiguous: ^2"),
    (r"1/2x", 2, "ambiguous: / divides by 2"),
    (r"1/xy", 2, "ambiguous: / divides by x"),
    (r"1/2\pi", 2, "ambiguous: / divides by 2"),
    (r"1/2(x + 1)", 2, "ambiguous: / divides by 2"),
    (r"\sin 2x", 1, "ambiguous: \\sin"),
])
def test_glued_text_is_refused_with_a_caret(text, column, fragment):
    err = refusal(text)
    assert fragment in err.reason and (err.line, err.column) == (1, column), str(err)


@pytest.mark.parametrize("text, plain", [
    (r"e^{2x}", "exp(2*x)"),
    (r"e^2 x", "exp(2)*x"),
    (r"e^{2} x", "exp(2)*x"),
    (r"x^{1/2}", "x^(1/2)"),
    (r"x^{1}/2", "x/2"),
    (r"2^3 x", "8*x"),
    (r"\frac{1}{2x}", "1/(2*x)"),
    (r"\frac{1}{2} x", "x/2"),
    (r"1/2 x", "x/2"),
    (r"\sin^2x", "sin(x)^2"),  # a function's power is one character by convention
    (r"\sin^2(ax)", "sin(a*x)^2"),
    (r"\sum_{i=1}^Nx_i", "sum_{i=1}^{N} x_i"),  # an upper bound, not a power
    (r"x^1/2", "x/2"),  # an operator after the superscript ends it, as TeX draws it
    (r"e^x(1 + x)", "exp(x)*(1 + x)"),
])
def test_braces_or_a_space_say_which(text, plain):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        assert L(text) == parse(plain)


# ---------------------------------------------------------- plain and LaTeX agree

# (LaTeX, plain written out, plain as people type it): both syntaxes read each alike.
AGREE = [
    (r"|x|", "abs(x)", "|x|"),
    (r"\ln|x|", "ln(abs(x))", "ln|x|"),
    (r"\sum_i t_i \ln(y_i)", "sum_{i=1}^{N} t_i*ln(y_i)", "sum_i t_i ln(y_i)"),
    (r"\cos^2 x", "cos(x)^2", "cos^2 x"),
    (r"\operatorname{Sin}(x)", "sin(x)", "Sin(x)"),
    (r"a(x+1)^2", "a*(x + 1)^2", "a(x+1)^2"),
    (r"3x(x+1)^3", "3*x*(x + 1)^3", "3x(x+1)^3"),
    (r"x^y (7 + 1/4)", "x^y*29/4", "x^y (7 + 1/4)"),
]


@pytest.mark.parametrize("text, written, typed", AGREE)
def test_latex_reads_as_plain_written_out(text, written, typed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        assert L(text) == parse(written)


@pytest.mark.parametrize("text, written, typed", AGREE)
def test_latex_reads_as_plain_typed(text, written, typed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        assert L(text) == parse(typed, syntax="plain")


# ---------------------------------------------------------------- matrix notation

@pytest.mark.parametrize("text, column", [
    (r"x^T A x", 2),
    (r"\mathbf{x}^T A \mathbf{x}", 11),
    (r"(X w - y)^T (X w - y)", 10),
    (r"X^{T}", 2),
    (r"X^\top", 3),
    (r"X^{\top}", 4),
    (r"X^{\mathsf T}", 2),
    (r"X^{\mathsf{T}}", 2),
    (r"X^\mathsf{T}", 2),
    (r"X^\intercal", 3),
    (r"X'", 2),
    (r"X' X", 2),
    (r"\mathbf{w}' \mathbf{x}", 11),
    (r"a \odot b", 3),
    (r"a \oslash b", 3),
    (r"A \otimes B", 3),
    (r"\|X\mathbf{w} - \mathbf{y}\|^2", 1),
    (r"\|\mathbf{X}\mathbf{w}\|", 1),
    (r"\|A\|", 1),
    (r"\|\mathbf{u}\mathbf{v}\|", 1),
    (r"\operatorname{tr}(A)", 15),
    (r"\det(A)", 1),
])
def test_matrix_notation_is_refused_never_read_as_scalars(text, column):
    err = refusal(text)
    assert "matrix expressions need declared shapes" in err.reason, err.reason
    assert (err.line, err.column) == (1, column), str(err)


@pytest.mark.parametrize("text, expected", [
    (r"y'", E.sym("y'")),
    (r"f'(x)", E.func("f'", x)),
    (r"F'(x)", E.func("F'", x)),
    (r"\theta'", E.sym("theta'")),
    (r"\mathcal{L}'", E.sym("Lcal'")),
    (r"e^T", E.exp(E.sym("T"))),
    (r"2^T", E.pow_(E.TWO, E.sym("T"))),
    (r"x^{+T}", E.pow_(x, E.sym("T"))),
    (r"\sum_{t=1}^T \gamma^t", E.summation(E.pow_(E.sym("gamma"), E.sym("t")), E.sym("t"), E.ONE, E.sym("T"))),
])
def test_what_looks_like_matrix_notation_but_is_not_still_reads(text, expected):
    assert L(text) == expected


def test_a_norm_of_vectors_still_reads():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        e = L(r"\|\mathbf{x} - \boldsymbol{\mu}\|^2")
    assert e == E.summation(E.pow_(E.sub(E.sym("x", j), E.sym("mu", j)), E.TWO), j, E.ONE, E.sym("n"))


def test_cli_refuses_matrix_notation_with_a_caret_and_no_traceback():
    out = cli("diff", r"\mathbf{x}^T A \mathbf{x}", "--wrt", r"\mathbf{x}")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "declared shapes" in out.stderr and "^" in out.stderr.splitlines()[-1]
