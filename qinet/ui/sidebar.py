"""The shared sidebar: the sign-in mode, who is looking, and the filters bound to the URL.

Drawn by ``shell.frame`` (the router's frame), so the widgets and their URL
parameters survive page switches. Options come from the viewer's scope only and
narrow each other: choosing an organisation lists only its directorates;
choosing a programme lists only its cohorts.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.auth import AuthMode
from qinet.config import Settings
from qinet.filters import Filters, period_options
from qinet.queries import reference
from qinet.ui import cache, identity
from qinet.ui.cache import DatasetFacts

ALL = "All"
DROPPED_KEY = "_qinet_dropped_filters"
LABELS = {
    "organisation": "Organisation",
    "directorate": "Directorate",
    "programme": "Programme",
    "cohort": "Cohort",
    "staff_group": "Staff group",
    "period": "Period",
}


@st.cache_data(ttl=600, show_spinner=False)
def filter_options(url: str, viewer: Viewer, organisation: str | None, programme: str | None,
                   today: date, first_year: int) -> dict[str, list[str]]:  # fmt: skip
    """Options for each filter, from the viewer's scope only, narrowed by parent choices."""
    f = Filters(organisation=organisation, programme=programme)
    with db.session_scope(cache.engine_for(url)) as s:
        return {
            "organisation": reference.organisation_options(s, viewer),
            "directorate": reference.directorate_options(s, viewer, f),
            "programme": reference.programme_options(s, viewer),
            "cohort": reference.cohort_options(s, viewer, f),
            "staff_group": reference.staff_group_options(s, viewer),
            "period": period_options(today, first_year),
        }


def _select(key: str, options: list[str], *, first: str = ALL) -> str | None:
    choices = [first, *options] if first not in options else options
    from_link = st.query_params.get(key)
    if from_link is not None and from_link not in choices:
        # Streamlit drops invalid bound values silently; tell the user once.
        st.session_state.setdefault(DROPPED_KEY, []).append(
            f"{LABELS[key].lower()} “{from_link[:80]}”"
        )
    current = st.session_state.get(key)
    if current is not None and current not in choices:
        # A parent filter changed and this value is no longer offered.
        st.session_state[key] = choices[0]
    elif current is not None and from_link is None:
        # Keep the session's choice when a page is reached without the query string
        # (a page drawing the router's frame itself; see shell.frame).
        st.session_state[key] = current
    value = st.selectbox(LABELS[key], choices, key=key, bind="query-params")
    return None if value in (ALL, "All time") else value


def view_as(s: Settings) -> None:
    """Demo data only: preview a stored person's role and scope (kept in the URL)."""
    people = identity.demo_people(s.database_url)
    st.selectbox(
        "View as (demo data)",
        [identity.DEMO_ADMIN, *people],
        key=identity.VIEW_AS_KEY,
        bind="query-params",
        help="Sign-in is off over the synthetic demo data, so you are an admin. Preview what "
        "another role sees; their scope is applied to every query.",
    )


def draw(s: Settings, mode: AuthMode, facts: DatasetFacts, viewer: Viewer) -> None:
    """Draw the mode, the viewer and the filters (the "View as" picker is drawn before)."""
    url, today, first_year = s.database_url, facts.reference_date, facts.first_year
    st.session_state[DROPPED_KEY] = []
    with st.sidebar:
        st.caption(identity.signed_in_label(viewer, mode))
        st.subheader("Filters")
        org = _select(
            "organisation",
            filter_options(url, viewer, None, None, today, first_year)["organisation"],
        )
        parents = filter_options(url, viewer, org, None, today, first_year)
        _select("directorate", parents["directorate"])
        prog = _select("programme", parents["programme"])
        options = filter_options(url, viewer, org, prog, today, first_year)
        _select("cohort", options["cohort"])
        _select("staff_group", options["staff_group"])
        _select("period", options["period"], first="All time")
        if mode.signed_in:
            st.button("Sign out", on_click=st.logout, icon=":material/logout:")
        st.caption(mode.describe())
