"""Small-number suppression applied before anything is shown or exported.

Breakdowns with fewer than the threshold (default 11, the NHS Staff Survey
reporting convention) are hidden. Secondary suppression then hides the next
smallest cell of any row that has exactly one hidden cell, so a hidden value
cannot be recovered by subtracting the others from a published total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_THRESHOLD = 11


@dataclass(frozen=True)
class SuppressedCounts:
    """Counts after suppression.

    Attributes:
        counts: The counts with suppressed cells as ``NaN`` (safe to compute with).
        display: The same table as text, suppressed cells shown as ``"<11"``.
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
    """Hide one more cell wherever a row or column has exactly one hidden cell.

    The extra cell is the smallest visible non-zero cell of that line (so the
    least information is lost); repeated until stable, because hiding a cell in
    a row can leave a column with a single hidden cell.
    """
    mask = mask.copy()
    changed = True
    while changed:
        changed = False
        for axis in (1, 0):
            lines = mask.sum(axis=axis)
            for i in np.flatnonzero(lines == 1):
                line_vals = values[i, :] if axis == 1 else values[:, i]
                line_mask = mask[i, :] if axis == 1 else mask[:, i]
                candidates = np.where(~line_mask & (line_vals > 0), line_vals, np.inf)
                if np.isfinite(candidates).any():
                    j = int(np.argmin(candidates))
                    if axis == 1:
                        mask[i, j] = True
                    else:
                        mask[j, i] = True
                    changed = True
    return mask


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
    label = f"<{threshold}"
    display = frame.astype("Int64").astype(str).mask(hidden, label)
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
