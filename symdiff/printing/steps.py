"""Printing a derivation: its steps as an indented text tree, Markdown with
numbered display maths, or one LaTeX `align*` block, in any language of
`symdiff.languages`.

`layout` turns the step tree into a flat list of entries (headings and
equations), independent of format and language.  Each heading shows the
rule's own formula and the bindings the rule computed; nothing about a rule
is re-derived here, and nothing simplified: the derivation hands over the
forms its steps display (`symdiff.derivation.stage`).  Every formula and
expression goes through the real printers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, NamedTuple, Protocol, Union, cast

from .. import formats
from ..diff import CHAIN, PLACEHOLDER, Formula, Step, offers_log
from ..errors import LimitError, SymdiffError
from ..expr import Expr, Func, Log, Pow, Sum, Sym, cost, div, ln, postorder, replace_subtrees, summation, sym
from ..indexing import depends
from ..languages import words
from ..matrix.differential import DFormula
from ..sums import Collapse
from .latex import latex
from .plain import to_str
from .unicode import pretty

from ..terms import MUL, POW, is_negative
from .precedence import precedence, printed_length

# Sub-steps folded into their parent unless verbose: a constant's derivative,
# the variable's own, and an indexed variable's delta.
TRIVIAL = frozenset({"constant", "variable", "indexed_variable"})
# Steps shown only through their sub-steps unless verbose (or at the root).
TRANSPARENT = frozenset({"constant_multiple"})
# Between the names of the rewrites a `simplify` step applied (a name may hold ", ").
REWRITES_SEP = "; "
# Intermediate results up to this many leaves are shown simplified.
SHOW_SIMPLIFIED = 80

_Y, _DY = Sym("y", ()), Sym("y'", ())


# Rules whose result is shown assembled, u'v + uv' with each derivative filled
# in, before anything is simplified.
ASSEMBLED = frozenset({"product", "quotient"})
# Rules that differentiate the expression written another way, with the phrase saying how.
REWRITTEN = {"change_of_base": "rewrite", "power_as_exp": "rewrite_as_exp", "derivative_operator": "rewrite"}
# Rules that take logarithms: y = ..., ln(y) = ..., y'/y = ..., y' = y*(...).
LOGARITHMIC = frozenset({"logarithmic_differentiation", "logarithmic_product"})


class Staged(Protocol):
    """What `layout` reads of one order of a derivation (`symdiff.derivation.Stage`)."""

    @property
    def expr(self) -> Expr: ...
    @property
    def step(self) -> Step: ...
    @property
    def simplified(self) -> Step: ...
    @property
    def assumed(self) -> Step | None: ...
    @property
    def renamed(self) -> Step | None: ...
    @property
    def shown(self) -> Mapping[Expr, Expr]: ...  # each intermediate result as displayed
    @property
    def built(self) -> Mapping[Step, Expr]: ...  # product and quotient rules' results, assembled


class Derived(Protocol):
    """What `layout` reads of a derivation (`symdiff.derivation.Derivation`)."""

    @property
    def expr(self) -> Expr: ...
    @property
    def var(self) -> Sym: ...
    @property
    def stages(self) -> tuple[Staged, ...]: ...
    @property
    def where(self) -> tuple[tuple[Expr, Expr], ...]: ...
    @property
    def name(self) -> Sym | None: ...
    @property
    def method(self) -> str: ...


def _over_own_index(f: Formula, s: Sum) -> Formula:
    """The sum rule's formula written over the sum's own index and bounds."""
    def over(t: Expr) -> Expr:
        return summation(cast(Sum, t).body, s.index, s.lower, s.upper)
    return Formula(f.var, over(f.lhs), over(f.rhs))


# ------------------------------------------------------------------- layout


class D(NamedTuple):
    """`d/d(var) expr`."""

    var: Sym
    expr: Expr


class Named(NamedTuple):
    """`dL/dw`: the derivative of the expression a definition named."""

    name: Sym
    var: Sym
    order: int = 1


class Times(NamedTuple):
    """A product shown as the rule built it, before it is multiplied out."""

    left: Expr
    right: Expr


class Differential(NamedTuple):
    """`d(expr)`; `dX` for a name."""

    expr: Expr


class Gradient(NamedTuple):
    """The gradient of `name` by `var`: `df/dX`, `∇_X f`."""

    name: Sym
    var: Sym


class Identify(NamedTuple):
    """`df = <G, dX>`, so the gradient is G."""

    name: Sym
    var: Sym
    inner: Expr  # <G, dX> over the template G


Term = Union[Expr, D, Times, Named, Differential, Gradient]


class Heading(NamedTuple):
    depth: int
    number: int
    rule: str
    formula: Formula | DFormula | Identify | None = None
    bindings: tuple[tuple[Expr, Expr], ...] = ()
    conditions: tuple[Collapse, ...] = ()
    rewrites: str = ""


class Equation(NamedTuple):
    depth: int
    terms: tuple[Term, ...]
    note: str = ""  # a phrase key, e.g. "take_logs"
    ref: int = 0  # number of the step this repeats


class Remark(NamedTuple):
    """A sentence of its own, a phrase key: another method that works here."""

    note: str


class Task(NamedTuple):
    expr: Expr
    var: Sym
    order: int  # 0 when there is only one
    name: Sym | None = None


class Visit(NamedTuple):
    step: Step
    depth: int
    level: int  # how many chain rules enclose the step: picks u, v, w


class Shapes(NamedTuple):
    """What each name is: `X: n×d matrix, w: d-vector`."""

    kinds: tuple[tuple[Sym, tuple[str | int, ...]], ...]


Entry = Union[Heading, Equation, Task, Remark, Shapes]


class FreshNames:
    """u, v, w, ... for nested chain rules, skipping names the expression uses."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.names: list[Sym] = []

    def __getitem__(self, depth: int) -> Sym:
        while len(self.names) <= depth:
            self.names.append(self._next())
        return self.names[depth]

    def _next(self) -> Sym:
        for letter in ("u", "v", "w", "p", "q", "r"):
            if letter not in self.taken:
                self.taken.add(letter)
                return sym(letter)
        k = 1
        while f"u_{k}" in self.taken:
            k += 1
        self.taken.add(f"u_{k}")
        return sym("u", k)


def layout(d: Derived, verbose: bool) -> list[Entry]:
    """The derivation as a flat list of entries, walked with an explicit stack."""
    x = d.var
    names = FreshNames({str(s) for s in d.expr.free} | {str(x)})
    out: list[Entry] = []
    numbered: dict[int, int] = {}
    count = 0

    def heading(depth: int, rule: str, **kw: Any) -> None:
        nonlocal count
        count += 1
        out.append(Heading(depth, count, rule, **kw))

    for k, stage in enumerate(d.stages):
        out.append(Task(stage.expr, x, k + 1 if len(d.stages) > 1 else 0, d.name if k == 0 else None))
        shown = stage.shown.__getitem__
        if k == 0 and d.where:
            heading(0, "substitute", bindings=d.where)
        stack: list[Visit | Entry] = [Visit(stage.step, 0, 0)]
        while stack:
            item = stack.pop()
            if not isinstance(item, Visit):
                out.append(item)
                continue
            step, depth, level = item
            claim = (D(cast(Sym, step.var), step.expr), shown(step.result))  # recorded steps have their var
            if id(step) in numbered:
                out.append(Equation(depth, claim, ref=numbered[id(step)]))
                continue
            later: list[Visit | Entry] = []
            if step.rule == "chain":
                outer, inner = step.substeps
                f_at_inner = replace_subtrees(outer.result, {PLACEHOLDER: cast(Expr, step.inner)})  # a chain step's u
                through = Equation(depth + 1, (claim[0], Times(shown(f_at_inner), shown(inner.result)),
                                               claim[1]))
                if inner.rule in TRIVIAL and not verbose:  # f(y_i) by y_j: no inner step to show
                    at_inner: dict[Expr, Expr] = {PLACEHOLDER: cast(Expr, step.inner)}
                    heading(depth, outer.rule, formula=outer.formula,
                            bindings=tuple((n, replace_subtrees(v, at_inner)) for n, v in outer.bindings))
                    numbered[id(step)] = count
                    later.append(through)
                    stack.extend(reversed(later))
                    continue
                u = names[level]
                heading(depth, "chain", formula=CHAIN, bindings=((u, step.inner),))
                numbered[id(step)] = count
                at_u: dict[Expr, Expr] = {PLACEHOLDER: u}
                heading(depth + 1, outer.rule, formula=outer.formula,
                        bindings=tuple((n, replace_subtrees(v, at_u)) for n, v in outer.bindings))
                instance = (replace_subtrees(outer.expr, at_u), replace_subtrees(outer.result, at_u))
                general = cast(Formula, outer.formula)  # every rule a chain step applies has one
                renamed = tuple(replace_subtrees(t, {cast(Sym, general.var): u}) for t in (general.lhs, general.rhs))
                if instance != renamed:  # else the formula says it already
                    out.append(Equation(depth + 2, (D(u, instance[0]), instance[1])))
                if verbose or inner.rule not in TRIVIAL:
                    later.append(Visit(inner, depth + 1, level + 1))
                later.append(through)
            elif step.rule in LOGARITHMIC:
                (sub,) = step.substeps
                heading(depth, step.rule, formula=step.formula, bindings=step.bindings)
                numbered[id(step)] = count
                dy = shown(sub.result)
                product = step.rule == "logarithmic_product"
                out.append(Equation(depth + 1, (_Y, step.expr)))
                out.append(Equation(depth + 1, (ln(_Y), sub.expr),
                                    "take_logs_of_product" if product else "take_logs"))
                later.append(Visit(sub, depth + 1, level))
                later.append(Equation(depth + 1, (div(_DY, _Y), dy), "both_sides"))
                later.append(Equation(depth + 1, (_DY, Times(_Y, dy), Times(step.expr, dy)), "solve"))
            elif step.rule in REWRITTEN:
                (sub,) = step.substeps
                heading(depth, step.rule, formula=step.formula, bindings=step.bindings)
                numbered[id(step)] = count
                out.append(Equation(depth + 1, (step.expr, sub.expr), REWRITTEN[step.rule]))
                later.append(Visit(sub, depth + 1, level))
                later.append(Equation(depth + 1, claim))
            elif step.rule in TRANSPARENT and depth and not verbose:
                # c*u inside a larger derivation: u's steps say it all.
                for s in step.substeps:
                    if s.rule not in TRIVIAL:
                        later.append(Visit(s, depth, level))
            else:
                formula = step.formula
                if step.rule == "sum_over_index" and formula is not None:
                    formula = _over_own_index(formula, cast(Sum, step.expr))
                heading(depth, step.rule, formula=formula, bindings=step.bindings,
                        conditions=step.conditions)
                numbered[id(step)] = count
                for s in step.substeps:
                    if verbose or s.rule not in TRIVIAL:
                        later.append(Visit(s, depth + 1, level))
                if step.rule in ASSEMBLED:  # the rule filled in; simplified after, if that is shorter
                    built = stage.built[step]
                    tidy = claim[1]
                    root_step = step is stage.step
                    more = () if root_step or tidy is built or cost(tidy) >= cost(built) else (tidy,)
                    claim = (claim[0], built, *more)
                later.append(Equation(depth + 1, claim))
            stack.extend(reversed(later))
        finish = [s for s in (stage.simplified, stage.assumed, stage.renamed) if s is not None]
        root = out[-1]
        if d.name is not None and isinstance(root, Equation):  # dL/dw, as the definition named it
            root = out[-1] = root._replace(terms=(Named(d.name, x, k + 1), *root.terms[1:]))
        final = stage.simplified.result
        if isinstance(root, Equation) and (root.terms[-1] is final or stage.simplified.expr is final):
            terms = root.terms
            if terms[-1] is not final:  # y' = x^x * (ln(x) + 1): the product, multiplied
                terms = (*terms[:-1], final) if isinstance(terms[-1], Times) else (*terms, final)
            out[-1] = root._replace(terms=terms, note="answer" if len(finish) == 1 else "")
            finish = finish[1:]  # the root step shows the simplified result already
        for s in finish:
            heading(0, s.rule, bindings=s.bindings, rewrites=s.rewrites)
            last = s is finish[-1]
            note = "answer" if last else ""
            if s.expr is not s.result:
                out.append(Equation(1, (s.expr, s.result), note))
            else:
                out.append(Equation(1, (s.result,), note or "already_simple"))
        if k == 0 and d.method == "auto" and offers_log(stage.expr, x):
            out.append(Remark("offer_log"))
    return out


# ------------------------------------------------------------------ differentials


class MatrixDerived(Protocol):
    """What `matrix_layout` reads of a derivation in differentials (`symdiff.derivation.MatrixDerivation`)."""

    @property
    def expr(self) -> Expr: ...
    @property
    def var(self) -> Sym: ...
    @property
    def result(self) -> Expr: ...
    @property
    def name(self) -> Sym | None: ...
    @property
    def kinds(self) -> tuple[tuple[Sym, tuple[str | int, ...]], ...]: ...
    @property
    def root(self) -> Any: ...  # a symdiff.matrix.differential.DStep
    @property
    def df(self) -> Expr | None: ...
    @property
    def inner(self) -> Expr | None: ...  # <result, dX>
    @property
    def template(self) -> Expr | None: ...  # <G, dX>


def matrix_layout(d: MatrixDerived) -> list[Entry]:
    """df step by step (each rule's heading, its sub-steps, then its line), then the gradient read off."""
    name = d.name if d.name is not None else sym("f")
    out: list[Entry] = [Task(d.expr, d.var, 0, name), Shapes(d.kinds)]
    numbered: dict[int, int] = {}
    stack: list[tuple[Any, int] | Entry] = [(d.root, 0)]
    while stack:
        item = stack.pop()
        if not isinstance(item, tuple) or isinstance(item, (Heading, Equation, Task, Remark, Shapes)):
            out.append(item)
            continue
        step, depth = item
        claim = (Differential(step.expr), step.result)
        if id(step) in numbered:
            out.append(Equation(depth, claim, ref=numbered[id(step)]))
            continue
        number = len(numbered) + 1
        numbered[id(step)] = number
        bindings = tuple((n, v) for n, v in step.bindings if not (isinstance(v, Sym) and v.name == n.name))
        out.append(Heading(depth, number, step.rule, formula=step.formula, bindings=bindings))
        later: list[tuple[Any, int] | Entry] = [(s, depth + 1) for s in step.substeps]
        later.append(Equation(depth + 1, claim))
        stack.extend(reversed(later))
    df, inner, template = cast(Expr, d.df), cast(Expr, d.inner), cast(Expr, d.template)  # set when made
    out.append(Heading(0, len(numbered) + 1, "d_identify", formula=Identify(name, d.var, template)))
    terms: tuple[Term, ...] = (Differential(name), df) if inner is df else (Differential(name), df, inner)
    out.append(Equation(1, terms))
    out.append(Equation(1, (Gradient(name, d.var), d.result), "answer"))
    return out


# ------------------------------------------------------------------ writers


def _wrapped(text: str, e: Expr, level: int, open_: str, close: str) -> str:
    needs = precedence(e) < level or (level == MUL and is_negative(e))
    return f"{open_}{text}{close}" if needs else text


class Writer:
    """Shared by every format: words from the language table, maths from `show`.
    A derivation format (symdiff.formats) is a subclass with its own `write`."""

    show: Callable[[Expr], str] = staticmethod(to_str)
    open_, close = "(", ")"
    indent = "  "

    def __init__(self, lang: str) -> None:
        self.t = words(lang)

    def write(self, entries: list[Entry]) -> str:
        """The laid-out derivation as text in this format."""
        raise NotImplementedError(f"{type(self).__name__} writes no format")

    def wrapped(self, e: Expr, level: int) -> str:
        return _wrapped(self.show(e), e, level, self.open_, self.close)

    def d(self, var: Sym) -> str:
        return f"d/d{self.show(var)} "

    def named(self, term: Named) -> str:
        n = f"^{term.order}" if term.order > 1 else ""
        return f"d{n}{self.show(term.name)}/d{self.show(term.var)}{n}"

    def differential(self, e: Expr) -> str:
        return f"d{self.show(e)}" if isinstance(e, Sym) else f"d{self.open_}{self.show(e)}{self.close}"

    def gradient(self, g: Gradient) -> str:
        return f"d{self.show(g.name)}/d{self.show(g.var)}"

    def term(self, term: Term) -> str:
        if isinstance(term, Differential):
            return self.differential(term.expr)
        if isinstance(term, Gradient):
            return self.gradient(term)
        if isinstance(term, Named):
            return self.named(term)
        if isinstance(term, D):
            return self.d(term.var) + self.wrapped(term.expr, POW)
        if isinstance(term, Times):
            return f"{self.wrapped(term.left, MUL)}{self.times}{self.wrapped(term.right, MUL)}"
        return self.show(term)

    times = " * "

    def formula(self, f: Formula | DFormula) -> str:
        if isinstance(f, DFormula):
            return f"{self.differential(f.lhs)} = {self.show(f.rhs)}"
        left = self.term(D(f.var, f.lhs)) if f.var is not None else self.show(f.lhs)
        return f"{left} = {self.show(f.rhs)}"

    def bindings(self, pairs: tuple[tuple[Expr, Expr], ...]) -> str:
        return self.t["comma"].join(self.maths(f"{self.show(n)} = {self.show(v)}") for n, v in pairs)

    def condition(self, c: Collapse) -> str:
        return f"{self.show(c.lower)} <= {self.show(c.target)} <= {self.show(c.upper)}"

    def maths(self, text: str) -> str:
        return text

    def title(self, rule: str) -> str:
        if ":" in rule:  # d_function:sigmoid, d_entrywise:tanh: the rule's phrase for that function
            kind, name = rule.split(":", 1)
            return self.t[kind].format(f=name)
        return self.t[rule]

    def shapes(self, entry: Shapes) -> str:
        """`where X: n×d matrix, w: d-vector`, in the language's words."""
        def kind(dims: tuple[str | int, ...]) -> str:
            if not dims:
                return self.t["kind_scalar"]
            if len(dims) == 1:
                return self.t["kind_vector"].format(n=dims[0])
            return self.t["kind_matrix"].format(rows=dims[0], cols=dims[1])
        listed = self.t["comma"].join(f"{self.maths(self.show(n))}{self.t['colon']}{kind(k)}" for n, k in entry.kinds)
        return self.t["shapes"].format(kinds=listed)

    def words_for(self, rewrites: str) -> str:
        """The rewrites in words; one the language does not name is shown as code."""
        return self.t["comma"].join(self.t[r] if r in self.t else self.code(r) for r in rewrites.split(REWRITES_SEP))

    def heading_text(self, h: Heading) -> str:
        """`Title: formula, with u = ...` in this format's inline style."""
        line = self.title(h.rule)
        if h.rule == "simplify":
            if h.rewrites:
                line += self.t["using"].format(names=self.words_for(h.rewrites))
        elif h.rule in ("assume", "substitute", "name_again"):
            line += self.t["colon"] + self.bindings(h.bindings)
            return line
        elif isinstance(h.formula, Identify):  # df = <G, dX>, so the gradient is G: prose between the maths
            f = h.formula
            line += (self.t["colon"] + self.maths(f"{self.differential(f.name)} = {self.show(f.inner)}")
                     + self.t["so"] + self.maths(f"{self.gradient(Gradient(f.name, f.var))} = G"))
        elif h.formula is not None:
            line += self.t["colon"] + self.maths(self.formula(h.formula))
        if h.bindings:
            line += self.t["comma"] + self.t["with"].format(bindings=self.bindings(h.bindings))
        if h.conditions:
            shown_ = self.t["comma"].join(self.maths(self.condition(c)) for c in h.conditions)
            line += self.t["comma"] + self.t["assuming"].format(conditions=shown_)
        return line

    def code(self, text: str) -> str:
        return text

    def task(self, task: Task) -> str:
        what = self.show(task.expr) if task.name is None else f"{self.show(task.name)} = {self.show(task.expr)}"
        line = self.t["task"].format(expr=self.maths(what), var=self.maths(self.show(task.var)))
        return self.t["order"].format(n=task.order) + self.t["colon"] + line if task.order else line


class TextWriter(Writer):
    """An indented tree in the plain syntax, for terminals."""

    def write(self, entries: list[Entry]) -> str:
        lines: list[str] = []
        for entry in entries:
            if isinstance(entry, Task):
                lines.append(self.task(entry))
                continue
            if isinstance(entry, Remark):
                lines.append(self.t[entry.note])
                continue
            if isinstance(entry, Shapes):
                lines.append(self.shapes(entry))
                continue
            pad = self.indent * entry.depth
            if isinstance(entry, Heading):
                lines.append(f"{pad}{entry.number}. {self.heading_text(entry)}")
                continue
            if entry.note == "answer":  # the raw form, then the answer once
                *before, answer = entry.terms
                if before:
                    lines.append(pad + " = ".join(self.term(t) for t in before))
                lines.append(f"= {self.term(answer)}")
                continue
            line = pad + " = ".join(self.term(t) for t in entry.terms)
            if entry.note:
                line += f"   ({self.t[entry.note]})"
            if entry.ref:
                line += "   " + self.t["see"].format(number=entry.ref)
            lines.append(line)
        return "\n".join(lines)


class UnicodeWriter(TextWriter):
    """The text tree in the one-line Unicode notation (`symdiff.pretty`)."""

    show = staticmethod(pretty)
    times = " · "

    def gradient(self, g: Gradient) -> str:
        return f"∇_{self.show(g.var)} {self.show(g.name)}"

    def condition(self, c: Collapse) -> str:
        return f"{self.show(c.lower)} ≤ {self.show(c.target)} ≤ {self.show(c.upper)}"


class LatexTerms(Writer):
    """Shared by the Markdown and LaTeX writers: terms as LaTeX maths."""

    show = staticmethod(latex)
    open_, close = r"\left(", r"\right)"
    times = r" \cdot "

    def d(self, var: Sym) -> str:
        return rf"\frac{{d}}{{d{self.show(var)}}} "

    def differential(self, e: Expr) -> str:
        inner = self.show(e)
        return rf"\mathrm{{d}}{inner}" if isinstance(e, Sym) else rf"\mathrm{{d}}\left({inner}\right)"

    def gradient(self, g: Gradient) -> str:
        return rf"\nabla_{{{self.show(g.var)}}} {self.show(g.name)}"

    def named(self, term: Named) -> str:
        n = f"^{{{term.order}}}" if term.order > 1 else ""
        return rf"\frac{{d{n}{self.show(term.name)}}}{{d{self.show(term.var)}{n}}}"

    def condition(self, c: Collapse) -> str:
        return rf"{self.show(c.lower)} \le {self.show(c.target)} \le {self.show(c.upper)}"

    def maths(self, text: str) -> str:
        return f"${text}$"


class MarkdownWriter(LatexTerms):
    """Prose paragraphs with `$$ ... \\tag{n} $$` display maths, for MathJax or KaTeX."""

    def code(self, text: str) -> str:
        return f"`{text}`"

    def write(self, entries: list[Entry]) -> str:
        blocks: list[str] = []
        tag = 0
        for entry in entries:
            if isinstance(entry, Task):
                blocks.append(f"**{self.task(entry)}**")
            elif isinstance(entry, Remark):
                blocks.append(f"*{self.t[entry.note]}*")
            elif isinstance(entry, Shapes):
                blocks.append(self.shapes(entry))
            elif isinstance(entry, Heading):
                blocks.append(f"**{entry.number}. {self.heading_text(entry)}**")
            else:
                tag += 1
                maths = " = ".join(self.term(t) for t in entry.terms)
                if entry.note == "answer":
                    blocks.append(f"**{self.t['answer']}**")
                elif entry.note:
                    blocks.append(f"*{self.t[entry.note]}*")
                if entry.ref:
                    maths += r" \qquad \text{" + _escape(self.t["see"].format(number=entry.ref)) + "}"
                blocks.append(f"$$\n{maths} \\tag{{{tag}}}\n$$")
        return "\n\n".join(blocks) + "\n"


class LatexWriter(LatexTerms):
    """One `align*` block (amsmath; KaTeX reads it too); headings are text rows."""

    def write(self, entries: list[Entry]) -> str:
        lines: list[str] = []
        for entry in entries:
            if isinstance(entry, Task):
                lines.append(rf"&\text{{{self.text_row(self.task(entry))}}} \\")
            elif isinstance(entry, Remark):
                lines.append(rf"&\text{{{_escape(self.t[entry.note])}}} \\")
            elif isinstance(entry, Shapes):
                lines.append(rf"&\text{{{self.text_row(self.shapes(entry))}}} \\")
            elif isinstance(entry, Heading):
                lines.append(rf"&\text{{{self.text_row(f'{entry.number}. ' + self.heading_text(entry))}}} \\")
            else:
                first, *rest = (self.term(t) for t in entry.terms)
                row = rf"\quad {first}" if not rest else first + " &= " + " = ".join(rest)
                note = self.t["answer"] if entry.note == "answer" else self.t.get(entry.note, "")
                if note:
                    row = f"&{row}" if not rest else row
                    row += rf" && \text{{{_escape(note)}}}"
                if entry.ref:
                    row += r" && \text{" + _escape(self.t["see"].format(number=entry.ref)) + "}"
                lines.append(row + r" \\")
        if lines and lines[-1].endswith(r" \\"):
            lines[-1] = lines[-1][:-3]
        return "\\begin{align*}\n" + "\n".join(lines) + "\n\\end{align*}"

    def code(self, text: str) -> str:
        return rf"$\texttt{{{_escape(text)}}}$"

    @staticmethod
    def text_row(text: str) -> str:
        """Prose with inline `$maths$`, for inside `\\text{}`: the prose escaped."""
        pieces = text.split("$")
        return "$".join(p if k % 2 else _escape(p) for k, p in enumerate(pieces))


def _escape(text: str) -> str:
    """Text for LaTeX text mode: rewrite names hold ^, _, * and braces."""
    table = {"^": r"\textasciicircum{}", "_": r"\_", "{": r"\{", "}": r"\}",
             "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$",
             "~": r"\textasciitilde{}"}
    return "".join(table.get(c, c) for c in text)


def least_length(exprs: list[Expr]) -> int:
    """Characters that writing `exprs` out takes at least (`printed_length`
    is at most twice the plain length plus 20)."""
    memo: dict[Expr, int] = {}
    return sum(max(0, printed_length(e, memo) - 20) // 2 for e in exprs)


def steps_least_length(e: Expr, x: Sym) -> int:
    """Characters the steps of d/dx e take at least: each function, power and
    logarithm of `x` in `e` is the subject of a step, and written out there."""
    return least_length([n for n in postorder(e) if type(n) in (Func, Pow, Log) and depends(n, x)])


class StepsTooLong(LimitError):
    """Steps longer than the limit; `.length` (at least) and `.limit` in characters."""

    def __init__(self, length: int, limit: int) -> None:
        self.length, self.limit = length, limit
        super().__init__(f"the steps would run to at least {length:,} characters, more than the limit "
                         f"of {limit:,}; raise it (--max-output N, max_length=N; 0 for no limit), "
                         f"or ask for the derivative alone (diff)")


def too_long(length: int, limit: int) -> LimitError:
    return StepsTooLong(length, limit)


def render(d: Derived, format: str = "text", lang: str = "en", verbose: bool = False,
           max_length: int = 0) -> str:
    """A derivation in `format`, explained in `lang`; refused when it would
    pass `max_length` characters (0: no limit)."""
    return render_entries(layout(d, verbose), format, lang, max_length)


def render_entries(entries: list[Entry], format: str, lang: str, max_length: int = 0) -> str:
    """Laid-out entries written in `format` and `lang`, within `max_length` characters (0: no limit)."""
    if format not in formats.DERIVATION:
        raise SymdiffError(f"unknown format {format!r}; choose one of {', '.join(formats.DERIVATION)}")
    writer: Writer = formats.derivation(format).loaded(lang)
    if max_length:
        least = least_length([t for entry in entries for t in _expressions(entry)])
        if least > max_length:  # refused before writing
            raise too_long(least, max_length)
    text = writer.write(entries)
    if max_length and len(text) > max_length:
        raise too_long(len(text), max_length)
    return text


def _expressions(entry: Entry) -> list[Expr]:
    if isinstance(entry, (Remark, Shapes)):
        return []
    if isinstance(entry, Task):
        return [entry.expr]
    if isinstance(entry, Heading):
        return [e for pair in entry.bindings for e in pair]
    out: list[Expr] = []
    for t in entry.terms:
        if isinstance(t, Expr):
            out.append(t)
        elif isinstance(t, D):
            out.append(t.expr)
        elif isinstance(t, Times):
            out.extend((t.left, t.right))
        elif isinstance(t, Differential):
            out.append(t.expr)
    return out
