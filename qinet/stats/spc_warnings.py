"""Warnings about an XmR series: short phases, gaps, odd dates, a special baseline."""

from __future__ import annotations

import numpy as np

from qinet.stats.core import Flat, segment_ids, segment_positions
from qinet.stats.rules import SpcRules


def is_monthly(dates: np.ndarray | None) -> bool:
    """True when every date is the first of a month (reasons then name months)."""
    if dates is None:
        return False
    ok = dates[~np.isnat(dates)]
    if len(ok) == 0:
        return False
    days = ok.astype("datetime64[D]")
    return bool(np.all(days == days.astype("datetime64[M]").astype("datetime64[D]")))


def where_text(index: np.ndarray, limit: int = 5) -> str:
    """Positions as "3, 7, 9" (1-based), cut after ``limit`` with "and N more"."""
    shown = ", ".join(str(i + 1) for i in index[:limit])
    more = f" and {len(index) - limit} more" if len(index) > limit else ""
    return f"{shown}{more}"


def series_warnings(
    *,
    flat: Flat,
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
        has = f"Phase {phase[p] + 1} has {k} point{'' if k == 1 else 's'}"
        if not limits_shown[p]:
            msg = (
                f"{has} (n < {rules.min_points_for_limits}): "
                f"{rules.label} draws no process limits until there are "
                f"{rules.min_points_for_limits} points, so it is shown as a run chart."
            )
        else:
            msg = (
                f"{has} (n < {rules.short_group_warning_below}): "
                "its limits are trial limits and will change as points are added."
            )
        out.append((int(series[p]), msg))

    # missing values
    missing = np.isnan(flat.value)
    if missing.any():
        miss_series = series[missing]
        order = np.argsort(miss_series, kind="stable")  # one pass, not a scan per series
        keys, first = np.unique(miss_series[order], return_index=True)
        for s, where in zip(keys, np.split(local[missing][order], first[1:]), strict=True):
            out.append(
                (
                    int(s),
                    (
                        f"1 missing value (point {where_text(where)}) is left as a gap"
                        if len(where) == 1
                        else f"{len(where)} missing values (points {where_text(where)}) are "
                        "left as gaps"
                    )
                    + "; rule windows that include a gap do not signal.",
                )
            )

    if flat.dates is not None:
        out.extend(date_warnings(flat.dates, flat.series_start, series, monthly))

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


def date_warnings(
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


def baseline_warnings(
    flat: Flat, columns: dict[str, np.ndarray], fix_after_n_points: int | None
) -> list[tuple[int, str]]:
    """Warn where a frozen baseline itself contains special cause."""
    if fix_after_n_points is None or len(flat.y) == 0:
        return []
    pos = segment_positions(flat.phase_start)
    series = segment_ids(flat.series_start)
    hit = columns["special_cause_flag"] & (pos < fix_after_n_points)
    return [
        (
            int(s),
            f"The baseline (first {fix_after_n_points} points of a phase) contains special "
            "cause variation, so the frozen limits may not describe a stable process.",
        )
        for s in np.unique(series[hit])
    ]

