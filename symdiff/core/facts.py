"""Facts each node records about its sub-tree, as bits: a rewrite that needs
(say) a denominator or a `sin` is skipped in O(1) where there is none."""

from __future__ import annotations

FACT_DENOMINATOR = 1  # a power with a negative number as exponent
FACT_SUM_POWER = 2  # a sum under a power (any exponent)
FACT_SUM_FACTOR = 4  # a sum as a factor of a product
FACT_EXP = 8  # a power of e
FACT_LOG = 16  # a logarithm
FACT_POWER = 32  # any power
FACT_BINDER = 64  # a sum or a Kronecker delta (bound and index variables)
FACT_ARRAY = 128  # a vector or a matrix (a node whose kind is not scalar)
FACT_DERIVATIVE = 256  # an unevaluated derivative (`d/dx u`, read from text)
# One bit per function name, given out as names are first seen (the rewrite
# table asks for its names at import); past FUNCTION_BITS names they share one.
FUNCTION_BITS = 48
_FIRST_FUNCTION_BIT = 512
_function_bits: dict[str, int] = {}


def function_fact(name: str) -> int:
    """The fact bit of the function called `name`."""
    bit = _function_bits.get(name)
    if bit is None:
        if len(_function_bits) >= FUNCTION_BITS:
            return _FIRST_FUNCTION_BIT << FUNCTION_BITS
        bit = _function_bits[name] = _FIRST_FUNCTION_BIT << len(_function_bits)
    return bit
