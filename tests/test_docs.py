"""The docstrings: every public function documents itself, and its examples run.

The examples are doctests of every module in the package; the API reference
(docs/, built by Sphinx) is made from the same docstrings.
"""

import doctest
import importlib
import inspect
import os
import pkgutil
import sys

import pytest
from support.extras import need

import symdiff

# Every module but __main__, which runs the command line when imported.
MODULES = sorted(m.name for m in pkgutil.walk_packages(symdiff.__path__, "symdiff.")
                 if not m.name.endswith("__main__"))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# Modules whose examples need an optional extra: module -> (what they import, the extra).
EXAMPLES_NEED = {"symdiff.plotting": ("matplotlib", "plot"), "symdiff.bridge": ("sympy", "sympy")}


def _import(name: str):
    try:
        importlib.import_module(name)
    except ImportError as err:  # a module of an optional extra
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{name} needs an optional extra: {err}")
    # sys.modules, not the import's value: `symdiff.parse` the attribute is
    # the function, the module is only reachable here.
    return sys.modules[name]


@pytest.mark.parametrize("name", ["symdiff", *MODULES])
def test_docstring_examples_run(name):
    if name in EXAMPLES_NEED:
        need(*EXAMPLES_NEED[name])
    module = _import(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in finder.find(module, name):
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} doctest example(s) failed in {name} (output above)"


def _public_callables():
    """symdiff's public functions, and the public methods of its public classes."""
    for name in symdiff.__all__:
        obj = getattr(symdiff, name)
        if inspect.isfunction(obj):
            yield name, obj
        elif inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) and not attr.startswith("_"):
                    yield f"{name}.{attr}", member


PUBLIC = dict(_public_callables())


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_function_says_what_it_takes_returns_and_raises(name):
    doc = inspect.getdoc(PUBLIC[name]) or ""
    params = [p for p in inspect.signature(PUBLIC[name]).parameters if p not in ("self", "cls")]
    # A function takes text, so it can raise ParseError at least; a method may raise nothing.
    needed = ("Returns:", ">>>") if "." in name else ("Returns:", "Raises:", ">>>")
    missing = [section for section in needed if section not in doc]
    if params and "Args:" not in doc:
        missing.append("Args:")
    assert not missing, f"symdiff.{name}'s docstring lacks {', '.join(missing)}"


def test_every_public_name_is_documented():
    undocumented = [n for n in symdiff.__all__ if not inspect.getdoc(getattr(symdiff, n))]
    assert not undocumented
