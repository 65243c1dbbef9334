"""Deterministic synthetic demo data: a fictional regional improvement network.

``build(session, seed=…, scale="small")`` fills an empty database with the
*Kestrel Moor & Wexley Improvement Network* — five invented organisations, their
directorates and workforce, five improvement programmes with cohorts, pseudonymised
participants (``P-00042``), projects with measures whose series carry designed SPC
signals, capability and pulse surveys, events, milestones and demo sign-in roles.

Everything is derived from the seed and the fixed ``DEMO_TODAY`` (never the real
clock), so the same seed gives identical rows on SQLite and PostgreSQL. Rows are
written with bulk ``insert()`` statements and explicit primary keys; PostgreSQL
sequences are moved past them afterwards so later inserts do not collide.

Designed signals: every measure built from ``MEASURE_CATALOGUE`` carries the
patterns listed there (``PATTERNS`` describes each), and ``DemoSummary.patterns``
maps every measure name built to its patterns. ``SHOWCASE_MEASURE`` has a PDSA
annotation, a trend and a sustained shift.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

import sqlalchemy as sa
from sqlalchemy import insert
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.demo import progress_updates
from qinet.demo.access import DEMO_USERS, build_access  # noqa: F401 - DEMO_USERS re-exported
from qinet.demo.catalogue import (  # noqa: F401 - re-exported: the demo API
    DETERIORATION,
    DIRECTORATES,
    MEASURE_CATALOGUE,
    MISSING,
    ORGANISATIONS,
    OUTLIER,
    PATTERNS,
    PHASE_BREAK,
    PROGRAMMES,
    SECONDARY_MEASURES,
    SHIFT,
    SHOWCASE_MEASURE,
    SHOWCASE_PROJECT,
    STABLE,
    SUPPORT_SERVICES_PROGRAMME,
    TREND,
    TWO_OF_THREE,
    designed_patterns,
)
from qinet.demo.people import build_events, build_participants
from qinet.demo.plan import build_milestones
from qinet.demo.plan_history import add_plan_history
from qinet.demo.projects import build_projects
from qinet.demo.rare_events import add_rare_event_measures
from qinet.demo.surveys import build_surveys
from qinet.demo.surveys_instruments import add_psychological_safety
from qinet.demo.targets import add_target_groups
from qinet.demo.world import (  # noqa: F401 - sizes and constants re-exported
    DEMO_TODAY,
    LARGE,
    NETWORK_NAME,
    SG,
    SMALL,
    SPECS,
    DemoSummary,
    SizeSpec,
    World,
    build_programmes,
    build_reference,
    build_workforce,
)
from qinet.errors import DatabaseNotEmptyError  # noqa: F401 - re-exported (raised here)


def build(
    session: Session, *, seed: int, scale: Literal["small", "large"] = "small"
) -> DemoSummary:
    """Fill an empty database with the synthetic demo network.

    Args:
        session: An open session on a migrated, empty database (the caller commits).
        seed: Random seed; the same seed gives identical rows on every backend.
        scale: ``"small"`` (the app's first start and tests) or ``"large"`` (benchmarks:
            about 3,000 measures, 150,000 observations and 20,000 participants).

    Returns:
        A ``DemoSummary`` with row counts per table and the designed patterns.

    Raises:
        ValueError: ``scale`` is not one of the known sizes.
        DatabaseNotEmptyError: The database already holds organisations or dataset facts.
    """
    if scale not in SPECS:
        raise ValueError(f"scale must be one of {', '.join(SPECS)}, got {scale!r}")
    return build_with_spec(session, seed=seed, spec=SPECS[scale], scale_name=scale)


def build_with_spec(
    session: Session, *, seed: int, spec: SizeSpec, scale_name: str = "custom"
) -> DemoSummary:
    """Build the demo network at an explicit size (``build`` with a ``SizeSpec``).

    Args:
        session: An open session on a migrated, empty database.
        seed: Random seed.
        spec: The sizes to build.
        scale_name: Recorded in ``dataset_info`` as ``demo_scale``.

    Returns:
        A ``DemoSummary``.

    Raises:
        DatabaseNotEmptyError: The database already holds data.
    """
    for model in (m.Organisation, m.DatasetInfo, m.Participant):
        if session.scalar(sa.select(sa.func.count()).select_from(model)):
            raise DatabaseNotEmptyError(
                "demo data can only be loaded into an empty database; "
                f"table {model.__tablename__!r} already has rows"
            )
    w = World(seed, spec)
    build_reference(w)
    build_workforce(w)
    build_programmes(w)
    add_target_groups(w)
    build_participants(w)
    build_projects(w)
    add_rare_event_measures(w, seed, DEMO_TODAY)
    build_surveys(w)
    add_psychological_safety(w)
    build_events(w)
    build_milestones(w)
    add_plan_history(w, DEMO_TODAY)  # who recorded, a pause, a re-planned cohort
    build_access(w)
    progress_updates.add_updates(w.rows)
    w.add("dataset_info", key="synthetic", value="true")
    w.add("dataset_info", key="demo_seed", value=str(seed))
    w.add("dataset_info", key="demo_scale", value=scale_name)
    # Relative periods ("Last 12 months") are measured from the data's own "today".
    w.add("dataset_info", key="reference_date", value=DEMO_TODAY.isoformat())
    w.add("dataset_info", key="network_name", value=NETWORK_NAME)
    _write(session, w)
    return DemoSummary(
        seed=seed,
        scale=scale_name,
        rows=MappingProxyType({t: len(r) for t, r in w.rows.items()}),
        patterns=MappingProxyType(dict(w.patterns)),
    )


def _write(session: Session, w: World) -> None:
    """One bulk insert per table, parents first; then move PostgreSQL sequences on."""
    chunk = 20_000
    for table in m.Base.metadata.sorted_tables:
        rows = w.rows[table.name]
        for i in range(0, len(rows), chunk):
            session.execute(insert(table), rows[i : i + chunk])
    session.flush()
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        for table in m.Base.metadata.sorted_tables:
            col = table.c.get("id")
            if col is None or not col.primary_key or not w.rows[table.name]:
                continue
            session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT MAX(id) FROM {table.name}))"
                )
            )
