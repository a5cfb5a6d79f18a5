"""Expression nodes and their canonicalising constructors: the import path
every stage uses.  The code is in `symdiff.core` (interning and traversal,
node classes, kinds, facts, constructors, order); this module re-exports it.

Build trees with the lower-case constructors (`add`, `mul`, `pow_`, `func`,
`log`, ...), never the classes: they flatten, fold numbers exactly and keep
products in one canonical order, which is what makes printing round-trip.
"""

from __future__ import annotations

from .core.constructors import (
    MAX_FOLD_BITS, _fold_numeric_power, add, as_expr, const, delta, derivative, div, exp, func, ln, log, mul, neg, num,
    pow_, sqrt, sub, summation, sym,
)
from .core.expr import (
    NODE_CLASSES, Expr, fold, postorder, replace_subtrees, set_term_key, transform,
)
from .core.facts import (
    FACT_ARRAY, FACT_BINDER, FACT_DENOMINATOR, FACT_EXP, FACT_LOG, FACT_POWER, FACT_SUM_FACTOR, FACT_SUM_POWER,
    FUNCTION_BITS, function_fact,
)
from .core.kinds import SCALAR, Kind, matrix, shape, vector
from .errors import KindError
from .core.measure import cost, leaves, size, symbols
from .core.nodes import (
    CONSTANTS, E, HALF, NEG_ONE, NODE_TYPES, ONE, PI, TWO, UNDEFINED, ZERO, Add, Const, Delta, Derivative, Func, Log, Mul,
    Num, Pow, Sum, Sym,
)
from .core.order import ORDER_TOKENS, factor_key, natural_key, order_key
from .core.arrays import (
    IDENTITY, ONES, ArrayConst, Hadamard, HadamardPow, Transpose, array_const, hadamard, hadamard_pow, identity, ones,
    transpose, transposed_kind,
)
from .core.kinds import FUNCTION_KINDS

# Every node kind: the scalar ones of `core.nodes` and the vector and matrix ones of `core.arrays`.
NODE_TYPES = (*NODE_TYPES, Transpose, Hadamard, HadamardPow, ArrayConst)

__all__ = [
    "MAX_FOLD_BITS", "add", "as_expr", "const", "delta", "derivative", "div", "exp", "func", "ln", "log", "mul", "neg", "num",
    "pow_", "sqrt", "sub", "summation", "sym",
    "NODE_CLASSES", "Expr", "fold", "postorder", "replace_subtrees", "set_term_key", "transform",
    "FACT_ARRAY", "FACT_BINDER", "FACT_DENOMINATOR", "FACT_EXP", "FACT_LOG", "FACT_POWER", "FACT_SUM_FACTOR",
    "FACT_SUM_POWER", "FUNCTION_BITS", "function_fact",
    "SCALAR", "Kind", "KindError", "matrix", "shape", "vector",
    "cost", "leaves", "size", "symbols",
    "CONSTANTS", "E", "HALF", "NEG_ONE", "NODE_TYPES", "ONE", "PI", "TWO", "UNDEFINED", "ZERO", "Add", "Const",
    "Delta", "Derivative", "Func", "Log", "Mul", "Num", "Pow", "Sum", "Sym",
    "ORDER_TOKENS", "factor_key", "natural_key", "order_key", "_fold_numeric_power",
    "IDENTITY", "ONES", "ArrayConst", "Hadamard", "HadamardPow", "Transpose", "array_const", "hadamard", "hadamard_pow",
    "identity", "ones", "transpose", "transposed_kind", "FUNCTION_KINDS",
]
