"""analyse_measure: engine by chart type, short-series fallback, phases, suggestions, extract."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qinet.domain import AssuranceState, ChartType, PointType, VariationState
from qinet.errors import InvalidSeriesError
from qinet.refcheck import read_reference
from qinet.stats import limits
from qinet.stats.measure import (
    FALLBACK_RUN_RULES,
    SUGGESTION_WINDOW,
    analyse_measure,
    extract_frame,
    signal_list,
    suggest_phase_breaks,
)
from qinet.stats.rules import ANHOEJ, IHI, LIFE_QI, MDC_2024, PTD
from qinet.stats.spc import SpcOptions, compute_xmr

pytestmark = pytest.mark.unit

REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="module")
def inputs() -> pd.DataFrame:
    return read_reference(REF, "series_inputs.csv")


def _obs(inputs, series_id):
    s = inputs[inputs["series_id"] == series_id].sort_values("idx")
    return pd.DataFrame(
        {
            "period_start": pd.to_datetime(s["date"]).to_numpy(),
            "value": s["y"].to_numpy(),
            "numerator": s["y"].to_numpy(),
            "denominator": s["n"].to_numpy(),
        }
    )


def _weekly(values, start="2024-01-01"):
    return pd.DataFrame(
        {
            "period_start": pd.date_range(start, periods=len(values), freq="W-MON"),
            "value": np.asarray(values, dtype=float),
        }
    )


def test_xmr_uses_compute_xmr(inputs):
    obs = _obs(inputs, "shift_up_n52")
    a = analyse_measure(obs, chart="xmr", target=80, preset=PTD)
    direct = compute_xmr(
        obs["value"], dates=obs["period_start"], options=SpcOptions(rules=PTD, target=80)
    )
    assert a.drawn_as is ChartType.XMR and a.is_spc and not a.fell_back
    np.testing.assert_allclose(a.result["upl"], direct["upl"])
    assert list(a.result["point_type"]) == list(direct["point_type"])
    assert a.summary.assurance is AssuranceState.FAIL  # target 80 above the upper limit


@pytest.mark.parametrize(
    ("series", "chart"), [("prop_n24", "p"), ("rate_n24", "u"), ("count_pois_n24", "c")]
)
def test_attribute_charts_use_qicharts_limits(inputs, series, chart):
    obs = _obs(inputs, series)
    a = analyse_measure(obs, chart=chart, preset=PTD)
    n = None if chart == "c" else obs["denominator"]
    lim = limits.chart_limits(chart, obs["value"], n)
    np.testing.assert_allclose(a.result["mean"], lim["cl"])
    np.testing.assert_allclose(a.result["upl"], lim["ucl"], equal_nan=True)
    np.testing.assert_allclose(a.result["value"], lim["y"])
    if chart != "c":
        assert {"numerator", "denominator"} <= set(a.result.columns)
    assert a.result.attrs["chart"] == chart


def test_run_chart_uses_run_rules_and_colours_long_runs(inputs):
    a = analyse_measure(_obs(inputs, "few_crossings_n24"), chart="run", preset=ANHOEJ)
    assert not a.is_spc and a.preset is ANHOEJ
    assert "median" in a.result and "in_long_run" in a.result
    flagged = a.result["in_long_run"].to_numpy()
    assert flagged.any()
    assert (a.result.loc[flagged, "point_type"] != PointType.COMMON_CAUSE.value).all()
    # too few crossings is non-random variation with no direction, not "not enough data"
    assert a.summary.variation is VariationState.NON_RANDOM
    assert a.summary.latest_signal_reason


def test_ihi_trend_points_follow_the_trend_direction(inputs):
    a = analyse_measure(_obs(inputs, "trend_up_n12"), chart="run", direction="decrease", preset=IHI)
    trend = a.result["rule_trend"].to_numpy()
    assert trend.any()
    assert set(a.result.loc[trend, "point_type"]) == {PointType.CONCERN.value}


def test_short_series_falls_back_to_a_run_chart_under_mdc(inputs):
    obs = _obs(inputs, "stable_n12")
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024)
    assert a.fell_back and a.drawn_as is ChartType.RUN and a.chart is ChartType.XMR
    assert a.preset is FALLBACK_RUN_RULES and a.requested is MDC_2024
    assert str(MDC_2024.min_points_for_limits) in a.notes[0]
    assert "trial limits" in a.notes[0] and "run chart" in a.notes[0]
    # the same series under PTD draws (trial) limits and warns about them
    b = analyse_measure(obs, chart="xmr", preset=PTD)
    assert not b.fell_back and b.result["upl"].notna().all()
    c = analyse_measure(_obs(inputs, "stable_n20"), chart="xmr", preset=MDC_2024)
    assert not c.fell_back


def test_mdc_fallback_counts_plotted_points_not_rows():
    values = [np.nan] * 3 + list(np.linspace(1, 2, 12))
    a = analyse_measure(_weekly(values), chart="xmr", preset=MDC_2024)
    assert a.fell_back and a.summary.n_points == 12


def test_phase_breaks_are_dates_and_short_phases_are_refused():
    rng = np.random.default_rng(7)
    values = np.r_[rng.normal(10, 1, 20), rng.normal(14, 1, 20)]
    obs = _weekly(values)
    good = obs["period_start"].iloc[20]
    a = analyse_measure(
        obs, chart="xmr", preset=MDC_2024, phase_starts=[good - pd.Timedelta(days=2)]
    )
    assert a.phase_dates == (good.date(),)
    assert a.result["phase"].iloc[19] == 0 and a.result["phase"].iloc[20] == 1
    too_late = obs["period_start"].iloc[35]
    b = analyse_measure(obs, chart="xmr", preset=MDC_2024, phase_starts=[good, too_late])
    assert b.phase_dates == (good.date(),)
    assert any("not applied" in w and "12 points" in w for w in b.warnings)
    c = analyse_measure(obs, chart="xmr", preset=LIFE_QI, phase_starts=[good, too_late])
    assert len(c.phase_dates) == 2  # no minimum under Life QI
    # a date before the data or after it is ignored
    d = analyse_measure(
        obs, chart="xmr", preset=MDC_2024, phase_starts=["2000-01-01", "2099-01-01"]
    )
    assert d.phase_dates == ()


def test_preset_must_fit_the_chart(inputs):
    obs = _obs(inputs, "stable_n20")
    with pytest.raises(InvalidSeriesError, match="run-chart rules"):
        analyse_measure(obs, chart="run", preset=MDC_2024)
    with pytest.raises(InvalidSeriesError, match="SPC rules"):
        analyse_measure(obs, chart="xmr", preset=ANHOEJ)


def test_p_chart_without_denominators_is_named():
    obs = _weekly(range(20)).assign(numerator=1.0, denominator=np.nan)
    with pytest.raises(InvalidSeriesError, match="denominator"):
        analyse_measure(obs, chart="p", preset=PTD)


def test_baseline_points_nan_and_floats_are_tolerated(inputs):
    obs = _obs(inputs, "shift_up_n52")
    a = analyse_measure(
        obs, chart="xmr", preset=MDC_2024, baseline_points=float("nan"), target=float("nan")
    )
    b = analyse_measure(obs, chart="xmr", preset=MDC_2024, baseline_points=12.0)
    assert a.result["upl"].nunique() == 1
    assert b.result["upl"].iloc[0] != pytest.approx(a.result["upl"].iloc[0])
    assert not any("12.0" in w for w in b.warnings)


def _stepped(n_before=20, n_after=20, step=4.0):
    """A see-saw around 10, then (from point ``n_before``) a see-saw around 10 + step."""
    wiggle = 0.5 * (-1.0) ** np.arange(n_before + n_after)
    return _weekly(10 + wiggle + np.r_[np.zeros(n_before), np.full(n_after, step)])


def test_suggests_a_break_where_a_shift_follows_a_pdsa():
    obs = _stepped()
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024)
    pdsa = obs["period_start"].iloc[19].date()  # one point before the step
    found = suggest_phase_breaks(a, [(pdsa, "PDSA 1: new checklist")])
    assert len(found) == 1
    s = found[0]
    assert s.position == 20 and s.side == "above" and s.feasible
    assert s.points_after == 1 and s.trigger == "PDSA 1: new checklist"
    assert "PDSA 1: new checklist" in s.text and "consider a phase break" in s.text
    # a second PDSA inside the same sustained run adds nothing
    later = obs["period_start"].iloc[22].date()
    assert len(suggest_phase_breaks(a, [(pdsa, "A"), (later, "B")])) == 1


def test_no_suggestion_without_a_nearby_change_or_shift():
    obs = _stepped()
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024)
    early = obs["period_start"].iloc[20 - SUGGESTION_WINDOW - 3].date()
    assert suggest_phase_breaks(a, [early]) == []
    flat = analyse_measure(_stepped(step=0.0), chart="xmr", preset=MDC_2024)
    assert all(not s.length >= 20 for s in suggest_phase_breaks(flat, [early]))


def test_milestones_trigger_and_short_phases_are_marked_infeasible():
    obs = _stepped(n_before=20, n_after=8)
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024)
    found = suggest_phase_breaks(a, milestone_dates=[(obs["period_start"].iloc[20], "Go-live")])
    assert len(found) == 1 and found[0].trigger_kind == "milestone"
    assert not found[0].feasible and "12 points" in found[0].text
    ptd = analyse_measure(obs, chart="xmr", preset=PTD)
    assert suggest_phase_breaks(ptd, milestone_dates=[obs["period_start"].iloc[20]])[0].feasible


def test_extract_has_every_point_limits_flags_and_preset(inputs):
    obs = _obs(inputs, "shift_up_n52")
    a = analyse_measure(obs, chart="xmr", preset=MDC_2024)
    labels = {
        "measure_id": 7,
        "measure": "Falls",
        "project_code": "QI-7",
        "project": "P",
        "filters": "Whole network",
    }
    out = extract_frame(a, labels)
    assert len(out) == 52
    assert list(out.columns[:5]) == list(labels)
    for col in (
        "preset_key",
        "preset_name",
        "preset_version",
        "period_start",
        "value",
        "centre",
        "lower_limit",
        "upper_limit",
        "lower_2s",
        "upper_2s",
        "rule_shift",
        "rule_trend",
        "rule_outside",
        "rule_two_of_three",
        "point_type",
        "reason",
        "phase",
    ):
        assert col in out.columns, col
    assert set(out["preset_key"]) == {"MDC_2024"} and set(out["preset_version"]) == {
        MDC_2024.version
    }
    run = extract_frame(analyse_measure(obs, chart="run", preset=IHI), labels)
    assert {"centre", "rule_shift", "rule_astronomical", "signal"} <= set(run.columns)
    assert "upper_limit" not in run.columns


def test_signal_list_keeps_each_signal_once(inputs):
    a = analyse_measure(_obs(inputs, "shift_up_n52"), chart="xmr", preset=MDC_2024)
    signals = signal_list(a)
    assert not signals.empty
    assert signals["signal"].is_unique
    run = signals[signals["signal"].str.contains("in a row")].iloc[0]
    assert run["points"] > 1 and run["from"] < run["to"]
    quiet = analyse_measure(_obs(inputs, "stable_n52"), chart="xmr", preset=PTD)
    assert signal_list(quiet).empty or len(signal_list(quiet)) < 3


def test_empty_series_gives_an_empty_analysis():
    obs = pd.DataFrame({"period_start": pd.to_datetime([]), "value": []})
    a = analyse_measure(obs, chart="xmr", preset=PTD)
    assert len(a.result) == 0 and a.summary.n == 0
