"""Project progress charts: one project's score history, the portfolio's scores by month.

Every figure has a sentence of alt text built from the same numbers. The portfolio
heatmap writes each cell's count in the cell, so colour is never the only carrier.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from qinet.stats.progress import IHI_LABELS, score_label

LINE_COLOUR = "#005eb8"  # NHS blue
TEXT_COLOUR = "#212b32"
HEAT_SCALE = [[0.0, "#f0f4f5"], [1.0, "#005eb8"]]
_FONT = {"family": "Arial, Helvetica, sans-serif", "color": TEXT_COLOUR, "size": 13}


def _day(value: object) -> str:
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%b %Y')}"


def _month(value: object) -> str:
    return pd.Timestamp(value).strftime("%b %Y")


def _score_axis() -> dict:
    values = list(IHI_LABELS)
    return {"range": [0.25, 5.25], "tickvals": values, "ticktext": [f"{v:.1f}" for v in values],
            "title": {"text": "IHI progress score"}, "gridcolor": "#e8edee", "fixedrange": True}


def score_history_figure(scores: pd.DataFrame, today: object, *, height: int = 300) -> go.Figure:
    """A step chart of one project's progress score: each score holds until the next.

    Args:
        scores: ``scored_on``, ``score``, oldest first.
        today: The data's today (the last step runs to it).
        height: Figure height in pixels.
    """
    fig = go.Figure()
    if len(scores):
        x = [*pd.to_datetime(scores["scored_on"]), pd.Timestamp(today)]
        y = [*scores["score"].astype(float), float(scores["score"].iloc[-1])]
        labels = [escape(score_label(v)) for v in y]
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="lines+markers", line={"shape": "hv", "color": LINE_COLOUR, "width": 3},
            marker={"size": [9] * (len(x) - 1) + [0], "color": LINE_COLOUR},
            customdata=labels, name="Progress score",
            hovertemplate="%{x|%-d %b %Y}: %{customdata}<extra></extra>",
        ))  # fmt: skip
    fig.update_layout(
        height=height, margin={"l": 60, "r": 16, "t": 16, "b": 40}, font=_FONT,
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", showlegend=False,
        yaxis=_score_axis(), xaxis={"gridcolor": "#e8edee", "tickformat": "%b %Y"},
    )  # fmt: skip
    return fig


def score_history_alt(scores: pd.DataFrame, title: str) -> str:
    """The step chart in a sentence: first and latest score, how many updates."""
    if scores.empty:
        return f"{title} has no progress score recorded yet."
    first, last = scores.iloc[0], scores.iloc[-1]
    n = len(scores)
    return (
        f"Progress score of {title} over time: {n} score{'s' if n != 1 else ''}, from "
        f"{score_label(first['score'])} on {_day(first['scored_on'])} to "
        f"{score_label(last['score'])} on {_day(last['scored_on'])}."
    )


def portfolio_heatmap(by_month: pd.DataFrame, *, height: int = 380) -> go.Figure:
    """Projects at each score (rows) month by month (columns), the count written in each cell.

    Args:
        by_month: :func:`qinet.stats.progress.scores_by_month` output.
        height: Figure height in pixels.
    """
    scores = list(IHI_LABELS)
    z = by_month[scores].to_numpy(dtype=float).T if len(by_month) else np.zeros((len(scores), 0))
    text = np.where(z > 0, np.nan_to_num(z).astype(int).astype(str), "")  # NaN: no projects
    months = [_month(m) for m in by_month.index]
    fig = go.Figure(go.Heatmap(
        z=z, x=months, y=[f"{s:.1f}" for s in scores], text=text, texttemplate="%{text}",
        colorscale=HEAT_SCALE, showscale=False, xgap=1, ygap=1,
        customdata=np.array([[escape(IHI_LABELS[s])] * len(months) for s in scores], dtype=object),
        hovertemplate="%{x}: %{z} projects at %{y} (%{customdata})<extra></extra>",
    ))  # fmt: skip
    fig.update_layout(
        height=height, margin={"l": 60, "r": 16, "t": 16, "b": 60}, font=_FONT,
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff",
        yaxis={"title": {"text": "IHI progress score"}, "fixedrange": True, "type": "category"},
        xaxis={"type": "category", "tickangle": -45, "fixedrange": True},
    )  # fmt: skip
    return fig


def median_figure(by_month: pd.DataFrame, *, height: int = 260) -> go.Figure:
    """The median progress score of the scored projects at each month end."""
    fig = go.Figure(go.Scatter(
        x=[pd.Timestamp(m) for m in by_month.index], y=by_month["median"].astype(float),
        mode="lines+markers", line={"color": LINE_COLOUR, "width": 3, "shape": "hv"},
        marker={"size": 6}, name="Median score",
        customdata=by_month["projects"].fillna(0).astype(int),  # empty months: 0
        hovertemplate="%{x|%b %Y}: median %{y:.1f} of %{customdata} projects<extra></extra>",
    ))  # fmt: skip
    fig.update_layout(
        height=height, margin={"l": 60, "r": 16, "t": 16, "b": 40}, font=_FONT,
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", showlegend=False,
        yaxis=_score_axis(), xaxis={"gridcolor": "#e8edee", "tickformat": "%b %Y"},
    )  # fmt: skip
    return fig


def portfolio_alt(by_month: pd.DataFrame) -> str:
    """The heatmap and median in sentences: where projects sit now and how the median moved."""
    scored = by_month[by_month["projects"] > 0] if len(by_month) else by_month
    if scored.empty:
        return "No project in this view has a progress score yet."
    last, first = scored.iloc[-1], scored.iloc[0]
    scores = list(IHI_LABELS)
    top = max(scores, key=lambda s: (int(last[s]), s))
    improving = int(sum(int(last[s]) for s in scores if s >= 3.5))
    n = int(last["projects"])
    return (
        f"At {_month(scored.index[-1])}, {n:,} scored project{'s' if n != 1 else ''}: the most "
        f"({int(last[top]):,}) at {score_label(top)}; {improving:,} at 3.5 (Improvement) or "
        f"above. The median score went from {first['median']:.1f} in "
        f"{_month(scored.index[0])} to {last['median']:.1f}."
    )
