"""Layer order and no import cycles, read from the source (every ``import`` statement, at module
level or inside functions; only imports under ``if TYPE_CHECKING:`` are left out, since they never
run).

The layers, lowest first: errors → sources (and provenance) → warehouse (and fetch) → frames →
alliances / measures / models / assessment → cli / api / dashboard. A module may import its own
layer and the layers below, never a higher one; and no set of modules may import each other in a
circle. Enrichers computed by a higher layer join the ``--with`` registry by module *name*
(``foedus.frames.enrichers.ENRICHER_MODULES``), so the frames never import them.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

#: Layer of each top-level part of the package (``foedus.<part>``).
LAYERS: dict[str, int] = {
    "_lazy": 0,
    "_kept": 0,
    "errors": 0,
    "sources": 1,
    "provenance": 1,
    "warehouse": 2,
    "fetch": 2,
    "frames": 3,
    "alliances": 4,
    "measures": 4,
    "models": 4,
    "assessment": 4,
    "records": 4,
    "events": 4,
    "replications": 4,
    "arms_control": 4,
    "regions": 4,
    "scenarios": 4,
    "impact": 4,
    "cli": 5,
    "cli_support": 5,
    "api": 5,
    "dashboard": 5,
}


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((SRC / "foedus").rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    return skip


def _resolve(name: str) -> str | None:
    """The foedus module an import statement names (a name imported from a module counts as that
    module unless it is itself a module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """The foedus modules ``module`` imports (at run time)."""
    tree = ast.parse(MODULES[module].read_text())
    skip = _type_checking_nodes(tree)
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
        else:
            continue
        for target in targets:
            if target == "foedus" or target.startswith("foedus."):
                resolved = _resolve(target)
                if resolved is not None and resolved != module:
                    found.add(resolved)
    return found


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:  # the package itself: loads its names lazily, by string
        return max(LAYERS.values())
    return LAYERS[parts[1]]


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_part_has_a_layer() -> None:
    parts = {m.split(".")[1] for m in MODULES if "." in m}
    assert parts <= set(LAYERS), f"give these a layer: {sorted(parts - set(LAYERS))}"


def test_no_import_reaches_a_higher_layer() -> None:
    wrong = []
    for module, targets in GRAPH.items():
        for target in sorted(targets):
            if target == "foedus":
                continue  # checked below
            if layer(target) > layer(module):
                wrong.append(f"{module} (layer {layer(module)}) imports {target} "
                             f"(layer {layer(target)})")  # fmt: skip
    assert not wrong, "\n".join(wrong)


def test_the_package_root_is_imported_only_for_its_version() -> None:
    # `import foedus` then `foedus.dyad_years(...)` would hide an import of the frames.
    wrong = []
    for module, path in MODULES.items():
        if module == "foedus" or layer(module) >= LAYERS["cli"]:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name == "foedus" for a in node.names):
                wrong.append(f"{module}: import foedus")
            if isinstance(node, ast.ImportFrom) and node.module == "foedus" and not node.level:
                names = {a.name for a in node.names}
                if names - {"__version__"}:
                    wrong.append(f"{module}: from foedus import {', '.join(sorted(names))}")
    assert not wrong, "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
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
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    # A package importing its own submodules is how Python packages work; a submodule importing
    # its package back is the cycle to avoid, so packages' __init__ edges count too.
    cycles = _cycles(GRAPH)
    assert not cycles, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in cycles)


def test_the_checks_can_fail() -> None:
    # The checker sees an upward import and a cycle when there is one.
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    assert "foedus.frames.enrichers" in GRAPH["foedus.frames.atop"]
    assert layer("foedus.cli.data") > layer("foedus.frames.frame") > layer("foedus.warehouse")


def test_enricher_modules_are_registered_by_name_only() -> None:
    from foedus.frames.enrichers import ENRICHER_MODULES

    higher = [n for n in ENRICHER_MODULES if layer(n) > LAYERS["frames"]]
    assert higher, "the registry is expected to list enrichers of the measures/alliances layer"
    for name in ENRICHER_MODULES:
        assert name in MODULES, name
        assert name not in GRAPH["foedus.frames.enrichers"], name
    for name in higher:
        assert name not in GRAPH["foedus.frames.frame"], name
