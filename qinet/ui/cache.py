"""The cached engine and cached data loaders (the only place that caches).

``engine()`` is a resource (one per database URL per process); data loaders are
``st.cache_data`` keyed by the URL, the viewer and the filters, so two users
with different scopes never share a cached frame.
"""

from __future__ import annotations

import os

import streamlit as st
from sqlalchemy.engine import Engine

from qinet import db
from qinet.config import Settings, load_settings


def settings() -> Settings:
    """Settings from the environment (cheap; read on every rerun so tests can monkeypatch)."""
    return load_settings(os.environ)


@st.cache_resource(show_spinner="Opening the database…", on_release=lambda e: e.dispose())
def _engine(url: str, seed: int, create_demo: bool) -> Engine:
    engine = db.make_engine(url)
    if create_demo:
        db.ensure_demo_data(engine, seed)
    else:
        db.create_schema(engine)
    return engine


def engine() -> Engine:
    """The engine for ``QINET_DATABASE_URL``, migrated and (first start) seeded with demo data.

    Raises:
        ConfigError: A setting is malformed.
        DatabaseUnavailableError: The database cannot be reached or written.
    """
    s = settings()
    eng = _engine(s.database_url, s.demo_seed, s.create_demo)
    _follow_data_version(s.database_url, eng)
    return eng


_SEEN_VERSION: dict[str, int] = {}


def _follow_data_version(url: str, eng: Engine) -> None:
    """Clear cached data when the data version moved (an import or entry, any process).

    One single-row read per call; imports and entries bump the version in their own
    transaction, so the next rerun after any write reads fresh data (no timer).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from qinet.imports.audit import current_version

    try:
        with eng.connect() as conn:
            version = current_version(conn)
    except SQLAlchemyError:
        return
    if _SEEN_VERSION.setdefault(url, version) != version:
        _SEEN_VERSION[url] = version
        st.cache_data.clear()


def clear_data_caches() -> None:
    """Forget cached query results after an import or edit commits."""
    st.cache_data.clear()
