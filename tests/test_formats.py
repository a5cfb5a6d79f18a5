"""The registry of output formats (symdiff.formats): every place that offers a
format reads it, so a format added there is offered everywhere."""

from __future__ import annotations

from fractions import Fraction

import pytest

import symdiff
from symdiff import formats, terms
from symdiff.cli import build_parser, main
from symdiff.expr import Expr
from symdiff.formats import Format
from symdiff.printing.steps import TextWriter
from symdiff.web.work import BadRequest, diff_job, read_request


def shout(e: Expr) -> str:
    """A dummy printer: the plain form in capitals."""
    return str(e).upper()


class ShoutWriter(TextWriter):
    """A dummy derivation writer: the text steps in capitals."""

    def write(self, entries: list) -> str:  # type: ignore[type-arg]
        return super().write(entries).upper()


SHOUT = Format("shout", f"{__name__}:shout", export=f"{__name__}:shout")
SHOUT_STEPS = Format("shouted", f"{__name__}:ShoutWriter", "derivation")


def format_choices(command: str) -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return list(next(a for a in sub.choices[command]._actions if a.dest == "format").choices)


def test_a_registered_format_is_offered_by_the_command_line(capsys):
    assert "shout" not in format_choices("diff")
    with formats.registered(SHOUT), formats.registered(SHOUT_STEPS):
        assert "shout" in format_choices("diff") and "shout" in format_choices("simplify")
        assert "shouted" in format_choices("diff")
        assert main(["diff", "sin(x_1)", "--format", "shout"]) == 0
        assert capsys.readouterr().out.strip() == "COS(X_1)"
        assert main(["simplify", "x*x", "--format", "shout"]) == 0
        assert capsys.readouterr().out.strip() == "X^2"
        assert main(["diff", "x^3", "--steps", "--format", "shouted"]) == 0
        steps = capsys.readouterr().out
        assert steps == symdiff.derive("x^3", "x").render("text").upper() + "\n"
        assert main(["diff", "x^3", "--format", "shouted"]) == 2  # a derivation format needs --steps
        assert "needs --steps" in capsys.readouterr().err
    assert "shout" not in format_choices("diff") and "shouted" not in format_choices("diff")
    with pytest.raises(SystemExit) as refused:  # gone again: argparse refuses the choice
        main(["diff", "x^2", "--format", "shout"])
    assert refused.value.code == 2
    assert "invalid choice: 'shout'" in capsys.readouterr().err


def test_a_registered_format_is_accepted_by_the_web_api():
    with pytest.raises(BadRequest) as refused:
        read_request({"expr": "x^2", "formats": ["shout"]})
    assert refused.value.body["field"] == "formats"
    assert "plain, latex, unicode, mathml" in refused.value.body["error"]
    with formats.registered(SHOUT):
        status, body = diff_job(read_request({"expr": "sigmoid(2x)", "formats": ["shout", "unicode"]}))
        assert status == 200
        expected = symdiff.diff("sigmoid(2x)", "x")
        assert body["shout"] == str(expected).upper()
        assert body["unicode"] == symdiff.pretty(expected)
        assert body["plain"] == str(expected)  # the page's formats are always there
    status, body = diff_job(read_request({"expr": "x^2"}))
    assert status == 200 and "shout" not in body and "unicode" not in body


def test_a_registered_derivation_format_renders_the_steps():
    d = symdiff.derive("x*sin(x)", "x")
    with pytest.raises(symdiff.SymdiffError, match="text, unicode, markdown, latex"):
        d.render("shouted")
    with formats.registered(SHOUT_STEPS):
        assert d.render("shouted") == d.render("text").upper()


def test_an_exported_format_is_a_function_of_the_package():
    with formats.registered(SHOUT):
        try:
            assert formats.exports()["shout"] == f"{__name__}:shout"
            assert "shout" in dir(symdiff)
            assert symdiff.shout is shout
        finally:
            vars(symdiff).pop("shout", None)  # the package keeps what its __getattr__ loads
    assert "shout" not in dir(symdiff)
    with pytest.raises(AttributeError):
        symdiff.shout


def test_registering_replaces_and_restores():
    plain = formats.expression("plain")
    e = symdiff.parse("x^2 - y")
    with formats.registered(Format("plain", "symdiff.printing.unicode:pretty")):
        assert str(e) == "x² − y"  # str() of a node is the plain format's
    assert formats.expression("plain") is plain and str(e) == "x^2 - y"
    with pytest.raises(ValueError, match="a word"):
        formats.register(Format("two words", f"{__name__}:shout"))


def test_the_package_exports_the_registry_printers():
    assert [n for n in symdiff.__all__ if n in ("latex", "pretty", "mathml")] == list(formats.exports())
    e = symdiff.parse("x_12/3 - sigmoid(y)^2")
    for name in ("plain", "latex", "unicode"):  # the ones parse reads
        assert symdiff.parse(formats.expression(name).write(e)) == e
    e = symdiff.parse("x_12/3")
    assert str(e) == formats.expression("plain").write(e) == "x_12/3"
    assert e._repr_latex_() == f"$\\displaystyle {symdiff.latex(e)}$"
    assert formats.expression("mathml").show(e) == symdiff.mathml(e, display="block")


def test_repeated_helpers_have_one_owner():
    import importlib

    diff, generate, simplify, precedence, steps = (importlib.import_module(f"symdiff.{m}") for m in (
        "diff", "generate", "simplify", "printing.precedence", "printing.steps"))  # symdiff.diff is the function

    assert simplify.is_negative is generate.is_negative is steps.is_negative is terms.is_negative
    scale = ("ADD", "MUL", "NEG", "POW", "ATOM")
    assert [getattr(generate, n) for n in scale] == [getattr(precedence, n) for n in scale] == \
        [getattr(terms, n) for n in scale]
    assert diff.quotient is terms.quotient
    x, y2 = symdiff.parse("x"), symdiff.parse("y^2")
    assert terms.quotient(symdiff.parse("-3*x/(2*y^2)")) == (Fraction(-3, 2), [x], [y2])
    assert terms.is_negative(symdiff.parse("-2*x")) and not terms.is_negative(symdiff.parse("2 - x"))
