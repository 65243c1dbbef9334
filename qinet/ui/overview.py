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

import base64
import logging
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.charts import engagement as engagement_charts
from qinet.charts import icons
from qinet.domain import AssuranceState, ChartType, VariationState
from qinet.filters import Filters
from qinet.io import boardpack
from qinet.queries import milestones as milestone_q
from qinet.queries import overview as q
from qinet.queries import projects
from qinet.queries.scope import frame
from qinet.stats import portfolio
from qinet.stats.rules import ANHOEJ, SPC_PRESETS
from qinet.ui import cache, components
from qinet.ui.state import PageContext

log = logging.getLogger("qinet.ui")

MATRIX_KEY = "overview_matrix"
GROUP_KEY = "overview_group_by"
GROUP_CHOICES = ("Programme", "Directorate")
MAX_PACK_CHARTS = 12  # charts of signalling measures in the board pack (most recent first)
ICON_PX = 28


# --- cached loaders (keyed by URL, viewer, filters, date, preset) ---------------------------


@dataclass(frozen=True)
class Portfolio:
    """The measures in scope and their summary matrix now and in the comparison window."""

    measures: pd.DataFrame
    now: pd.DataFrame
    before: pd.DataFrame


@st.cache_data(ttl=600, show_spinner="Reading every measure…", max_entries=8)
def load_observations(url: str, viewer: Viewer) -> pd.DataFrame:
    """Every observation the viewer may see, whatever the filters, with parsed dates.

    Scope is applied in the query; filters are applied in memory by
    ``load_portfolio``, so changing a filter re-runs the statistics but does not
    re-read the observations.
    """
    with db.session_scope(cache.engine()) as s:
        obs = q.portfolio_observations(s, viewer, Filters(), None, None)
    return obs.assign(period_start=pd.to_datetime(obs["period_start"]))


@st.cache_data(ttl=600, show_spinner="Analysing every measure…", max_entries=64)
def load_portfolio(url: str, viewer: Viewer, f: Filters, today: date, preset: str) -> Portfolio:
    """Measures in scope and the summary matrix for both windows (two batch passes)."""
    cmp = q.comparison(f, today)
    rules = SPC_PRESETS[preset]
    with db.session_scope(cache.engine()) as s:
        measures = q.portfolio_measures(s, viewer, f)
        breaks = frame(s, q.phase_breaks_stmt(viewer, f))
    every = load_observations(url, viewer)
    obs = every[every["measure_id"].isin(measures["measure_id"])]
    day = obs["period_start"]
    now_mask = day <= pd.Timestamp(cmp.end)
    if cmp.start is not None:
        now_mask &= day >= pd.Timestamp(cmp.start)
    before_mask = day <= pd.Timestamp(cmp.previous_end)
    if cmp.previous_start is not None:
        before_mask &= day >= pd.Timestamp(cmp.previous_start)
    now = portfolio.summary_matrix(measures, obs[now_mask], breaks, spc_rules=rules,
                                   run_rules=ANHOEJ)  # fmt: skip
    before = portfolio.summary_matrix(measures, obs[before_mask], breaks, spc_rules=rules,
                                      run_rules=ANHOEJ)  # fmt: skip
    return Portfolio(measures, now, before)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_matrix(
    url: str, viewer: Viewer, f: Filters, today: date, preset: str, group_by: str
) -> pd.DataFrame:
    """The summary matrix as displayed (cached: formatting 3,000 rows is not free)."""
    return matrix_frame(load_portfolio(url, viewer, f, today, preset), group_by)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_counts(url: str, viewer: Viewer, f: Filters, today: date) -> dict[str, int]:
    """Active projects and completions, now and in the comparison window."""
    cmp = q.comparison(f, today)
    with db.session_scope(cache.engine()) as s:
        return {
            "active": q.active_projects(s, viewer, f, cmp.end),
            "active_before": q.active_projects(s, viewer, f, cmp.previous_end),
            "completed": q.completed_participants(s, viewer, f, cmp.start, cmp.end),
            "completed_before": q.completed_participants(
                s, viewer, f, cmp.previous_start, cmp.previous_end
            ),
        }


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_reach(url: str, viewer: Viewer, f: Filters, as_of: date) -> pd.DataFrame:
    """Raw engaged and headcount by staff group (suppress before showing)."""
    with db.session_scope(cache.engine()) as s:
        return q.reach_by_staff_group(s, viewer, f, as_of)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_plan(url: str, viewer: Viewer, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Milestones in scope and their revisions."""
    with db.session_scope(cache.engine()) as s:
        return milestone_q.milestones(s, viewer, f), milestone_q.revisions(s, viewer, f)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_projects(url: str, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """The project register rows in scope."""
    with db.session_scope(cache.engine()) as s:
        out = frame(s, projects.projects_stmt(viewer, f))
    out["status"] = out["status"].map(str) if len(out) else out["status"]
    return out


# --- pure helpers (display frames) -----------------------------------------------------------


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


VARIATION_URI = {s.value: _data_uri(icons.variation_svg(s, size=ICON_PX)) for s in VariationState}
ASSURANCE_URI = {s.value: _data_uri(icons.assurance_svg(s, size=ICON_PX)) for s in AssuranceState}
_VARIATION_ORDER = {
    s.value: i
    for i, s in enumerate(
        (VariationState.CONCERN_HIGH, VariationState.CONCERN_LOW, VariationState.IMPROVEMENT_HIGH,
         VariationState.IMPROVEMENT_LOW, VariationState.NEUTRAL_HIGH, VariationState.NEUTRAL_LOW,
         VariationState.NON_RANDOM, VariationState.COMMON_CAUSE, VariationState.NOT_ENOUGH_DATA)
    )
}  # fmt: skip


def fmt_number(value: float, chart: str, unit: str) -> str:
    """A value as shown in the matrix: p charts as a percentage, others with their unit."""
    if value is None or pd.isna(value):
        return ""
    if chart == ChartType.P.value:
        return f"{value:.1%}"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    unit = str(unit or "")
    if unit == "%":
        return f"{text}%"
    return text


def matrix_frame(p: Portfolio, group_by: str) -> pd.DataFrame:
    """The summary matrix as displayed: one row per measure, grouped, with icons and words.

    Args:
        p: The portfolio.
        group_by: ``"Programme"`` or ``"Directorate"``.

    Returns:
        Display columns (icons as data URIs) plus ``measure_label`` for the link.
    """
    m = p.measures.merge(p.now, on="measure_id", how="inner", suffixes=("", "_m"))
    if m.empty:
        return pd.DataFrame()
    group_col = group_by.lower()
    group = m[group_col].fillna("No programme" if group_col == "programme" else "—")
    latest = [fmt_number(v, c, u) for v, c, u in zip(m["last_value"], m["chart_type"], m["unit"],
                                                       strict=True)]  # fmt: skip
    target = [fmt_number(v, c, u) for v, c, u in zip(m["target"], m["chart_type"], m["unit"],
                                                       strict=True)]  # fmt: skip
    out = pd.DataFrame(
        {
            "group": group,
            "project_code": m["project_code"],
            "project": m["project"],
            "measure": m["measure"],
            "latest": latest,
            "latest_date": pd.to_datetime(m["last_date"]).dt.date,
            "target": target,
            "latest_value": pd.to_numeric(m["last_value"], errors="coerce"),
            "target_value": pd.to_numeric(m["target"], errors="coerce"),
            "variation_icon": m["variation"].map(VARIATION_URI),
            "variation": m["variation"].map(icons.variation_label),
            "assurance_icon": m["assurance"].map(ASSURANCE_URI),
            "assurance": m["assurance"].map(icons.assurance_label),
            "latest_signal": m["latest_signal_reason"].fillna(""),
            "signal_date": pd.to_datetime(m["latest_signal_date"]).dt.date,
            "chart": m["drawn_as"],
            "directorate": m["directorate"],
            "programme": m["programme"],
            "measure_id": m["measure_id"],
            "variation_state": m["variation"],
            "assurance_state": m["assurance"],
            "measure_label": [
                projects.measure_label(c, n)
                for c, n in zip(m["project_code"], m["measure"], strict=True)
            ],
        }
    )
    order = out["variation_state"].map(_VARIATION_ORDER)
    out = out.assign(_o=order).sort_values(["group", "_o", "project_code", "measure"])
    out = out.drop(columns="_o").reset_index(drop=True)
    for col in ("variation_icon", "assurance_icon", "variation", "assurance", "group", "chart"):
        out[col] = out[col].astype("category")  # few distinct values: small Arrow payload
    return out


MATRIX_SHOWN = ["group", "project", "measure", "latest", "target", "variation_icon", "variation",
                "assurance_icon", "assurance", "latest_signal", "signal_date", "directorate",
                "programme"]  # fmt: skip


def matrix_extract(display: pd.DataFrame, group_by: str) -> pd.DataFrame:
    """The matrix's CSV: what is on screen, icons as their words, values as numbers.

    Latest value and target are the raw numbers (a proportion as 0–1), not the
    formatted text, so a spreadsheet can compute with them and negative values
    stay numeric.
    """
    if display.empty:
        return display
    cols = ["group", "project_code", "project", "measure", "latest_value", "latest_date",
            "target_value", "variation", "assurance", "latest_signal", "signal_date", "chart",
            "directorate", "programme", "measure_id"]  # fmt: skip
    out = display[cols].copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object)
    return out.rename(columns={"group": group_by.lower() + "_group"})


def _delta(now: float, before: float, fmt: str = "{:+,}") -> str | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    diff = now - before
    return fmt.format(diff) if diff else "no change"


@dataclass(frozen=True)
class Headline:
    """One tile: the figure, its change and where it is explained."""

    label: str
    value: str
    delta: str | None
    help: str
    delta_color: str = "normal"


def headlines(
    p: Portfolio, counts: dict[str, int], reach_now: pd.DataFrame, reach_before: pd.DataFrame,
    states_now: dict[str, int], states_before: dict[str, int], threshold: int,
) -> list[Headline]:  # fmt: skip
    """The five headline tiles from the loaded data (pure).

    Returns:
        Tiles in display order: active projects, projects improving, participants
        trained, hard-to-reach reach, milestones on track / late.
    """
    improving = portfolio.projects_improving(p.now, p.measures)
    improving_before = portfolio.projects_improving(p.before, p.measures)
    with_measures = int(p.measures["project_id"].nunique()) if len(p.measures) else 0
    rate, engaged = portfolio.hard_to_reach_rate(reach_now, threshold)
    rate_before, _ = portfolio.hard_to_reach_rate(reach_before, threshold)
    if engaged is None:
        reach_value = f"<{threshold} people"
    elif np.isnan(rate):
        reach_value = "—"
    else:
        reach_value = f"{rate:.1%}"
    reach_delta = None
    if not (np.isnan(rate) or np.isnan(rate_before)):
        diff = (rate - rate_before) * 100
        reach_delta = f"{diff:+.1f} points" if round(diff, 1) else "no change"
    late_delta = states_now["late"] - states_before["late"]
    return [
        Headline("Active projects", f"{counts['active']:,}",
                 _delta(counts["active"], counts["active_before"]),
                 "Projects not complete or stopped, started by the end of the period."),
        Headline("Projects improving", f"{improving:,} of {with_measures:,}",
                 _delta(improving, improving_before),
                 "Projects with at least one measure whose latest point is special-cause "
                 "improvement (Making Data Count variation icon)."),
        Headline("Participants trained", f"{counts['completed']:,}",
                 _delta(counts["completed"], counts["completed_before"]),
                 "People who completed a programme in the period."),
        Headline("Reach: hard to reach", reach_value, reach_delta,
                 "Share of the workforce in the hard-to-reach staff groups (e.g. estates "
                 "and ancillary, additional clinical services) who have enrolled."),
        Headline("Plan: on track/late", f"{states_now['on_track']} / {states_now['late']}",
                 (f"{late_delta:+d} late" if late_delta else "no change in late"),
                 "Milestones on track (or not started), and those late (forecast date "
                 "passed or marked late).", delta_color="inverse"),
    ]  # fmt: skip


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
    st.caption(
        f"{len(display):,} measures · {improving:,} improving · {concern:,} of concern at "
        "the latest point. Sorted by group, then concerns first; click a column to sort. "
        "Select a row to open the measure."
    )
    config = {
        "group": st.column_config.TextColumn(group_by, width="small"),
        "project": st.column_config.TextColumn("Project", width="medium"),
        "measure": st.column_config.TextColumn("Measure", width="medium"),
        "latest": st.column_config.TextColumn("Latest"),
        "target": st.column_config.TextColumn("Target"),
        "variation_icon": st.column_config.ImageColumn("Variation", width="small"),
        "variation": st.column_config.TextColumn("Variation (words)"),
        "assurance_icon": st.column_config.ImageColumn("Assurance", width="small"),
        "assurance": st.column_config.TextColumn("Assurance (words)"),
        "latest_signal": st.column_config.TextColumn("Latest signal", width="large"),
        "signal_date": st.column_config.DateColumn("Signal date", format="D MMM YYYY"),
        "directorate": st.column_config.TextColumn("Directorate"),
        "programme": st.column_config.TextColumn("Programme"),
    }
    event = st.dataframe(
        display[MATRIX_SHOWN],
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
    components.download_csv(matrix_extract(display, group_by), ctx.filters, "overview-matrix",
                            today=ctx.today, label="Matrix CSV")  # fmt: skip


def _reach(ctx: PageContext, raw: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    threshold = ctx.settings.small_number_threshold
    table, overall = portfolio.reach_table(raw, threshold)
    staff = table[table["headcount"] > 0]
    if staff.empty:
        components.empty_state("No workforce figures for this selection, so reach cannot be shown.")
        return table, overall
    under = staff.loc[staff["under_represented"], "staff_group"].tolist()
    if under:
        st.warning(
            "**Under-represented:** " + components.md_escape(", ".join(map(str, under)))
            + f" — participation below half the rate across all staff groups ({overall:.1%}).",
            icon=":material/groups:",
        )
    else:
        st.success("No staff group is below half the overall participation rate.")
    fig = engagement_charts.reach_figure(staff, overall, threshold=threshold)
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False},
                    key="overview_reach_chart",
                    alt=engagement_charts.reach_alt_text(staff, overall))  # fmt: skip
    st.caption(
        components.md_escape(engagement_charts.reach_alt_text(staff, overall))
        + f" Counts below {threshold} are suppressed, with one more group hidden where needed "
        "so a hidden number cannot be worked out from the total."
    )
    return table, overall


def _reach_display(table: pd.DataFrame) -> pd.DataFrame:
    out = table[["staff_group", "hard_to_reach", "engaged_text", "headcount", "rate",
                 "under_represented"]].rename(columns={"engaged_text": "engaged"})  # fmt: skip
    out["rate"] = out["rate"].map(lambda r: "" if pd.isna(r) else f"{r:.1%}")
    out["hard_to_reach"] = out["hard_to_reach"].map({True: "Yes", False: ""})
    out["under_represented"] = out["under_represented"].map({True: "Yes", False: ""})
    out["headcount"] = out["headcount"].map(lambda h: f"{h:,}" if h else "—")
    return out


def plan_display(df: pd.DataFrame) -> pd.DataFrame:
    """Milestone rows as shown: statuses in words (``on_track`` → ``On track``)."""
    if df.empty:
        return df
    return df.assign(status=df["status"].astype(str).str.replace("_", " ").str.capitalize())


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
        [f"Late ({len(late)})", f"Due in the next {milestone_q.DUE_SOON_DAYS} days ({len(due)})"]
    )
    with late_tab:
        if late.empty:
            st.caption("No milestones are late.")
        else:
            st.dataframe(late, hide_index=True, width="stretch", key="overview_late",
                         column_config=_PLAN_COLUMNS,
                         column_order=["title", "programme", "owner", "forecast_date",
                                       "days_late", "baseline_date", "status"])  # fmt: skip
            components.download_csv(late, ctx.filters, "milestones-late", today=ctx.today,
                                    label="Late milestones CSV")  # fmt: skip
    with due_tab:
        if due.empty:
            st.caption(f"Nothing due in the next {milestone_q.DUE_SOON_DAYS} days.")
        else:
            st.dataframe(due, hide_index=True, width="stretch", key="overview_due",
                         column_config=_PLAN_COLUMNS,
                         column_order=["title", "programme", "owner", "forecast_date",
                                       "baseline_date", "days_slipped", "status"])  # fmt: skip
            components.download_csv(due, ctx.filters, "milestones-due", today=ctx.today,
                                    label="Milestones due CSV")  # fmt: skip


def render(ctx: PageContext) -> None:
    """The Overview for the viewer's scope and filters."""
    f, today = ctx.filters, ctx.today
    threshold = ctx.settings.small_number_threshold
    cmp = q.comparison(f, today)
    p = Portfolio(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    reach_raw = pd.DataFrame()
    ms = pd.DataFrame(columns=["status", "forecast_date", "actual_date", "baseline_date"])
    tiles: list[Headline] = []

    with components.panel("Headlines"):
        p = load_portfolio(ctx.url, ctx.viewer, f, today, ctx.settings.spc_preset)
        counts = load_counts(ctx.url, ctx.viewer, f, today)
        reach_raw = load_reach(ctx.url, ctx.viewer, f, cmp.end)
        reach_before = load_reach(ctx.url, ctx.viewer, f, cmp.previous_end)
        ms, revs = load_plan(ctx.url, ctx.viewer, f)
        states_now = milestone_q.counts_by_state(milestone_q.state_as_of(ms, revs, cmp.end, today))
        states_before = milestone_q.counts_by_state(
            milestone_q.state_as_of(ms, revs, cmp.previous_end, today)
        )
        tiles = headlines(p, counts, reach_raw, reach_before, states_now, states_before,
                          threshold)  # fmt: skip
        _tiles(tiles, cmp.label)
        st.page_link("pages/measures.py", label="Open the charts behind the icons (Measures)",
                     icon=":material/monitoring:")

    due, late = (plan_display(t) for t in milestone_q.plan(ms, today))
    group_by = st.session_state.get(GROUP_KEY) or GROUP_CHOICES[0]
    display = (
        load_matrix(ctx.url, ctx.viewer, f, today, ctx.settings.spc_preset, group_by)
        if len(p.measures)
        else pd.DataFrame()
    )

    from qinet.ui import overview_pack  # imports this module: load it late

    with components.panel("Downloads"):
        register = load_projects(ctx.url, ctx.viewer, f)
        c1, c2, _ = st.columns([1, 1, 2])
        with c1:  # first download on the page: the project register (the shell tests read it)
            components.download_csv(register, f, "overview-projects", today=today,
                                    label="Project register CSV")  # fmt: skip
        with c2:
            st.download_button(
                "Board pack (HTML)",
                data=overview_pack.builder(ctx, p, display, group_by, reach_raw, due, late, tiles,
                                   cmp.label),  # fmt: skip
                file_name=boardpack.board_pack_filename(components.describe_for_file(f), today),
                mime="text/html",
                key="overview_board_pack",
                on_click="ignore",
                type="primary",
                icon=":material/description:",
                help="One HTML file for the board papers: opens offline, prints to A4 or PDF, "
                "and carries the CSV extracts of every table.",
            )

    st.subheader("Summary of measures")
    with components.panel("Summary of measures"):
        st.segmented_control("Group by", GROUP_CHOICES, key=GROUP_KEY, default=GROUP_CHOICES[0])
        _matrix(ctx, display, group_by)

    st.subheader("Reach by staff group")
    with components.panel("Reach by staff group"):
        table, _ = _reach(ctx, reach_raw)
        if not table.empty:
            components.download_csv(_reach_display(table), f, "overview-reach",
                                    today=today, label="Reach CSV")  # fmt: skip
    st.subheader("Plan")
    with components.panel("Plan"):
        _plan(ctx, due, late)

    with components.panel("Projects"):
        register = load_projects(ctx.url, ctx.viewer, f)
        with st.expander(f"Projects in this view ({len(register):,})"):
            if register.empty:
                components.empty_state("No projects match these filters.")
            else:
                st.dataframe(
                    register[["code", "title", "status", "directorate", "programme",
                              "started_on"]],
                    hide_index=True, width="stretch", key="overview_projects",
                )  # fmt: skip
