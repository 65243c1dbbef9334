"""The Overview's board pack: one self-contained HTML file, built only on click.

Gathers what the Overview shows (tiles, summary matrix, reach, plan) plus a chart
of each measure with a signal, and hands it to :mod:`qinet.io.boardpack`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.charts import engagement as engagement_charts
from qinet.charts import icons
from qinet.domain import AssuranceState, ChartType, VariationState
from qinet.filters import Filters
from qinet.io import boardpack
from qinet.queries import overview as q
from qinet.queries.scope import frame
from qinet.stats import portfolio
from qinet.stats.rules import ANHOEJ, SPC_PRESETS
from qinet.ui import cache
from qinet.ui.components import SCOPE_KEY, with_scope
from qinet.ui.overview import (
    _VARIATION_ORDER,
    ICON_PX,
    MAX_PACK_CHARTS,
    Headline,
    Portfolio,
    _reach_display,
    matrix_extract,
)
from qinet.ui.state import PageContext

log = logging.getLogger(__name__)

def _signal_rows(display: pd.DataFrame) -> pd.DataFrame:
    """Measures whose latest point is special cause: concerns first, newest signal first."""
    if display.empty:
        return display
    special = ~display["variation_state"].isin(
        [VariationState.COMMON_CAUSE.value, VariationState.NOT_ENOUGH_DATA.value]
    )
    rows = display[special].assign(_o=display["variation_state"].map(_VARIATION_ORDER))
    rows = rows.sort_values(["_o", "signal_date"], ascending=[True, False], na_position="last")
    return rows.drop(columns="_o")


def _figure_html(fig, width: int = 700) -> str:  # noqa: ANN001 - a plotly Figure
    fig.update_layout(width=width, autosize=False)
    return fig.to_html(full_html=False, include_plotlyjs=False,
                       config={"staticPlot": True, "displayModeBar": False})  # fmt: skip


def _signal_charts(engine, viewer: Viewer, f: Filters, today: date, preset: str,
                   rows: pd.DataFrame, measures: pd.DataFrame) -> list[boardpack.ChartBlock]:  # noqa: ANN001  # fmt: skip
    from qinet.charts import runchart as run_charts
    from qinet.charts import spc as spc_charts
    from qinet.queries import measures as measure_q
    from qinet.stats.measure import analyse_measure

    info = measures.set_index("measure_id")
    blocks: list[boardpack.ChartBlock] = []
    with db.session_scope(engine) as s:
        breaks = frame(s, q.phase_breaks_stmt(viewer, f))
        for mid, label in zip(rows["measure_id"], rows["measure_label"], strict=True):
            m = info.loc[mid]
            try:
                obs = measure_q.observations(s, viewer, int(mid), f, today)
                notes = measure_q.annotations(s, viewer, int(mid))
                chart = ChartType(m["chart_type"])
                preset_rules = ANHOEJ if chart is ChartType.RUN else SPC_PRESETS[preset]
                a = analyse_measure(
                    obs, chart=chart, direction=m["improvement_direction"], target=m["target"],
                    preset=preset_rules,
                    phase_starts=breaks.loc[breaks["measure_id"] == mid, "on_date"].tolist(),
                    baseline_points=m["baseline_points"],
                )
                percent = chart is ChartType.P
                maker = spc_charts if a.is_spc else run_charts
                fig = maker.figure(a.result, title=str(label), unit=str(m["unit"] or ""),
                                   annotations=notes, percent=percent, height=330)  # fmt: skip
                alt = maker.alt_text(a.result, title=str(m["measure"]), unit=str(m["unit"] or ""),
                                     percent=percent)  # fmt: skip
                blocks.append(boardpack.ChartBlock(str(label), _figure_html(fig), alt,
                                                   heading=False))  # fmt: skip
            except Exception:  # one bad chart must not lose the pack
                log.exception("board pack: chart for measure %s failed", mid)
    return blocks


def builder(ctx: PageContext, p: Portfolio, display: pd.DataFrame, group_by: str,
                  reach_raw: pd.DataFrame, due: pd.DataFrame, late: pd.DataFrame,
                  tiles: list[Headline], comparison_label: str) -> Callable[[], bytes]:  # fmt: skip
    """A zero-argument function that builds the board pack (run on click, off the script)."""
    engine = cache.engine()
    viewer, f, today = ctx.viewer, ctx.filters, ctx.today
    threshold = ctx.settings.small_number_threshold
    preset = ctx.settings.spc_preset
    synthetic = ctx.synthetic
    scope = st.session_state.get(SCOPE_KEY, "")  # read now: build() runs on click, elsewhere
    stale_days = ctx.settings.stale_score_days

    def build() -> bytes:
        import plotly.offline

        signals = _signal_rows(display)
        chosen = signals.head(MAX_PACK_CHARTS)
        charts = _signal_charts(engine, viewer, f, today, preset, chosen, p.measures)
        note = (
            f"{len(signals):,} measures show a signal at their latest point"
            + (f"; the {len(chosen)} shown are concerns first, then improvements, most recent "
               "first. The Measures page has the rest." if len(signals) > len(chosen) else ".")
        )  # fmt: skip
        table, overall = portfolio.reach_table(reach_raw, threshold)
        staff = table[table["headcount"] > 0]
        reach_chart = None
        if not staff.empty:
            fig = engagement_charts.reach_figure(staff, overall, threshold=threshold)
            reach_chart = boardpack.ChartBlock(
                "Participation against the workforce", _figure_html(fig),
                engagement_charts.reach_alt_text(staff, overall),
            )
        matrix = pd.DataFrame()
        if not display.empty:
            matrix = pd.DataFrame({
                "group": display["group"].astype(object),
                "project": display["project"],
                "measure": display["measure"],
                "latest": display["latest"],
                "target": display["target"],
                "variation": display["variation_state"],
                "assurance": display["assurance_state"],
                "signal": display["latest_signal"],
                "signal_date": display["signal_date"],
            })  # fmt: skip
        reach_display = _reach_display(table) if not table.empty else pd.DataFrame()
        progress_sections = _progress_sections(engine, viewer, f, today, synthetic, scope,
                                               threshold, stale_days, p)  # fmt: skip
        pack = boardpack.BoardPack(
            filters=with_scope(f.describe_with_dates(today), scope),
            description=with_scope(f.describe(), scope),
            as_of=today,
            made_on=date.today(),
            synthetic=synthetic,
            tiles=[boardpack.Tile(PACK_LABELS.get(t.label, t.label), t.value, t.delta or "",
                                  t.help) for t in tiles],  # fmt: skip
            comparison=comparison_label,
            matrix=matrix,
            group_by=group_by,
            icons=PACK_ICONS,
            signal_charts=charts,
            signal_note=note,
            reach=reach_display,
            reach_chart=reach_chart,
            under_represented=staff.loc[staff["under_represented"], "staff_group"].tolist(),
            reach_note=(
                f"Engaged: enrolled on a programme by {today:%d %b %Y}. Counts below "
                f"{threshold} are suppressed, with one more group hidden where needed so a "
                "hidden number cannot be worked out from the total. Under-represented: below "
                "half the rate across all staff groups."
            ),
            plan_due=due,
            plan_late=late,
            extracts={
                "summary matrix": matrix_extract(display, group_by),
                "reach by staff group": reach_display,
                "milestones due": due,
                "milestones late": late,
                "project register": p.measures[["project_code", "project", "directorate",
                                                "programme"]].drop_duplicates()
                if len(p.measures) else pd.DataFrame(),
                **{name: df for name, df in progress_sections[1].items()},
            },  # fmt: skip
            script=plotly.offline.get_plotlyjs() if (charts or reach_chart
                                                     or progress_sections[0]) else "",
            sections=progress_sections[0],
        )
        return boardpack.board_pack_bytes(pack)

    return build


def _progress_sections(engine, viewer: Viewer, f: Filters, today: date, synthetic: bool,  # noqa: ANN001
                       scope: str, threshold: int, stale_days: int,
                       p: Portfolio) -> tuple[list[boardpack.PackSection], dict]:  # fmt: skip
    """The Projects page's portfolio sections (its view model, unchanged) and their extracts."""
    from qinet.views import projects as project_views
    from qinet.views.base import ViewContext

    vc = ViewContext(engine, viewer, f, today, synthetic=synthetic, scope=scope,
                     small_number_threshold=threshold)  # fmt: skip
    view = project_views.build(vc, p.measures, p.now, stale_days)
    out, extracts = [], {}
    for sec in project_views.sections(view):
        chart = None
        if sec.figure is not None:
            chart = boardpack.ChartBlock(sec.heading, _figure_html(sec.figure), sec.alt_text,
                                         heading=False)  # fmt: skip
        table = sec.table if sec.table is not None else pd.DataFrame()
        out.append(boardpack.PackSection(sec.heading, sec.sentences, table, chart))
        if sec.extract is not None:
            extracts[sec.extract.name.removeprefix("synthetic ")] = sec.extract.frame
    return out, extracts


PACK_LABELS = {
    "Projects improving": "Projects showing improvement",
    "Reach: hard to reach": "Reach of hard-to-reach staff groups",
    "Plan: on track/late": "Milestones on track / late",
}  # the pack has room for the longer tile labels

PACK_ICONS = boardpack.Icons(
    variation_svg={s.value: icons.variation_svg(s, size=ICON_PX) for s in VariationState},
    variation_label={s.value: icons.variation_label(s) for s in VariationState},
    assurance_svg={s.value: icons.assurance_svg(s, size=ICON_PX) for s in AssuranceState},
    assurance_label={s.value: icons.assurance_label(s) for s in AssuranceState},
)
