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
from sqlalchemy.exc import SQLAlchemyError

from qinet import db
from qinet.config import Settings, load_settings
from qinet.queries import reference
from qinet.queries.version import data_version


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


def open_engine(s: Settings, *, check_version: bool = True) -> Engine:
    """The engine for ``s.database_url``, migrated and (first start) seeded with demo data.

    With ``check_version`` (the default), also forget cached results when the data
    changed since this process last looked (``follow_data_version``).

    Raises:
        DatabaseUnavailableError: The database cannot be reached or written.
    """
    _prepared(s.database_url, s.demo_seed, s.create_demo)
    eng = engine_for(s.database_url)
    if check_version:
        follow_data_version(s.database_url, eng)
    return eng


_SEEN_VERSION: dict[str, int] = {}
_SEEN_LOCK = threading.Lock()


def follow_data_version(url: str, eng: Engine) -> None:
    """Clear cached data when the data version moved (any write, in any process).

    Called once per run through ``open_engine`` ← ``shell.database_ready``: by
    ``shell.frame()`` under the router, else by ``context.page_context()`` — so a page
    rerun that skips the router (AppTest after the first run) still checks. One
    single-row primary-key read. Every writer bumps the version in its own
    transaction (``qinet.queries.version``), so the next rerun after any write — in this
    process, another one or another replica sharing the database — reads fresh data;
    no timer is involved. A loader already running in another session when the caches
    are cleared may still store what it read before the write; that entry lives at most
    until its TTL (10 minutes).
    """
    try:
        with eng.connect() as conn:
            version = data_version(conn)
    except SQLAlchemyError:
        return  # an unreachable database shows up in the page's own read
    with _SEEN_LOCK:  # one session clears; the others wait and then see a cleared cache
        if _SEEN_VERSION.setdefault(url, version) != version:
            _SEEN_VERSION[url] = version
            st.cache_data.clear()


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
    """Forget this process's cached query results at once after a write commits.

    The write itself bumped the data version, which is how other processes (and this
    one, on its next rerun) find out; this only saves the writer's own rerun a wait.
    """
    st.cache_data.clear()

