"""Numbers that read back, evaluation that never escapes, and the resource limits
of symdiff/limits.py: each refused with a clear SymdiffError (a caret where
it points at text), never a ValueError from Python or a hang."""

from __future__ import annotations

import math
import subprocess
import sys
from fractions import Fraction

import pytest

import symdiff
from symdiff import evaluate, latex, parse
from symdiff import expr as E
from symdiff.errors import DifferentiationError, EvaluationError, LimitError, ParseError, SymdiffError
from symdiff.limits import MAX_INPUT_LENGTH, MAX_NUMBER_DIGITS, MAX_ORDER, MAX_OUTPUT, MAX_RESULT_SIZE, MAX_SUM_TERMS
from symdiff.printing.precedence import digits, printed_length

x = E.sym("x")


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    "text, printed",
    [
        ("9^420",         "3^840"),
        ("1e400",         "1e400"),
        ("4^(5^4)",       "2^1250"),
        ("12e400*x",      "12e400*x"),
        ("1/2^300",       "1/2^300"),
        ("(9^420)^x",     "(3^840)^x"),
        ("x^(9^420)",     "x^3^840"),
        ("-1e400",        "-1e400"),
        ("123456789",     "123456789"),
        ("2*9^420",       "2*3^840"),
        ("x/(2*9^420)",   "x/(2*3^840)"),
        ("log_{9^420}(x)", "log_{3^840}(x)"),
        ("log_{2*9^420}(x)", "log_{2*3^840}(x)"),
    ],
)
def test_long_integers_print_compactly_and_read_back(text, printed):
    e = parse(text)
    assert str(e) == printed
    assert parse(str(e)) is e
    assert parse(latex(e), syntax="latex") is e


@pytest.mark.parametrize("n", [5**1594, 2**20000, 3 * 2**20000, 10**1500, 7 * 10**1500, 10**1199],
                         ids=lambda n: f"{n.bit_length()}-bits")
def test_powers_past_the_folding_limit_print_as_products_that_fold_back(n):
    # (5^797)^2 printed as 5^1594, which parse left unfolded (found by the fuzz harness)
    for e in (E.num(n), E.num(Fraction(1, n)) * x, x ** E.num(n)):
        assert parse(str(e)) is e
        assert parse(latex(e), syntax="latex") is e


def test_a_long_integer_with_no_short_form_prints_in_full():
    n = 7**400 + 1
    e = E.num(n)
    assert str(e) == str(n)
    assert parse(str(e)) is e and parse(latex(e), syntax="latex") is e


def test_printing_never_hits_the_int_string_limit():
    # 5,400 digits: past Python's default limit of 4,300 for int -> str.
    product = E.mul(*[E.num(10**400 + 1)] * 14, x)
    assert len(digits(product.factors[0].value.numerator)) > 4300
    text = str(product)
    assert text.endswith("*x") and len(text) > 4300
    latex(product)


def test_digits_matches_str_below_the_limit():
    for n in (0, 7, 10**50 + 3, 3**5000):
        assert digits(n) == str(n)
        assert digits(-n) == str(-n)


@pytest.mark.parametrize("text", ["1e" + "9" * 5000, "9" * (MAX_NUMBER_DIGITS + 1), "0." + "0" * MAX_NUMBER_DIGITS + "1",
                                  "x_" + "9" * 5000, "x_{" + "9" * 5000 + "}", "1e1201", "d^" + "9" * 30 + "/dx^" + "9" * 30 + " x"])
def test_oversized_numbers_are_a_parse_error_with_a_caret(text):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert "limit" in str(info.value) and "^" in str(info.value).splitlines()[-1]


def test_numbers_at_the_limit_parse():
    assert parse("9" * MAX_NUMBER_DIGITS).value == 10**MAX_NUMBER_DIGITS - 1
    assert parse("1e1199").value == 10**1199
    assert parse("0E99999999999999999999") is E.ZERO


@pytest.mark.parametrize("e", [E.sym("x", -1), E.sym("x", "i", -1), E.sym("t", -12, 3)])
def test_negative_indices_read_back(e):
    assert parse(str(e)) is e


def test_expand_sums_with_negative_indices_reads_back():
    e = symdiff.expand_sums(parse("sum_{i=-2}^{1} x_i"))
    assert str(e) == "x_{-2} + x_{-1} + x_0 + x_1"
    assert parse(str(e)) is e


# --------------------------------------------------------------- evaluation


@pytest.mark.parametrize(
    "text, env",
    [
        ("x*y - z*w",  dict(x=1e200, y=1e200, z=1e200, w=1e200)),
        ("sin(x)",     {"x": math.inf}),
        ("x",          {"x": math.nan}),
        ("x + y",      {"x": math.inf, "y": -math.inf}),
        ("exp(x)",     {"x": 1e5}),
        ("x^y",        {"x": 10.0, "y": 1e5}),
        ("x",          {"x": 10**400}),
        ("x",          {"x": "abc"}),
        ("sum_{i=0}^{N} 2^i", {"N": 1e9}),
        ("log_2(x)",   {"x": math.inf}),
    ],
)
def test_evaluate_raises_only_evaluation_error(text, env):
    with pytest.raises(EvaluationError):
        evaluate(parse(text), env)


def test_evaluate_at_infinity_can_still_have_a_value():
    assert evaluate(parse("exp(-x)"), {"x": math.inf}) == 0.0
    assert evaluate(parse("sigmoid(x)"), {"x": math.inf}) == 1.0


def test_evaluate_accepts_int_float_and_fraction_values():
    e = parse("x^2 + y")
    assert evaluate(e, {"x": 3, "y": 0.5}) == 9.5
    assert evaluate(e, {"x": Fraction(1, 2), "y": Fraction(1, 4)}) == 0.5


def test_an_index_with_a_value_selects_the_element():
    assert evaluate(parse("z_j"), {"z_2": 0.5, "j": 2}) == 0.5
    assert evaluate(parse("z_j"), {"z_j": 0.25, "z_2": 0.5, "j": 2}) == 0.25  # the name itself wins
    assert evaluate(parse("t_{ik}"), {"t_{2,3}": 7, "i": 2, "k": 3}) == 7.0
    with pytest.raises(EvaluationError, match="z_3"):
        evaluate(parse("z_j"), {"z_2": 0.5, "j": 3})
    with pytest.raises(EvaluationError, match="whole number"):
        evaluate(parse("z_j"), {"z_2": 0.5, "j": 2.5})


@pytest.mark.parametrize(
    "text, env, expected",
    [
        ("sum_{i=1}^{1e9} i",                {},                       1e9 * (1e9 + 1) / 2),
        ("sum_{i=1}^{N} i",                  {"N": 1e9},               1e9 * (1e9 + 1) / 2),
        ("sum_{i=1}^{N} i^3",                {"N": 10**6},             (10**6 * (10**6 + 1) // 2) ** 2),
        ("sum_{i=0}^{N} (i + 1)^2*x",        {"N": 10**6, "x": 2.0},   2 * (10**6 + 1) * (10**6 + 2) * (2 * 10**6 + 3) / 6),
        ("sum_{i=0}^{N} x^i",                {"N": 1e9, "x": 0.5},     2.0),
        ("sum_{i=1}^{N} 3*x^(2i+1)",         {"N": 10**6, "x": 0.5},   3 * 0.125 / (1 - 0.25)),
        ("sum_{i=1}^{N} (-1)^i",             {"N": 10**9 + 1},         -1.0),
        ("sum_{i=-5}^{N} i",                 {"N": 10**6},             10**6 * (10**6 + 1) / 2 - 15),
    ],
)
def test_long_sums_have_closed_forms(text, env, expected):
    assert evaluate(parse(text), env) == pytest.approx(expected, rel=1e-12)


def test_closed_forms_agree_with_adding_term_by_term():
    env = {"N": 1200, "y": 0.75}  # over 1,000 terms: the closed form is used
    for text in ("sum_{i=-3}^{N} (i^2 - 3i + 2)*y", "sum_{i=2}^{N} y^(i - 1)", "sum_{i=1}^{N} i*(i + y)^2"):
        s = parse(text)
        by_terms = math.fsum(evaluate(s.body, {**env, "i": k}) for k in range(int(s.lower.value), 1201))
        assert evaluate(s, env) == pytest.approx(by_terms, rel=1e-9)


def test_a_long_sum_without_a_closed_form_is_refused_quickly():
    with pytest.raises(LimitError, match=f"{MAX_SUM_TERMS:,}"):
        evaluate(parse("sum_{i=1}^{N} sin(i)"), {"N": 1e9})
    with pytest.raises(LimitError):
        evaluate(parse("sum_{i=1}^{N} sum_{k=1}^{N} sin(i*k)"), {"N": 1e5})


def test_empty_sums_are_zero():
    assert evaluate(parse("sum_{i=-1}^{-2} asin(y)"), {"y": 3}) == 0.0


def test_expand_sums_refuses_a_huge_range():
    with pytest.raises(SymdiffError, match="at most"):
        symdiff.expand_sums("sum_{i=1}^{1e9} i")


# ----------------------------------------------------------- resource limits


def test_orders_above_the_limit_are_refused():
    for call in (lambda n: symdiff.diff("x^2", "x", order=n), lambda n: symdiff.derive("x^2", "x", order=n)):
        with pytest.raises(LimitError, match=str(MAX_ORDER)):
            call(99999999999999999999)
        with pytest.raises(LimitError, match="too large to show"):
            call(10**5000)
    assert str(symdiff.diff("x^3", "x", order=MAX_ORDER)) == "0"


def test_input_longer_than_the_limit_is_a_parse_error_at_the_limit():
    text = "x+" * (MAX_INPUT_LENGTH // 2 + 10) + "x"
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert f"{MAX_INPUT_LENGTH:,}" in str(err)
    assert (err.line, err.column) == (1, MAX_INPUT_LENGTH + 1)  # the first character over the limit
    source, caret = str(err).splitlines()[-2:]
    assert len(source) < 100 and caret.index("^") < len(source)


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_max_length_raises_lowers_or_lifts_the_input_limit():
    text = "+".join(["x"] * (MAX_INPUT_LENGTH // 2 + 100))  # over the default
    assert len(text) > MAX_INPUT_LENGTH
    assert parse(text, max_length=len(text)).free == {x}
    assert parse(text, max_length=0).free == {x}  # 0: no limit
    with pytest.raises(ParseError) as info:
        parse("x + y", max_length=3)
    assert (info.value.line, info.value.column) == (1, 4)
    assert "--max-input" in str(info.value) and "max_length" in str(info.value)
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError):
            parse("x", max_length=bad)


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_input_limit_applies_to_diff_of_text():
    from symdiff.limits import input_limit, max_input_length

    text = "+".join(["x"] * (MAX_INPUT_LENGTH // 2 + 100))
    with pytest.raises(ParseError):
        symdiff.diff(text, "x")
    with input_limit(0):
        assert max_input_length() == 0
        assert str(symdiff.diff(text, "x")) == str(MAX_INPUT_LENGTH // 2 + 100)
    assert max_input_length() == MAX_INPUT_LENGTH


def test_cli_max_input():
    text = "+".join(["x"] * 3000)  # 5,999 characters
    cli = [sys.executable, "-m", "symdiff"]
    low = subprocess.run([*cli, "diff", "--max-input", "1000", text], capture_output=True, text=True)
    assert low.returncode == 2 and "the limit is 1,000" in low.stderr and "Traceback" not in low.stderr
    ok = subprocess.run([*cli, "diff", "--max-input", "6000", text], capture_output=True, text=True)
    assert (ok.returncode, ok.stdout.strip()) == (0, "3000")
    bad = subprocess.run([*cli, "simplify", "--max-input", "-5", "x"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_input_at_the_limit_parses():
    text = "+".join(["x"] * (MAX_INPUT_LENGTH // 2))
    assert len(text) < MAX_INPUT_LENGTH
    assert parse(text).free == {x}


@pytest.mark.parametrize("name", ["sqrt", "exp", "ln", "sin", "tan", "sigmoid", "abs", "asinh", "softplus", "erf"])
def test_deep_chains_of_every_kind_differentiate(name):
    # 2,000 levels; before issue 10 sigmoid took minutes from 80 levels on.
    text = f"{name}(" * 2000 + "x" + ")" * 2000
    d = symdiff.diff(text, "x")
    assert x in d.free


@pytest.mark.parametrize("text", ["sin(" * 3000 + "x" + ")" * 3000, "^".join(["x"] * 300)])
def test_a_second_derivative_past_the_size_limit_is_refused_before_it_is_built(text):
    # The product rule over 3,000 factors of a chain's derivative would write
    # 13.5 billion symbols: refused from the sizes of its operands.
    with pytest.raises(LimitError, match=f"more than {MAX_RESULT_SIZE:,} symbols"):
        symdiff.diff(text, "x", order=2)


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_nested_chains_under_a_sum_are_refused_by_their_factor_count():
    # d/dx of 3,000 nested exp( is exp(exp(x) + exp(exp(x)) + ...): its derivative
    # multiplies 1 + 2 + ... + 3,000 chain factors (it took 10 s to build and refuse).
    with pytest.raises(LimitError, match="chain rules multiply more than 1,000,000 factors"):
        symdiff.diff("exp(" * 3000 + "x" + ")" * 3000, "x", order=2)


def test_a_chain_of_5000_is_not_refused_for_its_written_size():
    # The chain rule's product shares its factors: cheap however long it prints.
    text = "ln(1 + " * 5000 + "x" + ")" * 5000
    d = symdiff.diff(text, "x")
    assert E.cost(d)[2] > MAX_RESULT_SIZE and evaluate(d, {"x": 1.0}) > 0


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_steps_longer_than_the_limit_are_refused_before_they_are_recorded():
    deep = "sin(" * 3000 + "x" + ")" * 3000
    with pytest.raises(SymdiffError, match=f"steps would run to at least .* limit of {MAX_OUTPUT:,}"):
        symdiff.derive(deep, "x")
    shallow = "sin(" * 200 + "x" + ")" * 200  # passes the estimate, refused as it is written
    with pytest.raises(SymdiffError, match="steps would run to at least"):
        symdiff.derive(shallow, "x").render()
    assert symdiff.derive(shallow, "x").render(max_length=0).count("Chain rule") == 199
    assert len(symdiff.derive("x^x", "x", max_length=2000).render()) <= 2000
    with pytest.raises(SymdiffError, match="limit of 100;"):
        symdiff.derive("x^x", "x", max_length=100).render()


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_a_normal_form_larger_than_the_derivative_is_not_taken():
    # Multiplied out, the second derivative of a 20-level tower has 1,500
    # terms; of 16 nested sin( it took 24 s to build.
    for text in ("^".join(["x"] * 20), "sin(" * 16 + "x" + ")" * 16):
        raw = symdiff.diff(symdiff.diff(text, "x"), "x", simplify=False)
        assert E.cost(symdiff.diff(text, "x", order=2))[0] <= E.cost(raw)[0]


def test_printed_length_estimates_the_printed_size():
    for text in ("x^2*sin(x) + log_2(x)", "sum_{i=1}^{N} x_i^2", "sin(" * 200 + "x" + ")" * 200):
        e = symdiff.diff(text, "x") if "sum" not in text else parse(text)
        assert len(str(e)) <= printed_length(e) <= 2 * len(str(e)) + 20


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True, text=True, timeout=300)


def test_cli_refuses_an_astronomically_long_result():
    done = _cli("diff", "sin(" * 1000 + "x" + ")" * 1000)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--max-output" in done.stderr and f"{MAX_OUTPUT:,}" in done.stderr
    small = _cli("diff", "sin(" * 30 + "x" + ")" * 30, "--max-output", "0")
    assert small.returncode == 0 and small.stdout.count("cos") == 30


def test_cli_refuses_steps_longer_than_the_limit():
    tower = "^".join(["x"] * 60)  # its steps run to about 600,000 characters
    done = _cli("diff", tower, "--steps", "--max-output", "100000")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "--max-output" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("diff", "x^2", "--order", "99999999999999999999"),
        ("diff", "1e" + "9" * 5000),
        ("eval", "x*y - z*w", "x=1e200", "y=1e200", "z=1e200", "w=1e200"),
        ("eval", "sin(x)", "x=inf"),
        ("eval", "sum_{i=1}^{N} sin(i)", "N=1e9"),
    ],
)
def test_cli_limits_are_one_line_errors(args):
    done = _cli(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("symdiff: error:")


def test_huge_integer_powers_skip_dense_polynomial_work():
    # The long fuzz run found simplify of 1/sqrt(1 + erfc(x)^1e32) listing
    # every degree up to 10^32 in search of rational roots.
    assert str(symdiff.simplify("1/sqrt(1 + erfc(x)^1e32)")) == "1/sqrt(erfc(x)^" + "1" + "0" * 32 + " + 1)"  # integers print as digits
    d = symdiff.diff("ln(1 + x^1e32)", "x", order=2)
    assert parse(str(d)) is d


@pytest.mark.parametrize("text", ["1 d/(dy_j)", "d^2/(dx^2)", "1/(d/(dy_j) + x^2)", "d/(dx)*y"])  # 1 d/dy_j: an operator
def test_a_quotient_of_names_d_and_dx_does_not_print_as_an_operator(text):
    # d/dy_j printed as is would read back as the derivative operator (found by the long fuzz run).
    e = parse(text)
    assert parse(str(e)) is e and type(e) is not E.Num
