"""The `symdiff` command line: diff, simplify, eval.

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
from .limits import MAX_OUTPUT

FORMATS = ("plain", "latex")
STEP_FORMATS = ("text", "markdown", "latex")  # with --steps; "plain" means "text" there
EXIT_BAD_INPUT = 2


def _check_size(e, limit: int) -> None:
    """Refuse a result that would print more than `limit` characters (0: no limit)."""
    from .printing.precedence import printed_length

    size = printed_length(e)
    if limit and size > limit:
        raise SymdiffError(f"the result would print about {size:,} characters, more than the limit of "
                           f"{limit:,}; raise it with --max-output N (0 for no limit)")


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
    d.add_argument("--max-output", type=int, default=MAX_OUTPUT, metavar="N",
                   help=f"refuse results longer than about N characters (default {MAX_OUTPUT:,}; 0: no limit)")

    s = sub.add_parser("simplify", help="simplify an expression")
    s.add_argument("expr", metavar="EXPR")
    s.add_argument("--format", choices=FORMATS, default="plain")
    s.add_argument("--max-output", type=int, default=MAX_OUTPUT, metavar="N",
                   help=f"refuse results longer than about N characters (default {MAX_OUTPUT:,}; 0: no limit)")

    v = sub.add_parser("eval", help="evaluate an expression at a point")
    v.add_argument("expr", metavar="EXPR")
    v.add_argument("values", nargs="*", type=_assignment, metavar="NAME=VALUE")
    return parser


def run(args: argparse.Namespace) -> str:
    from . import api

    if args.command == "diff":
        from .sums import apply_assumptions, parse_assumption

        where = dict(parse_assumption(w) for w in args.where)
        facts = [parse_assumption(a) for a in args.assume]
        expr = api.substitute(args.expr, where) if where else args.expr
        if args.steps:
            fmt = "text" if args.format in (None, "plain") else args.format
            derivation = api.derive(expr, args.wrt, args.order, verbose=args.verbose)
            _check_size(derivation.result, args.max_output)
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
        _check_size(result, args.max_output)
        return _show(result, args.format or "plain")
    if args.command == "simplify":
        result = api.simplify(args.expr)
        _check_size(result, args.max_output)
        return _show(result, args.format)
    return repr(api.evaluate(args.expr, dict(args.values)))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        out = run(args)
    except SymdiffError as err:
        print(f"symdiff: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        print(out, flush=True)
    except BrokenPipeError:
        # The reader (`| head`) left early; point stdout at devnull so the
        # interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0
