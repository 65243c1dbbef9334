"""Run charts: Anhøj and IHI rules, their boundaries, critical values and batch agreement."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest

from qinet.errors import InvalidSeriesError
from qinet.stats.rules import ANHOEJ, IHI
from qinet.stats.run_limits import _qbinom_half, _qbinom_half_exact
from qinet.stats.run_reasons import counted
from qinet.stats.runchart import (
    anhoej_statistics,
    compute_run_chart,
    compute_run_chart_batch,
    crossings_min,
    longest_run_max,
    runs_limits,
    swed_eisenhart_runs_limits,
)

pytestmark = pytest.mark.unit


# --- critical values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_useful", "expected"),
    # R: qbinom(0.05, n - 1, 0.5)
    [
        (0, 0),
        (1, 0),
        (2, 0),
        (5, 0),
        (8, 1),
        (10, 2),
        (12, 3),
        (20, 6),
        (24, 8),
        (30, 10),
        (52, 20),
        (100, 41),
    ],
)
def test_crossings_min_spot_values(n_useful, expected):
    assert crossings_min(n_useful) == expected


def test_crossings_min_is_smallest_k_with_cdf_at_least_005():
    for size in range(0, 120):
        k = _qbinom_half(size, 0.05)
        cdf = lambda j, m=size: sum(math.comb(m, i) for i in range(j + 1)) / 2**m  # noqa: E731
        assert cdf(k) >= 0.05
        assert k == 0 or cdf(k - 1) < 0.05


def test_crossings_min_log_space_path_is_exact():
    for size in (2001, 2500, 5000):
        assert _qbinom_half(size, 0.05) == _qbinom_half_exact(size, 1, 20)


def test_crossings_min_large_n_is_fast():
    assert 49000 < crossings_min(100_000) < 50_000


@pytest.mark.parametrize(("n", "expected"), [(8, 6), (10, 6), (12, 7), (20, 7), (24, 8), (100, 10)])
def test_longest_run_max(n, expected):
    assert longest_run_max(n) == expected


# Perla, Provost & Murray (2011) BMJ Qual Saf 20:46-51, Table 1, as printed (typed in by hand
# from the paper, independently of qinet/stats/runchart.py): n -> (lower, upper) runs.
PRINTED_TABLE_1 = """
10 3 9   11 3 10  12 3 11  13 4 11  14 4 12  15 5 12
16 5 13  17 5 13  18 6 14  19 6 15  20 6 16  21 7 16
22 7 17  23 7 17  24 8 18  25 8 18  26 9 19  27 10 19
28 10 20 29 10 20 30 11 21 31 11 22 32 11 23 33 12 23
34 12 24 35 12 24 36 13 25 37 13 25 38 14 26 39 14 26
40 15 27 41 15 27 42 16 28 43 16 28 44 17 29 45 17 30
46 17 31 47 18 31 48 18 32 49 19 32 50 19 33 51 20 33
52 20 34 53 21 34 54 21 35 55 22 35 56 22 35 57 23 36
58 23 37 59 24 38 60 24 38
"""
_nums = [int(x) for x in PRINTED_TABLE_1.split()]
PRINTED_ROWS = [tuple(_nums[i : i + 3]) for i in range(0, len(_nums), 3)]


def _series_with_runs(n: int, runs: int) -> list[float]:
    """n useful points around a centre of 0 that form exactly ``runs`` runs (1 <= runs <= n)."""
    lengths = [1] * (runs - 1) + [n - runs + 1]
    out: list[float] = []
    for i, length in enumerate(lengths):
        out += [1.0 if i % 2 == 0 else -1.0] * length
    return out


def test_printed_table_has_51_rows():
    assert len(PRINTED_ROWS) == 51
    assert [r[0] for r in PRINTED_ROWS] == list(range(10, 61))


@pytest.mark.parametrize(("n", "lower", "upper"), PRINTED_ROWS)
def test_ihi_preset_uses_printed_runs_table(n, lower, upper):
    assert runs_limits(n) == (lower, upper)
    rc = compute_run_chart(_series_with_runs(n, lower), rules=IHI, centre=0)
    assert (rc["runs_lower"].iloc[0], rc["runs_upper"].iloc[0]) == (lower, upper)
    assert rc["n_runs"].iloc[0] == lower and not rc["rule_runs"].any()


@pytest.mark.parametrize("n", [10, 20, 25, 41, 59, 60])
def test_ihi_runs_boundaries_through_public_api(n):
    lower, upper = dict((r[0], r[1:]) for r in PRINTED_ROWS)[n]

    def runs_signal(runs: int) -> bool:
        # shift/trend do not matter here: only the runs rule is read
        rc = compute_run_chart(_series_with_runs(n, runs), rules=IHI, centre=0)
        assert rc["n_runs"].iloc[0] == runs
        return bool(rc["rule_runs"].any())

    assert not runs_signal(lower) and not runs_signal(upper)  # equal to a limit: no signal
    assert runs_signal(lower - 1) and runs_signal(upper + 1)  # one beyond: signal


def test_runs_limits_outside_printed_range():
    assert runs_limits(9) is None
    assert runs_limits(61) is None
    rc = compute_run_chart(_series_with_runs(61, 2), rules=IHI, centre=0)
    assert not rc["rule_runs"].any() and "10–60" in rc.attrs["warnings"][0]


def test_swed_eisenhart_is_labelled_and_differs_from_printed_table():
    assert swed_eisenhart_runs_limits(20) == (7, 15)
    differ = [n for n, lo, up in PRINTED_ROWS if swed_eisenhart_runs_limits(n) != (lo, up)]
    assert differ == [11, 12, 17, 20, 22, 23, 25, 29, 32, 35, 37, 41, 43, 53, 55, 56, 57, 59]


@pytest.mark.parametrize("n", [10, 11, 14])
def test_swed_eisenhart_limits_from_brute_force(n):
    n1 = n // 2
    counts: dict[int, int] = {}
    for above in itertools.combinations(range(n), n1):
        s = np.zeros(n, dtype=int)
        s[list(above)] = 1
        r = 1 + int(np.sum(s[1:] != s[:-1]))
        counts[r] = counts.get(r, 0) + 1
    total = sum(counts.values())
    lower, upper = swed_eisenhart_runs_limits(n)
    p_le = lambda r: sum(c for k, c in counts.items() if k <= r) / total  # noqa: E731
    p_ge = lambda r: sum(c for k, c in counts.items() if k >= r) / total  # noqa: E731
    assert p_le(lower - 1) <= 0.025 < p_le(lower)
    assert p_ge(upper + 1) <= 0.025 < p_ge(upper)


# --- Anhøj boundaries --------------------------------------------------------------------


def test_longest_run_exactly_max_does_not_signal_and_one_more_does():
    ok = [1] * 6 + [-1, 1, -1, 1]  # n_useful 10: max 6, crossings 4 >= 2
    st = anhoej_statistics(ok, 0)
    assert (st.longest_run, st.longest_run_max, st.signal) == (6, 6, False)
    bad = [1] * 7 + [-1, 1, -1]
    st = anhoej_statistics(bad, 0)
    assert (st.longest_run, st.signal) == (7, True)


def test_crossings_exactly_min_does_not_signal_and_one_fewer_does():
    ok = [1] * 4 + [-1] * 3 + [1] * 3  # 2 crossings, min 2 for 10 useful
    st = anhoej_statistics(ok, 0)
    assert (st.n_crossings, st.n_crossings_min, st.signal) == (2, 2, False)
    bad = [1] * 5 + [-1] * 5
    st = anhoej_statistics(bad, 0)
    assert (st.n_crossings, st.longest_run, st.signal) == (1, 5, True)


def test_points_on_centre_neither_break_nor_count():
    values = [1, 1, 1, 0, 1, 1, 1, -1, 1, -1, 1]
    st = anhoej_statistics(values, 0)
    assert st.n_useful == 10
    assert st.longest_run == 6
    rc = compute_run_chart(values, centre=0)
    assert rc["useful"].tolist()[3] is False or not rc["useful"].iloc[3]
    assert pd.isna(rc["run_id"].iloc[3])
    assert rc["run_id"].iloc[2] == rc["run_id"].iloc[4] == 0


def test_no_useful_points_gives_missing_statistics():
    st = anhoej_statistics([5, 5, np.nan, 5], 5)
    assert st == type(st)(0, None, None, None, None, False)
    rc = compute_run_chart([5.0] * 12)
    assert not rc["runs_signal"].any()
    assert rc["longest_run"].isna().all()


def test_too_long_run_membership_and_reason():
    values = [10, 0] * 3 + [20] * 9 + [0, 10, 0, 10, 0]
    rc = compute_run_chart(values, centre=5)
    assert rc["runs_signal"].all()
    assert rc["in_long_run"].tolist() == [False] * 6 + [True] * 9 + [False] * 5
    assert rc["reason"].iloc[6] == (
        "Run of 9 points above the median (points 7–15), longer than the 7 expected for "
        "20 useful points"
    )
    assert rc["reason"].iloc[0] == ""


def test_reason_uses_dates_when_given():
    values = [1.0] * 9 + [-1.0, 1.0, -1.0]
    dates = pd.date_range("2024-01-01", periods=12, freq="D")
    rc = compute_run_chart(values, dates=dates, centre=0)
    assert "(1 Jan 2024 – 9 Jan 2024)" in rc["reason"].iloc[0]


def test_phases_and_baseline():
    values = list(range(10)) + list(range(100, 110))
    rc = compute_run_chart(values, phase_starts=(10,))
    assert rc["phase"].tolist() == [0] * 10 + [1] * 10
    assert rc["median"].tolist() == [4.5] * 10 + [104.5] * 10
    rc = compute_run_chart(values, baseline_n=10)
    assert (rc["median"] == 4.5).all()
    assert rc["baseline"].sum() == 10
    rc = compute_run_chart(values, baseline_n=10, phase_starts=(10,))
    assert rc.attrs["warnings"]


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"phase_starts": (0,)}, "phase_starts"),
        ({"phase_starts": (5, 3)}, "phase_starts"),
        ({"baseline_n": 0}, "baseline_n"),
        ({"dates": ["2024-01-01"]}, "dates"),
    ],
)
def test_invalid_arguments_are_named(kwargs, argument):
    with pytest.raises(InvalidSeriesError, match=argument):
        compute_run_chart([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], **kwargs)


# --- IHI ---------------------------------------------------------------------------------


def _ihi(values, centre=0.0):
    return compute_run_chart(values, rules=IHI, centre=centre)


def test_ihi_shift_of_five_does_not_signal_six_does():
    five = _ihi([1] * 5 + [-1, 1, -1, 1, -1])
    assert not five["rule_shift"].any()
    six = _ihi([1] * 6 + [-1, 1, -1, 1, -1])
    assert six["rule_shift"].tolist() == [True] * 6 + [False] * 5
    assert six["reason"].iloc[0].startswith("Shift: 6 points in a row above the median")


def test_ihi_shift_skips_points_on_the_median():
    rc = _ihi([1, 1, 1, 0, 1, 1, 1, -1, 1, -1])
    assert rc["rule_shift"].tolist() == [True, True, True, False, True, True, True] + [False] * 3


def test_ihi_trend_of_four_does_not_signal_five_does():
    assert not _ihi([1, 2, 3, 4, 1, 2, 1, 2], centre=2.5)["rule_trend"].any()
    rc = _ihi([5, 4, 3, 2, 1, 3, 2, 3], centre=2.5)
    assert rc["rule_trend"].tolist() == [True] * 5 + [False] * 3
    assert "Trend: 5 points in a row falling (points 1–5)" in rc["reason"].iloc[0]


def test_ihi_trend_tie_neither_counts_nor_breaks():
    rc = _ihi([1, 2, 3, 3, 4, 5, 2, 3], centre=2.5)  # distinct 1,2,3,4,5: a trend of 5
    assert rc["rule_trend"].tolist() == [True] * 6 + [False] * 2
    rc = _ihi([1, 2, 2, 3, 4, 1, 2, 1], centre=2.5)  # distinct 1,2,3,4: only 4
    assert not rc["rule_trend"].any()


def test_ihi_runs_rule_too_few_and_too_many():
    few = _ihi([1] * 5 + [-1] * 5 + [1] * 5 + [-1] * 5)  # 4 runs < 6 for 20 points
    assert few["rule_runs"].all() and few["reason"].iloc[10].startswith("Too few runs: 4 runs")
    many = _ihi([1, -1] * 10)  # 20 runs > 16
    assert many["rule_runs"].all()
    ok = _ihi([1, 1, -1, -1] * 5)  # 10 runs
    assert not ok["rule_runs"].any()
    short = _ihi([1, -1] * 4)
    assert not short["rule_runs"].any() and short.attrs["warnings"]


def test_ihi_astronomical_point():
    values = [10, 11, 9, 10, 11, 9, 10, 40, 10, 11, 9, 10]
    rc = compute_run_chart(values, rules=IHI)
    assert rc["rule_astronomical"].tolist() == [False] * 7 + [True] + [False] * 4
    assert "Astronomical point" in rc["reason"].iloc[7]


def test_astronomical_two_level_series_marks_none():
    values = [10, 11] * 5 + [20, 21] * 5
    rc = compute_run_chart(values, rules=IHI)
    assert not rc["rule_astronomical"].any()


def test_astronomical_one_wild_value_is_marked_alone():
    values = [10, 12, 11, 10, 11, 12, 10, 11, 30, 12, 11, 10, 12, 11]
    rc = compute_run_chart(values, rules=IHI)
    assert rc.index[rc["rule_astronomical"]].tolist() == [8]


@pytest.mark.parametrize("low", [9, 5, 3])
def test_astronomical_unequal_levels_mark_none(low):
    # 20 - low points at one level, low at another (with small steps): nothing is isolated
    values = np.r_[np.full(20 - low, 20.0), np.full(low, 10.0)] + np.arange(20) * 0.01
    assert not compute_run_chart(values, rules=IHI)["rule_astronomical"].any()


def test_astronomical_two_wild_points_together_are_not_a_single_point():
    values = [10.0, 11, 12, 11, 10, 12, 11, 10, 40, 41, 11, 12]
    assert not compute_run_chart(values, rules=IHI)["rule_astronomical"].any()


def test_astronomical_low_point_and_reason():
    values = [50.0, 51, 49, 50, 52, 51, 50, 49, 51, 50, 5, 50]
    rc = compute_run_chart(values, rules=IHI)
    assert rc.index[rc["rule_astronomical"]].tolist() == [10]
    assert "nearest other point" in rc["reason"].iloc[10]


def test_astronomical_with_most_points_equal_uses_mean_deviation():
    values = [10.0] * 15 + [11.0, 60.0]  # IQR is 0: the mean absolute deviation scales instead
    rc = compute_run_chart(values, rules=IHI)
    assert rc.index[rc["rule_astronomical"]].tolist() == [16]
    assert not compute_run_chart([10.0] * 12, rules=IHI)["rule_astronomical"].any()


@pytest.mark.parametrize("rules", [ANHOEJ, IHI])
def test_point_equal_to_frozen_median_is_on_it_in_data_precision(rules):
    values = [87.1, 87.3, 87.2, 87.2, 87.4, 87.0, 87.2]
    rc = compute_run_chart(values, rules=rules, baseline_n=2)
    assert rc["median"].iloc[0] == pytest.approx(87.2)
    on_line = [2, 3, 6]
    assert not rc["useful"].iloc[on_line].any()
    assert pd.isna(rc["run_id"].iloc[on_line]).all()
    assert rc["useful"].sum() == 4
    assert (87.1 + 87.3) / 2 != 87.2  # the float noise this test is about


def test_real_differences_in_the_last_decimal_still_count():
    rc = compute_run_chart([1.01, 1.03, 1.02, 1.021], baseline_n=2)
    assert rc["useful"].tolist() == [True, True, False, True]


# --- batch -------------------------------------------------------------------------------


@pytest.mark.parametrize("rules", [ANHOEJ, IHI])
def test_batch_matches_single_series(rules):
    rng = np.random.default_rng(7)
    frames = []
    for s in range(30):
        n = int(rng.integers(5, 40))
        v = np.round(rng.normal(50, 5, n), 0)
        if s % 4 == 0:
            v[: n // 2] += 8
        if s % 5 == 0:
            v[rng.integers(0, n)] = np.nan
        frames.append(pd.DataFrame({"series_id": f"s{s:02d}", "idx": np.arange(n), "value": v}))
    frame = pd.concat(frames).sample(frac=1, random_state=1)  # order must not matter
    points, per = compute_run_chart_batch(frame, rules=rules)
    for sid, single_in in pd.concat(frames).groupby("series_id"):
        single = compute_run_chart(single_in["value"].to_numpy(), rules=rules)
        got = points[points.series_id == sid]
        cols = ["median", "useful", "signal"] + (
            ["longest_run", "n_crossings", "n_crossings_min", "runs_signal", "in_long_run"]
            if rules is ANHOEJ
            else ["rule_shift", "rule_trend", "rule_runs", "rule_astronomical"]
        )
        for c in cols:
            a = single[c].astype("float").to_numpy()
            b = got[c].astype("float").to_numpy()
            np.testing.assert_array_equal(a, b, err_msg=f"{sid} {c}")
    assert len(per) == 30


def test_batch_missing_column_is_named():
    with pytest.raises(InvalidSeriesError, match="value"):
        compute_run_chart_batch(pd.DataFrame({"series_id": [1], "idx": [1]}))


@pytest.mark.parametrize(("top", "marked"), [(16.0, False), (17.0, False), (18.5, True)])
def test_astronomical_cut_off_is_3_5_robust_sd(top, marked):
    # IQR 9..11 -> robust SD 2 / 1.349 = 1.48; the gap from 12 to `top` in SDs:
    # 16 -> 2.7, 17 -> 3.4 (not astronomical), 18.5 -> 4.4 (astronomical)
    values = [8.0, 9, 10, 11, 12, 9, 10, 11, 10, 9, 11, 10, top]
    rc = compute_run_chart(values, rules=IHI)
    assert bool(rc["rule_astronomical"].iloc[-1]) is marked
    assert rc["rule_astronomical"].sum() == int(marked)


# --- reason texts read as people write them ------------------------------------------------

_ONE_PLURAL = re.compile(r"(?<![\d.])1 (points|crossings|runs|useful points)\b")


def test_one_crossing_and_one_run_are_singular():
    rc = compute_run_chart([-1.0] * 10 + [1.0] * 10, centre=0)
    assert (
        "Only 1 crossing of the median, fewer than the 6 expected for 20 useful points"
        in (rc["reason"].iloc[0])
    )
    one_run = _ihi([1.0] * 20)
    assert "; Too few runs: 1 run, fewer than 6 expected" in one_run["reason"].iloc[0]
    for text in [*rc["reason"], *one_run["reason"]]:
        assert not _ONE_PLURAL.search(text), text


def test_counted_says_one_thing_and_many_things():
    assert counted([0, 1, 2, 12], "crossing").tolist() == [
        "0 crossings", "1 crossing", "2 crossings", "12 crossings"]  # fmt: skip
    assert counted(np.array([1, 3]), "useful point").tolist() == [
        "1 useful point", "3 useful points"]  # fmt: skip
