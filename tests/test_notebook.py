"""Jupyter display: the `_repr_*` methods, and the example notebook run by a real kernel."""

import json
import sys
from pathlib import Path

import pytest

import symdiff
from support.extras import need

NOTEBOOK = Path(__file__).parent.parent / "examples" / "symdiff_in_jupyter.ipynb"


def test_expr_displays_as_typeset_maths():
    e = symdiff.parse("log_2(x^2 + 1)")
    assert e._repr_latex_() == r"$\displaystyle \log_{2}\left(x^{2} + 1\right)$"


def test_derivation_displays_its_steps_in_its_language():
    assert symdiff.derive("x^x", "x")._repr_markdown_() == symdiff.derive("x^x", "x").render("markdown")
    ja = symdiff.derive("x^x", "x", lang="ja")
    assert ja.lang == "ja"
    assert ja._repr_markdown_() == ja.render("markdown", "ja") != ja.render("markdown", "en")


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_example_notebook_runs_under_a_kernel_and_displays_maths(tmp_path, monkeypatch):
    nbformat = need("nbformat", "notebook")
    nbclient = need("nbclient", "notebook")
    need("ipykernel", "notebook")
    # A kernel spec for this very interpreter, so the kernel imports this symdiff.
    spec = tmp_path / "kernels" / "symdiff-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "symdiff", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))

    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []  # assert on what this run displays, not on what was saved
    nbclient.NotebookClient(nb, timeout=120, kernel_name="symdiff-test",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o.data for o in outputs if o.output_type == "execute_result"]
    latex = [d["text/latex"] for d in shown if "text/latex" in d]
    markdown = [d["text/markdown"] for d in shown if "text/markdown" in d]
    f = symdiff.parse("log_2(x^2 + 1)")
    assert latex == [f._repr_latex_(), symdiff.diff(f, "x")._repr_latex_()]
    assert markdown == [symdiff.derive("x^x", "x").render("markdown"),
                        symdiff.derive("sigmoid(w*x + b)", "w").render("markdown", "ja")]
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    assert printed == "2x/((x² + 1)·ln 2)\n"
    # the plot cell draws a picture, and the lambdify cell computes sigmoid' on an array
    assert any("image/png" in d for d in [o.get("data", {}) for o in outputs])
    arrays = [d["text/plain"] for d in shown if d.get("text/plain", "").startswith("array(")]
    import numpy as np

    s = 1 / (1 + np.exp(-np.array([-2.0, 0.0, 2.0])))
    assert arrays == [repr(s * (1 - s))]
