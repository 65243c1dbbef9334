"""Projects page: the register of every project, the portfolio of progress scores, one project.

``?project=CODE`` opens one project (a row of the register sets it); without it the
page shows the register, the portfolio view and the stale-score flags. Everything is
built by :mod:`qinet.views.projects` from the Overview's cached summary matrix
(:func:`qinet.ui.overview.load_portfolio`), so measure counts agree with the Overview.

Leads (directorate lead, programme lead, admin) record a new progress score or status
with a note; the write is scoped in the query and clears the data caches afterwards
(when a data-version mechanism lands, it should bump the version there instead).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.charts import icons
from qinet.domain import IHI_PROGRESS_SCORES, ChartType, ProjectStatus
from qinet.filters import Filters
from qinet.queries import projects as q
from qinet.stats import progress
from qinet.ui import cache, components, overview
from qinet.ui.components import md_escape
from qinet.ui.context import PageContext
from qinet.views import measures as vm
from qinet.views import projects as views
from qinet.views.base import ViewContext

PROJECT_PARAM = "project"  # ?project=QI-0001
SEARCH_KEY = "projects_search"
STATUS_KEY = "projects_status"
SCORE_KEY = "projects_score"
STALE_KEY = "projects_stale_only"
TAB_KEY = "projects_tab"
REGISTER_KEY = "projects_register"
GENERATION_KEY = "_projects_register_generation"
FLASH_KEY = "_projects_flash"
TABS = ("Register", "Portfolio", "Stale scores")
MAX_ECHO = 24  # characters of an unknown code repeated back (escaped)
SMALL_MULTIPLE_COLUMNS = 2


# --- cached loaders ------------------------------------------------------------------------


def _vc(url: str, viewer: Viewer, f: Filters, today: date, synthetic: bool) -> ViewContext:
    s = cache.settings()
    return ViewContext(cache.engine_for(url), viewer, f, today, synthetic=synthetic,
                       small_number_threshold=s.small_number_threshold)  # fmt: skip


@st.cache_data(ttl=600, show_spinner="Reading the projects…", max_entries=32)
def load_register(url: str, viewer: Viewer, f: Filters, today: date, preset: str,
                  stale_days: int, synthetic: bool) -> views.RegisterView:  # fmt: skip
    """The register and portfolio view (the Overview's summary matrix, cached, feeds it)."""
    p = overview.load_portfolio(url, viewer, f, today, preset)
    return views.build(_vc(url, viewer, f, today, synthetic), p.measures, p.now, stale_days)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_project(url: str, viewer: Viewer, f: Filters, today: date, preset: str,
                 stale_days: int, synthetic: bool,
                 code: str) -> views.ProjectView | None:  # fmt: skip
    """One project (None when it is not in the viewer's scope).

    Its measure counts come from the summary matrix under the current filters; a deep
    link to a project outside the sidebar filters uses the matrix of the viewer's whole
    scope for the same period.
    """
    p = overview.load_portfolio(url, viewer, f, today, preset)
    counts = progress.project_measure_counts(p.measures, p.now)
    vc = _vc(url, viewer, f, today, synthetic)
    view = views.build_project(vc, code, counts, stale_days)
    if view is not None and view.header["project_id"] not in counts.index and len(view.measures):
        wide = Filters(period=f.period)
        pw = overview.load_portfolio(url, viewer, wide, today, preset)
        view = views.build_project(vc, code, progress.project_measure_counts(pw.measures, pw.now),
                                   stale_days)  # fmt: skip
    return view


@st.cache_data(ttl=600, show_spinner=False, max_entries=256)
def load_small_multiple(url: str, viewer: Viewer, f: Filters, measure_id: int, today: date,
                        preset_key: str) -> vm.ChartBundle:  # fmt: skip
    """One measure's compact chart, through the Measures page's own pipeline."""
    data = vm.load_measure(cache.engine_for(url), viewer, f, measure_id, today)
    return vm.measure_chart(data, preset_key, compact=True)


def _args(ctx: PageContext) -> tuple:
    s = ctx.settings
    return (ctx.url, ctx.viewer, ctx.filters, ctx.today, s.spc_preset, s.stale_score_days,
            ctx.synthetic)  # fmt: skip


# --- register ------------------------------------------------------------------------------


def filter_register(reg: pd.DataFrame, search: str, statuses: list[str], scores: list[str],
                    stale_only: bool) -> pd.DataFrame:  # fmt: skip
    """The register narrowed by the search box, status, score and the stale flag (pure)."""
    out = reg
    text = search.strip().lower()
    if text and len(out):
        hay = (out["code"] + " " + out["title"] + " " + out["programme"] + " "
               + out["directorate"] + " " + out["lead_staff_group"]).str.lower()  # fmt: skip
        out = out[hay.str.contains(text, regex=False)]
    if statuses:
        out = out[out["status_label"].isin(statuses)]
    if scores:
        out = out[out["score_label"].isin(scores)]
    if stale_only:
        out = out[out["stale"] != ""]
    return out.reset_index(drop=True)


_REGISTER_COLUMNS = {
    "code": st.column_config.TextColumn("Code", width="small"),
    "title": st.column_config.TextColumn("Project", width="medium"),
    "status_label": st.column_config.TextColumn("Status", width="small"),
    "score": st.column_config.NumberColumn("Score", width="small", format="%.1f",
                                           help="IHI project progress score, 0.5 to 5.0"),
    "score_label": st.column_config.TextColumn("IHI stage", width="medium"),
    "scored_on": st.column_config.DateColumn("Score updated", format="D MMM YYYY",
                                             width="small"),
    "measures": st.column_config.NumberColumn("Measures", width="small"),
    "improving": st.column_config.NumberColumn(
        "Improving", width="small",
        help="Measures whose latest point is special-cause improvement"),
    "stale_flag": st.column_config.TextColumn(
        "Stale?", width="small", help="The reason is in the last column and the Stale tab"),
    "directorate": st.column_config.TextColumn("Directorate", width="small"),
    "lead_staff_group": st.column_config.TextColumn("Lead's staff group", width="small"),
    "hard_to_reach": st.column_config.TextColumn(
        "Hard-to-reach lead", width="small",
        help="The project lead is in a hard-to-reach staff group"),
    "programme": st.column_config.TextColumn("Programme", width="medium"),
    "cohort": st.column_config.TextColumn("Cohort", width="small"),
    "stale": st.column_config.TextColumn("Why the score may be stale", width="large"),
}  # fmt: skip


def _register_tab(ctx: PageContext, view: views.RegisterView) -> None:
    reg = view.register
    st.caption(md_escape(" ".join(view.sentences)))
    if reg.empty:
        components.empty_state("No projects match these filters. Clear a filter in the sidebar.")
        return
    c1, c2, c3, c4 = st.columns([3, 2, 2, 1.5], vertical_alignment="bottom")  # "Stale only" fits
    search = c1.text_input("Search", key=SEARCH_KEY,
                           placeholder="Code, title, programme, directorate or staff group")
    statuses = c2.multiselect("Status", sorted(reg["status_label"].unique()), key=STATUS_KEY,
                              placeholder="All statuses")  # fmt: skip
    score_options = [progress.score_label(s) for s in IHI_PROGRESS_SCORES]
    if (reg["score_label"] == "Not scored").any():
        score_options.append("Not scored")
    scores = c3.multiselect("Progress score", score_options, key=SCORE_KEY,
                            placeholder="All scores")  # fmt: skip
    stale_only = c4.toggle("Stale only", key=STALE_KEY)
    shown = filter_register(reg, search, statuses, scores, stale_only)
    n = len(shown)
    st.caption(f"Showing {n:,} of {len(reg):,} project{'s' if len(reg) != 1 else ''}. "
               "Click a column to sort; select a row to open the project.")  # fmt: skip
    if shown.empty:
        components.empty_state("No project matches the search and filters above.")
    else:
        gen = st.session_state.get(GENERATION_KEY, 0)
        table = shown.assign(stale_flag=shown["stale"].map(lambda r: "⚠ Stale" if r else ""))
        event = st.dataframe(
            table[list(_REGISTER_COLUMNS)], column_config=_REGISTER_COLUMNS, hide_index=True,
            width="stretch", height=min(38 + 35 * n, 560), key=f"{REGISTER_KEY}_{gen}",
            on_select="rerun", selection_mode="single-row",
        )  # fmt: skip
        rows = event.selection.rows if event is not None else []
        if rows:
            _open(str(shown["code"].iloc[rows[0]]))
    components.download_csv(views.register_extract_frame(shown), ctx.view, view.extract.name,
                            label="Register CSV", key="dl_projects_register")  # fmt: skip


def _portfolio_tab(ctx: PageContext, view: views.RegisterView) -> None:
    st.markdown("**Projects at each progress score, month by month**")
    components.chart(view.heatmap, config={"displayModeBar": False},
                    key="projects_heatmap", alt=view.portfolio_alt)  # fmt: skip
    st.markdown("**Median progress score**")
    components.chart(view.median, config={"displayModeBar": False},
                    key="projects_median", alt=view.portfolio_alt)  # fmt: skip
    st.caption(md_escape(view.portfolio_alt) + " Each project counts at its latest score at the "
               "end of each month, from its first score on.")  # fmt: skip
    components.download_csv(view.portfolio_extract.frame, ctx.view, view.portfolio_extract.name,
                            label="Portfolio CSV", key="dl_projects_portfolio")  # fmt: skip


def _stale_tab(ctx: PageContext, view: views.RegisterView) -> None:
    days = ctx.settings.stale_score_days
    st.caption(
        f"A score is flagged when it has not been updated for {days} days while one of the "
        "project's measures has signalled since, or when it is 3.5 (Improvement) or more and "
        "no measure shows improvement at the latest point."
    )
    if view.stale.empty:
        st.success("No progress score is flagged.", icon=":material/check_circle:")
        return
    st.dataframe(
        view.stale, hide_index=True, width="stretch", key="projects_stale",
        column_config={
            "code": st.column_config.TextColumn("Code", width="small"),
            "title": st.column_config.TextColumn("Project", width="medium"),
            "score_label": st.column_config.TextColumn("Progress score", width="medium"),
            "scored_on": st.column_config.DateColumn("Updated", format="D MMM YYYY"),
            "reason": st.column_config.TextColumn("Why it is flagged", width="large"),
        },
    )  # fmt: skip
    stale = view.register[view.register["stale"] != ""]
    components.download_csv(views.register_extract_frame(stale), ctx.view,
                            "stale-progress-scores", label="Stale scores CSV",
                            key="dl_projects_stale")  # fmt: skip


def _open(code: str) -> None:
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    st.query_params[PROJECT_PARAM] = code
    st.rerun()


def _back() -> None:
    if PROJECT_PARAM in st.query_params:
        del st.query_params[PROJECT_PARAM]


# --- one project ---------------------------------------------------------------------------


def _measure_tiles(ctx: PageContext, view: views.ProjectView) -> None:
    if view.measures.empty:
        st.caption("This project has no measures yet.")
        return
    period = Filters(period=ctx.filters.period)
    cols = st.columns(SMALL_MULTIPLE_COLUMNS)
    for i, m in enumerate(view.measures.itertuples()):
        with cols[i % SMALL_MULTIPLE_COLUMNS], components.panel(f"Measure {m.measure}"):
            key = vm.default_preset_key(ChartType(m.chart_type), ctx.settings.spc_preset)
            bundle = load_small_multiple(ctx.url, ctx.viewer, period, int(m.measure_id),
                                         ctx.today, key)  # fmt: skip
            s = bundle.analysis.summary
            if bundle.analysis.is_spc:
                st.image([icons.variation_svg(s.variation, size=44),
                          icons.assurance_svg(s.assurance, size=44)], width=44,
                         alt=[f"Variation icon: {icons.variation_label(s.variation)}",
                              f"Assurance icon: {icons.assurance_label(s.assurance)}"])
                words = (f"{icons.variation_label(s.variation)} · "
                         f"{icons.assurance_label(s.assurance)}")  # fmt: skip
            else:
                words = "Run chart (no process limits)"
            signal = human_dates(s.latest_signal_reason or "no signal under these rules")
            st.caption(md_escape(f"{words}. Latest signal: {signal}."))
            components.chart(bundle.figure, key=f"project_sm_{m.measure_id}", alt=bundle.alt,
                            config={"displayModeBar": False})  # fmt: skip
            st.page_link("pages/measures.py", label="Open this chart",
                         query_params={"measure": q.measure_label(view.header["code"],
                                                                  m.measure)},
                         icon=":material/monitoring:")  # fmt: skip


def _update_form(ctx: PageContext, view: views.ProjectView) -> None:
    if not q.can_update(ctx.viewer):
        st.caption("You can read this project. Progress scores and status are recorded by the "
                   "project's directorate lead, its programme lead or an administrator.")
        return
    statuses = [s.value for s in ProjectStatus]
    current = view.header["status"]
    scores = list(IHI_PROGRESS_SCORES)
    with st.form("project_update", clear_on_submit=False, border=True):
        st.markdown("**Record a progress score or status**")
        c1, c2 = st.columns(2)
        score = c1.selectbox("Progress score", scores, format_func=progress.score_label,
                             index=scores.index(view.score) if view.score in scores else 0,
                             key="project_update_score")  # fmt: skip
        status = c2.selectbox("Status", statuses, format_func=views.status_words,
                              index=statuses.index(current), key="project_update_status")
        note = st.text_area("Note (required)", max_chars=q.NOTE_MAX_CHARS,
                            key="project_update_note",
                            placeholder="What the score or status is based on, e.g. two "
                            "measures have sustained their shift for three months")  # fmt: skip
        submitted = st.form_submit_button("Save update", type="primary")
    if not submitted:
        return
    new_score = None if view.score is not None and float(score) == view.score else float(score)
    new_status = None if status == current else status
    problems = q.update_problems(new_score, new_status, note, view.score, current)
    if problems:
        for p in problems:
            st.warning(p, icon=":material/edit_note:")
        return
    with components.panel("Save update"):
        with db.session_scope(cache.engine_for(ctx.url)) as s:
            q.record_update(s, ctx.viewer, int(view.header["project_id"]), score=new_score,
                            status=new_status, note=note, on=ctx.today,
                            at=datetime.now(UTC))  # fmt: skip
        # The write bumped the data version (other processes follow); this one clears now.
        cache.clear_data_caches()
        st.session_state[FLASH_KEY] = "Update saved; the history below includes it."
        st.rerun()


def _table(df: pd.DataFrame, key: str, config: dict, empty: str) -> None:
    if df.empty:
        st.caption(empty)
        return
    st.dataframe(df, hide_index=True, width="stretch", key=key, column_config=config,
                 height=min(38 + 35 * len(df), 400))  # fmt: skip


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_ISO_MONTH = re.compile(r"\b(\d{4})-(\d{2})\b")


def human_dates(text: str) -> str:
    """ISO dates in a sentence from the statistics (``2025-02-10``, ``2024-12``) as on screen."""
    text = _ISO_DAY.sub(lambda m: views.day_text(m.group(0)), text)
    return _ISO_MONTH.sub(lambda m: pd.Timestamp(m.group(0) + "-01").strftime("%b %Y"), text)


def _changes(changes: pd.DataFrame) -> None:
    """Change ideas and PDSA cycles as a dated list, with what was predicted and learned."""
    if changes.empty:
        st.caption("No change ideas or PDSA cycles recorded.")
        return
    lines = []
    for r in changes.itertuples():
        line = (f"- **{views.day_text(r.on_date)} · {md_escape(r.kind)}:** {md_escape(r.title)} "
                f":small[({md_escape(r.measure)})]")  # fmt: skip
        extra = [f"*{label}:* {md_escape(text)}" for label, text in
                 (("Predicted", r.predicted), ("Learned", r.learned), ("Notes", r.notes))
                 if text]  # fmt: skip
        if extra:
            line += "  \n  " + " · ".join(extra)
        lines.append(line)
    st.markdown("\n".join(lines))
    if not (changes["predicted"].str.len().gt(0) | changes["learned"].str.len().gt(0)).any():
        st.caption("No predictions or learning recorded yet: write them in a change's note as "
                   "\"Predicted: …\" and \"Learned: …\".")


def _fact(line: str) -> str:
    """``Label: value`` with the label in bold and the value escaped."""
    label, _, value = line.partition(": ")
    return f"**{md_escape(label)}:** {md_escape(value)}"


def _project_page(ctx: PageContext, code: str) -> None:
    st.button("All projects", icon=":material/arrow_back:", on_click=_back, key="projects_back")
    view = None
    with components.panel("Project"):
        view = load_project(*_args(ctx), code)
        if view is None:
            shown = md_escape(code[:MAX_ECHO]) + ("…" if len(code) > MAX_ECHO else "")
            st.warning(
                f"No project with the code “{shown}” is available to you. Check the link, or "
                "choose a project from the register.", icon=":material/search_off:"
            )
    if view is None:
        return
    h = view.header
    st.subheader(md_escape(f"{h['code']} · {h['title']}"), anchor=False)
    if h.get("aim"):
        st.markdown("**Aim:** " + md_escape(str(h["aim"])))
    st.markdown("  \n".join(_fact(f) for f in view.facts))
    if view.stale:
        st.warning("**Progress score may be stale.** " + md_escape(view.stale),
                   icon=":material/update:")  # fmt: skip
    left, right = st.columns([1, 1])
    with left:
        st.markdown("**Team**")
        _table(view.team[["team_role", "reference", "staff_group"]]
               .assign(team_role=view.team["team_role"].str.capitalize()), "project_team", {
            "team_role": st.column_config.TextColumn("Role", width="small"),
            "reference": st.column_config.TextColumn("Person", width="small",
                                                     help="Pseudonymous reference"),
            "staff_group": st.column_config.TextColumn("Staff group", width="medium"),
        }, "No team members recorded.")  # fmt: skip
    with right:
        st.markdown("**Progress score over time**")
        components.chart(view.score_figure, key="project_scores",
                        config={"displayModeBar": False}, alt=view.score_alt)  # fmt: skip
        st.caption(md_escape(view.score_alt))
    with components.panel("Update"):
        _update_form(ctx, view)
    st.subheader("Measures", anchor=False)
    _measure_tiles(ctx, view)
    st.subheader("Change ideas and PDSA cycles", anchor=False)
    _changes(view.changes)
    st.subheader("Milestones of the programme", anchor=False)
    _table(view.milestones, "project_milestones", {
        "title": st.column_config.TextColumn("Milestone", width="medium"),
        "owner": "Owner",
        "baseline_date": st.column_config.DateColumn("Planned", format="D MMM YYYY"),
        "forecast_date": st.column_config.DateColumn("Forecast", format="D MMM YYYY"),
        "actual_date": st.column_config.DateColumn("Done", format="D MMM YYYY"),
        "state": "Status",
    }, "This project belongs to no programme with a plan.")  # fmt: skip
    st.subheader("Updates", anchor=False)
    _table(view.updates, "project_updates", {
        "recorded_on": st.column_config.DateColumn("Recorded", format="D MMM YYYY"),
        "recorded_by": "By", "change": st.column_config.TextColumn("Change", width="medium"),
        "note": st.column_config.TextColumn("Note", width="large"),
    }, "No updates recorded on this dashboard yet.")  # fmt: skip
    cols = st.columns(len(view.extracts))
    for col, ex in zip(cols, view.extracts, strict=True):
        with col:
            components.download_csv(ex.frame, ctx.view, ex.name, label=ex.label,
                                    key=f"dl_{ex.label}")  # fmt: skip


# --- page ----------------------------------------------------------------------------------


def render(ctx: PageContext) -> None:
    """The register (no ``?project=``) or one project's page."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    code = st.query_params.get(PROJECT_PARAM)
    if code:
        _project_page(ctx, str(code))
        return
    view = None
    with components.panel("Projects"):
        view = load_register(*_args(ctx))
    if view is None:
        return
    register, portfolio_tab, stale_tab = st.tabs(
        list(TABS), key=TAB_KEY, on_change="rerun"
    )
    if register.open:
        with register, components.panel("Register"):
            _register_tab(ctx, view)
    if portfolio_tab.open:
        with portfolio_tab, components.panel("Portfolio"):
            _portfolio_tab(ctx, view)
    if stale_tab.open:
        with stale_tab, components.panel("Stale scores"):
            _stale_tab(ctx, view)
