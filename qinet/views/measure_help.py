"""How to read a chart: plain-English help generated from a rule preset's own fields.

Pure text (no Streamlit), kept out of the Measures page module so the page only lays out.
"""

from __future__ import annotations

from qinet.charts.palette import POINT_TYPE_LABELS
from qinet.domain import ChartType, PointType
from qinet.stats.rules import MR_SCREEN, XMR_LIMIT, RunChartRules, SpcRules
from qinet.stats.runchart import ASTRONOMICAL_Z, IHI_RUNS_TABLE_MAX_N, IHI_RUNS_TABLE_MIN_N


def how_to_read(rules: SpcRules | RunChartRules, chart: ChartType) -> str:
    """Markdown explaining a preset's rules, generated from its fields.

    Args:
        rules: The preset shown.
        chart: The chart type drawn (for how the limits are worked out).

    Returns:
        A few short paragraphs and a bullet list.
    """
    shapes = (
        f"Special-cause points are coloured **and shaped**: "
        f"{POINT_TYPE_LABELS[PointType.IMPROVEMENT].lower()} is a blue diamond, "
        f"{POINT_TYPE_LABELS[PointType.CONCERN].lower()} an orange square, a neutral signal "
        "(neither direction better) a purple triangle; common cause is a grey circle. "
        "Hollow points are excluded from the calculations. Hover over a point to see its "
        "value and why it is special."
    )
    if isinstance(rules, RunChartRules):
        intro = "Each dot is one period; the solid line is the **median** of the phase."
        if rules.method == "anhoej":
            pct = f"{rules.crossings_quantile * 100:g}"
            bullets = [
                "an **unusually long run**: more points in a row on one side of the median "
                "than round(log₂ n) + 3, where n is the number of points not on the median;",
                "**too few crossings** of the median: fewer than the "
                f"{pct}th percentile of a binomial distribution with n − 1 trials and "
                "probability ½.",
            ]
        else:
            bullets = [
                f"a **shift**: {rules.shift} or more points in a row on one side of the median;",
                f"a **trend**: {rules.trend} or more points in a row all going up or all going "
                "down (repeated values are skipped);",
                f"**too few or too many runs** for the number of points (checked for "
                f"{IHI_RUNS_TABLE_MIN_N}–{IHI_RUNS_TABLE_MAX_N} points);",
                "an **astronomical point**: the highest or lowest point, more than "
                f"{ASTRONOMICAL_Z:g} robust standard deviations from every other point.",
            ]
        signals = "A signal of non-random variation is:\n\n" + "\n".join(f"- {b}" for b in bullets)
        tail = "Points on the median neither make nor break a run."
        return "\n\n".join([intro, signals, shapes, tail, f"Source: {rules.source}."])
    if chart is ChartType.XMR:
        limits = (
            f"the dashed **process limits** are the mean ± {XMR_LIMIT} × the average moving "
            "range (the usual spread from one period to the next)"
        )
    elif chart is ChartType.T:
        limits = (
            "each dot is one event and its value the time since the previous one; the dashed "
            "**process limits** come from an XmR chart of the times raised to the power "
            "1/3.6 (which makes them roughly symmetrical), turned back into times"
        )
    elif chart is ChartType.G:
        limits = (
            "each dot is one event and its value the number of cases since the previous one; "
            "the centre line is the **median**, and the dashed **process limits** come from "
            "the geometric distribution (the lower limit is usually zero)"
        )
    else:
        limits = (
            "the dashed **process limits** are three standard deviations from the centre line "
            "for each period's denominator (so they move when the denominator does)"
        )
    if chart in (ChartType.T, ChartType.G):
        intro = (
            f"On this rare-event chart {limits}; the dotted lines mark two sigma. Higher points "
            "mean longer gaps between events. Limits are redrawn from each confirmed phase "
            "break."
        )
    else:
        intro = (
            f"Each dot is one period; the solid black line is the **mean**, {limits}, and the "
            "dotted lines mark two sigma. Limits are redrawn from each confirmed phase break."
        )
    bullets = [
        "it is **outside a process limit**;",
        f"it is part of a **shift**: {rules.shift} or more points in a row on the same side of "
        "the mean;",
        f"it is part of a **trend**: {rules.trend} or more points in a row all rising or all "
        "falling;",
    ]
    if rules.two_of_three:
        beyond = (
            " (points beyond the limits count too)"
            if rules.two_of_three_counts_beyond_limits
            else " (points beyond the limits do not count)"
        )
        bullets.append(
            "it is one of **two out of three** points in a row beyond the same two-sigma line"
            + beyond
            + "."
        )
    extra = []
    if rules.min_points_for_limits:
        extra.append(
            f"Process limits are drawn once a phase has {rules.min_points_for_limits} points; a "
            "shorter measure is shown as a run chart."
        )
    if rules.short_group_warning_below:
        extra.append(
            f"Limits from fewer than {rules.short_group_warning_below} points are trial limits."
        )
    if rules.screen_moving_ranges and chart is ChartType.XMR:
        extra.append(
            f"Moving ranges of {MR_SCREEN} × the average or more are left out before the "
            "limits are worked out."
        )
    if rules.min_points_per_phase:
        extra.append(
            f"A phase break needs at least {rules.min_points_per_phase} points in each phase."
        )
    icons_text = (
        "The **variation icon** says what the latest point shows (H: higher, L: lower; blue "
        "improvement, orange concern, grey common cause). The **assurance icon** compares the "
        "target with the process limits: P will consistently pass, F will consistently fail, "
        "? may hit or miss."
    )
    return "\n\n".join(
        [
            intro,
            "A point is **special cause** when:\n\n" + "\n".join(f"- {b}" for b in bullets),
            shapes,
            " ".join(extra),
            icons_text,
            f"Source: {rules.source} ({rules.version}).",
        ]
    )
