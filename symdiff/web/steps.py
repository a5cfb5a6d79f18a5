"""The web page's steps: a derivation's layout as HTML with MathML, each step collapsible.

Reads the same layout (`symdiff.derivation.layout`) and the same words table
as the Markdown writer, so the page says what `render("markdown")` says; only
the markup differs: nested `<details>` per step, maths as MathML.
"""

from __future__ import annotations

import warnings
from html import escape

from ..derivation import D, Derivation, Equation, Formula, Heading, Task, Times, layout
from ..errors import SymdiffError
from ..expr import Expr
from ..languages import words
from ..parse import parse
from ..printing.mathml import CLOSE, OPEN, mathml_body
from ..printing.precedence import MUL, POW, is_negative, precedence


def math(body: str, block: bool = False) -> str:
    display = ' display="block"' if block else ""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{display}><mrow>{body}</mrow></math>'


def wrapped(e: Expr, level: int) -> str:
    body = mathml_body(e)
    needs = precedence(e) < level or (level == MUL and is_negative(e))
    return OPEN + body + CLOSE if needs else body


def d_dv(var: str) -> str:
    return f"<mfrac><mi>d</mi><mrow><mi>d</mi>{mathml_body(parse(var))}</mrow></mfrac>"


def derivative_of(e: Expr, var: Expr, order: int) -> str:
    """`d/dx f =` (or `d^n/dx^n f =`) as a block `<math>`: the page's question."""
    x = mathml_body(var)
    if order == 1:
        op = f"<mfrac><mi>d</mi><mrow><mi>d</mi>{x}</mrow></mfrac>"
    else:
        n = f"<mn>{order}</mn>"
        op = f"<mfrac><msup><mi>d</mi>{n}</msup><mrow><mi>d</mi><msup><mrow>{x}</mrow>{n}</msup></mrow></mfrac>"
    return math(op + wrapped(e, POW) + "<mo>=</mo>", block=True)


def formula_side(text: str) -> str | None:
    """One side of a rule formula (`d/du log_b(u)`, `1/(u*ln(b))`) as MathML, or None."""
    text = text.strip()
    head = ""
    if text.startswith("d/d") and " " in text:
        var, _, text = text[3:].partition(" ")
        head = d_dv(var)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = parse(text, syntax="plain")
    except SymdiffError:
        return None
    return head + (wrapped(tree, POW) if head else mathml_body(tree))


def formula(text: str) -> str:
    """A rule's formula as maths where every side parses, else as code."""
    sides = [formula_side(s) for s in text.split(" = ")]
    if all(s is not None for s in sides):
        return math("<mo>=</mo>".join(sides))  # type: ignore[arg-type]
    return f"<code>{escape(text)}</code>"


def term(t: object) -> str:
    if isinstance(t, D):
        return d_dv(t.var) + wrapped(t.expr, POW)
    if isinstance(t, Times):
        return wrapped(t.left, MUL) + "<mo>\u22c5</mo>" + wrapped(t.right, MUL)
    if isinstance(t, Formula):
        side = formula_side(t.text)
        return side if side is not None else f"<mtext>{escape(t.text)}</mtext>"
    return mathml_body(t)  # type: ignore[arg-type]


def to_html(d: Derivation, lang: str = "en", verbose: bool | None = None) -> str:
    """The derivation as nested `<details>` (one per step) with numbered display equations."""
    t = words(lang)
    out: list[str] = []
    open_depths: list[int] = []
    tag = 0

    def close_to(depth: int) -> None:
        while open_depths and open_depths[-1] >= depth:
            open_depths.pop()
            out.append("</div></details>")

    for entry in layout(d, d.verbose if verbose is None else verbose):
        if isinstance(entry, Task):
            close_to(0)
            line = t["task"].format(expr="\0", var="\1")
            line = escape(line).replace("\0", math(mathml_body(entry.expr))).replace("\1", math(mathml_body(entry.var)))
            if entry.order:
                line = escape(t["order"].format(n=entry.order)) + ": " + line
            out.append(f'<p class="task">{line}</p>')
        elif isinstance(entry, Heading):
            close_to(entry.depth)
            title = f"<b>{escape(entry.number)}. {escape(t.get(entry.rule, entry.rule))}.</b>"
            if entry.rule == "simplify":
                if entry.formula:
                    title += " " + escape(t["using"].format(names="\0")).replace(
                        "\0", f"<code>{escape(entry.formula)}</code>")
            else:
                title += " " + formula(entry.formula)
            if entry.bindings:
                pairs = ", ".join(math(f"{mathml_body(parse(n))}<mo>=</mo>{mathml_body(v)}")
                                  for n, v in entry.bindings)
                title += ", " + escape(t["with"].format(bindings="\0")).replace("\0", pairs)
            out.append(f'<details open="" class="step" data-rule="{escape(entry.rule)}">'
                       f'<summary>{title}</summary><div class="body">')
            open_depths.append(entry.depth)
        else:
            assert isinstance(entry, Equation)
            close_to(entry.depth)
            tag += 1
            if entry.note == "answer":
                out.append(f'<p class="note answer"><b>{escape(t["answer"])}:</b></p>')
            elif entry.note:
                out.append(f'<p class="note"><i>{escape(t[entry.note])}:</i></p>')
            body = "<mo>=</mo>".join(term(x) for x in entry.terms)
            ref = f' <span class="ref">{escape(t["see"].format(number=entry.ref))}</span>' if entry.ref else ""
            out.append(f'<div class="equation">{math(body)}<span class="tag">({tag})</span>{ref}</div>')
    close_to(0)
    return "".join(out)


__all__ = ["to_html", "formula"]
