"""symdiff: symbolic differentiation you can read.

>>> import symdiff
>>> str(symdiff.diff("log_2(x)", "x"))
'1/(x*ln(2))'
"""

import importlib

from . import printing  # noqa: F401  (str() of every node)
from .api import derive, diff, evaluate, expand_sums, gradient, simplify, substitute
from .errors import DifferentiationError, EvaluationError, ParseError, SymdiffError
from .expr import Expr
from .parse import parse

__all__ = [
    "Derivation", "DifferentiationError", "EvaluationError", "Expr", "ParseError",
    "SymdiffError", "derive", "diff", "evaluate", "expand_sums", "gradient", "latex", "mathml", "parse", "plot", "pretty", "simplify", "substitute",
    "lambdify", "codegen", "jacobian", "hessian", "equals", "to_sympy", "from_sympy",
]
__version__ = "0.1.0"


# Loaded on first use: the command line's plain path needs neither.
_LAZY = {"Derivation": ("derivation", "Derivation"), "latex": ("printing.latex", "latex"),
         "pretty": ("printing.unicode", "pretty"), "plot": ("plotting", "plot"),
         "mathml": ("printing.mathml", "mathml"),
         # from derivative to running code (NumPy, SymPy only when asked for)
         "lambdify": ("generate", "lambdify"), "codegen": ("generate", "codegen"),
         "jacobian": ("matrices", "jacobian"), "hessian": ("matrices", "hessian"),
         "equals": ("check", "equals"), "to_sympy": ("bridge", "to_sympy"),
         "from_sympy": ("bridge", "from_sympy")}


def __getattr__(name: str):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = globals()[name] = getattr(importlib.import_module(f".{module}", __name__), attr)
        return value
    raise AttributeError(f"module 'symdiff' has no attribute {name!r}")
