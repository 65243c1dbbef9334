"""The Overview's board pack: one self-contained HTML file, built only on click.

Gathers what the Overview shows (tiles, summary matrix, reach, plan) plus a chart
of each measure with a signal, and the Engagement, Capability and Projects pages' parts
(their own view models' sections, as :class:`qinet.io.boardpack.PackPart`), and hands it
to :mod:`qinet.io.boardpack`.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Collection, Sequence
from datetime import date

import pandas as pd

from qinet.charts import icons
from qinet.domain import AssuranceState, ChartType, VariationState
from qinet.filters import Filters
from qinet.io import boardpack
from qinet.views import capability as cap
from qinet.views import engagement as ev
from qinet.views import measures as vm
from qinet.views import narrative as nv
from qinet.views import narrative_inputs
from qinet.views import projects as project_views
from qinet.views import timeline as tv
from qinet.views.base import Section, ViewContext
from qinet.views.overview import (
    ICON_PX,
    MAX_PACK_CHARTS,
    VARIATION_ORDER,
    Headline,
    Portfolio,
    ReachView,
    matrix_extract,
)

log = logging.getLogger(__name__)


def _signal_rows(display: pd.DataFrame) -> pd.DataFrame:
    """Measures whose latest point is special cause: concerns first, newest signal first."""
    if display.empty:
        return display
    special = ~display["variation_state"].isin(
        [VariationState.COMMON_CAUSE.value, VariationState.NOT_ENOUGH_DATA.value]
    )
    rows = display[special]
    # map on the selected rows: assigning the whole frame's Series to an empty selection
    # would re-index it into all-NaN rows ("14 measures show a signal" when none does)
    rows = rows.assign(_o=rows["variation_state"].map(VARIATION_ORDER))
    rows = rows.sort_values(["_o", "signal_date"], ascending=[True, False], na_position="last")
    return rows.drop(columns="_o")


def _figure_html(fig, width: int = 700) -> str:  # noqa: ANN001 - a plotly Figure
    fig.update_layout(width=width, autosize=False)
    return fig.to_html(full_html=False, include_plotlyjs=False,
                       config={"staticPlot": True, "displayModeBar": False})  # fmt: skip


def _signal_charts(view: ViewContext, preset: str, rows: pd.DataFrame,
                   measures: pd.DataFrame) -> list[boardpack.ChartBlock]:  # fmt: skip
    """Each signalling measure's chart, through the Measures page's own pipeline."""
    if rows.empty:  # no measures in the selection: the matrix frame has no columns
        return []
    info = measures.set_index("measure_id")
    blocks: list[boardpack.ChartBlock] = []
    for mid, label in zip(rows["measure_id"], rows["measure_label"], strict=True):
        try:
            data = vm.load_measure(view.engine, view.viewer, view.filters, int(mid), view.today)
            key = vm.default_preset_key(ChartType(info.loc[mid, "chart_type"]), preset)
            bundle = vm.measure_chart(data, key, pack=True, title=str(label))
            blocks.append(boardpack.ChartBlock(str(label), _figure_html(bundle.figure),
                                               bundle.alt, heading=False))  # fmt: skip
        except Exception:  # one bad chart must not lose the pack
            log.exception("board pack: chart for measure %s failed", mid)
    return blocks


def timeline_sections(view: ViewContext) -> list[boardpack.PackSection]:
    """The Plan part: the Timeline page's own sections (same view model, same milestone rule)."""
    return [_pack_section(sec, width=980, empty=f"{sec.heading}: none.")
            for sec in tv.sections(tv.build(view))]  # fmt: skip


def capability_part(view: ViewContext, model: cap.CapabilityView | None = None
                    ) -> tuple[boardpack.PackPart, dict[str, pd.DataFrame]]:  # fmt: skip
    """The Capability page's part of the pack and its extracts, from its own view model.

    The first survey in view (a self-assessment where there is one) with its overall
    score, exactly as the Capability page shows it with these filters.
    """
    out, extracts = [], {}
    for sec in cap.sections(model or cap.build(view)):
        out.append(_pack_section(sec, empty="None."))
        if sec.extract is not None and not sec.extract.frame.empty:
            extracts[sec.extract.name.replace("-", " ")] = sec.extract.frame
    return boardpack.PackPart("capability", "Capability", out), extracts


def engagement_part(view: ViewContext, rules: ev.ReachRules,
                    model: ev.EngagementView | None = None
                    ) -> tuple[boardpack.PackPart, dict[str, pd.DataFrame]]:  # fmt: skip
    """The Engagement page's part of the pack and its extracts, from the page's view model.

    Reach by staff group is already the pack's own reach section (same computation),
    so it is not repeated here.
    """
    model = model or ev.build(view, rules)
    sections, extracts = [], {}
    for sec in ev.sections(model):
        if sec.heading == "Reach by staff group":
            continue
        sections.append(_pack_section(sec, empty="None."))
        if sec.extract is not None:
            extracts[sec.extract.name] = sec.extract.frame
    return boardpack.PackPart("engagement", "Engagement", sections), extracts


def _pack_section(sec: Section, *, width: int = 700,
                  empty: str | None = None) -> boardpack.PackSection:  # fmt: skip
    """A page's view-model section as the pack prints it: the one converter every part uses.

    The figure is copied before drawing (a cached view's figure stays as it is). A table with
    no rows prints ``empty``; with ``empty=None`` it is left out, since it says nothing the
    sentences do not.
    """
    chart = None
    if sec.figure is not None:
        chart = boardpack.ChartBlock(sec.heading, _figure_html(copy.deepcopy(sec.figure),
                                                               width=width),
                                     sec.alt_text, heading=False)  # fmt: skip
    table = sec.table
    if empty is None and table is not None and not len(table):
        table = None
    return boardpack.PackSection(sec.heading, sec.sentences, table, chart, sec.notes,
                                 empty=empty or "None.")  # fmt: skip


def projects_part(
    view: ViewContext, p: Portfolio, stale_days: int,
    register: project_views.RegisterView | None = None,
) -> tuple[boardpack.PackPart, dict[str, pd.DataFrame]]:
    """The Projects page's part (its register view model, unchanged) and its extracts."""
    register = register or project_views.build(view, p.measures, p.now, stale_days)
    secs = project_views.sections(register)
    extracts = {sec.extract.name.replace("-", " "): sec.extract.frame
                for sec in secs if sec.extract is not None}  # fmt: skip
    part = boardpack.PackPart("projects", "Project progress", [_pack_section(s) for s in secs])
    return part, extracts


def builder(view: ViewContext, preset: str, p: Portfolio, display: pd.DataFrame, group_by: str,
            reach: ReachView, due: pd.DataFrame, late: pd.DataFrame, tiles: list[Headline],
            comparison_label: str, stale_days: int = 90, *,
            narrative: Sequence[nv.Sentence] | None = None,
            include: Collection[str] | None = None, commentary: str = "",
            commentary_by: str = "") -> Callable[[], bytes]:  # fmt: skip
    """A zero-argument function that builds the board pack (run on click, off the script).

    Args:
        view: The request (scope, filters, date, synthetic flag, threshold).
        preset: SPC preset key for the signal charts (as on the Measures page).
        p: The Overview's portfolio.
        display: The summary matrix as displayed (``views.overview.matrix_frame``).
        group_by: The matrix grouping.
        reach: The Overview's reach view (its rules also drive the Engagement part).
        due: Milestones due, as displayed.
        late: Milestones late, as displayed.
        tiles: The headline tiles.
        comparison_label: What the tiles' changes are against.
        stale_days: ``QINET_STALE_SCORE_DAYS`` for the Projects part's stale-score flags.
        narrative: The "This month" sentences if already made (else made here from the
            same view models as the parts).
        include: Section keys (``boardpack.SECTIONS``) the lead chose; ``None`` for all.
        commentary: The lead's commentary stored for this period and scope.
        commentary_by: Its author and date, as printed.
    """
    today = view.today
    filters_text, description = view.describe_with_dates(), view.describe()
    chosen_keys = None if include is None else frozenset(include)

    def build() -> bytes:
        import plotly.offline

        signals = _signal_rows(display)
        chosen = signals.head(MAX_PACK_CHARTS)
        charts = _signal_charts(view, preset, chosen, p.measures)
        note = (
            f"{len(signals):,} measures show a signal at their latest point"
            + (f"; the {len(chosen)} shown are concerns first, then improvements, most recent "
               "first. The Measures page has the rest." if len(signals) > len(chosen) else ".")
        )  # fmt: skip
        reach_chart = None
        if reach.figure is not None:
            reach_chart = boardpack.ChartBlock(
                "Participation against the workforce",
                _figure_html(copy.deepcopy(reach.figure)),
                reach.alt_text,
            )
        eng_model = ev.build(view, reach.rules)
        cap_model = cap.build(view)
        register = project_views.build(view, p.measures, p.now, stale_days)
        story = narrative
        if story is None:
            story = nv.sentences(narrative_inputs.gather(
                view, p, reach.rules, stale_days, engagement=eng_model, capability=cap_model,
                register=register))  # fmt: skip
        engagement, engagement_extracts = engagement_part(view, reach.rules, eng_model)
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
        plan_sections = timeline_sections(view)
        capability, cap_extracts = capability_part(view, cap_model)
        projects, project_extracts = projects_part(view, p, stale_days, register)
        pack = boardpack.BoardPack(
            filters=filters_text,
            description=description,
            as_of=today,
            made_on=date.today(),
            synthetic=view.synthetic,
            tiles=[boardpack.Tile(PACK_LABELS.get(t.label, t.label), t.value, t.delta or "",
                                  t.help) for t in tiles],  # fmt: skip
            comparison=comparison_label,
            matrix=matrix,
            group_by=group_by,
            icons=PACK_ICONS,
            signal_charts=charts,
            signal_note=note,
            reach=reach.display,
            reach_chart=reach_chart,
            under_represented=reach.under_represented,
            reach_note=(
                f"Engaged: enrolled on a programme by {today:%d %b %Y}. {reach.suppression_note} "
                f"{reach.hard_to_reach_text} "
                + reach.rules.rule_text()
            ),
            plan_due=due,
            plan_late=late,
            plan_sections=plan_sections,
            parts=[engagement, capability, projects],
            extracts=_chosen_extracts(chosen_keys, {
                "matrix": {"summary matrix": matrix_extract(display, group_by)},
                "reach": {"reach by staff group": reach.display},
                "plan": {"milestones due": due, "milestones late": late},
                "engagement": engagement_extracts,
                "capability": cap_extracts,
                "projects": project_extracts,  # the project register and scores by month
            }),  # fmt: skip
            narrative=[sentence.pack_text for sentence in story],
            commentary=commentary,
            commentary_by=commentary_by,
            include=chosen_keys,
            script=plotly.offline.get_plotlyjs() if any(
                on and (chosen_keys is None or key in chosen_keys) for key, on in (
                    ("signals", bool(charts)), ("reach", reach_chart is not None),
                    ("plan", any(sec.chart for sec in plan_sections)),
                    *((part.key, any(sec.chart for sec in part.sections))
                      for part in (engagement, capability, projects)))) else "",
        )
        return boardpack.board_pack_bytes(pack)

    return build


def _chosen_extracts(keys: frozenset[str] | None,
                     by_section: dict[str, dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The CSVs of the sections the lead chose (all when nothing was chosen)."""
    return {name: df for key, group in by_section.items() if keys is None or key in keys
            for name, df in group.items()}  # fmt: skip


PACK_LABELS = {
    "Improving": "Projects showing improvement",
    "Trained": "Participants trained",
    "Hard to reach": "Reach of hard-to-reach staff groups",
    "On track / late": "Milestones on track / late",
}  # the pack has room for the longer tile labels

PACK_ICONS = boardpack.Icons(
    variation_svg={s.value: icons.variation_svg(s, size=ICON_PX) for s in VariationState},
    variation_label={s.value: icons.variation_label(s) for s in VariationState},
    assurance_svg={s.value: icons.assurance_svg(s, size=ICON_PX) for s in AssuranceState},
    assurance_label={s.value: icons.assurance_label(s) for s in AssuranceState},
)


def standalone_builder(view: ViewContext, preset: str, rules: ev.ReachRules, stale_days: int,
                       group_by: str = "Programme", **kwargs: object
                       ) -> Callable[[], bytes]:  # fmt: skip
    """The Overview's pack without the page: the same loads and view models, uncached.

    For the benchmark and tests (and any scheduled job); the page passes its cached frames
    to :func:`builder` instead.
    """
    from qinet import db
    from qinet.queries import milestones as milestone_q
    from qinet.queries import overview as q
    from qinet.queries import projects as project_q
    from qinet.stats import plan as plan_rule
    from qinet.views import overview as vo
    from qinet.views import reach as rc

    f, today, threshold = view.filters, view.today, view.small_number_threshold
    cmp = q.comparison(f, today)
    with db.session_scope(view.engine) as s:
        obs = q.portfolio_observations(s, view.viewer, Filters(), None, None)
        counts = {
            "projects": project_q.project_count(s, view.viewer, f),
            "active": q.active_projects(s, view.viewer, f, cmp.end),
            "active_before": q.active_projects(s, view.viewer, f, cmp.previous_end),
            "completed": q.completed_participants(s, view.viewer, f, cmp.start, cmp.end),
            "completed_before": q.completed_participants(s, view.viewer, f, cmp.previous_start,
                                                         cmp.previous_end),  # fmt: skip
        }
        ms = milestone_q.milestones(s, view.viewer, f)
        revs = milestone_q.revisions(s, view.viewer, f)
    obs = obs.assign(period_start=pd.to_datetime(obs["period_start"]))
    p = vo.portfolio_for(view.engine, view.viewer, f, today, preset, obs)
    reach_raw = rc.staff_group_raw(view.engine, view.viewer, f, cmp.end, rules)
    reach_before = rc.staff_group_raw(view.engine, view.viewer, f, cmp.previous_end, rules)
    states_now = plan_rule.counts(plan_rule.as_of(ms, revs, cmp.end, today))
    states_before = plan_rule.counts(plan_rule.as_of(ms, revs, cmp.previous_end, today))
    tiles = vo.headlines(p, counts, reach_raw, reach_before, states_now, states_before, threshold)
    due, late, _ = (vo.plan_display(t) for t in plan_rule.due_and_late(plan_rule.assess(ms, today)))
    display = vo.matrix_frame(p, group_by) if len(p.measures) else pd.DataFrame()
    reach = vo.reach_view(reach_raw, threshold, rules)
    return builder(view, preset, p, display, group_by, reach, due, late, tiles, cmp.label,
                   stale_days, **kwargs)  # fmt: skip
