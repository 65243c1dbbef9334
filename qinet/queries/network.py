"""Events and the network's people: attendance, repeat attendance, roles, mentor cover.

Like :mod:`qinet.queries.engagement`, every function applies the viewer's scope and the
filters in SQL and returns grouped counts, never one row per person.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import ParticipantRole
from qinet.filters import Filters
from qinet.models import (
    Cohort,
    Enrolment,
    Event,
    EventAttendance,
    EventGroupCount,
    Organisation,
    Participant,
    ParticipantRoleAssignment,
    Programme,
)
from qinet.queries.engagement import enrolments_stmt, year_month
from qinet.queries.scope import (
    directorate_filter,
    frame,
    programme_filter,
    restrict_directorate,
    restrict_programme,
    staff_group_filter,
)


def _events_stmt(viewer: Viewer, f: Filters, start: date | None, end: date | None) -> sa.Select:
    stmt = sa.select(Event.id).where(sa.true())
    stmt = restrict_programme(stmt, Event.programme_id, viewer)
    stmt = programme_filter(stmt, Event.programme_id, f)
    if start is not None:
        stmt = stmt.where(Event.held_on >= start)
    if end is not None:
        stmt = stmt.where(Event.held_on <= end)
    return stmt


def _named_attendance(
    viewer: Viewer, f: Filters, start: date | None, end: date | None
) -> sa.Select:
    """Named attendances the viewer may see: the attendee's directorate is in scope."""
    stmt = (
        sa.select(
            EventAttendance.event_id,
            EventAttendance.participant_id,
            Participant.staff_group_code,
        )
        .join(Participant, EventAttendance.participant_id == Participant.id)
        .where(EventAttendance.event_id.in_(_events_stmt(viewer, f, start, end).scalar_subquery()))
    )
    stmt = restrict_directorate(stmt, Participant.directorate_id, viewer)
    stmt = directorate_filter(stmt, Participant.directorate_id, f)
    stmt = staff_group_filter(stmt, Participant.staff_group_code, f)
    return stmt


def _group_counts(
    viewer: Viewer, f: Filters, start: date | None, end: date | None
) -> sa.Select | None:
    """Open-event head counts, or None under a directorate scope or filter.

    Head counts are not attributable to a directorate, so they cannot be narrowed to one.
    """
    if viewer.directorate_ids is not None or f.directorate is not None or f.organisation:
        return None
    stmt = sa.select(
        EventGroupCount.event_id, EventGroupCount.staff_group_code, EventGroupCount.attendees
    ).where(EventGroupCount.event_id.in_(_events_stmt(viewer, f, start, end).scalar_subquery()))
    stmt = staff_group_filter(stmt, EventGroupCount.staff_group_code, f)
    return stmt


def attendance_by_month(
    session: Session, viewer: Viewer, f: Filters, start: date | None, end: date | None
) -> pd.DataFrame:
    """Attendances per month and event type: named plus open-event head counts.

    Returns:
        ``year``, ``month``, ``kind``, ``named``, ``counted``.
    """
    named = _named_attendance(viewer, f, start, end).subquery()
    year, month = year_month(Event.held_on)
    a = frame(
        session,
        sa.select(year, month, Event.kind, sa.func.count().label("named"))
        .join(named, named.c.event_id == Event.id)
        .group_by(year, month, Event.kind),
    )
    counted = _group_counts(viewer, f, start, end)
    if counted is None:
        b = pd.DataFrame(columns=["year", "month", "kind", "counted"])
    else:
        c = counted.subquery()
        b = frame(
            session,
            sa.select(year, month, Event.kind, sa.func.sum(c.c.attendees).label("counted"))
            .join(c, c.c.event_id == Event.id)
            .group_by(year, month, Event.kind),
        )
    out = a.merge(b, on=["year", "month", "kind"], how="outer")
    for col in ("named", "counted"):
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    out["kind"] = out["kind"].map(str)
    return out


def attendance_by_staff_group(
    session: Session, viewer: Viewer, f: Filters, start: date | None, end: date | None
) -> pd.DataFrame:
    """Attendances per staff group: named attendees and open-event head counts.

    Returns:
        ``staff_group_code``, ``named``, ``people`` (distinct named attendees), ``counted``.
    """
    named = _named_attendance(viewer, f, start, end).subquery()
    a = frame(
        session,
        sa.select(
            named.c.staff_group_code,
            sa.func.count().label("named"),
            sa.func.count(sa.distinct(named.c.participant_id)).label("people"),
        ).group_by(named.c.staff_group_code),
    )
    counted = _group_counts(viewer, f, start, end)
    if counted is None:
        b = pd.DataFrame(columns=["staff_group_code", "counted"])
    else:
        c = counted.subquery()
        b = frame(
            session,
            sa.select(c.c.staff_group_code, sa.func.sum(c.c.attendees).label("counted"))
            .group_by(c.c.staff_group_code),
        )  # fmt: skip
    out = a.merge(b, on="staff_group_code", how="outer")
    for col in ("named", "people", "counted"):
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    return out


def repeat_attendance(
    session: Session, viewer: Viewer, f: Filters, start: date | None, end: date | None
) -> pd.DataFrame:
    """Named attendees by how many events they attended (1, 2, 3–4, 5 or more).

    Returns:
        ``events_attended`` (the band) and ``people``.
    """
    named = _named_attendance(viewer, f, start, end).subquery()
    per = (
        sa.select(named.c.participant_id, sa.func.count().label("n"))
        .group_by(named.c.participant_id)
        .subquery()
    )
    band = sa.case(
        (per.c.n == 1, "1"), (per.c.n == 2, "2"), (per.c.n <= 4, "3–4"), else_="5 or more"
    ).label("events_attended")
    return frame(session, sa.select(band, sa.func.count().label("people")).group_by(band))


def roles_by(session: Session, viewer: Viewer, f: Filters, by: str) -> pd.DataFrame:
    """People holding each network role, by organisation or by programme.

    By programme, a role holder counts in each programme they are enrolled in (scope and
    filters as for enrolments); by organisation, in their own organisation.

    Returns:
        ``role``, ``organisation`` or ``programme``, ``people``.
    """
    e = enrolments_stmt(viewer, f, None, None).subquery()
    r = ParticipantRoleAssignment
    if by == "programme":
        key = Programme.name.label("programme")
        stmt = (
            sa.select(r.role, key, sa.func.count(sa.distinct(r.participant_id)).label("people"))
            .join(e, e.c.participant_id == r.participant_id)
            .join(Programme, Programme.id == e.c.programme_id)
            .group_by(r.role, Programme.name)
        )
    else:
        key = Organisation.name.label("organisation")
        stmt = (
            sa.select(r.role, key, sa.func.count(sa.distinct(r.participant_id)).label("people"))
            .join(Participant, Participant.id == r.participant_id)
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(r.participant_id.in_(sa.select(e.c.participant_id)))
            .group_by(r.role, Organisation.name)
        )
    out = frame(session, stmt)
    out["role"] = out["role"].map(str)
    return out


def mentor_cover(session: Session, viewer: Viewer, f: Filters) -> pd.DataFrame:
    """Per cohort: participants enrolled, and mentors in its programme's pool.

    The data records who holds the mentor role, not who mentors whom, so a cohort "has a
    mentor for every participant" when its programme's mentors (role holders enrolled in
    any of its cohorts) are at least as many as the cohort's other enrolled participants.

    Returns:
        ``programme``, ``cohort``, ``cohort_start``, ``participants``, ``mentors``.
    """
    e = (
        enrolments_stmt(viewer, f, None, None)
        .where(Enrolment.enrolled_on.is_not(None))
        .subquery()
    )
    mentor_ids = sa.select(ParticipantRoleAssignment.participant_id).where(
        ParticipantRoleAssignment.role == ParticipantRole.MENTOR.value
    )
    cohorts = frame(
        session,
        sa.select(
            Programme.name.label("programme"),
            Cohort.name.label("cohort"),
            Cohort.starts_on.label("cohort_start"),
            e.c.programme_id,
            sa.func.count(sa.distinct(e.c.participant_id)).label("participants"),
        )
        .join(Cohort, Cohort.id == e.c.cohort_id)
        .join(Programme, Programme.id == e.c.programme_id)
        .where(e.c.participant_id.not_in(mentor_ids))
        .group_by(Programme.name, Cohort.name, Cohort.starts_on, e.c.programme_id),
    )
    pool = frame(
        session,
        sa.select(e.c.programme_id, sa.func.count(sa.distinct(e.c.participant_id)).label("mentors"))
        .where(e.c.participant_id.in_(mentor_ids))
        .group_by(e.c.programme_id),
    )  # fmt: skip
    out = cohorts.merge(pool, on="programme_id", how="left")
    out["mentors"] = pd.to_numeric(out["mentors"]).fillna(0).astype(int)
    return out.drop(columns="programme_id")
