"""Who is looking: the sign-in mode (decided once per process), the viewer, and their screens.

The mode comes from ``qinet.auth.decide_mode`` over the secrets files qinet parses
itself (Streamlit swallows a parse error). It is cached as a resource for the
life of the process, so editing the secrets on a running server never changes
it (restart to change it). Role look-ups are cached for ``ROLE_CACHE_SECONDS``; the
token's roles are re-read from ``st.user`` on every rerun and an expired ID token
signs the user out.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.auth import (
    PROJECT_SECRETS,
    AuthMode,
    Identity,
    decide_mode,
    identity_from_claims,
    read_secrets_files,
    token_expired,
)
from qinet.config import Settings
from qinet.domain import Role
from qinet.errors import ConfigError
from qinet.queries import reference
from qinet.ui import cache
from qinet.ui.components import halt, hide_pages, md_escape, md_literal

ROLE_CACHE_SECONDS = 10  # a role removed from user_role stops working within this time
VIEW_AS_KEY = "view_as"
DEMO_ADMIN = "Admin (demo mode)"
PRODUCT = "qinet"
TAGLINE = "Quality-improvement programmes: measures, engagement and plans"


def secrets_files() -> tuple[str, ...]:
    """The files Streamlit reads secrets from (its ``secrets.files`` option)."""
    return tuple(str(p) for p in st.config.get_option("secrets.files") or ())


def _injected_secrets() -> dict[str, Any] | None:
    """Secrets given without a file (AppTest's ``at.secrets``); ``None`` when there are none."""
    try:
        data = st.secrets.to_dict()
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return None
    return data or None


@st.cache_resource(show_spinner=False)
def _mode(files: tuple[str, ...], auth_setting: str, synthetic: bool) -> AuthMode | ConfigError:
    """Decide once per process (per files, ``QINET_AUTH`` and data kind); errors are kept too.

    The result, including a refusal, is kept for the process's life: fixing or
    breaking the secrets file takes effect on restart, never half-way.
    """
    try:
        secrets, found = read_secrets_files(files)
        where = str(found[-1]) if found else PROJECT_SECRETS
        if not found:
            secrets = _injected_secrets()
            where = "secrets" if secrets is not None else PROJECT_SECRETS
        return decide_mode(auth_setting, synthetic, secrets, where)
    except ConfigError as exc:
        return exc


def auth_mode(s: Settings, synthetic: bool) -> AuthMode:
    """The process's sign-in mode; stops the app with one line if the setup is not valid."""
    mode = _mode(secrets_files(), s.auth, synthetic)
    if isinstance(mode, ConfigError):
        halt(f"qinet cannot start: {mode}")
    return mode


def forget_mode() -> None:
    """Drop the decided mode (tests only: a server decides once per process)."""
    _mode.clear()


@st.cache_data(ttl=ROLE_CACHE_SECONDS, show_spinner=False)
def _viewer(
    url: str, subject: str, email: str | None, token_roles: tuple[str, ...]
) -> Viewer | None:
    with db.session_scope(cache.engine_for(url)) as s:
        return reference.resolve_viewer(s, subject, email, list(token_roles))


@st.cache_data(ttl=600, show_spinner=False)
def demo_people(url: str) -> dict[str, str]:
    """``{label: email}`` of the demo data's people, for "View as"."""
    with db.session_scope(cache.engine_for(url)) as s:
        return reference.demo_people(s)


def current_identity() -> Identity:
    """The signed-in person from the current token's claims (re-read every rerun)."""
    return identity_from_claims(st.user.to_dict())


def _screen(message: str, *, sign_in: bool) -> None:
    """A whole-page screen in the main area with no page list, then stop."""
    hide_pages()
    st.title(PRODUCT, anchor=False)
    st.caption(TAGLINE)
    st.markdown(message)
    if sign_in:
        st.button("Sign in", on_click=st.login, type="primary", icon=":material/login:")
    else:
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")
    st.stop()


def current_viewer(s: Settings, mode: AuthMode, synthetic: bool) -> Viewer:
    """Resolve who is looking; draws the signed-out or no-role screen and stops if needed.

    Without sign-in everyone is an admin; over the synthetic demo data "View as"
    (the ``view_as`` URL parameter, demo only) previews a stored person's scope.
    """
    if mode.signed_in:
        if not st.user.get("is_logged_in", False):
            _screen("Sign in with your organisation account to see your programmes.",
                    sign_in=True)  # fmt: skip
        claims = st.user.to_dict()
        if token_expired(claims, time.time()):
            st.logout()
            st.stop()
        who = identity_from_claims(claims)
        viewer = _viewer(s.database_url, who.subject, who.email, who.roles)
        if viewer is None:
            sid = who.subject.replace("`", "")
            quote = f", quoting your sign-in id `{sid}`" if sid else ""
            _screen(
                f"You are signed in as {md_literal(who.display or 'an unknown user')}, but you "
                f"have no role in qinet yet. Ask your QI team's administrator to add you{quote}.",
                sign_in=False,
            )
        return viewer
    if synthetic:
        email = demo_people(s.database_url).get(str(st.session_state.get(VIEW_AS_KEY) or ""))
        if email:
            viewer = _viewer(s.database_url, "", email, ())
            if viewer is not None:
                return Viewer(
                    user_key=viewer.user_key,
                    role=viewer.role,
                    directorate_ids=viewer.directorate_ids,
                    programme_ids=viewer.programme_ids,
                    demo_mode=True,
                )
    return Viewer(user_key="demo", role=Role.ADMIN, demo_mode=True)


def signed_in_label(viewer: Viewer, mode: AuthMode) -> str:
    """Sidebar line naming the person (escaped) and their role."""
    if not mode.signed_in:
        return f"Viewing as **{md_escape(viewer.describe())}**"
    return f"Signed in as {md_literal(current_identity().display)} · **{viewer.describe()}**"


def icon_path() -> str:
    """The page icon, served by the app itself (no font or image fetched from the internet)."""
    return str(Path(__file__).with_name("static") / "qinet.png")
