"""Monthly data entry: a lead adds or corrects one value of one of their measures, and can undo.

The measure is looked up through ``scoped_projects``, so a lead reaches only measures in
their scope; viewers never enter. The value goes through the same pandera schema and chart
rules as an observation import. Each entry writes an audit row holding the observation as
it was before (JSON), bumps the data version, and can be undone by the same person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import Frequency, Role
from qinet.errors import NotFoundError, NotPermittedError
from qinet.filters import Filters
from qinet.imports import audit
from qinet.imports.catalogue import KINDS
from qinet.imports.kinds_projects import check_observations
from qinet.imports.problems import ImportRejected
from qinet.imports.validation import Matched, check
from qinet.models import ImportLog, Measure, Observation, Project
from qinet.queries.scope import scoped_projects
from qinet.queries.version import bump_data_version

ENTRY_KIND = "entry"
FIELDS = ("value", "numerator", "denominator", "note")
ENTER_ROLES = (Role.ADMIN, Role.PROGRAMME_LEAD, Role.DIRECTORATE_LEAD)


@dataclass(frozen=True)
class Entry:
    """What an entry did: the measure, the period, and whether it added or corrected."""

    measure: str
    period_start: date
    added: bool


def can_enter(viewer: Viewer) -> bool:
    """Leads and admins enter data; viewers never."""
    return viewer.role in ENTER_ROLES


def period_of(day: date, frequency: Frequency | str) -> date:
    """The period a day falls in: the first of its month, or the Monday of its week."""
    if Frequency(frequency) is Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _measure(session: Session, viewer: Viewer, measure_id: int) -> tuple[Measure, str]:
    if not can_enter(viewer):
        raise NotPermittedError(
            "only programme leads, directorate leads and administrators can enter data"
        )
    row = session.execute(
        sa.select(Measure, Project.code)
        .join(Project)
        .where(
            Measure.id == measure_id,
            Project.id.in_(scoped_projects(viewer, Filters()).scalar_subquery()),
        )
    ).first()
    if row is None:
        raise NotFoundError(f"measure {measure_id} does not exist or is not yours to edit")
    return row[0], row[1]


def _text(v: object) -> str:
    return "" if v is None else str(v)


def enter(
    session: Session,
    viewer: Viewer,
    measure_id: int,
    day: date,
    *,
    value: object = None,
    numerator: object = None,
    denominator: object = None,
    note: str | None = None,
    now: datetime | None = None,
) -> Entry:
    """Add or correct the value for the period containing ``day``.

    Raises:
        NotPermittedError: A viewer tried to enter data.
        NotFoundError: The measure is not in the viewer's scope.
        ImportRejected: The value breaks the observation rules (each reason named).
    """
    measure, code = _measure(session, viewer, measure_id)
    period = period_of(day, measure.frequency)
    fields = KINDS["observations"].fields
    cells = {f.name: "" for f in fields}
    cells.update(
        project_code=code,
        measure=measure.name,
        period_start=period.isoformat(),
        value=_text(value),
        numerator=_text(numerator),
        denominator=_text(denominator),
        note=_text(note),
    )
    frame = pd.DataFrame([cells], index=[2]).astype(str)
    typed, problems = check(Matched(frame, ()), fields, ())
    check_observations(
        typed, pd.Series([str(measure.chart_type.value)], index=typed.index), problems
    )
    if problems:
        raise ImportRejected([type(p)(p.reason, None, p.column) for p in problems], "The value")
    row = typed.iloc[0]
    existing = session.scalars(
        sa.select(Observation).where(
            Observation.measure_id == measure.id, Observation.period_start == period
        )
    ).first()
    before = None if existing is None else {f: getattr(existing, f) for f in FIELDS}
    new = {f: (None if pd.isna(row[f]) else row[f]) for f in FIELDS}
    if existing is None:
        existing = Observation(
            measure_id=measure.id, chart_type=measure.chart_type, period_start=period, **new
        )
        session.add(existing)
    else:
        for f, v in new.items():
            setattr(existing, f, v)
    session.flush()
    undo = json.dumps({"observation_id": existing.id, "before": before})
    audit.record(
        session,
        user_key=viewer.user_key,
        kind=ENTRY_KIND,
        file_name=f"{code} · {measure.name} · {period.isoformat()}",
        added=int(before is None),
        changed=int(before is not None),
        undo=undo,
        at=now,
    )
    return Entry(measure.name, period, before is None)


def last_entry(session: Session, viewer: Viewer) -> ImportLog | None:
    """The viewer's latest entry that has not been undone."""
    return session.scalars(
        sa.select(ImportLog)
        .where(
            ImportLog.user_key == viewer.user_key,
            ImportLog.kind == ENTRY_KIND,
            ImportLog.undone_at.is_(None),
        )
        .order_by(ImportLog.id.desc())
        .limit(1)
    ).first()


def undo_last(session: Session, viewer: Viewer, *, now: datetime | None = None) -> str:
    """Put back the observation as it was before the viewer's last entry.

    Returns:
        What was undone (``QI-0001 · Falls · 2025-09-01``).

    Raises:
        NotPermittedError: A viewer.
        NotFoundError: Nothing to undo.
    """
    if not can_enter(viewer):
        raise NotPermittedError("only leads and administrators enter (or undo) data")
    log = last_entry(session, viewer)
    if log is None:
        raise NotFoundError("you have no entry to undo")
    info = json.loads(log.undo or "{}")
    obs = session.get(Observation, info.get("observation_id"))
    if obs is not None:
        _measure(session, viewer, obs.measure_id)  # still in scope
        if info.get("before") is None:
            session.delete(obs)
        else:
            for f, v in info["before"].items():
                setattr(obs, f, v)
    log.undone_at = now or datetime.now(UTC)
    session.flush()
    bump_data_version(session)
    return log.file_name
