"""Engagement charts: participation in each staff group against its workforce.

:func:`reach_figure` is the Overview's compact reach chart: one horizontal bar per staff
group with its participation rate (participants ÷ headcount), a line at the rate across
all staff groups, and the under-represented groups drawn in a second colour *and*
labelled in text, so nothing is told by colour alone. Colours are the Government
Analysis Function's colour-blind-safe pair for two series (dark blue, orange). A group
whose count is suppressed has no bar, only its label ("suppressed").
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# Analysis Function palette (sgplot vignette): for exactly two series, dark blue + orange.
REACH_COLOUR = "#12436D"
UNDER_COLOUR = "#F46A25"
OVERALL_COLOUR = "#3D3D3D"
TEXT_COLOUR = "#212b32"
UNDER_LABEL = "under-represented"


def _bar_text(row: pd.Series, threshold: int) -> str:  # noqa: ARG001 - caption names it
    """Compact value label (fits a phone): ``4.8% (146/3,058)``; flag on a second line."""
    if row["suppressed"]:
        text = "suppressed"
    elif pd.isna(row["rate"]):
        return "no workforce figure"
    else:
        text = f"{row['rate']:.1%} ({int(row['engaged']):,}/{int(row['headcount']):,})"
    if row["under_represented"]:
        text += f"<br>{UNDER_LABEL}"
    return text


ROW_PX = 56  # per group: name and value lines above a 16 px bar (fits a phone's width)
BAR_PX = 16


def reach_figure(
    table: pd.DataFrame, overall_rate: float, *, threshold: int, height: int | None = None
) -> go.Figure:
    """Participation rate per staff group against the overall rate.

    Args:
        table: :func:`qinet.views.reach.reach_table` rows for staff groups with a
            headcount (others are ignored).
        overall_rate: Rate across all staff groups (0–1).
        threshold: The small-number threshold (for the "fewer than" label).
        height: Pixel height (default: 34 px per group plus margins).

    Returns:
        A horizontal bar chart, groups in the table's order from top to bottom.
    """
    t = table[table["headcount"] > 0].reset_index(drop=True)
    labels = [escape(str(s)) for s in t["staff_group"]]
    rate = t["rate"].to_numpy(dtype=float)
    shown = np.where(np.isnan(rate), 0.0, rate)
    under = t["under_represented"].to_numpy(dtype=bool)
    texts = [_bar_text(r, threshold) for _, r in t.iterrows()]  # numbers and fixed words
    fig = go.Figure(
        go.Bar(
            x=shown,
            y=labels,
            orientation="h",
            marker={
                "color": [UNDER_COLOUR if u else REACH_COLOUR for u in under],
                "pattern": {"shape": ["/" if u else "" for u in under], "fgcolor": "#ffffff"},
            },
            customdata=[x.replace("<br>", " · ") for x in texts],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    # Each group's name and value sit ABOVE its bar, inside the plot, so the bars use the
    # full width on a phone (a y-axis of names took two-thirds of 390 px). The white
    # backing keeps the words readable where the "All staff groups" line crosses them.
    for label, text in zip(labels, texts, strict=True):
        fig.add_annotation(x=0.0, xref="paper", xanchor="left", y=label, yref="y",
                           yanchor="bottom", yshift=BAR_PX / 2, showarrow=False,
                           text=f"<b>{label}</b><br>{text.replace('<br>', ' · ')}",
                           align="left", bgcolor="rgba(255,255,255,0.85)", borderpad=0,
                           font={"size": 11, "color": TEXT_COLOUR})  # fmt: skip
    finite = shown[np.isfinite(shown)]
    top = float(max(finite.max() if finite.size else 0.0,
                    overall_rate if np.isfinite(overall_rate) else 0.0))  # fmt: skip
    upper = max(top * 1.1, 0.01)
    step, fmt = percent_ticks(upper)
    if np.isfinite(overall_rate):
        fig.add_vline(x=overall_rate, line={"color": OVERALL_COLOUR, "dash": "dash", "width": 1.5})
        fig.add_annotation(x=overall_rate, xref="x", y=1.0, yref="paper", yanchor="bottom",
                           text=f"All staff groups {overall_rate:.1%}", showarrow=False,
                           font={"color": OVERALL_COLOUR, "size": 11})  # fmt: skip
    n = max(len(t), 1)
    fig.update_layout(
        height=height or 74 + ROW_PX * n + ROW_PX // 2,
        margin={"l": 10, "r": 10, "t": 34, "b": 40},
        xaxis={
            "tickformat": fmt,
            "dtick": step,
            "tick0": 0,
            "tickangle": 0,
            "range": [0, upper],
            "title": {"text": "Participants as a share of the workforce"},
            "gridcolor": "#e8edee",
        },
        # Names are drawn above the bars, not as tick labels; half a row of headroom
        # above the first group keeps its name inside the plot.
        yaxis={"range": [n - 0.5, -1.0], "showticklabels": False, "automargin": True},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        font={"color": TEXT_COLOUR, "family": "Arial, Helvetica, sans-serif", "size": 12},
        bargap=1 - BAR_PX / ROW_PX,
    )
    return fig


def percent_ticks(upper: float, most: int = 6) -> tuple[float, str]:
    """A tick step and a percent format for an axis from 0 to ``upper`` (a proportion).

    The step is 1, 2 or 5 × a power of ten giving at most ``most`` ticks, and the format
    carries just enough decimals that no two ticks read the same (never 0%, 1%, 1%, 2%).

    Args:
        upper: Top of the axis (0–1 scale), above 0.
        most: Most ticks wanted.

    Returns:
        ``(dtick, tickformat)``, e.g. ``(0.005, ".1%")``.
    """
    raw = max(upper, 1e-6) / most
    power = 10 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    decimals = max(0, int(-np.floor(np.log10(step * 100) + 1e-9)))
    return float(step), f".{decimals}%"


def reach_alt_text(table: pd.DataFrame, overall_rate: float) -> str:
    """Screen-reader summary of :func:`reach_figure`.

    Args:
        table: :func:`qinet.views.reach.reach_table` rows.
        overall_rate: Rate across all staff groups.

    Returns:
        One or two sentences naming the overall rate and the under-represented groups.
    """
    staff = table[table["headcount"] > 0]
    if staff.empty:
        return "Reach by staff group: no workforce figures for this selection."
    under = staff.loc[staff["under_represented"], "staff_group"].tolist()
    text = (
        f"Participation by staff group: {overall_rate:.1%} of the workforce across "
        f"{len(staff)} staff groups."
    )
    if under:
        text += " Under-represented: " + ", ".join(map(str, under)) + "."
    return text
