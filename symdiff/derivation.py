"""Derivations: the step tree `diff` records, laid out for reading.

`derivation()` runs the same driver as `diff` (with `record=True`) and the same
simplifier, so the steps can never disagree with the result.  Rendering first
lays the tree out as a flat list of entries (headings, equations, references),
independent of format and language; `render` then writes them as an indented
text tree, Markdown with numbered display maths, or a LaTeX `align*` block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple, Union

from .simplify import simplify, simplify_derivative
from .diff import PLACEHOLDER, Step, _quotient_parts, differentiate
from .errors import SymdiffError
from .expr import Expr, Sym, div, ln, mul, substitute, sym
from .languages import words
from .printing.precedence import MUL, POW, is_negative, precedence

FORMATS = ("text", "markdown", "latex")
TRIVIAL = frozenset({"constant", "variable"})


class Stage(NamedTuple):
    """One order of differentiation: the root step and the simplification after it."""

    expr: Expr
    step: Step
    simplified: Step


def derivation(e: Expr, x: Sym, order: int = 1, verbose: bool = False) -> Derivation:
    """Differentiate `e` in `x` `order` times, keeping every step."""
    stages: list[Stage] = []
    current = e
    for _ in range(order):
        raw, step = differentiate(current, x, record=True)
        used: list[str] = []
        final = simplify_derivative(raw, order, used)
        names = ", ".join(used) if final is not raw else ""
        stages.append(Stage(current, step, Step("simplify", names, raw, final)))
        current = final
    return Derivation(e, x, current, tuple(stages), verbose)


@dataclass(frozen=True, eq=False)
class Derivation:
    """`expr` differentiated in `var`: `.result` and the `.steps` that reached it.

    Made by `symdiff.derive`; `.result` equals `symdiff.diff(expr, var, order)`.

    Attributes:
        expr: the expression differentiated.
        var: the variable, a `Sym`.
        result: the simplified derivative.
        stages: one `Stage` per order: the expression, the rule step tree and
            the simplification step.

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

    @property
    def steps(self) -> tuple[Step, ...]:
        """The derivative's step tree, then its `simplify` step, for each order."""
        return tuple(s for stage in self.stages for s in (stage.step, stage.simplified))

    def render(self, format: str = "text", lang: str = "en", verbose: bool | None = None) -> str:
        """The derivation written out for a reader.

        Args:
            format: `"text"` (an indented tree for terminals), `"markdown"`
                (prose and numbered display maths) or `"latex"` (one
                `align*` block).
            lang: the language of the explanations (`"en"`, `"ja"`; see
                `symdiff.languages`).
            verbose: keep trivial steps; by default as given to `derive`.

        Returns:
            The rendering, a `str`.

        Raises:
            SymdiffError: an unknown `format`.
            ValueError: an unknown `lang`.

        >>> from symdiff import derive
        >>> print(derive("x^3", "x").render("latex"))
        \\begin{align*}
        ...
        \\end{align*}
        """
        if format not in FORMATS:
            raise SymdiffError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
        table = words(lang)
        entries = layout(self, self.verbose if verbose is None else verbose)
        writer = {"text": TextWriter, "markdown": MarkdownWriter, "latex": LatexWriter}[format]
        return writer(table, self.var).write(entries)


# ------------------------------------------------------------------- layout

# A term of an equation: an expression, `d/dv expr`, a product shown as one,
# or a formula in the rule table's plain notation (`y'/y`).
class D(NamedTuple):
    var: str
    expr: Expr


class Times(NamedTuple):
    left: Expr
    right: Expr


class Formula(NamedTuple):
    text: str


Term = Union[Expr, D, Times, Formula]


class Heading(NamedTuple):
    depth: int
    number: str
    rule: str
    formula: str
    bindings: tuple[tuple[str, Expr], ...]


class Equation(NamedTuple):
    depth: int
    terms: tuple[Term, ...]
    note: str = ""  # a phrase key, e.g. "take_logs"
    ref: str = ""  # number of the step this repeats


class Task(NamedTuple):
    expr: Expr
    var: Sym
    order: int  # 0 when there is only one


class Visit(NamedTuple):
    step: Step
    number: str
    depth: int
    level: int  # how many chain rules enclose the step: picks u, v, w


Entry = Union[Heading, Equation, Task]


def bindings(step: Step, u: Expr | None) -> tuple[tuple[str, Expr], ...]:
    """The names in the rule's formula, bound for this instance (`u` omitted: it is named already)."""
    e = step.expr
    pairs: list[tuple[str, Expr]] = []
    match step.rule:
        case "constant_multiple":
            const = [f for f in e.factors if step.var not in f.free]
            pairs = [("c", mul(*const))]
        case "product" if len(e.factors) == 2:
            pairs = [("u", e.factors[0]), ("v", e.factors[1])]
        case "quotient":
            pairs = list(zip(("u", "v"), _quotient_parts(e)))
        case "power":
            pairs = [("n", e.exp)]
        case "exp_base":
            pairs = [("a", e.base)]
        case "log_base" | "change_of_base":
            pairs = [("b", e.base), ("u", e.arg)]
        case "logarithmic_differentiation":
            pairs = [("f", e.base), ("g", e.exp)]
    return tuple((n, v) for n, v in pairs if v is not u)


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


def layout(d: Derivation, verbose: bool) -> list[Entry]:
    """The derivation as a flat list of entries, walked with an explicit stack."""
    x = d.var
    names = FreshNames({str(s) for s in d.expr.free} | {str(x)})
    out: list[Entry] = []
    numbered: dict[int, str] = {}
    for k, stage in enumerate(d.stages):
        out.append(Task(stage.expr, x, k + 1 if len(d.stages) > 1 else 0))
        stack: list[Visit | Entry] = [Visit(stage.step, "1", 0, 0)]
        while stack:
            item = stack.pop()
            if not isinstance(item, Visit):
                out.append(item)
                continue
            step, number, depth, level = item
            claim = (D(str(step.var), step.expr), step.result)
            if id(step) in numbered:
                out.append(Equation(depth, claim, ref=numbered[id(step)]))
                continue
            numbered[id(step)] = number
            later: list[Visit | Entry] = []
            if step.rule == "chain":
                outer, inner = step.substeps
                u = names[level]
                out.append(Heading(depth, number, "chain", step.formula, ((str(u), step.inner),)))
                f_at_u = substitute(outer.result, {PLACEHOLDER: u})
                out.append(Heading(depth + 1, f"{number}.1", outer.rule, outer.formula,
                                   bindings(outer, PLACEHOLDER)))
                instance = (D(str(u), substitute(outer.expr, {PLACEHOLDER: u})), f_at_u)
                if plain(instance) != outer.formula:  # else the formula says it already
                    out.append(Equation(depth + 2, instance))
                later.append(Visit(inner, f"{number}.2", depth + 1, level + 1))
                f_at_inner = substitute(outer.result, {PLACEHOLDER: step.inner})
                later.append(Equation(depth + 1, (claim[0], Times(f_at_inner, inner.result),
                                                  step.result)))
            elif step.rule == "logarithmic_differentiation":
                (sub,) = step.substeps
                y, dy = Formula("y"), simplify(sub.result)
                out.append(Heading(depth, number, step.rule, step.formula, bindings(step, None)))
                out.append(Equation(depth + 1, (y, step.expr)))
                out.append(Equation(depth + 1, (Formula("ln(y)"), sub.expr), "take_logs"))
                later.append(Visit(sub, f"{number}.1", depth + 1, level))
                ratio = (sub.result, dy) if dy is not sub.result else (sub.result,)
                later.append(Equation(depth + 1, (Formula("y'/y"), *ratio), "both_sides"))
                later.append(Equation(depth + 1, (Formula("y'"), Times(step.expr, dy)), "solve"))
            elif step.rule == "change_of_base":
                (sub,) = step.substeps
                out.append(Heading(depth, number, step.rule, step.formula, bindings(step, None)))
                out.append(Equation(depth + 1, (step.expr, div(ln(step.expr.arg), ln(step.expr.base))),
                                    "rewrite"))
                later.append(Visit(sub, f"{number}.1", depth + 1, level))
                later.append(Equation(depth + 1, claim))
            else:
                out.append(Heading(depth, number, step.rule, step.formula, bindings(step, None)))
                shown = [s for s in step.substeps if verbose or s.rule not in TRIVIAL]
                for i, s in enumerate(shown):
                    later.append(Visit(s, f"{number}.{i + 1}", depth + 1, level))
                later.append(Equation(depth + 1, claim))
            stack.extend(reversed(later))
        simp = stage.simplified
        out.append(Heading(0, "2", "simplify", simp.formula, ()))
        if simp.expr is not simp.result:
            out.append(Equation(1, (simp.expr, simp.result)))
        else:
            out.append(Equation(1, (simp.result,), "already_simple"))
        out.append(Equation(0, (simp.result,), "answer"))
    return out


# ------------------------------------------------------------------ writers


def plain(terms: tuple[Term, ...]) -> str:
    """An equation in the plain syntax, as the text writer shows it."""
    return " = ".join(TextWriter.term(TextWriter({}, sym("x")), t) for t in terms)


def _wrapped(e: Expr, show, level: int, open_: str = "(", close: str = ")") -> str:
    text = show(e)
    return f"{open_}{text}{close}" if precedence(e) < level or (level == MUL and is_negative(e)) else text


class TextWriter:
    """An indented tree in the plain syntax, for terminals."""

    indent = "  "

    def __init__(self, table: dict[str, str], var: Sym) -> None:
        self.t = table
        self.var = var

    def expr(self, e: Expr) -> str:
        return str(e)

    def term(self, term: Term) -> str:
        if isinstance(term, D):
            return f"d/d{term.var} {_wrapped(term.expr, self.expr, POW)}"
        if isinstance(term, Times):
            return f"{_wrapped(term.left, self.expr, MUL)} * {_wrapped(term.right, self.expr, MUL)}"
        if isinstance(term, Formula):
            return term.text
        return self.expr(term)

    def title(self, rule: str) -> str:
        return self.t.get(rule, rule)

    def formula(self, text: str) -> str:
        return text

    def bindings(self, pairs: tuple[tuple[str, Expr], ...]) -> str:
        return ", ".join(f"{n} = {self.expr(v)}" for n, v in pairs)

    def task(self, task: Task) -> str:
        line = self.t["task"].format(expr=self.expr(task.expr), var=self.expr(task.var))
        return self.t["order"].format(n=task.order) + ": " + line if task.order else line

    def write(self, entries: list[Entry]) -> str:
        lines: list[str] = []
        for entry in entries:
            if isinstance(entry, Task):
                lines.append(self.task(entry))
                continue
            pad = self.indent * entry.depth
            if isinstance(entry, Heading):
                line = f"{pad}{entry.number}. {self.title(entry.rule)}"
                if entry.rule == "simplify":
                    line += ": " + self.t["using"].format(names=entry.formula) if entry.formula else ""
                else:
                    line += ": " + self.formula(entry.formula)
                if entry.bindings:
                    line += ", " + self.t["with"].format(bindings=self.bindings(entry.bindings))
                lines.append(line)
            elif entry.note == "answer":
                lines.append(f"= {self.term(entry.terms[0])}")
            else:
                line = pad + " = ".join(self.term(t) for t in entry.terms)
                if entry.note:
                    line += f"   ({self.t[entry.note]})"
                if entry.ref:
                    line += "   " + self.t["see"].format(number=entry.ref)
                lines.append(line)
        return "\n".join(lines)


# Functions of the formula notation and their LaTeX commands.
LATEX_FUNCTIONS = {
    "sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "cot": r"\cot", "sec": r"\sec",
    "csc": r"\csc", "asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan",
    "sinh": r"\sinh", "cosh": r"\cosh", "tanh": r"\tanh", "ln": r"\ln", "log": r"\log",
    "exp": r"\exp", "sigmoid": r"\sigma", "softplus": r"\operatorname{softplus}",
}
_FORMULA_TOKEN = re.compile(r"d/d[A-Za-z]\w*|[A-Za-z]+(?:_[A-Za-z0-9]+)?'*|\d+(?:\.\d+)?|\S")


def formula_latex(text: str) -> str:
    """A rule formula (`d/du log_b(u) = 1/(u*ln(b))`) in LaTeX."""
    out: list[str] = []
    closers: list[str] = []
    after_caret = False
    prev = ""
    for tok in _FORMULA_TOKEN.findall(text):
        piece = tok
        if tok.startswith("d/d"):
            piece = rf"\frac{{d}}{{d{tok[3:]}}} "
        elif tok[0].isalpha():
            name, primes = tok.rstrip("'"), "'" * (len(tok) - len(tok.rstrip("'")))
            if name in ("sqrt", "abs"):
                piece = ""
            elif name in LATEX_FUNCTIONS:
                piece = LATEX_FUNCTIONS[name] + primes
            elif name.startswith("log_"):
                piece = rf"\log_{{{name[4:]}}}" + primes
            else:
                piece = (name if len(name) == 1 else rf"\mathrm{{{name}}}") + primes
        elif tok == "(":
            pair = {"sqrt": (r"\sqrt{", "}"), "abs": (r"\left|", r"\right|")}.get(
                prev, ("{", "}") if prev == "^" else (r"\left(", r"\right)"))
            piece = pair[0]
            closers.append(pair[1])
        elif tok == ")":
            piece = closers.pop() if closers else ")"
        elif tok == "*":
            piece = " "
        elif tok in "+-=":
            piece = f" {tok} "
        elif tok == ",":
            piece = r",\quad "
        if after_caret and tok != "(":
            piece = "{" + piece + "}"
        after_caret = tok == "^"
        out.append(piece)
        prev = tok
    return "".join(out).replace("  ", " ").strip()


class LatexTerms(TextWriter):
    """Shared by the Markdown and LaTeX writers: terms as LaTeX maths."""

    def expr(self, e: Expr) -> str:
        from .printing.latex import latex

        return latex(e)

    def term(self, term: Term) -> str:
        if isinstance(term, D):
            var = self.expr(sym(term.var) if "_" not in term.var else _name(term.var))
            return rf"\frac{{d}}{{d{var}}} " + _wrapped(term.expr, self.expr, POW, r"\left(", r"\right)")
        if isinstance(term, Times):
            left = _wrapped(term.left, self.expr, MUL, r"\left(", r"\right)")
            return left + r" \cdot " + _wrapped(term.right, self.expr, MUL, r"\left(", r"\right)")
        if isinstance(term, Formula):
            return formula_latex(term.text)
        return self.expr(term)

    def formula(self, text: str) -> str:
        return formula_latex(text)

    def bindings(self, pairs: tuple[tuple[str, Expr], ...]) -> str:
        return ", ".join(f"${formula_latex(n)} = {self.expr(v)}$" for n, v in pairs)

    def task(self, task: Task) -> str:
        line = self.t["task"].format(expr=f"${self.expr(task.expr)}$", var=f"${self.expr(task.var)}$")
        return self.t["order"].format(n=task.order) + ": " + line if task.order else line


def _name(text: str) -> Sym:
    base, _, index = text.partition("_")
    return sym(base, int(index)) if index.isdigit() else sym(base, index)


class MarkdownWriter(LatexTerms):
    """Prose paragraphs with `$$ ... \\tag{n} $$` display maths, for MathJax or KaTeX."""

    def write(self, entries: list[Entry]) -> str:
        blocks: list[str] = []
        tag = 0
        for entry in entries:
            if isinstance(entry, Task):
                blocks.append(f"**{self.task(entry)}**")
            elif isinstance(entry, Heading):
                line = f"**{entry.number}. {self.title(entry.rule)}.**"
                if entry.rule == "simplify":
                    line += " " + self.t["using"].format(names=f"`{entry.formula}`") if entry.formula else ""
                else:
                    line += f" ${self.formula(entry.formula)}$"
                if entry.bindings:
                    line += ", " + self.t["with"].format(bindings=self.bindings(entry.bindings))
                blocks.append(line)
            else:
                tag += 1
                maths = " = ".join(self.term(t) for t in entry.terms)
                if entry.note == "answer":
                    blocks.append(f"**{self.t['answer']}:**")
                elif entry.note:
                    blocks.append(f"*{self.t[entry.note]}:*")
                if entry.ref:
                    maths += r" \qquad \text{" + self.t["see"].format(number=entry.ref) + "}"
                blocks.append(f"$$\n{maths} \\tag{{{tag}}}\n$$")
        return "\n\n".join(blocks) + "\n"


class LatexWriter(LatexTerms):
    """One `align*` block (amsmath; KaTeX reads it too); headings are text rows."""

    def write(self, entries: list[Entry]) -> str:
        lines: list[str] = []
        for entry in entries:
            if isinstance(entry, Task):
                lines.append(rf"&\text{{{self.task(entry)}}} \\")
            elif isinstance(entry, Heading):
                text = rf"\textbf{{{entry.number}. {self.title(entry.rule)}}}"
                if entry.rule == "simplify":
                    if entry.formula:
                        text += ": " + self.t["using"].format(names=rf"\texttt{{{_escape(entry.formula)}}}")
                else:
                    text += f": ${self.formula(entry.formula)}$"
                if entry.bindings:
                    text += ", " + self.t["with"].format(bindings=self.bindings(entry.bindings))
                lines.append(rf"&\text{{{text}}} \\")
            else:
                first, *rest = (self.term(t) for t in entry.terms)
                row = rf"\quad {first}" if not rest else first + " &= " + " = ".join(rest)
                if entry.note:
                    row = f"&{row}" if not rest else row
                    row += rf" && \text{{{self.t[entry.note]}}}"
                if entry.ref:
                    row += r" && \text{" + self.t["see"].format(number=entry.ref) + "}"
                lines.append(row + r" \\")
        if lines and lines[-1].endswith(r" \\"):
            lines[-1] = lines[-1][:-3]
        return "\\begin{align*}\n" + "\n".join(lines) + "\n\\end{align*}"


def _escape(text: str) -> str:
    """Text for LaTeX text mode: the rewrite names hold ^, _, * and braces."""
    table = {"^": r"\^{}", "_": r"\_", "{": r"\{", "}": r"\}", "\\": r"\textbackslash{}",
             "&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$", "~": r"\~{}"}
    return "".join(table.get(c, c) for c in text)
