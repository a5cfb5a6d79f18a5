"""The fuzz harness in short mode: a fixed seed, so a failure repeats."""

from __future__ import annotations

import os
import random
import re

import pytest

from .harness import TreeMaker, run
from .typed import Typed, make

# CI runs a fixed draw; a local run also draws a fresh one (its seed is printed).
SEEDS = [0] if os.environ.get("CI") else [0, int.from_bytes(os.urandom(4), "big")]


@pytest.mark.slow  # seconds of work: in the full suite (CI), out of the -m 'not slow' loop
def test_fuzz_short_mode_finds_nothing():
    for seed in SEEDS:
        # A generous limit: a hang guard on a shared machine, not a measurement.
        report = run(trees=80, strings=80, subprocesses=2, seed=seed, call_limit=120.0, max_length=3000)
        assert report.failures() == 0, f"seed {seed}\n{report.summary()}"


def test_fuzz_typed_short_mode_finds_no_misread():
    for seed in SEEDS:
        report = run(trees=0, strings=0, subprocesses=0, seed=seed, call_limit=120.0, typed=150)
        assert report.failures() == 0, f"seed {seed}\n{report.summary()}"


def _by(c: Typed) -> bool:
    return c.wrt is not None and not c.asks


def _absent(c: Typed) -> bool:
    return _by(c) and all(c.wrt not in {str(s) for s in m.free} for m in c.meant)


# Issue 20's first table, row by row: the shape of its inputs, as the typed generators write them.
FIRST_TABLE: list[tuple[str, str, object]] = [
    ("a(x+1)^2", r"^[a-z]\(.+\)\^\d$", None),
    ("3x(x+1)^3", r"^\d[a-z]\(.+\)\^\d$", None),
    ("x^y (7 + 1/4)", r"^[a-z]\^\w \(.+\)$", None),
    ("xy by x", r"^[a-z]{2,3}$", _by),
    ("ax^2+bx+c by x", r"^[a-z]([xt])\^2 ?\+ ?[a-z]\1 ?\+ ?[a-z]$", _by),
    ("xsinx by x", r"^([xt])sin\1$", _by),
    ("xe^{x} by x", r"^([xt])e\^\{\1\}$", _by),
    ("x^2 by t", r"", _absent),
    ("d/dx x^2 sin x", r"^d/d[a-z] [^(]", None),
    (r"\frac{d}{dx} x^x", r"^\\frac\{d\}\{d[a-z]\} ", None),
    ("d/dx (x^3 + 2x)", r"^d/d[a-z] \(", None),
    ("derivative of x^2 sin(x)", r"^derivative of ", None),
    ("diff cos(x)", r"^diff ", None),
    ("... wrt r", r" wrt [a-z]$", None),
    ("differentiate f(x)^g(x)", r"^differentiate ", None),
    (r"\mathrm{e}^x", r"^\\mathrm\{e\}\^", None),
    ("E^x", r"^E\^", None),
    ("Pi*x", r"^Pi\*", None),
    ("e^2x", r"^e\^\d[a-z]$", None),
    ("x^1/2", r"^[a-z]\^1/\d$", None),
    ("2^3x", r"^\d\^\d[a-z]$", None),
    ("1/2x", r"^1/\d[a-z]$", None),
    ("x^T*A*x", r"^[a-z]\^T\*[A-Z]\*[a-z]$", None),
    ("X'", r"^[A-Z]'$", None),
    (r"\|X\mathbf{w} - \mathbf{y}\|^2", r"^\\\|[A-Z]\\mathbf\{[a-z]\} - \\mathbf\{[a-z]\}\\\|\^2$", None),
]


@pytest.fixture(scope="module")
def typed_cases() -> list[Typed]:
    rng = random.Random(0)
    maker = TreeMaker(rng)
    return [make(rng, n, maker) for n in range(3000)]


@pytest.mark.parametrize("row, pattern, test", FIRST_TABLE, ids=[r for r, _, _ in FIRST_TABLE])
def test_typed_generators_write_every_row_of_the_first_table(typed_cases, row, pattern, test):
    assert any(re.search(pattern, c.text) and (test is None or test(c)) for c in typed_cases), row
