"""One row per node kind: the columns a node class fills, and the stages' tables.

A node class is the core of its row (`nodes`): sort rank, facts, kind rule and
constructor.  Each stage keeps its column as one table keyed by node class
(`table("diff")`, `table("evaluate")`, `table("code")`, ...), filled from the
stage itself so that the core imports no stage.  `missing()` lists every
column a row leaves empty, as SymEngine's debug build refuses a visitor that
misses a class: a stage never falls through to a default.
"""

from __future__ import annotations

from typing import Any

from .expr import NODE_CLASSES, Expr

# Columns every node class defines itself (not inherited from Expr).
CORE_COLUMNS = ("_rank", "_kind_rule", "make", "with_args")

_tables: dict[str, dict[type[Expr], Any]] = {}


def table(stage: str) -> dict[type[Expr], Any]:
    """The column of `stage`, keyed by node class; created on first use."""
    return _tables.setdefault(stage, {})


def stages() -> tuple[str, ...]:
    """The names of the tables registered so far."""
    return tuple(_tables)


def missing() -> list[str]:
    """`"Class: column"` for each column a node class does not fill, among the
    core columns and every table registered so far."""
    out = []
    for cls in NODE_CLASSES:
        for column in CORE_COLUMNS:
            if not any(column in k.__dict__ for k in cls.__mro__[:-2]):  # not Expr's, not object's
                out.append(f"{cls.__name__}: {column}")
        for name, rows in _tables.items():
            if cls not in rows:
                out.append(f"{cls.__name__}: {name}")
    return out
