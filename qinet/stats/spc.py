"""XmR (individuals) charts with Making Data Count / NHSRplotthedots special-cause rules.

The pipeline follows NHSRplotthedots 0.2.2 (``ptd_spc``), one small step at a time:
options → validate → phases → moving ranges → limits → rules → point type → reasons →
warnings. Every step works on flat numpy arrays split into *segments* (one segment per
phase of one series), so a single series and ten thousand series run through the same
vectorised code (:func:`qinet.stats.summary.compute_xmr_batch` uses it too).

Result columns of :func:`compute_xmr` and :func:`apply_rules` (one row per input point,
in input order):

* ``idx``: 0-based position; ``date``: the given date or ``NaT``; ``value``: the input.
* ``phase``: 0, 1, … (a new phase starts at each ``SpcOptions.phase_starts`` position).
* ``excluded``: the point is shown (ghosted) but left out of the limits and the rules.
* ``mean``, ``lpl``, ``upl``: centre line and lower/upper process limits
  (``mean ± XMR_LIMIT × mean mR``); ``lower_2s``, ``upper_2s``: the 2σ lines.
* ``mr``: moving range ``|x_i − x_(i−1)|``; NaN at a phase start and next to a gap.
* ``limits_shown``: False when the phase has fewer non-missing points than
  ``rules.min_points_for_limits`` (Making Data Count draws a run chart until 13 points):
  the limits and 2σ lines are then NaN, and ``rule_outside`` / ``rule_two_of_three``
  cannot fire, while the shift and trend rules still apply.
* ``short_group_warning``: the phase has fewer than ``rules.short_group_warning_below``
  non-missing points (trial limits).
* ``outside_limits`` (strict), ``relative_to_mean`` (−1/0/+1, NaN when missing),
  ``close_to_limits`` (beyond a 2σ line; for presets with
  ``two_of_three_counts_beyond_limits`` False, also not outside the limits, as PTD).
* ``rule_outside``, ``rule_shift``, ``rule_trend``, ``rule_two_of_three``: each rule's
  membership, as PTD's ``rule_*``. A window that contains a missing (or excluded) point
  never fires.
* ``special_cause_type``: the highest-priority rule (outside > trend > two-in-three >
  shift) in PTD's words with the preset's N, e.g. ``"Above UCL"``,
  ``"6 Point Trend (Increasing)"``, ``"2 in 3 Below CL"``, ``"6 Points Above CL"``,
  ``"Common Cause"``; ``special_cause_flag``: not common cause.
* ``point_type``: a :class:`~qinet.domain.PointType` value.
* ``reason``: plain English for every special point naming each rule and its window,
  e.g. ``"6 points in a row above the mean (2024-03 to 2024-08)"``; empty otherwise.
* ``target``: the target (NaN when none).

``result.attrs`` holds ``"options"`` (the :class:`SpcOptions`), ``"rules"`` and
``"warnings"`` (a list of plain-English strings).

Deliberate differences from NHSRplotthedots 0.2.2:

* PTD stops with "missing value where TRUE/FALSE needed" when a missing value falls
  inside a run of otherwise strictly rising (or falling) points. qinet treats the
  window like any other window containing a gap: it does not fire.
* PTD labels a trend point by the sign of the *next* difference when the next point is
  also in a trend, so the last point of a rising trend followed by an exact tie and a
  new trend is called "Decreasing". qinet names the direction of the trend(s) the point
  belongs to (a peak or trough in two trends takes the later one, as PTD).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qinet.domain import ImprovementDirection, PointType
from qinet.errors import InvalidSeriesError
from qinet.stats.rules import (
    MDC_2024,
    MR_SCREEN,
    MR_UCL,
    TWO_SIGMA_FRACTION,
    XMR_LIMIT,
    SpcRules,
)

MIN_FIX_AFTER_N_POINTS = 12  # ptd_spc: fix_after_n_points must be >= 12

_DIRECTION_SIGN = {
    ImprovementDirection.INCREASE: 1,
    ImprovementDirection.DECREASE: -1,
    ImprovementDirection.NEUTRAL: 0,
}

# special_cause_type codes, in priority order (0 = common cause)
_COMMON, _ABOVE_UCL, _BELOW_LCL, _TREND_UP, _TREND_DOWN = 0, 1, 2, 3, 4
_TWO_ABOVE, _TWO_BELOW, _SHIFT_ABOVE, _SHIFT_BELOW = 5, 6, 7, 8
_TYPE_SIGN = np.array([0, 1, -1, 1, -1, 1, -1, 1, -1], dtype=np.int8)

_POINT_TYPES = np.array(
    [
        PointType.CONCERN.value,
        PointType.COMMON_CAUSE.value,
        PointType.IMPROVEMENT.value,
        PointType.NEUTRAL_LOW.value,
        PointType.NEUTRAL_HIGH.value,
    ],
    dtype=object,
)

RESULT_COLUMNS = (
    "idx",
    "date",
    "value",
    "phase",
    "excluded",
    "mean",
    "lpl",
    "upl",
    "lower_2s",
    "upper_2s",
    "mr",
    "limits_shown",
    "short_group_warning",
    "outside_limits",
    "relative_to_mean",
    "close_to_limits",
    "rule_outside",
    "rule_shift",
    "rule_trend",
    "rule_two_of_three",
    "special_cause_type",
    "special_cause_flag",
    "point_type",
    "reason",
    "target",
)
"""Columns of :func:`compute_xmr` and :func:`apply_rules`, in order."""


@dataclass(frozen=True)
class SpcOptions:
    """Settings for one XmR chart.

    Attributes:
        rules: The rule preset (``MDC_2024``, ``PTD`` or ``LIFE_QI``).
        improvement_direction: Which way is better.
        target: Target value for the assurance icon, or None.
        phase_starts: 0-based positions where a new phase (rebase) starts.
        fix_after_n_points: Freeze the mean and limits on the first N points of each
            phase (N >= 12) and project them forward; None uses every point.
        excluded: Positions shown (ghosted) but left out of the limits and the rules.
    """

    rules: SpcRules = MDC_2024
    improvement_direction: ImprovementDirection = ImprovementDirection.INCREASE
    target: float | None = None
    phase_starts: tuple[int, ...] = ()
    fix_after_n_points: int | None = None
    excluded: tuple[int, ...] = ()


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


def _positions(start: np.ndarray) -> np.ndarray:
    """Position of each point within its segment, given the segment-start flags."""
    n = len(start)
    idx = np.arange(n)
    first = np.where(start, idx, 0)
    np.maximum.accumulate(first, out=first)
    return idx - first


def _segment_ids(start: np.ndarray) -> np.ndarray:
    return np.cumsum(start) - 1


def _pos_or_default(pos: np.ndarray | None, n: int) -> np.ndarray:
    return np.arange(n) if pos is None else pos


def _window_count(flag: np.ndarray, width: int) -> np.ndarray:
    """Number of True values in the window of ``width`` points ending at each point."""
    cs = np.concatenate(([0], np.cumsum(flag, dtype=np.int64)))
    hi = np.arange(1, len(flag) + 1)
    return cs[hi] - cs[np.maximum(hi - width, 0)]


def _spread_back(end: np.ndarray, width: int) -> np.ndarray:
    """True where a window of ``width`` points ending at or after the point fires."""
    n = len(end)
    cs = np.concatenate(([0], np.cumsum(end, dtype=np.int64)))
    j = np.arange(n)
    return (cs[np.minimum(j + width, n)] - cs[j]) > 0


# --- steps --------------------------------------------------------------------------------


def _moving_ranges(y: np.ndarray, pos: np.ndarray | None = None) -> np.ndarray:
    """``|y_i − y_(i−1)|`` within each segment; NaN at a segment start and next to NaN."""
    y = np.asarray(y, dtype=float)
    pos = _pos_or_default(pos, len(y))
    mr = np.full(len(y), np.nan)
    if len(y) > 1:
        mr[1:] = np.abs(np.diff(y))
    mr[pos == 0] = np.nan
    return mr


def _segment_mean(x: np.ndarray, seg: np.ndarray, n_seg: int) -> np.ndarray:
    """NaN-ignoring mean of ``x`` per segment (NaN for a segment with no values)."""
    ok = ~np.isnan(x)
    total = np.bincount(seg, weights=np.where(ok, x, 0.0), minlength=n_seg)
    count = np.bincount(seg, weights=ok, minlength=n_seg)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def _limits(
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
    pos = _pos_or_default(pos, len(y_baseline))
    start = pos == 0
    seg = _segment_ids(start)
    n_seg = int(start.sum())
    mean = _segment_mean(y_baseline, seg, n_seg)
    mr = _moving_ranges(y_baseline, pos)
    amr = _segment_mean(mr, seg, n_seg)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = mr < MR_SCREEN * amr[seg]
        amr = _segment_mean(np.where(keep, mr, np.nan), seg, n_seg)
    return mean[seg], amr[seg]


def _rule_outside(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Strictly above the upper or below the lower limit (NaN never counts)."""
    with np.errstate(invalid="ignore"):
        return (y > upper) | (y < lower)


def _rule_shift(rtm: np.ndarray, n: int, pos: np.ndarray | None = None) -> np.ndarray:
    """Members of runs of ``n`` or more points on the same side of the mean.

    A point on the mean (0) or missing (NaN) breaks the run; every point of the run
    is flagged (PTD ``ptd_part_of_seven_trend(ptd_seven_point_one_side_mean(rtm))``).
    """
    pos = _pos_or_default(pos, len(rtm))
    whole = pos >= n - 1
    end = whole & ((_window_count(rtm == 1, n) == n) | (_window_count(rtm == -1, n) == n))
    return _spread_back(end, n)


def _diff_signs(y: np.ndarray, pos: np.ndarray) -> np.ndarray:
    d = np.full(len(y), np.nan)
    if len(y) > 1:
        d[1:] = np.sign(np.diff(y))
    d[pos == 0] = np.nan
    return d


def _rule_trend(
    y: np.ndarray, n: int, pos: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Members of strictly rising and of strictly falling runs of ``n`` or more points.

    A tie (equal consecutive values) or a missing value breaks the run.

    Returns:
        ``(rising, falling)`` membership flags.
    """
    y = np.asarray(y, dtype=float)
    pos = _pos_or_default(pos, len(y))
    d = _diff_signs(y, pos)
    whole = pos >= n - 1
    rising_end = whole & (_window_count(d == 1, n - 1) == n - 1)
    falling_end = whole & (_window_count(d == -1, n - 1) == n - 1)
    return _spread_back(rising_end, n), _spread_back(falling_end, n)


def _rule_two_of_three(
    close: np.ndarray, rtm: np.ndarray, pos: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two or three of three consecutive points beyond a 2σ line, all on one side.

    Only the close points of a firing window are members (PTD
    ``ptd_part_of_two_in_three``).

    Returns:
        ``(members, window_fires)`` where ``window_fires[i]`` means the window of
        three points ending at ``i`` fires.
    """
    pos = _pos_or_default(pos, len(close))
    fires = (
        (pos >= 2)
        & (_window_count(close, 3) >= 2)
        & ((_window_count(rtm == 1, 3) == 3) | (_window_count(rtm == -1, 3) == 3))
    )
    return close & _spread_back(fires, 3), fires


def _special_cause_codes(
    outside: np.ndarray,
    above_upper: np.ndarray,
    rising: np.ndarray,
    falling: np.ndarray,
    y: np.ndarray,
    pos: np.ndarray,
    two: np.ndarray,
    shift: np.ndarray,
    rtm: np.ndarray,
) -> np.ndarray:
    """Code of the highest-priority rule: outside > trend > two-in-three > shift."""
    d = _diff_signs(y, pos)
    d_next = np.append(d[1:], np.nan)
    # a peak/trough in a rising and a falling trend takes the later trend (PTD: right side)
    trend_up = rising & ~(falling & (d_next == -1))
    above = rtm > 0
    return np.select(
        [outside, rising | falling, two, shift],
        [
            np.where(above_upper, _ABOVE_UCL, _BELOW_LCL),
            np.where(trend_up, _TREND_UP, _TREND_DOWN),
            np.where(above, _TWO_ABOVE, _TWO_BELOW),
            np.where(above, _SHIFT_ABOVE, _SHIFT_BELOW),
        ],
        _COMMON,
    ).astype(np.int8)


def _point_type_codes(codes: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Index into ``_POINT_TYPES``: sign of the type × improvement direction."""
    sign = _TYPE_SIGN[codes]
    oriented = sign * direction  # -1 concern, 0 common, +1 improvement
    neutral = (direction == 0) & (sign != 0)
    return np.where(neutral, np.where(sign > 0, 4, 3), oriented + 1)


def _type_labels(rules: SpcRules) -> np.ndarray:
    return np.array(
        [
            "Common Cause",
            "Above UCL",
            "Below LCL",
            f"{rules.trend} Point Trend (Increasing)",
            f"{rules.trend} Point Trend (Decreasing)",
            "2 in 3 Above CL",
            "2 in 3 Below CL",
            f"{rules.shift} Points Above CL",
            f"{rules.shift} Points Below CL",
        ],
        dtype=object,
    )


# --- reasons ------------------------------------------------------------------------------


def _labels(
    index: np.ndarray, dates: np.ndarray | None, monthly: bool, local: np.ndarray
) -> np.ndarray:
    """Text naming points: ``"7"`` (1-based within the series) without dates, else the date."""
    if dates is None:
        return (local[index] + 1).astype(str).astype(object)
    chosen = dates[index]
    # as people read dates: "Apr 2024" for monthly series, "17 Jan 2023" otherwise
    codes, uniques = pd.factorize(pd.DatetimeIndex(chosen))
    ts = pd.Series(uniques)
    month = ts.dt.strftime("%b %Y")
    words = (month if monthly else ts.dt.day.astype(str) + " " + month).to_numpy(dtype=object)
    text = np.where(codes >= 0, words[np.maximum(codes, 0)] if len(words) else "", "")
    text = text.astype(object)
    missing = np.isnat(chosen)
    if missing.any():
        text[missing] = ("point " + (local[index[missing]] + 1).astype(str)).astype(object)
    return text


def _span_text(
    first: np.ndarray,
    last: np.ndarray,
    dates: np.ndarray | None,
    monthly: bool,
    local: np.ndarray,
) -> np.ndarray:
    a = _labels(first, dates, monthly, local)
    b = _labels(last, dates, monthly, local)
    if dates is None:
        text = np.where(first == last, "point " + a, "points " + a + "–" + b)
    else:
        text = np.where(first == last, a, a + " to " + b)
    return text.astype(object)


def _runs(member: np.ndarray, link: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Blocks of consecutive members joined where ``link`` holds.

    Returns:
        ``(block_of_point, block_first, block_last)``; ``block_of_point`` is -1 for
        non-members.
    """
    prev = np.concatenate(([False], member[:-1] & link[1:])) if len(member) else member
    starts = member & ~prev
    nxt = np.concatenate((link[1:] & member[1:], [False])) if len(member) else member
    ends = member & ~nxt
    block = np.where(member, np.cumsum(starts) - 1, -1)
    return block, np.flatnonzero(starts), np.flatnonzero(ends)


def _run_clause(
    member: np.ndarray,
    link: np.ndarray,
    words: np.ndarray,
    dates: np.ndarray | None,
    monthly: bool,
    local: np.ndarray,
) -> np.ndarray:
    """``"<k> points in a row <words> (<span>)"`` on every member, "" elsewhere."""
    out = np.full(len(member), "", dtype=object)
    block, first, last = _runs(member, link)
    if len(first) == 0:
        return out
    text = (
        (last - first + 1).astype(str).astype(object)
        + " points in a row "
        + words[first]
        + " ("
        + _span_text(first, last, dates, monthly, local)
        + ")"
    )
    out[member] = text[block[member]]
    return out


def _reasons(
    *,
    codes: np.ndarray,
    outside: np.ndarray,
    above_upper: np.ndarray,
    rising: np.ndarray,
    falling: np.ndarray,
    two: np.ndarray,
    fires: np.ndarray,
    close: np.ndarray,
    shift: np.ndarray,
    rtm: np.ndarray,
    y: np.ndarray,
    pos: np.ndarray,
    dates: np.ndarray | None,
    monthly: bool,
    centre_name: str,
    local: np.ndarray,
    latest_of_series: np.ndarray | None = None,
) -> np.ndarray:
    """Plain-English reason for every special point (built only from flagged runs).

    With ``latest_of_series`` (the series id of every point) only the last special
    point of each series gets its text: all a summary needs, at a fraction of the cost.
    """
    n = len(codes)
    reason = np.full(n, "", dtype=object)
    flagged = codes != _COMMON
    if not flagged.any():
        return reason
    if latest_of_series is not None:
        idx = np.flatnonzero(flagged)
        owner = latest_of_series[idx]
        last = np.concatenate((owner[1:] != owner[:-1], [True]))
        flagged = np.zeros(n, dtype=bool)
        flagged[idx[last]] = True
    clauses: list[np.ndarray] = []
    idx = np.flatnonzero(outside & flagged)
    c = np.full(n, "", dtype=object)
    if len(idx):
        words = np.where(
            above_upper[idx], "Above the upper process limit", "Below the lower process limit"
        ).astype(object)
        c[idx] = words + " (" + _span_text(idx, idx, dates, monthly, local) + ")"
    clauses.append(c)
    d = _diff_signs(y, pos)
    ones = np.full(n, "rising", dtype=object)
    clauses.append(_run_clause(rising, d == 1, ones, dates, monthly, local))
    clauses.append(
        _run_clause(falling, d == -1, np.full(n, "falling", dtype=object), dates, monthly, local)
    )
    c = np.full(n, "", dtype=object)
    idx = np.flatnonzero(two & flagged)
    if len(idx):
        nxt = np.append(fires[1:], False)
        end = np.where(fires[idx], idx, np.where(nxt[idx], idx + 1, idx + 2))
        k = _window_count(close, 3)[end]
        side = np.where(rtm[idx] > 0, "upper", "lower").astype(object)
        c[idx] = (
            k.astype(str).astype(object)
            + " of 3 points beyond the "
            + side
            + " 2σ line ("
            + _span_text(end - 2, end, dates, monthly, local)
            + ")"
        )
    clauses.append(c)
    # A run never continues across a phase or series start (pos == 0 there).
    same_side = (
        np.concatenate(([False], (rtm[1:] == rtm[:-1]) & (pos[1:] != 0)))
        if n
        else np.zeros(0, bool)
    )
    words = np.where(rtm > 0, f"above the {centre_name}", f"below the {centre_name}")
    clauses.append(_run_clause(shift, same_side, words.astype(object), dates, monthly, local))
    sel = np.flatnonzero(flagged)
    text = clauses[0][sel]
    for clause in clauses[1:]:
        part = clause[sel]
        both = (text != "") & (part != "")
        text = np.where(both, text + "; " + part, text + part)
    reason[sel] = text
    return reason


# --- pipeline over flat arrays ------------------------------------------------------------


@dataclass(frozen=True)
class _Flat:
    """A block of one or more series laid end to end (internal)."""

    y: np.ndarray  # values with excluded points already NaN for the rules
    value: np.ndarray  # values as given
    series_start: np.ndarray  # bool
    phase_start: np.ndarray  # bool (includes series starts)
    excluded: np.ndarray  # bool
    direction: np.ndarray  # int8 per point
    target: np.ndarray  # float per point
    dates: np.ndarray | None  # datetime64[ns] or None


def _flat_frame(
    flat: _Flat,
    lim: PerPointLimits,
    rules: SpcRules,
    *,
    mr: np.ndarray | None,
    centre_name: str,
    latest_reasons_only: bool = False,
) -> tuple[dict[str, np.ndarray], list[tuple[int, str]]]:
    """Run the rule, point-type and reason steps; return columns and per-series warnings.

    ``latest_reasons_only`` writes a reason only on each series' last special point
    (the summary matrix needs no more).
    """
    y = flat.y
    n = len(y)
    pos = _positions(flat.phase_start)
    seg = _segment_ids(flat.phase_start)
    n_seg = int(flat.phase_start.sum())
    series = _segment_ids(flat.series_start)
    series_first = np.flatnonzero(flat.series_start)
    phase = seg - seg[series_first][series] if n else seg

    local = np.arange(n) - series_first[series] if n else np.zeros(0, dtype=np.int64)
    present = ~np.isnan(y)
    n_present = np.bincount(seg, weights=present, minlength=n_seg)[seg] if n else np.zeros(0)
    limits_shown = n_present >= rules.min_points_for_limits
    short = n_present < rules.short_group_warning_below

    nan = np.float64(np.nan)
    lower = np.where(limits_shown, lim.lower, nan)
    upper = np.where(limits_shown, lim.upper, nan)
    lower_2s = np.where(limits_shown, lim.lower_2s, nan)
    upper_2s = np.where(limits_shown, lim.upper_2s, nan)
    centre = np.asarray(lim.centre, dtype=float)

    outside = _rule_outside(y, lower, upper)
    with np.errstate(invalid="ignore"):
        above_upper = y > upper
        rtm = np.sign(y - centre)
        beyond_2s = (y < lower_2s) | (y > upper_2s)
    close = beyond_2s if rules.two_of_three_counts_beyond_limits else beyond_2s & ~outside
    shift = _rule_shift(rtm, rules.shift, pos)
    rising, falling = _rule_trend(y, rules.trend, pos)
    if rules.two_of_three:
        two, fires = _rule_two_of_three(close, rtm, pos)
    else:
        two = fires = np.zeros(n, dtype=bool)
    codes = _special_cause_codes(outside, above_upper, rising, falling, y, pos, two, shift, rtm)
    pt = _point_type_codes(codes, flat.direction)
    monthly = _is_monthly(flat.dates)
    reason = _reasons(
        codes=codes,
        outside=outside,
        above_upper=above_upper,
        rising=rising,
        falling=falling,
        two=two,
        fires=fires,
        close=close,
        shift=shift,
        rtm=rtm,
        y=y,
        pos=pos,
        dates=flat.dates,
        monthly=monthly,
        centre_name=centre_name,
        local=local,
        latest_of_series=series if latest_reasons_only else None,
    )
    dates = flat.dates if flat.dates is not None else np.full(n, np.datetime64("NaT", "ns"))
    columns = {
        "idx": local,
        "date": dates,
        "value": flat.value,
        "phase": phase.astype(np.int64),
        "excluded": flat.excluded,
        "mean": centre,
        "lpl": lower,
        "upl": upper,
        "lower_2s": lower_2s,
        "upper_2s": upper_2s,
        "mr": mr if mr is not None else _moving_ranges(flat.value, pos),
        "limits_shown": limits_shown,
        "short_group_warning": short,
        "outside_limits": outside,
        "relative_to_mean": rtm,
        "close_to_limits": close,
        "rule_outside": outside,
        "rule_shift": shift,
        "rule_trend": rising | falling,
        "rule_two_of_three": two,
        "special_cause_type": _type_labels(rules)[codes],
        "special_cause_flag": codes != _COMMON,
        "point_type": _POINT_TYPES[pt],
        "reason": reason,
        "target": flat.target,
    }
    warnings = _warnings(
        flat=flat,
        rules=rules,
        phase=phase,
        series=series,
        n_present=n_present,
        limits_shown=limits_shown,
        rule_dirs={
            "outside the limits": np.where(outside, np.where(above_upper, 1, -1), 0),
            "trend": np.where(rising, 1, 0) + np.where(falling, -1, 0),
            "two of three beyond 2σ": np.where(two, rtm, 0),
            "shift": np.where(shift, rtm, 0),
        },
        monthly=monthly,
    )
    return columns, warnings


def _is_monthly(dates: np.ndarray | None) -> bool:
    if dates is None:
        return False
    ok = dates[~np.isnat(dates)]
    if len(ok) == 0:
        return False
    days = ok.astype("datetime64[D]")
    return bool(np.all(days == days.astype("datetime64[M]").astype("datetime64[D]")))


def _where_text(index: np.ndarray, limit: int = 5) -> str:
    shown = ", ".join(str(i + 1) for i in index[:limit])
    more = f" and {len(index) - limit} more" if len(index) > limit else ""
    return f"{shown}{more}"


def _warnings(
    *,
    flat: _Flat,
    rules: SpcRules,
    phase: np.ndarray,
    series: np.ndarray,
    n_present: np.ndarray,
    limits_shown: np.ndarray,
    rule_dirs: dict[str, np.ndarray],
    monthly: bool,
) -> list[tuple[int, str]]:
    """Plain-English warnings as ``(series number, text)``, built only where they apply."""
    out: list[tuple[int, str]] = []
    n = len(flat.y)
    if n == 0:
        return out
    series_first = np.flatnonzero(flat.series_start)
    local = np.arange(n) - series_first[series]
    phase_first = np.flatnonzero(flat.phase_start)

    # short phases (trial limits) and phases drawn as run charts
    for p in phase_first[n_present[phase_first] < rules.short_group_warning_below]:
        k = int(n_present[p])
        if not limits_shown[p]:
            msg = (
                f"Phase {phase[p] + 1} has {k} points (n < {rules.min_points_for_limits}): "
                f"{rules.label} draws no process limits until there are "
                f"{rules.min_points_for_limits} points, so it is shown as a run chart."
            )
        else:
            msg = (
                f"Phase {phase[p] + 1} has {k} points (n < {rules.short_group_warning_below}): "
                "its limits are trial limits and will change as points are added."
            )
        out.append((int(series[p]), msg))

    # missing values
    missing = np.isnan(flat.value)
    if missing.any():
        miss_series = series[missing]
        for s in np.unique(miss_series):
            where = local[missing][miss_series == s]
            out.append(
                (
                    int(s),
                    (
                        f"1 missing value (point {_where_text(where)}) is left as a gap"
                        if len(where) == 1
                        else f"{len(where)} missing values (points {_where_text(where)}) are "
                        "left as gaps"
                    )
                    + "; rule windows that include a gap do not signal.",
                )
            )

    if flat.dates is not None:
        out.extend(_date_warnings(flat.dates, flat.series_start, series, monthly))

    # the latest point: improvement and concern rules disagree
    last = np.append(series_first[1:] - 1, n - 1)
    names = list(rule_dirs)
    stack = np.stack([rule_dirs[k][last] for k in names])
    conflict = (stack > 0).any(axis=0) & (stack < 0).any(axis=0)
    for j in np.flatnonzero(conflict):
        i = last[j]
        sign = stack[:, j] * (flat.direction[i] if flat.direction[i] != 0 else 1)
        good = [nm for nm, sg in zip(names, sign, strict=True) if sg > 0]
        bad = [nm for nm, sg in zip(names, sign, strict=True) if sg < 0]
        if flat.direction[i] == 0:
            text = (
                f"The latest point is part of signals in both directions (high: {', '.join(good)}; "
                f"low: {', '.join(bad)}); it is labelled by the highest-priority rule."
            )
        else:
            text = (
                f"The latest point is part of an improvement signal ({', '.join(good)}) and a "
                f"concern signal ({', '.join(bad)}); it is labelled by the highest-priority rule."
            )
        out.append((int(j), text))
    return out


def _date_warnings(
    dates: np.ndarray, series_start: np.ndarray, series: np.ndarray, monthly: bool
) -> list[tuple[int, str]]:
    """Duplicate dates, dates out of order and missing periods, per series."""
    out: list[tuple[int, str]] = []
    if len(dates) < 2:
        return out
    ok = ~np.isnat(dates)
    if monthly:
        t = dates.astype("datetime64[M]").astype(np.int64)
    else:
        t = dates.astype("datetime64[D]").astype(np.int64)
    step = np.diff(t)
    valid = ok[1:] & ok[:-1] & ~series_start[1:]
    s_of = series[1:]
    for s in np.unique(s_of[valid & (step == 0)]):
        out.append((int(s), "Some dates appear more than once; each point should be one period."))
    for s in np.unique(s_of[valid & (step < 0)]):
        out.append((int(s), "The dates are not in order; points are charted in the order given."))
    positive = valid & (step > 0)
    if not positive.any():
        return out
    n_series = int(series.max()) + 1
    big = np.iinfo(np.int64).max
    unit = np.full(n_series, big)
    np.minimum.at(unit, s_of[positive], step[positive])
    u = unit[s_of]
    with np.errstate(divide="ignore", invalid="ignore"):
        regular_step = positive & (step % np.where(u == big, 1, u) == 0)
    irregular = np.zeros(n_series, dtype=bool)
    np.logical_or.at(irregular, s_of[positive & ~regular_step], True)
    gap = regular_step & (step > u) & ~irregular[s_of]
    if gap.any():
        missing_periods = np.bincount(
            s_of[gap], weights=(step[gap] // u[gap]) - 1, minlength=n_series
        )
        period = "month" if monthly else "period"
        for s in np.flatnonzero(missing_periods):
            out.append(
                (
                    int(s),
                    f"The dates skip {int(missing_periods[s])} {period}"
                    f"{'' if int(missing_periods[s]) == 1 else 's'}; the chart joins "
                    "the points either side of each gap.",
                )
            )
    return out


def _xmr_limits_flat(
    flat: _Flat, *, screen: bool, fix_after_n_points: int | None
) -> PerPointLimits:
    """XmR limits for every phase of every series in ``flat``."""
    pos = _positions(flat.phase_start)
    base = flat.y
    if fix_after_n_points is not None:
        base = np.where(pos < fix_after_n_points, base, np.nan)
    mean, amr = _limits(base, pos, screen=screen)
    half = XMR_LIMIT * amr
    half_2s = XMR_LIMIT * TWO_SIGMA_FRACTION * amr
    return PerPointLimits(mean, mean - half, mean + half, mean - half_2s, mean + half_2s)


def _baseline_warnings(
    flat: _Flat, columns: dict[str, np.ndarray], fix_after_n_points: int | None
) -> list[tuple[int, str]]:
    if fix_after_n_points is None or len(flat.y) == 0:
        return []
    pos = _positions(flat.phase_start)
    series = _segment_ids(flat.series_start)
    hit = columns["special_cause_flag"] & (pos < fix_after_n_points)
    return [
        (
            int(s),
            f"The baseline (first {fix_after_n_points} points of a phase) contains special "
            "cause variation, so the frozen limits may not describe a stable process.",
        )
        for s in np.unique(series[hit])
    ]


def _run_flat(
    flat: _Flat, options: SpcOptions, limits: PerPointLimits | None
) -> tuple[dict[str, np.ndarray], list[tuple[int, str]]]:
    """XmR limits (unless given) then rules, for one options group."""
    centre_name = "mean"
    if limits is None:
        lim = _xmr_limits_flat(
            flat,
            screen=options.rules.screen_moving_ranges,
            fix_after_n_points=options.fix_after_n_points,
        )
    else:
        lim = limits
        centre_name = "centre line"
    columns, warnings = _flat_frame(flat, lim, options.rules, mr=None, centre_name=centre_name)
    warnings.extend(_baseline_warnings(flat, columns, options.fix_after_n_points))
    return columns, warnings


# --- validation ---------------------------------------------------------------------------


def _as_values(values: pd.Series | Sequence[float]) -> np.ndarray:
    try:
        if isinstance(values, pd.Series):
            y = values.to_numpy(dtype="float64", na_value=np.nan)
        elif isinstance(values, np.ndarray) and values.dtype.kind in "fiub":
            y = values.astype("float64")
        else:
            y = np.asarray(
                [np.nan if v is None or v is pd.NA else v for v in values], dtype="float64"
            )
    except (TypeError, ValueError) as exc:
        raise InvalidSeriesError(f"values: every value must be a number or blank ({exc})") from exc
    if y.ndim != 1:
        raise InvalidSeriesError("values: expected a one-dimensional series of numbers")
    bad = np.isinf(y)
    if bad.any():
        raise InvalidSeriesError(
            f"values: point {_where_text(np.flatnonzero(bad))} is infinite; "
            "use a number or leave the value blank"
        )
    return y


def _as_dates(dates: pd.Series | Sequence | None, n: int) -> np.ndarray | None:
    if dates is None:
        return None
    try:
        converted = pd.to_datetime(pd.Series(dates).reset_index(drop=True))
    except (TypeError, ValueError) as exc:
        raise InvalidSeriesError(f"dates: could not read the dates as dates ({exc})") from exc
    if len(converted) != n:
        raise InvalidSeriesError(f"dates: {len(converted)} dates given for {n} values")
    return converted.to_numpy(dtype="datetime64[ns]")


def _validate_options(options: SpcOptions, n: int) -> None:
    fix = options.fix_after_n_points
    if fix is not None and fix < MIN_FIX_AFTER_N_POINTS:
        raise InvalidSeriesError(
            f"fix_after_n_points: must be at least {MIN_FIX_AFTER_N_POINTS} "
            f"(got {fix}); limits from fewer points are not reliable"
        )
    for name, positions in (("phase_starts", options.phase_starts), ("excluded", options.excluded)):
        bad = [p for p in positions if not 0 <= p < max(n, 1)]
        if bad and n > 0:
            raise InvalidSeriesError(
                f"{name}: position(s) {bad} are outside the series (0 to {n - 1})"
            )
    minimum = options.rules.min_points_per_phase
    if options.phase_starts and minimum and n:
        cuts = sorted({0, *options.phase_starts, n})
        sizes = np.diff(cuts)
        if (sizes < minimum).any():
            raise InvalidSeriesError(
                f"phase_starts: every phase needs at least {minimum} points under "
                f"{options.rules.label}; these breaks leave phases of {sizes.tolist()} points"
            )


def _single_flat(y: np.ndarray, dates: np.ndarray | None, options: SpcOptions) -> _Flat:
    n = len(y)
    series_start = np.zeros(n, dtype=bool)
    if n:
        series_start[0] = True
    phase_start = series_start.copy()
    phase_start[[p for p in options.phase_starts if 0 <= p < n]] = True
    excluded = np.zeros(n, dtype=bool)
    excluded[[p for p in options.excluded if 0 <= p < n]] = True
    target = np.nan if options.target is None else float(options.target)
    return _Flat(
        y=np.where(excluded, np.nan, y),
        value=y,
        series_start=series_start,
        phase_start=phase_start,
        excluded=excluded,
        direction=np.full(n, _DIRECTION_SIGN[options.improvement_direction], dtype=np.int8),
        target=np.full(n, target),
        dates=dates,
    )


def _frame(
    columns: dict[str, np.ndarray], options: SpcOptions, warnings: list[str]
) -> pd.DataFrame:
    frame = pd.DataFrame({name: columns[name] for name in RESULT_COLUMNS})
    frame.attrs["options"] = options
    frame.attrs["rules"] = options.rules
    frame.attrs["warnings"] = warnings
    return frame


# --- public API ---------------------------------------------------------------------------


def apply_rules(
    values: pd.Series | Sequence[float],
    centre: Sequence[float] | np.ndarray,
    lower: Sequence[float] | np.ndarray,
    upper: Sequence[float] | np.ndarray,
    lower_2s: Sequence[float] | np.ndarray,
    upper_2s: Sequence[float] | np.ndarray,
    *,
    options: SpcOptions = SpcOptions(),  # noqa: B008 - frozen dataclass, safe default
    dates: pd.Series | None = None,
) -> pd.DataFrame:
    """Apply the special-cause rules to values against per-point centre and limits.

    This is the rule, point-type and reason half of the pipeline, shared by XmR
    (:func:`compute_xmr`) and by p, u and c charts whose limits vary per point.

    Args:
        values: The plotted statistic, one per point (NaN for missing).
        centre: Centre line per point.
        lower: Lower process limit per point.
        upper: Upper process limit per point.
        lower_2s: Lower 2σ line per point.
        upper_2s: Upper 2σ line per point.
        options: Rules, direction, target, phases and excluded points.
        dates: Optional dates, one per value, used in reasons and warnings.

    Returns:
        One row per point with the columns listed in the module docstring; ``attrs``
        holds the options and the warnings.

    Raises:
        InvalidSeriesError: A value, date, array length or option is malformed; the
            message names the argument.
    """
    y = _as_values(values)
    n = len(y)
    arrays = []
    for name, arr in (
        ("centre", centre),
        ("lower", lower),
        ("upper", upper),
        ("lower_2s", lower_2s),
        ("upper_2s", upper_2s),
    ):
        a = np.asarray(arr, dtype=float)
        if a.shape != (n,):
            raise InvalidSeriesError(f"{name}: expected {n} values, got shape {a.shape}")
        arrays.append(a)
    limits = PerPointLimits(*arrays)
    return _compute(y, _as_dates(dates, n), options, limits)


def _compute(
    y: np.ndarray, dates: np.ndarray | None, options: SpcOptions, limits: PerPointLimits | None
) -> pd.DataFrame:
    _validate_options(options, len(y))
    flat = _single_flat(y, dates, options)
    columns, warnings = _run_flat(flat, options, limits)
    return _frame(columns, options, [text for _, text in warnings])


def compute_xmr(
    values: pd.Series | Sequence[float],
    *,
    dates: pd.Series | None = None,
    options: SpcOptions = SpcOptions(),  # noqa: B008 - frozen dataclass, safe default
    limits: PerPointLimits | None = None,
) -> pd.DataFrame:
    """XmR chart: limits from the moving ranges, then the special-cause rules.

    Args:
        values: The measure, one value per period, in time order (NaN for missing;
            missing points are kept and never crash the rules).
        dates: Optional dates, one per value.
        options: Rules preset, improvement direction, target, phases, baseline and
            excluded points.
        limits: Per-point centre and limits computed elsewhere (p, u, c charts); when
            given they replace the XmR limits and only the rules run.

    Returns:
        One row per point with the columns listed in the module docstring; ``attrs``
        holds ``options``, ``rules`` and ``warnings``.

    Raises:
        InvalidSeriesError: A value or date cannot be read, ``fix_after_n_points`` is
            below 12, or ``phase_starts``/``excluded`` name positions outside the series
            (or leave a phase shorter than the preset allows).
    """
    y = _as_values(values)
    dates_arr = _as_dates(dates, len(y))
    if limits is not None:
        return apply_rules(
            y,
            limits.centre,
            limits.lower,
            limits.upper,
            limits.lower_2s,
            limits.upper_2s,
            options=options,
            dates=None if dates_arr is None else pd.Series(dates_arr),
        )
    return _compute(y, dates_arr, options, None)


def compute_mr(
    values: pd.Series | Sequence[float],
    options: SpcOptions = SpcOptions(),  # noqa: B008 - frozen dataclass, safe default
) -> pd.DataFrame:
    """Moving-range chart to accompany an XmR chart.

    Args:
        values: The measure, one value per period, in time order.
        options: Phases, baseline (``fix_after_n_points``) and excluded points are
            honoured; the mean mR is taken over the baseline of each phase.

    Returns:
        One row per point: ``idx``, ``phase``, ``value``, ``mr`` (NaN at a phase start
        and next to a gap), ``mean_mr``, ``ucl`` (``MR_UCL`` × mean mR), ``lcl`` (0)
        and ``above_ucl``.

    Raises:
        InvalidSeriesError: As :func:`compute_xmr`.
    """
    y = _as_values(values)
    _validate_options(options, len(y))
    flat = _single_flat(y, None, options)
    pos = _positions(flat.phase_start)
    seg = _segment_ids(flat.phase_start)
    mr = _moving_ranges(flat.value, pos)
    base = _moving_ranges(flat.y, pos)
    if options.fix_after_n_points is not None:
        base = np.where(pos < options.fix_after_n_points, base, np.nan)
    mean_mr = _segment_mean(base, seg, int(flat.phase_start.sum()))[seg] if len(y) else base
    ucl = MR_UCL * mean_mr
    with np.errstate(invalid="ignore"):
        above = mr > ucl
    return pd.DataFrame(
        {
            "idx": np.arange(len(y)),
            "phase": seg.astype(np.int64),
            "value": y,
            "mr": mr,
            "mean_mr": mean_mr,
            "ucl": ucl,
            "lcl": np.zeros(len(y)),
            "above_ucl": above,
        }
    )
