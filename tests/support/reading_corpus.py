"""How people type mathematics, and what a careful reader takes it to mean.

Each row is text as it is typed into a calculator, a Wolfram-style query box,
a REPL (Python, NumPy, PyTorch, SymPy, Mathematica, MATLAB), a textbook
exercise or a paper, with where such typing comes from, and the meaning a
careful human reader takes: a plain-syntax expression with explicit `*` and
brackets that symdiff already reads, or an outcome.  The meanings were written
from the mathematics, not from what symdiff does.

Outcomes:
  read            the meaning, and no note
  read/note       the meaning; a note is allowed (a convention worth naming)
  noted           the meaning, with a note (a ReadingNote warning)
  noted/refused   ambiguous: one of the readings (`meaning` or `also`) with a
                  note naming it, or a refusal (ParseError with a column);
                  a silent answer is a guess, and counts as wrong
  refused         a ParseError with a line and column

A row is parsed (`symdiff.parse(text)`), or differentiated by the caller
(`symdiff.diff(text, wrt, order)`: `wrt` set), or asks for a derivative
itself (`asks`: `symdiff.diff(text)`, the variable and order come from the
text; `wrt` and `order` say what it asks for).  A reading is compared with the
meaning after `simplify`: the same tree, or equal at random points on the
same domain (`symdiff.check.compare`), undefined functions replaced by known
ones (f -> sin, g -> atan, h -> tanh) so they have values.  `exact` rows
must also simplify to an exact value (no function of a number left over);
`rename` rows compare up to the spelling of names that have no fixed plain
spelling (`k_+`, `\\text{negative\\_slope}`).

Run `python -m tests.support.reading_corpus` for the figures: read right, noted,
refused, wrong, and the rows whose outcome differs from the one expected.
"""

from __future__ import annotations

import itertools
import re
import sys
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import symdiff
from symdiff import expr as E
from symdiff import functions as F
from symdiff.check import compare
from symdiff.errors import ParseError, ReadingNote, SymdiffError

READ = "read"
READ_OR_NOTE = "read/note"
NOTED = "noted"
NOTE_OR_REFUSE = "noted/refused"
REFUSED = "refused"
OUTCOMES = (READ, READ_OR_NOTE, NOTED, NOTE_OR_REFUSE, REFUSED)
SYNTAXES = ("plain", "latex", "unicode", "words", "python", "mathematica", "matlab")


class Reading(NamedTuple):
    text: str
    syntax: str  # the notation it is written in; one of SYNTAXES
    source: str  # where such typing comes from
    meaning: str  # plain syntax; "" for a refusal
    outcome: str = READ
    why: str = ""  # for notes, refusals and ambiguity: what a reader weighs
    wrt: str | None = None  # the variable of a derivative (asked for, or given by the caller)
    order: int = 1
    asks: bool = False  # the text itself asks for the derivative
    also: tuple[str, ...] = ()  # other readings a careful reader may take (only with a note)
    exact: bool = False  # the reading must simplify to an exact value
    rename: bool = False  # names without a fixed plain spelling are matched up to renaming
    says: str = ""  # a refusal's reason must match this (regular expression, case-insensitive)


def read(text: str, syntax: str, source: str, meaning: str, outcome: str = READ, why: str = "",
         also: tuple[str, ...] = (), exact: bool = False, rename: bool = False) -> Reading:
    return Reading(text, syntax, source, meaning, outcome, why, also=also, exact=exact, rename=rename)


def by(text: str, wrt: str, syntax: str, source: str, derivative: str, outcome: str = READ,
       why: str = "", order: int = 1, also: tuple[str, ...] = ()) -> Reading:
    """The caller differentiates the text by `wrt`: diff(text, wrt, order)."""
    return Reading(text, syntax, source, derivative, outcome, why, wrt, order, also=also)


def asks(text: str, wrt: str, syntax: str, source: str, derivative: str, outcome: str = READ_OR_NOTE,
         why: str = "", order: int = 1) -> Reading:
    """The text asks for the derivative: diff(text) with no variable given."""
    return Reading(text, syntax, source, derivative, outcome, why, wrt, order, asks=True)


def refused(text: str, syntax: str, source: str, why: str, says: str = "") -> Reading:
    return Reading(text, syntax, source, "", REFUSED, why, says=says)


def matrix(text: str, syntax: str, source: str) -> Reading:
    """Matrix notation: refused, saying that shapes must be declared (item 8)."""
    return refused(text, syntax, source, MATRIX, says=MATRIX_SAYS)


HW = "a student's homework in plain text"
WA = "Wolfram Alpha query"
MATRIX = "matrix notation: refused until shapes are declared (matrix issue), never read as scalars"
MATRIX_SAYS = "matri|shape"
STRICT = "strict precedence gives one reading, the typist often means the other: a note naming it, or a refusal"
FACTOR = "a letter before a bracket is a factor; `^` binds tighter than juxtaposition"
PREFIX = "a module prefix is read with a note"
DERIVATIVE_OF_FX = "f(x)^g(x)*(g'(x)*ln(f(x)) + g(x)*f'(x)/f(x))"

CORPUS: tuple[Reading, ...] = (
    # ---------------------------------------------- issue 20, first table: confident wrong answers
    read("a(x+1)^2", "plain", "Stewart, Calculus 8e §3.4 exercise style", "a*(x + 1)^2", READ_OR_NOTE, FACTOR),
    read("x(x-1)^2", "plain", HW, "x*(x - 1)^2", READ_OR_NOTE, FACTOR),
    read("3x(x+1)^3", "plain", "Stewart, Calculus 8e §3.4 exercise style", "3*x*(x + 1)^3", READ_OR_NOTE, FACTOR),
    read("t(1-x)^2", "plain", "Bernstein basis polynomials as typed in a query box", "t*(1 - x)^2",
         READ_OR_NOTE, FACTOR),
    read("x^y (7 + 1/4)", "plain", HW, "29*x^y/4", READ_OR_NOTE,
         "the bracket is a factor of the product, not part of the exponent"),
    by("xy", "x", "plain", "a student's homework in plain text (glued letters)", "y", NOTE_OR_REFUSE,
       "the variable occurs only inside the longer name: letters as a product, with a note, or a refusal"),
    by("ax^2+bx+c", "x", "plain", "the quadratic as typed into a calculator", "2*a*x + b", NOTE_OR_REFUSE,
       "ax and bx: products of letters with a note, or a refusal; never 0"),
    by("xsinx", "x", "plain", HW, "sin(x) + x*cos(x)", NOTE_OR_REFUSE,
       "x*sin(x) glued: a note naming the reading, or a refusal"),
    by("xe^{x}", "x", "plain", "LaTeX habits in a plain-text box", "e^x + x*e^x", NOTE_OR_REFUSE,
       "x*e^x glued: a note naming the reading, or a refusal"),
    by("x^2", "t", "plain", "a slip of the variable on the command line", "0", NOTED,
       "t does not occur in x^2: the derivative is 0, with a note"),
    by("sin(x)", "y", "plain", "a gradient taken by the wrong variable", "0", NOTED,
       "y does not occur: 0 with a note"),
    asks("d/dx x^2 sin x", "x", "words", "Wolfram Alpha query / a calculator's derivative key",
         "2*x*sin(x) + x^2*cos(x)", why="at the start, the operator takes the whole rest"),
    asks(r"\frac{d}{dx} x^x", "x", "latex", "Stewart, Calculus 8e §3.6 (logarithmic differentiation)",
         "x^x*(ln(x) + 1)"),
    asks("d/dx (x^3 + 2x)", "x", "words", WA, "3*x^2 + 2"),
    asks("derivative of x^2 sin(x)", "x", "words", WA, "2*x*sin(x) + x^2*cos(x)"),
    asks("diff cos(x)", "x", "words", "a calculator app's command line", "-sin(x)"),
    asks("pi r^2 h wrt r", "r", "words", "Wolfram Alpha query (volume of a cylinder)", "2*pi*r*h"),
    asks("differentiate f(x)^g(x)", "x", "words", WA, DERIVATIVE_OF_FX),
    read(r"\mathrm{e}^x", "latex", "ISO 80000-2 upright e, usual in Japanese and European texts", "e^x"),
    read("E^x", "mathematica", "Mathematica (E is Euler's number)", "e^x", NOTED,
         "E read as Euler's number, with a note"),
    read("Pi*x", "mathematica", "Mathematica (Pi is π)", "pi*x", NOTED, "Pi read as π, with a note"),
    read("e^2x", "plain", HW, "e^(2*x)", NOTE_OR_REFUSE, STRICT, also=("e^2*x",)),
    read("x^1/2", "plain", HW, "x^(1/2)", NOTE_OR_REFUSE, STRICT, also=("x/2",)),
    read("2^3x", "plain", HW, "2^(3*x)", NOTE_OR_REFUSE, STRICT, also=("8*x",)),
    read("1/2x", "plain", HW, "x/2", NOTE_OR_REFUSE, STRICT, also=("1/(2*x)",)),
    matrix("x^T*A*x", "plain", "a quadratic form from linear-regression notes"),
    matrix("X'", "matlab", "MATLAB (X' is the transpose)"),
    matrix(r"\|X\mathbf{w} - \mathbf{y}\|^2", "latex", "least squares, Bishop PRML §3.1 style"),

    # ---------------------------------------------------------------------------- Unicode
    read("x² + 3x", "unicode", "text copied from a web page or a phone keyboard", "x^2 + 3*x"),
    read("√x", "unicode", "a phone calculator", "sqrt(x)"),
    read("√(x² + 1)", "unicode", "a phone calculator", "sqrt(x^2 + 1)"),
    read("∛x", "unicode", "a phone calculator", "sign(x)*abs(x)^(1/3)", READ_OR_NOTE,
         "the real cube root, defined for negative x too"),
    read("2πr", "unicode", "text copied from Wikipedia (circumference)", "2*pi*r"),
    read("sin(θ)cos(θ)", "unicode", "text copied from a physics web page", "sin(theta)*cos(theta)"),
    read("x·y", "unicode", "middle dot from a word processor", "x*y"),
    read("2⋅x", "unicode", "dot operator (U+22C5) from LaTeX-to-Unicode converters", "2*x"),
    read("3x × sin(x)", "unicode", "a word processor's multiplication sign", "3*x*sin(x)"),
    read("x − 1", "unicode", "minus sign (U+2212) from typeset text", "x - 1"),
    read("−x²", "unicode", "minus sign (U+2212) from typeset text", "-(x^2)"),
    read("(x² − 1) ÷ (x + 1)", "unicode", "a calculator's division key", "(x^2 - 1)/(x + 1)"),
    read("x₁² + x₂²", "unicode", "subscript and superscript digits from a web page", "x_1^2 + x_2^2"),
    read("x⁻¹", "unicode", "superscript minus one", "x^(-1)"),
    read("x³ − 2x² + 5", "unicode", "a phone keyboard's superscripts", "x^3 - 2*x^2 + 5"),
    read("sin²(x) + cos²(x)", "unicode", "text copied from a web page", "sin(x)^2 + cos(x)^2"),
    read("e^(−x)", "unicode", "symdiff's own --format unicode output", "e^(-x)"),
    read("log₂(x² + 1)", "unicode", "symdiff's own --format unicode output", "log_2(x^2 + 1)"),
    read("√x·σ(x)", "unicode", "symdiff's own --format unicode output", "sqrt(x)*sigmoid(x)"),
    read("∑_{i=1}^{N} tᵢ·ln(yᵢ)", "unicode", "symdiff's own --format unicode output",
         "sum_{i=1}^{N} t_i*ln(y_i)"),
    read("α·x + β", "unicode", "Greek letters from a word processor", "alpha*x + beta"),
    asks("d/dx x²", "x", "unicode", "a phone calculator's derivative template", "2*x"),

    # ------------------------------------------------------------------------- spellings
    read("log10(x)", "python", "NumPy / C math library (np.log10)", "log_10(x)"),
    read("log2(x)", "python", "NumPy / C math library (np.log2)", "log_2(x)"),
    read("log1p(x)", "python", "Python math.log1p", "ln(1 + x)"),
    read("expm1(x)", "python", "Python math.expm1", "exp(x) - 1"),
    read("cbrt(x)", "python", "Python 3.11 math.cbrt / np.cbrt", "sign(x)*abs(x)^(1/3)",
         why="the real cube root, defined for negative x too"),
    by("arccot(x)", "x", "plain", "Thomas' Calculus §3.9 style", "-1/(1 + x^2)",
       why="the derivative is the same under both range conventions"),
    by("acot(x)", "x", "python", "SymPy acot", "-1/(1 + x^2)"),
    by("asec(x)", "x", "python", "SymPy asec", "1/(abs(x)*sqrt(x^2 - 1))"),
    by("acsc(x)", "x", "python", "SymPy acsc", "-1/(abs(x)*sqrt(x^2 - 1))"),
    read("sech(x)", "plain", "Stewart, Calculus 8e §3.11 (hyperbolic functions)", "1/cosh(x)"),
    read("csch(x)", "plain", "Stewart, Calculus 8e §3.11", "1/sinh(x)"),
    read("coth(x)", "plain", "Stewart, Calculus 8e §3.11", "cosh(x)/sinh(x)"),
    read("acoth(x)", "python", "SymPy acoth", "atanh(1/x)"),
    read("arsinh(x)", "plain", "ISO 80000-2 spelling, European texts", "asinh(x)"),
    read("arcsinh(x)", "python", "NumPy np.arcsinh", "asinh(x)"),
    read("gelu(x)", "python", "PyTorch docs nn.GELU (GELU(x) = x*Φ(x), exact form)", "x*(1 + erf(x/sqrt(2)))/2"),
    read("silu(x)", "python", "PyTorch docs nn.SiLU", "x*sigmoid(x)"),
    read("swish(x)", "python", "TensorFlow tf.nn.swish (β = 1)", "x*sigmoid(x)"),
    read("atan2(y, x)", "python", "Python math.atan2 / np.arctan2", "atan2(y, x)",
         why="the angle of (x, y), defined on the negative x axis too (where the half-angle form "
             "2*atan(y/(sqrt(x^2 + y^2) + x)) is not)"),
    read("hypot(x, y)", "python", "Python math.hypot", "sqrt(x^2 + y^2)"),
    read("log(x, b)", "python", "Python math.log(x, base)", "ln(x)/ln(b)", NOTED,
         "Python and SymPy put the base second, Wolfram's Log[b, x] first: the note says which is read"),
    read("lg(x)", "plain", "Chinese and German school texts (log10); CLRS (log2)", "log_10(x)", NOTE_OR_REFUSE,
         "lg is log10 in some traditions and log2 in computer science", also=("log_2(x)",)),

    # ------------------------------------------------------ calculator, REPL and query forms
    asks("diff(x^2, x)", "x", "python", "SymPy / Maxima diff(expr, x)", "2*x"),
    asks("diff(x^3*sin(x), x, 2)", "x", "python", "SymPy diff(expr, x, 2)",
         "6*x*sin(x) + 6*x^2*cos(x) - x^3*sin(x)", order=2),
    asks("D[Sin[x^2], x]", "x", "mathematica", "Mathematica D[f, x]", "2*x*cos(x^2)"),
    asks("second derivative of x^4 - 3x^2", "x", "words", WA, "12*x^2 - 6", order=2),
    asks("(d/dx) [x^3 + 2x]", "x", "words", "a textbook's operator notation typed as text", "3*x^2 + 2"),
    asks("f'(x) if f(x) = x^2 + 1", "x", "words", "a homework question typed into a query box", "2*x"),
    read("math.sin(x)**2", "python", "Python math module code", "sin(x)^2", NOTED, PREFIX),
    read("np.exp(-x**2)", "python", "NumPy code", "exp(-(x^2))", NOTED, PREFIX),
    read("[2x+1]^6", "plain", "Stewart, Calculus 8e §3.4 (square brackets as grouping)", "(2*x + 1)^6"),
    read("sin^2 x", "plain", "textbook notation typed as text", "sin(x)^2"),
    read("cos^2 x", "plain", "textbook notation typed as text", "cos(x)^2"),
    asks("diff(x**2*exp(x), x)", "x", "python", "SymPy REPL", "2*x*exp(x) + x^2*exp(x)"),
    asks("diff(x**4, x, 2)", "x", "python", "SymPy REPL", "12*x^2", order=2),
    asks("diff(x^2*y, y)", "y", "python", "Maxima / SymPy, a partial derivative", "x^2"),
    asks("D[x^2 Sin[x], x]", "x", "mathematica", "Mathematica D[f, x]", "2*x*sin(x) + x^2*cos(x)"),
    asks("D[Log[x^2 + 1], x]", "x", "mathematica", "Mathematica D[f, x]", "2*x/(x^2 + 1)"),
    read("Sqrt[x^2 + 1]", "mathematica", "Mathematica", "sqrt(x^2 + 1)", READ_OR_NOTE),
    read("Exp[-x^2/2]", "mathematica", "Mathematica", "exp(-(x^2)/2)", READ_OR_NOTE),
    read("Log[x] + Cos[x]", "mathematica", "Mathematica (Log is natural)", "ln(x) + cos(x)", READ_OR_NOTE),
    read("ArcTan[x]", "mathematica", "Mathematica", "atan(x)", READ_OR_NOTE),
    asks("d/dx sin(x)/x", "x", "words", WA, "cos(x)/x - sin(x)/x^2",
         why="at the start, the operator takes the whole rest"),
    asks("derivative of e^(3x) with respect to x", "x", "words", WA, "3*e^(3*x)"),
    asks("differentiate x^3 ln x", "x", "words", WA, "3*x^2*ln(x) + x^2"),
    asks("derivative of sqrt(1 - x^2)", "x", "words", WA, "-x/sqrt(1 - x^2)"),
    asks("d^2/dx^2 x^4", "x", "words", WA, "12*x^2", order=2),
    asks("d/dt (t^2 e^t)", "t", "words", WA, "2*t*e^t + t^2*e^t"),
    asks("derivative of 1/(1+e^-x)", "x", "words", WA, "e^(-x)/(1 + e^(-x))^2"),
    asks("derivative of ln(x^2+1) wrt x", "x", "words", WA, "2*x/(x^2 + 1)"),
    asks("diff sin(2x)", "x", "words", "a calculator app's command line", "2*cos(2*x)"),
    asks("d/dx[x^2 + 1]", "x", "words", "a calculator app", "2*x"),
    asks("derivative of x^x", "x", "words", WA, "x^x*(ln(x) + 1)"),
    asks("d/dx x^2 + 1", "x", "words", "Wolfram Alpha / TI calculators: the operator takes the rest",
         "2*x"),
    asks("d/dx(x^3)", "x", "words", "Casio fx calculator's d/dx key", "3*x^2"),
    asks("d/dy (x y^2)", "y", "words", WA, "2*x*y"),
    asks("partial derivative of x^2 y with respect to y", "y", "words", WA, "x^2"),
    asks("x^3 - 2x wrt x", "x", "words", WA, "3*x^2 - 2"),
    asks("diff(sin(x)^2, x)", "x", "matlab", "MATLAB Symbolic Math Toolbox diff(f, x)", "2*sin(x)*cos(x)"),
    asks("diff(x^3, x, 2)", "x", "matlab", "MATLAB Symbolic Math Toolbox diff(f, x, n)", "6*x", order=2),
    read("exp(-x)*sin(x)", "matlab", "MATLAB", "exp(-x)*sin(x)"),
    matrix("x.^2 + 3*x", "matlab", "MATLAB elementwise power"),
    matrix("exp(-x).*cos(x)", "matlab", "MATLAB elementwise product"),

    # --------------------------------------------------------------- Python, NumPy, PyTorch
    read("x**3 + 2*x**2 - x", "python", "Python code", "x^3 + 2*x^2 - x"),
    read("x**0.5", "python", "Python code", "x^(1/2)"),
    read("(x + 1)**-2", "python", "Python code", "(x + 1)^(-2)"),
    read("2**x", "python", "Python code", "2^x"),
    read("abs(x)**3", "python", "Python code", "abs(x)^3"),
    read("exp(-x**2/2)/sqrt(2*pi)", "python", "SciPy docs, the normal density", "exp(-(x^2)/2)/sqrt(2*pi)"),
    read("x**2 * np.sin(x)", "python", "NumPy code", "x^2*sin(x)", NOTED, PREFIX),
    read("1/(1 + np.exp(-x))", "python", "NumPy code (logistic)", "1/(1 + exp(-x))", NOTED, PREFIX),
    read("numpy.log(1 + numpy.exp(x))", "python", "NumPy code (softplus)", "ln(1 + exp(x))", NOTED, PREFIX),
    read("np.log10(x)", "python", "NumPy code", "log_10(x)", NOTED, PREFIX),
    read("math.sqrt(x**2 + y**2)", "python", "Python math module code", "sqrt(x^2 + y^2)", NOTED, PREFIX),
    read("math.log(x)", "python", "Python math module code", "ln(x)", NOTED, PREFIX),
    read("torch.sigmoid(x) * (1 - torch.sigmoid(x))", "python", "PyTorch code", "sigmoid(x)*(1 - sigmoid(x))",
         NOTED, PREFIX),
    read("torch.tanh(w*x + b)", "python", "PyTorch code", "tanh(w*x + b)", NOTED, PREFIX),

    # --------------------------------------------------------------- plain and LaTeX agree
    read("|x|", "plain", HW, "abs(x)"),
    read("ln|x|", "plain", "Stewart, Calculus 8e §3.6 typed as text", "ln(abs(x))"),
    read(r"\ln|x|", "latex", "Stewart, Calculus 8e §3.6", "ln(abs(x))"),
    read("|x - 1| + |x + 1|", "plain", HW, "abs(x - 1) + abs(x + 1)"),
    read("sum_i t_i ln(y_i)", "plain", "cross-entropy typed as text", "sum_{i=1}^{N} t_i*ln(y_i)", READ_OR_NOTE,
         "no upper bound given: the sum over i = 1..N, a note may name N"),
    read(r"\sum_i t_i \ln y_i", "latex", "cross-entropy in a paper", "sum_{i=1}^{N} t_i*ln(y_i)", READ_OR_NOTE,
         "no upper bound given: the sum over i = 1..N, a note may name N"),
    read(r"\cos^2 x", "latex", "textbook LaTeX", "cos(x)^2"),
    read("Sin(x)", "plain", "capitalised by a phone keyboard", "sin(x)", READ_OR_NOTE),
    read(r"\operatorname{Sin}(x)", "latex", "LaTeX with a capitalised operator name", "sin(x)", READ_OR_NOTE),

    # ------------------------------------------------------------ LaTeX from papers and docs
    read(r"-\log p(y\mid x) = -y\log\sigma(z) - (1-y)\log(1-\sigma(z))", "latex",
         "logistic regression's negative log-likelihood, as ML notes write it",
         "-y*ln(sigmoid(z)) - (1 - y)*ln(1 - sigmoid(z))", READ_OR_NOTE,
         "an equation chain: the expression is its right side"),
    read(r"D_{\mathrm{KL}}(p\,\|\,q) = p \log\frac{p}{q} + (1-p)\log\frac{1-p}{1-q}", "latex",
         "Kullback-Leibler divergence of two Bernoulli distributions (Wikipedia)",
         "p*ln(p/q) + (1 - p)*ln((1 - p)/(1 - q))", READ_OR_NOTE, "an equation chain: its right side"),
    read(r"\sigma^{-1}(x) = \log(\frac{x}{1-x})", "latex", "Wikipedia, Logit", "ln(x/(1 - x))", READ_OR_NOTE,
         "an equation chain: its right side"),
    read(r"L_{CE}(\hat{y}, y) = -y\log\hat{y} - (1-y)\log(1-\hat{y})", "latex",
         "binary cross-entropy as ML tutorials write it", "-y*ln(yhat) - (1 - y)*ln(1 - yhat)", READ_OR_NOTE,
         "an equation chain: its right side"),
    read(r"\operatorname{MSE}=\frac{1}{n}\sum_{i=1}^n(Y_i-\hat{Y_i})^2", "latex",
         "Wikipedia, Mean squared error", "(1/n)*sum_{i=1}^{n} (Y_i - Yhat_i)^2"),
    read(r"\mathrm{RSS} = \sum_{i=1}^{n} (y_i - \hat y_i)^2", "latex", "ISLR §3.1 style",
         "sum_{i=1}^{n} (y_i - yhat_i)^2"),
    read(r"L_i = -\log\left(\frac{e^{f_{y_i}}}{ \sum_j e^{f_j} }\right)", "latex",
         "CS231n notes, softmax classifier", "-ln(e^fy/sum_{j=1}^{N} e^(f_j))", READ_OR_NOTE,
         "f_{y_i} is the score of the correct class", rename=True),
    read(r"\mathcal{L}_q = -\log \frac{\exp(q\cdot k_+/\tau)}{\sum_{i=0}^{K} \exp(q\cdot k_i/\tau)}", "latex",
         "He et al. 2020 (MoCo), eq. 1", "-ln(exp(q*kplus/tau)/sum_{i=0}^{K} exp(q*k_i/tau))", READ_OR_NOTE,
         rename=True),
    read(r"\text{LeakyReLU}(x) = \operatorname{relu}(x) - \text{negative\_slope} \cdot \operatorname{relu}(-x)",
         "latex", "PyTorch docs nn.LeakyReLU (max and min written with relu)",
         "relu(x) - s*relu(-x)", READ_OR_NOTE, rename=True),
    read(r"\ell(y) = (1 - t y)^+", "latex", "hinge loss with the positive part (u)^+ of optimisation texts",
         "relu(1 - t*y)", READ_OR_NOTE, "(u)^+ is max(u, 0)"),
    asks(r"\frac{d}{{dx}}\left( {x^2 \sin x} \right)", "x", "latex", "LaTeX exported by MathType / Word",
         "2*x*sin(x) + x^2*cos(x)", NOTE_OR_REFUSE,
         "braces as a bare group around an expression are not read yet: refused with a caret, never misread"),
    asks(r"\frac{\mathrm{d}}{\mathrm{d}x} x^3", "x", "latex", "ISO 80000-2 upright d, European texts", "3*x^2"),
    asks(r"\frac{d^2}{dx^2} \sin(3x)", "x", "latex", "Stewart, Calculus 8e §3.7 style", "-9*sin(3*x)", order=2),
    asks(r"\frac{d}{dx}x^{2}\sin x", "x", "latex", "Desmos expression list", "2*x*sin(x) + x^2*cos(x)"),
    asks(r"\frac{d}{dx}\left(\frac{x^2+1}{x-1}\right)", "x", "latex", "Symbolab", "(x^2 - 2*x - 1)/(x - 1)^2"),
    read(r"\mathrm{e}^{-x^2}", "latex", "ISO 80000-2 upright e", "e^(-(x^2))"),
    read(r"\text{e}^{2x}", "latex", "upright e written with \\text", "e^(2*x)"),
    read(r"\frac{1}{\sqrt{2\pi}} e^{-x^2/2}", "latex", "Wikipedia, Normal distribution", "e^(-(x^2)/2)/sqrt(2*pi)"),
    read(r"2\sin x\cos x", "latex", "Stewart, Calculus 8e §3.3", "2*sin(x)*cos(x)"),
    read(r"\arctan x + \log_{10} x", "latex", "textbook LaTeX", "atan(x) + log_10(x)"),
    read(r"\left|x\right| \sqrt{1 + x^2}", "latex", "textbook LaTeX", "abs(x)*sqrt(1 + x^2)"),
    matrix(r"\mathbf{x}^\top A \mathbf{x}", "latex", "a quadratic form (Bishop PRML)"),

    # ------------------------------------------------------------------------ exact values
    read("sin(pi)", "plain", "Stewart, Calculus 8e Appendix D (exact values)", "0", exact=True),
    read("cos(pi)*x", "plain", HW, "-x", exact=True),
    read("tan(pi/4)", "plain", "Stewart, Calculus 8e Appendix D", "1", exact=True),
    read("atan(1)", "plain", "Machin-style identities", "pi/4", exact=True),
    read("cos(pi/3)", "plain", "Stewart, Calculus 8e Appendix D", "1/2", exact=True),
    read("sin(pi/6) + cos(pi/6)", "plain", "a trigonometry exercise", "1/2 + sqrt(3)/2", exact=True),
    read("tan(pi/3)", "plain", "a trigonometry exercise", "sqrt(3)", exact=True),
    read("asin(1/2)", "plain", "a trigonometry exercise", "pi/6", exact=True),
    read("acos(0)", "plain", "a trigonometry exercise", "pi/2", exact=True),
    read("sin(2*pi)*x + x^2", "plain", HW, "x^2", exact=True),
    read("ln(e^3)", "plain", "Stewart, Calculus 8e §1.5", "3", exact=True),
    read("log_2(8)", "plain", "a logarithms exercise", "3", exact=True),
    read("log_10(1000)", "plain", "a logarithms exercise", "3", exact=True),

    # ---------------------------------------------------- glued letters and loose precedence
    by("sinx", "x", "plain", HW, "cos(x)", NOTED, "sinx read as sin(x), with a note"),
    by("lnx", "x", "plain", HW, "1/x", NOTED, "lnx read as ln(x), with a note"),
    by("xlnx", "x", "plain", HW, "ln(x) + 1", NOTE_OR_REFUSE, "x*ln(x) glued: a note, or a refusal"),
    by("2sinxcosx", "x", "plain", HW, "2*cos(2*x)", NOTE_OR_REFUSE,
       "2*sin(x)*cos(x) glued: a note, or a refusal"),
    read("sin 2x", "plain", "Stewart, Calculus 8e §3.3 writes sin 2x", "sin(2*x)", NOTE_OR_REFUSE, STRICT,
         also=("sin(2)*x",)),
    read("sqrt 2x", "plain", HW, "sqrt(2*x)", NOTE_OR_REFUSE, STRICT, also=("sqrt(2)*x",)),
    read("ln x/2", "plain", HW, "ln(x)/2", NOTE_OR_REFUSE, "ln(x)/2 or ln(x/2)", also=("ln(x/2)",)),
    read("sin x y", "plain", HW, "sin(x)*y", NOTE_OR_REFUSE, "sin(x)*y or sin(x*y)", also=("sin(x*y)",)),
    read("1/2 x^2", "plain", HW, "x^2/2", NOTE_OR_REFUSE, STRICT, also=("1/(2*x^2)",)),
    read("tan^-1(x)", "plain", "Stewart, Calculus 8e §1.6 writes tan^-1 for arctan", "atan(x)", NOTE_OR_REFUSE,
         "the inverse function, or 1/tan(x)", also=("1/tan(x)",)),
    read("x^2e^x", "plain", HW, "x^2*e^x", NOTE_OR_REFUSE,
         "a number glued to a letter after ^ (2e) is refused by the reading rules: x^(2e^x) or x^2*e^x"),
    read("e^-x", "plain", HW, "e^(-x)"),
    read("e^-x^2", "plain", HW, "e^(-(x^2))"),
    read("sqrt x + 1", "plain", HW, "sqrt(x) + 1", READ_OR_NOTE, "sqrt without brackets takes the next factor"),
    read("sec x tan x", "plain", "Stewart, Calculus 8e §3.3 writes sec x tan x", "sec(x)*tan(x)"),
    read("x sin x", "plain", "Stewart, Calculus 8e §3.3", "x*sin(x)"),
    read("1 + d/dx x^2", "words", "an operator inside a larger expression", "1 + 2*x", NOTED,
         "inside an expression the operator takes the rest of its term, with a note"),

    # ------------------------------------------------------------- textbook and homework text
    read("y = 3x^2 - 4x + 7", "plain", "Stewart, Calculus 8e §3.1 exercise style", "3*x^2 - 4*x + 7"),
    read("f(x) = (x^2+1)/(x-1)", "plain", "Stewart, Calculus 8e §3.2 exercise style", "(x^2 + 1)/(x - 1)"),
    read("g(t) = t^3 cos t", "plain", "Stewart, Calculus 8e §3.3 exercise style", "t^3*cos(t)"),
    read("y = e^x sin x", "plain", "Thomas' Calculus §3.3 exercise style", "e^x*sin(x)"),
    read("f(x) = sqrt(x) + 1/x", "plain", HW, "sqrt(x) + 1/x"),
    read("y = (2x + 1)^5 (x^3 - x + 1)^4", "plain", "Stewart, Calculus 8e §3.4 example 8",
         "(2*x + 1)^5*(x^3 - x + 1)^4"),
    read("y = ln(x^2 + 1)", "plain", "Stewart, Calculus 8e §3.6 exercise style", "ln(x^2 + 1)"),
    read("2x^3 - 5x^2 + x - 1", "plain", HW, "2*x^3 - 5*x^2 + x - 1"),
    read("e^x/x", "plain", HW, "e^x/x"),
    read("(3x+2)^5", "plain", HW, "(3*x + 2)^5"),
    read("tan(x)sec(x)", "plain", HW, "tan(x)*sec(x)"),
    read("x^(1/3)", "plain", HW, "x^(1/3)"),
    read("ln(sin(x))", "plain", HW, "ln(sin(x))"),
    read("e^(x^2)", "plain", HW, "e^(x^2)"),
    read("5^x", "plain", "Stewart, Calculus 8e §3.6", "5^x"),
    read("x^x", "plain", "Stewart, Calculus 8e §3.6", "x^x"),
    read("sin(cos(x))", "plain", HW, "sin(cos(x))"),
    read("(1+x)^(1/x)", "plain", HW, "(1 + x)^(1/x)"),
    read("x^2 - 4x + 4", "plain", "a school algebra exercise", "x^2 - 4*x + 4"),
    read("2(x + 3)(x - 1)", "plain", "a school algebra exercise", "2*(x + 3)*(x - 1)"),
    read("-x^2 + 2x", "plain", HW, "-(x^2) + 2*x"),

    # ---------------------------------------------------------------- what cannot be read
    refused("x +* 2", "plain", "a typo", "an operator with no operand"),
    refused("2x +", "plain", "an unfinished line", "nothing after +"),
    refused("(x+1", "plain", "an unbalanced bracket", "the bracket is not closed"),
    refused("sin()", "plain", "an empty call", "a function with no argument"),
    refused("d/dx", "words", "an operator with nothing to act on", "nothing to differentiate"),
    refused("derivative of", "words", "an unfinished query", "nothing to differentiate"),
    refused("∫x dx", "unicode", "an integral pasted into the derivative box",
            "symdiff differentiates; an integral must not be read as a product of letters"),
    refused("lim x->0 sin(x)/x", "words", "a limit typed into the derivative box",
            "a limit must not be read as a product of names"),
)


# ------------------------------------------------------------------------- judging


@dataclass(frozen=True)
class Verdict:
    kind: str  # "read right" | "noted" | "refused" | "wrong"
    ok: bool  # as the row expects
    detail: str  # what happened, for a failure message


KINDS = ("read right", "noted", "refused", "wrong")
CONCRETE = {"f": "sin", "g": "atan", "h": "tanh"}  # undefined functions -> rows with values
_U = E.sym("u")


def _concrete(e: E.Expr) -> E.Expr:
    """`e` with each undefined function (and its derivatives f', f'') replaced by a known one."""

    def visit(node: E.Expr) -> E.Expr | None:
        if type(node) is E.Func and node.name not in F.FUNCTIONS:
            base, primes = F.undefined_name(node.name)
            shape = F.FUNCTIONS[CONCRETE.get(base, "sigmoid")](_U)
            for _ in range(primes):
                shape = symdiff.diff(shape, _U)
            return E.replace_subtrees(shape, {_U: node.arg})
        return None

    return E.transform(e, visit)


def _syms(e: E.Expr) -> set[E.Expr]:
    """The names of `e`, leaving out those that only index another (y_i in f_{y_i})."""
    names = {n for n in E.postorder(e) if type(n) is E.Sym}
    inner = {m for s in names for k in s.args for m in E.postorder(k)}
    return names - inner


def _renamings(want: E.Expr, have: E.Expr) -> list[E.Expr]:
    """`have` with its names that `want` lacks renamed to the names `want` has
    and `have` lacks, every way round (at most a few names)."""
    ours, theirs = _syms(want), _syms(have)
    spelt = {str(s) for s in ours}
    extra = sorted((s for s in theirs if str(s) not in spelt), key=str)
    missing = sorted((s for s in ours if str(s) not in {str(t) for t in theirs}), key=str)
    if len(extra) != len(missing) or not extra or len(extra) > 4:
        return [have]
    return [E.replace_subtrees(have, dict(zip(extra, perm))) for perm in itertools.permutations(missing)]


def _names(e: E.Expr) -> str:
    return ", ".join(sorted(f"{s} ({type(s).__name__})" for s in _syms(e) | {
        n for n in E.postorder(e) if type(n) is E.Const}))


def _has_unevaluated_value(e: E.Expr) -> bool:
    """A function or logarithm of a constant left in `e` (sin(pi), log_2(8))."""
    return any(type(n) in (E.Func, E.Log) and not n.free for n in E.postorder(e))


def _expected(row: Reading) -> list[E.Expr]:
    return [symdiff.simplify(symdiff.parse(m)) for m in (row.meaning, *row.also)]


def same(want: E.Expr, have: E.Expr, rename: bool = False) -> bool:
    """The same tree after simplify, or equal at random points on the same domain."""
    have = symdiff.simplify(have)
    for candidate in _renamings(want, have) if rename else [have]:
        if candidate is want:
            return True
        try:
            verdict = compare(_concrete(want), _concrete(candidate))
        except SymdiffError:
            continue
        if verdict.equal and not verdict.how.startswith("both are undefined"):
            return True
    return False


def attempt(row: Reading) -> E.Expr:
    """What symdiff makes of the row's text: its reading, or the derivative asked for."""
    if row.asks:
        return symdiff.diff(row.text)
    if row.wrt is not None:
        return symdiff.diff(row.text, row.wrt, row.order)
    return symdiff.parse(row.text)


def judge(row: Reading) -> Verdict:
    """Run the row through symdiff and say what it did, and whether the row expects that."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            got: E.Expr | None = attempt(row)
            error: Exception | None = None
        except Exception as err:  # noqa: BLE001 - a crash is a verdict too
            got, error = None, err
    notes = [str(w.message) for w in caught if issubclass(w.category, ReadingNote)]
    said = f" (notes: {notes})" if notes else ""
    if error is not None:
        if isinstance(error, ParseError):
            lines = row.text.splitlines() or [""]
            placed = 1 <= error.line <= len(lines) and 1 <= error.column <= len(lines[error.line - 1]) + 1
            detail = f"refused: {error.reason} (line {error.line}, column {error.column})"
            if not placed:
                return Verdict("refused", False, detail + ": the column is outside the text")
            if row.says and not re.search(row.says, error.reason, re.IGNORECASE):
                return Verdict("refused", False, detail + f": the reason should say /{row.says}/")
            return Verdict("refused", row.outcome in (REFUSED, NOTE_OR_REFUSE), detail)
        if isinstance(error, SymdiffError):
            return Verdict("refused", False, f"refused without a position: {type(error).__name__}: {error}")
        return Verdict("wrong", False, f"crashed: {type(error).__name__}: {error}")
    assert got is not None
    readings = _expected(row) if row.meaning else []
    matched = next((k for k, want in enumerate(readings) if same(want, got, row.rename)), None)
    simple = symdiff.simplify(got)
    shown = f"read as {simple}{said}"
    if matched is not None and row.exact and _has_unevaluated_value(simple):
        return Verdict("wrong", False, shown + ": right in value, but not simplified to an exact value")
    if matched is None:
        if readings and _names(simple) != _names(readings[0]):  # \mathrm{e} as a variable prints as e
            shown += f": its names are {_names(simple)}; the meaning's are {_names(readings[0])}"
        return Verdict("wrong", False, shown)
    if not notes:
        if row.outcome == NOTE_OR_REFUSE:
            return Verdict("wrong", False, shown + ": an ambiguous text answered silently (a guess)")
        if matched > 0:
            return Verdict("wrong", False, shown + ": another reading, silently")
        return Verdict("read right", row.outcome in (READ, READ_OR_NOTE),
                       shown if row.outcome in (READ, READ_OR_NOTE) else shown + ": expected a note")
    return Verdict("noted", row.outcome in (READ_OR_NOTE, NOTED, NOTE_OR_REFUSE),
                   shown if row.outcome != READ else shown + ": a note where the reading is not in doubt")


def summary() -> tuple[str, dict[str, int], list[tuple[Reading, Verdict]]]:
    """The figures (read right / noted / refused / wrong), as text and counts, and the rows not as expected."""
    counts = dict.fromkeys(KINDS, 0)
    misses = []
    for row in CORPUS:
        v = judge(row)
        counts[v.kind] += 1
        if not v.ok:
            misses.append((row, v))
    total = len(CORPUS)
    lines = [f"reading corpus: {total} inputs",
             "  " + ", ".join(f"{k}: {n}" for k, n in counts.items()),
             f"  as expected: {total - len(misses)} of {total}"]
    return "\n".join(lines), counts, misses


def main() -> int:
    text, _, misses = summary()
    print(text)
    for row, v in misses:
        wanted = row.outcome + (f" {row.meaning}" if row.meaning else "")
        print(f"- {row.text!r}{f' by {row.wrt}' if row.wrt and not row.asks else ''} [{row.source}]\n"
              f"    expected {wanted}; {v.detail}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
