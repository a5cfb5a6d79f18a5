"""Bugs that `mypy --strict` found (CI runs it on the whole package), kept fixed."""

import symdiff


def test_text_differentiated_by_a_variable_given_as_a_tree():
    x = symdiff.parse("x")
    assert symdiff.diff("x^2", x) == symdiff.diff("x^2", "x")
    assert symdiff.derive("sinx", x).result == symdiff.diff("sinx", "x")
    assert symdiff.diff("x^2*y", [x, "y"]) == symdiff.diff("x^2*y", ["x", "y"])
