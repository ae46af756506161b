"""No import circle at module level: a module never needs, while it loads, a module that needs it back.

Imports inside functions and under `if TYPE_CHECKING:` do not count: they run after every module has loaded (the add-on
units import their construct.py inside `install`, and the settings' cross checks name Settings for mypy only). A
submodule's own package (`settings` for `settings.nodes`) does not count either: Python has it loading already.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGES = ("settings", "stacks", "charts", "domain", "scripts", "bench")


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _loaded_with(path: Path) -> set[str]:
    """Every name a module imports while it loads: its top-level imports, those in top-level try/if blocks included."""
    names: set[str] = set()
    for statement in ast.parse(path.read_text()).body:
        if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(statement.test):
            continue
        if not isinstance(statement, (ast.Import, ast.ImportFrom, ast.If, ast.Try)):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)  # `from stacks.addons import keda`
    return names


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    modules = {_name(path): path for package in PACKAGES for path in (root / package).rglob("*.py")}
    modules["app"] = root / "app.py"
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        needed = {name for name in _loaded_with(path) if name in modules}
        # Importing `a.b.c` loads `a` and `a.b` first, except those the module itself sits in.
        needed |= {".".join(name.split(".")[:k]) for name in needed for k in range(1, name.count(".") + 1)}
        graph[module] = {name for name in needed if name in modules and name != module and not module.startswith(name + ".")}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for needed in sorted(graph[module]):
            if needed not in index:
                visit(needed)
                low[module] = min(low[module], low[needed])
            elif needed in stack:
                low[module] = min(low[module], index[needed])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_module_needs_one_that_needs_it_back():
    assert circles(import_graph()) == []


def test_a_circle_would_be_found():
    graph = import_graph()
    graph["domain.names"] = graph["domain.names"] | {"settings.model"}  # settings.model needs domain.names
    assert any({"domain.names", "settings.model"} <= set(group) for group in circles(graph))
