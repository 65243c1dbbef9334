"""``python -m qinet import|template``: exit 0 written, 1 rejected (report on stderr), 2 usage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from qinet import db
from tests.imports.helpers import csv_bytes, load_examples
from tests.imports.test_engine import MDC_METRICS, mdc_data

pytestmark = pytest.mark.db
ROOT = Path(__file__).resolve().parents[2]


def _cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QINET_DATABASE_URL": url, "QINET_CREATE_DEMO": "0"}
    return subprocess.run(
        [sys.executable, "-m", "qinet", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = db.make_engine(url)
    db.create_schema(engine)
    load_examples(engine, upto="measures")
    engine.dispose()
    return url


def _count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        n = c.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed names
    engine.dispose()
    return int(n)


def test_exit_codes_and_reports(url, tmp_path):
    good = tmp_path / "obs.csv"
    good.write_bytes(
        csv_bytes(
            [
                ["project_code", "measure", "period_start", "numerator", "denominator"],
                ["PRJ-X1", "Falls per 1,000 bed days", "2024-07-01", "3", "100"],
            ]
        )
    )
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes(
            [
                ["project_code", "measure", "period_start", "numerator", "denominator"],
                ["PRJ-X1", "Falls per 1,000 bed days", "31/02/2024", "3", "100"],
            ]
        )
    )

    dry = _cli(url, "import", "observations", str(good), "--dry-run")
    assert dry.returncode == 0 and "dry run" in dry.stdout and _count(url, "observation") == 0

    ok = _cli(url, "import", "observations", str(good))
    assert ok.returncode == 0, ok.stderr
    assert "1 added" in ok.stdout and _count(url, "observation") == 1

    rejected = _cli(url, "import", "observations", str(bad))
    assert rejected.returncode == 1
    assert "row 2, column `period_start`: '31/02/2024' is not a date" in rejected.stderr
    assert "Traceback" not in rejected.stderr and _count(url, "observation") == 1

    for args in (
        ("import", "nonsense", str(good)),
        ("import", "observations", "/no/such.csv"),
        ("import", "mdc", str(good)),
        ("import", "observations"),
        ("template", "nonsense"),
    ):
        usage = _cli(url, *args)
        assert usage.returncode == 2, args
        assert "Traceback" not in usage.stderr


def test_mdc_and_template(url, tmp_path):
    (tmp_path / "m.csv").write_bytes(MDC_METRICS)
    (tmp_path / "d.csv").write_bytes(mdc_data())
    projects = tmp_path / "p.csv"
    out = _cli(url, "template", "projects", "--output", str(projects))
    assert out.returncode == 0 and projects.read_text().startswith("code,title,")
    xlsx = tmp_path / "p.xlsx"
    assert (
        _cli(url, "template", "projects", "--format", "xlsx", "--output", str(xlsx)).returncode == 0
    )
    assert xlsx.read_bytes()[:2] == b"PK"
    done = _cli(
        url,
        "import",
        "mdc",
        str(tmp_path / "m.csv"),
        str(tmp_path / "d.csv"),
        "--project",
        "PRJ-X1",
    )
    assert done.returncode == 0, done.stderr
    assert _count(url, "observation") == 30 and _count(url, "import_log") > 0
