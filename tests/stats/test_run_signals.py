"""Issue 13: run-chart signals as a lead reads them in the matrix, pack, CSV and signals table."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from qinet.charts.icons import variation_label
from qinet.domain import PointType, VariationState
from qinet.stats.measure import analyse_measure, signal_list
from qinet.stats.portfolio import summary_matrix
from qinet.stats.rules import ANHOEJ, IHI, MDC_2024

pytestmark = pytest.mark.unit

# 40 points: long blocks either side of the median, ending well above it but not in a long run
# (too few crossings: 5 < 14 for 40 useful points; the longest run, 8, is not > 8)
_SIDES = [1] * 8 + [-1] * 8 + [1] * 8 + [-1] * 8 + [1] * 4 + [-1] * 3 + [1]
FEW_CROSSINGS = list(np.where(np.array(_SIDES) > 0, 20.0, 10.0) + np.arange(40) * 0.01)
# 40 points ending in a long run above the median (10 > 8)
LONG_RUN_END = list(np.r_[[12.0, 8.0] * 15, [14.0] * 10] + np.arange(40) * 0.01)


def _obs(values) -> pd.DataFrame:
    dates = pd.date_range("2022-01-01", periods=len(values), freq="MS")
    return pd.DataFrame({"period_start": dates.date, "value": values})


def _matrix(values, direction: str, run_rules=ANHOEJ) -> pd.Series:
    measures = pd.DataFrame([dict(measure_id=1, chart_type="run", improvement_direction=direction,
                                  target=None, baseline_points=None)])
    obs = _obs(values).assign(measure_id=1, numerator=np.nan, denominator=np.nan)
    return summary_matrix(measures, obs, spc_rules=MDC_2024, run_rules=run_rules).iloc[0]


def test_run_chart_with_40_points_is_not_reported_as_lacking_limits():
    rng = np.random.default_rng(1)
    row = _matrix(np.round(rng.normal(7, 1, 40), 1), "increase")
    assert row["drawn_as"] == "run" and row["n_points"] == 40
    assert row["variation"] != VariationState.NOT_ENOUGH_DATA.value
    assert row["variation"] == VariationState.COMMON_CAUSE.value


@pytest.mark.parametrize("direction", ["increase", "decrease", "neutral"])
def test_too_few_crossings_is_non_random_whatever_the_direction(direction):
    row = _matrix(FEW_CROSSINGS, direction)
    assert row["latest_signal_reason"].startswith("Only 7 crossings")
    assert row["variation"] == VariationState.NON_RANDOM.value
    a = analyse_measure(_obs(FEW_CROSSINGS), chart="run", preset=ANHOEJ, direction=direction)
    assert a.summary.variation is VariationState.NON_RANDOM
    label = variation_label(row["variation"])
    assert "Non-random" in label and "improvement" not in label and "concern" not in label


@pytest.mark.parametrize(
    ("direction", "state"),
    [("increase", VariationState.IMPROVEMENT_HIGH), ("decrease", VariationState.CONCERN_HIGH),
     ("neutral", VariationState.NEUTRAL_HIGH)],
)
def test_long_run_takes_its_side_from_the_improvement_direction(direction, state):
    assert _matrix(LONG_RUN_END, direction)["variation"] == state.value
    a = analyse_measure(_obs(LONG_RUN_END), chart="run", preset=ANHOEJ, direction=direction)
    assert a.summary.variation is state


def test_ihi_too_few_runs_is_non_random():
    sides = np.array([1] * 6 + [-1] * 5 + [1] * 5 + [-1] * 4)  # 4 runs < 6 for 20 points
    values = np.where(sides > 0, 20.0, 10.0) + np.arange(20) * 0.01
    assert _matrix(values, "increase", IHI)["variation"] == VariationState.NON_RANDOM.value


def test_signals_table_types_non_directional_signal_as_non_random():
    a = analyse_measure(_obs(FEW_CROSSINGS), chart="run", preset=ANHOEJ, direction="increase")
    table = signal_list(a)
    crossing = table[table["signal"].str.startswith("Only")].iloc[0]
    assert crossing["non_random"] and crossing["point_type"] == ""
    # its first point is below the median in a run: still not "concern"
    assert PointType.CONCERN.value not in set(table.loc[table["non_random"], "point_type"])
    long_run = _obs(LONG_RUN_END)
    lr = signal_list(analyse_measure(long_run, chart="run", preset=ANHOEJ, direction="decrease"))
    assert lr.iloc[-1]["point_type"] == PointType.CONCERN.value and not lr.iloc[-1]["non_random"]


def _text_span(text: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    m = re.search(r"\((\w{3} \d{4}) to (\w{3} \d{4})\)", text) or re.search(
        r"\((\d+ \w{3} \d{4}) – (\d+ \w{3} \d{4})\)", text
    )
    return None if m is None else (pd.Timestamp(m.group(1)), pd.Timestamp(m.group(2)))


@pytest.mark.parametrize(("chart", "preset"), [("xmr", MDC_2024), ("run", IHI), ("run", ANHOEJ)])
def test_signals_table_from_to_agree_with_the_text(chart, preset):
    rng = np.random.default_rng(3)
    checked = 0
    for trial in range(60):
        n = int(rng.integers(15, 45))
        v = np.round(rng.normal(50, 5, n), 0)
        if trial % 3 == 0:
            v[n // 2 :] += 8
        if trial % 4 == 0:
            v = np.round(np.cumsum(rng.normal(0, 1, n)), 1)
        table = signal_list(analyse_measure(_obs(v), chart=chart, preset=preset))
        for _, row in table.iterrows():
            span = _text_span(row["signal"])
            if span is None:
                continue
            checked += 1
            assert (row["from"], row["to"]) == (span[0].date(), span[1].date()), row["signal"]
    assert checked > 20


def test_two_of_three_window_is_the_rows_range():
    values = [10.0, 10.5] * 8 + [12.0, 10.6, 12.0, 10.4]
    table = signal_list(analyse_measure(_obs(values), chart="xmr", preset=MDC_2024))
    row = table[table["signal"].str.contains("of 3")].iloc[0]
    assert row["signal"].endswith("(May 2023 to Jul 2023)")
    assert (str(row["from"]), str(row["to"])) == ("2023-05-01", "2023-07-01")


def test_ihi_trend_turning_point_belongs_to_both_trends():
    values = [1.0, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1, 1.5, 0.8, 1.6, 0.7]
    a = analyse_measure(_obs(values), chart="run", preset=IHI)
    table = signal_list(a).set_index("signal")
    rising = next(s for s in table.index if s.startswith("Trend: 6 points in a row rising"))
    falling = next(s for s in table.index if s.startswith("Trend: 6 points in a row falling"))
    assert table.loc[rising, "points"] == 6 and table.loc[falling, "points"] == 6
    assert str(table.loc[rising, "to"]) == str(table.loc[falling, "from"]) == "2022-06-01"


def test_matrix_order_ranks_non_random_with_the_signals():
    """Every state has a place and words in the matrix; non-random sorts before common cause."""
    from qinet.views.overview import VARIATION_ORDER, VARIATION_SHORT

    assert set(VARIATION_ORDER) == {s.value for s in VariationState}
    assert set(VARIATION_SHORT) == {s.value for s in VariationState}  # words beside every icon
    assert VARIATION_SHORT[VariationState.NON_RANDOM.value] == "Non-random"
    assert (VARIATION_ORDER[VariationState.NON_RANDOM.value]
            < VARIATION_ORDER[VariationState.COMMON_CAUSE.value])  # fmt: skip


def test_how_to_read_states_the_robust_astronomical_rule():
    from qinet.domain import ChartType
    from qinet.stats.runchart import ASTRONOMICAL_Z
    from qinet.views.measure_help import how_to_read

    text = how_to_read(IHI, ChartType.RUN)
    assert f"more than {ASTRONOMICAL_Z:g} robust standard deviations from every other point" in text
    assert "sigma from the median" not in text
