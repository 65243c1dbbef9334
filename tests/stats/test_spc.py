"""Unit tests for qinet.stats.spc: each pipeline step, each preset threshold, warnings."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from qinet.domain import ImprovementDirection, PointType
from qinet.errors import InvalidSeriesError
from qinet.stats import core, spc_rules
from qinet.stats.rules import LIFE_QI, MDC_2024, PTD
from qinet.stats.spc import (
    RESULT_COLUMNS,
    PerPointLimits,
    SpcOptions,
    apply_rules,
    compute_mr,
    compute_xmr,
)

pytestmark = pytest.mark.unit

NAN = np.nan
PRESETS = [PTD, MDC_2024, LIFE_QI]
# The published numbers, typed by hand (not read from qinet.stats.rules): (shift, trend).
# MDC: NHS England Making Data Count SQL v2.6; PTD: NHSRplotthedots 0.2.2 ptd_spc() defaults;
# Life QI: its help centre's SPC rules.
PUBLISHED = {"MDC_2024": (6, 6), "PTD": (7, 7), "LIFE_QI": (8, 6)}


def alternating(n: int, lo: float = 49.0, hi: float = 51.0) -> list[float]:
    return [lo if i % 2 == 0 else hi for i in range(n)]


# --- steps ---------------------------------------------------------------------------------


def test_moving_ranges_nan_at_start_and_next_to_gap():
    mr = core.moving_ranges(np.array([1.0, 3.0, NAN, 4.0, 2.0]))
    np.testing.assert_array_equal(mr, [NAN, 2.0, NAN, NAN, 2.0])


def test_moving_ranges_restart_each_segment():
    pos = np.array([0, 1, 2, 0, 1])
    mr = core.moving_ranges(np.array([1.0, 2.0, 4.0, 10.0, 7.0]), pos)
    np.testing.assert_array_equal(mr, [NAN, 1.0, 2.0, NAN, 3.0])


def test_limits_unscreened_mean_and_amr():
    y = np.array([1.0, 2.0, 4.0, 3.0])
    mean, amr = core.mean_and_amr(y, screen=False)
    assert mean[0] == pytest.approx(2.5)
    assert amr[0] == pytest.approx((1 + 2 + 1) / 3)


def test_limits_screening_removes_large_moving_range():
    mr_vals = np.array([1.0, 1.0, 1.0, 1.0, 10.0])
    y = np.concatenate(([0.0], np.cumsum(mr_vals)))
    _, amr = core.mean_and_amr(y, screen=True)
    amr0 = mr_vals.mean()  # 2.8; 3.267 * 2.8 = 9.15 < 10 → screened
    assert 3.267 * amr0 <= 10.0
    assert amr[0] == pytest.approx(1.0)


def test_limits_constant_series_screens_every_moving_range():
    y = np.array([5.0, 5.0, 5.0, 5.0])
    mean, amr = core.mean_and_amr(y, screen=True)  # every MR is 0 == 3.267 * 0: all screened
    assert mean[0] == 5.0 and np.isnan(amr[0])
    _, amr_raw = core.mean_and_amr(y, screen=False)
    assert amr_raw[0] == 0.0


def test_limits_ignore_nan_and_restart_per_phase():
    pos = np.array([0, 1, 2, 0, 1, 2])
    mean, amr = core.mean_and_amr(np.array([1.0, NAN, 3.0, 10.0, 12.0, 14.0]), pos, screen=False)
    assert mean.tolist()[:3] == [2.0] * 3 and mean.tolist()[3:] == [12.0] * 3
    assert np.isnan(amr[0]) and amr[3] == 2.0


def test_rule_outside_is_strict_and_ignores_nan():
    y = np.array([1.0, 2.0, 3.0, NAN])
    out = spc_rules.find_outside(y, np.full(4, 1.0), np.full(4, 2.5))
    assert out.tolist() == [False, False, True, False]


@pytest.mark.parametrize("n", [6, 7, 8])
def test_rule_shift_run_of_exactly_n_and_n_minus_one(n):
    rtm = np.array([-1.0] + [1.0] * n + [-1.0])
    assert spc_rules.find_shift(rtm, n).tolist() == [False] + [True] * n + [False]
    rtm_short = np.array([-1.0] + [1.0] * (n - 1) + [-1.0])
    assert not spc_rules.find_shift(rtm_short, n).any()


def test_rule_shift_point_on_mean_or_nan_breaks_run():
    assert not spc_rules.find_shift(np.array([1.0, 1, 1, 0, 1, 1, 1]), 4).any()
    assert not spc_rules.find_shift(np.array([1.0, 1, 1, NAN, 1, 1, 1]), 4).any()


def test_rule_shift_does_not_cross_phases():
    rtm = np.ones(8)
    pos = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    assert not spc_rules.find_shift(rtm, 5, pos).any()
    assert spc_rules.find_shift(rtm, 4, pos).all()


@pytest.mark.parametrize("n", [6, 7])
def test_rule_trend_exactly_n_and_n_minus_one(n):
    y = np.array([10.0] + list(range(1, n + 1)) + [0.0])
    rising, falling = spc_rules.find_trend(y, n)
    # 10 → 1 falls, then n rising points, then a fall to 0
    assert rising.tolist() == [False] + [True] * n + [False]
    assert not falling.any()
    short = np.array([10.0] + list(range(1, n)) + [0.0])
    assert not spc_rules.find_trend(short, n)[0].any()


def test_rule_trend_tie_breaks_and_nan_breaks():
    y = np.array([1.0, 2, 3, 3, 4, 5, 6])
    assert spc_rules.find_trend(y, 4)[0].tolist() == [False] * 3 + [True] * 4
    rising, _ = spc_rules.find_trend(y, 5)
    assert not rising.any()
    rising, _ = spc_rules.find_trend(np.array([1.0, 2, 3, NAN, 5, 6, 7]), 5)
    assert not rising.any()


def test_rule_trend_peak_in_both():
    y = np.array([1.0, 2, 3, 4, 3, 2, 1])
    rising, falling = spc_rules.find_trend(y, 4)
    assert rising.tolist() == [True] * 4 + [False] * 3
    assert falling.tolist() == [False] * 3 + [True] * 4


def test_rule_two_of_three_only_close_points_flagged_same_side():
    close = np.array([False, True, False, True, False])
    rtm = np.array([1.0, 1, 1, 1, -1])
    members, fires = spc_rules.find_two_of_three(close, rtm)
    assert members.tolist() == [False, True, False, True, False]
    assert fires.tolist() == [False, False, False, True, False]
    members, _ = spc_rules.find_two_of_three(close, np.array([1.0, 1, -1, 1, 1]))
    assert not members.any()


def test_point_type_codes_direction_and_neutral():
    codes = np.array(
        [spc_rules.CODE_ABOVE_UCL, spc_rules.CODE_BELOW_LCL, spc_rules.CODE_COMMON], dtype=np.int8
    )
    inc = spc_rules.POINT_TYPES[spc_rules.point_type_codes(codes, np.full(3, 1))]
    dec = spc_rules.POINT_TYPES[spc_rules.point_type_codes(codes, np.full(3, -1))]
    neu = spc_rules.POINT_TYPES[spc_rules.point_type_codes(codes, np.full(3, 0))]
    assert inc.tolist() == ["special_cause_improvement", "special_cause_concern", "common_cause"]
    assert dec.tolist() == ["special_cause_concern", "special_cause_improvement", "common_cause"]
    assert neu.tolist() == [
        "special_cause_neutral_high",
        "special_cause_neutral_low",
        "common_cause",
    ]


# --- whole pipeline: columns, presets and boundaries ---------------------------------------


def test_result_columns_and_attrs():
    res = compute_xmr([1.0, 2.0, 3.0])
    assert tuple(res.columns) == RESULT_COLUMNS
    assert res.attrs["options"] == SpcOptions()
    assert res.attrs["rules"] is MDC_2024
    assert isinstance(res.attrs["warnings"], list)
    assert res["date"].isna().all()


@pytest.mark.parametrize("rules", PRESETS, ids=lambda r: r.key)
def test_shift_boundary_per_preset(rules):
    shift = PUBLISHED[rules.key][0]
    base = alternating(15)
    run_n = base + [52.0] * shift + alternating(14)
    run_short = base + [52.0] * (shift - 1) + alternating(14)
    opts = SpcOptions(rules=rules)
    res = compute_xmr(run_n, options=opts)
    assert res["rule_shift"].sum() == shift
    assert (
        res.loc[res["rule_shift"], "special_cause_type"].eq(f"{shift} Points Above CL").all()
    )
    assert not compute_xmr(run_short, options=opts)["rule_shift"].any()


@pytest.mark.parametrize("rules", PRESETS, ids=lambda r: r.key)
def test_trend_boundary_per_preset(rules):
    trend = PUBLISHED[rules.key][1]
    def series(k):
        rising = [46.0 + i for i in range(k)]
        return alternating(14, 45, 55) + rising + [40.0] + alternating(13, 45, 55)

    opts = SpcOptions(rules=rules)
    res = compute_xmr(series(trend), options=opts)
    assert res["rule_trend"].sum() == trend
    assert f"{trend} Point Trend (Increasing)" in set(res["special_cause_type"])
    assert not compute_xmr(series(trend - 1), options=opts)["rule_trend"].any()


@pytest.mark.parametrize("rules", PRESETS, ids=lambda r: r.key)
def test_tie_inside_trend_breaks_it(rules):
    rising = [40.0 + i for i in range(rules.trend + 1)]
    opts = SpcOptions(rules=rules)
    post = [35.0] + alternating(13, 45, 55)
    assert compute_xmr(alternating(14, 45, 55) + rising + post, options=opts)["rule_trend"].any()
    rising[3] = rising[2]
    res = compute_xmr(alternating(14, 45, 55) + rising + post, options=opts)
    assert not res["rule_trend"].any()


@pytest.mark.parametrize("rules", PRESETS, ids=lambda r: r.key)
def test_point_exactly_on_mean_breaks_shift(rules):
    n = rules.shift
    values = [12.0] * n + [10.0] + [8.0] * n  # mean = 10; the middle point is on the mean
    res = compute_xmr(values, options=SpcOptions(rules=dataclasses.replace(rules, shift=n + 1)))
    assert res.loc[n, "relative_to_mean"] == 0
    assert not res["rule_shift"].any()
    res = compute_xmr(values, options=SpcOptions(rules=rules))
    assert not res.loc[n, "rule_shift"]
    assert res["rule_shift"].sum() == 2 * n


def _two_of_three_series() -> list[float]:
    # stable ±1 around 50; point A beyond 2σ (not 3σ), point B beyond 3σ, same side
    return alternating(30) + [55.8, 51.0, 62.0] + alternating(6)


def test_two_of_three_with_point_beyond_limits_differs_mdc_vs_ptd():
    values = _two_of_three_series()
    ptd = compute_xmr(values, options=SpcOptions(rules=PTD))
    mdc = compute_xmr(values, options=SpcOptions(rules=MDC_2024))
    i = 30
    for res in (ptd, mdc):
        assert res.loc[i, "upper_2s"] < 55.8 < res.loc[i, "upl"]
        assert (res.loc[i : i + 2, "relative_to_mean"] == 1).all()
    assert ptd.loc[i + 2, "outside_limits"] and mdc.loc[i + 2, "outside_limits"]
    assert not ptd["rule_two_of_three"].any()
    assert mdc.loc[[i, i + 2], "rule_two_of_three"].all()
    assert mdc.loc[i, "special_cause_type"] == "2 in 3 Above CL"
    assert mdc.loc[i + 2, "special_cause_type"] == "Above UCL"


def test_target_exactly_on_limit_is_inconsistent():
    from qinet.domain import AssuranceState
    from qinet.stats.summary import summarise

    values = alternating(20)
    upl = compute_xmr(values)["upl"].iloc[-1]
    for direction in (ImprovementDirection.INCREASE, ImprovementDirection.DECREASE):
        res = compute_xmr(values, options=SpcOptions(improvement_direction=direction, target=upl))
        assert summarise(res).assurance is AssuranceState.INCONSISTENT


@pytest.mark.parametrize(("big", "screened"), [(3267.0, True), (3266.0, False)])
def test_screening_boundary_ptd_strict(big, screened):
    # moving ranges 244, 244, 245, big: with big = 3267 the AMR is exactly 1000 and
    # 3267 == MR_SCREEN × AMR, which PTD screens (it keeps only MR < 3.267 × AMR)
    mrs = [244.0, 244.0, 245.0, big]
    y = [0.0, 244.0, 0.0, 245.0, 245.0 - big]
    assert np.abs(np.diff(y)).tolist() == mrs
    assert bool(3.267 * np.mean(mrs) == big) == (big == 3267.0)
    res = compute_xmr(y, options=SpcOptions(rules=PTD))
    amr = (res["upl"].iloc[0] - res["mean"].iloc[0]) / 2.66
    expected = np.mean(mrs[:3]) if screened else np.mean(mrs)
    assert amr == pytest.approx(expected)


def test_constant_series_nan_limits_ptd_zero_width_unscreened():
    res = compute_xmr([5.0] * 15, options=SpcOptions(rules=PTD))
    assert res["lpl"].isna().all() and (res["mean"] == 5).all()
    assert not res["special_cause_flag"].any()
    res = compute_xmr([5.0] * 15, options=SpcOptions(rules=MDC_2024))
    assert (res["lpl"] == 5).all() and (res["upl"] == 5).all()


def test_limits_use_xmr_limit_constant():
    values = [1.0, 3.0, 2.0, 4.0, 3.0, 5.0, 4.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0]
    res = compute_xmr(values, options=SpcOptions(rules=LIFE_QI))
    amr = np.mean(np.abs(np.diff(values)))
    # the published constant, by hand: mean ± 2.66 × mean moving range; 2σ at two thirds
    assert res["upl"].iloc[0] == pytest.approx(np.mean(values) + 2.66 * amr, rel=1e-12)
    assert res["lpl"].iloc[0] == pytest.approx(np.mean(values) - 2.66 * amr, rel=1e-12)
    assert res["upper_2s"].iloc[0] == pytest.approx(np.mean(values) + 2 / 3 * 2.66 * amr)


def test_mdc_fewer_than_13_points_shows_no_limits_but_keeps_shift_and_trend():
    values = [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    res = compute_xmr(values)
    assert not res["limits_shown"].any()
    assert res[["lpl", "upl", "lower_2s", "upper_2s"]].isna().all().all()
    assert res["rule_trend"].all()
    assert not res["rule_outside"].any() and not res["rule_two_of_three"].any()
    assert any("run chart" in w for w in res.attrs["warnings"])
    res13 = compute_xmr(values + [13.0])
    assert res13["limits_shown"].all() and res13["upl"].notna().all()


def test_fix_after_n_points_below_12_names_argument():
    with pytest.raises(InvalidSeriesError, match="fix_after_n_points"):
        compute_xmr(range(20), options=SpcOptions(fix_after_n_points=11))


def test_fix_after_n_points_freezes_and_projects():
    values = alternating(12) + [60.0] * 8
    res = compute_xmr(values, options=SpcOptions(rules=PTD, fix_after_n_points=12))
    assert (res["mean"] == 50.0).all()
    assert res["rule_outside"].iloc[12:].all()


def test_fix_baseline_with_special_cause_warns():
    values = [50.0] * 5 + [51.0, 52, 53, 54, 55, 56, 57] + alternating(8)
    res = compute_xmr(values, options=SpcOptions(rules=PTD, fix_after_n_points=12))
    assert any("baseline" in w for w in res.attrs["warnings"])


def test_phases_restart_limits_and_rules():
    values = alternating(16) + alternating(16, 59, 61)
    res = compute_xmr(values, options=SpcOptions(phase_starts=(16,)))
    assert res["phase"].tolist() == [0] * 16 + [1] * 16
    assert res["mean"].iloc[0] == 50 and res["mean"].iloc[-1] == 60
    assert not res["special_cause_flag"].any()
    assert np.isnan(res["mr"].iloc[16])


def test_phase_shorter_than_mdc_minimum_refused():
    with pytest.raises(InvalidSeriesError, match="phase_starts"):
        compute_xmr(range(20), options=SpcOptions(phase_starts=(5,)))
    with pytest.raises(InvalidSeriesError, match="phase_starts"):
        compute_xmr(range(20), options=SpcOptions(rules=PTD, phase_starts=(25,)))


def test_excluded_points_are_ghosted():
    values = alternating(21)
    values[4] = 500.0
    res = compute_xmr(values, options=SpcOptions(excluded=(4,)))
    assert res.loc[4, "excluded"] and res.loc[4, "value"] == 500.0
    assert res["mean"].iloc[0] == 50.0
    assert not res["special_cause_flag"].any()
    with pytest.raises(InvalidSeriesError, match="excluded"):
        compute_xmr(values, options=SpcOptions(excluded=(99,)))


def test_neutral_direction_gives_neutral_types():
    values = alternating(20) + [80.0]
    res = compute_xmr(
        values, options=SpcOptions(improvement_direction=ImprovementDirection.NEUTRAL)
    )
    assert res["point_type"].iloc[-1] == PointType.NEUTRAL_HIGH.value


def test_priority_outside_over_trend_over_shift():
    values = alternating(20) + [51.0, 52, 53, 54, 55, 90.0]
    res = compute_xmr(values, options=SpcOptions(rules=MDC_2024))
    assert res["special_cause_type"].iloc[-1] == "Above UCL"
    assert res["rule_trend"].iloc[-1] and res["rule_outside"].iloc[-1]
    assert res["special_cause_type"].iloc[-2] == "6 Point Trend (Increasing)"
    values = alternating(20, 40, 60) + [61.0, 62, 63, 64, 65, 66, 67]
    res = compute_xmr(values, options=SpcOptions(rules=MDC_2024))
    assert res["rule_trend"].iloc[-1] and res["rule_shift"].iloc[-1]
    assert res["special_cause_type"].iloc[-1] == "6 Point Trend (Increasing)"


def test_reasons_without_and_with_dates():
    values = alternating(15) + [52.0] * 6 + alternating(4)
    res = compute_xmr(values)
    assert res["reason"].iloc[15] == "6 points in a row above the mean (points 16–21)"
    assert (res["reason"] == "").sum() == len(values) - 6
    dates = pd.Series(pd.date_range("2023-01-01", periods=len(values), freq="MS"))
    res = compute_xmr(values, dates=dates)
    assert res["reason"].iloc[15] == "6 points in a row above the mean (Apr 2024 to Sep 2024)"
    days = pd.Series(pd.date_range("2023-01-02", periods=len(values), freq="D"))
    res = compute_xmr(values, dates=days)
    assert "(17 Jan 2023 to 22 Jan 2023)" in res["reason"].iloc[15]


def test_reason_for_outside_and_two_of_three():
    values = _two_of_three_series()
    res = compute_xmr(values, options=SpcOptions(rules=PTD))
    assert res["reason"].iloc[32] == "Above the upper process limit (point 33)"
    mdc = compute_xmr(values)
    assert mdc["reason"].iloc[30] == "2 of 3 points beyond the upper 2σ line (points 31–33)"
    assert mdc["reason"].iloc[32] == (
        "Above the upper process limit (point 33); "
        "2 of 3 points beyond the upper 2σ line (points 31–33)"
    )
    assert mdc["reason"].iloc[31] == ""


def test_missing_values_kept_as_common_cause_with_warning():
    values = alternating(20)
    values[3] = NAN
    res = compute_xmr(values)
    assert len(res) == 20 and res.loc[3, "point_type"] == "common_cause"
    assert np.isnan(res.loc[3, "relative_to_mean"]) and np.isnan(res.loc[4, "mr"])
    assert any("missing" in w and "point 4" in w for w in res.attrs["warnings"])


def test_date_warnings_duplicates_and_gaps():
    values = alternating(20)
    dates = pd.Series(pd.date_range("2023-01-01", periods=21, freq="MS").delete(10))
    res = compute_xmr(values, dates=dates)
    assert any("skip 1 month" in w for w in res.attrs["warnings"])
    dup = pd.Series(pd.date_range("2023-01-01", periods=20, freq="W")).replace(
        {pd.Timestamp("2023-01-08"): pd.Timestamp("2023-01-01")}
    )
    res = compute_xmr(values, dates=dup)
    assert any("more than once" in w for w in res.attrs["warnings"])


def test_short_phase_warning_says_13():
    res = compute_xmr(alternating(12), options=SpcOptions(rules=PTD))
    assert res["short_group_warning"].all()
    assert any("n < 13" in w for w in res.attrs["warnings"])
    assert not compute_xmr(alternating(13), options=SpcOptions(rules=PTD))[
        "short_group_warning"
    ].any()


def test_conflict_at_last_point_warns():
    # above-mean shift (improvement) while the last points fall (concern)
    values = alternating(14, 40, 42) + [60.0, 61, 62, 63, 62, 61, 60, 59, 58, 57]
    res = compute_xmr(values, options=SpcOptions(rules=PTD))
    assert res["rule_shift"].iloc[-1] and res["rule_trend"].iloc[-1]
    assert any("improvement" in w and "concern" in w for w in res.attrs["warnings"])


def test_invalid_values_and_dates_name_the_argument():
    with pytest.raises(InvalidSeriesError, match="values"):
        compute_xmr(["a", "b"])
    with pytest.raises(InvalidSeriesError, match="values"):
        compute_xmr([1.0, np.inf])
    with pytest.raises(InvalidSeriesError, match="dates"):
        compute_xmr([1.0, 2.0], dates=pd.Series(pd.date_range("2024-01-01", periods=3)))


def test_empty_and_single_point():
    assert len(compute_xmr([])) == 0
    res = compute_xmr([4.0], options=SpcOptions(rules=PTD))
    assert res["mean"].iloc[0] == 4.0 and np.isnan(res["upl"].iloc[0])


def test_apply_rules_with_per_point_limits():
    values = np.array([0.1, 0.12, 0.5, 0.11])
    centre = np.full(4, 0.1)
    upper = np.array([0.3, 0.2, 0.3, 0.25])
    lower = np.zeros(4)
    res = apply_rules(
        values, centre, lower, upper, lower, upper * 0.8, options=SpcOptions(rules=PTD)
    )
    assert res["rule_outside"].tolist() == [False, False, True, False]
    assert res["upl"].tolist() == upper.tolist()
    same = compute_xmr(
        values,
        options=SpcOptions(rules=PTD),
        limits=PerPointLimits(centre, lower, upper, lower, upper * 0.8),
    )
    pd.testing.assert_frame_equal(res, same)
    assert "centre line" not in res["reason"].iloc[2]
    with pytest.raises(InvalidSeriesError, match="upper"):
        apply_rules(values, centre, lower, upper[:2], lower, upper)


def test_compute_mr():
    res = compute_mr([1.0, 3.0, 2.0, NAN, 5.0])
    assert np.isnan(res["mr"].iloc[0]) and res["mr"].iloc[1] == 2.0
    assert res["mean_mr"].iloc[0] == pytest.approx(1.5)
    assert res["ucl"].iloc[0] == pytest.approx(3.267 * 1.5)
    assert (res["lcl"] == 0).all()


def test_100k_points_vectorised():
    import time

    y = np.random.default_rng(0).normal(50, 5, 100_000)
    compute_xmr(y)
    start = time.perf_counter()
    compute_xmr(y)
    assert time.perf_counter() - start < 1.0  # generous for CI; ~0.07 s measured locally



def test_shift_reasons_do_not_run_across_a_phase_break():
    # Each phase has its own run of 7 above its own mean, touching at the break. The
    # flags are per phase, and the words must be too: two windows, not one merged one.
    import pandas as pd

    from qinet.stats.rules import PTD
    from qinet.stats.spc import SpcOptions, compute_xmr

    phase0 = [10, 11, 10, 11, 10, 11, 10, 11, 13, 14, 13, 14, 13, 14, 13]  # ends with 7 high
    phase1 = [33, 34, 33, 34, 33, 34, 33, 30, 31, 30, 31, 30, 31, 30, 31]  # starts with 7 high
    dates = pd.date_range("2024-01-01", periods=30, freq="MS")
    res = compute_xmr(
        phase0 + phase1, dates=dates, options=SpcOptions(rules=PTD, phase_starts=(15,))
    )
    assert res["rule_shift"].iloc[8:15].all() and res["rule_shift"].iloc[15:22].all()
    assert res["reason"].iloc[14] == "7 points in a row above the mean (Sep 2024 to Mar 2025)"
    assert res["reason"].iloc[15] == "7 points in a row above the mean (Apr 2025 to Oct 2025)"


def test_short_phase_warning_counts_points_as_people_write_them():
    one = compute_xmr([5.0]).attrs["warnings"]
    assert any(w.startswith("Phase 1 has 1 point (n < 13)") for w in one), one
    two = compute_xmr([5.0, 6.0]).attrs["warnings"]
    assert any(w.startswith("Phase 1 has 2 points (n < 13)") for w in two), two
