"""Markers on a chart's time axis: badges above the plot, listed under it.

PDSA cycles, change ideas and notes are drawn as small numbered badges above the plot
area (never over a point, the centre line or the target), with a dotted line down to
their date; a full-size chart lists "1 · 10 Mar 2025 · PDSA 1: …" under the legend.
Phase breaks, programme milestones and suggested breaks share the same lane of badges
("Phase 2", "◆", "?") so their labels never cover data either; their full text is in
the hover and in the same list. Used by :func:`qinet.charts.spc.build` (SPC and run
charts alike).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from qinet.charts.palette import Palette
from qinet.charts.text import date_label, safe, short, wrap_lines
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
LIST_CHARS = 58  # a list row's characters (tags included) that fit a 390 px phone chart
INDENT = "&nbsp;" * 5  # continuation rows sit under the text, not under the number
"""Pixels per line of the numbered list of changes under a full-size chart."""
MAX_ROWS = 3
"""Rows of badges above the plot; a badge closer than ~4 % of the span to one in every row
goes on the last row."""


def _pos(value: object) -> float:
    """A position on the x axis as a number (nanoseconds for dates)."""
    if isinstance(value, (pd.Timestamp, np.datetime64, str)):
        return float(pd.Timestamp(value).value)
    return float(value)  # type: ignore[arg-type]


class Lane:
    """The badges above one chart's plot area: staggered rows and the list under the plot.

    One lane per figure, shared by every kind of marker, so a milestone's badge and a
    PDSA badge on nearby dates go on different rows instead of on top of each other.
    """

    def __init__(self, x: np.ndarray) -> None:
        """Measure the x span (dates or positions) that the stagger distance is a share of."""
        values = [_pos(v) for v in (x.min(), x.max())] if len(x) else [0.0, 1.0]
        self.span = max(values[1] - values[0], 1.0)
        self.rows: list[list[float]] = []
        self.entries: list[tuple[float, int, str]] = []

    def level(self, at: object) -> int:
        """The first row with no badge within ~4 % of the span (and remember this one).

        Markers arrive in any order (phase breaks, then milestones, then PDSA cycles), so
        a row is checked against every badge already on it, before and after ``at``.
        """
        where = _pos(at)
        level = next(
            (i for i, row in enumerate(self.rows)
             if all(abs(where - seen) / self.span > 0.04 for seen in row)),
            len(self.rows),
        )  # fmt: skip
        level = min(level, MAX_ROWS - 1)
        if level == len(self.rows):
            self.rows.append([])
        self.rows[level].append(where)
        return level

    def badge(
        self, fig: Any, at: object, text: str, colour: str, hover: str, name: str,
        compact: bool, text_colour: str = "#ffffff",
    ) -> None:  # fmt: skip
        """A badge above the plot at ``at`` on the next free row."""
        fig.add_annotation(
            x=at,
            y=1.0 + self.level(at) * BADGE_ROW,
            xref="x",
            yref="paper",
            yanchor="bottom",
            text=text,
            hovertext=hover,
            showarrow=False,
            font={"size": 9 if compact else 11, "color": text_colour},
            bgcolor=colour,
            bordercolor=colour,
            borderwidth=1,
            borderpad=2,
            name=name,
        )

    def note(self, at: object, line: str) -> None:
        """Add a line to the list under the plot (kept in date order)."""
        self.entries.append((_pos(at), len(self.entries), line))

    def lines(self) -> list[str]:
        """The list under the plot, in date order (ties in the order they were added)."""
        return [line for _, _, line in sorted(self.entries)]


def add_change_badges(
    fig: Any,
    result: pd.DataFrame,
    x: np.ndarray,
    dated: bool,
    annotations: pd.DataFrame | None,
    palette: Palette,
    compact: bool,
    lane: Lane | None = None,
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
    lane = lane or Lane(x)
    listed: list[str] = []
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
        fig.add_shape(
            type="line", xref="x", yref="paper", x0=px, x1=px, y0=0, y1=1,
            line={"color": palette.annotation, "dash": "dot", "width": 1},
            name=f"annotation-line:{kind}", layer="below",
        )  # fmt: skip
        lane.badge(
            fig, px, f"<b>{number}</b>", palette.annotation, hover, f"annotation:{kind}", compact
        )
        short_kind = KIND_SHORT[kind]
        listed.append(
            f"<b>{number}</b> · {safe(date_label(when))} · {safe(short(title or short_kind, 90))}"
        )
        lane.note(px, listed[-1])
    return listed


def _list_rows(entry: str) -> list[str]:
    """One list entry as rows that fit a phone-width chart (continuations indented)."""
    first, *more = wrap_lines(entry, LIST_CHARS)
    return [first, *(f"{INDENT}{row}" for row in more)]


def make_room(layout: dict, listed: list[str], palette: Palette, compact: bool) -> None:
    """Grow a figure layout for its badges' rows and, full size, the numbered list below.

    Args:
        layout: The figure's layout dict (changed in place).
        listed: The list lines (:meth:`Lane.lines`; nothing to do when empty).
        palette: Colours (the list's text colour).
        compact: Small-multiple style: room for the badges only, no list.
    """
    if not listed:
        return
    layout["margin"]["t"] += 14 if compact else 24  # room above the plot for the badges
    layout["height"] += 14 if compact else 24
    if compact:
        return
    # room for the legend above the list: two rows on a laptop, four (about 29 px each)
    # when a phone's narrow chart wraps it; 56 px let the legend run over the list at 390 px
    rows = [row for entry in listed for row in _list_rows(entry)]
    extra = LIST_LINE_PX * len(rows) + 150
    layout["margin"]["b"] += extra
    layout["height"] += extra
    m = layout["margin"]
    plot_px = max(layout["height"] - m["t"] - m["b"], 1)
    layout["annotations"] = [
        *layout["annotations"],
        dict(
            x=0, y=-(m["b"] - 4) / plot_px, xref="paper", yref="paper", xanchor="left",
            yanchor="bottom", align="left", showarrow=False, text="<br>".join(rows),
            font={"size": 11, "color": palette.text}, name="annotation-list",
        ),
    ]  # fmt: skip
