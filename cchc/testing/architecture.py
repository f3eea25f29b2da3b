"""The import picture of the ``cchc`` package, read from the source with ``ast``.

``cchc/tests/test_architecture.py`` holds the rules; ``python -m cchc.testing.architecture`` prints the picture and
whatever breaks them. Every import counts, including those inside functions; imports under ``if TYPE_CHECKING:``
do not, since they never run.

A module belongs to an app (the first package under ``cchc``) and to a layer of that app:

- ``models``: ``models.py``, ``apps.py``, ``migrations``;
- ``core``: services, selectors and every other module of rules (results, scoring, Excel and Word documents …);
- ``access``: ``access.py``, the app's permission helpers;
- ``exchange``: Excel and Word files read and written for a person (``excel.py``, ``documents.py``), which scope what
  they read through the access helpers;
- ``widgets``: the searchable pickers and their widgets (``picker.py``, ``widgets.py``), form parts that the forms of
  several apps use;
- ``pages``: views, API, URLs, forms, widgets, pickers, template tags, admin, management commands, demo data,
  context processors, navigation and the page helpers several apps share (``imports/pages.py``).

The rules are that the module graph and the graph of (app, layer) pairs have no loops, that models and rules never
import pages, and that no app imports a name starting with an underscore from another app.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
ROOT = PACKAGE.parent

PAGE_MODULES = {
    "views",
    "api",
    "urls",
    "forms",
    "admin",
    "demo",
    "navigation",
    "context_processors",
    # Helpers that several apps' pages share, without URLs of their own (``imports/pages.py``: an import run's
    # progress fragment and error workbook).
    "pages",
}
EXCHANGE_MODULES = {"excel", "documents"}
WIDGET_MODULES = {"widgets", "picker"}
PAGE_PACKAGES = {"views", "templatetags", "management", "api"}
MODEL_MODULES = {"models", "apps"}
# Top-level modules of the project that are not apps: they assemble the apps and sit above all of them.
PROJECT_MODULES = {"api", "urls", "wsgi", "manage", "settings", "settings_production"}


@dataclass
class Picture:
    modules: set[str] = field(default_factory=set)
    edges: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    private: list[tuple[str, str, str]] = field(default_factory=list)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or parts[0] == "testing":
            continue
        yield path


def app_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2:
        return "project"
    if len(parts) == 2 and parts[1] in PROJECT_MODULES:
        return "project"
    if parts[1] == "settings":
        return "project"
    return parts[1]


def layer_of(module: str) -> str:
    parts = module.split(".")
    if app_of(module) == "project":
        return "pages"
    inner = parts[2:]
    if not inner:
        return "core"
    head, last = inner[0], inner[-1]
    if head in MODEL_MODULES or head == "migrations":
        return "models"
    if head == "access":
        return "access"
    if head in EXCHANGE_MODULES:
        return "exchange"
    if head in WIDGET_MODULES:
        return "widgets"
    if head in PAGE_PACKAGES or head in PAGE_MODULES or last in PAGE_MODULES:
        return "pages"
    if re.fullmatch(r"(views|urls|api)_\w+", head):
        return "pages"
    return "core"


def _resolve(name: str, known: set[str]) -> str | None:
    """The module an import of ``name`` loads: the longest known module that is ``name`` or a package above it."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, skipping the bodies of ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def read_picture(files: Iterable[Path] | None = None) -> Picture:
    picture = Picture()
    paths = list(files if files is not None else source_files())
    picture.modules = {module_name(path) for path in paths}
    for path in paths:
        source = module_name(path)
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
                names: list[tuple[str, str]] = []
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                # ``from package import module`` loads the module; any other name comes from ``base`` itself.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in picture.modules else base
                    for alias in node.names
                ]
                names = [(base, alias.name) for alias in node.names]
            for target in targets:
                if not target.startswith("cchc"):
                    continue
                resolved = _resolve(target, picture.modules)
                if resolved and resolved != source:
                    picture.edges[source].add(resolved)
            for base, name in names:
                if not base.startswith("cchc.") or app_of(base) == app_of(source):
                    continue
                private_module = any(part.startswith("_") and part != "__init__" for part in base.split(".")[2:])
                if name.startswith("_") or private_module:
                    picture.private.append((source, base, name))
    return picture


def imports_inside_functions() -> list[str]:
    """Imports of the package's own modules written inside a function (``AppConfig.ready`` excepted).

    With no loop in the picture, nothing needs to hide an import in a function: written at the top, every dependency
    of a module is visible where a reader looks for it.
    """
    found = []
    for path in source_files():
        if path.name == "apps.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom):
                    own = bool(node.level) or (node.module or "").startswith("cchc")
                elif isinstance(node, ast.Import):
                    own = any(alias.name.startswith("cchc") for alias in node.names)
                else:
                    continue
                if own:
                    found.append(f"{module_name(path)}:{node.lineno} (in {function.name})")
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    nodes = sorted(set(graph) | {w for targets in graph.values() for w in targets})
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return result


def module_cycles(picture: Picture) -> list[list[str]]:
    return _cycles(picture.edges)


def layer_graph(picture: Picture) -> dict[str, dict[str, set[str]]]:
    """(app, layer) → (app, layer) it imports → the module edges behind the arrow."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for source, targets in picture.edges.items():
        a = f"{app_of(source)}.{layer_of(source)}"
        for target in targets:
            b = f"{app_of(target)}.{layer_of(target)}"
            if a != b:
                graph[a][b].add(f"{source} → {target}")
    return graph


def layer_cycles(picture: Picture) -> list[list[str]]:
    graph = layer_graph(picture)
    return _cycles({node: set(targets) for node, targets in graph.items()})


def app_graph(picture: Picture) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, targets in picture.edges.items():
        for target in targets:
            if app_of(source) != app_of(target):
                graph[app_of(source)].add(app_of(target))
    return graph


# ``request.path`` and URL parts are addresses, not unit paths.
SCOPE_PATTERN = re.compile(r"path__i?startswith|(?<!request)(?<!parts)\.path\.startswith\(")


def hand_written_scopes() -> list[str]:
    """Places outside ``organisations`` that filter a unit subtree themselves instead of using its helpers."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in {"organisations", "testing"} or "migrations" in relative.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if SCOPE_PATTERN.search(line):
                found.append(f"cchc/{relative}:{number}: {line.strip()}")
    return found


def report() -> str:
    picture = read_picture()
    lines = ["Layers (app.layer → app.layer):"]
    graph = layer_graph(picture)
    for source in sorted(graph):
        lines.append(f"  {source} → {', '.join(sorted(graph[source]))}")
    problems = [
        ("Module loops", [" ↔ ".join(cycle) for cycle in module_cycles(picture)]),
        ("Layer loops", [" ↔ ".join(cycle) for cycle in layer_cycles(picture)]),
        ("Private names imported from another app", [f"{s}: from {m} import {n}" for s, m, n in picture.private]),
        ("Subtree filters written by hand", hand_written_scopes()),
        ("Imports inside functions", imports_inside_functions()),
    ]
    for title, items in problems:
        lines.append(f"{title}: {len(items)}")
        lines.extend(f"  {item}" for item in items)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report() + "\n")
