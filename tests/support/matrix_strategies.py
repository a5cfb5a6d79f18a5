"""Random small vector and matrix expressions with declared shapes (issue 24), built
from the smart constructors: square n×n matrices, n-vectors and scalars, each
drawn from the others (`A*x`, `x^T*y`, `tr(A)`, `diag(x)`, `inv(A)`, ...)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from symdiff import expr as E
from symdiff.functions import apply

SHAPES = {"A": ("n", "n"), "B": ("n", "n"), "x": ("n",), "y": ("n",), "c": ()}
KIND = {name: E.shape(dims) for name, dims in SHAPES.items()}
ENTRYWISE = ("exp", "sin", "tanh", "sigmoid", "softplus")


def _sym(name: str) -> E.Expr:
    return E.sym(name, kind=KIND[name])


def _leaf_numbers() -> st.SearchStrategy[E.Expr]:
    return st.sampled_from([E.num(2), E.num(3), E.num(Fraction(1, 2)), E.num(-1)])


def _matrices(vectors: st.SearchStrategy[E.Expr], scalars: st.SearchStrategy[E.Expr]) -> st.SearchStrategy[E.Expr]:
    leaf = st.sampled_from([_sym("A"), _sym("B"), E.identity("n")])
    m = st.deferred(lambda: matrices)
    matrices = st.one_of(
        leaf, leaf,
        st.builds(E.add, m, m), st.builds(E.sub, m, m), st.builds(E.mul, m, m), st.builds(E.mul, scalars, m),
        st.builds(E.transpose, m), st.builds(E.hadamard, m, m), st.builds(lambda a: E.func("inv", a), m),
        st.builds(apply, st.sampled_from(ENTRYWISE), m),
        st.builds(lambda a, b: E.mul(a, E.transpose(b)), vectors, vectors),  # an outer product
        st.builds(lambda v: E.func("diag", v), vectors),
        st.builds(lambda a, k: E.hadamard_pow(a, E.num(k)), m, st.sampled_from([2, 3, -1])),
    )
    return matrices


def matrix_exprs() -> st.SearchStrategy[E.Expr]:
    """An n×n matrix, an n-vector or a scalar expression."""
    scalars_ref = st.deferred(lambda: scalars)
    vectors_ref = st.deferred(lambda: vectors)
    matrices = _matrices(vectors_ref, scalars_ref)
    vectors = st.one_of(
        st.sampled_from([_sym("x"), _sym("y")]), st.sampled_from([_sym("x"), _sym("y")]),
        st.builds(E.mul, matrices, vectors_ref), st.builds(E.add, vectors_ref, vectors_ref),
        st.builds(E.mul, scalars_ref, vectors_ref), st.builds(E.hadamard, vectors_ref, vectors_ref),
        st.builds(lambda v: E.func("softmax", v), vectors_ref),
        st.builds(apply, st.sampled_from(ENTRYWISE), vectors_ref),
        st.builds(lambda a: E.func("diag", a), matrices),
        st.builds(lambda v: E.add(v, E.num(1)), vectors_ref),  # a scalar broadcasts
    )
    scalars = st.one_of(
        st.just(_sym("c")), _leaf_numbers(),
        st.builds(lambda a, b: E.mul(E.transpose(a), b), vectors_ref, vectors_ref),
        st.builds(lambda f, a: E.func(f, a), st.sampled_from(["tr", "det", "sum"]), matrices),
        st.builds(lambda f, v: E.func(f, v), st.sampled_from(["norm", "norm1", "logsumexp", "sum"]), vectors_ref),
        st.builds(E.mul, scalars_ref, scalars_ref), st.builds(E.add, scalars_ref, scalars_ref),
    )
    return st.one_of(matrices, vectors, scalars)
