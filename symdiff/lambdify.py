"""lambdify: expression -> a Python callable, through `symdiff.codegen`.

The callable is the function `codegen` writes, executed here.  That is the
only `exec` in the library, and it runs only our printer's output: the text is
built from a parsed tree, names are reduced to identifiers and numbers are
printed from exact fractions, so no text a user typed reaches `exec`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .codegen import codegen
from .errors import SymdiffError
from .expr import Expr

NEEDS = {"numpy": "numpy", "torch": "torch", "jax": "jax"}


def lambdify(expr: Expr | str | Iterable[Expr | str], args: Sequence[str | Expr] | None = None,
             backend: str = "numpy") -> Callable:
    """A function of `args` (names or indexed names, in this order) computing `expr`.

    `backend="numpy"` broadcasts over arrays (an indexed family `y_i` is one
    array `y`; a sum is a reduction; a free index such as `j` in `y_j` is an axis
    of the result); `"math"` takes and returns floats.  Unstable forms are
    computed stably (`ln(1 + e^u)`, `ln(sigmoid(u))`, log-sum-exp, softmax).
    A list of expressions gives a function returning a tuple.  The source is
    the function's `source` attribute.
    """
    target = "python" if backend in ("math", "python") else backend
    module = NEEDS.get(target)
    if module is not None:
        try:
            __import__(module)
        except ImportError:
            raise SymdiffError(f"backend {backend!r} needs {module}: pip install {module}") from None
    source = codegen(expr, args, backend=target, name="f")
    namespace: dict = {}
    # Our own printer's output for a parsed tree (see the module docstring): never user text.
    exec(compile(source, "<symdiff.lambdify>", "exec"), namespace)
    function = namespace["f"]
    function.source = source
    return function
