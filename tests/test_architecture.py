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
        if module.startswith("qinet.") and not module.startswith("qinet.ui") and _matches(
            name, "streamlit"
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
