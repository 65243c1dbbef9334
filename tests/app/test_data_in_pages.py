"""Imported data on the pages: MDC tables on the Measures page, an NHS Digital workforce file in
the Overview's reach, and the Data page for admins (and not for others)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from qinet import db
from qinet.imports import import_file, import_mdc
from qinet.imports.kinds import Context
from tests.app.conftest import texts
from tests.imports.helpers import csv_bytes
from tests.imports.test_engine import MDC_METRICS, mdc_data

pytestmark = pytest.mark.app


@pytest.fixture
def db_copy(demo_sqlite_url, tmp_path, monkeypatch) -> str:
    """A writable copy of the demo database, used by the app for this test."""
    dst = tmp_path / "qinet.db"
    shutil.copy(Path(sa.make_url(demo_sqlite_url).database), dst)
    url = f"sqlite:///{dst}"
    monkeypatch.setenv("QINET_DATABASE_URL", url)
    return url


def _open(make_app, page, params=None, user=None):
    at = make_app(user=user, params=params, run=False)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_mdc_tables_show_phases_ghosts_and_annotations(make_app, db_copy):
    engine = db.make_engine(db_copy)
    with db.session_scope(engine) as s:
        import_mdc(
            s,
            (MDC_METRICS, "metrics.csv"),
            (mdc_data(), "data.csv"),
            "QI-0001",
            Context("analyst@example"),
        )
    engine.dispose()
    at = _open(make_app, "pages/measures.py", params={"measure": "QI-0001 · Falls"})
    assert at.selectbox(key="measure").value == "QI-0001 · Falls"
    spec = json.loads(
        next(e for e in at.get("plotly_chart") if e.key == "measure_chart").proto.spec
    )
    roles = [(t.get("meta") or {}).get("role") for t in spec["data"]]
    assert roles.count("mean") == 2  # the recalculate-limits flag became a phase break
    ghost = next(t for t in spec["data"] if (t.get("meta") or {}).get("role") == "excluded")
    assert len(ghost["x"]) == 1 and str(ghost["x"][0]).startswith("2022-11-01")
    notes = [a.get("text", "") for a in spec["layout"]["annotations"]]
    assert any("Sensor mats" in n for n in notes)


def test_nhs_digital_workforce_file_feeds_the_overview_reach(make_app, db_copy):
    engine = db.make_engine(db_copy)
    with engine.begin() as c:
        c.execute(sa.text("DELETE FROM workforce_baseline"))
        orgs = c.execute(sa.text("SELECT code, name FROM organisation ORDER BY code")).all()
    rows = [["Month", "Organisation code", "Organisation name", "Staff group", "FTE"]]
    for code, name in orgs:
        rows.append(["2025-MAR", code, name, "HCHS doctors", "400.40000"])
        rows.append(["2025-MAR", code, name, "Hotel, property & estates", "250.00000"])
    with db.session_scope(engine) as s:
        result = import_file(s, "workforce", csv_bytes(rows), "nhs-workforce.csv", Context("t"))
    engine.dispose()
    assert result.counts["added"] == 2 * len(orgs)
    at = _open(make_app, "pages/overview.py")
    chart = next(e for e in at.get("plotly_chart") if e.key == "overview_reach_chart")
    bars = json.loads(chart.proto.spec)["data"][0]
    shown = {y.replace("<br>", " "): label  # the label beside each bar (names wrap)
             for y, label in zip(bars["y"], bars["customdata"], strict=True)}
    # only the groups in the file have a workforce; FTE-only rows count their rounded FTE
    assert set(shown) == {"Medical &amp; Dental", "Estates &amp; Ancillary"}
    assert f"/{400 * len(orgs):,})" in shown["Medical &amp; Dental"]
    assert f"/{250 * len(orgs):,})" in shown["Estates &amp; Ancillary"]


def test_data_page_for_admins_only(make_app):
    # both signed in: a process decides its sign-in mode once (as a server does)
    at = _open(make_app, "pages/data.py", user="admin@demo.nhs.example")
    body = texts(at)
    for heading in ("Import a file", "Templates", "Data-quality report", "Audit log"):
        assert heading in body
    labels = [b.label for b in at.get("download_button")]
    assert "CSV template" in labels and "Excel template" in labels
    assert any(e.label.startswith("Measures without an improvement direction") for e in at.expander)
    viewer = make_app(user="estates.viewer@demo.nhs.example")
    with pytest.raises(ValueError):  # not in a viewer's navigation
        viewer.switch_page("pages/data.py").run()


def test_lead_enters_a_value_and_undoes_it_viewer_sees_no_form(make_app, db_copy):
    lead = "medicine.lead@demo.nhs.example"
    at = _open(make_app, "pages/measures.py", user=lead)
    label = at.selectbox(key="measure").value
    assert any(t.key == "entry_note" for t in at.text_input)
    box = (
        "entry_numerator"
        if any(t.key == "entry_numerator" for t in at.text_input)
        else "entry_value"
    )
    at.date_input(key="entry_period").set_value(date(2031, 1, 15))
    at.text_input(key=box).input("abc")
    if box == "entry_numerator":
        at.text_input(key="entry_denominator").input("100")
    next(b for b in at.button if b.label == "Save value").click().run()
    assert any(
        "Not saved" in str(e.value) and "'abc' is not a number" in str(e.value) for e in at.error
    )
    at.text_input(key=box).input("7")
    next(b for b in at.button if b.label == "Save value").click().run()
    assert "Added the value for 13 Jan 2031" in texts(
        at
    ) or "Added the value for 01 Jan 2031" in texts(at)
    assert at.selectbox(key="measure").value == label
    engine = sa.create_engine(db_copy)
    with engine.connect() as c:
        who = c.execute(sa.text("SELECT user_key, kind FROM import_log")).all()
        n = c.scalar(sa.text("SELECT count(*) FROM observation WHERE period_start >= '2031-01-01'"))
    assert who == [(lead, "entry")] and n == 1
    next(b for b in at.button if b.label == "Undo my last entry").click().run()
    assert "Undid your entry" in texts(at)
    with engine.connect() as c:
        n = c.scalar(sa.text("SELECT count(*) FROM observation WHERE period_start >= '2031-01-01'"))
    engine.dispose()
    assert n == 0
    viewer = _open(make_app, "pages/measures.py", user="estates.viewer@demo.nhs.example")
    assert not any(t.key == "entry_note" for t in viewer.text_input)


def _points(at) -> int:
    spec = json.loads(
        next(e for e in at.get("plotly_chart") if e.key == "measure_chart").proto.spec
    )
    roles = ("points", "excluded")
    return sum(len(t["x"]) for t in spec["data"] if (t.get("meta") or {}).get("role") in roles)


def test_next_rerun_shows_an_import_made_elsewhere(make_app, db_copy):
    label = "QI-0001 · Length of stay (days)"
    at = _open(make_app, "pages/measures.py", params={"measure": label})
    before = _points(at)
    at.run()
    assert _points(at) == before  # served from the cache
    rows = [
        ["project_code", "measure", "period_start", "value"],
        ["QI-0001", "Length of stay (days)", "2025-12-01", "6.5"],
    ]
    engine = db.make_engine(db_copy)
    with db.session_scope(engine) as s:  # e.g. a scheduled `qinet import` in another process
        import_file(s, "observations", csv_bytes(rows), "late.csv", Context("cron"))
    engine.dispose()
    at.run()
    assert _points(at) == before + 1  # the data version moved, so the cache was dropped


def test_data_quality_lists_read_as_people_read_them():
    import pandas as pd

    from qinet.ui.data import check_display

    stale = pd.DataFrame({"Project": ["QI-1", "QI-2"], "Last scored": [date(2025, 4, 28), None]})
    assert check_display(stale)["Last scored"].tolist() == ["28 Apr 2025", "Never"]
    dup = pd.DataFrame({"Frequency": ["weekly"], "Period": [date(2025, 3, 3)]})
    assert check_display(dup).iloc[0].tolist() == ["Weekly", "3 Mar 2025"]
    assert stale["Last scored"].iloc[0] == date(2025, 4, 28)  # the CSV keeps the date


def test_import_preview_reads_as_people_read_it():
    import pandas as pd

    from qinet.ui.data import preview_display

    preview = pd.DataFrame(
        {
            "change": ["added"],
            "period_start": [date(2025, 10, 1)],
            "value": [6.1],
            "note": [None],
            "ghosted": [True],
        }
    )
    shown = preview_display(preview)
    assert list(shown.columns) == ["Change", "Period start", "Value", "Note", "Ghosted"]
    assert shown.iloc[0].tolist() == ["added", "1 Oct 2025", "6.1", "", "Yes"]
