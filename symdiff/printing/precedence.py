"""Printing: the pieces every printer shares, written once: the precedence of
each node on the scale of symdiff.terms, numbers (`Numbers`), the rule for
running indices together (`run_together`), a product's numerator and
denominator (`fraction`), sums and argument lists, and the non-recursive
print driver.

A printer is a function `parts(node)` returning a list of strings and
`Child(expr, level, strict)` items; `render` expands the children with an
explicit stack, adding brackets where `needs_brackets` says they are needed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Callable, NamedTuple, Union

from ..limits import MAX_NUMBER_DIGITS
from ..core.rows import table
from ..expr import (
    E, FACT_ARRAY, HALF, IDENTITY, MAX_FOLD_BITS, SCALAR, Add, ArrayConst, Const, Delta, Derivative, Expr, Func, Hadamard,
    HadamardPow, Log, Mul, Num, Pow, Sum, Sym, Transpose, mul, num,
)
from ..terms import ADD, ATOM, MUL, NEG, POW, is_negative, is_reciprocal, quotient

# Integers up to this many bits always print in full; longer ones print as a
# power (`3^840`) or with a decimal exponent (`12e400`) when one fits.
SHORT_BITS = 200  # up to about 60 digits an integer prints as its digits, as people write it
POWER_BASES = range(2, 1001)
SMALL_FACTOR_BITS = 20  # m in m*b^k (`2*3^840`) is at most about a million
_DIGITS_PER_CHUNK = 4000  # below Python's int-to-str limit (4300 digits)


def digits(n: int) -> str:
    """Decimal digits of any int; never hits Python's int-to-str length limit."""
    if n < 0:
        return "-" + digits(-n)
    if n.bit_length() < 13000:  # about 3,900 digits
        return str(n)
    half = max(1, int(n.bit_length() * 0.30103) // 2)
    high, low = divmod(n, 10**half)
    return digits(high) + digits(low).zfill(half)


def long_integer(n: int) -> tuple[int, int, int] | None:
    """A long integer n > 0 written compactly, as (m, b, k) with n = m*b^k:
    a perfect power of a small base (m = 1) or decimal zeros (b = 10).
    None when n is short or has no such form (then it prints in full)."""
    if n.bit_length() <= SHORT_BITS:
        return None
    best = None  # a small multiple of a power: 2*3^840
    for b in POWER_BASES:
        if n % b == 0:
            k = round((n.bit_length() - 1) / math.log2(b))  # b^k has about this many bits
            for c in (k - 1, k, k + 1):
                if c > 1 and b**c == n:
                    return 1, b, c
            if best is None and n % (b * b) == 0:
                m, v = _strip(n, b)
                if m.bit_length() <= SMALL_FACTOR_BITS:
                    best = (m, b, v)
    if best is not None and best[1] != 10:
        return best
    m, zeros = _strip(n, 10)
    return (m, 10, zeros) if zeros > 1 else None


def _strip(n: int, b: int) -> tuple[int, int]:
    """(m, v) with n = m*b^v and b not dividing m, in O(log v) divisions (10^12000 has v = 12000)."""
    powers = [b]
    while n % (powers[-1] * powers[-1]) == 0:
        powers.append(powers[-1] * powers[-1])
    v = 0
    for i in range(len(powers) - 1, -1, -1):
        q, r = divmod(n, powers[i])
        if r == 0:
            n, v = q, v + (1 << i)
    return n, v


def integer_level(n: int) -> int:
    """Precedence of a non-negative integer as printed: a power binds as `^`."""
    form = long_integer(n)
    if form is None:
        return ATOM
    m, b, k = form
    return POW if m == 1 and b.bit_length() * k <= MAX_FOLD_BITS else MUL


def power_text(b: int, k: int, latex: bool = False) -> str:
    """b^k as powers that `pow_` folds back into one number: `2^4096*2^904` for 2^5000."""
    step = max(1, MAX_FOLD_BITS // b.bit_length())
    parts = []
    while k > 0:
        j = min(k, step)
        parts.append(f"{b}^{{{j}}}" if latex else f"{b}^{j}")
        k -= j
    return (" \\cdot " if latex else "*").join(parts)


class Child(NamedTuple):
    expr: Expr
    level: int = 0
    strict: bool = False


Part = Union[str, Child]


MAX_DECIMAL_PLACES = 20


def decimal(value: Fraction) -> str | None:
    """`value` (>= 0) as a decimal when that is exact, of two places or more, and
    shorter than p/q: 8943/200000 -> '0.044715', 1/100 -> '0.01'; 1/10, 1/2, 3/4
    and 1/3 stay fractions (x/10 reads better than 0.1*x)."""
    p, q = value.numerator, value.denominator
    if q == 1 or q.bit_length() > 3 * MAX_DECIMAL_PLACES:
        return None
    twos, fives = (q & -q).bit_length() - 1, 0
    while q % 5 ** (fives + 1) == 0:
        fives += 1
    if q != 2**twos * 5**fives or max(twos, fives) > MAX_DECIMAL_PLACES:
        return None
    places = max(twos, fives)
    if places < 2:
        return None
    digits = str(p * 10**places // q).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}"
    return text if len(text) < len(f"{p}/{q}") else None


class Numbers(NamedTuple):
    """How one printer writes numbers: the rules (a sign, an exact decimal such
    as 0.044715, else an integer or p over q) are these; the marks are its own."""

    minus: str
    integer: Callable[[int], str]  # an integer >= 0
    fraction: Callable[[str, str], str]  # numerator, denominator (each written by `integer`)
    decimal: Callable[[str], str] = str

    def __call__(self, value: Fraction) -> str:
        sign = self.minus if value < 0 else ""
        value = abs(value)
        if (text := decimal(value)) is not None:  # typed as 0.044715, say: printed so
            return sign + self.decimal(text)
        top = self.integer(value.numerator)
        if value.denominator == 1:
            return sign + top
        return sign + self.fraction(top, self.integer(value.denominator))


def run_together(texts: Sequence[str]) -> bool:
    """Can indices, as written, run together (`t_{ik}`), or do they need commas
    (`t_{i,10}`)?  Only when each is one character and no two digits touch:
    `x_{12}` is x at twelve."""
    return all(len(t) == 1 for t in texts) and not any(
        a.isdigit() and b.isdigit() for a, b in zip(texts, texts[1:]))


def fraction(e: Expr) -> tuple[bool, list[Expr], list[Expr]]:
    """(negative, numerator, denominator) of a product as printed: the
    coefficient's p over q, the factors x^-k below as x^k; a coefficient
    written as a decimal stays whole, in front.  The numerator is never empty."""
    coeff, top, bottom = quotient(e)
    negative, coeff = coeff < 0, abs(coeff)
    if decimal(coeff) is not None:
        top.insert(0, Num(coeff))
        coeff = Fraction(1)
    p, q = coeff.numerator, coeff.denominator
    upper: list[Expr] = ([num(p)] if p != 1 or not top else []) + top
    lower: list[Expr] = ([num(q)] if q != 1 else []) + bottom
    return negative, upper, lower


def _number_level(e: Expr) -> int:
    if e.value < 0:
        return NEG
    if e.value.denominator == 1:
        return integer_level(e.value.numerator)
    return ATOM if decimal(e.value) is not None else MUL


def _power_level(e: Expr) -> int:
    if e.base is E or e.exp is HALF:
        return ATOM  # exp(u), sqrt(u)
    return MUL if is_reciprocal(e) else POW


# How tightly each node kind binds as printed (the scale is `terms`'): the printers'
# column of the node rows.  A node at a level below its slot's is bracketed.
PRECEDENCE: dict[type[Expr], Callable[[Expr], int]] = table("precedence")
PRECEDENCE.update({
    Num: _number_level,
    Const: lambda e: ATOM,
    Sym: lambda e: ATOM,
    Add: lambda e: ADD,
    Mul: lambda e: NEG if is_negative(e) else MUL,
    Pow: _power_level,
    Log: lambda e: ATOM,
    Func: lambda e: ATOM,
    Sum: lambda e: MUL,  # its body runs to the end of a product
    Delta: lambda e: ATOM,
    Derivative: lambda e: ATOM,  # the printers bracket it whole
    # Vectors and matrices: `X^T` and `x.^2` bind as powers, `a .* b` as a product.
    Transpose: lambda e: POW,
    HadamardPow: lambda e: POW,
    Hadamard: lambda e: MUL,
    ArrayConst: lambda e: ATOM,
})


def precedence(e: Expr) -> int:
    """The level `e` prints at."""
    return PRECEDENCE[type(e)](e)


def bracketed_factor(f: Expr) -> bool:
    """A factor bracketed inside a product: an entrywise product (`A*(x .* y)`) or a
    1x1 product, which is one scalar factor (`2*(x^T*y)*A`)."""
    return type(f) is Hadamard or type(f) is Mul


def _identity_cluster(e: Expr) -> bool:
    """`I`, or `I` scaled by scalars (`2*I`): what the reader leaves unsized until an array meets it."""
    if type(e) is Mul:
        arrays = [f for f in e.factors if f.kind is not SCALAR]
        return len(arrays) == 1 and _identity_cluster(arrays[0])
    return type(e) is ArrayConst and e.name == IDENTITY


def identities_needing_size(root: Expr) -> frozenset[Expr]:
    """The identities that nothing beside them sizes when the text is read back
    (`I` alone, `2*I`, `tr(I)`), which the printers write with their size (`I(n)`);
    `A + I`, `A*I`, `I .* B` are sized by their neighbour."""
    if not root.facts & FACT_ARRAY:
        return frozenset()
    found: set[Expr] = set()
    seen: set[tuple[Expr, bool]] = set()
    stack: list[tuple[Expr, bool]] = [(root, False)]  # (node, sized by what stands beside it)
    while stack:
        e, sized = stack.pop()
        if (e, sized) in seen or not e.facts & FACT_ARRAY:
            continue
        seen.add((e, sized))
        t = type(e)
        if t is ArrayConst:
            if e.name == IDENTITY and not sized:
                found.add(e)
            continue
        if t is Mul and sum(f.kind is not SCALAR for f in e.factors) == 1:  # c*I: sized where c*I stands
            stack.extend((f, sized) for f in e.factors)
        elif t is Add or t is Hadamard or t is Mul:  # sized by an array beside it that is no I
            sizers = [a for a in e.args if a.kind is not SCALAR and not _identity_cluster(a)]
            stack.extend((a, bool(sizers) and (len(sizers) > 1 or sizers[0] is not a)) for a in e.args)
        elif t is Transpose:
            stack.append((e.args[0], sized))
        else:
            stack.extend((a, False) for a in e.args)
    return frozenset(found)


def needs_brackets(child: Child) -> bool:
    p = precedence(child.expr)
    return p < child.level or (child.strict and p == child.level)


def render(
    root: Expr,
    parts: Callable[[Expr], list[Part]],
    open_: str = "(",
    close: str = ")",
) -> str:
    """Expand `root` with the printer `parts`, bracketing children as needed."""
    out: list[str] = []
    stack: list[Part] = [Child(root)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif needs_brackets(item):
            stack.extend((close, Child(item.expr), open_))
        else:
            stack.extend(reversed(parts(item.expr)))
    return "".join(out)


def neg_term(e: Expr) -> Expr:
    """The term without its leading minus: `-2*x` -> `2*x`."""
    if type(e) is Num:
        return Num(-e.value)
    return mul(Num(-e.factors[0].value), *e.factors[1:])


def arguments(args: tuple[Expr, ...], separator: str) -> list[Part]:
    """A function's arguments, each whole (no brackets), with `separator` between them."""
    out: list[Part] = [Child(args[0])]
    for a in args[1:]:
        out += [separator, Child(a)]
    return out


def sum_parts(terms: tuple[Expr, ...]) -> list[Part]:
    """`a + b - c`: a negative term after the first is shown as subtraction."""
    out: list[Part] = [Child(terms[0], ADD)]
    for t in terms[1:]:
        if is_negative(t):
            out += [" - ", Child(neg_term(t), ADD, strict=True)]
        else:
            out += [" + ", Child(t, ADD, strict=True)]
    return out


def plain_integer(n: int) -> str:
    """`123`, `3^840`, `12e400`: an integer >= 0 as plain text that reads back."""
    form = long_integer(n)
    if form is None:
        return digits(n)
    m, b, k = form
    if b == 10 and len(digits(m)) + k <= MAX_NUMBER_DIGITS:
        return f"{digits(m)}e{k}"
    return power_text(b, k) if m == 1 else f"{m}*{power_text(b, k)}"


def latex_integer(n: int) -> str:
    """`123`, `3^{840}`, `12 \\cdot 10^{400}`: an integer >= 0 as LaTeX."""
    form = long_integer(n)
    if form is None:
        return digits(n)
    m, b, k = form
    power = power_text(b, k, latex=True)
    return power if m == 1 else f"{digits(m)} \\cdot {power}"


def printed_length(root: Expr, memo: dict[Expr, int] | None = None) -> int:
    """About how many characters `root` prints as, counting each repeat of a
    shared sub-tree; linear in the number of distinct nodes.  Never less than
    the length of the plain form, nor more than twice it plus 20 (a test checks
    both); LaTeX runs longer.  `memo` carries the
    lengths of nodes already measured across calls."""
    from ..expr import fold

    def visit(node: Expr, kids: tuple[int, ...]) -> int:
        t = type(node)
        if t is Num:
            v = node.value
            own = int((v.numerator.bit_length() + v.denominator.bit_length()) * 0.302) + 1
        elif t is Sym:
            own = len(node.name) + 3 * len(node.indices)
        elif t is Const:
            own = len(node.name)
        elif t is Add:
            own = 3 * len(kids)
        elif t is Mul:
            own = len(kids)
        elif t is Func:
            own = len(node.name) + 2 + 2 * len(node.rest)
        elif t is Log:
            own = 8
        elif t is Sum:
            own = 12 + len(node.index.name)
        elif t is Delta:
            own = 9
        else:
            own = 3
        return own + sum(kids)

    return fold(root, visit, memo)
