"""Capability page through app.py: sections, choices, suppression, extracts and roles."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st

from qinet.demo.catalogue import SUPPORT_SERVICES_PROGRAMME
from tests.app.conftest import table_values, texts

pytestmark = pytest.mark.app

PAGE = "pages/capability.py"
MED_LEAD = "medicine.lead@demo.nhs.example"
PROG_LEAD = "programme.lead@demo.nhs.example"
ESTATES_VIEWER = "estates.viewer@demo.nhs.example"
THRESHOLD = 11


def _open(make_app, user=None, params=None, session=None):
    at = make_app(user=user, params=params)
    assert not at.exception
    at.switch_page(PAGE)
    for k, val in (session or {}).items():
        at.session_state[k] = val
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def captured(monkeypatch):
    """The data callable of every download button drawn (what a click would serve)."""
    seen: dict[str, object] = {}
    real = st.download_button

    def spy(label, data=None, *args, **kwargs):
        seen[kwargs.get("file_name", label)] = data
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return seen


def _csvs(captured) -> dict[str, pd.DataFrame]:
    """The Capability page's extracts as the CSV bytes a click serves, parsed back."""
    out = {}
    for name, data in captured.items():
        if "capability" not in name:
            continue  # the Overview runs first in app.py
        raw = data() if callable(data) else data
        assert raw.startswith(b"\xef\xbb\xbf")  # utf-8-sig, the safe CSV path
        out[name] = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    return out


def _assert_nothing_suppressed_leaks(frames: dict[str, pd.DataFrame]) -> int:
    """No count in 1..threshold-1, and every hidden row carries no number. Returns rows."""
    rows = 0
    for name, df in frames.items():
        rows += len(df)
        for col in ("Respondents", "Pairs", "Improved", "Same", "Declined"):
            if col in df:
                values = pd.to_numeric(df[col].replace("", None), errors="coerce").dropna()
                small = values[(values > 0) & (values < THRESHOLD)]
                assert small.empty, (name, col, small.tolist())
        if "Note" in df:
            hidden = df[df["Note"].astype(str).str.startswith("Hidden")]
            numeric = [c for c in df.columns if c in ("Respondents", "Mean score", "Pairs",
                                                       "Mean change", "CI 95% low")
                       or c.startswith("Share ")]  # fmt: skip
            for c in numeric:
                assert (hidden[c].astype(str) == "").all(), (name, c)
    return rows


def test_capability_survey_shows_waves_breakdown_and_paired_change(make_app):
    at = _open(make_app)
    text = texts(at)
    assert "Scores by wave (all responses, unpaired)" in text
    assert "Paired change: the same people before and after" in text
    assert "paired t" in text and "d_z" in text
    assert "turned round before scoring" in text  # the scoring rule is stated
    assert len(at.dataframe) == 3  # wave means, breakdown, paired change
    assert len(at.get("download_button")) >= len(at.dataframe)
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the wave chart and the paired-change chart


def test_pulse_survey_shows_run_charts_with_anhoej_rules(make_app):
    at = _open(make_app, session={"cap_survey": "Team psychological safety pulse"})
    text = texts(at)
    assert "Pulse over time" in text
    assert "Anhøj" in text
    assert "Paired change" not in text  # anonymous pulses cannot be paired
    assert len(at.get("plotly_chart")) == 2  # wave bars plus the run chart for everyone
    assert len(at.get("download_button")) >= len(at.dataframe)
    at.segmented_control(key="cap_pulse_view").set_value("By directorate").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) > 2  # directorates with enough months get their own
    assert "Pulse by directorate CSV" in [b.label for b in at.get("download_button")]


def test_choosing_a_question_and_breakdown(make_app):
    at = _open(make_app, session={"cap_survey": "Team psychological safety pulse"})
    box = next(s for s in at.selectbox if s.key == "cap_item")
    question = next(o for o in box.options if o.startswith("PS1 "))
    box.set_value(question).run()
    at.segmented_control(key="cap_breakdown").set_value("Directorate").run()
    assert not at.exception
    assert "Directorate" in at.dataframe[1].value.columns
    assert "reverse-scored" in str(at.get("plotly_chart")[0].proto.spec)


@pytest.fixture(scope="module")
def narrow(demo_engine) -> dict[str, str]:
    """A directorate × staff group whose capability responses include hidden waves."""
    with demo_engine.connect() as c:
        rows = c.execute(sa.text(
            "SELECT s.name, d.name, g.label, w.kind, count(*) FROM survey_response r "
            "JOIN survey_wave w ON w.id = r.wave_id JOIN survey s ON s.id = w.survey_id "
            "JOIN directorate d ON d.id = r.directorate_id "
            "JOIN staff_group g ON g.code = r.staff_group_code "
            "WHERE s.kind = 'capability' GROUP BY s.name, d.name, g.label, w.kind"
        )).all()
    df = pd.DataFrame(rows, columns=["survey", "directorate", "staff_group", "wave", "n"])
    mixed = df.groupby(["survey", "directorate", "staff_group"])["n"].agg(["min", "max"])
    pick = mixed[(mixed["min"] < THRESHOLD) & (mixed["max"] >= THRESHOLD)]
    assert len(pick), "demo data should have a group with both shown and hidden waves"
    survey, d, g = pick.index[0]
    return {"directorate": d, "staff_group": g, "survey": survey}


@pytest.fixture(scope="module")
def tiny(demo_engine) -> dict[str, str]:
    """A survey, directorate and staff group whose every wave has 1–10 responses."""
    with demo_engine.connect() as c:
        rows = c.execute(sa.text(
            "SELECT s.name, d.name, g.label, count(*) FROM survey_response r "
            "JOIN survey_wave w ON w.id = r.wave_id JOIN survey s ON s.id = w.survey_id "
            "JOIN directorate d ON d.id = r.directorate_id "
            "JOIN staff_group g ON g.code = r.staff_group_code "
            "GROUP BY s.name, d.name, g.label, w.id"
        )).all()
    df = pd.DataFrame(rows, columns=["survey", "directorate", "staff_group", "n"])
    worst = df.groupby(["survey", "directorate", "staff_group"])["n"].max()
    survey, d, g = worst[worst < THRESHOLD].index[0]
    return {"directorate": d, "staff_group": g, "survey": survey}


def test_no_extract_contains_a_suppressed_value_under_a_narrow_filter(make_app, narrow,
                                                                       captured):  # fmt: skip
    params = {k: v for k, v in narrow.items() if k != "survey"}
    at = _open(make_app, params=params, session={"cap_survey": narrow["survey"]})
    assert "Hidden: fewer than 11 responses" in str(at.dataframe[0].value.to_numpy())
    frames = _csvs(captured)
    assert any("capability-by-wave" in n for n in frames)
    assert _assert_nothing_suppressed_leaks(frames) > 0
    # every breakdown, for both kinds of survey, under the same narrow filter
    for survey in ("Joy in work pulse", "Team psychological safety pulse"):
        for by in ("Staff group", "Directorate", "Cohort"):
            captured.clear()
            at.session_state["cap_survey"] = survey
            at.session_state["cap_breakdown"] = by
            at.run()
            assert not at.exception
            _assert_nothing_suppressed_leaks(_csvs(captured))


def test_a_filter_so_narrow_everything_is_suppressed_says_so(make_app, tiny, captured):
    params = {k: v for k, v in tiny.items() if k != "survey"}
    at = _open(make_app, params=params, session={"cap_survey": tiny["survey"]})
    text = texts(at)
    assert "Every wave in this selection has fewer than 11 responses" in text
    assert not at.get("plotly_chart")  # no empty charts
    assert not at.dataframe
    assert not _csvs(captured)  # and nothing to download


def test_threshold_setting_is_honoured_everywhere(make_app, monkeypatch, captured):
    monkeypatch.setenv("QINET_SMALL_NUMBER_THRESHOLD", "100000")
    at = _open(make_app)
    assert "fewer than 100000 responses, so nothing is shown" in texts(at)
    assert not at.get("plotly_chart") and not _csvs(captured)


def test_directorate_lead_sees_only_their_directorate(make_app):
    at = _open(make_app, user=MED_LEAD, session={"cap_survey": "Team psychological safety pulse",
                                                  "cap_breakdown": "Directorate"})  # fmt: skip
    assert table_values(at, "Directorate") == {"Medicine"}
    assert "Surgery" not in texts(at)


def test_programme_lead_sees_only_their_programmes_surveys(make_app, demo_engine):
    at = _open(make_app, user=PROG_LEAD)
    with demo_engine.connect() as c:
        allowed = set(c.execute(sa.text(
            "SELECT s.name FROM survey s JOIN programme p ON p.id = s.programme_id "
            "WHERE p.name = :p"), {"p": SUPPORT_SERVICES_PROGRAMME}).scalars())
    box = next(s for s in at.selectbox if s.key == "cap_survey")
    assert allowed and set(box.options) == allowed  # their programme's surveys only


def test_scoped_viewer_sees_only_responses_from_their_directorate(make_app, demo_engine):
    with demo_engine.connect() as c:
        n = c.execute(sa.text(
            "SELECT count(*) FROM survey_response r JOIN directorate d "
            "ON d.id = r.directorate_id JOIN survey_wave w ON w.id = r.wave_id "
            "JOIN survey s ON s.id = w.survey_id "
            "WHERE d.name = 'Estates & Facilities' AND s.name = 'Joy in work pulse'"
        )).scalar_one()
    at = _open(make_app, user=ESTATES_VIEWER, session={"cap_survey": "Joy in work pulse",
                                                       "cap_breakdown": "Directorate"})
    if n == 0:  # the pulse does not run in Estates: the viewer sees nothing of it
        assert "No responses to this survey match these filters" in texts(at)
        assert not at.get("plotly_chart")
    else:
        assert table_values(at, "Directorate") <= {"Estates & Facilities"}


def test_a_scoped_leads_csv_names_their_scope(make_app, captured):
    _open(make_app, user=MED_LEAD, session={"cap_survey": "Team psychological safety pulse"})
    names = [n for n in captured if "capability" in n]
    assert names and all("medicine" in n and "qinet-synthetic" in n for n in names), names
