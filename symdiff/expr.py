"""Expression nodes and their canonicalising constructors.

Every other stage reads and builds these trees. Nodes are immutable and
*interned*: constructing a node equal to a live one returns that very object.
So `==` is an identity test, equal sub-trees are shared, and comparing two
5,000-deep trees costs nothing. Each node's hash and free-symbol set are
computed once, at construction, from its children's.

Build trees with the lower-case constructors (`add`, `mul`, `pow_`, `func`,
`log`, ...), never the classes: they flatten, fold numbers exactly and keep
products in one canonical order, which is what makes printing round-trip.
"""

from __future__ import annotations

import operator
import weakref
import zlib
from collections.abc import Iterator
from fractions import Fraction
from typing import Any, Callable

CONSTANTS = ("e", "pi")

# Largest exact integer power folded, in bits of the result; beyond it a power
# stays symbolic rather than building a number nobody can print.
MAX_FOLD_BITS = 4096

# Live nodes by structure: the key holds the ids of a node's children, which
# stay alive (and keep their ids) as long as the node itself does.
_interned: dict[tuple, weakref.KeyedRef] = {}


def _forget(ref: weakref.KeyedRef) -> None:
    if _interned.get(ref.key) is ref:
        del _interned[ref.key]


def _key_part(value: Any) -> Any:
    t = type(value)
    if t is tuple:
        return tuple(map(id, value))
    if t is Fraction:
        # hash(Fraction) is taken modulo 2^61 - 1, where 2 has order 61: 1/2^k
        # for k = 1..n would share 61 hashes.  The sizes tell them apart.
        return (value, value.numerator.bit_length(), value.denominator.bit_length())
    if t is str or t is int:
        return value
    return id(value)


_get_hash = operator.attrgetter("_hash")


def _str_hash(s: str) -> int:
    # str.__hash__ is salted per process; a stable hash keeps ordering reproducible.
    return zlib.crc32(s.encode())


class Expr:
    """Base of all nodes.  Subclasses list their fields in `_fields`."""

    __slots__ = ("_hash", "free", "__weakref__")
    _fields: tuple[str, ...] = ()
    _tag = 0

    _hash: int
    free: frozenset  # free symbols (Sym nodes) occurring in the tree

    def __new__(cls, *values: Any) -> Expr:
        key = (cls, *map(_key_part, values))
        ref = _interned.get(key)
        if ref is not None:
            node = ref()
            if node is not None:
                return node
        node = object.__new__(cls)
        for name, value in zip(cls._fields, values):
            object.__setattr__(node, name, value)
        object.__setattr__(node, "_hash", hash((cls._tag, *map(_field_hash, values))))
        object.__setattr__(node, "free", node._free())
        _interned[key] = weakref.KeyedRef(node, _forget, key)
        return node

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __hash__(self) -> int:
        return self._hash

    # Interning makes identity and structural equality the same thing.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __reduce__(self):
        return (type(self), tuple(getattr(self, f) for f in self._fields))

    @property
    def args(self) -> tuple[Expr, ...]:
        """The child expressions, in field order."""
        return ()

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        """This node with new children, through the canonical constructors."""
        return self

    def _free(self) -> frozenset:
        kids = self.args
        if not kids:
            return frozenset()
        if len(kids) == 1:
            return kids[0].free
        return frozenset().union(*(k.free for k in kids))

    def __str__(self) -> str:
        from .printing.plain import to_str

        return to_str(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"

    def _repr_latex_(self) -> str:
        """Typeset maths in Jupyter."""
        from .printing.latex import latex

        return f"$\\displaystyle {latex(self)}$"

    # Arithmetic, for library users building trees in Python.
    def __add__(self, other: Any) -> Expr:
        return add(self, as_expr(other))

    def __radd__(self, other: Any) -> Expr:
        return add(as_expr(other), self)

    def __sub__(self, other: Any) -> Expr:
        return sub(self, as_expr(other))

    def __rsub__(self, other: Any) -> Expr:
        return sub(as_expr(other), self)

    def __mul__(self, other: Any) -> Expr:
        return mul(self, as_expr(other))

    def __rmul__(self, other: Any) -> Expr:
        return mul(as_expr(other), self)

    def __truediv__(self, other: Any) -> Expr:
        return div(self, as_expr(other))

    def __rtruediv__(self, other: Any) -> Expr:
        return div(as_expr(other), self)

    def __pow__(self, other: Any) -> Expr:
        return pow_(self, as_expr(other))

    def __rpow__(self, other: Any) -> Expr:
        return pow_(as_expr(other), self)

    def __neg__(self) -> Expr:
        return neg(self)


def _field_hash(value: Any) -> int:
    if isinstance(value, str):
        return _str_hash(value)
    if isinstance(value, tuple):
        return hash(tuple(map(_get_hash, value)))
    if isinstance(value, Expr):
        return value._hash
    if type(value) is Fraction and max(value.numerator.bit_length(), value.denominator.bit_length()) > 60:
        return hash(_key_part(value))  # 1/2^k would share 61 hashes (see _key_part)
    return hash(value)


class Num(Expr):
    """An exact rational number."""

    __slots__ = ("value",)
    _fields = ("value",)
    _tag = 1
    __match_args__ = _fields
    value: Fraction

    def __new__(cls, value: Fraction | int) -> Num:
        return Expr.__new__(cls, value if type(value) is Fraction else Fraction(value))


class Const(Expr):
    """A named mathematical constant: `e` or `pi`."""

    __slots__ = ("name",)
    _fields = ("name",)
    _tag = 2
    __match_args__ = _fields
    name: str


class Sym(Expr):
    """A variable, optionally indexed: `x`, `y_i`, `t_{ik}` (indices `(i, k)`)."""

    __slots__ = ("name", "indices")
    _fields = ("name", "indices")
    _tag = 3
    __match_args__ = _fields
    name: str
    indices: tuple[Expr, ...]

    def _free(self) -> frozenset:
        return frozenset((self,))

    @property
    def args(self) -> tuple[Expr, ...]:
        return self.indices

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return Sym(self.name, tuple(args))


class Add(Expr):
    """A sum of two or more terms, at most one of them a number."""

    __slots__ = ("terms",)
    _fields = ("terms",)
    _tag = 4
    __match_args__ = _fields
    terms: tuple[Expr, ...]

    @property
    def args(self) -> tuple[Expr, ...]:
        return self.terms

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return add(*args)


class Mul(Expr):
    """A product of two or more factors in canonical order; a coefficient comes first."""

    __slots__ = ("factors",)
    _fields = ("factors",)
    _tag = 5
    __match_args__ = _fields
    factors: tuple[Expr, ...]

    @property
    def args(self) -> tuple[Expr, ...]:
        return self.factors

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return mul(*args)


class Pow(Expr):
    """`base ^ exp`.  Square roots are `u ^ (1/2)`, `exp(u)` is `e ^ u`."""

    __slots__ = ("base", "exp")
    _fields = ("base", "exp")
    _tag = 6
    __match_args__ = _fields
    base: Expr
    exp: Expr

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.base, self.exp)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return pow_(*args)


class Func(Expr):
    """A named function of one argument: a row of `symdiff.functions`, or an
    undefined function (`f(x)`, `f'(x)`) when the name is not in the table."""

    __slots__ = ("name", "arg")
    _fields = ("name", "arg")
    _tag = 7
    __match_args__ = _fields
    name: str
    arg: Expr

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.arg,)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return func(self.name, args[0])


class Log(Expr):
    """Logarithm of `arg` to `base`; the natural log has base `e`."""

    __slots__ = ("arg", "base")
    _fields = ("arg", "base")
    _tag = 8
    __match_args__ = _fields
    arg: Expr
    base: Expr

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.arg, self.base)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return log(*args)


class Sum(Expr):
    """`sum_{index=lower}^{upper} body`; the index is bound inside the body."""

    __slots__ = ("body", "index", "lower", "upper")
    _fields = ("body", "index", "lower", "upper")
    _tag = 9
    __match_args__ = _fields
    body: Expr
    index: Sym
    lower: Expr
    upper: Expr

    @property
    def args(self) -> tuple[Expr, ...]:
        # The index is a binder, not a child: traversals must not rewrite it.
        return (self.body, self.lower, self.upper)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return summation(args[0], self.index, args[1], args[2])

    def _free(self) -> frozenset:
        i = self.index
        out = set(self.lower.free | self.upper.free)
        for s in self.body.free:
            if s is i:
                continue
            if any(i is k or i in k.free for k in s.indices):
                # `z_{im}` summed over m still depends on the free index i
                out.update(f for k in s.indices for f in k.free if f is not i)
            else:
                out.add(s)
        return frozenset(out)


class Delta(Expr):
    """Kronecker delta: 1 when the two indices are equal, else 0."""

    __slots__ = ("i", "j")
    _fields = ("i", "j")
    _tag = 10
    __match_args__ = _fields
    i: Expr
    j: Expr

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.i, self.j)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return delta(*args)


NODE_TYPES: tuple[type[Expr], ...] = (Num, Const, Sym, Add, Mul, Pow, Func, Log, Sum, Delta)


# ---------------------------------------------------------------- constructors


def num(value: int | Fraction | str) -> Num:
    """An exact number from an int, a Fraction or a decimal string (`"2.5"`, `"1e-3"`)."""
    return Num(Fraction(value))


ZERO, ONE, TWO, NEG_ONE, HALF = num(0), num(1), num(2), num(-1), num(Fraction(1, 2))
E, PI = Const("e"), Const("pi")
# A literal division by zero, `1/0`: every `0^-n` is this one node.
UNDEFINED = Pow(ZERO, NEG_ONE)


def sym(name: str, *indices: Expr | str | int) -> Sym:
    """A variable; `sym("y", "i", "k")` is `y_{ik}`."""
    return Sym(name, tuple(as_expr(i) for i in indices))


def const(name: str) -> Const:
    if name not in CONSTANTS:
        raise ValueError(f"unknown constant {name!r}")
    return Const(name)


def as_expr(value: Any) -> Expr:
    """Coerce Python numbers and plain names to expressions."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not an expression")
    if isinstance(value, (int, Fraction)):
        return num(value)
    if isinstance(value, float):
        return num(Fraction(repr(value)))  # 0.1 -> 1/10, as the user typed it
    if isinstance(value, str) and value.isidentifier():
        return Const(value) if value in CONSTANTS else sym(value)
    raise TypeError(f"cannot make an expression of {value!r}")


def add(*terms: Expr) -> Expr:
    """Sum: flattens nested sums and folds numbers into one term, kept where
    the first number stood (`x + 1` and `1 - x` both stay as written)."""
    flat: list[Expr] = []
    number: Num | None = None  # the numbers so far, folded
    at = -1
    for t in terms:
        for u in t.terms if type(t) is Add else (t,):
            if type(u) is Num:
                if number is None:
                    number, at = u, len(flat)
                else:
                    number = Num(number.value + u.value)
            else:
                flat.append(u)
    if number is not None and number is not ZERO:
        flat.insert(at, number)
    if not flat:
        return ZERO
    if len(flat) == 1:
        return flat[0]
    return Add(tuple(flat))


def mul(*factors: Expr) -> Expr:
    """Product: flattens, folds numbers into a leading coefficient, sorts the rest.

    A literal division by zero absorbs the product: it is undefined however
    it is multiplied.  Otherwise a zero coefficient absorbs it (the
    removable-singularity convention, see `simplify`).
    """
    flat: list[Expr] = []
    coeff: Num | None = None  # the numbers so far, folded
    for f in factors:
        for g in f.factors if type(f) is Mul else (f,):
            if type(g) is Num:
                coeff = g if coeff is None else Num(coeff.value * g.value)
            elif g is UNDEFINED:
                return UNDEFINED
            else:
                flat.append(g)
    if coeff is ZERO:
        return ZERO
    if len(flat) > 1:
        flat.sort(key=factor_key)
    if coeff is not None and coeff is not ONE or not flat:
        flat.insert(0, coeff or ONE)
    if len(flat) == 1:
        return flat[0]
    return Mul(tuple(flat))


def factor_key(e: Expr) -> tuple:
    """Canonical order of factors: constants, then symbols by name, then
    functions, then sums; powers sort with their base."""
    base, exp = (e.base, e.exp) if type(e) is Pow else (e, ONE)
    t = type(base)
    if t is Num:
        head: tuple = (0, "")
    elif t is Const and base is not E:
        head = (1, base.name)
    elif t is Sym:
        head = (2, base.name)
    elif t is Func:
        head = (3, base.name)
    elif t is Log:
        head = (3, "log")
    elif t is Pow or base is E:
        head = (3, "exp" if base is E else "pow")
    elif t is Add:
        head = (5, "")
    else:
        head = (4, t.__name__)
    exp_key = exp.value if type(exp) is Num else Fraction(10**9)
    return (*head, base._hash, exp_key, exp._hash)


def neg(a: Expr) -> Expr:
    return mul(NEG_ONE, a)


def sub(a: Expr, b: Expr) -> Expr:
    return add(a, neg(b))


def div(a: Expr, b: Expr) -> Expr:
    return mul(a, pow_(b, NEG_ONE))


def pow_(base: Expr, exp: Expr) -> Expr:
    """Power: folds exact numeric powers and `x^0`, `x^1`, `1^x`.

    Integer powers are pushed into products and powers, which holds wherever
    the input is defined: `(x*y)^2 = x^2*y^2`, `(x^(1/2))^2 = x`.  Non-integer
    ones are not: `(x^2)^(1/2)` is `abs(x)`, not `x`.
    """
    if type(exp) is Num:
        n = exp.value
        if n == 0:
            return ONE
        if n == 1:
            return base
        if n.denominator == 1:
            if type(base) is Mul:
                return mul(*(pow_(f, exp) for f in base.factors))
            if type(base) is Pow:
                return pow_(base.base, mul(base.exp, exp))
        if type(base) is Num:
            folded = _fold_numeric_power(base.value, n)
            if folded is not None:
                return Num(folded)
            if n < 0 and base.value == 0:
                return UNDEFINED
    if base == ONE:
        return ONE
    return Pow(base, exp)


def _fold_numeric_power(b: Fraction, n: Fraction) -> Fraction | None:
    """Exact value of b^n when it is rational and of sane size, else None."""
    if b == 0:
        return Fraction(0) if n > 0 else None
    p, q = n.numerator, n.denominator
    if q != 1:
        if b < 0:
            return None
        num_root, den_root = _int_root(b.numerator, q), _int_root(b.denominator, q)
        if num_root is None or den_root is None:
            return None
        b = Fraction(num_root, den_root)
    bits = max(b.numerator.bit_length(), b.denominator.bit_length())
    if bits * abs(p) > MAX_FOLD_BITS and abs(p) != 1:  # a reciprocal is no larger than b
        return None
    return b**p


def _int_root(n: int, k: int) -> int | None:
    """The exact k-th root of a non-negative int, or None."""
    if n < 2:
        return n
    if k > n.bit_length():
        return None
    r = round(n ** (1.0 / k)) if n.bit_length() < 1000 else _int_root_newton(n, k)
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**k == n:
            return c
    return None


def _int_root_newton(n: int, k: int) -> int:
    x = 1 << ((n.bit_length() + k - 1) // k)
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            return x
        x = y


def sqrt(u: Expr) -> Expr:
    return pow_(u, HALF)


def exp(u: Expr) -> Expr:
    return pow_(E, u)


def log(arg: Expr, base: Expr = E) -> Expr:
    """Logarithm; `log(u)` is the natural log."""
    return Log(arg, base)


def ln(arg: Expr) -> Expr:
    return Log(arg, E)


def func(name: str, arg: Expr) -> Expr:
    """Apply the function called `name` (canonical spelling; see `symdiff.functions.apply`)."""
    if not name or not isinstance(name, str):
        raise ValueError(f"a function needs a name, not {name!r}")
    return Func(name, arg)


def summation(body: Expr, index: Sym, lower: Expr, upper: Expr) -> Expr:
    """`sum_{index=lower}^{upper} body`; a zero body gives zero."""
    if type(index) is not Sym or index.indices:
        raise ValueError(f"a sum index must be a plain name, not {index}")
    if body is ZERO:
        return ZERO
    return Sum(body, index, lower, upper)


def _index_key(e: Expr) -> tuple:
    return (type(e) is not Sym, e.name if type(e) is Sym else "", e._hash)


def delta(i: Expr, j: Expr) -> Expr:
    """Kronecker delta, folded when decidable: `delta(i, i) = 1`, `delta(1, 2) = 0`."""
    if i is j:
        return ONE
    if type(i) is Num and type(j) is Num:
        return ZERO
    if _index_key(j) < _index_key(i):
        i, j = j, i
    return Delta(i, j)


# ------------------------------------------------------------------ traversal


def postorder(root: Expr) -> Iterator[Expr]:
    """Each distinct node once, children before parents, without recursion."""
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            yield node
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for child in reversed(node.args):
            if id(child) not in seen:
                stack.append((child, False))


def fold(root: Expr, visit: Callable[[Expr, tuple[Any, ...]], Any]) -> Any:
    """Bottom-up evaluation: `visit(node, results_of_children)`, memoised per node."""
    done: dict[int, Any] = {}
    for node in postorder(root):
        done[id(node)] = visit(node, tuple(done[id(c)] for c in node.args))
    return done[id(root)]


def transform(root: Expr, visit: Callable[[Expr], Expr | None]) -> Expr:
    """Rebuild bottom-up; `visit(rebuilt_node)` may return a replacement."""

    def step(node: Expr, kids: tuple[Expr, ...]) -> Expr:
        rebuilt = node.rebuild(kids) if kids != node.args else node
        replaced = visit(rebuilt)
        return rebuilt if replaced is None else replaced

    return fold(root, step)


def substitute(root: Expr, mapping: dict[Expr, Expr]) -> Expr:
    """Replace sub-trees by identity lookup."""
    return transform(root, mapping.get)


def size(root: Expr) -> int:
    """Number of nodes, counting shared sub-trees each time they occur."""
    return fold(root, lambda node, kids: 1 + sum(kids))


def leaves(root: Expr) -> int:
    """Number of leaves (numbers, constants, symbols), counting repeats."""
    return fold(root, lambda node, kids: sum(kids) if kids else 1)


def symbols(root: Expr) -> list[Sym]:
    """The free variables, sorted by name."""
    return sorted(root.free, key=lambda s: str(s))

