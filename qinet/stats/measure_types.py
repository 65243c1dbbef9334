"""What analysing one measure returns: its summary and the full analysis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from qinet.domain import AssuranceState, ChartType, VariationState
from qinet.stats.rules import RunChartRules, SpcRules


@dataclass(frozen=True)
class MeasureSummary:
    """The headline state of one analysed measure (SPC or run chart alike).

    Attributes:
        n: Periods in the series (missing values included).
        n_points: Periods with a plotted value.
        last_value: The last plotted statistic (NaN when missing).
        last_date: Its period start, or None.
        centre: Centre line (mean or median) at the last point.
        lower: Lower process limit at the last point (NaN when not drawn).
        upper: Upper process limit at the last point (NaN when not drawn).
        variation: Variation icon state; for a run chart from its signals (``NON_RANDOM``
            for too few crossings or runs), ``NOT_ENOUGH_DATA`` for an SPC measure that is
            shown as a run chart until it has enough points.
        assurance: Assurance icon state (``NO_TARGET`` for run charts).
        special_points: Points flagged by any rule.
        latest_signal_reason: Reason of the most recent flagged point ("" if none).
        latest_signal_date: Its period start, or None.
    """

    n: int
    n_points: int
    last_value: float
    last_date: pd.Timestamp | None
    centre: float
    lower: float
    upper: float
    variation: VariationState
    assurance: AssuranceState
    special_points: int
    latest_signal_reason: str
    latest_signal_date: pd.Timestamp | None


@dataclass(frozen=True)
class MeasureAnalysis:
    """A measure's chart data and what it says.

    Attributes:
        result: One row per period: the engine's result columns (see
            :mod:`qinet.stats.spc` or :mod:`qinet.stats.runchart`), plus ``numerator``
            and ``denominator`` for p/u charts, and ``point_type`` and ``target`` for
            run charts. ``attrs`` keeps the engine's ``rules`` and ``warnings``.
        summary: The headline state.
        preset: The rules actually applied (the fallback run-chart rules when
            ``fell_back``).
        requested: The preset asked for.
        chart: The measure's chart type.
        drawn_as: ``chart``, or ``ChartType.RUN`` when it fell back.
        fell_back: True when an SPC measure is drawn as a run chart for lack of points.
        phase_dates: Period starts of the phase breaks applied.
        notes: Plain-English notes for the reader (fallback and trial-limit wording).
        warnings: The engine's warnings plus breaks that could not be applied.
    """

    result: pd.DataFrame
    summary: MeasureSummary
    preset: SpcRules | RunChartRules
    requested: SpcRules | RunChartRules
    chart: ChartType
    drawn_as: ChartType
    fell_back: bool
    phase_dates: tuple[date, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def is_spc(self) -> bool:
        """True when drawn with process limits (XmR, p, u, c), False for a run chart."""
        return self.drawn_as is not ChartType.RUN


SCALED_COLUMNS = ("value", "mean", "median", "lpl", "upl", "lower_2s", "upper_2s", "mr", "target")
"""Result columns on the measure's scale: multiplied by a rate's multiplier for display."""


def scale_result(result: pd.DataFrame, multiplier: float) -> pd.DataFrame:
    """Put a result's values, centre, limits and target on the displayed scale, in place.

    The rules have already run on the raw rate, so every signal is exactly the unscaled
    one; only the numbers people read change (0.0014 falls per bed day → 1.4 per 1,000).
    """
    if multiplier == 1:
        return result
    for col in SCALED_COLUMNS:
        if col in result:
            result[col] = result[col].to_numpy(dtype=float) * multiplier
    return result


def show_scale(result: pd.DataFrame, multiplier: float, target: float | None) -> None:
    """Scale for display; the target is the one given (no round trip through the raw scale)."""
    if multiplier != 1:
        scale_result(result, multiplier)
        if "target" in result and target is not None:
            result["target"] = float(target)
