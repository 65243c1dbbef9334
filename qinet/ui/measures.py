"""Measures page: one measure's run or SPC chart, its signals and phases; a project's measures.

Settings from the UI (project → measure picker bound to the URL, rules preset), then the
pure pipeline (``queries.measures`` → ``stats.measure.analyse_measure`` →
``charts.spc`` / ``charts.runchart``), then the page. Data loaders are cached per
(database URL, viewer, filters, measure, preset); only the measure shown is loaded, and
the picker is one cached query. Phase breaks are confirmed or undone here by programme
leads and admins; everyone else sees them without controls.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.charts import icons, spc
from qinet.charts.palette import POINT_TYPE_LABELS
from qinet.domain import ChartType, ImprovementDirection, PointType, Role
from qinet.errors import PhaseBreakError
from qinet.filters import Filters
from qinet.formatting import ValueFormat, fmt_date, format_for, per_text, round_extract
from qinet.io.export import extract_filename
from qinet.queries import measures as q
from qinet.queries.projects import measure_label
from qinet.stats import measure as sm
from qinet.stats.rules import (
    RUN_CHART_PRESETS,
    SPC_PRESETS,
    RunChartRules,
    SpcRules,
)
from qinet.ui import cache, components, entry
from qinet.ui.components import md_escape
from qinet.ui.context import PageContext
from qinet.views import measures as vm
from qinet.views.measure_help import how_to_read
from qinet.views.measures import ChartBundle, MeasureData

MEASURE_KEY = "measure"  # URL-bound: ?measure=QI-0001 · Discharges before noon (%)
PROJECT_KEY = "measure_project"
SPC_RULES_KEY = "spc_rules"
RUN_RULES_KEY = "run_rules"
VIEW_KEY = "measure_view"
FLASH_KEY = "_measures_flash"
PHASE_DATE_KEY = "_measures_phase_date"  # (measure id, date) the phase form last worked on
TABS = ("Chart", "All measures in this project")
SEP = " · "
SMALL_MULTIPLE_COLUMNS = 2

_DIRECTION_TEXT = {
    ImprovementDirection.INCREASE: "higher is better",
    ImprovementDirection.DECREASE: "lower is better",
    ImprovementDirection.NEUTRAL: "neither direction is better",
}


# --- cached loaders (the pipeline itself is qinet.views.measures) -------------------------


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def _picker(url: str, viewer: Viewer, f: Filters) -> pd.DataFrame:
    with db.session_scope(cache.engine_for(url)) as s:
        df = q.picker(s, viewer, f)
    df["project_label"] = df["project_code"] + SEP + df["project"]
    df["measure_label"] = [
        None if pd.isna(mid) else measure_label(code, name)
        for mid, code, name in zip(df["measure_id"], df["project_code"], df["measure"], strict=True)
    ]
    return df


@st.cache_data(ttl=600, show_spinner=False, max_entries=512)
def _measure_data(
    url: str, viewer: Viewer, f: Filters, measure_id: int, today: date
) -> MeasureData:
    return vm.load_measure(cache.engine_for(url), viewer, f, measure_id, today)


@st.cache_data(ttl=600, show_spinner=False, max_entries=512)
def _chart(url: str, viewer: Viewer, f: Filters, measure_id: int, today: date, preset_key: str,
           compact: bool) -> ChartBundle:  # fmt: skip
    data = _measure_data(url, viewer, f, measure_id, today)
    return vm.measure_chart(data, preset_key, compact=compact)


# --- pieces -------------------------------------------------------------------------------


def _plot_config(name: str) -> dict:
    slug = extract_filename("measure", name, date.today()).removesuffix(".csv")
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": slug, "scale": 2},
    }


def _select_measure(options: pd.DataFrame) -> tuple[str, pd.DataFrame, pd.Series | None]:
    """Project then measure pickers; the measure (bound to the URL) decides the project."""
    projects = options.drop_duplicates("project_id")
    project_labels = list(projects["project_label"])
    measured = options[options["measure_id"].notna()]
    project_of = dict(zip(measured["measure_label"], measured["project_label"], strict=True))
    if MEASURE_KEY in st.session_state:  # after the first run the widget is the truth
        current = st.session_state[MEASURE_KEY]
    else:  # a link: ?measure=… (read before the widget exists, to pick its project)
        current = st.query_params.get(MEASURE_KEY)
    if current not in project_of:
        current = None
    if current is not None:
        st.session_state[PROJECT_KEY] = project_of[current]
    elif st.session_state.get(PROJECT_KEY) not in project_labels:
        first = measured["project_label"].iloc[0] if len(measured) else project_labels[0]
        st.session_state[PROJECT_KEY] = first

    def _on_project() -> None:
        chosen = options[options["project_label"] == st.session_state[PROJECT_KEY]]
        labels = chosen["measure_label"].dropna()
        st.session_state[MEASURE_KEY] = labels.iloc[0] if len(labels) else None

    left, right = st.columns(2)
    project = left.selectbox("Project", project_labels, key=PROJECT_KEY, on_change=_on_project)
    in_project = options[options["project_label"] == project]
    labels = list(in_project["measure_label"].dropna())
    if labels and st.session_state.get(MEASURE_KEY) not in labels:
        st.session_state[MEASURE_KEY] = labels[0]
    chosen = right.selectbox(
        "Measure",
        labels,
        index=None,
        key=MEASURE_KEY,
        bind="query-params",
        placeholder="No measure yet" if not labels else "Choose a measure",
        disabled=not labels,
    )
    row = in_project[in_project["measure_label"] == chosen]
    return project, in_project, (row.iloc[0] if len(row) else None)


def _choose_preset(ctx: PageContext, chart: ChartType) -> SpcRules | RunChartRules:
    if chart is ChartType.RUN:
        presets, key, default = RUN_CHART_PRESETS, RUN_RULES_KEY, sm.FALLBACK_RUN_RULES.key
    else:
        presets, key = SPC_PRESETS, SPC_RULES_KEY
        default = vm.default_preset_key(chart, ctx.settings.spc_preset)
    by_label = {p.label: p for p in presets.values()}
    default_label = presets[default].label
    # Options are the presets' labels, so a link reads ?spc_rules=NHSRplotthedots+0.2.2
    chosen = st.segmented_control(
        "Rules",
        list(by_label),
        default=default_label,
        key=key,
        required=True,
        bind="query-params",
        help="Which published rule set decides what counts as a signal.",
    )
    return by_label.get(chosen or default_label, presets[default])


def _rules_key(ctx: PageContext, chart: ChartType) -> str:
    """The preset chosen for this kind of chart (the widget holds its label)."""
    run = chart is ChartType.RUN
    presets = RUN_CHART_PRESETS if run else SPC_PRESETS
    label = st.session_state.get(RUN_RULES_KEY if run else SPC_RULES_KEY)
    for p in presets.values():
        if p.label == label:
            return p.key
    return vm.default_preset_key(chart, ctx.settings.spc_preset)


def _fmt(value: object, fmt: ValueFormat) -> str:
    return fmt.text(value)


_date = fmt_date


def _icons(analysis: sm.MeasureAnalysis) -> None:
    if not analysis.is_spc:
        st.caption(
            "Run chart: variation and assurance icons need process limits"
            + (" (too few points yet)." if analysis.fell_back else ".")
        )
        return
    v, a = analysis.summary.variation, analysis.summary.assurance
    # the words in a caption of their own: an image caption is only the image's 88 px wide,
    # which wrapped them a word per line
    st.image(icons.variation_svg(v, size=88), width=88,
             alt=f"Variation icon: {icons.variation_label(v)}")
    st.caption(icons.variation_label(v))
    st.image(icons.assurance_svg(a, size=88), width=88,
             alt=f"Assurance icon: {icons.assurance_label(a)}")
    st.caption(icons.assurance_label(a))


def _signals(
    analysis: sm.MeasureAnalysis, ctx: PageContext | None = None, header: pd.Series | None = None
) -> None:
    st.subheader("Signals", anchor=False)
    signals = sm.signal_list(analysis)
    if signals.empty:
        st.caption("No signals: the variation is common cause under these rules.")
        return
    table = pd.DataFrame(
        {
            "From": signals["from"],
            "To": signals["to"],
            "Points": signals["points"],
            "Type": [
                POINT_TYPE_LABELS[PointType(p)] if p else "Non-random variation (no direction)"
                for p in signals["point_type"]
            ],
            "Why it is special": signals["signal"],
        }
    )
    shown = table.assign(From=table["From"].map(_date), To=table["To"].map(_date))
    st.dataframe(shown, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 320))
    if ctx is not None and header is not None:  # the CSV keeps ISO dates
        components.download_csv(
            table.assign(measure_id=int(header["measure_id"]), measure=header["measure"]),
            ctx.view, f"signals {header['project_code']} {header['measure']}",
            label="Signals CSV", key="dl_measure_signals",
        )  # fmt: skip


def _download(ctx: PageContext, bundle: ChartBundle) -> None:
    h = bundle.header
    extract = sm.extract_frame(
        bundle.analysis,
        {
            "measure_id": int(h["measure_id"]),
            "measure": h["measure"],
            "project_id": int(h["project_id"]),
            "project_code": h["project_code"],
            "project": h["project"],
            "directorate": h["directorate"],
            "programme": h["programme"],
            "filters": ctx.describe(),
        },
    )
    if h.get("multiplier") and h["multiplier"] != 1:
        extract.insert(extract.columns.get_loc("value"), "shown_per", int(h["multiplier"]))
    components.download_csv(
        round_extract(extract, format_for(h)),
        ctx.view,
        f"measure {h['project_code']} {h['measure']}",
        label="Download chart data (CSV)",
        key="dl_measure_chart",
    )


def _after_change(message: str) -> None:
    cache.clear_data_caches()
    st.session_state[FLASH_KEY] = message
    st.rerun()


def _phases(ctx: PageContext, bundle: ChartBundle) -> None:
    st.subheader("Phases", anchor=False)
    analysis = bundle.analysis
    can = ctx.viewer.can_confirm_phases
    st.caption(phase_rights_text(ctx.viewer.role))
    for s in bundle.suggestions:
        icon = ":material/lightbulb:" if s.feasible else ":material/hourglass_top:"
        st.info("**Suggested:** " + md_escape(suggestion_text(s, can)), icon=icon)
    breaks = bundle.breaks
    applied = set(analysis.phase_dates)
    if len(breaks) == 0:
        st.caption("No confirmed phase breaks.")
    for row in breaks.itertuples():
        cols = st.columns([6, 1]) if can else [st.container()]
        when = pd.Timestamp(row.on_date).date()
        status = "" if when in applied else " (not applied under these rules or this period)"
        created = _date(row.created_at)
        cols[0].markdown(
            f"**New phase from {_date(when)}**{status}: "
            f"{md_escape(str(row.detail or row.title))}  \n"
            f":small[Confirmed by {md_escape(str(row.created_by))} on {created}]"
        )
        if can and cols[1].button(
            "Undo",
            key=f"undo_{row.annotation_id}",
            help="Retract this phase break (kept in the audit trail)",
        ):
            with components.panel("Undo phase break"):
                with db.session_scope(ctx.engine) as s:
                    q.undo_phase_break(s, ctx.viewer, int(row.annotation_id))
                st.session_state[PHASE_DATE_KEY] = (int(bundle.header["measure_id"]), when)
                _after_change(f"Phase break of {_date(when)} undone.")
    if not can:
        return
    dates = spc.chart_dates(analysis.result)[1:]
    if not dates:
        return
    feasible = [s.on_date for s in bundle.suggestions if s.feasible and s.on_date in dates]
    mid = int(bundle.header["measure_id"])
    last_mid, last_on = st.session_state.get(PHASE_DATE_KEY, (None, None))
    if last_mid == mid and last_on in dates:  # stay where the lead just worked
        start = dates.index(last_on)
    else:
        start = dates.index(feasible[0]) if feasible else len(dates) - 1
    with st.form("phase_form", clear_on_submit=True, border=True):
        st.markdown("**Confirm a phase break**")
        on = st.selectbox(
            "First period of the new phase",
            dates,
            index=start,
            format_func=_date,
        )
        reason = st.text_area(
            "Reason (required)",
            placeholder="What changed in the process, e.g. the new discharge checklist became "
            "standard practice on all three wards",
            max_chars=q.REASON_MAX_CHARS,
        )
        submitted = st.form_submit_button("Confirm phase break", type="primary")
    if not submitted:
        return
    st.session_state[PHASE_DATE_KEY] = (mid, on)
    if not " ".join((reason or "").split()):
        st.error(
            "**Reason** is required: say what changed in the process before confirming a "
            "phase break.",
            icon=":material/edit_note:",
        )
        return
    with components.panel("Confirm phase break"):
        rules = bundle.analysis.requested
        try:
            with db.session_scope(ctx.engine) as s:
                q.confirm_phase_break(
                    s,
                    ctx.viewer,
                    mid,
                    on,
                    reason,
                    min_points_per_phase=getattr(rules, "min_points_per_phase", 0),
                    preset_label=rules.label,
                )
        except PhaseBreakError as exc:  # a problem with what was entered, not a failure
            st.error(f"The phase break was not saved: {exc}.", icon=":material/edit_note:")
            return
        _after_change(f"Phase break from {_date(on)} confirmed; limits recalculated.")


def phase_rights_text(role: Role) -> str:
    """Who may change phase breaks, worded for the person reading it."""
    base = (
        "Limits are recalculated only from a phase break a programme lead or administrator "
        "has confirmed, with a reason."
    )
    if role in (Role.ADMIN, Role.PROGRAMME_LEAD):
        return base + " You can confirm a break below, or undo one."
    if role is Role.DIRECTORATE_LEAD:
        return (
            base + " As a directorate lead you can see the breaks; to add or undo one, ask the "
            "programme's lead."
        )
    return base + " You can see the breaks; the programme's lead can add or undo one."


def suggestion_text(s: sm.Suggestion, can_confirm: bool) -> str:
    """A suggestion's text, its closing advice worded for someone who cannot confirm."""
    if can_confirm or not s.text.endswith(sm.SUGGEST_BREAK):
        return s.text
    return s.text.removesuffix(sm.SUGGEST_BREAK) + (
        " If the change is now how things are done, the programme's lead can confirm a phase "
        "break there."
    )


def _summary_row(bundle: ChartBundle) -> dict:
    a, h = bundle.analysis, bundle.header
    s = a.summary
    return {
        "Measure": h["measure"],
        "Chart": vm.CHART_NAMES[a.drawn_as],
        "Points": s.n_points,
        "Last value": _fmt(s.last_value, format_for(h)),
        "Last period": _date(s.last_date),
        "Variation": icons.variation_label(s.variation) if a.is_spc else "– (run chart)",
        "Assurance": icons.assurance_label(s.assurance) if a.is_spc else "–",
        "Latest signal": s.latest_signal_reason or "No signal",
        "Signal when": _date(s.latest_signal_date),
    }


def _project_view(ctx: PageContext, in_project: pd.DataFrame) -> None:
    ids = [int(i) for i in in_project["measure_id"].dropna()]
    bundles = []
    for mid in ids:
        with components.panel(f"Measure {mid}"):
            row = in_project[in_project["measure_id"] == mid].iloc[0]
            chart = ChartType(str(row["chart_type"]))
            key = _rules_key(ctx, chart)
            bundles.append(_chart(ctx.url, ctx.viewer, ctx.filters, mid, ctx.today, key, True))
    if not bundles:
        return
    st.subheader("Signal summary", anchor=False)
    summary = pd.DataFrame([_summary_row(b) for b in bundles])
    st.dataframe(summary, hide_index=True, width="stretch")
    first = bundles[0].header
    components.download_csv(
        summary.assign(project_code=first["project_code"], project=first["project"]),
        ctx.view, f"signal summary {first['project_code']}",
        label="Signal summary CSV", key="dl_signal_summary",
    )  # fmt: skip
    st.subheader("Small multiples", anchor=False)
    cols = st.columns(SMALL_MULTIPLE_COLUMNS)
    for i, b in enumerate(bundles):
        with cols[i % SMALL_MULTIPLE_COLUMNS]:
            components.chart(
                b.figure,
                key=f"sm_{b.header['measure_id']}",
                alt=b.alt,
                config={"displayModeBar": False},
            )


def _heading(header: dict, rules: SpcRules | RunChartRules) -> None:
    chart = ChartType(str(header["chart_type"]))
    parts = [
        str(header["measure_type"]).capitalize() + " measure",
        str(header["frequency"]),
        vm.CHART_NAMES[chart],
        _DIRECTION_TEXT[ImprovementDirection(str(header["improvement_direction"]))],
    ]
    per = per_text(header.get("multiplier"))
    if per:
        parts.append(f"rate shown {per}")
    if header["target"] is not None and not pd.isna(header["target"]):
        parts.append(f"target {_fmt(header['target'], format_for(header))}")
    parts.append(f"{header['directorate']}")
    st.caption(md_escape(" · ".join(parts)) + "  \n" + md_escape(rules.describe()))
    if header.get("definition"):
        st.caption(md_escape(str(header["definition"])))


def render(ctx: PageContext) -> None:
    """Draw the Measures page for the viewer's scope and filters.

    Args:
        ctx: The page context from ``state.page_context``.
    """
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    options = None
    with components.panel("Measure list"):
        options = _picker(ctx.url, ctx.viewer, ctx.filters)
    if options is None:
        return
    if options.empty:
        components.empty_state(
            "No projects match these filters, so there is no measure to show. Clear a filter "
            "in the sidebar."
        )
        return
    _project, in_project, row = _select_measure(options)
    if row is None:
        components.empty_state(
            "No measure yet: this project has no measures. Add one (with its chart type and "
            "improvement direction) through an import on the Data page."
        )
        return
    chart = ChartType(str(row["chart_type"]))
    rules = _choose_preset(ctx, chart)
    mid = int(row["measure_id"])
    entry.render(ctx, mid, chart)
    bundle = None
    with components.panel("Chart"):
        header, obs = _measure_data(ctx.url, ctx.viewer, ctx.filters, mid, ctx.today)[:2]
        if obs.empty:
            components.empty_state(
                "No values for this measure in the selected period. Choose a longer period in "
                "the sidebar, or add observations on the Data page."
            )
        else:
            bundle = _chart(ctx.url, ctx.viewer, ctx.filters, mid, ctx.today, rules.key, False)
    if bundle is None:
        return
    _heading(header, rules)
    with st.expander("How to read this chart", icon=":material/help:"):
        st.markdown(how_to_read(bundle.analysis.preset, bundle.analysis.drawn_as))
    chart_tab, project_tab = st.tabs(list(TABS), key=VIEW_KEY, on_change="rerun")
    if chart_tab.open:
        with chart_tab:
            _chart_tab(ctx, bundle)
    if project_tab.open:
        with project_tab, components.panel("Project measures"):
            _project_view(ctx, in_project)


def _chart_tab(ctx: PageContext, bundle: ChartBundle) -> None:
    analysis = bundle.analysis
    with components.panel("Chart"):
        left, right = st.columns([5, 1], vertical_alignment="center")
        with left:
            components.chart(
                bundle.figure,
                key="measure_chart",
                alt=bundle.alt,
                config=_plot_config(str(bundle.header["measure"])),
            )
        with right:
            _icons(analysis)
        for note in analysis.notes:
            st.info(md_escape(note), icon=":material/info:")
        for warning in analysis.warnings:
            st.warning(md_escape(warning), icon=":material/warning:")
    with components.panel("Signals"):
        _download(ctx, bundle)
        _signals(analysis, ctx, bundle.header)
    with components.panel("Phases"):
        _phases(ctx, bundle)
