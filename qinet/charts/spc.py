"""SPC chart figures (XmR, p, u, c) from the statistics engine's result frame.

:func:`figure` draws one measure the Making Data Count way: the values joined by a grey
line; points coloured *and shaped* by point type (improvement, concern, neutral, common
cause), excluded points hollow; per-phase centre line, process limits (dashed) and 2σ
lines (dotted), redrawn at each phase break; the target line; PDSA / change-idea
annotations, programme milestones, phase breaks and suggested breaks as vertical
markers with badges above the plot area (never over the data) and, full size, a list
under the legend (:mod:`qinet.charts.badges`). Every point's hover text gives the date,
the value, the point type and *why* it is special (the rule and its window, from the
``reason`` column). Above ``WEBGL_ABOVE`` points the traces switch to WebGL
(``go.Scattergl``).

:func:`alt_text` writes the screen-reader description of the same chart. The run chart
(:mod:`qinet.charts.runchart`) reuses this module's builder with a median and no limits.
A chart never queries: annotations and milestones arrive as small frames.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from qinet.charts import badges
from qinet.charts.palette import MDC_PALETTE, POINT_TYPE_LABELS, Palette
from qinet.charts.text import (  # noqa: F401 - alt_text, chart_dates, fmt_value re-exported
    LABEL_CHARS,
    alt_text,
    chart_dates,
    date_label,
    fmt_value,
    hover_text,
    safe,
    short,
    value_text,
    wrap_lines,
)
from qinet.domain import AnnotationKind, PointType
from qinet.formatting import ValueFormat

WEBGL_ABOVE = 1000  # plotly.express docs: WebGL is "likely necessary… above 1000 points"
COMPACT_HEIGHT = 250
FULL_HEIGHT = 480
SUBTITLE_CHARS = 52  # wrap the subtitle so it fits a phone-width chart (≈ 350 px of plot)
GRID_COLOUR = "#e8edee"  # NHS grey 5 tint: quiet gridlines

_LINES = (
    # (column, legend name, palette attribute, dash, width)
    ("upl", "Process limits", "limit", "dash", 1.5),
    ("lpl", "Process limits", "limit", "dash", 1.5),
    ("upper_2s", "2σ lines", "two_sigma", "dot", 1.0),
    ("lower_2s", "2σ lines", "two_sigma", "dot", 1.0),
)


# --- text helpers -------------------------------------------------------------------------


def _x_values(result: pd.DataFrame) -> tuple[np.ndarray, bool]:
    """Dates when every point has one, else 1-based point numbers."""
    if "date" in result and len(result) and result["date"].notna().all():
        return pd.to_datetime(result["date"]).to_numpy(), True
    return result["idx"].to_numpy() + 1 if "idx" in result else np.arange(1, len(result) + 1), False


# --- the builder --------------------------------------------------------------------------


class _Parts:
    """Traces, shapes and annotations collected as plain dicts.

    The figure is validated once, at the end: adding each piece to a ``go.Figure`` one
    by one re-validates the layout every time and costs tens of milliseconds per chart.
    """

    def __init__(self) -> None:
        self.traces: list[dict] = []
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []

    def add_trace(self, trace: dict) -> None:
        self.traces.append(trace)

    def add_shape(self, **shape: object) -> None:
        self.shapes.append(shape)

    def add_annotation(self, **annotation: object) -> None:
        self.annotations.append(annotation)


def _trace_maker(n: int):  # noqa: ANN202 - returns a dict factory
    kind = "scattergl" if n > WEBGL_ABOVE else "scatter"

    def make(**kwargs: object) -> dict:
        return {"type": kind, **kwargs}

    return make


def _phase_traces(
    fig: _Parts,
    result: pd.DataFrame,
    x: np.ndarray,
    centre_col: str,
    centre_name: str,
    lines: Sequence[tuple[str, str, str, str, float]],
    palette: Palette,
    scatter: object,
) -> None:
    """Centre line and limits, one trace per line per phase (so each phase is redrawn)."""
    phase = result["phase"].to_numpy() if "phase" in result else np.zeros(len(result), int)
    shown: set[str] = set()
    for p in np.unique(phase):
        sel = phase == p
        xs = x[sel]
        specs = [(centre_col, centre_name, "mean", "solid", 1.5), *lines]
        for col, name, colour_attr, dash, width in specs:
            if col not in result:
                continue
            ys = result[col].to_numpy(dtype=float)[sel]
            if not np.isfinite(ys).any():
                continue
            varies = np.nanmax(ys) - np.nanmin(ys) > 1e-12
            fig.add_trace(
                scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=name not in shown,
                    line={
                        "color": getattr(palette, colour_attr),
                        "dash": dash,
                        "width": width,
                        "shape": "hv" if varies else "linear",
                    },
                    hoverinfo="skip",
                    meta={"role": col, "phase": int(p)},
                )
            )
            shown.add(name)


def _point_traces(
    fig: _Parts,
    result: pd.DataFrame,
    x: np.ndarray,
    hover: list[str],
    palette: Palette,
    scatter: object,
    size: int,
) -> None:
    """One marker trace per point type present, then hollow excluded points."""
    y = result["value"].to_numpy(dtype=float)
    pt = (
        result["point_type"].astype(str).to_numpy()
        if "point_type" in result
        else np.full(len(result), PointType.COMMON_CAUSE.value, dtype=object)
    )
    excluded = (
        result["excluded"].to_numpy(dtype=bool)
        if "excluded" in result
        else np.zeros(len(result), dtype=bool)
    )
    present = np.isfinite(y)
    hover_arr = np.asarray(hover, dtype=object)
    for kind in PointType:
        sel = (pt == kind.value) & ~excluded & present
        if not sel.any():
            continue
        fig.add_trace(
            scatter(
                x=x[sel],
                y=y[sel],
                mode="markers",
                name=POINT_TYPE_LABELS[kind],
                marker={
                    "color": palette.colour(kind),
                    "symbol": palette.symbol(kind),
                    "size": size + (2 if kind is not PointType.COMMON_CAUSE else 0),
                    "line": {
                        "color": palette.text
                        if kind is not PointType.COMMON_CAUSE
                        else palette.line,
                        "width": 0.8,
                    },
                },
                hovertext=hover_arr[sel],
                hoverinfo="text",
                meta={"role": "points", "point_type": kind.value},
            )
        )
    sel = excluded & present
    if sel.any():
        fig.add_trace(
            scatter(
                x=x[sel],
                y=y[sel],
                mode="markers",
                name="Excluded (ghosted)",
                marker={
                    "color": palette.common_cause,
                    "symbol": [palette.symbol(t, excluded=True) for t in pt[sel]],
                    "size": size + 1,
                    "line": {"width": 1.5},
                },
                hovertext=hover_arr[sel],
                hoverinfo="text",
                meta={"role": "excluded"},
            )
        )


def _vline(
    fig: _Parts,
    lane: badges.Lane,
    when: object,
    style: tuple[str, str],
    badge: tuple[str, str],
    name: str,
    hover: str,
    compact: bool,
    listed: str,
) -> None:
    """A vertical marker line; full size, its badge above the plot and its line in the list.

    ``style`` is (colour, dash); ``badge`` is (text, text colour). Nothing is written inside
    the plot area, so a label never hides a point, a limit or the target.
    """
    colour, dash = style
    when = (
        pd.Timestamp(when).isoformat() if isinstance(when, (np.datetime64, pd.Timestamp)) else when
    )
    fig.add_shape(
        type="line",
        xref="x",
        yref="paper",
        x0=when,
        x1=when,
        y0=0,
        y1=1,
        line={"color": colour, "dash": dash, "width": 1.5},
        name=name,
        layer="below",
    )
    if compact:
        return
    text, text_colour = badge
    lane.badge(fig, when, text, colour, hover, name, compact, text_colour)
    lane.note(when, listed)


def _add_phase_breaks(
    fig: _Parts,
    lane: badges.Lane,
    result: pd.DataFrame,
    x: np.ndarray,
    dated: bool,
    annotations: pd.DataFrame | None,
    palette: Palette,
    compact: bool,
) -> None:
    """A solid vertical line where each phase starts, badged with the confirmed reason."""
    if "phase" not in result or len(result) < 2:
        return
    phase = result["phase"].to_numpy()
    starts = np.flatnonzero(np.diff(phase) != 0) + 1
    labels: dict[int, tuple[str, str]] = {}
    if annotations is not None and len(annotations) and dated:
        pb = annotations[annotations["kind"].astype(str) == AnnotationKind.PHASE_BREAK.value]
        xs = x.astype("datetime64[ns]")
        for row in pb.itertuples(index=False):
            pos = int(np.searchsorted(xs, np.datetime64(pd.Timestamp(row.on_date), "ns")))
            labels.setdefault(pos, (str(row.title), str(getattr(row, "detail", "") or "")))
    for k, pos in enumerate(starts):
        title, detail = labels.get(int(pos), ("", ""))
        when = x[pos]
        if dated and pos > 0:
            # halfway between the last point of the old phase and the first of the new
            when = pd.Timestamp(x[pos - 1]) + (pd.Timestamp(x[pos]) - pd.Timestamp(x[pos - 1])) / 2
        elif pos > 0:
            when = x[pos] - 0.5
        start = safe(date_label(x[pos]) if dated else f"point {pos + 1}")
        badge = f"Phase {k + 2}"
        hover = f"New phase from {start}" + (f"<br>{safe(title)}" if title else "")
        if detail:
            hover += "<br>" + safe(short(detail, 160))
        listed = f"<b>Phase {k + 2}</b> · from {start}" + (
            f" · {safe(short(title, 90))}" if title else ""
        )
        _vline(fig, lane, when, (palette.phase, "solid"), (badge, "#ffffff"), "phase_break",
               hover, compact, listed)  # fmt: skip


def _add_milestones(
    fig: _Parts,
    lane: badges.Lane,
    x: np.ndarray,
    dated: bool,
    milestones: pd.DataFrame | None,
    palette: Palette,
    compact: bool,
) -> None:
    """Programme milestones inside the chart's date range as dotted vertical markers."""
    if milestones is None or len(milestones) == 0 or not dated or len(x) == 0:
        return
    first, last = pd.Timestamp(x.min()), pd.Timestamp(x.max())
    for row in milestones.sort_values("on_date").itertuples(index=False):
        when = pd.Timestamp(row.on_date)
        if not first <= when <= last:
            continue
        title = str(getattr(row, "title", "") or "Milestone")
        hover = f"Milestone: {safe(title)}<br>{safe(date_label(when))}"
        listed = f"<b>◆</b> · {safe(date_label(when))} · Milestone: {safe(short(title, 90))}"
        _vline(fig, lane, when, (palette.milestone, "dot"), ("◆", "#ffffff"), "milestone",
               hover, compact, listed)  # fmt: skip


def _add_suggestions(
    fig: _Parts, lane: badges.Lane, suggested: Sequence[object], palette: Palette, compact: bool
) -> None:
    for when in suggested:
        d = pd.Timestamp(getattr(when, "on_date", when))
        listed = (f"<b>?</b> · {safe(date_label(d))} · Suggested break? A phase break is "
                  "suggested here (not confirmed)")  # fmt: skip
        _vline(fig, lane, d, (palette.suggestion, "dash"), ("?", palette.text),
               "suggested_break", "A phase break is suggested here (not confirmed)", compact,
               listed)  # fmt: skip


def build(
    result: pd.DataFrame,
    *,
    title: str,
    unit: str,
    centre_col: str,
    centre_name: str,
    lines: Sequence[tuple[str, str, str, str, float]],
    subtitle: str = "",
    annotations: pd.DataFrame | None = None,
    milestones: pd.DataFrame | None = None,
    suggested_breaks: Sequence[object] = (),
    palette: Palette = MDC_PALETTE,
    percent: bool = False,
    compact: bool = False,
    height: int | None = None,
    fmt: ValueFormat | None = None,
) -> go.Figure:
    """The shared figure builder behind :func:`figure` and ``runchart.figure``.

    Args:
        result: An engine result frame (``date``, ``value``, ``phase``, ``point_type``,
            ``reason`` and the centre / limit columns).
        title: Chart title (data-derived; escaped here).
        unit: Y-axis unit.
        centre_col: ``"mean"`` or ``"median"``.
        centre_name: Legend name of the centre line.
        lines: Limit lines to draw per phase: (column, name, palette colour, dash, width).
        subtitle: Second title line, e.g. the preset's ``describe()``.
        annotations: Rows with ``on_date``, ``kind``, ``title`` and optional ``detail``.
        milestones: Rows with ``on_date`` and ``title``.
        suggested_breaks: Dates (or objects with ``on_date``) of suggested phase breaks.
        palette: Colours and shapes.
        percent: Show values as percentages (p charts).
        compact: Small-multiple style: no legend, short annotation labels.
        height: Pixel height (default by style).
        fmt: The measure's value format (:func:`qinet.formatting.measure_format`); when
            given it decides how values read and ``percent`` is ignored.

    Returns:
        The figure.
    """
    if fmt is not None:
        percent = fmt.proportion
    n = len(result)
    scatter = _trace_maker(n)
    x, dated = _x_values(result)
    fig = _Parts()
    listed: list[str] = []
    if n:
        _phase_traces(fig, result, x, centre_col, centre_name, lines, palette, scatter)
        target = result["target"].to_numpy(dtype=float) if "target" in result else np.array([])
        if len(target) and np.isfinite(target).any():
            t = float(target[np.isfinite(target)][-1])
            fig.add_trace(
                scatter(
                    x=[x[0], x[-1]],
                    y=[t, t],
                    mode="lines",
                    name=f"Target {value_text(t, fmt, percent)}",
                    line={"color": palette.target, "dash": "longdash", "width": 1.5},
                    hoverinfo="skip",
                    meta={"role": "target"},
                )
            )
        fig.add_trace(
            scatter(
                x=x,
                y=result["value"].to_numpy(dtype=float),
                mode="lines",
                name="Values",
                showlegend=False,
                line={"color": palette.line, "width": 1.2},
                hoverinfo="skip",
                meta={"role": "values"},
            )
        )
        hover = hover_text(result, centre_col, centre_name, unit, percent, fmt)
        _point_traces(fig, result, x, hover, palette, scatter, 5 if compact else 8)
        lane = badges.Lane(x)
        _add_phase_breaks(fig, lane, result, x, dated, annotations, palette, compact)
        _add_milestones(fig, lane, x, dated, milestones, palette, compact)
        _add_suggestions(fig, lane, suggested_breaks, palette, compact)
        badges.add_change_badges(fig, result, x, dated, annotations, palette, compact, lane)
        listed = lane.lines()
    heading = f"<b>{safe(title)}</b>"
    sub_lines = [safe(line) for line in wrap_lines(subtitle, SUBTITLE_CHARS)]
    layout = dict(
        title={
            "text": heading,
            "subtitle": {"text": "<br>".join(sub_lines)} if subtitle else None,
            "font": {"size": 13 if compact else 17, "color": palette.text},
            "x": 0,
            "xanchor": "left",
            # pinned to the top, so a wrapped subtitle grows down into the room made for it
            # (Plotly's "auto" centres the title in the top margin, over the change badges)
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 12},
        },
        template="none",  # no template: faster, and Streamlit applies its own theme
        paper_bgcolor=palette.background,
        plot_bgcolor=palette.background,
        height=height or (COMPACT_HEIGHT if compact else FULL_HEIGHT),
        margin={"l": 50, "r": 15, "t": 60 if compact else 90, "b": 30 if compact else 40},
        showlegend=not compact,
        legend={"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0, "font": {"size": 11}},
        hovermode="closest",
        hoverlabel={"align": "left"},
        font={"color": palette.text},
        yaxis={
            "title": {"text": "" if compact else safe(unit)},
            "zeroline": False,
            "gridcolor": GRID_COLOUR,
            "automargin": True,
        },
        xaxis={"title": {"text": ""}, "gridcolor": GRID_COLOUR, "automargin": True},
        shapes=fig.shapes,
        annotations=fig.annotations,
    )
    layout["margin"]["t"] += 14 * max(len(sub_lines) - 1, 0)  # a wrapped subtitle's lines
    if percent:
        layout["yaxis"]["tickformat"] = ".0%"
    badges.make_room(layout, listed, palette, compact)
    return go.Figure(data=fig.traces, layout=layout)


def figure(
    result: pd.DataFrame,
    *,
    title: str,
    unit: str = "",
    annotations: pd.DataFrame | None = None,
    milestones: pd.DataFrame | None = None,
    suggested_breaks: Sequence[object] = (),
    palette: Palette = MDC_PALETTE,
    subtitle: str | None = None,
    percent: bool = False,
    compact: bool = False,
    height: int | None = None,
    fmt: ValueFormat | None = None,
) -> go.Figure:
    """An SPC chart (XmR, p, u, c, t or g) from a ``compute_xmr`` / ``apply_rules`` result.

    Args:
        result: The engine's result frame (see :mod:`qinet.stats.spc`).
        title: Chart title, usually the measure's name.
        unit: Y-axis unit.
        annotations: Active annotations (``on_date``, ``kind``, ``title``, ``detail``):
            PDSA cycles, change ideas and notes are numbered badges above the plot
            (listed with their text under a full-size chart); phase breaks label the
            phase lines.
        milestones: Programme milestones (``on_date``, ``title``) drawn as dotted
            vertical markers when inside the chart's dates.
        suggested_breaks: Dates of suggested (unconfirmed) phase breaks.
        palette: Colours and marker shapes.
        subtitle: Second title line; defaults to the preset's ``describe()`` from
            ``result.attrs["rules"]``.
        percent: Show a proportion as a percentage (p charts).
        compact: Small-multiple style.
        height: Pixel height.
        fmt: The measure's value format (see :func:`build`).

    Returns:
        A Plotly figure (WebGL traces above ``WEBGL_ABOVE`` points).
    """
    if subtitle is None:
        rules = result.attrs.get("rules")
        subtitle = rules.describe() if rules is not None else ""
    return build(
        result,
        title=title,
        unit=unit,
        centre_col="mean",
        centre_name="Median" if result.attrs.get("chart") == "g" else "Mean",  # g: median CL
        lines=_LINES,
        subtitle=subtitle,
        annotations=annotations,
        milestones=milestones,
        suggested_breaks=suggested_breaks,
        palette=palette,
        percent=percent,
        compact=compact,
        height=height,
        fmt=fmt,
    )
