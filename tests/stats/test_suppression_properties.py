"""Property: after suppression no hidden cell can be worked out from the published totals.

A table is published with its row and column totals (the unsuppressed sums), except a
total that is itself a small number (1 to threshold − 1), which is suppressed like any
other count. An attacker who knows every shown cell and every shown total knows, for each
such row and column, the sum of its hidden cells: a system of linear equations in the
hidden cells. A hidden cell is
*recoverable* when that system fixes its value, i.e. when its unit vector lies in the
row space of the system's matrix. Secondary suppression must leave no such cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qinet.stats.suppression import suppress_counts

pytestmark = pytest.mark.unit


def recoverable_cells(mask: np.ndarray, shown_totals: np.ndarray | None = None
                      ) -> list[tuple[int, int]]:  # fmt: skip
    """Hidden cells whose value the shown row and column totals determine exactly.

    ``shown_totals`` says per row then per column whether its total is published (all by
    default).
    """
    hidden = [tuple(ij) for ij in np.argwhere(mask)]
    if not hidden:
        return []
    rows, cols = mask.shape
    # one equation per row and per column: the sum of its hidden cells is known
    system = np.zeros((rows + cols, len(hidden)))
    for k, (i, j) in enumerate(hidden):
        system[i, k] = 1.0
        system[rows + j, k] = 1.0
    if shown_totals is not None:
        system = system[shown_totals]
    rank = np.linalg.matrix_rank(system)
    found = []
    for k, cell in enumerate(hidden):
        unit = np.zeros((1, len(hidden)))
        unit[0, k] = 1.0
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.append(cell)
    return found


def test_the_checker_itself_finds_a_lone_hidden_cell_and_a_bridge():
    """The recoverability check can fail: a lone hidden cell, and a cell joining two blocks."""
    lone = np.zeros((2, 3), dtype=bool)
    lone[0, 1] = True
    assert recoverable_cells(lone) == [(0, 1)]
    block = np.zeros((2, 2), dtype=bool)
    block[:, :] = True
    assert recoverable_cells(block) == []
    # two hidden 2×2 blocks joined by one more hidden cell: that cell is fixed by the totals
    bridge = np.zeros((4, 4), dtype=bool)
    bridge[:2, :2] = True
    bridge[2:, 2:] = True
    bridge[0, 2] = True
    assert recoverable_cells(bridge) == [(0, 2)]


counts_tables = st.integers(2, 5).flatmap(
    lambda rows: st.integers(2, 5).flatmap(
        lambda cols: st.lists(
            st.lists(st.one_of(st.integers(0, 12), st.integers(0, 60)), min_size=cols,
                     max_size=cols),  # fmt: skip
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=400, deadline=None)
@given(counts_tables, st.sampled_from([3, 5, 11]))
def test_no_suppressed_cell_is_recoverable_from_the_totals(table, threshold):
    """Even with every row and column total published, no hidden cell can be solved for.

    Zeros and sparse lines included: a hidden cell alone among zeros in its column is
    the case a line-by-line rule misses.
    """
    counts = pd.DataFrame(table)
    result = suppress_counts(counts, threshold)
    mask = result.mask.to_numpy()
    values = counts.to_numpy()
    # every small non-zero cell is hidden (NaN): shown as "<threshold" if it is small,
    # as "suppressed" if it was hidden only to protect one (it may be any size)
    small = (values > 0) & (values < threshold)
    assert not (small & ~mask).any()
    assert np.isnan(result.counts.to_numpy()[mask]).all()
    assert (result.display.to_numpy()[small] == f"<{threshold}").all()
    assert (result.display.to_numpy()[mask & ~small] == "suppressed").all()
    # no hidden cell where nothing is small: suppression only spreads from a small count
    if not mask[(values > 0) & (values < threshold)].any():
        assert not mask.any()
    # a published row or column total must not give any hidden cell away
    assert recoverable_cells(mask) == [], (
        f"hidden cells {recoverable_cells(mask)} can be worked out from the totals of\n"
        f"{counts}\nmask:\n{result.mask}"
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=8), st.sampled_from([5, 11]))
def test_one_row_with_a_published_total_never_has_a_single_hidden_cell(row, threshold):
    """A Series is one row whose total is published (long tables: suppress_rows)."""
    result = suppress_counts(pd.Series(row), threshold)
    if 0 < sum(row) < threshold:
        return  # the total is itself small: it is not published
    assert int(result.mask.to_numpy().sum()) != 1


def test_secondary_cell_alone_in_a_sparse_column_is_not_recoverable():
    """Row 0 hides 5 (primary) and 20 (secondary); column 1 is [20, 0], total 20 shown.

    Only hiding a zero can protect it: the cheapest cycle through the 5 is hidden.
    """
    counts = pd.DataFrame([[5, 20, 0], [0, 0, 40]])
    mask = suppress_counts(counts, 11).mask.to_numpy()
    assert recoverable_cells(mask) == []
    assert mask[0, 0]


def test_bridge_found_by_hypothesis_is_protected():
    """Two hidden groups joined by one hidden cell: cell (2, 3) was solvable from the totals."""
    counts = pd.DataFrame([[0, 1, 0, 1], [0, 1, 3, 1], [1, 0, 1, 1], [2, 0, 1, 0]])
    mask = suppress_counts(counts, 3).mask.to_numpy()
    assert recoverable_cells(mask) == []


def test_the_cheapest_cells_protect_a_lone_small_cell():
    """A 5 among large counts costs one 2×2 cycle through the smallest neighbours."""
    counts = pd.DataFrame([[5, 30, 90], [40, 12, 80], [70, 60, 50]])
    mask = suppress_counts(counts, 11).mask.to_numpy()
    assert mask.sum() == 4
    assert mask[0, 0] and mask[0, 1] and mask[1, 0] and mask[1, 1]


def test_cells_already_hidden_are_reused_before_hiding_more():
    """Row 1's 5 and 2 are hidden, each alone in its column: one cycle through both and the
    two 30s above them protects both (67 hidden, the optimum found by trying every mask);
    a search that paid again for the 2 would also hide the 12 and the 20 (99)."""
    counts = pd.DataFrame([[30, 30, 20], [5, 2, 12], [12, 0, 0]])
    mask = suppress_counts(counts, 11).mask.to_numpy()
    assert mask.astype(int).tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    assert recoverable_cells(mask) == []


def test_a_whole_network_sized_table_is_protected():
    """300 groups × 6 stages, half zeros: no hidden cell solvable (its speed: bench stats e)."""
    rng = np.random.default_rng(7)
    counts = pd.DataFrame(rng.choice([0, 1, 3, 8, 15, 40, 120], size=(300, 6),
                                     p=[0.5, 0.05, 0.05, 0.05, 0.1, 0.15, 0.1]))  # fmt: skip
    mask = suppress_counts(counts, 11).mask.to_numpy()
    assert recoverable_cells(mask) == []
