"""The Timeline page through app.py: the plan, due and late, history, and plan updates by role.

The update test runs on SQLite and PostgreSQL (``db_url``): a programme lead records a
new forecast, and a fresh session (a reload) shows it in the history.
"""

from datetime import date

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from qinet import db
from tests.app.conftest import ROOT, table_values, texts

pytestmark = pytest.mark.app

PAGE = "pages/timeline.py"
LEAD = "programme.lead@demo.nhs.example"  # leads the support-services programme
VIEWER = "estates.viewer@demo.nhs.example"
DIRECTORATE_LEAD = "medicine.lead@demo.nhs.example"


def _open(make_app, user=None, params=None) -> AppTest:
    at = make_app(user=user, params=params, run=False)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _revisions(url: str) -> int:
    eng = sa.create_engine(url)
    with eng.connect() as c:
        n = c.execute(sa.text("SELECT COUNT(*) FROM milestone_revision")).scalar_one()
    eng.dispose()
    return n


@pytest.fixture
def writable(db_url, monkeypatch) -> str:
    """The demo data in a fresh database (SQLite file or PostgreSQL) that the app may write."""
    eng = db.make_engine(db_url)
    db.ensure_demo_data(eng, seed=20240401)
    eng.dispose()
    monkeypatch.setenv("QINET_DATABASE_URL", db_url)
    return db_url


def test_page_shows_the_plan_due_and_late_and_history(make_app):
    at = _open(make_app)
    text = texts(at)
    assert "milestones\\:" in text and "Due and late" in text and "Revision history" in text
    assert any(e.key == "tl_chart" for e in at.get("plotly_chart"))
    assert "Cohort 4 starts" in table_values(at, "Milestone")  # the re-planned cohort
    assert "Late" in table_values(at, "Status")
    reasons = table_values(at, "Reason")
    assert any("Programme paused for 13 weeks" in r for r in reasons)
    keys = {b.proto.id for b in at.get("download_button")}
    assert len(keys) >= 4  # late, due, done late, milestones, revisions
    # An admin (demo mode) may update: the form is there.
    assert any(b.label == "Record change" for b in at.button)


def test_history_of_one_milestone(make_app):
    at = _open(make_app)
    box = at.selectbox(key="tl_history_milestone")
    choice = next(o for o in box.options if o.endswith("Mentor matching complete"))
    box.set_value(choice).run()
    assert not at.exception
    h = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
    assert set(h["Milestone"]) == {"Mentor matching complete"}
    assert h["Moved (days)"].tolist()[::-1] == ["0", "+91", "-13", "0"]  # back, then forward
    assert "the forecast moved 2 times" in texts(at)


def test_filter_narrows_the_programmes(make_app):
    at = _open(make_app, params={"programme": "Aspiring Improvers"})
    assert table_values(at, "Programme") == {"Aspiring Improvers"}


@pytest.mark.parametrize("user", [VIEWER, DIRECTORATE_LEAD])
def test_viewers_and_directorate_leads_are_told_they_cannot_update(make_app, user):
    at = _open(make_app, user=user)
    assert "can see the plan but not change it" in texts(at)
    assert not any(b.label == "Record change" for b in at.button)




def test_programme_lead_records_a_new_forecast_visible_after_reload(make_app, writable):
    at = _open(make_app, user=LEAD)
    box = at.selectbox(key="tl_ms")
    # Only their programme's milestones are offered.
    assert len(box.options) >= 6
    assert all(o.startswith("Behind the Scenes") for o in box.options)
    before = _revisions(writable)
    at.date_input(key="tl_forecast").set_value(date(2025, 12, 12))
    at.text_area(key="tl_reason").input("Venue booked for December after the ward moves")
    next(b for b in at.button if b.label == "Record change").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Recorded\\: Behind the Scenes" in texts(at)
    assert _revisions(writable) == before + 1
    # A reload (a new session) shows the revision with who recorded it and why.
    again = _open(make_app, user=LEAD)
    assert "Venue booked for December after the ward moves" in table_values(again, "Reason")
    assert LEAD in table_values(again, "Recorded by")
    assert "12 Dec 2025" in table_values(again, "Forecast")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("field", "value", "reason", "message"), [
    ("tl_actual", date(2025, 10, 20), "Done", "Actual date"),
    ("tl_forecast", date(2023, 1, 2), "Moved", "Forecast date"),
    ("tl_forecast", date(2025, 12, 1), "", "Reason"),
])  # fmt: skip
def test_bad_input_is_refused_and_writes_nothing(make_app, writable, field, value, reason,
                                                 message):  # fmt: skip
    at = _open(make_app, user=LEAD)
    before = _revisions(writable)
    at.date_input(key=field).set_value(value)
    if reason:
        at.text_area(key="tl_reason").input(reason)
    next(b for b in at.button if b.label == "Record change").click().run()
    assert not at.exception
    errors = " ".join(str(e.value) for e in at.error)
    assert message in errors and "Nothing was saved" in errors
    assert _revisions(writable) == before


def test_page_runs_on_its_own(app_env):
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=60)
    at.run()
    assert not at.exception
    assert "Timeline" in texts(at)


def test_overview_plan_uses_the_same_rule(make_app):
    """Issue 13: the Overview never says "On track" beside a slip beyond the tolerance, and
    nothing past its planned date is listed as due."""
    from qinet.stats import plan

    at = make_app()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    late = next(f for f in frames if "days_late" in f.columns)
    due = next(f for f in frames if "days_slipped" in f.columns and "days_late" not in f.columns)
    on_track = due[due["status"].isin(["On track", "Not started"])]
    assert (on_track["days_slipped"] <= plan.SLIP_TOLERANCE_DAYS).all()
    assert (due["baseline_date"].map(str) >= "2025-09-30").all()
    assert (late["status"] == "Late").all()
    assert "Interim report to the board" in set(late["title"])  # planned 27 Jul 2025
