"""The cross-entropy gradients of the article, from its LaTeX as written.

Run: python examples/cross_entropy_gradients.py [plain|latex]
"""

import sys

import symdiff

CATEGORICAL = r"\ - \frac{1}{N} \sum_{i}^{N} \sum_{k}^{K} t_{ik} \log y_{ik} \tag{1}"
BINARY = r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}"
SOFTMAX = {"y_{ik}": "exp(z_{ik})/sum_{m=1}^{K} exp(z_{im})"}
ONE_HOT = ["sum_{k=1}^{K} t_{ik} = 1"]

show = symdiff.latex if sys.argv[1:] == ["latex"] else str
cases = [
    ("(1) by y_{jl}", symdiff.diff(CATEGORICAL, "y_{jl}")),
    ("(2) by y_j", symdiff.diff(BINARY, "y_j")),
    ("(2), y_i = sigmoid(z_i), by z_j", symdiff.diff(BINARY, "z_j", where={"y_i": "sigmoid(z_i)"})),
    ("(1), softmax outputs, one-hot targets, by z_{jl}",
     symdiff.diff(CATEGORICAL, "z_{jl}", where=SOFTMAX, assume=ONE_HOT)),
]
for title, gradient in cases:
    print(f"{title}:\n    {show(gradient)}")
