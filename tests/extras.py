"""Optional extras in tests: required under CI (which installs them), skipped elsewhere when missing."""

import importlib
import os

import pytest

# What .ci/run installs; a test needing one of these must run there, never skip.
IN_CI = {"numpy": "numpy", "sympy": "sympy"}


def require(module: str):
    """Import an optional dependency; under CI a missing one of IN_CI is an error."""
    if os.environ.get("CI") and module in IN_CI:
        return importlib.import_module(module)
    extra = IN_CI.get(module)
    where = f"the [{extra}] extra" if extra else "an optional framework CI does not install"
    return pytest.importorskip(module, reason=f"{module} is not installed ({where}): these tests are not run")
