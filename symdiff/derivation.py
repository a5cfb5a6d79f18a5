"""Derivations: the step tree `diff` records, with the simplification and the
assumptions that finish it.

`derivation()` runs the same driver as `diff` (with `record=True`) and the same
simplifier, so the steps can never disagree with the result.  Laying the steps
out for reading is `symdiff.printing.steps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, cast

from .diff import Step, check_method, differentiate
from .expr import Expr, Sym
from .limits import MAX_OUTPUT
from .printing.steps import REWRITES_SEP, displayed, render, steps_least_length, too_long
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
               name: Sym | None = None, max_length: int = MAX_OUTPUT,
               method: str = "auto") -> Derivation:
    """Differentiate `e` in `x` `order` times, keeping every step; refused
    when the steps would be written out longer than `max_length` (0: no limit).
    `method` is that of `symdiff.diff.differentiate`."""
    check_method(method)
    if max_length and (least := steps_least_length(e, x)) > max_length:
        raise too_long(least, max_length)
    stages: list[Stage] = []
    current = e
    for k in range(order):
        raw, step = differentiate(current, x, record=True, method=method)
        used: list[str] = []
        final = simplify_derivative(raw, order, used)
        # The simplification starts where the rule's step left off, as shown.
        start = displayed(cast(Step, step))  # recorded: not None
        if start is not raw and start is not final:
            retraced: list[str] = []
            if simplify_derivative(start, order, retraced) is final:
                used = retraced
        names = REWRITES_SEP.join(used) if final is not start else ""
        simplified = Step("simplify", None, start, final, rewrites=names)
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
        stages.append(Stage(current, cast(Step, step), simplified, assumed, renamed))  # recorded: not None
        current = final
    return Derivation(e, x, current, tuple(stages), verbose, where, lang, name, max_length, method)


@dataclass(frozen=True, eq=False)
class Derivation:
    """`expr` differentiated in `var`: `.result` and the `.steps` that reached it.

    Made by `symdiff.derive`; `.result` equals `symdiff.diff(expr, var, order)`.
    In Jupyter it displays as its Markdown rendering.

    Attributes:
        expr: the expression differentiated.
        var: the variable, a `Sym`.
        result: the simplified derivative.
        stages: one `Stage` per order: the expression, the rule step tree, the
            simplification step and the assumptions step (or `None`).
        verbose: whether rendering keeps trivial steps by default.
        where: the substitutions made before differentiating.
        lang: the language rendering uses by default.
        max_length: the longest rendering, in characters (0: no limit).
        method: "auto", "rules" or "log", as given to `derive`.

    >>> from symdiff import derive
    >>> d = derive("sin(x)", "x")
    >>> str(d.result), [step.rule for step in d.steps]
    ('cos(x)', ['trig', 'simplify'])
    """

    expr: Expr
    var: Sym
    result: Expr
    stages: tuple[Stage, ...]
    verbose: bool = False
    where: tuple[tuple[Expr, Expr], ...] = ()  # substitutions made before differentiating
    lang: str = "en"
    name: Sym | None = None  # what a definition called the expression: L in `L = ...`
    max_length: int = MAX_OUTPUT  # longest rendering, in characters (0: no limit)
    method: str = "auto"  # how the rules were chosen (`symdiff.diff.differentiate`)

    @property
    def steps(self) -> tuple[Step, ...]:
        """The derivative's step tree, its `simplify` step and, when
        assumptions were used, the `assume` step, for each order."""
        return tuple(s for stage in self.stages
                     for s in (stage.step, stage.simplified, stage.assumed, stage.renamed)
                     if s is not None)

    def render(self, format: str = "text", lang: str | None = None, verbose: bool | None = None,
               max_length: int | None = None) -> str:
        """The derivation written out for a reader.

        Args:
            format: `"text"` (numbered steps for terminals), `"markdown"`
                (prose and numbered display maths) or `"latex"` (one
                `align*` block).
            lang: the language of the explanations (`"en"`, `"ja"`; see
                `symdiff.languages`); by default the one given to `derive`.
            verbose: keep trivial steps; by default as given to `derive`.
            max_length: refuse to write more than this many characters (0:
                no limit); by default as given to `derive`.

        Returns:
            The rendering, a `str`.

        Raises:
            SymdiffError: an unknown `format` or `lang`, or a rendering
                longer than `max_length`.

        >>> from symdiff import derive
        >>> print(derive("x^3", "x").render("latex"))
        \\begin{align*}
        ...
        \\end{align*}
        """
        return render(self, format, self.lang if lang is None else lang,
                      self.verbose if verbose is None else verbose,
                      self.max_length if max_length is None else max_length)

    def __repr__(self) -> str:
        return f"<Derivation d/d{self.var} {self.expr} = {self.result}>"

    def _repr_markdown_(self) -> str:
        return self.render("markdown")
