"""The README's "From derivative to training code" section runs as written."""

import contextlib
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

from support.extras import need

README = Path(__file__).resolve().parent.parent / "README.md"


def section() -> str:
    text = README.read_text()
    start = text.index("## From derivative to training code")
    return text[start:text.index("\n## ", start + 1)]


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", section(), re.S)


def test_the_example_runs_and_prints_what_its_comments_say():
    need("numpy", "numpy")
    code = blocks("python")[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})  # the README's own example, in a test
    printed = out.getvalue().splitlines()
    promised = [m.group(1) for m in re.finditer(r"# -> (.*)", code)]
    assert printed[:len(promised)] == promised
    generated = "\n".join(printed[len(promised):]).strip()
    assert generated == blocks("text")[0].strip()


def test_the_console_examples():
    for block in blocks("console"):
        runs = re.split(r"^\$ ", block, flags=re.M)[1:]
        for run in runs:
            command, *expected = run.rstrip("\n").split("\n")
            args = shlex.split(command)
            assert args[0] == "symdiff"
            done = subprocess.run([sys.executable, "-m", "symdiff", *args[1:]], capture_output=True, text=True,
                                  timeout=120)
            lines = (done.stdout + done.stderr).splitlines()
            if expected:
                assert lines == expected, command
            assert done.returncode == (1 if expected and expected[0].startswith("not equal") else 0), command
