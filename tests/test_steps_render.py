"""Rendering of derivations: text, Markdown and LaTeX, English and Japanese, and the CLI."""

import re
import subprocess
import sys

import pytest

import symdiff
from symdiff.cli import main
from symdiff.diff import CHAIN, RULES
from symdiff.printing.steps import LatexTerms, TextWriter
from symdiff.languages import LANGUAGES

EXAMPLES = ["log_2(x)", "log_10(x^2+1)", "x^x", "x^sin(x)", "sigmoid(w*x + b)", "log_2(x^2+1)",
            "log_x(y)", "sin(x^2)/x", "sqrt(1 + x^2)*exp(-x)", "sin(x^2) + cos(x^2)", "atan(softplus(x))"]

# Every LaTeX command the renderers and the expression printer may emit.
KNOWN_COMMANDS = {
    "frac", "left", "right", "cdot", "quad", "qquad", "text", "textbf", "texttt", "intertext",
    "tag", "begin", "end", "textasciicircum", "ln", "log", "exp", "sin", "cos", "tan", "cot", "sec", "csc",
    "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "coth", "sigma", "operatorname", "sqrt",
    "pi", "mathrm", "lvert", "rvert", "delta", "sum", "{", "}", "_", "^", ",", " ", "!", "\\",
}


def balanced(text: str) -> bool:
    depth = 0
    for c in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def commands(text: str) -> set[str]:
    return set(re.findall(r"\\([A-Za-z]+|.)", text))


def maths_of_markdown(md: str) -> list[str]:
    return re.findall(r"\$\$\n(.*?)\n\$\$", md, re.S) + re.findall(r"(?<!\$)\$([^$\n]+)\$(?!\$)", md)


@pytest.mark.parametrize("text", EXAMPLES)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_latex_and_markdown_are_well_formed(text, lang):
    d = symdiff.derive(text, "x")
    latex, md = d.render("latex", lang), d.render("markdown", lang)
    for out in (latex, md):
        assert balanced(out)
        assert commands(out) <= KNOWN_COMMANDS, commands(out) - KNOWN_COMMANDS
        assert out.count(r"\left") == out.count(r"\right")
    assert latex.startswith("\\begin{align*}\n") and latex.endswith("\n\\end{align*}")
    assert not latex.rstrip().endswith(r"\\" + "\n\\end{align*}")
    assert md.count("$$") % 2 == 0
    tags = [int(n) for n in re.findall(r"\\tag\{(\d+)\}", md)]
    assert tags == list(range(1, len(tags) + 1))


@pytest.mark.parametrize("text", EXAMPLES)
def test_markdown_maths_parse_with_matplotlib_mathtext(text):
    mathtext = pytest.importorskip("matplotlib.mathtext")
    parser = mathtext.MathTextParser("agg")
    for maths in maths_of_markdown(symdiff.derive(text, "x").render("markdown")):
        # mathtext is an inline-maths subset: no \tag, and \text is \mathrm there.
        inline = re.sub(r"\\tag\{\d+\}", "", maths).replace(r"\text{", r"\mathrm{").replace("\n", " ")
        parser.parse(f"${inline}$")


@pytest.mark.parametrize("formula", [CHAIN, *(r.formula for r in RULES.values())])
def test_every_rule_formula_prints_as_latex_and_text(formula):
    out = LatexTerms("en").formula(formula)
    assert balanced(out)
    assert commands(out) <= KNOWN_COMMANDS, commands(out) - KNOWN_COMMANDS
    assert "_" not in re.sub(r"_\{[^{}]*\}", "", out)  # a subscript always has braces
    assert str(formula.rhs) in TextWriter("en").formula(formula)


def test_rule_formulas_print_through_the_printers():
    writer = LatexTerms("en")
    assert writer.formula(RULES["log_base"].formula) == r"\frac{d}{du} \log_{b} u = \frac{1}{u \ln b}"
    assert writer.formula(RULES["power"].formula) == r"\frac{d}{du} u^{n} = n u^{n - 1}"
    assert TextWriter("en").formula(RULES["quotient"].formula) == "d/dx (u/v) = (u'*v - u*v')/v^2"


def lines(text: str, wrt: str = "x", **kw) -> list[str]:
    return symdiff.derive(text, wrt).render("text", **kw).splitlines()


def test_log_base_with_chain_rule_fits_in_twenty_lines():
    out = lines("log_2(x^2+1)")
    assert len(out) < 20
    text = "\n".join(out)
    assert "Chain rule" in text and "with u = x^2 + 1" in text
    assert "Logarithm rule, base b: d/du log_b(u) = 1/(u*ln(b)), with b = 2" in text
    assert "d/dx (x^2 + 1) = 2*x" in text  # the inner derivative
    assert out[-1] == "= " + str(symdiff.diff("log_2(x^2+1)", "x"))  # the answer, once
    assert sum(line.endswith(out[-1][2:]) for line in out) == 1


def test_logarithmic_differentiation_reads_as_in_textbooks():
    text = "\n".join(lines("x^x"))
    for expected in ["y = x^x", "ln(y) = x*ln(x)", "y'/y = ln(x) + 1",
                     "y' = y * (ln(x) + 1)\n= x^x*(ln(x) + 1)"]:
        assert expected in text
    assert "x/x" not in text.split("y'/y")[1]  # no step back to the raw form
    ja = "\n".join(lines("x^x", lang="ja"))
    assert "対数微分法" in ja and "積の微分" in ja and "両辺を微分する" in ja


def test_fresh_names_per_chain_level_skip_names_in_use():
    text = "\n".join(lines("sin(cos(tan(x^2)))"))
    assert "with u = cos(tan(x^2))" in text and "with v = tan(x^2)" in text
    assert "with w = x^2" in text
    taken = "\n".join(lines("sigmoid(u*x + v)"))  # u and v are the expression's own
    assert "with w = u*x + v" in taken


def test_repeated_subexpression_is_referred_to():
    text = "\n".join(lines("sin(x^2) + cos(x^2)"))
    assert text.count("d/dx x^2 = 2*x") == 2
    first = next(line for line in text.splitlines() if "d/dx x^2 = 2*x" in line)
    assert re.search(r"\(step \d+\)", text) and "(step" not in first


def test_trivial_steps_fold_unless_verbose():
    assert "Variable rule" not in "\n".join(lines("x^2 + 1"))
    verbose = symdiff.derive("x^2 + 1", "x", verbose=True).render()
    assert "Variable rule" in verbose and "d/dx x = 1" in verbose


def test_change_of_base_is_shown():
    text = "\n".join(lines("log_x(y)"))
    assert "Change of base: log_b(u) = ln(u)/ln(b), with b = x, u = y" in text
    assert "log_x(y) = ln(y)/ln(x)" in text


def test_every_language_names_every_rule_and_phrase():
    rules = {r.name for r in RULES.values()} | {"chain", "simplify", "assume", "substitute", "name_again"}
    for lang, table in LANGUAGES.items():
        assert rules <= table.keys(), (lang, rules - table.keys())
        assert table.keys() == LANGUAGES["en"].keys(), lang  # no key falls back to English


def test_unknown_format_and_language_are_errors():
    d = symdiff.derive("x^2", "x")
    with pytest.raises(symdiff.SymdiffError):
        d.render("html")
    with pytest.raises(ValueError):
        d.render("text", lang="xx")


def test_cli_steps_formats_and_language(capsys):
    assert main(["diff", "x^x", "--steps", "--lang", "ja"]) == 0
    assert "対数微分法" in capsys.readouterr().out
    assert main(["diff", "log_2(x)", "--steps", "--format", "markdown"]) == 0
    assert "\\tag{1}" in capsys.readouterr().out
    assert main(["diff", "log_2(x)", "--steps", "--format", "latex"]) == 0
    assert capsys.readouterr().out.startswith("\\begin{align*}")
    assert main(["diff", "log_2(x)", "--format", "latex"]) == 0
    assert capsys.readouterr().out.strip() == symdiff.latex(symdiff.diff("log_2(x)", "x"))
    assert main(["diff", "log_2(x)", "--format", "markdown"]) == 2
    err = capsys.readouterr().err
    assert "needs --steps" in err and "Traceback" not in err


@pytest.mark.parametrize("script", ["log2_x", "log10_x2_plus_1", "x_to_the_x", "x_to_the_sin_x",
                                    "sigmoid_neuron"])
def test_example_scripts_run(script):
    out = subprocess.run([sys.executable, f"examples/steps_{script}.py"], capture_output=True,
                         text=True, check=True, cwd=__file__.rsplit("/tests/", 1)[0]).stdout
    assert "1. " in out and out.rstrip().splitlines()[-1].startswith("= ")
