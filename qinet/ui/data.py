"""Data page (admins): data-quality report and full extracts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.filters import Filters
from qinet.formatting import fmt_date
from qinet.queries import quality
from qinet.ui import cache, components
from qinet.ui.context import PageContext


@st.cache_data(ttl=300, show_spinner=False)
def _quality(url: str, viewer: Viewer, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    with db.session_scope(cache.engine_for(url)) as s:
        return quality.table_counts(s), quality.measure_completeness(s, viewer, f)


COMPLETENESS_LABELS = {
    "project_code": "Project",
    "measure": "Measure",
    "frequency": "Frequency",
    "points": "Points",
    "first_period": "First period",
    "last_period": "Last period",
    "missing_periods": "Missing periods",
    "issues": "Issues",
}
TABLE_LABELS = {"table": "Table", "rows": "Rows"}


def completeness_display(flagged: pd.DataFrame) -> pd.DataFrame:
    """The completeness table as people read it: human labels, dates as 28 Apr 2025."""
    out = flagged[list(COMPLETENESS_LABELS)].copy()
    for col in ("first_period", "last_period"):
        out[col] = out[col].map(fmt_date)
    out["frequency"] = out["frequency"].astype(str).str.capitalize()
    return out.rename(columns=COMPLETENESS_LABELS)


def render(ctx: PageContext) -> None:
    """Data-quality report for the filtered measures, and table sizes."""
    counts, completeness = _quality(ctx.url, ctx.viewer, ctx.filters)
    with components.panel("Measure completeness"):
        st.subheader("Measure completeness")
        flagged = completeness[completeness["issues"] != ""]
        c1, c2, c3 = st.columns(3)
        components.kpi(c1, "Measures", f"{len(completeness):,}")
        components.kpi(c2, "Measures with issues", f"{len(flagged):,}")
        components.kpi(c3, "Missing periods", f"{int(completeness['missing_periods'].sum()):,}")
        if flagged.empty:
            components.empty_state("Every measure in this view is complete.")
        else:
            st.dataframe(completeness_display(flagged), hide_index=True, width="stretch")
        components.download_csv(completeness, ctx.view, "data-quality")
    with components.panel("Tables"):
        st.subheader("Tables")
        st.dataframe(counts.rename(columns=TABLE_LABELS), hide_index=True, width="content")
        components.download_csv(counts, ctx.view, "data-tables",
                                label="Table sizes CSV")
        if ctx.synthetic:
            st.caption("This database holds synthetic demo data created by `qinet demo`.")
