"""Rates per 1,000 keep every signal of the raw rate; t and g measures analyse end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qinet.stats.measure import analyse_measure, extract_frame
from qinet.stats.portfolio import summary_matrix
from qinet.stats.rules import MDC_2024

pytestmark = pytest.mark.unit


def _u_obs(seed: int = 3, n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    den = rng.integers(2500, 3300, n).astype(float)
    rate = np.where(np.arange(n) < 18, 0.0065, 0.0035)
    return pd.DataFrame(
        {
            "period_start": pd.date_range("2023-01-01", periods=n, freq="MS"),
            "numerator": rng.poisson(rate * den).astype(float),
            "denominator": den,
            "value": np.nan,
        }
    )


def test_multiplier_scales_numbers_and_keeps_every_signal() -> None:
    obs = _u_obs()
    raw = analyse_measure(obs, chart="u", direction="decrease", target=0.0045, preset=MDC_2024)
    per_k = analyse_measure(
        obs, chart="u", direction="decrease", target=4.5, preset=MDC_2024, multiplier=1000
    )
    for col in ("point_type", "reason", "special_cause_flag", "outside_limits"):
        assert per_k.result[col].tolist() == raw.result[col].tolist(), col
    for col in ("value", "mean", "lpl", "upl"):
        np.testing.assert_allclose(per_k.result[col], raw.result[col] * 1000, equal_nan=True)
    assert (per_k.result["target"] == 4.5).all()
    assert per_k.summary.variation == raw.summary.variation
    assert per_k.summary.assurance == raw.summary.assurance
    assert per_k.summary.last_value == pytest.approx(raw.summary.last_value * 1000)
    assert 1 < per_k.summary.centre < 10
    csv = extract_frame(per_k, {"measure": "Falls"})
    assert csv["value"].median() > 1 and (csv["target"] == 4.5).all()


def test_matrix_scales_like_the_page() -> None:
    obs = _u_obs().assign(measure_id=7)
    measures = pd.DataFrame(
        {"measure_id": [7], "chart_type": ["u"], "improvement_direction": ["decrease"],
         "target": [4.5], "baseline_points": [None], "multiplier": [1000]}
    )  # fmt: skip
    row = summary_matrix(measures, obs).iloc[0]
    a = analyse_measure(
        obs, chart="u", direction="decrease", target=4.5, preset=MDC_2024, multiplier=1000
    )
    assert row["last_value"] == pytest.approx(a.summary.last_value)
    assert row["upper"] == pytest.approx(a.summary.upper)
    assert row["target"] == 4.5
    assert (row["variation"], row["assurance"]) == (a.summary.variation, a.summary.assurance)


@pytest.mark.parametrize("chart", ["t", "g"])
def test_t_and_g_measures_agree_between_page_and_matrix(chart: str) -> None:
    rng = np.random.default_rng(5)
    gaps = rng.exponential(25, 24).round() + 1 if chart == "t" else rng.geometric(1 / 900, 24)
    days = np.cumsum(np.maximum(gaps if chart == "t" else gaps / 100, 1)).astype(int)
    obs = pd.DataFrame(
        {
            "measure_id": 1,
            "period_start": pd.Timestamp("2023-01-01") + pd.to_timedelta(days, "D"),
            "value": gaps.astype(float),
            "numerator": np.nan,
            "denominator": np.nan,
        }
    )
    a = analyse_measure(obs, chart=chart, direction="increase", preset=MDC_2024)
    assert a.is_spc and a.drawn_as.value == chart
    assert np.isfinite(a.summary.upper) and a.summary.lower >= 0
    if chart == "g":  # the g chart's centre line is the median
        assert a.summary.centre == pytest.approx(np.median(gaps))
    measures = pd.DataFrame(
        {"measure_id": [1], "chart_type": [chart], "improvement_direction": ["increase"],
         "target": [None], "baseline_points": [None]}
    )  # fmt: skip
    row = summary_matrix(measures, obs).iloc[0]
    assert row["drawn_as"] == chart
    assert row["upper"] == pytest.approx(a.summary.upper)
    assert row["variation"] == a.summary.variation.value
    assert row["latest_signal_reason"] == a.summary.latest_signal_reason
