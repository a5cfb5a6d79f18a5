"""Adding a function is adding a row: a scratch copy of the package gets one more
row of `symdiff.functions` (`log1px`, a renamed log1p with its identity
`log1px(u) = ln(1 + u)` and a stable run-time helper), and nothing else is
edited.  A subprocess imports that copy and shows diff, evaluate, both
parsers, every printer, the steps in both languages and numpy/math/torch/jax
code working with the new row."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from support.extras import framework, need

ROOT = Path(__file__).resolve().parent.parent

# Inserted before the table; the row's NumPy helper lives beside it (a helper
# is copied into generated code by its source, so it may live in any module).
HELPER = '''
def _np_log1px(u):
    return np.log1p(u)


'''
ROW = '''
    Function("log1px", lambda u: pow_(add(ONE, u), NEG_ONE), math.log1p, r"\\mathrm{log1px}", "log1px",
             domain=ABOVE_MINUS_ONE, at_zero=ZERO, math="log1p", torch="torch.log1p", jax="jnp.log1p",
             definition=lambda u: ln(add(ONE, u)), helpers=(_np_log1px,)),
'''

CHECKS = r'''
import json, math, sys, warnings
warnings.simplefilter("ignore")
import symdiff
from symdiff import expr as E
from symdiff.functions import FUNCTIONS

parts = sys.argv[1].split(",")
assert symdiff.__file__.startswith(sys.argv[2]), symdiff.__file__  # the scratch copy, not the tree
x = E.sym("x")
e = symdiff.parse("log1px(x^2)")
small = 1e-12  # ln(1 + 1e-12) in floats is 1.000088900582341e-12; log1p gives 1e-12
out = {"checked": parts}
if "torch" in parts:
    import torch
    assert "torch.log1p" in symdiff.codegen(e, ["x"], backend="torch")
    t = symdiff.lambdify(e, ["x"], backend="torch")(torch.tensor([math.sqrt(small)], dtype=torch.float64))
    assert t.item() == math.log1p(small)
if "jax" in parts:
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    assert "jnp.log1p" in symdiff.codegen(e, ["x"], backend="jax")
    j = symdiff.lambdify(e, ["x"], backend="jax")(jnp.array([math.sqrt(small)], dtype=jnp.float64))
    assert float(j[0]) == math.log1p(small)

# both parsers, and the Unicode reader, build the row's node
assert e is E.func("log1px", E.pow_(x, E.TWO))
assert symdiff.parse(r"\mathrm{log1px}\left(x^{2}\right)") is e
assert symdiff.parse(r"\operatorname{log1px}(x^2)") is e
# every printer writes it, and what plain, LaTeX and Unicode write reads back
out["plain"], out["latex"] = str(e), symdiff.latex(e)
out["unicode"], out["mathml"] = symdiff.pretty(e), symdiff.mathml(e)
for text in (out["plain"], out["latex"], out["unicode"]):
    assert symdiff.parse(text) is e, text
assert "log1px" in out["mathml"]

# diff: the row's derivative, simplified as log1p's is
d = symdiff.diff(e, "x")
assert str(d) == str(symdiff.diff("log1p(x^2)", "x")).replace("log1p", "log1px"), d
assert symdiff.equals(d, "2*x/(1 + x^2)")
# evaluate: the value column, and the domain column refusing
assert symdiff.evaluate("log1px(x)", {"x": 1e-12}) == math.log1p(1e-12)
try:
    symdiff.evaluate("log1px(x)", {"x": -2.0})
    raise AssertionError("log1px(-2) has no value")
except symdiff.EvaluationError:
    pass
# the simplifier: the identity e^(k*log1px(u)) = (1 + u)^k, read from the definition
assert str(symdiff.simplify(symdiff.parse("exp(log1px(x))"))) == "x + 1"
assert str(symdiff.simplify(symdiff.parse("exp(2*log1px(x))"))) == "(x + 1)^2"
assert symdiff.simplify(symdiff.parse("log1px(0)")) is E.ZERO  # at_zero

# steps in both languages: a language without a phrase for the row titles it by its name
for lang in ("en", "ja"):
    d2 = symdiff.derive("log1px(x^2)", "x", lang=lang)
    assert d2.result is d
    for fmt in ("text", "markdown", "latex"):
        text = d2.render(fmt)
        assert "log1px" in text, (lang, fmt)
    out["steps_" + lang] = d2.render("text")

# code: the stable spelling or helper of each backend, never ln(1 + u)
import numpy as np
src = symdiff.codegen(e, ["x"], backend="numpy")
assert "def _np_log1px(u):" in src and "np.log1p" in src, src
f = symdiff.lambdify(e, ["x"], backend="numpy")
assert np.allclose(f(np.array([math.sqrt(small), 1.0])), [math.log1p(small), math.log1p(1.0)], rtol=1e-15, atol=0)
assert symdiff.lambdify(e, ["x"], backend="math")(math.sqrt(small)) == math.log1p(small)
assert "math.log1p" in symdiff.codegen(e, ["x"], backend="python")
g = symdiff.lambdify(d, ["x"], backend="numpy")
assert np.allclose(g(np.array([0.5, 2.0])), [1.0 / 1.25, 4.0 / 5.0])
print(json.dumps(out))
'''


def _scratch_copy(tmp_path: Path) -> Path:
    """The package and its grammar, copied; only functions.py is then edited."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "symdiff", tmp_path / "symdiff", ignore=ignore)
    shutil.copytree(ROOT / "grammar", tmp_path / "grammar", ignore=ignore)
    table = tmp_path / "symdiff" / "functions.py"
    text = table.read_text(encoding="utf-8")
    start, end = "\nROWS: tuple[Function, ...] = (\n", "\n)\n\n\nFUNCTIONS: dict[str, Function]"
    assert text.count(start) == 1 and text.count(end) == 1, "the table's shape changed: update this test"
    text = text.replace(start, "\n" + HELPER + start).replace(end, ROW.rstrip("\n") + end)
    table.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> dict[str, object]:
    """The checks, run once in a fresh interpreter from the scratch copy (its folder
    comes first on sys.path, before the tree the tests were started from)."""
    need("numpy", "numpy")
    root = _scratch_copy(tmp_path_factory.mktemp("scratch"))
    changed = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
               and p.read_bytes() != (ROOT / p.relative_to(root)).read_bytes()]
    assert changed == ["symdiff/functions.py"]  # the one edit
    (root / "checks.py").write_text(textwrap.dedent(CHECKS), encoding="utf-8")
    # torch and jax when importable (CI has both; the tests below skip, with a reason, elsewhere)
    parts = ["core"] + [m for m in ("torch", "jax") if os.environ.get("CI") or importlib.util.find_spec(m)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, str(root / "checks.py"), ",".join(parts), str(root)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_a_new_row_works_everywhere_with_no_other_edit(checked):
    assert checked["plain"] == "log1px(x^2)"
    assert checked["latex"] == r"\mathrm{log1px}\left(x^{2}\right)"
    assert checked["unicode"] == "log1px(x²)"
    assert "log1px" in checked["steps_en"] and "log1px" in checked["steps_ja"]


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
@pytest.mark.parametrize("module", ["torch", "jax"])
def test_a_new_row_has_framework_code(checked, module):
    framework(module)  # required in CI; elsewhere skipped, with a reason, when not installed
    assert module in checked["checked"]


def test_a_missing_phrase_is_the_rows_name(monkeypatch):
    """A language without a function's phrase titles its step by the row's name."""
    import symdiff
    from symdiff import languages

    table = dict(languages.JA)
    del table["sigmoid"]
    monkeypatch.setitem(languages.LANGUAGES, "ja", table)
    languages.words.cache_clear()
    try:
        text = symdiff.derive("sigmoid(x^2)", "x", lang="ja").render("text")
    finally:
        languages.words.cache_clear()
    assert "sigmoid：d/du sigmoid(u)" in text
    assert languages.JA["sigmoid"] not in text


# Modules that read the table's columns; none of them may name a function in code.
READERS = ["simplify.py", "generate.py", "parse.py", "plotting.py", "diff.py", "evaluate.py", "unicode_input.py",
           "printing/latex.py", "printing/mathml.py", "printing/unicode.py", "printing/plain.py", "printing/steps.py"]


@pytest.mark.parametrize("module", READERS)
def test_no_function_is_named_outside_its_row(module):
    """No string literal in the code is a row's name or alias (docstrings and
    comments may show examples): the facts are read from the rows."""
    import io
    import tokenize

    from symdiff.functions import ROWS

    names = {spelling for row in ROWS for spelling in (row.name, *row.aliases)}
    source = (ROOT / "symdiff" / module).read_text(encoding="utf-8")
    named = [(tok.start[0], tok.string) for tok in tokenize.generate_tokens(io.StringIO(source).readline)
             if tok.type == tokenize.STRING and tok.string.strip("'\"") in names]
    assert not named


def test_every_function_helper_is_in_its_row():
    """A run-time helper named for a row (`_np_sigmoid`) is listed in that row's
    `helpers`, so codegen finds it; and every listed helper is named for its row."""
    from symdiff import runtime
    from symdiff.functions import FUNCTIONS, ROWS

    prefixes = ("_math_", "_np_", "_torch_", "_jax_")
    for name in dir(runtime):
        prefix = next((p for p in prefixes if name.startswith(p)), None)
        if prefix is not None and name[len(prefix):] in FUNCTIONS:
            assert getattr(runtime, name) in FUNCTIONS[name[len(prefix):]].helpers, name
    for row in ROWS:
        for helper in row.helpers:
            assert any(helper.__name__ == p + row.name for p in prefixes), (row.name, helper.__name__)
