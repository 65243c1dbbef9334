"""The Overview's icon summary matrix: every measure's state in one vectorised pass.

:func:`summary_matrix` gives, for *many* measures at once, what
:func:`qinet.stats.measure.analyse_measure` gives for one (its ``MeasureSummary``):
the variation and assurance icons, the last value, the centre and limits at the last
point, and the latest signal with its date. It reproduces ``analyse_measure``'s choices
exactly, so the matrix and the Measures page never disagree:

* ``xmr`` → XmR limits (mean ± 2.66 × mean mR, per phase, optionally fixed on the
  measure's ``baseline_points``) then the special-cause rules;
* ``p``, ``u``, ``c`` → qicharts2 per-point limits (:mod:`qinet.stats.limits`, p and u
  from numerator / denominator, c = mean ± 3√mean) then the *same* rule pipeline, with
  every series start (and every confirmed phase break) a segment boundary;
* ``run`` → median and the run-chart rules (:mod:`qinet.stats.runchart`);
* an SPC measure with fewer plotted points than the preset's ``min_points_for_limits``
  falls back to a run chart under ``FALLBACK_RUN_RULES`` (variation "not enough data");
* phase breaks are dates: each starts a phase at the first period on or after it; for
  SPC charts a break that would leave a phase shorter than the preset's
  ``min_points_per_phase`` is skipped, greedily in date order, as ``analyse_measure``.

"One pass" means one call of each engine over the concatenated series of every
measure that uses it (at most: XmR, attribute charts, run charts, each split by whether
the series is monthly, because reason texts name months for monthly series and days
otherwise) — no Python loop over measures or points.

Deliberate differences from ``analyse_measure``: no points are excluded (exclusions
are a per-chart choice on the Measures page), and a p/u measure whose periods all lack
a denominator is reported as "not enough data" rather than raising, so one bad
measure never blanks the matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qinet.domain import AssuranceState, ChartType, ImprovementDirection, VariationState
from qinet.stats import limits as limits_mod
from qinet.stats.core import (
    DIRECTION_SIGN,
    Flat,
    PerPointLimits,
    group_median,
    segment_ids,
    segment_positions,
    xmr_limits,
)
from qinet.stats.measure import FALLBACK_RUN_RULES
from qinet.stats.rules import (
    ANHOEJ,
    MDC_2024,
    RunChartRules,
    SpcRules,
)
from qinet.stats.runchart import analyse_groups
from qinet.stats.runstates import run_sides, run_variation
from qinet.stats.spc import flat_frame
from qinet.stats.summary import batch_summary

MATRIX_COLUMNS = (
    "measure_id",
    "chart",
    "drawn_as",
    "n",
    "n_points",
    "last_value",
    "last_date",
    "centre",
    "lower",
    "upper",
    "target",
    "direction",
    "variation",
    "assurance",
    "special_points",
    "latest_signal_reason",
    "latest_signal_date",
)
"""Columns of :func:`summary_matrix`, in order (one row per measure)."""

_VALUE_CHARTS = (limits_mod.Chart.C, limits_mod.Chart.T, limits_mod.Chart.G)
_LIMIT_KEYS = ("cl", "lcl", "ucl", "lcl_95", "ucl_95")


def _series_layout(codes: np.ndarray, n_series: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(series_start flags, first row of each series, rows per series) for sorted codes."""
    n = len(codes)
    start = np.ones(n, dtype=bool)
    if n > 1:
        start[1:] = codes[1:] != codes[:-1]
    counts = np.bincount(codes, minlength=n_series)
    first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return start, first, counts


def _break_positions(
    codes: np.ndarray, day: np.ndarray, first: np.ndarray, counts: np.ndarray,
    break_codes: np.ndarray, break_day: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(series code, local position) of each break: first period on or after its date."""
    if len(break_codes) == 0 or len(codes) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # one sorted key over all series: (series code, day); breaks are looked up in it
    span = int(max(day.max(initial=0), break_day.max(initial=0))) + 1
    key = codes.astype(np.int64) * span + day
    bkey = break_codes.astype(np.int64) * span + break_day
    pos = np.searchsorted(key, bkey, side="left") - first[break_codes]
    ok = (pos > 0) & (pos < counts[break_codes])
    pairs = np.unique(np.stack([break_codes[ok], pos[ok]], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


def _accept_breaks(
    b_series: np.ndarray, b_pos: np.ndarray, counts: np.ndarray, minimum: int
) -> np.ndarray:
    """Breaks kept: greedily, every phase at least ``minimum`` points (as analyse_measure)."""
    keep = np.ones(len(b_series), dtype=bool)
    if not minimum:
        return keep
    last_series, last = -1, 0
    for i, (s, p) in enumerate(zip(b_series, b_pos, strict=True)):  # breaks are few
        if s != last_series:
            last_series, last = s, 0
        if p - last < minimum or counts[s] - p < minimum:
            keep[i] = False
            continue
        last = p
    return keep


def _monthly_series(day_dt: np.ndarray, codes: np.ndarray, n_series: int) -> np.ndarray:
    """True for series whose every date is the first of a month (reasons then name months)."""
    d = day_dt.astype("datetime64[D]")
    on_first = d == d.astype("datetime64[M]").astype("datetime64[D]")
    not_first = np.bincount(codes, weights=~on_first, minlength=n_series)
    has = np.bincount(codes, minlength=n_series) > 0
    return (not_first == 0) & has


def _date_labels(dates: np.ndarray) -> np.ndarray:
    """``"1 Jan 2024"`` labels, as :func:`qinet.stats.runchart.compute_run_chart` writes them."""
    # Format each distinct date once: thousands of series share a few hundred periods.
    codes, uniques = pd.factorize(pd.to_datetime(dates))
    ts = pd.Series(uniques)
    labels = (ts.dt.day.astype(str) + " " + ts.dt.strftime("%b %Y")).to_numpy(dtype=object)
    out = np.full(len(codes), None, dtype=object)
    known = codes >= 0
    out[known] = labels[codes[known]]
    return out


def _spc_block(
    rows: np.ndarray, cols: dict[str, np.ndarray], kind_of_row: np.ndarray, fix_of_row: np.ndarray,
    rules: SpcRules, centre_name: str,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Limits and rules for one block of whole series; returns (columns, starts, phases, dir)."""
    series_start = cols["series_start"][rows]
    phase_start = cols["phase_start"][rows] | series_start
    y = cols["y"][rows]
    direction = cols["direction"][rows]
    flat = Flat(
        y=y,
        value=y,
        series_start=series_start,
        phase_start=phase_start,
        excluded=np.zeros(len(rows), dtype=bool),
        direction=direction,
        target=cols["target"][rows],
        dates=cols["date"][rows],
    )
    pos = segment_positions(phase_start)
    fix = fix_of_row[rows]
    base = fix < 0  # no baseline: every point is in it
    base |= pos < fix
    if centre_name == "mean":
        # the one XmR implementation, with the baseline (fix_after_n_points) per series
        lim = xmr_limits(y, pos, screen=rules.screen_moving_ranges, baseline=base)
    else:
        seg = segment_ids(phase_start)
        out = {k: np.full(len(rows), np.nan) for k in _LIMIT_KEYS}
        kinds = kind_of_row[rows]
        for kind in np.unique(kinds):
            sel = kinds == kind
            chart = limits_mod.LIMIT_CHART[ChartType(kind)]
            # segments are contiguous; renumber those in this chart type 0..k-1
            seg_sel = seg[sel]
            _, g = np.unique(seg_sel, return_inverse=True)
            ng = int(g.max()) + 1 if len(g) else 0
            if chart in _VALUE_CHARTS:
                yy, nn = cols["y"][rows][sel], None
            else:
                yy, nn = cols["numerator"][rows][sel], cols["denominator"][rows][sel]
            res = limits_mod.compute_limits(chart, yy, nn, g.astype(np.int64), ng, base[sel], True)
            for k in _LIMIT_KEYS:
                v = np.asarray(res[k], dtype=float)
                v[~np.isfinite(v)] = np.nan
                out[k][sel] = v
        lim = PerPointLimits(out["cl"], out["lcl"], out["ucl"], out["lcl_95"], out["ucl_95"])
    columns, series_warnings = flat_frame(
        flat, lim, rules, mr=None, centre_name=centre_name, latest_reasons_only=True
    )
    return columns, series_start, phase_start, direction


def _run_block(
    rows: np.ndarray, cols: dict[str, np.ndarray], fix_of_row: np.ndarray, rules: RunChartRules
) -> dict[str, np.ndarray]:
    """Median and run-chart rules for one block of whole series; per-point columns."""
    series_start = cols["series_start"][rows]
    phase_start = cols["phase_start"][rows] | series_start
    y = cols["y"][rows]
    groups = segment_ids(phase_start)
    n_groups = int(phase_start.sum())
    pos = segment_positions(series_start)
    fix = fix_of_row[rows]
    baseline = (fix < 0) | (pos < fix)
    centre = group_median(y, baseline, groups, n_groups)
    out, _per = analyse_groups(y, groups, n_groups, centre, rules, _date_labels(cols["date"][rows]))
    out["side"] = run_sides({**out, "value": y})
    out["special"] = out["side"] != 0
    return out


def _empty_matrix() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in MATRIX_COLUMNS})


def summary_matrix(
    measures: pd.DataFrame,
    observations: pd.DataFrame,
    phase_breaks: pd.DataFrame | None = None,
    *,
    spc_rules: SpcRules = MDC_2024,
    run_rules: RunChartRules = ANHOEJ,
) -> pd.DataFrame:
    """Variation, assurance, last value and latest signal for many measures at once.

    Args:
        measures: One row per measure: ``measure_id``, ``chart_type``,
            ``improvement_direction``, ``target`` (NaN/None for none; on the displayed
            scale), ``baseline_points`` (NaN/None for none) and optionally
            ``multiplier`` (a rate shown per 1,000: the rules run on the raw rate and
            ``last_value``, ``centre``, ``lower`` and ``upper`` are multiplied).
        observations: One row per period: ``measure_id``, ``period_start``, ``value``,
            ``numerator``, ``denominator`` (any order; rows of other measures ignored).
        phase_breaks: Confirmed phase breaks: ``measure_id``, ``on_date``.
        spc_rules: Rules for XmR, p, u and c charts.
        run_rules: Rules for run-chart measures (short SPC measures always use
            ``FALLBACK_RUN_RULES``, as the Measures page does).

    Returns:
        One row per measure, in the order of ``measures``, with :data:`MATRIX_COLUMNS`:
        ``chart`` (the measure's chart type) and ``drawn_as`` (``"run"`` when it fell
        back), ``n`` periods and ``n_points`` plotted, ``last_value`` and ``last_date``,
        ``centre``/``lower``/``upper`` at the last point (limits NaN for run charts),
        ``target``, ``direction``, ``variation`` and ``assurance`` (the states' string
        values), ``special_points`` and ``latest_signal_reason``/``latest_signal_date``.
    """
    if measures.empty:
        return _empty_matrix()
    m = measures.reset_index(drop=True)
    ids = pd.Index(m["measure_id"])
    n_series = len(ids)
    chart_of = np.array([ChartType(str(c)).value for c in m["chart_type"]], dtype=object)
    dir_of = np.array(
        [DIRECTION_SIGN[ImprovementDirection(str(d))] for d in m["improvement_direction"]],
        dtype=np.int8,
    )
    target_of = pd.to_numeric(m["target"], errors="coerce").to_numpy(dtype=float)
    mult_of = (
        pd.to_numeric(m["multiplier"], errors="coerce").fillna(1).to_numpy(dtype=float)
        if "multiplier" in m
        else np.ones(len(m))
    )
    bp = pd.to_numeric(m["baseline_points"], errors="coerce").to_numpy(dtype=float)

    obs = observations[observations["measure_id"].isin(ids)]
    code = ids.get_indexer(obs["measure_id"])
    day = pd.to_datetime(obs["period_start"]).to_numpy(dtype="datetime64[ns]")
    order = np.lexsort((day, code))
    code, day = code[order], day[order]
    chart_row = chart_of[code]
    needs_den = np.isin(chart_row, [ChartType.P.value, ChartType.U.value])
    value = pd.to_numeric(obs["value"], errors="coerce").to_numpy(dtype=float)[order]
    num = pd.to_numeric(obs["numerator"], errors="coerce").to_numpy(dtype=float)[order]
    den = pd.to_numeric(obs["denominator"], errors="coerce").to_numpy(dtype=float)[order]
    with np.errstate(invalid="ignore", divide="ignore"):
        prop = np.where(den > 0, num / den, np.nan)
    y = np.where(needs_den, prop, value)

    series_start, first, counts = _series_layout(code, n_series)
    n_points = np.bincount(code, weights=~np.isnan(y), minlength=n_series).astype(np.int64)
    spc_chart = chart_of != ChartType.RUN.value
    fell_back = spc_chart & (n_points < spc_rules.min_points_for_limits)
    uses_spc = spc_chart & ~fell_back

    # phase breaks → (series, local position); SPC charts keep only those leaving long phases
    phase_start = np.zeros(len(code), dtype=bool)
    has_breaks = np.zeros(n_series, dtype=bool)
    if phase_breaks is not None and len(phase_breaks):
        pb = phase_breaks[phase_breaks["measure_id"].isin(ids)]
        b_code = ids.get_indexer(pb["measure_id"])
        b_day = pd.to_datetime(pb["on_date"]).to_numpy(dtype="datetime64[ns]")
        b_series, b_pos = _break_positions(
            code,
            day.astype("datetime64[D]").astype(np.int64),
            first,
            counts,
            b_code,
            b_day.astype("datetime64[D]").astype(np.int64),
        )
        keep = np.where(
            uses_spc[b_series],
            _accept_breaks(b_series, b_pos, counts, spc_rules.min_points_per_phase),
            True,
        )
        b_series, b_pos = b_series[keep], b_pos[keep]
        phase_start[first[b_series] + b_pos] = True
        has_breaks[b_series] = True

    # baseline (fixed limits / frozen median): only without phase breaks and shorter than n
    fix_series = np.where(
        ~np.isnan(bp) & (bp > 0) & ~has_breaks & (bp < counts), bp, -1
    ).astype(np.int64)
    fix_of_row = fix_series[code]

    cols = {
        "y": y,
        "numerator": np.where(chart_row == ChartType.C.value, value, num),
        "denominator": den,
        "series_start": series_start,
        "phase_start": phase_start,
        "direction": dir_of[code],
        "target": (target_of / mult_of)[code],
        "date": day,
    }
    monthly = _monthly_series(day, code, n_series)[code] if len(code) else np.zeros(0, bool)
    row_spc = uses_spc[code]
    is_xmr = chart_row == ChartType.XMR.value

    out = {
        "variation": np.full(n_series, VariationState.NOT_ENOUGH_DATA.value, dtype=object),
        "assurance": np.full(n_series, AssuranceState.NO_TARGET.value, dtype=object),
        "last_value": np.full(n_series, np.nan),
        "last_date": np.full(n_series, np.datetime64("NaT", "ns")),
        "centre": np.full(n_series, np.nan),
        "lower": np.full(n_series, np.nan),
        "upper": np.full(n_series, np.nan),
        "special_points": np.zeros(n_series, dtype=np.int64),
        "latest_signal_reason": np.full(n_series, "", dtype=object),
        "latest_signal_date": np.full(n_series, np.datetime64("NaT", "ns")),
    }

    # --- SPC blocks: XmR and attribute charts, monthly and not ---------------------------
    for is_x, centre_name in ((True, "mean"), (False, "centre line")):
        for month in (True, False):
            rows = np.flatnonzero(row_spc & (is_xmr == is_x) & (monthly == month))
            if len(rows) == 0:
                continue
            res, s_start, p_start, direction = _spc_block(
                rows, cols, chart_row, fix_of_row, spc_rules, centre_name
            )
            summ = batch_summary(res, s_start, p_start, direction, [])
            which = code[rows][s_start]
            out["variation"][which] = [str(getattr(v, "value", v)) for v in summ["variation"]]
            out["assurance"][which] = [str(getattr(a, "value", a)) for a in summ["assurance"]]
            out["last_value"][which] = summ["last_value"]
            out["last_date"][which] = summ["last_date"]
            out["centre"][which] = summ["mean"]
            out["lower"][which] = summ["lpl"]
            out["upper"][which] = summ["upl"]
            out["latest_signal_reason"][which] = summ["latest_signal_reason"]
            out["latest_signal_date"][which] = summ["latest_signal_date"]
            series_local = segment_ids(s_start)
            out["special_points"][which] = np.bincount(
                series_local, weights=res["special_cause_flag"], minlength=len(which)
            ).astype(np.int64)

    # --- run-chart blocks: run measures and SPC measures that fell back ---------------------
    run_rows_rules = [(code_mask, rules) for code_mask, rules in (
        (chart_row == ChartType.RUN.value, run_rules),
        (fell_back[code], FALLBACK_RUN_RULES),
    )]  # fmt: skip
    if run_rules == FALLBACK_RUN_RULES:
        run_rows_rules = [(run_rows_rules[0][0] | run_rows_rules[1][0], run_rules)]
    for mask, rules in run_rows_rules:
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            continue
        res = _run_block(rows, cols, fix_of_row, rules)
        s_start = series_start[rows]
        local_series = segment_ids(s_start)
        which = code[rows][s_start]
        last = np.append(np.flatnonzero(s_start)[1:] - 1, len(rows) - 1)
        out["last_value"][which] = y[rows][last]
        out["last_date"][which] = day[rows][last]
        out["centre"][which] = res["median"][last]
        out["variation"][which] = np.where(
            fell_back[which],
            VariationState.NOT_ENOUGH_DATA.value,
            run_variation(res["side"][last], res["non_random"][last], dir_of[which]),
        )
        out["special_points"][which] = np.bincount(
            local_series, weights=res["special"], minlength=len(which)
        ).astype(np.int64)
        flagged = res["reason"].astype(str) != ""
        marker = np.where(flagged, np.arange(len(rows)), -1)
        latest = np.maximum.reduceat(marker, np.flatnonzero(s_start))
        has = latest >= 0
        safe = np.where(has, latest, 0)
        out["latest_signal_reason"][which] = np.where(has, res["reason"][safe], "")
        out["latest_signal_date"][which] = np.where(
            has, day[rows][safe], np.datetime64("NaT", "ns")
        )

    for key in ("last_value", "centre", "lower", "upper"):  # displayed scale, after the rules
        out[key] = out[key] * mult_of
    return pd.DataFrame(
        {
            "measure_id": ids.to_numpy(),
            "chart": chart_of,
            "drawn_as": np.where(fell_back, ChartType.RUN.value, chart_of),
            "n": counts.astype(np.int64),
            "n_points": n_points,
            "last_value": out["last_value"],
            "last_date": pd.to_datetime(out["last_date"]),
            "centre": out["centre"],
            "lower": out["lower"],
            "upper": out["upper"],
            "target": target_of,
            "direction": np.array(
                [ImprovementDirection(str(d)).value for d in m["improvement_direction"]],
                dtype=object,
            ),
            "variation": out["variation"],
            "assurance": out["assurance"],
            "special_points": out["special_points"],
            "latest_signal_reason": out["latest_signal_reason"],
            "latest_signal_date": pd.to_datetime(out["latest_signal_date"]),
        }
    )


def is_improving(variation: pd.Series) -> pd.Series:
    """True where the latest variation state is special-cause improvement (high or low)."""
    return variation.isin(
        [VariationState.IMPROVEMENT_HIGH.value, VariationState.IMPROVEMENT_LOW.value]
    )


def is_concern(variation: pd.Series) -> pd.Series:
    """True where the latest variation state is special-cause concern (high or low)."""
    return variation.isin([VariationState.CONCERN_HIGH.value, VariationState.CONCERN_LOW.value])



# --- reach against the workforce -------------------------------------------------------------

def hard_to_reach_rate(raw: pd.DataFrame, threshold: int) -> tuple[float, int | None]:
    """Share of the hard-to-reach staff groups' workforce engaged, and how many people.

    Args:
        raw: :func:`qinet.views.reach.staff_group_raw` rows.
        threshold: Smallest count that may be shown.

    Returns:
        ``(rate, engaged)``; both hidden (NaN, None) when fewer than ``threshold``
        people are engaged (but more than none), or rate NaN when there is no headcount.
    """
    if raw.empty:
        return float("nan"), 0
    h = raw[raw["hard_to_reach"] & (raw["headcount"] > 0)]
    engaged = int(h["engaged"].sum())
    headcount = int(h["headcount"].sum())
    if 0 < engaged < threshold:
        return float("nan"), None
    return (engaged / headcount if headcount else float("nan")), engaged


def projects_improving(matrix: pd.DataFrame, measures: pd.DataFrame) -> int:
    """Projects with at least one measure whose latest variation is improvement.

    Args:
        matrix: :func:`summary_matrix` rows.
        measures: The measures (``measure_id``, ``project_id``).

    Returns:
        The number of distinct projects.
    """
    if matrix.empty:
        return 0
    improving = matrix.loc[is_improving(matrix["variation"]), "measure_id"]
    return int(measures.loc[measures["measure_id"].isin(improving), "project_id"].nunique())
