"""Derivations: the step tree `diff` records for each order, with the
simplification, the assumptions and the renaming that finish it.

The pipeline (`symdiff.api`) runs the same stages for `diff` and `derive`;
recording them (`stage`) adds the steps and the forms they display, simplified
here, so that the step printer (`symdiff.printing.steps`) only lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from .diff import RULES, Step
from .expr import SCALAR, Expr, Sym, leaves, mul, sym
from .limits import MAX_OUTPUT
from .printing.steps import (
    ASSEMBLED, LOGARITHMIC, REWRITES_SEP, SHOW_SIMPLIFIED, matrix_layout, render, render_entries,
)
from .simplify import simplify, simplify_derivative


class Shown(dict[Expr, Expr]):
    """Intermediate results as the steps display them (simplified when small),
    each worked out when the printer first asks for it."""

    def __missing__(self, e: Expr) -> Expr:
        self[e] = form = simplify(e) if leaves(e) <= SHOW_SIMPLIFIED else e
        return form


class Built(dict[Step, Expr]):
    """A product or quotient rule's result as the rule builds it, with each
    factor's derivative as its own step shows it: `u'v + uv'` filled in."""

    def __init__(self, shown: Mapping[Expr, Expr]) -> None:
        super().__init__()
        self.shown = shown

    def __missing__(self, step: Step) -> Expr:
        given = {s.expr: self.shown[s.result] for s in step.substeps}
        self[step] = form = RULES[step.rule].apply(step.expr, cast(Sym, step.var), given.__getitem__)
        return form


class Stage(NamedTuple):
    """One order of differentiation: the root step, the simplification after it,
    and the assumptions used on the result (a `simplify` step too, or None)."""

    expr: Expr
    step: Step
    simplified: Step
    assumed: Step | None = None
    renamed: Step | None = None  # the result written with the names `where` gave
    # What the steps display: each intermediate result (simplified when small) and,
    # for a product or quotient rule, its result as the rule builds it.
    shown: Mapping[Expr, Expr] = Shown()
    built: Mapping[Step, Expr] = Built(Shown())


def _last_line(step: Step, shown: Mapping[Expr, Expr], built: Mapping[Step, Expr]) -> Expr:
    if step.rule in ASSEMBLED:
        return built[step]
    if step.rule in LOGARITHMIC:
        return mul(step.expr, shown[step.substeps[0].result])
    return shown[step.result]


def displayed(step: Step) -> Expr:
    """The result the last line of a (root) step shows: where the
    simplification step starts, so that it never steps back."""
    shown = Shown()
    return _last_line(step, shown, Built(shown))


def stage(expr: Expr, step: Step, raw: Expr, final: Expr, used: list[str], order: int,
          assumed: Step | None = None, renamed: Step | None = None) -> Stage:
    """The record of one order: `step` gave `raw`, which simplified (with the
    rewrites `used`) to `final`.  The simplification is shown from where the
    rule's step left off, so that it never steps back."""
    forms = Shown()
    built = Built(forms)
    start = _last_line(step, forms, built)
    if start is not raw and start is not final:
        retraced: list[str] = []
        if simplify_derivative(start, order, retraced) is final:
            used = retraced
    names = REWRITES_SEP.join(used) if final is not start else ""
    simplified = Step("simplify", None, start, final, rewrites=names)
    return Stage(expr, step, simplified, assumed, renamed, forms, built)


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
            simplification step, the assumptions step (or `None`), and the
            forms the steps display.
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


@dataclass(frozen=True, eq=False)
class MatrixDerivation(Derivation):
    """A gradient in matrix form derived in differentials (Magnus–Neudecker):
    `df` built rule by rule (`.root`, a `symdiff.matrix.differential.DStep`),
    rearranged to `df = <G, dX>`, and G read off.  `.result` equals
    `symdiff.diff(expr, var, shapes=...)`."""

    kinds: tuple[tuple[Sym, tuple[str | int, ...]], ...] = ()  # each name's shape, as declared
    root: Any = None
    df: Expr | None = None
    inner: Expr | None = None  # <result, dX>
    template: Expr | None = None  # <G, dX>, G a template of the variable's kind

    @property
    def steps(self) -> tuple[Any, ...]:
        """The differentials' step tree (its root)."""
        return (self.root,)

    def render(self, format: str = "text", lang: str | None = None, verbose: bool | None = None,
               max_length: int | None = None) -> str:
        """As `Derivation.render`: the differentials, then the gradient read off."""
        return render_entries(matrix_layout(self), format, self.lang if lang is None else lang,
                              self.max_length if max_length is None else max_length)


def matrix_derivation(expr: Expr, x: Sym, result: Expr, symmetric: list[Sym], *, lang: str = "en",
                      max_length: int = MAX_OUTPUT, verbose: bool = False) -> MatrixDerivation:
    """The steps of the gradient `result` of the scalar `expr` by `x`, in differentials."""
    from .matrix.differential import differentials, dsym, inner
    from .matrix.simplify import simplify as matrix_simplify

    d = differentials(expr, x, lambda e: matrix_simplify(e, symmetric))
    dx = dsym(x)
    g = sym("G", kind=x.kind)
    kinds = tuple(sorted(((s, tuple(s.kind.shape)) for s in expr.free if s.kind is not SCALAR or s is x),
                         key=lambda p: p[0].name))
    name = sym("L") if any(s.name == "f" for s in expr.free) else sym("f")
    return MatrixDerivation(expr, x, result, (), verbose, (), lang, name, max_length, "auto", kinds, d.root,
                            d.df, matrix_simplify(inner(result, dx), symmetric), inner(g, dx))
