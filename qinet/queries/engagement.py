"""Participation: who is enrolled where, against the workforce baseline."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from qinet.access import Viewer
from qinet.filters import Filters
from qinet.models import Cohort, Enrolment, Participant, StaffGroupRef
from qinet.queries.scope import (
    cohort_filter,
    directorate_filter,
    programme_filter,
    restrict_directorate,
    restrict_programme,
)


def enrolments_stmt(viewer: Viewer, f: Filters, start: date | None, end: date | None) -> sa.Select:
    """Enrolments (one row each) the viewer may see, with the participant's staff group.

    Directorate scope and filters apply to the participant's directorate;
    programme scope and filters to the cohort's programme; the period keeps
    enrolments whose application date falls within it.

    Args:
        viewer: Who is looking.
        f: Filters.
        start: First day of the period, or None.
        end: Last day of the period, or None.

    Returns:
        A statement with enrolment, participant, staff-group and cohort columns.
    """
    stmt = (
        sa.select(
            Enrolment.id.label("enrolment_id"),
            Enrolment.status,
            Enrolment.applied_on,
            Enrolment.enrolled_on,
            Enrolment.completed_on,
            Enrolment.withdrawn_on,
            Participant.id.label("participant_id"),
            Participant.directorate_id,
            Participant.staff_group_code,
            StaffGroupRef.label.label("staff_group"),
            StaffGroupRef.hard_to_reach,
            Cohort.id.label("cohort_id"),
            Cohort.programme_id,
        )
        .join(Participant, Enrolment.participant_id == Participant.id)
        .join(StaffGroupRef, Participant.staff_group_code == StaffGroupRef.code)
        .join(Cohort, Enrolment.cohort_id == Cohort.id)
    )
    stmt = restrict_directorate(stmt, Participant.directorate_id, viewer)
    stmt = restrict_programme(stmt, Cohort.programme_id, viewer)
    stmt = directorate_filter(stmt, Participant.directorate_id, f)
    stmt = programme_filter(stmt, Cohort.programme_id, f)
    stmt = cohort_filter(stmt, Cohort.id, f)
    if f.staff_group is not None:
        stmt = stmt.where(StaffGroupRef.label == f.staff_group)
    if start is not None:
        stmt = stmt.where(Enrolment.applied_on >= start)
    if end is not None:
        stmt = stmt.where(Enrolment.applied_on <= end)
    return stmt
