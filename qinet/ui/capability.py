"""Capability page: did skills, confidence, joy in work and psychological safety change?

Thin: one cached loader (keyed by the database URL, viewer, filters, reference date,
threshold and the page's own choices) builds :class:`qinet.views.capability.CapabilityView`;
this module only lays it out. Unpaired wave results and paired change are separate
sections with their own headings, so nobody mistakes one for the other.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from qinet.access import Viewer
from qinet.filters import Filters
from qinet.ui import cache, components
from qinet.ui.context import PageContext
from qinet.views import capability as v
from qinet.views.base import Extract, ViewContext

SURVEY_KEY = "cap_survey"
ITEM_KEY = "cap_item"
BREAKDOWN_KEY = "cap_breakdown"
PULSE_KEY = "cap_pulse_view"
CHART_CONFIG = {"displayModeBar": False}


@st.cache_data(ttl=600, show_spinner="Scoring the survey…", max_entries=64)
def load_view(url: str, viewer: Viewer, f: Filters, today: date, synthetic: bool, scope: str,
              threshold: int, survey: str | None, item: str | None, breakdown: str,
              pulse_view: str) -> v.CapabilityView:  # fmt: skip
    """The page's view model (everything shown, downloaded and packed)."""
    vc = ViewContext(cache.engine_for(url), viewer, f, today, synthetic, scope, threshold)
    return v.build(vc, survey=survey, item=item, breakdown_by=breakdown, pulse_view=pulse_view)


def _download(ctx: PageContext, ex: Extract | None, key: str) -> None:
    if ex is not None and not ex.frame.empty:
        components.download_csv(ex.frame, ctx.view, ex.name, label=ex.label,
                                key=f"cap_dl_{key}")  # fmt: skip


def _keep(key: str, options: tuple[str, ...], chosen: str) -> None:
    """Set a select box's state to the view's choice before it is drawn (options change)."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = chosen


def _controls(view: v.CapabilityView) -> None:
    c1, c2 = st.columns(2)
    with c1:
        _keep(SURVEY_KEY, view.survey_options, view.survey)
        st.selectbox("Survey", view.survey_options, key=SURVEY_KEY)
    with c2:
        _keep(ITEM_KEY, view.item_options, view.item)
        st.selectbox("Score or question", view.item_options, key=ITEM_KEY,
                     help="The overall score, a domain score or one question.")


def _by_wave(ctx: PageContext, view: v.CapabilityView) -> None:
    st.subheader("Scores by wave (all responses, unpaired)")
    components.chart(view.wave_figure, config=CHART_CONFIG, key="cap_wave_chart",
                    alt=view.wave_alt)  # fmt: skip
    with st.expander("Chart as text"):
        st.caption(components.md_escape(view.wave_alt))
    for s in view.wave_sentences:
        st.markdown(components.md_escape(s))
    st.markdown("**Mean score by wave** (mean after reverse scoring, with the number of "
                "respondents)")  # fmt: skip
    st.dataframe(view.wave_table, hide_index=True, width="stretch", key="cap_wave_table")
    _download(ctx, view.extracts.get("by_wave"), "wave")


def _breakdown(ctx: PageContext, view: v.CapabilityView) -> None:
    st.subheader(f"By {view.breakdown.lower()}")
    st.segmented_control("Break down by", v.BREAKDOWNS, key=BREAKDOWN_KEY,
                         default=v.BREAKDOWNS[0])
    if view.breakdown_table.empty:
        components.empty_state("No responses to break down.")
        return
    st.caption(
        f"Mean score of the chosen domain (a question shows its domain) per group and wave. "
        f"Groups with fewer than {view.threshold} responses are hidden, and as few more as "
        "needed so that no hidden group can be worked out from the totals (secondary "
        "suppression)."
    )
    st.dataframe(view.breakdown_table, hide_index=True, width="stretch", key="cap_breakdown")
    _download(ctx, view.extracts.get("breakdown"), "breakdown")


def _paired(ctx: PageContext, view: v.CapabilityView) -> None:
    st.subheader("Paired change: the same people before and after")
    st.caption(
        "Only people who answered both waves count here, so this is a different number from "
        "the wave means above. Mean change with a 95% confidence interval from the paired t "
        "distribution; effect size Cohen's d_z = mean change ÷ standard deviation of the "
        "changes (about 0.2 small, 0.5 medium, 0.8 large)."
    )
    for s in view.paired_sentences:
        st.info(components.md_escape(s), icon=":material/compare_arrows:")
    if view.paired_figure is not None:  # None when every comparison has too few pairs
        components.chart(view.paired_figure, config=CHART_CONFIG,
                         key="cap_paired_chart", alt=view.paired_alt)  # fmt: skip
        with st.expander("Chart as text"):
            st.caption(components.md_escape(view.paired_alt))
    st.dataframe(view.paired_table, hide_index=True, width="stretch", key="cap_paired_table")
    _download(ctx, view.extracts.get("paired"), "paired")


def _pulses(ctx: PageContext, view: v.CapabilityView) -> None:
    st.subheader("Pulse over time")
    st.caption("Monthly mean score as a run chart with the Anhøj rules (the same engine and "
               "signals as the Measures page). Months with too few responses are left out.")
    st.segmented_control("Run charts for", v.PULSE_VIEWS, key=PULSE_KEY,
                         default=v.PULSE_VIEWS[0])
    if not view.pulse_charts:
        components.empty_state("Too few responses per month to draw a run chart.")
        return
    first, *rest = view.pulse_charts
    components.chart(first.figure, config=CHART_CONFIG, key="cap_pulse_all",
                    alt=first.alt_text)  # fmt: skip
    st.caption(components.md_escape(first.signal))
    with st.expander("Chart as text"):
        st.caption(components.md_escape(first.alt_text))
    if rest:
        st.markdown("**By directorate**")
        cols = st.columns(2)
        for i, c in enumerate(rest):
            with cols[i % 2]:
                components.chart(c.figure, config=CHART_CONFIG,
                                key=f"cap_pulse_{i}", alt=c.alt_text)  # fmt: skip
                st.caption(components.md_escape(c.signal))
    for n in view.pulse_notes:
        st.caption(components.md_escape(n))
    _download(ctx, view.extracts.get("pulse_directorates"), "pulse")


def render(ctx: PageContext) -> None:
    """The Capability page for the viewer's scope and filters."""
    view: v.CapabilityView | None = None
    with components.panel("Capability"):
        view = load_view(ctx.url, ctx.viewer, ctx.filters, ctx.today, ctx.synthetic,
                         ctx.scope,
                         ctx.settings.small_number_threshold, st.session_state.get(SURVEY_KEY),
                         st.session_state.get(ITEM_KEY),
                         st.session_state.get(BREAKDOWN_KEY) or v.BREAKDOWNS[0],
                         st.session_state.get(PULSE_KEY) or v.PULSE_VIEWS[0])  # fmt: skip
        if view.survey_options:
            _controls(view)
        for n in view.notes:
            st.caption(components.md_escape(n))
        if view.message:
            components.empty_state(view.message)
    if view is None or view.message:
        return
    with components.panel("Scores by wave"):
        _by_wave(ctx, view)
    with components.panel("Breakdown"):
        _breakdown(ctx, view)
    if len(view.paired_table):
        with components.panel("Paired change"):
            _paired(ctx, view)
    elif view.kind == "capability":
        st.caption("No one answered both a pre wave and a later wave in this selection, so "
                   "there is no paired change to show.")  # fmt: skip
    if view.kind == "pulse":
        with components.panel("Pulse over time"):
            _pulses(ctx, view)
