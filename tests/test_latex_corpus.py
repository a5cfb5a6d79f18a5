"""The corpus of real formulas (tests/support/latex_corpus.py): each reads, has the
intended value, differentiates to what finite differences say, and prints
back to LaTeX that reads to the same tree."""

from __future__ import annotations

import math
import warnings

import pytest

import symdiff
from symdiff.errors import ReadingNote

from support.latex_corpus import CORPUS
from support.strategies import central_difference

IDS = [f.name for f in CORPUS]


def read(f) -> symdiff.Expr:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        e = symdiff.parse(f.tex, syntax="latex")
    return symdiff.substitute(e, f.fix) if f.fix else e


def test_corpus_size_and_sources():
    assert len(CORPUS) >= 60
    assert len(set(IDS)) == len(IDS)
    assert all(f.source for f in CORPUS)


@pytest.mark.parametrize("f", CORPUS, ids=IDS)
def test_value(f):
    assert math.isclose(symdiff.evaluate(read(f), f.point), f.value(f.point), rel_tol=1e-9, abs_tol=1e-12)


@pytest.mark.parametrize("f", CORPUS, ids=IDS)
def test_derivative_by_finite_differences(f):
    e = read(f)
    d = symdiff.diff(e, f.wrt)
    x0 = f.point[f.wrt]

    def at(t: float) -> float:
        return symdiff.evaluate(e, {**f.point, f.wrt: t})

    numeric = central_difference(at, x0, 1e-3)
    assert math.isclose(symdiff.evaluate(d, f.point), numeric, rel_tol=1e-6, abs_tol=1e-8)


@pytest.mark.parametrize("f", CORPUS, ids=IDS)
def test_prints_back(f):
    e = read(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReadingNote)
        assert symdiff.parse(symdiff.latex(e), syntax="latex") == e
        assert symdiff.parse(str(e)) == e


def test_katex_reads_the_printed_corpus_and_its_derivatives():
    from test_katex import katex_errors
    from test_latex_names import NAMES, ROUND_TRIP_EXAMPLES

    formulas = []
    for f in CORPUS:
        e = read(f)
        formulas += [(symdiff.latex(e), True), (symdiff.latex(symdiff.diff(e, f.wrt)), True)]
    formulas += [(symdiff.latex(e), False) for e in [*NAMES, *ROUND_TRIP_EXAMPLES]]
    errors = katex_errors(formulas)
    assert not [(tex, err) for (tex, _), err in zip(formulas, errors) if err]
