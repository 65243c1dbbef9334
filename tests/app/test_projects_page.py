"""The Projects page through app.py: register, deep links, updates by role, scope, tiles."""

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.app.conftest import texts as _texts

pytestmark = pytest.mark.app

ADMIN = "admin@demo.nhs.example"
MED_LEAD = "medicine.lead@demo.nhs.example"
ESTATES_VIEWER = "estates.viewer@demo.nhs.example"
PAGE = "pages/projects.py"


@pytest.fixture(scope="module")
def codes(demo_engine) -> dict[str, list[tuple[str, str]]]:
    """(code, title) of the demo projects per directorate."""
    with demo_engine.connect() as c:
        rows = c.execute(sa.text(
            "SELECT d.name, p.code, p.title FROM project p JOIN directorate d "
            "ON d.id = p.directorate_id ORDER BY p.code"
        )).all()
    out: dict[str, list[tuple[str, str]]] = {}
    for directorate, code, title in rows:
        out.setdefault(directorate, []).append((code, title))
    return out


@pytest.fixture
def db_copy(demo_sqlite_url, tmp_path, monkeypatch) -> str:
    """A writable copy of the demo database, used by the app for this test."""
    dst = tmp_path / "qinet.db"
    shutil.copy(Path(sa.make_url(demo_sqlite_url).database), dst)
    url = f"sqlite:///{dst}"
    monkeypatch.setenv("QINET_DATABASE_URL", url)
    return url


def _open(make_app, user=None, params=None):
    at = make_app(user=user, params=params)
    assert not at.exception
    at = at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _register(at):
    return next(d.value for d in at.dataframe if "score_label" in d.value.columns)


def test_register_lists_every_project_with_filters_and_search(make_app, codes):
    at = _open(make_app)
    reg = _register(at)
    total = sum(len(v) for v in codes.values())
    assert len(reg) == total
    assert {"code", "title", "programme", "cohort", "directorate", "lead_staff_group",
            "hard_to_reach", "status_label", "score_label", "scored_on", "measures",
            "improving", "stale"} <= set(reg.columns)
    assert reg["score_label"].str.match(r"^\d\.\d · ").all()
    assert (reg["improving"] <= reg["measures"]).all()
    assert "None" not in set(reg["programme"]) | set(reg["cohort"])
    # search
    code, title = codes["Medicine"][0]
    at.text_input(key="projects_search").input(code).run()
    assert list(_register(at)["code"]) == [code]
    at.text_input(key="projects_search").input("").run()
    # status
    at.multiselect(key="projects_status").select("Complete").run()
    reg = _register(at)
    assert len(reg) and set(reg["status_label"]) == {"Complete"}
    at.multiselect(key="projects_status").unselect("Complete").run()
    # score
    label = "3.5 · Improvement"
    at.multiselect(key="projects_score").select(label).run()
    reg = _register(at)
    assert len(reg) and set(reg["score_label"]) == {label}
    assert f"Showing {len(reg)} of {total} projects" in texts(at)
    at.multiselect(key="projects_score").unselect(label).run()
    # stale only: every row gives its reason in words
    at.toggle(key="projects_stale_only").set_value(True).run()
    reg = _register(at)
    assert len(reg) and reg["stale"].str.len().gt(20).all()


def test_scoped_lead_sees_only_their_directorate(make_app, codes):
    at = _open(make_app, user=MED_LEAD)
    assert set(_register(at)["directorate"]) == {"Medicine"}
    assert set(_register(at)["code"]) == {c for c, _ in codes["Medicine"]}


def test_portfolio_and_stale_tabs(make_app):
    at = _open(make_app)
    at.session_state["projects_tab"] = "Portfolio"
    at.run()
    assert not at.exception
    body = texts(at)
    assert "Projects at each progress score, month by month" in body
    assert re.search(r"At Sep 2025, 40 scored projects: the most \(\d+\) at", body)
    at.session_state["projects_tab"] = "Stale scores"
    at.run()
    stale = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert len(stale) and stale["reason"].str.contains("Score ").all()


def test_deep_link_opens_a_project(make_app, codes):
    code, title = codes["Medicine"][0]
    at = _open(make_app, params={"project": code})
    body = texts(at)
    assert re.sub(r"\\", "", at.subheader[0].value).startswith(f"{code} · ")
    assert "Aim:" in body and "Progress score:" in body
    for heading in ("Measures", "Change ideas and PDSA cycles", "Milestones of the programme",
                    "Updates"):
        assert heading in body
    team = next(d.value for d in at.dataframe if "team_role" in d.value.columns)
    assert "Lead" in set(team["team_role"]) and team["reference"].str.match(r"^P-\d+$").all()
    assert "Progress score of" in body  # the step chart's text alternative
    assert "Record a progress score or status" in body  # admin may update


def test_lead_records_a_score_and_status(make_app, codes, db_copy):
    code, _ = codes["Medicine"][0]
    at = _open(make_app, user=MED_LEAD, params={"project": code})
    at.selectbox(key="project_update_score").set_value(5.0)
    at.selectbox(key="project_update_status").set_value("spreading")
    at.text_area(key="project_update_note").input("Sustained for six months; spreading to Ward 9")
    next(b for b in at.button if b.label == "Save update").click()
    at.run()
    assert not at.exception
    body = texts(at)
    assert "Update saved" in body
    assert "5.0 · Outstanding sustainable results" in body
    updates = next(d.value for d in at.dataframe if "note" in d.value.columns)
    assert updates["note"].iloc[0] == "Sustained for six months; spreading to Ward 9"
    assert "Status Spreading (was" in updates["change"].iloc[0]
    eng = sa.create_engine(db_copy)
    with eng.connect() as c:
        status = c.execute(sa.text("SELECT status FROM project WHERE code = :c"), {"c": code}
                           ).scalar()  # fmt: skip
        by, score = c.execute(sa.text(
            "SELECT u.recorded_by, s.score FROM project_update u JOIN project p "
            "ON p.id = u.project_id JOIN progress_score s ON s.project_id = p.id "
            "AND s.scored_on = u.recorded_on WHERE p.code = :c AND u.recorded_by = :by"),
            {"c": code, "by": MED_LEAD}).one()
    eng.dispose()
    assert (status, by, score) == ("spreading", MED_LEAD, 5.0)


def test_update_without_a_note_is_refused(make_app, codes, db_copy):
    code, _ = codes["Medicine"][0]
    eng = sa.create_engine(db_copy)
    with eng.connect() as c:
        before = c.execute(sa.text("SELECT count(*) FROM project_update")).scalar()
    at = _open(make_app, user=MED_LEAD, params={"project": code})
    at.selectbox(key="project_update_score").set_value(5.0)
    next(b for b in at.button if b.label == "Save update").click()
    at.run()
    assert not at.exception
    assert "A note is required" in texts(at)
    with eng.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM project_update")).scalar() == before
    eng.dispose()


def test_viewer_cannot_update(make_app, codes):
    code, _ = codes["Estates & Facilities"][0]
    at = _open(make_app, user=ESTATES_VIEWER, params={"project": code})
    body = texts(at)
    assert "You can read this project" in body
    assert "Record a progress score or status" not in body
    assert not [b for b in at.button if b.label == "Save update"]


def test_scoped_viewer_link_to_another_directorate_is_refused_without_a_leak(make_app, codes):
    code, title = codes["Medicine"][0]
    at = _open(make_app, user=ESTATES_VIEWER, params={"project": code})
    body = texts(at)
    assert "No project with the code" in body
    assert title not in body
    assert not at.dataframe
    assert len(at.subheader) == 0
    # a hostile code is echoed only escaped and cut short
    at = _open(make_app, user=ESTATES_VIEWER,
               params={"project": "[x](http://evil.example) **bold** " + "A" * 60})
    warning = at.warning[0].value
    assert "\\[x\\]\\(http" in warning and "A" * 30 not in warning


def _tile(at, label):
    return next(m for m in at.metric if m.label == label).value


def test_overview_tiles_and_matrix_reconcile_with_the_register(make_app):
    """Issue 13: the two project tiles and the matrix caption count the same projects."""
    projects = _open(make_app)
    reg = _register(projects)
    n = len(reg)
    improving = int((reg["improving"] > 0).sum())
    measures, improving_measures = int(reg["measures"].sum()), int(reg["improving"].sum())
    active = int((~reg["status_label"].isin(["Complete", "Stopped"])).sum())
    overview = make_app()
    assert not overview.exception
    assert _tile(overview, "Active projects") == f"{active} of {n}"
    assert _tile(overview, "Improving") == f"{improving} of {n}"
    body = texts(overview)
    assert (f"{measures} measures in {n} projects · {improving_measures} improving "
            f"(in {improving} projects)") in body
    # on the demo data (as of the demo split and rare-event measures): 40 projects, 31 active,
    # 17 improving through 20 measures
    assert (n, active, improving, improving_measures) == (40, 31, 17, 20)


def texts(at) -> str:
    """Visible text with Markdown escapes removed (data-derived text is escaped on screen)."""
    return _texts(at).replace("\\", "")


def test_scoped_register_csv_names_the_scope_once_and_holds_only_it(make_app, monkeypatch):
    """A Medicine lead's register CSV: says Medicine and synthetic once; only Medicine rows."""
    import io

    import pandas as pd
    import streamlit

    seen = {}
    real = streamlit.download_button

    def spy(label, data=None, file_name=None, *args, **kwargs):
        seen[kwargs.get("key")] = (file_name, data)
        return real(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", spy)
    _open(make_app, user=MED_LEAD)
    file_name, data = seen["dl_projects_register"]
    assert file_name.startswith("qinet-synthetic_project-register_medicine"), file_name
    assert file_name.count("synthetic") == 1
    frame = pd.read_csv(io.BytesIO(data() if callable(data) else data))
    assert len(frame) and set(frame["Directorate"]) == {"Medicine"}
    assert "Project code" in frame.columns and "code" not in frame.columns
