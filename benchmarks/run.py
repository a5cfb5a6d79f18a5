"""symdiff against SymPy and SymEngine, side by side in one process run.

    pip install -e '.[bench]' && python benchmarks/run.py [--quick]

Prints one Markdown table: each workload's figure for each engine, and the
ratio symdiff/peer (for times: below 1 means symdiff is faster).  SymEngine's
deep-chain runs go in a child process, since it can crash there.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import symdiff  # noqa: E402
from symdiff.evaluate import evaluate  # noqa: E402
from symdiff.simplify import clear_memo  # noqa: E402
from symdiff.expr import size  # noqa: E402

from corpus import TEXTBOOK  # noqa: E402
from peers import peer_text  # noqa: E402

try:
    import sympy
except ImportError:  # pragma: no cover
    sympy = None
try:
    import symengine
except ImportError:  # pragma: no cover
    symengine = None

ROWS: list[tuple[str, str, str, str, str]] = []


def cold() -> None:
    """Empty SymPy's result cache and symdiff's memo of simplified results, then
    collect garbage: symdiff's nodes are interned weakly and carry their cached
    facts (cost, sort keys), so once the memo lets go of them a repeat builds
    every node again.  A repeated run is cold work, not a cache lookup."""
    clear_memo()
    if sympy:
        sympy.core.cache.clear_cache()
    gc.collect()


def timed(fn, repeat: int = 3) -> float:
    """Median wall time of `fn()` over `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        cold()
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fmt_time(t: float | None) -> str:
    if t is None:
        return "-"
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


def ratio(mine: float | None, peer: float | None) -> str:
    if mine is None or peer is None or not peer:
        return "-"
    return f"{mine / peer:.3g}"


def row(workload: str, mine: str, sympy_: str, symengine_: str, ratios: str) -> None:
    ROWS.append((workload, mine, sympy_, symengine_, ratios))
    print(f"  {workload}: symdiff {mine} | SymPy {sympy_} | SymEngine {symengine_} | {ratios}", flush=True)


def time_row(workload: str, mine: float, peer_sympy: float | str | None, peer_se: float | str | None) -> None:
    def show(t):
        return t if isinstance(t, str) else fmt_time(t)

    parts = []
    if isinstance(peer_sympy, float):
        parts.append(f"vs SymPy {ratio(mine, peer_sympy)}")
    if isinstance(peer_se, float):
        parts.append(f"vs SymEngine {ratio(mine, peer_se)}")
    row(workload, fmt_time(mine), show(peer_sympy), show(peer_se), ", ".join(parts) or "-")


# ------------------------------------------------------------------ workloads


def interleaved(fns: list, repeat: int) -> list[float]:
    """Median wall time of each function over `repeat` cold runs, the
    functions taking turns, so that bursts of load hit each alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            cold()
            start = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def textbook(repeat: int) -> None:
    def ours():
        for text in TEXTBOOK:
            symdiff.diff(text, "x")

    sympy_texts = [peer_text(symdiff.parse(t)) for t in TEXTBOOK]
    t_sympy = t_se = None
    if sympy:
        x = sympy.Symbol("x")

        def theirs():
            for text in sympy_texts:
                sympy.simplify(sympy.diff(sympy.sympify(text), x))

        t_ours, t_sympy = (t / len(TEXTBOOK) for t in interleaved([ours, theirs], repeat))
    else:
        t_ours = timed(ours, repeat) / len(TEXTBOOK)
    if symengine:
        se_texts = [peer_text(symdiff.parse(t), "symengine") for t in TEXTBOOK]
        xs = symengine.Symbol("x")

        def se():
            for text in se_texts:
                symengine.diff(symengine.sympify(text), xs)

        t_se = timed(se, repeat) / len(TEXTBOOK)
    row(
        f"textbook corpus ({len(TEXTBOOK)} exprs), parse+diff+simplify, exprs/s",
        f"{1 / t_ours:,.0f}/s",
        f"{1 / t_sympy:,.0f}/s" if t_sympy else "-",
        f"{1 / t_se:,.0f}/s (diff only)" if t_se else "-",
        f"{t_sympy / t_ours:.1f}x SymPy's rate (goal >= 30x, stretch 50x)" if t_sympy else "-",
    )


def wide_simplify(repeat: int) -> None:
    """Issue 3's scale check: a 15,000-term sum collecting to 5,000 terms."""
    from symdiff import expr as E

    x = E.sym("x")
    terms = [E.mul(E.num(k % 7 + 1), E.pow_(x, E.num(k))) for k in range(10_000)]
    terms += [E.mul(E.num(-(k % 7 + 1)), E.pow_(x, E.num(k))) for k in range(0, 10_000, 2)]
    wide = E.add(*terms)
    t_ours = timed(lambda: symdiff.simplify(wide), repeat)
    t_sp = None
    if sympy:
        sx = sympy.Symbol("x")
        s_terms = [(k % 7 + 1) * sx**k for k in range(10_000)]
        s_terms += [-(k % 7 + 1) * sx**k for k in range(0, 10_000, 2)]
        t_sp = timed(lambda: sympy.Add(*s_terms), 1)
    time_row("simplify a 15,000-term sum to 5,000 terms (SymPy: Add(*terms))", t_ours, t_sp, "-")


def bce_text(n: int) -> str:
    return "-" + " - ".join(f"(t{k}*log(y{k}) + (1 - t{k})*log(1 - y{k}))" for k in range(1, n + 1))


def slope(points: list[tuple[int, float]]) -> float:
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / sum((a - mx) ** 2 for a in xs)


def bce(sizes: list[int], repeat: int) -> None:
    n0 = 1000
    text = bce_text(n0)
    e = symdiff.parse(text)
    mid = f"y{n0 // 2}"
    t_one = timed(lambda: symdiff.diff(e, mid), repeat)
    t_sympy_one = t_se_one = None
    if sympy:
        s_e = sympy.sympify(text)
        t_sympy_one = timed(lambda: sympy.diff(s_e, sympy.Symbol(mid)), repeat)
    if symengine:
        se_e = symengine.sympify(text)
        t_se_one = timed(lambda: symengine.diff(se_e, symengine.Symbol(mid)), repeat)
    time_row(f"BCE N={n0}, one partial, simplified (goal: under SymEngine's raw diff)", t_one, t_sympy_one, t_se_one)
    t_one_raw = timed(lambda: symdiff.diff(e, mid, simplify=False), repeat)
    time_row(f"BCE N={n0}, one partial, raw rule output (as SymEngine gives)", t_one_raw, t_sympy_one, t_se_one)

    ours: list[tuple[int, float]] = []
    for n in sizes:
        e = symdiff.parse(bce_text(n), max_length=0)  # N=5000 is 245,570 characters, over the default limit
        names = [f"y{k}" for k in range(1, n + 1)]
        ours.append((n, timed(lambda: symdiff.gradient(e, names), 1 if n > 1000 else repeat)))
    t_grad = dict(ours)[n0]
    t_se_grad = None
    if symengine:
        se_e = symengine.sympify(text)
        ys = [symengine.Symbol(f"y{k}") for k in range(1, n0 + 1)]
        t_se_grad = timed(lambda: [symengine.diff(se_e, y) for y in ys], 1)
    sympy_note = "~80 s (not run)"
    if sympy and os.environ.get("BENCH_SYMPY_GRADIENT"):
        s_e = sympy.sympify(text)
        ys_ = [sympy.Symbol(f"y{k}") for k in range(1, n0 + 1)]
        sympy_note = timed(lambda: [sympy.diff(s_e, y) for y in ys_], 1)
    time_row(f"BCE N={n0}, whole gradient ({n0} partials), simplified (goal: under SymEngine's raw)", t_grad,
             sympy_note, t_se_grad)
    e = symdiff.parse(text)
    names = [f"y{k}" for k in range(1, n0 + 1)]
    t_raw = timed(lambda: symdiff.gradient(e, names, simplify=False), repeat)
    time_row(f"BCE N={n0}, whole gradient, raw rule output (as SymEngine gives)", t_raw, "-", t_se_grad)
    detail = ", ".join(f"N={n}: {fmt_time(t)}" for n, t in ours)
    row("BCE whole gradient, log-log slope over N", f"{slope(ours):.2f} ({detail})", "-", "-", "target < 1.15")


DEEP_PEER = textwrap.dedent(
    """
    import sys, time
    engine, depth, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if engine == "symengine":  # builds its trees in C++; SymPy keeps Python's default limit
        sys.setrecursionlimit(100000)
    mod = __import__(engine)
    x = mod.Symbol("x")
    e = x
    try:
        for _ in range(depth):
            e = mod.sin(e) if kind == "sin" else mod.log(1 + e)
        t = time.perf_counter()
        d = mod.diff(e, x)
        v = float(d.subs({x: 0.5}))
        print(time.perf_counter() - t)
    except RecursionError:
        print("RecursionError")
    """
)


def deep_peer(engine: str, depth: int, kind: str) -> float | str:
    """A peer's deep-chain time, in a child process: they can crash or hang there."""
    try:
        out = subprocess.run([sys.executable, "-c", DEEP_PEER, engine, str(depth), kind],
                             capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "over 120 s"
    if out.returncode != 0:
        return f"crash (exit {out.returncode})"
    text = out.stdout.strip()
    return text if text == "RecursionError" else float(text)


def deep(depths: list[int]) -> None:
    for kind in ("sin", "log"):
        for depth in depths:
            if kind == "sin":
                text = "sin(" * depth + "x" + ")" * depth
            else:
                text = "x"
                for _ in range(depth):
                    text = f"ln(1 + {text})"

            def ours():
                d = symdiff.diff(text, "x")
                evaluate(d, {"x": 0.5})

            t_ours = timed(ours, 1)
            se = deep_peer("symengine", depth, kind) if symengine else "-"
            sp = deep_peer("sympy", depth, kind) if sympy else "-"
            label = "sin(sin(...x))" if kind == "sin" else "ln(1 + ln(1 + ...x))"
            time_row(f"{label} depth {depth}: parse+diff+simplify+eval (peers: diff+eval)", t_ours, sp, se)


def _count_se(e) -> int:
    total, stack = 0, [e]
    while stack:
        node = stack.pop()
        total += 1
        stack.extend(node.args)
    return total


def high_order(repeat: int) -> None:
    for text in ("x^x", "exp(sin(x))"):
        d = symdiff.diff(text, "x", order=12)
        t_ours = timed(lambda: symdiff.diff(text, "x", order=12), repeat)
        n_ours = size(d)
        sp = se = "-"
        t_sp = None
        if sympy:
            x = sympy.Symbol("x")
            f = sympy.sympify(peer_text(symdiff.parse(text)))
            ds = sympy.diff(f, x, 12)
            t_sp = timed(lambda: sympy.diff(f, x, 12), repeat)
            n_sp = sum(1 for _ in sympy.preorder_traversal(ds))
            sp = f"{fmt_time(t_sp)}, {n_sp} nodes"
        t_se = None
        if symengine:
            xs = symengine.Symbol("x")
            f = symengine.sympify(peer_text(symdiff.parse(text), "symengine"))
            dse = symengine.diff(f, xs, 12)
            t_se = timed(lambda: symengine.diff(f, xs, 12), repeat)
            se = f"{fmt_time(t_se)}, {_count_se(dse)} nodes"
        ratios = (f"time {ratio(t_ours, t_sp)} of SymPy's, nodes {n_ours / n_sp:.2f}x SymPy's (goal <= 1, <= 1.2)"
                  if sympy else "-")
        row(f"12th derivative of {text}", f"{fmt_time(t_ours)}, {n_ours} nodes", sp, se, ratios)


def sizes() -> None:
    """Leaves of symdiff's derivatives against SymPy's simplify(diff) on the textbook table."""
    if not sympy:
        return
    from size_report import compare

    rows = compare()
    n = len(rows)
    no_larger = sum(1 for r in rows if r[2] <= r[3])
    smaller = sum(1 for r in rows if r[2] < r[3])
    median = statistics.median(r[0] for r in rows)
    row(f"size vs SymPy's simplify(diff), textbook table ({n} derivatives, leaves)",
        f"no larger in {no_larger / n:.1%}, smaller in {smaller / n:.1%}", f"median ratio {median:.2f}", "-",
        "goal: no larger in >= 95%, smaller in >= 25%")


def long_input(n: int, repeat: int) -> None:
    """The wide BCE sum as text (N = 5000: 245,570 characters), read cold."""
    text = bce_text(n)

    def ours():
        symdiff.parse(text, max_length=0)

    fns = [ours]
    if symengine:
        fns.append(lambda: symengine.sympify(text))
    times = interleaved(fns, repeat)
    t_se = times[1] if symengine else None
    time_row(f"parse the wide BCE sum, N={n} ({len(text):,} characters; peer: sympify)", times[0], "-", t_se)


def cold_start(repeat: int) -> None:
    # As installed: pip compiles every module to bytecode, so let Python cache it here too.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    py = sys.executable
    commands = {"symdiff": [py, "-m", "symdiff", "diff", "log_2(x)"], "bare": [py, "-c", "pass"]}
    if sympy:
        commands["sympy"] = [py, "-c", "import sympy; x = sympy.Symbol('x'); print(sympy.diff(sympy.log(x, 2), x))"]
    if symengine:
        commands["symengine"] = [py, "-c", "import symengine; x = symengine.Symbol('x'); "
                                           "print(symengine.diff(symengine.log(x)/symengine.log(2), x))"]
    times: dict[str, list[float]] = {k: [] for k in commands}
    for args in commands.values():
        subprocess.run(args, check=True, capture_output=True, env=env)  # bytecode and the parser tables, once
    for _ in range(repeat):  # taking turns, so bursts of load hit each alike
        for name, args in commands.items():
            start = time.perf_counter()
            subprocess.run(args, check=True, capture_output=True, env=env)
            times[name].append(time.perf_counter() - start)
    m = {k: statistics.median(v) for k, v in times.items()}
    bare = m.pop("bare")
    net = {k: v - bare for k, v in m.items()}
    parts = [f"net vs {peer} {net['symdiff'] / net[key]:.2f}" for peer, key in (("SymPy", "sympy"), ("SymEngine", "symengine"))
             if key in net]
    row(f"cold start, one CLI derivative, net of python -c pass ({fmt_time(bare)}; goal: net <= 1/2 SymEngine's)",
        f"{fmt_time(m['symdiff'])} (net {fmt_time(net['symdiff'])})",
        f"{fmt_time(m['sympy'])} (net {fmt_time(net['sympy'])})" if "sympy" in m else "-",
        f"{fmt_time(m['symengine'])} (net {fmt_time(net['symengine'])})" if "symengine" in m else "-",
        ", ".join(parts) or "-")


MEMORY = textwrap.dedent(
    """
    import resource, sys
    sys.path.insert(0, sys.argv[2])
    import symdiff
    from run import bce_text
    n = int(sys.argv[1])
    e = symdiff.parse(bce_text(n), max_length=0)
    g = symdiff.gradient(e, [f"y{k}" for k in range(1, n + 1)])
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    """
)


def memory(n: int) -> None:
    out = subprocess.run([sys.executable, "-c", MEMORY, str(n), str(HERE)], capture_output=True, text=True, check=True)
    row(f"peak memory, BCE N={n} whole gradient (whole process)", f"{float(out.stdout):.0f} MB", "-", "-", "target < 500 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes")
    parser.add_argument("--only", choices=["textbook"], help="run this workload alone")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    print(f"Python {sys.version.split()[0]}, symdiff {symdiff.__version__}, "
          f"SymPy {getattr(sympy, '__version__', 'absent')}, SymEngine {getattr(symengine, '__version__', 'absent')}")
    textbook(repeat if args.quick else 5)
    if args.only:
        return
    wide_simplify(repeat)
    bce([100, 300, 1000, 2000] if args.quick else [100, 300, 1000, 2000, 5000], repeat)
    long_input(5000, repeat)
    deep([5000] if args.quick else [5000, 20000])
    high_order(repeat)
    sizes()
    cold_start(5 if args.quick else 15)
    memory(5000)
    print()
    print("load average during the run (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print()
    print("| workload | symdiff | SymPy | SymEngine | ratio |")
    print("|---|---|---|---|---|")
    for r in ROWS:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
