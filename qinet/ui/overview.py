"""Overview page: the steering group's month on one screen, and the board pack.

Answers three questions for the filters in force: are our projects improving (the
headline tiles and the icon summary matrix), are we reaching everyone (reach by staff
group against the workforce), are we on plan (milestones due and late). One button
produces the board pack (:mod:`qinet.io.boardpack`).

Data flow per rerun: cached loaders (keyed by the database URL, the viewer, the filters,
the reference date and the SPC preset) → pure statistics (one batch pass of
:func:`qinet.stats.portfolio.summary_matrix` for the current window and one for the
comparison window) → display frames → widgets. The board pack is built only when its
button is clicked (``st.download_button`` with a callable).

Decisions:

* The matrix uses the observations *within the period filter*, like the Measures page,
  so a measure's icons here and its chart there agree; "All time" uses all history.
* Changes are against :func:`qinet.queries.overview.comparison`: the previous period of
  the same length, or for "All time" the state 12 months earlier.
* The SPC preset is the deployment's ``QINET_SPC_PRESET``; run charts use the Anhøj rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.errors import QinetError
from qinet.filters import Filters
from qinet.formatting import plural
from qinet.io import boardpack, pdf
from qinet.queries import commentary as commentary_q
from qinet.queries import milestones as milestone_q
from qinet.queries import overview as q
from qinet.queries import projects
from qinet.queries.scope import frame
from qinet.stats import plan as plan_rule
from qinet.ui import cache, components
from qinet.ui import capability as capability_page
from qinet.ui.context import PageContext
from qinet.views import capability as cap_view
from qinet.views import narrative as nv
from qinet.views import narrative_inputs, overview_pack
from qinet.views import overview as vo
from qinet.views import reach as rc
from qinet.views.base import ViewContext
from qinet.views.overview import Headline, Portfolio, matrix_extract, plan_display

log = logging.getLogger("qinet.ui")

MATRIX_KEY = "overview_matrix"
SECTIONS_KEY = "overview_pack_sections"
PDF_KEY = "overview_pack_pdf"
GROUP_KEY = "overview_group_by"
GROUP_CHOICES = ("Programme", "Directorate")
MAX_PACK_CHARTS = 12  # charts of signalling measures in the board pack (most recent first)
ICON_PX = 28


# --- cached loaders (keyed by URL, viewer, filters, date, preset) ---------------------------


@st.cache_data(ttl=600, show_spinner="Reading every measure…", max_entries=8)
def load_observations(url: str, viewer: Viewer) -> pd.DataFrame:
    """Every observation the viewer may see, whatever the filters, with parsed dates.

    Scope is applied in the query; filters are applied in memory by
    ``load_portfolio``, so changing a filter re-runs the statistics but does not
    re-read the observations.
    """
    with db.session_scope(cache.engine_for(url)) as s:
        obs = q.portfolio_observations(s, viewer, Filters(), None, None)
    return obs.assign(period_start=pd.to_datetime(obs["period_start"]))


@st.cache_data(ttl=600, show_spinner="Analysing every measure…", max_entries=64)
def load_portfolio(url: str, viewer: Viewer, f: Filters, today: date, preset: str) -> Portfolio:
    """Measures in scope and the summary matrix for both windows (two batch passes)."""
    every = load_observations(url, viewer)
    return vo.portfolio_for(cache.engine_for(url), viewer, f, today, preset, every)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_matrix(
    url: str, viewer: Viewer, f: Filters, today: date, preset: str, group_by: str
) -> pd.DataFrame:
    """The summary matrix as displayed (cached: formatting 3,000 rows is not free)."""
    return vo.matrix_frame(load_portfolio(url, viewer, f, today, preset), group_by)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_counts(url: str, viewer: Viewer, f: Filters, today: date) -> dict[str, int]:
    """Active projects and completions, now and in the comparison window."""
    cmp = q.comparison(f, today)
    with db.session_scope(cache.engine_for(url)) as s:
        return {
            "projects": projects.project_count(s, viewer, f),
            "active": q.active_projects(s, viewer, f, cmp.end),
            "active_before": q.active_projects(s, viewer, f, cmp.previous_end),
            "completed": q.completed_participants(s, viewer, f, cmp.start, cmp.end),
            "completed_before": q.completed_participants(
                s, viewer, f, cmp.previous_start, cmp.previous_end
            ),
        }


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_reach(url: str, viewer: Viewer, f: Filters, as_of: date,
               rules: rc.ReachRules) -> pd.DataFrame:  # fmt: skip
    """Raw engaged and headcount by staff group (suppress before showing).

    The Engagement view's computation: one definition of hard to reach and of a
    programme's target groups on both pages.
    """
    return rc.staff_group_raw(cache.engine_for(url), viewer, f, as_of, rules)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_plan(url: str, viewer: Viewer, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Milestones in scope and their revisions."""
    with db.session_scope(cache.engine_for(url)) as s:
        return milestone_q.milestones(s, viewer, f), milestone_q.revisions(s, viewer, f)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_projects(url: str, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """The project register rows in scope."""
    with db.session_scope(cache.engine_for(url)) as s:
        out = frame(s, projects.projects_stmt(viewer, f))
    out["status"] = out["status"].map(str) if len(out) else out["status"]
    return out


def load_narrative(ctx: PageContext, rules: rc.ReachRules) -> tuple[nv.Sentence, ...]:
    """The "This month" sentences from the pages' own cached view models (no second copy).

    The Capability page's cached loader is called with the arguments that page uses by
    default, so whichever page is opened first builds the view once for both; of the
    Engagement view only its reach-over-time chart is needed, worked out by the same
    function (``narrative_inputs.reach_trend``) rather than building that whole page.
    """
    s = ctx.settings
    threshold = s.small_number_threshold
    url, viewer, f, today = ctx.url, ctx.viewer, ctx.filters, ctx.today
    capability = capability_page.load_view(url, viewer, f, today, ctx.synthetic, ctx.scope,
                                           threshold, None, None, cap_view.BREAKDOWNS[0],
                                           cap_view.PULSE_VIEWS[0])  # fmt: skip
    cmp = q.comparison(f, today)
    reach_rows = (load_reach(url, viewer, f, cmp.end, rules),
                  load_reach(url, viewer, f, cmp.previous_end, rules))  # fmt: skip
    return _narrative_sentences(ctx.url, ctx.viewer, ctx.filters, ctx.today, s.spc_preset,
                                rules, s.stale_score_days, threshold, ctx.scope,
                                capability, reach_rows, load_plan(url, viewer, f))  # fmt: skip


@st.cache_data(ttl=600, show_spinner="Writing this month's summary…", max_entries=32)
def _narrative_sentences(
    url: str, viewer: Viewer, f: Filters, today: date, preset: str, rules: rc.ReachRules,
    stale_days: int, threshold: int, scope: str, _capability: cap_view.CapabilityView,
    _reach_rows: tuple[pd.DataFrame, pd.DataFrame], _plan_rows: tuple[pd.DataFrame, pd.DataFrame],
) -> tuple[nv.Sentence, ...]:
    """Cached by the request (the view models follow from it; leading ``_``: not hashed).

    The reach rows and the plan come from the Overview's own cached loaders (the tiles and
    the plan panel read the same frames), so nothing is read twice.

    The Projects register view is built here from the cached portfolio (the Projects page
    imports this module, so its cached loader cannot be called from here).
    """
    p = load_portfolio(url, viewer, f, today, preset)
    vc = ViewContext(cache.engine_for(url), viewer, f, today, scope=scope,
                     small_number_threshold=threshold)  # fmt: skip
    return nv.sentences(narrative_inputs.gather(vc, p, rules, stale_days,
                                                capability=_capability, reach_rows=_reach_rows,
                                                plan_rows=_plan_rows))  # fmt: skip


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_commentary(url: str, period: str, scope: str) -> commentary_q.Commentary | None:
    """The newest commentary for this period and scope (the data version refreshes it)."""
    with db.session_scope(cache.engine_for(url)) as s:
        return commentary_q.latest(s, period, scope)


# --- pure helpers (display frames) -----------------------------------------------------------


# --- page --------------------------------------------------------------------------------


def _tiles(tiles: list[Headline], comparison_label: str) -> None:
    cols = st.columns(len(tiles))
    for col, t in zip(cols, tiles, strict=True):
        still = bool(t.delta) and t.delta.startswith("no change")
        components.kpi(col, t.label, t.value, t.delta, f"{t.help} Change {comparison_label}.",
                       delta_color="off" if still else t.delta_color)  # fmt: skip
    st.caption(f"Changes are {components.md_escape(comparison_label)}.")


def _matrix(ctx: PageContext, display: pd.DataFrame, group_by: str) -> None:
    if display.empty:
        components.empty_state("No measures match these filters.")
        return
    counts = display["variation_state"].value_counts()
    improving = int(counts.get("improvement_high", 0) + counts.get("improvement_low", 0))
    concern = int(counts.get("concern_high", 0) + counts.get("concern_low", 0))
    n_projects = display["project_code"].nunique()
    improving_projects = display.loc[display["variation_state"].isin(
        ["improvement_high", "improvement_low"]), "project_code"].nunique()  # fmt: skip
    st.caption(
        f"{len(display):,} measures in {n_projects:,} projects · {improving:,} improving "
        f"(in {improving_projects:,} projects) · {concern:,} of concern at "
        "the latest point. Sorted by group, then concerns first; click a column to sort. "
        "Select a row to open the measure."
    )
    config = {
        "variation_icon": st.column_config.ImageColumn(
            "Var.", width=48, help="Variation icon (Making Data Count): what the latest point "
            "shows; in words under State"),
        "assurance_icon": st.column_config.ImageColumn(
            "Ass.", width=48, help="Assurance icon: will the target be met? In words under "
            "State"),
        "group": st.column_config.TextColumn(group_by, width=130),
        "measure": st.column_config.TextColumn("Measure", width=250),
        "latest": st.column_config.TextColumn("Latest", width=62),
        "target": st.column_config.TextColumn("Target", width=62),
        "state": st.column_config.TextColumn(
            "State", width=150, help="Variation, then assurance against the target"),
        "signal_when": st.column_config.TextColumn("Signal date", width=96),
        "latest_signal": st.column_config.TextColumn("Latest signal", width="large"),
        "project": st.column_config.TextColumn("Project", width="medium"),
        "directorate": st.column_config.TextColumn("Directorate"),
        "programme": st.column_config.TextColumn("Programme"),
    }
    event = st.dataframe(
        display[vo.MATRIX_SHOWN],
        column_config=config,
        hide_index=True,
        width="stretch",
        height=min(36 + 35 * len(display), 560),
        row_height=34,
        key=MATRIX_KEY,
        on_select="rerun",
        selection_mode="single-row",
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        label = str(display["measure_label"].iloc[rows[0]])
        # the filters travel by themselves (sidebar widgets bound to the URL)
        st.switch_page("pages/measures.py", query_params={"measure": label})
    components.download_csv(matrix_extract(display, group_by), ctx.view, "overview-matrix",
                            label="Matrix CSV")  # fmt: skip


def _reach(reach: vo.ReachView) -> None:
    st.caption(components.md_escape(reach.hard_to_reach_text))
    if reach.staff.empty:
        components.empty_state("No workforce figures for this selection, so reach cannot be shown.")
        return
    ratio = reach.rules.ratio
    if reach.under_represented:
        st.warning(
            "**Under-represented (measured):** "
            + components.md_escape(", ".join(map(str, reach.under_represented)))
            + f" — share of participants below {ratio:g} × share of the workforce "
            f"(all staff groups: {reach.overall:.1%} take part).",
            icon=":material/groups:",
        )
    else:
        st.success("No staff group is under-represented (share of participants below "
                   f"{ratio:g} × share of the workforce).")
    components.chart(reach.figure, config={"displayModeBar": False},
                    key="overview_reach_chart", alt=reach.alt_text)  # fmt: skip
    st.caption(components.md_escape(reach.alt_text) + " " + reach.suppression_note)


_PLAN_COLUMNS = {
    "title": st.column_config.TextColumn("Milestone", width="large"),
    "programme": st.column_config.TextColumn("Programme", width="medium"),
    "owner": "Owner",
    "forecast_date": st.column_config.DateColumn("Forecast", format="D MMM YYYY"),
    "baseline_date": st.column_config.DateColumn("Planned", format="D MMM YYYY"),
    "days_late": st.column_config.NumberColumn("Days late"),
    "days_slipped": st.column_config.NumberColumn("Slipped (days)", help="Forecast − planned"),
    "status": "Status",
}


def _plan(ctx: PageContext, due: pd.DataFrame, late: pd.DataFrame) -> None:
    late_tab, due_tab = st.tabs(
        [f"Late ({len(late)})", f"Due in the next {plan_rule.DUE_SOON_DAYS} days ({len(due)})"]
    )
    with late_tab:
        if late.empty:
            st.caption("No milestones are late.")
        else:
            st.dataframe(late, hide_index=True, width="stretch", key="overview_late",
                         column_config=_PLAN_COLUMNS,
                         column_order=["title", "programme", "owner", "forecast_date",
                                       "days_late", "baseline_date", "status"])  # fmt: skip
            components.download_csv(late, ctx.view, "milestones-late",
                                    label="Late milestones CSV")  # fmt: skip
    with due_tab:
        if due.empty:
            st.caption(f"Nothing due in the next {plan_rule.DUE_SOON_DAYS} days.")
        else:
            st.dataframe(due, hide_index=True, width="stretch", key="overview_due",
                         column_config=_PLAN_COLUMNS,
                         column_order=["title", "programme", "owner", "forecast_date",
                                       "baseline_date", "days_slipped", "status"])  # fmt: skip
            components.download_csv(due, ctx.view, "milestones-due",
                                    label="Milestones due CSV")  # fmt: skip


def _bullets(story: tuple[nv.Sentence, ...]) -> str:
    """Markdown bullets, each sentence followed by a link to the page with its chart."""
    return "\n".join(
        f"- {components.md_escape(s.text)} [{s.link_text}]"
        f"({s.href.replace(' ', '%20').replace(')', '%29')})" for s in story)  # fmt: skip


def _narrative(ctx: PageContext, rules: rc.ReachRules, cmp: q.Comparison) -> None:
    """This month: the rule-made sentences, each linking to the page with the chart."""
    first, rest = nv.headline_split(load_narrative(ctx, rules))
    st.markdown(_bullets(first))
    if rest:
        with st.expander(f"{plural(len(rest), 'more change')} this period"):
            st.markdown(_bullets(rest))
    st.caption(f"Changes {components.md_escape(cmp.label)}, worked out by fixed rules from the "
               "charts linked after each line; the board pack prints the same sentences first.")


def _commentary(ctx: PageContext) -> tuple[str, str]:
    """Show this period's commentary; a programme lead or admin can write it.

    Returns:
        The commentary text and its byline for the pack ("" when there is none).
    """
    period = commentary_q.period_label(ctx.filters, ctx.today)
    scope = commentary_q.scope_description(ctx.filters, ctx.view.scope)
    current = load_commentary(ctx.url, period, scope)
    text, by = (current.text, current.byline) if current else ("", "")
    where = components.md_escape(f"{scope} · {period}")
    if commentary_q.can_write(ctx.viewer):
        with st.form("overview_commentary_form", clear_on_submit=False, border=False):
            new = st.text_area(f"Commentary for the board pack ({where})", value=text,
                               max_chars=commentary_q.MAX_CHARS, key="overview_commentary",
                               help="Printed at the start of the pack, above the summary. "
                               "Saved with this period and scope; each save is audited.",
                               )  # fmt: skip
            if st.form_submit_button("Save commentary", icon=":material/save:"):
                try:
                    with db.session_scope(cache.engine_for(ctx.url)) as s:
                        commentary_q.save(s, ctx.viewer, period, scope, new)
                except QinetError as exc:
                    st.error(str(exc))
                else:
                    load_commentary.clear()
                    st.success("Commentary saved.")
                    current = commentary_q.Commentary(new.strip(), ctx.viewer.user_key,
                                                      datetime.now(UTC))  # fmt: skip
                    text, by = current.text, current.byline
    elif current:
        st.markdown(f"**Programme lead's commentary ({where}):**")
        st.markdown(components.md_escape(text))
        st.caption(f"By {components.md_escape(by)}. Only a programme lead or an admin can "
                   "change it.")  # fmt: skip
    else:
        st.caption(f"No commentary for {where}. Only a programme lead or an admin can write it.")
    if current and commentary_q.can_write(ctx.viewer):
        st.caption(f"Last saved by {components.md_escape(by)}.")
    return text, by


def _pdf(ctx: PageContext, build: Callable[[], bytes], signature: tuple) -> None:
    """The PDF: made on click by headless Chromium from the same HTML; says what is missing."""
    if pdf.chromium_path() is None:
        st.info(pdf.MISSING, icon=":material/picture_as_pdf:")
        return
    held = st.session_state.get(PDF_KEY)
    if st.button("Make the PDF", key="overview_make_pdf", icon=":material/picture_as_pdf:",
                 help="Prints the board pack to A4 with headless Chromium (about a minute "
                 "on a large network)."):  # fmt: skip
        try:
            with st.spinner("Printing the board pack to PDF…"):
                held = (signature, pdf.render(build()))
            st.session_state[PDF_KEY] = held
        except QinetError as exc:
            st.warning(str(exc))
            held = None
    if held and held[0] == signature:
        st.download_button("Board pack (PDF)", data=held[1],
                           file_name=boardpack.board_pack_pdf_filename(ctx.describe(), ctx.today),
                           mime="application/pdf", key="overview_board_pack_pdf",
                           on_click="ignore", icon=":material/download:")  # fmt: skip


def render(ctx: PageContext) -> None:
    """The Overview for the viewer's scope and filters."""
    f, today = ctx.filters, ctx.today
    threshold = ctx.settings.small_number_threshold
    rules = rc.ReachRules.from_settings(ctx.settings)
    cmp = q.comparison(f, today)
    st.subheader("This month")
    this_month = st.container()  # filled last: the tiles and matrix are not kept waiting
    p = Portfolio(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    reach_raw = pd.DataFrame()
    ms = pd.DataFrame(columns=["status", "forecast_date", "actual_date", "baseline_date"])
    tiles: list[Headline] = []

    with components.panel("Headlines"):
        p = load_portfolio(ctx.url, ctx.viewer, f, today, ctx.settings.spc_preset)
        counts = load_counts(ctx.url, ctx.viewer, f, today)
        reach_raw = load_reach(ctx.url, ctx.viewer, f, cmp.end, rules)
        reach_before = load_reach(ctx.url, ctx.viewer, f, cmp.previous_end, rules)
        ms, revs = load_plan(ctx.url, ctx.viewer, f)
        states_now = plan_rule.counts(plan_rule.as_of(ms, revs, cmp.end, today))
        states_before = plan_rule.counts(plan_rule.as_of(ms, revs, cmp.previous_end, today))
        tiles = vo.headlines(p, counts, reach_raw, reach_before, states_now, states_before,
                          threshold)  # fmt: skip
        _tiles(tiles, cmp.label)
        st.page_link("pages/measures.py", label="Open the charts behind the icons (Measures)",
                     icon=":material/monitoring:")

    # The one milestone rule (qinet.stats.plan), shared with the Timeline and the pack.
    due, late, _ = (plan_display(t) for t in plan_rule.due_and_late(plan_rule.assess(ms, today)))
    group_by = st.session_state.get(GROUP_KEY) or GROUP_CHOICES[0]
    display = (
        load_matrix(ctx.url, ctx.viewer, f, today, ctx.settings.spc_preset, group_by)
        if len(p.measures)
        else pd.DataFrame()
    )

    reach = vo.reach_view(reach_raw, threshold, rules)

    with components.panel("Downloads"):
        register = load_projects(ctx.url, ctx.viewer, f)
        with st.expander("Board pack contents and commentary"):
            chosen = st.multiselect(
                "Sections in the board pack", list(boardpack.SECTIONS),
                default=list(boardpack.SECTIONS), format_func=boardpack.SECTIONS.get,
                key=SECTIONS_KEY, help="All by default; the data extracts of the sections "
                "left out are left out too.")  # fmt: skip
            note, byline = _commentary(ctx)
        pack = overview_pack.builder(ctx.view, ctx.settings.spc_preset, p, display, group_by,
                                     reach, due, late, tiles, cmp.label,
                                     ctx.settings.stale_score_days, include=chosen,
                                     commentary=note, commentary_by=byline)  # fmt: skip
        c1, c2, c3 = st.columns([1, 1, 2])
        with c1:  # first download on the page: the project register (the shell tests read it)
            components.download_csv(register, ctx.view, "overview-projects",
                                    label="Project register CSV")  # fmt: skip
        with c2:
            st.download_button(
                "Board pack (HTML)",
                data=pack,
                file_name=boardpack.board_pack_filename(ctx.describe(), today),
                mime="text/html",
                key="overview_board_pack",
                on_click="ignore",
                type="primary",
                icon=":material/description:",
                help="One HTML file for the board papers: opens offline, prints to A4 or PDF, "
                "and carries the CSV extracts of every table.",
            )
        with c3:
            _pdf(ctx, pack, (ctx.describe(), today, tuple(chosen), note))

    st.subheader("Summary of measures")
    with components.panel("Summary of measures"):
        st.segmented_control("Group by", GROUP_CHOICES, key=GROUP_KEY, default=GROUP_CHOICES[0])
        _matrix(ctx, display, group_by)

    st.subheader("Reach by staff group")
    with components.panel("Reach by staff group"):
        _reach(reach)
        if not reach.display.empty:
            components.download_csv(reach.display, ctx.view, "overview-reach",
                                    label="Reach CSV")  # fmt: skip
    st.subheader("Plan")
    with components.panel("Plan"):
        _plan(ctx, due, late)

    with this_month, components.panel("This month"):
        _narrative(ctx, rules, cmp)

    with components.panel("Projects"):
        register = load_projects(ctx.url, ctx.viewer, f)
        with st.expander(f"Projects in this view ({len(register):,})"):
            if register.empty:
                components.empty_state("No projects match these filters.")
            else:
                st.dataframe(vo.register_display(register), hide_index=True, width="stretch",
                             key="overview_projects")  # fmt: skip
