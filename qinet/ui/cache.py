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
    return _engine(s.database_url, s.demo_seed, s.create_demo)


def clear_data_caches() -> None:
    """Forget cached query results after an import or edit commits."""
    st.cache_data.clear()
