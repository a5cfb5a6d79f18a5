"""The node classes: one row per node kind.

Each class is the core of its row: its fields, its sort rank (`_rank`, read by
`order`), the facts it records (`_own_facts`), its kind rule (`_kind_rule`,
see `kinds`) and, set by `constructors`, its canonical constructor (`make`).
The stages' columns (derivative, value, code) are tables keyed by these
classes, registered from each stage (`rows`).  Build nodes with the
constructors, never the classes: they flatten, fold and order.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, TypeVar, cast

from .expr import (
    NO_SYMBOLS, Expr, _get_hash, build, build_func, build_pair, build_sequence,
    _interned, interned_node, new_object, set_field, set_free, set_hash, set_height, set_kind, str_hash, finish,
)
from .facts import (
    FACT_ARRAY, FACT_BINDER, FACT_DENOMINATOR, FACT_DERIVATIVE, FACT_EXP, FACT_LOG, FACT_POWER, FACT_SUM_FACTOR, FACT_SUM_POWER,
    function_fact,
)
from .kinds import SCALAR, Kind, entrywise_kind, function_kind, power_kind, product_kind, scalar_kind

CONSTANTS = ("e", "pi")

_N = TypeVar("_N", bound=Expr)


class _Sequence(Expr):
    """The shape of a node of a tuple of children (Add, Mul), interned by their ids."""

    __slots__ = ()
    _shape_only = True

    def __new__(cls: type[_N], children: tuple[Expr, ...]) -> _N:
        key = (cls, tuple(map(id, children)))
        ref = _interned.get(key)  # `interned_node`, inline: the hot path
        if ref is not None:
            node = ref()
            if node is not None:
                return cast(_N, node)
        return cast(_N, build_sequence(cls, key, children, cls._own_facts(children)))


class _Pair(Expr):
    """The shape of a node of two children (Pow, Log), interned by their ids."""

    __slots__ = ()
    _shape_only = True

    def __new__(cls: type[_N], a: Expr, b: Expr) -> _N:
        key = (cls, id(a), id(b))
        ref = _interned.get(key)  # `interned_node`, inline: the hot path
        if ref is not None:
            node = ref()
            if node is not None:
                return cast(_N, node)
        return cast(_N, build_pair(cls, key, a, b, cls._own_facts(a, b)))


class Num(Expr):
    """An exact rational number."""

    __slots__ = ("value",)
    _fields = ("value",)
    _tag = 1
    _rank = 0
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
        ref = _interned.get(key)  # `interned_node`, inline: the hot path
        if ref is not None:
            node = ref()
            if node is not None:
                return cast(Num, node)
        return cast(Num, build(cls, key, (value if type(value) is Fraction else Fraction(value),)))

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return SCALAR

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return self  # a leaf


class Const(Expr):
    """A named mathematical constant: `e` or `pi`."""

    __slots__ = ("name",)
    _fields = ("name",)
    _tag = 2
    _rank = 1
    __match_args__ = _fields
    name: str

    def __new__(cls, name: str) -> Const:
        key = (cls, name)
        node = interned_node(key)
        if node is not None:
            return cast(Const, node)
        return cast(Const, build(cls, key, (name,)))

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return SCALAR

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return self  # a leaf


class Sym(Expr):
    """A variable, optionally indexed: `x`, `y_i`, `t_{ik}` (indices `(i, k)`),
    of the kind declared: a scalar unless given a vector or matrix kind."""

    __slots__ = ("name", "indices")
    _fields = ("name", "indices", "kind")
    _tag = 3
    _rank = 2
    __match_args__ = _fields
    name: str
    indices: tuple[Expr, ...]

    def __new__(cls, name: str, indices: tuple[Expr, ...], kind: Kind = SCALAR) -> Sym:
        key: tuple[Any, ...] = (cls, name, tuple(map(id, indices)))
        if kind is not SCALAR:
            key = (*key, kind)
        node = interned_node(key)
        if node is not None:
            return cast(Sym, node)
        node = new_object(cls)
        set_field(node, "name", name)
        set_field(node, "indices", indices)
        parts = (cls._tag, str_hash(name), hash(tuple(map(_get_hash, indices))))
        set_hash(node, hash(parts if kind is SCALAR else (*parts, kind.stable_hash)))
        facts = 0
        height = 0
        for i in indices:
            facts |= i.facts
            height = max(height, i.height)
        if facts & FACT_ARRAY:
            scalar_kind(f"a subscript of {name}", indices)
        set_height(node, height + 1)
        set_free(node, frozenset((node,)))
        set_kind(node, kind)  # declared: the kind rule below reads it back
        return cast(Sym, finish(node, key, facts if kind is SCALAR else facts | FACT_ARRAY))

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return node.kind  # declared: set when the symbol is made

    def _free(self) -> frozenset[Sym]:
        return frozenset((self,))

    @property
    def args(self) -> tuple[Expr, ...]:
        return self.indices

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return Sym(self.name, tuple(args), self.kind)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Sym(self.name, args, self.kind)


class Add(_Sequence):
    """A sum of two or more terms, at most one of them a number; arrays of one kind, scalars broadcast."""

    __slots__ = ("terms",)
    _fields = ("terms",)
    _tag = 4
    _rank = 6
    __match_args__ = _fields
    terms: tuple[Expr, ...]

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return entrywise_kind("+", node.terms)  # scalars broadcast: 1 - sigmoid(X*w)

    @property
    def args(self) -> tuple[Expr, ...]:
        return self.terms

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(*args)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Add(args)


class Mul(_Sequence):
    """A product of two or more factors: a coefficient first, then the scalar
    factors in canonical order, then the vectors and matrices in the order given."""

    __slots__ = ("factors",)
    _fields = ("factors",)
    _tag = 5
    _rank = 5
    __match_args__ = _fields
    factors: tuple[Expr, ...]

    @staticmethod
    def _own_facts(factors: tuple[Expr, ...]) -> int:
        return FACT_SUM_FACTOR if Add in map(type, factors) else 0

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return product_kind(node.factors)

    @property
    def args(self) -> tuple[Expr, ...]:
        return self.factors

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(*args)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Mul(args)


class Pow(_Pair):
    """`base ^ exp`.  Square roots are `u ^ (1/2)`, `exp(u)` is `e ^ u`."""

    __slots__ = ("base", "exp")
    _fields = ("base", "exp")
    _tag = 6
    _rank = 4
    __match_args__ = _fields
    base: Expr
    exp: Expr

    @staticmethod
    def _own_facts(base: Expr, exp: Expr) -> int:
        own = FACT_POWER
        if type(exp) is Num and exp.value.numerator < 0:
            own |= FACT_DENOMINATOR
        if type(base) is Add:
            own |= FACT_SUM_POWER
        if base is E:
            own |= FACT_EXP
        return own

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return power_kind(node.base, node.exp, type(node.exp) is Num and node.exp.value.denominator == 1, node.base is E)

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.base, self.exp)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(*args)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Pow(*args)


class Func(Expr):
    """A named function: a row of `symdiff.functions`, or an undefined function
    (`f(x)`, `f'(x)`) when the name is not in the table.  `arg` is the first
    argument, `rest` the others of a row of two (`atan2(y, x)`), else empty.
    Applied to a vector or matrix, it acts entry by entry."""

    __slots__ = ("name", "arg", "rest")
    _fields = ("name", "arg", "rest")
    _tag = 7
    _rank = 3
    __match_args__ = _fields
    name: str
    arg: Expr
    rest: tuple[Expr, ...]

    def __new__(cls, name: str, arg: Expr, rest: tuple[Expr, ...] = ()) -> Func:
        if rest:  # atan2(y, x): the general path
            return cast(Func, Expr.__new__(cls, name, arg, rest))
        key = (cls, name, id(arg))
        ref = _interned.get(key)
        if ref is not None:
            node = ref()
            if node is not None:
                return cast(Func, node)
        return cast(Func, build_func(cls, key, name, arg, Func._own_facts(name, arg)))

    @staticmethod
    def _own_facts(name: str, arg: Expr, rest: tuple[Expr, ...] = ()) -> int:
        return function_fact(name)

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return function_kind(node.name, node.args)

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.arg, *self.rest) if self.rest else (self.arg,)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(self.name, *args)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Func(self.name, args[0], args[1:])


class Log(_Pair):
    """Logarithm of `arg` to `base`; the natural log has base `e`."""

    __slots__ = ("arg", "base")
    _fields = ("arg", "base")
    _tag = 8
    _rank = 3
    __match_args__ = _fields
    arg: Expr
    base: Expr

    @staticmethod
    def _own_facts(arg: Expr, base: Expr) -> int:
        return FACT_LOG

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return entrywise_kind("log", node.args)

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.arg, self.base)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(*args)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Log(*args)


class Sum(Expr):
    """`sum_{index=lower}^{upper} body`; the index is bound inside the body."""

    __slots__ = ("body", "index", "lower", "upper")
    _fields = ("body", "index", "lower", "upper")
    _tag = 9
    _rank = 7
    __match_args__ = _fields
    body: Expr
    index: Sym
    lower: Expr
    upper: Expr

    @staticmethod
    def _own_facts(body: Expr, index: Sym, lower: Expr, upper: Expr) -> int:
        return FACT_BINDER

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        scalar_kind("a sum's index and bounds", (node.index, node.lower, node.upper))
        return node.body.kind

    @property
    def args(self) -> tuple[Expr, ...]:
        # The index is a binder, not a child: traversals must not rewrite it.
        return (self.body, self.lower, self.upper)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(args[0], self.index, args[1], args[2])

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Sum(args[0], self.index, args[1], args[2])

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
        return frozenset(out) if out else NO_SYMBOLS


class Delta(Expr):
    """Kronecker delta: 1 when the two indices are equal, else 0."""

    __slots__ = ("i", "j")
    _fields = ("i", "j")
    _tag = 10
    _rank = 8
    __match_args__ = _fields
    i: Expr
    j: Expr

    def __new__(cls, i: Expr, j: Expr) -> Delta:
        key = (cls, id(i), id(j))
        node = interned_node(key)
        if node is not None:
            return cast(Delta, node)
        return cast(Delta, build(cls, key, (i, j)))

    @staticmethod
    def _own_facts(i: Expr, j: Expr) -> int:
        return FACT_BINDER

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return scalar_kind("a delta's indices", node.args)

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.i, self.j)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(*args)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Delta(*args)


class Derivative(Expr):
    """`d^order/dvar^order body`, unevaluated: a derivative the input asks for
    (`d/dx x^2`, `\\frac{\\partial}{\\partial w} L`).  The reader builds it, so that it
    needs no differentiator; the pipeline differentiates it right after reading
    (`symdiff.diff.evaluate_derivatives`).  Its free symbols are the body's: the
    derivative depends on no more than the body does."""

    __slots__ = ("body", "var", "order")
    _fields = ("body", "var", "order")
    _tag = 11
    _rank = 9
    __match_args__ = ("body", "var", "order")
    body: Expr
    var: Sym
    order: int

    @staticmethod
    def _own_facts(body: Expr, var: Sym, order: int) -> int:
        return FACT_DERIVATIVE

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        scalar_kind("the variable of a derivative", (node.var,))
        return node.body.kind

    @property
    def args(self) -> tuple[Expr, ...]:
        # The variable is a binder, as a sum's index: traversals must not rewrite it.
        return (self.body,)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(args[0], self.var, self.order)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Derivative(args[0], self.var, self.order)


NODE_TYPES: tuple[type[Expr], ...] = (Num, Const, Sym, Add, Mul, Pow, Func, Log, Sum, Delta, Derivative)

ZERO, ONE, TWO, NEG_ONE, HALF = Num(0), Num(1), Num(2), Num(-1), Num(Fraction(1, 2))
E, PI = Const("e"), Const("pi")
# A literal division by zero, `1/0`: every `0^-n` is this one node.
UNDEFINED = Pow(ZERO, NEG_ONE)
