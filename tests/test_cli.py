"""The command line, run as a user runs it: a fresh process."""

import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "symdiff", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "args, out",
    [
        (["diff", "log_2(x)"], "1/(x*ln(2))"),
        (["diff", "x^x"], "x^x*(ln(x) + 1)"),
        (["diff", "log_{x}(2)"], "-ln(2)/(x*ln(x)^2)"),
        (["diff", "sigmoid(w*x+b)", "--wrt", "w"], "x*sigmoid(w*x + b)*(1 - sigmoid(w*x + b))"),
        (["diff", "x^4", "--order", "2"], "12*x^2"),
        (["simplify", "x*x + 2x - x"], "x^2 + x"),
        (["eval", "x^2 + y", "x=3", "y=0.5"], "9.5"),
    ],
)
def test_cli_prints_result(args, out):
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == out


@pytest.mark.parametrize(
    "args, message",
    [
        (["diff", "x +* 2"], "expected an operand after '+'"),
        (["diff", "x*y"], "several variables (x, y)"),
        (["diff", "x^2", "--wrt", "x+"], "expected an operand"),
        (["eval", "ln(x)", "x=-1"], "logarithm of a non-positive number"),
        (["eval", "1/x", "x=0"], "division by zero"),
        (["eval", "x + y", "x=1"], "no value given for the variable 'y'"),
        (["diff", "x", "--order", "-1"], "order"),
    ],
)
def test_cli_bad_input_exits_2_without_traceback(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_cli_caret_sits_under_the_fault():
    lines = run("diff", "x +* 2").stderr.rstrip("\n").splitlines()
    assert lines[-2].strip() == "x +* 2"
    assert lines[-1].index("^") == lines[-2].index("*")


def test_cli_usage_error_exits_2():
    result = run("frobnicate")
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_cli_reader_closing_the_pipe_early_is_not_a_traceback():
    wide = " + ".join(f"x^{k}*sin({k}*x)" for k in range(1, 4000))  # prints ~200 kB, past a pipe's buffer
    proc = subprocess.Popen([sys.executable, "-m", "symdiff", "diff", wide],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(100)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in stderr and "Error" not in stderr, stderr


def test_without_lark_the_command_line_says_how_to_install_it():
    # `python3 -m symdiff` in a clone, by an interpreter with no lark (-S: no site-packages).
    root = __file__.rsplit("/tests/", 1)[0]
    result = subprocess.run([sys.executable, "-S", "-m", "symdiff", "diff", "x^2"], capture_output=True,
                            text=True, timeout=60, cwd=root)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "pip install" in result.stderr and "lark" in result.stderr.lower()
    assert "Traceback" not in result.stderr
