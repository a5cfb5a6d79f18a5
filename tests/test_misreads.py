"""Input people type that used to get a confident wrong answer: each now gets
the right answer, or a note on stderr saying how it was read (CLI, fresh process)."""

import math
import subprocess
import sys

import pytest

import symdiff


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True, text=True,
                          timeout=60)


def central(f, x: float, h: float = 1e-5) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize(
    "args, out, note",
    [
        (["diff", "erf(x)"],                          "2*exp(-x^2)/sqrt(pi)",   None),
        (["diff", "g(x)^2", "--wrt", "x"],            "2*g(x)*g'(x)",           None),
        (["diff", "f(g(x))", "--wrt", "x"],           "f'(g(x))*g'(x)",         None),
        (["diff", "relu(x)", "--wrt", "x"],           "heaviside(x)",           None),
        (["diff", "asinh(x)"],                        "1/sqrt(x^2 + 1)",        None),
        (["diff", "sinx", "--wrt", "x"],              "cos(x)",                 "read 'sinx' as 'sin x'"),
        (["diff", "d/dx x^2", "--wrt", "x"],          "2*x",                    "read 'd/dx' as asking for d/dx"),
        (["simplify", "d/dx x^2"],                    "2*x",                    "read 'd/dx'"),
        (["diff", r"\frac{d}{dx}\left(x^2\right)", "--wrt", "x"], "2*x",       "read '\\frac{d}{dx}'"),
        (["simplify", r"\frac{d}{dx}\left(x^2\right)"], "2*x",              "read '\\frac{d}{dx}'"),
        (["diff", "x^2*y^3", "--wrt", "x", "--wrt", "y"], "6*x*y^2",            None),
        (["diff", "x^2*y^3", "--wrt", "x,y"],         "6*x*y^2",                None),
        (["diff", "-x^2"],                            "-2*x",                   None),
        (["diff", "x^2", "--lang", "ja"],             "2*x",                    "--lang changes the --steps"),
        (["diff", "a(x+1)", "--wrt", "x"],            "a",                      "read a(...) as the product"),
        (["diff", "cost", "--wrt", "cost"],           "1",                      None),  # the variable named
        (["diff", "cost", "--wrt", "t"],              "-sin(t)",                "read 'cost' as 'cos t'"),
        (["diff", "sin x^2"],                         "2*x*cos(x^2)",           None),
        (["diff", "sin^2(x)"],                        "sin(2*x)",               None),
    ],
)
def test_cli_reads_what_was_meant(args, out, note):
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == out
    if note is None:
        assert result.stderr == ""
    else:
        assert note in result.stderr and "Traceback" not in result.stderr


def test_a_concrete_index_outside_the_sum_does_not_collapse():
    # beta_0 is not among beta_1 ... beta_p, whatever p is
    assert symdiff.diff(r"\lambda\sum_{j=1}^{p}\beta_j^2", r"\beta_0") == symdiff.parse("0")
    with pytest.warns(symdiff.errors.AssumptionNote, match="1 <= k <= p"):
        d = symdiff.diff(r"\lambda\sum_{j=1}^{p}\beta_j^2", r"\beta_k")
    assert d == symdiff.parse("2*beta_k*lambda")


@pytest.mark.parametrize("name", ["erf", "erfc", "asinh", "atanh", "softplus", "sigmoid"])
def test_new_rows_differentiate_to_their_slope(name):
    d = symdiff.diff(f"{name}(x)", "x")
    f = lambda x: symdiff.evaluate(f"{name}(x)", {"x": x})  # noqa: E731
    for x in (-0.7, 0.3, 0.9):
        assert math.isclose(symdiff.evaluate(d, {"x": x}), central(f, x), rel_tol=1e-6)


def test_undefined_functions_have_no_value():
    with pytest.raises(symdiff.EvaluationError, match="undefined function"):
        symdiff.evaluate("f(x)", {"x": 1.0})


def test_relu_slope_is_undefined_at_zero():
    d = symdiff.diff("relu(x)", "x")
    assert symdiff.evaluate(d, {"x": 2.0}) == 1.0 and symdiff.evaluate(d, {"x": -2.0}) == 0.0
    with pytest.raises(symdiff.EvaluationError, match="heaviside"):
        symdiff.evaluate(d, {"x": 0.0})


@pytest.mark.parametrize(
    "text, meant",
    [
        ("a(x+1)^2",       "a*(x+1)^2"),
        ("x(x-1)^2",       "x*(x-1)^2"),
        ("3x(x+1)^3",      "3*x*(x+1)^3"),
        ("t(1-x)^2",       "t*(1-x)^2"),
        ("-a(x+1)^2",      "-(a*(x+1)^2)"),
        ("x^y (7 + 1/4)",  "x^y*(29/4)"),
        ("2^-a(x)",        "2^(-a)*x"),
        (r"a\left(x+1\right)^2", "a*(x+1)^2"),
    ],
)
def test_a_factor_before_a_bracket_is_a_factor_and_powers_bind_tighter(text, meant):
    with pytest.warns(symdiff.ReadingNote, match=r"as the product"):
        got = symdiff.parse(text)
    assert got == symdiff.parse(meant)


def test_a_factor_before_a_bracket_on_the_command_line():
    result = run("diff", "a(x+1)^2", "--wrt", "x")
    assert (result.returncode, result.stdout.strip()) == (0, "2*a*(x + 1)")
    assert result.stderr.count("note:") == 1


@pytest.mark.parametrize(
    "args, out, note",
    [
        (["diff", "xy", "--wrt", "x"],          "y",                  "read 'xy' as 'x y'"),
        (["diff", "ax^2+bx+c", "--wrt", "x"],   "2*a*x + b",          "read 'ax' as 'a x'"),
        (["diff", "xsinx", "--wrt", "x"],       "x*cos(x) + sin(x)",  "read 'xsinx' as 'x sin x'"),
        (["diff", "xsin(x)", "--wrt", "x"],     "x*cos(x) + sin(x)",  "read xsin(...) as x*sin(...)"),
        (["diff", "x^2", "--wrt", "t"],         "0",                  "t does not occur in x^2"),
        (["diff", "x^1/2"],                     "1/2",                "read ^1/2 as the power 1, then a division"),
    ],
)
def test_the_variable_inside_a_longer_name_is_never_a_silent_zero(args, out, note):
    result = run(*args)
    assert (result.returncode, result.stdout.strip()) == (0, out), result.stderr
    assert note in result.stderr


def test_a_short_name_holding_the_variable_that_also_stands_alone_is_refused():
    result = run("diff", "xe^{x}", "--wrt", "x")
    assert result.returncode == 2 and "write x*e for a product" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("text, readings", [
    ("e^2x", "e^(2x) or e^2*x"), ("2^3x", "2^(3x) or 2^3*x"), ("1/2x", "1/(2x) or 1/2*x"),
    ("x^2y", "x^(2y) or x^2*y"), ("e^-2x", "e^(-2x) or e^-2*x"),
])
def test_a_number_glued_to_a_letter_is_not_split_by_a_guess(text, readings):
    result = run("diff", text, "--wrt", "x")
    assert result.returncode == 2 and readings in result.stderr and "^" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_a_space_ends_an_exponent():
    assert symdiff.parse("e^2 x") == symdiff.parse("e^2*x")
    assert symdiff.parse("x^2 y") == symdiff.parse("x^2*y")
    assert symdiff.parse("1/2 x") == symdiff.parse("(1/2)*x")


@pytest.mark.parametrize(
    "text, meant, note",
    [
        ("|x|",                  "abs(x)",                          None),
        ("ln|x|",                "ln(abs(x))",                      None),
        ("2|x - 1|^2",           "2*abs(x - 1)^2",                  None),
        ("sum_i t_i ln(y_i)",    "sum_{i=1}^{N} t_i*ln(y_i)",       "sum over i = 1..N"),
        ("sum_{k} t_k",          "sum_{k=1}^{K} t_k",               "sum over k = 1..K"),
        ("cos^2 x",              "cos(x)^2",                        None),
        ("sin^2 x + cos^2 x",    "sin(x)^2 + cos(x)^2",             None),
        ("sin^-1 x",             "asin(x)",                         "inverse function asin"),
        ("[2x+1]^6",             "(2*x + 1)^6",                     None),
        ("math.sin(x)**2",       "sin(x)^2",                        "prefix math. is dropped"),
        ("np.exp(-x**2)",        "exp(-(x^2))",                     "prefix np. is dropped"),
        ("torch.sigmoid(w*x)",   "sigmoid(w*x)",                    "prefix torch. is dropped"),
        ("np.pi*x",              "pi*x",                            "prefix np. is dropped"),
    ],
)
def test_plain_reads_what_latex_reads_and_what_code_writes(text, meant, note):
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", symdiff.ReadingNote)
        got = symdiff.parse(text)
    assert got == symdiff.parse(meant)
    notes = " ".join(str(w.message) for w in caught)
    assert (note in notes) if note else not notes


@pytest.mark.parametrize(
    "plain, latex",
    [("|x|", r"\left|x\right|"), ("ln|x|", r"\ln|x|"), ("sum_i t_i ln(y_i)", r"\sum_i t_i \ln(y_i)"),
     ("cos^2 x", r"\cos^2 x"), ("a(x+1)^2", r"a(x+1)^2")],
)
def test_plain_and_latex_agree(plain, latex):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", symdiff.ReadingNote)
        assert symdiff.parse(plain) == symdiff.parse(latex)


@pytest.mark.parametrize("text, fault", [
    ("x^T*A*x", "^T reads as a transpose"), ("X'*X", "X' reads as a transpose"),
    ("x.*y", ".* is an elementwise matrix operator"),
])
def test_matrix_notation_is_refused_not_read_as_scalars(text, fault):
    result = run("diff", text, "--wrt", "x")
    assert result.returncode == 2 and fault in result.stderr and "declared shapes" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_power_of_a_variable_named_T_prints_so_that_it_reads_back():
    e = symdiff.parse("x^(T)")
    assert str(e) == "x^(T)" and symdiff.parse(str(e)) == e
    assert symdiff.parse("(1 + r)^T*T") == symdiff.parse("T*(1 + r)^(T)")
