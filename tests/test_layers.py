"""The house's import direction, read from the source (every import, module level or not):
data (patterns, sounds) -> models -> spaces -> instrument -> web, cli; training and evaluation
beside the runtime, which never imports them; and no two modules that import each other."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "latentdrum"
_BASE = {"errors", "files", "cache"}
_DATA = _BASE | {"patterns", "sounds"}
_RUNTIME = _DATA | {"models", "spaces"}
# What each top-level part of the package may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "files": set(),
    "cache": {"files"},
    "patterns": _BASE,
    "sounds": _BASE,
    "models": {"errors", "files"},  # plain modules: no data loading, no web, no CLI
    "spaces": _RUNTIME,
    "instrument": _RUNTIME,
    "web": _RUNTIME | {"instrument"},
    "training": _RUNTIME,
    "evaluation": _RUNTIME | {"instrument"},
    "cli": _RUNTIME | {"instrument", "web", "training", "evaluation", "__init__"},
    "__init__": _DATA,
    "__main__": {"cli"},
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every module of ``modules`` that ``path`` imports, at any depth of the file.

    ``from pkg import name`` counts as importing ``pkg.name`` when that is a module, else ``pkg``.
    """
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if sub in modules else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out & modules


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {m: _imports(p, set(files)) - {m} for m, p in files.items()}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_import_points_down_or_sideways_as_the_layout_allows() -> None:
    breaks = sorted(f"{m} -> {d}" for m, deps in _graph().items() for d in deps
                    if _part(d) != _part(m) and _part(d) not in ALLOWED[_part(m)])
    assert breaks == [], "imports against the house's direction:\n" + "\n".join(breaks)


def test_no_modules_import_each_other_in_a_circle() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                circles.append([*path[path.index(d) :], d] if d in path else [m, d])
            elif d not in state:
                visit(d, [*path, d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert circles == [], "import circles:\n" + "\n".join(" -> ".join(c) for c in circles)


def test_every_part_of_the_package_is_in_the_layout() -> None:
    assert {_part(m) for m in _graph()} <= set(ALLOWED)
