"""The Engagement page through app.py under several filters and roles."""

import json

import pytest

from qinet.demo import SUPPORT_SERVICES_PROGRAMME
from tests.app.conftest import texts as _texts

pytestmark = pytest.mark.app

PAGE = "pages/engagement.py"
MED_LEAD = "medicine.lead@demo.nhs.example"
PROG_LEAD = "programme.lead@demo.nhs.example"


def texts(at):
    """Visible text with Markdown escapes removed."""
    return _texts(at).replace("\\", "")


def _open(make_app, params=None, user=None):
    at = make_app(user=user, params=params, run=False)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _charts(at):
    return {e.key: json.loads(e.proto.spec) for e in at.get("plotly_chart")}


def test_whole_network_shows_reach_trend_funnel_events_and_people(make_app):
    at = _open(make_app)
    words = texts(at)
    for heading in ("Reach against the workforce", "Is reach improving?", "Funnel",
                    "Events and attendance", "The network's people"):
        assert heading in words
    # the two definitions are stated, and kept apart
    assert "Hard to reach (a fixed list" in words
    assert "representation ratio below 0.5" in words
    assert "Workforce baseline as at 31 Mar 2025" in words
    charts = _charts(at)
    assert {"eng_reach_chart", "eng_trend_chart", "eng_attendance_chart"} <= set(charts)
    # every table has its CSV
    assert len(at.get("download_button")) >= len(at.dataframe) >= 10
    assert not at.error


def test_reach_chart_ticks_never_repeat_and_labels_sit_off_the_bars(make_app):
    at = _open(make_app)
    spec = _charts(at)["eng_reach_chart"]
    axis = spec["layout"]["xaxis"]
    assert axis["dtick"] > 0 and axis["tickformat"].endswith("%")
    # name and value labels are annotations above each bar, the bars carry no text, and
    # the y-axis has no tick labels (the bars get the full width on a phone)
    assert "text" not in spec["data"][0] and axis["tickangle"] == 0
    above = [a for a in spec["layout"]["annotations"] if a.get("xref") == "paper"]
    assert len(above) == len(spec["data"][0]["y"])
    assert all(a["x"] == 0 and a["xanchor"] == "left" and a["yanchor"] == "bottom"
               for a in above)  # fmt: skip
    assert spec["layout"]["yaxis"]["showticklabels"] is False


def test_support_programme_is_measured_against_its_target_groups(make_app):
    at = _open(make_app, params={"programme": SUPPORT_SERVICES_PROGRAMME})
    words = texts(at)
    assert "its reach is measured against those groups' workforce only" in words
    warning = " ".join(str(w.value) for w in at.warning)
    assert "Nursing" not in warning and "Medical" not in warning


def test_directorate_lead_sees_only_their_directorate(make_app):
    at = _open(make_app, user=MED_LEAD)
    directorates = set()
    for df in at.dataframe:
        if "Directorate" in df.value.columns:
            directorates |= set(df.value["Directorate"])
    assert directorates and all(d.startswith("Medicine") for d in directorates)


@pytest.mark.parametrize("params", [{"period": "Last 12 months"},
                                    {"staff_group": "Estates & Ancillary"},
                                    {"organisation": "Wexley Care & Voluntary Alliance"}])
def test_filters_open_without_error(make_app, params):
    at = _open(make_app, params=params)
    assert "Reach against the workforce" in texts(at)


def test_programme_lead_opens_the_page(make_app):
    at = _open(make_app, user=PROG_LEAD)
    assert "Reach against the workforce" in texts(at)


def test_hard_to_reach_is_one_setting_shown_on_both_pages(make_app, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("QINET_HARD_TO_REACH", "students,estates_ancillary")
    st.cache_data.clear()
    try:
        at = make_app()
        overview = texts(at)
        assert "Hard to reach (a fixed list, the same on every page): Students, Estates & " \
            "Ancillary." in overview
        at.switch_page(PAGE).run()
        assert not at.exception
        assert "Hard to reach (a fixed list, setting QINET_HARD_TO_REACH): Students, Estates " \
            "& Ancillary." in texts(at)
    finally:
        st.cache_data.clear()


def test_overview_reach_is_the_engagement_computation(make_app):
    at = make_app()
    overview_warning = " ".join(str(w.value) for w in at.warning)
    at.switch_page(PAGE).run()
    engagement_warning = " ".join(str(w.value) for w in at.warning)
    # the same groups are flagged under-represented on both pages
    for group in ("Additional Clinical Services", "Administrative & Clerical"):
        assert group in overview_warning.replace("\\", "")
        assert group in engagement_warning.replace("\\", "")


def test_board_pack_carries_the_engagement_sections(demo_sqlite_url):
    from qinet import db
    from qinet.access import Viewer
    from qinet.demo import DEMO_TODAY
    from qinet.domain import Role
    from qinet.filters import Filters
    from qinet.io import boardpack as bp
    from qinet.views import engagement as ev
    from qinet.views.base import ViewContext
    from qinet.views.overview_pack import engagement_part
    from tests.io.test_boardpack import _pack

    engine = db.make_engine(demo_sqlite_url)
    try:
        view = ViewContext(engine, Viewer("a", Role.ADMIN), Filters(), DEMO_TODAY,
                           synthetic=True, small_number_threshold=11)
        part, extracts = engagement_part(view, ev.ReachRules())
    finally:
        engine.dispose()
    assert (part.key, part.title) == ("engagement", "Engagement")
    headings = [s.heading for s in part.sections]
    assert "Funnel by programme" in headings and "Is reach improving?" in headings
    assert "Reach by staff group" not in headings  # the pack's own reach section
    trend = part.sections[headings.index("Is reach improving?")]
    assert trend.chart is not None and trend.chart.alt
    assert "engagement-funnel-cohort" in extracts
    html = bp.render_html(_pack(parts=[part], extracts=extracts))
    assert '<section id="engagement"' in html and "Mentor cover by cohort" in html
    assert "engagement-reach-directorate" in html


def test_a_past_year_uses_the_baseline_of_that_year(make_app):
    at = _open(make_app, params={"period": "FY 2023/24"})
    assert "Workforce baseline as at 31 Mar 2024 (the latest at or before 31 Mar 2024)" \
        in texts(at)


def test_overview_board_pack_has_the_engagement_part_and_one_reach_rule(demo_sqlite_url):
    import pandas as pd

    from qinet import db
    from qinet.access import Viewer
    from qinet.demo import DEMO_TODAY
    from qinet.domain import Role
    from qinet.filters import Filters
    from qinet.views import overview as vo
    from qinet.views import reach as rc
    from qinet.views.base import ViewContext
    from qinet.views.overview_pack import builder

    rules = rc.ReachRules(hard_to_reach=("students", "estates_ancillary"), ratio=0.4)
    engine = db.make_engine(demo_sqlite_url)
    try:
        view = ViewContext(engine, Viewer("a", Role.ADMIN), Filters(), DEMO_TODAY,
                           synthetic=True, small_number_threshold=11)
        raw = rc.staff_group_raw(engine, view.viewer, view.filters, DEMO_TODAY, rules)
        reach = vo.reach_view(raw, 11, rules)
        empty = pd.DataFrame()
        p = vo.Portfolio(pd.DataFrame(columns=["measure_id", "project_code", "project",
                                               "directorate", "programme"]), empty, empty)
        html = builder(view, "MDC_2024", p, empty, "Programme", reach, empty, empty, [],
                       "against the previous period")().decode("utf-8")
    finally:
        engine.dispose()
    assert html.index('<section id="plan"') < html.index('<section id="engagement"') \
        < html.index('<section id="extracts"')
    assert "Hard to reach (a fixed list, the same on every page): Students, Estates &amp; " \
        "Ancillary." in html
    assert "below 0.4 × its share of the workforce" in html
    assert "engagement-funnel-cohort" in html
