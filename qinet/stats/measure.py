"""One measure, analysed: choose the engine from the chart type, apply phases, summarise.

:func:`analyse_measure` is the single entry point the Measures page (and anything else
that charts one measure) uses:

* ``xmr`` → :func:`qinet.stats.spc.compute_xmr`;
* ``p``, ``u``, ``c`` → :func:`qinet.stats.limits.chart_limits` (qicharts2 limits that
  vary with the denominator) then :func:`qinet.stats.spc.apply_rules`;
* ``run`` → :func:`qinet.stats.runchart.compute_run_chart`.

An SPC chart with fewer plotted points than its preset's ``min_points_for_limits``
(Making Data Count: limits from 13 points) is drawn as a run chart under the default
run-chart rules, with trial-limit wording in ``notes``. Phase breaks are *dates*
(confirmed by a person and stored as annotations); a break that would leave a phase
shorter than the preset's ``min_points_per_phase`` is not applied, with a warning.

:func:`suggest_phase_breaks` finds sustained shifts that begin within a few points after
a dated change (PDSA cycle, change idea or milestone) — suggestions only: limits are
recalculated only when a lead confirms a break. :func:`extract_frame` is the chart's
CSV: every point with its limits, flags, point type, reason and the preset.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from qinet.domain import AssuranceState, ChartType, ImprovementDirection, PointType, VariationState
from qinet.errors import InvalidSeriesError
from qinet.stats import limits as limits_mod
from qinet.stats.core import DIRECTION_SIGN, none_if_nat
from qinet.stats.measure_types import MeasureAnalysis, MeasureSummary, show_scale
from qinet.stats.rules import ANHOEJ, RunChartRules, SpcRules
from qinet.stats.runchart import compute_run_chart
from qinet.stats.runstates import (
    run_point_types,
    run_sides,
    run_variation,
)
from qinet.stats.signals import extract_frame, signal_list
from qinet.stats.spc import SpcOptions, apply_rules, compute_xmr
from qinet.stats.summary import summarise

__all__ = [  # the single-measure API the pages use (tables re-exported from signals)
    "FALLBACK_RUN_RULES",
    "MeasureAnalysis",
    "MeasureSummary",
    "Suggestion",
    "analyse_measure",
    "extract_frame",
    "signal_list",
    "suggest_phase_breaks",
]

SUGGESTION_WINDOW = 4
"""A shift that starts at most this many points after a dated change is suggested as a break."""

SUGGEST_BREAK = " If the change is now how things are done, consider a phase break there."
"""The advice closing a feasible suggestion (pages word it for people who cannot confirm)."""

FALLBACK_RUN_RULES = ANHOEJ
"""Rules for an SPC measure drawn as a run chart because it is still short (qinet's default)."""



@dataclass(frozen=True)
class Suggestion:
    """A place where a phase break may be worth confirming (never applied automatically).

    Attributes:
        position: 0-based position of the first point of the new phase.
        on_date: Its period start.
        side: ``"above"`` or ``"below"`` the centre line.
        length: Points in the sustained shift.
        trigger: Title of the change or milestone the shift follows.
        trigger_date: Date of that change or milestone.
        trigger_kind: ``"change"`` (PDSA / change idea) or ``"milestone"``.
        points_after: Points from the trigger's period to the start of the shift.
        feasible: False when the preset's minimum phase length would be broken.
        text: Plain-English explanation.
    """

    position: int
    on_date: date
    side: str
    length: int
    trigger: str
    trigger_date: date
    trigger_kind: str
    points_after: int
    feasible: bool
    text: str


# --- helpers ------------------------------------------------------------------------------


def _as_date(value: object) -> date:
    return pd.Timestamp(value).date()


def _fmt_date(value: object) -> str:
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%b %Y')}"


def _series(observations: pd.DataFrame, chart: ChartType) -> tuple[pd.Series, np.ndarray, dict]:
    """(period starts, plotted statistic, extra columns) from the observation rows."""
    needed = {"period_start"} | (
        {"numerator", "denominator"} if chart.needs_denominator else {"value"}
    )
    missing = needed - set(observations.columns)
    if missing:
        raise InvalidSeriesError(f"observations: missing column(s) {sorted(missing)}")
    obs = observations.sort_values("period_start", kind="stable").reset_index(drop=True)
    dates = pd.to_datetime(obs["period_start"])
    if chart.needs_denominator:
        num = pd.to_numeric(obs["numerator"], errors="coerce").to_numpy(dtype=float)
        den = pd.to_numeric(obs["denominator"], errors="coerce").to_numpy(dtype=float)
        if len(obs) and np.isnan(den).all():
            raise InvalidSeriesError(
                f"observations: a {chart.value} chart needs numerators and denominators, "
                "and no period has a denominator"
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(den > 0, num / den, np.nan)
        return dates, y, {"numerator": num, "denominator": den}
    y = pd.to_numeric(obs["value"], errors="coerce").to_numpy(dtype=float)
    return dates, y, {}


def _positions_of(dates: pd.Series, wanted: Iterable[object]) -> list[tuple[int, date]]:
    """(first position on or after each date, that date), sorted, without duplicates."""
    if len(dates) == 0:
        return []
    arr = dates.to_numpy(dtype="datetime64[ns]")
    out: dict[int, date] = {}
    for d in wanted:
        pos = int(np.searchsorted(arr, np.datetime64(pd.Timestamp(d), "ns"), side="left"))
        if pos < len(arr):
            out.setdefault(pos, _as_date(d))
    return sorted(out.items())


def _accepted_phases(
    requested: list[tuple[int, date]], n: int, minimum: int, label: str, dates: pd.Series
) -> tuple[list[int], list[str]]:
    """Phase starts that leave every phase at least ``minimum`` points long (greedy, in order)."""
    accepted: list[int] = []
    warnings: list[str] = []
    last = 0
    for pos, _d in requested:
        if pos <= 0:
            continue
        if minimum and (pos - last < minimum or n - pos < minimum):
            warnings.append(
                f"The phase break on {_fmt_date(dates.iloc[pos])} is not applied: {label} needs "
                f"at least {minimum} points in each phase."
            )
            continue
        accepted.append(pos)
        last = pos
    return accepted, warnings


def _run_point_types(result: pd.DataFrame, direction: ImprovementDirection) -> np.ndarray:
    """Point types for a run chart: points of a directional signal, by side and direction.

    Phase-wide signals (too few crossings or runs) colour no single point.
    """
    sign = DIRECTION_SIGN[ImprovementDirection(direction)]
    return run_point_types(run_sides(result), sign)


def _run_summary(
    result: pd.DataFrame, direction: ImprovementDirection, fell_back: bool
) -> MeasureSummary:
    """Summary of a run chart; an SPC measure shown as one for now keeps NOT_ENOUGH_DATA."""
    n = len(result)
    present = result["value"].notna()
    flagged = result["reason"].astype(str) != ""
    if n == 0:
        return MeasureSummary(
            0,
            0,
            np.nan,
            None,
            np.nan,
            np.nan,
            np.nan,
            VariationState.NOT_ENOUGH_DATA,
            AssuranceState.NO_TARGET,
            0,
            "",
            None,
        )
    last = result.iloc[-1]
    sig = result[flagged]
    return MeasureSummary(
        n=n,
        n_points=int(present.sum()),
        last_value=float(last["value"]),
        last_date=none_if_nat(last["date"]),
        centre=float(last["median"]),
        lower=np.nan,
        upper=np.nan,
        variation=VariationState.NOT_ENOUGH_DATA
        if fell_back
        else VariationState(
            run_variation(
                run_sides(result)[-1:],
                result["non_random"].to_numpy(dtype=bool)[-1:],
                np.array([DIRECTION_SIGN[ImprovementDirection(direction)]]),
            )[0]
        ),
        assurance=AssuranceState.NO_TARGET,
        special_points=int((result["point_type"] != PointType.COMMON_CAUSE.value).sum()),
        latest_signal_reason=str(sig["reason"].iloc[-1]) if len(sig) else "",
        latest_signal_date=none_if_nat(sig["date"].iloc[-1]) if len(sig) else None,
    )


def _spc_summary(result: pd.DataFrame) -> MeasureSummary:
    s = summarise(result)
    return MeasureSummary(
        n=s.n,
        n_points=int(result["value"].notna().sum()),
        last_value=s.last_value,
        last_date=s.last_date,
        centre=s.mean,
        lower=s.lpl,
        upper=s.upl,
        variation=s.variation,
        assurance=s.assurance,
        special_points=int(result["special_cause_flag"].sum()),
        latest_signal_reason=s.latest_signal_reason,
        latest_signal_date=s.latest_signal_date,
    )


# --- public API ---------------------------------------------------------------------------


def analyse_measure(
    observations: pd.DataFrame,
    *,
    chart: ChartType | str,
    direction: ImprovementDirection | str = ImprovementDirection.INCREASE,
    target: float | None = None,
    preset: SpcRules | RunChartRules,
    phase_starts: Sequence[object] = (),
    excluded: Sequence[object] = (),
    baseline_points: int | None = None,
    multiplier: float = 1,
) -> MeasureAnalysis:
    """Analyse one measure with the engine its chart type calls for.

    Args:
        observations: One row per period with ``period_start`` and ``value`` (run, xmr,
            c) or ``numerator`` and ``denominator`` (p, u); any order.
        chart: The measure's chart type.
        direction: Which way is better.
        target: Target for the assurance icon, or None.
        preset: ``SpcRules`` for xmr/p/u/c, ``RunChartRules`` for run charts.
        phase_starts: Dates of confirmed phase breaks; each starts a new phase at the
            first period on or after it.
        excluded: Period dates to show ghosted but leave out of the limits and rules.
        baseline_points: Fix the limits (or the median) on the first N points.
        multiplier: Show a rate per this many units of exposure (u charts: 1,000 for
            "per 1,000 bed days"). The statistics run on the raw rate; values, centre,
            limits and the result's target are then multiplied, and ``target`` is read on
            that displayed scale.

    Returns:
        The :class:`MeasureAnalysis` (values on the displayed scale).

    Raises:
        InvalidSeriesError: The preset does not fit the chart type, a needed column is
            missing, or the engine rejects the series (the message names the problem).
    """
    kind = ChartType(chart)
    direction = ImprovementDirection(direction)
    if baseline_points is not None:
        baseline_points = None if pd.isna(baseline_points) else int(baseline_points)
    if target is not None and pd.isna(target):
        target = None
    multiplier = 1 if multiplier is None or pd.isna(multiplier) else float(multiplier)
    if multiplier <= 0:
        raise InvalidSeriesError(f"multiplier: must be positive, got {multiplier:g}")
    shown_target = target
    if target is not None and multiplier != 1:
        target = float(target) / multiplier
    if kind is ChartType.RUN and not isinstance(preset, RunChartRules):
        raise InvalidSeriesError(
            f"preset: a run chart needs run-chart rules (Anhøj or IHI), not {preset.label}"
        )
    if kind is not ChartType.RUN and not isinstance(preset, SpcRules):
        raise InvalidSeriesError(
            f"preset: a {kind.value} chart needs SPC rules (e.g. Making Data Count), "
            f"not {preset.label}"
        )
    dates, y, extra = _series(observations, kind)
    n = len(y)
    n_points = int((~np.isnan(y)).sum())
    excluded_pos = tuple(p for p, _ in _positions_of(dates, excluded))
    requested_phases = _positions_of(dates, phase_starts)
    notes: list[str] = []
    warnings: list[str] = []

    fell_back = False
    rules: SpcRules | RunChartRules = preset
    if isinstance(preset, SpcRules) and n_points < preset.min_points_for_limits:
        fell_back = True
        rules = FALLBACK_RUN_RULES
        notes.append(
            f"Only {n_points} point{'s' if n_points != 1 else ''} so far: {preset.label} draws "
            f"process limits from {preset.min_points_for_limits} points, so this is shown as a "
            f"run chart (median, {rules.label}). Limits worked out from fewer points would only "
            "be trial limits; they will appear once there are enough points."
        )

    if isinstance(rules, RunChartRules):
        phases = [p for p, _ in requested_phases if p > 0]
        values = np.where(np.isin(np.arange(n), excluded_pos), np.nan, y)
        baseline = baseline_points if baseline_points and baseline_points < n else None
        result = compute_run_chart(
            values, dates=dates, rules=rules, phase_starts=tuple(phases), baseline_n=baseline
        )
        result["value"] = y
        result["excluded"] = np.isin(np.arange(n), excluded_pos)
        result["point_type"] = _run_point_types(result, direction)
        result["target"] = np.nan if target is None else float(target)
        warnings.extend(result.attrs.get("warnings", []))
        show_scale(result, multiplier, shown_target)
        summary = _run_summary(result, direction, fell_back)
        drawn_as = ChartType.RUN
    else:
        phases, skipped = _accepted_phases(
            requested_phases, n, rules.min_points_per_phase, rules.label, dates
        )
        warnings.extend(skipped)
        fix = baseline_points if baseline_points and not phases else None
        if fix is not None and fix >= n:
            fix = None
        options = SpcOptions(
            rules=rules,
            improvement_direction=direction,
            target=target,
            phase_starts=tuple(phases),
            fix_after_n_points=fix if kind is ChartType.XMR else None,
            excluded=excluded_pos,
        )
        if kind is ChartType.XMR:
            result = compute_xmr(y, dates=dates, options=options)
        else:
            ex = np.isin(np.arange(n), excluded_pos)
            num = extra.get("numerator", y)
            den = extra.get("denominator")
            lim = limits_mod.chart_limits(
                limits_mod.LIMIT_CHART[kind],
                np.where(ex, np.nan, num),
                None if den is None else np.where(ex, np.nan, den),
                freeze=fix,
                phase_starts=tuple(phases),
            )
            warnings.extend(lim.attrs.get("warnings", []))
            result = apply_rules(
                y,
                lim["cl"].to_numpy(),
                lim["lcl"].to_numpy(),
                lim["ucl"].to_numpy(),
                lim["lcl_95"].to_numpy(),
                lim["ucl_95"].to_numpy(),
                options=options,
                dates=dates,
            )
        warnings.extend(result.attrs.get("warnings", []))
        if not result["limits_shown"].all() and n_points:
            notes.append(
                f"A phase has fewer than {rules.min_points_for_limits} points, so its process "
                "limits are not drawn yet; shifts and trends are still checked."
            )
        show_scale(result, multiplier, shown_target)
        summary = _spc_summary(result)
        drawn_as = kind
        requested_phases = [(p, d) for p, d in requested_phases if p in phases]
    for name, col in extra.items():
        result[name] = col
    result.attrs["chart"] = drawn_as.value
    applied = tuple(_as_date(dates.iloc[p]) for p, _ in requested_phases if p > 0)
    return MeasureAnalysis(
        result=result,
        summary=summary,
        preset=rules,
        requested=preset,
        chart=kind,
        drawn_as=drawn_as,
        fell_back=fell_back,
        phase_dates=applied,
        notes=tuple(notes),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _trigger_list(items: Iterable[object], kind: str) -> list[tuple[date, str, str]]:
    out = []
    for item in items:
        if isinstance(item, tuple):
            d, label = item[0], str(item[1])
        else:
            d, label = item, ""
        out.append((_as_date(d), label, kind))
    return out


def _first_sustained_run(side: np.ndarray, start: int, stop: int, length: int) -> tuple[int, int]:
    """(first, run length) of the first run of ``length``+ same-side points in [start, stop)."""
    i = start
    while i < stop:
        if side[i] == 0 or np.isnan(side[i]):
            i += 1
            continue
        j = i
        while j + 1 < stop and side[j + 1] == side[i]:
            j += 1
        if j - i + 1 >= length:
            return i, j - i + 1
        i = j + 1
    return -1, 0


def suggest_phase_breaks(
    analysis: MeasureAnalysis,
    annotation_dates: Iterable[object] = (),
    milestone_dates: Iterable[object] = (),
) -> list[Suggestion]:
    """Sustained shifts that start within a few points after a dated change or milestone.

    For each change (PDSA cycle, change idea) or milestone inside a phase, the points of
    the phase *before* it are the baseline: if a run of at least the preset's shift
    length (points on one side of the baseline's centre line) starts within
    ``SUGGESTION_WINDOW`` points after the change, its first point is suggested as the
    start of a new phase. These are suggestions only; a lead confirms or ignores them.

    Args:
        analysis: An :func:`analyse_measure` result.
        annotation_dates: PDSA / change-idea dates, each a date or a ``(date, title)`` pair.
        milestone_dates: Programme milestone dates, each a date or a ``(date, title)`` pair.

    Returns:
        One suggestion per start position (the earliest trigger wins), in date order.
        ``feasible`` is False where the preset's minimum phase length would be broken.
    """
    r = analysis.result
    n = len(r)
    if n == 0:
        return []
    arr = pd.to_datetime(r["date"]).to_numpy(dtype="datetime64[ns]")
    y = r["value"].to_numpy(dtype=float).copy()
    if "excluded" in r:
        y[r["excluded"].to_numpy(dtype=bool)] = np.nan
    phase = r["phase"].to_numpy()
    rules = analysis.requested if analysis.fell_back else analysis.preset
    shift_len = int(getattr(rules, "shift", 6))
    minimum = int(getattr(rules, "min_points_per_phase", 0))
    use_mean = analysis.is_spc
    centre_name = "mean" if use_mean else "median"
    triggers = sorted(
        _trigger_list(annotation_dates, "change") + _trigger_list(milestone_dates, "milestone")
    )
    found: dict[int, Suggestion] = {}
    for t_date, label, kind in triggers:
        p0 = int(np.searchsorted(arr, np.datetime64(pd.Timestamp(t_date), "ns"), side="left"))
        if p0 >= n:
            continue
        ph = phase[p0]
        in_phase = np.flatnonzero(phase == ph)
        first_of_phase, last_of_phase = int(in_phase[0]), int(in_phase[-1])
        before = y[first_of_phase:p0]
        before = before[~np.isnan(before)]
        if len(before) < shift_len:
            continue
        centre = float(np.mean(before) if use_mean else np.median(before))
        with np.errstate(invalid="ignore"):
            side = np.sign(y - centre)
        stop = min(last_of_phase + 1, n)
        first, length = _first_sustained_run(side, p0, stop, shift_len)
        if first < 0 or first - p0 > SUGGESTION_WINDOW:
            continue
        if any(g.position <= first < g.position + g.length for g in found.values()):
            continue  # the same sustained run, already suggested after an earlier change
        after = first - p0
        before_n = first - first_of_phase
        after_n = last_of_phase - first + 1
        feasible = not minimum or (before_n >= minimum and after_n >= minimum)
        where = "above" if side[first] > 0 else "below"
        name = f"“{label}”" if label else ("the milestone" if kind == "milestone" else "the change")
        lag = "at" if after == 0 else f"{after} point{'s' if after != 1 else ''} after"
        text = (
            f"From {_fmt_date(arr[first])}, {length} points in a row are {where} the "
            f"{centre_name} of the points before {name} ({_fmt_date(t_date)}); the run "
            f"starts {lag} the change."
        )
        if feasible:
            text += SUGGEST_BREAK
        else:
            text += (
                f" A break there would leave a phase shorter than the {minimum} points "
                f"{rules.label} needs ({before_n} before, {after_n} from it)."
            )
        found[first] = Suggestion(
            position=first,
            on_date=_as_date(arr[first]),
            side=where,
            length=length,
            trigger=label,
            trigger_date=t_date,
            trigger_kind=kind,
            points_after=after,
            feasible=feasible,
            text=text,
        )
    return [found[k] for k in sorted(found)]
