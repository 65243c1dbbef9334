"""AppTest helpers: every page test starts from app.py on the read-only demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]

AUTH_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "qinet-test",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://login.example/v2.0/.well-known/openid-configuration",
}


ISSUER = "https://login.example/v2.0"


@pytest.fixture(autouse=True)
def no_secrets_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read no secrets file from disk; each test decides its own sign-in mode afresh.

    A server decides its mode once per process; the tests run many "processes" in one.
    """
    from qinet.ui import identity

    monkeypatch.setattr(identity, "secrets_files", lambda: ())
    identity.forget_mode()
    yield
    identity.forget_mode()


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, demo_sqlite_url: str) -> str:
    """Point the app at the demo database (read-only use)."""
    monkeypatch.setenv("QINET_DATABASE_URL", demo_sqlite_url)
    monkeypatch.setenv("QINET_CREATE_DEMO", "1")
    monkeypatch.delenv("QINET_AUTH", raising=False)
    return demo_sqlite_url


@pytest.fixture
def make_app(app_env: str):
    """Factory: ``make_app(user=None, params=None)`` → an AppTest of app.py, already run.

    ``user`` is an email: sign-in is then configured (``[auth]`` secrets) and the user
    is logged in with those claims (``sub`` = the email, ``email_verified`` true unless
    ``verified=False``; ``claims`` adds or overrides any). ``params`` become URL query
    parameters.
    """

    def _make(user: str | None = None, params: dict | None = None, roles: list | None = None,
              logged_in: bool = True, run: bool = True, verified: bool = True,
              claims: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        if user is not None or not logged_in:
            at.secrets["auth"] = AUTH_SECRETS
            token = {"is_logged_in": logged_in}
            if user is not None:
                token.update(email=user, email_verified=verified, sub=user, iss=ISSUER)
            if roles is not None:
                token["roles"] = roles
            token.update(claims or {})
            at.user = token
        for key, value in (params or {}).items():
            at.query_params[key] = value
        if run:
            at.run()
        return at

    return _make


def texts(at: AppTest) -> str:
    """All visible text of the last run, for 'does the page say X' assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for m in at.metric:
        parts.append(f"{m.label}: {m.value}")
    return "\n".join(parts)


def table_values(at: AppTest, column: str) -> set:
    """Values of ``column`` across every dataframe shown."""
    values = set()
    for df in at.dataframe:
        frame = df.value
        if column in frame.columns:
            values |= set(frame[column].dropna().astype(str))
    return values
