"""The `symdiff` command line: diff, simplify, eval, grad, hessian, codegen, equals.

Only this module catches SymdiffError: bad input becomes one line of reason,
the text with a caret, and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .errors import SymdiffError
from .languages import LANGUAGES

FORMATS = ("plain", "latex")
STEP_FORMATS = ("text", "markdown", "latex")  # with --steps; "plain" means "text" there
EXIT_BAD_INPUT = 2


def _show(e, fmt: str) -> str:
    if fmt == "latex":
        from .printing.latex import latex

        return latex(e)
    return str(e)


def _assignment(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number (in {text!r})") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symdiff", description="Symbolic differentiation with readable results."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("diff", help="differentiate an expression")
    d.add_argument("expr", metavar="EXPR", help="plain or LaTeX text, e.g. 'log_2(x)'")
    d.add_argument("--wrt", metavar="X", help="the variable (default: the only one)")
    d.add_argument("--order", type=int, default=1, metavar="N", help="derivative order (default 1)")
    d.add_argument("--steps", action="store_true", help="show the derivation step by step")
    d.add_argument("--format", choices=FORMATS + STEP_FORMATS[:2], default=None,
                   help="plain or latex; with --steps: text, markdown or latex")
    d.add_argument("--lang", choices=sorted(LANGUAGES), default="en",
                   help="language of the --steps explanations")
    d.add_argument("--verbose", action="store_true", help="with --steps: keep trivial steps")
    d.add_argument("--no-simplify", action="store_true", help="show the raw rule output")
    d.add_argument("--where", action="append", default=[], metavar="'Y_I = EXPR'",
                   help="substitute first; y_i matches y at every index (repeatable)")
    d.add_argument("--assume", action="append", default=[], metavar="'LHS = RHS'",
                   help="an equation the result may use, e.g. 'sum_{k=1}^{K} t_{ik} = 1'")

    s = sub.add_parser("simplify", help="simplify an expression")
    s.add_argument("expr", metavar="EXPR")
    s.add_argument("--format", choices=FORMATS, default="plain")

    v = sub.add_parser("eval", help="evaluate an expression at a point")
    v.add_argument("expr", metavar="EXPR")
    v.add_argument("values", nargs="*", type=_assignment, metavar="NAME=VALUE")
    _add_running_commands(sub, d)
    return parser


# ------------------------------------------------ grad, hessian, codegen, equals, --check

BACKENDS = ("numpy", "torch", "jax", "python")


def _add_running_commands(sub, diff_parser: argparse.ArgumentParser) -> None:
    diff_parser.add_argument("--check", action="store_true",
                             help="verify the result by finite differences at random points (exit 1 if wrong)")
    g = sub.add_parser("grad", help="every first partial derivative")
    g.add_argument("expr", metavar="EXPR")
    g.add_argument("--wrt", metavar="X,Y", help="the variables, comma-separated (default: all)")
    h = sub.add_parser("hessian", help="the second partials, each mixed one once")
    h.add_argument("expr", metavar="EXPR")
    h.add_argument("--wrt", metavar="X,Y", help="the variables, comma-separated (default: all)")
    c = sub.add_parser("codegen", help="Python source of a function computing EXPR")
    c.add_argument("expr", metavar="EXPR")
    c.add_argument("--backend", choices=BACKENDS, default="numpy")
    c.add_argument("--grad", action="store_true", help="return the value and every first partial")
    c.add_argument("--wrt", metavar="X,Y", help="with --grad: the variables (default: all)")
    c.add_argument("--name", default="f", help="the function's name (default f)")
    e = sub.add_parser("equals", help="are two expressions equal wherever defined? (exit 1 if not)")
    e.add_argument("a", metavar="A")
    e.add_argument("b", metavar="B")


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [n.strip() for n in text.split(",") if n.strip()]


def _run_grad(args: argparse.Namespace) -> str:
    from . import api

    return "\n".join(f"d/d{x}: {d}" for x, d in api.gradient(args.expr, _names(args.wrt)).items())


def _run_hessian(args: argparse.Namespace) -> str:
    from .api import _natural_key, as_tree
    from .expr import symbols
    from .matrices import hessian

    tree = as_tree(args.expr)
    xs = _names(args.wrt) or sorted((str(s) for s in symbols(tree)), key=_natural_key)
    rows = hessian(tree, xs)
    return "\n".join(f"d2/d{xs[i]}d{xs[j]}: {rows[i][j]}" for i in range(len(xs)) for j in range(i, len(xs)))


def _run_codegen(args: argparse.Namespace) -> str:
    from . import api
    from .generate import codegen

    if not args.grad:
        return codegen(args.expr, backend=args.backend, name=args.name).rstrip()
    tree = api.as_tree(args.expr)
    outputs = {str(tree): tree, **{f"d/d{x}": d for x, d in api.gradient(tree, _names(args.wrt)).items()}}
    return codegen(outputs, backend=args.backend, name=args.name).rstrip()


def _run_equals(args: argparse.Namespace) -> tuple[str, int]:
    from .check import compare

    verdict = compare(args.a, args.b)
    return str(verdict), 0 if verdict.equal else 1


def _diff_check(args: argparse.Namespace, expr, result) -> tuple[str, int]:
    """The --check line for stderr and the exit status it implies."""
    from .check import check_derivative

    if args.assume:
        return "not checked: the result relies on --assume, which random points do not satisfy", 0
    wrt = args.wrt if isinstance(args.wrt, list) else [args.wrt] * args.order
    if not wrt or wrt[0] is None:
        from .api import as_tree, variable

        wrt = [str(variable(as_tree(expr), None))] * args.order
    verdict = check_derivative(expr, result, wrt)
    return str(verdict), 0 if verdict.ok else 1


RUNNING = {"grad": _run_grad, "hessian": _run_hessian, "codegen": _run_codegen, "equals": _run_equals}


def run(args: argparse.Namespace) -> str | tuple[str, int]:
    from . import api

    if args.command in RUNNING:
        return RUNNING[args.command](args)

    if args.command == "diff":
        from .sums import apply_assumptions, parse_assumption

        where = dict(parse_assumption(w) for w in args.where)
        facts = [parse_assumption(a) for a in args.assume]
        expr = api.substitute(args.expr, where) if where else args.expr
        if args.steps:
            fmt = "text" if args.format in (None, "plain") else args.format
            derivation = api.derive(expr, args.wrt, args.order, verbose=args.verbose)
            text = derivation.render(fmt, args.lang)
            after, used = apply_assumptions(derivation.result, facts)
            if used:
                final = api.simplify(after)
                names = "; ".join(map(str, used))
                text += f"\nusing the assumption {names}:\n{derivation.result} = {final}"
            return text
        if args.format in STEP_FORMATS[:2]:
            raise SymdiffError(f"--format {args.format} needs --steps; without it use plain or latex")
        result = api.diff(expr, args.wrt, args.order, simplify=not args.no_simplify, assume=facts)
        if args.check:
            line, status = _diff_check(args, expr, result)
            return _show(result, args.format or "plain"), status, line
        return _show(result, args.format or "plain")
    if args.command == "simplify":
        return _show(api.simplify(args.expr), args.format)
    return repr(api.evaluate(args.expr, dict(args.values)))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        out = run(args)
    except SymdiffError as err:
        print(f"symdiff: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    status, note = 0, None
    if isinstance(out, tuple):  # (output, exit status[, a line for stderr])
        out, status, *rest = out
        note = rest[0] if rest else None
    try:
        print(out, flush=True)
        if note:
            print(note, file=sys.stderr, flush=True)
    except BrokenPipeError:
        # The reader (`| head`) left early; point stdout at devnull so the
        # interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status
