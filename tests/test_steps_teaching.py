"""Teaching as the article does: each rule shown assembled, logarithmic
differentiation of products and quotients, factored results, forms a person
writes, and steps that never step back; in every step format and both languages."""

import math
import re
import warnings

import pytest

import symdiff
from symdiff.cli import main
from symdiff.diff import RULES
from symdiff.expr import Add, Log, Mul, Num, Pow, Sym, postorder
from symdiff.languages import LANGUAGES
from symdiff.parse import parse
from symdiff.printing.latex import latex
from symdiff.printing.mathml import mathml_body
from symdiff.printing.plain import to_str
from symdiff.derivation import displayed
from symdiff.printing.unicode import pretty
from symdiff.web.steps import to_html

# Each step format, with the printer its maths goes through.
FORMATS = {
    "text": to_str,
    "unicode": pretty,
    "markdown": latex,
    "latex": latex,
    "html": mathml_body,
}


def rendered(d, fmt: str, lang: str = "en") -> str:
    return to_html(d, lang) if fmt == "html" else d.render(fmt, lang)


def shows_before(out: str, first: str, then: str) -> bool:
    """`first` is written, and before the last place `then` is."""
    return first in out and then in out and out.index(first) < out.rindex(then)


# ------------------------------------------------------------ rules assembled


@pytest.mark.parametrize(
    "rule,      text,           assembled,                                final",
    [
        ("product",  "x^2*sin(x)",   "2*x*sin(x) + x^2*cos(x)",                "x*(x*cos(x) + 2*sin(x))"),
        ("product",  "(x+1)*(x+2)*(x+3)", "(x + 2)*(x + 3) + (x + 1)*(x + 3) + (x + 1)*(x + 2)",
         "3*x^2 + 12*x + 11"),
        ("quotient", "x^2/(x + 1)",  "(2*x*(x + 1) - x^2)/(x + 1)^2",          "x*(x + 2)/(x + 1)^2"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_rule_is_shown_assembled_before_the_final_form(rule, text, assembled, final, fmt):
    d = symdiff.derive(text, "x")
    assert d.steps[0].rule == rule
    start = d.steps[1].expr  # where the simplification starts: the rule's result, filled in
    assert start == parse(assembled)
    assert d.result == parse(final) == symdiff.diff(text, "x")
    show = FORMATS[fmt]
    out = rendered(d, fmt)
    assert shows_before(out, show(start), show(d.result)), out


@pytest.mark.parametrize("fmt", FORMATS)
def test_chain_rule_is_shown_as_outer_at_inner_times_inner(fmt):
    d = symdiff.derive("sin(x^2)", "x")
    out = rendered(d, fmt)
    show = FORMATS[fmt]
    outer, inner = show(parse("cos(x^2)")), show(parse("2*x"))
    assert re.search(re.escape(outer) + r".{0,40}" + re.escape(inner), out, re.S), out  # f'(g)*g'
    assert shows_before(out, outer, show(d.result))


def test_the_issue_example_on_the_command_line(capsys):
    assert main(["diff", "x^2*sin(x)", "--steps"]) == 0
    lines = capsys.readouterr().out.splitlines()
    product = lines.index("  d/dx (x^2*sin(x)) = 2*x*sin(x) + x^2*cos(x)")
    assert lines[product + 1].startswith("4. Simplify: ")  # simplification is its own step ...
    assert "pull out a common factor" in lines[product + 1]  # ... that says what it did
    assert lines[-1] == "= x*(x*cos(x) + 2*sin(x))"


def test_inner_product_is_assembled_then_simplified_when_shorter():
    text = symdiff.derive("sin(x*ln(x))", "x").render()
    assert "d/dx (x*ln(x)) = ln(x) + x/x = ln(x) + 1" in text


# ------------------------------------------------------ steps never step back


@pytest.mark.parametrize("text", ["x^x", "x^sin(x)", "x*ln(x)", "x^2*sin(x)", "sin(x)/x",
                                  "log_2(x^2 + 1)", "sigmoid(w*x + b)", "(x+1)^2*(x+2)^3/(x+3)^4"])
def test_simplification_starts_from_what_the_steps_showed(text):
    x = "w" if "w" in text else "x"
    d = symdiff.derive(text, x)
    root, simplified = d.steps[0], d.steps[1]
    assert simplified.expr is displayed(root)


def test_x_to_the_x_does_not_return_to_x_over_x():
    out = symdiff.derive("x^x", "x").render()
    after = out.split("y'/y = ln(x) + 1")[1]
    assert "x/x" not in after
    assert out.rstrip().endswith("= x^x*(ln(x) + 1)")


# ---------------------------------------------- logarithmic differentiation

LOG_CASE = "(x+1)^2*(x+2)^3/(x+3)^4"
FACTORED = "(x + 1)*(x + 2)^2*(x^2 + 10*x + 13)/(x + 3)^5"


def test_log_method_writes_the_three_lines_of_the_article(capsys):
    assert main(["diff", LOG_CASE, "--steps", "--method", "log"]) == 0
    out = capsys.readouterr().out
    lines = [line.strip() for line in out.splitlines()]
    logs = next(k for k, line in enumerate(lines) if line.startswith("ln(y) = "))
    assert lines[logs].startswith("ln(y) = 2*ln(x + 1) + 3*ln(x + 2) - 4*ln(x + 3)   (take logarithms")
    ratio = lines.index("y'/y = 2/(x + 1) + 3/(x + 2) - 4/(x + 3)   (differentiate both sides)")
    solved = lines[ratio + 1]
    assert solved.startswith("y' = y * (2/(x + 1) + 3/(x + 2) - 4/(x + 3)) = ")
    assert logs < ratio
    assert lines[-1] == "= " + FACTORED


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_log_method_in_every_format_and_language(fmt, lang):
    d = symdiff.derive(LOG_CASE, "x", method="log", lang=lang)
    assert d.steps[0].rule == "logarithmic_product"
    assert d.result == parse(FACTORED)
    show = FORMATS[fmt]
    out = rendered(d, fmt, lang)
    t = LANGUAGES[lang]
    for maths in ("2*ln(x + 1) + 3*ln(x + 2) - 4*ln(x + 3)", "2/(x + 1) + 3/(x + 2) - 4/(x + 3)"):
        assert show(parse(maths)) in out
    for phrase in ("logarithmic_product", "both_sides", "solve"):
        assert t[phrase] in out or t[phrase].replace('"', "&quot;") in out
    assert show(parse(FACTORED)) in out


@pytest.mark.parametrize(
    "text,                 method, rule",
    [
        ("x^x",                "auto", "logarithmic_differentiation"),
        ("x^x",                "log",  "logarithmic_differentiation"),
        ("x^x",                "rules", "power_as_exp"),
        (LOG_CASE,             "auto", "quotient"),
        (LOG_CASE,             "log",  "logarithmic_product"),
        (LOG_CASE,             "rules", "quotient"),
        ("(x+1)^5",            "log",  "logarithmic_product"),
        ("3*(x+1)^2*(x-1)",    "log",  "constant_multiple"),  # logarithms of the part in x
        ("sin(x)",             "log",  "trig"),               # nothing to take logarithms of
        ("2^x",                "log",  "exp_base"),
    ],
)
def test_method_picks_the_rule_and_keeps_the_result(text, method, rule):
    d = symdiff.derive(text, "x", method=method)
    assert d.steps[0].rule == rule
    assert d.result == symdiff.diff(text, "x", method=method) == symdiff.diff(text, "x")


def test_log_method_applies_to_the_part_in_x():
    step = symdiff.derive("3*(x+1)^2*(x-1)", "x", method="log").steps[0]
    (inner,) = step.substeps
    assert inner.rule == "logarithmic_product" and inner.expr == parse("(x+1)^2*(x-1)")
    assert inner.substeps[0].expr == parse("ln(x - 1) + 2*ln(x + 1)")  # the factors' own order


def test_auto_offers_logarithms_for_products_and_quotients_of_powers():
    offer = LANGUAGES["en"]["offer_log"]
    assert offer in symdiff.derive(LOG_CASE, "x").render()
    assert offer in symdiff.derive("x^2*(x+1)^3/sqrt(x-1)", "x").render()
    assert LANGUAGES["ja"]["offer_log"] in symdiff.derive(LOG_CASE, "x").render(lang="ja")
    for text in ("x^2*sin(x)", "x^x", "sin(x)/x"):
        assert offer not in symdiff.derive(text, "x").render()
    assert offer not in symdiff.derive(LOG_CASE, "x", method="log").render()
    assert offer not in symdiff.derive(LOG_CASE, "x", method="rules").render()


def test_unknown_method_is_an_error(capsys):
    with pytest.raises(symdiff.DifferentiationError, match="unknown method"):
        symdiff.derive("x^2", "x", method="logs")
    with pytest.raises(symdiff.DifferentiationError, match="unknown method"):
        symdiff.diff("x^2", "x", method="chain")
    with pytest.raises(SystemExit) as exit_:
        main(["diff", "x^2", "--method", "logs"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'logs'" in err and "Traceback" not in err


# ---------------------------------------------------------- factored results


@pytest.mark.parametrize(
    "text,                       expected",
    [
        (LOG_CASE,                    FACTORED),
        ("x^2*(x+1)^3/sqrt(x-1)",     "x*(x + 1)^2*(9*x^2 - 7*x - 4)/(2*(x - 1)^(3/2))"),
        ("(x+1)^2*(x+2)^3",           "(x + 1)*(x + 2)^2*(5*x + 7)"),
        ("x*(x+1)^2",                 "(x + 1)*(3*x + 1)"),
        ("x^5*(1-x)^5",               "5*x^4*(1 - 2*x)*(x - 1)^4"),   # (1 - x) and (x - 1) are one factor
        ("(3x-2)^4*(x+5)^3/(2x+1)^2", "(x + 5)^2*(3*x - 2)^3*(30*x^2 + 77*x + 94)/(2*x + 1)^3"),
        ("(x+1)*(x+2)*(x+3)",         "3*x^2 + 12*x + 11"),             # no common factor: expanded is smaller
    ],
)
def test_products_and_quotients_keep_their_factors(text, expected, capsys):
    assert main(["diff", text]) == 0
    assert capsys.readouterr().out.strip() == expected


def _sum_degree(e) -> int:
    """The highest degree in x of a sum factor of `e`, multiplied out."""
    top = 0
    for node in postorder(e):
        if type(node) is Add:
            for t in node.terms:
                d = 0
                for f in t.factors if type(t) is Mul else (t,):
                    base, k = (f.base, f.exp) if type(f) is Pow else (f, Num(1))
                    if type(base) is Sym and type(k) is Num:
                        d += int(k.value)
                top = max(top, d)
    return top


@pytest.mark.parametrize("text", ["(x+1)^2*(x+2)^3/(x+3)^4", "(x+1)^5*(x-1)^4/(x^2+1)^3",
                                  "(x^2 - 1)^4*(x+2)^2", "(2x+1)^3/(x-1)^2", "x^3*(x-1)^4"])
def test_a_product_of_powers_is_never_expanded_to_a_higher_degree(text):
    # the largest polynomial left multiplied out is of lower degree than the product
    e, d = symdiff.parse(text), symdiff.diff(text, "x")
    assert _sum_degree(d) < sum(_sum_degree(f.base if type(f) is Pow else f) * int(
        f.exp.value if type(f) is Pow else 1) for f in e.factors if type(f) is not Num and (
        type(f) is not Pow or f.exp.value > 0))


def test_size_report_against_sympy_factor():
    pytest.importorskip("sympy")
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import factor_report

        rows = factor_report.compare()
    assert len(rows) >= 60
    larger = [(text, ours) for text, a, b, ours, _ in rows if a > b]
    assert not larger  # no larger than SymPy's factor(diff(f)) on any product or quotient


# --------------------------------------------------------------------- forms

GELU = "0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x^3)))"


def test_decimals_typed_as_decimals_print_as_decimals():
    d = symdiff.diff(GELU, "x")
    text = str(d)
    assert "0.044715" in text and "0.134145" in text and "/200000" not in text
    assert symdiff.parse(text) == d  # exact underneath: the same rational
    assert Num(symdiff.parse("0.044715").value) is symdiff.parse("8943/200000")
    for show in (symdiff.latex, symdiff.pretty, symdiff.mathml):
        assert "0.044715" in show(d)
    assert symdiff.latex(parse("0.01*x^2")) == "0.01 x^{2}"
    assert str(symdiff.parse("x/2")) == "x/2"  # no shorter as 0.5*x: stays a fraction
    assert str(symdiff.parse("x/10")) == "x/10"  # one decimal place: the fraction reads better


def test_conventional_signs_of_the_cross_entropy_gradient():
    assert str(symdiff.diff("-(t*ln(y) + (1-t)*ln(1-y))", "y")) == "(y - t)/(y*(1 - y))"
    assert str(symdiff.diff("-ln(1-x)", "x")) == "1/(1 - x)"
    assert str(symdiff.diff("ln(x-1)", "x")) == "1/(x - 1)"  # nothing to trade the sign with


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_high_order_derivatives_share_one_normal_form():
    # The 30th derivative used to mix x^x*(ln(x) + 1)^19 terms with multiplied-out ones.
    shift = symdiff.parse("ln(x) + 1")
    for n in (8, 14, 20, 30):
        d = symdiff.diff("x^x", "x", order=n)
        assert type(d) is Mul and d.factors[0] == symdiff.parse("x^x"), (n, str(d)[:80])
        inner = d.factors[-1]
        assert type(inner) is Add and len(inner.terms) > 8
        nodes = list(postorder(inner))
        # a polynomial in ln(x) + 1 and 1/x: ln(x) only ever inside ln(x) + 1
        sums = [p for p in nodes if any(type(c) is Log for c in p.args)]
        assert sums and all(p == shift for p in sums), (n, [str(p) for p in sums if p != shift][:3])
        assert Pow(shift, Num(n)) in nodes  # the leading term (ln(x) + 1)^n


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_thirtieth_derivative_of_x_to_the_x_has_the_right_value():
    sympy = pytest.importorskip("sympy")
    s = sympy.Symbol("x", positive=True)
    want = float(sympy.diff(s**s, s, 30).subs(s, sympy.Rational(13, 10)).evalf(30))
    got = symdiff.evaluate(symdiff.diff("x^x", "x", order=30), {"x": 1.3})
    assert math.isclose(got, want, rel_tol=1e-9)


def test_sum_over_an_index_shows_its_own_index_and_bounds():
    d = symdiff.derive("sum_{k=1}^{K} (w*x_k - y_k)^2", "w")
    text = d.render()
    assert "Sum over an index: d/dx (sum_{k=1}^{K} u) = sum_{k=1}^{K} u'" in text
    assert "sum_{i=1}^{N}" not in text
    assert r"\sum_{k=1}^{K} u'" in d.render("latex")


# ------------------------------------------------------------- rewrite words


def test_rule_names_in_latex_steps_are_words():
    out = symdiff.derive("x*ln(x)", "x").render("latex")
    assert "add the exponents of equal bases" in out
    assert "textasciicircum" not in out
    md = symdiff.derive("x^2*sin(x)", "x").render("markdown")
    assert "Simplify: collect like terms, pull out a common factor" in md and "`" not in md


def test_every_rewrite_has_words_in_every_language():
    from symdiff.simplify import MULTIPLY_OUT, NORMAL_FORM, REWRITES

    names = {rw.name for rw in REWRITES} | {MULTIPLY_OUT, NORMAL_FORM}
    for lang, table in LANGUAGES.items():
        missing = names - table.keys()
        assert not missing, (lang, missing)


def test_a_rewrite_without_words_is_shown_as_code_not_escaped_text():
    from symdiff.printing.steps import LatexWriter, TextWriter

    assert LatexWriter("en").words_for("x^a -> y") == r"$\texttt{x\textasciicircum{}a -> y}$"
    assert TextWriter("en").words_for("collect like terms; x^a -> y") == "collect like terms, x^a -> y"


# ----------------------------------------------------------------- Japanese


def test_japanese_reads_as_a_textbook():
    ja = symdiff.derive("x^2*sin(x)", "x").render(lang="ja")
    assert "積の微分法：" in ja and "u = x^2、v = sin(x) とおく" in ja
    assert "式の整理（同類項の整理、共通因数のくくり出し）" in ja
    assert " を用いる" not in ja and "ここで" not in ja
    assert ja.startswith("x^2*sin(x) を x について微分する。")
    chain = symdiff.derive("sin(x^2)", "x").render(lang="ja")
    assert "合成関数の微分法" in chain and "u = x^2 とおく" in chain
    third = symdiff.derive("x^3", "x", order=2).render(lang="ja")
    assert "第 2 次導関数" in third


def test_every_language_names_the_new_rules():
    for table in LANGUAGES.values():
        assert {"logarithmic_product", "power_as_exp", "take_logs_of_product", "offer_log",
                "rewrite_as_exp"} <= table.keys()
    assert {r.name for r in RULES.values()} <= LANGUAGES["ja"].keys()

