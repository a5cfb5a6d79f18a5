"""The web service's work: one request in, one `(status, JSON body)` out.

Runs inside the pool's worker processes, so it imports no web framework.
`read_request` validates the JSON shape (cheap, in the server); `diff_job`
and `plot_job` parse and differentiate (in a worker, under the time limit).
User text is only ever parsed by symdiff's grammar, never executed.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable
import warnings
from dataclasses import dataclass
from typing import Any

from ..languages import LANGUAGES

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


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string", name)
    return value


def _lines(value: Any, name: str, mapping_ok: bool) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if mapping_ok and isinstance(value, dict):
        return tuple(f"{_text(k, name)} = {_text(v, name)}" for k, v in value.items())
    if isinstance(value, str):
        value = value.splitlines()
    if isinstance(value, list):
        return tuple(s for s in (_text(v, name).strip() for v in value) if s)
    kinds = "an object {\"lhs\": \"rhs\"}, a list of strings" if mapping_ok else "a list of strings"
    raise BadRequest(f"{name} must be {kinds} or a string", name)


def read_request(payload: Any) -> Request:
    """The request's fields, checked; BadRequest names the field at fault."""
    if not isinstance(payload, dict):
        raise BadRequest("the body must be a JSON object", "body")
    expr = _text(payload.get("expr"), "expr") if "expr" in payload else ""
    if not expr.strip():
        raise BadRequest("expr is empty: type an expression such as log_2(x)", "expr")
    wrt = payload.get("wrt")
    wrt = _text(wrt, "wrt").strip() or None if wrt is not None else None
    order = payload.get("order")
    if isinstance(order, str):
        order = int(order) if order.strip().isdigit() else None if not order.strip() else order
    if order is not None and (not isinstance(order, int) or isinstance(order, bool) or order < 0):
        raise BadRequest("order must be a whole number >= 0", "order")
    lang = payload.get("lang") or "en"
    if lang not in LANGUAGES:
        raise BadRequest(f"lang must be one of {', '.join(sorted(LANGUAGES))}", "lang")
    return Request(expr, wrt, order, lang, _lines(payload.get("where"), "where", True),
                   _lines(payload.get("assume"), "assume", False))


def _parse_error(err: Any, field: str) -> Reply:
    return 400, {"error": err.reason, "line": err.line, "column": err.column, "field": field,
                 "text": err.text, "message": str(err)}


def _prepare(req: Request) -> tuple[Any, dict[Any, Any], Any, list[str], int]:
    """(expression, substitutions, variable, assumptions, order) parsed, or a 400
    reply naming the field.  An expression that asks for a derivative (`d/dx x^2`)
    gives that derivative's expression, variable and order (`api.asked`)."""
    from ..api import asked
    from ..errors import ParseError
    from ..parse import parse, parse_equation

    def read(fn: Callable[[str], Any], text: str, name: str) -> Any:
        try:
            return fn(text)
        except ParseError as err:
            raise _Reply(*_parse_error(err, name)) from None

    where = dict(read(parse_equation, w, "where") for w in req.where)
    for a in req.assume:
        read(parse_equation, a, "assume")
    wrt = read(parse, req.wrt, "wrt") if req.wrt else None
    typed, wrt, order, _name = read(lambda text: asked(text, wrt, req.order), req.expr, "expr")
    if isinstance(typed, str):
        typed = read(parse, typed, "expr")
    return typed, where, wrt, list(req.assume), order


class _Reply(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.reply = (status, body)


def _bad(err: Exception) -> Reply:
    return 400, {"error": str(err), "line": None, "column": None, "field": None}


def diff_job(req: Request) -> Reply:
    """The derivative in every format the page shows, with its steps."""
    from .. import api
    from ..errors import ReadingNote, SymdiffError
    from ..printing.latex import latex
    from ..printing.mathml import mathml
    from .steps import derivative_of, to_html

    try:
        with warnings.catch_warnings(record=True) as caught:  # how ambiguous text was read
            warnings.simplefilter("always", ReadingNote)
            typed, where, wrt, assume, order = _prepare(req)
            d = api.derive(typed, wrt, order, where=where, assume=assume, lang=req.lang)
        markdown = d.render("markdown")
    except _Reply as r:
        return r.reply
    except SymdiffError as err:
        return _bad(err)
    return 200, {
        "plain": str(d.result),
        "latex": latex(d.result),
        "mathml": mathml(d.result, display="block"),
        "steps_markdown": markdown,
        "steps_html": to_html(d),
        "input_plain": str(d.expr),
        "input_mathml": mathml(d.expr, display="block"),
        "question_mathml": derivative_of(d.expr, d.var, order),
        "wrt": str(d.var),
        "order": order,
        "lang": req.lang,
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
    """`{"svg": ...}`, or `{"svg": null, "reason": ...}` when there is no plot to draw."""
    from ..errors import SymdiffError

    from .. import api

    try:
        typed, where, wrt, _assume, order = _prepare(req)
        tree = api.substitute(typed, where) if where else typed
        svg = plot_svg(tree, str(api.variable(tree, wrt)), max(order, 1))
    except _Reply as r:
        return r.reply
    except SymdiffError as err:
        return 200, {"svg": None, "reason": str(err)}
    reason = "" if svg else "this copy of symdiff has no plotting"
    return 200, {"svg": svg, "reason": reason}


JOBS = {"diff": diff_job, "plot": plot_job}


def run_job(kind: str, req: Request) -> Reply:
    """Entry point for a worker process."""
    return JOBS[kind](req)


def warm_up() -> None:
    """Build the parsers, load the printers and (when plotting is available)
    matplotlib before the first request, so no request pays for the imports."""
    run_job("diff", Request("log_2(x^2 + 1)"))
    if importlib.util.find_spec("matplotlib") is not None:
        run_job("plot", Request("x^2"))
