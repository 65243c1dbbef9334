"""qinet/stats keeps its shape: shared public steps, no private reach-ins, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [ROOT / "qinet" / "stats", ROOT / "qinet" / "refcheck"]
FILES = sorted(p for pkg in PACKAGES for p in pkg.glob("*.py"))
MAX_LINES = 600


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_private_name_imported_from_another_module(path):
    bad = [
        f"line {node.lineno}: from {node.module} import {alias.name}"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qinet")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert not bad, bad


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_private_attribute_of_another_qinet_module(path):
    tree = _tree(path)
    modules = {
        alias.asname or alias.name.split(".")[-1]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qinet")
        for alias in node.names
    }
    bad = [
        f"line {node.lineno}: {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
        and node.attr.startswith("_")
    ]
    assert not bad, bad


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_module_is_under_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) < MAX_LINES


def _definitions(name: str) -> list[str]:
    out = []
    for path in FILES:
        for node in _tree(path).body:
            targets = (
                [t.id for t in node.targets if isinstance(t, ast.Name)]
                if isinstance(node, ast.Assign)
                else [node.target.id]
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                else [node.name]
                if isinstance(node, ast.FunctionDef | ast.ClassDef)
                else []
            )
            if any(t.lstrip("_").upper() == name.upper() for t in targets):
                out.append(path.name)
    return out


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("DIRECTION_SIGN", "core.py"),
        ("none_if_nat", "core.py"),
        ("nat_to_none", None),
        ("LIMIT_CHART", "limits.py"),
        ("xmr_limits", "core.py"),
        ("group_median", "core.py"),
        ("Flat", "core.py"),
    ],
)
def test_shared_step_defined_once(name, home):
    assert _definitions(name) == ([home] if home else [])


def test_portfolio_has_no_copy_of_the_xmr_formula():
    source = (ROOT / "qinet" / "stats" / "portfolio.py").read_text(encoding="utf-8")
    assert "XMR_LIMIT" not in source and "TWO_SIGMA_FRACTION" not in source
