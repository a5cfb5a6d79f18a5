"""The SymPy bridge: every textbook expression survives to_sympy and back, by value."""

import math

import pytest

import symdiff
from support.extras import need
from symdiff.expr import symbols

from support.textbook_table import TABLE

sympy = need("sympy", "sympy")

POINTS = (0.3, 0.7, 1.6, 2.9)


def values(e, var, other=None):
    out = []
    for x in POINTS:
        env = {str(s): 1.3 for s in symbols(e)}
        env[var] = x
        try:
            out.append(symdiff.evaluate(e, env))
        except symdiff.EvaluationError:
            out.append(None)
    return out


@pytest.mark.parametrize("f, var", sorted({(f, v) for f, v, _ in TABLE}))
def test_textbook_expressions_round_trip_by_value(f, var):
    e = symdiff.parse(f)
    s = symdiff.to_sympy(e)
    back = symdiff.from_sympy(s)
    for got, want in zip(values(back, var), values(e, var)):
        assert (got is None) == (want is None)
        assert got is None or math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-300)
    # and SymPy itself agrees on the value where it can compute one
    for x, want in zip(POINTS, values(e, var)):
        subs = {sympy.Symbol(str(n)): 1.3 for n in symbols(e)}
        subs[sympy.Symbol(var)] = x
        got = s.subs(subs).evalf()
        if want is not None and got.is_number and got.is_real:
            assert float(got) == pytest.approx(want, rel=1e-9), (f, x)


def test_sigmoid_softplus_and_undefined_functions_keep_their_names():
    e = symdiff.parse("sigmoid(x) + softplus(x) + f(x)")
    s = symdiff.to_sympy(e)
    assert {type(a).__name__ for a in s.args} == {"sigmoid", "softplus", "f"}
    assert symdiff.simplify(symdiff.from_sympy(s)) == symdiff.simplify(e)  # SymPy orders terms its own way


def test_sums_and_indexed_variables():
    e = symdiff.parse("sum_{i=1}^{N} t_i*ln(y_i)")
    s = symdiff.to_sympy(e)
    assert isinstance(s, sympy.Sum)
    assert symdiff.simplify(symdiff.from_sympy(s)) == symdiff.simplify(e)  # SymPy orders terms its own way


def test_sympy_only_forms_are_refused_clearly():
    with pytest.raises(symdiff.SymdiffError, match="no symdiff form"):
        symdiff.from_sympy(sympy.gamma(sympy.Symbol("x")))
