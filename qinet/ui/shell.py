"""The router's frame: page config, database, sign-in mode, viewer, sidebar and navigation.

``frame()`` is the one place these are drawn, by ``app.py`` on every run and by a
page script that Streamlit served straight from ``pages/`` (see
``context.page_context``), so both ways in look and behave the same.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import streamlit as st
from sqlalchemy.engine import Engine

from qinet.access import Viewer
from qinet.config import Settings
from qinet.errors import QinetError
from qinet.ui import cache, identity, sidebar
from qinet.ui.components import halt

_ROUTER = threading.local()
ROUTER_SEEN_KEY = "_qinet_router_seen"

# (section, file, title, icon, admin_only) in menu order.
PAGE_TABLE: tuple[tuple[str, str, str, str, bool], ...] = (
    ("Steering", "overview.py", "Overview", ":material/dashboard:", False),
    ("Steering", "engagement.py", "Engagement", ":material/groups:", False),
    ("Steering", "timeline.py", "Timeline", ":material/timeline:", False),
    ("Improvement", "measures.py", "Measures", ":material/monitoring:", False),
    ("Improvement", "capability.py", "Capability", ":material/school:", False),
    ("Improvement", "projects.py", "Projects", ":material/assignment:", False),
    ("Admin", "data.py", "Data", ":material/database:", True),
)


def database_ready(*, check_version: bool = True) -> tuple[Settings, Engine]:
    """Open (and on first start, create) the database; show one line and stop if it cannot.

    Args:
        check_version: Check the data version (clearing cached results if another
            write moved it). Once per run: ``frame()`` checks; a page checks only when no
            frame ran before it in this run (e.g. AppTest reruns just the page script).
    """
    try:
        s = cache.settings()
        return s, cache.open_engine(s, check_version=check_version)
    except QinetError as exc:
        halt(f"qinet cannot start: {exc}")


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


def frame() -> st.Page:
    """Draw the shared frame and register the viewer's pages; returns the page to run.

    Stops with one line when the database or the sign-in setup is not usable, and
    with a main-area screen (no page list) when nobody, or nobody with a role, is
    signed in.
    """
    st.set_page_config(page_title="qinet", page_icon=identity.icon_path(), layout="wide")
    s, _engine = database_ready()
    facts = cache.dataset_facts(s.database_url, date.today())
    mode = identity.auth_mode(s, facts.synthetic)
    if not mode.signed_in and facts.synthetic:
        with st.sidebar:
            sidebar.view_as(s)
    viewer = identity.current_viewer(s, mode, facts.synthetic)
    sidebar.draw(s, mode, facts, viewer)
    return st.navigation(navigation(viewer))


@contextmanager
def routing() -> Iterator[None]:
    """Mark the page run as started by the router (``app.py``) in this thread and session."""
    st.session_state[ROUTER_SEEN_KEY] = True
    _ROUTER.active = True
    try:
        yield
    finally:
        _ROUTER.active = False


def inside_router() -> bool:
    """True while ``app.py`` is running a page (see ``routing``)."""
    return getattr(_ROUTER, "active", False)


def served_from_pages_folder() -> bool:
    """True while Streamlit still routes by the ``pages/`` folder (before any ``st.navigation``).

    Streamlit has no public API for this; ``PagesManager.uses_pages_directory``
    is the flag its script runner reads. If it ever moves, we assume the router
    ran (the safe default: the page still resolves scope and filters itself).
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - depends on Streamlit internals
        return False
    return bool(getattr(PagesManager, "uses_pages_directory", False))
