"""Release facts: one version everywhere, type information shipped."""

import importlib.metadata
import os
import subprocess
import sys
import tomllib

import symdiff

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_version_is_written_once():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    assert "version" not in project and "version" in project["dynamic"]


def test_installed_metadata_reads_the_same_version():
    # An editable install records the version when installed: reinstall after a bump.
    assert importlib.metadata.version("symdiff") == symdiff.__version__


def test_cli_prints_the_version():
    out = subprocess.run([sys.executable, "-m", "symdiff", "--version"], capture_output=True,
                         text=True, check=True).stdout
    assert out == f"symdiff {symdiff.__version__}\n"


def test_type_information_is_shipped():
    assert os.path.exists(os.path.join(os.path.dirname(symdiff.__file__), "py.typed"))
