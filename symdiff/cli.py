"""The `symdiff` command line: diff, simplify, eval, plot, grad, hessian, codegen, equals.

Vectors and matrices: `--shape X:n,d`, `--matrix`, `--vector`, `--scalar` and
`--symmetric` declare them (`shapes_of`), `--form` picks matrix or index form.

Only this module catches SymdiffError: bad input becomes one line of reason,
the text with a caret, and exit status 2.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, cast

from . import __version__, formats
from .errors import AssumptionNote, LimitError, ReadingNote, SymdiffError
from .languages import LANGUAGES
from .limits import MAX_INPUT_LENGTH, MAX_OUTPUT, input_limit

if TYPE_CHECKING:
    from .api import Question
    from .expr import Expr, Sym

EXIT_BAD_INPUT = 2


def _check_size(e: Expr, limit: int) -> None:
    """Refuse a result that would print more than `limit` characters (0: no limit)."""
    from .printing.precedence import printed_length

    size = printed_length(e)
    if limit and size > limit:
        raise LimitError(f"the result would print about {size:,} characters, more than the limit of "
                           f"{limit:,}; raise it with --max-output N (0 for no limit)")


def _listed(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else "".join(names)


def _format_choices() -> list[str]:
    """diff's --format: every expression format, then the derivation formats (with --steps) not among them."""
    return list(dict.fromkeys([*formats.EXPRESSION, *formats.DERIVATION]))


def _assignment(text: str) -> tuple[str, Any]:
    """`x=2`, `x=1/3`, `t=pi/2`: a name and the value of a constant expression;
    `w=[1,2]`, `X=[[1,2],[3,4]]`: a vector or matrix (JSON numbers)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    if value.strip().startswith("["):
        return name.strip(), _array(value, text)
    try:
        return name.strip(), float(value)
    except ValueError:
        pass
    from .api import evaluate

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReadingNote)
            return name.strip(), evaluate(value)
    except SymdiffError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number (in {text!r})") from None


def _array(value: str, text: str) -> list[Any]:
    """A JSON list of numbers, or of lists of numbers (a matrix's rows)."""
    import json

    try:
        out = json.loads(value)
    except ValueError:
        out = None
    rows = out if isinstance(out, list) and out and all(isinstance(r, list) for r in out) else [out]
    if not (isinstance(out, list) and out and all(
            isinstance(r, list) and r and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r)
            for r in rows)) or len({len(r) for r in rows}) != 1:
        raise argparse.ArgumentTypeError(f"expected numbers in brackets, [1,2] or [[1,2],[3,4]], in {text!r}")
    return out


def _value(v: float) -> str:
    """A value as printed by --at: 12, not 12.0."""
    return str(int(v)) if v.is_integer() and abs(v) < 2.0 ** 53 else repr(v)


def _add_expression(p: argparse.ArgumentParser) -> None:
    p.add_argument("expr", metavar="EXPR", nargs="?",
                   help="plain or LaTeX text, e.g. 'log_2(x)'; - reads it from standard input")
    p.add_argument("--file", metavar="F", help="read the expression from the file F")


def _add_at(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", action="append", default=[], type=_assignment, metavar="NAME=VALUE",
                   help="print the value at this point instead (repeatable: x=2 --at y=1/3)")


def read_expression(args: argparse.Namespace) -> str:
    """The expression's text: the argument, standard input (`-`) or `--file`."""
    if args.file is not None:
        if args.expr is not None:
            raise SymdiffError("give the expression either as an argument or with --file, not both")
        try:
            with open(args.file, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as err:
            raise SymdiffError(f"cannot read {args.file}: {err.strerror}") from None
        except UnicodeDecodeError:
            raise SymdiffError(f"cannot read {args.file}: it is not UTF-8 text") from None
    if args.expr is None:
        raise SymdiffError("no expression: give it as an argument, as - (standard input) or with --file F")
    return sys.stdin.read().strip() if args.expr == "-" else str(args.expr)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser, with every command; or, given one of them,
    with that one alone, which is all a run of it needs."""
    parser = argparse.ArgumentParser(
        prog="symdiff", description="Symbolic differentiation with readable results."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (text, add) in COMMANDS.items():
        if command in COMMANDS and name != command:
            continue
        p = sub.add_parser(name, help=text)
        add(p)
        if name != "serve":
            p.add_argument("--max-input", type=_limit, default=MAX_INPUT_LENGTH, metavar="N",
                           help=f"read texts of up to N characters (default {MAX_INPUT_LENGTH:,}; 0: no limit)")
    return parser


def _add_diff(d: argparse.ArgumentParser) -> None:
    _add_expression(d)
    _add_at(d)
    d.add_argument("--wrt", metavar="X", action="append",
                   help="the variable (default: the only one); repeat it or write x,y for a "
                        "mixed partial, taken in the order given")
    d.add_argument("--order", type=int, default=None, metavar="N",
                   help="derivative order (default 1, or what EXPR asks for: d^2/dx^2 ...)")
    d.add_argument("--steps", action="store_true", help="show the derivation step by step")
    d.add_argument("--format", choices=_format_choices(), default=None,
                   help=f"{_listed(list(formats.EXPRESSION))}; with --steps: {_listed(list(formats.DERIVATION))}")
    d.add_argument("--lang", choices=sorted(LANGUAGES), default="en",
                   help="language of the --steps explanations")
    d.add_argument("--verbose", action="store_true", help="with --steps: keep trivial steps")
    d.add_argument("--method", choices=("auto", "rules", "log"), default="auto",
                   help="log: logarithmic differentiation of a product, quotient or power; rules: "
                        "f^g as e^(g*ln(f)); auto (default): logarithms for f^g only")
    d.add_argument("--no-simplify", action="store_true", help="show the raw rule output")
    d.add_argument("--where", action="append", default=[], metavar="'Y_I = EXPR'",
                   help="substitute first; y_i matches y at every index (repeatable)")
    d.add_argument("--assume", action="append", default=[], metavar="'LHS = RHS'",
                   help="an equation the result may use, e.g. 'sum_{k=1}^{K} t_{ik} = 1'")
    d.add_argument("--max-output", type=int, default=MAX_OUTPUT, metavar="N",
                   help=f"refuse results longer than about N characters (default {MAX_OUTPUT:,}; 0: no limit)")
    _add_shapes(d, form=True)
    d.add_argument("--check", action="store_true",
                   help="verify the result by finite differences at random points (exit 1 if wrong)")


def _add_simplify(s: argparse.ArgumentParser) -> None:
    _add_expression(s)
    s.add_argument("--format", choices=list(formats.EXPRESSION), default="plain")
    _add_shapes(s)
    s.add_argument("--max-output", type=int, default=MAX_OUTPUT, metavar="N",
                   help=f"refuse results longer than about N characters (default {MAX_OUTPUT:,}; 0: no limit)")


def _add_eval(v: argparse.ArgumentParser) -> None:
    v.add_argument("expr", metavar="EXPR", nargs="?", help="the expression; - reads it from standard input")
    v.add_argument("values", nargs="*", type=_assignment, metavar="NAME=VALUE",
                   help="a value for each variable: x=2, x=1/3, t=pi/2")
    v.add_argument("--file", metavar="F", help="read the expression from the file F (EXPR is then a value)")
    _add_shapes(v)


def _limit(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return n


def _add_serve(w: argparse.ArgumentParser) -> None:
    from .web import TIME_LIMIT

    w.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    w.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    w.add_argument("--time-limit", type=float, default=TIME_LIMIT, metavar="SECONDS",
                   help=f"work limit per request (default {TIME_LIMIT:g}); beyond it, 422")


def _serve(args: argparse.Namespace) -> int:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        print("symdiff: error: serve needs the web extra: pip install 'symdiff[web]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    from .web import serve

    try:
        serve(args.host, args.port, args.time_limit)
    except OSError as err:  # the port is taken, the host is not ours
        print(f"symdiff: error: cannot serve on {args.host}:{args.port}: {err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def split_variables(values: list[str] | None) -> list[str]:
    """`--wrt x,y --wrt z` -> [x, y, z]; a comma inside braces (`y_{i,k}`) stays."""
    out: list[str] = []
    for value in values or ():
        depth, start = 0, 0
        for k, ch in enumerate(value + ","):
            depth += ch in "{(["
            depth -= ch in "})]"
            if ch == "," and depth == 0:
                if value[start:k].strip():
                    out.append(value[start:k].strip())
                start = k + 1
    return out


def note(message: str) -> None:
    print(f"symdiff: note: {message}", file=sys.stderr)


def run_diff(args: argparse.Namespace) -> str | tuple[str, int, str]:
    from . import api
    from .parse import parse_equation

    shapes, symmetric = shapes_of(args, [args.expr])
    if shapes is not None:
        return _matrix_diff(args, shapes, symmetric)
    _form(args, None)
    where: dict[Expr | str, Expr | str] = dict(parse_equation(w) for w in args.where)
    wrt = split_variables(args.wrt)
    if len(wrt) > 1 and args.order not in (None, 1):
        raise SymdiffError("give either several --wrt (a mixed partial) or --order, not both")
    if not args.steps:
        for option, value in (("--lang", args.lang != "en"), ("--verbose", args.verbose)):
            if value:
                note(f"{option} changes the --steps explanation only; it has no effect here")
    if args.steps and args.at:
        raise SymdiffError("--at prints the derivative's value; it does not go with --steps")
    if args.steps:
        warnings.simplefilter("ignore", AssumptionNote)  # the steps state their conditions
        if len(wrt) > 1:
            raise SymdiffError("--steps shows one variable at a time; give one --wrt")
        fmt = "text" if args.format in (None, "plain") else args.format  # "plain" means "text" here
        question = api.ask(args.expr, wrt[0] if wrt else None, args.order, where, args.assume)
        derivation = api.derivation(question, verbose=args.verbose, lang=args.lang,
                                    max_length=args.max_output, method=args.method)
        _check_size(derivation.result, args.max_output)
        return derivation.render(fmt)
    written = formats.EXPRESSION.get(args.format or "plain")
    if written is None:
        raise SymdiffError(f"--format {args.format} needs --steps; without it use {_listed(list(formats.EXPRESSION))}")
    target = wrt if len(wrt) > 1 else (wrt[0] if wrt else None)
    question = api.ask(args.expr, target, args.order, where, args.assume)
    result = api.solve(question, simplify=not args.no_simplify, method=args.method)
    shown = _value(api.evaluate(result, dict(args.at))) if args.at else None
    if shown is None:
        _check_size(result, args.max_output)
        shown = written.show(result)
    if args.check:
        return (shown, *_diff_check(args, question, result))
    return shown


# ------------------------------------------------------------ vectors and matrices

FORMS = ("matrix", "index", "both")


def _add_shapes(p: argparse.ArgumentParser, form: bool = False) -> None:
    g = p.add_argument_group("vectors and matrices")
    g.add_argument("--shape", action="append", default=[], metavar="NAME:DIMS",
                   help="declare a shape: X:n,d (a matrix), w:d (a vector), lam: (a scalar); repeatable")
    g.add_argument("--matrix", action="append", default=[], metavar="X,W",
                   help="matrices whose dimensions the expression's products imply")
    g.add_argument("--vector", action="append", default=[], metavar="w,y",
                   help="vectors (columns) whose lengths the expression's products imply")
    g.add_argument("--scalar", action="append", default=[], metavar="lam", help="names that are scalars")
    g.add_argument("--symmetric", action="append", default=[], metavar="S",
                   help="symmetric matrices (S^T = S), e.g. x^T*S*x by x gives 2*S*x")
    if form:
        g.add_argument("--form", choices=FORMS, default=None,
                       help="matrix (default): the derivative in matrix form; index: entry by entry, "
                            "with sums; both")


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _listed_names(values: list[str], option: str) -> list[str]:
    """`--matrix X,W --matrix V` -> [X, W, V]; a bad name is refused with a caret."""
    from .errors import refuse

    out: list[str] = []
    for value in values:
        at = 0
        for part in value.split(","):
            name = part.strip()
            start = at + len(part) - len(part.lstrip())
            if not _NAME.fullmatch(name):
                raise refuse(f"{option}: expected names separated by commas, such as X,W", value, start)
            out.append(name)
            at += len(part) + 1
    return out


def shapes_of(args: argparse.Namespace, texts: Sequence[str]) -> tuple[dict[str, tuple[str | int, ...]] | None,
                                                                        list[str]]:
    """The shapes the options declare (None when none do), with the symmetric names;
    dimensions of `--matrix` and `--vector` names are inferred from `texts`, and
    a note says what they were taken to be."""
    symmetric = _listed_names(args.symmetric, "--symmetric")
    matrices = _listed_names(args.matrix, "--matrix")
    vectors = _listed_names(args.vector, "--vector")
    scalars = _listed_names(args.scalar, "--scalar")
    if not (args.shape or matrices or vectors or scalars or symmetric):
        return None, []
    from .errors import ParseError
    from .matrix.shapes import describe, infer, read_specs

    declared: dict[str, tuple[str | int, ...]] = {}
    for spec in args.shape:
        try:
            read_specs(spec, declared)
        except ParseError as err:
            raise ParseError(f"--shape {spec}: {err.reason}", err.text, err.line, err.column) from None
    for name in symmetric:
        dims = declared.get(name)
        if dims is not None and (len(dims) != 2 or dims[0] != dims[1]):
            raise SymdiffError(f"--symmetric {name}: a symmetric matrix is square, but {name} is declared "
                               f"{'×'.join(map(str, dims)) or 'a scalar'}")
    twice = [n for n in dict.fromkeys(matrices + vectors + scalars)
             if (n in declared) + (n in matrices) + (n in vectors) + (n in scalars) > 1]
    if twice:
        raise SymdiffError(f"{twice[0]} is declared twice (--shape, --matrix, --vector, --scalar)")
    square = [n for n in symmetric if n not in declared]
    shapes: dict[str, tuple[str | int, ...]] = dict(declared)
    shapes = infer(texts, shapes, matrices, vectors, scalars, square)
    inferred = [n for n in dict.fromkeys([*matrices, *square, *vectors]) if n not in declared]
    if inferred:
        note(f"where {describe(shapes, inferred)}")
    return shapes, symmetric


def _index_lines(tree: Expr, xs: list[Expr], matrix_result: Expr | None, written: Any) -> list[str]:
    """The derivative in index form, labelled with the entry it is (`d/dw_a = ...`)."""
    from .matrix.index import index_derivative

    out, rows, wrt = index_derivative(tree, cast("list[Sym]", xs), matrix_result)  # variables, by _variable
    by = " ".join(f"d{w}" for w in wrt)
    top = "d" if len(wrt) == 1 else f"d{len(wrt)}"
    entry = f" (entry {', '.join(map(str, rows))})" if rows else ""
    ranges = [f"{i} = 1..{d}" for w, x in zip(wrt, xs) for i, d in zip(w.args, x.kind.shape)]
    ranges += [f"{i} = 1..{d}" for i, d in zip(rows, tree.kind.shape)]
    if ranges:
        note(f"index form: {', '.join(ranges)}")
    return [f"{top}/{by}{entry} = {written.show(out)}"]


def _form(args: argparse.Namespace, shapes: Any) -> str:
    form = getattr(args, "form", None)
    if form is not None and shapes is None:
        note("--form chooses between matrix and index form; with no shapes declared it has no effect")
    return form or "matrix"


def _with_index(args: argparse.Namespace, tree: Expr, xs: list[Expr], result: Expr, written: Any,
                shown: list[str]) -> list[str]:
    """`shown` (the matrix form) and, as --form asks, the index form beside it or instead."""
    from .matrix.index import NoIndexForm

    form = args.form or "matrix"
    if form == "matrix":
        return shown
    try:
        index = _index_lines(tree, xs, result, written)
    except NoIndexForm as err:
        if form == "index":
            raise SymdiffError(f"--form index: {err}; --form matrix shows the matrix form") from None
        note(f"no index form: {err}")
        return shown
    return index if form == "index" else [*shown, *index]


def _matrix_diff(args: argparse.Namespace, shapes: dict[str, tuple[str | int, ...]],
                 symmetric: list[str]) -> str | tuple[str, int, str]:
    from . import api
    from .matrix import _variable

    for option, value in (("--where", args.where), ("--assume", args.assume), ("--at", args.at)):
        if value:
            raise SymdiffError(f"{option}: not yet for vectors and matrices")
    wrt = split_variables(args.wrt)
    if len(wrt) > 1:
        raise SymdiffError("mixed partials: not yet for vectors and matrices; give one --wrt "
                           "(symdiff hessian for second derivatives by a vector)")
    if args.order not in (None, 1):
        raise SymdiffError("--order above 1: not yet for vectors and matrices; symdiff hessian gives the "
                           "second derivative by a vector")
    tree = api.parse(args.expr, shapes=shapes)
    x = _variable(tree, wrt[0] if wrt else None, shapes)
    if args.steps:
        if args.form not in (None, "matrix"):
            raise SymdiffError("--steps are in matrix form (differentials); --form index shows no steps")
        fmt = "text" if args.format in (None, "plain") else args.format
        derivation = api.derive(tree, x, shapes=shapes, symmetric=symmetric, verbose=args.verbose,
                                lang=args.lang, max_length=args.max_output)
        return derivation.render(fmt)
    written = formats.EXPRESSION.get(args.format or "plain")
    if written is None:
        raise SymdiffError(f"--format {args.format} needs --steps; without it use {_listed(list(formats.EXPRESSION))}")
    result = api.diff(tree, x, shapes=shapes, symmetric=symmetric, simplify=not args.no_simplify)
    _check_size(result, args.max_output)
    shown = "\n".join(_with_index(args, tree, [x], result, written, [written.show(result)]))
    if args.check:
        from .matrix.verify import check

        verdict = check(tree, result, x, shapes, symmetric)
        return shown, 0 if verdict.ok or not verdict.tried else 1, str(verdict)
    return shown


# ------------------------------------------------------------------ plot

PLOT_SUFFIXES = (".svg", ".png", ".pdf")


def _interval(text: str) -> tuple[float, float]:
    a, sep, b = text.partition(":")
    try:
        if sep:
            return float(a), float(b)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected A:B such as -3:3, got {text!r}")


def _add_plot(p: argparse.ArgumentParser) -> None:
    p.add_argument("expr", metavar="EXPR")
    p.add_argument("--wrt", metavar="X", help="the variable (default: the only one)")
    p.add_argument("--range", type=_interval, default=None, metavar="A:B",
                   help="the interval to draw (default: from the function: two periods of sin(x), "
                        "0:3 for ln(x), else -3:3)")
    p.add_argument("--order", type=int, default=1, metavar="N", help="derivatives to draw (default 1)")
    p.add_argument("--at", type=float, metavar="X", help="draw the tangent at this point")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.svg, FILE.png or FILE.pdf")


def _plot(args: argparse.Namespace) -> str:
    if not args.output.lower().endswith(PLOT_SUFFIXES):
        raise SymdiffError(f"-o {args.output}: the file must end in {', '.join(PLOT_SUFFIXES)}")
    from .plotting import plot

    fig = plot(args.expr, args.wrt, range=args.range, order=args.order, at=args.at)
    import matplotlib

    try:
        # No date and fixed ids in the file, so the same plot is the same bytes.
        svg = args.output.lower().endswith(".svg")
        with matplotlib.rc_context({"svg.hashsalt": "symdiff"}):
            fig.savefig(args.output, metadata={"Date": None} if svg else None)
    except OSError as err:
        raise SymdiffError(f"cannot write {args.output}: {err.strerror}") from None
    return f"wrote {args.output}"


# ------------------------------------------------ grad, hessian, codegen, equals, --check

BACKENDS = ("numpy", "torch", "jax", "python")


def _add_partials(g: argparse.ArgumentParser) -> None:
    """grad's and hessian's arguments."""
    _add_expression(g)
    g.add_argument("--wrt", metavar="X,Y", help="the variables, comma-separated, in the order shown (default: all)")
    _add_at(g)
    _add_shapes(g, form=True)


def _add_codegen(c: argparse.ArgumentParser) -> None:
    _add_expression(c)
    c.add_argument("--backend", choices=BACKENDS, default="numpy")
    c.add_argument("--grad", action="store_true", help="return the value and every first partial")
    c.add_argument("--wrt", metavar="X,Y", help="with --grad: the variables, in order (default: all)")
    c.add_argument("--args", metavar="W,B,X", help="the function's parameters, in this order "
                   "(default: the --wrt variables, then the others in natural order)")
    c.add_argument("--name", default="f", help="the function's name (default f)")


def _add_equals(e: argparse.ArgumentParser) -> None:
    e.add_argument("a", metavar="A")
    e.add_argument("b", metavar="B")
    _add_shapes(e)


def _names(text: str | None) -> list[str] | None:
    return None if text is None else split_variables([text])


def _run_grad(args: argparse.Namespace) -> str:
    from . import api

    shapes, symmetric = shapes_of(args, [args.expr])
    if shapes is not None:
        if args.at:
            raise SymdiffError("--at: not yet for vectors and matrices")
        tree = api.parse(args.expr, shapes=shapes)
        grads = api.gradient(tree, _names(args.wrt), shapes=shapes, symmetric=symmetric)
        written = formats.expression("plain")
        lines: list[str] = []
        for name, g in grads.items():
            x = next((s for s in tree.free if s.name == name), None)
            shown = [f"d/d{name}: {g}"]
            lines += _with_index(args, tree, [x], g, written, shown) if x is not None else shown
        return "\n".join(lines)
    _form(args, None)
    partials = api.gradient(args.expr, _names(args.wrt))
    if args.at:
        return "\n".join(f"d/d{x}: {_value(api.evaluate(d, dict(args.at)))}" for x, d in partials.items())
    return "\n".join(f"d/d{x}: {d}" for x, d in partials.items())


def _run_hessian(args: argparse.Namespace) -> str:
    from .api import as_tree
    from .expr import natural_key, symbols
    from .matrices import hessian

    shapes, symmetric = shapes_of(args, [args.expr])
    if shapes is not None:
        from .api import parse
        from .matrix import _variable, hessian as matrix_hessian

        if args.at:
            raise SymdiffError("--at: not yet for vectors and matrices")
        names = _names(args.wrt) or []
        if len(names) > 1:
            raise SymdiffError("a Hessian by several vectors: not yet; give one --wrt")
        tree = parse(args.expr, shapes=shapes)
        x = _variable(tree, names[0] if names else None, shapes)
        h = matrix_hessian(tree, x, shapes, symmetric)
        return "\n".join(_with_index(args, tree, [x, x], h, formats.expression("plain"),
                                      [f"d2/d{x}d{x}: {h}"]))
    _form(args, None)
    tree = as_tree(args.expr)
    xs = _names(args.wrt) or sorted((str(s) for s in symbols(tree)), key=natural_key)
    rows = hessian(tree, xs)
    if args.at:
        from .api import evaluate

        point = dict(args.at)
        return "\n".join(f"d2/d{xs[i]}d{xs[j]}: {_value(evaluate(rows[i][j], point))}"
                         for i in range(len(xs)) for j in range(i, len(xs)))
    return "\n".join(f"d2/d{xs[i]}d{xs[j]}: {rows[i][j]}" for i in range(len(xs)) for j in range(i, len(xs)))


def _run_codegen(args: argparse.Namespace) -> str:
    from . import api
    from .generate import codegen

    order = _names(args.args)
    if not args.grad:
        return codegen(args.expr, order, backend=args.backend, name=args.name).rstrip()
    tree = api.as_tree(args.expr)
    wrt = _names(args.wrt)
    if wrt is None and order is not None:  # --args w,b,x: the partials in that order too
        present = {str(s) for s in tree.free}
        wrt = [a for a in order if a in present] or None
    partials = api.gradient(tree, wrt)
    outputs = {str(tree): tree, **{f"d/d{x}": d for x, d in partials.items()}}
    if order is None and args.wrt:  # the variables in the order given, then the rest
        from .generate import Variables

        rest = Variables.of([tree]).default_args(args.backend != "python")
        order = list(dict.fromkeys([*partials, *rest]))
    return codegen(outputs, order, backend=args.backend, name=args.name).rstrip()


def _run_equals(args: argparse.Namespace) -> tuple[str, int]:
    from .check import compare

    shapes, symmetric = shapes_of(args, [args.a, args.b])
    if shapes is not None:
        from .api import parse
        from .matrix import equal_values

        same = equal_values(parse(args.a, shapes=shapes), parse(args.b, shapes=shapes), shapes, symmetric)
        return ("equal" if same else "not equal (at random sizes and entries)"), 0 if same else 1
    verdict = compare(args.a, args.b)
    return str(verdict), 0 if verdict.equal else 1


def _diff_check(args: argparse.Namespace, question: Question, result: Expr) -> tuple[int, str]:
    """The exit status --check implies and its line for stderr."""
    from .check import check_derivative

    if args.assume:
        return 0, "not checked: the result relies on --assume, which random points do not satisfy"
    xs = question.xs
    wrt = [str(x) for x in xs] if len(xs) > 1 else [str(xs[0])] * question.order
    verdict = check_derivative(question.tree, result, wrt)
    return (0 if verdict.ok else 1), str(verdict)


# Each command: its help line and what adds its arguments, in the order `symdiff --help` lists them.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "diff": ("differentiate an expression", _add_diff),
    "simplify": ("simplify an expression", _add_simplify),
    "eval": ("evaluate an expression at a point", _add_eval),
    "plot": ("draw f and its derivatives (needs the extra [plot])", _add_plot),
    "serve": ("serve the derivative page and POST /api/diff (extra [web])", _add_serve),
    "grad": ("every first partial derivative", _add_partials),
    "hessian": ("the second partials, each mixed one once", _add_partials),
    "codegen": ("Python source of a function computing EXPR", _add_codegen),
    "equals": ("are two expressions equal wherever defined? (exit 1 if not)", _add_equals),
}

RUNNING: dict[str, Callable[[argparse.Namespace], str | tuple[str, int]]] = {
    "grad": _run_grad, "hessian": _run_hessian, "codegen": _run_codegen, "equals": _run_equals}


def run(args: argparse.Namespace) -> str | tuple[str, int] | tuple[str, int, str]:
    from . import api

    if args.command in RUNNING:
        return RUNNING[args.command](args)

    if args.command == "diff":
        return run_diff(args)
    if args.command == "simplify":
        shapes, symmetric = shapes_of(args, [args.expr])
        result = api.simplify(args.expr, shapes=shapes, symmetric=symmetric) if shapes is not None \
            else api.simplify(args.expr)
        _check_size(result, args.max_output)
        return formats.expression(args.format).show(result)
    if args.command == "plot":
        return _plot(args)
    shapes, _ = shapes_of(args, [args.expr])
    if shapes is not None:
        return _array_value(api.evaluate(args.expr, dict(args.values), shapes=shapes))
    if any(isinstance(v, list) for _, v in args.values):
        raise SymdiffError("a vector or matrix value needs its shape declared (--shape w:n, --vector w)")
    return repr(api.evaluate(args.expr, dict(args.values)))


def _array_value(v: Any) -> str:
    """A float as repr; an array as JSON-style nested lists."""
    import json

    if isinstance(v, float):
        return repr(v)
    return json.dumps(v.tolist())


def _eval_expression(args: argparse.Namespace) -> None:
    """`eval --file F x=1`: the first NAME=VALUE landed in EXPR."""
    if args.file is not None and args.expr is not None:
        try:
            args.values.insert(0, _assignment(args.expr))
        except argparse.ArgumentTypeError as err:
            raise SymdiffError(str(err)) from None
        args.expr = None
    args.expr = read_expression(args)


def allow_leading_minus(parser: argparse.ArgumentParser) -> None:
    """Let an expression start with a minus (`symdiff diff '-x^2'`): argparse
    takes any argument that is not one of our options for a positional."""
    stack = [parser]
    while stack:
        p = stack.pop()
        p._negative_number_matcher = re.compile(r"^-[^-]")  # noqa: SLF001 (no public hook)
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    # `symdiff COMMAND ...` needs that command's parser only; anything else (`symdiff --help`) all of them.
    parser = build_parser(words[0] if words else None)
    allow_leading_minus(parser)
    args, extra = parser.parse_known_args(argv)
    if extra and args.command == "eval" and not any(v.startswith("--") for v in extra):  # values after the options: eval EXPR --vector w w=[1,2]
        try:
            args.values += [_assignment(v) for v in extra]
        except argparse.ArgumentTypeError as err:
            parser.error(str(err))
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "serve":
        return _serve(args)
    try:
        if args.command == "eval":
            _eval_expression(args)
        elif hasattr(args, "file"):
            args.expr = read_expression(args)
        with warnings.catch_warnings(record=True) as notes, input_limit(args.max_input):
            warnings.simplefilter("always", ReadingNote)
            out = run(args)
        for message in dict.fromkeys(str(w.message) for w in notes if issubclass(w.category, ReadingNote)):
            note(message)  # once each, however many times the text was read
    except SymdiffError as err:
        print(f"symdiff: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    status, line = 0, None
    if isinstance(out, tuple):  # (output, exit status[, a line for stderr])
        out, status, *rest = out
        line = rest[0] if rest else None
    try:
        print(out, flush=True)
        if line:
            print(line, file=sys.stderr, flush=True)
    except BrokenPipeError:
        # The reader (`| head`) left early; point stdout at devnull so the
        # interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return status


def command() -> NoReturn:
    """The `symdiff` program (and `python -m symdiff`): `main`, then the process ends."""
    status = main()
    # What is alive now lives to the exit: spare the interpreter's last collection,
    # which would walk all of it (5 ms, an eighth of a one-derivative run).
    gc.freeze()
    sys.exit(status)
