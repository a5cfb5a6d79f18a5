"""Plots: a function and its derivatives on one axis (matplotlib, the extra `[plot]`).

Every curve is sampled with `evaluate`, so a point outside the domain is a
gap (NaN), never a zero.  Where a curve jumps by more than the height of the
view between two samples (a pole, as in tan x), the line is broken there
instead of drawing a vertical spike; the view itself is a robust range of the
values, so one huge value near a pole does not flatten everything else.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable
from typing import Any

from . import api
from .errors import EvaluationError, SymdiffError
from .expr import Expr, Sym
from .functions import ROWS

try:
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.mathtext import MathTextParser
except ImportError:  # the extra [plot] is missing: plot() says how to install it
    np = Figure = MathTextParser = None  # type: ignore[assignment, misc]

SAMPLES = 801
INSTALL = "plotting needs matplotlib: pip install 'symdiff[plot]'"
DEFAULT_RANGE = (-3.0, 3.0)
# Periods of the periodic functions (their rows' `period`), in units of pi: sin(k*x + b) repeats every 2*pi/|k|.
PERIODS = {row.name: row.period for row in ROWS if row.period}
# Half-widths of the windows searched, in turn, for where the function has values.
WINDOWS = (3.0, 10.0, 30.0, 100.0)


def sample(e: Expr, x: Sym, xs: Iterable[float]) -> list[float]:
    """`e` at each point of `xs`; NaN where it has no real value."""
    name = str(x)
    out = []
    for v in xs:
        try:
            y = api.evaluate(e, {name: float(v)})
        except (EvaluationError, OverflowError, ZeroDivisionError):
            y = math.nan
        out.append(y if math.isfinite(y) else math.nan)
    return out


def view(curves: list[np.ndarray]) -> tuple[float, float]:
    """A y-range for the curves.  Each curve's middle 80 % is always in view; the
    rest too unless it reaches more than that height again beyond it, as a
    pole's tail does: then the view stops a quarter of the height past it."""
    finite = [c[np.isfinite(c)] for c in curves]
    middles = np.array([np.percentile(c, [10, 90]) for c in finite])
    lo, hi = middles[:, 0].min(), middles[:, 1].max()
    values = np.concatenate(finite)
    span = hi - lo
    if span <= 1e-9 * max(1.0, abs(hi)):  # constants: one unit either side
        return float(lo - 1), float(hi + 1)
    low, high = values.min(), values.max()
    bottom = low if low >= lo - span else lo - 0.25 * span
    top = high if high <= hi + span else hi + 0.25 * span
    pad = 0.05 * (top - bottom)
    return float(bottom - pad), float(top + pad)


def break_jumps(xs: np.ndarray, ys: np.ndarray, height: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN between neighbours that differ by more than the view's height."""
    jumps = np.flatnonzero(np.abs(np.diff(ys)) > height) + 1
    return np.insert(xs, jumps, np.nan), np.insert(ys, jumps, np.nan)


def period(e: Expr, x: Sym) -> float | None:
    """The period of `e` in `x` when `x` occurs only in periodic functions of
    k*x + b whose periods all divide the longest; else None."""
    from .expr import Func, Num, postorder
    from .indexing import depends

    periods: list[float] = []
    inside: set[Expr] = set()
    for node in postorder(e):
        if type(node) is Func and node.name in PERIODS and depends(node.arg, x):
            k = api.diff(node.arg, x)
            if type(k) is not Num or k.value == 0:
                return None
            periods.append(PERIODS[node.name] * math.pi / abs(float(k.value)))
            inside.update(postorder(node.arg))
    if not periods:
        return None
    # x outside every periodic function (x*sin(x)) is not periodic
    if any(node is x and node not in inside for node in postorder(e)) or not _only_inside(e, x):
        return None
    longest = max(periods)
    if any(abs(longest / p - round(longest / p)) > 1e-9 for p in periods):
        return None
    return longest


def _only_inside(e: Expr, x: Sym) -> bool:
    """Whether every occurrence of `x` is under a periodic function."""
    from .expr import Func

    stack = [e]
    while stack:
        node = stack.pop()
        if node is x:
            return False
        if type(node) is Func and node.name in PERIODS:
            continue
        stack.extend(node.args)
    return True


def _long_runs(ok: np.ndarray, share: float = 0.05) -> np.ndarray:
    """`ok` without the runs of True shorter than `share` of its length: x^x
    has values at x = -1, -2, -3, a view does not start there."""
    out = ok.copy()
    edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
    for start, stop in zip(edges[::2], edges[1::2]):
        if stop - start < share * ok.size:
            out[start:stop] = False
    return out


def default_range(e: Expr, x: Sym) -> tuple[float, float]:
    """A range that shows `e`: two periods of a periodic function, centred on
    0; else the part of the first window (-3..3, -10..10, ...) where `e` has
    values (isolated points aside), so ln(x), log_2(x), sqrt(x) and x^x start
    at 0 and sqrt(1 - x^2) spans -1..1."""
    p = period(e, x)
    if p is not None:
        return -p, p
    for w in WINDOWS:
        xs = np.linspace(-w, w, 601)
        ys = np.array(sample(e, x, xs))
        defined = xs[_long_runs(np.isfinite(ys))]
        if defined.size >= 2:
            lo, hi = float(defined.min()), float(defined.max())
            step = float(xs[1] - xs[0])
            if hi - lo < 4 * step:  # values at a few points only: the window itself
                return -w, w
            # a boundary inside the window: the sample before it had no value; to one decimal
            places = 1 if w <= 10 else 0
            lo = round(lo - step, places) + 0.0 if lo > -w else -w
            hi = round(hi + step, places) + 0.0 if hi < w else w
            return lo, hi
    return DEFAULT_RANGE


def _label(k: int, x: Sym, e: Expr, parser: MathTextParser[Any]) -> str:
    """`$f'(x) = \\frac{1}{x}$` if mathtext reads it, else the plain text `f'(x) = 1/x`."""
    from .printing.latex import latex

    f = "f" + "'" * k
    text = f"${f}({latex(x)}) = {latex(e)}$"
    try:
        parser.parse(text)
    except ValueError:
        return f"{f}({x}) = {e}"
    return text


def plot(expr: Expr | str, wrt: Expr | str | None = None, range: tuple[float, float] | None = None,
         order: int = 1, at: float | None = None) -> Figure:
    """f and its derivatives up to `order` against `wrt` on `range`, on one axis,
    with the tangent at `at` if given.  Needs the `[plot]` extra (matplotlib).

    Args:
        expr: the function, as an `Expr` or its text, in one variable.
        wrt: the variable, as a `Sym` or its name; `None` means the only one.
        range: the interval `(a, b)` drawn, `a < b`; by default chosen from
            the function (`default_range`): two periods of sin(x), 0..3
            for ln(x), -3..3 when it has values everywhere.
        order: the highest derivative drawn, 0 to 3.
        at: where to draw the tangent, or `None` for none.

    Returns:
        A matplotlib `Figure` (save it with `fig.savefig("f.svg")`).

    Raises:
        SymdiffError: matplotlib is not installed, the expression has other
            variables, `order` or `range` is out of bounds, or the function
            has no real value on the range.
        ParseError: `expr` is text that does not parse.

    >>> fig = plot("sin(x)", order=2, at=0.5)
    >>> type(fig).__name__
    'Figure'
    """
    if Figure is None:
        raise SymdiffError(INSTALL)
    tree = api.as_tree(expr)
    x = api.variable(tree, wrt)
    others = sorted(str(s) for s in tree.free if s is not x)
    if others:
        raise SymdiffError(f"plot needs one variable; {', '.join(others)} would need values too")
    if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 3:
        raise SymdiffError(f"plot draws derivatives of order 0 to 3, not {order!r}")
    a, b = (float(v) for v in (default_range(tree, x) if range is None else range))
    if not (math.isfinite(a) and math.isfinite(b) and a < b):
        raise SymdiffError(f"the range needs two numbers, the first smaller: got {a:g}:{b:g}")

    exprs = [tree]
    for _ in builtins.range(max(order, 1)):  # `range` is a parameter here
        exprs.append(api.diff(exprs[-1], x))
    xs = np.linspace(a, b, SAMPLES)
    exprs, slope_expr = exprs[: order + 1], exprs[1]
    curves = [np.array(sample(e, x, xs)) for e in exprs]
    for lower, upper in zip(curves, curves[1:]):
        # ln(x)' = 1/x has values at x < 0, but ln has no derivative there.
        upper[~np.isfinite(lower)] = np.nan
    if not np.isfinite(curves[0]).any():
        raise SymdiffError(f"{tree} has no real values for {x} in [{a:g}, {b:g}]")
    bottom, top = view([c for c in curves if np.isfinite(c).any()])

    parser = MathTextParser("path")
    from .printing.latex import latex

    var = latex(x)
    fig = Figure(figsize=(8, 5), layout="constrained")
    ax = fig.add_subplot()
    ax.tick_params(labelsize=12)
    for k, (e, ys) in enumerate(zip(exprs, curves)):
        ax.plot(*break_jumps(xs, ys, top - bottom), label=_label(k, x, e, parser), gid=f"f{k}")
    if at is not None:
        x0 = float(at)
        y0, slope = (sample(e, x, [x0])[0] for e in (tree, slope_expr))
        if not (math.isfinite(y0) and math.isfinite(slope)):
            raise SymdiffError(f"no tangent at {x} = {x0:g}: f or f' has no value there")
        ax.plot(xs, y0 + slope * (xs - x0), linestyle="--", color="grey", gid="tangent",
                label=f"tangent at ${var} = {x0:g}$")
        ax.plot([x0], [y0], marker="o", color="black", gid="point")
    ax.set_xlim(a, b)
    ax.set_ylim(bottom, top)
    ax.axhline(0, color="black", linewidth=0.5)
    if a < 0 < b:
        ax.axvline(0, color="black", linewidth=0.5)
    ax.set_xlabel(f"${var}$", fontsize=14)
    ax.set_ylabel("$y$", fontsize=14, rotation=0, labelpad=12)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=12, framealpha=0.9)
    return fig

