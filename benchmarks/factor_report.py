"""Factored results: symdiff's derivatives of products and quotients against
SymPy's factor(diff(f)).

The cases are every product or quotient (two factors or more in x) of the
peer corpus (benchmarks/corpus.py) and of the textbook table
(tests/support/textbook_table.py), and the products and quotients of powers that
logarithmic differentiation is taught with.  Both sides are measured in one
neutral count, the leaves of `size_report` (numbers, constants and symbols,
each occurrence counted; the `e` of exp and ln not counted).  SymPy is an
optional dev dependency (`pip install .[bench]`).

    python benchmarks/factor_report.py          # summary and the cases where SymPy is smaller
    python benchmarks/factor_report.py --all    # every case
    python benchmarks/factor_report.py --without-factoring   # the sizes before factored results
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import sympy

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import symdiff  # noqa: E402
from symdiff.expr import Mul, Sym  # noqa: E402
from symdiff.indexing import depends  # noqa: E402
from corpus import TEXTBOOK  # noqa: E402
from size_report import symdiff_leaves, sympy_leaves, to_sympy  # noqa: E402
from support.textbook_table import TABLE  # noqa: E402

# Products and quotients of powers, as in the lessons on logarithmic differentiation.
LESSONS = [
    "(x+1)^2*(x+2)^3/(x+3)^4", "x^2*(x+1)^3/sqrt(x-1)", "(x+1)^2*(x+2)^3", "x^3*(x-1)^4",
    "(x+1)*(x+2)*(x+3)", "x*(x+1)^2", "(x^2+1)^3*(x-1)^2", "(2x+1)^3/(x-1)^2",
    "sqrt(x+1)*(x-2)^3", "(x-1)^2/(x+1)^2", "x^2*(x^2+1)^(3/2)", "(x+1)^5*(x-1)^4/(x^2+1)^3",
    "x*sqrt(1-x^2)", "(x+1)^3/(x*(x-1))", "(x^2 - 1)^4*(x+2)^2", "(3x-2)^4*(x+5)^3/(2x+1)^2",
    "x^2*exp(x)*(x+1)^2", "sin(x)^2*(x+1)^3", "(x+2)^(1/3)*(x-1)^(2/3)", "x^5*(1-x)^5",
]


def cases() -> list[str]:
    """Every product or quotient of two factors or more in x, each once."""
    x = Sym("x", ())
    seen: dict[str, None] = {}
    for text in [*TEXTBOOK, *(t for t, var, _ in TABLE if var == "x"), *LESSONS]:
        e = symdiff.parse(text)
        if type(e) is Mul and sum(depends(f, x) for f in e.factors) >= 2:
            seen.setdefault(text)
    return list(seen)


def compare() -> list[tuple[str, int, int, str, str]]:
    """(input, symdiff leaves, SymPy leaves, symdiff, SymPy) per case."""
    x = sympy.Symbol("x", real=True)
    rows = []
    for text in cases():
        ours = symdiff.diff(text, "x")
        theirs = sympy.factor(sympy.diff(to_sympy(symdiff.parse(text)), x))
        rows.append((text, symdiff_leaves(ours), sympy_leaves(theirs), str(ours), str(theirs)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="print every case")
    parser.add_argument("--without-factoring", action="store_true",
                        help="drop the rewrite that keeps common factors of sums (the size before it)")
    args = parser.parse_args(argv)
    if args.without_factoring:
        S = sys.modules["symdiff.simplify"]  # the module; symdiff.simplify is also the function
        S.REWRITES[:] = [rw for rw in S.REWRITES if rw.name != "pull out common factors of sums"]
    rows = compare()
    n = len(rows)
    no_larger = sum(a <= b for _, a, b, _, _ in rows)
    smaller = sum(a < b for _, a, b, _, _ in rows)
    for text, a, b, ours, theirs in rows:
        if args.all or a > b:
            print(f"{a:3d} {b:3d}  d/dx {text}\n      symdiff: {ours}\n      sympy:   {theirs}")
    print(f"product and quotient cases: {n}")
    print(f"symdiff no larger than SymPy's factor(diff(f)): {no_larger}/{n} = {no_larger / n:.1%} "
          f"(strictly smaller: {smaller})")
    print(f"median leaf ratio symdiff/SymPy: {statistics.median(a / max(b, 1) for _, a, b, _, _ in rows):.3f}")
    print(f"total leaves: symdiff {sum(r[1] for r in rows)}, SymPy {sum(r[2] for r in rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
