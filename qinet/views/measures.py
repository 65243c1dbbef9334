"""One measure's chart as a view model: load → analyse → figure, shared by page and board pack.

Pure (no Streamlit). ``measure_chart`` is the one pipeline: the Measures page calls it
(through its cache) and the board pack calls it for each signalling measure, so a chart
and its signals are the same wherever they appear. ``default_preset_key`` and
``preset_for`` are the one place a rule preset is picked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy.engine import Engine

from qinet import db
from qinet.access import Viewer
from qinet.charts import runchart, spc
from qinet.domain import AnnotationKind, ChartType, ImprovementDirection
from qinet.filters import Filters
from qinet.formatting import format_for
from qinet.queries import measures as q
from qinet.stats import measure as sm
from qinet.stats.rules import (
    DEFAULT_SPC_PRESET,
    RUN_CHART_PRESETS,
    SPC_PRESETS,
    RunChartRules,
    SpcRules,
)

CHART_NAMES = {
    ChartType.RUN: "Run chart",
    ChartType.XMR: "XmR chart",
    ChartType.P: "p chart (proportion)",
    ChartType.U: "u chart (rate)",
    ChartType.C: "c chart (count)",
    ChartType.T: "t chart (time between events)",
    ChartType.G: "g chart (cases between events)",
}


class MeasureData(NamedTuple):
    """One measure's rows in the viewer's scope (what ``load_measure`` reads)."""

    header: dict
    obs: pd.DataFrame
    notes: pd.DataFrame
    plan: pd.DataFrame


@dataclass(frozen=True)
class ChartBundle:
    """What one measure's chart needs, built together (and cached together by the page)."""

    header: dict
    analysis: sm.MeasureAnalysis
    suggestions: tuple[sm.Suggestion, ...]
    breaks: pd.DataFrame
    figure: go.Figure
    alt: str


def default_preset_key(chart: ChartType, spc_setting: str) -> str:
    """The preset a chart starts with: Anhøj for run charts, ``QINET_SPC_PRESET`` for SPC."""
    if chart is ChartType.RUN:
        return sm.FALLBACK_RUN_RULES.key
    return spc_setting if spc_setting in SPC_PRESETS else DEFAULT_SPC_PRESET


def preset_for(key: str, chart: ChartType) -> SpcRules | RunChartRules:
    """The rules for a preset key (an unknown key falls back to the default for the chart)."""
    if chart is ChartType.RUN:
        return RUN_CHART_PRESETS.get(key, sm.FALLBACK_RUN_RULES)
    return SPC_PRESETS.get(key, SPC_PRESETS[DEFAULT_SPC_PRESET])


def load_measure(
    engine: Engine, viewer: Viewer, f: Filters, measure_id: int, today: date
) -> MeasureData:
    """Header, observations, annotations and milestones of one measure (scope applied)."""
    with db.session_scope(engine) as s:
        return MeasureData(
            q.measure_header(s, viewer, measure_id, f),
            q.observations(s, viewer, measure_id, f, today),
            q.annotations(s, viewer, measure_id),
            q.milestones(s, viewer, measure_id),
        )


def measure_chart(
    data: MeasureData,
    preset_key: str,
    *,
    compact: bool = False,
    pack: bool = False,
    title: str | None = None,
) -> ChartBundle:
    """Analyse one measure and draw its chart.

    Args:
        data: From ``load_measure``.
        preset_key: Rule preset key (see ``default_preset_key``).
        compact: Small-multiple size (no suggested breaks drawn).
        pack: Board-pack form: fixed height, no milestones or suggestions, no subtitle.
        title: Chart title (default: the measure's name).

    Returns:
        The analysis, suggested phase breaks, figure and its text alternative.
    """
    header, obs, notes, plan = data
    chart = ChartType(str(header["chart_type"]))
    breaks = notes[notes["kind"] == AnnotationKind.PHASE_BREAK.value] if len(notes) else notes
    analysis = sm.analyse_measure(
        obs,
        chart=chart,
        direction=ImprovementDirection(str(header["improvement_direction"])),
        target=header["target"],
        preset=preset_for(preset_key, chart),
        phase_starts=list(breaks["on_date"]) if len(breaks) else [],
        excluded=list(obs.loc[obs["ghosted"].astype(bool), "period_start"]) if len(obs) else [],
        baseline_points=header["baseline_points"],
        multiplier=header.get("multiplier") or 1,
    )
    fmt = format_for(header)
    changes = (
        notes[notes["kind"].isin([AnnotationKind.PDSA.value, AnnotationKind.CHANGE_IDEA.value])]
        if len(notes)
        else notes
    )
    suggestions = tuple(
        sm.suggest_phase_breaks(
            analysis,
            [(r.on_date, r.title) for r in changes.itertuples()] if len(changes) else [],
            [(r.on_date, r.title) for r in plan.itertuples()] if len(plan) else [],
        )
    )
    maker = spc if analysis.is_spc else runchart
    name = str(header["measure"])
    unit = str(header["unit"] or "")
    if pack:
        fig = maker.figure(analysis.result, title=title or name, unit=unit, annotations=notes,
                           fmt=fmt, height=330)  # fmt: skip
    else:
        fig = maker.figure(
            analysis.result,
            title=title or name,
            unit=unit,
            annotations=notes,
            milestones=plan,
            suggested_breaks=[] if compact else [s.on_date for s in suggestions if s.feasible],
            subtitle=f"{CHART_NAMES[analysis.drawn_as]} · {analysis.preset.describe()}",
            compact=compact,
            fmt=fmt,
        )
    alt = maker.alt_text(analysis.result, title=name, unit=unit, fmt=fmt)
    return ChartBundle(header, analysis, suggestions, breaks, fig, alt)
