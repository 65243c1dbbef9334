"""Capability charts: answers per wave as diverging stacked bars, and paired change with CIs.

Charts take display-ready frames (already suppressed) and return Plotly figures; they
never query. Colour is never the only carrier of meaning: every segment is named in the
legend and the hover text, the sides are labelled "less favourable" / "more favourable",
a hidden wave says so in words, and the two paired comparisons use different markers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# A colour-blind-safe diverging scheme (ColorBrewer RdBu family, darker ends), grey middle.
_NEGATIVE = ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#fbe9e0")
_POSITIVE = ("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#e4eff7")
NEUTRAL = "#bababa"
FONT = "Arial, sans-serif"
ROW_PX = 34
MIN_LABEL_SHARE = 0.06  # percentages are printed on segments at least this wide


def wrap(text: str, width: int = 48) -> str:
    """Break a long title into lines for Plotly (which never wraps), escaping nothing."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width)) or text


def segment_colours(points: int) -> list[str]:
    """Colours for a scale's answer points, least to most favourable (neutral grey middle)."""
    half = points // 2
    neg = list(_NEGATIVE[:half])
    pos = list(_POSITIVE[:half])
    if half > len(_NEGATIVE):  # 11-point scales: interpolate by repeating the lightest
        neg = [_NEGATIVE[min(i * len(_NEGATIVE) // half, 4)] for i in range(half)]
        pos = [_POSITIVE[min(i * len(_POSITIVE) // half, 4)] for i in range(half)]
    middle = [NEUTRAL] if points % 2 else []
    return neg + middle + pos[::-1]


def diverging_figure(
    shares: pd.DataFrame,
    *,
    anchors: Sequence[str],
    title: str,
    hidden: Sequence[str] = (),
    hidden_text: str = "",
    reverse_note: str = "",
) -> go.Figure:
    """Answers per wave as a diverging stacked bar, the neutral answer split about zero.

    Args:
        shares: One row per wave (index: wave label), one column per answer point in scale
            order (least to most favourable as scored), values 0–1 summing to 1 per row.
        anchors: Labels of the answer points, in the same order.
        title: Chart title.
        hidden: Wave labels to show as suppressed rows (no bars, a note instead).
        hidden_text: The note shown on a hidden row, e.g. "Hidden: fewer than 11 responses".
        reverse_note: Extra subtitle, e.g. how a reverse-scored item is drawn.

    Returns:
        A horizontal stacked bar figure (percent axis, negative to the left).
    """
    cols = list(shares.columns)
    points = len(cols)
    colours = segment_colours(points)
    half = points // 2
    odd = points % 2 == 1
    rows = [*shares.index.astype(str), *hidden]
    order = [r for r in rows]
    fig = go.Figure()
    data = shares.to_numpy(dtype=float) if len(shares) else np.zeros((0, points))
    labels = list(shares.index.astype(str))

    def add(values: np.ndarray, k: int, name: str, legend: bool) -> None:
        text = [f"{abs(v):.0%}" if abs(v) >= MIN_LABEL_SHARE else "" for v in values]
        fig.add_bar(
            y=labels, x=values, orientation="h", name=name, legendgroup=name,
            showlegend=legend, marker={"color": colours[k], "line": {"width": 0.5,
                                                                      "color": "#ffffff"}},
            text=text, textposition="inside", insidetextanchor="middle", textangle=0,
            legendrank=k,
            textfont={"color": "#ffffff" if k in (0, points - 1) else "#212b32", "size": 11},
            customdata=np.abs(values),
            hovertemplate="%{y}<br>" + name + ": %{customdata:.0%}<extra></extra>",
        )  # fmt: skip

    # negative side: drawn from the middle outwards so the stack grows leftwards
    if odd:
        add(-data[:, half] / 2, half, anchors[half], False)
    for k in range(half - 1, -1, -1):
        add(-data[:, k], k, anchors[k], True)
    if odd:
        add(data[:, half] / 2, half, anchors[half], True)
    for k in range(half + (1 if odd else 0), points):
        add(data[:, k], k, anchors[k], True)
    for label in hidden:
        fig.add_annotation(x=0, y=label, text=hidden_text, showarrow=False,
                           font={"size": 12, "color": "#4c6272"})  # fmt: skip
    subtitle = "← less favourable · more favourable →"
    if reverse_note:
        subtitle += f"<br>{reverse_note}"
    title_html = wrap(title)
    lines = title_html.count("<br>") + subtitle.count("<br>")
    fig.update_layout(
        barmode="relative",
        title={"text": f"{title_html}<br><sup>{subtitle}</sup>", "x": 0, "xanchor": "left",
               "y": 1.0, "yanchor": "top", "pad": {"t": 18}, "font": {"size": 15}},
        font={"family": FONT, "color": "#212b32"},
        xaxis={"tickformat": ".0%", "range": [-1.0, 1.0], "zeroline": True,
               "zerolinecolor": "#212b32", "zerolinewidth": 1.5, "fixedrange": True,
               "tickvals": [-1, -0.5, 0, 0.5, 1], "ticktext": ["100%", "50%", "0", "50%", "100%"]},
        yaxis={"categoryorder": "array", "categoryarray": order[::-1], "automargin": True,
               "type": "category", "fixedrange": True},
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.0,
                "x": 0, "traceorder": "normal", "font": {"size": 11}},
        height=200 + 20 * lines + ROW_PX * max(len(order), 2),
        margin={"l": 10, "r": 10, "t": 60 + 20 * lines, "b": 100},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        uniformtext={"minsize": 9, "mode": "hide"},
    )  # fmt: skip
    if hidden and not len(shares):
        fig.update_xaxes(range=[-1, 1])
    return fig


def diverging_alt_text(shares: pd.DataFrame, means: pd.Series, *, title: str,
                       favourable: int, hidden: Sequence[str] = ()) -> str:  # fmt: skip
    """Text alternative: per wave, the share of favourable answers and the mean score.

    Args:
        shares: As for :func:`diverging_figure`.
        means: Mean score per wave (same index).
        title: What is shown.
        favourable: Number of top answer points counted as favourable.
        hidden: Hidden wave labels.

    Returns:
        A few sentences.
    """
    parts = [f"Diverging bar chart of answers by wave: {title}."]
    for label, row in shares.iterrows():
        fav = float(row.iloc[-favourable:].sum()) if favourable else float("nan")
        mean = means.get(label, float("nan"))
        parts.append(f"{label}: {fav:.0%} favourable, mean score {mean:.2f}.")
    if hidden:
        parts.append(f"Hidden (too few responses): {', '.join(hidden)}.")
    return " ".join(parts)


COMPARISON_STYLE = {  # colour and marker differ, so the pair reads without colour
    "Pre → mid": ("#768692", "circle"),
    "Pre → post": ("#005eb8", "diamond"),
}


def paired_figure(table: pd.DataFrame, *, title: str) -> go.Figure:
    """Mean paired change per score with its 95 % confidence interval (a forest plot).

    Args:
        table: Rows with ``comparison`` (``Pre → mid`` / ``Pre → post``), ``score``,
            ``mean_change``, ``ci_low``, ``ci_high``, ``pairs``; suppressed rows have NaN.
        title: Chart title.

    Returns:
        A dot-and-whisker figure with a zero line (no change).
    """
    shown = table.dropna(subset=["mean_change"])
    fig = go.Figure()
    order = list(dict.fromkeys(table["score"]))
    for comparison, g in shown.groupby("comparison", sort=False):
        colour, symbol = COMPARISON_STYLE.get(str(comparison), ("#212b32", "square"))
        fig.add_scatter(
            x=g["mean_change"], y=g["score"], mode="markers", name=str(comparison),
            orientation="h", alignmentgroup="paired", offsetgroup=str(comparison),
            marker={"color": colour, "symbol": symbol, "size": 11,
                    "line": {"width": 1, "color": "#212b32"}},
            error_x={"type": "data", "symmetric": False,
                     "array": (g["ci_high"] - g["mean_change"]).to_numpy(),
                     "arrayminus": (g["mean_change"] - g["ci_low"]).to_numpy(),
                     "color": colour, "thickness": 2, "width": 5},
            customdata=np.column_stack([g["ci_low"], g["ci_high"], g["pairs"]]),
            hovertemplate=("%{y} — " + str(comparison) + "<br>mean change %{x:+.2f} "
                           "(95% CI %{customdata[0]:+.2f} to %{customdata[1]:+.2f})<br>"
                           "%{customdata[2]:.0f} pairs<extra></extra>"),
        )  # fmt: skip
    fig.add_vline(x=0, line={"color": "#212b32", "width": 1.5, "dash": "dot"})
    lim = 0.5
    if len(shown):
        lim = max(0.5, float(np.nanmax(np.abs(shown[["ci_low", "ci_high"]].to_numpy()))) * 1.15)
    fig.update_layout(
        title={"text": f"{wrap(title)}<br><sup>← worse · better →  mean change, 95% CI,<br>"
                       "same people before and after</sup>",
               "x": 0, "xanchor": "left", "font": {"size": 15},
               # pinned to the top: centred in the margin, its third line met the first row
               "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 10}},
        scattermode="group",
        scattergap=0.45,
        font={"family": FONT, "color": "#212b32"},
        xaxis={"title": "Mean change in score (points)", "range": [-lim, lim],
               "zeroline": False, "fixedrange": True},
        yaxis={"categoryorder": "array", "categoryarray": order[::-1], "type": "category",
               "automargin": True, "fixedrange": True},
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0},
        height=250 + 52 * max(len(order), 2),
        margin={"l": 10, "r": 10, "t": 100, "b": 10},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
    )  # fmt: skip
    fig.update_xaxes(showgrid=True, gridcolor="#e8edee")
    return fig


def paired_alt_text(table: pd.DataFrame) -> str:
    """Text alternative for :func:`paired_figure`: each shown row in words."""
    shown = table.dropna(subset=["mean_change"])
    if shown.empty:
        return "Paired change chart: every comparison has too few pairs to show."
    parts = ["Paired change chart (same people before and after)."]
    for _, r in shown.iterrows():
        parts.append(
            f"{r['score']}, {r['comparison']}: mean change {r['mean_change']:+.2f} "
            f"(95% CI {r['ci_low']:+.2f} to {r['ci_high']:+.2f}, {int(r['pairs'])} pairs)."
        )
    return " ".join(parts)
