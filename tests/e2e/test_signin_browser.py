"""Real sign-in through Chromium against a local OpenID Connect provider (loopback only).

Starts ``oidc-provider-mock`` on a free loopback port, copies the project to a temporary
folder with an ``[auth]`` secrets file for it, runs ``streamlit run app.py`` there and
signs in through the provider's form. Covers: a ``roles`` claim gives that role;
``user_role`` rows scope a lead to one directorate; a user with no role sees the no-role
screen and no data; an unverified email claiming an admin's address gets no admin; a broken
or misspelt secrets file stops the app; logout works; "View as" never appears when signed in
and no URL parameter changes role or scope.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, _free_port, screenshot, wait_for_app_run

pytestmark = pytest.mark.e2e

USERS = {
    "role-admin": {"email": "new.admin@x.example", "email_verified": True, "roles": ["admin"]},
    "med-lead": {"email": "medicine.lead@demo.nhs.example", "email_verified": True},
    "nobody": {"email": "nobody@x.example", "email_verified": True},
    "attacker": {"email": "admin@demo.nhs.example", "email_verified": False},
}
COPY = ("app.py", "pages", "qinet", "alembic", "alembic.ini", ".streamlit/config.toml")
ENV = {"AUTHLIB_INSECURE_TRANSPORT": "1"}


def _wait_http(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    _stop(proc)
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    pytest.fail(f"{what} did not start:\n{out[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the process group (``streamlit run`` forks)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A local OIDC provider with the test users; yields its issuer URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **ENV}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    _wait_http(f"{issuer}/.well-known/openid-configuration", proc, "oidc-provider-mock")
    for sub, claims in USERS.items():
        req = urllib.request.Request(f"{issuer}/users/{sub}", data=json.dumps(claims).encode(),
                                     method="PUT", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5).close()
    yield issuer
    _stop(proc)


def _project(tmp: Path, secrets: str) -> Path:
    for name in COPY:
        src, dst = ROOT / name, tmp / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, dst)
    (tmp / ".streamlit" / "secrets.toml").write_text(secrets, encoding="utf-8")
    return tmp


@contextmanager
def _app(project: Path, db_url: str, port: int) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=project, env={**os.environ, **ENV, "QINET_DATABASE_URL": db_url,
                          "QINET_CREATE_DEMO": "1", "HOME": str(project)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    _wait_http(f"{base}/_stcore/health", proc, "streamlit")
    try:
        yield base
    finally:
        _stop(proc)


def _secrets(issuer: str, port: int) -> str:
    return f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "e2e-cookie-secret-0123456789abcdef"
client_id = "qinet-e2e"
client_secret = "qinet-e2e-secret"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
"""


@pytest.fixture(scope="module")
def signin_server(provider, e2e_db_url, tmp_path_factory) -> Iterator[str]:
    """The app with sign-in on, pointed at the local provider."""
    port = _free_port()
    project = _project(tmp_path_factory.mktemp("signin"), _secrets(provider, port))
    with _app(project, e2e_db_url, port) as base:
        yield base


def _sign_in(page, base: str, sub: str, query: str = "") -> None:
    page.goto(base + "/" + query)
    wait_for_app_run(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30000)
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(base + "/**", timeout=30000)
    wait_for_app_run(page)
    if query:
        page.goto(base + "/" + query)
        wait_for_app_run(page)


def _sidebar(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def test_signed_out_screen_has_no_page_list(signin_server, page):
    page.goto(signin_server + "/measures")
    wait_for_app_run(page)
    main = page.get_by_test_id("stMain").inner_text()
    assert "qinet" in main and "Sign in with your organisation account" in main
    assert page.get_by_test_id("stSidebarNav").count() == 0
    assert page.get_by_test_id("stDataFrame").count() == 0
    screenshot(page, "signin-signed-out")


def test_roles_claim_gives_that_role(signin_server, page):
    _sign_in(page, signin_server, "role-admin")
    assert "Admin" in _sidebar(page)
    assert page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).count() == 1
    assert "View as" not in _sidebar(page)


def test_user_role_rows_scope_a_lead_and_no_parameter_widens_it(signin_server, page):
    query = "?view_as=Admin%20(demo%20mode)&role=admin&directorate=Surgery"
    _sign_in(page, signin_server, "med-lead", query)
    side = _sidebar(page)
    assert "Directorate lead" in side and "View as" not in side
    assert page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).count() == 0
    page.get_by_test_id("stSidebar").get_by_text("Directorate", exact=True).locator(
        "xpath=ancestor::*[@data-testid='stSelectbox']").click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert set(options) == {"All", "Medicine"}
    assert "Surgery" not in page.get_by_test_id("stCaptionContainer").first.inner_text()
    page.goto(signin_server + "/data")
    wait_for_app_run(page)
    assert "Tables" not in page.get_by_test_id("stMain").inner_text()
    screenshot(page, "signin-medicine-lead")


def test_no_role_user_sees_no_data(signin_server, page):
    _sign_in(page, signin_server, "nobody")
    main = page.get_by_test_id("stMain").inner_text()
    assert "no role in qinet yet" in main and "nobody@x.example" in main
    assert page.get_by_test_id("stDataFrame").count() == 0
    assert page.get_by_test_id("stSidebarNav").count() == 0
    screenshot(page, "signin-no-role")


def test_unverified_email_claiming_an_admin_gets_no_admin(signin_server, page):
    _sign_in(page, signin_server, "attacker")
    assert "no role in qinet yet" in page.get_by_test_id("stMain").inner_text()
    assert page.get_by_test_id("stDataFrame").count() == 0


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)], ids=["laptop", "phone"])
def test_logout_works(signin_server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    _sign_in(page, signin_server, "med-lead")
    sidebar = page.get_by_test_id("stSidebar")
    if width < 640:  # on a phone the sidebar starts collapsed: open it as a person would
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
    sidebar.get_by_role("button", name="Sign out").click()
    # Streamlit sends the browser to the provider's end-session form (the mock lists
    # end_session_endpoint); wait for it rather than for a fixed time (1.5 s was too short
    # under load), then confirm there.
    page.wait_for_url(re.compile(r"/oauth2/end_session"), timeout=30000)
    with page.expect_navigation(timeout=30000):
        page.get_by_role("button").first.click()
    page.goto(signin_server + "/")
    wait_for_app_run(page)
    expect(page.get_by_role("button", name="Sign in")).to_have_count(1)
    assert page.get_by_test_id("stDataFrame").count() == 0


@pytest.mark.parametrize(
    ("secrets", "message"),
    [('[auth]\nclient_id = "unterminated\n', "does not parse as TOML"),
     ("[Auth]\nclient_id = 'x'\n", "has no [auth] section (found [Auth]")],
    ids=["broken", "misspelt"],
)
def test_broken_or_misspelt_secrets_stop_the_app(e2e_db_url, tmp_path, page, secrets, message):
    project = _project(tmp_path, secrets)
    with _app(project, e2e_db_url, _free_port()) as base:
        page.goto(base + "/")
        wait_for_app_run(page)
        main = page.get_by_test_id("stMain").inner_text()
        assert "qinet cannot start" in main and message in main
        assert str(project / ".streamlit" / "secrets.toml") in main
        assert page.get_by_test_id("stSidebarNav").count() == 0
        assert page.get_by_test_id("stDataFrame").count() == 0


def test_phone_width_signed_in(signin_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    try:
        _sign_in(pg, signin_server, "med-lead")
        assert pg.get_by_test_id("stMain").get_by_text("Overview").count() >= 1
        screenshot(pg, "signin-medicine-lead-phone")
    finally:
        context.close()
