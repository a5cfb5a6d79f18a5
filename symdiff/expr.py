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

import functools
import numbers
import operator
import re
import weakref
import zlib
from collections.abc import Iterator, MutableMapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, TypeVar, cast

from .formats import EXPRESSION as FORMATS

CONSTANTS = ("e", "pi")

# Largest exact integer power folded, in bits of the result; beyond it a power
# stays symbolic rather than building a number nobody can print.
MAX_FOLD_BITS = 4096

# Live nodes by structure: the key holds the ids of a node's children, which
# stay alive (and keep their ids) as long as the node itself does.
_interned: dict[tuple[Any, ...], weakref.KeyedRef[tuple[Any, ...], Expr]] = {}


def _forget(ref: weakref.KeyedRef[tuple[Any, ...], Expr]) -> None:
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
_NO_SYMBOLS: frozenset[Sym] = frozenset()


def _str_hash(s: str) -> int:
    # str.__hash__ is salted per process; a stable hash keeps ordering reproducible.
    return zlib.crc32(s.encode())


class Expr:
    """Base of all nodes.  Subclasses list their fields in `_fields`.

    Expressions are immutable, hashable and interned: equal trees are the
    same object, so `==` is structural and instant.  `str()` gives the plain
    syntax, which `symdiff.parse` reads back; Python's operators build new
    trees through the canonical constructors.

    >>> from symdiff import parse
    >>> x = parse("x")
    >>> 2 * x**2 + 1, parse("2*x^2") == 2 * x**2
    (<Add 2*x^2 + 1>, True)
    """

    __slots__ = ("_hash", "free", "facts", "height", "_order", "_cost", "_fkey", "_tkey", "__weakref__")
    _fields: tuple[str, ...] = ()
    _tag = 0

    _hash: int
    free: frozenset[Sym]  # free symbols (Sym nodes) occurring in the tree
    facts: int  # FACT_* bits of the node and everything below it, see `_own_facts`
    height: int  # 1 for a leaf, else 1 + the greatest height of a child

    # NumPy scalars try their own operators first (`np.float64(2) * x`); this
    # makes them step aside for ours, which read them as numbers.
    __array_ufunc__ = None

    if TYPE_CHECKING:
        # The fields of every node kind, for the type checker only.  Hot code
        # dispatches on `t = type(e)` then `t is Num` (one lookup, not one
        # isinstance per case), which mypy cannot narrow; declared here, the
        # field reads after such a test type-check, each with its one type.
        value: Fraction  # Num
        name: str  # Const, Sym, Func
        indices: tuple[Expr, ...]  # Sym
        terms: tuple[Expr, ...]  # Add
        factors: tuple[Expr, ...]  # Mul
        base: Expr  # Pow, Log
        exp: Expr  # Pow
        arg: Expr  # Func, Log
        rest: tuple[Expr, ...]  # Func
        body: Expr  # Sum, Derivative
        var: Sym  # Derivative
        order: int  # Derivative
        index: Sym  # Sum
        lower: Expr  # Sum
        upper: Expr  # Sum
        i: Expr  # Delta
        j: Expr  # Delta
        _order: tuple[Any, ...]  # order_key's cache, a slot filled on first use
        _cost: tuple[int, int, int]  # cost's cache, likewise
        _fkey: tuple[Any, ...]  # factor_key's cache, likewise
        _tkey: tuple[Any, ...]  # simplify.term_key's cache, likewise

    def __new__(cls, *values: Any) -> Expr:
        key = (cls, *map(_key_part, values))
        ref = _interned.get(key)
        if ref is not None:
            node = ref()
            if node is not None:
                return node
        return _build(cls, key, values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __hash__(self) -> int:
        return self._hash

    # Interning makes identity and structural equality the same thing.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __reduce__(self) -> tuple[type[Expr], tuple[Any, ...]]:
        return (type(self), tuple(getattr(self, f) for f in self._fields))

    @property
    def args(self) -> tuple[Expr, ...]:
        """The child expressions, in field order."""
        return ()

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        """This node with new children, through the canonical constructors.

        Args:
            args: the new children, one for each of `self.args`.

        Returns:
            An `Expr` of the same kind, or a simpler one when the
            constructors fold it (a sum of numbers becomes a number).

        >>> from symdiff import parse
        >>> e = parse("x + y")
        >>> e.rebuild((parse("2"), parse("3")))
        <Num 5>
        """
        return self

    def _free(self) -> frozenset[Sym]:
        frees = [f for f in (k.free for k in self.args) if f]
        if not frees:
            return _NO_SYMBOLS
        first = frees[0]
        if all(f is first for f in frees):  # x*f(x)*g(x): the one set, shared
            return first
        return first.union(*frees[1:])

    def __str__(self) -> str:
        return FORMATS["plain"].write(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"

    def _repr_latex_(self) -> str:
        """Typeset maths in Jupyter."""
        return f"$\\displaystyle {FORMATS['latex'].write(self)}$"

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


# Facts each node records about its sub-tree, so a rewrite that needs (say) a
# denominator or a `sin` can be skipped in O(1) where there is none.
FACT_DENOMINATOR = 1  # a power with a negative number as exponent
FACT_SUM_POWER = 2  # a sum under a power (any exponent)
FACT_SUM_FACTOR = 4  # a sum as a factor of a product
FACT_EXP = 8  # a power of e
FACT_LOG = 16  # a logarithm
FACT_POWER = 32  # any power
FACT_BINDER = 64  # a sum or a Kronecker delta (bound and index variables)
# One bit per function name, given out as names are first seen (the rewrite
# table asks for its names at import); past FUNCTION_BITS names they share one.
FUNCTION_BITS = 48
_function_bits: dict[str, int] = {}


def function_fact(name: str) -> int:
    """The fact bit of the function called `name`."""
    bit = _function_bits.get(name)
    if bit is None:
        if len(_function_bits) >= FUNCTION_BITS:
            return 128 << FUNCTION_BITS
        bit = _function_bits[name] = 128 << len(_function_bits)
    return bit


def _own_facts(node: Expr) -> int:
    t = type(node)
    if t is Pow:
        f = FACT_POWER
        if type(node.exp) is Num and node.exp.value < 0:
            f |= FACT_DENOMINATOR
        if type(node.base) is Add:
            f |= FACT_SUM_POWER
        if node.base is E:
            f |= FACT_EXP
        return f
    if t is Func:
        return function_fact(node.name)
    if t is Log:
        return FACT_LOG
    if t is Mul:
        return FACT_SUM_FACTOR if any(type(f) is Add for f in node.factors) else 0
    if t is Sum or t is Delta:
        return FACT_BINDER
    return 0


# The slots' own setters: they bypass Expr.__setattr__, which refuses.
# (mypy sees the annotated slots as instance variables, not descriptors: hence the ignores)
_set_hash, _set_free = Expr._hash.__set__, Expr.free.__set__  # type: ignore[attr-defined, misc]
_set_facts, _set_height = Expr.facts.__set__, Expr.height.__set__  # type: ignore[attr-defined, misc]
_set_order = Expr._order.__set__  # type: ignore[attr-defined, misc]
_set_cost, _set_fkey = Expr._cost.__set__, Expr._fkey.__set__  # type: ignore[attr-defined, misc]
set_term_key = Expr._tkey.__set__  # type: ignore[attr-defined, misc]
_new_object = object.__new__
_set_field = object.__setattr__


def _build(cls: type[Expr], key: tuple[Any, ...], values: tuple[Any, ...]) -> Expr:
    """A new node, interned under `key`: its fields, hash, free symbols, facts and height.
    (Add, Mul, Pow, Log and Func nodes are built by `_build_sequence`, `_build_pair`
    and `_build_func`, which compute the same from their children without dispatch.)"""
    node = _new_object(cls)
    for name, value in zip(cls._fields, values):
        _set_field(node, name, value)
    _set_hash(node, hash((cls._tag, *map(_field_hash, values))))
    kids = node.args
    facts = _own_facts(node)
    height = 0
    for kid in kids:
        facts |= kid.facts
        if kid.height > height:
            height = kid.height
    _set_facts(node, facts)
    _set_height(node, height + 1)
    _set_free(node, node._free())
    _interned[key] = weakref.KeyedRef(node, _forget, key)
    return node


def _union(a: frozenset[Sym], b: frozenset[Sym]) -> frozenset[Sym]:
    if b is a or not b:
        return a
    if not a:
        return b
    return a | b


def _build_pair(cls: type[Expr], key: tuple[Any, ...], a: Expr, b: Expr, own: int) -> Expr:
    """`_build` for a node whose fields are two children (Pow, Log)."""
    node = _new_object(cls)
    first, second = cls._fields
    _set_field(node, first, a)
    _set_field(node, second, b)
    _set_hash(node, hash((cls._tag, a._hash, b._hash)))
    _set_facts(node, own | a.facts | b.facts)
    _set_height(node, (a.height if a.height > b.height else b.height) + 1)
    _set_free(node, _union(a.free, b.free))
    _interned[key] = weakref.KeyedRef(node, _forget, key)
    return node


def _interned_node(key: tuple[Any, ...]) -> Expr | None:
    """The live node interned under `key`, if any."""
    ref = _interned.get(key)
    return None if ref is None else ref()


def _build_func(key: tuple[Any, ...], name: str, arg: Expr) -> Expr:
    node = _new_object(Func)
    _set_field(node, "name", name)
    _set_field(node, "arg", arg)
    _set_field(node, "rest", ())
    _set_hash(node, hash((Func._tag, _str_hash(name), arg._hash)))
    _set_facts(node, function_fact(name) | arg.facts)
    _set_height(node, arg.height + 1)
    _set_free(node, arg.free)
    _interned[key] = weakref.KeyedRef(node, _forget, key)
    return node


_get_facts = operator.attrgetter("facts")
_get_height = operator.attrgetter("height")


def _build_sequence(cls: type[Expr], key: tuple[Any, ...], kids: tuple[Expr, ...], own: int) -> Expr:
    """`_build` for a node whose one field is a tuple of children (Add, Mul)."""
    node = _new_object(cls)
    _set_field(node, cls._fields[0], kids)
    _set_hash(node, hash((cls._tag, hash(tuple(map(_get_hash, kids))))))
    _set_facts(node, functools.reduce(operator.or_, map(_get_facts, kids), own))
    _set_height(node, max(map(_get_height, kids), default=0) + 1)
    _set_free(node, node._free())
    _interned[key] = weakref.KeyedRef(node, _forget, key)
    return node


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
        # Keyed by numerator and denominator: ints hash and compare in C, a
        # Fraction's hash and == are Python code, and most numbers built exist.
        if type(value) is int:
            key: tuple[Any, ...] = (cls, value, 1)
        else:
            if type(value) is not Fraction:
                value = Fraction(value)
            key = (cls, value.numerator, value.denominator)
        node = _interned_node(key)
        if node is not None:
            return cast(Num, node)
        return cast(Num, _build(cls, key, (value if type(value) is Fraction else Fraction(value),)))


class Const(Expr):
    """A named mathematical constant: `e` or `pi`."""

    __slots__ = ("name",)
    _fields = ("name",)
    _tag = 2
    __match_args__ = _fields
    name: str

    def __new__(cls, name: str) -> Const:
        key = (cls, name)
        node = _interned_node(key)
        if node is not None:
            return cast(Const, node)
        return cast(Const, _build(cls, key, (name,)))


class Sym(Expr):
    """A variable, optionally indexed: `x`, `y_i`, `t_{ik}` (indices `(i, k)`)."""

    __slots__ = ("name", "indices")
    _fields = ("name", "indices")
    _tag = 3
    __match_args__ = _fields
    name: str
    indices: tuple[Expr, ...]

    def __new__(cls, name: str, indices: tuple[Expr, ...]) -> Sym:
        key = (cls, name, tuple(map(id, indices)))
        node = _interned_node(key)
        if node is not None:
            return cast(Sym, node)
        return cast(Sym, _build(cls, key, (name, indices)))

    def _free(self) -> frozenset[Sym]:
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

    def __new__(cls, terms: tuple[Expr, ...]) -> Add:
        key = (cls, tuple(map(id, terms)))
        node = _interned_node(key)
        if node is not None:
            return cast(Add, node)
        return cast(Add, _build_sequence(cls, key, terms, 0))

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

    def __new__(cls, factors: tuple[Expr, ...]) -> Mul:
        key = (cls, tuple(map(id, factors)))
        node = _interned_node(key)
        if node is not None:
            return cast(Mul, node)
        own = FACT_SUM_FACTOR if Add in map(type, factors) else 0
        return cast(Mul, _build_sequence(cls, key, factors, own))

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

    def __new__(cls, base: Expr, exp: Expr) -> Pow:
        key = (cls, id(base), id(exp))
        node = _interned_node(key)
        if node is not None:
            return cast(Pow, node)
        own = FACT_POWER
        if type(exp) is Num and exp.value < 0:
            own |= FACT_DENOMINATOR
        if type(base) is Add:
            own |= FACT_SUM_POWER
        if base is E:
            own |= FACT_EXP
        return cast(Pow, _build_pair(cls, key, base, exp, own))

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.base, self.exp)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return pow_(*args)


class Func(Expr):
    """A named function: a row of `symdiff.functions`, or an undefined function
    (`f(x)`, `f'(x)`) when the name is not in the table.  `arg` is the first
    argument, `rest` the others of a row of two (`atan2(y, x)`), else empty."""

    __slots__ = ("name", "arg", "rest")
    _fields = ("name", "arg", "rest")
    _tag = 7
    __match_args__ = _fields
    name: str
    arg: Expr
    rest: tuple[Expr, ...]

    def __new__(cls, name: str, arg: Expr, rest: tuple[Expr, ...] = ()) -> Func:
        if rest:  # atan2(y, x): the general path
            return cast(Func, Expr.__new__(cls, name, arg, rest))
        key = (cls, name, id(arg))
        node = _interned_node(key)
        if node is not None:
            return cast(Func, node)
        return cast(Func, _build_func(key, name, arg))

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.arg, *self.rest) if self.rest else (self.arg,)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return func(self.name, *args)


class Log(Expr):
    """Logarithm of `arg` to `base`; the natural log has base `e`."""

    __slots__ = ("arg", "base")
    _fields = ("arg", "base")
    _tag = 8
    __match_args__ = _fields
    arg: Expr
    base: Expr

    def __new__(cls, arg: Expr, base: Expr) -> Log:
        key = (cls, id(arg), id(base))
        node = _interned_node(key)
        if node is not None:
            return cast(Log, node)
        return cast(Log, _build_pair(cls, key, arg, base, FACT_LOG))

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

    def _free(self) -> frozenset[Sym]:
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

    def __new__(cls, i: Expr, j: Expr) -> Delta:
        key = (cls, id(i), id(j))
        node = _interned_node(key)
        if node is not None:
            return cast(Delta, node)
        return cast(Delta, _build(cls, key, (i, j)))

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.i, self.j)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return delta(*args)


class Derivative(Expr):
    """`d^order/dvar^order body`, unevaluated: a derivative the input asks for
    (`d/dx x^2`, `\\frac{\\partial}{\\partial w} L`).  The reader builds it, so that it
    needs no differentiator; the pipeline differentiates it right after reading
    (`symdiff.diff.evaluate_derivatives`).  Its free symbols are the body's: the
    derivative depends on no more than the body does."""

    __slots__ = ("body", "var", "order")
    _fields = ("body", "var", "order")
    _tag = 11
    __match_args__ = _fields
    body: Expr
    var: Sym
    order: int

    @property
    def args(self) -> tuple[Expr, ...]:
        # The variable is a binder, as a sum's index: traversals must not rewrite it.
        return (self.body,)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return derivative(args[0], self.var, self.order)


def derivative(body: Expr, var: Sym, order: int = 1) -> Derivative:
    """The unevaluated derivative `d^order/dvar^order body` (order a whole number >= 1)."""
    if type(var) is not Sym:
        raise ValueError(f"can only differentiate with respect to a variable, not {var}")
    if type(order) is not int or order < 1:
        raise ValueError(f"a derivative's order is a whole number >= 1, not {order!r}")
    return Derivative(body, var, order)


NODE_TYPES: tuple[type[Expr], ...] = (Num, Const, Sym, Add, Mul, Pow, Func, Log, Sum, Delta, Derivative)


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
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise TypeError("a bool is not an expression")
    if isinstance(value, (int, Fraction)):
        return num(value)
    if isinstance(value, numbers.Integral):  # NumPy integers
        return num(int(value))
    if isinstance(value, numbers.Rational):
        return num(Fraction(cast(int, value.numerator), cast(int, value.denominator)))
    if isinstance(value, numbers.Real):  # float and NumPy floats
        x = float(value)
        if x != x or x in (float("inf"), float("-inf")):
            raise TypeError(f"{value!r} is not a finite number, so not an expression")
        return num(Fraction(repr(x)))  # 0.1 -> 1/10, as the user typed it
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


def factor_key(e: Expr) -> tuple[Any, ...]:
    """Canonical order of factors: numbers, constants, symbols by natural name
    (`y_2` before `y_10`), functions by name, then other nodes, then sums;
    powers sort with their base, then by exponent, highest first.  Ties are broken by
    structure (`order_key`), never by hash values or the order of building.
    Cached on the node: every product it is a factor of sorts by it."""
    try:
        return e._fkey
    except AttributeError:
        pass
    key = _factor_key(e)
    _set_fkey(e, key)
    return key


def _factor_key(e: Expr) -> tuple[Any, ...]:
    base, expo = (e.base, e.exp) if type(e) is Pow else (e, ONE)
    t = type(base)
    if t is Num:
        head: tuple[Any, ...] = (0, "")
    elif t is Const and base is not E:
        head = (1, base.name)
    elif t is Sym:
        head = (2, "")
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
    exp_key = (0, -expo.value) if type(expo) is Num else (1, Fraction(0))  # s^3 + s^2 + s
    return (*head, order_key(base), exp_key, order_key(expo))


# Ranks of node kinds in `order_key`; a power of e is spelt `exp`.
_RANK = {"Num": 0, "Const": 1, "Sym": 2, "Func": 3, "Log": 3, "Pow": 4, "Mul": 5, "Add": 6,
         "Sum": 7, "Delta": 8, "Derivative": 9}
ORDER_TOKENS = 16  # nodes read from the top of a tree to order it; deeper ties go by hash


def natural_key(name: str) -> tuple[Any, ...]:
    """`y10` -> ("y", 10, ""): a sort key in which digits compare as numbers (`y2` before `y10`)."""
    parts = re.split(r"(\d+)", name)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def _token(node: Expr) -> tuple[Any, ...]:
    t = type(node)
    if t is Num:  # by size, the negative first: 1 - s before 1 - 2*s, x - 1 before x + 1
        return (0, (abs(node.value), node.value > 0))
    if t is Const:
        return (1, (node.name,))
    if t is Sym:
        return (2, (natural_key(node.name), len(node.indices)))
    if t is Func:
        return (3, (node.name,))
    if t is Log:
        return (3, ("log",))
    if t is Pow and node.base is E:
        return (3, ("exp",))
    if t is Mul or t is Add:
        return (_RANK[t.__name__], (len(node.args),))
    if t is Derivative:  # its variable is not a child: compared here
        return (9, (node.order, order_key(node.var)))
    return (_RANK[t.__name__], ("",))


def _tokens(e: Expr) -> Iterator[Any]:
    stack = [e]
    while stack:
        node = stack.pop()
        yield from _token(node)
        if type(node) is Pow and node.base is E:
            stack.append(node.exp)
        else:
            stack.extend(reversed(node.args))


class _Rest:
    """The end of a long `order_key`: compares whole trees, without recursion,
    when their first ORDER_TOKENS nodes tie (weakly held: no reference cycle)."""

    __slots__ = ("ref",)

    def __init__(self, ref: weakref.ref[Expr]) -> None:
        self.ref = ref

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Rest) and self.ref() is other.ref()

    def __lt__(self, other: _Rest) -> bool:
        # the nodes being ordered are alive, so both references resolve
        for a, b in zip(_tokens(cast(Expr, self.ref())), _tokens(cast(Expr, other.ref()))):
            if a != b:
                return cast(bool, a < b)
        return False  # one stream is a prefix of the other only if the trees are equal

    def __gt__(self, other: _Rest) -> bool:
        return other < self

    __hash__ = None  # type: ignore[assignment]


def _order_children(node: Expr) -> tuple[Expr, ...]:
    return (node.exp,) if type(node) is Pow and node.base is E else node.args


_LIMIT = 2 * ORDER_TOKENS


def _set_order_key(node: Expr) -> None:
    """A node's key from its children's: its token, then theirs, truncated."""
    parts = list(_token(node))
    truncated = False
    for child in _order_children(node):
        parts.extend(child._order[:_LIMIT])
        if len(parts) > _LIMIT:
            truncated = True
            break
    if truncated:
        key = (*parts[:_LIMIT], node.height, _Rest(weakref.ref(node)))
    else:
        key = tuple(parts)
    _set_order(node, key)


def order_key(e: Expr) -> tuple[Any, ...]:
    """A structural sort key: the first ORDER_TOKENS nodes of `e` in preorder,
    each as (rank, name or value), flattened; past that the shallower tree
    first, then whole trees compared.  Cached on the node, and built from the
    children's keys, without recursion."""
    try:
        return e._order
    except AttributeError:
        pass
    stack = [e]
    while stack:
        node = stack[-1]
        pending = [c for c in _order_children(node) if not hasattr(c, "_order")]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if not hasattr(node, "_order"):
            _set_order_key(node)
    return e._order


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
    if base is ONE:
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


def func(name: str, arg: Expr, *rest: Expr) -> Expr:
    """Apply the function called `name` (canonical spelling; see `symdiff.functions.apply`)."""
    if not name or not isinstance(name, str):
        raise ValueError(f"a function needs a name, not {name!r}")
    return Func(name, arg, rest)


def summation(body: Expr, index: Sym, lower: Expr, upper: Expr) -> Expr:
    """`sum_{index=lower}^{upper} body`; a zero body gives zero."""
    if type(index) is not Sym or index.indices:
        raise ValueError(f"a sum index must be a plain name, not {index}")
    if body is ZERO:
        return ZERO
    return Sum(body, index, lower, upper)


def _index_key(e: Expr) -> tuple[Any, ...]:
    return (type(e) is not Sym, order_key(e))


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


def cost(e: Expr) -> tuple[int, int, int]:
    """(leaves, negative numbers, nodes), counting repeats; the `e` of `ln` and
    `exp` is not a leaf.  Fewer minus signs break ties: `-(x + 2)` over `-x - 2`.
    Cached on each node, and built from the children's, without recursion."""
    try:
        return e._cost
    except AttributeError:
        pass
    stack = [e]
    while stack:
        node = stack[-1]
        kids = node.args
        pending = False
        for kid in kids:
            try:
                kid._cost
            except AttributeError:
                stack.append(kid)
                pending = True
        if pending:
            continue
        stack.pop()
        _set_cost(node, _cost_of(node, tuple([kid._cost for kid in kids])))
    return e._cost


def _cost_of(node: Expr, kids: tuple[tuple[int, int, int], ...]) -> tuple[int, int, int]:
    if type(node) is Sym or not kids:
        return (1, int(type(node) is Num and node.value < 0), 1)
    if type(node) is Log and node.base is E:
        kids = kids[:1]  # (arg, base)
    elif type(node) is Pow and node.base is E:
        kids = kids[1:]  # (base, exp)
    return (sum(k[0] for k in kids), sum(k[1] for k in kids), sum(k[2] for k in kids) + 1)


T = TypeVar("T")


def fold(root: Expr, visit: Callable[[Expr, tuple[T, ...]], T],
         memo: MutableMapping[Expr, T] | None = None) -> T:
    """Bottom-up evaluation: `visit(node, results_of_children)`, once per
    distinct node, without recursion.  `memo` keeps the results across calls:
    a sub-tree already in it is not walked again."""
    done: MutableMapping[Expr, T] = {} if memo is None else memo
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if node in done:
            continue
        if not ready:
            stack.append((node, True))
            stack.extend((c, False) for c in node.args if c not in done)
            continue
        done[node] = visit(node, tuple(done[c] for c in node.args))
    return done[root]


def transform(root: Expr, visit: Callable[[Expr], Expr | None]) -> Expr:
    """Rebuild bottom-up; `visit(rebuilt_node)` may return a replacement."""

    def step(node: Expr, kids: tuple[Expr, ...]) -> Expr:
        rebuilt = node.rebuild(kids) if kids != node.args else node
        replaced = visit(rebuilt)
        return rebuilt if replaced is None else replaced

    return fold(root, step)


def replace_subtrees(root: Expr, mapping: dict[Expr, Expr]) -> Expr:
    """Replace sub-trees by identity lookup."""
    return transform(root, mapping.get)


def size(root: Expr) -> int:
    """Number of nodes, counting shared sub-trees each time they occur (`cost`)."""
    return cost(root)[2]


def leaves(root: Expr) -> int:
    """Number of leaves (numbers, constants, symbols), counting repeats (`cost`)."""
    return cost(root)[0]


def symbols(root: Expr) -> list[Sym]:
    """The free variables, sorted by name."""
    return sorted(root.free, key=lambda s: str(s))

