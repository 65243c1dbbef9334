"""The Timeline view on the demo data: one rule behind page, CSV and pack; nothing contradicts."""

import pandas as pd
import pytest

from qinet import demo
from qinet.access import Viewer
from qinet.domain import Role
from qinet.filters import Filters
from qinet.io import boardpack as bp
from qinet.stats import plan
from qinet.views import overview_pack
from qinet.views import timeline as tv
from qinet.views.base import ViewContext

pytestmark = pytest.mark.db

TODAY = demo.DEMO_TODAY


@pytest.fixture(scope="module")
def view(demo_engine):
    return tv.build(ViewContext(demo_engine, Viewer("a", Role.ADMIN), Filters(), TODAY))


def test_no_on_track_milestone_has_slipped_beyond_the_tolerance(view):
    s = view.slippage
    on_track = s[s["Status"].str.endswith(("On track", "Not started"))]
    assert len(on_track) and (on_track["Slip (days)"] <= plan.SLIP_TOLERANCE_DAYS).all()
    extract = view.extracts["milestones"].frame
    ok = extract[extract["Status"].isin(["On track", "Not started"])]
    assert (ok["Slip (days)"] <= plan.SLIP_TOLERANCE_DAYS).all()


def test_nothing_past_its_planned_date_is_listed_as_due(view):
    due = view.due
    assert len(due)
    planned = pd.to_datetime(due["Planned"], format="%d %b %Y")
    assert (planned >= pd.Timestamp(TODAY)).all()
    assert not set(due["Milestone"] + due["Programme"]) & set(
        view.overdue["Milestone"] + view.overdue["Programme"])
    assert (view.overdue["Status"] == "Late").all()
    # the issue-13 case: planned 27 Jul 2025, not done by 30 Sep 2025 → late, 65 days overdue
    row = view.overdue[view.overdue["Planned"] == "27 Jul 2025"]
    assert len(row) == 1 and row["Days overdue"].iloc[0] == 65


def test_extracts_use_iso_dates_and_human_labels(view):
    ms = view.extracts["milestones"].frame
    revs = view.extracts["revisions"].frame
    assert "Planned date" in ms.columns and "baseline_date" not in ms.columns
    assert ms["Planned date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    assert {"Recorded by", "Reason", "Forecast moved (days)"} <= set(revs.columns)
    assert len(revs) > len(ms)


def test_pack_sections_come_from_the_same_view(view):
    secs = tv.sections(view)
    assert [s.heading for s in secs][:2] == ["Programme timeline", "Due in the next 30 days"]
    assert secs[0].figure is view.figure and secs[0].alt_text == view.alt_text
    assert secs[1].table is view.due
    moves = secs[-1].table
    assert len(moves) and (moves["Moved (days)"] != "0").all()


def test_board_pack_plan_part_is_the_timelines(demo_engine, view):
    vc = ViewContext(demo_engine, Viewer("a", Role.ADMIN), Filters(), TODAY)
    secs = overview_pack.timeline_sections(vc)
    assert [s.heading for s in secs] == [s.heading for s in tv.sections(view)]
    assert secs[0].chart is not None and secs[0].chart.alt == view.alt_text
    assert secs[0].sentences == view.sentences
    assert secs[2].heading == "Late" and len(secs[2].table) == len(view.overdue)
    plan_html = bp.render_html(bp.BoardPack(
        filters="Whole network", description="Whole network", as_of=TODAY, made_on=TODAY,
        synthetic=True, tiles=[], comparison="", matrix=pd.DataFrame(), group_by="Programme",
        icons=overview_pack.PACK_ICONS, signal_charts=[], signal_note="",
        reach=pd.DataFrame(), reach_chart=None, under_represented=[], plan_sections=secs,
    )).split('<section id="plan"', 1)[1].split("</section>", 1)[0]  # fmt: skip
    assert "<h3>Programme timeline</h3>" in plan_html and "<h3>Late</h3>" in plan_html
    assert "Cohort 4 starts" in plan_html and "plotly" in plan_html
    assert "Milestones due in the next 30 days" not in plan_html  # replaced, not repeated


def test_programme_lead_sees_and_may_edit_only_their_programme(demo_engine):
    import sqlalchemy as sa

    with demo_engine.connect() as c:
        pid = c.execute(sa.text("SELECT id FROM programme WHERE code = 'SSQ'")).scalar_one()
    lead = Viewer("l", Role.PROGRAMME_LEAD, programme_ids=frozenset({pid}))
    v = tv.build(ViewContext(demo_engine, lead, Filters(), TODAY))
    assert set(v.slippage["Programme"]) == {demo.SUPPORT_SERVICES_PROGRAMME}
    assert v.editable and all(label.startswith("Behind the Scenes") for label in
                              v.editable.values())  # fmt: skip
    viewer = Viewer("v", Role.VIEWER, directorate_ids=frozenset({1}))
    assert tv.build(ViewContext(demo_engine, viewer, Filters(), TODAY)).editable == {}
