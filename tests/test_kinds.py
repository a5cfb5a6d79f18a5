"""Node kinds: scalars, vectors and matrices, computed at construction; products
of arrays in the order given; one row per node kind, every column filled."""

from __future__ import annotations

import pickle
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import symdiff
from symdiff import expr as E
from symdiff.core import rows
from symdiff.errors import DifferentiationError, EvaluationError, SymdiffError
from symdiff.expr import SCALAR, KindError, matrix, shape, vector

from support.strategies import exprs

X = E.sym("X", kind=matrix("n", "d"))
W = E.sym("w", kind=vector("d"))
Y = E.sym("y", kind=vector("n"))
A = E.sym("A", kind=matrix("n", "n"))
B = E.sym("B", kind=matrix("n", "n"))
C = E.sym("C", kind=matrix("n", "n"))
c, x = E.sym("c"), E.sym("x")


# ------------------------------------------------------------------ kinds


def test_kinds_are_interned_and_named():
    assert shape(("n", "d")) is matrix("n", "d")
    assert shape(["d"]) is vector("d")
    assert shape(()) is SCALAR and SCALAR.is_scalar
    assert (str(SCALAR), str(vector("d")), str(matrix("n", 3))) == ("scalar", "d-vector", "n×3 matrix")
    assert (matrix("n", "d").rows, matrix("n", "d").cols, vector("d").rows, vector("d").cols) == ("n", "d", "d", 1)
    assert pickle.loads(pickle.dumps(matrix("n", "d"))) is matrix("n", "d")


@pytest.mark.parametrize("dims", [("n", "d", "k"), (0,), (-2, 3), ("n", 1.5), ("not a name",), (True,)])
def test_bad_shapes_are_refused(dims):
    with pytest.raises(KindError):
        shape(dims)


def test_a_symbol_is_a_scalar_unless_declared():
    assert E.sym("X").kind is SCALAR
    assert X.kind is matrix("n", "d") and W.kind is vector("d")
    assert X is not E.sym("X")  # a matrix X and a scalar X are different variables
    assert X is E.sym("X", kind=matrix("n", "d"))
    assert pickle.loads(pickle.dumps(X)) is X
    assert X.rebuild(()) is X
    with pytest.raises(TypeError):
        E.sym("X", kind=("n", "d"))  # a shape, not a Kind


def test_kinds_come_from_the_children():
    assert E.mul(X, W).kind is vector("n")
    assert E.mul(E.TWO, c, X).kind is matrix("n", "d")
    assert E.add(E.mul(X, W), Y).kind is vector("n")
    assert E.func("sigmoid", E.mul(X, W)).kind is vector("n")  # scalar functions act entrywise
    assert E.pow_(A, E.num(3)).kind is matrix("n", "n")
    assert E.pow_(A, E.NEG_ONE).kind is matrix("n", "n")  # the inverse
    assert E.summation(E.mul(E.sym("i"), A), E.sym("i"), E.ONE, E.sym("N")).kind is A.kind
    assert E.mul(E.sym("v", kind=matrix(1, "n")), Y).kind is E.SCALAR  # a 1x1 product is a scalar (interface)


# ------------------------------------------------------------- refusals


def test_a_scalar_broadcasts_in_a_sum_and_mismatched_arrays_are_refused_naming_the_shapes():
    assert E.add(X, E.ONE).kind is X.kind  # the interface: scalars broadcast in + -
    with pytest.raises(KindError, match=r"n-vector.*d-vector"):
        E.add(E.mul(X, W), W)


def test_mismatched_inner_dimensions_are_refused():
    with pytest.raises(KindError, match=r"X \(n×d matrix\) by m \(m-vector\).*d and m differ"):
        E.mul(X, E.sym("m", kind=vector("m")))
    with pytest.raises(KindError, match="d and n differ"):
        E.mul(E.mul(E.TWO, X), A)


@pytest.mark.parametrize("build, message", [
    (lambda: E.pow_(W, E.TWO), r"w \(d-vector\).*x\.\^2.*x\^T\*x"),
    (lambda: E.pow_(X, E.TWO), "only a square matrix"),
    (lambda: E.pow_(A, E.HALF), "only integer ones"),
    (lambda: E.pow_(E.TWO, A), "exponent must be a scalar"),
    (lambda: E.func("atan2", E.mul(X, W), W), "atan2"),
    (lambda: E.summation(x, E.sym("i"), E.ONE, A), "bounds must be a scalar"),
    (lambda: E.sym("y", E.mul(X, W)), "subscript"),
    (lambda: E.delta(W, E.sym("j")), "delta"),
])
def test_other_mixtures_are_refused(build, message):
    with pytest.raises(KindError, match=message):
        build()


def test_a_kind_error_is_a_symdiff_error():
    assert issubclass(KindError, SymdiffError) and issubclass(KindError, ValueError)


# ---------------------------------------------------- non-commuting products


def test_arrays_keep_their_order_and_scalars_commute():
    assert E.mul(A, B) is not E.mul(B, A)
    assert E.mul(A, B).factors == (A, B) and E.mul(B, A).factors == (B, A)
    assert E.mul(c, A) is E.mul(A, c)
    assert E.mul(A, c, B) is E.mul(c, A, B) is E.mul(A, B, c)
    assert E.mul(A, c, B).factors == (c, A, B)
    assert E.mul(E.num(3), A, x, E.TWO, B).factors == (E.num(6), x, A, B)
    assert E.sub(E.mul(A, B), E.mul(B, A)) is not E.ZERO
    assert str(E.mul(X, W)) == "X*w"


def test_flattening_keeps_the_order_of_arrays():
    abc = E.mul(A, B, C)
    assert E.mul(E.mul(A, B), C) is abc is E.mul(A, E.mul(B, C))
    assert E.mul(E.mul(c, A), E.mul(x, B)).factors == (c, x, A, B)
    assert E.mul(C, E.mul(A, B)).factors == (C, A, B)


def test_integer_powers_stay_outside_array_products():
    ab = E.mul(A, B)
    square = E.pow_(ab, E.TWO)
    assert type(square) is E.Pow and square.base is ab  # (AB)^2, not A^2*B^2
    assert E.pow_(E.mul(E.num(3), c, A, B), E.TWO) is E.mul(E.num(9), E.pow_(c, E.TWO), square)
    assert E.pow_(E.pow_(A, E.TWO), E.num(3)) is E.pow_(A, E.num(6))
    assert E.pow_(A, E.ZERO) is not E.ONE  # the identity matrix, not the number 1
    assert E.pow_(A, E.ONE) is A


def test_a_zero_coefficient_absorbs_only_a_scalar_product():
    assert E.mul(E.ZERO, x, c) is E.ZERO
    assert E.mul(E.ZERO, A).kind is A.kind


def test_the_stages_leave_arrays_alone_or_refuse_them():
    aba = E.mul(A, B, A)
    assert symdiff.simplify(aba) is aba  # never A^2*B: products of matrices do not commute
    assert symdiff.simplify(E.add(E.mul(A, B), E.mul(B, A))) is E.add(E.mul(A, B), E.mul(B, A))
    assert symdiff.diff(E.mul(X, W), W) is X  # the Jacobian, in matrix form (symdiff.matrix, issue 24)
    with pytest.raises(DifferentiationError, match="Jacobian is by a vector"):
        symdiff.diff(E.func("sin", E.mul(c, X)), "c")  # a matrix by a scalar: not yet
    with pytest.raises(EvaluationError, match="n×n matrix"):
        symdiff.evaluate(E.mul(c, A), {"c": 1.0, "A": 2.0})


# ------------------------------------------------------- scalar trees: no change


def _pre_kinds_mul(factors):
    """The product as built before kinds: numbers folded in front, every other factor sorted."""
    coeff = Fraction(1)
    rest = []
    for f in factors:
        for g in f.factors if type(f) is E.Mul else (f,):
            if type(g) is E.Num:
                coeff *= g.value
            else:
                rest.append(g)
    if coeff == 0 and E.UNDEFINED not in rest:
        return E.ZERO
    if E.UNDEFINED in rest:
        return E.UNDEFINED
    rest.sort(key=E.factor_key)
    if coeff != 1 or not rest:
        rest.insert(0, E.num(coeff))
    return rest[0] if len(rest) == 1 else E.Mul(tuple(rest))


@given(st.lists(exprs(max_leaves=4), min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_scalar_trees_are_built_as_before(factors, rnd):
    built = E.mul(*factors)
    assert built is _pre_kinds_mul(factors)
    shuffled = list(factors)
    rnd.shuffle(shuffled)
    assert E.mul(*shuffled) is built  # scalars commute
    if type(built) is E.Mul:
        n = E.num(rnd.randint(2, 4))
        assert E.pow_(built, n) is E.mul(*(E.pow_(f, n) for f in built.factors))
    for node in E.postorder(built):
        assert node.kind is SCALAR and not node.facts & E.FACT_ARRAY


@given(exprs())
def test_every_node_of_a_scalar_tree_is_scalar(e):
    assert all(node.kind is SCALAR for node in E.postorder(e))
    assert not e.facts & E.FACT_ARRAY


def test_parsed_text_is_scalar():
    e = symdiff.parse("sum_{i=1}^{N} t_i*ln(sigmoid(w*x_i + b)) + delta(i, j)*X*w")
    assert all(node.kind is SCALAR for node in E.postorder(e))


# ------------------------------------------------------ one row per node kind


def _load_stages():
    import symdiff.diff  # noqa: F401  (each stage registers its table)
    import symdiff.evaluate  # noqa: F401
    import symdiff.generate  # noqa: F401
    import symdiff.printing.precedence  # noqa: F401


def test_every_node_kind_fills_every_column():
    _load_stages()
    assert {"diff", "evaluate", "code", "precedence", "order: token", "order: factor head"} <= set(rows.stages())
    assert set(E.NODE_TYPES) <= set(E.NODE_CLASSES)
    assert rows.missing() == []


def test_a_node_kind_without_its_rows_is_reported():
    _load_stages()

    class Transpose(E.Expr):
        __slots__ = ("arg",)
        _fields = ("arg",)
        _tag = 99

    try:
        gaps = rows.missing()
        assert {f"Transpose: {column}" for column in ("_rank", "_kind_rule", "make", "with_args", "diff", "evaluate",
                                                      "code")} <= set(gaps)
        assert all(g.startswith("Transpose: ") for g in gaps)
    finally:
        E.NODE_CLASSES.remove(Transpose)
    assert rows.missing() == []


def test_the_stages_dispatch_through_their_tables(monkeypatch):
    from symdiff.diff import SELECT
    from symdiff.evaluate import VALUES, Value

    assert rows.table("diff") is SELECT and rows.table("evaluate") is VALUES
    monkeypatch.setitem(VALUES, E.Delta, Value(lambda ev, n, kids, env: 7.0))
    assert symdiff.evaluate(E.delta(E.sym("i"), E.sym("j")), {"i": 1, "j": 2}) == 7.0
