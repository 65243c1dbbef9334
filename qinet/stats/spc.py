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
  e.g. ``"6 points in a row above the mean (Mar 2024 to Aug 2024)"``; empty otherwise.
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

from qinet.domain import ImprovementDirection
from qinet.errors import InvalidSeriesError
from qinet.stats.core import (
    DIRECTION_SIGN,
    Flat,
    PerPointLimits,
    moving_ranges,
    segment_ids,
    segment_mean,
    segment_positions,
    xmr_limits,
)
from qinet.stats.rules import (
    MDC_2024,
    MR_UCL,
    SpcRules,
)
from qinet.stats.spc_reasons import reason_texts
from qinet.stats.spc_rules import (
    CODE_COMMON,
    POINT_TYPES,
    find_outside,
    find_shift,
    find_trend,
    find_two_of_three,
    point_type_codes,
    special_cause_codes,
    type_labels,
)
from qinet.stats.spc_warnings import baseline_warnings, is_monthly, series_warnings, where_text

MIN_FIX_AFTER_N_POINTS = 12  # ptd_spc: fix_after_n_points must be >= 12

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


# --- pipeline over flat arrays ------------------------------------------------------------


def flat_frame(
    flat: Flat,
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
    pos = segment_positions(flat.phase_start)
    seg = segment_ids(flat.phase_start)
    n_seg = int(flat.phase_start.sum())
    series = segment_ids(flat.series_start)
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

    outside = find_outside(y, lower, upper)
    with np.errstate(invalid="ignore"):
        above_upper = y > upper
        rtm = np.sign(y - centre)
        beyond_2s = (y < lower_2s) | (y > upper_2s)
    close = beyond_2s if rules.two_of_three_counts_beyond_limits else beyond_2s & ~outside
    shift = find_shift(rtm, rules.shift, pos)
    rising, falling = find_trend(y, rules.trend, pos)
    if rules.two_of_three:
        two, fires = find_two_of_three(close, rtm, pos)
    else:
        two = fires = np.zeros(n, dtype=bool)
    codes = special_cause_codes(outside, above_upper, rising, falling, y, pos, two, shift, rtm)
    pt = point_type_codes(codes, flat.direction)
    monthly = is_monthly(flat.dates)
    reason = reason_texts(
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
        "mr": mr if mr is not None else moving_ranges(flat.value, pos),
        "limits_shown": limits_shown,
        "short_group_warning": short,
        "outside_limits": outside,
        "relative_to_mean": rtm,
        "close_to_limits": close,
        "rule_outside": outside,
        "rule_shift": shift,
        "rule_trend": rising | falling,
        "rule_two_of_three": two,
        "special_cause_type": type_labels(rules)[codes],
        "special_cause_flag": codes != CODE_COMMON,
        "point_type": POINT_TYPES[pt],
        "reason": reason,
        "target": flat.target,
    }
    warnings = series_warnings(
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


def _xmr_limits_flat(
    flat: Flat, *, screen: bool, fix_after_n_points: int | None
) -> PerPointLimits:
    """XmR limits for every phase of every series in ``flat``."""
    pos = segment_positions(flat.phase_start)
    baseline = None if fix_after_n_points is None else pos < fix_after_n_points
    return xmr_limits(flat.y, pos, screen=screen, baseline=baseline)


def run_flat(
    flat: Flat, options: SpcOptions, limits: PerPointLimits | None
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
    columns, warnings = flat_frame(flat, lim, options.rules, mr=None, centre_name=centre_name)
    warnings.extend(baseline_warnings(flat, columns, options.fix_after_n_points))
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
            f"values: point {where_text(np.flatnonzero(bad))} is infinite; "
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


def validate_options(options: SpcOptions, n: int) -> None:
    """Refuse options that cannot apply to a series of ``n`` points, naming the option."""
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


def _single_flat(y: np.ndarray, dates: np.ndarray | None, options: SpcOptions) -> Flat:
    n = len(y)
    series_start = np.zeros(n, dtype=bool)
    if n:
        series_start[0] = True
    phase_start = series_start.copy()
    phase_start[[p for p in options.phase_starts if 0 <= p < n]] = True
    excluded = np.zeros(n, dtype=bool)
    excluded[[p for p in options.excluded if 0 <= p < n]] = True
    target = np.nan if options.target is None else float(options.target)
    return Flat(
        y=np.where(excluded, np.nan, y),
        value=y,
        series_start=series_start,
        phase_start=phase_start,
        excluded=excluded,
        direction=np.full(n, DIRECTION_SIGN[options.improvement_direction], dtype=np.int8),
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
    validate_options(options, len(y))
    flat = _single_flat(y, dates, options)
    columns, warnings = run_flat(flat, options, limits)
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
    validate_options(options, len(y))
    flat = _single_flat(y, None, options)
    pos = segment_positions(flat.phase_start)
    seg = segment_ids(flat.phase_start)
    mr = moving_ranges(flat.value, pos)
    base = moving_ranges(flat.y, pos)
    if options.fix_after_n_points is not None:
        base = np.where(pos < options.fix_after_n_points, base, np.nan)
    mean_mr = segment_mean(base, seg, int(flat.phase_start.sum()))[seg] if len(y) else base
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
