"""The network package's modules import each other without a cycle at module level
(model <- checks <- io_csv <- alternatives, bundled, export), and the data model never reaches
for the reader or the checks, even lazily."""

from __future__ import annotations

import ast
from pathlib import Path

import titr.network as pkg


def _imports() -> dict[str, set[str]]:
    here = Path(pkg.__file__).parent
    out: dict[str, set[str]] = {}
    for f in here.glob("*.py"):
        name = f"titr.network.{f.stem}"
        deps: set[str] = set()
        for node in ast.parse(f.read_text("utf-8")).body:  # module-level imports
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "titr.network":
                    deps |= {f"titr.network.{a.name}" for a in node.names}
                elif node.module.startswith("titr.network."):
                    deps.add(node.module)
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("titr.network.")}
        out[name] = deps - {name}
    return out


def test_no_import_cycle_in_the_network_package() -> None:
    graph = _imports()
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        if state.get(m) == 1:
            raise AssertionError("import cycle: " + " -> ".join([*path, m]))
        if state.get(m) == 2 or m not in graph:
            return
        state[m] = 1
        for d in sorted(graph[m]):
            visit(d, [*path, m])
        state[m] = 2

    for m in sorted(graph):
        visit(m, [])
    text = (Path(pkg.__file__).parent / "model.py").read_text("utf-8")
    assert "titr.network.io_csv" not in text and "titr.network.checks" not in text
