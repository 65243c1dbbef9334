"""Presets pinned by hand: the published numbers are typed here, never read from the code.

Changing a preset in qinet/stats/rules.py (a shift length, a trend length, the points needed
for limits, a limit constant) fails a test below that names the preset and the number.
Sources: NHS England Making Data Count SQL v2.6 (Jan 2024); NHSRplotthedots 0.2.2
ptd_spc() defaults; Life QI's documented SPC rules; Perla, Provost & Murray (2011) for IHI;
Anhøj & Olesen (2014) / qicharts2 for Anhøj; Montgomery for d2 and D4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qinet.stats import rules as r
from qinet.stats.measure import analyse_measure
from qinet.stats.portfolio import summary_matrix
from qinet.stats.runchart import compute_run_chart
from qinet.stats.spc import SpcOptions, compute_xmr

pytestmark = pytest.mark.unit

# (preset, shift, trend, points before limits, min points per phase, 2-of-3 counts beyond 3σ,
#  moving-range screening)
SPC_PUBLISHED = [
    ("MDC_2024", 6, 6, 13, 12, True, False),
    ("PTD", 7, 7, 0, 0, False, True),
    ("LIFE_QI", 8, 6, 0, 0, True, False),
]


def _alternating(n: int, lo: float = 49.0, hi: float = 51.0) -> list[float]:
    return [lo if i % 2 == 0 else hi for i in range(n)]


@pytest.mark.parametrize("row", SPC_PUBLISHED, ids=[row[0] for row in SPC_PUBLISHED])
def test_spc_preset_fields_as_published(row):
    key, shift, trend, before, per_phase, counts_beyond, screen = row
    p = r.SPC_PRESETS[key]
    assert (p.shift, p.trend) == (shift, trend), f"{key}: shift {shift}, trend {trend}"
    assert p.min_points_for_limits == before, f"{key}: limits from {before} points"
    assert p.min_points_per_phase == per_phase, f"{key}: {per_phase} points per phase"
    assert p.two_of_three is True
    assert p.two_of_three_counts_beyond_limits is counts_beyond
    assert p.screen_moving_ranges is screen


@pytest.mark.parametrize("row", SPC_PUBLISHED, ids=[row[0] for row in SPC_PUBLISHED])
def test_spc_shift_boundary_as_published(row):
    key, shift = row[0], row[1]
    opts = SpcOptions(rules=r.SPC_PRESETS[key])

    def fires(k: int) -> bool:
        values = _alternating(15) + [52.0] * k + _alternating(14)
        return bool(compute_xmr(values, options=opts)["rule_shift"].any())

    assert fires(shift), f"{key}: {shift} points in a row above the mean is a shift"
    assert not fires(shift - 1), f"{key}: {shift - 1} points is not a shift"


@pytest.mark.parametrize("row", SPC_PUBLISHED, ids=[row[0] for row in SPC_PUBLISHED])
def test_spc_trend_boundary_as_published(row):
    key, trend = row[0], row[2]
    opts = SpcOptions(rules=r.SPC_PRESETS[key])

    def fires(k: int) -> bool:
        rising = [46.0 + i for i in range(k)]
        values = _alternating(14, 45, 55) + rising + [40.0] + _alternating(13, 45, 55)
        return bool(compute_xmr(values, options=opts)["rule_trend"].any())

    assert fires(trend), f"{key}: {trend} points rising is a trend"
    assert not fires(trend - 1), f"{key}: {trend - 1} points rising is not a trend"


def _obs(n: int) -> pd.DataFrame:
    dates = pd.date_range("2023-01-01", periods=n, freq="MS")
    return pd.DataFrame({"period_start": dates.date, "value": _alternating(n)})


@pytest.mark.parametrize(("n", "limits"), [(12, False), (13, True)])
def test_mdc_draws_limits_from_13_points(n, limits):
    a = analyse_measure(_obs(n), chart="xmr", preset=r.MDC_2024)
    assert a.is_spc is limits and a.fell_back is not limits
    measures = pd.DataFrame([dict(measure_id=1, chart_type="xmr", improvement_direction="increase",
                                  target=None, baseline_points=None)])
    obs = _obs(n).assign(measure_id=1, numerator=np.nan, denominator=np.nan)
    row = summary_matrix(measures, obs, spc_rules=r.MDC_2024).iloc[0]
    assert (row["drawn_as"] == "xmr") is limits


def test_limit_constants_as_published():
    assert r.XMR_LIMIT == 2.66  # 3 / d2 as MDC and NHSRplotthedots use it
    assert r.MR_SCREEN == 3.267 and r.MR_UCL == 3.267  # D4 for n = 2
    assert r.D2 == 1.128
    values = [10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 13.0, 11.0, 12.0, 10.0, 11.0, 12.0, 13.0]
    amr = float(np.mean(np.abs(np.diff(values))))
    res = compute_xmr(values, options=SpcOptions(rules=r.LIFE_QI))
    assert res["upl"].iloc[0] == pytest.approx(np.mean(values) + 2.66 * amr, rel=1e-12)
    assert res["lpl"].iloc[0] == pytest.approx(np.mean(values) - 2.66 * amr, rel=1e-12)


def test_run_chart_presets_as_published():
    assert (r.IHI.shift, r.IHI.trend) == (6, 5)
    assert r.ANHOEJ.crossings_quantile == 0.05
    above = [2.0 + i * 0.01 for i in range(6)]
    values = [0.0, 3.0, -1.0, 4.0, -2.0] + above + [-3.0, 5.0, -4.0, 6.0, -5.0]
    rc = compute_run_chart(values, rules=r.IHI, centre=1.0)
    assert rc["rule_shift"].sum() == 6  # IHI: 6 in a row on one side is a shift
    rc = compute_run_chart(values[:5] + above[:5] + values[11:], rules=r.IHI, centre=1.0)
    assert not rc["rule_shift"].any()


def test_default_preset_is_mdc_2024():
    assert r.DEFAULT_SPC_PRESET == "MDC_2024"
