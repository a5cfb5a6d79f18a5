"""Start-up: a plain derivative, from the library or the command line, loads
only what it uses.  Asserted on `sys.modules` in a fresh interpreter, not on
time (README, "Performance": the cold-start row measures the time)."""

import subprocess
import sys

import pytest

# Modules a scalar `diff` of plain ASCII text does not need: vectors and matrices,
# the other printers, steps, code generation, checks, plots, the web page, JSON,
# the reading of Unicode text (and the Unicode tables it reads).
NOT_NEEDED = (
    "symdiff.matrix", "symdiff.matrix.read", "symdiff.matrix.latex", "symdiff.matrix.shapes",
    "symdiff.matrices", "symdiff.generate", "symdiff.printing.latex", "symdiff.printing.mathml",
    "symdiff.printing.steps", "symdiff.derivation", "symdiff.check", "symdiff.plotting", "symdiff.bridge",
    "symdiff.web", "json", "lark", "dataclasses", "inspect",
    "symdiff.unicode_input", "symdiff.printing.unicode", "unicodedata", "string", "binascii",
)
# ... and what it does need, so that an interpreter that failed early cannot pass.
NEEDED = ("symdiff.api", "symdiff.diff", "symdiff.simplify", "symdiff.printing.plain")

LIBRARY = "import symdiff; print(symdiff.diff('log_2(x)', 'x'))"
# `python -m symdiff diff 'log_2(x)'`, with the modules listed after it has run.
COMMAND = ("import runpy, sys; sys.argv = ['symdiff', 'diff', 'log_2(x)']\n"
           "try:\n    runpy.run_module('symdiff', run_name='__main__', alter_sys=True)\n"
           "except SystemExit as done:\n    assert not done.code, done.code\n")


def loaded(code: str) -> tuple[str, set[str]]:
    """What `code` printed, and the modules loaded when it ended."""
    script = code + "\nimport sys; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    *out, modules = done.stdout.splitlines()
    return "\n".join(out), set(modules.split())


@pytest.mark.parametrize("code", [LIBRARY, COMMAND], ids=["library", "command line"])
def test_a_plain_derivative_loads_only_what_it_uses(code):
    out, modules = loaded(code)
    assert out == "1/(x*ln(2))"
    assert set(NEEDED) <= modules
    assert sorted(set(NOT_NEEDED) & modules) == []


def test_the_command_line_builds_only_the_command_it_runs():
    from symdiff.cli import COMMANDS, build_parser

    def commands(parser):
        return next(a for a in parser._actions if a.dest == "command").choices

    assert list(commands(build_parser())) == list(COMMANDS)
    assert list(commands(build_parser("grad"))) == ["grad"]
    assert list(commands(build_parser("no such command"))) == list(COMMANDS)  # its error lists them all


def test_a_plain_derivative_builds_no_formula_and_compiles_no_phrase():
    """Rule formulas are for steps, request phrases for text that holds their words."""
    out, _ = loaded(LIBRARY + "\nimport sys; print(sys.modules['symdiff.diff']._formula.cache_info().currsize,"
                              " sys.modules['symdiff.requests']._compiled.cache_info().currsize)")
    assert out.splitlines() == ["1/(x*ln(2))", "0 0"]
    out, _ = loaded("import symdiff, sys; symdiff.derive('x^2 sin x', 'x'); symdiff.diff('d/dx x^3')\n"
                    "print(sys.modules['symdiff.diff']._formula.cache_info().currsize > 0,"
                    " sys.modules['symdiff.requests']._compiled.cache_info().currsize > 0)")
    assert out == "True True"
