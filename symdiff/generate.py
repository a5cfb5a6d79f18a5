"""Code generation: expression trees -> source text of one Python function (`codegen`),
and that function, executed (`lambdify`).

Pipeline: each output tree is lowered to a shared DAG of code nodes
(`_Lowering`), rewriting unstable forms into stable ones on the way
(`ln(sigmoid(u))`, `ln(1 - sigmoid(u))`, `ln(1 + e^u)`, log-sum-exp, softmax
ratios `e^u/sum e^v`); products sharing two factors across outputs share
them (`_share_products`), a sum adds a negation computed anyway
(`_share_negations`); every code node used more than once becomes a
temporary (common subexpressions computed once); torch code for vectors and
matrices has a second body writing into the arrays it made once they are no
longer read (`_overwrite`), taken when `_torch_overwritable` allows; the lines are printed with
Python's operator precedence; the helpers used are copied from
`symdiff.runtime`.  Function spellings come from the rows of
`symdiff.functions` (columns `numpy`, `math`, `torch`, `jax`).

Indexed variables: a family `y_i` is an array parameter `y`, `y_i` being
`y[i-1]` (indices count from 1; `y_0` raises rather than read the last
entry).  With the array backends a sum over `i` is a reduction over an axis
(an array too short for its bounds raises rather than sum fewer terms) and
an index left free (`y_j` in a gradient) is an axis of the result; with
`python` a sum is a loop and every free index must be an argument.

Batches (array backends): the family's indices are the array's last axes
and any axes before them are batch axes, as in NumPy and PyTorch code: `x`
of shape (50, 3) is 50 samples of x_1..x_3, a plain variable of shape (50,)
is one value per sample, and `sum_{i=1}^{3} x_i*w_i` gives shape (50,).
A free index is an axis after the batch axes.

Vectors and matrices (`shapes=`, or trees holding them): the array
backends only.  A vector argument is a 1-D array, worked on as a column and
returned 1-D; the arguments' sizes are checked against the declared
dimensions first.  A product of arrays is `@`, its order chosen by the
shapes (`X^T*(X*w)` rather than `(X^T*X)*w`), a product with an inverse used
once is a `solve`; a transpose is `.T`, entrywise operations are the
backend's own; each array function's code is its row's `code` column
(`symdiff.functions.ARRAY_ROWS`); `I` and the ones take their sizes from the
arguments at run time.

Numbers: constant sub-expressions (`sqrt(2)`, `ln(2)`, `sigmoid(1)`) are
computed with `math` in every backend, as Python floats, which torch and jax
accept beside tensors and which take the arrays' precision.  `lambdify`'s
function makes integer arguments floats first (integer powers overflow
silently).
"""

from __future__ import annotations

import inspect
import keyword
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
from fractions import Fraction

from . import runtime
from .api import as_tree, parse
from .errors import SymdiffError
from .core.rows import table
from .expr import FACT_ARRAY, IDENTITY, SCALAR, ArrayConst, Hadamard, HadamardPow, Kind, Transpose, shape
from .expr import (
    E, FACT_BINDER, ONE, ZERO, Add, Const, Delta, Derivative, Expr, Func, Log, Mul, Num, Pow, Sum, Sym, add, func, log, mul,
    natural_key, neg, postorder, pow_, size,
)
from .functions import ARRAY_FUNCTIONS, FUNCTIONS, ROWS, Function, is_undefined
from .terms import ADD, ATOM, MUL, NEG, POW, is_negative, is_reciprocal, sides

LOGISTIC = frozenset(row.name for row in ROWS if row.logistic)  # 1 - f(u) is written f(-u)
LN_ONE_PLUS_EXP = next((row.name for row in ROWS if row.ln_one_plus_exp), None)  # ln(1 + e^u) is softplus(u)


@dataclass(frozen=True)
class Backend:
    """How one target spells the operations that are not rows of the function table."""

    name: str
    column: str  # attribute of a `functions.Function` row holding this backend's spelling
    prefix: str  # written before that spelling
    helper: str  # prefix of this backend's helpers in `symdiff.runtime`
    exp: str
    log: str
    sqrt: str
    pi: str
    e: str
    vectorised: bool  # sums reduce an axis; free indices are axes
    sum_last: str = ""  # reduce the last axis
    pad: str = ""  # add trailing axes: {0} the value, {1} how many
    delta: str = "({0} == {1}) * 1.0"
    shape: str = "np.shape({0})"
    xp: str = ""  # the array module's name in generated text (vectors and matrices)
    dtype: str = ""  # written after the size of a new array: `, dtype={0}.dtype` gives an argument's
    in_place: str = ""  # module whose functions `m.f(a)` have an in-place method `a.f_()` (see `_overwrite`)


BACKENDS: dict[str, Backend] = {
    "numpy": Backend("numpy", "numpy", "np.", "_np_", "np.exp", "np.log", "np.sqrt", "np.pi", "np.e",
                     True, "np.sum({0}, axis=-1)", "np.expand_dims({0}, {1})",
                     "np.where({0} == {1}, 1.0, 0.0)", xp="np"),
    "python": Backend("python", "math", "math.", "_math_", "math.exp", "math.log", "math.sqrt",
                      "math.pi", "math.e", False, delta="(1.0 if {0} == {1} else 0.0)"),
    "torch": Backend("torch", "torch", "", "_torch_", "torch.exp", "torch.log", "torch.sqrt",
                     "math.pi", "math.e", True, "torch.sum({0}, dim=-1)",
                     "torch.as_tensor({0})[(...,) + (None,) * {1}]",
                     "torch.where({0} == {1}, 1.0, 0.0)", "{0}.shape", "torch", ", dtype={0}.dtype", "torch."),
    "jax": Backend("jax", "jax", "", "_jax_", "jnp.exp", "jnp.log", "jnp.sqrt", "jnp.pi", "jnp.e",
                   True, "jnp.sum({0}, axis=-1)", "jnp.expand_dims({0}, {1})",
                   "jnp.where({0} == {1}, 1.0, 0.0)", "{0}.shape", "jnp"),
}
BACKENDS["math"] = BACKENDS["python"]

# Module prefixes in generated text and the import each needs.
IMPORTS = (("math.", "import math"), ("np.", "import numpy as np"), ("torch.", "import torch"),
           ("jax.scipy.", "import jax.scipy.special"), ("jax.", "import jax"),
           ("jnp.", "import jax.numpy as jnp"))
RESERVED = {"np", "math", "torch", "jax", "jnp"}


# --------------------------------------------------------------- code nodes
# A code node is (kind, data, children), interned to an int id so that equal
# code is one node: that is what common-subexpression elimination counts.
#   leaf  data=text                       call  data=function text
#   add   data=signs (+1/-1 per child)    mul   data=number of numerator children
#   neg   (one child)                     pow   (base, exponent)
#   tmpl  data=template with {0}, {1}...  (children printed without brackets, but
#         as atoms before `[` or `.`)
#   matmul (left, right): `@`


CHUNK = 64  # terms or factors written in one chain; longer ones are bracketed groups


class _Code:
    def __init__(self) -> None:
        self.nodes: list[tuple[Any, ...]] = []
        self.ids: dict[tuple[Any, ...], int] = {}

    def node(self, kind: str, data: Any, kids: tuple[int, ...] = ()) -> int:
        key = (kind, data, kids)
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.nodes)
            self.nodes.append(key)
        return found

    def leaf(self, text: str) -> int:
        return self.node("leaf", text)

    def call(self, fn: str, *args: int) -> int:
        return self.node("call", fn, args)

    def tmpl(self, template: str, *args: int) -> int:
        return self.node("tmpl", template, args)

    def matmul(self, a: int, b: int) -> int:
        return self.node("matmul", None, (a, b))

    def neg(self, a: int) -> int:
        kind, data, kids = self.nodes[a]
        return kids[0] if kind == "neg" else self.node("neg", None, (a,))

    def group(self, a: int) -> int:
        """`a` in brackets, so that a long chain parses as a shallow tree."""
        return a if self.nodes[a][0] in ("leaf", "loopvar") else self.node("group", None, (a,))

    def strip(self, a: int) -> tuple[int, bool]:
        """(a without a leading minus, whether it had one)."""
        kind, _, kids = self.nodes[a]
        return (kids[0], True) if kind == "neg" else (a, False)

    def add(self, terms: Sequence[tuple[int, int]]) -> int:
        terms = [(t, -s if minus else s) for (t, minus), s in ((self.strip(t), s) for t, s in terms)]
        terms.sort(key=lambda ts: -ts[1])  # a - b rather than -b + a
        if len(terms) > CHUNK:  # a + b + ... nests one level per term in Python's parser
            terms = [(self.group(self.add(terms[k:k + CHUNK])), 1) for k in range(0, len(terms), CHUNK)]
        if len(terms) == 1 and terms[0][1] > 0:
            return terms[0][0]
        return self.commutative(("add", tuple(sorted(terms))),
                                lambda: self.node("add", tuple(s for _, s in terms), tuple(t for t, _ in terms)))

    def commutative(self, key: tuple[Any, ...], make: Callable[[], int]) -> int:
        """`x + 1` and `1 + x` are one node (the first order seen is the one printed)."""
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = make()
        return found

    def mul(self, top: Sequence[int], bottom: Sequence[int] = ()) -> int:
        if len(top) == 1 and not bottom:
            return top[0]
        if not top:
            top = [self.leaf("1.0")]
        if len(top) > CHUNK or len(bottom) > CHUNK:  # bracketed groups: the parser nests per factor
            top = [self.group(self.mul(top[k:k + CHUNK])) for k in range(0, len(top), CHUNK)]
            bottom = [self.group(self.mul(bottom[k:k + CHUNK])) for k in range(0, len(bottom), CHUNK)]
        stripped = [self.strip(f) for f in (*top, *bottom)]
        kids = tuple(f for f, _ in stripped)
        value = self.commutative(("mul", tuple(sorted(kids[:len(top)])), tuple(sorted(kids[len(top):]))),
                                 lambda: self.node("mul", len(top), kids))
        return self.neg(value) if sum(m for _, m in stripped) % 2 else value


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


# ------------------------------------------------------------------ variables


def _identifier(name: str) -> str:
    """A Python identifier for a symdiff name: keywords and module names get a `_`."""
    text = re.sub(r"\W", "_", name)
    return text + "_" if keyword.iskeyword(text) or text in RESERVED or text.startswith("_") else text


def _sym_text(s: Sym) -> str:
    return s.name + "".join("_" + str(i) for i in s.indices)


@dataclass
class Variables:
    """What the parameters are: plain names, whole families (arrays), index names."""

    plain: set[Sym]  # x, N, y_3 (an element whose family is not otherwise used)
    families: dict[str, int]  # y -> number of indices
    indices: set[Sym]  # names used inside subscripts and not bound by a sum

    @classmethod
    def of(cls, exprs: Iterable[Expr]) -> Variables:
        plain: set[Sym] = set()
        families: dict[str, int] = {}
        elements: set[Sym] = set()
        used_as_index: set[Sym] = set()
        bound: set[Sym] = set()
        for root in exprs:
            for n in postorder(root):
                if type(n) is Sum:
                    bound.add(n.index)
                elif type(n) is Sym and n.indices:
                    if all(type(i) is Num for i in n.indices):
                        elements.add(n)
                    else:
                        families[n.name] = len(n.indices)
                    for i in n.indices:
                        used_as_index.update(s for s in postorder(i) if type(s) is Sym)
                elif type(n) is Sym:
                    plain.add(n)
        plain |= {s for s in elements if s.name not in families}
        indices = used_as_index - bound
        clash = {s.name for s in plain if not s.indices} & set(families)
        if clash:
            raise SymdiffError(f"{', '.join(sorted(clash))} is used both plain and indexed")
        # A bound index used as an operand (`sum_i i*x_i`) is not a parameter.
        return cls(plain - bound - indices, families, indices)

    def default_args(self, vectorised: bool) -> list[str]:
        names = [_sym_text(s) for s in self.plain] + list(self.families)
        if not vectorised:
            names += [s.name for s in self.indices]
        return sorted(names, key=natural_key)


# ------------------------------------------------------------------- lowering


class _Lowering:
    """Expr -> code nodes for one backend, memoised per (node, enclosing sums)."""

    def __init__(self, backend: Backend, params: dict[str, str], variables: Variables) -> None:
        self.b = backend
        self.sizes: dict[str | int, str] = {}  # dimension name -> its text at run time (`X.shape[0]`)
        self.dtype = ""  # an array argument: new arrays (`I`) take its type
        self.code = _Code()
        self.params = params  # symdiff name -> identifier
        self.vars = variables
        self.helpers: dict[str, Callable[..., Any]] = {}  # name -> run-time helper, copied into the text
        # array axes after the batch axes: the output's free indices (by name), then one per enclosing sum
        self.all_free = sorted((s for s in variables.indices if s.name not in params),
                               key=lambda s: natural_key(s.name)) if backend.vectorised else []
        self.free_axes: list[Sym] = []
        # one memo per set of free axes: a value's trailing axes depend on its output's
        self.memos: dict[tuple[Sym, ...], dict[tuple[Expr, tuple[Sum, ...]], int]] = {}
        self.memo = self.memos.setdefault((), {})
        if not backend.vectorised:
            missing = [s.name for s in variables.indices if s.name not in params]
            if missing:
                raise SymdiffError(f"the index {', '.join(sorted(missing))} is free: give it as an argument "
                                   "(or use an array backend, where it becomes an axis)")
        self._mentions: dict[Expr, frozenset[Sym]] = {}
        # (array, dimension, first, end) of each slice: checked before returning, since
        # Python slicing would quietly sum fewer terms than the bounds say
        self.guards: list[tuple[str, int, int, int]] = []
        self.shapes: dict[int, tuple[Any, ...] | None] = {}  # code node -> its shape, see `note_shape`

    # -- helpers
    def helper(self, name: str) -> str:
        """This backend's helper for a structural form (`logsumexp`, `real`), if it has one."""
        return self.use(getattr(runtime, self.b.helper + name, None))

    def row_helper(self, row: Function) -> str:
        """This backend's helper computing the row's function (its `helpers` column), if any."""
        return self.use(next((h for h in row.helpers if h.__name__.startswith(self.b.helper)), None))

    def use(self, helper: Callable[..., Any] | None) -> str:
        if helper is None:
            return ""
        self.helpers[helper.__name__] = helper
        return helper.__name__

    def names_in(self, e: Expr) -> frozenset[Sym]:
        """Plain names occurring anywhere in `e`, subscripts and sum indices included."""
        cache = self._mentions
        stack = [e]
        while stack:  # bottom-up, stopping at what is known: linear overall
            n = stack[-1]
            if n in cache:
                stack.pop()
                continue
            missing = [k for k in n.args if k not in cache]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            own = {n} if type(n) is Sym and not n.indices else {n.index} if type(n) is Sum else set()
            cache[n] = frozenset(own).union(*(cache[k] for k in n.args))
        return cache[e]

    def context(self, e: Expr, ctx: tuple[Sum, ...]) -> tuple[Sum, ...]:
        """The enclosing sums `e` depends on: it is computed once outside the others."""
        names = self.names_in(e)
        keep = len(ctx)
        while keep and ctx[keep - 1].index not in names:
            keep -= 1
        return ctx[:keep]

    # -- driver
    def output(self, e: Expr) -> int:
        """One output, with an axis for each free index it has (after any batch axes)."""
        names = self.names_in(e)
        self.axes([s for s in self.all_free if s in names])
        return self.lower(e)

    def axes(self, free: list[Sym]) -> None:
        self.free_axes = free
        self.memo = self.memos.setdefault(tuple(free), {})

    @contextmanager
    def unpadded(self) -> Iterator[None]:
        """Lower a sum bound or an index: a scalar, without the free axes."""
        saved = self.free_axes
        self.axes([])
        try:
            yield
        finally:
            self.axes(saved)

    @contextmanager
    def scalar(self) -> Iterator[None]:
        """Lower with `math`: constants are Python floats, which every backend accepts."""
        saved = self.b
        self.b = BACKENDS["python"]
        try:
            yield
        finally:
            self.b = saved

    def pad_free(self, value: int) -> int:
        """A value without the free axes, given them (size 1) so batch axes line up."""
        if not self.free_axes:
            return value
        return self.pad(value, len(self.free_axes))

    def pad(self, value: int, k: int) -> int:
        """`value` with k trailing axes of size 1: the backend's helper when it has one."""
        helper = self.helper("pad")
        template = f"{helper}({{0}}, {k})" if helper else self.b.pad.format("{0}", self._pad_axes(k))
        return self.code.tmpl(template, value)

    def lower(self, e: Expr, ctx: tuple[Sum, ...] = ()) -> int:
        key = (e, ctx)
        if key in self.memo:
            return self.memo[key]
        inner = self.context(e, ctx)
        if inner != ctx:
            value = self.lower(e, inner)
            if self.b.vectorised and e.free | self.names_in(e):
                value = self.pad(value, len(ctx) - len(inner))
            self.memo[key] = value
            return value
        # explicit stack: deep trees must not hit the recursion limit
        stack: list[tuple[Expr, bool]] = [(e, False)]
        while stack:
            node, ready = stack.pop()
            if (node, ctx) in self.memo:
                continue
            if self.context(node, ctx) != ctx:  # computed outside the innermost sums
                self.lower(node, ctx)
                continue
            # a sum's body is lowered inside it, a subscript by `symbol`
            kids = (node.lower, node.upper) if type(node) is Sum else () if type(node) is Sym else node.args
            if not ready:
                stack.append((node, True))
                stack.extend((k, False) for k in kids if (k, ctx) not in self.memo)
                continue
            value = self.memo[(node, ctx)] = self.visit(node, ctx)
            self.note_shape(value, node.kind)
        return self.memo[key]

    def note_shape(self, value: int, kind: Kind) -> None:
        """The run-time shape of a code node of an array expression: () for a scalar,
        (rows, cols) for a matrix or a vector (a column); None where two disagree."""
        dims = (kind.rows, kind.cols) if kind.shape else ()
        if self.shapes.setdefault(value, dims) != dims:
            self.shapes[value] = None

    def _pad_axes(self, k: int) -> str:
        if self.b.name == "torch":
            return str(k)
        return "-1" if k == 1 else "(" + ", ".join(str(-j) for j in range(k, 0, -1)) + ")"

    # -- one node, its children lowered
    def visit(self, e: Expr, ctx: tuple[Sum, ...]) -> int:
        if self.b.vectorised and e.args and not e.free and not e.facts & (FACT_BINDER | FACT_ARRAY):
            with self.scalar():  # torch.sqrt(2) is a TypeError: math.sqrt(2)
                return CODE[type(e)](self, e, ctx)
        return CODE[type(e)](self, e, ctx)

    def log_node(self, e: Expr, ctx: tuple[Sum, ...]) -> int:
        value = self.log(e.arg, ctx)
        if e.base is E:
            return value
        return self.code.mul([value], [self.log(e.base, ctx)])

    def func_node(self, e: Expr, ctx: tuple[Sum, ...]) -> int:
        if e.name in ARRAY_FUNCTIONS:
            return self.array_function(e, ctx)
        row = FUNCTIONS[e.name]
        if row.definition and not getattr(row, self.b.column) and not self.row_helper(row):
            return self.lower(row.definition(*e.args), ctx)  # no spelling: the row's definition
        return self.function(e.name, *(self.lower(a, ctx) for a in e.args))

    def pow_node(self, e: Expr, ctx: tuple[Sum, ...]) -> int:
        if e.base.kind is not SCALAR:  # A^3, (X^T)^-2: a power of a square matrix
            return self.code.call(f"{self.b.xp}.linalg.matrix_power", self.lower(e.base, ctx), self.lower(e.exp, ctx))
        if type(e.exp) is Num and e.exp.value < 0:
            return self.product(e, ctx)
        return self.power(cast(Pow, e), ctx)

    def function(self, name: str, *args: int) -> int:
        row = FUNCTIONS[name]
        spelt = getattr(row, self.b.column)
        if spelt and len(args) > 1 and self.b.name == "torch":  # torch.atan2(x, 0.7) is a TypeError
            holes = ", ".join(f"{{{k}}}" for k in range(len(args)))
            return self.code.tmpl(f"{self.b.prefix}{spelt}(*{self.helper('tensors')}({holes}))", *args)
        if spelt:
            return self.code.call(self.b.prefix + spelt, *args)
        helper = self.row_helper(row)
        if helper:
            return self.code.call(helper, *args)
        raise SymdiffError(f"no {self.b.name} code for the function {name}")

    def add(self, e: Add, ctx: tuple[Sum, ...]) -> int:
        flipped = _one_minus_logistic(e)
        if flipped is not None:  # 1 - sigmoid(u) = sigmoid(-u): no cancellation for large u
            name, u, sign = flipped
            value = self.function(name, self.lower(neg(u), ctx))
            return value if sign > 0 else self.code.neg(value)
        terms = []
        for term in e.terms:
            if is_negative(term):
                terms.append((self.lower(neg(term), ctx), -1))
            else:
                terms.append((self.lower(term, ctx), 1))
        return self.code.add(terms)

    def product(self, e: Expr, ctx: tuple[Sum, ...]) -> int:
        c = self.code
        if type(e) is Mul and e.facts & FACT_ARRAY and any(f.kind is not SCALAR for f in e.factors):
            return self.array_product(e, ctx)
        factors = list(e.factors) if type(e) is Mul else [e]
        stable = self.softmax(factors, ctx)
        if stable is not None:
            return stable
        coeff, written = sides(e)
        if self.free_axes:
            # factors without the free axes last: `y*(1 - y)*N` works on full-size
            # temporaries from its first `*`, which NumPy then reuses in place
            free = set(self.free_axes)
            written = sorted(written, key=lambda fb: not self.names_in(fb[0]) & free)
        top: list[int] = []
        bottom: list[int] = []
        for f, below in written:
            (bottom if below else top).append(self.lower(f, ctx))
        if abs(coeff.numerator) != 1:
            top.insert(0, c.leaf(str(abs(coeff.numerator))))
        if coeff.denominator != 1:
            bottom.insert(0, c.leaf(str(coeff.denominator)))
        value = c.mul(top, bottom)
        return c.neg(value) if coeff < 0 else value

    def power(self, e: Pow, ctx: tuple[Sum, ...]) -> int:
        c = self.code
        base, exp = e.base, e.exp
        if base is E:
            return c.call(self.b.exp, self.lower(exp, ctx))
        if exp == Num(Fraction(1, 2)):
            return c.call(self.b.sqrt, self.lower(base, ctx))
        whole = type(exp) is Num and exp.value.denominator == 1
        if self.b.name == "python" and not whole:
            # float ** float of a negative base is complex in Python; math.pow refuses it
            return c.call("math.pow", self.lower(base, ctx), self.lower(exp, ctx))
        return c.node("pow", None, (self.lower(base, ctx), self.lower(exp, ctx)))

    # -- vectors and matrices
    def array_product(self, e: Mul, ctx: tuple[Sum, ...]) -> int:
        """The arrays' product with `@` (a 1×1 one is its entry), times the scalars."""
        c = self.code
        arrays = [f for f in e.factors if f.kind is not SCALAR]
        value = self.chain(arrays, ctx)
        if e.kind is SCALAR:
            value = c.tmpl("{0}[0, 0]", value)
        coeff, top, bottom = Fraction(1), [value], []
        for f in e.factors:
            if f.kind is not SCALAR:
                continue
            if type(f) is Num:
                coeff *= f.value
            elif is_reciprocal(f):
                bottom.append(self.lower(pow_(f.base, Num(-f.exp.value)), ctx))
            else:
                top.append(self.lower(f, ctx))
        if abs(coeff.numerator) != 1:  # after the product: (X.T @ r)*2 scales the result, not X
            top.append(c.leaf(str(abs(coeff.numerator))))
        if coeff.denominator != 1:
            bottom.insert(0, c.leaf(str(coeff.denominator)))
        value = c.mul(top, bottom)
        return c.neg(value) if coeff < 0 else value

    def chain(self, arrays: list[Expr], ctx: tuple[Sum, ...]) -> int:
        """A1 @ A2 @ ... in the order of least work by the shapes (each named
        dimension taken as large, 1 as 1): `X.T @ (X @ w)`, never `(X.T @ X) @ w`."""
        kids = [self.lower(a, ctx) for a in arrays]
        split = _chain_order([(a.kind.rows, a.kind.cols) for a in arrays])
        stack: list[tuple[int, int, bool]] = [(0, len(kids) - 1, False)]
        done: dict[tuple[int, int], int] = {}
        while stack:  # the split tree, bottom-up
            i, j, ready = stack.pop()
            if i == j:
                done[(i, j)] = kids[i]
            elif ready:
                k = split[(i, j)]
                done[(i, j)] = self.code.matmul(done[(i, k)], done[(k + 1, j)])
                self.note_shape(done[(i, j)], shape((arrays[i].kind.rows, arrays[j].kind.cols)))
            else:
                k = split[(i, j)]
                stack += [(i, j, True), (i, k, False), (k + 1, j, False)]
        return done[(0, len(kids) - 1)]

    def array_function(self, e: Expr, ctx: tuple[Sum, ...]) -> int:
        """tr, det, softmax, ...: the row's `code` template for this backend and argument."""
        arg = e.args[0]
        text = _row_code(e.name, self.b, len(arg.kind.shape))
        for name in re.findall(r"\b_(?:np|torch|jax)_\w+", text):
            self.use(getattr(runtime, name))
        return self.code.tmpl(text, self.lower(arg, ctx))

    def dimension(self, d: str | int) -> int:
        if isinstance(d, int):
            return self.code.leaf(str(d))
        if d not in self.sizes:
            raise SymdiffError(f"the size {d} is not known from the arguments: give an argument of that size "
                               "(and its shape in shapes=)")
        return self.code.leaf(self.sizes[d])

    def array_const(self, e: ArrayConst, ctx: tuple[Sum, ...]) -> int:
        """`I` and the ones, sized from the arguments' shapes at run time."""
        if not self.b.xp:
            raise SymdiffError(f"{e}: vectors and matrices need numpy, torch or jax")
        typed = self.b.dtype.format(self.dtype) if self.dtype else ""
        if e.name == IDENTITY:
            return self.code.tmpl(f"{self.b.xp}.eye({{0}}{typed})", self.dimension(e.kind.rows))
        return self.code.tmpl(f"{self.b.xp}.ones(({{0}}, {{1}}){typed})",
                              self.dimension(e.kind.rows), self.dimension(e.kind.cols))

    # -- stable forms
    def log(self, arg: Expr, ctx: tuple[Sum, ...]) -> int:
        """ln(arg), stable where a stable form exists."""
        c = self.code
        if self.b.vectorised and not arg.free and not arg.facts & (FACT_BINDER | FACT_ARRAY):
            with self.scalar():  # the base of log_2(x): math.log(2)
                return self.log(arg, ctx)
        flipped = _one_minus_logistic(arg) if type(arg) is Add else None
        if flipped is not None and flipped[2] > 0:  # ln(1 - sigmoid(u)) = ln(sigmoid(-u))
            arg = func(flipped[0], neg(flipped[1]))
        row = FUNCTIONS.get(arg.name) if type(arg) is Func else None
        if row is not None and row.stable_log is not None:  # ln(sigmoid(u)) = -softplus(-u)
            return self.lower(row.stable_log(*arg.args), ctx)
        lse = self.logsumexp(arg, ctx)
        if lse is not None:
            return lse
        return c.call(self.b.log, self.lower(arg, ctx))

    def logsumexp(self, s: Expr, ctx: tuple[Sum, ...]) -> int | None:
        """ln(s) for a sum of exponentials (1 counting as e^0), else None."""
        c = self.code
        if type(s) is Sum and type(s.body) is Pow and s.body.base is E:
            inner = ctx + (s,)
            if self.b.vectorised:
                if s.index not in self.names_in(s.body):
                    return None
                body = self.lower(s.body.exp, inner)
                return c.call(self.helper("logsumexp_last"), body)
            body = self.lower(s.body.exp, inner)
            loop = self.loop(s, ctx)
            return c.node("loop", (f"{self.helper('logsumexp')}(*({{0}} {loop}))", _identifier(s.index.name)),
                          (body, *self.bounds(s, ctx)))
        terms = _exp_terms(s) if type(s) is Add else None
        if terms is None or any(k <= 0 for k, _ in terms):
            return None
        if len(terms) == 2 and terms[0] == (Fraction(1), ZERO) and terms[1][0] == 1 and LN_ONE_PLUS_EXP:
            return self.function(LN_ONE_PLUS_EXP, self.lower(terms[1][1], ctx))  # ln(1 + e^u) = softplus(u)
        # c*e^u = e^(u + ln c): the largest exponent is taken out, nothing overflows
        return c.call(self.helper("logsumexp"), *(self.lower(add(u, _ln_number(k)), ctx) for k, u in terms))

    def softmax(self, factors: list[Expr], ctx: tuple[Sum, ...]) -> int | None:
        """(sum_i c_i e^(u_i)) * s^-k with s a sum of exponentials, as
        sum_i c_i e^(u_i - k*ln s): a ratio of exponentials, never inf/inf."""
        for f in factors:
            if type(f) is Pow and type(f.exp) is Num and f.exp.value < 0:
                lse = self.logsumexp(f.base, ctx)
                if lse is not None:
                    break
        else:
            return None
        exps = [g for g in factors if type(g) is Pow and g.base is E]
        top = next((g for g in factors if type(g) is Add and _exp_terms(g) is not None), None)
        if not exps and top is None:
            return None
        c = self.code
        k = -f.exp.value
        scaled = lse if k == 1 else c.mul([self.lower(Num(k), ctx), lse])
        shift = add(*(g.exp for g in exps))
        # `top` was chosen for having exp terms
        terms = cast("list[tuple[Fraction, Expr]]", _exp_terms(top)) if top is not None else [(Fraction(1), ZERO)]
        parts: list[tuple[int, int]] = []
        for coeff, u in terms:
            exponent = add(shift, u)
            inside = c.neg(scaled) if exponent is ZERO else c.add([(self.lower(exponent, ctx), 1), (scaled, -1)])
            value = c.call(self.b.exp, inside)
            p, q = abs(coeff.numerator), coeff.denominator
            value = c.mul([c.leaf(str(p))] * (p != 1) + [value], [c.leaf(str(q))] * (q != 1))
            parts.append((value, 1 if coeff > 0 else -1))
        value = c.add(parts)
        rest = mul(*(g for g in factors if g is not f and g is not top and g not in exps))
        if rest is ONE:
            return value
        negative = is_negative(rest)
        other = self.lower(neg(rest) if negative else rest, ctx)
        value = c.mul([other, value])
        return c.neg(value) if negative else value

    # -- sums and indexed variables
    def bounds(self, s: Sum, ctx: tuple[Sum, ...]) -> tuple[int, int]:
        return self.whole(s.lower, ctx), self.whole(s.upper, ctx)

    def whole(self, e: Expr, ctx: tuple[Sum, ...]) -> int:
        """A bound or index as an int: numbers as they are, expressions through `_whole`."""
        if type(e) is Num and e.value.denominator == 1:
            return self.code.leaf(str(e.value.numerator))
        if type(e) is Sym and not e.indices and any(s.index is e for s in ctx) and not self.b.vectorised:
            return self.code.node("loopvar", _identifier(e.name))
        self.use(runtime._whole)  # a scalar: never padded with axes
        with self.unpadded():
            return self.code.call("_whole", self.lower(e, self.context(e, ctx)))

    def position(self, i: Expr, ctx: tuple[Sum, ...]) -> int:
        """Where `x_i` sits in its array (indices count from 1): i - 1, checked by
        `_position` unless surely >= 0, since Python would read -1 as the last entry."""
        c = self.code
        if type(i) is Num and i.value.denominator == 1:
            if i.value < 1:
                raise SymdiffError(f"the index {i} is before the first entry (indices count from 1)")
            return c.leaf(str(i.value.numerator - 1))
        base, offset = _index_offset(i)
        outer = next((o for o in ctx if o.index is base), None)
        if outer is not None and not self.b.vectorised and type(outer.lower) is Num \
                and outer.lower.value + offset >= 1:
            return self._shift(c.node("loopvar", _identifier(cast(Sym, base).name)), offset - 1)  # outer.index
        self.use(runtime._position)
        with self.unpadded():
            return c.call("_position", self.lower(i, ctx if not self.b.vectorised else self.context(i, ctx)))

    def loop(self, s: Sum, ctx: tuple[Sum, ...]) -> str:
        return f"for {_identifier(s.index.name)} in range({{1}}, {{2}} + 1)"

    def summation(self, s: Sum, ctx: tuple[Sum, ...]) -> int:
        c = self.code
        inner = ctx + (s,)
        body = self.lower(s.body, inner)
        if not self.b.vectorised:
            return c.node("loop", (f"math.fsum({{0}} {self.loop(s, ctx)})", _identifier(s.index.name)),
                          (body, *self.bounds(s, ctx)))
        for bound in (s.lower, s.upper):
            if any(o.index in self.names_in(bound) for o in ctx):
                raise SymdiffError(f"a sum whose bounds depend on an outer index ({s}) needs backend='python'")
        if s.index in self.names_in(s.body):
            return c.tmpl(self.b.sum_last, body)
        lo, hi = self.bounds(s, ctx)  # a body without the index: (hi - lo + 1) copies
        count = c.call("max", c.add([(hi, 1), (lo, -1), (c.leaf("1"), 1)]), c.leaf("0"))
        return c.mul([count, self.lower(s.body, ctx)])

    def symbol(self, s: Sym, ctx: tuple[Sum, ...]) -> int:
        c = self.code
        name = _sym_text(s)
        if not s.indices or (s.name not in self.vars.families and name in self.params):
            if name in self.params:
                return self.pad_free(c.leaf(self.params[name]))
            for depth, outer in enumerate(ctx):
                if outer.index is s:
                    return self.index_value(outer, depth, ctx)
            if s in self.vars.indices:
                raise SymdiffError(f"the free index {s.name} is used as a value: give it as an argument")
            raise SymdiffError(f"no argument for the variable {name}")
        if s.name not in self.params:
            raise SymdiffError(f"no argument for {s.name} (the array of {s})")
        array = self.params[s.name]
        if not self.b.vectorised:
            return c.tmpl(array + "".join(f"[{{{k}}}]" for k in range(len(s.indices))),
                          *(self.position(i, ctx) for i in s.indices))
        return self.subscript(array, s, ctx)

    def index_value(self, outer: Sum, depth: int, ctx: tuple[Sum, ...]) -> int:
        """A bound index used as a number: the loop variable, or a range along its axis."""
        c = self.code
        if not self.b.vectorised:
            return c.node("loopvar", _identifier(outer.index.name))
        lo, hi = self.bounds(outer, ctx[:depth])
        after = len(ctx) - depth - 1
        arange = {"numpy": "np.arange", "torch": "torch.arange", "jax": "jnp.arange"}[self.b.name]
        text = f"{arange}({{0}}, {{1}} + 1)" + (f"[(...,) + (None,) * {after}]" if after else "")
        return c.tmpl(text, lo, hi)

    def subscript(self, array: str, s: Sym, ctx: tuple[Sum, ...]) -> int:
        """`y_i` inside sums, vectorised: a slice along each axis, `None` for the others."""
        layout = [*self.free_axes, *(o.index for o in ctx)]
        parts: list[tuple[str, int | None]] = []  # (text with {n} placeholders, axis or None)
        args: list[int] = []

        def arg(node: int) -> str:
            args.append(node)
            return f"{{{len(args) - 1}}}"

        index: Expr | None
        axis: int | None
        for dim, i in enumerate(s.indices):
            index, offset = _index_offset(i)
            index = i if index is None else index
            if type(index) is Sym and index in layout:
                axis = layout.index(index)
                if axis < len(self.free_axes):
                    if offset:
                        raise SymdiffError(f"cannot vectorise {s}: a free index with an offset")
                    parts.append((":", axis))
                    continue
                depth = axis - len(self.free_axes)
                lo, hi = self.bounds(ctx[depth], ctx[:depth])
                start = self._shift(lo, offset - 1)
                stop = self._shift(hi, offset)
                self.guards.append((array, dim - len(s.indices), start, stop))
                parts.append(((arg(start) if start != self.code.leaf("0") else "") + ":" + arg(stop), axis))
            elif not any(o.index in self.names_in(i) for o in ctx) and not self.names_in(i) & set(self.free_axes):
                parts.append((arg(self.position(i, ctx)), None))
            else:
                raise SymdiffError(f"cannot vectorise the subscript of {s}; use backend='python'")
        axes = [a for _, a in parts if a is not None]
        if axes != sorted(set(axes)):
            raise SymdiffError(f"cannot vectorise {s}: its indices are not in the order of the sums "
                               "(or repeat); use backend='python'")
        if not axes:  # the family's last axes, after any batch axes
            return self.pad_free(self.code.tmpl(f"{array}[..., {', '.join(p for p, _ in parts)}]", *args))
        texts: list[str] = []
        cursor = 0
        for text, axis in parts:
            if axis is not None:
                texts += ["None"] * (axis - cursor)
                cursor = axis + 1
            texts.append(text)
        texts += ["None"] * (len(layout) - cursor)
        if all(t == ":" for t in texts):
            return self.code.leaf(array)
        return self.code.tmpl(f"{array}[..., {', '.join(texts)}]", *args)

    def _shift(self, node: int, by: int) -> int:
        c = self.code
        kind, data, _ = c.nodes[node]
        if kind == "leaf" and re.fullmatch(r"-?\d+", data):
            return c.leaf(str(int(data) + by))
        if by == 0:
            return node
        return c.add([(node, 1), (c.leaf(str(abs(by))), 1 if by > 0 else -1)])


# The code column of each node kind's row: `fn(lowering, node, ctx)`, its
# children already lowered (a sum's bounds; a symbol's subscripts by `symbol`).
CODE: dict[type[Expr], Callable[[_Lowering, Expr, tuple[Sum, ...]], int]] = table("code")
CODE.update({
    Num: lambda lo, e, ctx: lo.code.leaf(_number(e.value)),
    Const: lambda lo, e, ctx: lo.code.leaf(lo.b.pi if e.name == "pi" else lo.b.e),
    Sym: lambda lo, e, ctx: lo.symbol(cast(Sym, e), ctx),
    Add: lambda lo, e, ctx: lo.add(cast(Add, e), ctx),
    Mul: _Lowering.product,
    Pow: _Lowering.pow_node,
    Log: _Lowering.log_node,
    Func: _Lowering.func_node,
    Sum: lambda lo, e, ctx: lo.summation(cast(Sum, e), ctx),
    Delta: lambda lo, e, ctx: lo.code.tmpl(lo.b.delta, lo.lower(e.i, ctx), lo.lower(e.j, ctx)),
    Derivative: lambda lo, e, ctx: _refuse(f"{e} is a derivative not yet taken: differentiate it first"),
})
CODE.update({
    Transpose: lambda lo, e, ctx: lo.code.tmpl("{0}.T", lo.lower(e.arg, ctx)),
    Hadamard: lambda lo, e, ctx: lo.code.mul([lo.lower(f, ctx) for f in e.factors]),  # `*` is entrywise
    HadamardPow: lambda lo, e, ctx: lo.power(cast(Pow, e), ctx),  # `**` is entrywise; .^(1/2) is sqrt
    ArrayConst: lambda lo, e, ctx: lo.array_const(cast(ArrayConst, e), ctx),
})


LARGE = 1000  # a named dimension, when choosing the order of a product


def _chain_order(dims: list[tuple[Any, Any]]) -> dict[tuple[int, int], int]:
    """Where to split each run i..j of a matrix product (the textbook dynamic
    programme; sizes: 1 is 1, a number itself, a name LARGE)."""
    size = [(r if isinstance(r, int) else LARGE, c if isinstance(c, int) else LARGE) for r, c in dims]
    n = len(size)
    cost: dict[tuple[int, int], int] = {(i, i): 0 for i in range(n)}
    split: dict[tuple[int, int], int] = {}
    for length in range(2, n + 1):
        for i in range(n - length + 1):
            j = i + length - 1
            if n > 24:  # long products: left to right
                cost[(i, j)], split[(i, j)] = 0, j - 1
                continue
            options = ((cost[(i, k)] + cost[(k + 1, j)] + size[i][0] * size[k][1] * size[j][1], k)
                       for k in range(i, j))
            cost[(i, j)], split[(i, j)] = min(options)
    return split


def _refuse(reason: str) -> int:
    raise SymdiffError(reason)


def _index_offset(i: Expr) -> tuple[Sym | None, int]:
    """(k, c) for an index `k + c` or `k` with c a whole number, else (None, 0)."""
    if type(i) is Sym and not i.indices:
        return i, 0
    if type(i) is Add and len(i.terms) == 2 and {type(k) for k in i.terms} == {Num, Sym}:
        number, index = sorted(i.terms, key=lambda k: type(k) is Sym)
        if number.value.denominator == 1 and not index.indices:
            return cast(Sym, index), int(number.value)  # sorted: the Sym comes last
    return None, 0


def _one_minus_logistic(e: Add) -> tuple[str, Expr, int] | None:
    """(f, u, 1) for `1 - f(u)`, (f, u, -1) for `f(u) - 1`, with f a logistic row (sigmoid), else None."""
    if len(e.terms) != 2:
        return None
    number = next((t for t in e.terms if type(t) is Num), None)
    other = next((t for t in e.terms if t is not number), None)
    if number is None or abs(number.value) != 1:
        return None
    if number.value == 1 and type(other) is Mul and len(other.factors) == 2 and other.factors[0] == Num(-1):
        other, sign = other.factors[1], 1
    elif number.value == -1:
        sign = -1
    else:
        return None
    if type(other) is Func and other.name in LOGISTIC:
        return other.name, other.arg, sign
    return None


def _exp_terms(e: Expr) -> list[tuple[Fraction, Expr]] | None:
    """`e` as sum_i c_i*e^(u_i) (a number c is c*e^0), or None."""
    out: list[tuple[Fraction, Expr]] = []
    for t in e.terms if type(e) is Add else (e,):
        factors = t.factors if type(t) is Mul else (t,)
        coeff, us = Fraction(1), []
        for f in factors:
            if type(f) is Num:
                coeff *= f.value
            elif type(f) is Pow and f.base is E:
                us.append(f.exp)
            else:
                return None
        out.append((coeff, add(*us)))
    return out


def _ln_number(k: Fraction) -> Expr:
    return ZERO if k == 1 else log(Num(k))


# ------------------------------------------------------------------- printing


MATMUL = MUL - 1  # below `*`, so that a product inside `2*(A @ B)` keeps its brackets
MAX_NESTING = 40  # Python's parser refuses ~200 nested brackets: deeper values get a name


def _render(code: _Code, node: int, done: dict[int, tuple[str, int, int]]) -> tuple[str, int, int]:
    """Text, precedence and bracket depth of one code node, its children in `done`."""
    kind, data, kids = code.nodes[node]
    depth = 1 + max((done[k][2] for k in kids), default=0)

    def wrap(child: int, level: int) -> str:
        text, prec, _ = done[child]
        return f"({text})" if prec < level else text

    if kind == "leaf" or kind == "loopvar":
        return data, NEG if data.startswith("-") else MUL if "/" in data else ATOM, 0
    if kind == "loop":
        return data[0].format(*(done[k][0] for k in kids)), ATOM, depth
    if kind == "call":
        return f"{data}({', '.join(done[k][0] for k in kids)})", ATOM, depth
    if kind == "tmpl":
        texts = [done[k][0] for k in kids]
        for k in map(int, re.findall(r"\{(\d)\}[\[.]", data)):  # `{0}[...]`, `{0}.T`: an atom
            texts[k] = wrap(kids[k], ATOM)
        return data.format(*texts), ATOM, depth
    if kind == "matmul":  # `@` binds as `*` does, left to right: the right operand is bracketed
        return f"{wrap(kids[0], MATMUL)} @ {wrap(kids[1], MUL + 1)}", MATMUL, depth
    if kind == "neg":
        return "-" + wrap(kids[0], MUL), NEG, depth
    if kind == "group":
        return f"({done[kids[0]][0]})", ATOM, depth
    if kind == "pow":
        return f"{wrap(kids[0], ATOM)}**{wrap(kids[1], ATOM)}", POW, depth
    if kind == "add":
        out = ""
        for k, (child, sign) in enumerate(zip(kids, data)):
            if sign > 0:
                out += wrap(child, ADD) if k == 0 else f" + {wrap(child, ADD)}"
            else:
                out += f"-{wrap(child, MUL)}" if k == 0 else f" - {wrap(child, MUL)}"
        return out, ADD, depth
    if kind == "mul":
        top = "*".join(wrap(k, MUL) for k in kids[:data])
        if data == len(kids):
            return top, MUL, depth
        bottom = kids[data:]
        under = wrap(bottom[0], POW) if len(bottom) == 1 else "(" + "*".join(wrap(k, MUL) for k in bottom) + ")"
        return f"{top}/{under}", MUL, depth
    raise AssertionError(kind)


def _reachable(code: _Code, roots: list[int]) -> list[int]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(code.nodes[node][2])
    return sorted(seen)


MAX_SHARING_ROUNDS = 500


def _share_products(code: _Code, roots: list[int]) -> None:
    """Products that share two factors compute them once: the partials
    `2*x1*t1/t2`, `2*x2*t1/t2`, ... become `x1*c`, `x2*c` with `c = 2*t1/t2`.
    Greedy: the pair of factors in the most products first, until no pair
    is in two (bounded rounds).  Nodes are rewritten in place."""
    def factors(node: int) -> list[tuple[int, int]]:  # (child, 0 above / 1 below the line)
        _, top, kids = code.nodes[node]
        return [(k, 0) for k in kids[:top]] + [(k, 1) for k in kids[top:]]

    def key(p: tuple[int, int], q: tuple[int, int]) -> tuple[int, int, int]:
        """`a*b` whether above or below the line (0, a, b); `a/b` as (1, a, b)."""
        (a, sa), (b, sb) = p, q
        if sa == sb:
            return (0, a, b)
        return (1, a, b) if sa == 0 else (1, b, a)

    def sides(k: tuple[int, int, int]) -> list[tuple[tuple[int, int], tuple[int, int], int]]:
        """Where the pair can stand in a product: its two factors and the pair's side."""
        same, a, b = k
        if same == 0:
            return [((a, 0), (b, 0), 0), ((a, 1), (b, 1), 1)]
        return [((a, 0), (b, 1), 0)]

    reachable = _reachable(code, roots)
    if any(code.nodes[n][0] == "loopvar" for n in reachable):
        return  # a product inside a Python loop cannot be hoisted
    products = [n for n in reachable if code.nodes[n][0] == "mul"]
    for _ in range(MAX_SHARING_ROUNDS):
        counts: dict[tuple[int, int, int], int] = {}
        for node in products:
            fs = sorted(set(factors(node)))
            if 2 <= len(fs) <= 40:  # a product of two is the pair itself, computed anyway
                keys = {key(a, b) for i, a in enumerate(fs) for b in fs[i + 1:]}
                for k in keys:
                    counts[k] = counts.get(k, 0) + 1
        if not counts:
            return
        k, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if n < 2:
            return
        _, a, b = k
        pair = code.mul([a, b]) if k[0] == 0 else code.mul([a], [b])
        if pair not in products:
            products.append(pair)
        for node in products:
            fs = factors(node)
            if len(fs) <= 2:
                continue
            for p, q, where in sides(k):
                if p in fs and q in fs:
                    fs.remove(p)
                    fs.remove(q)
                    fs.append((pair, where))
                    above = [f for f, side in fs if side == 0]
                    below = [f for f, side in fs if side == 1]
                    if not above:
                        above = [code.leaf("1.0")]
                    code.nodes[node] = ("mul", len(above), (*above, *below))
                    break


def _share_negations(code: _Code, roots: list[int]) -> None:
    """A sum subtracting a value whose negation is computed anyway adds the
    negation instead: `t0**(-t1)` and `t0**(-t1 - 1)` become `t2 = -t1`,
    `t0**t2`, `t0**(t2 - 1)`; likewise a negated product whose first factor's
    negation is computed anyway.  Nodes are rewritten in place."""
    reachable = _reachable(code, roots)
    negated = {code.nodes[n][2][0]: n for n in reachable if code.nodes[n][0] == "neg"}
    if not negated:
        return
    for node in reachable:
        kind, signs, kids = code.nodes[node]
        if kind == "neg" and code.nodes[kids[0]][0] == "mul":
            # `-x*y` is Python's (-x)*y: with -x computed anyway, multiply it
            _, top, factors = code.nodes[kids[0]]
            if top and factors[0] in negated and negated[factors[0]] != node:
                code.nodes[node] = ("mul", top, (negated[factors[0]], *factors[1:]))
            continue
        if kind != "add" or not any(s < 0 and k in negated for s, k in zip(signs, kids)):
            continue
        terms = [(negated[k], 1) if s < 0 and k in negated else (k, s) for k, s in zip(kids, signs)]
        terms.sort(key=lambda ts: -ts[1])  # a - b rather than -b + a
        code.nodes[node] = ("add", tuple(s for _, s in terms), tuple(k for k, _ in terms))


def _schedule(code: _Code, roots: list[int]) -> tuple[list[int], dict[int, int]]:
    """The nodes in the order they are computed (children first, each once) and
    how often each is read (a root once more, by `return`)."""
    uses: dict[int, int] = {}
    for r in roots:
        uses[r] = uses.get(r, 0) + 1
    order: list[int] = []
    stack = [(r, False) for r in reversed(roots)]
    seen: set[int] = set()
    while stack:
        node, ready = stack.pop()
        if ready:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for k in reversed(code.nodes[node][2]):
            uses[k] = uses.get(k, 0) + 1
            if k not in seen:
                stack.append((k, False))
    return order, uses


def _names(code: _Code, order: list[int], uses: Mapping[int, int]) -> set[int]:
    """The nodes that get a line of their own: those read more than once (common
    subexpressions) and those nested too deep, unless they read a loop variable."""
    named: set[int] = set()
    loops: dict[int, frozenset[str]] = {}  # loop variables a node reads: it cannot be hoisted
    depth: dict[int, int] = {}
    for node in order:
        kind, data, kids = code.nodes[node]
        inner = frozenset().union(*(loops[k] for k in kids)) if kids else frozenset()
        if kind == "loopvar":
            inner = frozenset({data})
        elif kind == "loop":
            inner = inner - {data[1]}
        loops[node] = inner
        depth[node] = 0 if kind in ("leaf", "loopvar") else 1 + max((depth[k] for k in kids), default=0)
        shared = uses[node] > 1 and kind not in ("leaf", "loopvar") and not _is_subscript(code, node)
        if (shared or depth[node] > MAX_NESTING) and not inner:
            named.add(node)
            depth[node] = 0
    return named


FRESH = frozenset({"add", "mul", "neg", "pow", "matmul"})  # code kinds whose value is a new array
NUMBER = re.compile(r"-?[\d.]+(?:e-?\d+)?(?:/\d+)?")


def _overwrite(code: _Code, roots: list[int], shapes: Mapping[int, tuple[Any, ...] | None], module: str) -> bool:
    """Operations whose operand is an array this function made, of the result's
    shape, and reads no more, write into it: `t0.cosh_().pow_(-2).mul_(g)`,
    `(X.T @ r).div_(N)` (torch's in-place methods; the same arithmetic in the
    same order, so the same values, without allocating a new array per step).
    Never an argument (nor a view of one): only the results of arithmetic, `@`
    and `module` functions, when every read of them makes a new array.
    Nodes are rewritten in place; returns whether any was."""
    order, uses = _schedule(code, roots)
    named = _names(code, order, uses)
    original = {n: code.nodes[n] for n in order}
    # when each node is computed: line by line, each line's unnamed sub-tree in post-order
    when: dict[int, int] = {}
    for head in [*(n for n in order if n in named), *roots]:
        stack = [(head, False)]
        while stack:
            node, ready = stack.pop()
            if ready:
                when[node] = len(when)
            elif node not in when:
                stack.append((node, True))
                stack.extend((k, False) for k in reversed(code.nodes[node][2]) if k not in named)
    last = {r: len(when) for r in roots}  # read by `return`: never overwritten
    readers: dict[int, list[int]] = {}
    for node in order:
        for k in code.nodes[node][2]:
            last[k] = max(last.get(k, -1), when[node])
            readers.setdefault(k, []).append(node)

    def makes_new(node: int) -> bool:
        kind, data, kids = original[node]
        return kind in FRESH or kind == "call" and data.startswith(module)

    def scalar(node: int) -> bool:
        return shapes.get(node) == () or code.nodes[node][0] == "leaf" and bool(NUMBER.fullmatch(code.nodes[node][1]))

    owned: set[int] = set()  # arrays this function made and may overwrite
    changed = False
    for node in order:
        kind, data, kids = code.nodes[node]
        dims = shapes.get(node)
        if not makes_new(node) or not dims:
            continue
        free = [k for k in kids if k in owned and kids.count(k) == 1 and last[k] == when[node]
                and shapes.get(k) == dims and all(makes_new(r) for r in readers[k])]
        if not free or not all(k in free or scalar(k) or shapes.get(k) == dims for k in kids):
            owned.add(node)
            continue
        # the operand written into goes first; it may swap with a first operand of
        # `+` or `*` that is only a name (a + b is b + a to the last bit)
        swap = kids[0] not in free
        if swap and not (kids[1:2] and kids[1] in free and (kids[0] in named or code.nodes[kids[0]][0] == "leaf")
                         and (kind == "add" and data[0] > 0 and data[1] > 0 or kind == "mul" and data >= 2)):
            owned.add(node)
            continue
        kids = (kids[1], kids[0], *kids[2:]) if swap else kids
        template = None
        if kind == "neg":
            template = "{0}.neg_()"
        elif kind == "pow":
            template = "{0}.pow_({1})"
        elif kind == "call" and len(kids) == 1 and re.fullmatch(re.escape(module) + r"\w+", data):
            template = f"{{0}}.{data[len(module):]}_()"
        elif kind == "add" and data[0] > 0:
            template = "{0}" + "".join(f".{'add_' if sign > 0 else 'sub_'}({{{j}}})" for j, sign in enumerate(data[1:], 1))
        elif kind == "mul" and len(kids) - data <= 1:  # a/(b*c) is not a.div_(b).div_(c) to the last bit
            template = "{0}" + "".join(f".mul_({{{j}}})" for j in range(1, data)) + ".div_({%d})" % data * (len(kids) > data)
        if template is not None:
            code.nodes[node] = ("tmpl", template, kids)
            changed = True
        owned.add(node)
    return changed


def _emit(code: _Code, roots: list[int], reserved: set[str],
          guards: Sequence[tuple[str, int, int, int]] = (), shape: str = "") -> tuple[list[str], list[str]]:
    """Assignments of the shared (and of very deep) values, the checks of the
    slices' bounds, then the output texts."""
    order, uses = _schedule(code, roots)
    named = _names(code, order, uses)
    # temporaries t0, t1, ...: a letter no parameter uses, so `t` (a target) and `t0` never meet
    prefix = next(p for p in ("t", "c", "v", "tmp", "_t")
                  if not any(r == p or re.fullmatch(re.escape(p) + r"_?\d+", r) for r in reserved))
    done: dict[int, tuple[str, int, int]] = {}
    lines: list[str] = []
    count = 0
    for node in order:
        rendered = _render(code, node, done)
        if node in named:
            name = f"{prefix}{count}"
            count += 1
            lines.append(f"{name} = {rendered[0]}")
            done[node] = (name, ATOM, 0)
        else:
            done[node] = rendered
    for array, dim, start, stop in guards:
        first = done[start][0] if start in done else "0"  # a start of 0 is not written
        low = "" if re.fullmatch(r"\d+", first) else f"{first} < 0 or "
        check = (f"if {low}{wrap_text(done[stop])} > {shape.format(array)}[{dim}]: "
                 f"raise IndexError(\"{array} has no entry for some index of the sums over it (entries count from 1)\")")
        if check not in lines:
            lines.append(check)
    return lines, [done[r][0] for r in roots]


def wrap_text(rendered: tuple[str, int, int]) -> str:
    text, prec, _ = rendered
    return text if prec > ADD else f"({text})"


def _is_subscript(code: _Code, node: int) -> bool:
    """`y[:N]` and the like: cheap views, not worth a name."""
    kind, data, _ = code.nodes[node]
    return kind == "tmpl" and bool(re.match(r"\w+\[", data))


# ---------------------------------------------------------------- front door


def _outputs(value: Any, shapes: Mapping[str, Any] | None = None) -> tuple[list[Expr], list[str] | None, bool]:
    """The trees to compute, their names (for a dict such as a gradient), and
    whether a single value (not a tuple) is returned."""
    def tree(v: Expr | str) -> Expr:
        return parse(v, shapes=shapes) if isinstance(v, str) and shapes is not None else as_tree(v)

    if isinstance(value, (Expr, str)):
        return [tree(value)], None, True
    if isinstance(value, dict):
        return [tree(v) for v in value.values()], [str(k) for k in value], False
    items = list(value)
    if items and all(isinstance(row, (list, tuple)) for row in items):  # a Jacobian or Hessian
        raise SymdiffError("give a flat list of expressions (for a matrix, one per entry)")
    return [tree(v) for v in items], None, False


def _kinds(exprs: list[Expr], variables: Variables, shapes: Mapping[str, Any] | None) -> dict[str, Kind]:
    """The kind of each variable: declared in `shapes`, or carried by the trees' symbols."""
    kinds = {str(name): shape(dims) for name, dims in (shapes or {}).items()}
    for s in variables.plain:
        declared = kinds.get(s.name)
        if declared is not None and declared is not s.kind:
            raise SymdiffError(f"{s.name} is a {s.kind} in the expression but shapes= makes it a {declared}")
        kinds[s.name] = s.kind
    return kinds


def _array_arguments(lowering: _Lowering, kinds: Mapping[str, Kind]) -> list[str]:
    """Lines taking the vector and matrix arguments in (a vector as a column of
    floats) and checking their sizes against the declared dimensions; fills
    the lowering's sizes and dtype."""
    lines: list[str] = []
    declared: list[str] = []
    seen: dict[str | int, int] = {}
    for key, ident in lowering.params.items():
        kind = kinds.get(key, SCALAR)
        if kind is SCALAR:
            continue
        vector = len(kind.shape) == 1
        lines.append(f"{ident} = {lowering.helper('column' if vector else 'matrix')}({ident})")
        dims = (*kind.shape, 1) if vector else kind.shape
        declared.append(f"({ident!r}, {ident}.shape, {dims!r})")
        for axis, d in enumerate(dims):
            seen[d] = seen.get(d, 0) + 1
            if isinstance(d, str):
                lowering.sizes.setdefault(d, f"{ident}.shape[{axis}]")
        lowering.dtype = lowering.dtype or ident
    if any(n > 1 or isinstance(d, int) and d != 1 for d, n in seen.items()):
        lines.append(f"{lowering.use(runtime._check_sizes)}({', '.join(declared)})")
    return lines


def _row_code(name: str, b: Backend, rank: int) -> str:
    """The template of an array function's row for this backend and an argument
    of this rank (1: a vector, 2: a matrix), its argument `{0}`."""
    row = ARRAY_FUNCTIONS[name]
    form = "vector" if rank == 1 else "matrix"
    template = next((row.code[k] for k in (f"{b.name} {form}", b.name, f"* {form}", "*") if k in row.code), None)
    if template is None or not b.xp:
        raise SymdiffError(f"no {b.name} code for {name}" + ": vectors and matrices need numpy, torch or jax"
                           * (not b.xp))
    return template.format("{0}", xp=b.xp, h=b.helper, axis=0 if rank == 1 else 1)


def _flat(code: _Code, node: int) -> int:
    """A column as a 1-D array: `v[:, 0]`, or `u` for a `u[:, None]`."""
    kind, data, kids = code.nodes[node]
    if kind == "tmpl" and data.endswith("[:, None]"):
        return code.tmpl(data[:-len("[:, None]")], *kids)
    return code.tmpl("{0}[:, 0]", node)


def _solve_inverses(code: _Code, roots: list[int], b: Backend) -> None:
    """A product with an inverse computed nowhere else is a solve:
    inv(A) @ B -> solve(A, B), B @ inv(A) -> solve(A.T, B.T).T (and inv(A).T likewise).
    Nodes are rewritten in place."""
    inv, solve = _row_code("inv", b, 2), f"{b.xp}.linalg.solve"
    reachable = _reachable(code, roots)
    uses: dict[int, int] = {}
    for node in [*roots, *(k for n in reachable for k in code.nodes[n][2])]:
        uses[node] = uses.get(node, 0) + 1

    def inverse(node: int) -> tuple[int, bool] | None:
        """(A, whether transposed) for a once-used inv(A) or inv(A).T."""
        kind, data, kids = code.nodes[node]
        if uses[node] != 1:
            return None
        if kind == "tmpl" and data == inv:
            return kids[0], False
        if kind == "tmpl" and data == "{0}.T":
            inner = inverse(kids[0])
            return (inner[0], True) if inner is not None and not inner[1] else None
        return None

    def t(node: int) -> int:
        kind, data, kids = code.nodes[node]
        return kids[0] if kind == "tmpl" and data == "{0}.T" else code.tmpl("{0}.T", node)

    for node in reachable:
        kind, _, kids = code.nodes[node]
        if kind != "matmul":
            continue
        left, right = kids
        found = inverse(left)
        if found is not None:  # inv(A) @ B = solve(A, B); inv(A).T @ B = solve(A.T, B)
            a, flipped = found
            code.nodes[node] = ("call", solve, (t(a) if flipped else a, right))
            continue
        found = inverse(right)
        if found is not None:  # B @ inv(A) = (inv(A).T @ B.T).T = solve(A.T, B.T).T
            a, flipped = found
            code.nodes[node] = ("tmpl", "{0}.T", (code.call(solve, a if flipped else t(a), t(left)),))


def _param_keys(args: Iterable[str | Expr], variables: Variables,
                kinds: Mapping[str, Kind] | None = None) -> list[tuple[str, str]]:
    """(key the lowering looks up, a line of documentation) per argument."""
    out = []
    for a in args:
        s = as_tree(a) if isinstance(a, str) else a
        if type(s) is not Sym:
            raise SymdiffError(f"an argument must be a variable, not {a}")
        if s.name in variables.families and (not s.indices or not all(type(i) is Num for i in s.indices)):
            arity = variables.families[s.name]
            letters = [str(i) for i in s.indices] if len(s.indices) == arity else list("ijklmn"[:arity])
            cell = ", ".join(f"{x}-1" for x in letters)
            element = str(Sym(s.name, tuple(Sym(x, ()) for x in letters)))
            out.append((s.name, f"array of {arity} dimension{'s' * (arity > 1)}: {s.name}[{cell}] is {element}"))
        elif not s.indices and s in variables.indices:
            out.append((s.name, "whole number, the index " + s.name))
        elif kinds and kinds.get(s.name, SCALAR) is not SCALAR:
            kind = (kinds or {})[s.name]
            out.append((s.name, f"{kind} {s.name}, a {len(kind.shape)}-D array"))
        elif kinds and any(k is not SCALAR for k in kinds.values()):
            out.append((_sym_text(s), f"number, the scalar {s}"))
        else:
            out.append((_sym_text(s), f"number or array, the variable {s}"))
    return out


def _casts(lowering: _Lowering, keys: list[str]) -> list[str]:
    """Lines making integer arguments floats (`x**x` of int64 20 overflows silently);
    with torch, numbers become tensors.  Indices of the `python` backend stay whole."""
    out = []
    plain = {_sym_text(s) for s in lowering.vars.plain}
    for key in keys:
        ident = lowering.params[key]
        if lowering.b.vectorised:
            out.append(f"{ident} = {lowering.helper('real')}({ident})")
        elif key in plain:
            out.append(f"{ident} = float({ident})")
    return out


def _tuple(texts: list[str]) -> str:
    return "(" + ", ".join(texts) + ("," if len(texts) == 1 else "") + ")"


def codegen(expr_or_exprs: Expr | str | Iterable[Expr | str] | dict[str, Any], args: Sequence[str | Expr] | None = None,
            backend: str = "numpy", name: str = "f", *, shapes: Mapping[str, Any] | None = None) -> str:
    """Source text of a Python function computing the expression(s), with its imports.

    With `shapes` (or trees holding vectors and matrices) the array backends
    compute matrix expressions: vectors are 1-D arrays in and out, matrices
    2-D, scalars numbers (see the module's docstring).

    Parameters are the variables in the order of `args` (default: natural order);
    an indexed family `y_i` is one array parameter `y`.  A list (or a dict such as
    a gradient) gives a function returning a tuple; each common subexpression
    is computed once across all of them.

    Args:
        expr_or_exprs: an expression (an `Expr` or its text), a list of them,
            or a dict of them (a gradient).
        args: the parameters' names (or indexed names), in order; by default
            the variables in natural order.
        backend: `"numpy"`, `"torch"`, `"jax"` or `"python"` (floats, `math`).
        name: the function's name.
        shapes: declared vectors and matrices, as for `symdiff.parse`.

    Returns:
        The source text, a `str`: imports, the helpers it uses, the function.

    Raises:
        ParseError: some text does not parse.
        SymdiffError: an unknown backend, an undefined function (no value to
            compute), or indices the backend cannot vectorise.

    >>> print(codegen("x^2 + 1", backend="python"))  # doctest: +ELLIPSIS
    def f(x):
    ...
        return x**2 + 1
    <BLANKLINE>
    """
    return _source(expr_or_exprs, args, backend, name, floats=False, shapes=shapes)


def _source(expr_or_exprs: Expr | str | Iterable[Expr | str] | dict[str, Any], args: Sequence[str | Expr] | None,
            backend: str, name: str, floats: bool, shapes: Mapping[str, Any] | None = None) -> str:
    """`codegen`'s text; with `floats`, the function first makes its arguments floats (`lambdify`)."""
    if backend not in BACKENDS:
        raise SymdiffError(f"unknown backend {backend!r}: choose numpy, torch, jax or python")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise SymdiffError(f"{name!r} is not a Python function name")
    b = BACKENDS[backend]
    exprs, labels, single = _outputs(expr_or_exprs, shapes)
    undefined = sorted({n.name for e in exprs for n in postorder(e) if is_undefined(n) and n.name not in ARRAY_FUNCTIONS})
    if undefined:
        raise SymdiffError(f"{', '.join(undefined)}: undefined function{'s' * (len(undefined) > 1)} "
                           "without a value, so no code can compute "
                           f"{'them' if len(undefined) > 1 else 'it'}")
    variables = Variables.of(exprs)
    kinds = _kinds(exprs, variables, shapes)
    if not b.xp and any(e.facts & FACT_ARRAY for e in exprs):
        raise SymdiffError("vectors and matrices need an array backend: numpy, torch or jax")
    keys = _param_keys(variables.default_args(b.vectorised) if args is None else args, variables, kinds)
    params: dict[str, str] = {}
    for key, _ in keys:
        ident = _identifier(key)
        if ident in params.values() or key in params:
            raise SymdiffError(f"the argument {key} is given twice (or two names make the identifier {ident})")
        params[key] = ident
    lowering = _Lowering(b, params, variables)
    taking = _array_arguments(lowering, kinds)
    roots = [lowering.output(e) for e in exprs]
    # a vector is a column inside and 1-D outside
    roots = [_flat(lowering.code, r) if len(e.kind.shape) == 1 else r for r, e in zip(roots, exprs)]
    if taking:
        _solve_inverses(lowering.code, roots, b)
    _share_products(lowering.code, roots)
    _share_negations(lowering.code, roots)
    def body(outs: list[str]) -> str:
        return outs[0] if single else _tuple(outs)

    first: list[str] = []  # the body writing into its own arrays, under its helper's check
    if b.in_place and taking and not lowering.all_free and not variables.families:
        plain = list(lowering.code.nodes)
        if _overwrite(lowering.code, roots, lowering.shapes, b.in_place):
            fast, outs = _emit(lowering.code, roots, set(params.values()))
            arrays = [params[k] for k, _ in keys if kinds.get(k, SCALAR) is not SCALAR]
            scalars = [params[k] for k, _ in keys if kinds.get(k, SCALAR) is SCALAR]
            check = f"{lowering.helper('overwritable')}({_tuple(arrays)}, {_tuple(scalars)})"
            first = [f"if {check}:  # writes into the arrays it makes once they are no longer read",
                     *(f"    {line}" for line in fast), f"    return {body(outs)}"]
            lowering.code.nodes[:] = plain
    lines, outs = _emit(lowering.code, roots, set(params.values()), lowering.guards, b.shape)
    lines[:0] = first
    if floats:
        lines[:0] = _casts(lowering, [key for key, _ in keys if kinds.get(key, SCALAR) is SCALAR])
    lines[:0] = taking
    result = body(outs)
    def short(e: Expr) -> str:
        nodes = size(e)  # printing a deep tree is quadratic: big ones are only counted
        text = str(e) if nodes <= 60 else f"an expression of {nodes:,} nodes"
        return text if len(text) <= 90 else text[:87] + "..."

    if single:
        doc = [f"Computes {short(exprs[0])}"]
    else:
        labels = labels or [f"[{k}]" for k in range(len(exprs))]
        doc = [f"Returns a tuple ({', '.join(labels)}):"] + [f"  {a}: {short(e)}" for a, e in zip(labels, exprs)]
    doc += ["Arguments:"] + [f"  {params[k]}: {text}" for k, text in keys]
    if lowering.all_free:
        doc.append("A result with a free index has an axis for it, after any batch axes: " + ", ".join(
            f"{s.name} (axis {k - len(lowering.all_free)} when all occur, {s.name} = index + 1)"
            for k, s in enumerate(lowering.all_free)))
    helpers = [inspect.getsource(h) for _, h in sorted(lowering.helpers.items())]
    code = "\n".join([f"def {name}({', '.join(params.values())}):",
                      '    """' + "\n    ".join(doc) + '\n    """',
                      *(f"    {line}" for line in lines), f"    return {result}"])
    text = "\n\n".join([*helpers, code])
    imports = [stmt for prefix, stmt in IMPORTS if re.search(r"(?<![\w.])" + re.escape(prefix), text)]
    return "".join(line + "\n" for line in imports) + "\n\n" * bool(imports) + text + "\n"


# ------------------------------------------------------------------ lambdify
# The callable is the function `codegen` writes, executed here.  That is the
# only `exec` in the library, and it runs only our printer's output: the text is
# built from a parsed tree, names are reduced to identifiers and numbers are
# printed from exact fractions, so no text a user typed reaches `exec`.

NEEDS = {"numpy": "numpy", "torch": "torch", "jax": "jax"}


def lambdify(expr: Expr | str | Iterable[Expr | str], args: Sequence[str | Expr] | None = None,
             backend: str = "numpy", *, shapes: Mapping[str, Any] | None = None) -> Callable[..., Any]:
    """A function of `args` (names or indexed names, in this order) computing `expr`.

    With `shapes` (or a tree holding vectors and matrices) it takes and
    returns NumPy arrays (torch tensors, JAX arrays): a vector 1-D, a matrix
    2-D (see `codegen`).

    `backend="numpy"` broadcasts over arrays (an indexed family `y_i` is one
    array `y` whose last axis is the index, any axes before it batch axes; a
    sum is a reduction; a free index such as `j` in `y_j` is an axis of the
    result, after the batch axes); `"math"` takes and returns floats.
    Integer arguments are made floats first (with torch, numbers become
    tensors), since integer powers overflow silently.  Unstable forms are
    computed stably (`ln(1 + e^u)`, `ln(sigmoid(u))`, log-sum-exp, softmax).
    A list of expressions gives a function returning a tuple.  The source is
    the function's `source` attribute.

    Args:
        expr: an expression (an `Expr` or its text), or a list of them.
        args: the parameters' names (or indexed names), in order; by default
            the variables in natural order.
        backend: `"numpy"` (needs the `[numpy]` extra), `"math"`/`"python"`
            (floats), `"torch"` or `"jax"`.
        shapes: declared vectors and matrices, as for `symdiff.parse`.

    Returns:
        A function of `args`; for a list, a function returning a tuple.

    Raises:
        ParseError: some text does not parse.
        SymdiffError: an unknown backend or one not installed, or an
            expression `codegen` refuses (see there).

    >>> f = lambdify("x^2 + 1", ["x"], backend="math")
    >>> f(2.0)
    5.0
    """
    target = "python" if backend in ("math", "python") else backend
    module = NEEDS.get(target)
    if module is not None:
        try:
            __import__(module)
        except ImportError:
            hint = "pip install 'symdiff[numpy]'" if module == "numpy" else f"pip install {module}"
            raise SymdiffError(f"backend {backend!r} needs {module}: {hint}") from None
    source = _source(expr, args, target, "f", floats=True, shapes=shapes)
    namespace: dict[str, Any] = {}
    # Our own printer's output for a parsed tree (see the comment above): never user text.
    exec(compile(source, "<symdiff.lambdify>", "exec"), namespace)
    function = namespace["f"]
    function.source = source
    return cast("Callable[..., Any]", function)
