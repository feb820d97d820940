"""The package's modules import one another without circles.

Every arrow between the modules of ``src/steadysqueeze`` points down: lower layers (spin
algebra, channels, models) know nothing of the solvers, the config or the figures. The
graph is read from the source with :mod:`ast` (nothing is imported), from every
``import`` statement, at module level and inside functions alike: an import hidden in a
function still ties the two modules together, it only delays the failure. Not counted:
imports under ``if TYPE_CHECKING:`` (annotations only; they never run).

An import of ``a.b.c`` also runs the ``__init__`` of ``a.b``, so it is an arrow to the
package ``a.b`` as well, unless the importing module lies inside ``a.b`` (its package is
then already being initialised).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = "steadysqueeze"
SOURCE = Path(__file__).resolve().parent.parent / "src" / PACKAGE


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package)."""
    modules = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if package else parts)] = (path, package)
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(node: ast.AST, in_function: bool = False
                  ) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement under ``node`` with whether it sits in a function, skipping
    the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, in_function
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _import_nodes(ast.Module(body=[other], type_ignores=[]),
                                         in_function)
        else:
            yield from _import_nodes(child, in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _targets(module: str, package: bool, node: ast.Import | ast.ImportFrom,
             modules: dict[str, tuple[Path, bool]]) -> set[str]:
    """The package modules whose code ``node`` runs (named, and their packages)."""
    if isinstance(node, ast.Import):
        named = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if package else module.split(".")[:-1]
            base = base[:len(base) - (node.level - 1)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        named = [origin] + [f"{origin}.{alias.name}" for alias in node.names
                            if f"{origin}.{alias.name}" in modules]
    inside = set(_ancestors(module)) | {module}
    targets = set()
    for name in named:
        if name.split(".")[0] != PACKAGE:
            continue
        targets |= {t for t in [*_ancestors(name), name] if t in modules and t not in inside}
    return targets


def import_graph() -> dict[str, dict[str, str]]:
    """module -> {imported module: where ("file:line", "(in a function)" if so)}."""
    modules = _modules()
    graph: dict[str, dict[str, str]] = {}
    for module, (path, package) in modules.items():
        edges = graph.setdefault(module, {})
        with warnings.catch_warnings():   # e.g. an invalid escape: not this test's concern
            warnings.simplefilter("ignore")   # (DeprecationWarning to 3.11, SyntaxWarning after)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node, in_function in _import_nodes(tree):
            where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}" + (
                " (in a function)" if in_function else "")
            for target in _targets(module, package, node, modules):
                edges.setdefault(target, where)
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module
    (Tarjan), as [m0, m1, ..., m0]."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:   # the package has a few dozen modules: recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(component, graph) for component in components]


def _cycle_in(component: list[str], graph: dict[str, dict[str, str]]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected component."""
    start, members = component[0], set(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:   # breadth first, back to start
        following = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w not in members or w in previous:
                    continue
                previous[w] = v
                if w == start:
                    path = [start]
                    while path[-1] != start or len(path) == 1:
                        path.append(previous[path[-1]])
                    return path[::-1]
                following.append(w)
        frontier = following
    raise AssertionError(f"no cycle in component {component}")   # a bug of this test


def describe(cycle: list[str], graph: dict[str, dict[str, str]]) -> str:
    steps = [f"  {a} -> {b}   [{graph[a][b]}]" for a, b in zip(cycle, cycle[1:])]
    return " -> ".join(cycle) + "\n" + "\n".join(steps)


def test_the_graph_sees_the_package() -> None:
    graph = import_graph()
    assert {"steadysqueeze.config", "steadysqueeze.exact.liouvillian",
            "steadysqueeze.models.declared"} <= set(graph)
    # a module-level import, a relative one from a subpackage, and a package's __init__
    assert "steadysqueeze.spin" in graph["steadysqueeze.models.declared"]
    assert "steadysqueeze.models" in graph["steadysqueeze.exact.liouvillian"]
    assert "steadysqueeze.figures.save" in graph["steadysqueeze.figures"]


def test_a_circle_is_found_and_named() -> None:
    graph = {"a": {"b": "a.py:1"}, "b": {"c": "b.py:2 (in a function)"}, "c": {"a": "c.py:3"},
             "d": {"a": "d.py:1"}}
    (cycle,) = cycles(graph)
    assert cycle == ["a", "b", "c", "a"]
    assert "b -> c   [b.py:2 (in a function)]" in describe(cycle, graph)
    assert cycles({"a": {"b": ""}, "b": {}}) == []


def test_function_level_imports_and_type_checking() -> None:
    tree = ast.parse("import os\n"
                     "from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from . import hidden\nelse:\n    import shown\n"
                     "def f():\n    from .x import y\n")
    found = [(ast.unparse(node), in_function) for node, in_function in _import_nodes(tree)]
    assert found == [("import os", False), ("from typing import TYPE_CHECKING", False),
                     ("import shown", False), ("from .x import y", True)]


def test_no_import_circles() -> None:
    graph = import_graph()
    found = cycles(graph)
    if found:
        pytest.fail("import circles among the package's modules (every arrow should point "
                    "down a layer):\n" + "\n".join(describe(c, graph) for c in found))
