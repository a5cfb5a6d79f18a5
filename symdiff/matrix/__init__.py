"""Vectors and matrices, end to end for the library: read with declared shapes
(`read`), differentiate in matrix form (`diff`: reverse-mode adjoints, forward
Jacobians), simplify (`simplify`) and evaluate with NumPy (`evaluate`).

The public functions (`symdiff.parse`, `symdiff.diff`, ... with `shapes=`) come
here; this module is what they call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from ..errors import DifferentiationError, SymdiffError
from ..expr import FACT_ARRAY, SCALAR, Expr, Sym
# Imported here, not where used: importing the submodule later would set the
# package's `simplify` to it, over the function below.
from . import diff as _diff
from . import simplify as _simplify

# The readers load on first use: the scalar paths ask `is_array` and nothing else here.
if TYPE_CHECKING:
    from .read import Shapes


def __getattr__(name: str) -> Any:
    if name == "Shapes":  # the alias, from its owner
        from .read import Shapes

        return Shapes
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Shapes", "parse", "is_array", "gradient", "jacobian", "hessian", "simplify", "evaluate", "not_yet"]


def parse(text: str, shapes: Shapes, syntax: str | None = None) -> Expr:
    """Matrix text -> Expr; names in `shapes` are vectors, matrices or scalars of those dimensions.
    Text with a backslash or a brace is LaTeX (plain matrix syntax has neither)."""
    if syntax == "latex" or (syntax is None and ("\\" in text or "{" in text)):  # X^{-1} is LaTeX too
        from .latex import read_latex

        return read_latex(text, shapes)
    from .read import read_plain

    return read_plain(text, shapes)


def is_array(e: Expr) -> bool:
    """Does the tree hold a vector or a matrix anywhere?"""
    return bool(e.facts & FACT_ARRAY)


def _variable(e: Expr, wrt: Expr | str | None, shapes: Shapes | None) -> Sym:
    if isinstance(wrt, Sym):
        return wrt
    if wrt is None:
        free = sorted(e.free, key=lambda s: s.name)
        if len(free) != 1:
            raise DifferentiationError(f"say which variable to differentiate by: {', '.join(map(str, free))}")
        return cast(Sym, free[0])
    if not isinstance(wrt, str):
        raise DifferentiationError(f"differentiate by a variable, not {wrt}")
    for s in e.free:
        if s.name == wrt:
            return cast(Sym, s)
    from ..expr import shape, sym

    dims = (shapes or {}).get(wrt)
    return sym(wrt, kind=shape(dims)) if dims is not None else sym(wrt)


def _symmetric(names: Iterable[str], e: Expr) -> list[Sym]:
    wanted = set(names)
    return [s for s in e.free if s.name in wanted]


def gradient(e: Expr, wrt: Expr | str | None, shapes: Shapes | None = None, symmetric: Iterable[str] = (),
             simplify: bool = True) -> Expr:
    """d e / d wrt for a scalar e, in matrix form, of wrt's shape."""
    v = _variable(e, wrt, shapes)
    if e.kind is not SCALAR:
        return jacobian(e, v, shapes, symmetric, simplify)
    out = _diff.adjoint(e, v)
    return _simplify.simplify(out, _symmetric(symmetric, e)) if simplify else out


def jacobian(e: Expr, wrt: Expr | str | None, shapes: Shapes | None = None, symmetric: Iterable[str] = (),
             simplify: bool = True) -> Expr:
    """The Jacobian of a vector e by a vector wrt: rows(e) × rows(wrt)."""
    v = _variable(e, wrt, shapes)
    out = _diff.tangent(e, v)
    return _simplify.simplify(out, _symmetric(symmetric, e)) if simplify else out


def hessian(e: Expr, wrt: Expr | str | None, shapes: Shapes | None = None, symmetric: Iterable[str] = (),
            simplify: bool = True) -> Expr:
    """The Hessian of a scalar e by a vector wrt: the Jacobian of its gradient."""
    v = _variable(e, wrt, shapes)
    return jacobian(gradient(e, v, shapes, symmetric), v, shapes, symmetric, simplify)


def simplify(e: Expr, symmetric: Iterable[str] = ()) -> Expr:
    return _simplify.simplify(e, _symmetric(symmetric, e))


def evaluate(e: Expr, values: Mapping[str, Any] | None, shapes: Shapes | None = None) -> Any:
    """The value with NumPy arrays: a float for a scalar, else an array (a vector 1-D)."""
    from ..expr import shape
    from .values import value

    kinds = {name: shape(dims) for name, dims in (shapes or {}).items()}
    return value(e, {str(k): v for k, v in (values or {}).items()}, kinds)


def not_yet(stage: str) -> SymdiffError:
    """The error of a stage that cannot take vectors and matrices yet (never a wrong answer)."""
    return SymdiffError(f"{stage}: not yet for vectors and matrices")


DRAWS = 8  # random sizes (2..5 per dimension name) and entries tried by `equal_values`


def equal_values(a: Expr | str, b: Expr | str, shapes: Shapes, symmetric: Iterable[str] = ()) -> bool:
    """Do `a` and `b` agree at random sizes and entries (`symmetric` names drawn symmetric)?
    A draw outside either's domain is skipped; when every draw is, EvaluationError."""
    from ..errors import EvaluationError
    from .values import numpy

    np = numpy()
    ea = parse(a, shapes) if isinstance(a, str) else a
    eb = parse(b, shapes) if isinstance(b, str) else b
    rng = np.random.default_rng(24)
    names = sorted({d for dims in shapes.values() for d in dims if isinstance(d, str)})
    tried = 0
    for _ in range(DRAWS):
        sizes = {d: int(rng.integers(2, 6)) for d in names}
        values: dict[str, Any] = {}
        for name, dims in shapes.items():
            v = rng.normal(size=tuple(sizes[d] if isinstance(d, str) else d for d in dims))
            values[name] = (v + v.T) / 2 if name in set(symmetric) else v
        try:
            va, vb = evaluate(ea, values, shapes), evaluate(eb, values, shapes)
        except EvaluationError:
            continue
        tried += 1
        va, vb = np.asarray(va, dtype=float), np.asarray(vb, dtype=float)
        scale = max(float(np.max(np.abs(va), initial=0.0)), 1.0)
        if va.shape != vb.shape or not np.allclose(va, vb, rtol=1e-9, atol=1e-9 * scale):
            return False
    if not tried:
        raise EvaluationError("no random draw was inside the domain of both expressions")
    return True
