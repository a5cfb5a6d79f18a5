"""The web service's work: one request in, one `(status, JSON body)` out.

Runs inside the pool's worker processes, so it imports no web framework.
`read_request` validates the JSON shape (cheap, in the server); `diff_job`
and `plot_job` parse and differentiate (in a worker, under the time limit).
User text is only ever parsed by symdiff's grammar, never executed.
"""

from __future__ import annotations

import importlib.util
import io
import json
from collections.abc import Callable
import warnings
from dataclasses import dataclass
from typing import Any

from .. import formats
from ..languages import LANGUAGES
from ..limits import MAX_ORDER

Reply = tuple[int, dict[str, Any]]


class BadRequest(Exception):
    """A request the server answers with 400 before doing any work."""

    def __init__(self, error: str, field: str) -> None:
        super().__init__(error)
        self.body = {"error": error, "line": None, "column": None, "field": field}


@dataclass(frozen=True)
class Request:
    expr: str
    wrt: str | None = None
    order: int | None = None  # None: 1, or what expr asks for (d^2/dx^2 ...)
    lang: str = "en"
    where: tuple[str, ...] = ()  # "lhs = rhs" each
    assume: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()  # expression formats wanted beside PAGE_FORMATS
    shapes: str | None = None  # "X:n,d w:d y:n": vectors and matrices (symdiff.matrix.shapes)


FIELDS = ("expr", "wrt", "order", "lang", "where", "assume", "formats", "shapes")
# The result is always answered in these (the page shows them); `formats` asks for others of the registry's.
PAGE_FORMATS = ("plain", "latex", "mathml")
LONGEST_NUMBER = 30  # digits of a JSON integer kept as a number; longer ones are no field's value


class _Huge:
    """A JSON integer too long to be any field's value (`json` would refuse
    it past 4,300 digits without saying where)."""


def loads(body: bytes) -> Any:
    """The body as JSON: ValueError (or RecursionError) if it is not JSON.
    Huge integers load as `_Huge`, so the check of the field they are in
    names it; NaN and Infinity, which are not JSON, are refused."""

    def integer(digits: str) -> int | _Huge:
        return int(digits) if len(digits) <= LONGEST_NUMBER else _Huge()

    def constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(body or b"null", parse_int=integer, parse_constant=constant)


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string", name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise BadRequest(f"{name} is not Unicode text: a lone surrogate "
                         f"(\\u{ord(value[err.start]):04x}) at character {err.start + 1}", name) from None
    return value


def _lines(value: Any, name: str, mapping_ok: bool) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if mapping_ok and isinstance(value, dict):
        return tuple(f"{_text(k, name)} = {_text(v, name)}" for k, v in value.items())
    if isinstance(value, str):
        value = _text(value, name).splitlines()
    if isinstance(value, list):
        return tuple(s for s in (_text(v, name).strip() for v in value) if s)
    kinds = "an object {\"lhs\": \"rhs\"}, a list of strings" if mapping_ok else "a list of strings"
    raise BadRequest(f"{name} must be {kinds} or a string", name)


def _order(value: Any) -> int:
    if isinstance(value, str) and value.isascii() and value.strip().isdigit() and len(value) <= LONGEST_NUMBER:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ORDER:
        raise BadRequest(f"order must be a whole number from 0 to {MAX_ORDER}", "order")
    return value


def read_request(payload: Any) -> Request:
    """The request's fields, each checked for type and range; BadRequest names the field at fault."""
    if not isinstance(payload, dict):
        raise BadRequest("the body must be a JSON object", "body")
    for name in payload:
        if name not in FIELDS:
            raise BadRequest(f"unknown field {json.dumps(name)}: the fields are {', '.join(FIELDS)}", name
                             if isinstance(name, str) and name.isascii() else "body")
    expr = _text(payload.get("expr"), "expr") if "expr" in payload else ""
    if not expr.strip():
        raise BadRequest("expr is empty: type an expression such as log_2(x)", "expr")
    wrt = payload.get("wrt")
    wrt = _text(wrt, "wrt").strip() or None if wrt is not None else None
    order = payload.get("order")
    order = None if order is None or order == "" else _order(order)  # None: 1, or what the text asks for
    lang = payload.get("lang")
    if lang is None:
        lang = "en"
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise BadRequest(f"lang must be one of {', '.join(sorted(LANGUAGES))}", "lang")
    shapes = payload.get("shapes")
    shapes = _text(shapes, "shapes").strip() or None if shapes is not None else None
    return Request(expr, wrt, order, lang, _lines(payload.get("where"), "where", True),
                   _lines(payload.get("assume"), "assume", False), _formats(payload.get("formats")), shapes)


def _formats(value: Any) -> tuple[str, ...]:
    """The expression formats asked for: names from symdiff.formats, as a list or one string."""
    names = _lines(value, "formats", False)
    for name in names:
        if name not in formats.EXPRESSION:
            raise BadRequest(f"formats must be among {', '.join(formats.EXPRESSION)}, not {json.dumps(name)}",
                             "formats")
    return names


def _parse_error(err: Any, field: str) -> Reply:
    return 400, {"error": err.reason, "line": err.line, "column": err.column, "field": field,
                 "text": err.text, "message": str(err)}


def _prepare(req: Request) -> Any:
    """The request read once by the pipeline (`api.ask`, a `Question`), or a 400
    reply naming the field.  An expression that asks for a derivative (`d/dx x^2`)
    gives that derivative's expression, variable and order."""
    from .. import api
    from ..errors import ParseError
    from ..parse import parse_equation

    def read(fn: Callable[[str], Any], text: str, name: str) -> Any:
        try:
            return fn(text)
        except ParseError as err:
            raise _Reply(*_parse_error(err, name)) from None

    where = dict(read(parse_equation, w, "where") for w in req.where)
    facts = [read(api.assumption, a, "assume") for a in req.assume]
    wrt = read(api.parse, req.wrt, "wrt") if req.wrt else None
    return read(lambda text: api.ask(text, wrt, req.order, where, facts), req.expr, "expr")


class _Reply(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.reply = (status, body)


def _bad(err: Exception) -> Reply:
    from ..errors import LimitError

    if isinstance(err, LimitError):  # refused before the work, as the time limit would after it
        return 422, {"error": f"too expensive: {err}", "line": None, "column": None, "field": None}
    return 400, {"error": str(err), "line": None, "column": None, "field": None}


def diff_job(req: Request) -> Reply:
    """The derivative in every format the page shows, with its steps (or,
    when they are too long to show, a note saying so)."""
    from .. import api
    from ..errors import DifferentiationError, ReadingNote, SymdiffError
    from ..printing.steps import StepsTooLong
    from .steps import derivative_of, note, to_html

    if req.shapes is not None:
        return matrix_job(req)
    markdown: str | None
    try:
        with warnings.catch_warnings(record=True) as caught:  # how ambiguous text was read
            warnings.simplefilter("always", ReadingNote)
            question = _prepare(req)
            order = question.order
            try:
                d = api.derivation(question, lang=req.lang)
                expr, var, result = d.expr, d.var, d.result
                markdown = d.render("markdown")
                html = to_html(d)
            except StepsTooLong as err:
                expr, (var,) = question.tree, question.xs
                result = api.solve(question)
                markdown, html = None, note(f"The steps would run to at least {err.length:,} characters, "
                                            "too many to show here: this is the derivative alone.")
    except _Reply as r:
        return r.reply
    except DifferentiationError as err:
        if req.wrt is None and err.variables:  # several to choose from: the page's own words, it has no --wrt
            listed = f"several variables ({', '.join(map(str, err.variables))})"
            return 400, {"error": f"the expression has {listed}: type the one to differentiate by "
                                  "in “with respect to”", "line": None, "column": None, "field": "wrt"}
        return _bad(err)
    except SymdiffError as err:
        return _bad(err)
    return 200, {
        **{name: formats.expression(name).show(result) for name in dict.fromkeys(PAGE_FORMATS + req.formats)},
        "steps_markdown": markdown,
        "steps_html": html,
        "input_plain": str(expr),
        "input_mathml": formats.expression("mathml").show(expr),
        "question_mathml": derivative_of(expr, var, order),
        "wrt": str(var),
        "order": order,
        "lang": req.lang,
        "notes": list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, ReadingNote))),
    }


def matrix_job(req: Request) -> Reply:
    """The derivative in matrix form for declared shapes, with its steps in
    differentials where there are some (a scalar's gradient)."""
    from .. import api
    from ..errors import ParseError, ReadingNote, SymdiffError
    from ..matrix import _variable
    from ..matrix.shapes import read_specs
    from .steps import derivative_of, note, to_html

    try:
        shapes = read_specs(req.shapes or "")
    except ParseError as err:
        return _parse_error(err, "shapes")
    if req.where or req.assume or req.order not in (None, 1):
        return _bad(SymdiffError("where, assume and orders above 1: not yet for vectors and matrices"))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ReadingNote)
            try:
                tree = api.parse(req.expr, shapes=shapes)
            except ParseError as err:
                return _parse_error(err, "expr")
            x = _variable(tree, req.wrt, shapes)
            result = api.diff(tree, x, shapes=shapes)
            markdown: str | None = None
            try:
                d = api.derive(tree, x, shapes=shapes, lang=req.lang)
                markdown, html = d.render("markdown"), to_html(d)
            except SymdiffError as err:  # no steps for this one (a Jacobian): the result alone
                html = note(str(err))
    except SymdiffError as err:
        return _bad(err)
    return 200, {
        **{name: formats.expression(name).show(result) for name in dict.fromkeys(PAGE_FORMATS + req.formats)},
        "steps_markdown": markdown,
        "steps_html": html,
        "input_plain": str(tree),
        "input_mathml": formats.expression("mathml").show(tree),
        "question_mathml": derivative_of(tree, x, 1),
        "wrt": str(x),
        "order": 1,
        "lang": req.lang,
        "shapes": {name: list(dims) for name, dims in shapes.items()},
        "notes": list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, ReadingNote))),
    }


def plot_svg(tree: Any, wrt: str, order: int) -> str | None:
    """The plot of f and its derivatives (`symdiff.plot`) as SVG text, or None
    where plotting is not in this copy.  Raises SymdiffError when there is
    nothing to draw (no matplotlib, several variables, no real values)."""
    try:
        from ..plotting import plot
    except ImportError:
        return None
    out = io.StringIO()
    plot(tree, wrt=wrt, order=order).savefig(out, format="svg")
    return out.getvalue()


def plot_job(req: Request) -> Reply:
    """`{"svg": ...}`, or `{"svg": null, "reason": ...}` when there is no plot to draw.

    Any failure of the plotting path (matplotlib's included) is a reason,
    never an error: the page shows the derivative either way."""
    from ..errors import SymdiffError

    if req.shapes is not None:
        return 200, {"svg": None, "reason": "no plot for vectors and matrices"}
    try:
        question = _prepare(req)
        svg = plot_svg(question.tree, str(question.xs[0]), max(question.order, 1))
    except _Reply as r:
        return r.reply
    except MemoryError:
        raise
    except SymdiffError as err:  # nothing to draw
        return 200, {"svg": None, "reason": str(err)}
    except Exception as err:  # matplotlib could not draw it (a label too deep, limits too large)
        return 200, {"svg": None, "reason": f"this function could not be plotted ({type(err).__name__})"}
    reason = "" if svg else "this copy of symdiff has no plotting"
    return 200, {"svg": svg, "reason": reason}


JOBS = {"diff": diff_job, "plot": plot_job}


def run_job(kind: str, req: Request) -> Reply:
    """Entry point for a worker process."""
    return JOBS[kind](req)


_warm = False


def warm_up() -> None:
    """Build the parsers, load the printers and (when plotting is available)
    matplotlib before the first request, so no request pays for the imports.
    Once per process: a worker forked from a warm one is warm."""
    global _warm
    if _warm:
        return
    run_job("diff", Request("log_2(x^2 + 1)"))
    if importlib.util.find_spec("matplotlib") is not None:
        run_job("plot", Request("x^2"))
    _warm = True
