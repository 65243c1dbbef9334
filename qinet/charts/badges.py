"""Change annotations on a chart: numbered badges above the plot, listed under it.

PDSA cycles, change ideas and notes are drawn as small numbered badges above the plot
area (never over a point, the centre line or the target), with a dotted line down to
their date; a full-size chart lists "1 · 10 Mar 2025 · PDSA 1: …" under the legend.
Used by :func:`qinet.charts.spc.build` (SPC and run charts alike).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qinet.charts.palette import Palette
from qinet.charts.text import date_label, safe, short
from qinet.domain import AnnotationKind

KIND_SHORT = {
    AnnotationKind.PDSA.value: "PDSA",
    AnnotationKind.CHANGE_IDEA.value: "Change",
    AnnotationKind.NOTE.value: "Note",
}
DRAWN_KINDS = tuple(KIND_SHORT)


def _y_at(result: pd.DataFrame, x: np.ndarray, when: object, dated: bool) -> tuple[object, float]:
    """(x, y) of the first point on or after ``when`` (the last point if none)."""
    y = result["value"].to_numpy(dtype=float)
    if not dated:
        return None, np.nan
    target = np.datetime64(pd.Timestamp(when), "ns")
    pos = int(np.searchsorted(x.astype("datetime64[ns]"), target, side="left"))
    pos = min(pos, len(x) - 1)
    # walk forward to a plotted value
    for j in range(pos, len(y)):
        if np.isfinite(y[j]):
            return pd.Timestamp(x[j]).isoformat(), float(y[j])
    fallback = float(np.nanmax(y)) if np.isfinite(y).any() else 0.0
    return pd.Timestamp(x[pos]).isoformat(), fallback


BADGE_ROW = 0.055
"""Height (fraction of the plot) between staggered rows of change badges above the plot."""
LIST_LINE_PX = 16
"""Pixels per line of the numbered list of changes under a full-size chart."""


def add_change_badges(
    fig: Any,
    result: pd.DataFrame,
    x: np.ndarray,
    dated: bool,
    annotations: pd.DataFrame | None,
    palette: Palette,
    compact: bool,
) -> list[str]:
    """PDSA cycles, change ideas and notes as numbered badges above the plot area.

    Badges sit above the data (never on a point, the centre line or the target); a dotted
    line drops from each to its date, and badges closer than ~4 % of the time span are
    staggered onto a second and third row so they do not cover each other. Each badge's
    hover gives the full title and detail; full-size charts also list "1 · 10 Mar 2025 ·
    PDSA 1: …" under the plot (returned, for :func:`make_room` to place).
    """
    if annotations is None or len(annotations) == 0 or not dated or len(result) == 0:
        return []
    rows = annotations[annotations["kind"].astype(str).isin(DRAWN_KINDS)]
    rows = rows.sort_values("on_date", kind="stable")
    first, last = pd.Timestamp(x.min()), pd.Timestamp(x.max())
    span = max((last - first).total_seconds(), 1.0)
    listed: list[str] = []
    last_x: list[pd.Timestamp] = []  # last badge position per row
    for row in rows.itertuples(index=False):
        when = pd.Timestamp(row.on_date)
        if when < first - pd.Timedelta(days=1) or when > last:
            continue
        px, _py = _y_at(result, x, when, dated)
        kind = str(row.kind)
        title = str(getattr(row, "title", "") or "")
        detail = str(getattr(row, "detail", "") or "")
        number = len(listed) + 1
        hover = f"<b>{number} · {safe(date_label(when))}</b><br>{safe(title)}"
        if detail:
            hover += "<br>" + safe(short(detail, 160))
        at = pd.Timestamp(px)
        level = next(
            (i for i, seen in enumerate(last_x) if (at - seen).total_seconds() / span > 0.04),
            len(last_x),
        )
        level = min(level, 2)
        if level < len(last_x):
            last_x[level] = at
        else:
            last_x.append(at)
        fig.add_shape(
            type="line", xref="x", yref="paper", x0=px, x1=px, y0=0, y1=1,
            line={"color": palette.annotation, "dash": "dot", "width": 1},
            name=f"annotation-line:{kind}", layer="below",
        )  # fmt: skip
        fig.add_annotation(
            x=px,
            y=1.0 + level * BADGE_ROW,
            xref="x",
            yref="paper",
            yanchor="bottom",
            text=f"<b>{number}</b>",
            hovertext=hover,
            showarrow=False,
            font={"size": 9 if compact else 11, "color": "#ffffff"},
            bgcolor=palette.annotation,
            bordercolor=palette.annotation,
            borderwidth=1,
            borderpad=2,
            name=f"annotation:{kind}",
        )
        short_kind = KIND_SHORT[kind]
        listed.append(
            f"<b>{number}</b> · {safe(date_label(when))} · {safe(short(title or short_kind, 90))}"
        )
    return listed


def make_room(layout: dict, listed: list[str], palette: Palette, compact: bool) -> None:
    """Grow a figure layout for its badges' rows and, full size, the numbered list below.

    Args:
        layout: The figure's layout dict (changed in place).
        listed: The list lines from :func:`add_change_badges` (nothing to do when empty).
        palette: Colours (the list's text colour).
        compact: Small-multiple style: room for the badges only, no list.
    """
    if not listed:
        return
    layout["margin"]["t"] += 14 if compact else 24  # room above the plot for the badges
    layout["height"] += 14 if compact else 24
    if compact:
        return
    extra = LIST_LINE_PX * len(listed) + 56  # room for a legend of two rows above the list
    layout["margin"]["b"] += extra
    layout["height"] += extra
    m = layout["margin"]
    plot_px = max(layout["height"] - m["t"] - m["b"], 1)
    layout["annotations"] = [
        *layout["annotations"],
        dict(
            x=0, y=-(m["b"] - 4) / plot_px, xref="paper", yref="paper", xanchor="left",
            yanchor="bottom", align="left", showarrow=False, text="<br>".join(listed),
            font={"size": 11, "color": palette.text}, name="annotation-list",
        ),
    ]  # fmt: skip
