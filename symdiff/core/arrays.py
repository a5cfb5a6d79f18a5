"""Nodes of vectors and matrices: one row each, as in `nodes`.

`Transpose` (`X^T`), `Hadamard` (the entrywise product `A .* B`, n-ary,
commutative), `HadamardPow` (the entrywise power `A .^ p`) and `ArrayConst`
(the identity `I` and the ones vector or matrix, of a declared size).  Matrix
functions (`tr`, `det`, `inv`, `softmax`, ...) are `Func` rows whose kind
rule `symdiff.functions` registers in `kinds.FUNCTION_KINDS`.

The constructors keep a canonical form: a transpose is pushed into products,
sums and entrywise operations only where that removes transposes (`(A^T)^T =
A`, `(x^T*A)^T = A^T*x`, while `(A*x)^T` stays), scalars leave an entrywise
product as a scalar multiple (`2 .* A = 2*A`), and the identity and the ones
disappear where they change nothing (`A .* 1 = A`).
"""

from __future__ import annotations

from typing import Any, cast

from .constructors import _makes, add, mul, pow_
from .expr import NO_SYMBOLS, Expr, finish, interned_node, new_object, set_field, set_free, set_hash, set_height, \
    set_kind, str_hash
from .facts import FACT_ARRAY
from .kinds import SCALAR, Kind, entrywise_kind
from .nodes import ONE, ZERO, Add, Func, Mul, Num, Pow
from ..errors import KindError


def transposed_kind(k: Kind) -> Kind:
    """n-vector -> 1×n; m×n -> n×m; 1×n -> n-vector; a scalar stays one."""
    if k is SCALAR:
        return SCALAR
    if len(k.shape) == 1:
        return Kind((1, k.shape[0]))
    if k.shape[0] == 1:
        return Kind((k.shape[1],))
    return Kind((k.shape[1], k.shape[0]))


class Transpose(Expr):
    """`arg^T`."""

    __slots__ = ("arg",)
    _fields = ("arg",)
    _tag = 12
    _rank = 10
    __match_args__ = _fields
    arg: Expr

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return transposed_kind(node.arg.kind)

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.arg,)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(args[0])

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Transpose(args[0])


class Hadamard(Expr):
    """The entrywise product of two or more arrays of one shape (`.*`)."""

    __slots__ = ("factors",)
    _fields = ("factors",)
    _tag = 13
    _rank = 11
    __match_args__ = _fields
    factors: tuple[Expr, ...]

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return entrywise_kind(".*", node.factors)

    @property
    def args(self) -> tuple[Expr, ...]:
        return self.factors

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(*args)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return Hadamard(args)


class HadamardPow(Expr):
    """`base .^ exp`: each entry of an array to a scalar power."""

    __slots__ = ("base", "exp")
    _fields = ("base", "exp")
    _tag = 14
    _rank = 12
    __match_args__ = _fields
    base: Expr
    exp: Expr

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        if node.exp.kind is not SCALAR:
            raise KindError(f"an entrywise power takes a scalar exponent, not {node.exp} ({node.exp.kind})")
        return node.base.kind

    @property
    def args(self) -> tuple[Expr, ...]:
        return (self.base, self.exp)

    def rebuild(self, args: tuple[Expr, ...]) -> Expr:
        return self.make(*args)

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return HadamardPow(*args)


IDENTITY, ONES = "I", "ones"


class ArrayConst(Expr):
    """A constant array of a given kind: the identity `I` (square) or all ones (`\\mathbf{1}`)."""

    __slots__ = ("name",)
    _fields = ("name", "kind")
    _tag = 15
    _rank = 13
    __match_args__ = _fields
    name: str

    def __new__(cls, name: str, kind: Kind) -> ArrayConst:
        if name not in (IDENTITY, ONES):
            raise ValueError(f"unknown constant array {name!r}")
        if name == IDENTITY and (len(kind.shape) != 2 or kind.rows != kind.cols):
            raise KindError(f"the identity is square, not {kind}")
        key: tuple[Any, ...] = (cls, name, kind)
        node = interned_node(key)
        if node is not None:
            return cast(ArrayConst, node)
        node = new_object(cls)
        set_field(node, "name", name)
        set_hash(node, hash((cls._tag, str_hash(name), kind.stable_hash)))
        set_height(node, 1)
        set_free(node, NO_SYMBOLS)
        set_kind(node, kind)
        return cast(ArrayConst, finish(node, key, FACT_ARRAY if kind is not SCALAR else 0))

    @staticmethod
    def _kind_rule(node: Expr) -> Kind:
        return node.kind  # given when made

    def with_args(self, args: tuple[Expr, ...]) -> Expr:
        return self  # a leaf


def _is_ones(e: Expr) -> bool:
    return type(e) is ArrayConst and e.name == ONES


def _is_identity(e: Expr) -> bool:
    return type(e) is ArrayConst and e.name == IDENTITY


@_makes(ArrayConst)
def array_const(name: str, kind: Kind) -> Expr:
    """`I` of kind n×n or the ones of any array kind; of a scalar kind, the number 1."""
    return ONE if kind is SCALAR else ArrayConst(name, kind)


def identity(n: Any) -> Expr:
    """The n×n identity."""
    return array_const(IDENTITY, Kind((n, n)))


def ones(kind: Kind) -> Expr:
    """All ones, of this kind (`\\mathbf{1}` for a vector)."""
    return array_const(ONES, kind)


# ------------------------------------------------------------------ transpose

def _transposes(e: Expr) -> int:
    """Transposes a transpose of `e` adds (+1) or removes (-1) when pushed onto it."""
    if type(e) is Transpose:
        return -1
    if e.kind is SCALAR or _is_identity(e) or e.free is NO_SYMBOLS and type(e) is ArrayConst:
        return 0
    return 1


def _pushed(e: Expr) -> tuple[Expr, ...] | None:
    """The parts a transpose of `e` is pushed onto, when pushing removes transposes."""
    t = type(e)
    if t is Mul:
        arrays = [f for f in e.factors if f.kind is not SCALAR]
        parts: tuple[Expr, ...] = tuple(arrays)
    elif t is Add or t is Hadamard:
        parts = e.args
    elif t is Func and e.name in ENTRYWISE_TRANSPOSE and e.arg.kind is not SCALAR:
        parts = (e.arg,)
    elif t is HadamardPow or (t is Pow and e.base.kind is SCALAR):
        parts = (e.args[0] if t is HadamardPow else e.exp,)
    else:
        return None
    if sum(_transposes(p) for p in parts) - 1 < 0:
        return parts
    return None


# Functions f with f(A)^T = f(A^T): the entrywise ones; `symdiff.functions` adds its scalar rows.
ENTRYWISE_TRANSPOSE: set[str] = set()


@_makes(Transpose)
def transpose(a: Expr) -> Expr:
    """`a^T`: `(a^T)^T = a`, a scalar is its own transpose, `I^T = I`, and a
    transpose goes inside a product, sum or entrywise operation where that
    leaves fewer transposes."""
    stack: list[tuple[Expr, bool]] = [(a, False)]
    out: list[Expr] = []
    # iterative: pushing a transpose into a sum transposes each term; parts are
    # taken off `stack` last first, so `out` holds them reversed
    while stack:
        e, done = stack.pop()
        if done:
            t = type(e)
            if t is Mul:
                k = sum(1 for f in e.factors if f.kind is not SCALAR)
                arrays = [out.pop() for _ in range(k)][::-1]  # (A*B)^T = B^T*A^T
                out.append(mul(*(f for f in e.factors if f.kind is SCALAR), *arrays))
            elif t is Add or t is Hadamard:
                kids = [out.pop() for _ in e.args]
                out.append(e.make(*kids))
            elif t is Func:
                out.append(Func.make(e.name, out.pop()))
            elif t is HadamardPow:
                out.append(hadamard_pow(out.pop(), e.exp))
            else:  # Pow(scalar, array): entrywise
                out.append(pow_(e.base, out.pop()))
            continue
        if e.kind is SCALAR or _is_identity(e):
            out.append(e)
        elif type(e) is Transpose:
            out.append(e.arg)
        elif type(e) is ArrayConst:
            out.append(ArrayConst(e.name, transposed_kind(e.kind)))
        else:
            parts = _pushed(e)
            if parts is None:
                out.append(Transpose(e))
            else:
                stack.append((e, True))
                stack.extend((p, False) for p in parts)
    return out[0]


# ------------------------------------------------------------------ entrywise


@_makes(Hadamard)
def hadamard(*factors: Expr) -> Expr:
    """Entrywise product: flattened, sorted (it commutes); scalar factors come
    out as a scalar multiple, ones drop out, equal factors gather as a power."""
    from .order import factor_key

    scalars: list[Expr] = []
    arrays: list[Expr] = []
    for f in factors:
        for g in f.factors if type(f) is Hadamard else (f,):
            if g.kind is SCALAR:
                scalars.append(g)
            elif type(g) is Mul and g.factors[0].kind is SCALAR:
                scalars.extend(h for h in g.factors if h.kind is SCALAR)  # c*A .* B = c*(A .* B)
                rest = mul(*(h for h in g.factors if h.kind is not SCALAR))
                arrays.extend(rest.factors if type(rest) is Hadamard else (rest,))  # c*(A .* B) .* C: flat
            elif not _is_ones(g):
                arrays.append(g)
    if not arrays:
        kinds = [f.kind for f in factors if f.kind is not SCALAR]
        return mul(*scalars, ones(kinds[0])) if kinds else mul(*scalars)
    if any(a is ZERO for a in scalars):
        return mul(ZERO, arrays[0])
    powers: dict[Expr, list[Expr]] = {}
    for g in arrays:
        base, e = (g.base, g.exp) if type(g) is HadamardPow else (g, ONE)
        powers.setdefault(base, []).append(e)
    kept = [hadamard_pow(b, add(*es)) for b, es in powers.items()]
    kept = [k for k in kept if not _is_ones(k)]
    if not kept:
        return mul(*scalars, ones(arrays[0].kind))
    kept.sort(key=factor_key)
    inner = kept[0] if len(kept) == 1 else _hadamard_node(tuple(kept))
    return mul(*scalars, inner) if scalars else inner


def _hadamard_node(factors: tuple[Expr, ...]) -> Hadamard:
    return cast(Hadamard, Expr.__new__(Hadamard, factors))


@_makes(HadamardPow)
def hadamard_pow(base: Expr, exp: Expr) -> Expr:
    """`base .^ exp`; of a scalar base, the power; `A .^ 1 = A`; `(A .^ p) .^ q = A .^ (p*q)`."""
    if base.kind is SCALAR:
        return pow_(base, exp)
    if exp is ONE:
        return base
    if exp is ZERO:
        return ones(base.kind)
    if _is_ones(base):
        return base
    if type(base) is HadamardPow:
        return hadamard_pow(base.base, mul(base.exp, exp))
    if type(base) is Mul and type(base.factors[0]) is Num and type(exp) is Num and exp.value.denominator == 1:
        return mul(pow_(base.factors[0], exp), hadamard_pow(mul(*base.factors[1:]), exp))
    return cast(HadamardPow, Expr.__new__(HadamardPow, base, exp))


# ------------------------------------------------------------------ order rows

def _register_order() -> None:
    from .order import FACTOR_HEAD, TOKEN

    FACTOR_HEAD.update({
        Transpose: lambda b: (4, "Transpose"),
        Hadamard: lambda b: (4, "Hadamard"),
        HadamardPow: lambda b: (4, "HadamardPow"),
        ArrayConst: lambda b: (1, b.name),
    })
    TOKEN.update({
        Transpose: lambda n: (Transpose._rank, ("",)),
        Hadamard: lambda n: (Hadamard._rank, (len(n.factors),)),
        HadamardPow: lambda n: (HadamardPow._rank, ("",)),
        ArrayConst: lambda n: (ArrayConst._rank, (n.name, repr(n.kind.shape))),
    })


_register_order()
