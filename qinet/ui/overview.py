"""Overview page: the steering group's month on one screen."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.domain import ProjectStatus
from qinet.filters import Filters
from qinet.queries import engagement, projects
from qinet.queries.scope import date_bounds, frame
from qinet.ui import cache, components
from qinet.ui.state import PageContext


@st.cache_data(ttl=600, show_spinner=False)
def _headline_frames(url: str, viewer: Viewer, f: Filters, today) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    start, end = date_bounds(f, today)
    with db.session_scope(cache.engine()) as s:
        return (
            frame(s, projects.projects_stmt(viewer, f)),
            frame(s, projects.measures_stmt(viewer, f)),
            frame(s, engagement.enrolments_stmt(viewer, f, start, end)),
        )


def render(ctx: PageContext) -> None:
    """Headline counts from the database for the viewer's scope and filters."""
    with components.panel("Headlines"):
        proj, meas, enrol = _headline_frames(ctx.url, ctx.viewer, ctx.filters, ctx.today)
        active = proj[proj["status"].map(lambda s: ProjectStatus(s).is_active)] if len(proj) else proj
        cols = st.columns(4)
        components.kpi(cols[0], "Active projects", f"{len(active):,}")
        components.kpi(cols[1], "Measures tracked", f"{len(meas):,}")
        components.kpi(cols[2], "Participants", f"{enrol['participant_id'].nunique():,}")
        completed = enrol[enrol["status"] == "completed"]["participant_id"].nunique()
        components.kpi(cols[3], "Completed training", f"{completed:,}")
    with components.panel("Projects"):
        if proj.empty:
            components.empty_state("No projects match these filters.")
        else:
            table = proj.assign(status=proj["status"].astype(str))[
                ["code", "title", "status", "directorate", "programme", "started_on"]
            ]
            st.dataframe(table, hide_index=True, width="stretch")
            components.download_csv(
                proj.assign(status=proj["status"].astype(str)), ctx.filters, "overview-projects",
                today=ctx.today,
            )
