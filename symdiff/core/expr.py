"""The core of every tree: interning, the `Expr` base, and traversal.

Nodes are immutable and *interned*: constructing a node equal to a live one
returns that very object.  So `==` is an identity test, equal sub-trees are
shared, and comparing two 5,000-deep trees costs nothing.  Each node's hash,
free symbols, facts, height and kind are computed once, at construction, from
its children's.  The node classes are in `nodes`, their constructors in
`constructors`, their order in `order`.
"""

from __future__ import annotations

import operator
import weakref
import zlib
from collections.abc import Iterator, MutableMapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, ClassVar, TypeAlias, TypeVar

from ..formats import EXPRESSION as FORMATS
from .facts import FACT_ARRAY
from .kinds import SCALAR, Kind

# Free symbols are Sym nodes, a class of `nodes`, which builds on this module:
# typed loosely here so that this module imports none above it.
Sym: TypeAlias = Any


# Every node class, in the order defined: a class made anywhere joins (see
# `rows`, whose tables each node class must fill).
NODE_CLASSES: list[type[Expr]] = []


class _Ref(weakref.ref["Expr"]):
    """A weak reference to a node that remembers its key: `weakref.KeyedRef`
    without its Python-level `__new__` and `__init__` (a third of building a node)."""

    __slots__ = ("key",)
    key: tuple[Any, ...]


# Live nodes by structure: the key holds the ids of a node's children, which
# stay alive (and keep their ids) as long as the node itself does.
_interned: dict[tuple[Any, ...], _Ref] = {}


def _forget(ref: _Ref) -> None:
    if _interned.get(ref.key) is ref:
        del _interned[ref.key]


def _intern(node: Expr, key: tuple[Any, ...]) -> None:
    ref = _Ref(node, _forget)
    ref.key = key
    _interned[key] = ref


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
_get_facts = operator.attrgetter("facts")
_get_height = operator.attrgetter("height")
NO_SYMBOLS: frozenset[Sym] = frozenset()


def str_hash(s: str) -> int:
    """A stable hash of a string: str.__hash__ is salted per process, and a
    stable hash keeps ordering reproducible."""
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

    __slots__ = ("_hash", "free", "facts", "height", "kind", "_order", "_cost", "_fkey", "_tkey", "_afac", "__weakref__")
    _fields: tuple[str, ...] = ()
    _tag = 0

    # The row's core columns, filled by each node class: its sort rank
    # (`order`), and its constructor (`constructors` sets `make`).
    _rank: ClassVar[int]
    make: ClassVar[Callable[..., Expr]]

    _hash: int
    free: frozenset[Sym]  # free symbols (Sym nodes) occurring in the tree
    facts: int  # FACT_* bits of the node and everything below it, see `facts`
    height: int  # 1 for a leaf, else 1 + the greatest height of a child
    kind: Kind  # scalar, vector or matrix, see `kinds`

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
        _afac: tuple[Fraction, dict[Expr, Expr]]  # simplify.as_factors's cache, likewise

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("_shape_only", False):
            NODE_CLASSES.append(cls)

    def __new__(cls, *values: Any) -> Expr:
        key = (cls, *map(_key_part, values))
        ref = _interned.get(key)
        if ref is not None:
            node = ref()
            if node is not None:
                return node
        return build(cls, key, values)

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

    # The FACT_* bits of a node with these fields, its children's aside (the
    # row's facts column; called with the fields, in order).
    _own_facts: ClassVar[Callable[..., int]] = staticmethod(lambda *fields: 0)

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        """The node's kind from its children's (asked only when one is an array)."""
        raise NotImplementedError

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

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        """This node with new children, as given: no folding, no reordering.

        For children known to keep the node canonical (variables renamed in
        order); `rebuild` is the general way.

        Args:
            args: the new children, one for each of `self.args`.

        Returns:
            A node of the same class with those children.

        >>> from symdiff import parse
        >>> e = parse("x + 1")
        >>> e.with_args((parse("2"), parse("3")))
        <Add 2 + 3>
        """
        if args:
            raise NotImplementedError(f"{type(self).__name__} has no with_args")
        return self

    def _free(self) -> frozenset[Sym]:
        first = NO_SYMBOLS
        others: list[frozenset[Sym]] = []
        for k in self.args:
            f = k.free
            if f and f is not first:
                if first:
                    others.append(f)
                else:
                    first = f
        # x*f(x)*g(x): the one set, shared
        return first.union(*others) if others else first

    def __str__(self) -> str:
        return FORMATS["plain"].write(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"

    def _repr_latex_(self) -> str:
        """Typeset maths in Jupyter."""
        return f"$\\displaystyle {FORMATS['latex'].write(self)}$"

    # Arithmetic, for library users building trees in Python: the constructors
    # build on this module, so they register themselves in OPERATORS.
    def __add__(self, other: Any) -> Expr:
        return OPERATORS["add"](self, OPERATORS["as_expr"](other))

    def __radd__(self, other: Any) -> Expr:
        return OPERATORS["add"](OPERATORS["as_expr"](other), self)

    def __sub__(self, other: Any) -> Expr:
        return OPERATORS["sub"](self, OPERATORS["as_expr"](other))

    def __rsub__(self, other: Any) -> Expr:
        return OPERATORS["sub"](OPERATORS["as_expr"](other), self)

    def __mul__(self, other: Any) -> Expr:
        return OPERATORS["mul"](self, OPERATORS["as_expr"](other))

    def __rmul__(self, other: Any) -> Expr:
        return OPERATORS["mul"](OPERATORS["as_expr"](other), self)

    def __truediv__(self, other: Any) -> Expr:
        return OPERATORS["div"](self, OPERATORS["as_expr"](other))

    def __rtruediv__(self, other: Any) -> Expr:
        return OPERATORS["div"](OPERATORS["as_expr"](other), self)

    def __pow__(self, other: Any) -> Expr:
        return OPERATORS["pow"](self, OPERATORS["as_expr"](other))

    def __rpow__(self, other: Any) -> Expr:
        return OPERATORS["pow"](OPERATORS["as_expr"](other), self)

    def __neg__(self) -> Expr:
        return OPERATORS["neg"](self)


# Python's operators on nodes, by name: filled in by `constructors`.
OPERATORS: dict[str, Callable[..., Expr]] = {}


# The slots' own setters: they bypass Expr.__setattr__, which refuses.
# (mypy sees the annotated slots as instance variables, not descriptors: hence the ignores)
set_hash, set_free = Expr._hash.__set__, Expr.free.__set__  # type: ignore[attr-defined, misc]
set_facts, set_height = Expr.facts.__set__, Expr.height.__set__  # type: ignore[attr-defined, misc]
set_kind = Expr.kind.__set__  # type: ignore[attr-defined, misc]
set_order = Expr._order.__set__  # type: ignore[attr-defined, misc]
set_cost, set_factor_key = Expr._cost.__set__, Expr._fkey.__set__  # type: ignore[attr-defined, misc]
set_term_key = Expr._tkey.__set__  # type: ignore[attr-defined, misc]
set_factors = Expr._afac.__set__  # type: ignore[attr-defined, misc]
new_object = object.__new__
set_field = object.__setattr__


def finish(node: Expr, key: tuple[Any, ...], facts: int) -> Expr:
    """Set the node's facts and kind, then intern it.  The kind rule runs only
    where a child is an array: for scalar trees the kind costs one bit test."""
    set_facts(node, facts)
    set_kind(node, type(node)._kind_rule(node) if facts & FACT_ARRAY else SCALAR)
    _intern(node, key)
    return node


def build(cls: type[Expr], key: tuple[Any, ...], values: tuple[Any, ...]) -> Expr:
    """A new node, interned under `key`: its fields, hash, free symbols, facts,
    height and kind.  (The common kinds are built by `build_sequence`,
    `build_pair` and `build_func`, which do the same from their children
    without dispatch.)"""
    node = new_object(cls)
    for name, value in zip(cls._fields, values):
        set_field(node, name, value)
    set_hash(node, hash((cls._tag, *map(_field_hash, values))))
    facts = cls._own_facts(*values)
    height = 0
    for kid in node.args:
        facts |= kid.facts
        if kid.height > height:
            height = kid.height
    set_height(node, height + 1)
    set_free(node, node._free())
    return finish(node, key, facts)


def _union(a: frozenset[Sym], b: frozenset[Sym]) -> frozenset[Sym]:
    if b is a or not b:
        return a
    if not a:
        return b
    return a | b


def build_pair(cls: type[Expr], key: tuple[Any, ...], a: Expr, b: Expr, own: int) -> Expr:
    """`build` for a node whose fields are two children (Pow, Log)."""
    node = new_object(cls)
    first, second = cls._fields
    set_field(node, first, a)
    set_field(node, second, b)
    set_hash(node, hash((cls._tag, a._hash, b._hash)))
    set_height(node, (a.height if a.height > b.height else b.height) + 1)
    set_free(node, _union(a.free, b.free))
    facts = own | a.facts | b.facts
    set_facts(node, facts)  # as `finish`, inline: this is the hot path
    set_kind(node, cls._kind_rule(node) if facts & FACT_ARRAY else SCALAR)
    ref = _Ref(node, _forget)  # `_intern`, inline: the hot path
    ref.key = key
    _interned[key] = ref
    return node


def interned_node(key: tuple[Any, ...]) -> Expr | None:
    """The live node interned under `key`, if any."""
    ref = _interned.get(key)
    return None if ref is None else ref()


def build_func(cls: type[Expr], key: tuple[Any, ...], name: str, arg: Expr, own: int) -> Expr:
    """`build` for a function of one argument."""
    node = new_object(cls)
    set_field(node, "name", name)
    set_field(node, "arg", arg)
    set_field(node, "rest", ())
    set_hash(node, hash((cls._tag, str_hash(name), arg._hash)))
    set_height(node, arg.height + 1)
    set_free(node, arg.free)
    facts = own | arg.facts
    set_facts(node, facts)
    set_kind(node, cls._kind_rule(node) if facts & FACT_ARRAY else SCALAR)
    ref = _Ref(node, _forget)  # `_intern`, inline: the hot path
    ref.key = key
    _interned[key] = ref
    return node


def build_sequence(cls: type[Expr], key: tuple[Any, ...], kids: tuple[Expr, ...], own: int) -> Expr:
    """`build` for a node whose one field is a tuple of children (Add, Mul)."""
    node = new_object(cls)
    set_field(node, cls._fields[0], kids)
    # One pass over the children (most have two or three): height, facts and
    # free symbols as `build` and `Expr._free` make them.
    height = 0
    facts = own
    first = NO_SYMBOLS
    others: list[frozenset[Sym]] | None = None
    for kid in kids:
        if kid.height > height:
            height = kid.height
        facts |= kid.facts
        f = kid.free
        if f and f is not first:
            if not first:
                first = f
            elif others is None:
                others = [f]
            else:
                others.append(f)
    set_hash(node, hash((cls._tag, hash(tuple([kid._hash for kid in kids])))))
    set_height(node, height + 1)
    set_free(node, first.union(*others) if others else first)
    set_facts(node, facts)
    set_kind(node, cls._kind_rule(node) if facts & FACT_ARRAY else SCALAR)
    ref = _Ref(node, _forget)  # `_intern`, inline: the hot path
    ref.key = key
    _interned[key] = ref
    return node


def _field_hash(value: Any) -> int:
    if isinstance(value, str):
        return str_hash(value)
    if isinstance(value, tuple):
        return hash(tuple(map(_get_hash, value)))
    if isinstance(value, Expr):
        return value._hash
    if type(value) is Fraction and max(value.numerator.bit_length(), value.denominator.bit_length()) > 60:
        return hash(_key_part(value))  # 1/2^k would share 61 hashes (see _key_part)
    return hash(value)


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
