"""Optional extras in tests: skipped with a reason outside CI, required in CI.

CI (`.ci/run`, with `CI` set) installs every extra, so there a missing one is
a failure, not a silent skip.
"""

from __future__ import annotations

import importlib
import os

import pytest


def need(module: str, extra: str):
    """Import `module` from the extra `extra`, or skip (outside CI) saying how to get it."""
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"needs {module}: pip install -e '.[{extra}]'")
