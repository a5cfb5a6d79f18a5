"""`--check` for vectors and matrices: a derivative in matrix form against
central differences of the expression, at random sizes and entries.

Each draw gives every dimension name a size in 2..5 and every name a value
(NumPy): square matrices near the identity (so that inverses and
determinants exist), other arrays N(0, 1), scalars in [0.5, 2]; when the
expression is not defined there, the draw is taken again with every entry in
[0.5, 2] (logarithms, square roots).  The derivative's directional value at a
random direction is compared with the central difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import EvaluationError
from ..expr import SCALAR, Expr, Sym
from .values import numpy

DRAWS = 3
STEP = 1e-5  # central difference step (float64: error ~ STEP^2 and eps/STEP)
TOLERANCE = 1e-5


@dataclass(frozen=True)
class Checked:
    ok: bool
    tried: int
    worst: float

    def __str__(self) -> str:
        if not self.tried:
            return "not checked: no random draw was inside the expression's domain"
        what = f"central differences at {self.tried} random sizes and entries"
        if self.ok:
            return f"checked: agrees with {what} (largest relative error {self.worst:.1e})"
        return f"CHECK FAILED: disagrees with {what} (relative error {self.worst:.1e})"


def _draw(rng: Any, free: frozenset[Sym], shapes: Mapping[str, tuple[str | int, ...]], symmetric: set[str],
          positive: bool) -> dict[str, Any]:
    np = numpy()
    names = sorted({d for s in free for d in s.kind.shape if isinstance(d, str)})
    sizes = {d: int(rng.integers(2, 6)) for d in names}
    values: dict[str, Any] = {}
    for s in sorted(free, key=lambda s: s.name):
        size = tuple(sizes[d] if isinstance(d, str) else d for d in s.kind.shape)
        if positive:
            v = rng.uniform(0.5, 2.0, size)
        elif not size:
            v = rng.uniform(0.5, 2.0)
        elif len(size) == 2 and s.kind.shape[0] == s.kind.shape[1]:
            v = np.eye(size[0]) + 0.5 * rng.normal(size=size) / np.sqrt(size[0])
        else:
            v = rng.normal(size=size)
        if s.name in symmetric and len(size) == 2:
            v = (v + v.T) / 2
        values[s.name] = float(v) if not size else v
    return values


def check(f: Expr, d: Expr, x: Sym, shapes: Mapping[str, tuple[str | int, ...]],
          symmetric: Iterable[str] = (), seed: int = 0) -> Checked:
    """Is `d` the derivative of `f` by `x` (a gradient of the variable's shape,
    or a Jacobian rows(f) × rows(x))?  Checked along random directions."""
    from . import evaluate

    np = numpy()
    rng = np.random.default_rng(seed)
    sym_names = set(symmetric)
    tried, worst = 0, 0.0
    everything = f.free | d.free | {x}
    for _ in range(DRAWS):
        for positive in (False, True):
            values = _draw(rng, everything, shapes, sym_names, positive)
            direction = rng.normal(size=np.shape(values[x.name]))
            if x.name in sym_names and direction.ndim == 2:
                direction = (direction + direction.T) / 2
            try:
                up = dict(values, **{x.name: values[x.name] + STEP * direction})
                down = dict(values, **{x.name: values[x.name] - STEP * direction})
                fd = (np.asarray(evaluate(f, up, shapes), float) - np.asarray(evaluate(f, down, shapes), float)) \
                    / (2 * STEP)
                dv = np.asarray(evaluate(d, values, shapes), float)
            except EvaluationError:
                continue
            if f.kind is SCALAR:
                claimed = float(np.sum(dv * direction)) if dv.ndim else float(dv) * float(direction)
            else:  # a Jacobian: rows(f) × rows(x), applied to the direction
                claimed = dv @ direction if dv.ndim == 2 else dv * direction
            err = float(np.max(np.abs(np.asarray(claimed) - fd)) / max(1.0, float(np.max(np.abs(fd)))))
            tried += 1
            worst = max(worst, err)
            break
    return Checked(tried > 0 and worst <= TOLERANCE, tried, worst)
