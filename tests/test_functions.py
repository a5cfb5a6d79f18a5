"""The function table: every row is exercised by diff, evaluate, the simplifier,
both printers, both parsers and the steps; and the grammars agree with the
transformers that build their trees."""

import math
import re

import pytest
from lark import Lark

import symdiff
from symdiff import expr as E
from symdiff.functions import FUNCTIONS, Parity
from symdiff.languages import LANGUAGES
from symdiff.parse import LatexTransformer, PlainTransformer, grammar_text

ROWS = sorted(FUNCTIONS.values(), key=lambda row: row.name)
x = E.sym("x")
POINTS = (-2.5, -0.6, -0.2, 0.35, 0.8, 1.6, 2.7)


def central(f, a: float, h: float = 1e-5) -> float:
    return (f(a + h) - f(a - h)) / (2 * h)


def inside(row) -> list[float]:
    return [p for p in POINTS if row.domain.contains(p) and row.domain.contains(p - 1e-4)
            and row.domain.contains(p + 1e-4)]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_row_parses_in_every_spelling(row):
    for spelling in (row.name, *row.aliases):
        assert symdiff.parse(f"{spelling}(x)") == row(x)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_row_prints_and_reads_back(row):
    e = row(E.add(x, E.ONE))
    assert symdiff.parse(str(e)) == e
    assert symdiff.parse(symdiff.latex(e), syntax="latex") == e


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_row_derivative_matches_its_slope(row):
    d = symdiff.diff(row(x), "x")
    points = inside(row)
    assert points, row.name
    for p in points:
        if row.name in ("heaviside", "sign") or abs(p) < 1e-3:
            continue
        slope = central(lambda t: symdiff.evaluate(row(x), {"x": t}), p)
        assert math.isclose(symdiff.evaluate(d, {"x": p}), slope, rel_tol=1e-6, abs_tol=1e-8), p


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_row_evaluates_inside_and_refuses_outside_its_domain(row):
    for p in inside(row):
        assert symdiff.evaluate(row(x), {"x": p}) == pytest.approx(row.value(p))
    outside = [p for p in (-3.0, 0.0, 3.0, math.pi / 2) if not row.domain.contains(p)]
    for p in outside:
        with pytest.raises(symdiff.EvaluationError, match=row.name):
            symdiff.evaluate(row(x), {"x": p})


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_row_facts_drive_the_simplifier(row):
    if row.at_zero is not None:
        assert symdiff.simplify(row(E.ZERO)) == row.at_zero
        assert row.value(0.0) == pytest.approx(symdiff.evaluate(row.at_zero))
    if row.parity is Parity.ODD:
        assert symdiff.simplify(row(E.neg(x))) == E.neg(row(x))
    if row.parity is Parity.EVEN:
        assert symdiff.simplify(row(E.neg(x))) == row(x)
    for p in inside(row):
        if row.parity is Parity.ODD:
            assert row.value(-p) == pytest.approx(-row.value(p))
        if row.parity is Parity.EVEN:
            assert row.value(-p) == pytest.approx(row.value(p))
        if row.nonnegative:
            assert row.value(p) >= 0


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_row_steps_name_its_rule(row, lang):
    d = symdiff.derive(row(E.pow_(x, E.TWO)), "x", lang=lang)
    for fmt in ("text", "markdown", "latex", "unicode"):
        out = d.render(fmt)
        assert LANGUAGES[lang][row.phrase] in out
        assert row.phrase not in re.findall(r"[a-z_]+", out) or row.phrase == row.name


def _aliases(grammar: str) -> set[str]:
    parser = Lark(grammar_text(grammar), parser="lalr")
    return {r.alias or r.origin.name for r in parser.rules} - {"start"}


@pytest.mark.parametrize("grammar, transformer", [("plain.lark", PlainTransformer),
                                                  ("latex.lark", LatexTransformer)])
def test_every_grammar_alias_has_a_method_and_no_method_is_unreachable(grammar, transformer):
    names = {n.lstrip("_?!") for n in _aliases(grammar)}
    methods = {m for m in vars(transformer) if not m.startswith("_") and callable(getattr(transformer, m))}
    assert methods <= names, f"unreachable transformer methods: {methods - names}"
    parser = Lark(grammar_text(grammar), parser="lalr")
    missing = {rule.alias for rule in parser.rules if rule.alias and rule.alias not in methods}
    assert not missing, f"{grammar}: aliases without a transformer method: {missing}"
