"""Printers: plain text (`str()` of every node), LaTeX, Unicode, MathML and the
derivation steps.  Each is an entry of the format registry, symdiff.formats,
and loads when first used."""
