"""Per-rerun context every page starts from: who is looking, what they filtered to.

Pages call ``page_context(title)`` first. It resolves the signed-in user and
their scope, reads the filters from session state or the URL (so it works even
when a page runs without the router, as under AppTest's ``switch_page``), drops
stale or out-of-scope filter values with a gentle notice, and draws the page
header with the filter description.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import streamlit as st
from sqlalchemy.engine import Engine

from qinet import db
from qinet.access import Viewer
from qinet.config import Settings
from qinet.domain import Role
from qinet.errors import QinetError
from qinet.filters import FILTER_KEYS, Filters, period_options
from qinet.queries import reference
from qinet.ui import cache
from qinet.ui.components import SCOPE_KEY, SYNTHETIC_KEY, md_escape, with_scope

log = logging.getLogger(__name__)

_ROUTER = threading.local()
ROUTER_SEEN_KEY = "_qinet_router_seen"
VIEW_AS_KEY = "view_as"
DEMO_ADMIN = "Admin (demo mode)"
DROPPED_KEY = "_qinet_dropped_filters"


@dataclass(frozen=True)
class PageContext:
    """Everything a page's ``render`` needs, resolved once per rerun."""

    engine: Engine
    settings: Settings
    viewer: Viewer
    filters: Filters
    today: date
    synthetic: bool

    @property
    def url(self) -> str:
        """Database URL (the cache key for data loaders)."""
        return self.settings.database_url


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


def _adopt_router() -> None:
    """Draw the router's frame when a page script runs on its own.

    Streamlit serves ``/<page>`` straight from ``pages/`` until some session has
    run ``app.py`` (a shared deep link opened first thing after a restart). The
    page then draws the shared sidebar and registers the navigation itself, so
    filters, scope and menus are the same whichever way the page was reached.
    (AppTest's ``switch_page`` also runs a page without the router, but only
    after the session has run it once, so that case keeps the session's state.)
    """
    from qinet.ui import filters, shell

    st.set_page_config(page_title="qinet", page_icon=":material/insights:", layout="wide")
    shell.database_ready()
    filters.sidebar()
    st.navigation(shell.navigation(shell.viewer()))


def _served_from_pages_folder() -> bool:
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


def auth_configured() -> bool:
    """True when ``[auth]`` is present in ``.streamlit/secrets.toml`` (sign-in is on)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, st.errors.StreamlitSecretNotFoundError):
        return False


@st.cache_data(ttl=60, show_spinner=False)
def _viewer(url: str, user_key: str, token_roles: tuple[str, ...]) -> Viewer | None:
    with db.session_scope(cache.engine()) as s:
        return reference.resolve_viewer(s, user_key, list(token_roles))


@st.cache_data(ttl=600, show_spinner=False)
def _dataset_facts(url: str, today: date) -> tuple[date, bool, int]:
    with db.session_scope(cache.engine()) as s:
        ref = reference.reference_date(s, today)
        return ref, db.is_synthetic(s), reference.first_programme_year(s, ref)


@st.cache_data(ttl=600, show_spinner=False)
def filter_options(url: str, viewer: Viewer, organisation: str | None, programme: str | None,
                   today: date, first_year: int) -> dict[str, list[str]]:
    """Options for each filter, scoped to the viewer and narrowed by parent choices."""
    f = Filters(organisation=organisation, programme=programme)
    with db.session_scope(cache.engine()) as s:
        return {
            "organisation": reference.organisation_options(s, viewer),
            "directorate": reference.directorate_options(s, viewer, f),
            "programme": reference.programme_options(s, viewer),
            "cohort": reference.cohort_options(s, viewer, f),
            "staff_group": reference.staff_group_options(s),
            "period": period_options(today, first_year),
        }


def _user_claims() -> tuple[str, tuple[str, ...]]:
    user = st.user
    key = user.get("email") or user.get("preferred_username") or user.get("sub") or ""
    roles = user.get("roles") or []
    if isinstance(roles, str):
        roles = [roles]
    return str(key), tuple(str(r) for r in roles)


def current_viewer(url: str) -> Viewer:
    """Resolve who is looking; stops the script with a sign-in or no-access screen if needed.

    Without ``[auth]`` the app is in demo mode: an admin, unless "view as"
    (sidebar, demo mode only) picks one of the stored demo users to preview
    their scope.
    """
    if auth_configured():
        if not st.user.get("is_logged_in", False):
            st.title("qinet")
            st.write("Sign in with your organisation account to see your programmes.")
            st.button("Sign in", on_click=st.login, type="primary")
            st.stop()
        key, roles = _user_claims()
        viewer = _viewer(url, key, roles)
        if viewer is None:
            st.title("qinet")
            st.warning(
                f"You are signed in as {key or 'an unknown user'}, but you have no role in qinet "
                "yet. Ask your QI team's administrator to add you."
            )
            st.button("Sign out", on_click=st.logout)
            st.stop()
        return viewer
    view_as = st.session_state.get(VIEW_AS_KEY)
    if view_as and view_as != DEMO_ADMIN:
        viewer = _viewer(url, str(view_as), ())
        if viewer is not None:
            return Viewer(
                user_key=viewer.user_key,
                role=viewer.role,
                directorate_ids=viewer.directorate_ids,
                programme_ids=viewer.programme_ids,
                demo_mode=True,
            )
    return Viewer(user_key="demo", role=Role.ADMIN, demo_mode=True)


def raw_filter_values() -> dict[str, str]:
    """Filter values from session state (widgets), falling back to the URL per key."""
    values: dict[str, str] = {}
    for key in FILTER_KEYS:
        if key in st.session_state and st.session_state[key] is not None:
            values[key] = st.session_state[key]
        elif key in st.query_params:
            values[key] = st.query_params.get(key)[:200]
    return values


def validated_filters(
    raw: dict[str, str], options_for: Callable[[str | None, str | None], dict[str, list[str]]]
) -> tuple[Filters, list[str]]:
    """Keep only filter values that are currently offered; report the others.

    Args:
        raw: Values from the URL or session state.
        options_for: ``(organisation, programme) -> {key: options}``.

    Returns:
        The valid ``Filters`` and a list of plain-English notes about dropped values.
    """
    f = Filters.from_params(raw)
    dropped: list[str] = []
    # Parents first, so children are checked against the narrowed lists.
    options = options_for(None, None)
    clean: dict[str, str | None] = {}
    for key in ("organisation", "programme"):
        value = getattr(f, key)
        if value is not None and value not in options[key]:
            dropped.append(f"{key.replace('_', ' ')} “{value}”")
            value = None
        clean[key] = value
    options = options_for(clean["organisation"], clean["programme"])
    for key in ("directorate", "cohort", "staff_group", "period"):
        value = getattr(f, key)
        if value is not None and value not in options[key]:
            dropped.append(f"{key.replace('_', ' ')} “{value}”")
            value = None
        clean[key] = value
    return Filters(**clean), dropped


def scope_label(viewer: Viewer, f: Filters, options: dict[str, list[str]]) -> str:
    """What a scoped viewer sees when no narrower filter is chosen, e.g. ``Medicine``.

    Directorate leads and viewers see their directorates; programme leads their
    programmes. Empty for unrestricted viewers or when a filter already says it.

    Args:
        viewer: Who is looking.
        f: The filters in force.
        options: The viewer's (scoped) filter options.

    Returns:
        A short label, or "" when the filter description already tells the truth.
    """
    if viewer.directorate_ids is not None and f.directorate is None:
        names = options["directorate"]
    elif viewer.programme_ids is not None and f.programme is None:
        names = options["programme"]
    else:
        return ""
    if not names:
        return "Nothing in your scope"
    return " + ".join(names) if len(names) <= 3 else f"Your {len(names)} areas"


def page_context(title: str, *, admin_only: bool = False) -> PageContext:
    """Start a page: resolve the viewer and filters, check access, draw the header.

    Args:
        title: Page title.
        admin_only: Stop with a message unless the viewer is an admin
            (defence in depth: the router also hides admin pages).

    Returns:
        The ``PageContext`` for ``render``.
    """
    if (
        not inside_router()
        and _served_from_pages_folder()
        and not st.session_state.get(ROUTER_SEEN_KEY)
    ):
        _adopt_router()
    try:
        engine = cache.engine()
        s = cache.settings()
    except QinetError as exc:
        st.error(f"qinet cannot start: {exc}")
        st.stop()
    today, synthetic, first_year = _dataset_facts(s.database_url, date.today())
    viewer = current_viewer(s.database_url)
    if admin_only and not viewer.is_admin:
        st.title(title)
        st.error("This page is for administrators only.")
        st.stop()

    def options_for(org: str | None, prog: str | None) -> dict[str, list[str]]:
        return filter_options(s.database_url, viewer, org, prog, today, first_year)

    st.session_state[SYNTHETIC_KEY] = synthetic
    filters, dropped = validated_filters(raw_filter_values(), options_for)
    dropped = [*st.session_state.get(DROPPED_KEY, []), *dropped]
    st.title(title)
    scope = scope_label(viewer, filters, options_for(None, None))
    st.session_state[SCOPE_KEY] = scope
    caption = md_escape(with_scope(filters.describe_with_dates(today), scope))
    if synthetic:
        caption += "  ·  :orange-badge[Synthetic demo data]"
    st.caption(caption)
    if dropped:
        st.info(
            "Some filters in the link are not available to you or no longer exist, so they "
            "were left out: " + md_escape(", ".join(dropped)) + "."
        )
    return PageContext(engine, s, viewer, filters, today, synthetic)
