"""Check the package's layout: no import cycle, no import from a later stage, no oversized module.

Every ``import`` and ``from … import`` inside ``toolkit/`` counts, at module level or inside a
function, and so does ``importlib.import_module("toolkit…")`` with a literal name. A name
imported from a package whose ``__init__`` re-exports it lazily (``_EXPORTS``) counts as an
import of the module that defines it. Importing a submodule does not count as importing its
package's ``__init__`` (Python runs it, but the ``__init__`` files hold no imports of their
own beyond :mod:`toolkit._lazy`).

Usage::

    python tools/check_imports.py            # prints the cycles and oversized modules; exit 1 if any
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "toolkit"
MAX_LINES = 900
#: Layers in pipeline order: a module may import from its own layer and the layers before it.
LAYERS = (
    "toolkit._lazy", "toolkit.errors", "toolkit.runtime",
    "toolkit.corpus", "toolkit.annotation", "toolkit.vocabulary",
    "toolkit.topics", "toolkit.embeddings", "toolkit.report", "toolkit.experiment",
    "toolkit.commands", "toolkit.cli", "toolkit.__main__",
)  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _lazy_exports(tree: ast.Module) -> dict[str, str]:
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "_EXPORTS" and node.value is not None:
            return ast.literal_eval(node.value)
    return {}


def import_graph() -> dict[str, set[str]]:
    """``module -> modules it imports`` for every module of the package."""
    paths = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    trees = {m: ast.parse(p.read_text(encoding="utf-8"), str(p)) for m, p in paths.items()}
    exports = {m: _lazy_exports(t) for m, t in trees.items()}

    def targets(module: str, names: list[str]) -> set[str]:
        out = set()
        for name in names:
            if f"{module}.{name}" in paths:
                out.add(f"{module}.{name}")
            elif name in exports.get(module, {}):
                out.add(exports[module][name])
            else:
                out.add(module)
        return out

    graph: dict[str, set[str]] = {}
    for mod, tree in trees.items():
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in paths}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module in paths:
                    edges |= targets(node.module, [a.name for a in node.names])
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and str(node.args[0].value) in paths
            ):
                edges.add(str(node.args[0].value))
        edges.discard(mod)
        edges.discard("toolkit")  # __version__ only
        graph[mod] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer(module: str) -> int | None:
    """Index of ``module``'s layer in :data:`LAYERS` (None for the top package)."""
    found = None
    for i, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            found = i
    return found


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports from a later stage of the pipeline (``corpus`` importing ``topics``…)."""
    out = []
    for mod, edges in sorted(graph.items()):
        for dep in sorted(edges):
            a, b = layer(mod), layer(dep)
            if a is not None and b is not None and b > a:
                out.append((mod, dep))
    return out


def oversized(limit: int = MAX_LINES) -> list[tuple[str, int]]:
    out = []
    for p in sorted(PACKAGE.rglob("*.py")):
        n = len(p.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append((str(p.relative_to(ROOT)), n))
    return out


def main() -> int:
    bad = 0
    graph = import_graph()
    for comp in cycles(graph):
        print("import cycle:", " <-> ".join(comp))
        bad += 1
    for mod, dep in upward_imports(graph):
        print(f"{mod} imports {dep}, a later stage")
        bad += 1
    for path, n in oversized():
        print(f"{path}: {n} lines (limit {MAX_LINES})")
        bad += 1
    if not bad:
        print(f"no import cycle, no import from a later stage, no module over {MAX_LINES} lines")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
