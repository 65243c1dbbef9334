import numpy as np
import pandas as pd
import pytest

from qinet.stats.suppression import primary_mask, suppress_counts, suppress_rows

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("n", "hidden"), [(0, False), (1, True), (10, True), (11, False),
                                           (12, False)])
def test_primary_threshold_boundaries(n, hidden):
    assert bool(primary_mask(pd.DataFrame({"a": [n]}), 11).iloc[0, 0]) is hidden


def test_display_uses_threshold_label_and_counts_are_nan():
    r = suppress_counts(pd.DataFrame({"a": [10, 40], "b": [30, 50]}, index=["x", "y"]))
    assert r.display.loc["x", "a"] == "<11"
    assert np.isnan(r.counts.loc["x", "a"])


def test_secondary_suppression_stops_recovery_from_row_total():
    # Row x: 10 is hidden; with a published total 10 could be recovered from 40 and 30,
    # so a second cell of row x is hidden, and (for the column totals) a pair in row y:
    # the cheapest cycle through the 10, here 40 + 25 + 20 = 30 + 35 + 20 (a tie, either).
    counts = pd.DataFrame({"a": [10, 20], "b": [40, 25], "c": [30, 35]}, index=["x", "y"])
    r = suppress_counts(counts)
    assert r.mask.to_numpy().sum() == 4
    assert r.mask.loc["x", "a"] and r.mask.loc["y", "a"]
    # and no row or column is left with exactly one hidden cell
    assert (r.mask.sum(axis=0) != 1).all()
    assert (r.mask.sum(axis=1) != 1).all()


def test_a_zero_is_hidden_only_when_no_count_can_protect_the_small_cell():
    # column a is [5, 0]: its total gives the 5 away unless the 0 below it is hidden too
    counts = pd.DataFrame({"a": [5, 0], "b": [0, 50], "c": [20, 60]})
    r = suppress_counts(counts)
    assert r.mask.to_numpy().tolist() == [[True, False, True], [True, False, True]]
    # with a non-zero cell available no zero is hidden
    counts = pd.DataFrame({"a": [5, 30], "b": [0, 50], "c": [20, 60]})
    r = suppress_counts(counts)
    assert r.mask.to_numpy().tolist() == [[True, False, True], [True, False, True]]
    assert not r.mask.loc[:, "b"].any()


def test_threshold_configurable():
    r = suppress_counts(pd.DataFrame({"a": [6, 30], "b": [30, 30]}), threshold=7)
    assert r.display.iloc[0, 0] == "<7"
    r = suppress_counts(pd.DataFrame({"a": [7, 30], "b": [30, 30]}), threshold=7)
    assert not r.mask.to_numpy().any()


def test_invalid_threshold_and_negative_counts_rejected():
    with pytest.raises(ValueError, match="threshold"):
        suppress_counts(pd.DataFrame({"a": [1]}), threshold=0)
    with pytest.raises(ValueError, match="negative"):
        suppress_counts(pd.DataFrame({"a": [-1]}))


def test_suppress_rows_blanks_statistics_and_adds_secondary():
    df = pd.DataFrame({"group": ["a", "b", "c"], "n": [10, 50, 30], "mean": [3.1, 3.5, 4.0]})
    out = suppress_rows(df, "n", ["mean"])
    assert out["suppressed"].tolist() == [True, False, True]
    assert out["mean"].isna().tolist() == [True, False, True]


def test_suppress_rows_all_large_shows_everything():
    df = pd.DataFrame({"group": ["a", "b"], "n": [11, 12], "mean": [1.0, 2.0]})
    out = suppress_rows(df, "n", ["mean"])
    assert not out["suppressed"].any()
    assert out["n"].tolist() == [11, 12]
