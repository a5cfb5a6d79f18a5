"""The reading rules: how symdiff reads what people type, one row per convention.

This table is the contract that the README's "Reading rules" section shows
(`python -m symdiff.reading` prints it) and that `tests/test_reading_rules.py`
checks, example by example, in both syntaxes.  The rules themselves are
implemented once, in `grammar/*.lark` and `symdiff/parse.py` (with shapes:
`symdiff/matrix/read.py` and `latex.py`); each example here says what the text
must read as, and the note or refusal it must give.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    """One input and what a careful reader takes it to mean.

    `meaning` is plain text with every operator written out (None when the
    input is refused); `says` is part of the note or error the input must give
    (empty: read silently); `wrt` is the variable of differentiation the
    reading may rely on; `asks` marks input that asks for a derivative, whose
    `symdiff.diff(text)` is `meaning`; `shapes` are the declared vectors and
    matrices both are read with (`SHAPES` in the matrix rules)."""

    text: str
    meaning: str | None
    says: str = ""
    wrt: str | None = None
    asks: bool = False
    shapes: Mapping[str, tuple[str, ...]] | None = None

    @property
    def outcome(self) -> str:
        return "refused" if self.meaning is None else "noted" if self.says else "read"


@dataclass(frozen=True)
class Rule:
    name: str
    rule: str
    plain: tuple[Example, ...]
    latex: tuple[Example, ...]


E = Example
# The shapes the matrix rules' examples are read with.
SHAPES: Mapping[str, tuple[str, ...]] = {"x": ("n",), "y": ("n",), "w": ("n",), "A": ("n", "n"), "T": ("n", "n"),
                                         "X": ("m", "n"), "c": ()}
SHAPES_TEXT = "x, y, w: n-vectors; A, T: n×n; X: m×n; c: a scalar"


def M(text: str, meaning: str | None, says: str = "") -> Example:
    """An example read with the matrix rules' shapes."""
    return Example(text, meaning, says, shapes=SHAPES)


RULES: tuple[Rule, ...] = (
    Rule("juxtaposition", "Writing factors side by side multiplies them.",
         (E("2x", "2*x"), E("2(x+1)", "2*(x+1)"), E("(x+1)(x-1)", "(x+1)*(x-1)"), E("2 sin(x)", "2*sin(x)"),
          E("t_i log(y_i)", "t_i*ln(y_i)")),
         (E(r"2x", "2*x"), E(r"2\left(x+1\right)", "2*(x+1)"), E(r"xy", "x*y"), E(r"t_i \log y_i", "t_i*ln(y_i)"))),
    Rule("factor before a bracket",
         "A single letter before a bracket is a factor, and `^` after the bracket binds to the bracket; "
         "a note says so.",
         (E("a(x+1)^2", "a*(x+1)^2", "as the product a*(...)"), E("3x(x+1)^3", "3*x*(x+1)^3", "as the product"),
          E("x^y (7 + 1/4)", "x^y*(29/4)", "as the product")),
         (E(r"a(x+1)^2", "a*(x+1)^2", "as the product"),
          E(r"\lambda\left(x+1\right)^2", "lambda*(x+1)^2", "as the product"))),
    Rule("function letters", "`f`, `g`, `h` (and `\\phi`, `\\psi` in LaTeX) and unknown longer names before a "
         "bracket are undefined functions.",
         (E("f(x)^2", "f(x)^2"), E("g(x^2)", "g(x^2)")),
         (E(r"f\left(x\right)^2", "f(x)^2"), E(r"g(x^2)", "g(x^2)"))),
    Rule("function without brackets", "A function's name without brackets takes the next factor only; another "
         "factor after it is refused.",
         (E("sin x^2", "sin(x^2)"), E("ln 2", "ln(2)"), E("sin x y", None, "takes only the next factor"),
          E("ln x/2", "ln(x)/2", "read ln without brackets before /")),
         (E(r"\sin x^2", "sin(x^2)"), E(r"\log y_{ik}", "ln(y_{ik})"), E(r"\sin x y", None, "takes only the next factor"))),
    Rule("powers of functions", "`sin^2 x` is sin(x)^2; `sin^-1 x` is the inverse function, with a note.",
         (E("sin^2 x", "sin(x)^2"), E("cos^2(x)", "cos(x)^2"), E("sin^-1 x", "asin(x)", "inverse function asin")),
         (E(r"\sin^2 x", "sin(x)^2"), E(r"\cos^{2}(x)", "cos(x)^2"), E(r"\sin^{-1} x", "asin(x)", "inverse function asin"))),
    Rule("number glued to a letter",
         "A number glued to a letter (`2x`) is one unit to the eye, so plain text where `^` or `/` would split "
         "it is refused, naming both readings; in LaTeX, so is text glued to an unbraced superscript or "
         "divisor. Braces, `\\frac` or a space say which is meant.",
         (E("e^2x", None, "could mean e^(2x) or e^2*x"), E("1/2x", None, "could mean 1/(2x) or 1/2*x"),
          E("x^2y", None, "could mean x^(2y) or x^2*y"), E("6/2(1+2)", None, "could mean 6/(2(...)) or 6/2*(...)")),
         (E(r"e^2x", None, "^2 without braces is one character"), E(r"1/2x", None, "/ divides by 2 alone"),
          E(r"e^{2x}", "exp(2*x)"), E(r"\frac{1}{2}x", "x/2"))),
    Rule("space ends an operand", "After `^` or `/`, a space ends the operand: `e^2 x` is e^2*x.",
         (E("e^2 x", "e^2*x"), E("1/2 x", "x/2", "read 1/2 x as (1/2)*x"), E("x^2 y", "x^2*y")),
         (E(r"e^{2} x", "e^2*x"), E(r"x^{2} y", "x^2*y"))),
    Rule("fraction after a power", "`x^1/2` is (x^1)/2, since `^` binds tighter than `/`; a note says how to "
         "write the power 1/2.",
         (E("x^1/2", "x/2", "write ^(1/2)"),),
         (E(r"x^{1/2}", "sqrt(x)"), E(r"x^1/2", "x/2"))),
    Rule("glued function names", "A function's name glued to a variable, `sinx`, is `sin x` when that letter "
         "is a variable of the expression (or the `--wrt` one); else it is one name. A note says which.",
         (E("x*sinx", "x*sin(x)", "read 'sinx' as 'sin x'"), E("cost", "cost", "read 'cost' as one name"),
          E("cost", "cos(t)", "read 'cost' as 'cos t'", wrt="t")),
         (E(r"\sin x", "sin(x)"),)),
    Rule("variable inside a name",
         "When the variable of differentiation occurs only inside longer names, those names are read as "
         "products of their letters (and function names), with a note; a short name holding it while it "
         "also stands alone is refused. In LaTeX letters are always separate.",
         (E("xy", "x*y", "read 'xy' as 'x y'", wrt="x"), E("ax^2+bx+c", "a*x^2+b*x+c", "read 'ax' as 'a x'", wrt="x"),
          E("xsinx", "x*sin(x)", "read 'xsinx' as 'x sin x'", wrt="x"),
          E("xsin(x)", "x*sin(x)", "read xsin(...) as x*sin(...)", wrt="x"),
          E("xe^x", None, "'xe' holds the variable x, which also stands alone", wrt="x")),
         (E(r"xy", "x*y", wrt="x"), E(r"ax^2+bx+c", "a*x^2+b*x+c", wrt="x"))),
    Rule("constants", "`e` is Euler's number and `pi` is π.",
         (E("e^x", "exp(x)"), E("2pi", "2*pi")),
         (E(r"e^{x}", "exp(x)"), E(r"2\pi", "2*pi"))),
    Rule("spellings", "Other tools' spellings of a function are that function's row: `log10`, `log2`, `gelu`, "
         "`atan2`, ...; where tools disagree (`lg`, `log(x, b)`, capitals, `E`, `Pi`) a note says how it was read.",
         (E("log10(x)", "log_10(x)"), E("gelu(x)", "x*(1 + erf(x/sqrt(2)))/2"), E("atan2(y, x)", "atan2(y, x)"),
          E("lg(x)", "log_10(x)", "read lg as log_10"), E("log(x, b)", "log_b(x)", "read log(u, b) as log_b(u)"),
          E("Sin(x)", "sin(x)", "read Sin(...) as sin(...)"), E("E^x", "exp(x)", "read E as the constant e")),
         (E(r"\operatorname{atan2}(y, x)", "atan2(y, x)"), E(r"\mathrm{e}^{x}", "exp(x)"),
          E(r"\operatorname{Tanh}(x)", "tanh(x)"))),
    Rule("bars", "`|u|` is the absolute value, in both syntaxes; a bar opens or closes by what stands before it.",
         (E("|x|", "abs(x)"), E("ln|x|", "ln(abs(x))"), E("2|x - 1|^2", "2*abs(x-1)^2")),
         (E(r"\left|x\right|", "abs(x)"), E(r"\ln|x|", "ln(abs(x))"), E(r"\lvert x \rvert", "abs(x)"))),
    Rule("square brackets", "Square brackets group, as round ones do; after a name they apply it, as in "
         "Mathematica (with a note).",
         (E("[2x+1]^6", "(2*x+1)^6"), E("sin[x]", "sin(x)", "square brackets after a function's name"),
          E("f[x]", "f(x)", "square brackets after a name")),
         (E(r"\left[2x+1\right]^6", "(2*x+1)^6"), E(r"\lbrack x+1 \rbrack^2", "(x+1)^2"))),
    Rule("sums", "A sum's body runs to the end of the product; without an upper bound, `i` runs to N and "
         "another index to its capital (a note says so).",
         (E("sum_{i=1}^{N} x_i*y_i + 1", "(sum_{i=1}^{N} x_i*y_i) + 1"),
          E("sum_i t_i ln(y_i)", "sum_{i=1}^{N} t_i*ln(y_i)", "sum over i = 1..N"),
          E("sum_{k} t_k", "sum_{k=1}^{K} t_k", "sum over k = 1..K")),
         (E(r"\sum_{i=1}^{N} x_i y_i + 1", "(sum_{i=1}^{N} x_i*y_i) + 1"),
          E(r"\sum_i t_i \ln(y_i)", "sum_{i=1}^{N} t_i*ln(y_i)", "sum over i = 1..N"))),
    Rule("code", "A module prefix from code (`math.`, `np.`, `numpy.`, `torch.`) is dropped, with a note; "
         "`**` is `^`.",
         (E("math.sin(x)**2", "sin(x)^2", "prefix math. is dropped"),
          E("np.exp(-x**2)", "exp(-(x^2))", "prefix np. is dropped")),
         ()),
    Rule("unicode", "What `symdiff.pretty` prints and the characters people type read as their plain "
         "spelling: superscripts are powers, subscripts indices, `√` takes the next factor, `·` `×` `÷` `−` "
         "are operators, `π` is π and other Greek letters are names.",
         (E("x² + 3x", "x^2 + 3*x"), E("√x·σ(x)", "sqrt(x)*sigmoid(x)"), E("log₂(x² + 1)", "log_2(x^2 + 1)"),
          E("x − 1", "x - 1"), E("θ·tᵢ", "theta*t_i"), E("√x²", "sqrt(x^2)", "√"), E("√2x", None, "")),
         ()),
    Rule("asking for a derivative", "An operator or phrase at the start of the input (`d/dx`, `derivative of`, "
         "`diff(F, x)`, `D[F, x]`, `... wrt x`) asks for a derivative and takes everything after it; "
         "`symdiff diff` and `symdiff.diff` compute that derivative, with a note. The phrases are listed "
         "under \"Input that asks for a derivative\".",
         (E("d/dx x^2 sin x", "2*x*sin(x) + x^2*cos(x)", "asking for d/dx", asks=True),
          E("derivative of x^3", "3*x^2", "derivative of", asks=True),
          E("diff(x^2, x, 2)", "2", "diff(", asks=True), E("x^2 y wrt y", "x^2", "wrt", asks=True)),
         (E(r"\frac{d}{dx} x^x", "x^x*(ln(x) + 1)", r"\frac{d}{dx}", asks=True),)),
    Rule("matrix notation", "Transposes and elementwise operators are refused until shapes are declared, "
         "never read as scalars.",
         (E("x^T*A*x", None, "^T reads as a transpose"), E("X'*X", None, "X' reads as a transpose"),
          E("x.*y", None, ".* is an elementwise matrix operator")),
         ()),
    # With shapes declared (`shapes=`, `--shape`): the examples use SHAPES.
    Rule("matrix product", f"With shapes ({SHAPES_TEXT}), vectors are columns and `*`, `\\cdot` or writing "
         "side by side is the matrix product, in the order written; a scalar scales.",
         (M("X w", "X*w"), M("x^T*A*x", "x^T*A*x"), M("2A x", "2*A*x"), M("A*X", None, "A is n×n but X is m×n")),
         (M(r"\mathbf{x}^\top A \mathbf{x}", "x^T*A*x"), M(r"X \cdot \mathbf{w}", "X*w"),
          M(r"\bm{A}\mathbf{x}", "A*x"))),
    Rule("transpose", "`^T`, `'`, `^\\top`, `^{\\mathsf T}`, `^\\intercal` transpose; `^T` is a transpose "
         "after a vector or matrix, so a matrix named `T` still works. Without shapes they are refused.",
         (M("x^T*y", "x^T*y"), M("x'*y", "x^T*y"), M("tr(T^T*A)", "tr(T^T*A)")),
         (M(r"\mathbf{x}^{\mathsf T}\mathbf{y}", "x^T*y"), M(r"x^\intercal y", "x^T*y"),
          M(r"\operatorname{tr}(T^T A)", "tr(T^T*A)"), M(r"A^{-\top}", "inv(A)^T"),
          M(r"A^{-1}^{\top}", None, "double superscript"))),
    Rule("1×1 products", "A 1×1 product is a scalar: it scales what it multiplies.",
         (M("(x^T*y)*A", "(x^T*y)*A"), M("x^T*A*x + c", "x^T*A*x + c")),
         (M(r"(\mathbf{x}^\top \mathbf{y}) A", "(x^T*y)*A"),)),
    Rule("broadcasting", "A scalar broadcasts in `+ - .* ./` (`\\odot`, `\\oslash`) with a vector or matrix.",
         (M("1 - x", "1 - x"), M("c .* x", "c*x"), M("x + A", None, "x has length n but A is n×n")),
         (M(r"1 - \mathbf{x}", "1 - x"), M(r"\mathbf{x} \oslash \mathbf{y}", "x ./ y"))),
    Rule("entrywise functions", "A scalar function of a vector or matrix acts on each entry; `e^{X}` (the "
         "matrix exponential?) is refused: write `exp(X)`.",
         (M("exp(X)", "exp(X)"), M("sigmoid(X*w)", "sigmoid(X*w)"), M("sqrt(x)", "x.^(1/2)")),
         (M(r"\exp(X)", "exp(X)"), M(r"\sigma(X\mathbf{w})", "sigmoid(X*w)"),
          M(r"e^{X}", None, "an exponent must be a scalar"))),
    Rule("powers of arrays", "`^` is a matrix power, of a square matrix only; `x^2` of a vector is refused, "
         "naming what it could mean. `X^-1` and `X^{-1}` are the inverse.",
         (M("x^2", None, "x.^2; its square length: x^T*x or norm(x)^2"), M("A^2", "A^2"), M("A^-1", "inv(A)"),
          M("X^2", None, "square")),
         (M(r"\mathbf{x}^2", None, "x.^2"), M(r"\mathbf{x}^{\odot 2}", "x.^2"), M(r"A^{-1}", "inv(A)"))),
    Rule("entrywise product in LaTeX", "In LaTeX `\\odot` binds looser than a product, as papers write it "
         "(`\\mathbf{y} \\odot X\\mathbf{w}`); in plain text `.*` is a product's level, left to right "
         "(MATLAB's).",
         (M("y .* A*x", None, "y has length n but A is n×n"), M("y .* (A*x)", "y .* (A*x)")),
         (M(r"\mathbf{y} \odot A\mathbf{x}", "y .* (A*x)"),)),
    Rule("identity and ones", "`I` (and `\\mathbf{1}`, the ones) takes its size from what it meets; alone, "
         "give it one: `I(n)`, `ones(n)`, `I_n`, `\\mathbf{1}_n`.",
         (M("A + I", "A + I(n)"), M("2*I", None, "needs a size"), M("I(n)", "I(n)"), M("ones(m,n)", "ones(m,n)")),
         (M(r"A + I", "A + I(n)"), M(r"I_{n}", "I(n)"), M(r"\mathbf{1}^\top \mathbf{x}", "ones(1,n)*x"))),
    Rule("norms in LaTeX", "`\\|v\\|`, `\\|v\\|_2` are the 2-norm, `\\|X\\|_F` the Frobenius norm, "
         "`\\|v\\|_1` the 1-norm; `\\|X\\|` of a matrix is read as Frobenius, with a note; `\\|X\\|_2` "
         "(spectral) is refused. Bars `|x|` of an array are refused (norm, determinant or entrywise?).",
         (M("norm(x)^2", "norm(x)^2"), M("norm1(x)", "norm1(x)")),
         (M(r"\|\mathbf{x}\|_2^2", "norm(x)^2"), M(r"\|X\|_F", "norm(X)"), M(r"\|X\|", "norm(X)", "Frobenius"),
          M(r"\|X\|_2", None, "spectral norm"), M(r"\left|\mathbf{x}\right|", None, "could mean its norm"))),
    Rule("matrix names and functions in LaTeX", "`\\mathbf{x}`, `\\boldsymbol{\\mu}`, `\\bm{W}` are the "
         "names x, mu, W; `\\operatorname{tr}`, `\\mathrm{tr}`, `\\det`, `\\log\\det`, "
         "`\\operatorname{softmax}`, `\\operatorname{diag}` their functions; `\\sum X` the sum of all "
         "entries. An entry `x_i` of a declared array is index notation, refused with shapes.",
         (M("logdet(A)", "logdet(A)"), M("x_i", None, "an entry of x")),
         (M(r"\log\det A", "logdet(A)"), M(r"\mathrm{tr}(A)", "tr(A)"), M(r"\sum A", "sum(A)"),
          M(r"\operatorname{diag}(\mathbf{x})", "diag(x)"), M(r"\mathbf{x}_i", None, "an entry of x"))),
)


def markdown_table() -> str:
    """The README's "Reading rules" table."""
    def cell(examples: tuple[Example, ...]) -> str:
        shown = []
        for ex in examples:
            by = f" (by {ex.wrt})" if ex.wrt else ""
            what = "refused" if ex.meaning is None else f"`{ex.meaning}`" + (", noted" if ex.says else "")
            shown.append(f"`{ex.text}`{by} → {what}".replace("|", "\\|"))
        return "; ".join(shown) or "—"

    lines = ["| rule | reading | plain | LaTeX |", "|---|---|---|---|"]
    lines += [f"| {r.name} | {r.rule.replace('|', chr(92) + '|')} | {cell(r.plain)} | {cell(r.latex)} |"
              for r in RULES]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
