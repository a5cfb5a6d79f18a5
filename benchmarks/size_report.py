"""Size report: symdiff's simplified derivatives against SymPy's simplify(diff(f)).

Runs over the textbook table (tests/support/textbook_table.py) and compares leaf
counts, measured the same way on both sides: numbers, constants and symbols,
each occurrence counted, with the `e` of `exp` and `ln` not counted (SymPy has
no such leaf).  SymPy is an optional dev dependency (`pip install .[bench]`).

    python benchmarks/size_report.py            # summary, worst five
    python benchmarks/size_report.py --all      # every case
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import sympy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import symdiff  # noqa: E402
from symdiff.expr import Add, Const, Func, Log, Mul, Num, Pow, Sym, fold  # noqa: E402
from support.textbook_table import TABLE  # noqa: E402

SYMPY_FUNCS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot,
    "sec": sympy.sec, "csc": sympy.csc, "asin": sympy.asin, "acos": sympy.acos,
    "atan": sympy.atan, "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "abs": sympy.Abs,
    "sigmoid": lambda u: 1 / (1 + sympy.exp(-u)),
    "softplus": lambda u: sympy.log(1 + sympy.exp(u)),
}


def to_sympy(e):
    """A symdiff tree as a SymPy expression (real symbols), built bottom-up."""

    def visit(node, kids):
        match node:
            case Num(value):
                return sympy.Rational(value.numerator, value.denominator)
            case Const(name):
                return sympy.E if name == "e" else sympy.pi
            case Sym():
                return sympy.Symbol(str(node), real=True)
            case Add():
                return sympy.Add(*kids)
            case Mul():
                return sympy.Mul(*kids)
            case Pow():
                return sympy.Pow(*kids)
            case Log():
                return sympy.log(kids[0]) if node.base.__class__ is Const and node.base.name == "e" \
                    else sympy.log(kids[0], kids[1])
            case Func(name):
                return SYMPY_FUNCS[name](kids[0])
        raise TypeError(type(node).__name__)

    return fold(e, visit)


def symdiff_leaves(e) -> int:
    def visit(node, kids):
        if not kids or type(node) is Sym:
            return 1
        if type(node) is Log and type(node.base) is Const and node.base.name == "e":
            return kids[0]
        if type(node) is Pow and type(node.base) is Const and node.base.name == "e":
            return kids[1]
        return sum(kids)

    return fold(e, visit)


def sympy_leaves(e) -> int:
    return sum(1 for node in sympy.preorder_traversal(e) if not node.args)


def compare() -> list[tuple[float, str, int, int, str, str]]:
    """(leaf ratio, input, symdiff leaves, SymPy leaves, symdiff, SymPy) per table row."""
    return _compare()[0]


def _compare() -> tuple[list, float, float]:
    rows = []
    t_ours = t_sympy = 0.0
    for text, var, _expected in TABLE:
        t0 = time.perf_counter()
        ours = symdiff.diff(text, var)
        t1 = time.perf_counter()
        f = to_sympy(symdiff.parse(text))
        theirs = sympy.simplify(sympy.diff(f, sympy.Symbol(var, real=True)))
        t2 = time.perf_counter()
        t_ours += t1 - t0
        t_sympy += t2 - t1
        a, b = symdiff_leaves(ours), sympy_leaves(theirs)
        rows.append((a / max(b, 1), text, a, b, str(ours), str(theirs)))
    return rows, t_ours, t_sympy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every case")
    args = parser.parse_args(argv)
    rows, t_ours, t_sympy = _compare()
    n = len(rows)
    no_larger = sum(1 for r in rows if r[2] <= r[3])
    smaller = sum(1 for r in rows if r[2] < r[3])
    ratios = [r[0] for r in rows]
    if args.all:
        for ratio, text, a, b, ours, theirs in rows:
            print(f"{ratio:5.2f} {a:3d} {b:3d}  d/dx {text}\n      symdiff: {ours}\n      sympy:   {theirs}")
    print(f"cases: {n}")
    print(f"symdiff no larger than SymPy: {no_larger}/{n} = {no_larger / n:.1%} (strictly smaller: {smaller})")
    print(f"median leaf ratio symdiff/SymPy: {statistics.median(ratios):.3f}")
    print(f"largest ratio: {max(ratios):.3f}")
    print(f"time: symdiff {t_ours:.2f}s, SymPy simplify(diff) {t_sympy:.2f}s")
    print("worst five:")
    for ratio, text, a, b, ours, theirs in sorted(rows, key=lambda r: -r[0])[:5]:
        print(f"  {ratio:.2f}  d/d {text}: symdiff {ours} ({a})  SymPy {theirs} ({b})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
