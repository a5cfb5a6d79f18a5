"""Layers look down only: the package's imports, read with `ast`, have no
cycle and none of the forbidden edges.

Every import statement counts, wherever it stands: at the top, inside a
function (a deferred import is still a dependency) or under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import symdiff

PACKAGE = Path(symdiff.__file__).parent

# (importer, imported): a module name, or a package ending in "." for all its modules.
FORBIDDEN = [
    ("symdiff.parse", "symdiff.diff"),
    ("symdiff.parse", "symdiff.simplify"),
    ("symdiff.sums", "symdiff.simplify"),
    ("symdiff.diff", "symdiff.simplify"),
    ("symdiff.printing.", "symdiff.simplify"),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports, by any statement anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            # `from . import work` imports the module work; `from . import TIME_LIMIT` the package
            found.update(f"{target}.{a.name}" if f"{target}.{a.name}" in known else target for a in node.names)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def matches(name: str, pattern: str) -> bool:
    return name.startswith(pattern) if pattern.endswith(".") else name == pattern


def test_the_graph_sees_every_kind_of_import() -> None:
    edges = graph()
    assert "symdiff.diff" in edges["symdiff.api"]  # `import symdiff.diff as _diff`
    assert "symdiff.derivation" in edges["symdiff.api"]  # inside a function
    assert "symdiff.polynomial" in edges["symdiff.simplify"]  # `from . import polynomial as P`
    assert "symdiff.web.work" in edges["symdiff.web.pool"]  # `from . import work`, inside a function
    assert "symdiff.expr" in edges["symdiff.printing.latex"]  # `from .. import expr as X`


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN)
def test_forbidden_imports(importer: str, imported: str) -> None:
    edges = graph()
    assert any(matches(m, importer) for m in edges), importer  # the rule names real modules
    bad = sorted(m for m, targets in edges.items() if matches(m, importer) and imported in targets)
    assert bad == []
