"""The command line: one-line errors naming the setting, demo build, reference check."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "qinet", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=600,
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    "url",
    [
        "nonsense",
        "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "sqlite:////proc/no-such-dir/qinet.db",
    ],
    ids=["malformed", "unreachable", "unwritable"],
)
def test_bad_database_url_is_one_line_naming_the_setting(url):
    result = run_cli("init-db", env={"QINET_DATABASE_URL": url})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "QINET_DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.db
def test_demo_builds_once_and_refuses_a_second_time(tmp_path):
    env = {"QINET_DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"}
    first = run_cli("demo", "--seed", "7", env=env)
    assert first.returncode == 0, first.stderr
    assert "observation" in first.stdout
    second = run_cli("demo", "--seed", "7", env=env)
    assert second.returncode == 2
    assert "already holds data" in second.stderr


@pytest.mark.db
def test_init_db_creates_demo_data_on_first_start(tmp_path):
    env = {"QINET_DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"}
    assert "Created synthetic demo data" in run_cli("init-db", env=env).stdout
    assert "already has data" in run_cli("init-db", env=env).stdout


@pytest.mark.unit
def test_check_reference_reports_full_agreement():
    result = run_cli("check-reference", "tests/reference")
    assert result.returncode == 0, result.stdout[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("agreement: ")
    agree, total = last.removeprefix("agreement: ").split("/")
    assert agree == total and int(total) > 200_000


@pytest.mark.unit
def test_check_reference_on_a_missing_folder_is_a_clear_error(tmp_path):
    result = run_cli("check-reference", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "is not a folder" in result.stderr
