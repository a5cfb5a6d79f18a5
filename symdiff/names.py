"""Variable names: how a plain name is spelt in LaTeX, and back.

One owner for the spelling of names: the LaTeX grammar's Greek and decoration
commands and the LaTeX printer both read these tables.

A decorated or styled name is an ordinary variable whose plain name carries
the decoration as a suffix: `\\hat{y}` is `yhat`, `\\bar{x}` is `xbar`,
`\\mathbf{w}` is `wbold`, `\\boldsymbol{\\theta}` is `thetabold`,
`\\mathcal{L}` is `Lcal`; `\\hat{\\mathbf{w}}` is `wboldhat`.  A prime stays a
prime: `y'` is the name `y'` in both syntaxes.
"""

from __future__ import annotations

GREEK = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega"
).split()

# Letter-like commands that are one-letter names.
LETTERLIKE = ("ell",)

# suffix -> the command that writes it; the first command of a suffix is the one printed.
DECORATIONS: dict[str, tuple[str, ...]] = {
    "hat": ("hat", "widehat"),
    "bar": ("bar", "overline"),
    "tilde": ("tilde", "widetilde"),
    "ddot": ("ddot",),
    "dot": ("dot",),
    "vec": ("vec",),
    "bold": ("mathbf", "boldsymbol", "bm"),
    "cal": ("mathcal",),
}
SUFFIX_OF_COMMAND = {cmd: suffix for suffix, cmds in DECORATIONS.items() for cmd in cmds}
# Longest first, so `xddot` is x with \ddot, not `xd` with \dot.
_SUFFIXES = sorted(DECORATIONS, key=len, reverse=True)

PRIME = "'"

# Letters that stand for functions when applied to brackets (`f(x)`, `\\phi(x)`);
# any other letter before a bracket multiplies it.
FUNCTION_LETTERS = frozenset(("f", "g", "h", "phi", "varphi", "psi", "Phi", "Psi"))


def is_letter(name: str) -> bool:
    """A name LaTeX writes as one symbol: `x`, `\\theta`, `\\ell`."""
    return (len(name) == 1 and name.isalpha()) or name in GREEK or name in LETTERLIKE


def split_decoration(name: str) -> tuple[str, str] | None:
    """`yhat` -> (`y`, `hat`); `wboldhat` -> (`wbold`, `hat`); None when undecorated."""
    peeled = _peel(name)
    return None if peeled is None else (name[: -len(peeled[-1])], peeled[-1])


def parts(name: str) -> list[str]:
    """`wboldhat` -> [`w`, `bold`, `hat`]; an undecorated name is its own only part."""
    return _peel(name) or [name]


def looks_like_matrix(name: str) -> bool:
    """A capital Latin letter (`X`, `\\hat{W}`) or a bold name (`\\mathbf{w}`), not a calligraphic one:
    what matrix notation names arrays with."""
    letter, *suffixes = parts(name.rstrip(PRIME))
    return (len(letter) == 1 and letter.isupper() and "cal" not in suffixes) or "bold" in suffixes


def _peel(name: str) -> list[str] | None:
    """`wboldhat` -> [`w`, `bold`, `hat`]: a letter and its decorations, innermost
    first; None unless the whole name is such."""
    suffixes: list[str] = []
    while not is_letter(name):
        suffix = next((s for s in _SUFFIXES if name.endswith(s) and len(name) > len(s)), None)
        if suffix is None:
            return None
        suffixes.append(suffix)
        name = name[: -len(suffix)]
    return [name, *reversed(suffixes)] if suffixes else None


def decorate(inner: str, command: str) -> str:
    """The plain name of `\\command{inner}`."""
    return inner + SUFFIX_OF_COMMAND[command]


def letter_latex(name: str) -> str:
    return name if len(name) == 1 else "\\" + name


def latex_name(name: str) -> str:
    """`x`, `\\theta`, `\\hat{y}'`, `\\mathbf{w}`, `\\boldsymbol{\\theta}`, `\\mathrm{rate}`."""
    base = name.rstrip(PRIME)
    primes = name[len(base):]
    return _latex_base(base) + primes


def _latex_base(name: str) -> str:
    if is_letter(name):
        return letter_latex(name)
    peeled = _peel(name)
    if peeled is None:
        return f"\\mathrm{{{name}}}"
    letter, *suffixes = peeled
    text = letter_latex(letter)
    for suffix in suffixes:
        command = DECORATIONS[suffix][0]
        if suffix == "bold" and not (len(letter) == 1 and letter.isalpha()):
            command = "boldsymbol"  # \mathbf does not embolden Greek
        text = f"\\{command}{{{text}}}"
    return text
