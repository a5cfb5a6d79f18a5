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


def framework(module: str):
    """A machine-learning framework for a codegen backend (torch, jax): large
    wheels outside every extra, which CI installs by hand (`.ci/run`)."""
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=f"{module} is not installed: pip install "
                                              f"{'torch==2.13.0' if module == 'torch' else 'jax jaxlib'}")
