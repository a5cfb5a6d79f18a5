"""Words for derivation steps, one table per language.

A table maps each rule identifier to its name and each phrase key to a
`str.format` template.  Adding a language is adding a table to `LANGUAGES`;
a rule a table does not name is shown by its identifier.
"""

from __future__ import annotations

from .errors import SymdiffError

EN: dict[str, str] = {
    # rule names
    "constant": "Constant rule",
    "variable": "Variable rule",
    "sum": "Sum rule",
    "constant_multiple": "Constant multiple rule",
    "product": "Product rule",
    "quotient": "Quotient rule",
    "power": "Power rule",
    "exp": "Exponential rule",
    "exp_base": "Exponential rule, base a",
    "ln": "Natural logarithm rule",
    "log_base": "Logarithm rule, base b",
    "change_of_base": "Change of base",
    "logarithmic_differentiation": "Logarithmic differentiation",
    "chain": "Chain rule",
    "trig": "Trigonometric rule",
    "inverse_trig": "Inverse trigonometric rule",
    "hyperbolic": "Hyperbolic rule",
    "sigmoid": "Sigmoid rule",
    "softplus": "Softplus rule",
    "abs": "Absolute value rule",
    "inverse_hyperbolic": "Inverse hyperbolic rule",
    "erf": "Error function rule",
    "relu": "ReLU rule",
    "heaviside": "Step function rule",
    "sign": "Sign function rule",
    "undefined_function": "Undefined function rule",
    "indexed_variable": "Indexed variable rule",
    "sum_over_index": "Sum over an index",
    "simplify": "Simplify",
    "assume": "Use the assumption",
    "substitute": "Substitute",
    "name_again": "Write with the names given",
    # phrases
    "task": "Differentiate {expr} with respect to {var}.",
    "with": "with {bindings}",
    "see": "(step {number})",
    "take_logs": "take logarithms",
    "both_sides": "differentiate both sides",
    "solve": "multiply by y",
    "rewrite": "rewrite with natural logarithms",
    "using": "using {names}",
    "already_simple": "nothing to simplify",
    "answer": "Answer",
    "order": "Derivative of order {n}",
    "assuming": "assuming {conditions}",
    "comma": ", ",
    "colon": ": ",
    # simplifier rewrites named in words (the others are formulas)
    "collect like terms": "collect like terms",
    "expand where terms cancel": "expand where terms cancel",
    "common denominator": "common denominator",
    "pull out a common factor": "pull out a common factor",
    "cancel common polynomial factors": "cancel common polynomial factors",
    "expand a product where terms cancel": "expand a product where terms cancel",
    "common denominator in a factor": "common denominator in a factor",
    "exact root": "exact root",
    "exact logarithm": "exact logarithm",
    "multiply out and collect": "multiply out and collect",
    "abs(u) -> u for u >= 0": "abs(u) -> u for u >= 0",
}

JA: dict[str, str] = {
    "constant": "定数の微分",
    "variable": "変数の微分",
    "sum": "和の微分",
    "constant_multiple": "定数倍の微分",
    "product": "積の微分",
    "quotient": "商の微分",
    "power": "べき関数の微分",
    "exp": "指数関数の微分",
    "exp_base": "指数関数の微分（底 a）",
    "ln": "対数関数の微分",
    "log_base": "対数関数の微分（底 b）",
    "change_of_base": "底の変換公式",
    "logarithmic_differentiation": "対数微分法",
    "chain": "合成関数の微分",
    "trig": "三角関数の微分",
    "inverse_trig": "逆三角関数の微分",
    "hyperbolic": "双曲線関数の微分",
    "sigmoid": "シグモイド関数の微分",
    "softplus": "ソフトプラス関数の微分",
    "abs": "絶対値の微分",
    "inverse_hyperbolic": "逆双曲線関数の微分",
    "erf": "誤差関数の微分",
    "relu": "ReLU の微分",
    "heaviside": "階段関数の微分",
    "sign": "符号関数の微分",
    "undefined_function": "未定義関数の微分",
    "indexed_variable": "添字付き変数の微分",
    "sum_over_index": "添字についての和の微分",
    "simplify": "式の整理",
    "assume": "仮定を用いる",
    "substitute": "代入する",
    "name_again": "与えられた名前で書き直す",
    "task": "{expr} を {var} で微分する。",
    "with": "ここで {bindings}",
    "see": "（ステップ {number} を参照）",
    "take_logs": "両辺の対数をとる",
    "both_sides": "両辺を微分する",
    "solve": "両辺に y を掛ける",
    "rewrite": "自然対数で書き直す",
    "using": "{names} を用いる",
    "already_simple": "これ以上整理できない",
    "answer": "答え",
    "order": "{n} 階導関数",
    "assuming": "ただし {conditions}",
    "comma": "、",
    "colon": "：",
    "collect like terms": "同類項をまとめる",
    "expand where terms cancel": "展開して項を打ち消す",
    "common denominator": "通分する",
    "pull out a common factor": "共通因数をくくり出す",
    "cancel common polynomial factors": "共通の多項式因数を約分する",
    "expand a product where terms cancel": "積を展開して項を打ち消す",
    "common denominator in a factor": "因数の中で通分する",
    "exact root": "根号を簡約する",
    "exact logarithm": "対数を簡約する",
    "multiply out and collect": "展開して整理する",
    "abs(u) -> u for u >= 0": "u >= 0 のとき abs(u) -> u",
}

LANGUAGES: dict[str, dict[str, str]] = {"en": EN, "ja": JA}


def words(lang: str) -> dict[str, str]:
    """The table for `lang`; every table names every key (a test checks), so
    no English leaks into another language."""
    if lang not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise SymdiffError(f"unknown language {lang!r}; choose one of {known}")
    return LANGUAGES[lang]
