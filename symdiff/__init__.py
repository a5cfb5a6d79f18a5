"""symdiff: symbolic differentiation you can read.

Text in, derivative out, with the reasoning shown:

>>> import symdiff
>>> str(symdiff.diff("log_2(x)", "x"))
'1/(x*ln(2))'

The names below are the public API; the rest of the package is free to change.
"""

import importlib
import sys
from typing import Any

try:
    from . import printing  # noqa: F401  (str() of every node)
    from .api import derive, diff, evaluate, expand_sums, gradient, parse, simplify, substitute
except ModuleNotFoundError as missing:  # `python3 -m symdiff` in a clone before installing
    if missing.name != "lark" or sys.argv[:1] != ["-m"]:
        raise
    print("symdiff: error: symdiff needs Lark, which is not installed: run pip install . (or pip install lark)",
          file=sys.stderr)
    raise SystemExit(2) from None
from .errors import DifferentiationError, EvaluationError, LimitError, ParseError, ReadingNote, SymdiffError
from .expr import Expr

# In the order the API reference lists them: functions, then classes, then errors.
__all__ = [
    "parse", "diff", "derive", "gradient", "jacobian", "hessian", "simplify", "evaluate", "equals",
    "substitute", "expand_sums", "latex", "pretty", "mathml", "plot", "lambdify", "codegen",
    "to_sympy", "from_sympy",
    "Expr", "Derivation",
    "SymdiffError", "ParseError", "EvaluationError", "DifferentiationError", "LimitError", "ReadingNote",
]
# The one place the version is written: pyproject.toml reads it at build time
# (hatch's dynamic version) and `symdiff --version` prints it.
__version__ = "0.1.0"


# Loaded on first use: the command line's plain path needs neither.
_LAZY = {"Derivation": ("derivation", "Derivation"), "plot": ("plotting", "plot"),
         # the printers, taking text too (each loads its printer on first call)
         "latex": ("api", "latex"), "pretty": ("api", "pretty"), "mathml": ("api", "mathml"),
         # from derivative to running code (NumPy, SymPy only when asked for)
         "lambdify": ("generate", "lambdify"), "codegen": ("generate", "codegen"),
         "jacobian": ("matrices", "jacobian"), "hessian": ("matrices", "hessian"),
         "equals": ("check", "equals"), "to_sympy": ("bridge", "to_sympy"),
         "from_sympy": ("bridge", "from_sympy")}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = globals()[name] = getattr(importlib.import_module(f".{module}", __name__), attr)
        return value
    raise AttributeError(f"module 'symdiff' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
