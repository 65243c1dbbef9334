"""Run charts: median centre line, runs and crossings, Anhøj and IHI rules.

Everything here is pure numpy/pandas and vectorised: one engine analyses any number of
groups (phases of one series, or thousands of series at once) without a Python loop per
point. The public entry points are:

* :func:`compute_run_chart` — one series, optional phases and baseline, either rule set;
* :func:`compute_run_chart_batch` — many series in one pass;
* :func:`anhoej_statistics` — the Anhøj numbers for one set of values around a centre;
* :func:`crossings_min` / :func:`runs_limits` — the critical values behind the rules.

**Anhøj rules** reproduce qicharts2 0.8.1 ``runs.analysis`` exactly: points on the centre
line and missing points are dropped first (``n_useful`` is what remains);
``longest_run_max = round(log2(n_useful)) + 3`` (R rounds halves to even, as numpy does);
``n_crossings_min = qbinom(0.05, n_useful - 1, 0.5)``; the signal is
``longest_run > longest_run_max or n_crossings < n_crossings_min``.

**IHI rules** follow Perla, Provost & Murray (2011), with these operational choices, which
qinet documents rather than hides:

* *Shift*: ``rules.shift`` or more consecutive points on one side of the median. Points on
  the median neither break nor count towards a shift; missing points are skipped.
* *Trend*: ``rules.trend`` or more consecutive points all going up or all going down.
  IHI convention: a repeated value neither counts nor breaks the trend (it is skipped).
  Missing values are skipped too. Every point inside the trend window is flagged.
* *Runs*: too few or too many runs for the number of useful observations (10–60), read
  from the **printed** Table 1 of Perla, Provost & Murray (2011), transcribed in
  :data:`IHI_RUNS_TABLE` (adapted there from Swed & Eisenhart 1943). Fewer runs than the
  lower limit, or more than the upper limit, signals; a count equal to a limit does not.
  The printed table is not an exact 5 % rule at every n, so it is transcribed, not
  computed. The exact Swed–Eisenhart computation is kept as a separately named function,
  :func:`swed_eisenhart_runs_limits`, and is not used by the IHI preset.
* *Astronomical point*: IHI leaves this to judgement ("a single point obviously different
  from all the others"). qinet marks a phase's single highest or single lowest point when
  the gap between it and the nearest other point is more than :data:`ASTRONOMICAL_Z` = 3.5
  robust standard deviations of the phase (IQR / 1.349; when the IQR is 0,
  1.2533 × the mean absolute deviation from the median). At most two points per phase can
  be marked, each isolated from every other point; a series that moves between levels
  marks nothing (its shift and runs are what the other rules see).
* *Ties with the centre line*: a point whose difference from the centre is below a
  billionth of the values' size (``TIE_RELATIVE``) is on the line, so float noise cannot
  move it: a frozen median of 87.1 and 87.3 held as 87.19999999999999 has a later 87.2 on
  it, not above it. Real differences, however small in the data's units, still count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from qinet.errors import InvalidSeriesError
from qinet.stats.core import group_median, phase_codes
from qinet.stats.run_limits import (
    ASTRONOMICAL_Z,
    IHI_RUNS_TABLE,
    IHI_RUNS_TABLE_MAX_N,
    IHI_RUNS_TABLE_MIN_N,
    IHI_RUNS_TABLE_SOURCE,
    astronomical_points,
    centre_sign,
    crossings_min,
    crossings_min_array,
    longest_run_max,
    runs_limits,
    swed_eisenhart_runs_limits,
)
from qinet.stats.run_reasons import anhoej_reasons, ihi_reasons

__all__ = [  # the run-chart API, including the critical values callers read from here
    "ASTRONOMICAL_Z",
    "IHI_RUNS_TABLE",
    "IHI_RUNS_TABLE_MAX_N",
    "IHI_RUNS_TABLE_MIN_N",
    "IHI_RUNS_TABLE_SOURCE",
    "AnhoejStats",
    "analyse_groups",
    "anhoej_statistics",
    "compute_run_chart",
    "compute_run_chart_batch",
    "crossings_min",
    "longest_run_max",
    "runs_limits",
    "swed_eisenhart_runs_limits",
]
from qinet.stats.rules import ANHOEJ, RunChartRules

# --- statistics for one set of values ------------------------------------------------------


@dataclass(frozen=True)
class AnhoejStats:
    """Anhøj runs analysis of one phase, as qicharts2 ``summary()`` reports it.

    Attributes:
        n_useful: Points neither missing nor on the centre line.
        longest_run: Longest run of useful points on one side (None when n_useful is 0).
        longest_run_max: Longest run expected (None when n_useful is 0).
        n_crossings: Times the (useful) series crosses the centre line (None when 0 useful).
        n_crossings_min: Fewest crossings expected (None when n_useful is 0).
        signal: ``longest_run > longest_run_max or n_crossings < n_crossings_min``.
    """

    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    signal: bool


def anhoej_statistics(values, centre, *, quantile: float = 0.05) -> AnhoejStats:
    """Anhøj runs analysis of ``values`` around ``centre`` (qicharts2 ``runs.analysis``).

    A view of :func:`compute_run_chart` — the function the pages use — for one phase with
    a given centre line, so checks against qicharts2 vouch for the product's path.

    Args:
        values: Sequence of numbers; NaN means missing.
        centre: The centre line: a scalar, or one (equal) value per point.
        quantile: Binomial quantile for the crossings rule (0.05 in qicharts2).

    Returns:
        The statistics; all None with ``signal=False`` when no point is useful.

    Raises:
        InvalidSeriesError: ``centre`` has a different length from ``values`` or varies.
    """
    y = np.asarray(values, dtype=float).ravel()
    if np.ndim(centre) == 0:
        c = float(centre)
    else:
        cl = np.asarray(centre, dtype=float).ravel()
        if cl.shape != y.shape:
            raise InvalidSeriesError(
                f"centre: length {cl.shape[0]} does not match values (length {y.shape[0]})"
            )
        known = cl[~np.isnan(cl)]
        if known.size and np.any(known != known[0]):
            raise InvalidSeriesError("centre: must be one value for the whole phase")
        c = float(known[0]) if known.size else np.nan
    rules = ANHOEJ if quantile == ANHOEJ.crossings_quantile else replace(
        ANHOEJ, crossings_quantile=quantile
    )
    rc = compute_run_chart(y, rules=rules, centre=c)
    n = int(rc["n_useful"].iloc[0]) if len(rc) else 0
    if n == 0:
        return AnhoejStats(0, None, None, None, None, False)
    first = rc.iloc[0]
    return AnhoejStats(
        n,
        int(first["longest_run"]),
        int(first["longest_run_max"]),
        int(first["n_crossings"]),
        int(first["n_crossings_min"]),
        bool(first["runs_signal"]),
    )


# --- the vectorised engine -----------------------------------------------------------------


def _group_starts(groups: np.ndarray) -> np.ndarray:
    """Boolean array: True where a new group starts (groups are contiguous)."""
    first = np.ones(groups.size, dtype=bool)
    if groups.size > 1:
        first[1:] = groups[1:] != groups[:-1]
    return first


def _run_structure(sign: np.ndarray, useful: np.ndarray, groups: np.ndarray, n_groups: int):
    """Runs of useful points with the same sign, within groups (points off the run get -1)."""
    pos = np.flatnonzero(useful)
    g_u = groups[pos]
    s_u = sign[pos]
    new = np.ones(pos.size, dtype=bool)
    if pos.size > 1:
        new[1:] = (g_u[1:] != g_u[:-1]) | (s_u[1:] != s_u[:-1])
    run_global = np.cumsum(new) - 1  # run number across all groups
    n_runs_total = int(new.sum())
    run_len = np.bincount(run_global, minlength=n_runs_total)
    run_group = g_u[new]
    run_start_pos = pos[new]
    run_end_pos = pos[np.append(np.flatnonzero(new)[1:] - 1, pos.size - 1)] if pos.size else pos
    # run number within its group
    group_first_run = np.full(n_groups, -1, dtype=np.int64)
    if n_runs_total:
        firsts = np.flatnonzero(_group_starts(run_group))
        group_first_run[run_group[firsts]] = firsts
    run_in_group = np.arange(n_runs_total) - group_first_run[run_group]
    n_useful = np.bincount(g_u, minlength=n_groups)
    n_runs = np.bincount(run_group, minlength=n_groups)
    longest = np.zeros(n_groups, dtype=np.int64)
    if n_runs_total:
        np.maximum.at(longest, run_group, run_len)
    point_run = np.full(sign.size, -1, dtype=np.int64)
    point_run[pos] = run_global
    return {
        "point_run": point_run,
        "run_len": run_len,
        "run_group": run_group,
        "run_sign": s_u[new] if pos.size else s_u,
        "run_start": run_start_pos,
        "run_end": run_end_pos,
        "run_in_group": run_in_group,
        "n_useful": n_useful,
        "n_runs": n_runs,
        "longest": longest,
    }


def _trend_flags(values: np.ndarray, groups: np.ndarray, trend: int):
    """IHI trend membership: ties and missing values are skipped (neither count nor break)."""
    n = values.size
    ok = ~np.isnan(values)
    pos = np.flatnonzero(ok)
    v = values[pos]
    g = groups[pos]
    keep = np.ones(pos.size, dtype=bool)
    if pos.size > 1:
        keep[1:] = (g[1:] != g[:-1]) | (v[1:] != v[:-1])
    kpos = pos[keep]
    kv = v[keep]
    kg = g[keep]
    flags = np.zeros(n, dtype=bool)
    windows: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    if kpos.size < 2:
        return flags, (np.empty(0, int), np.empty(0, int), np.empty(0, int), np.empty(0))
    d = np.sign(np.diff(kv))
    d[kg[1:] != kg[:-1]] = 0  # no trend across group boundaries
    new = np.ones(d.size, dtype=bool)
    new[1:] = d[1:] != d[:-1]
    run_id = np.cumsum(new) - 1
    run_len = np.bincount(run_id)  # diffs per run
    run_dir = d[new]
    hit = (run_dir != 0) & (run_len + 1 >= trend)
    diff_in = hit[run_id]
    kflag = np.zeros(kpos.size, dtype=bool)
    kflag[:-1] |= diff_in
    kflag[1:] |= diff_in
    # every original non-missing point maps to its kept representative; a repeated value is
    # inside the window when the diff leaving its representative is part of the trend
    rep = np.cumsum(keep) - 1
    rep_flag = kflag[rep]
    is_repeat = ~keep
    leaving = np.zeros(kpos.size, dtype=bool)
    leaving[:-1] = diff_in
    pflag = np.where(is_repeat, leaving[rep], rep_flag)
    flags[pos] = pflag
    # window description for reasons: start/end positions, number of distinct points, direction
    starts_d = np.flatnonzero(new)[hit]
    lens = run_len[hit]
    start_pos = kpos[starts_d]
    end_pos = kpos[starts_d + lens]
    windows.append((start_pos, end_pos, lens + 1, run_dir[hit]))
    return flags, windows[0]


def analyse_groups(
    values: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    centre: np.ndarray,
    rules: RunChartRules,
    date_labels: np.ndarray | None,
    with_reasons: bool = True,
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Analyse contiguous groups around a per-group centre; returns (point cols, group frame)."""
    cl = centre[groups]
    sign = centre_sign(values, cl, groups, n_groups)
    useful = ~np.isnan(sign) & (sign != 0)
    rs = _run_structure(sign, useful, groups, n_groups)
    n_useful = rs["n_useful"]
    point_run = rs["point_run"]
    run_in_group = np.full(values.size, -1, dtype=np.int64)
    member = point_run >= 0
    run_in_group[member] = rs["run_in_group"][point_run[member]]
    cols: dict[str, np.ndarray] = {
        "median": cl,
        "useful": useful,
        "run_id": run_in_group,
    }
    has = n_useful > 0
    per_group: dict[str, np.ndarray] = {"n_useful": n_useful}
    reason = np.full(values.size, "", dtype=object) if with_reasons else None
    if rules.method == "anhoej":
        lmax = np.full(n_groups, np.nan)
        lmax[has] = np.round(np.log2(n_useful[has])) + 3
        cmin = np.full(n_groups, np.nan)
        cmin[has] = crossings_min_array(n_useful[has], rules.crossings_quantile)
        longest = np.where(has, rs["longest"], np.nan)
        ncross = np.where(has, np.maximum(rs["n_runs"] - 1, 0), np.nan)
        long_sig = has & (longest > lmax)
        cross_sig = has & (ncross < cmin)
        signal = long_sig | cross_sig
        per_group.update(
            longest_run=longest,
            longest_run_max=lmax,
            n_crossings=ncross,
            n_crossings_min=cmin,
            runs_signal=signal,
        )
        too_long_run = rs["run_len"] > lmax[rs["run_group"]]
        in_long = np.zeros(values.size, dtype=bool)
        in_long[point_run >= 0] = too_long_run[point_run[point_run >= 0]]
        for name in ("longest_run", "longest_run_max", "n_crossings", "n_crossings_min"):
            cols[name] = per_group[name][groups]
        cols["runs_signal"] = signal[groups]
        cols["in_long_run"] = in_long
        cols["non_random"] = cross_sig[groups]
        cols["signal"] = signal[groups]
        if with_reasons:
            anhoej_reasons(
                reason,
                rs,
                too_long_run,
                lmax,
                n_useful,
                ncross,
                cmin,
                cross_sig,
                groups,
                date_labels,
            )
    else:
        _ihi(values, groups, n_groups, cl, rs, rules, cols, per_group, reason, date_labels)
    if with_reasons:
        cols["reason"] = reason
    return cols, pd.DataFrame(per_group)


def _ihi(values, groups, n_groups, cl, rs, rules, cols, per_group, reason, date_labels) -> None:
    n_useful = rs["n_useful"]
    pr = rs["point_run"]
    # shift: runs of useful points (points on the median skipped) of length >= shift
    shift_run = rs["run_len"] >= rules.shift
    rule_shift = np.zeros(values.size, dtype=bool)
    rule_shift[pr >= 0] = shift_run[pr[pr >= 0]]
    # trend
    rule_trend, (t_start, t_end, t_len, t_dir) = _trend_flags(values, groups, rules.trend)
    # runs table
    lower = np.full(n_groups, np.nan)
    upper = np.full(n_groups, np.nan)
    for u in np.unique(n_useful):
        lim = runs_limits(int(u))
        if lim is not None:
            sel = n_useful == u
            lower[sel], upper[sel] = lim
    n_runs = np.where(n_useful > 0, rs["n_runs"], np.nan)
    too_few = n_runs < lower
    too_many = n_runs > upper
    runs_sig = too_few | too_many
    # astronomical: a lone extreme far from every other point of its phase
    rule_astro, astro_gap = astronomical_points(values, groups, n_groups)
    per_group.update(
        n_runs=n_runs,
        runs_lower=lower,
        runs_upper=upper,
        rule_runs=runs_sig,
    )
    cols["n_runs"] = n_runs[groups]
    cols["runs_lower"] = lower[groups]
    cols["runs_upper"] = upper[groups]
    cols["rule_shift"] = rule_shift
    cols["rule_trend"] = rule_trend
    cols["rule_runs"] = runs_sig[groups]
    cols["rule_astronomical"] = rule_astro
    cols["non_random"] = runs_sig[groups]
    trend_dir = np.zeros(values.size, dtype=np.int8)
    t_idx = np.flatnonzero(rule_trend)
    if t_idx.size:
        trend_dir[t_idx] = t_dir[np.searchsorted(t_start, t_idx, side="right") - 1]
    cols["trend_direction"] = trend_dir
    cols["signal"] = rule_shift | rule_trend | runs_sig[groups] | rule_astro
    if reason is None:
        return
    ihi_reasons(
        reason,
        rs,
        rules,
        shift_run=shift_run,
        rule_shift=rule_shift,
        rule_trend=rule_trend,
        trend_windows=(t_start, t_end, t_len, t_dir),
        runs_info=(runs_sig, too_few, n_runs, lower, upper, n_useful),
        groups=groups,
        n_groups=n_groups,
        astro=(rule_astro, astro_gap),
        date_labels=date_labels,
    )


# --- public API ----------------------------------------------------------------------------


def compute_run_chart(
    values,
    *,
    dates=None,
    rules: RunChartRules = ANHOEJ,
    phase_starts: tuple[int, ...] = (),
    baseline_n: int | None = None,
    centre: float | None = None,
) -> pd.DataFrame:
    """Run chart of one series: median centre line per phase and the chosen run-chart rules.

    Args:
        values: The series in time order; NaN means missing.
        dates: Optional dates, one per value, used in ``reason`` texts.
        rules: ``ANHOEJ`` (qicharts2 semantics) or ``IHI``.
        phase_starts: 0-based positions where a new phase starts. Medians and rules are
            computed separately per phase.
        baseline_n: Compute the median from the first ``baseline_n`` points only (qicharts2
            ``freeze``); the rules still use every point. Ignored when ``phase_starts`` is
            given (as qicharts2 ignores ``freeze`` with ``part``), with a warning.
        centre: A fixed centre line instead of the median.

    Returns:
        One row per point with columns ``idx`` (0-based position), ``date``, ``value``,
        ``phase`` (0-based), ``baseline``, ``median`` (centre line), ``useful``, ``run_id``
        (run number within the phase, <NA> for points that are not useful), ``n_useful``,
        then for Anhøj ``longest_run``, ``longest_run_max``, ``n_crossings``,
        ``n_crossings_min``, ``runs_signal`` (per phase), ``in_long_run`` (points of a run
        longer than ``longest_run_max``); for IHI ``n_runs``, ``runs_lower``, ``runs_upper``,
        ``rule_shift``, ``rule_trend``, ``rule_runs``, ``rule_astronomical``; and in both
        ``signal`` and ``reason`` (plain English, empty when the point does not signal).
        ``attrs["rules"]`` holds the rule set and ``attrs["warnings"]`` a list of strings.

    Raises:
        InvalidSeriesError: ``dates`` has the wrong length, ``phase_starts`` is out of range
            or unordered, ``baseline_n`` is below 1, or ``rules.method`` is unknown.
    """
    y = np.asarray(values, dtype=float).ravel()
    n = y.size
    if rules.method not in ("anhoej", "ihi"):
        raise InvalidSeriesError(f"rules: unknown method {rules.method!r}")
    date_labels = None
    date_col = None
    if dates is not None:
        date_col = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
        if len(date_col) != n:
            raise InvalidSeriesError(
                f"dates: length {len(date_col)} does not match values (length {n})"
            )
        day = date_col.dt.day.astype("Int64").astype(str)
        labels = day + " " + date_col.dt.strftime("%b %Y")  # "1 Jan 2024" on every platform
        date_labels = labels.where(date_col.notna(), "missing date").to_numpy(object)
    warnings: list[str] = []
    phase = phase_codes(n, tuple(phase_starts))
    n_phases = int(phase[-1]) + 1 if n else 0
    baseline = np.ones(n, dtype=bool)
    if baseline_n is not None:
        if baseline_n < 1:
            raise InvalidSeriesError(f"baseline_n: must be at least 1, got {baseline_n}")
        if phase_starts:
            warnings.append("baseline_n is ignored when phases are given (as qicharts2 freeze).")
        else:
            baseline = np.arange(n) < baseline_n
    if centre is not None:
        cl = np.full(n_phases, float(centre))
    else:
        cl = group_median(y, baseline, phase, n_phases)
    cols, per_phase = analyse_groups(y, phase, n_phases, cl, rules, date_labels)
    if rules.method == "ihi":
        out_of_table = (per_phase["n_useful"] < IHI_RUNS_TABLE_MIN_N) | (
            per_phase["n_useful"] > IHI_RUNS_TABLE_MAX_N
        )
        for p in np.flatnonzero(out_of_table.to_numpy()):
            warnings.append(
                f"Phase {p + 1}: the runs rule needs 10–60 useful points "
                f"(there are {int(per_phase['n_useful'].iloc[p])}); it was not applied."
            )
    frame = pd.DataFrame(
        {
            "idx": np.arange(n),
            "date": date_col if date_col is not None else pd.Series([pd.NaT] * n),
            "value": y,
            "phase": phase,
            "baseline": baseline,
        }
    )
    for k, v in cols.items():
        frame[k] = v
    frame["run_id"] = pd.array(np.where(cols["run_id"] >= 0, cols["run_id"], 0), dtype="Int64")
    frame.loc[cols["run_id"] < 0, "run_id"] = pd.NA
    frame.insert(
        frame.columns.get_loc("run_id") + 1, "n_useful", per_phase["n_useful"].to_numpy()[phase]
    )
    frame = _int_columns(frame)
    frame.attrs["rules"] = rules
    frame.attrs["warnings"] = warnings
    return frame


_INT_COLS = (
    "longest_run",
    "longest_run_max",
    "n_crossings",
    "n_crossings_min",
    "n_runs",
    "runs_lower",
    "runs_upper",
)


def _int_columns(frame: pd.DataFrame) -> pd.DataFrame:
    for c in _INT_COLS:
        if c in frame:
            frame[c] = pd.array(np.round(frame[c].to_numpy(dtype=float)), dtype="Float64").astype(
                "Int64"
            )
    return frame


def compute_run_chart_batch(
    frame: pd.DataFrame, rules: RunChartRules = ANHOEJ
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run charts for many series in one vectorised pass (median of each whole series).

    Args:
        frame: Columns ``series_id``, ``idx`` and ``value``; one row per point. Rows are
            sorted by ``series_id`` then ``idx`` before analysis.
        rules: ``ANHOEJ`` or ``IHI``.

    Returns:
        ``(points, per_series)``. ``points`` has ``series_id``, ``idx``, ``value`` and the
        per-point columns of :func:`compute_run_chart` except ``date`` and ``reason``;
        ``per_series`` has one row per series with ``series_id``, ``median``, ``n_useful``
        and the per-phase statistics of the chosen rules.

    Raises:
        InvalidSeriesError: A required column is missing.
    """
    missing = {"series_id", "idx", "value"} - set(frame.columns)
    if missing:
        raise InvalidSeriesError(f"frame: missing column(s) {sorted(missing)}")
    df = frame[["series_id", "idx", "value"]].sort_values(["series_id", "idx"], kind="stable")
    codes, uniques = pd.factorize(df["series_id"], sort=False)
    codes = np.asarray(codes, dtype=np.int64)
    n_groups = len(uniques)
    y = df["value"].to_numpy(dtype=float)
    # after sorting by series_id, factorize codes are contiguous and increasing
    med = group_median(y, np.ones(y.size, dtype=bool), codes, n_groups)
    cols, per = analyse_groups(y, codes, n_groups, med, rules, None, with_reasons=False)
    points = pd.DataFrame(
        {"series_id": df["series_id"].to_numpy(), "idx": df["idx"].to_numpy(), "value": y}
    )
    for k, v in cols.items():
        points[k] = v
    points["run_id"] = np.where(cols["run_id"] >= 0, cols["run_id"], -1)
    per.insert(0, "series_id", uniques)
    per.insert(1, "median", med)
    return points, per
