"""The textbook corpus: 66 expressions in x, from calculus tables and ML."""

TEXTBOOK = [
    # polynomials and powers
    "x^2", "3x^3 - 2x + 1", "(x + 1)^5", "x^(1/3)", "1/x^2", "sqrt(x)", "sqrt(1 - x^2)",
    "(2x + 1)^(3/2)", "x^2*(x - 1)^3", "(x^2 + 1)/(x - 1)",
    # exponentials and logarithms, every base
    "exp(x)", "exp(2x)", "exp(-x^2)", "2^x", "10^(3x)", "x*exp(x)", "exp(x)/x",
    "ln(x)", "ln(x^2 + 1)", "log_2(x)", "log_10(x)", "log_2(x^2 + 1)", "log_10(3x + 2)",
    "x*ln(x)", "ln(x)/x", "ln(ln(x))", "ln(sin(x))", "log_{x}(2)", "log_{x + 1}(x)",
    "x^x", "x^(sin(x))", "(sin(x))^x", "x^(1/x)", "(ln(x))^x",
    # trigonometric
    "sin(x)", "cos(2x)", "tan(x)", "sin(x)^2", "sin(x)*cos(x)", "sin(x)/x", "tan(x^2)",
    "sec(x)", "csc(x)", "cot(x)", "sin(cos(x))", "cos(x)^3*sin(x)", "x^2*sin(x)",
    # inverse trigonometric and hyperbolic
    "asin(x)", "acos(x)", "atan(x)", "atan(x^2)", "asin(2x)", "x*atan(x)",
    "sinh(x)", "cosh(x)", "tanh(x)", "tanh(2x + 1)",
    # machine learning
    "sigmoid(x)", "sigmoid(3x + 1)", "softplus(x)", "x*sigmoid(x)", "ln(sigmoid(x))",
    "ln(1 - sigmoid(x))", "-(t*ln(sigmoid(x)) + (1 - t)*ln(1 - sigmoid(x)))",
    "(sigmoid(x) - t)^2", "abs(x)",
]
assert len(TEXTBOOK) == 66, len(TEXTBOOK)
