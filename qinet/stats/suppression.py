"""Small-number suppression applied before anything is shown or exported.

Breakdowns with fewer than the threshold (default 11, the NHS Staff Survey
reporting convention) are hidden. Secondary suppression then hides the fewest
(smallest) further cells so that no hidden value can be worked out from the
published row and column totals — not by subtracting the shown cells of one
line, nor by solving several lines together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 11
SECONDARY_LABEL = "suppressed"  # not "<11": a cell hidden to protect another may be large


@dataclass(frozen=True)
class SuppressedCounts:
    """Counts after suppression.

    Attributes:
        counts: The counts with suppressed cells as ``NaN`` (safe to compute with).
        display: The same table as text: a small cell as ``"<11"``, a cell hidden only to
            protect one (it may hold any count) as ``"suppressed"``.
        mask: True where a cell is suppressed (primary or secondary).
        primary: True where a cell is below the threshold itself.
    """

    counts: pd.DataFrame
    display: pd.DataFrame
    mask: pd.DataFrame
    primary: pd.DataFrame


def primary_mask(counts: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Cells with 1 ≤ count < threshold (zero is not disclosive of a person and is shown).

    Args:
        counts: Non-negative counts.
        threshold: Smallest count that may be shown.

    Returns:
        A boolean frame, True where the cell must be hidden.
    """
    values = counts.astype(float)
    return (values > 0) & (values < threshold)


def _secondary(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Hide more cells until no hidden cell can be worked out from the line totals.

    One row (or one column) publishes only its total, so it needs no hidden cell
    alone. A table of two or more rows and columns is treated as if every row and
    column total were published (whether or not a page shows them, so the rule does
    not depend on the caller).
    """
    if 1 in values.shape:
        return _protect_line(values.ravel(), mask.ravel()).reshape(mask.shape)
    return _protect_table(values, mask)


def _protect_line(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A single hidden cell in a line with a published total: hide its smallest non-zero peer."""
    mask = mask.copy()
    if mask.sum() == 1:
        candidates = np.where(~mask & (values > 0), values, np.inf)
        if np.isfinite(candidates).any():
            mask[int(np.argmin(candidates))] = True
    return mask


# Hiding a zero costs more than hiding any count: a zero in a reach table is a finding.
_ZERO_CELL_COST = 1e9


def _protect_table(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Close every *bridge* among the hidden cells with the cheapest cycle.

    With all row and column totals known, hidden cells are edges of a bipartite
    graph (rows and columns are its vertices), and a hidden cell's value is fixed by
    the totals exactly when its edge lies on no cycle — it is a bridge (the totals'
    equations have the graph's incidence matrix; its null space is the cycle space).
    Each bridge is closed by hiding the path of least total count that joins its two
    ends, so a single hidden cell in a line, a hidden cell alone in a sparse column
    and a cell joining two hidden blocks are all caught. Terminates: each repair
    hides at least one more cell and hiding never makes a new bridge.
    """
    mask = mask.copy()
    cost = np.where(values > 0, values, _ZERO_CELL_COST).astype(float)
    while bridges := _bridges(mask):
        hidden_before = int(mask.sum())
        for bridge in bridges:
            # a bridge already closed by an earlier repair has a path of hidden cells (cost 0)
            for i, j in _cheapest_path(np.where(mask, 0.0, cost), *bridge):
                mask[i, j] = True
        if int(mask.sum()) == hidden_before:  # cannot happen; never loop, never show
            raise RuntimeError("secondary suppression made no progress")
    return mask


def _bridges(mask: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells (row, column) on no cycle of hidden cells (Tarjan's bridges, iterative)."""
    rows, cols = mask.shape
    adjacency: list[list[int]] = [[] for _ in range(rows + cols)]
    for i, j in np.argwhere(mask):
        adjacency[i].append(rows + int(j))
        adjacency[rows + int(j)].append(int(i))
    order = [-1] * (rows + cols)
    low = [0] * (rows + cols)
    counter = 0
    found = []
    for root in range(rows + cols):
        if order[root] >= 0 or not adjacency[root]:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            vertex, parent, neighbours = stack[-1]
            advanced = False
            for nxt in neighbours:
                if nxt == parent:
                    continue  # the table is a simple graph: one edge per (row, column)
                if order[nxt] < 0:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, vertex, iter(adjacency[nxt])))
                    advanced = True
                    break
                low[vertex] = min(low[vertex], order[nxt])
            if advanced:
                continue
            stack.pop()
            if parent >= 0:
                low[parent] = min(low[parent], low[vertex])
                if low[vertex] > order[parent]:
                    a, b = sorted((parent, vertex))
                    found.append((a, b - rows))
    return found


def _cheapest_path(weights: np.ndarray, row: int, col: int) -> list[tuple[int, int]]:
    """Cells of the least-cost path from ``row`` to ``col`` that avoids cell (row, col).

    A path alternates row and column, so it is searched over the shorter side only:
    two columns are joined through the row where hiding both cells costs least, and
    Dijkstra runs over those columns (dense; hidden cells cost nothing). In a table of
    at least two rows and two columns such a path always exists.
    """
    if weights.shape[1] > weights.shape[0]:
        return [(i, j) for j, i in _cheapest_path(weights.T, col, row)]
    weights = weights.copy()
    weights[row, col] = np.inf
    n = weights.shape[1]
    via = np.empty((n, n), dtype=int)  # via[a, b]: the row joining column a to column b
    joined = np.empty((n, n))
    for a in range(n):
        both = weights[:, [a]] + weights
        via[a] = both.argmin(axis=0)
        joined[a] = both[via[a], np.arange(n)]
    np.fill_diagonal(joined, np.inf)
    dist = weights[row].copy()  # first step: a cell of the bridge's own row
    prev = np.full(n, -1)
    done = np.zeros(n, dtype=bool)
    while not done[col]:
        u = int(np.argmin(np.where(done, np.inf, dist)))
        if not np.isfinite(dist[u]):
            raise ValueError("a table needs two rows and two columns to protect a cell")
        done[u] = True
        better = ~done & (dist[u] + joined[u] < dist)
        dist[better] = dist[u] + joined[u][better]
        prev[better] = u
    path, column = [], col
    while prev[column] >= 0:
        before = int(prev[column])
        joint = int(via[before, column])
        path += [(joint, before), (joint, column)]
        column = before
    return [*path, (row, column)]


def suppress_counts(
    counts: pd.DataFrame | pd.Series, threshold: int = DEFAULT_THRESHOLD
) -> SuppressedCounts:
    """Apply primary and secondary suppression to a table of counts.

    A Series is treated as one row whose total is published (so a single small
    cell among others causes a second cell to be hidden).

    Args:
        counts: Counts, rows × columns (or a Series of counts).
        threshold: Smallest count that may be shown; must be ≥ 1.

    Returns:
        The suppressed counts, display text and masks.

    Raises:
        ValueError: ``threshold`` is below 1 or a count is negative.
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    frame = counts.to_frame().T if isinstance(counts, pd.Series) else counts
    values = frame.fillna(0).to_numpy(dtype=float)
    if (values < 0).any():
        raise ValueError("counts must not be negative")
    primary = primary_mask(frame.fillna(0), threshold).to_numpy()
    mask = _secondary(values, primary)
    hidden = pd.DataFrame(mask, index=frame.index, columns=frame.columns)
    safe = frame.astype(float).mask(hidden)
    display = (frame.astype("Int64").astype(str).mask(hidden, SECONDARY_LABEL)
               .mask(pd.DataFrame(primary, index=frame.index, columns=frame.columns),
                     f"<{threshold}"))  # fmt: skip
    return SuppressedCounts(
        counts=safe,
        display=display,
        mask=hidden,
        primary=pd.DataFrame(primary, index=frame.index, columns=frame.columns),
    )


def suppress_rows(
    df: pd.DataFrame,
    count_column: str,
    value_columns: list[str],
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Blank the statistics of rows based on fewer than ``threshold`` people.

    Used for long tables (one row per group) where each row carries a count and
    statistics computed from it (means, percentages). Rows with 1 ≤ n < threshold
    have their count replaced by NaN and their statistics blanked; if exactly one
    row is hidden, the next smallest row is hidden too (secondary suppression
    against recovery from the total).

    Args:
        df: One row per group.
        count_column: Column holding the number of people/responses.
        value_columns: Columns derived from those people.
        threshold: Smallest count that may be shown.

    Returns:
        A copy with a boolean ``suppressed`` column added.
    """
    out = df.copy()
    result = suppress_counts(out[count_column].rename(None).reset_index(drop=True), threshold)
    hidden = result.mask.iloc[0].to_numpy()
    out["suppressed"] = hidden
    out[count_column] = out[count_column].astype(float).where(~hidden)
    for col in value_columns:
        out[col] = out[col].astype(float).where(~hidden)
    return out
