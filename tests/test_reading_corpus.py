"""The reading corpus (tests/support/reading_corpus.py): every input people type reads
as a careful reader takes it, or gets the note or refusal the row expects.

`python -m tests.support.reading_corpus` prints the figures (read right / noted /
refused / wrong) and the rows not as expected."""

from __future__ import annotations

import os
import re
import warnings

import pytest

import symdiff
from symdiff import expr as E
from symdiff.errors import ReadingNote

from support.reading_corpus import (
    CORPUS, KINDS, NOTE_OR_REFUSE, NOTED, OUTCOMES, READ, READ_OR_NOTE, REFUSED, SYNTAXES, Reading,
    attempt, judge, read, same, summary,
)

IDS = [f"{r.text}" + (f" by {r.wrt}" if r.wrt and not r.asks else "") for r in CORPUS]
PACKAGE = os.path.dirname(os.path.realpath(symdiff.__file__))


@pytest.mark.parametrize("row", CORPUS, ids=IDS)
def test_reads_as_a_careful_reader_does(row: Reading):
    verdict = judge(row)
    assert verdict.ok, f"expected {row.outcome} {row.meaning}: {verdict.detail}"


# --------------------------------------------------------------- the table itself


def test_size_sources_and_fields():
    assert len(CORPUS) >= 120
    assert len(set(IDS)) == len(IDS)
    for r in CORPUS:
        assert r.source and r.syntax in SYNTAXES and r.outcome in OUTCOMES, r
        assert (r.outcome == REFUSED) == (not r.meaning), r
        assert r.why or r.outcome in (READ, READ_OR_NOTE), f"say why: {r}"
        assert not r.also or r.outcome == NOTE_OR_REFUSE, f"other readings only for ambiguous rows: {r}"
        assert not r.asks or r.wrt, r
        assert r.order >= 1 and (r.order == 1 or r.wrt), r
    kinds = {r.outcome for r in CORPUS}
    assert kinds == set(OUTCOMES)


# Juxtaposition a meaning must not rely on: `2x`, `2(`, `)(`, `)x`; `log_10(` and `x_1^2` are fine.
IMPLICIT = re.compile(r"(?<![_\w.])\d+(\.\d+)?\s*[A-Za-z(]|\)\s*[\w(]")


@pytest.mark.parametrize("meaning", sorted({m for r in CORPUS for m in (r.meaning, *r.also) if m}))
def test_meanings_are_explicit_plain_syntax_symdiff_reads_without_a_note(meaning: str):
    assert not IMPLICIT.search(meaning), f"write the product out: {meaning}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tree = symdiff.parse(meaning, syntax="plain")
    assert not [w for w in caught if issubclass(w.category, ReadingNote)], meaning
    assert symdiff.parse(str(tree)) == tree


# Both lists of issue 20, as written there: each is a row (text, and the variable where it matters)...
ISSUE_ROWS = [
    ("a(x+1)^2", None), ("x(x-1)^2", None), ("3x(x+1)^3", None), ("t(1-x)^2", None), ("x^y (7 + 1/4)", None),
    ("xy", "x"), ("ax^2+bx+c", "x"), ("xsinx", "x"), ("xe^{x}", "x"), ("x^2", "t"),
    ("d/dx x^2 sin x", "x"), (r"\frac{d}{dx} x^x", "x"), ("d/dx (x^3 + 2x)", "x"),
    ("derivative of x^2 sin(x)", "x"), ("diff cos(x)", "x"), ("differentiate f(x)^g(x)", "x"),
    (r"\mathrm{e}^x", None), ("E^x", None), ("Pi*x", None),
    ("e^2x", None), ("x^1/2", None), ("2^3x", None), ("1/2x", None),
    ("x^T*A*x", None), ("X'", None), (r"\|X\mathbf{w} - \mathbf{y}\|^2", None),
    ("x² + 3x", None), ("√x", None), ("∛x", None), ("x·y", None), ("3x × sin(x)", None), ("x − 1", None),
    ("log₂(x² + 1)", None), ("√x·σ(x)", None), ("∑_{i=1}^{N} tᵢ·ln(yᵢ)", None),
    ("log10(x)", None), ("log2(x)", None), ("log1p(x)", None), ("expm1(x)", None), ("cbrt(x)", None),
    ("arccot(x)", "x"), ("acot(x)", "x"), ("asec(x)", "x"), ("acsc(x)", "x"), ("sech(x)", None),
    ("csch(x)", None), ("coth(x)", None), ("acoth(x)", None), ("arsinh(x)", None), ("arcsinh(x)", None),
    ("gelu(x)", None), ("silu(x)", None), ("swish(x)", None), ("atan2(y, x)", None), ("hypot(x, y)", None),
    ("log(x, b)", None), ("lg(x)", None),
    ("diff(x^2, x)", "x"), ("D[Sin[x^2], x]", "x"), ("(d/dx) [x^3 + 2x]", "x"),
    ("f'(x) if f(x) = x^2 + 1", "x"), ("math.sin(x)**2", None), ("np.exp(-x**2)", None), ("[2x+1]^6", None),
    ("sin^2 x", None), ("cos^2 x", None),
    ("|x|", None), ("ln|x|", None), ("sum_i t_i ln(y_i)", None), (r"\cos^2 x", None), ("Sin(x)", None),
    ("sin(pi)", None), ("cos(pi)*x", None), ("tan(pi/4)", None), ("atan(1)", None), ("cos(pi/3)", None),
]
# ... or appears inside one (the issue names a notation, not a whole input).
ISSUE_FRAGMENTS = [
    " wrt r", "π", "θ", "÷", "₁", "second derivative of ", "diff(", ", x, 2)", r"\sum_i", r"\operatorname{Sin}",
    r"-\log p(y\mid x) = ", r"D_{\mathrm{KL}}(p\,\|\,q) = ", r"\sigma^{-1}(x) = \log(\frac{x}{1-x})",
    r"L_{CE}(\hat{y}, y) = ", r"\hat{Y_i}", r"\hat y_i", "f_{y_i}", "k_+", r"\frac{d}{{dx}}",
    r"\text{negative\_slope}", ")^+",
]


@pytest.mark.parametrize("text, wrt", ISSUE_ROWS)
def test_every_input_the_issue_names_is_a_row(text, wrt):
    assert any(r.text == text and r.wrt == wrt for r in CORPUS), (text, wrt)


@pytest.mark.parametrize("fragment", ISSUE_FRAGMENTS)
def test_every_notation_the_issue_names_is_in_a_row(fragment):
    assert any(fragment in r.text for r in CORPUS), fragment


# ------------------------------------------------------------------------ notes


NOTED_ROWS = [r for r in CORPUS if r.outcome != READ and r.outcome != REFUSED]


@pytest.mark.parametrize("row", NOTED_ROWS, ids=[r.text for r in NOTED_ROWS])
def test_notes_are_shown_once_and_attributed_to_the_caller(row: Reading):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            attempt(row)
        except symdiff.SymdiffError:
            pass
    notes = [w for w in caught if issubclass(w.category, ReadingNote)]
    messages = [str(w.message) for w in notes]
    assert len(messages) == len(set(messages)), f"a note repeated: {messages}"
    inside = [f"{w.filename}:{w.lineno}" for w in notes if os.path.realpath(w.filename).startswith(PACKAGE)]
    assert not inside, f"notes attributed to symdiff's own lines, not the caller's: {inside}"


# ------------------------------------------------------------------ the judge itself


def _tree(text: str) -> E.Expr:
    return symdiff.simplify(symdiff.parse(text))


@pytest.mark.parametrize("want, have, equal", [
    ("a*(x + 1)^2", "(a*(x + 1))^2", False),
    ("29*x^y/4", "x^(29*y/4)", False),
    ("x^2 + 3*x", "x*(x + 3)", True),
    ("cos(x)/x - sin(x)/x^2", "(x*cos(x) - sin(x))/x^2", True),
    ("ln(x^2)", "2*ln(x)", False),  # different domains
    ("f'(x)*g(x)", "g(x)*f'(x)", True),
    ("f'(x)", "g'(x)", False),  # undefined functions stay apart
    ("f(x)", "f'(x)", False),
    ("f(x)^g(x)*(g'(x)*ln(f(x)) + g(x)*f'(x)/f(x))", "f(x)^g(x)*g'(x)*ln(f(x)) + g(x)*f(x)^(g(x) - 1)*f'(x)", True),
    ("sum_{i=1}^{N} t_i*ln(y_i)", "sum_{i=1}^{N} ln(y_i)*t_i", True),
    ("sum_{i=1}^{N} t_i*ln(y_i)", "sum_{i=1}^{N} t_i*ln(t_i)", False),
])
def test_same_tells_meanings_apart(want, have, equal):
    assert same(_tree(want), symdiff.parse(have)) is equal


def test_renaming_matches_names_but_not_structure():
    want = _tree("-ln(exp(q*kplus/tau)/sum_{i=0}^{K} exp(q*k_i/tau))")
    assert same(want, symdiff.parse("-ln(exp(q*kpos/tau)/sum_{i=0}^{K} exp(q*k_i/tau))"), rename=True)
    assert not same(want, symdiff.parse("-ln(exp(q*kpos/tau)/sum_{i=0}^{K} exp(q*k_i/tau))"))
    assert not same(want, symdiff.parse("-ln(exp(kpos/tau)/sum_{i=0}^{K} exp(q*k_i/tau))"), rename=True)
    assert not same(_tree("relu(x) - s*relu(-x)"), symdiff.parse("relu(x) - x*relu(-s)"), rename=True)


@pytest.mark.parametrize("row, kind, ok", [
    (read("a*(x+1)^2", "plain", "test", "(a*(x + 1))^2"), "wrong", False),
    (read("2*x", "plain", "test", "2*x"), "read right", True),
    (read("sin(x", "plain", "test", "sin(x)"), "refused", False),
    (read("sin(x", "plain", "test", "sin(x)", NOTE_OR_REFUSE, "test"), "refused", True),
    (read("x/2", "plain", "test", "x/2", NOTE_OR_REFUSE, "test"), "wrong", False),  # silent on an ambiguous row
    (read("x/2", "plain", "test", "x/(2*y)", NOTE_OR_REFUSE, "test", also=("x/2",)), "wrong", False),
    (read("x/2", "plain", "test", "x/2", NOTED, "test"), "read right", False),  # the note is missing
    (read("sin(1)", "plain", "test", "0.8414709848078965", exact=True), "wrong", False),  # a value, not exact
    (read("a(x+1)", "plain", "test", "a*(x + 1)", NOTED, "test"), "noted", True),
    (read("a(x+1)", "plain", "test", "a*(x + 1)"), "noted", False),  # a note on a row not in doubt
])
def test_judge(row, kind, ok):
    verdict = judge(row)
    assert (verdict.kind, verdict.ok) == (kind, ok), verdict.detail


def test_summary_adds_up():
    text, counts, misses = summary()
    print("\n" + text)
    assert set(counts) == set(KINDS) and sum(counts.values()) == len(CORPUS)
    assert len(misses) == sum(not judge(r).ok for r in CORPUS)
