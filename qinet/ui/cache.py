"""The cached engine, the dataset facts, and cache housekeeping (the only place that caches).

The engine is a resource, one per database URL per process. Data loaders are
``st.cache_data`` keyed by the URL, the viewer and the filters, and read through
``engine_for(url)``: the engine of exactly the URL they are keyed by, never one
re-read from the environment behind the cache's back.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import date

import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from qinet import db
from qinet.config import Settings, load_settings
from qinet.queries import reference, version


def settings() -> Settings:
    """Settings from the environment (cheap; read on every rerun so tests can monkeypatch)."""
    return load_settings(os.environ)


@st.cache_resource(show_spinner=False, on_release=lambda e: e.dispose())
def engine_for(url: str) -> Engine:
    """The process's engine (connection pool) for ``url``; loaders keyed by ``url`` use it.

    Raises:
        DatabaseUnavailableError: The database cannot be reached or written.
    """
    return db.make_engine(url)


@st.cache_resource(show_spinner="Opening the database…")
def _prepared(url: str, seed: int, create_demo: bool) -> bool:
    engine = engine_for(url)
    if create_demo:
        db.ensure_demo_data(engine, seed)
    else:
        db.create_schema(engine)
    return True


def open_engine(s: Settings) -> Engine:
    """The engine for ``s.database_url``, migrated and (first start) seeded with demo data.

    Raises:
        DatabaseUnavailableError: The database cannot be reached or written.
    """
    _prepared(s.database_url, s.demo_seed, s.create_demo)
    return engine_for(s.database_url)


@dataclass(frozen=True)
class DatasetFacts:
    """What the data says about itself: its "today", whether it is synthetic, its first year."""

    reference_date: date
    synthetic: bool
    first_year: int


@st.cache_data(ttl=600, show_spinner=False)
def dataset_facts(url: str, today: date) -> DatasetFacts:
    """Reference date, synthetic flag and first programme year of the database at ``url``."""
    with db.session_scope(engine_for(url)) as s:
        ref = reference.reference_date(s, today)
        return DatasetFacts(ref, db.is_synthetic(s), reference.first_programme_year(s, ref))


def clear_data_caches() -> None:
    """Forget cached query results after an import or edit commits."""
    st.cache_data.clear()


_SEEN_VERSION: dict[str, int] = {}
_SEEN_LOCK = threading.Lock()


def sync_data_version(url: str) -> int:
    """Forget cached query results when the data changed since this process last looked.

    Called at the start of every run (``shell.database_ready``), before any loader: one
    primary-key read. A write made by this replica, another replica or the command line
    bumps the version (see ``qinet.queries.version``), so the next rerun of any session
    here recomputes. A loader already running in another session when the caches are
    cleared may still store what it read before the write; its entry lives at most until
    its TTL (10 minutes).
    """
    with Session(engine_for(url)) as s:
        current = version.data_version(s)
    with _SEEN_LOCK:
        seen = _SEEN_VERSION.get(url)
        _SEEN_VERSION[url] = current
    if seen is not None and seen != current:
        clear_data_caches()
    return current
