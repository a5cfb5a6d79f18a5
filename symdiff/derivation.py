"""Derivations: the step tree `diff` records, with the simplification and the
assumptions that finish it.

`derivation()` runs the same driver as `diff` (with `record=True`) and the same
simplifier, so the steps can never disagree with the result.  Laying the steps
out for reading is `symdiff.printing.steps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .diff import Step, differentiate
from .expr import Expr, Sym
from .printing.steps import render
from .simplify import simplify, simplify_derivative
from .sums import Assumption, apply_assumptions, named_again


class Stage(NamedTuple):
    """One order of differentiation: the root step, the simplification after it,
    and the assumptions used on the result (a `simplify` step too, or None)."""

    expr: Expr
    step: Step
    simplified: Step
    assumed: Step | None = None
    renamed: Step | None = None  # the result written with the names `where` gave


def derivation(e: Expr, x: Sym, order: int = 1, verbose: bool = False, *,
               facts: list[Assumption] | tuple[Assumption, ...] = (),
               where: tuple[tuple[Expr, Expr], ...] = (), lang: str = "en",
               name: Sym | None = None) -> Derivation:
    """Differentiate `e` in `x` `order` times, keeping every step."""
    stages: list[Stage] = []
    current = e
    for k in range(order):
        raw, step = differentiate(current, x, record=True)
        used: list[str] = []
        final = simplify_derivative(raw, order, used)
        names = ", ".join(used) if final is not raw else ""
        simplified = Step("simplify", None, raw, final, rewrites=names)
        assumed = None
        if facts:
            after, applied = apply_assumptions(final, list(facts))
            if applied:
                tidy = simplify(after)
                assumed = Step("assume", None, final, tidy,
                               bindings=tuple((a.lhs, a.rhs) for a in applied))
                final = tidy
        renamed = None
        if where and k == order - 1:
            again = named_again(final, dict(where))
            if again is not final:
                renamed = Step("name_again", None, final, again, bindings=where)
                final = again
        stages.append(Stage(current, step, simplified, assumed, renamed))
        current = final
    return Derivation(e, x, current, tuple(stages), verbose, where, lang, name)


@dataclass(frozen=True, eq=False)
class Derivation:
    """`expr` differentiated in `var`: `.result` and the `.steps` that reached it."""

    expr: Expr
    var: Sym
    result: Expr
    stages: tuple[Stage, ...]
    verbose: bool = False
    where: tuple[tuple[Expr, Expr], ...] = ()  # substitutions made before differentiating
    lang: str = "en"
    name: Sym | None = None  # what a definition called the expression: L in `L = ...`

    @property
    def steps(self) -> tuple[Step, ...]:
        """For each order: the derivative's step tree, its `simplify` step and,
        when assumptions were used, the `assume` step."""
        return tuple(s for stage in self.stages
                     for s in (stage.step, stage.simplified, stage.assumed, stage.renamed)
                     if s is not None)

    def render(self, format: str = "text", lang: str | None = None, verbose: bool | None = None) -> str:
        """The derivation as `"text"`, `"markdown"` or `"latex"`, explained in
        `lang` (by default the language it was derived in)."""
        return render(self, format, self.lang if lang is None else lang,
                      self.verbose if verbose is None else verbose)

    def __repr__(self) -> str:
        return f"<Derivation d/d{self.var} {self.expr} = {self.result}>"

    def _repr_markdown_(self) -> str:
        return self.render("markdown")
