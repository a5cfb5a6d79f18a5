"""Sphinx configuration: the API reference from the docstrings, pages in MyST Markdown.

Build: pip install -e '.[docs]' && sphinx-build -W --keep-going docs docs/_build/html
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "_ext"))

import symdiff  # noqa: E402  (the installed package: pip install -e .)

project = "symdiff"
author = "The symdiff developers"
copyright = "2026, The symdiff developers"
release = version = symdiff.__version__  # written once, in symdiff/__init__.py
for _name in symdiff.__all__:  # load the lazy names (Derivation, latex) so autodoc sees them
    getattr(symdiff, _name)

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # the docstrings' Args / Returns / Raises sections
    "sphinx.ext.viewcode",
    "myst_parser",  # Markdown pages, and the README's sections included verbatim
    "symdiff_cli",  # docs/_ext: the CLI reference, generated from the argument parser
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
root_doc = "index"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# Docstrings write code in Markdown-style single backticks: show it as code.
default_role = "code"

myst_heading_anchors = 3

html_theme = "sphinx_rtd_theme"
html_title = f"symdiff {release}"
html_theme_options = {"navigation_depth": 3}
