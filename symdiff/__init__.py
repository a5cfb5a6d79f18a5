"""symdiff: symbolic differentiation you can read.

Text in, derivative out, with the reasoning shown:

>>> import symdiff
>>> str(symdiff.diff("log_2(x)", "x"))
'1/(x*ln(2))'

The names below are the public API; the rest of the package is free to change.
"""

import sys
from typing import Any

try:
    from .api import derive, diff, evaluate, expand_sums, gradient, parse, simplify, substitute
except ModuleNotFoundError as missing:  # `python3 -m symdiff` in a clone before installing
    if missing.name != "lark" or sys.argv[:1] != ["-m"]:
        raise
    print("symdiff: error: symdiff needs Lark, which is not installed: run pip install . (or pip install lark)",
          file=sys.stderr)
    raise SystemExit(2) from None
from .errors import DifferentiationError, EvaluationError, LimitError, ParseError, ReadingNote, SymdiffError
from .expr import Expr
from .formats import attribute as _attribute, exports as _exports

# In the order the API reference lists them: functions (the printers' from the
# format registry), then classes, then errors.
__all__ = [
    "parse", "diff", "derive", "gradient", "jacobian", "hessian", "simplify", "evaluate", "equals",
    "substitute", "expand_sums", *_exports(), "plot", "lambdify", "codegen",
    "to_sympy", "from_sympy",
    "Expr", "Derivation",
    "SymdiffError", "ParseError", "EvaluationError", "DifferentiationError", "LimitError", "ReadingNote",
]
# The one place the version is written: pyproject.toml reads it at build time
# (hatch's dynamic version) and `symdiff --version` prints it.
__version__ = "0.1.0"


# Loaded on first use: the command line's plain path needs neither.
_LAZY = {"Derivation": "symdiff.derivation:Derivation", "plot": "symdiff.plotting:plot",
         # from derivative to running code (NumPy, SymPy only when asked for)
         "lambdify": "symdiff.generate:lambdify", "codegen": "symdiff.generate:codegen",
         "jacobian": "symdiff.matrices:jacobian", "hessian": "symdiff.matrices:hessian",
         "equals": "symdiff.check:equals", "to_sympy": "symdiff.bridge:to_sympy",
         "from_sympy": "symdiff.bridge:from_sympy"}


def __getattr__(name: str) -> Any:
    # the printers, taking text too, as the format registry names them now
    code = _LAZY.get(name) or _exports().get(name)
    if code is not None:
        value = globals()[name] = _attribute(code)
        return value
    raise AttributeError(f"module 'symdiff' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_exports()})
