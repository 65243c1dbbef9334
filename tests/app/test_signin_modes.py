"""Sign-in fails closed: the mode decision matrix, identity and revocation (AppTest).

Secrets (valid, broken, misspelt, absent) × data (synthetic, real) × ``QINET_AUTH``
(auto, none): each case either shows the mode's screen or stops with one line naming
the file or setting and the problem.
"""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from qinet.ui import identity
from tests.app.conftest import ROOT, texts

pytestmark = pytest.mark.app

VALID = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "a-long-random-secret"
client_id = "qinet"
client_secret = "s3cret"
server_metadata_url = "https://login.example/v2.0/.well-known/openid-configuration"
"""
SECRETS = {
    "valid": VALID,
    "broken": VALID.replace('client_id = "qinet"', 'client_id = "qinet'),
    "misspelt": VALID.replace("[auth]", "[Auth]"),
    "absent": None,
}
MED_LEAD = "medicine.lead@demo.nhs.example"
ADMIN = "admin@demo.nhs.example"


@pytest.fixture(scope="module")
def real_db(demo_sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo data with its synthetic marker removed: qinet treats it as real data."""
    dst = tmp_path_factory.mktemp("real") / "real.db"
    shutil.copy(sa.make_url(demo_sqlite_url).database, dst)
    engine = sa.create_engine(f"sqlite:///{dst}")
    with engine.begin() as c:
        c.execute(sa.text("DELETE FROM dataset_info WHERE key = 'synthetic'"))
    engine.dispose()
    return f"sqlite:///{dst}"


def _run(monkeypatch, tmp_path: Path, url: str, secrets: str | None, auth: str) -> AppTest:
    path = tmp_path / "secrets.toml"
    if secrets is not None:
        path.write_text(secrets, encoding="utf-8")
    monkeypatch.setattr(identity, "secrets_files", lambda: (str(path),))
    monkeypatch.setenv("QINET_DATABASE_URL", url)
    monkeypatch.setenv("QINET_AUTH", auth)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.user = {"is_logged_in": False}
    return at.run()


def _outcome(at: AppTest) -> str:
    errors = [e.value for e in at.error]
    if errors:
        assert len(errors) == 1 and "\n" not in errors[0]
        return errors[0]
    if any(b.label == "Sign in" for b in at.button):
        return "signed-in"
    sidebar = " ".join(str(c.value) for c in at.sidebar.caption)
    assert "Sign-in: off" in sidebar
    return "no sign-in"


@pytest.mark.parametrize("data", ["synthetic", "real"])
@pytest.mark.parametrize("auth", ["auto", "none"])
@pytest.mark.parametrize("secrets", list(SECRETS))
def test_mode_decision_matrix(monkeypatch, tmp_path, demo_sqlite_url, real_db, secrets, auth,
                              data):  # fmt: skip
    url = demo_sqlite_url if data == "synthetic" else real_db
    at = _run(monkeypatch, tmp_path, url, SECRETS[secrets], auth)
    assert not at.exception
    outcome = _outcome(at)
    path = str(tmp_path / "secrets.toml")
    if secrets == "valid":
        assert outcome == "signed-in"
    elif secrets == "broken":
        assert outcome.startswith(f"qinet cannot start: {path}: does not parse as TOML")
    elif secrets == "misspelt":
        assert outcome == (f"qinet cannot start: {path}: has no [auth] section (found [Auth]; "
                           "section names are case-sensitive)")  # fmt: skip
    elif data == "synthetic" or auth == "none":
        assert outcome == "no sign-in"
    else:
        assert outcome.startswith("qinet cannot start: QINET_AUTH: the database holds real data")
    if outcome != "no sign-in":  # nothing of the app is served
        assert not at.dataframe and not at.sidebar.selectbox


def test_oidc_setting_refuses_to_start_without_secrets(monkeypatch, tmp_path, demo_sqlite_url):
    at = _run(monkeypatch, tmp_path, demo_sqlite_url, None, "oidc")
    assert _outcome(at).startswith("qinet cannot start: QINET_AUTH: is oidc")


def test_secrets_edited_on_a_running_server_never_lower_the_mode(monkeypatch, tmp_path,
                                                                 demo_sqlite_url):  # fmt: skip
    at = _run(monkeypatch, tmp_path, demo_sqlite_url, VALID, "auto")
    assert _outcome(at) == "signed-in"
    (tmp_path / "secrets.toml").write_text(SECRETS["broken"], encoding="utf-8")
    assert _outcome(at.run()) == "signed-in"  # decided once per process
    (tmp_path / "secrets.toml").unlink()
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)  # a new visitor
    again.user = {"is_logged_in": False}
    assert _outcome(again.run()) == "signed-in"


def test_signed_out_screen_is_in_the_main_area_without_a_page_list(make_app):
    at = make_app(logged_in=False)
    assert "qinet" in [t.value for t in at.title]
    assert any(b.label == "Sign in" for b in at.main.button)
    assert not at.sidebar.selectbox and not at.dataframe
    assert "Sign in with your organisation account" in texts(at)


def test_no_role_screen_escapes_the_claimed_name_and_shows_no_data(make_app):
    at = make_app(user="[click](http://evil.example)@x.example")
    shown = texts(at)
    assert "no role in qinet yet" in shown
    assert "`[click](http://evil.example)@x.example`" in shown  # a code span: never a link
    assert not at.dataframe and not at.sidebar.selectbox
    assert any(b.label == "Sign out" for b in at.main.button)


def test_unverified_email_claiming_an_admins_address_gets_no_admin(make_app):
    at = make_app(user=ADMIN, verified=False, claims={"sub": "attacker"})
    assert "no role in qinet yet" in texts(at)


def test_entra_users_are_keyed_on_tenant_and_object_id(make_app, monkeypatch):
    seen = {}
    real = identity.reference.resolve_viewer

    def spy(session, subject, email, roles):
        seen["key"] = (subject, email)
        return real(session, subject, email, roles)

    monkeypatch.setattr(identity.reference, "resolve_viewer", spy)
    make_app(user=MED_LEAD, claims={"oid": "o-1", "tid": "t-1"})
    assert seen["key"] == ("entra:t-1/o-1", MED_LEAD)


def test_token_role_without_rows_gives_that_role(make_app):
    at = make_app(user="someone.new@x.example", roles=["Admin"])
    assert not at.exception
    assert "Admin" in " ".join(str(c.value) for c in at.sidebar.caption)


def test_expired_token_signs_the_user_out(make_app, monkeypatch):
    calls = []
    monkeypatch.setattr("streamlit.logout", lambda: calls.append(1))
    at = make_app(user=ADMIN, claims={"exp": 1_000_000_000})
    assert calls and not at.dataframe


def test_signed_in_ignores_view_as_and_other_role_parameters(make_app):
    at = make_app(user=MED_LEAD, params={
        "view_as": "Admin (demo mode)", "role": "admin", "directorate": "Surgery"})  # fmt: skip
    assert not at.exception
    assert not [s for s in at.sidebar.selectbox if s.key == "view_as"]
    assert at.sidebar.selectbox(key="directorate").options == ["All", "Medicine"]
    assert "Directorate lead" in " ".join(str(c.value) for c in at.sidebar.caption)


def test_directorate_viewer_sees_only_programmes_in_their_scope(make_app, demo_engine):
    at = make_app(user="estates.viewer@demo.nhs.example")
    shown = set(at.sidebar.selectbox(key="programme").options) - {"All"}
    with demo_engine.connect() as c:
        everything = set(c.scalars(sa.text("SELECT name FROM programme")))
        in_medicine = set(c.scalars(sa.text(
            "SELECT g.name FROM programme g JOIN project p ON p.programme_id = g.id "
            "JOIN directorate d ON d.id = p.directorate_id WHERE d.name = :d "
            "UNION SELECT g.name FROM programme g JOIN cohort c ON c.programme_id = g.id "
            "JOIN enrolment e ON e.cohort_id = c.id JOIN participant pa ON pa.id = "
            "e.participant_id JOIN directorate d ON d.id = pa.directorate_id "
            "WHERE d.name = :d"), {"d": "Estates & Facilities"}))  # fmt: skip
    assert shown == in_medicine and shown < everything


def test_view_as_lists_people_by_role_and_area_and_lives_in_the_url(make_app):
    at = make_app()
    box = at.sidebar.selectbox(key="view_as")
    med = next(o for o in box.options if o.startswith("Directorate lead — Medicine"))
    assert "@" not in " ".join(box.options)
    again = make_app(params={"view_as": med})  # a reload keeps the preview
    assert "Directorate lead" in " ".join(str(c.value) for c in again.sidebar.caption)
    assert again.sidebar.selectbox(key="directorate").options == ["All", "Medicine"]


def test_role_lookups_are_cached_briefly():
    assert identity.ROLE_CACHE_SECONDS <= 10
