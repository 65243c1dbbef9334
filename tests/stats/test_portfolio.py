"""The summary matrix equals the single-measure engine (analyse_measure), measure by measure."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from qinet.domain import AssuranceState, VariationState
from qinet.stats.measure import analyse_measure
from qinet.stats.portfolio import (
    MATRIX_COLUMNS,
    hard_to_reach_rate,
    projects_improving,
    summary_matrix,
)
from qinet.stats.rules import ANHOEJ, IHI, LIFE_QI, MDC_2024, PTD

pytestmark = pytest.mark.unit


def _months(n: int, start: date = date(2022, 1, 1)) -> list[date]:
    return [d.date() for d in pd.date_range(start, periods=n, freq="MS")]


def _weeks(n: int) -> list[date]:
    return [d.date() for d in pd.date_range("2024-01-01", periods=n, freq="W-MON")]


def _portfolio() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    measures, obs, breaks = [], [], []

    def add(mid, chart, direction, n, *, target=None, baseline=None, weekly=False, values=None,
            num=None, den=None, drop=()):
        measures.append(dict(measure_id=mid, chart_type=chart, improvement_direction=direction,
                             target=target, baseline_points=baseline))
        dates = _weeks(n) if weekly else _months(n)
        for i, d in enumerate(dates):
            if i in drop:
                continue
            obs.append(dict(measure_id=mid, period_start=d,
                            value=None if values is None else float(values[i]),
                            numerator=None if num is None else float(num[i]),
                            denominator=None if den is None else float(den[i])))
        return dates

    # XmR with a sustained shift up (improvement) and a target above the limits
    add(1, "xmr", "increase", 30, target=90.0,
        values=np.r_[rng.normal(50, 3, 18), rng.normal(58, 3, 12)])
    # XmR weekly, decrease is better, deterioration at the end, one missing week
    add(2, "xmr", "decrease", 40, weekly=True, target=20.0,
        values=np.r_[rng.normal(30, 2, 32), rng.normal(37, 2, 8)], drop=(10,))
    # XmR with a confirmed phase break and a frozen baseline on another series
    d3 = add(3, "xmr", "increase", 36, values=np.r_[rng.normal(10, 1, 18), rng.normal(14, 1, 18)])
    breaks.append(dict(measure_id=3, on_date=d3[18]))
    breaks.append(dict(measure_id=3, on_date=d3[30]))  # leaves 6 points: skipped under MDC
    add(4, "xmr", "neutral", 30, baseline=12, values=np.r_[rng.normal(5, 1, 20), [9.0] * 10])
    # a short XmR series falls back to a run chart
    add(5, "xmr", "increase", 9, values=rng.normal(3, 1, 9))
    # p, u, c charts
    den = rng.integers(80, 120, 30).astype(float)
    add(6, "p", "increase", 30, target=0.9,
        num=np.minimum(den, np.round(den * np.r_[[0.6] * 15, [0.75] * 15])), den=den)
    exp = rng.integers(900, 1100, 24).astype(float)
    add(7, "u", "decrease", 24, num=rng.poisson(exp * 0.01), den=exp)
    add(8, "c", "decrease", 26, target=2.0, values=np.r_[rng.poisson(8, 20), [1, 0, 1, 0, 1, 0]])
    # run charts: one with a long run, one short, one with a phase break
    add(9, "run", "increase", 24, values=np.r_[rng.normal(10, 1, 12), rng.normal(13, 1, 12)])
    add(10, "run", "decrease", 6, values=rng.normal(5, 1, 6))
    d11 = add(11, "run", "increase", 20, values=rng.normal(1, 0.2, 20))
    breaks.append(dict(measure_id=11, on_date=d11[10]))
    # no observations at all
    measures.append(dict(measure_id=12, chart_type="p", improvement_direction="increase",
                         target=None, baseline_points=None))
    return pd.DataFrame(measures), pd.DataFrame(obs), pd.DataFrame(breaks)


def _single(m: pd.Series, obs: pd.DataFrame, breaks: pd.DataFrame, spc, run):
    rows = obs[obs["measure_id"] == m["measure_id"]]
    return analyse_measure(
        rows,
        chart=m["chart_type"],
        direction=m["improvement_direction"],
        target=m["target"],
        preset=run if m["chart_type"] == "run" else spc,
        phase_starts=breaks.loc[breaks["measure_id"] == m["measure_id"], "on_date"].tolist(),
        baseline_points=m["baseline_points"],
    )


@pytest.mark.parametrize(("spc", "run"), [(MDC_2024, ANHOEJ), (PTD, IHI), (LIFE_QI, ANHOEJ)],
                         ids=["mdc-anhoej", "ptd-ihi", "lifeqi-anhoej"])
def test_matrix_equals_single_measure_engine(spc, run):
    measures, obs, breaks = _portfolio()
    matrix = summary_matrix(measures, obs.sample(frac=1, random_state=1), breaks,
                            spc_rules=spc, run_rules=run)
    assert list(matrix.columns) == list(MATRIX_COLUMNS)
    assert matrix["measure_id"].tolist() == measures["measure_id"].tolist()
    for (_, m), (_, row) in zip(measures.iterrows(), matrix.iterrows(), strict=True):
        if m["measure_id"] == 12:
            continue  # no observations: analyse_measure refuses a p chart without denominators
        a = _single(m, obs, breaks, spc, run)
        s = a.summary
        where = f"measure {m['measure_id']} ({m['chart_type']})"
        assert row["drawn_as"] == a.drawn_as.value, where
        assert row["variation"] == s.variation.value, where
        assert row["assurance"] == s.assurance.value, where
        assert row["latest_signal_reason"] == s.latest_signal_reason, where
        assert (pd.isna(row["latest_signal_date"]) and s.latest_signal_date is None) or (
            row["latest_signal_date"] == s.latest_signal_date), where
        assert row["special_points"] == s.special_points, where
        assert row["n_points"] == s.n_points, where
        for col, value in (("last_value", s.last_value), ("centre", s.centre),
                           ("lower", s.lower), ("upper", s.upper)):
            assert row[col] == pytest.approx(value, nan_ok=True), (where, col)


def test_matrix_covers_the_states_the_portfolio_was_built_for():
    measures, obs, breaks = _portfolio()
    matrix = summary_matrix(measures, obs, breaks).set_index("measure_id")
    assert matrix.loc[1, "variation"] == VariationState.IMPROVEMENT_HIGH.value
    assert matrix.loc[1, "assurance"] == AssuranceState.FAIL.value
    assert matrix.loc[2, "variation"] == VariationState.CONCERN_HIGH.value
    assert matrix.loc[5, "drawn_as"] == "run"
    assert matrix.loc[5, "variation"] == VariationState.NOT_ENOUGH_DATA.value
    assert matrix.loc[12, "n"] == 0
    assert matrix.loc[12, "variation"] == VariationState.NOT_ENOUGH_DATA.value
    assert matrix.loc[9, "latest_signal_reason"] != ""


def test_empty_inputs_give_an_empty_matrix():
    empty = summary_matrix(pd.DataFrame(columns=["measure_id"]), pd.DataFrame())
    assert empty.empty and list(empty.columns) == list(MATRIX_COLUMNS)


def test_projects_improving_counts_distinct_projects():
    matrix = pd.DataFrame({"measure_id": [1, 2, 3],
                           "variation": ["improvement_high", "improvement_low", "concern_low"]})
    measures = pd.DataFrame({"measure_id": [1, 2, 3], "project_id": [10, 10, 11]})
    assert projects_improving(matrix, measures) == 1


def _raw(engaged, headcount, hard=None):
    n = len(engaged)
    return pd.DataFrame({
        "staff_group": [f"G{i}" for i in range(n)],
        "hard_to_reach": hard or [False] * n,
        "engaged": engaged,
        "headcount": headcount,
    })


def test_hard_to_reach_rate_hides_small_numbers():
    raw = _raw([5, 100], [300, 500], hard=[True, False])
    rate, engaged = hard_to_reach_rate(raw, 11)
    assert np.isnan(rate) and engaged is None
    rate, engaged = hard_to_reach_rate(_raw([30, 100], [300, 500], hard=[True, False]), 11)
    assert rate == pytest.approx(0.1) and engaged == 30
