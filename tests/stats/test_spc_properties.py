"""Property-based tests (hypothesis) for the XmR pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qinet.domain import ImprovementDirection
from qinet.stats.rules import LIFE_QI, MDC_2024, PTD
from qinet.stats.spc import RESULT_COLUMNS, SpcOptions, compute_xmr
from qinet.stats.summary import compute_xmr_batch, summarise

pytestmark = pytest.mark.unit

PRESETS = st.sampled_from([PTD, MDC_2024, LIFE_QI])
DIRECTIONS = st.sampled_from(list(ImprovementDirection))
FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
VALUE = st.one_of(FINITE, st.just(float("nan")))
SERIES = st.lists(VALUE, min_size=0, max_size=60)
# "nice" values keep float rounding from moving points across a limit when shifted
NICE = st.lists(st.integers(-500, 500).map(lambda v: v / 4), min_size=0, max_size=60)
SWAP = {
    "special_cause_improvement": "special_cause_concern",
    "special_cause_concern": "special_cause_improvement",
    "common_cause": "common_cause",
}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(values=SERIES, rules=PRESETS, direction=DIRECTIONS)
def test_never_raises_and_keeps_every_point(values, rules, direction):
    opts = SpcOptions(rules=rules, improvement_direction=direction, target=0.0)
    res = compute_xmr(values, options=opts)
    assert tuple(res.columns) == RESULT_COLUMNS
    assert len(res) == len(values)
    missing = np.isnan(np.asarray(values, dtype=float))
    assert not res.loc[missing, "special_cause_flag"].any()
    assert ((res["reason"] != "") == res["special_cause_flag"]).all()
    summarise(res)


@SETTINGS
@given(values=NICE, shift=st.integers(-1000, 1000), rules=PRESETS)
def test_limits_shift_with_the_data(values, shift, rules):
    opts = SpcOptions(rules=rules)
    a = compute_xmr(values, options=opts)
    b = compute_xmr([v + shift for v in values], options=opts)
    for column in ("mean", "lpl", "upl", "lower_2s", "upper_2s"):
        np.testing.assert_allclose(b[column], a[column] + shift, rtol=1e-9, atol=1e-6)
    assert (a["point_type"] == b["point_type"]).all() or _near_boundary(a)


def _near_boundary(res: pd.DataFrame) -> bool:
    """A point within rounding of a limit, 2σ line or the mean may flip when shifted."""
    y = res["value"].to_numpy(float)
    lines = res[["mean", "lpl", "upl", "lower_2s", "upper_2s"]].to_numpy(float)
    with np.errstate(invalid="ignore"):
        return bool(np.nanmin(np.abs(lines - y[:, None]), initial=np.inf) < 1e-6)


@SETTINGS
@given(values=SERIES, rules=PRESETS)
def test_reversing_direction_swaps_improvement_and_concern(values, rules):
    inc = compute_xmr(values, options=SpcOptions(rules=rules))
    dec = compute_xmr(
        values,
        options=SpcOptions(rules=rules, improvement_direction=ImprovementDirection.DECREASE),
    )
    assert inc["point_type"].map(SWAP).tolist() == dec["point_type"].tolist()
    assert inc["special_cause_type"].tolist() == dec["special_cause_type"].tolist()


@SETTINGS
@given(
    series=st.lists(st.lists(VALUE, min_size=1, max_size=30), min_size=1, max_size=6),
    rules=PRESETS,
)
def test_batch_equals_single(series, rules):
    opts = SpcOptions(rules=rules)
    frame = pd.DataFrame(
        {
            "series_id": [f"s{i}" for i, s in enumerate(series) for _ in s],
            "idx": [j for s in series for j in range(len(s))],
            "value": [v for s in series for v in s],
        }
    )
    points, summary = compute_xmr_batch(frame, options=opts)
    for i, values in enumerate(series):
        single = compute_xmr(values, options=opts)
        mine = points[points["series_id"] == f"s{i}"].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[list(RESULT_COLUMNS)], single, check_dtype=False)
        row = summary.iloc[i]
        s = summarise(single)
        assert row["variation"] == s.variation and row["assurance"] == s.assurance
        assert tuple(row["warnings"]) == s.warnings
