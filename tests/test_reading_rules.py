"""Every example of the reading rules (symdiff/reading.py, the README's table),
in the syntax it is written in: read as its meaning, with the note it promises
and no other, or refused with a caret."""

import pathlib
import warnings

import pytest

import symdiff
from symdiff.reading import RULES, Example, markdown_table

CASES = [pytest.param(syntax, ex, id=f"{rule.name}-{syntax}-{ex.text}")
         for rule in RULES for syntax in ("plain", "latex") for ex in getattr(rule, syntax)]


def read(ex: Example, syntax: str):
    if ex.asks:
        return symdiff.diff(ex.text)
    return symdiff.parse(ex.text, syntax, variables=[ex.wrt] if ex.wrt else [], shapes=ex.shapes)


@pytest.mark.parametrize("syntax, ex", CASES)
def test_reading_rule_example(syntax, ex):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", symdiff.ReadingNote)
        if ex.meaning is None:
            with pytest.raises(symdiff.ParseError) as info:
                read(ex, syntax)
            assert ex.says in info.value.reason and info.value.column >= 1
            assert str(info.value).splitlines()[-1].strip() == "^"
            return
        got = read(ex, syntax)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", symdiff.ReadingNote)
        meant = symdiff.parse(ex.meaning, "plain", shapes=ex.shapes)
    assert (symdiff.simplify(got) if ex.asks else got) == (symdiff.simplify(meant) if ex.asks else meant)
    notes = [str(w.message) for w in caught if issubclass(w.category, symdiff.ReadingNote)]
    if ex.says:
        assert any(ex.says in n for n in notes), notes
    else:
        assert not notes


def test_every_rule_has_examples_in_plain_syntax():
    assert all(rule.plain for rule in RULES)


def test_the_readme_shows_the_table():
    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README.md's Reading rules table is stale: python -m symdiff.reading"
