"""Unicode input: what pretty() prints reads back, and so do the characters people type.

Each row pairs Unicode text with the plain text it must read as; ambiguous
Unicode gets a note or a ParseError whose caret points into the typed text.
"""

import json
import subprocess
import sys
import unicodedata
import warnings
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import symdiff
from symdiff import expr as E
from symdiff import unicode_input as U
from symdiff.errors import ParseError, ReadingNote
from symdiff.functions import ROWS
from symdiff.names import GREEK
from symdiff.printing.unicode import SUBSCRIPT, SUPERSCRIPT, pretty
from support.strategies import exprs
from test_unicode import confusable


def read(text):
    """parse(text), with the notes it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tree = symdiff.parse(text)
    return tree, [str(w.message) for w in caught if issubclass(w.category, ReadingNote)]


def plain(text):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        return symdiff.parse(text)


@pytest.mark.parametrize(
    "typed, meaning",
    [
        # pretty()'s own output (issue 20)
        ("log₂(x² + 1)",            "log_2(x^2 + 1)"),
        ("√x·σ(x)",                 "sqrt(x)*sigmoid(x)"),
        ("∑_{i=1}^{N} tᵢ·ln(yᵢ)",   "sum_{i=1}^{N} t_i*ln(y_i)"),
        ("2x/((x² + 1)·ln 2)",      "2x/((x^2 + 1)*ln(2))"),
        ("σ(x)·(1 − σ(x))",         "sigmoid(x)*(1 - sigmoid(x))"),
        ("x₁₂",                     "x_{12}"),
        ("|x|",                     "abs(x)"),
        ("2·|x|",                   "2*abs(x)"),
        ("|2·|x| − 1|",             "abs(2*abs(x) - 1)"),
        ("x·|y| − 1",               "x*abs(y) - 1"),
        ("tᵢₖ",                     "t_{i,k}"),
        ("logₐ(x)",                 "log_a(x)"),
        ("log₁₂(x)",                "log_{12}(x)"),
        ("(x + 1)¹⁰",               "(x + 1)^10"),
        ("(−2)^x",                  "(-2)^x"),
        ("f′′(g(x))",               "f''(g(x))"),
        ("δᵢⱼ",                     "delta(i, j)"),
        ("δ_{i,10}",                "delta(i, 10)"),
        ("π·x",                     "pi*x"),
        ("x/ln 2",                  "x/ln(2)"),
        ("(√2)^x",                  "sqrt(2)^x"),
        ("√(x² + 1)",               "sqrt(x^2 + 1)"),
        ("e^(2x)",                  "exp(2x)"),
        # what people type
        ("x² + 3x",                 "x^2 + 3x"),
        ("x³ − 2x² + x − 7",        "x^3 - 2x^2 + x - 7"),
        ("√x",                      "sqrt(x)"),
        ("∛x",                      "cbrt(x)"),
        ("∜(x⁴ + 1)",               "(x^4 + 1)^(1/4)"),
        ("x∛y",                     "x*cbrt(y)"),
        ("∛sin(x)",                 "cbrt(sin(x))"),
        ("√√x",                     "sqrt(sqrt(x))"),
        ("√ln 2",                   "sqrt(ln(2))"),
        ("√x√y",                    "sqrt(x)*sqrt(y)"),
        ("√σ·x",                    "sqrt(sigma)*x"),
        ("√σ(x)",                   "sqrt(sigmoid(x))"),
        ("√δᵢⱼ",                    "sqrt(delta(i, j))"),
        ("√log₂(x)",                "sqrt(log_2(x))"),
        ("π",                       "pi"),
        ("2π",                      "2*pi"),
        ("θ",                       "theta"),
        ("αx + β",                  "alpha*x + beta"),
        ("sinθcosθ",                "sin(theta)*cos(theta)"),
        ("λ·μ·Ω",                   "lambda*mu*Omega"),
        ("ϕ + φ",                   "phi + phi"),
        ("σ",                       "sigma"),
        ("x·σ",                     "x*sigma"),
        ("σ²(x)",                   "sigmoid(x)^2"),
        ("x·y",                     "x*y"),
        ("x ⋅ y ∗ z",               "x*y*z"),
        ("3x × sin(x)",             "3x*sin(x)"),
        ("x − 1",                   "x - 1"),
        ("x ÷ 2",                   "x/2"),
        ("1⁄2",                     "1/2"),
        ("x⁻¹",                     "x^-1"),
        ("e⁻ˣ",                     "exp(-x)"),
        ("xⁿ⁺¹",                    "x^(n + 1)"),
        ("e^{−x²}",                 "exp(-x^2)"),
        ("sin⁻¹(x)",                "asin(x)"),
        ("xᵢ²",                     "x_i^2"),
        ("x₋₁",                     "x_{-1}"),
        ("θ₁ + θᵦ",                 "theta_1 + theta_{beta}"),
        ("θ2",                      "theta2"),  # a name, as x2 is
        ("δ_{ij}",                  "delta(i, j)"),
        ("δ₁₂",                     "delta_12"),  # one index: a name
        ("ln|x|",                   "ln(abs(x))"),
        ("sinh |x|",                "sinh(abs(x))"),
        ("|x||y|",                  "abs(x)*abs(y)"),
        ("||x| − 1|",               "abs(abs(x) - 1)"),
        ("|x|²",                    "abs(x)^2"),
        ("f′(x)",                   "f'(x)"),
        ("x\u00a0+\u2009y",         "x + y"),  # no-break and thin spaces
        ("f(x) = x² + 1",           "x^2 + 1"),
    ],
)
def test_unicode_reads_as_plain(typed, meaning):
    assert plain(typed) == plain(meaning)


@pytest.mark.parametrize(
    "typed, meaning, says",
    [
        ("√x²",             "sqrt(x^2)",               "read √x² as √(x²); write (√x)² for a power of the root"),
        ("∛x²",             "cbrt(x^2)",               "read ∛x² as ∛(x²)"),
        ("Δx",              "Delta*x",                 "read Δx as the product Delta*x; write Deltax for one name"),
        ("Σ_{i=1}^{N} xᵢ",  "sum_{i=1}^{N} x_i",       "read Σ as the summation sign ∑"),
    ],
)
def test_ambiguous_unicode_gets_a_note(typed, meaning, says):
    tree, notes = read(typed)
    assert tree == plain(meaning)
    assert any(says in n for n in notes), notes


def test_unambiguous_unicode_gets_no_note():
    for typed in ["log₂(x² + 1)", "√x·σ(x)", "2x/((x² + 1)·ln 2)", "|2·|x| − 1|", "∛x"]:
        assert read(typed)[1] == []


@pytest.mark.parametrize(
    "typed, column, reason",
    [
        ("|a|b|c|",      3,  "ambiguous bars"),            # |a|·b·|c| or |a·|b|·c|
        ("x|",           2,  "neither opens nor closes"),
        ("|x",           1,  "do not pair up"),
        ("√2x",          1,  "takes only the next factor"),
        ("∛2x",          1,  "takes only the next factor"),
        ("∛",            1,  "needs an argument"),
        ("θ € x",        3,  "unexpected character '€'"),
        ("x‐1",          2,  "unexpected character"),      # a hyphen is not a minus sign
        ("σ′(x)",        1,  "sigmoid is a known function"),
        ("θ + (x −",     9,  "expected an operand"),        # past the end of what was typed
        ("θ₁ ·· x",      5,  "expected an operand"),                # the second ·, never `**`, a power
        ("x·×y",         3,  "expected an operand"),
        ("αβγ + )",      7,  "expected an operand"),
    ],
)
def test_errors_point_into_what_was_typed(typed, column, reason):
    with pytest.raises(ParseError) as info:
        symdiff.parse(typed)
    err = info.value
    assert reason in err.reason
    assert (err.line, err.column) == (1, column)
    assert err.text == typed
    assert err.context().splitlines()[1].index("^") - 2 == column - 1


@pytest.mark.parametrize("typed, column", [("θ +\n  φ · €", 7), ("θ +\n  φ ·", 6)])
def test_errors_on_a_later_line(typed, column):
    with pytest.raises(ParseError) as info:
        symdiff.parse(typed)
    assert (info.value.line, info.value.column) == (2, column)
    assert info.value.context() == "  " + typed.splitlines()[1] + "\n" + " " * (column + 1) + "^"


def test_deep_unicode_input_does_not_recurse():
    for typed, inner in [("√" * 3000 + "x", "x"), ("|" * 3000 + "x" + "|" * 3000, "x"),
                         ("∛(" * 2000 + "x" + ")" * 2000, "x")]:
        e = symdiff.parse(typed)
        for _ in range(2000):
            e = e.base if type(e) is E.Pow else e.arg
        assert inner in str(e)


# ---------------------------------------------------------------- tables


def test_superscripts_and_subscripts_the_printer_writes_read_back():
    for d, char in SUPERSCRIPT.items():
        assert U.SUPERSCRIPTS[char] == d
    for c, char in SUBSCRIPT.items():
        assert U.SUBSCRIPTS[char] == c


def test_every_greek_name_has_its_letter():
    names = set(U.GREEK.values())
    assert names == {g for g in GREEK if not g.startswith("var")}
    for char, name in U.GREEK.items():
        assert unicodedata.name(char).split()[-1].lower() in (name.lower(), "lamda", "symbol", "sigma", "sign")


def test_every_function_symbol_reads_back():
    args = (E.sym("x"), E.sym("y"))
    for row in ROWS:
        e = row(*args[:row.arity])
        assert symdiff.parse(pretty(e)) == e, row.name


# ---------------------------------------------------------------- round trips


@given(exprs())
@example(E.sqrt(E.log(E.sym("x"), E.sym("x", 1, 2))))  # a brace inside log's base: `√log_{x_{1,2}}(x)`
@example(E.func("abs", E.add(E.mul(E.TWO, E.func("abs", E.sym("x"))), E.NEG_ONE)))  # `|2·|x| − 1|`
def test_unicode_round_trip(e):
    assert symdiff.parse(pretty(e)) == e


@given(confusable)
@example(E.mul(E.sym("sigma"), E.add(E.sym("x"), E.ONE)))
@example(E.func("sigma", E.sym("x")))
@example(E.delta(E.sym("i"), E.num(10)))
def test_confusable_trees_read_back_as_plain_text_does(e):
    """Names beside functions (`sigma`, σ), indices beside digits, bars in bars.
    One index named `ik` prints as x_{ik} in plain text too, and reads back as
    two indices there; every other tree of this alphabet reads back exactly."""
    assert symdiff.parse(pretty(e)) == symdiff.parse(str(e))
    if not any(leaf == E.sym("x", "ik") for leaf in E.postorder(e)):
        assert symdiff.parse(pretty(e)) == e


# Leaves and operations where reading could go wrong: Greek names beside σ and
# δ, δ as a name and as the Kronecker delta, names that look like numbers or
# constants (`e1`, `pi2`), negative indices, sums with a body, roots and bars.
i, j = E.sym("i"), E.sym("j")
LEAVES = [
    E.sym("x"), E.sym("theta"), E.sym("sigma"), E.sym("delta"), E.sym("delta", i, j), E.sym("x", -1),
    E.sym("x", i, 1), E.sym("Delta"), E.sym("pi2"), E.sym("e1"), E.sym("y'"), E.sym("t", "theta"),
    E.delta(i, j), E.delta(i, E.num(-1)), E.delta(E.num(1), E.num(2)), E.num(3), E.num(Fraction(-2, 3)),
    E.PI, E.E, E.sym("N"),
]
UNARY = [
    lambda u: E.func("abs", u), lambda u: E.func("sigmoid", u), lambda u: E.func("f''", u),
    lambda u: E.func("sign", u), E.sqrt, E.exp, E.ln, E.neg,
    lambda u: E.summation(E.mul(E.sym("z", i), u), i, E.ONE, E.sym("N")),
    lambda u: E.summation(u, j, E.num(0), E.add(E.sym("N"), E.ONE)),
    lambda u: E.pow_(u, E.num(3)), lambda u: E.pow_(u, E.num(Fraction(1, 3))),
    lambda u: E.log(u, E.sym("b")), lambda u: E.log(u, E.sym("theta")),
]
BINARY = [E.add, E.sub, E.mul, E.div, E.pow_, lambda a, b: E.log(b, a), lambda a, b: E.mul(E.num(2), a, b)]
tricky = st.recursive(
    st.sampled_from(LEAVES),
    lambda kids: st.one_of(
        st.builds(lambda f, u: f(u), st.sampled_from(UNARY), kids),
        st.builds(lambda f, a, b: f(a, b), st.sampled_from(BINARY), kids, kids),
    ),
    max_leaves=10,
)


@given(tricky)
@example(E.sqrt(E.delta(i, j)))  # `√δᵢⱼ`: the root takes the whole delta
@example(E.mul(E.TWO, E.sym("e1"), E.sym("x")))  # `2·e1·x`, never `2e1·x`, which is 20x
@example(E.func("abs", E.add(E.sym("x"), E.func("abs", E.sym("theta")))))
def test_tricky_trees_round_trip(e):
    assert symdiff.parse(pretty(e)) == e


# ---------------------------------------------------------------- command line and web


def run(*args):
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def test_cli_reads_unicode():
    result = run("diff", "x² + 3x")
    assert (result.returncode, result.stdout) == (0, "2*x + 3\n")
    result = run("diff", "log₂(x² + 1)", "--format", "unicode")
    assert (result.returncode, result.stdout) == (0, "2x/((x² + 1)·ln 2)\n")


def test_cli_refuses_ambiguous_bars_with_a_caret():
    result = run("diff", "|a|x|c|", "--wrt", "x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "ambiguous bars" in result.stderr
    assert "  |a|x|c|\n    ^" in result.stderr


def test_web_reads_unicode():
    from support.extras import need

    need("starlette", "web")
    need("httpx2", "test")
    from starlette.testclient import TestClient

    from symdiff.web import create_app

    with TestClient(create_app(time_limit=30, workers=1), base_url="http://localhost") as client:
        def post(expr):
            return client.post("/api/diff", content=json.dumps({"expr": expr, "wrt": "x"}),
                               headers={"Content-Type": "application/json"})
        assert post("√x·σ(x)").json()["plain"] == str(symdiff.diff("sqrt(x)*sigmoid(x)", "x"))
        bad = post("θ + (x −")
        assert bad.status_code == 400
        assert (bad.json()["line"], bad.json()["column"]) == (1, 9)
