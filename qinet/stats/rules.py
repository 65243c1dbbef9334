"""Named constants and rule-set presets for SPC and run charts.

Every threshold the engine uses is named here once, with its source. Rule sets
are frozen dataclasses; the product default is chosen by the
``QINET_SPC_PRESET`` setting (``MDC_2024`` unless configured otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- Shewhart constants -----------------------------------------------------
D2 = 1.128  # d2 for moving ranges of 2 consecutive points (Montgomery, Table VI)
XMR_LIMIT = 2.66  # 3 / d2 rounded as Making Data Count and NHSRplotthedots use it (exactly 2.66)
MR_SCREEN = 3.267  # D4 for n = 2: moving ranges at or above 3.267 × mean mR are screened out
MR_UCL = 3.267  # upper limit of the moving-range chart: D4 × mean mR
TWO_SIGMA_FRACTION = 2 / 3  # 2σ lines sit two thirds of the way from the mean to a 3σ limit


@dataclass(frozen=True)
class SpcRules:
    """A named, cited set of special-cause rules for charts with process limits.

    Attributes:
        key: Stable identifier stored in settings and extracts (e.g. ``"MDC_2024"``).
        label: Short human name shown on charts.
        version: The version of the source the preset reproduces.
        source: Citation of where the thresholds come from.
        shift: Points in a row on one side of the mean that make a shift.
        trend: Points in a row strictly rising or falling that make a trend.
        two_of_three: Whether the two-of-three-beyond-2σ rule is applied.
        two_of_three_counts_beyond_limits: Whether points beyond the 3σ limits count
            towards two-of-three (MDC SQL: yes; NHSRplotthedots: no).
        screen_moving_ranges: Whether moving ranges ≥ ``MR_SCREEN`` × mean mR are
            removed before the limits are calculated.
        min_points_for_limits: Fewer points than this are shown as a run chart with
            no process limits (0 means limits are always drawn).
        short_group_warning_below: A phase with fewer points than this gets a
            trial-limits warning.
        min_points_per_phase: A phase break that leaves fewer points than this in a
            phase is refused (0 means no minimum).
    """

    key: str
    label: str
    version: str
    source: str
    shift: int
    trend: int
    two_of_three: bool
    two_of_three_counts_beyond_limits: bool
    screen_moving_ranges: bool
    min_points_for_limits: int
    short_group_warning_below: int
    min_points_per_phase: int

    def describe(self) -> str:
        """One line for a chart caption, e.g. ``Making Data Count 2024: shift 6, trend 6``."""
        return f"{self.label}: shift {self.shift}, trend {self.trend}"


PTD = SpcRules(
    key="PTD",
    label="NHSRplotthedots 0.2.2",
    version="0.2.2",
    source=(
        "NHS-R Community, NHSRplotthedots 0.2.2 (R package, 2025), ptd_spc() defaults: "
        "R/ptd_spc_standard.R and R/ptd_calculate_point_type.R"
    ),
    shift=7,
    trend=7,
    two_of_three=True,
    two_of_three_counts_beyond_limits=False,
    screen_moving_ranges=True,
    min_points_for_limits=0,
    short_group_warning_below=13,
    min_points_per_phase=0,
)
"""NHSRplotthedots defaults: shift 7, trend 7, 2-of-3 ignoring points beyond 3σ, mR screening."""

MDC_2024 = SpcRules(
    key="MDC_2024",
    label="Making Data Count 2024",
    version="SQL v2.6 (Jan 2024)",
    source=(
        "NHS England, Making Data Count SPC SQL v2.6 (January 2024) and "
        "'Making Data Count: Getting started' (NHS England, 2019, updated 2024)"
    ),
    shift=6,
    trend=6,
    two_of_three=True,
    two_of_three_counts_beyond_limits=True,
    screen_moving_ranges=False,
    min_points_for_limits=13,
    short_group_warning_below=13,
    min_points_per_phase=12,
)
"""NHS England Making Data Count SQL v2.6: shift 6, trend 6, limits from 13 points."""

LIFE_QI = SpcRules(
    key="LIFE_QI",
    label="Life QI compatible",
    version="2024",
    source=(
        "Life QI SPC rules as documented in its help centre: shift of 8 points, trend of 6, "
        "points outside the limits, two of three beyond 2σ"
    ),
    shift=8,
    trend=6,
    two_of_three=True,
    two_of_three_counts_beyond_limits=True,
    screen_moving_ranges=False,
    min_points_for_limits=0,
    short_group_warning_below=13,
    min_points_per_phase=0,
)
"""Shift 8 / trend 6, for teams comparing with charts made in Life QI."""

SPC_PRESETS: dict[str, SpcRules] = {p.key: p for p in (MDC_2024, PTD, LIFE_QI)}
DEFAULT_SPC_PRESET = MDC_2024.key


@dataclass(frozen=True)
class RunChartRules:
    """A named, cited set of run-chart rules (median centre line).

    Attributes:
        key: Stable identifier (``"ANHOEJ"`` or ``"IHI"``).
        label: Short human name shown on charts.
        source: Citation.
        method: ``"anhoej"`` (longest run and crossings) or ``"ihi"`` (shift,
            trend, runs table, astronomical point).
        crossings_quantile: Anhøj: crossings below this binomial quantile signal.
        shift: IHI: points in a row on one side of the median.
        trend: IHI: points in a row rising or falling.
    """

    key: str
    label: str
    source: str
    method: str
    crossings_quantile: float = 0.05
    shift: int = 6
    trend: int = 5

    def describe(self) -> str:
        """One line for a chart caption."""
        if self.method == "anhoej":
            return f"{self.label}: longest run > log2(n)+3, crossings < 5th percentile"
        return (
            f"{self.label}: shift {self.shift}, trend {self.trend}, runs table, "
            "astronomical point"
        )


ANHOEJ = RunChartRules(
    key="ANHOEJ",
    label="Anhøj rules",
    source=(
        "Anhøj J, Olesen AV (2014) Run charts revisited: a simulation study of run chart "
        "rules for detection of non-random variation in health care processes. PLoS ONE "
        "9(11): e113825; as implemented in qicharts2 0.8.1"
    ),
    method="anhoej",
    crossings_quantile=0.05,
)
"""Unusually long run (> round(log2 n) + 3) or too few crossings (< 5th pct of Bin(n−1, ½))."""

IHI = RunChartRules(
    key="IHI",
    label="IHI run chart rules",
    source=(
        "Perla RJ, Provost LP, Murray SK (2011) The run chart: a simple analytical tool for "
        "learning from variation in healthcare processes. BMJ Qual Saf 20:46–51"
    ),
    method="ihi",
    shift=6,
    trend=5,
)
"""Shift ≥ 6, trend ≥ 5, too few/many runs (Perla et al. 2011 Table 1), astronomical point."""

RUN_CHART_PRESETS: dict[str, RunChartRules] = {p.key: p for p in (ANHOEJ, IHI)}
