"""symdiff: symbolic differentiation you can read.

>>> import symdiff
>>> str(symdiff.diff("log_2(x)", "x"))
'1/(x*ln(2))'
"""

from .api import derive, diff, evaluate, expand_sums, gradient, simplify, substitute
from .derivation import Derivation
from .errors import DifferentiationError, EvaluationError, ParseError, SymdiffError
from .expr import Expr
from .parse import parse
from .printing.latex import latex

__all__ = [
    "Derivation", "DifferentiationError", "EvaluationError", "Expr", "ParseError",
    "SymdiffError", "derive", "diff", "evaluate", "expand_sums", "gradient", "latex", "parse", "simplify", "substitute",
]
__version__ = "0.1.0"
