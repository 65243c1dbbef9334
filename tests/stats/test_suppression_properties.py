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


counts_tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda cols: st.lists(
            st.lists(st.one_of(st.integers(0, 12), st.integers(0, 60)), min_size=cols,
                     max_size=cols),  # fmt: skip
            min_size=rows,
            max_size=rows,
        )
    )
)


def _lines_with_two_non_zero(table: list[list[int]]) -> bool:
    values = np.array(table)
    return bool(((values > 0).sum(axis=0) >= 2).all() and ((values > 0).sum(axis=1) >= 2).all())


GAP = ("known gap: suppress_counts leaves bridge patterns solvable from the totals (found by "
       "this property); a rank-based fix was too slow on whole-network funnel tables")


@pytest.mark.xfail(strict=True, reason=GAP)
@settings(max_examples=300, deadline=None)
@given(counts_tables.filter(_lines_with_two_non_zero), st.sampled_from([3, 5, 11]))
def test_no_suppressed_cell_is_recoverable_from_the_totals(table, threshold):
    """Every row and column has a second non-zero cell to hide (see the xfail below)."""
    counts = pd.DataFrame(table)
    result = suppress_counts(counts, threshold)
    mask = result.mask.to_numpy()
    values = counts.to_numpy()
    # every small non-zero cell is hidden, and hidden cells are shown as NaN / "<threshold"
    assert not (((values > 0) & (values < threshold)) & ~mask).any()
    assert np.isnan(result.counts.to_numpy()[mask]).all()
    assert (result.display.to_numpy()[mask] == f"<{threshold}").all()
    # a published row or column total must not give any hidden cell away
    totals = np.concatenate([values.sum(axis=1), values.sum(axis=0)])
    shown = (totals == 0) | (totals >= threshold)
    assert recoverable_cells(mask, shown) == [], (
        f"hidden cells {recoverable_cells(mask, shown)} can be worked out from the totals of\n"
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


@pytest.mark.xfail(strict=True, reason="known gap: a secondary cell alone in its column (the "
                   "column's other cells zero) is given away by the column total; "
                   "suppress_counts does not hide a zero or a total")  # fmt: skip
def test_secondary_cell_alone_in_a_sparse_column_is_not_recoverable():
    """Row 0 hides 5 (primary) and 20 (secondary); column 1 is [20, 0], total 20 shown."""
    counts = pd.DataFrame([[5, 20, 0], [0, 0, 40]])
    mask = suppress_counts(counts, 11).mask.to_numpy()
    values = counts.to_numpy()
    totals = np.concatenate([values.sum(axis=1), values.sum(axis=0)])
    assert recoverable_cells(mask, (totals == 0) | (totals >= 11)) == []


@pytest.mark.xfail(strict=True, reason=GAP)
def test_bridge_found_by_hypothesis_is_protected():
    """The table hypothesis found before ``_protect``: cell (2, 3) was solvable from totals."""
    counts = pd.DataFrame([[0, 1, 0, 1], [0, 1, 3, 1], [1, 0, 1, 1], [2, 0, 1, 0]])
    mask = suppress_counts(counts, 3).mask.to_numpy()
    assert recoverable_cells(mask) == []
