"""Printers: plain text (which registers itself as `str()` of every node), LaTeX,
Unicode, MathML and the derivation steps."""

from . import plain  # noqa: F401  (registers str())
