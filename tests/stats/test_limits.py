"""Shewhart limits (qicharts2 semantics): hand-checked values, clipping, phases, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qinet.errors import InvalidSeriesError
from qinet.stats.limits import (
    Chart,
    chart_limits,
    limit_arrays,
    p_chart_batch,
    subgroup_limits,
)

pytestmark = pytest.mark.unit


def test_i_chart_by_hand():
    y = [10.0, 12.0, 11.0, 13.0, 12.0]
    res = chart_limits("i", y)
    amr = np.mean([2, 1, 2, 1])
    sd = amr / 1.128
    assert res["cl"].iloc[0] == pytest.approx(11.6)
    assert res["ucl"].iloc[0] == pytest.approx(11.6 + 3 * sd)
    assert res["lcl_95"].iloc[0] == pytest.approx(11.6 - 2 * sd)
    assert list(res.columns) == [
        "y",
        "cl",
        "lcl",
        "ucl",
        "lcl_95",
        "ucl_95",
        "sigma_signal",
        "phase",
        "baseline",
    ]


def test_screening_drops_ranges_at_or_above_3267_amr():
    y = [10.0] * 5 + [10.5, 10.0, 10.5, 10.0, 40.0, 10.0, 10.5]
    screened = chart_limits("i", y)
    unscreened = chart_limits("i", y, screen_mr=False)
    assert screened["ucl"].iloc[0] < unscreened["ucl"].iloc[0]
    assert screened["sigma_signal"].iloc[9]


def test_moving_ranges_are_not_bridged_across_missing():
    y = [10.0, 12.0, np.nan, 20.0, 22.0]
    res = chart_limits("i", y, screen_mr=False)
    sd = 2 / 1.128  # ranges 2 and 2; never |20 - 12|
    assert res["ucl"].iloc[0] - res["cl"].iloc[0] == pytest.approx(3 * sd)
    mr = chart_limits("mr", y)
    assert np.isnan(mr["y"].to_numpy()[[0, 2, 3]]).all()


def test_constant_series_has_no_limits_when_screened():
    res = chart_limits("i", [5.0] * 12)
    assert res["ucl"].isna().all() and (res["cl"] == 5).all()


def test_freeze_and_phases():
    y = np.r_[np.arange(12.0), np.arange(12.0) + 50]
    frozen = chart_limits("i", y, freeze=12)
    assert frozen["cl"].iloc[-1] == pytest.approx(5.5)
    assert frozen["baseline"].sum() == 12
    phased = chart_limits("i", y, phase_starts=(12,))
    assert phased["cl"].iloc[0] == pytest.approx(5.5) and phased["cl"].iloc[-1] == pytest.approx(
        55.5
    )
    assert phased["phase"].tolist() == [0] * 12 + [1] * 12
    both = chart_limits("i", y, freeze=5, phase_starts=(12,))
    assert both.attrs["warnings"] and both["baseline"].all()


def test_p_chart_limits_clipped_to_0_and_1():
    res = chart_limits("p", [0, 1, 0, 1], [1, 1, 1, 1])
    assert res["cl"].iloc[0] == pytest.approx(0.5)
    assert (res["ucl"] == 1).all() and (res["lcl"] == 0).all()
    small = chart_limits("p", [0, 1, 0, 0], [5, 5, 5, 5])
    assert (small["lcl"] == 0).all() and (small["ucl"] < 1).all()


def test_p_chart_per_point_limits_and_missing_points():
    res = chart_limits("p", [10, np.nan, 30], [100, 200, 300])
    cl = 40 / 400
    assert res["cl"].iloc[0] == pytest.approx(cl)
    assert res["ucl"].iloc[2] == pytest.approx(cl + 3 * np.sqrt(cl * (1 - cl) / 300))
    assert np.isnan(res["ucl"].iloc[1]) and np.isnan(res["y"].iloc[1])
    lim = limit_arrays(res)
    assert list(lim) == ["centre", "lower", "upper", "lower_2s", "upper_2s"]
    assert lim["upper"].shape == (3,) and lim["centre"][0] == pytest.approx(cl)


def test_u_and_c_lower_limits_clipped_at_zero():
    assert (chart_limits("c", [0, 1, 0, 2])["lcl"] == 0).all()
    assert (chart_limits("u", [0, 1, 0, 2], [1, 1, 1, 1])["lcl"] == 0).all()


def test_g_chart_plots_median_but_limits_from_mean():
    y = [1.0, 2.0, 3.0, 10.0]
    res = chart_limits("g", y)
    assert res["cl"].iloc[0] == pytest.approx(2.5)
    assert res["ucl"].iloc[0] == pytest.approx(4 + 3 * np.sqrt(4 * 5))


def test_t_chart_back_transforms():
    y = [5.0, 8.0, 6.0, 12.0, 7.0]
    res = chart_limits("t", y)
    i = chart_limits("i", np.asarray(y) ** (1 / 3.6))
    assert res["cl"].iloc[0] == pytest.approx(i["cl"].iloc[0] ** 3.6)
    assert res["y"].to_numpy() == pytest.approx(y)


def test_xbar_and_s_constant_and_varying_sizes():
    rng = np.random.default_rng(3)
    sub = np.repeat(np.arange(10), 5)
    obs = rng.normal(100, 4, sub.size)
    xbar = subgroup_limits("xbar", sub, obs)
    means = pd.Series(obs).groupby(sub).mean()
    sds = pd.Series(obs).groupby(sub).std()
    c4 = 0.9399856029866254  # c4(5)
    assert xbar["cl"].iloc[0] == pytest.approx(means.mean())
    assert xbar["ucl"].iloc[0] == pytest.approx(means.mean() + 3 * sds.mean() / (c4 * np.sqrt(5)))
    s = subgroup_limits("s", sub, obs)
    assert s["cl"].iloc[0] == pytest.approx(sds.mean())
    # varying sizes: pooled SD
    keep = np.ones(sub.size, dtype=bool)
    keep[:2] = False
    xv = subgroup_limits("xbar", sub[keep], obs[keep])
    grp = pd.Series(obs[keep]).groupby(sub[keep])
    n = grp.count().to_numpy()
    pooled = np.sqrt(np.sum((n - 1) * grp.var().to_numpy()) / np.sum(n - 1))
    assert subgroup_limits("s", sub[keep], obs[keep])["cl"].iloc[0] == pytest.approx(pooled)
    assert xv["size"].tolist()[0] == 3


def test_p_chart_batch_matches_single():
    rng = np.random.default_rng(5)
    frames = []
    for s in range(20):
        den = rng.integers(20, 200, 24)
        num = rng.binomial(den, 0.2)
        frames.append(
            pd.DataFrame(
                {"series_id": s, "idx": np.arange(24), "numerator": num, "denominator": den}
            )
        )
    frame = pd.concat(frames)
    batch = p_chart_batch(frame)
    for s, f in frame.groupby("series_id"):
        single = chart_limits("p", f["numerator"], f["denominator"])
        got = batch[batch.series_id == s]
        for c in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95"):
            np.testing.assert_allclose(got[c].to_numpy(), single[c].to_numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: chart_limits("z", [1, 2]), "chart"),
        (lambda: chart_limits("p", [1, 2]), "n"),
        (lambda: chart_limits("p", [1, 2], [1]), "n"),
        (lambda: chart_limits("p", [3, 2], [2, 2]), "y: numerator exceeds denominator"),
        (lambda: chart_limits("u", [1, 2], [-1, 2]), "n: denominators must not be negative"),
        (lambda: chart_limits("t", [1.0, 0.0, 2.0]), "y"),
        (lambda: chart_limits("xbar", [1, 2]), "chart"),
        (lambda: chart_limits("i", [1, 2, 3], freeze=0), "freeze"),
        (lambda: chart_limits("i", [1, 2, 3], phase_starts=(3,)), "phase_starts"),
        (lambda: subgroup_limits("i", [1, 1], [1, 2]), "chart"),
        (lambda: subgroup_limits("s", [1, 1, 2], [1, 2]), "subgroups"),
        (lambda: p_chart_batch(pd.DataFrame({"series_id": [1]})), "frame"),
    ],
)
def test_invalid_inputs_name_the_argument(call, argument):
    with pytest.raises(InvalidSeriesError, match=argument):
        call()


def test_chart_enum_values():
    assert {c.value for c in Chart} == {"i", "mr", "c", "p", "pp", "u", "up", "g", "t", "xbar", "s"}
