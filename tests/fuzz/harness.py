"""symdiff's own fuzz harness: random trees and random or adversarial strings.

Trees cover every row of the function table, sqrt/exp/ln, sums, indexed
names, logarithm bases (numbers, names, expressions), variable exponents and
undefined functions.  Each tree's derivative is checked against central
finite differences (and SymPy, when installed, on a sample), its
simplification against its value, and both against their printed forms
(`str` and `latex` read back).  Strings go through `parse`, every public
function and the command line (in process, and a sample in a subprocess with
a time limit).  Typed texts (typed.py) are written the way people type, each
with the tree its writer meant; reading one as another tree is a misread.
`Report` counts every kind of failure and keeps examples.

Run: `python -m tests.fuzz` (short), `python -m tests.fuzz --long`.
"""

from __future__ import annotations

import math
import io
import os
import random
import re
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction

import symdiff
from symdiff import expr as E
from symdiff import functions as F
from symdiff.errors import EvaluationError, ParseError, SymdiffError
from symdiff.printing.latex import latex

from .typed import check_typed, make

X, Y = E.sym("x"), E.sym("y")
I = E.sym("i")
SUM_TERMS = 3  # sums run over i = 1..3; x_1..x_3 get values
CALL_LIMIT = 2.0  # CPU seconds: a call slower than this is counted (and cut off); see run()
STEP = (1e-2, 5e-3)  # two central-difference step sizes that must agree


CATEGORIES = (
    "wrong derivative",          # value differs from finite differences or SymPy
    "derivative undefined",      # input differentiable at a point, derivative undefined there
    "unsound simplification",    # simplify changed the value, or made a defined input undefined
    "not idempotent",            # simplify(simplify(e)) != simplify(e)
    "round-trip failure",        # parse(str(e)) != e or parse(latex(e)) != e
    "unexpected exception",      # anything but SymdiffError from a public call
    "bad parse error",           # a ParseError without a position and caret
    "over time limit",           # a call slower than CALL_LIMIT
    "CLI traceback",             # the command line printed a traceback or exited oddly
    "misread",                   # typed text read as a tree other than the one meant, or a guess without a note
)


# Failures already filed with the engineer who owns the code, counted apart
# (and shown) so the harness stays a gate for everything else: (category, test
# on the detail, owner).  Remove an entry when its fix lands.
KNOWN: list[tuple[str, Callable[[str], bool], str]] = []


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    checked: Counter = field(default_factory=Counter)
    slowest: tuple[float, str] = (0.0, "")
    known: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)

    def fail(self, category: str, detail: str, kind: str = "") -> None:
        """Count a failure; `kind` (a generator) keeps a few examples of each kind apart."""
        assert category in CATEGORIES, category
        for known_category, matches, owner in KNOWN:
            if category == known_category and matches(detail):
                key = f"{category}, known ({owner})"
                self.known[key] += 1
                if self.known[key] <= 3:
                    self.examples.setdefault(key, []).append(detail[:600])
                return
        self.counts[category] += 1
        if kind:
            self.kinds[f"{category}: {kind}"] += 1
        shown = self.examples.setdefault(f"{category} ({kind})" if kind else category, [])
        if len(shown) < (3 if kind else 8):
            shown.append(detail if len(detail) < 600 else detail[:600] + "...")

    def failures(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        lines = ["checked: " + ", ".join(f"{v:,} {k}" for k, v in sorted(self.checked.items()))]
        lines += [f"  {c:24s} {self.counts[c]}" for c in CATEGORIES]
        lines += [f"  {c}: {n}" for c, n in sorted(self.known.items())]
        lines += [f"    {c}: {n}" for c, n in sorted(self.kinds.items())]
        lines.append(f"slowest call: {self.slowest[0]:.2f} s ({self.slowest[1][:80]})")
        for c, shown in self.examples.items():
            lines.append(f"-- {c}:")
            lines += [f"   {s}" for s in shown]
        return "\n".join(lines)


class Timeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Cut a call off after `seconds` of this process's CPU time (SIGVTALRM: main thread
    on Unix only), so that a loaded machine does not count as a slow call."""
    usable = hasattr(signal, "setitimer") and signal.getsignal(signal.SIGVTALRM) in (signal.SIG_DFL, None)

    def handler(signum, frame):
        raise Timeout()

    if usable:
        signal.signal(signal.SIGVTALRM, handler)
        signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        if usable:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            signal.signal(signal.SIGVTALRM, signal.SIG_DFL)


def call(report: Report, what: str, fn: Callable, *args, **kwargs):
    """Run a public call; return (ok, value).  SymdiffError is a clean refusal;
    anything else, or a call over the time limit, is recorded."""
    start = time.process_time()
    try:
        with time_limit(CALL_LIMIT):
            return True, fn(*args, **kwargs)
    except Timeout:
        report.fail("over time limit", f"{what} ({CALL_LIMIT} s)")
        return False, None
    except SymdiffError as err:
        if isinstance(err, ParseError) and not (err.line >= 1 and err.column >= 1 and "^" in str(err)):
            report.fail("bad parse error", f"{what}: {err!r}")
        return False, err
    except Exception as err:  # noqa: BLE001 - the point is to catch everything
        tb = traceback.format_exception(type(err), err, err.__traceback__)
        where = tb[-2].strip().splitlines()[0] if len(tb) > 1 else ""
        report.fail("unexpected exception", f"{what}: {type(err).__name__}: {str(err)[:200]} [{where}]")
        return False, None
    finally:
        took = time.process_time() - start
        if took > report.slowest[0]:
            report.slowest = (took, what)
        if took > CALL_LIMIT:
            report.fail("over time limit", f"{what} took {took:.1f} s")


# ---------------------------------------------------------------- random trees


def positive(u: E.Expr) -> E.Expr:
    """1 + u^2 >= 1."""
    return E.add(E.ONE, E.pow_(u, E.TWO))


def bounded(u: E.Expr) -> E.Expr:
    """sin(u)/2, inside [-1/2, 1/2]."""
    return E.mul(E.HALF, E.func("sin", u))


def guard(row: F.Function, u: E.Expr) -> E.Expr:
    """An argument inside the row's domain, away from its edges."""
    d = row.domain
    if d is F.REALS:
        return u
    if d in (F.UNIT_CLOSED, F.UNIT_OPEN, F.COS_NONZERO):
        return bounded(u)
    if d is F.SIN_NONZERO:
        return E.add(E.ONE, bounded(u))  # in [1/2, 3/2]
    if d in (F.AT_LEAST_ONE, F.OUTSIDE_UNIT_OPEN, F.OUTSIDE_UNIT_CLOSED):
        return E.add(E.TWO, E.pow_(u, E.TWO))
    return positive(u)  # NONZERO and anything new: >= 1


class TreeMaker:
    """Random expressions in x, y and x_1..x_3 over every node kind."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows = sorted(F.FUNCTIONS.values(), key=lambda r: r.name)

    def number(self) -> E.Expr:
        r = self.rng
        return E.num(r.choice([r.randint(-4, 5), Fraction(r.randint(-6, 6), r.randint(1, 4))]))

    def leaf(self, in_sum: bool) -> E.Expr:
        r = self.rng
        k = r.random()
        if in_sum and k < 0.35:
            return r.choice([I, E.sym("x", I), E.sym("x", I)])
        if k < 0.55:
            return r.choice([X, X, X, Y])
        if k < 0.65:
            return E.sym("x", r.randint(1, SUM_TERMS))
        if k < 0.72:
            return r.choice([E.E, E.PI])
        return self.number()

    def tree(self, depth: int, in_sum: bool = False) -> E.Expr:
        r = self.rng
        if depth <= 0 or r.random() < 0.25:
            return self.leaf(in_sum)
        kind = r.random()
        sub = lambda: self.tree(depth - 1, in_sum)  # noqa: E731
        if kind < 0.30:
            row = r.choice(self.rows)
            return row(*(guard(row, sub()) for _ in range(row.arity)))
        if kind < 0.36:
            b = r.choice(["sqrt", "exp", "ln"])
            u = sub()
            return {"sqrt": lambda: E.sqrt(positive(u)), "exp": lambda: E.exp(bounded(u) if r.random() < .5 else u),
                    "ln": lambda: E.ln(positive(u))}[b]()
        if kind < 0.48:
            return E.add(sub(), sub())
        if kind < 0.52:
            return E.sub(sub(), sub())
        if kind < 0.62:
            return E.mul(sub(), sub())
        if kind < 0.66:
            return E.div(sub(), positive(sub()))
        if kind < 0.72:
            return E.pow_(sub(), E.num(r.randint(2, 4)))
        if kind < 0.76:
            q = r.choice([Fraction(1, 2), Fraction(-1, 2), Fraction(1, 3), Fraction(2, 3), Fraction(-1), Fraction(3, 2)])
            return E.pow_(positive(sub()), E.num(q))
        if kind < 0.80:
            return E.pow_(positive(sub()), sub())  # variable exponent
        if kind < 0.86:
            base = r.choice([E.num(2), E.num(10), E.num(Fraction(1, 2)), E.E, E.add(E.TWO, E.pow_(Y, E.TWO)),
                             E.add(E.TWO, E.pow_(sub(), E.TWO))])
            return E.log(positive(sub()), base)
        if kind < 0.92 and not in_sum:
            body = self.tree(depth - 1, in_sum=True)
            lo = r.choice([1, 1, 0, 2])
            hi = r.choice([SUM_TERMS, 2, lo - 1])  # lo - 1: an empty sum
            return E.summation(body, I, E.num(lo), E.num(hi))
        name = r.choice(["f", "g", "h"])
        return E.func(name, sub())  # undefined function


# ------------------------------------------------------------ checking values


CONCRETE = {"f": ("sin", "cos", lambda u: E.neg(E.func("sin", u))),
            "g": ("atan", None, None), "h": ("tanh", None, None)}


def concrete(e: E.Expr) -> E.Expr | None:
    """`e` with undefined functions replaced by known ones (f -> sin, f' -> cos, ...);
    None when a function or derivative order has no replacement."""
    missing = False

    def visit(node: E.Expr) -> E.Expr | None:
        nonlocal missing
        if type(node) is E.Func and node.name not in F.FUNCTIONS:
            base, primes = F.undefined_name(node.name)
            if base not in CONCRETE:  # a misread name (sech read as an undefined function): no value
                missing = True
                return None
            row = F.FUNCTIONS[CONCRETE[base][0]]
            if primes == 0:
                return row(node.arg)
            if primes == 1:
                return row.derivative(node.arg)
            if primes == 2 and CONCRETE[base][2] is not None:
                return CONCRETE[base][2](node.arg)
            missing = True
        return None

    out = E.transform(e, visit)
    return None if missing else out


def env_at(rng: random.Random) -> dict[str, float]:
    env = {"x": round(rng.uniform(-1.5, 1.5), 3), "y": round(rng.uniform(-1.5, 1.5), 3)}
    for k in range(0, SUM_TERMS + 1):
        env[f"x_{k}"] = round(rng.uniform(-1.5, 1.5), 3)
    return env


def value(e: E.Expr, env: dict[str, float]) -> float | None:
    try:
        v = symdiff.evaluate(e, env)
    except EvaluationError:
        return None
    return v if abs(v) < 1e8 else None


def overflows(e: E.Expr, env: dict[str, float]) -> bool:
    try:
        v = symdiff.evaluate(e, env)
    except EvaluationError as err:
        return "overflow" in str(err) or "not a finite" in str(err)
    return abs(v) >= 1e8


def central(e: E.Expr, var: str, env: dict[str, float]) -> float | None:
    """A finite-difference derivative, or None where two step sizes disagree."""
    out = []
    for h in STEP:
        vals = []
        for t in (env[var] + h, env[var] - h, env[var] + h / 2, env[var] - h / 2):
            v = value(e, {**env, var: t})
            if v is None:
                return None
            vals.append(v)
        d1 = (vals[0] - vals[1]) / (2 * h)
        d2 = (vals[2] - vals[3]) / h
        out.append((4 * d2 - d1) / 3)
    if not math.isclose(out[0], out[1], rel_tol=1e-6, abs_tol=1e-7):
        return None
    return out[1]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)


# -------------------------------------------------------------------- SymPy


def to_sympy(e: E.Expr):
    """A SymPy expression for a symdiff tree (names keep their printed spelling)."""
    import sympy

    def visit(node: E.Expr, kids: tuple):
        t = type(node)
        if t is E.Num:
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if t is E.Const:
            return sympy.E if node.name == "e" else sympy.pi
        if t is E.Sym:
            return sympy.Symbol(str(node))
        if t is E.Add:
            return sympy.Add(*kids)
        if t is E.Mul:
            return sympy.Mul(*kids)
        if t is E.Pow:
            return sympy.Pow(*kids)
        if t is E.Log:
            return sympy.log(kids[0]) if node.base is E.E else sympy.log(kids[0], kids[1])
        if t is E.Func:
            row = F.FUNCTIONS.get(node.name)
            if row is None or row.sympy is None:
                raise LookupError(node.name)
            return getattr(sympy, row.sympy)(*kids)
        raise LookupError(t.__name__)

    return E.fold(e, visit)


def sympy_derivative(e: E.Expr, var: str, env: dict[str, float]) -> float | None:
    """SymPy's derivative at env, or None when SymPy cannot take it here."""
    import sympy

    try:
        s = to_sympy(e)
    except LookupError:
        return None
    try:
        d = sympy.diff(s, sympy.Symbol(var))
        v = complex(d.evalf(subs={sympy.Symbol(k): sympy.Float(v) for k, v in env.items()}))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None  # SymPy has no number here (DiracDelta, zoo, ...)
    if abs(v.imag) > 1e-9 * max(1.0, abs(v.real)) or not math.isfinite(v.real):
        return None
    return v.real


def have_sympy() -> bool:
    try:
        import sympy  # noqa: F401
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------- trees


def check_tree(report: Report, e: E.Expr, rng: random.Random, use_sympy: bool) -> None:
    report.checked["trees"] += 1
    text = str(e)
    ok, back = call(report, f"parse(str(e)) for {text}", symdiff.parse, text)
    if ok and back is not e:
        report.fail("round-trip failure", f"str: {text!r} reads back as {back!r}")
    ltx = latex(e)
    ok, back = call(report, f"parse(latex(e)) for {ltx}", symdiff.parse, ltx, syntax="latex")
    if ok and back is not e:
        report.fail("round-trip failure", f"latex: {ltx!r} (of {text}) reads back as {back!r}")

    ok, s = call(report, f"simplify({text})", symdiff.simplify, e)
    if ok:
        ok2, s2 = call(report, f"simplify(simplify({text}))", symdiff.simplify, s)
        if ok2 and s2 is not s:
            report.fail("not idempotent", f"simplify({text}) = {s}; again: {s2}")
    var = rng.choice(["x", "x", "y", f"x_{rng.randint(1, SUM_TERMS)}"])
    okd, d = call(report, f"diff({text}, {var})", symdiff.diff, e, var)
    if okd:
        dtext = str(d)
        ok3, back = call(report, f"parse(str(d)) for {dtext}", symdiff.parse, dtext)
        if ok3 and back is not d:
            report.fail("round-trip failure", f"str: {dtext!r} reads back as {back!r}")
    elif d is not None:
        report.fail("unexpected exception", f"diff({text}, {var}) refused: {d}")

    reference = concrete(e)
    derivative = concrete(d) if okd else None
    simplified = concrete(s) if ok else None
    for _ in range(2):
        env = env_at(rng)
        v = value(reference, env) if reference is not None else None
        if v is None:
            continue
        report.checked["points"] += 1
        if simplified is not None:
            sv = value(simplified, env)
            if sv is None:
                report.fail("unsound simplification", f"simplify({text}) = {s} is undefined at {env}, input = {v}")
            elif not math.isclose(sv, v, rel_tol=1e-9, abs_tol=1e-9):
                report.fail("unsound simplification", f"simplify({text}) = {s}: {sv} at {env}, input = {v}")
        if derivative is None:
            continue
        numeric = central(reference, var, env)
        if numeric is None:
            continue  # not smooth enough here for finite differences to be a reference
        report.checked["derivatives"] += 1
        dv = value(derivative, env)
        if dv is None and overflows(derivative, env):
            continue  # a float overflow on the way (cosh(1e11)), not a domain error
        if dv is None:
            report.fail("derivative undefined", f"d/d{var} {text} = {d} is undefined at {env}; numeric {numeric}")
        elif not close(dv, numeric):
            report.fail("wrong derivative", f"d/d{var} {text} = {d}: {dv} at {env}; numeric {numeric}")
        elif use_sympy and not any(type(n) is E.Sum for n in E.postorder(reference)):
            sv = sympy_derivative(reference, var, env)
            if sv is not None:
                report.checked["sympy"] += 1
                if not close(dv, sv):
                    report.fail("wrong derivative", f"d/d{var} {text} = {d}: {dv} at {env}; SymPy {sv}")


# ----------------------------------------------------------------- strings


TOKENS = (
    "x y z t_i y_{ik} x_1 x_{-1} theta N K i j e pi 0 1 2 3.5 1e3 1e-3 0.1 1e400 0E0 9^420 "
    "+ - * / ^ ** ( ) ( ) { } , _ = sum_ sum_{i=1}^{N} log_ log_2 log_{x+1} delta f g h a foo f' "
    "d/dx d^2/dx^2 d/dy_j sin cos tan asin acosh erf relu sigmoid softplus sqrt exp ln log abs sinx "
    "\\frac \\sin \\log \\sqrt \\sum \\left( \\right) \\cdot \\mathrm{erf} \\alpha \\pi_{i} ^{ } \\ "
).split()
ADVERSARIAL_MAKERS: list[Callable[[random.Random], str]] = [
    lambda r: "(" * r.choice([1000, 10**4, 10**5]) + "x" + ")" * r.choice([1000, 10**4, 10**5]),
    lambda r: r.choice(["sin(", "exp(", "sqrt(", "ln(", "tan(", "sigmoid(", "abs(", "f("]) * 3000 + "x" + ")" * 3000,
    lambda r: "^".join(["x"] * r.choice([100, 2000])),
    lambda r: "+".join(["x"] * r.choice([1000, 50000])),
    lambda r: "x+" * 600_000 + "x",  # 1.2 MB
    lambda r: "1e" + "9" * r.choice([10, 5000]),
    lambda r: "9" * r.choice([1199, 1201, 5000]),
    lambda r: "0." + "0" * 1300 + "1",
    lambda r: f"x_{{{'9' * 5000}}}",
    lambda r: f"d^{'9' * 30}/dx^{'9' * 30} x",
    lambda r: "2^(-1e-20)",
    lambda r: "log_2(1e400)*ln(1e400)",
    lambda r: f"({r.randint(2, 9)}^{r.randint(200, 2000)})^{r.randint(2, 9)}",
    lambda r: "1e400*" * r.randint(2, 40) + "x",
    lambda r: "sum_{i=1}^{1e9} i + sum_{i=-5}^{-8} asin(y)",
    lambda r: "x" * r.choice([10, 10**5]),
    lambda r: "".join(r.choice("\x00\t\n ∑αβ́\u200b(){}^_") for _ in range(r.randint(1, 30))),
    lambda r: "\\frac{" * 2000 + "x" + "}{2}" * 2000,
    lambda r: "sum_{i=1}^{3} " * 300 + "x_i",
    lambda r: "-" * 5000 + "x",
    lambda r: "x^" * 3000 + "2",
]


def random_string(rng: random.Random, maker: TreeMaker) -> str:
    k = rng.random()
    if k < 0.45:
        return " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 12))).replace(" ", rng.choice(["", " "]))
    if k < 0.85:  # a printed tree, mutated
        e = maker.tree(rng.randint(1, 4))
        text = str(e) if rng.random() < 0.6 else latex(e)
        for _ in range(rng.randint(0, 3)):
            at = rng.randrange(len(text) + 1)
            op = rng.random()
            if op < 0.4:
                text = text[:at] + rng.choice(TOKENS) + text[at:]
            elif op < 0.8:
                text = text[:at] + text[at + 1:]
            else:
                text = text[:at] + text[at:at + 5] * 2 + text[at + 5:]
        return text
    return rng.choice(ADVERSARIAL_MAKERS)(rng)


def check_string(report: Report, text: str, rng: random.Random) -> None:
    report.checked["strings"] += 1
    shown = repr(text if len(text) < 120 else text[:60] + f"...({len(text)} chars)")
    ok, e = call(report, f"parse({shown})", symdiff.parse, text)
    if ok:
        printed = str(e)
        ok2, back = call(report, f"parse(str(parse({shown})))", symdiff.parse, printed)
        if ok2 and back is not e:
            report.fail("round-trip failure", f"{shown} -> {printed[:200]!r} reads back as {str(back)[:200]!r}")
        call(report, f"latex(parse({shown}))", latex, e)
        call(report, f"simplify({shown})", symdiff.simplify, e)
        names = sorted({str(s) for s in e.free})
        env = {n: rng.choice([0.5, -1.25, 2.0, 0.0, 1e200, float("inf"), 3]) for n in names}
        call(report, f"evaluate({shown}, {env})", symdiff.evaluate, e, env)
        wrt = rng.choice(names) if names else "x"
        call(report, f"diff({shown}, {wrt})", symdiff.diff, e, wrt)
        if len(text) < 2000:
            call(report, f"derive({shown}, {wrt})", lambda: symdiff.derive(e, wrt).render("text"))
            call(report, f"gradient({shown})", symdiff.gradient, e)
            call(report, f"expand_sums({shown})", symdiff.expand_sums, e)
    # The command line, in process: any exception escaping main() is a traceback.
    argv = rng.choice([["diff", text], ["simplify", text], ["eval", text, "x=0.5", "y=2"],
                       ["diff", text, "--order", rng.choice(["2", "99999999999999999999"])],
                       ["diff", text, "--steps"], ["diff", text, "--format", "latex"]])
    cli_in_process(report, argv)


def cli_in_process(report: Report, argv: list[str]) -> None:
    from symdiff.cli import main

    out, err = _Sink(), _Sink()
    old = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO("")  # `symdiff diff -` reads nothing, never the terminal
    start = time.process_time()
    try:
        with time_limit(CALL_LIMIT):
            status = main(argv)
    except SystemExit as stop:  # argparse
        status = stop.code
    except Timeout:
        status = "timeout"
    except BaseException as exc:  # noqa: BLE001
        status = f"{type(exc).__name__}: {str(exc)[:150]}"
    finally:
        sys.stdout, sys.stderr, sys.stdin = old
    report.checked["CLI (in process)"] += 1
    shown = [a if len(a) < 80 else a[:40] + f"...({len(a)} chars)" for a in argv]
    if status == "timeout" or time.process_time() - start > CALL_LIMIT:
        report.fail("over time limit", f"symdiff {shown}")
    elif status not in (0, 1, 2):
        report.fail("CLI traceback", f"symdiff {shown}: {status}")


class _Sink:
    def write(self, s: str) -> int:
        return len(s)

    def flush(self) -> None:
        pass


def cli_subprocess(report: Report, argv: list[str], timeout: float = 30.0) -> None:
    """The installed entry point, as a user runs it: no traceback, exit 0, 1 or 2."""
    if sum(map(len, argv)) > 100_000 or any("\x00" in a for a in argv):
        return  # past what the OS passes as one argument (128 KB on Linux), or a NUL it cannot pass
    report.checked["CLI (subprocess)"] += 1
    shown = [a if len(a) < 80 else a[:40] + f"...({len(a)} chars)" for a in argv]
    try:
        done = subprocess.run([sys.executable, "-m", "symdiff", *argv], capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, "PYTHONWARNINGS": "default"})
    except subprocess.TimeoutExpired:
        report.fail("over time limit", f"symdiff {shown} (subprocess, {timeout} s)")
        return
    if "Traceback" in done.stderr or done.returncode not in (0, 1, 2):
        report.fail("CLI traceback", f"symdiff {shown}: exit {done.returncode}: {done.stderr[-300:]}")


# --------------------------------------------------------------------- runs


def run(trees: int, strings: int, subprocesses: int, seed: int = 0, use_sympy: bool | None = None,
        progress: bool = False, call_limit: float = 10.0, max_length: int | None = None,
        typed: int = 0) -> Report:
    """Check `trees` random trees, `strings` strings (each also through the CLI
    in process), `typed` texts typed the way people type them (typed.py; a
    quarter of those with a variable also through `symdiff diff`) and
    `subprocesses` of the strings through the CLI in a subprocess.
    A call slower than `call_limit` seconds is counted and cut off; `max_length`
    skips longer strings (the quick pass leaves 2,000-level towers to the long one)."""
    global CALL_LIMIT
    CALL_LIMIT = call_limit
    rng = random.Random(seed)
    maker = TreeMaker(rng)
    report = Report()
    use_sympy = have_sympy() if use_sympy is None else use_sympy
    start = time.perf_counter()
    for n in range(trees):
        e = maker.tree(rng.randint(1, 5))
        check_tree(report, e, rng, use_sympy and n % 4 == 0)
        if progress and (n + 1) % 1000 == 0:
            print(f"  {n + 1} trees, {report.failures()} failures, {time.perf_counter() - start:.0f} s", flush=True)
    if progress:
        print(f"after the trees:\n{report.summary()}", flush=True)
    texts = []
    for n in range(strings):
        text = random_string(rng, maker)
        while max_length is not None and len(text) > max_length:
            text = random_string(rng, maker)
        check_string(report, text, rng)
        if len(texts) < subprocesses and (n % max(1, strings // max(subprocesses, 1)) == 0):
            texts.append(text)
        if progress and (n + 1) % 1000 == 0:
            print(f"  {n + 1} strings, {report.failures()} failures, {time.perf_counter() - start:.0f} s", flush=True)
    if progress:
        print(f"after the strings:\n{report.summary()}", flush=True)
    for n in range(typed):
        check_typed(report, make(rng, n, maker), rng, call, concrete, cli=n % 4 == 3)
        if progress and (n + 1) % 1000 == 0:
            print(f"  {n + 1} typed, {report.failures()} failures, {time.perf_counter() - start:.0f} s", flush=True)
    if progress and typed:
        print(f"after the typed texts:\n{report.summary()}", flush=True)
    for text in texts:
        cli_subprocess(report, [rng.choice(["diff", "simplify"]), text])
    return report
