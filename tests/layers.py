"""The import graph of `company` and `billing`, read with `ast` (nothing is imported).

Each edge remembers where it was written: the module, the line, the enclosing function (or None
at module level) and the names taken, so the layer rules in `test_layers.py` can say exactly
which line breaks them.
"""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("company", "billing")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    function: str | None
    names: tuple[str, ...]

    def __str__(self) -> str:
        where = f" in {self.function}()" if self.function else ""
        names = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.source}:{self.line}{where} imports {self.target}{names}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def _resolve(source: str, is_package: bool, level: int, module: str | None) -> str:
    if not level:
        return module or ""
    base = source.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _owner(name: str) -> str:
    """The nearest known module for a dotted name (a package's names live in its __init__)."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def _walk(tree: ast.AST):
    """(node, enclosing function name) for every import in the tree."""
    stack = [(tree, None)]
    while stack:
        node, function = stack.pop()
        for child in ast.iter_child_nodes(node):
            inner = (
                child.name
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                else function
            )
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, function
            stack.append((child, inner))


@cache
def edges() -> tuple[Edge, ...]:
    found = []
    for source, path in modules().items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), str(path))
        for node, function in _walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in PACKAGES:
                        found.append(Edge(source, _owner(alias.name), node.lineno, function, ()))
                continue
            base = _resolve(source, is_package, node.level, node.module)
            if base.split(".")[0] not in PACKAGES:
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules():  # `from pkg import module`
                    found.append(Edge(source, submodule, node.lineno, function, ()))
                else:
                    found.append(Edge(source, _owner(base), node.lineno, function, (alias.name,)))
    return tuple(found)


def cycles(edge_list) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for edge in edge_list:
        if edge.source != edge.target:
            graph.setdefault(edge.source, set()).add(edge.target)
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)
