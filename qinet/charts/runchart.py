"""Run chart figures (median centre line, Anhøj or IHI signals) from ``compute_run_chart``.

The same look as :mod:`qinet.charts.spc` — values joined by a grey line, points shaped
and coloured by type, annotations, milestones and phase breaks — with the median per
phase as the centre line and no process limits. Points get their type from the
``point_type`` column that :func:`qinet.stats.measure.analyse_measure` adds (points of
a long run, shift, trend or astronomical point, by side and improvement direction); a
raw ``compute_run_chart`` result without it is drawn all common cause, with its reasons
still in the hover text.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from qinet.charts import spc
from qinet.charts.palette import MDC_PALETTE, Palette
from qinet.formatting import ValueFormat


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
    """A run chart from a :func:`qinet.stats.runchart.compute_run_chart` result.

    Args:
        result: The run-chart result (``date``, ``value``, ``phase``, ``median``,
            ``reason``; ``point_type`` when produced by ``analyse_measure``).
        title: Chart title, usually the measure's name.
        unit: Y-axis unit.
        annotations: Active annotations (``on_date``, ``kind``, ``title``, ``detail``).
        milestones: Programme milestones (``on_date``, ``title``).
        suggested_breaks: Dates of suggested (unconfirmed) phase breaks.
        palette: Colours and marker shapes.
        subtitle: Second title line; defaults to the rules' ``describe()``.
        percent: Show a proportion as a percentage.
        compact: Small-multiple style.
        height: Pixel height.
        fmt: The measure's value format (see ``spc.build``).

    Returns:
        A Plotly figure (WebGL traces above ``spc.WEBGL_ABOVE`` points).
    """
    if subtitle is None:
        rules = result.attrs.get("rules")
        subtitle = rules.describe() if rules is not None else ""
    return spc.build(
        result,
        title=title,
        unit=unit,
        centre_col="median",
        centre_name="Median",
        lines=(),
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


def alt_text(
    result: pd.DataFrame,
    *,
    title: str,
    unit: str = "",
    percent: bool = False,
    fmt: ValueFormat | None = None,
) -> str:
    """Screen-reader description of a run chart (see :func:`qinet.charts.spc.alt_text`).

    Args:
        result: The run-chart result.
        title: The measure's name.
        unit: The unit of the values.
        percent: Values are proportions shown as percentages.
        fmt: The measure's value format (overrides ``percent``).

    Returns:
        A few plain sentences.
    """
    return spc.alt_text(result, title=title, unit=unit, chart="Run chart", percent=percent, fmt=fmt)
