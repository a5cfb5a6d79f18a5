"""KaTeX itself reads every formula of the article's four cross-entropy derivations
and of the step examples, in Markdown and LaTeX, English and Japanese.

Needs Node.js and the npm package katex (`.ci/run` installs it into .katex/);
elsewhere the test skips, saying how to install them.
"""

import json
import os
import re
import shutil
import subprocess

import pytest

import symdiff

from test_crossentropy import F1, F2, ONE_HOT, SOFTMAX
from test_steps_render import EXAMPLES, maths_of_markdown

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = os.environ.get("KATEX_MODULE", os.path.join(ROOT, ".katex", "node_modules", "katex"))
CHECK = os.path.join(ROOT, "tests", "katex", "check.js")

DERIVATIONS = [
    (F1, "y_{jl}", {}, []),
    (F2, "y_j", {}, []),
    (F2, "z_j", {"y_i": "sigmoid(z_i)"}, []),
    (F1, "z_{jl}", SOFTMAX, [ONE_HOT]),
]


def katex_errors(formulas: list[tuple[str, bool]]) -> list[str | None]:
    node = shutil.which("node")
    if node is None or not os.path.isdir(MODULE):
        if os.environ.get("CI"):
            pytest.fail("CI must install Node.js and katex (npm install --prefix .katex katex)")
        pytest.skip("needs Node.js and katex: npm install --prefix .katex katex@0.16")
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in formulas])
    out = subprocess.run([node, CHECK], input=payload, capture_output=True, text=True, check=True,
                         env={**os.environ, "KATEX_MODULE": MODULE}, timeout=120)
    return json.loads(out.stdout)


def formulas_of(d: symdiff.Derivation, lang: str) -> list[tuple[str, bool]]:
    md = d.render("markdown", lang)
    block = d.render("latex", lang)
    display = re.findall(r"\$\$\n(.*?)\n\$\$", md, re.S)
    inline = [m for m in maths_of_markdown(md) if m not in display]
    return [(m, True) for m in display] + [(m, False) for m in inline] + [(block, True)]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_katex_accepts_every_formula(lang):
    formulas: list[tuple[str, bool]] = []
    for expr, wrt, where, assume in DERIVATIONS:
        formulas += formulas_of(symdiff.derive(expr, wrt, where=where, assume=assume), lang)
    for text in EXAMPLES:
        formulas += formulas_of(symdiff.derive(text, "x"), lang)
    formulas += formulas_of(symdiff.derive("t_{ij}*z_{ij}", "z_{ij}"), lang)
    errors = katex_errors(formulas)
    rejected = [(tex[:200], err) for (tex, _), err in zip(formulas, errors) if err]
    assert not rejected, rejected


def test_katex_accepts_matrix_latex():
    """The matrix corpus as papers write it, each result symdiff prints, and printed forms
    that could go wrong (a double superscript, a sized identity, the ones)."""
    from support.matrix_corpus import CASES

    call = {"gradient": symdiff.diff, "jacobian": symdiff.jacobian, "hessian": symdiff.hessian}
    formulas = [(c.latex, True) for c in CASES]
    formulas += [(symdiff.latex(call[c.kind](c.text, c.wrt, shapes=c.shapes, symmetric=c.symmetric)), True)
                 for c in CASES]
    shapes = {"A": ("n", "n"), "x": ("n",)}
    for text in ("inv(A)^T", "inv(A)^2", "inv(A).^2", "(A^T)^2", "I(n)", "3*I(n)", "ones(1,n)*x", "ones(n)",
                 "exp(A)", "norm(A) + norm1(x)", "inv(inv(A)^T)"):
        formulas.append((symdiff.latex(symdiff.parse(text, shapes=shapes)), False))
    errors = katex_errors(formulas)
    rejected = [(tex[:200], err) for (tex, _), err in zip(formulas, errors) if err]
    assert not rejected, rejected
