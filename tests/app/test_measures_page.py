"""The Measures page through app.py: pickers, presets, charts, signals, phases and roles."""

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from qinet.demo import SHOWCASE_MEASURE
from tests.app.conftest import table_values, texts

pytestmark = pytest.mark.app

PAGE = "pages/measures.py"
SHOWCASE = f"QI-0001 · {SHOWCASE_MEASURE}"


def _open(make_app, params=None, user=None):
    at = make_app(user=user, params=params, run=False)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _spec(at, key="measure_chart"):
    chart = next(e for e in at.get("plotly_chart") if e.key == key)
    return json.loads(chart.proto.spec)


def _phases_drawn(at) -> int:
    return sum(1 for t in _spec(at)["data"] if (t.get("meta") or {}).get("role") == "mean")


def _measure_label(db_url: str, where: str) -> str:
    eng = sa.create_engine(db_url)
    with eng.connect() as c:
        row = c.execute(
            sa.text(
                "SELECT p.code, m.name FROM measure m JOIN project p ON p.id = m.project_id "
                f"WHERE {where} ORDER BY p.code, m.name LIMIT 1"
            )
        ).one()
    eng.dispose()
    return f"{row[0]} · {row[1]}"


def test_opens_on_the_first_measure_with_chart_icons_and_signals(make_app):
    at = _open(make_app)
    assert at.title[0].value == "Measures"
    assert at.selectbox(key="measure").value.startswith("QI-0001 · ")
    assert len(at.get("plotly_chart")) == 1
    captions = [im.proto.imgs[0].caption for im in at.get("image")]
    assert len(captions) == 2  # variation and assurance icons, each with its text label
    assert captions[0].startswith(("Common cause", "Special cause")) and "ssurance" in captions[1]
    body = texts(at)
    assert "Making Data Count 2024: shift 6, trend 6" in body.replace("\\", "")
    assert "Signals" in body and "Phases" in body
    assert at.get("download_button")


def test_link_opens_the_showcase_with_its_pdsa_and_suggestion(make_app):
    at = _open(make_app, params={"measure": SHOWCASE})
    assert at.selectbox(key="measure").value == SHOWCASE
    assert at.selectbox(key="measure_project").value.startswith("QI-0001 · ")
    spec = _spec(at)
    notes = [a for a in spec["layout"]["annotations"] if a.get("name") == "annotation:pdsa"]
    assert notes and "PDSA 1" in notes[0]["hovertext"]
    listed = [a["text"] for a in spec["layout"]["annotations"]
              if a.get("name") == "annotation-list"]  # fmt: skip
    assert listed and "PDSA 1" in listed[0]
    kinds = {(t.get("meta") or {}).get("point_type") for t in spec["data"]}
    assert {"special_cause_improvement", "special_cause_concern"} <= kinds
    assert "Suggested" in texts(at)
    signals = table_values(at, "Why it is special")
    assert any("points in a row rising" in s for s in signals)
    assert any("in a row above the mean" in s for s in signals)


@pytest.mark.parametrize(
    ("where", "expect"),
    [
        ("m.chart_type = 'run'", "Anhøj rules"),
        ("m.chart_type = 'p'", "p chart"),
        ("m.chart_type = 'u'", "u chart"),
        ("m.chart_type = 'c'", "c chart"),
    ],
)
def test_each_chart_type_opens(make_app, demo_sqlite_url, where, expect):
    label = _measure_label(demo_sqlite_url, where)
    at = _open(make_app, params={"measure": label})
    assert at.selectbox(key="measure").value == label
    assert expect in texts(at).replace("\\", "")


def test_filters_narrow_the_picker(make_app):
    at = _open(make_app, params={"directorate": "Surgery"})
    projects = at.selectbox(key="measure_project").options
    assert projects and "Surgery" in texts(at)
    assert all(not p.startswith("QI-0001 ") for p in projects)  # QI-0001 is in Medicine


def test_preset_switch_changes_the_rules(make_app):
    at = _open(make_app, params={"measure": SHOWCASE, "spc_rules": "NHSRplotthedots 0.2.2"})
    body = texts(at).replace("\\", "")
    assert "NHSRplotthedots 0.2.2: shift 7, trend 7" in body
    at.segmented_control(key="spc_rules").set_value("Life QI compatible").run()
    assert not at.exception
    assert "Life QI compatible: shift 8, trend 6" in texts(at).replace("\\", "")
    assert "shift" in at.expander[0].markdown[0].value  # the rules explained


def test_project_tab_has_small_multiples_and_signal_summary(make_app):
    at = _open(make_app, params={"measure": SHOWCASE})
    at.session_state["measure_view"] = "All measures in this project"
    at.run()
    assert not at.exception
    keys = {e.key for e in at.get("plotly_chart")}
    assert sum(k.startswith("sm_") for k in keys) == 3
    assert SHOWCASE_MEASURE in table_values(at, "Measure")
    assert table_values(at, "Variation")


def test_viewer_sees_breaks_but_no_controls(make_app):
    at = _open(make_app, user="estates.viewer@demo.nhs.example")
    projects = at.selectbox(key="measure_project").options
    assert projects and "Estates" in texts(at)
    assert not [b for b in at.button if b.label in ("Undo", "Confirm phase break")]
    body = texts(at)
    assert "the programme's lead can add or undo one" in body
    assert "consider a phase break" not in body


def test_directorate_lead_is_addressed_as_a_lead(make_app):
    at = _open(make_app, user="medicine.lead@demo.nhs.example", params={"measure": SHOWCASE})
    assert at.selectbox(key="measure").value == SHOWCASE
    body = texts(at).replace("\\", "")
    assert "As a directorate lead you can see the breaks" in body
    assert "only leads and administrators" not in body
    assert "Suggested" in body and "consider a phase break" not in body
    assert "the programme's lead can confirm a phase break there" in body
    assert not [b for b in at.button if b.label in ("Undo", "Confirm phase break")]


def test_out_of_scope_link_is_not_opened(make_app):
    at = _open(make_app, user="estates.viewer@demo.nhs.example", params={"measure": SHOWCASE})
    assert at.selectbox(key="measure").value != SHOWCASE


@pytest.fixture
def db_copy(demo_sqlite_url, tmp_path, monkeypatch) -> str:
    """A writable copy of the demo database, used by the app for this test."""
    src = Path(sa.make_url(demo_sqlite_url).database)
    dst = tmp_path / "qinet.db"
    shutil.copy(src, dst)
    url = f"sqlite:///{dst}"
    monkeypatch.setenv("QINET_DATABASE_URL", url)
    return url


def test_admin_confirms_and_undoes_a_phase_break(make_app, db_copy):
    at = _open(make_app, user="admin@demo.nhs.example", params={"measure": SHOWCASE})
    assert _phases_drawn(at) == 1
    assert (
        next(
            b for b in at.selectbox if b.label == "First period of the new phase"
        ).value.isoformat()
        == "2025-03-10"
    )
    at.text_area[0].input("Board round at 08:30 is now standard on all three wards")
    next(b for b in at.button if b.label == "Confirm phase break").click().run()
    assert not at.exception
    assert "confirmed" in texts(at)
    assert _phases_drawn(at) == 2  # limits recalculated per phase
    assert "New phase from 10 Mar 2025" in texts(at)
    picker = next(b for b in at.selectbox if b.label == "First period of the new phase")
    assert picker.value.isoformat() == "2025-03-10"  # stays on the break just confirmed
    eng = sa.create_engine(db_copy)
    with eng.connect() as c:
        who = c.execute(
            sa.text(
                "SELECT created_by FROM annotation WHERE kind = 'phase_break' "
                "AND retracted_at IS NULL AND detail LIKE 'Board round%'"
            )
        ).scalar()
    assert who == "admin@demo.nhs.example"
    next(b for b in at.button if b.label == "Undo").click().run()
    assert not at.exception
    assert "undone" in texts(at)
    assert _phases_drawn(at) == 1
    with eng.connect() as c:
        row = c.execute(
            sa.text(
                "SELECT retracted_by, retracted_at FROM annotation WHERE detail LIKE 'Board round%'"
            )
        ).one()
    eng.dispose()
    assert row[0] == "admin@demo.nhs.example" and row[1] is not None


def test_confirm_without_a_reason_is_refused(make_app, db_copy):
    at = _open(make_app, user="admin@demo.nhs.example", params={"measure": SHOWCASE})
    next(b for b in at.button if b.label == "Confirm phase break").click().run()
    assert not at.exception
    body = texts(at)
    assert "Reason** is required" in body  # a validation message on the form's field
    assert "could not be shown" not in body
    assert _phases_drawn(at) == 1


def test_short_series_and_project_without_measures(make_app, db_copy):
    eng = sa.create_engine(db_copy)
    with eng.begin() as c:
        mid = c.execute(
            sa.text("SELECT id FROM measure WHERE name = :n"), {"n": SHOWCASE_MEASURE}
        ).scalar()
        c.execute(
            sa.text(
                "DELETE FROM observation WHERE measure_id = :m AND id NOT IN "
                "(SELECT id FROM observation WHERE measure_id = :m "
                "ORDER BY period_start LIMIT 9)"
            ),
            {"m": mid},
        )
        empty = c.execute(
            sa.text("SELECT p.code || ' · ' || p.title FROM project p WHERE p.code = 'QI-0002'")
        ).scalar()
        c.execute(
            sa.text(
                "DELETE FROM observation WHERE measure_id IN "
                "(SELECT id FROM measure WHERE project_id = "
                "(SELECT id FROM project WHERE code = 'QI-0002'))"
            )
        )
        c.execute(
            sa.text(
                "DELETE FROM annotation WHERE measure_id IN "
                "(SELECT id FROM measure WHERE project_id = "
                "(SELECT id FROM project WHERE code = 'QI-0002'))"
            )
        )
        c.execute(
            sa.text(
                "DELETE FROM measure WHERE project_id = "
                "(SELECT id FROM project WHERE code = 'QI-0002')"
            )
        )
    eng.dispose()
    at = _open(make_app, params={"measure": SHOWCASE})
    body = texts(at)
    assert "Only 9 points so far" in body and "run chart" in body and "trial limits" in body
    assert "Run chart" in body.replace("\\", "")
    at.selectbox(key="measure_project").select(empty).run()
    assert not at.exception
    assert "No measure yet" in texts(at)
