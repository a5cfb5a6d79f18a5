"""Unicode printing: readable one-liners, and never the same text for two trees."""

from fractions import Fraction
from itertools import product

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import symdiff
from symdiff import expr as E
from symdiff.printing.unicode import pretty
from support.strategies import exprs

x, y, i, k = E.sym("x"), E.sym("y"), E.sym("i"), E.sym("k")


@pytest.mark.parametrize(
    "text, printed",
    [
        ("log_2(x^2 + 1)",          "log₂(x² + 1)"),
        ("sigmoid(x)*(1 - sigmoid(x))", "σ(x)·(1 − σ(x))"),
        ("sum_{i=1}^{N} x_i*y_i",   "∑_{i=1}^{N} xᵢ·yᵢ"),
        ("sqrt(x)",                 "√x"),
        ("sqrt(x^2 + 1)",           "√(x² + 1)"),
        ("abs(x)",                  "|x|"),
        ("2*abs(x)",                "2·|x|"),  # `|2|x| − 1|` would pair up two ways
        ("2*e1*x",                  "2·e1·x"),  # `2e1` is a number, 20
        ("x*ln(2)",                 "x·ln 2"),
        ("2x/(ln(2)*(x^2 + 1))",    "2x/((x² + 1)·ln 2)"),
        ("x/ln(2)",                 "x/ln 2"),
        ("ln(2)/x",                 "ln(2)/x"),
        ("ln(x)^2",                 "ln(x)²"),
        ("-x^2",                    "−x²"),
        ("(-2)^x",                  "(−2)^x"),
        ("x - y",                   "x − y"),
        ("x^(2/3)",                 "x^(2/3)"),
        ("x^y^2",                   "x^(y²)"),
        ("(x^y)^z",                 "(x^y)^z"),
        ("sqrt(2)^x",               "(√2)^x"),
        ("exp(2x)",                 "e^(2x)"),
        ("exp(x)*x",                "x·e^x"),
        ("e^2",                     "e²"),
        ("1/sqrt(x)",               "1/√x"),
        ("2 sin(x)",                "2 sin(x)"),
        ("3*2^x",                   "3·2^x"),
        ("2(x + 1)",                "2(x + 1)"),
        ("pi*x",                    "π·x"),
        ("x_{12}",                  "x₁₂"),
        ("x_{1,2}",                 "x_{1,2}"),
        ("t_{ik}",                  "tᵢₖ"),
        ("y_{i,10}",                "y_{i,10}"),
        ("x_b",                     "x_{b}"),
        ("log_a(x)",                "logₐ(x)"),
        ("log_b(x)",                "log_{b}(x)"),
        ("log_{x+1}(y)",            "log_{x + 1}(y)"),
        ("sigma*(x + 1)",           "sigma·(x + 1)"),
        ("sigmoid(x + 1)",          "σ(x + 1)"),
        ("f'(x)",                   "f′(x)"),
        ("f''(g(x))",               "f′′(g(x))"),
        ("asin(x)",                 "arcsin(x)"),
        ("delta(i, j)",             "δᵢⱼ"),
        ("(x + 1)^10",              "(x + 1)¹⁰"),
    ],
)
def test_pretty_prints(text, printed):
    assert pretty(symdiff.parse(text)) == printed


def test_pretty_is_exported_and_reads_text():
    assert symdiff.pretty(symdiff.parse("log_2(x)")) == "log₂(x)"
    assert symdiff.pretty(symdiff.diff("log_2(x^2+1)", "x")) == "2x/((x² + 1)·ln 2)"


def test_function_spellings_come_from_the_table():
    from symdiff.functions import ROWS, notation

    for row in ROWS:
        before, after = notation(row.symbol, "(", ")")
        assert pretty(row(x)) == f"{before}x{after}"


# Leaves and operations chosen to be confusable: a name `sigma` beside the
# sigmoid σ, undefined functions named like names, indices that could run
# together, numbers beside digits in names, constants beside names.
LEAVES = [
    x, y, E.sym("sigma"), E.sym("f"), E.sym("xy"), E.sym("x1"), E.sym("x", 12),
    E.sym("x", 1, 2), E.sym("x", "i", "k"), E.sym("x", "ik"), E.sym("x", 1), E.E, E.PI,
    E.num(2), E.num(12), E.num(-1), E.num(Fraction(1, 2)),
]
UNARY = [
    lambda u: E.func("sigmoid", u),
    lambda u: E.func("sigma", u),  # an undefined function called sigma
    lambda u: E.func("f", u),
    lambda u: E.func("f'", u),
    lambda u: E.func("abs", u),
    lambda u: E.func("sin", u),
    E.ln, E.sqrt, E.exp, E.neg,
    lambda u: E.log(u, E.num(2)),
    lambda u: E.log(u, E.num(12)),
    lambda u: E.pow_(u, E.num(2)),
    lambda u: E.pow_(u, E.num(12)),
    lambda u: E.summation(E.mul(E.sym("z", i), u), i, E.ONE, E.sym("N")),
]
BINARY = [E.add, E.sub, E.mul, E.div, E.pow_, lambda a, b: E.log(b, a)]


def assert_injective(trees):
    seen: dict[str, E.Expr] = {}
    for t in trees:
        text = pretty(t)
        other = seen.setdefault(text, t)
        assert other is t, f"{other!r} and {t!r} both print as {text}"


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_no_two_small_trees_print_the_same():
    level1 = {*LEAVES}
    level1 |= {f(a) for f in UNARY for a in LEAVES}
    level1 |= {f(a, b) for f in BINARY for a, b in product(LEAVES, repeat=2)}
    level1.discard(E.UNDEFINED)
    few = [x, E.sym("sigma"), E.num(2), E.sym("x", 1)]
    level2 = {f(a) for f in UNARY for a in level1}
    level2 |= {f(a, b) for f in BINARY[:4] for a in level1 for b in few}
    level2 |= {f(b, a) for f in BINARY for a in level1 for b in few}
    assert len(level1 | level2) > 20_000  # the enumeration is not vacuous
    assert_injective(level1 | level2)


confusable = st.recursive(
    st.sampled_from(LEAVES),
    lambda kids: st.one_of(
        st.builds(lambda f, u: f(u), st.sampled_from(UNARY), kids),
        st.builds(lambda f, a, b: f(a, b), st.sampled_from(BINARY), kids, kids),
    ),
    max_leaves=6,
)


@given(st.lists(st.one_of(confusable, exprs(max_leaves=6)), min_size=2, max_size=30, unique=True))
@example([E.sym("x", 12), E.sym("x", 1, 2)])
@example([E.mul(E.sym("sigma"), E.add(x, E.ONE)), E.func("sigmoid", E.add(x, E.ONE)),
          E.func("sigma", E.add(x, E.ONE))])
@example([E.mul(E.sym("f"), x), E.func("f", x)])
@example([E.sym("x", "i", "k"), E.sym("x", "ik")])
def test_different_trees_print_differently(trees):
    assert_injective(trees)


@pytest.mark.parametrize(
    "args, out",
    [
        (["diff", "log_2(x^2+1)", "--format", "unicode"], "2x/((x² + 1)·ln 2)"),
        (["diff", "sigmoid(x)", "--format", "unicode"], "σ(x)·(1 − σ(x))"),
        (["simplify", "sqrt(x)*sqrt(x)*abs(y) - 1", "--format", "unicode"], "x·|y| − 1"),
    ],
)
def test_cli_format_unicode(args, out):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True,
                            text=True, encoding="utf-8", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == out + "\n"
