"""Tests for qinet.stats.summary: variation, assurance, icons and the batch path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qinet.domain import AssuranceState, ImprovementDirection, VariationState
from qinet.errors import InvalidSeriesError
from qinet.stats.rules import MDC_2024, PTD
from qinet.stats.spc import RESULT_COLUMNS, SpcOptions, compute_xmr
from qinet.stats.summary import (
    SUMMARY_COLUMNS,
    _assurance_codes,
    _variation_codes,
    assurance_icon_name,
    compute_xmr_batch,
    summarise,
    variation_icon_name,
)

pytestmark = pytest.mark.unit

INC, DEC, NEU = (
    ImprovementDirection.INCREASE,
    ImprovementDirection.DECREASE,
    ImprovementDirection.NEUTRAL,
)


def alternating(n, lo=49.0, hi=51.0):
    return [lo if i % 2 == 0 else hi for i in range(n)]


@pytest.mark.parametrize(
    ("point_type", "direction", "expected"),
    [
        ("common_cause", 1, VariationState.COMMON_CAUSE),
        ("special_cause_improvement", 1, VariationState.IMPROVEMENT_HIGH),
        ("special_cause_improvement", -1, VariationState.IMPROVEMENT_LOW),
        ("special_cause_concern", 1, VariationState.CONCERN_LOW),
        ("special_cause_concern", -1, VariationState.CONCERN_HIGH),
        ("special_cause_neutral_high", 0, VariationState.NEUTRAL_HIGH),
        ("special_cause_neutral_low", 0, VariationState.NEUTRAL_LOW),
    ],
)
def test_variation_codes(point_type, direction, expected):
    from qinet.stats.summary import _VARIATION

    code = _variation_codes(
        np.array([point_type], dtype=object), np.array([direction]), np.array([True])
    )
    assert _VARIATION[code[0]] == expected
    code = _variation_codes(
        np.array([point_type], dtype=object), np.array([direction]), np.array([False])
    )
    assert _VARIATION[code[0]] == VariationState.NOT_ENOUGH_DATA


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (20.0, 1, AssuranceState.FAIL),
        (5.0, 1, AssuranceState.PASS),
        (10.0, 1, AssuranceState.INCONSISTENT),
        (15.0, 1, AssuranceState.INCONSISTENT),  # equal to the upper limit
        (8.0, 1, AssuranceState.INCONSISTENT),  # equal to the lower limit
        (20.0, -1, AssuranceState.PASS),
        (5.0, -1, AssuranceState.FAIL),
        (8.0, -1, AssuranceState.INCONSISTENT),
        (20.0, 0, AssuranceState.NO_TARGET),
        (np.nan, 1, AssuranceState.NO_TARGET),
    ],
)
def test_assurance_codes(target, direction, expected):
    from qinet.stats.summary import _ASSURANCE

    code = _assurance_codes(
        np.array([target]), np.array([8.0]), np.array([15.0]), np.array([direction])
    )
    assert _ASSURANCE[code[0]] == expected


def test_assurance_with_nan_limits_is_inconsistent():
    from qinet.stats.summary import _ASSURANCE

    code = _assurance_codes(np.array([3.0]), np.array([np.nan]), np.array([np.nan]), np.array([1]))
    assert _ASSURANCE[code[0]] == AssuranceState.INCONSISTENT


def test_icon_names():
    assert variation_icon_name(VariationState.IMPROVEMENT_HIGH) == "improvement_high"
    assert variation_icon_name(VariationState.NOT_ENOUGH_DATA) is None
    assert assurance_icon_name(AssuranceState.PASS) == "pass"
    assert assurance_icon_name(AssuranceState.NO_TARGET) is None


def test_summarise_latest_signal_and_counts():
    values = alternating(20, 45, 55) + [120.0]
    res = compute_xmr(values, options=SpcOptions(rules=PTD, target=100.0))
    s = summarise(res)
    assert s.n == 21 and s.n_phase_last == 21
    assert s.variation is VariationState.IMPROVEMENT_HIGH
    assert s.assurance is AssuranceState.FAIL
    assert s.special_cause_improvement == 1 and s.common_cause == 20
    assert s.latest_signal_idx == 20 and s.latest_signal_reason.startswith("Above")
    assert s.last_value == 120.0 and s.last_date is None


def test_summarise_counts_latest_phase_only():
    values = alternating(14) + [80.0] + alternating(15, 59, 61)
    res = compute_xmr(values, options=SpcOptions(rules=PTD, phase_starts=(15,)))
    s = summarise(res)
    assert s.n == 30 and s.n_phase_last == 15
    assert s.special_cause_improvement == 0 and s.common_cause == 15
    assert s.latest_signal_idx == 14


def test_summarise_mdc_short_series_not_enough_data():
    s = summarise(compute_xmr(alternating(10)))
    assert s.variation is VariationState.NOT_ENOUGH_DATA
    assert any("run chart" in w for w in s.warnings)


def test_summarise_empty():
    s = summarise(compute_xmr([]))
    assert s.n == 0 and s.variation is VariationState.NOT_ENOUGH_DATA


def test_summarise_rejects_other_frames():
    with pytest.raises(InvalidSeriesError, match="result"):
        summarise(pd.DataFrame({"value": [1.0]}))


def _frame(rng, n_series=30, length=24, with_dates=True):
    ids = np.repeat([f"s{i}" for i in range(n_series)], length)
    values = np.round(rng.normal(50, 5, n_series * length), 2)
    values[rng.random(values.size) < 0.03] = np.nan
    frame = pd.DataFrame(
        {"series_id": ids, "idx": np.tile(np.arange(length), n_series), "value": values}
    )
    if with_dates:
        frame["date"] = np.tile(pd.date_range("2022-01-01", periods=length, freq="MS"), n_series)
    return frame


def _assert_same(points, summary, frame, options_for):
    for sid, group in frame.groupby("series_id", sort=False):
        group = group.sort_values("idx")
        opts = options_for(sid)
        dates = group["date"].reset_index(drop=True) if "date" in group else None
        single = compute_xmr(group["value"].to_numpy(), dates=dates, options=opts)
        mine = points[points["series_id"] == sid].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[list(RESULT_COLUMNS)], single, check_dtype=False)
        expected = summarise(single)
        row = summary[summary["series_id"] == sid].iloc[0]
        for field in SUMMARY_COLUMNS:
            got, want = row[field], getattr(expected, field)
            if isinstance(want, float) and np.isnan(want):
                assert np.isnan(got), field
            elif want is None:
                assert got is None or pd.isna(got), field
            elif field == "warnings":
                assert tuple(got) == want
            else:
                assert got == want, field


def test_batch_equals_single_default_options():
    frame = _frame(np.random.default_rng(3))
    points, summary = compute_xmr_batch(frame)
    assert len(summary) == 30 and list(summary.columns) == ["series_id", *SUMMARY_COLUMNS]
    _assert_same(points, summary, frame, lambda sid: SpcOptions())


def test_batch_equals_single_with_options_by_series_and_shuffled_rows():
    rng = np.random.default_rng(4)
    frame = _frame(rng, n_series=12, with_dates=False)
    special = {
        "s1": SpcOptions(rules=PTD, improvement_direction=DEC, target=40.0),
        "s2": SpcOptions(rules=PTD, phase_starts=(12,)),
        "s3": SpcOptions(rules=PTD, phase_starts=(12,)),
        "s4": SpcOptions(rules=MDC_2024, fix_after_n_points=12, improvement_direction=NEU),
    }
    shuffled = frame.sample(frac=1.0, random_state=1)
    points, summary = compute_xmr_batch(
        shuffled, options_by_series=special, options=SpcOptions(rules=PTD)
    )
    _assert_same(points, summary, frame, lambda sid: special.get(sid, SpcOptions(rules=PTD)))


def test_batch_direction_and_target_columns():
    frame = _frame(np.random.default_rng(5), n_series=2, with_dates=False)
    frame["direction"] = np.where(frame["series_id"] == "s0", "decrease", "increase")
    frame["target"] = 1000.0
    points, summary = compute_xmr_batch(frame)
    assert summary.set_index("series_id").loc["s0", "assurance"] == AssuranceState.PASS
    assert summary.set_index("series_id").loc["s1", "assurance"] == AssuranceState.FAIL
    frame["direction"] = "sideways"
    with pytest.raises(InvalidSeriesError, match="direction"):
        compute_xmr_batch(frame)


def test_batch_missing_column_and_empty():
    with pytest.raises(InvalidSeriesError, match="value"):
        compute_xmr_batch(pd.DataFrame({"series_id": [], "idx": []}))
    points, summary = compute_xmr_batch(
        pd.DataFrame({"series_id": pd.Series([], dtype=str), "idx": [], "value": []})
    )
    assert len(points) == 0 and len(summary) == 0


def test_batch_speed_10k_series():
    import time

    frame = _frame(np.random.default_rng(6), n_series=10_000, with_dates=True)
    compute_xmr_batch(frame.head(240))
    start = time.perf_counter()
    points, summary = compute_xmr_batch(frame)
    assert len(summary) == 10_000
    assert time.perf_counter() - start < 3.0  # generous for CI; ~0.25 s measured locally
