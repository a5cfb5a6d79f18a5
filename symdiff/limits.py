"""Resource limits: every bound symdiff enforces, in one place.

Each is checked where the work starts and refused with a `LimitError`
(a ParseError with a caret where the limit points at text), so no public
call runs away with time or memory.  The README's "Limits" section lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Longest text `parse` reads by default, in characters.  Parsing is linear
# (about 4 s per megabyte, in Lark), so this keeps a parse under a second.
# `parse(..., max_length=N)` and `--max-input N` raise it (0: no limit).
MAX_INPUT_LENGTH = 200_000

# Highest derivative order (`diff`, `derive`, `--order`, `d^n/dx^n`): each
# order can multiply the size of the result.
MAX_ORDER = 1000

# Seconds of CPU (of the calling thread) a derivative of order 2 or more may
# be projected to take.
# Each order's step is timed, and the steps left are projected from the
# last one growing as it has grown (the 50th derivative of x^x, whose
# simplification slows order by order, is refused after its 14th order,
# about a second in, instead of running for minutes).
MAX_ORDER_SECONDS = 3.0

# Largest exact number, in decimal digits of its numerator or denominator,
# that a numeral may spell (`1e1000`, 1000 digits) and that printing writes
# out in full; larger results of arithmetic print as powers (`2^5000`).
MAX_NUMBER_DIGITS = 1200

# Largest bound of a sum that `evaluate` writes out term by term; beyond it
# a sum needs a closed form (polynomial or geometric bodies) or is refused.
MAX_SUM_TERMS = 100_000

# Largest result of the product rule and the other rules that repeat their
# operands, in symbols (numbers, names, functions and operations: nodes of
# the tree) as written out, repeats included; simplifying costs about 0.5 s a
# million.  The second derivative of 3,000 nested sin( would have 13.5
# billion, the first derivative of a 3,000-level x^x tower 13.5 million.  A
# chain rule's product of nested factors is not counted: its factors share
# their sub-trees, so it costs its length, not its written size (the
# derivative of 5,000 nested ln(1 + ...) prints 37 million symbols).
MAX_RESULT_SIZE = 10_000_000

# Factors the chain rule's products may hold together in one derivative.
# One chain of n costs n, but n chains of depth 1..n under a sum cost n^2/2:
# the second derivative of 3,000 nested exp( (its first is
# exp(exp(x) + exp(exp(x)) + ...)) would need 4.5 million.
MAX_CHAIN_FACTORS = 1_000_000

# Longest result the command line prints, and longest derivation `derive`
# lays out and `Derivation.render` writes, in characters, unless raised
# (`--max-output N`, `derive(..., max_length=N)`; 0 for no limit).
MAX_OUTPUT = 1_000_000


# The input limit in force where `parse` is not given one: MAX_INPUT_LENGTH,
# or what the command line's --max-input set for its run (`input_limit`).
_INPUT_LIMIT: ContextVar[int] = ContextVar("input_limit", default=MAX_INPUT_LENGTH)


def max_input_length() -> int:
    """The longest text `parse` reads when not told otherwise (0: no limit)."""
    return _INPUT_LIMIT.get()


@contextmanager
def input_limit(n: int) -> Iterator[None]:
    """Within the block, `parse` reads texts of up to `n` characters (0: any length)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"an input limit is a whole number >= 0, not {n!r}")
    token = _INPUT_LIMIT.set(n)
    try:
        yield
    finally:
        _INPUT_LIMIT.reset(token)
