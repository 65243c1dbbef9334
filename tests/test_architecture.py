"""The direction of imports (house style): fails on any arrow that points the wrong way."""

import ast
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)
OWN = {"qinet.domain", "qinet.errors"}

# module prefix -> (forbidden import prefixes, allowed-only set or None)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "pages": ("sqlalchemy", "plotly", "pandas", "qinet.queries", "qinet.stats", "qinet.db",
              "qinet.models", "qinet.charts"),
    "app": ("sqlalchemy", "plotly", "pandas", "qinet.queries", "qinet.stats", "qinet.db",
            "qinet.models", "qinet.charts"),
    "qinet.charts": ("streamlit", "sqlalchemy", "qinet.queries", "qinet.db", "qinet.models",
                     "qinet.ui", "qinet.io"),
    "qinet.stats": ("streamlit", "sqlalchemy", "plotly", "qinet.queries", "qinet.models",
                    "qinet.db", "qinet.charts", "qinet.ui", "qinet.io", "pathlib", "os",
                    "urllib", "socket", "requests"),
    "qinet.queries": ("streamlit", "plotly", "qinet.stats", "qinet.charts", "qinet.ui"),
    "qinet.io": ("streamlit", "plotly", "qinet.charts", "qinet.ui"),
    "qinet.models": ("streamlit", "plotly", "qinet.stats", "qinet.charts", "qinet.ui",
                     "qinet.queries"),
    "qinet.db": ("streamlit", "plotly", "qinet.stats", "qinet.charts", "qinet.ui",
                 "qinet.queries"),
    "qinet.demo": ("streamlit", "plotly", "qinet.charts", "qinet.ui", "qinet.queries"),
    "qinet.refcheck": ("streamlit", "sqlalchemy", "plotly", "qinet.ui"),
    "qinet.views": ("streamlit", "qinet.ui"),
    "qinet.imports": ("streamlit", "plotly", "qinet.charts", "qinet.ui", "qinet.stats"),
    "qinet.cli": ("streamlit",),
    "qinet.bench": (),
}
# The page benchmark drives the real scripts through AppTest (and clears their caches).
STREAMLIT_TESTING = {"qinet.bench_pages", "qinet.bench_app"}
STDLIB_ONLY = ("qinet.filters", "qinet.domain", "qinet.errors", "qinet.config", "qinet.access")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def _files() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
            *sorted((ROOT / "qinet").rglob("*.py"))]


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_the_right_way(path):
    module = _module_name(path)
    problems = []
    for lineno, name in _imports(path):
        if module.startswith("pages") or module == "app":
            rules = FORBIDDEN["pages"]
        else:
            rules = next((v for k, v in FORBIDDEN.items() if _matches(module, k)), ())
        for bad in rules:
            if _matches(name, bad):
                problems.append(f"line {lineno}: {module} must not import {name}")
        if (
            module.startswith("qinet.")
            and not module.startswith("qinet.ui")
            and _matches(name, "streamlit")
            and module not in STREAMLIT_TESTING
        ):
            problems.append(f"line {lineno}: only qinet.ui may import streamlit ({name})")
        if any(_matches(module, m) for m in STDLIB_ONLY):
            top = name.split(".")[0]
            if top not in STDLIB and not any(_matches(name, o) for o in OWN):
                problems.append(f"line {lineno}: {module} may import only the stdlib ({name})")
    assert not problems, "\n".join(problems)


def test_stats_never_opens_files():
    for path in (ROOT / "qinet" / "stats").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
                pytest.fail(f"{path.name}:{node.lineno} calls open()")
            if isinstance(node, ast.Attribute) and node.attr in ("read_csv", "to_csv"):
                pytest.fail(f"{path.name}:{node.lineno} uses {node.attr}")


def test_pages_are_thin():
    for path in sorted((ROOT / "pages").glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) <= 40, f"{path.name} has {len(lines)} lines; move logic into qinet.ui"


# --- shape: no import cycles, no private imports across modules, no module over 600 lines ---

MAX_LINES = 600

# Allow-lists for deliberate exceptions, each with its reason; empty now. A pure-data module
# (a table of constants) may go into ALLOWED_LONG if splitting it would only scatter the
# table. qinet/ui, qinet/views, app.py and pages/ must never appear here.
ALLOWED_PRIVATE_IMPORTS: set[tuple[str, str]] = set()
ALLOWED_LONG: set[str] = set()
ALLOWED_CYCLES: set[frozenset[str]] = set()
NEVER_ALLOWED = ("qinet.ui", "qinet.views")


def _qinet_modules(root: Path) -> dict[str, Path]:
    return {_module_name_in(root, p): p for p in sorted((root / "qinet").rglob("*.py"))}


def _module_name_in(root: Path, path: Path) -> str:
    return ".".join(p for p in path.relative_to(root).with_suffix("").parts if p != "__init__")


def _graph(root: Path) -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    """Module import graph (every import, also inside functions) and private-name imports.

    Returns:
        ``{module: {imported qinet modules}}`` and ``(module, line, module._name)`` for each
        ``from qinet.x import _name`` or ``x._name`` reaching into another module.
    """
    mods = _qinet_modules(root)
    graph: dict[str, set[str]] = {}
    private: list[tuple[str, int, str]] = []
    for module, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in mods:
                        edges.add(a.name)
                        if a.asname:
                            aliases[a.asname] = a.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if full in mods:
                        edges.add(full)
                        aliases[a.asname or a.name] = full
                    elif node.module in mods:
                        edges.add(node.module)
                        if a.name.startswith("_") and not a.name.startswith("__"):
                            private.append((module, node.lineno, full))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and aliases[node.value.id] != module
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                private.append((module, node.lineno, f"{aliases[node.value.id]}.{node.attr}"))
        edges.discard(module)
        graph[module] = edges
    return graph, private


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_no_import_cycles_among_qinet_modules():
    graph, _ = _graph(ROOT)
    cycles = [c for c in _cycles(graph) if c not in ALLOWED_CYCLES]
    assert not cycles, "import cycles (lazy imports count too): " + "; ".join(
        " <-> ".join(sorted(c)) for c in cycles
    )


def test_no_private_names_imported_from_another_module():
    _, private = _graph(ROOT)
    bad = [f"{m}:{line} uses {name}" for m, line, name in private
           if (m, name) not in ALLOWED_PRIVATE_IMPORTS]  # fmt: skip
    assert not bad, "\n".join(bad)


def test_no_module_over_600_lines():
    long = {}
    for module, path in _qinet_modules(ROOT).items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES and module not in ALLOWED_LONG:
            long[module] = n
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_allow_lists_never_cover_ui_or_views_and_are_not_stale():
    listed = {m for m, _ in ALLOWED_PRIVATE_IMPORTS} | ALLOWED_LONG
    assert not [m for m in listed if m.startswith(NEVER_ALLOWED)]
    graph, private = _graph(ROOT)
    assert {(m, name) for m, _, name in private} >= ALLOWED_PRIVATE_IMPORTS, "stale entries"
    assert all(m in graph for m in ALLOWED_LONG)


def test_the_checks_catch_what_they_claim(tmp_path):
    pkg = tmp_path / "qinet"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from qinet import b\n_x = 1\n")
    (pkg / "b.py").write_text("def f():\n    from qinet.a import _x\n    return _x\n")
    (pkg / "c.py").write_text("from qinet import a\nprint(a._x)\n")
    graph, private = _graph(tmp_path)
    assert _cycles(graph) == [frozenset({"qinet.a", "qinet.b"})]  # a lazy import closes it
    assert {(m, n) for m, _, n in private} == {("qinet.b", "qinet.a._x"),
                                               ("qinet.c", "qinet.a._x")}  # fmt: skip


def test_charts_are_shown_only_through_components_chart():
    """``st.plotly_chart`` in one place: ``components.chart`` makes axis text readable."""
    callers = sorted(
        str(p.relative_to(ROOT)) for p in [*ROOT.glob("qinet/**/*.py"), *ROOT.glob("pages/*.py"),
                                           ROOT / "app.py"]
        if ".plotly_chart(" in p.read_text(encoding="utf-8")
    )  # fmt: skip
    assert callers == ["qinet/ui/components.py"]
