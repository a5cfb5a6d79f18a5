"""Translate symdiff trees into text SymPy and SymEngine read, for side-by-side runs."""

from __future__ import annotations

from symdiff.expr import Add, Const, Expr, Func, Log, Mul, Num, Pow, Sym, fold

PEER_FUNCTIONS = {"asin": "asin", "acos": "acos", "atan": "atan"}


def peer_text(e: Expr, dialect: str = "sympy") -> str:
    """`e` in the syntax of `sympy.sympify` / `symengine.sympify`."""
    abs_name = "Abs" if dialect == "sympy" else "abs"

    def visit(node: Expr, kids: tuple[str, ...]) -> str:
        match node:
            case Num(value):
                return f"({value.numerator}/{value.denominator})" if value.denominator != 1 else f"({value})"
            case Const(name):
                return "E" if name == "e" else "pi"
            case Sym():
                return str(node).replace("{", "").replace("}", "").replace(",", "")
            case Add():
                return "(" + " + ".join(kids) + ")"
            case Mul():
                return "(" + "*".join(kids) + ")"
            case Pow():
                return f"({kids[0]})**({kids[1]})"
            case Log(_, base):
                return f"log({kids[0]})" if base.__class__ is Const and base.name == "e" else f"(log({kids[0]})/log({kids[1]}))"
            case Func(name):
                u = kids[0]
                if name == "sigmoid":
                    return f"(1/(1 + exp(-{u})))"
                if name == "softplus":
                    return f"log(1 + exp({u}))"
                if name == "abs":
                    return f"{abs_name}({u})"
                return f"{PEER_FUNCTIONS.get(name, name)}({u})"
        raise TypeError(f"no peer syntax for {type(node).__name__}")

    return fold(e, visit)
