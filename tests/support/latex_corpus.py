"""A corpus of loss functions, activations and regularisers as papers and
library documentation write them in LaTeX.

Each entry gives the text, where it comes from, the variable to differentiate
by, a point, and the intended function written independently in Python.
`change` is None when the text is the source's own; otherwise it says what
notation was changed and why (symdiff cannot read the original, or the
original is not a formula of real variables).  Sources are cited by document
and section; the LaTeX was transcribed from them by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Formula:
    name: str
    source: str
    tex: str
    wrt: str
    point: dict[str, float]
    value: Callable[[dict[str, float]], float]
    change: str | None = None
    fix: dict[str, str] = field(default_factory=dict)  # an index given a value: {"i": "2"}


def sig(u: float) -> float:
    return 1.0 / (1.0 + math.exp(-u))


def softplus(u: float) -> float:
    return math.log1p(math.exp(u))


def relu(u: float) -> float:
    return max(u, 0.0)


def vec(name: str, values: list[float]) -> dict[str, float]:
    """`y_1, y_2, ...` as evaluate() names them."""
    return {f"{name}_{k}": v for k, v in enumerate(values, start=1)}


def comps(v: dict[str, float], name: str, n: int) -> list[float]:
    return [v[f"{name}_{k}"] for k in range(1, n + 1)]


P = "PyTorch documentation, torch.nn."
X3 = vec("x", [0.3, -1.2, 0.7])
Y3 = vec("y", [0.5, 1.5, -0.4])
YH3 = vec("yhat", [0.8, 1.1, -0.1])
T3 = vec("t", [0.2, 0.3, 0.5])
P3 = vec("p", [0.25, 0.35, 0.4])
Q3 = vec("q", [0.3, 0.3, 0.4])
W3 = vec("w", [0.4, -0.7, 1.3])
B3 = vec("beta", [0.4, -0.7, 1.3])
Z3 = vec("z", [0.4, -0.7, 1.3])

CORPUS: list[Formula] = [
    # ------------------------------------------------------------ activations
    Formula("sigmoid", P + "Sigmoid",
            r"\text{Sigmoid}(x) = \sigma(x) = \frac{1}{1 + \exp(-x)}",
            "x", {"x": 0.7}, lambda v: sig(v["x"])),
    Formula("logistic", "Wikipedia, Logistic function",
            r"f(x) = \frac{1}{1 + e^{-x}}", "x", {"x": -0.4}, lambda v: sig(v["x"])),
    Formula("tanh", P + "Tanh",
            r"\text{Tanh}(x) = \tanh(x) = \frac{\exp(x) - \exp(-x)} {\exp(x) + \exp(-x)}",
            "x", {"x": 0.3}, lambda v: math.tanh(v["x"])),
    Formula("softplus", P + "Softplus",
            r"\text{Softplus}(x) = \frac{1}{\beta} * \log(1 + \exp(\beta * x))",
            "x", {"x": 0.6, "beta": 1.5}, lambda v: math.log1p(math.exp(v["beta"] * v["x"])) / v["beta"]),
    Formula("softplus-plain", "Dugas et al. 2001 (softplus), as commonly written",
            r"\log(1 + e^{x})", "x", {"x": -1.1}, lambda v: softplus(v["x"])),
    Formula("silu", P + "SiLU",
            r"\text{silu}(x) = x * \sigma(x)", "x", {"x": 0.9}, lambda v: v["x"] * sig(v["x"]),
            change="dropped the trailing prose ', where sigma(x) is the logistic sigmoid'"),
    Formula("swish", "Ramachandran et al. 2017, Searching for Activation Functions, sec. 4",
            r"f(x) = x \cdot \sigma(\beta x)", "x", {"x": 0.9, "beta": 1.7},
            lambda v: v["x"] * sig(v["beta"] * v["x"])),
    Formula("mish", P + "Mish",
            r"\text{Mish}(x) = x * \text{Tanh}(\text{Softplus}(x))", "x", {"x": 0.8},
            lambda v: v["x"] * math.tanh(softplus(v["x"]))),
    Formula("gelu-tanh", P + "GELU (approximate='tanh')",
            r"\text{GELU}(x) = 0.5 * x * (1 + \text{Tanh}(\sqrt{2 / \pi} * (x + 0.044715 * x^3)))",
            "x", {"x": 0.8},
            lambda v: 0.5 * v["x"] * (1 + math.tanh(math.sqrt(2 / math.pi) * (v["x"] + 0.044715 * v["x"] ** 3)))),
    Formula("gelu-erf", "Hendrycks & Gimpel 2016, Gaussian Error Linear Units, sec. 2",
            r"x \cdot \frac{1}{2}\left[1 + \mathrm{erf}(x/\sqrt{2})\right]", "x", {"x": -0.6},
            lambda v: v["x"] * 0.5 * (1 + math.erf(v["x"] / math.sqrt(2))),
            change="the paper's x\\Phi(x) is written out as its erf form, which the paper gives next"),
    Formula("relu", P + "ReLU",
            r"\text{ReLU}(x) = \max(0, x)", "x", {"x": 0.8}, lambda v: relu(v["x"]),
            change="dropped the middle side (x)^+ of the docs' ReLU(x) = (x)^+ = max(0, x)"),
    Formula("relu6", P + "ReLU6",
            r"\text{ReLU6}(x) = \min(\max(0,x), 6)", "x", {"x": 2.5},
            lambda v: min(relu(v["x"]), 6.0)),
    Formula("selu", P + "SELU",
            r"\text{SELU}(x) = \text{scale} * (\max(0,x) + \min(0, \alpha * (\exp(x) - 1)))",
            "x", {"x": -0.7, "alpha": 1.6733, "scale": 1.0507},
            lambda v: v["scale"] * (relu(v["x"]) + min(0.0, v["alpha"] * (math.exp(v["x"]) - 1)))),
    Formula("celu", P + "CELU",
            r"\text{CELU}(x) = \max(0,x) + \min(0, \alpha * (\exp(x/\alpha) - 1))",
            "x", {"x": -0.7, "alpha": 1.3},
            lambda v: relu(v["x"]) + min(0.0, v["alpha"] * (math.exp(v["x"] / v["alpha"]) - 1))),
    Formula("softsign", P + "Softsign",
            r"\text{SoftSign}(x) = \frac{x}{ 1 + |x|}", "x", {"x": -0.7},
            lambda v: v["x"] / (1 + abs(v["x"]))),
    Formula("logsigmoid", P + "LogSigmoid",
            r"\text{LogSigmoid}(x) = \log\left(\frac{ 1 }{ 1 + \exp(-x)}\right)", "x", {"x": 0.4},
            lambda v: math.log(sig(v["x"]))),
    Formula("tanhshrink", P + "Tanhshrink",
            r"\text{Tanhshrink}(x) = x - \tanh(x)", "x", {"x": 0.4}, lambda v: v["x"] - math.tanh(v["x"])),
    Formula("leaky-relu", P + "LeakyReLU",
            r"\text{LeakyReLU}(x) = \max(0, x) + \alpha * \min(0, x)", "x", {"x": -0.7, "alpha": 0.01},
            lambda v: relu(v["x"]) + v["alpha"] * min(0.0, v["x"]),
            change="\\text{negative\\_slope} renamed \\alpha: an escaped underscore is not a name symdiff reads"),
    Formula("softmax", P + "Softmax",
            r"\text{Softmax}(x_{i}) = \frac{\exp(x_i)}{\sum_j \exp(x_j)}", "x_2", {**X3, "J": 3},
            lambda v: math.exp(v["x_2"]) / sum(math.exp(t) for t in comps(v, "x", 3)), fix={"i": "2"}),
    Formula("log-softmax", P + "LogSoftmax",
            r"\text{LogSoftmax}(x_{i}) = \log\left(\frac{\exp(x_i) }{ \sum_j \exp(x_j)} \right)",
            "x_3", {**X3, "J": 3},
            lambda v: v["x_2"] - math.log(sum(math.exp(t) for t in comps(v, "x", 3))), fix={"i": "2"}),
    Formula("softmin", P + "Softmin",
            r"\text{Softmin}(x_{i}) = \frac{\exp(-x_i)}{\sum_j \exp(-x_j)}", "x_1", {**X3, "J": 3},
            lambda v: math.exp(-v["x_1"]) / sum(math.exp(-t) for t in comps(v, "x", 3)), fix={"i": "1"}),
    Formula("softmax-wiki", "Wikipedia, Softmax function",
            r"\sigma(\mathbf{z})_i = \frac{e^{z_i}}{\sum_{j=1}^K e^{z_j}}", "z_2", {**Z3, "K": 3},
            lambda v: math.exp(v["z_1"]) / sum(math.exp(t) for t in comps(v, "z", 3)), fix={"i": "1"}),
    Formula("distillation-softmax", "Hinton et al. 2015, Distilling the Knowledge in a Neural Network, eq. 1",
            r"q_i = \frac{\exp(z_i/T)}{\sum_j \exp(z_j/T)}", "T", {**Z3, "J": 3, "T": 2.5},
            lambda v: math.exp(v["z_3"] / v["T"]) / sum(math.exp(t / v["T"]) for t in comps(v, "z", 3)),
            change="the paper's upright exp is written \\exp: a bare exp is the product e*x*p in LaTeX",
            fix={"i": "3"}),
    Formula("snake", "Liu Ziyin et al. 2020, Neural Networks Fail to Learn Periodic Functions, eq. 3",
            r"x + \frac{1}{a}\sin^2(ax)", "x", {"x": 0.8, "a": 1.7},
            lambda v: v["x"] + math.sin(v["a"] * v["x"]) ** 2 / v["a"]),
    Formula("arctan", "Wikipedia, Activation function (table: ArcTan)",
            r"\tan^{-1}(x)", "x", {"x": 0.6}, lambda v: math.atan(v["x"])),
    Formula("bent-identity", "Wikipedia, Activation function (table: Bent identity)",
            r"\frac{\sqrt{x^2 + 1} - 1}{2} + x", "x", {"x": 0.6},
            lambda v: (math.sqrt(v["x"] ** 2 + 1) - 1) / 2 + v["x"]),
    Formula("isru", "Wikipedia, Activation function (table: ISRU)",
            r"\frac{x}{\sqrt{1 + \alpha x^2}}", "x", {"x": 0.6, "alpha": 0.4},
            lambda v: v["x"] / math.sqrt(1 + v["alpha"] * v["x"] ** 2)),
    Formula("gaussian-activation", "Wikipedia, Activation function (table: Gaussian)",
            r"e^{-x^2}", "x", {"x": 0.6}, lambda v: math.exp(-v["x"] ** 2)),
    Formula("tanh-from-sigmoid", "Goodfellow et al., Deep Learning, sec. 6.3.2",
            r"\tanh(z) = 2\sigma(2z) - 1", "z", {"z": 0.35}, lambda v: 2 * sig(2 * v["z"]) - 1),
    Formula("logit", "Wikipedia, Logit",
            r"\operatorname{logit}(p)=\ln\left( \frac{p}{1-p} \right)", "p", {"p": 0.3},
            lambda v: math.log(v["p"] / (1 - v["p"]))),
    # ----------------------------------------------------------------- losses
    Formula("mse", "issue 11 (a paper's mean squared error)",
            r"\frac{1}{N}\sum_{i=1}^{N}(y_i-\hat{y}_i)^2", "yhat_2", {**Y3, **YH3, "N": 3},
            lambda v: sum((a - b) ** 2 for a, b in zip(comps(v, "y", 3), comps(v, "yhat", 3))) / 3),
    Formula("mse-torch", P + "MSELoss",
            r"l_n = \left( x_n - y_n \right)^2", "x_n", {"x_n": 0.4, "y_n": -0.3},
            lambda v: (v["x_n"] - v["y_n"]) ** 2,
            change="kept the element-wise line l_n = ...; the docs' vector form \\{l_1,\\dots,l_N\\}^\\top is not a scalar"),
    Formula("l1-torch", P + "L1Loss",
            r"l_n = \left| x_n - y_n \right|", "x_n", {"x_n": 0.4, "y_n": -0.3},
            lambda v: abs(v["x_n"] - v["y_n"]),
            change="kept the element-wise line l_n = ...; the vector form is not a scalar"),
    Formula("mae", "Wikipedia, Mean absolute error",
            r"\mathrm{MAE} = \frac{\sum_{i=1}^n\left| y_i-x_i\right|}{n}", "x_1", {**Y3, **X3, "n": 3},
            lambda v: sum(abs(a - b) for a, b in zip(comps(v, "y", 3), comps(v, "x", 3))) / 3),
    Formula("rmse", "Wikipedia, Root-mean-square deviation",
            r"\operatorname{RMSD} = \sqrt{\frac{\sum_{t=1}^{T} (\hat{y}_t - y_t)^2}{T}}", "yhat_3",
            {**Y3, **YH3, "T": 3},
            lambda v: math.sqrt(sum((a - b) ** 2 for a, b in zip(comps(v, "yhat", 3), comps(v, "y", 3))) / 3)),
    Formula("mape", "Wikipedia, Mean absolute percentage error",
            r"\mathrm{M} = \frac{1}{n}\sum_{t=1}^{n} \left|\frac{A_t-F_t}{A_t}\right|", "F_2",
            {**vec("A", [1.5, 2.0, -3.0]), **vec("F", [1.2, 2.4, -2.5]), "n": 3},
            lambda v: sum(abs((a - f) / a) for a, f in zip(comps(v, "A", 3), comps(v, "F", 3))) / 3),
    Formula("bce", P + "BCELoss",
            r"l_n = - w_n \left[ y_n \cdot \log x_n + (1 - y_n) \cdot \log (1 - x_n) \right]", "x_n",
            {"x_n": 0.3, "y_n": 1.0, "w_n": 0.7},
            lambda v: -v["w_n"] * (v["y_n"] * math.log(v["x_n"]) + (1 - v["y_n"]) * math.log(1 - v["x_n"])),
            change="kept the element-wise line l_n = ...; the vector form is not a scalar"),
    Formula("bce-with-logits", P + "BCEWithLogitsLoss",
            r"l_n = - w_n \left[ y_n \cdot \log \sigma(x_n) + (1 - y_n) \cdot \log (1 - \sigma(x_n)) \right]",
            "x_n", {"x_n": -0.8, "y_n": 0.3, "w_n": 1.2},
            lambda v: -v["w_n"] * (v["y_n"] * math.log(sig(v["x_n"])) + (1 - v["y_n"]) * math.log(1 - sig(v["x_n"]))),
            change="kept the element-wise line l_n = ...; the vector form is not a scalar"),
    Formula("bce-pos-weight", P + "BCEWithLogitsLoss (pos_weight)",
            r"l_{n,c} = - w_{n,c} \left[ p_c y_{n,c} \cdot \log \sigma(x_{n,c}) + (1 - y_{n,c}) \cdot \log (1 - \sigma(x_{n,c})) \right]",
            "x_{nc}", {"x_{nc}": 0.4, "y_{nc}": 1.0, "w_{nc}": 1.0, "p_c": 3.0},
            lambda v: -(v["p_c"] * math.log(sig(v["x_{nc}"]))),
            change="kept the element-wise line l_{n,c} = ...; the vector form is not a scalar"),
    Formula("cross-entropy-torch", P + "CrossEntropyLoss",
            r"- \log \frac{\exp(x_{k})}{\sum_{c=1}^C \exp(x_{c})}", "x_1", {**X3, "C": 3},
            lambda v: -v["x_2"] + math.log(sum(math.exp(t) for t in comps(v, "x", 3))), fix={"k": "2"},
            change="the docs' target index y_n inside a subscript (x_{n,y_n}) and weight w_{y_n} are "
                   "replaced by one class index k: symdiff reads no subscripts of subscripts"),
    Formula("categorical-ce", "issue 11 (a lecture's categorical cross-entropy)",
            r"L = -\sum_k t_k \log y_k", "y_2", {**T3, **vec("y", [0.2, 0.5, 0.3]), "K": 3},
            lambda v: -sum(t * math.log(y) for t, y in zip(comps(v, "t", 3), comps(v, "y", 3)))),
    Formula("article-1", "The article symdiff grew from, formula (1)",
            r"\ - \frac{1}{N} \sum_{i}^{N} \sum_{k}^{K} t_{ik} \log y_{ik} \tag{1}", "y_{2,1}",
            {"N": 2, "K": 2, "t_{1,1}": 0.3, "t_{1,2}": 0.7, "t_{2,1}": 0.6, "t_{2,2}": 0.4,
             "y_{1,1}": 0.2, "y_{1,2}": 0.8, "y_{2,1}": 0.45, "y_{2,2}": 0.55},
            lambda v: -sum(v[f"t_{{{i},{k}}}"] * math.log(v[f"y_{{{i},{k}}}"]) for i in (1, 2) for k in (1, 2)) / 2),
    Formula("article-2", "The article symdiff grew from, formula (2)",
            r"\ - \frac{1}{N} \sum_{i}^{N} \lbrack t_{i} \log y_{i} + (1- t_{i}) \log (1- y_{i}) \rbrack \tag{2}",
            "y_3", {**T3, **vec("y", [0.2, 0.5, 0.3]), "N": 3},
            lambda v: -sum(t * math.log(y) + (1 - t) * math.log(1 - y)
                           for t, y in zip(comps(v, "t", 3), comps(v, "y", 3))) / 3),
    Formula("log-sum-exp", "issue 11 (log-sum-exp)",
            r"\log \sum_{k=1}^{K} e^{z_k}", "z_3", {**Z3, "K": 3},
            lambda v: math.log(sum(math.exp(t) for t in comps(v, "z", 3)))),
    Formula("ce-logits", "Goodfellow et al., Deep Learning, eq. 6.30-6.31 (log softmax)",
            r"z_i - \log \sum_j \exp(z_j)", "z_2",
            {**Z3, "J": 3},
            lambda v: v["z_1"] - math.log(sum(math.exp(t) for t in comps(v, "z", 3))), fix={"i": "1"},
            change="dropped the left side \\log \\text{softmax}(\\boldsymbol{z})_i ="),
    Formula("label-smoothing", "Szegedy et al. 2016 (Inception v3), sec. 7; Mueller et al. 2019",
            r"-\sum_{k=1}^{K} \left(y_k(1-\alpha) + \frac{\alpha}{K}\right) \log p_k", "p_2",
            {**vec("y", [0.0, 1.0, 0.0]), **P3, "K": 3, "alpha": 0.1},
            lambda v: -sum((y * 0.9 + 0.1 / 3) * math.log(p)
                           for y, p in zip(comps(v, "y", 3), comps(v, "p", 3))),
            change="the smoothed target y_k^{LS} is substituted into the cross-entropy: a "
                   "superscript LS would read as a power"),
    Formula("focal", "Lin et al. 2017, Focal Loss for Dense Object Detection, eq. 5",
            r"\text{FL}(p_t) = -\alpha_t (1 - p_t)^\gamma \log(p_t)", "p_t",
            {"p_t": 0.7, "alpha_t": 0.25, "gamma": 2.0},
            lambda v: -v["alpha_t"] * (1 - v["p_t"]) ** v["gamma"] * math.log(v["p_t"])),
    Formula("focal-plain", "Lin et al. 2017, Focal Loss for Dense Object Detection, eq. 4",
            r"FL(p_t) = -(1 - p_t)^\gamma \log(p_t)", "p_t", {"p_t": 0.35, "gamma": 2.0},
            lambda v: -(1 - v["p_t"]) ** v["gamma"] * math.log(v["p_t"])),
    Formula("hinge", "issue 11 (hinge loss)",
            r"\max(0, 1 - y\hat{y})", "yhat", {"y": 1.0, "yhat": 0.3}, lambda v: relu(1 - v["y"] * v["yhat"])),
    Formula("squared-hinge", "Wikipedia, Hinge loss (squared variant)",
            r"\max(0, 1 - t \cdot y)^2", "y", {"t": -1.0, "y": -0.4}, lambda v: relu(1 - v["t"] * v["y"]) ** 2),
    Formula("svm-primal", "Cortes & Vapnik 1995 / Wikipedia, Support vector machine (soft margin)",
            r"\frac{1}{n}\sum_{i=1}^{n}\max\left(0, 1 - y_i(w x_i - b)\right) + \lambda w^2", "w",
            {**vec("y", [1.0, -1.0, 1.0]), **X3, "n": 3, "w": 0.5, "b": 0.1, "lambda": 0.01},
            lambda v: sum(relu(1 - y * (v["w"] * x - v["b"])) for y, x in zip(comps(v, "y", 3), comps(v, "x", 3))) / 3
            + v["lambda"] * v["w"] ** 2,
            change="the weight vector \\mathbf{w}^T\\mathbf{x}_i is one feature, w x_i, and \\lVert w \\rVert^2 is w^2"),
    Formula("pseudo-huber", "Wikipedia, Huber loss (Pseudo-Huber loss function)",
            r"L_\delta(a) = \delta^2\left(\sqrt{1+(a/\delta)^2}-1\right)", "a", {"a": 0.7, "delta": 1.3},
            lambda v: v["delta"] ** 2 * (math.sqrt(1 + (v["a"] / v["delta"]) ** 2) - 1)),
    Formula("log-cosh", "Wikipedia, Huber loss (log-cosh) / Keras LogCosh",
            r"\log(\cosh(\hat{y} - y))", "yhat", {"y": 0.3, "yhat": 1.1},
            lambda v: math.log(math.cosh(v["yhat"] - v["y"]))),
    Formula("kl-discrete", "Wikipedia, Kullback-Leibler divergence (discrete form)",
            r"D_{KL} = \sum_{k=1}^{K} p_k \log \frac{p_k}{q_k}", "q_2", {**P3, **Q3, "K": 3},
            lambda v: sum(p * math.log(p / q) for p, q in zip(comps(v, "p", 3), comps(v, "q", 3))),
            change="P(x) and Q(x) over x in X are written as vectors p_k, q_k over k = 1..K"),
    Formula("kl-torch", P + "KLDivLoss",
            r"L(y_{\text{pred}},\ y_{\text{true}}) = y_{\text{true}} \cdot \log \frac{y_{\text{true}}}{y_{\text{pred}}}",
            "ypred", {"ypred": 0.4, "ytrue": 0.7},
            lambda v: v["ytrue"] * math.log(v["ytrue"] / v["ypred"])),
    Formula("vae-kl", "Kingma & Welling 2014, Auto-Encoding Variational Bayes, appendix B",
            r"\frac{1}{2}\sum_{j=1}^{J}\left(1 + \log((\sigma_j)^2) - (\mu_j)^2 - (\sigma_j)^2\right)",
            "sigma_2", {**vec("sigma", [0.5, 1.2, 0.9]), **vec("mu", [0.1, -0.3, 0.2]), "J": 3},
            lambda v: 0.5 * sum(1 + math.log(s ** 2) - m ** 2 - s ** 2
                                for s, m in zip(comps(v, "sigma", 3), comps(v, "mu", 3))),
            change="dropped the left side -D_{KL}(...) ="),
    Formula("gaussian-nll", P + "GaussianNLLLoss (and the textbook Gaussian log-likelihood)",
            r"\frac{1}{2}\left(\log \sigma^2 + \frac{(y - \mu)^2}{\sigma^2}\right) + \frac{1}{2}\log 2\pi",
            "mu", {"y": 0.3, "mu": -0.2, "sigma": 0.8},
            lambda v: 0.5 * (math.log(v["sigma"] ** 2) + (v["y"] - v["mu"]) ** 2 / v["sigma"] ** 2)
            + 0.5 * math.log(2 * math.pi),
            change="the docs' \\text{max}(\\text{var}, \\text{eps}) clamp is dropped and var written \\sigma^2; "
                   "their const. is written out as \\frac{1}{2}\\log 2\\pi"),
    Formula("gaussian-nll-textbook", "Bishop, Pattern Recognition and Machine Learning, eq. 1.54 (one point)",
            r"\frac{\beta}{2}(y - t)^2 - \frac{1}{2}\ln\beta + \frac{1}{2}\ln(2\pi)", "beta",
            {"y": 0.3, "t": -0.2, "beta": 1.8},
            lambda v: v["beta"] / 2 * (v["y"] - v["t"]) ** 2 - 0.5 * math.log(v["beta"]) + 0.5 * math.log(2 * math.pi),
            change="one data point: the sum over n and y(x_n, w) are written t and y"),
    Formula("gaussian-pdf", "Wikipedia, Normal distribution",
            r"f(x) = \frac{1}{\sigma\sqrt{2\pi}} e^{-\frac{1}{2}\left(\frac{x-\mu}{\sigma}\right)^2}",
            "mu", {"x": 0.3, "mu": -0.2, "sigma": 0.8},
            lambda v: math.exp(-0.5 * ((v["x"] - v["mu"]) / v["sigma"]) ** 2) / (v["sigma"] * math.sqrt(2 * math.pi))),
    Formula("poisson-nll", P + "PoissonNLLLoss",
            r"\text{loss}(\text{input}, \text{target}) = \text{input} - \text{target} * \log(\text{input})",
            "input", {"input": 1.7, "target": 2.0},
            lambda v: v["input"] - v["target"] * math.log(v["input"]),
            change="dropped the optional Stirling term log(target!) and the line target ~ Poisson(input)"),
    Formula("poisson-nll-log-input", P + "PoissonNLLLoss (log_input=True)",
            r"\exp(\text{input}) - \text{target}*\text{input}", "input", {"input": 0.4, "target": 2.0},
            lambda v: math.exp(v["input"]) - v["target"] * v["input"]),
    Formula("bernoulli-nll", "Murphy, Machine Learning: a Probabilistic Perspective, eq. 8.3",
            r"-[y \log \mu + (1-y)\log(1-\mu)]", "mu", {"y": 1.0, "mu": 0.8},
            lambda v: -(v["y"] * math.log(v["mu"]) + (1 - v["y"]) * math.log(1 - v["mu"]))),
    Formula("infonce", "He et al. 2020, Momentum Contrast (MoCo), eq. 1",
            r"\mathcal{L}_q = -\log \frac{\exp(q\cdot k_0/\tau)}{\sum_{i=0}^{K}\exp(q\cdot k_i/\tau)}", "q",
            {"q": 0.8, "tau": 0.5, "K": 2, "k_0": 0.9, "k_1": -0.3, "k_2": 0.2},
            lambda v: -v["q"] * v["k_0"] / v["tau"]
            + math.log(sum(math.exp(v["q"] * v[f"k_{i}"] / v["tau"]) for i in range(3))),
            change="the positive key k_+ is written k_0 (it is the i = 0 term of the sum), and "
                   "q, k are one-dimensional"),
    Formula("contrastive", "Hadsell, Chopra & LeCun 2006, Dimensionality Reduction by Learning an "
            "Invariant Mapping, eq. 4",
            r"(1-Y)\frac{1}{2}(D_W)^2 + (Y)\frac{1}{2}\{\max(0, m - D_W)\}^2", "D_W",
            {"Y": 1.0, "D_W": 0.6, "m": 1.0},
            lambda v: (1 - v["Y"]) * 0.5 * v["D_W"] ** 2 + v["Y"] * 0.5 * relu(v["m"] - v["D_W"]) ** 2),
    Formula("triplet", P + "TripletMarginLoss",
            r"\max\{d_{ap} - d_{an} + {\rm margin}, 0\}", "d_{an}",
            {"d_{ap}": 0.9, "d_{an}": 0.5, "margin": 1.0, "p": 1, "n": 2},
            lambda v: relu(v["d_{ap}"] - v["d_{an}"] + v["margin"]),
            change="the distances d(a_i, p_i), d(a_i, n_i) are scalars d_{ap}, d_{an} (p and n are "
                   "indices, so the test gives them different values)"),
    Formula("dice-vnet", "Milletari et al. 2016, V-Net, eq. 1",
            r"D = \frac{2\sum_i^N p_i g_i}{\sum_i^N p_i^2 + \sum_i^N g_i^2}", "p_2",
            {**P3, **vec("g", [0.0, 1.0, 1.0]), "N": 3},
            lambda v: 2 * sum(p * g for p, g in zip(comps(v, "p", 3), comps(v, "g", 3)))
            / (sum(p * p for p in comps(v, "p", 3)) + sum(g * g for g in comps(v, "g", 3)))),
    Formula("quantile", "Koenker & Bassett 1978 (pinball loss), as commonly written",
            r"\max(\tau (y - \hat{y}), (\tau - 1)(y - \hat{y}))", "yhat", {"y": 0.3, "yhat": 0.9, "tau": 0.8},
            lambda v: max(v["tau"] * (v["y"] - v["yhat"]), (v["tau"] - 1) * (v["y"] - v["yhat"]))),
    Formula("barron", "Barron 2019, A General and Adaptive Robust Loss Function, eq. 1",
            r"f(x,\alpha,c) = \frac{|\alpha - 2|}{\alpha}\left(\left(\frac{(x/c)^2}{|\alpha - 2|} + 1\right)^{\alpha/2} - 1\right)",
            "alpha", {"x": 0.7, "alpha": 0.5, "c": 1.2},
            lambda v: abs(v["alpha"] - 2) / v["alpha"]
            * (((v["x"] / v["c"]) ** 2 / abs(v["alpha"] - 2) + 1) ** (v["alpha"] / 2) - 1)),
    Formula("cauchy", "Barron 2019, eq. 5 (Cauchy / Lorentzian loss)",
            r"\log\left(\frac{1}{2}(x/c)^2 + 1\right)", "x", {"x": 0.7, "c": 1.2},
            lambda v: math.log(0.5 * (v["x"] / v["c"]) ** 2 + 1),
            change="the left side f(x, 0, c) has a number among its variables; written as the right side only"),
    Formula("geman-mcclure", "Barron 2019, eq. 7 (Geman-McClure loss)",
            r"\frac{2(x/c)^2}{(x/c)^2 + 4}", "c", {"x": 0.7, "c": 1.2},
            lambda v: 2 * (v["x"] / v["c"]) ** 2 / ((v["x"] / v["c"]) ** 2 + 4),
            change="dropped the left side f(x, -2, c) ="),
    Formula("welsch", "Barron 2019, eq. 8 (Welsch / Leclerc loss)",
            r"1 - \exp\left(-\frac{1}{2}(x/c)^2\right)", "x", {"x": 0.7, "c": 1.2},
            lambda v: 1 - math.exp(-0.5 * (v["x"] / v["c"]) ** 2),
            change="dropped the left side f(x, -\\infty, c) ="),
    Formula("charbonnier", "Barron 2019, eq. 4 (Charbonnier / pseudo-Huber, alpha = 1)",
            r"\sqrt{(x/c)^2 + 1} - 1", "x", {"x": 0.7, "c": 1.2},
            lambda v: math.sqrt((v["x"] / v["c"]) ** 2 + 1) - 1,
            change="dropped the left side f(x, 1, c) ="),
    Formula("least-squares-cs229", "Ng, CS229 lecture notes, part I (least squares), J(theta)",
            r"J(\theta) = \frac{1}{2} \sum_{i=1}^{n} \left( \theta x^{(i)} - y^{(i)} \right)^2", "theta",
            {**X3, **Y3, "n": 3, "theta": 0.7},
            lambda v: 0.5 * sum((v["theta"] * x - y) ** 2 for x, y in zip(comps(v, "x", 3), comps(v, "y", 3))),
            change="h_\\theta(x^{(i)}) = \\theta^T x^{(i)} is written \\theta x^{(i)} (one feature)"),
    Formula("logistic-cs229", "Ng, CS229 lecture notes, part II (logistic regression), l(theta)",
            r"\ell(\theta) = \sum_{i=1}^{n} \left( y^{(i)} \log \sigma(\theta x^{(i)}) + (1 - y^{(i)}) \log (1 - \sigma(\theta x^{(i)})) \right)",
            "theta", {**X3, **vec("y", [1.0, 0.0, 1.0]), "n": 3, "theta": 0.7},
            lambda v: sum(y * math.log(sig(v["theta"] * x)) + (1 - y) * math.log(1 - sig(v["theta"] * x))
                          for x, y in zip(comps(v, "x", 3), comps(v, "y", 3))),
            change="h_\\theta(x) is written \\sigma(\\theta x) (one feature), and the sum's body is "
                   "bracketed: the notes let \\sum run over both terms"),
    Formula("adam-bias-correction", "Kingma & Ba 2015, Adam, Algorithm 1",
            r"\widehat{m}_t = m_t / (1 - \beta_1^t)", "beta_1", {"m_t": 0.3, "beta_1": 0.9, "t": 3.0},
            lambda v: v["m_t"] / (1 - v["beta_1"] ** v["t"])),
    Formula("adam-step", "Kingma & Ba 2015, Adam, Algorithm 1",
            r"\theta - \alpha \cdot \widehat{m}_t / (\sqrt{\widehat{v}_t} + \epsilon)", "mhat_t",
            {"theta": 1.0, "alpha": 0.001, "mhat_t": 0.3, "vhat_t": 0.04, "epsilon": 1e-8},
            lambda v: v["theta"] - v["alpha"] * v["mhat_t"] / (math.sqrt(v["vhat_t"]) + v["epsilon"]),
            change="the update arrow \\theta_t \\leftarrow \\theta_{t-1} - ... is written as its right "
                   "side, with \\theta_{t-1} as \\theta (symdiff reads no index arithmetic)"),
    Formula("layer-norm", P + "LayerNorm",
            r"y = \frac{x - \mu}{ \sqrt{\sigma^2 + \epsilon}} * \gamma + \beta", "sigma",
            {"x": 0.7, "mu": 0.1, "sigma": 0.9, "epsilon": 1e-5, "gamma": 1.2, "beta": 0.3},
            lambda v: (v["x"] - v["mu"]) / math.sqrt(v["sigma"] ** 2 + v["epsilon"]) * v["gamma"] + v["beta"],
            change="\\mathrm{E}[x] and \\mathrm{Var}[x] are written \\mu and \\sigma^2: an expectation "
                   "is not a function of one real variable"),
    # ----------------------------------------------------------- regularisers
    Formula("l2-penalty", "issue 11 (weight decay)",
            r"\lambda \|\mathbf{w}\|^2", "w_2", {**W3, "n": 3, "lambda": 0.1},
            lambda v: v["lambda"] * sum(w * w for w in comps(v, "w", 3))),
    Formula("l2-half", "Goodfellow et al., Deep Learning, eq. 7.1 (L2 parameter regularisation)",
            r"\frac{\alpha}{2}\|w\|_2^2", "w_3", {**W3, "n": 3, "alpha": 0.1},
            lambda v: v["alpha"] / 2 * sum(w * w for w in comps(v, "w", 3)),
            change="the book writes \\frac{\\alpha}{2} \\mathbf{w}^\\top\\mathbf{w}; this is its norm form"),
    Formula("l1-penalty", "Goodfellow et al., Deep Learning, eq. 7.18 (L1 regularisation)",
            r"\Omega(\boldsymbol{\theta}) = \|\boldsymbol{w}\|_1 = \sum_i |w_i|", "w_1", {**W3, "N": 3},
            lambda v: sum(abs(w) for w in comps(v, "w", 3))),
    Formula("ridge", "James et al., An Introduction to Statistical Learning, eq. 6.5",
            r"\sum_{i=1}^{n}\left(y_i - \beta_0 - \sum_{j=1}^{p}\beta_j x_{ij}\right)^2 + \lambda\sum_{j=1}^{p}\beta_j^2",
            "beta_2", {**vec("y", [0.5, 1.5]), "beta_0": 0.2, **vec("beta", [0.3, -0.4]), "n": 2, "p": 2,
                       "x_{1,1}": 0.3, "x_{1,2}": -1.0, "x_{2,1}": 0.8, "x_{2,2}": 0.6, "lambda": 0.5},
            lambda v: sum((v[f"y_{i}"] - v["beta_0"] - sum(v[f"beta_{j}"] * v[f"x_{{{i},{j}}}"] for j in (1, 2))) ** 2
                          for i in (1, 2)) + v["lambda"] * (v["beta_1"] ** 2 + v["beta_2"] ** 2)),
    Formula("lasso", "James et al., An Introduction to Statistical Learning, eq. 6.7",
            r"\sum_{i=1}^{n}\left(y_i - \beta_0 - \sum_{j=1}^{p}\beta_j x_{ij}\right)^2 + \lambda\sum_{j=1}^{p}|\beta_j|",
            "beta_1", {**vec("y", [0.5, 1.5]), "beta_0": 0.2, **vec("beta", [0.3, -0.4]), "n": 2, "p": 2,
                       "x_{1,1}": 0.3, "x_{1,2}": -1.0, "x_{2,1}": 0.8, "x_{2,2}": 0.6, "lambda": 0.5},
            lambda v: sum((v[f"y_{i}"] - v["beta_0"] - sum(v[f"beta_{j}"] * v[f"x_{{{i},{j}}}"] for j in (1, 2))) ** 2
                          for i in (1, 2)) + v["lambda"] * (abs(v["beta_1"]) + abs(v["beta_2"]))),
    Formula("ridge-penalty", "issue 10 (a ridge penalty)",
            r"\lambda\sum_{j=1}^{p}\beta_j^2", "beta_3", {**B3, "p": 3, "lambda": 0.3},
            lambda v: v["lambda"] * sum(b * b for b in comps(v, "beta", 3))),
    Formula("elastic-net", "Zou & Hastie 2005, Regularization and Variable Selection via the Elastic Net, eq. 1",
            r"\lambda_2 \|\beta\|^2 + \lambda_1 \|\beta\|_1", "beta_2", {**B3, "n": 3, "lambda_1": 0.2, "lambda_2": 0.3},
            lambda v: v["lambda_2"] * sum(b * b for b in comps(v, "beta", 3))
            + v["lambda_1"] * sum(abs(b) for b in comps(v, "beta", 3)),
            change="kept the penalty; the paper's loss |y - X\\beta|^2 needs a matrix"),
    Formula("weight-decay-sum", "Krogh & Hertz 1992, A Simple Weight Decay Can Improve Generalization, eq. 1",
            r"\frac{\lambda}{2}\sum_i w_i^2", "w_2", {**W3, "N": 3, "lambda": 0.4},
            lambda v: v["lambda"] / 2 * sum(w * w for w in comps(v, "w", 3)),
            change="kept the penalty term; E_0(w) is the task's own loss"),
    Formula("entropy", "Shannon 1948 / Wikipedia, Entropy (information theory)",
            r"\mathrm{H}(X) = -\sum_{i=1}^{n} p_i \log p_i", "p_1",
            {**P3, "n": 3}, lambda v: -sum(p * math.log(p) for p in comps(v, "p", 3)),
            change="P(x_i) is written p_i: a probability function of an outcome is not a real variable"),
]

# Piecewise definitions (`cases`), read with the heaviside step.
CORPUS += [
    Formula("elu", P + "ELU",
            r"\text{ELU}(x) = \begin{cases} x, & \text{ if } x > 0\\ \alpha * (\exp(x) - 1), & \text{ if } x \leq 0 \end{cases}",
            "x", {"x": -0.6, "alpha": 1.0}, lambda v: v["x"] if v["x"] > 0 else v["alpha"] * (math.exp(v["x"]) - 1)),
    Formula("hardsigmoid", P + "Hardsigmoid",
            r"\text{Hardsigmoid}(x) = \begin{cases} 0 & \text{if~} x \le -3, \\ 1 & \text{if~} x \ge +3, \\ x / 6 + 1 / 2 & \text{otherwise} \end{cases}",
            "x", {"x": 1.2}, lambda v: min(max(v["x"] / 6 + 0.5, 0.0), 1.0)),
    Formula("hardswish", P + "Hardswish",
            r"\text{Hardswish}(x) = \begin{cases} 0 & \text{if~} x \le -3, \\ x & \text{if~} x \ge +3, \\ x \cdot (x + 3) /6 & \text{otherwise} \end{cases}",
            "x", {"x": -1.3}, lambda v: v["x"] * min(max(v["x"] + 3, 0.0), 6.0) / 6),
    Formula("hardtanh", P + "Hardtanh",
            r"\text{HardTanh}(x) = \begin{cases} 1 & \text{ if } x > 1 \\ -1 & \text{ if } x < -1 \\ x & \text{ otherwise } \\ \end{cases}",
            "x", {"x": 0.4}, lambda v: min(max(v["x"], -1.0), 1.0),
            change="\\text{max\\_val} and \\text{min\\_val} are given their defaults 1 and -1"),
    Formula("huber", P + "HuberLoss",
            r"l_n = \begin{cases} 0.5 (x_n - y_n)^2, & \text{if } |x_n - y_n| < \delta \\ \delta * (|x_n - y_n| - 0.5 * \delta), & \text{otherwise } \end{cases}",
            "x_n", {"x_n": 2.1, "y_n": 0.2, "delta": 1.0},
            lambda v: 0.5 * (v["x_n"] - v["y_n"]) ** 2 if abs(v["x_n"] - v["y_n"]) < v["delta"]
            else v["delta"] * (abs(v["x_n"] - v["y_n"]) - 0.5 * v["delta"]),
            change="the docs' delta, in italic letters, is written \\delta: d e l t a would be a product"),
    Formula("smooth-l1", P + "SmoothL1Loss",
            r"l_n = \begin{cases} 0.5 (x_n - y_n)^2 / \beta, & \text{if } |x_n - y_n| < \beta \\ |x_n - y_n| - 0.5 * \beta, & \text{otherwise } \end{cases}",
            "x_n", {"x_n": 0.6, "y_n": 0.2, "beta": 1.0},
            lambda v: 0.5 * (v["x_n"] - v["y_n"]) ** 2 / v["beta"] if abs(v["x_n"] - v["y_n"]) < v["beta"]
            else abs(v["x_n"] - v["y_n"]) - 0.5 * v["beta"],
            change="the docs' beta, in italic letters, is written \\beta"),
]

CORPUS += [
    Formula("log-softmax-operator", "Goodfellow et al., Deep Learning, eq. 6.30 (left side)",
            r"\log \text{softmax}(\boldsymbol{z})_i", "z_3", {**Z3, "K": 3},
            lambda v: v["z_2"] - math.log(sum(math.exp(t) for t in comps(v, "z", 3))), fix={"i": "2"}),
]
