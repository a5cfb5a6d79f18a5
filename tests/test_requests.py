"""Input that asks for a derivative (`d/dx F`, `derivative of F`, `diff(F, x)`,
`D[F, x]`, `F wrt x`, ...): read once, from the table in symdiff/requests.py,
and answered with that derivative (not one more) by the command line, the
library and the web API."""

import subprocess
import sys
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symdiff
from support.strategies import exprs
from symdiff.errors import ReadingNote
from symdiff.requests import PHRASES, markdown_table, parse_request


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True, text=True,
                          timeout=60)


def quietly(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        return fn(*args, **kwargs)


# text as typed | the expression it asks about | variable | order | how the note names it
ASKED = [
    ("d/dx x^2 sin x",                  "x^2*sin(x)",          "x", 1, "read 'd/dx' as asking for d/dx of x^2*sin(x)"),
    ("d^2/dx^2 x^3 sin x",              "x^3*sin(x)",          "x", 2, "d^2/dx^2 of x^3*sin(x)"),
    (r"\frac{d}{dx}x^2\sin x",          "x^2*sin(x)",          "x", 1, r"read '\frac{d}{dx}'"),
    ("derivative of x^2 sin(x)",        "x^2*sin(x)",          "x", 1, "read 'derivative of'"),
    ("differentiate f(x)^g(x)",         "f(x)^g(x)",           "x", 1, "read 'differentiate'"),
    ("diff cos(x)",                     "cos(x)",              "x", 1, "read 'diff' as asking for d/dx of cos(x)"),
    ("second derivative of x^3 + 2x",   "x^3 + 2*x",           "x", 2, "d^2/dx^2 of x^3 + 2*x"),
    ("third derivative of x^4 + x",     "x^4 + x",             "x", 3, "d^3/dx^3"),
    ("diff(x^2, x)",                    "x^2",                 "x", 1, "read 'diff(..., x)'"),
    ("diff(x^3 y, x, 2)",               "x^3*y",               "x", 2, "d^2/dx^2 of x^3*y"),
    ("diff(x^3 y, y, y)",               "x^3*y",               "y", 2, "d^2/dy^2"),
    ("D[Sin[x^2], x]",                  "sin(x^2)",            "x", 1, "d/dx of sin(x^2)"),
    ("D[Exp[x] Log[x], {x, 2}]",        "exp(x)*ln(x)",        "x", 2, "d^2/dx^2"),
    ("r^2 sin(r) wrt r",                "r^2*sin(r)",          "r", 1, "read 'wrt r' as asking for d/dr"),
    ("x^2 y, w.r.t. y",                 "x^2*y",               "y", 1, "d/dy of x^2*y"),
    ("derivative of x^2 y with respect to y", "x^2*y",         "y", 1, "read 'derivative of'"),
    ("x^2 y with respect to y",         "x^2*y",               "y", 1, "read 'with respect to y'"),
    ("(d/dx)[x^3 + 2x]",                "x^3 + 2*x",           "x", 1, "read '(d/dx)'"),
    ("(d/dx) [x^3 + 2x]",               "x^3 + 2*x",           "x", 1, "d/dx of x^3 + 2*x"),
    ("f'(x) if f(x) = x^2 + 1",         "x^2 + 1",             "x", 1, "d/dx of x^2 + 1"),
    ("f''(t) where f(t) = t^4",         "t^4",                 "t", 2, "d^2/dt^2 of t^4"),
    ("d/dx (x^3 + 2x)",                 "x^3 + 2*x",           "x", 1, "d/dx of x^3 + 2*x"),
    (r"\frac{d}{dx} x^x",               "x^x",                 "x", 1, "d/dx of x^x"),
    (r"\frac{d^2}{dx^2} x^x",           "x^x",                 "x", 2, "d^2/dx^2 of x^x"),
    (r"\frac{d(x^3)}{dx}",              "x^3",                 "x", 1, "d/dx of x^3"),
    ("d/dx x^2 + 1",                    "x^2 + 1",             "x", 1, "everything after it"),
    ("d/dt of t^2 e^t",                 "t^2*exp(t)",          "t", 1, "d/dt of"),
    ("find the derivative of ln(x)",    "ln(x)",               "x", 1, "d/dx of ln(x)"),
    ("Derivative of tan x",             "tan(x)",              "x", 1, "d/dx of tan(x)"),
    ("x^2 sin x を x で微分",            "x^2*sin(x)",          "x", 1, "d/dx of x^2*sin(x)"),
    ("x^3 の導関数",                     "x^3",                 "x", 1, "d/dx of x^3"),
]


@pytest.mark.parametrize("text, body, var, order, note", ASKED)
def test_cli_computes_the_derivative_asked_for(text, body, var, order, note):
    result = run("diff", text)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(symdiff.diff(body, var, order))
    assert note in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("text, body, var, order, note", ASKED)
def test_library_reads_the_same_request(text, body, var, order, note):
    with pytest.warns(ReadingNote, match="as asking for") as caught:
        got = symdiff.diff(text)
    assert got == symdiff.diff(body, var, order)
    assert any(note in str(w.message) for w in caught)
    request = quietly(parse_request, text)
    assert request is not None and request.body == symdiff.parse(body)
    derivation = quietly(symdiff.derive, text)
    assert derivation.expr == symdiff.parse(body) and str(derivation.var) == var
    assert derivation.result == got and len(derivation.stages) == order


# An agreeing --wrt / --order changes nothing; a phrase without a variable or
# order takes the caller's.
AGREED = [
    (["d/dx x^2", "--wrt", "x"],                    "2*x"),
    (["d^2/dx^2 x^3", "--order", "2"],              "6*x"),
    (["differentiate x^3", "--order", "2"],         "6*x"),
    (["derivative of x^2 y", "--wrt", "y"],         "x^2"),
    (["differentiate x^2 y^3", "--wrt", "x,y"],     "6*x*y^2"),
    (["x^3 wrt x", "--order", "3"],                 "6"),
    (["d/dx x^3", "--steps"],                       None),
    (["d/dx x^3", "--check"],                       "3*x^2"),
]


@pytest.mark.parametrize("args, out", AGREED)
def test_cli_agreeing_options(args, out):
    result = run("diff", *args)
    assert result.returncode == 0, result.stderr
    if out is None:  # the steps differentiate x^3 once
        assert "Differentiate x^3 with respect to x" in result.stdout and "3*x^2" in result.stdout
        assert "6*x" not in result.stdout
    else:
        assert result.stdout.strip() == out


# Refused with a caret: the column is where the fault is in the text as typed.
REFUSED = [
    (["d/dx x^2", "--wrt", "y"],          1,  ["'d/dx' asks for the derivative in x", "given is y"]),
    (["d^2/dx^2 x^3", "--order", "1"],    1,  ["order 2", "order given is 1"]),
    (["second derivative of x^3", "--order", "3"], 1, ["order 2", "given is 3"]),
    (["d/dx x^2", "--wrt", "x,y"],        1,  ["in x", "given is x, y"]),
    (["d/dx x^2 wrt y"],                  10, ["in x", "'wrt y' in y"]),
    (["d/dx (x^2) + 1"],                  12, ["ambiguous", "(x^2) alone or to everything after it"]),
    (["derivative of (x^2) - x"],         21, ["ambiguous"]),
    (["d/dx x^2 + d/dx x^3"],             12, ["ambiguous", "this derivative included"]),
    (["derivative of"],                   14, ["needs the expression"]),
    (["d/dx x^2 + )"],                    12, ["expected an operand after '+'"]),
    (["derivative of x^2 +* 1"],          20, ["expected an operand after '+'"]),
    (["diff(x^2 y, x, y)"],               16, ["a mixed partial"]),
    (["f'(x) if g(x) = x^2"],             1,  ["f'(x) asks about f(x)", "g(x)"]),
    (["f'(x) if x^2"],                    10, ["expected a definition"]),
    (["D[Log[2, x], x]"],                 3,  ["Log[b, u]"]),
    ([r"\frac{dy}{dx}"],                  8,  ["y is a name, not an expression"]),
    (["d^2/dx^3 x^5"],                    1,  ["disagree"]),
    ([r"\frac{\partial^2}{\partial x \partial y} x^2 y^2"], 1, ["mixed partial"]),
]


@pytest.mark.parametrize("args, column, words", REFUSED)
def test_cli_refuses_with_a_caret(args, column, words):
    result = run("diff", *args)
    assert result.returncode == 2 and result.stdout == ""
    assert "Traceback" not in result.stderr
    first, source, caret = result.stderr.splitlines()[-3:]
    for word in words:
        assert word in first
    assert f"(line 1, column {column})" in first
    assert source.strip() == args[0].strip() and caret.index("^") - 2 == column - 1


def test_library_refusals_carry_the_position():
    with pytest.raises(symdiff.ParseError) as err:
        quietly(symdiff.diff, "d/dx x^2", "y")
    assert (err.value.line, err.value.column) == (1, 1) and "in x" in str(err.value)
    with pytest.raises(symdiff.ParseError, match="order 2"):
        quietly(symdiff.diff, "second derivative of x^3", "x", 1)
    with pytest.raises(symdiff.ParseError) as err:
        quietly(symdiff.diff, "derivative of\n  x^2 + )")
    assert (err.value.line, err.value.column) == (2, 9) and err.value.text == "derivative of\n  x^2 + )"


def test_agreeing_library_arguments():
    x2 = symdiff.parse("2*x")
    assert quietly(symdiff.diff, "d/dx x^2", "x") == x2
    assert quietly(symdiff.diff, "d/dx x^2", symdiff.parse("x")) == x2
    assert quietly(symdiff.diff, "d/dx x^2", ["x"], 1) == x2
    assert quietly(symdiff.diff, "differentiate x^4", "x", 2) == symdiff.parse("12*x^2")
    assert quietly(symdiff.diff, "d/dx x^2", order=None) == x2


# ------------------------------------------------------- inside an expression


# An operator inside a larger expression differentiates the rest of its term.
INSIDE = [
    (["simplify", "x + d/dx x^2"],        "3*x",   "read d/dx as the derivative of x^2, what follows it to the end"),
    (["simplify", "3*d/dx(x^2)"],         "6*x",   "the derivative of x^2"),
    (["simplify", "3 d/dx (x^2)"],        "6*x",   "the derivative of x^2"),
    (["simplify", "x - d/dx x^3 y"],      "x - 3*x^2*y", "the derivative of x^3*y"),
    (["simplify", "-d/dx x^2"],           "-2*x",  "the derivative of x^2"),
    (["simplify", r"3\frac{d}{dx}x^2"],   "6*x",   r"read \frac{d}{dx} as the derivative"),
    (["simplify", r"x + \frac{d}{dx}x^2"], "3*x",  r"read \frac{d}{dx} as the derivative"),
    (["diff", "x + d/dx x^2"],            "3",     "to the end of the term"),
    (["diff", "3*d/dx(x^2)"],             "6",     "to the end of the term"),
]


@pytest.mark.parametrize("args, out, note", INSIDE)
def test_operators_inside_an_expression_take_the_rest_of_the_term(args, out, note):
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == out and note in result.stderr


def test_an_operator_after_a_factor_needs_its_operand():
    # 1 d/dy_j was 1*d/dy_j, the name d over the name dy_j; now d/dy_j is an operator there too
    with pytest.raises(symdiff.ParseError, match="expected an operand after 'd/dy_j'"):
        symdiff.parse("1 d/dy_j")
    assert str(symdiff.parse("1 d/(dy_j)")) == "d/(dy_j)"


def test_parse_keeps_the_operator_in_the_tree():
    # the fixed interface: parse evaluates an operator, and simplify tidies it
    assert symdiff.simplify(quietly(symdiff.parse, "d/dx x^2")) == symdiff.parse("2*x")
    # parse reads an operator at the start as a request too: everything after it, and says so
    with pytest.warns(ReadingNote, match="asking for d/dx"):
        tree = symdiff.parse("d/dx x^2 + 1")
    assert symdiff.simplify(tree) == symdiff.parse("2*x")
    with pytest.raises(symdiff.ParseError, match="needs the expression"):
        symdiff.parse("derivative of")
    # text given to simplify is a request: everything after the operator
    assert quietly(symdiff.simplify, "d/dx x^2 + 1") == symdiff.parse("2*x")
    assert quietly(symdiff.simplify, "derivative of x^3") == symdiff.parse("3*x^2")
    assert quietly(symdiff.evaluate, "second derivative of x^3", {"x": 2.0}) == 12.0


def test_gradient_gives_the_partials_asked_for():
    assert quietly(symdiff.gradient, "d/dx x^2 y") == {"x": symdiff.parse("2*x*y")}
    assert quietly(symdiff.gradient, "derivative of x^2 y") == symdiff.gradient("x^2 y")
    with pytest.raises(symdiff.DifferentiationError, match="first derivatives"):
        quietly(symdiff.gradient, "second derivative of x^3")
    with pytest.raises(symdiff.ParseError, match="in x"):
        quietly(symdiff.gradient, "d/dx x^2 y", ["y"])
    result = run("grad", "d/dy x^2 y^2")
    assert result.returncode == 0 and result.stdout.strip() == "d/dy: 2*x^2*y"


# -------------------------------------------------------------- not requests


@pytest.mark.parametrize("text", [
    "x^2 + 1", "d", "dx", "d*x/dx", "diffusion*x", "derivative", "x + d/dx x^2", "(x+1)(x-1)",
    "f'(x)", "sin(x) wrt", "respect*x", "Dx", "D(x)", r"\frac{d}{d}", "wrt*x",
])
def test_other_text_is_no_request(text):
    assert quietly(parse_request, text) is None


@pytest.mark.parametrize("text", ["diff(x^2)+1", "diff (x^2) - 1"])
def test_a_call_that_does_not_span_the_input_is_the_word_diff(text):
    with pytest.raises(symdiff.ParseError, match="ambiguous"):
        quietly(parse_request, text)


# ---------------------------------------------------------------- the table


def test_every_phrase_reads_its_own_example():
    for row in PHRASES:
        request = quietly(parse_request, row.example)
        assert request is not None and request.place == row.place, row.written


def test_a_latex_phrase_begins_with_a_backslash():
    """Text without a backslash skips the rows of dialect "latex" (and compiling
    them): sound only if each pattern's first character is a literal backslash."""
    from re._constants import LITERAL, SUBPATTERN  # the regex parser's opcodes
    from re._parser import parse

    latex = [row for row in PHRASES if row.dialect == "latex"]
    assert latex and all("\\" in row.example for row in latex)
    for row in latex:
        op, arg = parse(row.pattern)[0]
        while op is SUBPATTERN:  # a group: its first item
            op, arg = arg[-1][0]
        assert (op, arg) == (LITERAL, ord("\\")), row.written
    assert [row for row in PHRASES if row.dialect != "latex" and row.example.startswith("\\")] == []


def test_the_readme_shows_the_table():
    with open(__file__.replace("tests/test_requests.py", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    rows = markdown_table().splitlines()
    missing = [row for row in rows if "  " + row + "\n" not in readme]
    assert not missing, f"the README's table of requests lacks {missing}"


def test_long_input_is_read_in_linear_time():
    # each search is anchored or a single pass: 100,000 keywords are cheap
    text = "x wrt " * 20_000 + "x"
    request = quietly(parse_request, text[:60] + " wrt x")
    assert request is not None and str(request.var) == "x"
    import time

    start = time.perf_counter()
    assert quietly(parse_request, "x + " + "wrt + " * 30_000 + "x") is None
    assert time.perf_counter() - start < 2.0


# --------------------------------------------------------------- web API


def test_web_api_answers_the_derivative_asked_for():
    from symdiff.web.work import read_request, run_job

    status, body = run_job("diff", read_request({"expr": "d^2/dx^2 x^3"}))
    assert status == 200 and body["plain"] == "6*x" and body["order"] == 2 and body["wrt"] == "x"
    assert any("d^2/dx^2 of x^3" in n for n in body["notes"])
    status, body = run_job("diff", read_request({"expr": "d^2/dx^2 x^3", "order": 1}))
    assert status == 400 and body["field"] == "expr" and (body["line"], body["column"]) == (1, 1)
    status, body = run_job("diff", read_request({"expr": "derivative of x^2 +"}))
    assert status == 400 and body["column"] == 20
    status, body = run_job("diff", read_request({"expr": "x^2", "order": ""}))
    assert status == 200 and body["plain"] == "2*x" and body["order"] == 1


# ----------------------------------------------------------- property


@settings(max_examples=40, deadline=None)
@given(exprs(max_leaves=6), st.sampled_from(["d/dx ({})", "derivative of ({})", "diff({}, x)", "({}) wrt x",
                                             "D[{}, x]", r"\frac{{d}}{{dx}} ({})", "differentiate {}", "d/dx {}",
                                             r"\frac{{d}}{{dx}} {}"]))
def test_a_request_is_the_derivative_of_its_expression(e, template):
    inner = symdiff.latex(e) if template.startswith("\\") else str(e)
    got = quietly(symdiff.diff, template.format(inner), "x", simplify=False)
    assert got == quietly(symdiff.diff, quietly(symdiff.parse, inner), "x", simplify=False)


def test_a_plain_operator_before_latex_asks_for_the_derivative():
    with pytest.warns(ReadingNote, match="asking for d/dx"):
        assert symdiff.simplify(symdiff.parse(r"d/dx \sin x")) == symdiff.parse("cos(x)")


# ------------------------------------------------------------------ skipping phrases a text cannot hold

ASCII = st.characters(min_codepoint=0, max_codepoint=127)


@pytest.mark.parametrize("row", PHRASES, ids=lambda row: row.written[0])
def test_every_phrase_holds_a_word_it_needs(row):
    """`needs` lets reading skip (and never compile) a phrase: every match of the
    phrase, in any ASCII text, holds one of its words."""
    from symdiff.requests import _rows

    @settings(max_examples=60, deadline=None)
    @given(st.data())
    def check(data):
        if all(word.isascii() for word in row.needs):
            text = data.draw(st.from_regex(row.regex, alphabet=ASCII), label="text")
        else:  # `を`: no ASCII text can hold the phrase
            text = data.draw(st.from_regex(row.regex), label="text")
        assert row.regex.search(text)
        if text.isascii():
            assert any(word in text.lower() for word in row.needs)
            assert row in _rows(text, row.place)

    assert row.needs and all(word == word.lower() for word in row.needs)
    assert row in _rows(row.example, row.place)
    check()


@pytest.mark.parametrize("text", ["log_2(x)", "x^2 sin x", "f(x)^g(x)", "sum_(i=1)^N y_i", "exp(-x^2/2)"])
def test_plain_expressions_compile_no_phrase(text):
    from symdiff.requests import _compiled

    _compiled.cache_clear()
    assert parse_request(text) is None
    assert _compiled.cache_info().currsize == 0
