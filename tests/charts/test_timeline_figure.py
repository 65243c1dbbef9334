"""The timeline figure: status by colour and shape and word, cohorts and today on one axis."""

from datetime import date

import pandas as pd
import pytest

from qinet.charts import timeline as ch
from qinet.stats import plan

pytestmark = pytest.mark.unit

TODAY = date(2025, 9, 30)


def _assessed() -> pd.DataFrame:
    ms = pd.DataFrame({
        "milestone_id": [1, 2, 3, 4],
        "programme": ["B programme", "B programme", "A <i>programme</i>", "A <i>programme</i>"],
        "title": ["Launch", "Report", "Charter <b>", "Festival"],
        "owner": ["QI team"] * 4,
        "baseline_date": [date(2025, 6, 1), date(2025, 12, 1), date(2025, 1, 1),
                          date(2025, 11, 1)],
        "forecast_date": [date(2025, 11, 1), date(2025, 12, 1), date(2025, 2, 1),
                          date(2025, 11, 1)],
        "actual_date": [None, None, date(2025, 2, 1), None],
        "status": ["at_risk", "not_started", "complete", "on_track"],
    })  # fmt: skip
    return plan.assess(ms, TODAY)


def _cohorts() -> pd.DataFrame:
    return pd.DataFrame({"programme": ["B programme"], "cohort": ["Cohort 1"],
                         "starts_on": [date(2025, 3, 1)], "ends_on": [date(2025, 10, 31)]})


def test_rows_stack_programmes_with_a_header_each():
    rows = ch.rows(_assessed(), _cohorts())
    assert rows["kind"].tolist() == ["programme", "milestone", "milestone"] * 2
    assert rows["label"].iloc[0] == "<b>A &lt;i&gt;programme&lt;/i&gt;</b>"  # escaped
    assert rows["label"].iloc[1].startswith("Charter &lt;b&gt;") and "● Done" in rows["label"][1]


def test_each_status_has_its_own_colour_shape_and_word_in_the_key():
    fig = ch.figure(_assessed(), _cohorts(), TODAY)
    by_name = {t.name: t for t in fig.data if t.name}
    assert {"✖ Late", "□ Not started", "● Done", "◆ On track", "Planned date (baseline)",
            "Cohort (start to end)"} <= set(by_name)  # fmt: skip
    symbols = {by_name[n].marker.symbol for n in ("✖ Late", "□ Not started", "● Done",
                                                   "◆ On track")}  # fmt: skip
    assert len(symbols) == 4
    assert by_name["✖ Late"].marker.color == ch.STATE_COLOUR[plan.LATE]
    assert "Launch" in by_name["✖ Late"].hovertext[0]
    assert "&lt;b&gt;" in by_name["● Done"].hovertext[0]
    cohort = by_name["Cohort (start to end)"]
    assert list(cohort.text) == ["Cohort 1"] and cohort.orientation == "h"
    assert any(s.line.dash == "dash" for s in fig.layout.shapes)  # today's line
    assert "Today 30 Sep 2025" in fig.layout.annotations[0].text
    # row labels sit above their rows inside the plot, not on the y-axis (phone width)
    rows = ch.rows(_assessed(), _cohorts())
    above = [a for a in fig.layout.annotations if a.xref == "paper"]
    assert [a.text for a in above] == rows["label"].tolist()
    assert [a.y for a in above] == rows["y"].tolist()
    assert fig.layout.yaxis.showticklabels is False and fig.layout.xaxis.tickangle == 0


def test_alt_text_says_what_is_shown():
    text = ch.alt_text(_assessed(), _cohorts(), TODAY)
    assert "4 milestones in 2 programmes and 1 cohort" in text
    assert "1 late" in text and "1 done" in text and "“Launch”" in text
    empty = ch.alt_text(_assessed().iloc[0:0], _cohorts(), TODAY)
    assert empty.endswith("no milestones in this view.")
