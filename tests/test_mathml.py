"""The MathML printer: well-formed XML, the layout of each node, spellings from the function table."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given

import symdiff
from symdiff import expr as X
from symdiff.functions import FUNCTIONS
from symdiff.printing.mathml import NAMESPACE, mathml

from support.strategies import exprs

M = "{%s}" % NAMESPACE


def tree(text: str) -> ET.Element:
    root = ET.fromstring(mathml(symdiff.parse(text)))
    assert root.tag == M + "math"
    return root


def text_of(el: ET.Element) -> str:
    """Visible characters in order, without the invisible operators."""
    return "".join(el.itertext()).replace("\u2061", "").replace("\u2062", "")


def find(root: ET.Element, tag: str) -> list[ET.Element]:
    return root.findall(f".//{M}{tag}")


@given(exprs())
def test_every_tree_prints_well_formed_xml(e):
    root = ET.fromstring(mathml(e))
    assert root.tag == M + "math"


def test_every_node_type_has_a_case():
    samples = [symdiff.parse(t) for t in
               ["2", "pi", "x", "y_i", "x + 1", "2x", "x^3", "sin(x)", "ln(x)",
                "sum_{i=1}^{N} y_i", "delta(i, j)"]]
    samples.append(X.derivative(symdiff.parse("x^2"), X.sym("x")))  # the reader's; the pipeline evaluates it
    v, w = X.sym("v", kind=X.vector("n")), X.sym("w", kind=X.vector("n"))
    samples += [X.transpose(v), X.hadamard(v, w), X.hadamard_pow(v, X.num(3)), X.identity("n")]  # vectors, matrices
    assert {type(s) for s in samples} == set(X.NODE_TYPES)
    for s in samples:
        ET.fromstring(mathml(s))


def test_quotient_is_a_fraction_with_bare_log():
    root = tree(str(symdiff.diff("log_2(x)", "x")))
    (frac,) = find(root, "mfrac")
    num, den = list(frac)
    assert text_of(num) == "1"
    assert text_of(den) == "xln2"
    assert "(" not in text_of(root)


@pytest.mark.parametrize("text, tag, visible", [
    ("x^2", "msup", "x2"),
    ("exp(x)", "msup", "ex"),
    ("sqrt(x + 1)", "msqrt", "x+1"),
    ("y_{ik}", "msub", "yik"),
    ("log_2(x)", "msub", "log2x"),
    ("sum_{i=1}^{N} y_i", "munderover", "\u2211i=1Nyi"),
])
def test_layout_elements(text, tag, visible):
    root = tree(text)
    assert find(root, tag)
    assert text_of(root) == visible


@pytest.mark.parametrize("text, visible", [
    ("(x + 1)^2", "(x+1)2"),
    ("(-2)^x", "(\u22122)x"),
    ("2*(x + 1)", "2(x+1)"),
    ("x - (y - 1)", "x\u2212(y\u22121)"),
    ("-x^2", "\u2212x2"),
])
def test_brackets_only_where_precedence_needs_them(text, visible):
    assert text_of(tree(text)) == visible


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_spelling_comes_from_the_table(name):
    row = FUNCTIONS[name]
    visible = text_of(tree(f"{name}({', '.join(['x + 1'] * row.arity)})"))
    if row.arity == 2:
        assert visible == f"{row.symbol}(x+1,x+1)"
    elif "{}" in row.symbol:
        before, _, after = row.symbol.partition("{}")
        assert visible == f"{before}x+1{after}"
    else:
        assert visible == f"{row.symbol}(x+1)"


def test_sigmoid_is_sigma():
    assert text_of(tree("sigmoid(z)")) == "\u03c3(z)"


def test_undefined_function_and_its_derivative():
    root = tree(str(symdiff.diff("f(x^2)", "x")))
    assert "f\u2032(x2)" in text_of(root)
    assert find(root, "msup")


def test_greek_names_and_pi():
    terms = text_of(tree("theta + Omega + pi + lambda")).split("+")
    assert sorted(terms) == sorted(["\u03b8", "\u03a9", "\u03c0", "\u03bb"])


def test_display_attribute():
    e = symdiff.parse("x")
    assert 'display="block"' in mathml(e, display="block")
    assert "display" not in mathml(e)
    with pytest.raises(ValueError):
        mathml(e, display="wide")


def test_public_name():
    assert symdiff.mathml(symdiff.parse("x^2")) == mathml(symdiff.parse("x^2"))


def test_cli_format_mathml():
    out = subprocess.run([sys.executable, "-m", "symdiff", "diff", "log_2(x)", "--format", "mathml"],
                         capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(out)
    assert root.get("display") == "block"
    assert find(root, "mfrac")


def test_primed_names_in_steps_get_a_prime():
    root = ET.fromstring(mathml(X.sym("y'")))
    (sup,) = find(root, "msup")
    assert text_of(sup) == "y\u2032"
