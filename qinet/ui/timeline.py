"""The Timeline page: the programme plan, its slippage and history, due and late, and updates.

Thin: a cached loader builds ``qinet.views.timeline.TimelineView`` (keyed by database
URL, viewer, filters and today); this module lays it out and hosts the update form,
which writes through ``qinet.queries.milestones.record_update`` (scoped in the query).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.domain import MilestoneStatus, Role
from qinet.errors import NotPermittedError
from qinet.filters import Filters
from qinet.queries import milestones as q
from qinet.stats import plan
from qinet.ui import cache, components
from qinet.ui.components import md_escape
from qinet.ui.context import PageContext
from qinet.views import timeline as tv
from qinet.views.base import ViewContext

FLASH_KEY = "_tl_flash"
ALL = "All milestones"
KEEP = "Keep the current status"
STATUS_CHOICES: dict[str, MilestoneStatus | None] = {
    KEEP: None,
    "On track": MilestoneStatus.ON_TRACK,
    "At risk": MilestoneStatus.AT_RISK,
    "Late": MilestoneStatus.LATE,
    "Not started": MilestoneStatus.NOT_STARTED,
    "Cancelled": MilestoneStatus.CANCELLED,
}


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def load_view(url: str, viewer: Viewer, f: Filters, today: date, synthetic: bool,
              scope: str) -> tv.TimelineView:  # fmt: skip
    """The Timeline view model for this viewer and filters (cached per combination)."""
    vc = ViewContext(cache.engine_for(url), viewer, f, today, synthetic=synthetic, scope=scope)
    return tv.build(vc)


def _key() -> None:
    st.caption(
        "Key: " + " · ".join(f"{plan.STATE_ICON[s]} {plan.STATE_LABEL[s]}" for s in plan.STATES)
        + " · ○ grey = planned (baseline) date · grey bars = cohorts · dashed line = today. "
        f"On track allows a forecast up to {plan.SLIP_TOLERANCE_DAYS} days past plan."
    )


def _table(ctx: PageContext, df, key: str, extract=None, name: str = "", label: str = "") -> None:
    st.dataframe(df, hide_index=True, width="stretch", key=key)
    if extract is not None:
        components.download_csv(extract, ctx.view, name, label=label, key=f"dl_{key}")


def _due_and_late(ctx: PageContext, view: tv.TimelineView) -> None:
    late_tab, due_tab, done_tab = st.tabs([
        f"Late ({len(view.overdue)})", f"Due in the next {plan.DUE_SOON_DAYS} days "
        f"({len(view.due)})", f"Done late ({len(view.done_late)})",
    ])  # fmt: skip
    for tab, df, empty, name in (
        (late_tab, view.overdue, "No milestones are late.", "timeline-late"),
        (due_tab, view.due, f"Nothing is due in the next {plan.DUE_SOON_DAYS} days.",
         "timeline-due"),
        (done_tab, view.done_late, "No milestone was done after its planned date.",
         "timeline-done-late"),
    ):  # fmt: skip
        with tab:
            if df.empty:
                st.caption(empty)
            else:
                _table(ctx, df, name.replace("-", "_"), df, name, "Download CSV")


def _history(ctx: PageContext, view: tv.TimelineView) -> None:
    names = sorted(set(zip(view.slippage["Programme"], view.slippage["Milestone"], strict=True)))
    labels = [ALL, *(f"{p} · {m}" for p, m in names)]
    choice = st.selectbox("Show the history of", labels, key="tl_history_milestone")
    h = view.history
    if choice != ALL:
        prog, _, title = choice.partition(" · ")
        h = h[(h["Programme"] == prog) & (h["Milestone"] == title)]
    if h.empty:
        st.caption("No revisions recorded.")
        return
    moved = h[h["Moved (days)"] != "0"]
    if choice != ALL:
        st.markdown(md_escape(
            f"{choice}: {len(h)} revision{'s' if len(h) != 1 else ''}, the forecast moved "
            f"{len(moved)} time{'s' if len(moved) != 1 else ''}."
        ))  # fmt: skip
        for _, r in moved.iloc[::-1].iterrows():
            st.markdown("- " + md_escape(
                f"{r['Recorded on']} ({r['Moved (days)']} days): forecast {r['Forecast']}, "
                f"recorded by {r['Recorded by']} — {r['Reason']}"
            ))  # fmt: skip
    st.dataframe(h, hide_index=True, width="stretch", key="tl_history",
                 column_config={"Reason": st.column_config.TextColumn("Reason", width="large")})
    ex = view.extracts["revisions"]
    components.download_csv(ex.frame, ctx.view, ex.name, label=ex.label, key="dl_tl_revisions")


def _refusal(viewer: Viewer) -> str:
    who = {Role.VIEWER: "a viewer", Role.DIRECTORATE_LEAD: "a directorate lead"}.get(
        viewer.role, "signed in without a lead role")
    return (
        f"You are {who}, so you can see the plan but not change it. Programme leads (for "
        "their own programmes) and administrators record new forecasts, actual dates and "
        "statuses; ask the programme lead to record a change."
    )


def _update(ctx: PageContext, view: tv.TimelineView) -> None:
    if not q.can_update(ctx.viewer):
        st.info(_refusal(ctx.viewer), icon=":material/lock:")
        return
    if not view.editable:
        if ctx.viewer.role is Role.PROGRAMME_LEAD:
            st.info("None of the milestones in this view belong to your programmes, so there "
                    "is nothing here you can update.", icon=":material/lock:")  # fmt: skip
        else:
            st.caption("No milestones in this view to update.")
        return
    ids = list(view.editable)
    with st.form("tl_update_form", border=True):
        st.markdown("**Record a change to the plan** (kept as a new revision; the planned "
                    "date never changes)")  # fmt: skip
        mid = st.selectbox("Milestone", ids, format_func=lambda i: view.editable[i],
                           key="tl_ms")  # fmt: skip
        c1, c2, c3 = st.columns(3)
        forecast = c1.date_input("New forecast date", value=None, key="tl_forecast",
                                 format="DD/MM/YYYY", min_value=date(2000, 1, 1))  # fmt: skip
        actual = c2.date_input("Actual date (done on)", value=None, key="tl_actual",
                               format="DD/MM/YYYY", min_value=date(2000, 1, 1))  # fmt: skip
        status = c3.selectbox("Status", list(STATUS_CHOICES), key="tl_status")
        reason = st.text_area("Reason (required)", key="tl_reason", max_chars=400,
                              placeholder="Why the plan changed, e.g. venue not available "
                              "until November; agreed with the steering group")  # fmt: skip
        submitted = st.form_submit_button("Record change", type="primary")
    if not submitted:
        return
    update = q.PlanUpdate(milestone_id=int(mid), reason=reason or "", forecast_date=forecast,
                          actual_date=actual, status=STATUS_CHOICES[status])  # fmt: skip
    try:
        with db.session_scope(ctx.engine) as s:
            q.record_update(s, ctx.viewer, update, ctx.today)
    except q.PlanUpdateError as exc:
        st.error(f"**{exc.field}**: {md_escape(exc.reason)}. Nothing was saved.",
                 icon=":material/error:")  # fmt: skip
        return
    except NotPermittedError as exc:
        st.warning(f"{exc} Nothing was saved.", icon=":material/lock:")
        return
    cache.clear_data_caches()  # the Overview and the pack read the new plan at once
    st.session_state[FLASH_KEY] = f"Recorded: {view.editable[int(mid)]}."
    st.rerun()


def render(ctx: PageContext) -> None:
    """Draw the Timeline page for the viewer's scope and filters.

    Args:
        ctx: The page context from ``context.page_context``.
    """
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(md_escape(flash), icon=":material/check_circle:")
    view = None
    with components.panel("Timeline"):
        view = load_view(ctx.url, ctx.viewer, ctx.filters, ctx.today, ctx.synthetic, ctx.scope)
    if view is None:
        return
    if view.assessed.empty:
        components.empty_state("No programme milestones match these filters.")
    else:
        with components.panel("Timeline"):
            for sentence in view.sentences:
                st.markdown(md_escape(sentence))
            _key()
            components.chart(view.figure, key="tl_chart", alt=view.alt_text,
                            config={"displayModeBar": False})  # fmt: skip
        st.subheader("Due and late", anchor=False)
        with components.panel("Due and late"):
            _due_and_late(ctx, view)
        st.subheader("Slippage against the plan", anchor=False)
        with components.panel("Slippage"):
            ex = view.extracts["milestones"]
            _table(ctx, view.slippage, "tl_slippage", ex.frame, ex.name, ex.label)
        st.subheader("Revision history", anchor=False)
        with components.panel("Revision history"):
            _history(ctx, view)
    st.subheader("Update the plan", anchor=False)
    with components.panel("Update the plan"):
        _update(ctx, view)
