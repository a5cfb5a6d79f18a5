"""From derivative to running code: symdiff's lambdify against hand-written NumPy
and SymPy's lambdify, side by side in one run.

    pip install -e '.[bench]' && python benchmarks/numeric.py [--quick]

Prints two Markdown tables: times (best of many calls, in blocks taking turns;
ratios are symdiff / peer, below 1 means symdiff is faster) and
the stability table (values at +-10, +-100, +-800; symdiff's error against
60-digit references is relative, absolute below 1).
"""

from __future__ import annotations

import argparse
import math
import sys
import timeit
import warnings
from decimal import Decimal, getcontext

import numpy as np
import sympy

import symdiff

F2 = r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}"
ROWS: list[tuple[str, ...]] = []


def timed(*fns, repeat: int) -> list[float]:
    """Best wall time of each function: `repeat` calls in a row (so the allocator
    settles on that function's arrays), in blocks whose order rotates (each leading three), so
    that bursts of load on a shared machine hit every contender alike."""
    best = [math.inf] * len(fns)
    for block in range(3 * len(fns)):  # each function leads a block as often as the others
        for j in range(len(fns)):
            k = (block + j) % len(fns)
            best[k] = min(best[k], min(timeit.repeat(fns[k], number=1, repeat=repeat)))
    return best


def ms(t: float) -> str:
    return f"{t * 1000:.1f} ms"


def row(*cells: str) -> None:
    ROWS.append(cells)
    print("  " + " | ".join(cells), flush=True)


def article_loss(n: int, repeat: int) -> None:
    """Loss (2) and dL/dy_j lambdified from the indexed formula, on arrays of length n."""
    rng = np.random.default_rng(0)
    t = (rng.random(n) < 0.5).astype(float)
    y = rng.uniform(0.01, 0.99, n)

    loss = symdiff.lambdify(F2, ["t", "y", "N"])
    grad = symdiff.lambdify(symdiff.diff(F2, "y_j"), ["t", "y", "N"])

    def hand_loss():
        return -np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)) / n

    def hand_grad():
        return (y - t) / (y * (1 - y)) / n

    ts, ys = sympy.symbols("t y")
    element = -(ts * sympy.log(ys) + (1 - ts) * sympy.log(1 - ys))
    sp_element = sympy.lambdify((ts, ys), element, "numpy")
    sp_grad = sympy.lambdify((ts, ys), sympy.diff(element, ys) / n, "numpy")

    assert np.isclose(loss(t, y, n), hand_loss(), rtol=1e-12)
    assert np.isclose(loss(t, y, n), np.sum(sp_element(t, y)) / n, rtol=1e-12)
    assert np.allclose(grad(t, y, n), hand_grad(), rtol=1e-12)
    assert np.allclose(grad(t, y, n), sp_grad(t, y), rtol=1e-12)

    for name, ours, hand, theirs in [
        ("loss (2)", lambda: loss(t, y, n), hand_loss, lambda: np.sum(sp_element(t, y)) / n),
        ("gradient dL/dy_j (an array over j)", lambda: grad(t, y, n), hand_grad, lambda: sp_grad(t, y)),
    ]:
        a, b, c = timed(ours, hand, theirs, repeat=repeat)
        row(f"article's {name}, arrays of {n:,}", ms(a), ms(b), ms(c),
            f"{a / b:.2f} of hand-written (goal <= 1.1), {a / c:.2f} of SymPy's (goal < 1)")


def wide_gradient(n: int, repeat: int) -> None:
    """All 20 partials of one scalar function in one generated function, on n points."""
    k = 20
    names = [f"x{i}" for i in range(1, k + 1)]
    text = (f"ln(1 + {' + '.join(f'{v}^2' for v in names)}) * exp(-({' + '.join(names)})/{k}) + "
            + " + ".join(f"tanh({a}*{b})" for a, b in zip(names, names[1:])))
    grad = symdiff.gradient(text)
    ours = symdiff.lambdify(list(grad.values()), names)

    xs = sympy.symbols(names)
    f = sympy.sympify(text.replace("^", "**"), locals=dict(zip(names, xs)))
    partials = [sympy.diff(f, v) for v in xs]
    theirs = sympy.lambdify(xs, partials, "numpy")
    theirs_cse = sympy.lambdify(xs, partials, "numpy", cse=True)

    rng = np.random.default_rng(1)
    points = [rng.normal(size=n) for _ in names]
    for got, want in zip(ours(*points), theirs(*points)):
        assert np.allclose(got, want, rtol=1e-9, atol=1e-12)
    a, b, c = timed(lambda: ours(*points), lambda: theirs(*points), lambda: theirs_cse(*points), repeat=repeat)
    row(f"20-variable gradient (20 partials, one function) on {n:,} points", ms(a), "-",
        f"{ms(b)} (cse=True: {ms(c)})", f"{a / b:.2f} of SymPy's, {a / c:.2f} of SymPy's with cse")


# ------------------------------------------------------------------ stability

getcontext().prec = 60


def _sig(u: Decimal) -> Decimal:
    return 1 / (1 + (-u).exp())


STABILITY = [
    # name, symdiff text (derivative taken by symdiff), wrt, SymPy text, exact derivative in Decimal
    ("BCE gradient d/dz, t = 1", "-(t*ln(sigmoid(z)) + (1 - t)*ln(1 - sigmoid(z)))", "z",
     "-(t*log(1/(1 + exp(-z))) + (1 - t)*log(1 - 1/(1 + exp(-z))))", lambda z: _sig(z) - 1),
    ("softplus gradient d/dz ln(1 + e^z)", "ln(1 + exp(z))", "z", "log(1 + exp(z))", _sig),
    ("log-sum-exp gradient d/dz ln(e^z + e^(z/2))", "ln(exp(z) + exp(z/2))", "z", "log(exp(z) + exp(z/2))",
     lambda z: (z.exp() + (z / 2).exp() / 2) / (z.exp() + (z / 2).exp())),
    ("softmax cross-entropy gradient d/dz -ln(e^z/(e^z + e^(-z) + 1))", "-ln(exp(z)/(exp(z) + exp(-z) + 1))", "z",
     "-log(exp(z)/(exp(z) + exp(-z) + 1))",
     lambda z: (z.exp() - (-z).exp()) / (z.exp() + (-z).exp() + 1) - 1),
]
INPUTS = [-800.0, -100.0, -10.0, 10.0, 100.0, 800.0]


def stability() -> list[tuple[str, ...]]:
    out = []
    z, t = sympy.symbols("z t")
    for name, text, wrt, sp_text, exact in STABILITY:
        d = symdiff.diff(text, wrt)
        names = [str(s) for s in symdiff.expr.symbols(d)]
        ours = symdiff.lambdify(d, names)
        sp_d = sympy.diff(sympy.sympify(sp_text, locals={"z": z, "t": t}), z)
        theirs = sympy.lambdify((z, t), sp_d, "numpy")
        env = {"t": 1.0}
        mine, peer, worst = [], [], 0.0
        for u in INPUTS:
            args = [np.float64(u) if n == "z" else env[n] for n in names]
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                a = float(ours(*args))
                b = float(theirs(np.float64(u), 1.0))
            want = float(exact(Decimal(u)))
            worst = max(worst, abs(a - want) / max(abs(want), 1.0))  # relative; absolute below 1
            mine.append(f"{a:.6g}")
            peer.append(f"{b:.6g}")
        finite = all(np.isfinite(float(v)) for v in mine)
        bad = [f"{u:+g}: {v}" for u, v in zip(INPUTS, peer) if not np.isfinite(float(v))]
        out.append((name, str(d), ", ".join(mine), f"{'finite' if finite else 'NOT FINITE'}, largest error "
                    f"{worst:.1g}", "; ".join(bad) or "finite"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeat = 5 if args.quick else 30  # best of many rounds: the machine may be shared
    print(f"Python {sys.version.split()[0]}, symdiff {symdiff.__version__}, NumPy {np.__version__}, "
          f"SymPy {sympy.__version__}")
    article_loss(10**6, repeat)
    wide_gradient(10**5, repeat)
    print()
    print("| workload | symdiff | hand-written NumPy | SymPy lambdify | ratio |")
    print("|---|---|---|---|---|")
    for r in ROWS:
        print("| " + " | ".join(r) + " |")
    print()
    print(f"Stability at z = {', '.join(f'{u:g}' for u in INPUTS)}:")
    print()
    print("| gradient | symdiff's form | symdiff values | symdiff | SymPy lambdify non-finite |")
    print("|---|---|---|---|---|")
    for r in stability():
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
