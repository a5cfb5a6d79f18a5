"""Every output reads back: latex() and str() of trees over awkward names parse
back to the same tree (Greek, decorated, multi-letter and indexed names, names
that collide with constants or delta, undefined functions, powers of powers)."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from symdiff import expr as E
from symdiff import latex, parse
from symdiff.errors import ParseError, ReadingNote

from support.strategies import exprs

i, j, k = E.sym("i"), E.sym("j"), E.sym("k")
NAMES = [
    E.sym("theta"), E.sym("Pi"), E.sym("lambda"), E.sym("sigma"), E.sym("Delta"),
    E.sym("pi", i), E.sym("e", j), E.sym("delta", i), E.sym("delta", i, j), E.sym("pi"), E.sym("e"),
    E.sym("yhat"), E.sym("yhat", i), E.sym("xbar"), E.sym("ztilde"), E.sym("xdot"), E.sym("wbold"),
    E.sym("thetabold"), E.sym("wboldhat", j), E.sym("Lcal"), E.sym("ell"), E.sym("y'"), E.sym("f''"),
    E.sym("lr"), E.sym("loss"), E.sym("x1"), E.sym("y", E.sym("ab"), E.sym("c")),
    E.sym("t", i, k), E.sym("z", E.num(10), i), E.sym("y", E.sym("theta")), E.sym("a"), E.sym("f"),
    E.sym("what"), E.sym("rate", i), E.sym("h", i), E.sym("phi", j),
]
FUNCTION_NAMES = ["f", "g", "h'", "phi", "Psi", "a", "lambda", "loss", "F'", "sigma"]


def rename(e: E.Expr, x: E.Expr, y: E.Expr) -> E.Expr:
    return E.replace_subtrees(e, {E.sym("x"): x, E.sym("y"): y})


@st.composite
def named_exprs(draw) -> E.Expr:
    e = rename(draw(exprs(max_leaves=6)), draw(st.sampled_from(NAMES)), draw(st.sampled_from(NAMES)))
    wrap = draw(st.integers(0, 4))
    if wrap == 1:
        e = E.func(draw(st.sampled_from(FUNCTION_NAMES)), e)
    elif wrap == 2:
        index = draw(st.sampled_from([E.sym("theta"), i, E.sym("m")]))
        e = E.summation(E.mul(e, E.sym("x", index)), index, E.ONE, E.num(3))
    elif wrap == 3:
        e = E.pow_(E.exp(e), draw(st.sampled_from(NAMES)))
    elif wrap == 4:
        e = E.mul(draw(st.sampled_from(NAMES)), E.add(e, E.ONE))
    return e


def quietly(text: str, syntax: str | None = None) -> E.Expr:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReadingNote)  # printed output never needs a note
        return parse(text, syntax=syntax)


ROUND_TRIP_EXAMPLES = [
    E.pow_(E.exp(E.sym("x")), E.sym("y")),
    E.mul(E.delta(i, j), E.sym("x")),
    E.mul(E.sym("delta", i, j), E.sym("x")),
    E.summation(E.sym("theta"), E.sym("theta"), E.ONE, E.num(3)),
    E.sym("y", E.sym("ab"), E.sym("c")),
    E.mul(E.sym("a"), E.add(E.sym("x"), E.ONE)),
    E.func("f'", E.sym("x")),
    E.pow_(E.pow_(E.sym("x"), E.num(1) / E.num(3)), E.sym("y")),
    E.mul(E.sym("g", i), E.add(E.sym("x"), E.ONE)),
    E.mul(E.sym("phi", i), E.add(E.sym("x"), E.ONE)),
]


@pytest.mark.parametrize("e", ROUND_TRIP_EXAMPLES, ids=str)
def test_examples_read_back(e):
    assert quietly(latex(e), syntax="latex") == e
    assert parse(str(e)) == e


@given(named_exprs())
@example(E.pow_(E.exp(E.sym("x")), E.sym("y")))
@example(E.mul(E.sym("pi", i), E.sym("Pi")))
@example(E.func("lambda", E.sym("theta")))  # printed \operatorname{\lambda}: no note on reading back
@example(E.sym("delta", E.sym("k"), E.num(2)))  # _{k2}: 2 is an index, not a factor
def test_latex_round_trip_with_names(e):
    text = latex(e)
    assert quietly(text, syntax="latex") == e  # \operatorname{atan2}\left(y, x\right) included
    if "\\" not in text and not _plain_unspellable(e):
        assert quietly(text) == e


def _plain_unspellable(e):
    """Names plain text reads as constants: e, pi, and E, Pi (with a note)."""
    return any(type(s) is E.Sym and not s.indices and s.name in ("e", "pi", "E", "Pi") for s in E.postorder(e))


@given(named_exprs())
@example(E.summation(E.mul(E.sym("theta"), E.sym("x", E.sym("theta"))), E.sym("theta"), E.ONE, E.num(3)))
@example(E.func("a", E.sym("theta")))  # no plain spelling: skipped, not misread
def test_plain_round_trip_with_names(e):
    if _plain_unspellable(e):
        return  # plain text has no spelling for a variable called e, pi, E or Pi
    if any(type(f) is E.Func and len(f.name.rstrip("'")) == 1 and f.name[0] not in "fgh"
           for f in E.postorder(e)):
        return  # nor for a one-letter function other than f, g, h: plain a(x) is a*x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)  # plain `loss(x)` notes an undefined function
        assert parse(str(e)) == e
