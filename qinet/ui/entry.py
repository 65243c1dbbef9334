"""Data entry on the Measures page: a lead adds or corrects this period's value, or undoes it.

Logic (scope, validation, audit, undo) lives in ``qinet.queries.entry``; this draws the form.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from qinet import db
from qinet.domain import ChartType
from qinet.errors import QinetError
from qinet.imports.problems import ImportRejected
from qinet.queries import entry as q
from qinet.ui import cache, components
from qinet.ui.components import md_escape
from qinet.ui.context import PageContext

FLASH = "_entry_flash"


def _done(message: str) -> None:
    cache.clear_data_caches()
    st.session_state[FLASH] = message
    st.rerun()


def render(ctx: PageContext, measure_id: int, chart: ChartType) -> None:
    """A pop-over with the entry form and the undo button (leads and admins only)."""
    if not q.can_enter(ctx.viewer):
        return
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(md_escape(flash), icon=":material/check_circle:")
    popover = st.popover("Enter or correct a value", icon=":material/edit:")
    with popover, components.panel("Data entry"):
        ratio = chart in (ChartType.P, ChartType.U)
        with st.form(f"entry_{measure_id}", clear_on_submit=False, border=False):
            day = st.date_input(
                "Period",
                value=date.today().replace(day=1),
                format="DD/MM/YYYY",
                help="Any day in the week or month; it is stored as that period's start.",
                key="entry_period",
            )
            if ratio:
                a, b = st.columns(2)
                numerator = a.text_input("Numerator", key="entry_numerator")
                denominator = b.text_input("Denominator", key="entry_denominator")
                value = ""
            else:
                value = st.text_input("Value", key="entry_value")
                numerator = denominator = ""
            note = st.text_input("Note (optional)", max_chars=500, key="entry_note")
            submitted = st.form_submit_button("Save value", type="primary")
        if submitted:
            try:
                with db.session_scope(ctx.engine) as s:
                    done = q.enter(
                        s,
                        ctx.viewer,
                        measure_id,
                        day,
                        value=value.strip(),
                        numerator=numerator.strip(),
                        denominator=denominator.strip(),
                        note=note.strip() or None,
                    )
            except ImportRejected as exc:
                st.error("Not saved: " + md_escape("; ".join(str(p) for p in exc.problems)))
            else:
                verb = "Added" if done.added else "Corrected"
                _done(f"{verb} the value for {done.period_start:%d %b %Y}.")
        with db.session_scope(ctx.engine) as s:
            last = q.last_entry(s, ctx.viewer)
        if last is not None:
            st.caption(f"Your last entry: {md_escape(last.file_name)}")
            if st.button("Undo my last entry", key="entry_undo", icon=":material/undo:"):
                try:
                    with db.session_scope(ctx.engine) as s:
                        what = q.undo_last(s, ctx.viewer)
                except QinetError as exc:
                    st.warning(md_escape(str(exc)))
                else:
                    _done(f"Undid your entry {what}.")
