"""The router's pieces: database readiness and the navigation built for the viewer's role."""

from __future__ import annotations

import streamlit as st

from qinet.access import Viewer
from qinet.errors import QinetError
from qinet.ui import cache, state

# (section, file, title, icon, admin_only) in menu order.
PAGE_TABLE: tuple[tuple[str, str, str, str, bool], ...] = (
    ("Steering", "overview.py", "Overview", ":material/dashboard:", False),
    ("Improvement", "measures.py", "Measures", ":material/monitoring:", False),
    ("Improvement", "projects.py", "Projects", ":material/assignment:", False),
    ("Admin", "data.py", "Data", ":material/database:", True),
)


def database_ready() -> bool:
    """Open (and on first start, create) the database; show one line and stop if it cannot."""
    try:
        cache.settings()
        cache.engine()
    except QinetError as exc:
        st.error(f"qinet cannot start: {exc}")
        st.stop()
    return True


def viewer() -> Viewer:
    """The current viewer (see ``state.current_viewer``)."""
    return state.current_viewer(cache.settings().database_url)


def navigation(v: Viewer) -> dict[str, list[st.Page]]:
    """Sections of pages this viewer may open; the Admin section only for admins."""
    sections: dict[str, list[st.Page]] = {}
    for section, file, title, icon, admin_only in PAGE_TABLE:
        if admin_only and not v.is_admin:
            continue
        page = st.Page(
            f"pages/{file}", title=title, icon=icon, default=(file == "overview.py")
        )
        sections.setdefault(section, []).append(page)
    return sections
