"""Engagement page: who takes part, against the workforce, and whether reach is improving.

Thin: one cached loader builds :class:`qinet.views.engagement.EngagementView` (keyed by
the database URL, viewer, filters, the data's today and the rules), then each panel lays
out its frames, charts (with their text alternatives) and a CSV download under every table.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from qinet.access import Viewer
from qinet.charts import icons
from qinet.filters import Filters
from qinet.ui import cache, components
from qinet.ui.components import md_escape
from qinet.ui.context import PageContext
from qinet.views import engagement as ev
from qinet.views.base import Extract, ViewContext


@st.cache_data(ttl=600, show_spinner="Counting who takes part…", max_entries=64)
def load_view(url: str, viewer: Viewer, f: Filters, today: date, rules: ev.ReachRules,
              threshold: int, synthetic: bool) -> ev.EngagementView:  # fmt: skip
    """The view model for one viewer, filters and data version."""
    vc = ViewContext(cache.engine_for(url), viewer, f, today, synthetic=synthetic,
                     small_number_threshold=threshold)  # fmt: skip
    return ev.build(vc, rules)


def _table(ctx: PageContext, frame: pd.DataFrame, extract: Extract, key: str,
           empty: str) -> None:  # fmt: skip
    if frame is None or frame.empty:
        components.empty_state(empty)
        return
    st.dataframe(frame, hide_index=True, width="stretch", key=f"eng_{key}",
                 height=min(38 + 35 * len(frame), 460))  # fmt: skip
    components.download_csv(extract.frame, ctx.view, extract.name, label=extract.label,
                            key=f"dl_eng_{key}")  # fmt: skip


def _chart(fig: object, alt: str, key: str) -> None:
    components.chart(fig, config={"displayModeBar": False}, key=key, alt=alt)
    st.caption(md_escape(alt))


def render(ctx: PageContext) -> None:
    """The Engagement page for the viewer's scope and filters."""
    rules = ev.ReachRules.from_settings(ctx.settings)
    threshold = ctx.settings.small_number_threshold
    view = None
    with components.panel("Engagement"):
        view = load_view(ctx.url, ctx.viewer, ctx.filters, ctx.today, rules, threshold,
                         ctx.synthetic)  # fmt: skip
    if view is None:
        return
    x = view.extracts
    note = (f"Counts below {threshold} are suppressed, with another cell hidden where needed "
            "so a hidden number cannot be worked out from a total.")  # fmt: skip

    st.subheader("Reach against the workforce")
    with components.panel("Reach against the workforce"):
        st.markdown("\n".join(f"- {md_escape(t)}" for t in view.rules_text))
        st.caption(md_escape(view.baseline_text) + " " + note)
        under = [str(s) for s in view.staff_table.loc[
            view.staff_table["under_represented"].astype(bool), "staff_group"]]  # fmt: skip
        if under:
            st.warning("**Under-represented (measured):** " + md_escape(", ".join(under)),
                       icon=":material/groups:")  # fmt: skip
        else:
            st.success("No staff group is under-represented by this rule.")
        if view.reach_figure is not None:
            _chart(view.reach_figure, view.reach_alt, "eng_reach_chart")
        tabs = st.tabs(["By staff group", "By directorate", "By organisation",
                        "Patients, carers, volunteers, partners"])  # fmt: skip
        with tabs[0]:
            _table(ctx, view.staff_display, x["staff"], "staff",
                   "No staff groups for this selection.")  # fmt: skip
        with tabs[1]:
            st.caption("Staff participants with a directorate, against their directorate's "
                       "headcount (in the target groups where a programme has them).")
            _table(ctx, view.directorate_display, x["directorate"], "directorate",
                   "No directorate has a workforce baseline or participants here.")  # fmt: skip
        with tabs[2]:
            st.caption("Includes organisation-level baselines (partners that report their "
                       "workforce as a whole).")
            _table(ctx, view.organisation_display, x["organisation"], "organisation",
                   "No organisation has a workforce baseline or participants here.")  # fmt: skip
        with tabs[3]:
            st.caption("Counted separately: there is no workforce to compare them with.")
            _table(ctx, view.non_staff_display, x["non_staff"], "non_staff",
                   "No patients, carers, volunteers or partners in this selection.")  # fmt: skip

    st.subheader("Is reach improving?")
    with components.panel("Is reach improving?"):
        if view.trend_figure is None:
            components.empty_state("No staff enrolments in this period.")
        else:
            if view.trend_is_spc and view.trend_variation is not None:
                c1, c2 = st.columns([1, 9], vertical_alignment="center")
                c1.image(icons.variation_svg(view.trend_variation, size=56), width=56)
                c2.markdown(f"**Variation:** {icons.variation_label(view.trend_variation)}")
            _chart(view.trend_figure, view.trend_alt, "eng_trend_chart")
            for sentence in view.trend_sentences:
                st.caption(md_escape(sentence))
            with st.expander("Monthly figures"):
                _table(ctx, x["trend"].frame, x["trend"], "trend", "No months.")

    st.subheader("Funnel: applied → enrolled → completed")
    with components.panel("Funnel"):
        for sentence in view.funnel_sentences:
            st.caption(md_escape(sentence))
        st.caption(note)
        t0, t1, t2 = st.tabs(["Hard-to-reach groups and others", "By programme and staff group",
                              "By cohort (enrolments)"])  # fmt: skip
        with t0:
            st.caption("People per programme, staff groups pooled: the hard-to-reach list, the "
                       "other staff groups, and patients, carers, volunteers and partners.")
            _table(ctx, view.funnel_bands, x["funnel_bands"], "funnel_bands",
                   "No applications in this period.")  # fmt: skip
        with t1:
            _table(ctx, view.funnel_programme, x["funnel_programme"], "funnel_programme",
                   "No applications in this period.")  # fmt: skip
        with t2:
            _table(ctx, view.funnel_cohort, x["funnel_cohort"], "funnel_cohort",
                   "No applications in this period.")  # fmt: skip

    st.subheader("Events and attendance")
    with components.panel("Events and attendance"):
        for sentence in view.attendance_sentences:
            st.caption(md_escape(sentence))
        if view.attendance_figure is not None:
            _chart(view.attendance_figure, view.attendance_alt, "eng_attendance_chart")
        a1, a2, a3 = st.tabs(["By month and event type", "By staff group", "Repeat attendance"])
        with a1:
            _table(ctx, view.attendance_display, x["attendance"], "attendance",
                   "No event attendance in this period.")  # fmt: skip
        with a2:
            _table(ctx, view.attendance_groups, x["attendance_groups"], "attendance_groups",
                   "No event attendance in this period.")  # fmt: skip
        with a3:
            _table(ctx, view.repeat_display, x["repeat"], "repeat",
                   "No named attendance in this period.")  # fmt: skip

    st.subheader("The network's people")
    with components.panel("The network's people"):
        r1, r2, r3 = st.tabs(["By organisation", "By programme", "Mentor cover by cohort"])
        with r1:
            _table(ctx, view.roles_org, x["roles_org"], "roles_org",
                   "No role holders in this selection.")  # fmt: skip
        with r2:
            _table(ctx, view.roles_programme, x["roles_programme"], "roles_programme",
                   "No role holders in this selection.")  # fmt: skip
        with r3:
            for sentence in view.mentor_sentences:
                st.caption(md_escape(sentence))
            _table(ctx, view.mentor_display, x["mentors"], "mentors",
                   "No cohorts in this selection.")  # fmt: skip
