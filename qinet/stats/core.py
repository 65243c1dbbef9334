"""Shared steps of the statistics engine: segments, moving ranges, XmR limits, signs.

Every chart module (``spc``, ``runchart``, ``limits``, ``summary``, ``measure``,
``portfolio``) works on series laid end to end in flat numpy arrays, split into
*segments* (series or phases) by boolean start flags. The primitives here are the one
implementation of those steps, so the single-measure engine, the batch engine and the
portfolio matrix cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from qinet.domain import ImprovementDirection
from qinet.errors import InvalidSeriesError
from qinet.stats.rules import MR_SCREEN, TWO_SIGMA_FRACTION, XMR_LIMIT

DIRECTION_SIGN = {
    ImprovementDirection.INCREASE: 1,
    ImprovementDirection.DECREASE: -1,
    ImprovementDirection.NEUTRAL: 0,
}
"""+1 where higher is better, −1 where lower is better, 0 where neither is."""


def none_if_nat(value: object) -> pd.Timestamp | None:
    """A timestamp, or None for a missing one (None, NaT or NaN)."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def group_median(x: np.ndarray, mask: np.ndarray, g: np.ndarray, ng: int) -> np.ndarray:
    """Median of ``x`` where ``mask`` per group ``g`` (0..ng-1); NaN for an empty group."""
    med = pd.Series(np.where(mask, x, np.nan)).groupby(g, sort=True).median()
    out = np.full(ng, np.nan)
    out[med.index.to_numpy()] = med.to_numpy()
    return out


@dataclass(frozen=True)
class Flat:
    """A block of one or more series laid end to end (the unit every engine step works on)."""

    y: np.ndarray  # values with excluded points already NaN for the rules
    value: np.ndarray  # values as given
    series_start: np.ndarray  # bool
    phase_start: np.ndarray  # bool (includes series starts)
    excluded: np.ndarray  # bool
    direction: np.ndarray  # int8 per point
    target: np.ndarray  # float per point
    dates: np.ndarray | None  # datetime64[ns] or None


@dataclass(frozen=True, eq=False)
class PerPointLimits:
    """Centre line, limits and 2σ lines computed elsewhere, one value per point.

    Used for p, u and c charts, whose limits vary with the denominator: the rule,
    point-type and reason steps are the same as for XmR.

    Attributes:
        centre: Centre line per point.
        lower: Lower 3σ limit per point.
        upper: Upper 3σ limit per point.
        lower_2s: Lower 2σ line per point.
        upper_2s: Upper 2σ line per point.
    """

    centre: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_2s: np.ndarray
    upper_2s: np.ndarray

# --- segments -----------------------------------------------------------------------------


def phase_codes(n: int, phase_starts: tuple[int, ...]) -> np.ndarray:
    """Phase number (0, 1, …) of each of ``n`` points; checked once for every chart.

    Raises:
        InvalidSeriesError: When the starts are not strictly increasing positions
            between 1 and ``n - 1``.
    """
    starts = [int(p) for p in phase_starts]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        raise InvalidSeriesError(f"phase_starts: must be strictly increasing, got {starts}")
    if starts and (starts[0] < 1 or starts[-1] >= n):
        raise InvalidSeriesError(
            f"phase_starts: each start must be a position between 1 and {n - 1}, got {starts}"
        )
    phase = np.zeros(n, dtype=np.int64)
    if starts:
        phase[np.asarray(starts)] = 1
        phase = np.cumsum(phase)
    return phase


def segment_positions(start: np.ndarray) -> np.ndarray:
    """Position of each point within its segment, given the segment-start flags."""
    n = len(start)
    idx = np.arange(n)
    first = np.where(start, idx, 0)
    np.maximum.accumulate(first, out=first)
    return idx - first


def segment_ids(start: np.ndarray) -> np.ndarray:
    """Segment number of each point (0-based) from the segment-start flags."""
    return np.cumsum(start) - 1


def pos_or_default(pos: np.ndarray | None, n: int) -> np.ndarray:
    """Positions as given, or one segment covering every point."""
    return np.arange(n) if pos is None else pos


def window_count(flag: np.ndarray, width: int) -> np.ndarray:
    """Number of True values in the window of ``width`` points ending at each point."""
    cs = np.concatenate(([0], np.cumsum(flag, dtype=np.int64)))
    hi = np.arange(1, len(flag) + 1)
    return cs[hi] - cs[np.maximum(hi - width, 0)]


def spread_back(end: np.ndarray, width: int) -> np.ndarray:
    """True where a window of ``width`` points ending at or after the point fires."""
    n = len(end)
    cs = np.concatenate(([0], np.cumsum(end, dtype=np.int64)))
    j = np.arange(n)
    return (cs[np.minimum(j + width, n)] - cs[j]) > 0


# --- steps --------------------------------------------------------------------------------


def moving_ranges(y: np.ndarray, pos: np.ndarray | None = None) -> np.ndarray:
    """``|y_i − y_(i−1)|`` within each segment; NaN at a segment start and next to NaN."""
    y = np.asarray(y, dtype=float)
    pos = pos_or_default(pos, len(y))
    mr = np.full(len(y), np.nan)
    if len(y) > 1:
        mr[1:] = np.abs(np.diff(y))
    mr[pos == 0] = np.nan
    return mr


def segment_mean(x: np.ndarray, seg: np.ndarray, n_seg: int) -> np.ndarray:
    """NaN-ignoring mean of ``x`` per segment (NaN for a segment with no values)."""
    ok = ~np.isnan(x)
    total = np.bincount(seg, weights=np.where(ok, x, 0.0), minlength=n_seg)
    count = np.bincount(seg, weights=ok, minlength=n_seg)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def mean_and_amr(
    y_baseline: np.ndarray, pos: np.ndarray | None = None, *, screen: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and mean moving range per point, from the baseline values of each segment.

    As ``ptd_spc_standard``: the mean of the baseline values (NaN removed); the moving
    ranges of consecutive baseline values; with ``screen`` a moving range is kept only
    if ``MR < MR_SCREEN × AMR`` (strict) and the AMR is recomputed. A constant segment
    therefore loses every moving range and gets a NaN AMR (NaN limits), as PTD.

    Args:
        y_baseline: Values with points outside the baseline (after
            ``fix_after_n_points``, excluded) already set to NaN.
        pos: Position within the segment of each point (None: one segment).
        screen: Screen out large moving ranges first.

    Returns:
        ``(mean, amr)`` broadcast to every point.
    """
    y_baseline = np.asarray(y_baseline, dtype=float)
    pos = pos_or_default(pos, len(y_baseline))
    start = pos == 0
    seg = segment_ids(start)
    n_seg = int(start.sum())
    mean = segment_mean(y_baseline, seg, n_seg)
    mr = moving_ranges(y_baseline, pos)
    amr = segment_mean(mr, seg, n_seg)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = mr < MR_SCREEN * amr[seg]
        amr = segment_mean(np.where(keep, mr, np.nan), seg, n_seg)
    return mean[seg], amr[seg]



def xmr_limits(
    y: np.ndarray, pos: np.ndarray, *, screen: bool, baseline: np.ndarray | None = None
) -> PerPointLimits:
    """XmR limits (mean ± 2.66 × mean moving range, 2σ lines at two thirds) per point.

    Args:
        y: Values (NaN for missing or excluded points).
        pos: Position of each point within its segment (phase).
        screen: Screen out moving ranges of at least ``MR_SCREEN`` × the mean first.
        baseline: Points the limits are computed from (None: every point).

    Returns:
        The limits broadcast to every point of each segment.
    """
    base = y if baseline is None else np.where(baseline, y, np.nan)
    mean, amr = mean_and_amr(base, pos, screen=screen)
    half = XMR_LIMIT * amr
    half_2s = XMR_LIMIT * TWO_SIGMA_FRACTION * amr
    return PerPointLimits(mean, mean - half, mean + half, mean - half_2s, mean + half_2s)
