"""Rates per 1,000 and t/g charts end to end: Measures page, CSV bytes, Overview matrix, pack.

The CSV and board-pack bytes are read by wrapping ``st.download_button`` so each button's
``data`` callable is run as a click would run it: the test reads the file a user gets.
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st

from qinet.formatting import measure_format
from qinet.stats.measure import analyse_measure
from qinet.stats.rules import MDC_2024
from tests.app.conftest import table_values, texts

pytestmark = pytest.mark.app

PAGE = "pages/measures.py"
FALLS = "Inpatient falls per 1,000 bed days"
DAYS_BETWEEN = "Days between inpatient falls with harm"
CASES_BETWEEN = "Blood tests between needlestick injuries"


@pytest.fixture
def downloads(monkeypatch):
    """Every download button's bytes by key (the data callable run as on click)."""
    got: dict[str, bytes] = {}
    real = st.download_button

    def spy(label, data=None, *args, **kwargs):  # noqa: ANN001, ANN202
        payload = data() if callable(data) else data
        got[kwargs.get("key") or label] = payload.encode() if isinstance(payload, str) else payload
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return got


def _label_and_rows(db_url: str, name: str) -> tuple[str, pd.Series, pd.DataFrame]:
    eng = sa.create_engine(db_url)
    with eng.connect() as c:
        m = pd.read_sql(
            sa.text(
                "SELECT m.*, p.code AS project_code FROM measure m "
                "JOIN project p ON p.id = m.project_id WHERE m.name = :n"
            ),
            c,
            params={"n": name},
        ).iloc[0]
        obs = pd.read_sql(
            sa.text("SELECT * FROM observation WHERE measure_id = :i"), c, params={"i": int(m.id)}
        )
    eng.dispose()
    return f"{m.project_code} · {name}", m, obs


def _open(make_app, label: str):
    at = make_app(params={"measure": label}, run=False)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="measure").value == label
    return at


def _array(data) -> np.ndarray:
    """A Plotly JSON array, plain or typed (``{"dtype": "f8", "bdata": base64}``)."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
    return np.asarray(data, dtype=float)


def _spec(at) -> dict:
    chart = next(e for e in at.get("plotly_chart") if e.key == "measure_chart")
    return json.loads(chart.proto.spec)


def test_rate_per_1000_on_page_and_in_csv(make_app, app_env, downloads):
    label, m, obs = _label_and_rows(app_env, FALLS)
    assert m.chart_type == "u" and m.multiplier == 1000
    raw = obs["numerator"] / obs["denominator"]
    assert raw.max() < 0.02  # stored as falls per bed day
    at = _open(make_app, label)
    spec = _spec(at)
    values = next(t for t in spec["data"] if (t.get("meta") or {}).get("role") == "values")
    shown = pd.Series(_array(values["y"]), dtype=float).dropna()
    assert shown.max() == pytest.approx(raw.max() * 1000)
    assert shown.median() > 1  # per 1,000 bed days, not 0.00x
    hover = " ".join(t.get("hovertext", "") if isinstance(t.get("hovertext"), str)
                     else " ".join(t.get("hovertext") or []) for t in spec["data"])  # fmt: skip
    last = analyse_measure(obs, chart="u", direction="decrease", target=m.target,
                           preset=MDC_2024, multiplier=1000).summary.last_value  # fmt: skip
    assert f"Value: {last:.1f} falls per 1,000 bed days" in hover
    assert "0.00" not in hover.replace("0.00%", "")
    body = texts(at).replace("\\", "")  # markdown escapes
    assert "rate shown per 1,000" in body and "target 4.5" in body

    csv = pd.read_csv(io.BytesIO(downloads["dl_measure_chart"]), encoding="utf-8-sig")
    assert (csv["shown_per"] == 1000).all()
    assert csv["value"].dropna().median() > 1
    assert csv["value"].dropna().iloc[-1] == pytest.approx(round(last, 1))
    for col in ("value", "centre", "upper_limit"):  # at the measure's precision
        assert csv[col].dropna().map(lambda v: len(f"{v}".split(".")[-1]) <= 1).all(), col
    assert (csv["target"] == 4.5).all()


def test_rate_per_1000_in_matrix_and_board_pack(make_app, app_env, downloads):
    _label, m, obs = _label_and_rows(app_env, FALLS)
    at = make_app()
    assert not at.exception
    last = analyse_measure(obs, chart="u", direction="decrease", target=m.target,
                           preset=MDC_2024, multiplier=1000).summary.last_value  # fmt: skip
    text = measure_format("u", m.unit, 1000).text(last)
    assert text == f"{last:.1f}" and last > 1
    matrix = next(df.value for df in at.dataframe if "measure" in df.value.columns
                  and FALLS in set(df.value["measure"]))  # fmt: skip
    row = matrix[matrix["measure"] == FALLS].iloc[0]
    assert row["latest"] == text and row["target"] == "4.5"
    pack = downloads["overview_board_pack"].decode("utf-8")
    assert FALLS in pack
    cell = pack[pack.index(FALLS) :]
    cell = cell[: cell.index("</tr>")]
    assert f">{text}<" in cell and ">4.5<" in cell
    assert "0.004" not in cell


@pytest.mark.parametrize(("name", "chart"), [(DAYS_BETWEEN, "t"), (CASES_BETWEEN, "g")])
def test_t_and_g_measures_draw_on_the_measures_page(make_app, app_env, name, chart):
    label, m, _obs = _label_and_rows(app_env, name)
    assert m.chart_type == chart
    at = _open(make_app, label)
    spec = _spec(at)
    roles = {(t.get("meta") or {}).get("role") for t in spec["data"]}
    assert {"values", "mean", "upl"} <= roles, roles
    words = "time between events" if chart == "t" else "cases between events"
    body = texts(at)
    assert words in body and "rare-event chart" in body
    assert at.get("download_button")


def test_t_and_g_measures_in_the_overview_matrix(make_app):
    at = make_app()
    assert not at.exception
    measures = table_values(at, "measure")
    assert {DAYS_BETWEEN, CASES_BETWEEN} <= measures
