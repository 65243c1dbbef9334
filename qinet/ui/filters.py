"""The shared sidebar: filters bound to the URL, and the demo-mode "view as" picker.

Called from ``app.py`` only (the router), so the widgets and their URL
parameters survive page switches. Options narrow each other: choosing an
organisation lists only its directorates; choosing a programme lists only
its cohorts.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from qinet import db
from qinet.errors import QinetError
from qinet.queries import reference
from qinet.ui import cache, state

ALL = "All"
LABELS = {
    "organisation": "Organisation",
    "directorate": "Directorate",
    "programme": "Programme",
    "cohort": "Cohort",
    "staff_group": "Staff group",
    "period": "Period",
}


@st.cache_data(ttl=600, show_spinner=False)
def _demo_users(url: str) -> list[str]:
    with db.session_scope(cache.engine()) as s:
        return reference.demo_user_keys(s)


def _select(key: str, options: list[str], *, first: str = ALL) -> str | None:
    choices = [first, *options] if first not in options else options
    from_link = st.query_params.get(key)
    if from_link is not None and from_link not in choices:
        # Streamlit drops invalid bound values silently; tell the user once.
        st.session_state.setdefault(state.DROPPED_KEY, []).append(
            f"{LABELS[key].lower()} “{from_link[:80]}”"
        )
    current = st.session_state.get(key)
    if current is not None and current not in choices:
        # A parent filter changed and this value is no longer offered.
        st.session_state[key] = choices[0]
    elif current is not None and from_link is None:
        # Keep the session's choice when a page is reached without the query string
        # (a page drawing the router's frame itself; see state._adopt_router).
        st.session_state[key] = current
    value = st.selectbox(LABELS[key], choices, key=key, bind="query-params")
    return None if value in (ALL, "All time") else value


def sidebar() -> None:
    """Draw the shared filters (and, in demo mode, the role preview) in the sidebar."""
    try:
        s = cache.settings()
        cache.engine()
    except QinetError:
        return  # page_context shows the one-line error
    today, _synthetic, first_year = state._dataset_facts(s.database_url, date.today())
    st.session_state[state.DROPPED_KEY] = []
    with st.sidebar:
        if not state.auth_configured():
            users = _demo_users(s.database_url)
            st.selectbox(
                "View as (demo mode)",
                [state.DEMO_ADMIN, *users],
                key=state.VIEW_AS_KEY,
                help="Sign-in is not configured, so you are an admin. Preview what another "
                "role sees; their directorate scope is applied to every query.",
            )
        viewer = state.current_viewer(s.database_url)
        st.caption(f"Signed in as **{viewer.describe()}**")
        st.subheader("Filters")
        org = _select(
            "organisation",
            state.filter_options(s.database_url, viewer, None, None, today, first_year)[
                "organisation"
            ],
        )
        prog_options = state.filter_options(s.database_url, viewer, org, None, today, first_year)
        _select("directorate", prog_options["directorate"])
        prog = _select("programme", prog_options["programme"])
        options = state.filter_options(s.database_url, viewer, org, prog, today, first_year)
        _select("cohort", options["cohort"])
        _select("staff_group", options["staff_group"])
        _select("period", options["period"], first="All time")
        if state.auth_configured():
            st.button("Sign out", on_click=st.logout)
