"""The library's front door and its one pipeline: text -> reading -> tree ->
diff -> simplify -> names.

`ask` reads the input once (`symdiff.requests.read`: the derivative text asks
for, a definition, or a plain expression), evaluates the derivatives written in
it (`Derivative` nodes), and settles the variables, the order, the
substitutions and the assumptions.  `_run` then differentiates, simplifies,
applies the assumptions and writes the result in the names `where` gave, one
order at a time; `diff` returns its result, `derive` records its steps, the
command line and the web page call the same two.  Every function here takes an
expression as an `Expr` or as its text and returns new trees; nothing is
changed in place.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

# The modules, by absolute name: symdiff.diff and symdiff.simplify are also the
# package's functions (re-exported from here), which mypy cannot tell apart in
# `from . import diff`.
import symdiff.diff as _diff
import symdiff.simplify as _simplify
from . import sums as _sums
from .sums import Assumption
from .errors import DifferentiationError, LimitError, ParseError, SymdiffError, each_note_once, note
from .evaluate import evaluate as _evaluate
from .expr import Expr, Sym, as_expr, leaves, natural_key, symbols
from . import formats
from .functions import spellings
from .indexing import depends
from .limits import MAX_ORDER, MAX_ORDER_SECONDS, MAX_OUTPUT
from .parse import parse_equation
from .requests import Request, read

if TYPE_CHECKING:  # the step renderer loads only when steps are asked for
    from .derivation import Derivation, Stage


# Declared vectors and matrices: {"X": ("n", "d"), "w": ("d",), "lam": ()} (symdiff.matrix).
Shapes = Mapping[str, tuple[str | int, ...]]


def as_tree(e: Expr | str) -> Expr:
    """The expression `e` as a tree: an `Expr` unchanged, a `str` parsed.

    Args:
        e: an expression or its plain or LaTeX text.

    Returns:
        The `Expr`.

    Raises:
        ParseError: `e` is text that does not parse.
        TypeError: `e` is neither an `Expr` nor a `str`.

    >>> as_tree("2x + 1")
    <Add 2*x + 1>
    """
    if isinstance(e, Expr):
        return e
    if isinstance(e, str):
        return parse(e)  # text that asks for a derivative gives that derivative
    raise TypeError(f"expected an expression or its text, not {type(e).__name__}")


@each_note_once
def parse(text: str, syntax: str | None = None, *, variables: Iterable[str] = (),
          max_length: int | None = None, shapes: Shapes | None = None) -> Expr:
    """Parse plain or LaTeX text into an expression tree.

    Text that asks for a derivative (`d/dx x^2`, `derivative of x^3`, see
    `symdiff.requests`) gives that derivative, unsimplified, as do derivative
    operators inside it (`x + d/dx x^2`).

    Args:
        text: the expression, plain (`"log_2(x)"`) or LaTeX.
        syntax: `"plain"` or `"latex"`; by default LaTeX is chosen when the
            text holds a backslash.
        variables: names of variables the text may use alone: with `x`
            among them, `sinx` reads as `sin(x)` (a `ReadingNote` warning
            says so either way).
        max_length: the longest text read, in characters; 0 for no limit.
            By default `limits.MAX_INPUT_LENGTH` (200,000), or what the
            command line's `--max-input` set.
        shapes: declared vectors and matrices, `{"X": ("n", "d"), "w":
            ("d",), "lam": ()}`: the text is read as matrix syntax
            (README, "Vectors and matrices").

    A definition `L = ...` or `f(x) = ...` gives its right side.

    Returns:
        The `Expr`, unsimplified; `parse(str(e)) == e` for every `Expr` `e`.

    Raises:
        ParseError: the text does not parse; it carries `.line` and
            `.column`, and its message shows the text with a caret.
        TypeError: `text` is not a `str`.
        ValueError: `syntax` is neither `"plain"` nor `"latex"`.

    >>> parse("log_2(x)")
    <Log log_2(x)>
    >>> parse(r"\\frac{x^{2}}{2}") == parse("x^2/2")
    True
    """
    if shapes is not None:  # vectors and matrices: symdiff.matrix reads them
        return cast(Expr, _matrix().parse(text, shapes, syntax))
    reading = read(text, syntax, variables=list(variables), max_length=max_length)
    return _diff.evaluate_derivatives(reading.asked)


_PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NOT_NAMES = frozenset({"e", "pi", "E", "Pi"}) | frozenset(spellings())  # constants and functions


def variable(e: Expr, wrt: Expr | str | None) -> Sym:
    """The variable to differentiate by: as given, or the only one `e` has.

    Args:
        e: the expression to be differentiated.
        wrt: the variable, as a `Sym` or its name; `None` picks the only
            variable `e` has.

    Returns:
        The variable as a `Sym`; `x` for an expression without any (`x^0`
        is 1, whose derivative is 0 by any variable).

    Raises:
        DifferentiationError: `wrt` is `None` and `e` has several
            variables, or `wrt` is not a variable (`"2x"`).
        ParseError: `wrt` is text that does not parse.

    >>> variable(parse("sin(t)"), None)
    <Sym t>
    """
    if wrt is None:
        names = symbols(e)
        if len(names) == 1:
            return names[0]
        if not names:
            return Sym("x", ())
        listed = ", ".join(map(str, names))
        raise DifferentiationError(f"the expression has several variables ({listed}); choose one with wrt "
                                   "(--wrt on the command line)", variables=tuple(names))
    if isinstance(wrt, str) and _PLAIN_NAME.fullmatch(wrt) and wrt not in _NOT_NAMES:
        return Sym(wrt, ())  # `x`, `theta`: what parse would give, without the reader
    x = as_tree(wrt) if isinstance(wrt, str) else wrt
    if not isinstance(x, Sym):
        raise DifferentiationError(f"can only differentiate with respect to a variable, not {wrt!r}")
    return x


def _check_order(order: int) -> None:
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise DifferentiationError(f"the order must be a whole number >= 0, not {order!r}")
    if order > MAX_ORDER:
        shown = str(order) if order.bit_length() < 1000 else "too large to show"
        raise LimitError(f"the order {shown} is above the limit of {MAX_ORDER}")


Wrt = Expr | str | Sequence[Expr | str] | None
# Mappings keyed by variable: by name, by tree, or by either.  A Mapping's key
# type is invariant, so each is listed: a caller's dict[str, float] is accepted.
Values = Mapping[str, float] | Mapping[Expr, float] | Mapping[str | Expr, float]
Replacement = Expr | str | int | float
Replacements = (Mapping[str, Replacement] | Mapping[Expr, Replacement]
                | Mapping[Expr | str, Replacement])


def _names(wrt: Wrt) -> list[str]:
    # (a variable given as a tree counts too: iterating a Sym was a TypeError; mypy found it)
    return [str(w) for w in ([wrt] if isinstance(wrt, (str, Expr)) else wrt or ())]


class Question(NamedTuple):
    """What an input asks for, read once (`ask`): the derivative of `tree` in
    each of `xs` in turn, `order` times each, using the assumptions `facts`."""

    tree: Expr  # with derivatives in the input evaluated, `where` substituted, bound indices renamed
    xs: tuple[Sym, ...]
    order: int
    facts: tuple[Assumption, ...] = ()
    where: tuple[tuple[Expr, Expr], ...] = ()  # the substitutions made, for the names step
    name: Sym | None = None  # what the text called the expression: L in `L = ...`, f in `f'(x) if ...`


def ask(e: Expr | str, wrt: Wrt = None, order: int | None = None,
        where: Replacements | None = None, assume: Sequence[str | Assumption] = ()) -> Question:
    """The reading end of the pipeline: `e` read once, with the variables and
    order to differentiate by.  Text that asks for a derivative (`d/dx x^2 sin
    x`, `derivative of F`; see `symdiff.requests`) gives its expression,
    variable and order, checked against `wrt` and `order` (a disagreement is a
    ParseError at the phrase), and a note; a definition `f(x) = ...` gives its
    right side, differentiated in x unless `wrt` says otherwise; other input
    is differentiated once by default."""
    if order is not None:
        _check_order(order)
    name, typed = None, ""
    if isinstance(e, str):
        reading = read(e, variables=_names(wrt))
        tree = _diff.evaluate_derivatives(reading.tree)
        request, definition = reading.request, reading.definition
        if request is not None:
            wrt, order = _agreed(request, wrt, order)
            name = request.name
        else:
            typed = e  # text someone typed, not a tree a caller built
            if definition is not None:
                name = definition.name
                if wrt is None and len(definition.args) == 1:
                    wrt = definition.args[0]
    else:
        tree = as_tree(e)
    pairs = _pairs(where) if where else {}
    if pairs:
        tree = _sums.substitute_indexed(tree, pairs)
    facts = [assumption(a) for a in assume]
    many = wrt is not None and not isinstance(wrt, (str, Expr))
    # `a*x^2` assuming a = 3 has one variable, x
    pick = _sums.apply_assumptions(tree, [a for a in facts if type(a.lhs) is Sym])[0] if wrt is None else tree
    xs = ([variable(tree, w) for w in cast(Sequence[Expr | str], wrt)] if many
          else [variable(pick, cast("Expr | str | None", wrt))])
    fixed = [a for a in facts if a.lhs in xs]
    if fixed:
        raise DifferentiationError(f"the assumption {fixed[0]} fixes the variable of differentiation")
    for x in xs if typed else ():
        if not depends(tree, x):
            shown_ = typed if len(typed) <= 60 else typed[:57] + "..."
            note(f"{x} does not occur in {shown_}: the derivative is 0")
    # j both free and bound (d/dz_j of ... sum_j e^(z_j)) reads wrongly: the sum's j is renamed
    tree = _sums.rename_bound(tree, {n for x in xs for n in _sums.free_names(x)})
    return Question(tree, tuple(xs), 1 if order is None else order, tuple(facts), tuple(pairs.items()), name)


def _agreed(request: Request, wrt: Wrt, order: int | None) -> tuple[Wrt, int]:
    """The variables and order a request asks for, checked against the caller's; with the note."""
    agreed, n = request.agree(wrt, order)
    _check_order(n)
    shown = agreed if isinstance(agreed, Sym) else None
    if agreed is None and len(names := symbols(request.body)) == 1:
        shown = names[0]
    note(request.describe(shown, n))
    return agreed, n


def _run(q: Question, *, simplify: bool = True, method: str = "auto",
         record: bool = False) -> tuple[Expr, tuple[Stage, ...]]:
    """The rest of the pipeline, one order at a time: differentiate, simplify,
    use the assumptions, and (after the last) write the result in the names
    `where` gave.  `record` keeps each order's steps (`symdiff.derivation`).
    Orders projected past the time allowed are refused (`_Pace`)."""
    total = q.order * len(q.xs)
    pace = _Pace(total)
    stages: list[Stage] = []
    tree = q.tree
    for n, x in enumerate(x for x in q.xs for _ in range(q.order)):
        pace.step()
        raw, step = _diff.differentiate(tree, x, record=record, method=method)
        used: list[str] = []
        final = _simplify.simplify_derivative(raw, total, used if record else None) if simplify else raw
        simplified, assumed, renamed = final, None, None
        if q.facts:
            after, applied = _sums.apply_assumptions(final, list(q.facts))
            if applied:
                tidy = _simplify.simplify(after) if simplify else after
                assumed = (final, tidy, tuple((a.lhs, a.rhs) for a in applied))
                final = tidy
        if q.where and simplify and n == total - 1:
            again = named_again(final, dict(q.where))
            if again is not final:
                renamed = (final, again)
                final = again
        if record:
            from .derivation import stage

            stages.append(stage(
                tree, cast(_diff.Step, step), raw, simplified, used, total,  # recorded: not None
                _diff.Step("assume", None, *assumed[:2], bindings=assumed[2]) if assumed else None,
                _diff.Step("name_again", None, *renamed, bindings=q.where) if renamed else None))
        tree = final
    return tree, tuple(stages)


def named_again(e: Expr, where: Mapping[Expr, Expr]) -> Expr:
    """The names step: `e` in the names `where` gave (`y_i*(delta(i, j) - y_j)`
    for a softmax derivative) when that is shorter, else `e`."""
    for key, value in where.items():
        if type(key) is Sym:
            folded = _sums.fold_back(e, key, value)
            if folded is not None:
                tidy = _simplify.simplify(folded)
                if leaves(tidy) < leaves(e):
                    e = tidy
    return e


def assumption(a: str | Assumption) -> Assumption:
    """An equation the result of `diff` may use, from its text.

    Args:
        a: the equation as text (`"sum_{k=1}^{K} t_{ik} = 1"`), or an
            `Assumption` (returned as it is).

    Returns:
        The `Assumption`, with `.lhs` and `.rhs`.

    Raises:
        ParseError: the text is not an equation `LHS = RHS` or does not parse.
        SymdiffError: the left side is neither a sum nor a variable.

    >>> str(assumption("sum_{k=1}^{K} t_{ik} = 1").rhs)
    '1'
    """
    sides = parse_equation(a) if isinstance(a, str) else None
    return _sums.usable(Assumption(*map(_diff.evaluate_derivatives, sides)) if sides else cast(Assumption, a))


@each_note_once
def diff(e: Expr | str, wrt: Wrt = None, order: int | None = None, *, simplify: bool = True,
         where: Mapping[Expr | str, Expr | str] | None = None,
         assume: Sequence[str | Assumption] = (), method: str = "auto", shapes: Shapes | None = None,
         symmetric: Iterable[str] = ()) -> Expr:
    """The `order`-th derivative of `e` with respect to `wrt`, simplified unless asked not to.

    With `shapes` (or a tree holding vectors and matrices) the derivative is
    in matrix form: the gradient of a scalar has the variable's shape, the
    derivative of a vector by a vector is its Jacobian; `symmetric` names
    matrices declared symmetric (`x^T*S*x` by x gives `2*S*x`).

    Args:
        e: the expression, as an `Expr` or its plain or LaTeX text; text
            that asks for a derivative (`d/dx x^2 sin x`, `derivative of
            F`, `diff(F, x)`) gives that derivative, with its variable and
            order (a `wrt` or `order` that disagrees is an error).
        wrt: the variable, as a `Sym` or its name (`"x"`, `"y_j"`,
            `"z_{jl}"`); a list of them for the mixed partial, taken in the
            order given; `None` means the only variable `e` has.
        order: how many times to differentiate (by each variable), a whole
            number >= 0; by default 1, or the order text like
            `d^2/dx^2 F` asks for.
        simplify: `False` returns the raw output of the rules.
        where: substitutions made first; an indexed key is a pattern for
            every index (`{"y_i": "sigmoid(z_i)"}`).
        assume: equations the result may use, as text
            (`"sum_{k=1}^{K} t_{ik} = 1"`) or parsed assumptions.
        method: `"auto"`, `"rules"` or `"log"`, as in `derive`; it picks the
            rules, so it can change the raw output, rarely the simplified one.

    Returns:
        The derivative, an `Expr`.

    Raises:
        ParseError: some text does not parse.
        DifferentiationError: `wrt` is missing or ambiguous, not a variable,
            or `order` is not a whole number within the limit.

    >>> str(diff("log_2(x)", "x"))
    '1/(x*ln(2))'
    >>> str(diff("x^2*y^3", ["x", "y"]))
    '6*x*y^2'
    """
    if shapes is not None or (isinstance(e, Expr) and _matrix().is_array(e)):
        if where or assume or order not in (None, 1):
            raise _matrix().not_yet("where=, assume= and orders above 1 (use hessian)")
        tree = as_tree(e) if shapes is None or not isinstance(e, str) else parse(e, shapes=shapes)
        if isinstance(wrt, (list, tuple)):
            raise _matrix().not_yet("mixed partials")
        return cast(Expr, _matrix().gradient(tree, wrt, shapes, symmetric, simplify))
    return solve(ask(e, wrt, order, where, assume), simplify=simplify, method=method)


def _matrix() -> Any:
    """symdiff.matrix, loaded on first use (the scalar paths never need it)."""
    from . import matrix

    return matrix


def solve(q: Question, *, simplify: bool = True, method: str = "auto") -> Expr:
    """The derivative `q` asks for: `diff` after reading (`simplify` and `method` as there)."""
    return _run(q, simplify=simplify, method=method)[0]


PACE_NOISE = 0.02  # seconds: shorter steps are timer noise, and project nothing
PACE_GROWTH = 1.5  # the most each order is projected to outgrow the one before
PACE_WINDOW = 4  # orders over which the growth is measured


class _Pace:
    """Refuses a derivative of several orders as soon as the orders left are
    projected past MAX_ORDER_SECONDS: each order is timed, and the next ones
    taken to grow as the last did."""

    def __init__(self, steps: int) -> None:
        self.left = self.steps = steps
        self.times: list[float] = []
        self.start = self.last = time.thread_time()

    def step(self) -> None:
        """Before each order: time the one before it, then project the rest."""
        now = time.thread_time()
        if self.left != self.steps:
            self.times.append(now - self.last)
        self.last = now
        if len(self.times) >= 2 and self.times[-1] >= PACE_NOISE:
            # Over the last few orders, so that one slow order (a garbage collection) is not a trend.
            k = min(PACE_WINDOW, len(self.times) - 1)
            a, b = self.times[-1 - k], min(self.times[-2:])
            growth = min(PACE_GROWTH, max(1.0, (b / a) ** (1 / k))) if a >= PACE_NOISE / 2 else 1.0
            ahead = b * sum(growth ** k for k in range(1, min(self.left, 64) + 1)) * max(1, self.left // 64)
            if now - self.start + ahead > MAX_ORDER_SECONDS:
                raise LimitError(f"this derivative would take more than the {MAX_ORDER_SECONDS:g} s of work "
                                 f"allowed: {self.left} more order{'s' * (self.left > 1)} after "
                                 f"{len(self.times)}, each slower than the last (about {ahead:.3g} s projected)")
        self.left -= 1


def _pairs(mapping: Replacements) -> dict[Expr, Expr]:
    return {as_tree(k): (as_tree(v) if isinstance(v, (str, Expr)) else as_expr(v))
            for k, v in mapping.items()}


def substitute(e: Expr | str, mapping: Replacements) -> Expr:
    """Replace variables by expressions.

    An indexed key is a pattern for every index (`{"y_i": "sigmoid(z_i)"}`
    also replaces `y_3` and `y_j`); a sum's own index is renamed rather than
    captured.

    Args:
        e: the expression, as an `Expr` or its text.
        mapping: variable (an `Expr` or its text) to replacement (an `Expr`,
            its text, or a number).

    Returns:
        The expression with the replacements made, an `Expr`.

    Raises:
        ParseError: some text does not parse.

    >>> str(substitute("y_1 + y_2", {"y_i": "sigmoid(z_i)"}))
    'sigmoid(z_1) + sigmoid(z_2)'
    """
    return _sums.substitute_indexed(as_tree(e), _pairs(mapping))


def expand_sums(e: Expr | str) -> Expr:
    """Write out every sum whose bounds are whole numbers.

    Args:
        e: the expression, as an `Expr` or its text.

    Returns:
        An `Expr` with those sums written out term by term; sums with
        symbolic bounds stay.

    Raises:
        ParseError: `e` is text that does not parse.

    >>> str(expand_sums("sum_{i=1}^{3} x_i^2"))
    'x_1^2 + x_2^2 + x_3^2'
    """
    return _sums.expand_sums(as_tree(e))


@each_note_once
def derive(e: Expr | str, wrt: Expr | str | None = None, order: int | None = None, *,
           where: Mapping[Expr | str, Expr | str] | None = None,
           assume: Sequence[str | Assumption] = (), verbose: bool = False,
           lang: str = "en", max_length: int = MAX_OUTPUT, method: str = "auto",
           shapes: Shapes | None = None, symmetric: Iterable[str] = ()) -> Derivation:
    """The derivative with the steps that produced it.

    The steps are recorded by the same pipeline that `diff` runs, so
    `derive(e, x).result == diff(e, x)` by construction.

    Args:
        e: the expression, as an `Expr` or its plain or LaTeX text.
        wrt: the variable, as a `Sym` or its name; `None` means the only
            variable `e` has.
        order: how many times to differentiate, a whole number >= 0; by
            default 1, or the order the text asks for, as in `diff`.
        where: substitutions made first, as in `diff`; the steps show them.
        assume: equations the result may use, as in `diff`; the steps show
            where they were used.
        verbose: keep trivial steps (`d/dx x = 1`, constants).
        lang: the language the derivation renders in by default.
        max_length: the longest the steps may be written out, in characters
            (0: no limit); longer ones are refused here or by `render`.
        method: `"log"` differentiates a product, quotient or power by
            taking logarithms (`ln y = 2 ln(x+1) + ...`, `y'/y = ...`,
            `y' = y*(...)`); `"rules"` uses the product, quotient and chain
            rules only (f^g as e^(g*ln(f))); `"auto"` takes logarithms for
            f^g and says where they would help.

    Returns:
        A `Derivation`, with `.result` (the simplified derivative), `.steps`
        and `.render("text" | "markdown" | "latex")`.

    Raises:
        ParseError: some text does not parse.
        DifferentiationError: `wrt` is missing or ambiguous, not a variable,
            `order` is not a whole number within the limit, or `method` is
            not one of the three.
        SymdiffError: the steps would be longer than `max_length`.

    >>> d = derive("x^2", "x")
    >>> str(d.result)
    '2*x'
    >>> print(d.render("text"))  # doctest: +ELLIPSIS
    Differentiate x^2 with respect to x.
    ...
    """
    if shapes is not None or (isinstance(e, Expr) and _matrix().is_array(e)):
        # vectors and matrices: the gradient in differentials (symdiff.matrix.differential)
        from .derivation import matrix_derivation

        tree = parse(e, shapes=shapes) if isinstance(e, str) and shapes is not None else as_tree(e)
        result = diff(tree, wrt, order, shapes=shapes, symmetric=symmetric, where=where, assume=assume)
        x = _matrix()._variable(tree, wrt, shapes)
        named = set(symmetric)
        return matrix_derivation(tree, x, result, [s for s in tree.free if s.name in named],
                                 lang=lang, max_length=max_length, verbose=verbose)
    q = ask(e, wrt, order, where, assume)
    return derivation(q, verbose=verbose, lang=lang, max_length=max_length, method=method)


def derivation(q: Question, *, verbose: bool = False, lang: str = "en", max_length: int = MAX_OUTPUT,
               method: str = "auto") -> Derivation:
    """`q` answered with its steps (`derive`); refused when the steps would be
    written out longer than `max_length` (0: no limit)."""
    from .derivation import Derivation
    from .printing.steps import steps_least_length, too_long

    _diff.check_method(method)
    (x,) = q.xs
    if max_length and (least := steps_least_length(q.tree, x)) > max_length:
        raise too_long(least, max_length)
    result, stages = _run(q, method=method, record=True)
    return Derivation(q.tree, x, result, stages, verbose, q.where, lang, q.name, max_length, method)


@each_note_once
def gradient(e: Expr | str, vars: Iterable[Expr | str] | None = None, *,
             simplify: bool = True, shapes: Shapes | None = None, symmetric: Iterable[str] = ()) -> dict[str, Expr]:
    """Every first partial derivative, keyed by variable name.

    Costs time linear in the size of `e` plus the size of the partials: each
    partial visits only the sub-trees that contain its variable.

    Args:
        e: the expression, as an `Expr` or its text.
        vars: the variables (each a `Sym` or its name); by default all of
            those in `e`.
        simplify: `False` gives the raw rule output instead of `diff(e, v)`.

    Returns:
        A `dict` from variable name to partial derivative (`Expr`), in the
        order of `vars` (repeats dropped); by default in natural order of
        the names (`y2` before `y10`).

    Raises:
        ParseError: some text does not parse.
        DifferentiationError: an entry of `vars` is not a variable.

    >>> {v: str(d) for v, d in gradient("x^2*y + sin(y)").items()}
    {'x': '2*x*y', 'y': 'x^2 + cos(y)'}
    >>> list(gradient("(w*x + b - y)^2", ["w", "b"]))
    ['w', 'b']
    """
    if shapes is not None or (isinstance(e, Expr) and _matrix().is_array(e)):
        tree = parse(e, shapes=shapes) if isinstance(e, str) and shapes is not None else as_tree(e)
        names = [str(v) for v in vars] if vars is not None else sorted(s.name for s in tree.free)
        return {v: _matrix().gradient(tree, v, shapes, symmetric, simplify) for v in dict.fromkeys(names)}
    tree, given, order = _gradient_of(e, None if vars is None else list(vars))
    if order != 1:
        raise DifferentiationError(f"the gradient holds first derivatives; the input asks for order {order}")
    if given is None:
        chosen = sorted(symbols(tree), key=lambda v: natural_key(str(v)))
    else:  # the caller's order (or the one the text asks for)
        chosen = list(dict.fromkeys(variable(tree, v) for v in given))
    tidy = _simplify.simplify if simplify else (lambda d: d)
    return {str(x): tidy(_diff.differentiate(tree, x)[0]) for x in chosen}


def _gradient_of(e: Expr | str, wrt: list[Expr | str] | None) -> tuple[Expr, list[Expr | str] | None, int]:
    """The tree, variables and order a gradient's input asks for (read once)."""
    if not isinstance(e, str):
        return as_tree(e), wrt, 1
    reading = read(e, variables=_names(wrt))
    tree = _diff.evaluate_derivatives(reading.tree)
    if reading.request is None:
        return tree, wrt, 1
    agreed, order = _agreed(reading.request, wrt, None)
    return tree, None if agreed is None else [agreed] if isinstance(agreed, (str, Expr)) else list(agreed), order


def simplify(e: Expr | str, *, shapes: Shapes | None = None, symmetric: Iterable[str] = ()) -> Expr:
    """A shorter, equal form: canonical, deterministic and idempotent.

    The rewrites are sound on the reals except that removable singularities
    may disappear (`x/x -> 1`); `symdiff.simplify`'s module docs list them.

    Args:
        e: the expression, as an `Expr` or its text.

    Returns:
        The simplified `Expr`.

    Raises:
        ParseError: `e` is text that does not parse.

    >>> str(simplify("x*x + 2x - x"))
    'x^2 + x'
    """
    tree = parse(e, shapes=shapes) if isinstance(e, str) and shapes is not None else as_tree(e)
    if _matrix().is_array(tree):  # the scalar rewrites assume products commute
        return cast(Expr, _matrix().simplify(tree, symmetric))
    return _simplify.simplify(tree)


def evaluate(e: Expr | str, values: Values | None = None, *, shapes: Shapes | None = None) -> Any:
    """The value of `e` as a float.

    Args:
        e: the expression, as an `Expr` or its text.
        values: a value for every variable of `e`, keyed by name (`"x"`,
            `"y_1"`) or by `Sym`; sums with symbolic bounds need them too
            (`{"N": 3}`).

    Returns:
        The value, a `float`.

    Raises:
        ParseError: `e` is text that does not parse.
        EvaluationError: a point outside the domain (`ln(-1)`, `1/0`), a
            variable without a value, or an overflow.

    >>> evaluate("ln(x)*y", {"x": 2, "y": 3})
    2.0794415416798357
    """
    tree = parse(e, shapes=shapes) if isinstance(e, str) and shapes is not None else as_tree(e)
    if shapes is not None or _matrix().is_array(tree):  # NumPy arrays in, a float or an array out
        return _matrix().evaluate(tree, cast(Mapping[str, Any], values), shapes)
    return _evaluate(tree, values)


# ------------------------------------------------------------ printers
# The printers take trees; these take text too, as every function here does.
# Each is its format's `export` in symdiff.formats, and prints through it.


def latex(e: Expr | str) -> str:
    """LaTeX for `e`, with as few brackets as precedence allows, that `parse` reads back.

    Args:
        e: the expression, as an `Expr` or its plain or LaTeX text.

    Returns:
        The LaTeX source, a `str` without surrounding `$`.

    Raises:
        ParseError: `e` is text that does not parse.

    >>> print(latex("1/(x*ln(2))"))
    \\frac{1}{x \\ln 2}
    """
    return formats.expression("latex").write(as_tree(e))


def pretty(e: Expr | str) -> str:
    """One line of Unicode for `e`: `2x/((x² + 1)·ln 2)`, `σ(x)·(1 − σ(x))`.

    Args:
        e: the expression, as an `Expr` or its text.

    Returns:
        The Unicode text, a `str`.

    Raises:
        ParseError: `e` is text that does not parse.

    >>> pretty("x^2 + sigmoid(x)")
    'x² + σ(x)'
    """
    return formats.expression("unicode").write(as_tree(e))


def mathml(e: Expr | str, display: str = "inline") -> str:
    """A MathML `<math>` element for `e`.

    Args:
        e: the expression, as an `Expr` or its text.
        display: `"inline"`, or `"block"` for a displayed formula.

    Returns:
        Presentation MathML, a `str`.

    Raises:
        ParseError: `e` is text that does not parse.
        SymdiffError: `display` is neither `"inline"` nor `"block"`.

    >>> mathml("x^2")  # doctest: +ELLIPSIS
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><msup>...<mn>2</mn>...</math>'
    """
    if display not in ("inline", "block"):
        raise SymdiffError(f"display must be 'inline' or 'block', not {display!r}")
    return str(formats.expression("mathml").loaded(as_tree(e), display))


__all__ = ["as_tree", "latex", "pretty", "mathml", "diff", "gradient", "derive", "simplify", "evaluate", "expand_sums", "parse", "ParseError",
           "substitute", "variable", "ask", "Question"]
