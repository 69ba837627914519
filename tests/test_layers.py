"""The packages stand on floors, and no import runs back up or round in a circle.

    cli                      the command line: may import everything below
    reports, providers, iac  renderers, cloud adapters, the checkov wrapper: import only the core
    scanner                  the core: imports none of the above

Every import counts, including those inside functions (a lazy import hides a cycle from Python, not from
a reader). The module graph inside each package must be acyclic too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR = {"scanner": 0, "reports": 1, "providers": 1, "iac": 1, "cli": 2}
# beside one another on floor 1: a renderer never needs an adapter, an adapter never a renderer
SIDEWAYS_ALLOWED: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in FLOOR:
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _imports(path: Path, name: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".")[: -node.level] if path.name != "__init__.py" else name.split(".")
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: {m for m in _imports(path, name) if m in mods and m != name} for name, path in mods.items()}


def test_no_import_runs_back_up_a_floor() -> None:
    bad = []
    for mod, deps in _graph().items():
        top = mod.split(".")[0]
        for dep in deps:
            dtop = dep.split(".")[0]
            if dtop == top:
                continue
            up = FLOOR[dtop] > FLOOR[top]
            sideways = FLOOR[dtop] == FLOOR[top] and (top, dtop) not in SIDEWAYS_ALLOWED
            if (up or sideways) and top != "cli":
                bad.append(f"{mod} -> {dep}")
    assert bad == []


def test_the_core_imports_no_cli_renderer_adapter_or_iac() -> None:
    graph = _graph()
    core = {m: deps for m, deps in graph.items() if m.split(".")[0] == "scanner"}
    assert len(core) > 20  # the walk found the core
    leaks = sorted(f"{m} -> {d}" for m, deps in core.items() for d in deps if d.split(".")[0] != "scanner")
    assert leaks == []


def test_no_circle_between_modules() -> None:
    graph = _graph()
    # collapse "pkg.mod.name" imports onto the module: an edge is module -> module
    edges = {m: {d for d in deps if d in graph} for m, deps in graph.items()}
    for m in edges:  # a package's __init__ is not an edge of its children
        edges[m] = {d for d in edges[m] if not m.startswith(d + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_checker_sees_a_back_import(tmp_path: Path) -> None:
    """The walk reads function-local imports: a lazy import of a renderer from the core is caught."""
    src = "def f():\n    from reports.data import build\n    return build\n"
    path = tmp_path / "x.py"
    path.write_text(src)
    assert "reports.data" in _imports(path, "scanner.x")


def test_adapters_hold_adapters_simulators_are_used_only_by_the_demo() -> None:
    """providers/<cloud>/sim/ (fakes and seeded scenarios) serve the demo and the tests; no adapter, renderer or
    core module may import them."""
    users = sorted(
        f"{m} -> {d}"
        for m, deps in _graph().items()
        for d in deps
        if ".sim" in d and not m.startswith("cli.") and ".sim" not in m
    )
    assert users == []
