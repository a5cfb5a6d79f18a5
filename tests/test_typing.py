"""Bugs that `mypy --strict` found (CI runs it on the whole package), kept fixed."""

import pytest

import symdiff


def test_text_differentiated_by_a_variable_given_as_a_tree():
    x = symdiff.parse("x")
    assert symdiff.diff("x^2", x) == symdiff.diff("x^2", "x")
    assert symdiff.derive("sinx", x).result == symdiff.diff("sinx", "x")
    assert symdiff.diff("x^2*y", [x, "y"]) == symdiff.diff("x^2*y", ["x", "y"])


def test_derivative_operator_by_a_constant_is_a_parse_error():
    # d/dpi once reached Sym-only code with a Const and raised AttributeError.
    for text in ("d/dpi x", "d/de e^x"):
        with pytest.raises(symdiff.ParseError, match="variable"):
            symdiff.parse(text)
