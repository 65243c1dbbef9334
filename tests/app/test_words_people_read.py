"""Issue 13, "numbers and words as people read them": labels, dates, plurals, no "None"."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from qinet.views.overview import TILE_LABEL_CHARS
from tests.app.conftest import texts

pytestmark = pytest.mark.app

ADMIN = "admin@demo.nhs.example"
SCREEN_DATE = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}$")  # 28 Apr 2025
RAW = {"project_code", "missing_periods", "code", "title", "first_period", "last_period",
       "started_on", "table", "rows"}  # fmt: skip


def _frames(at) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe]


def test_matrix_signal_date_is_blank_not_none_and_reads_as_a_date(make_app):
    at = make_app()
    assert not at.exception
    matrix = next(f for f in _frames(at) if "signal_when" in f.columns)
    when = matrix["signal_when"].astype(str)
    assert not when.str.contains("None|NaT|nan").any()
    shown = when[when != ""]
    assert len(shown) and shown.map(lambda s: bool(SCREEN_DATE.match(s))).all()
    assert (when[matrix["latest_signal"] == ""] == "").all()


def test_matrix_values_read_with_their_unit(make_app):
    at = make_app()
    matrix = next(f for f in _frames(at) if "latest" in f.columns)
    by_measure = matrix.set_index("measure")
    assert by_measure.loc["Discharges before noon (%)", "target"] == "35.0%"
    assert by_measure.loc["Falls risk assessments within 6 hours", "target"] == "90.0%"
    assert not matrix["latest"].astype(str).str.contains(r"^0\.00", regex=True).any()


def test_tiles_fit_with_full_words_in_help(make_app):
    at = make_app()
    for metric in at.metric:
        assert len(metric.label) <= TILE_LABEL_CHARS, metric.label
        assert metric.help and len(metric.help) > 20
    helps = " ".join(m.help for m in at.metric)
    assert "Participants trained" in helps and "hard-to-reach staff groups" in helps


def test_projects_in_this_view_have_human_labels_and_dates(make_app):
    at = make_app()
    register = next(f for f in _frames(at) if "Started" in f.columns)
    assert not RAW & set(register.columns)
    assert {"Code", "Project", "Status", "Directorate", "Programme"} <= set(register.columns)
    started = register["Started"].astype(str)
    assert started[started != ""].map(lambda s: bool(SCREEN_DATE.match(s))).all()
    assert not register["Status"].astype(str).str.contains("_").any()


def test_data_page_has_human_labels_dates_and_plurals(make_app):
    at = make_app(user=ADMIN, run=False)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    frames = _frames(at)
    assert frames
    for frame in frames:
        assert not RAW & set(frame.columns), frame.columns
    flagged = next(f for f in frames if "Issues" in f.columns)
    for col in ("First period", "Last period"):
        assert flagged[col].astype(str).map(lambda s: bool(SCREEN_DATE.match(s))).all()
    issues = " ".join(flagged["Issues"].astype(str))
    assert "(s)" not in issues
    assert re.search(r"\b1 missing periods\b|\b1 blank values\b", issues) is None
    assert "missing period" in issues
    assert "None" not in texts(at)


def test_measures_page_signals_dates_and_percent_hover(make_app):
    from qinet.demo import SHOWCASE_MEASURE

    at = make_app(params={"measure": f"QI-0001 · {SHOWCASE_MEASURE}"}, run=False)
    at.run()
    at.switch_page("pages/measures.py").run()
    assert not at.exception
    signals = next(f for f in _frames(at) if "Why it is special" in f.columns)
    for col in ("From", "To"):
        assert signals[col].astype(str).map(lambda s: bool(SCREEN_DATE.match(s))).all()
    reasons = " ".join(signals["Why it is special"].astype(str))
    assert not re.search(r"\d{4}-\d{2}", reasons)  # no ISO dates in the words either
    import json

    chart = next(e for e in at.get("plotly_chart") if e.key == "measure_chart")
    spec = json.loads(chart.proto.spec)
    hover = " ".join(" ".join(t.get("hovertext") or []) for t in spec["data"]
                     if isinstance(t.get("hovertext"), list))  # fmt: skip
    assert re.search(r"Value: \d+\.\d%", hover) and " %" not in hover
    names = [t.get("name", "") for t in spec["data"]]
    assert "Target 35.0%" in names
