"""Answers that check themselves: derivatives against finite differences, and
equality of two expressions on the reals.

Random points come from a seeded generator, so every answer is reproducible.
A point is inside the domain when `evaluate` accepts it: `evaluate` applies
each function's `domain` from `symdiff.functions` and refuses logarithms of
non-positive numbers, division by zero and negative bases of fractional
powers.  A point where a value overflows a float says nothing about domains
and is skipped.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from .api import as_tree, diff, simplify, substitute
from .errors import EvaluationError, SymdiffError
from .evaluate import evaluate
from .expr import ZERO, Add, Expr, Num, Sum, Sym, postorder, sub
from .sums import expand_sums

SPECIAL = (0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0)
RANGES = ((-1.0, 1.0), (-3.0, 3.0), (-10.0, 10.0), (0.0, 1.0), (1.0, 5.0), (-5.0, -1.0))
# Two forms of one value agree in floats to a few ulps of the largest value
# computed on the way: `equals` allows EQUAL_TOLERANCE of the largest of the two
# values and their terms, and NOISE absolutely (sin(pi) is 1.2e-16, not 0), so
# differences below 1e-14 are not seen numerically (exactly, they are).
EQUAL_TOLERANCE = 1e-11
NOISE = 1e-14
# Finite differences agree to ~1e-10 at the steps used (relative, absolute below 1).
TOLERANCE = 1e-6
SEED = 20261130


def _overflow(err: EvaluationError) -> bool:
    text = str(err)
    return "overflow" in text or "finite" in text


def _names(*exprs: Expr) -> list[str]:
    """The variables to draw values for, in a stable order."""
    for e in exprs:
        if any(type(n) is Sum for n in postorder(e)):
            raise SymdiffError("sums with symbolic bounds cannot be checked at points")
    index_only: set[Sym] = set()
    for e in exprs:
        for n in postorder(e):
            if type(n) is Sym:
                index_only.update(i for i in n.indices if type(i) is Sym)
    found = {str(s) for e in exprs for s in e.free if s not in index_only}
    return sorted(found)


def _draw(rng: random.Random, names: list[str], special: bool) -> dict[str, float]:
    if special:
        return {n: rng.choice(SPECIAL) for n in names}
    out = {}
    for n in names:
        lo, hi = rng.choice(RANGES)
        out[n] = rng.uniform(lo, hi)
    return out


def _value(e: Expr, point: dict[str, float]) -> float | EvaluationError:
    try:
        return evaluate(e, point)
    except EvaluationError as err:
        return err


def _differ(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(a), abs(b))


def _parts(e: Expr) -> tuple[Expr, ...]:
    """The terms of a sum, whose sizes set the rounding of its value (cancellation)."""
    return e.args if type(e) is Add else ()


def _apart(a: float, b: float, parts: list[float | EvaluationError]) -> bool:
    """Do `a` and `b` differ by more than rounding at the size of the values?"""
    scale = max([abs(a), abs(b)] + [abs(p) for p in parts if isinstance(p, float)])
    return abs(a - b) > EQUAL_TOLERANCE * scale + NOISE


def _show(point: dict[str, float]) -> str:
    return ", ".join(f"{k} = {v:.6g}" for k, v in point.items())


def _at(point: dict[str, float]) -> str:
    return f"at {_show(point)}, " if point else ""


# ------------------------------------------------------------------- equality


@dataclass
class Comparison:
    """The verdict of `compare`: `equal`, how it was reached, and a witness point if not."""

    equal: bool
    how: str
    point: dict[str, float] | None = None

    def __bool__(self) -> bool:
        return self.equal

    def __str__(self) -> str:
        return ("equal" if self.equal else "not equal") + f": {self.how}"


def compare(a: Expr | str, b: Expr | str, *, points: int = 200, seed: int = SEED) -> Comparison:
    """Are `a` and `b` defined at the same real points and equal there?

    The exact verdict comes first: a - b simplifies to 0 (equal, then
    checked for the same domain) or to a number other than 0 (not equal:
    `x` and `x + 1e-10`).  Otherwise both are evaluated at random points
    (some at 0, +-1, +-2, ...): a point where one side is defined and the
    other is not, or where they differ by more than rounding at the size of
    the values (EQUAL_TOLERANCE), shows they are not equal; "equal" then
    means "numerically, at every point tried", and `how` says so.
    """
    ta, tb = expand_sums(as_tree(a)), expand_sums(as_tree(b))
    gap = simplify(sub(ta, tb))
    proved = gap is ZERO
    if not proved and type(gap) is Num:  # exact, whatever floats would round it to
        return Comparison(False, f"exactly: a - b simplifies to {gap}, a number other than 0")
    # Sums with symbolic bounds (N) are compared written out, N drawn from 1..4.
    bounds = sorted({s for e in (ta, tb) for n in postorder(e) if type(n) is Sum
                     for s in n.lower.free | n.upper.free}, key=str)
    rng = random.Random(seed)
    both = 0
    tried = 0
    for k in range(points):
        fixed = {str(s): rng.randint(1, 4) for s in bounds}
        ca, cb = (expand_sums(substitute(t, fixed)) for t in (ta, tb)) if fixed else (ta, tb)
        try:
            names = _names(ca, cb)
        except SymdiffError:  # bounds that are not whole numbers even so
            if proved:
                return Comparison(True, "symbolically (a - b simplifies to 0)")
            raise SymdiffError("cannot compare these sums: no proof found, and their bounds "
                               "cannot be made whole numbers") from None
        if not names and not fixed and k:
            break  # constants: one evaluation says it all
        point = {**fixed, **_draw(rng, names, special=k % 4 == 0)}
        va, vb = _value(ca, point), _value(cb, point)
        tried += 1
        a_bad, b_bad = isinstance(va, EvaluationError), isinstance(vb, EvaluationError)
        if (a_bad and _overflow(cast(EvaluationError, va))) or (b_bad and _overflow(cast(EvaluationError, vb))):
            tried -= 1  # overflow says nothing about either domain
            continue
        if a_bad != b_bad:
            bad, good, err, value = (ta, tb, va, vb) if a_bad else (tb, ta, vb, va)
            return Comparison(False, f"{_at(point)}{good} = {value:.12g} but {bad} is undefined ({err})", point)
        if a_bad:
            continue
        both += 1
        parts = [_value(p, point) for p in (*_parts(ca), *_parts(cb))]
        if _apart(cast(float, va), cast(float, vb), parts):  # neither is an error here
            return Comparison(False, f"numerically: {_at(point)}{ta} = {va!r} but {tb} = {vb!r}", point)
    if proved:
        return Comparison(True, f"exactly: symbolically (a - b simplifies to 0), and both are defined at the "
                          f"same points among {tried} tried")
    if tried == 0:
        raise SymdiffError("cannot compare: every value tried overflows a float, and a - b "
                           "does not simplify to 0")
    if both == 0:
        return Comparison(True, f"numerically: both are undefined at all {tried} points tried (not proved)")
    drawn = f", with {', '.join(map(str, bounds))} drawn from 1..4" if bounds else ""
    return Comparison(True, f"numerically: at {both} random points{drawn}, to {EQUAL_TOLERANCE:g} of the "
                      f"values' size (same domain at {tried}; not proved symbolically)")


def equals(a: Expr | str, b: Expr | str, *, shapes: Mapping[str, Any] | None = None) -> bool:
    """True when `a` and `b` are defined at the same real points and equal there
    (by a symbolic proof, or at every one of many random points); see `compare`.

    Args:
        a: an expression, as an `Expr` or its text.
        b: another.

    Returns:
        `True` or `False`.

    Raises:
        ParseError: some text does not parse.
        SymdiffError: sums whose bounds cannot be made whole numbers and no
            symbolic proof.

    >>> equals("sin(x)^2 + cos(x)^2", "1"), equals("ln(x^2)", "2*ln(x)")
    (True, False)
    """
    if shapes is not None:
        from .matrix import equal_values

        return equal_values(a, b, shapes)
    return compare(a, b).equal


# --------------------------------------------------------------- derivatives


@dataclass
class Check:
    """The result of `check_derivative`: points used, the largest relative error."""

    ok: bool
    points: int
    largest: float = 0.0
    reason: str = ""
    worst: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        if self.points == 0:
            return f"not checked: {self.reason}"
        text = f"checked at {self.points} point{'s' * (self.points != 1)}, largest relative error {self.largest:.1g}"
        if not self.ok:
            text += f": the derivative disagrees with finite differences at {_show(self.worst)}"
        return text


def _central(f: Expr, wrt: Sequence[str], point: dict[str, float], h: float) -> float:
    """Nested central differences of f by wrt[0], wrt[1], ... with step h (scaled by |x|)."""
    if not wrt:
        v = evaluate(f, point)
        return v
    x = wrt[-1]
    step = h * max(1.0, abs(point[x]))
    up, down = dict(point), dict(point)
    up[x] += step
    down[x] -= step
    return (_central(f, wrt[:-1], up, h) - _central(f, wrt[:-1], down, h)) / (2 * step)


def _richardson(f: Expr, wrt: Sequence[str], point: dict[str, float], h: float) -> float:
    return (4 * _central(f, wrt, point, h / 2) - _central(f, wrt, point, h)) / 3


def _free_indices(*exprs: Expr) -> list[Sym]:
    """Names used as subscripts of free variables (j in y_j), not bound by a sum."""
    found: set[Sym] = set()
    for e in exprs:
        for s in e.free:
            if type(s) is Sym:
                found.update(i for k in s.indices for i in postorder(k) if type(i) is Sym)
    return sorted(found, key=str)


def _sum_bounds(*exprs: Expr) -> list[Sym]:
    return sorted({s for e in exprs for n in postorder(e) if type(n) is Sum for s in n.lower.free | n.upper.free},
                  key=str)


def check_derivative(f: Expr | str, result: Expr | str, wrt: Sequence[str], *,
                     points: int = 5, tries: int = 400, seed: int = SEED) -> Check:
    """Compare `result`, claimed to be d^n f/d wrt[0]...d wrt[n-1], with central
    finite differences of `f` (Richardson-extrapolated) at random points where
    both are defined.  A point where two step sizes disagree (near a
    singularity) is unreliable and skipped rather than judged.

    Sums with symbolic bounds are written out with each bound drawn from
    2..4 (or from the largest concrete index named, as d/dx_3 assumes 3 <= N),
    and a free index (j in d/dy_j) drawn from 1 to the smallest bound,
    so `f` becomes a function of y_1, y_2, ... that finite differences reach."""
    tf, tr = as_tree(f), as_tree(result)
    xs = [as_tree(w) for w in wrt]
    n = len(xs)
    if n == 0:
        raise SymdiffError("nothing to check: no variable to differentiate by")
    bounds = _sum_bounds(tf, tr)
    indices = [i for i in _free_indices(tf, tr, *xs) if i not in bounds]
    # a bound reaches every concrete index named (d/dx_3 assumes 3 <= N)
    low = max([2] + [int(k.value) for e in (tr, *xs) for s in e.free if type(s) is Sym
                     for k in s.indices if type(k) is Num and k.value.denominator == 1])
    h = (2.0 ** -52) ** (1.0 / (n + 4))  # balances truncation (h^4) against rounding (eps/h^n)
    rng = random.Random(seed)
    used = 0
    largest = 0.0
    worst: dict[str, float] = {}
    reason = ""
    for k in range(tries):
        if used == points:
            break
        fixed: dict[str, int] = {str(b): rng.randint(low, low + 2) for b in bounds}
        fixed.update({str(i): rng.randint(1, min(fixed.values(), default=3)) for i in indices})
        cf, cr = (expand_sums(substitute(t, fixed)) if fixed else expand_sums(t) for t in (tf, tr))
        names_x = [str(substitute(x, fixed)) if fixed else str(x) for x in xs]
        try:
            names = sorted(set(_names(cf, cr)) | set(names_x))
        except SymdiffError as err:
            return Check(True, 0, reason=str(err))
        point = {**fixed, **_draw(rng, [m for m in names if m not in fixed], special=False)}
        try:
            claimed = evaluate(cr, point)
            fine = _richardson(cf, names_x, point, h / 2)
            coarse = _richardson(cf, names_x, point, h)
        except (EvaluationError, OverflowError, ZeroDivisionError) as err:
            reason = str(err)
            continue
        if not all(map(math.isfinite, (claimed, fine, coarse))):
            continue
        if _differ(fine, coarse) > TOLERANCE / 10:
            continue  # finite differences unreliable here
        used += 1
        error = _differ(claimed, fine)
        if error >= largest:
            largest, worst = error, point
    if used == 0:
        why = f"; last: {reason}" if reason else ""
        return Check(True, 0, reason=f"no point found where {tf} and its derivative are both defined "
                     f"({tries} tried{why})")
    return Check(largest <= TOLERANCE, used, largest, worst=worst)


def check_diff(f: Expr | str, wrt: Sequence[str], **options: Any) -> Check:
    """`check_derivative` of symdiff's own derivative by `wrt` (in that order)."""
    tree = as_tree(f)
    result = tree
    for x in wrt:
        result = diff(result, x)
    return check_derivative(tree, result, wrt, **options)
