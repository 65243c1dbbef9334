"""Browser tests: ``streamlit run app.py`` driven by Playwright in Debian's headless Chromium.

Skipped when ``/usr/bin/chromium`` or Playwright is missing, except with ``CI`` set:
then they fail, so a CI run can never pass without its browser tests (``.ci/run``
installs Chromium and stops if it cannot). Screenshots go to ``tests/artifacts/`` for a
person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE_TITLE = '=HYPERLINK("http://evil.example/steal","Click for details")'

try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:  # pragma: no cover - playwright is in requirements-test.txt
    sync_playwright = None


@pytest.fixture(autouse=True)
def _browser_available() -> None:
    """Skip a browser test without a browser to drive; fail it instead when ``CI`` is set."""
    if sync_playwright is not None and Path(CHROMIUM).exists():
        return
    reason = f"needs Debian chromium ({CHROMIUM}) and playwright"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_db_url(demo_sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the demo database with one hostile project title in Medicine."""
    src = Path(sa.make_url(demo_sqlite_url).database)
    dst = tmp_path_factory.mktemp("e2e") / "qinet.db"
    shutil.copy(src, dst)
    url = f"sqlite:///{dst}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE project SET title = :t WHERE id = (SELECT min(p.id) FROM project p "
                "JOIN directorate d ON d.id = p.directorate_id WHERE d.name = 'Medicine')"
            ),
            {"t": HOSTILE_TITLE},
        )
    engine.dispose()
    return url


@contextmanager
def _streamlit(db_url: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "QINET_DATABASE_URL": db_url, "QINET_CREATE_DEMO": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().decode() == "ok":
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
        pytest.fail(f"streamlit did not start:\n{out[-3000:]}")
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server(e2e_db_url: str) -> Iterator[str]:
    """A running ``streamlit run app.py`` on a free loopback port; yields its base URL."""
    with _streamlit(e2e_db_url) as base:
        yield base


@pytest.fixture
def fresh_server(e2e_db_url: str) -> Iterator[str]:
    """A server no session has visited yet (Streamlit still routes by the pages/ folder)."""
    with _streamlit(e2e_db_url) as base:
        yield base


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    """One headless Chromium for the session (Debian's binary; never ``playwright install``)."""
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:  # noqa: ANN001
    """A fresh browser tab (1400×1000) that accepts downloads."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


def wait_for_app_run(page: Page, timeout: int = 30000) -> None:
    """Wait until Streamlit has finished the current script run (Streamlit's own e2e recipe)."""
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=timeout
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout
    )
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)
    page.wait_for_timeout(300)  # let a bound widget sync the URL before the next action


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/ and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
