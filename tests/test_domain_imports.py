"""The domain imports one way: no two domain modules (or areas) import each other, not even
inside a function or under TYPE_CHECKING, and none is over 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[1] / "src" / "remtui" / "domain"
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    """Dotted name -> file of every module under domain/ (a package by its own name)."""
    out = {}
    for path in sorted(DOMAIN.rglob("*.py")):
        parts = ["remtui", *path.relative_to(DOMAIN.parent).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imported(name: str, path: Path, node: ast.ImportFrom | ast.Import) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        base = node.module or ""
    else:
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        here = here[: len(here) - (node.level - 1)]
        base = ".".join([*here, *([node.module] if node.module else [])])
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _graph(area_level: bool) -> dict[str, set[str]]:
    modules = _modules()

    def node_of(name: str) -> str:
        return ".".join(name.split(".")[:3]) if area_level else name

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _imported(name, path, node):
                    if target in modules and node_of(target) != node_of(name):
                        graph.setdefault(node_of(name), set()).add(node_of(target))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_two_domain_modules_import_each_other():
    assert _cycles(_graph(area_level=False)) == []


def test_no_two_domain_areas_import_each_other():
    """An area is a module or a package of domain/ (documents/ counts as one)."""
    assert _cycles(_graph(area_level=True)) == []


def test_the_cycle_finder_sees_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_domain_module_is_over_600_lines():
    long = {
        str(path.relative_to(DOMAIN)): n
        for path in DOMAIN.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
