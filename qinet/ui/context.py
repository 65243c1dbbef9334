"""Per-rerun context every page starts from: who is looking, what they filtered to.

Pages call ``page_context(title)`` first. It resolves the signed-in user and
their scope, reads the filters from session state or the URL (so it works even
when a page runs without the router, as under AppTest's ``switch_page``), drops
stale or out-of-scope filter values with a gentle notice, and draws the page
header with the filter description. Scope and the synthetic flag travel in the
returned ``PageContext`` (and its ``view``), nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import streamlit as st
from sqlalchemy.engine import Engine

from qinet.access import Viewer
from qinet.config import Settings
from qinet.filters import FILTER_KEYS, Filters
from qinet.ui import cache, identity, shell, sidebar
from qinet.ui.components import md_escape
from qinet.views.base import ViewContext


@dataclass(frozen=True)
class PageContext:
    """Everything a page's ``render`` needs, resolved once per rerun.

    Attributes:
        engine: The engine loaders read through (the one for ``settings.database_url``).
        settings: The process settings.
        viewer: Who is looking.
        filters: The sidebar filters in force (validated against the viewer's options).
        today: The data's "today".
        synthetic: True over the synthetic demo data.
        scope: A scoped viewer's areas (e.g. ``Medicine``); "" when unrestricted.
    """

    engine: Engine
    settings: Settings
    viewer: Viewer
    filters: Filters
    today: date
    synthetic: bool
    scope: str = ""

    @property
    def url(self) -> str:
        """Database URL (the cache key for data loaders)."""
        return self.settings.database_url

    @property
    def view(self) -> ViewContext:
        """The pure view-model input (``qinet.views``) for this request."""
        return ViewContext(
            engine=self.engine,
            viewer=self.viewer,
            filters=self.filters,
            today=self.today,
            synthetic=self.synthetic,
            scope=self.scope,
            small_number_threshold=self.settings.small_number_threshold,
        )

    def describe(self) -> str:
        """The filters in words, naming a scoped viewer's areas instead of "Whole network"."""
        return self.view.describe()

    def describe_with_dates(self) -> str:
        """``describe()`` with the period's dates, for the page caption and the board pack."""
        return self.view.describe_with_dates()


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
    framed = shell.inside_router()  # app.py drew the frame (and checked the data version)
    if (
        not framed
        and shell.served_from_pages_folder()
        and not st.session_state.get(shell.ROUTER_SEEN_KEY)
    ):
        shell.frame()
        framed = True
    s, engine = shell.database_ready(check_version=not framed)
    facts = cache.dataset_facts(s.database_url, date.today())
    today, synthetic = facts.reference_date, facts.synthetic
    viewer = identity.current_viewer(s, identity.auth_mode(s, synthetic), synthetic)
    if admin_only and not viewer.is_admin:
        st.title(title)
        st.error("This page is for administrators only.")
        st.stop()

    def options_for(org: str | None, prog: str | None) -> dict[str, list[str]]:
        return sidebar.filter_options(s.database_url, viewer, org, prog, today, facts.first_year)

    filters, dropped = validated_filters(raw_filter_values(), options_for)
    dropped = [*st.session_state.get(sidebar.DROPPED_KEY, []), *dropped]
    ctx = PageContext(
        engine, s, viewer, filters, today, synthetic,
        scope_label(viewer, filters, options_for(None, None)),
    )  # fmt: skip
    st.title(title)
    if synthetic:
        # its own line: inside a caption the badge's text fell below 4.5:1 contrast (axe)
        st.markdown(":orange-badge[Synthetic demo data]")
    st.caption(md_escape(ctx.describe_with_dates()))
    if dropped:
        st.info(
            "Some filters in the link are not available to you or no longer exist, so they "
            "were left out: " + md_escape(", ".join(dropped)) + "."
        )
    return ctx
