"""The output formats: one registry entry each, read by everything that offers a choice of format.

An expression format writes a tree (`str()` of a node is the "plain" one,
`_repr_latex_` the "latex" one); a derivation format writes a derivation's
steps.  The command line's `--format` choices, the web API's `formats`, the
steps' `render(format)` and the package's exports (`symdiff.latex`, ...) all
come from here, so adding a format is adding an entry, with its printer.

Entries name their code as "module:attribute" and load it on first use: the
command line's plain path loads no other printer.  This module imports no
other part of symdiff (the nodes read it).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from typing import Any, Literal

Kind = Literal["expression", "derivation"]


class Format:
    """One output format.

    `code` is "module:attribute" of the printer (a function of a tree, returning
    text) or, for a derivation format, of its writer class (see
    symdiff.printing.steps.Writer).  `standalone` holds the keyword arguments a
    result printed on its own takes (a MathML block, on the command line and
    the page).  `export` is the name under which `symdiff` offers it as a
    function taking text too, as "module:attribute" of that function.
    A format is equal only to itself.
    """

    def __init__(self, name: str, code: str, kind: Kind = "expression", standalone: Mapping[str, Any] | None = None,
                 export: str | None = None) -> None:
        self.name = name
        self.code = code
        self.kind: Kind = kind
        self.standalone: Mapping[str, Any] = standalone or {}
        self.export = export

    def __repr__(self) -> str:
        return (f"Format(name={self.name!r}, code={self.code!r}, kind={self.kind!r}, "
                f"standalone={self.standalone!r}, export={self.export!r})")

    @cached_property
    def loaded(self) -> Any:
        """The printer or writer class, imported on first use."""
        return attribute(self.code)

    def write(self, e: Any) -> str:
        """`e` in this format, as part of a larger text (inline)."""
        return str(self.loaded(e))

    def show(self, e: Any) -> str:
        """`e` in this format, printed on its own (a line of output, a field of a reply)."""
        return str(self.loaded(e, **self.standalone))


def attribute(code: str) -> Any:
    """The object that "module:attribute" names."""
    module, _, attr = code.partition(":")
    return getattr(importlib.import_module(module), attr)


EXPRESSION: dict[str, Format] = {}
DERIVATION: dict[str, Format] = {}
_TABLES: dict[str, dict[str, Format]] = {"expression": EXPRESSION, "derivation": DERIVATION}


def register(fmt: Format) -> Format:
    """Add (or replace) a format; it is offered everywhere from then on."""
    if not fmt.name.isidentifier():
        raise ValueError(f"a format's name is a word such as 'latex', not {fmt.name!r}")
    _TABLES[fmt.kind][fmt.name] = fmt
    return fmt


def unregister(fmt: Format) -> None:
    """Take a format out again (a test's dummy, say)."""
    del _TABLES[fmt.kind][fmt.name]


@contextmanager
def registered(fmt: Format) -> Iterator[Format]:
    """`fmt` registered for the duration of a `with` block; whatever it replaced comes back."""
    table = _TABLES[fmt.kind]
    before = table.get(fmt.name)
    register(fmt)
    try:
        yield fmt
    finally:
        if before is None:
            del table[fmt.name]
        else:
            table[fmt.name] = before


def expression(name: str) -> Format:
    """The expression format called `name` (KeyError if there is none)."""
    return EXPRESSION[name]


def derivation(name: str) -> Format:
    """The derivation format called `name` (KeyError if there is none)."""
    return DERIVATION[name]


def exports() -> dict[str, str]:
    """The package's printing functions: public name -> "module:attribute"."""
    return {f.export.partition(":")[2]: f.export for f in EXPRESSION.values() if f.export is not None}


for _format in (
    Format("plain", "symdiff.printing.plain:to_str"),
    Format("latex", "symdiff.printing.latex:latex", export="symdiff.api:latex"),
    Format("unicode", "symdiff.printing.unicode:pretty", export="symdiff.api:pretty"),
    Format("mathml", "symdiff.printing.mathml:mathml", standalone={"display": "block"},
           export="symdiff.api:mathml"),
    Format("text", "symdiff.printing.steps:TextWriter", "derivation"),
    Format("unicode", "symdiff.printing.steps:UnicodeWriter", "derivation"),
    Format("markdown", "symdiff.printing.steps:MarkdownWriter", "derivation"),
    Format("latex", "symdiff.printing.steps:LatexWriter", "derivation"),
):
    register(_format)
