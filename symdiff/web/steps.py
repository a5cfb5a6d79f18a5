"""The web page's steps: a derivation's layout as HTML with MathML, each step collapsible.

A writer beside the text, Markdown and LaTeX ones of `symdiff.printing.steps`:
the same layout, words table and heading text, with maths from the MathML
printer and every step a `<details>` that folds.  The output is well-formed
XML as well as HTML.
"""

from __future__ import annotations

from html import escape

from ..derivation import Derivation, MatrixDerivation
from ..diff import Formula
from ..expr import Expr, Sym
from ..printing.mathml import CLOSE, NAMESPACE, OPEN, mathml_body
from ..terms import POW
from ..matrix.differential import DFormula
from ..printing.steps import (
    D, Entry, Equation, Gradient, Heading, Remark, Shapes, Task, Writer, layout, matrix_layout,
)
from ..sums import Collapse

EQUALS, LEQ = "<mo>=</mo>", "<mo>\u2264</mo>"


def math(body: str, block: bool = False) -> str:
    display = ' display="block"' if block else ""
    return f'<math xmlns="{NAMESPACE}"{display}><mrow>{body}</mrow></math>'


def d_dv(var: Expr, order: int = 1) -> str:
    """`d/dx`, or `d^n/dx^n`, as a MathML fraction."""
    x = mathml_body(var)
    if order == 1:
        return f"<mfrac><mi>d</mi><mrow><mi>d</mi>{x}</mrow></mfrac>"
    n = f"<mn>{order}</mn>"
    return f"<mfrac><msup><mi>d</mi>{n}</msup><mrow><mi>d</mi><msup><mrow>{x}</mrow>{n}</msup></mrow></mfrac>"


class HtmlWriter(Writer):
    """Headings as `<details>` summaries, equations as numbered MathML rows."""

    show = staticmethod(mathml_body)
    open_, close = OPEN, CLOSE
    times = "<mo>\u22c5</mo>"

    def d(self, var: Sym) -> str:
        return d_dv(var)

    def formula(self, f: Formula | DFormula) -> str:
        if isinstance(f, DFormula):
            return self.differential(f.lhs) + EQUALS + self.show(f.rhs)
        left = self.term(D(f.var, f.lhs)) if f.var is not None else self.show(f.lhs)
        return left + EQUALS + self.show(f.rhs)

    def differential(self, e: Expr) -> str:
        body = self.show(e)
        return f"<mi mathvariant=\"normal\">d</mi>{body}" if isinstance(e, Sym) else \
            f"<mi mathvariant=\"normal\">d</mi>{OPEN}{body}{CLOSE}"

    def gradient(self, g: Gradient) -> str:
        return f"<msub><mo>\u2207</mo>{self.show(g.var)}</msub>{self.show(g.name)}"

    def bindings(self, pairs: tuple[tuple[Expr, Expr], ...]) -> str:
        comma = escape(self.t["comma"])
        return comma.join(self.maths(self.show(n) + EQUALS + self.show(v)) for n, v in pairs)

    def condition(self, c: Collapse) -> str:
        return self.show(c.lower) + LEQ + self.show(c.target) + LEQ + self.show(c.upper)

    def maths(self, text: str) -> str:
        return math(text)

    def title(self, rule: str) -> str:
        return escape(super().title(rule))

    def code(self, text: str) -> str:
        return f"<code>{escape(text)}</code>"

    def write(self, entries: list[Entry]) -> str:
        out: list[str] = []
        open_depths: list[int] = []
        tag = 0

        def close_to(depth: int) -> None:
            while open_depths and open_depths[-1] >= depth:
                open_depths.pop()
                out.append("</div></details>")

        for entry in entries:
            if isinstance(entry, Task):
                close_to(0)
                out.append(f'<p class="task">{self.task(entry)}</p>')
            elif isinstance(entry, Remark):
                close_to(0)
                out.append(f'<p class="note remark">{escape(self.t[entry.note])}</p>')
            elif isinstance(entry, Shapes):
                close_to(0)
                out.append(f'<p class="shapes">{self.shapes(entry)}</p>')
            elif isinstance(entry, Heading):
                close_to(entry.depth)
                out.append(f'<details open="" class="step" data-rule="{escape(entry.rule)}"><summary>'
                           f"<b>{entry.number}.</b> {self.heading_text(entry)}</summary><div class=\"body\">")
                open_depths.append(entry.depth)
            else:
                assert isinstance(entry, Equation)
                close_to(entry.depth)
                tag += 1
                if entry.note == "answer":
                    out.append(f'<p class="note answer"><b>{escape(self.t["answer"])}</b></p>')
                elif entry.note:
                    out.append(f'<p class="note"><i>{escape(self.t[entry.note])}</i></p>')
                body = EQUALS.join(self.term(t) for t in entry.terms)
                ref = (f' <span class="ref">{escape(self.t["see"].format(number=entry.ref))}</span>'
                       if entry.ref else "")
                out.append(f'<div class="equation">{math(body)}<span class="tag">({tag})</span>{ref}</div>')
        close_to(0)
        return "".join(out)


def to_html(d: Derivation, lang: str | None = None, verbose: bool | None = None) -> str:
    """The derivation as nested `<details>` (one per step) with numbered MathML equations."""
    writer = HtmlWriter(d.lang if lang is None else lang)
    if isinstance(d, MatrixDerivation):  # a gradient in differentials
        return writer.write(matrix_layout(d))
    return writer.write(layout(d, d.verbose if verbose is None else verbose))


def derivative_of(e: Expr, var: Expr, order: int) -> str:
    """`d/dx f =` (or `d^n/dx^n f =`) as a block `<math>`: the page's question."""
    return math(d_dv(var, order) + HtmlWriter("en").wrapped(e, POW) + EQUALS, block=True)


def note(text: str) -> str:
    """A paragraph of the page's own text where the steps would go."""
    return f'<p class="note">{escape(text)}</p>'
