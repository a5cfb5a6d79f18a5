"""Values of vector and matrix expressions with NumPy: a column per node kind (`ARRAY_VALUE`).

Vectors are columns inside ((n, 1) arrays) and 1-D arrays outside: the
caller gives `w` as `np.array([...])` and gets a vector back the same way.
Dimension names are bound by the first value that shows them, and every
other value must agree.  NumPy is an optional extra (`pip install
symdiff[numpy]`); without it this raises an error that says so.
"""

from __future__ import annotations

import functools
import math
import types
from collections.abc import Mapping
from typing import Any, Callable

from ..core.rows import table
from ..errors import EvaluationError, SymdiffError
from ..expr import (
    E, IDENTITY, SCALAR, Add, ArrayConst, Const, Delta, Derivative, Expr, Func, Hadamard, HadamardPow, Kind, Log,
    Mul, Num, Pow, Sum, Sym, Transpose, postorder,
)
from ..functions import ARRAY_FUNCTIONS, FUNCTIONS
from .. import runtime as R


def numpy() -> Any:
    try:
        import numpy as np
    except ImportError:
        raise SymdiffError("evaluating vectors and matrices needs NumPy: pip install symdiff[numpy]") from None
    return np


class _Env:
    def __init__(self, values: Mapping[str, Any]) -> None:
        self.np = numpy()
        self.values = values
        self.sizes: dict[str, int] = {}

    def size(self, d: str | int) -> int:
        if isinstance(d, int):
            return d
        if d not in self.sizes:
            raise EvaluationError(f"the size {d} is not known from the values given")
        return self.sizes[d]

    def bind(self, s: Expr) -> Any:
        name = s.name
        if name not in self.values:
            raise EvaluationError(f"no value for {name}")
        np = self.np
        v = np.asarray(self.values[name], dtype=float)
        k = s.kind
        if k is SCALAR:
            if v.ndim != 0:
                raise EvaluationError(f"{name} is a scalar, but its value has shape {v.shape}")
            return float(v)
        if v.ndim != len(k.shape):
            raise EvaluationError(f"{name} is a {k}, but its value has shape {v.shape}")
        for d, n in zip(k.shape, v.shape):
            known = self.sizes.setdefault(d, n) if isinstance(d, str) else d
            if known != n:
                raise EvaluationError(f"{name} has shape {v.shape}, but {d} = {known}")
        return v.reshape(-1, 1) if v.ndim == 1 else v


def _shape_of(env: _Env, k: Kind) -> tuple[int, int]:
    return (env.size(k.rows), env.size(k.cols))


def _function(env: _Env, node: Expr, kids: tuple[Any, ...]) -> Any:
    row = ARRAY_FUNCTIONS.get(node.name)
    if row is not None:
        return row.numpy(kids[0])
    scalar = FUNCTIONS.get(node.name)
    if scalar is None:
        raise EvaluationError(f"{node.name} has no value")
    np = env.np
    if scalar.numpy:
        return getattr(np, scalar.numpy)(*kids)
    helper: Callable[..., Any] | None = getattr(R, f"_np_{node.name}", None)
    if helper is not None:
        return _with_numpy(helper, np)(*kids)
    return np.vectorize(scalar.evaluate, otypes=[float])(*kids)


@functools.cache
def _with_numpy(helper: Callable[..., Any], np: Any) -> Callable[..., Any]:
    """A run-time helper of generated NumPy code, which reads `np` from its module's globals."""
    return types.FunctionType(helper.__code__, {**vars(R), "np": np}, helper.__name__, helper.__defaults__)


def _mul(env: _Env, node: Expr, kids: tuple[Any, ...]) -> Any:
    out: Any = 1.0
    array: Any = None
    for f, v in zip(node.factors, kids):
        if f.kind is SCALAR:
            out = out * v
        else:
            array = v if array is None else array @ v
    if array is None:
        return out
    if node.kind is SCALAR:
        return out * float(array[0, 0])
    return out * array


def _pow(env: _Env, node: Expr, kids: tuple[Any, ...]) -> Any:
    base, exp = kids
    np = env.np
    if node.base.kind is not SCALAR:
        return np.linalg.matrix_power(base, int(node.exp.value))
    if node.base is E:
        return np.exp(exp)
    return np.power(base, exp)


def _log(env: _Env, node: Expr, kids: tuple[Any, ...]) -> Any:
    arg, base = kids
    np = env.np
    if np.any(np.asarray(arg) <= 0):
        raise EvaluationError("logarithm of a non-positive number")
    out = np.log(arg)
    return out if node.base is E else out / math.log(base)


def _const(env: _Env, node: Expr, kids: tuple[Any, ...]) -> Any:
    rows, cols = _shape_of(env, node.kind)
    return env.np.eye(rows) if node.name == IDENTITY else env.np.ones((rows, cols))


def _refuse(env: _Env, node: Expr, kids: tuple[Any, ...]) -> Any:
    raise EvaluationError(f"{type(node).__name__} has no value among vectors and matrices")


ArrayValue = Callable[[_Env, Expr, tuple[Any, ...]], Any]
ARRAY_VALUE: dict[type[Expr], ArrayValue] = table("matrix value")
ARRAY_VALUE.update({
    Num: lambda env, n, kids: float(n.value),
    Const: lambda env, n, kids: math.e if n.name == "e" else math.pi,
    Sym: lambda env, n, kids: env.bind(n),
    Add: lambda env, n, kids: sum(kids[1:], kids[0]),
    Mul: _mul, Pow: _pow, Log: _log, Func: _function,
    Transpose: lambda env, n, kids: kids[0].T if hasattr(kids[0], "T") else kids[0],
    Hadamard: lambda env, n, kids: _product(kids),
    HadamardPow: lambda env, n, kids: env.np.power(kids[0], kids[1]),
    ArrayConst: _const,
    Sum: _refuse, Delta: _refuse, Derivative: _refuse,
})


def _product(kids: tuple[Any, ...]) -> Any:
    out = kids[0]
    for k in kids[1:]:
        out = out * k
    return out


def value(e: Expr, values: Mapping[str, Any], kinds: Mapping[str, Kind] | None = None) -> Any:
    """The value of `e`: a float for a scalar, else a NumPy array (a vector 1-D).
    `kinds` (the declared shapes) size `I` and the ones where no symbol of `e` does."""
    env = _Env(values)
    np = env.np
    declared = [Sym(name, (), k) for name, k in (kinds or {}).items() if name in values and k is not SCALAR]
    for s in sorted((s for s in e.free if s.kind is not SCALAR), key=lambda s: s.name) + declared:
        env.bind(s)  # sizes first: I and the ones take theirs from them
    done: dict[Expr, Any] = {}
    with np.errstate(all="ignore"):
        try:
            for node in postorder(e):
                done[node] = ARRAY_VALUE[type(node)](env, node, tuple(done[k] for k in node.args))
        except ValueError as exc:
            raise EvaluationError(f"the values do not fit the shapes: {exc}") from None
    out = done[e]
    if e.kind is SCALAR:
        out = float(np.asarray(out).reshape(-1)[0]) if np.ndim(out) else float(out)
        if not math.isfinite(out):
            raise EvaluationError("the value is not a finite real number")
        return out
    if not np.all(np.isfinite(out)):
        raise EvaluationError("the value is not a finite real number")
    return out[:, 0] if len(e.kind.shape) == 1 else out
