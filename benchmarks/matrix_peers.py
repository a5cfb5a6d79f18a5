"""SymPy's matrix `diff` on the matrix corpus (tests/support/matrix_corpus.py), issue 24.

Each case's plain text is built in SymPy with `MatrixSymbol`s (dimensions as
symbols; concrete sizes only where symbolic ones raise), differentiated with
`.diff` under a limit of 10 s of CPU time, cold (`clear_cache()` first), and
SymPy's answer is evaluated on random concrete entries (the corpus's own
draws) against the corpus's `grad`, which its tests check by finite
differences. Times are this process's CPU time (the machine may be shared).
Classes:

  right (matrix)  the value is right and the result is a matrix expression
  right (array)   the value is right but the result holds array expressions
  wrong           it evaluates to a different value (or shape); a Jacobian
                  transposed (SymPy's layout) counts right, noted
  no value        it does not evaluate (an unevaluated Derivative, or the
                  substitution fails); not counted right
  raised          `diff` raised
  timed out       `diff` ran out of its 10 s

SymPy has no softmax, logsumexp, sigmoid, softplus, entrywise sum or norm on
matrix expressions: they are built from exp, log, Trace and ones-vector
products (`OneMatrix`), and the note column says so. The construction avoids
what SymPy 1.14 gets silently wrong where a user has a choice: any sum or
function holding a `Trace` differentiates by a matrix to 0 (`(Trace(X.T*X) +
1).diff(X)` and `log(Trace(X)).diff(X)` are 0), so 1x1 products (`x^T*A*x`,
`norm(v)^2` as `v^T*v`) stay 1x1 matrices and a scalar added to one is
broadcast with `OneMatrix(1, 1)`; `Trace` wraps a 1x1 only where a true scalar
is needed (a divisor, a product with a matrix of another shape). A vector's
logsumexp is the scalar `log(Trace(1^T*exp(z)))` and its softmax
`exp(z)*(1/Trace(1^T*exp(z)))`, as a user writes them (the 1x1 alternative
`(1^T*exp(z)).applyfunc(log)` raises ValueError instead); a matrix's, per row,
use `applyfunc(log)` and `HadamardPower(..., -1)`.
SymPy cannot declare a matrix symmetric for `diff`; those cases are evaluated
at symmetric entries, where the general answer and the symmetric one agree.

Run: python benchmarks/matrix_peers.py [--only NAME] [--limit SECONDS]
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import sympy
from sympy import (
    Abs, Determinant, HadamardPower, HadamardProduct, Identity, ImmutableMatrix, Inverse,
    Lambda, MatrixExpr, MatrixSymbol, OneMatrix, Symbol, Trace, ZeroMatrix, exp, log,
)
from sympy.core.cache import clear_cache
from sympy.matrices.expressions.diagonal import DiagMatrix, DiagonalOf
from sympy.tensor.array import expressions as array_expressions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.matrix_corpus import CASES, IDENTITY, Case, Eye, draw_sizes, draw_values, read_plain, rng_for  # noqa: E402

DRAWS = (0, 1)  # the corpus's draws 0 (distinct sizes) and 1
_u = Symbol("u")
SCALAR = {
    "exp": sympy.exp, "log": sympy.log, "sin": sympy.sin, "cos": sympy.cos, "tanh": sympy.tanh,
    "sqrt": sympy.sqrt, "abs": Abs,
    "sigmoid": Lambda(_u, 1 / (1 + exp(-_u))), "softplus": Lambda(_u, log(1 + exp(_u))),
}
BUILT = {"sigmoid": "sigmoid as 1/(1+exp(-u))", "softplus": "softplus as log(1+exp(u))",
         "softmax": "softmax from exp and ones-vector sums", "logsumexp": "logsumexp from exp, log and sums",
         "sum": "sum as 1^T*M*1", "norm": "norm as sqrt(tr(M^T*M))", "norm1": "norm1 as 1^T*abs(x)"}


class Timeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise Timeout


class _Norm:
    """norm(v), pending: squared it is v^T*v (a 1x1 matrix) or tr(M^T*M), else their square root."""

    def __init__(self, v: Any) -> None:
        self.v = v

    def squared(self) -> Any:
        v = self.v
        return v.T * v if v.shape[1] == 1 else Trace(v.T * v)


def settle(v: Any) -> Any:
    return sympy.sqrt(scalar(v.squared())) if isinstance(v, _Norm) else v


def is_mat(v: Any) -> bool:
    return isinstance(v, MatrixExpr)


def scalar(v: Any) -> Any:
    """A 1x1 matrix expression where only a scalar will do: its trace."""
    return Trace(v) if is_mat(v) and v.shape == (1, 1) else v


def build(case: Case, sizes: dict[str, Any]) -> tuple[Any, dict[str, Any], set[str]]:
    """The case's text as a SymPy expression; its symbols by name; what had to be built from parts."""
    syms: dict[str, Any] = {}
    for name, shape in case.shapes.items():
        dims = [sizes[d] if isinstance(d, str) else d for d in shape]
        syms[name] = Symbol(name) if not dims else MatrixSymbol(name, dims[0], dims[1] if len(dims) > 1 else 1)
    notes: set[str] = set()
    stack: list[Any] = []
    for kind, arg in read_plain(case.text):
        if kind == "num":
            stack.append(sympy.Integer(int(arg)) if arg == int(arg) else sympy.Float(arg))
        elif kind == "name":
            stack.append(Eye() if arg == IDENTITY else syms[arg])
        elif kind == "T":
            v = settle(stack.pop())
            stack.append(v.T if is_mat(v) else v)
        elif kind == "neg":
            stack.append(-settle(stack.pop()))
        elif kind == "call":
            if arg in BUILT:
                notes.add(BUILT[arg])
            stack.append(call(arg, settle(stack.pop())))
        else:
            b = stack.pop()
            a = stack.pop()
            if arg == "^" and isinstance(a, _Norm) and b == 2:
                stack.append(a.squared())
            else:
                stack.append(binary(arg, settle(a), settle(b)))
    return settle(stack.pop()), syms, notes


def call(name: str, v: Any) -> Any:
    if name in SCALAR:  # entrywise; a 1x1 stays a 1x1 matrix
        return v.applyfunc(SCALAR[name]) if is_mat(v) else SCALAR[name](v)
    if name == "norm":
        return _Norm(v)
    rows, cols = v.shape
    if name == "sum":
        return OneMatrix(1, rows) * v * OneMatrix(cols, 1) if cols != 1 else OneMatrix(1, rows) * v
    if name == "tr":
        return Trace(v)
    if name == "det":
        return Determinant(v)
    if name == "logdet":
        return log(Determinant(v))
    if name == "inv":
        return Inverse(v)
    if name == "norm1":
        return OneMatrix(1, rows) * v.applyfunc(Abs)
    if name == "diag":
        return DiagMatrix(v) if cols == 1 else DiagonalOf(v)
    e = v.applyfunc(exp)
    if cols == 1:  # a vector of logits: one sum, a scalar
        total = Trace(OneMatrix(1, rows) * e)
        return e * (1 / total) if name == "softmax" else log(total)
    row_sums = e * OneMatrix(cols, 1)  # a matrix: one sum per row
    if name == "softmax":
        return HadamardProduct(e, HadamardPower(row_sums * OneMatrix(1, cols), -1))
    return row_sums.applyfunc(log)


def binary(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Eye):
        a = Identity(b.shape[0])
    if isinstance(b, Eye):
        b = Identity(a.shape[1])
    ma, mb = is_mat(a), is_mat(b)
    if op in ("+", "-") and ma != mb:  # a scalar meets a matrix (a 1x1 too): broadcast it
        if ma:
            b = b * OneMatrix(*a.shape)
        else:
            a = a * OneMatrix(*b.shape)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        if ma and mb and a.shape[1] != b.shape[0]:
            a, b = scalar(a), scalar(b)
        return a * b
    if op == "/":
        return a * (1 / scalar(b))
    if op == ".*":
        return HadamardProduct(a, b) if ma and mb else a * b
    if op == "./":
        if mb:
            inv_b = HadamardPower(b, -1)
            return HadamardProduct(a, inv_b) if ma else a * inv_b
        return a * (1 / b)
    if op == ".^":
        return HadamardPower(a, b)
    # "^": a scalar power, or a square matrix's (a 1x1's too)
    return a ** b if not ma else a ** int(b)


ARRAY_TYPES = tuple(
    getattr(array_expressions, n) for n in (
        "ArrayContraction", "ArrayTensorProduct", "PermuteDims", "ArrayDiagonal", "ArrayAdd",
        "ArrayElementwiseApplyFunc", "ArrayDerivative", "ZeroArray", "OneArray", "Reshape")
    if hasattr(array_expressions, n))


def holds_arrays(e: Any) -> bool:
    if isinstance(e, sympy.NDimArray):
        return True
    return any(isinstance(node, ARRAY_TYPES) for node in sympy.preorder_traversal(e))


def numeric(result: Any, syms: dict[str, Any], sizes: dict[str, Any], values: dict[str, Any],
            concrete: dict[str, int]) -> Any:
    """SymPy's result at the draw's entries, as a float array (unit axes dropped)."""
    if result.has(sympy.Derivative):
        raise ValueError("returns an unevaluated Derivative")
    rule: dict[Any, Any] = {sizes[d]: k for d, k in concrete.items() if isinstance(sizes[d], sympy.Symbol)}
    for name, v in values.items():
        v = np.asarray(v, dtype=float)
        rule[syms[name]] = sympy.Float(float(v)) if v.ndim == 0 else ImmutableMatrix(v.reshape(len(v), -1))
    e = result.xreplace(rule)
    # sized constants (ones, identity, zeros) made explicit, so that doit() multiplies them out
    e = e.replace(lambda t: isinstance(t, (OneMatrix, Identity, ZeroMatrix)), lambda t: t.as_explicit())
    e = e.doit()
    if hasattr(e, "as_explicit") and not isinstance(e, (sympy.MatrixBase, sympy.NDimArray)):
        e = e.as_explicit()
    if isinstance(e, (sympy.MatrixBase, sympy.NDimArray)):
        shape = e.shape
        flat = [complex(sympy.N(z)) for z in sympy.flatten(e.tolist())]
    else:
        shape, flat = (), [complex(sympy.N(e))]
    out = np.array(flat)
    if np.max(np.abs(out.imag), initial=0.0) > 1e-9 * max(np.max(np.abs(out.real), initial=0.0), 1.0):
        raise ValueError("a complex value")
    return np.squeeze(out.real.reshape(shape))


def classify(case: Case, result: Any, syms: dict[str, Any], sizes: dict[str, Any]) -> tuple[str, str]:
    transposed = False
    for draw in DRAWS:
        rng = rng_for(case, draw)
        concrete = draw_sizes(case, rng, distinct=draw == 0)
        values = draw_values(case, concrete, rng)
        want = np.squeeze(np.asarray(case.grad(**values), dtype=float))
        try:
            got = numeric(result, syms, sizes, values, concrete)
        except Timeout:
            raise
        except Exception as exc:  # SymPy's own failures, reported by name
            return "no value", f"{type(exc).__name__}: {str(exc).splitlines()[0][:60] if str(exc) else ''}"

        def same(a: Any) -> bool:
            scale = max(float(np.max(np.abs(want))), 1e-12)
            return a.shape == want.shape and bool(np.allclose(a, want, rtol=1e-6, atol=1e-6 * scale))
        if same(got):
            continue
        if case.kind == "jacobian" and same(got.T):  # SymPy's layout is columns(f) x rows(x)
            transposed = True
            continue
        if got.shape != want.shape:
            return "wrong", f"shape {got.shape}, not {want.shape}"
        return "wrong", "value differs" + (" (0)" if np.all(got == 0) else "")
    kind = "right (array)" if holds_arrays(result) else "right (matrix)"
    return kind, "transposed layout" if transposed else ""


SYMDIFF: list[dict[str, Any]] = []  # symdiff's rows, for the summary


def symdiff_column(case: Case) -> str:
    """symdiff's matrix-form derivative of the case, timed (CPU) and judged as SymPy's is:
    evaluated on the same draws against the corpus's `grad`; "right" only in matrix form."""
    import symdiff

    call = {"gradient": symdiff.diff, "jacobian": symdiff.jacobian, "hessian": symdiff.hessian}[case.kind]
    t0 = time.process_time()
    try:
        result = call(case.text, case.wrt, shapes=case.shapes, symmetric=case.symmetric)
    except symdiff.SymdiffError as exc:
        SYMDIFF.append({"class": "raised", "ms": None})
        return f"raised ({type(exc).__name__})"
    ms = (time.process_time() - t0) * 1000
    cls = "right (matrix)" if not re.search(r"sum_|delta\(|ones\(", str(result)) else "right (index)"
    for draw in DRAWS:
        rng = rng_for(case, draw)
        values = draw_values(case, draw_sizes(case, rng, distinct=draw == 0), rng)
        want = np.asarray(case.grad(**values), dtype=float)
        got = np.asarray(symdiff.evaluate(result, values, shapes=case.shapes), dtype=float)
        scale = max(float(np.max(np.abs(want))), 1e-12)
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-6, atol=1e-6 * scale):
            cls = "wrong"
    SYMDIFF.append({"class": cls, "ms": ms})
    return f"{cls} {ms:.1f} ms"


def run_case(case: Case, limit: float) -> dict[str, Any]:
    notes: set[str] = set()
    retry = ""
    outcome: dict[str, Any] = {"case": case.name, "kind": case.kind, "ms": None, "spent": 0.0}
    for symbolic in (True, False):
        if symbolic:
            sizes: dict[str, Any] = {d: Symbol(d, integer=True, positive=True)
                                     for s in case.shapes.values() for d in s if isinstance(d, str)}
        else:
            rng = rng_for(case, 0)
            sizes = dict(draw_sizes(case, rng, distinct=True))
        try:
            expr, syms, notes = build(case, sizes)
        except Exception as exc:
            if symbolic:
                retry = f"symbolic sizes cannot be built ({type(exc).__name__})"
                continue
            return {**outcome, "class": "raised", "note": f"cannot build: {type(exc).__name__}"}
        var = syms[case.wrt]
        clear_cache()
        signal.setitimer(signal.ITIMER_VIRTUAL, limit)
        t0 = time.process_time()
        try:
            outcome["ms"] = None
            result = expr.diff(var)
            if case.kind == "hessian":
                if result == 0 or isinstance(result, ZeroMatrix):  # SymPy leaves Derivative(0, x) unevaluated
                    notes.add("the first derivative is already 0")
                else:
                    result = result.diff(var)
        except Timeout:
            outcome["spent"] += (time.process_time() - t0) * 1000
            return {**outcome, "class": "timed out", "note": f"over {limit:g} s CPU"}
        except Exception as exc:
            outcome["ms"] = (time.process_time() - t0) * 1000
            outcome["spent"] += outcome["ms"]
            if symbolic:
                retry = f"symbolic sizes raised {type(exc).__name__}"
                continue
            first = str(exc).splitlines()[0][:50] if str(exc) else ""
            return {**outcome, "class": "raised", "note": f"{type(exc).__name__}: {first} (concrete sizes; {retry})"}
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        outcome["ms"] = (time.process_time() - t0) * 1000
        outcome["spent"] += outcome["ms"]
        signal.setitimer(signal.ITIMER_VIRTUAL, 6 * limit)
        try:
            cls, why = classify(case, result, syms, sizes)
        except Timeout:
            cls, why = "no value", "evaluation over its time"
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        extra = [why] if why else []
        if not symbolic:
            extra.append(f"concrete sizes ({retry})")
        if case.symmetric:
            extra.append("symmetry not declarable")
        extra += sorted(notes)
        text = str(result)
        return {**outcome, "class": cls, "note": "; ".join(extra), "result": text}
    raise AssertionError("unreachable")


CLASSES = ("right (matrix)", "right (array)", "wrong", "no value", "raised", "timed out")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", help="run only this case (repeatable)")
    ap.add_argument("--limit", type=float, default=10.0, help="CPU seconds per diff (default 10)")
    ap.add_argument("--results", action="store_true", help="print SymPy's result under each row")
    args = ap.parse_args()
    signal.signal(signal.SIGVTALRM, _on_alarm)
    cases = [c for c in CASES if not args.only or c.name in args.only]
    MatrixSymbol("A", 2, 2).T.diff(MatrixSymbol("A", 2, 2))  # load SymPy's lazy modules outside the timings
    print(f"SymPy {sympy.__version__}, NumPy {np.__version__}; {len(cases)} cases; "
          f"limit {args.limit:g} s CPU per diff, cold (clear_cache before each)\n")
    print(f"{'case':28s} {'kind':9s} {'SymPy':15s} {'cpu ms':>8s}  {'symdiff':24s} note")
    rows = []
    start = time.process_time()
    for case in cases:
        row = run_case(case, args.limit)
        rows.append(row)
        ms = f"{row['ms']:.1f}" if row["ms"] is not None else "-"
        print(f"{case.name:28s} {case.kind:9s} {row['class']:15s} {ms:>8s}  {symdiff_column(case):24s} {row['note']}",
              flush=True)
        if args.results and "result" in row:
            print(f"    {row['result'][:300]}")
    total = time.process_time() - start
    print()
    for cls in CLASSES:
        print(f"  {cls:15s} {sum(r['class'] == cls for r in rows):3d}")
    right = sum(r["class"].startswith("right") for r in rows)
    print(f"  right, either form {right} of {len(rows)}")
    times = [r["ms"] for r in rows if r["ms"] is not None]
    if times:
        print(f"\nSymPy diff, CPU time: {sum(r['spent'] for r in rows) / 1000:.2f} s in all (every attempt); "
              f"per case median {statistics.median(times):.1f} ms, max {max(times):.0f} ms")
    print(f"whole run (build, diff, evaluation): {total:.1f} s CPU")
    for cls in ("right (matrix)", "right (index)", "wrong", "raised"):
        print(f"  symdiff {cls:15s} {sum(r['class'] == cls for r in SYMDIFF):3d}")
    own = [r["ms"] for r in SYMDIFF if r["ms"] is not None]
    if own:
        print(f"symdiff diff (parse, differentiate, simplify), CPU time: {sum(own) / 1000:.2f} s in all; "
              f"per case median {statistics.median(own):.1f} ms, max {max(own):.0f} ms")


if __name__ == "__main__":
    main()
