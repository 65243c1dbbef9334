"""SPC and run-chart figures built from reference series: traces, colours, shapes, markers."""

import html
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qinet.charts import runchart, spc
from qinet.charts.palette import MDC_PALETTE, POINT_TYPE_LABELS
from qinet.domain import PointType
from qinet.refcheck import read_reference
from qinet.stats.measure import analyse_measure
from qinet.stats.rules import ANHOEJ, MDC_2024, PTD

pytestmark = pytest.mark.unit

REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="module")
def inputs() -> pd.DataFrame:
    return read_reference(REF, "series_inputs.csv")


def _obs(inputs: pd.DataFrame, series_id: str) -> pd.DataFrame:
    s = inputs[inputs["series_id"] == series_id].sort_values("idx")
    return pd.DataFrame(
        {
            "period_start": pd.to_datetime(s["date"]),
            "value": s["y"].to_numpy(),
            "numerator": s["y"].to_numpy(),
            "denominator": s["n"].to_numpy(),
        }
    )


def _role(fig, role):
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def _points(fig):
    return {t.meta["point_type"]: t for t in _role(fig, "points")}


def test_shift_series_has_coloured_shaped_points_and_limits(inputs):
    a = analyse_measure(_obs(inputs, "shift_up_n52"), chart="xmr", preset=MDC_2024)
    fig = spc.figure(a.result, title="Shift up", unit="mins")
    pts = _points(fig)
    assert PointType.IMPROVEMENT.value in pts
    imp = pts[PointType.IMPROVEMENT.value]
    assert imp.marker.color == MDC_PALETTE.improvement
    assert imp.marker.symbol == "diamond"
    assert imp.name == POINT_TYPE_LABELS[PointType.IMPROVEMENT]
    cc = pts[PointType.COMMON_CAUSE.value]
    assert cc.marker.color == MDC_PALETTE.common_cause and cc.marker.symbol == "circle"
    # every plotted point appears in exactly one marker trace
    assert sum(len(t.x) for t in pts.values()) == a.result["value"].notna().sum()
    # centre, limits and 2σ lines
    assert len(_role(fig, "mean")) == 1 and _role(fig, "mean")[0].line.color == MDC_PALETTE.mean
    assert _role(fig, "upl")[0].line.dash == "dash"
    assert _role(fig, "upper_2s")[0].line.dash == "dot"
    assert fig.layout.title.subtitle.text == MDC_2024.describe()
    assert fig.layout.yaxis.title.text == "mins"
    assert all(t.type == "scatter" for t in fig.data)


def test_decrease_direction_turns_the_same_shift_into_concern(inputs):
    obs = _obs(inputs, "shift_up_n52")
    up = analyse_measure(obs, chart="xmr", direction="increase", preset=MDC_2024)
    a = analyse_measure(obs, chart="xmr", direction="decrease", preset=MDC_2024)
    pts = _points(spc.figure(a.result, title="t"))
    was_improvement = up.result["point_type"] == PointType.IMPROVEMENT.value
    assert was_improvement.any()
    assert (a.result.loc[was_improvement, "point_type"] == PointType.CONCERN.value).all()
    assert len(pts[PointType.CONCERN.value].x) == was_improvement.sum()
    assert pts[PointType.CONCERN.value].marker.color == MDC_PALETTE.concern
    assert pts[PointType.CONCERN.value].marker.symbol == "square"


def test_neutral_direction_uses_purple_triangles(inputs):
    a = analyse_measure(
        _obs(inputs, "outlier_high_n12"), chart="xmr", direction="neutral", preset=PTD
    )
    pts = _points(spc.figure(a.result, title="t"))
    high = pts[PointType.NEUTRAL_HIGH.value]
    assert high.marker.color == MDC_PALETTE.neutral and high.marker.symbol == "triangle-up"


def test_hover_names_the_date_value_and_reason(inputs):
    a = analyse_measure(_obs(inputs, "outlier_high_n100"), chart="xmr", preset=PTD)
    fig = spc.figure(a.result, title="t", unit="kg")
    special = [t for k, t in _points(fig).items() if k != PointType.COMMON_CAUSE.value]
    texts = [h for t in special for h in t.hovertext]
    outlier = next(h for h in texts if "Above the upper process limit" in h)
    assert "18 Mar 2021" in outlier  # idx 77 → 2021-01-01 + 76 days
    assert "kg" in outlier and "Value:" in outlier and "limits" in outlier


def test_limit_lines_are_redrawn_per_phase(inputs):
    obs = _obs(inputs, "rebase_up_n52")
    rebase = obs["period_start"].iloc[26]
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024, phase_starts=[rebase])
    assert a.phase_dates == (rebase.date(),)
    notes = pd.DataFrame(
        {
            "on_date": [rebase.date()],
            "kind": ["phase_break"],
            "title": ["New rota"],
            "detail": ["Rota changed"],
        }
    )
    fig = spc.figure(a.result, title="t", annotations=notes)
    means = _role(fig, "mean")
    assert sorted(t.meta["phase"] for t in means) == [0, 1]
    assert means[0].y[0] != pytest.approx(means[1].y[0])
    assert [t.showlegend for t in means] == [True, False]
    assert len(_role(fig, "upl")) == 2 and len(_role(fig, "lower_2s")) == 2
    phase_shapes = [s for s in fig.layout.shapes if s.name == "phase_break"]
    assert len(phase_shapes) == 1 and phase_shapes[0].line.color == MDC_PALETTE.phase
    badge = [a for a in fig.layout.annotations if a.name == "phase_break"]
    assert [a.text for a in badge] == ["Phase 2"] and badge[0].y >= 1  # above the plot
    assert "New rota" in badge[0].hovertext
    listed = next(a for a in fig.layout.annotations if a.name == "annotation-list")
    assert "<b>Phase 2</b> · from " in listed.text and "New rota" in listed.text


def test_target_line_and_percent_axis(inputs):
    a = analyse_measure(_obs(inputs, "prop_n24"), chart="p", target=0.2, preset=PTD)
    fig = spc.figure(a.result, title="p", percent=True)
    target = _role(fig, "target")[0]
    assert target.line.color == MDC_PALETTE.target
    assert list(target.y) == [0.2, 0.2] and target.name == "Target 20.0%"
    assert fig.layout.yaxis.tickformat == ".0%"
    # p-chart limits move with the denominator: drawn as steps
    assert _role(fig, "upl")[0].line.shape == "hv"


def test_annotations_and_milestones_are_drawn_with_text(inputs):
    obs = _obs(inputs, "shift_up_n52")
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024)
    notes = pd.DataFrame(
        {
            "on_date": [
                obs["period_start"].iloc[26].date(),
                obs["period_start"].iloc[30].date(),
                date_outside := pd.Timestamp("2030-01-01").date(),
            ],
            "kind": ["pdsa", "change_idea", "pdsa"],
            "title": ["PDSA 1: <b>new</b> checklist", "Bay nursing", "Out of range"],
            "detail": ["", "", ""],
        }
    )
    plan = pd.DataFrame(
        {
            "on_date": [obs["period_start"].iloc[10].date(), date_outside],
            "title": ["Cohort 2 starts", "Later"],
        }
    )
    fig = spc.figure(a.result, title="t", annotations=notes, milestones=plan)
    drawn = [x for x in fig.layout.annotations if (x.name or "").startswith("annotation:")]
    # numbered badges above the plot area: they never sit on a point, a line or each other
    assert [x.text for x in drawn] == ["<b>1</b>", "<b>2</b>"]
    assert all(x.yref == "paper" and x.y >= 1 and not x.showarrow for x in drawn)
    assert all(x.bgcolor == MDC_PALETTE.annotation for x in drawn)
    assert "PDSA 1: &lt;b&gt;new&lt;/b&gt; checklist" in drawn[0].hovertext
    # the badge stands at the first plotted period on or after the date
    assert pd.Timestamp(drawn[0].x) == pd.Timestamp(obs["period_start"].iloc[26])
    listed = next(x for x in fig.layout.annotations if x.name == "annotation-list")
    assert "<b>1</b> · " in listed.text
    assert "PDSA 1: &lt;b&gt;new&lt;/b&gt; checklist" in listed.text
    assert "<b>2</b> · " in listed.text and "Bay nursing" in listed.text
    assert listed.yref == "paper" and listed.y <= 0  # under the plot
    milestones = [s for s in fig.layout.shapes if s.name == "milestone"]
    assert len(milestones) == 1 and milestones[0].line.dash == "dot"
    assert "Milestone: Cohort 2 starts" in listed.text
    # milestone and suggested-break labels sit above the plot area, never over the data
    marks = [x for x in fig.layout.annotations if x.name == "milestone"]
    assert [x.text for x in marks] == ["◆"] and marks[0].y >= 1 and marks[0].yref == "paper"
    assert "Cohort 2 starts" in marks[0].hovertext
    # the list reads in date order: the milestone (period 10) before the PDSA (period 26)
    assert listed.text.index("Cohort 2 starts") < listed.text.index("PDSA 1")


def test_labels_never_sit_inside_the_plot_area(inputs):
    obs = _obs(inputs, "shift_up_n52")
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024)
    run = analyse_measure(obs, chart="run", preset=ANHOEJ)
    day = obs["period_start"].iloc[20].date()
    notes = pd.DataFrame({"on_date": [day], "kind": ["pdsa"], "title": ["PDSA 1"], "detail": [""]})
    plan = pd.DataFrame({"on_date": [day], "title": ["Launch"]})
    for make in (spc.figure, runchart.figure):
        result = a.result if make is spc.figure else run.result
        fig = make(result, title="t", annotations=notes, milestones=plan,
                   suggested_breaks=[obs["period_start"].iloc[30].date()])  # fmt: skip
        marks = [x for x in fig.layout.annotations if x.name != "annotation-list"]
        assert {x.name for x in marks} == {"annotation:pdsa", "milestone", "suggested_break"}
        # every label is above the plot (paper y >= 1) and the same-date badges are staggered
        assert all(x.yref == "paper" and x.y >= 1 for x in marks)
        assert len({x.y for x in marks if x.name in ("annotation:pdsa", "milestone")}) == 2
        suggested = next(x for x in marks if x.name == "suggested_break")
        assert suggested.text == "?" and suggested.font.color == MDC_PALETTE.text
        listed = next(x for x in fig.layout.annotations if x.name == "annotation-list")
        assert "Suggested break?" in listed.text and listed.y <= 0


def test_excluded_points_are_hollow(inputs):
    obs = _obs(inputs, "outlier_high_n100")
    a = analyse_measure(obs, chart="xmr", preset=PTD, excluded=[obs["period_start"].iloc[76]])
    fig = spc.figure(a.result, title="t")
    ghost = _role(fig, "excluded")
    assert len(ghost) == 1 and list(ghost[0].marker.symbol) == ["circle-open"]
    assert sum(len(t.x) for t in _role(fig, "points")) == 99


def test_webgl_above_a_thousand_points():
    rng = np.random.default_rng(3)
    obs = pd.DataFrame(
        {
            "period_start": pd.date_range("2020-01-01", periods=1500, freq="D"),
            "value": rng.normal(50, 5, 1500),
        }
    )
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024)
    fig = spc.figure(a.result, title="long")
    assert {t.type for t in fig.data} == {"scattergl"}
    small = spc.figure(a.result.iloc[:100], title="short")
    assert {t.type for t in small.data} == {"scatter"}


def test_compact_figure_for_small_multiples(inputs):
    a = analyse_measure(_obs(inputs, "shift_up_n52"), chart="xmr", preset=MDC_2024)
    fig = spc.figure(a.result, title="t", compact=True)
    assert fig.layout.showlegend is False and fig.layout.height == spc.COMPACT_HEIGHT


def test_run_chart_figure_has_a_median_and_no_limits(inputs):
    a = analyse_measure(_obs(inputs, "few_crossings_n24"), chart="run", preset=ANHOEJ)
    fig = runchart.figure(a.result, title="Run")
    med = _role(fig, "median")
    assert len(med) == 1 and med[0].name == "Median"
    assert not _role(fig, "upl") and not _role(fig, "mean")
    # the rules' 64 characters wrap after the comma, to fit a phone-width chart
    lines = html.unescape(fig.layout.title.subtitle.text).split("<br>")
    assert " ".join(lines) == ANHOEJ.describe()
    assert len(lines) == 2 and all(len(line) <= 52 for line in lines)
    special = [k for k in _points(fig) if k != PointType.COMMON_CAUSE.value]
    assert special, "the long runs are shown as special points"


def test_alt_text_describes_the_chart(inputs):
    a = analyse_measure(_obs(inputs, "outlier_high_n12"), chart="xmr", preset=PTD)
    text = spc.alt_text(a.result, title="Falls", unit="falls", chart="XmR chart")
    assert text.startswith("XmR chart of Falls: 12 points from 1 Jan 2021 to 12 Jan 2021.")
    assert "process limits" in text and "Latest signal" in text
    assert runchart.alt_text(a.result.iloc[:0], title="x") == "Run chart of x: no data yet."


def test_data_text_is_escaped():
    obs = pd.DataFrame(
        {
            "period_start": pd.date_range("2024-01-01", periods=15, freq="MS"),
            "value": np.arange(15.0),
        }
    )
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024)
    fig = spc.figure(a.result, title='<a href="javascript:x">t</a>', unit="<i>u</i>")
    assert "<a" not in fig.layout.title.text and "&lt;a" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "&lt;i&gt;u&lt;/i&gt;"


def test_close_badges_are_staggered_not_stacked(inputs):
    obs = _obs(inputs, "outlier_high_n100")
    a = analyse_measure(obs, chart="xmr", preset=PTD)
    days = [obs["period_start"].iloc[i].date() for i in (40, 41, 42, 80)]
    notes = pd.DataFrame({"on_date": days, "kind": ["pdsa"] * 4,
                          "title": ["A", "B", "C", "D"], "detail": [""] * 4})  # fmt: skip
    fig = spc.figure(a.result, title="t", annotations=notes)
    badges = [x for x in fig.layout.annotations if (x.name or "").startswith("annotation:")]
    rows = [round(x.y, 3) for x in badges]
    assert len(set(rows[:3])) == 3  # three close together: three rows
    assert rows[3] == rows[0]  # a distant one goes back to the first row
