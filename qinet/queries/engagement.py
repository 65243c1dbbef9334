"""Participation: who is enrolled where, against the workforce baseline.

Every function applies the viewer's scope and the filters in SQL and returns counts
(grouped rows, never one row per person): the Engagement page and the Overview's reach
are built from these by :mod:`qinet.views.engagement`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet.access import Viewer
from qinet.domain import EnrolmentStatus
from qinet.filters import Filters
from qinet.models import (
    Cohort,
    Directorate,
    Enrolment,
    Organisation,
    Participant,
    Programme,
    ProgrammeTargetGroup,
    StaffGroupRef,
    WorkforceBaseline,
)
from qinet.queries.scope import (
    cohort_filter,
    directorate_filter,
    frame,
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
            Participant.organisation_id,
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


# --- Engagement page: every answer is a count, aggregated in SQL --------------------------


def year_month(column: sa.ColumnElement) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    """Year and month of a date column (portable: SQLite and PostgreSQL)."""
    year = sa.cast(sa.extract("year", column), sa.Integer).label("year")
    month = sa.cast(sa.extract("month", column), sa.Integer).label("month")
    return year, month


def participants_by_cell(
    session: Session, viewer: Viewer, f: Filters, as_of: date
) -> pd.DataFrame:
    """Distinct participants enrolled by ``as_of``, per organisation × directorate × staff group.

    A participant belongs to one organisation, directorate and staff group, so the
    cells add up to the distinct total along any of them.

    Returns:
        ``organisation_id``, ``directorate_id`` (None for people without one),
        ``staff_group_code``, ``participants``. Raw counts: suppress before showing.
    """
    sub = (
        enrolments_stmt(viewer, f, None, None)
        .where(Enrolment.enrolled_on.is_not(None), Enrolment.enrolled_on <= as_of)
        .subquery()
    )
    stmt = sa.select(
        sub.c.organisation_id,
        sub.c.directorate_id,
        sub.c.staff_group_code,
        sa.func.count(sa.distinct(sub.c.participant_id)).label("participants"),
    ).group_by(sub.c.organisation_id, sub.c.directorate_id, sub.c.staff_group_code)
    return frame(session, stmt)


def workforce_cells(session: Session, viewer: Viewer, f: Filters, as_of: date) -> pd.DataFrame:
    """Headcount per organisation × directorate × staff group from the chosen baseline.

    Where a row has only an FTE (NHS Digital FTE files) its FTE rounded stands in for the
    headcount, which reads slightly high (part-time staff); ``docs/data-in.md`` says so.

    For each cell the latest baseline on or before ``as_of`` is used; a cell with no
    baseline that early uses its earliest one (``after_period`` is then True, so the page
    can say so). Organisation-level rows (directorate NULL) are kept only for unrestricted
    viewers without a directorate filter, and only where the organisation has no
    directorate-level row for that staff group (so nobody is counted twice).

    Returns:
        ``organisation_id``, ``directorate_id``, ``staff_group_code``, ``as_at``,
        ``headcount``, ``after_period``.
    """
    wb = WorkforceBaseline
    chosen = sa.func.coalesce(
        sa.func.max(sa.case((wb.as_at <= as_of, wb.as_at))), sa.func.min(wb.as_at)
    )
    pick = sa.select(
        wb.organisation_id.label("org"),
        wb.directorate_id.label("dir"),
        wb.staff_group_code.label("sg"),
        chosen.label("as_at"),
    ).group_by(wb.organisation_id, wb.directorate_id, wb.staff_group_code)
    org_level_allowed = viewer.directorate_ids is None and f.directorate is None
    if viewer.directorate_ids is not None or f.directorate is not None:
        pick = restrict_directorate(pick, wb.directorate_id, viewer)
        pick = directorate_filter(pick, wb.directorate_id, f)
    elif f.organisation is not None:
        pick = pick.where(
            wb.organisation_id.in_(
                sa.select(Organisation.id).where(Organisation.name == f.organisation)
                .scalar_subquery()
            )
        )  # fmt: skip
    pick = pick.subquery()
    stmt = sa.select(
        wb.organisation_id,
        wb.directorate_id,
        wb.staff_group_code,
        wb.as_at,
        # FTE-only rows (national workforce files) count their rounded FTE as people
        sa.func.coalesce(wb.headcount, sa.cast(sa.func.round(wb.fte), sa.Integer))
        .label("headcount"),
    ).join(
        pick,
        sa.and_(
            wb.organisation_id == pick.c.org,
            wb.directorate_id.is_not_distinct_from(pick.c.dir),
            wb.staff_group_code == pick.c.sg,
            wb.as_at == pick.c.as_at,
        ),
    )
    out = frame(session, stmt)
    if out.empty:
        return pd.DataFrame(columns=["organisation_id", "directorate_id", "staff_group_code",
                                     "as_at", "headcount", "after_period"])  # fmt: skip
    out["as_at"] = pd.to_datetime(out["as_at"]).dt.date
    org_level = out["directorate_id"].isna()
    if not org_level_allowed:
        out = out[~org_level]
    elif org_level.any():
        detailed = set(
            zip(out.loc[~org_level, "organisation_id"], out.loc[~org_level, "staff_group_code"],
                strict=True)
        )  # fmt: skip
        covered = [
            (o, g) in detailed
            for o, g in zip(out["organisation_id"], out["staff_group_code"], strict=True)
        ]
        out = out[~(org_level & pd.Series(covered, index=out.index))]
    out = out.assign(after_period=out["as_at"] > as_of)
    return out.reset_index(drop=True)


def staff_groups(session: Session) -> pd.DataFrame:
    """The staff-group reference rows in display order."""
    return frame(
        session,
        sa.select(
            StaffGroupRef.code.label("staff_group_code"),
            StaffGroupRef.label.label("staff_group"),
            StaffGroupRef.is_staff,
            StaffGroupRef.sort_order,
        ).order_by(StaffGroupRef.sort_order),
    )


def places(session: Session, viewer: Viewer) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Organisation and directorate names (for labelling counts; scope limits directorates)."""
    orgs = frame(session, sa.select(Organisation.id.label("organisation_id"),
                                    Organisation.name.label("organisation")))  # fmt: skip
    dirs = sa.select(
        Directorate.id.label("directorate_id"),
        Directorate.name.label("directorate"),
        Directorate.organisation_id,
    )
    dirs = restrict_directorate(dirs, Directorate.id, viewer)
    return orgs, frame(session, dirs)


def target_groups(session: Session, viewer: Viewer, f: Filters) -> tuple[str, tuple[str, ...]]:
    """The programme in focus and its target staff groups, if it is aimed at named groups.

    The programme in focus is the programme filter, or a programme-scoped viewer's only
    programme. Returns ``("", ())`` when no single programme is in focus or it has no
    target groups (reach is then against the whole workforce).
    """
    stmt = sa.select(Programme.name, ProgrammeTargetGroup.staff_group_code).join(
        ProgrammeTargetGroup, ProgrammeTargetGroup.programme_id == Programme.id
    )
    if f.programme is not None:
        stmt = stmt.where(Programme.name == f.programme)
    elif viewer.programme_ids is not None and len(viewer.programme_ids) == 1:
        stmt = stmt.where(Programme.id.in_(sorted(viewer.programme_ids)))
    else:
        return "", ()
    stmt = restrict_programme(stmt, Programme.id, viewer)
    rows = session.execute(stmt.order_by(ProgrammeTargetGroup.staff_group_code)).all()
    if not rows:
        return "", ()
    return str(rows[0][0]), tuple(str(r[1]) for r in rows)


def funnel_by_cohort(
    session: Session, viewer: Viewer, f: Filters, start: date | None, end: date | None
) -> pd.DataFrame:
    """Enrolments per programme × cohort × staff group at each stage of the funnel.

    Each enrolment counts once in its own cohort (a person who withdrew from one cohort
    and joined a later one appears in both, as they did). Applications in the period.

    Returns:
        ``programme``, ``cohort``, ``cohort_start``, ``staff_group_code``, ``applied``,
        ``enrolled``, ``completed``, ``withdrawn_before_start``,
        ``withdrawn_after_start``.
    """
    sub = enrolments_stmt(viewer, f, start, end).subquery()
    withdrawn = sub.c.status == EnrolmentStatus.WITHDRAWN.value
    stmt = (
        sa.select(
            Programme.name.label("programme"),
            Cohort.name.label("cohort"),
            Cohort.starts_on.label("cohort_start"),
            sub.c.staff_group_code,
            sa.func.count().label("applied"),
            _sum(sub.c.enrolled_on.is_not(None)).label("enrolled"),
            _sum(sub.c.completed_on.is_not(None)).label("completed"),
            _sum(sa.and_(withdrawn, sub.c.enrolled_on.is_(None))).label("withdrawn_before_start"),
            _sum(sa.and_(withdrawn, sub.c.enrolled_on.is_not(None))).label(
                "withdrawn_after_start"
            ),
        )
        .join(Cohort, Cohort.id == sub.c.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .group_by(Programme.name, Cohort.name, Cohort.starts_on, sub.c.staff_group_code)
    )
    return frame(session, stmt)


def _sum(condition: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def funnel_by_programme(
    session: Session, viewer: Viewer, f: Filters, start: date | None, end: date | None
) -> pd.DataFrame:
    """People per programme × staff group at their furthest stage in that programme.

    A person counts once per programme: enrolled if any of their enrolments there was
    enrolled, completed if any completed. A withdrawal followed by another enrolment in the
    same programme is *re-enrolled*, not a loss; ``withdrawn`` counts people whose only
    outcome there was withdrawal, split by whether they had started.

    Returns:
        ``programme``, ``staff_group_code``, ``applied``, ``enrolled``, ``completed``,
        ``withdrawn_before_start``, ``withdrawn_after_start``, ``re_enrolled``.
    """
    e = enrolments_stmt(viewer, f, start, end).subquery()
    withdrawn = e.c.status == EnrolmentStatus.WITHDRAWN.value
    person = (
        sa.select(
            e.c.programme_id,
            e.c.participant_id,
            e.c.staff_group_code,
            sa.func.max(sa.case((e.c.enrolled_on.is_not(None), 1), else_=0)).label("enr"),
            sa.func.max(sa.case((e.c.completed_on.is_not(None), 1), else_=0)).label("comp"),
            sa.func.max(sa.case((withdrawn, 1), else_=0)).label("wd"),
            sa.func.max(
                sa.case((sa.and_(withdrawn, e.c.enrolled_on.is_not(None)), 1), else_=0)
            ).label("wd_started"),
            sa.func.max(sa.case((withdrawn, 0), else_=1)).label("other"),
        )
        .group_by(e.c.programme_id, e.c.participant_id, e.c.staff_group_code)
        .subquery()
    )
    left = sa.and_(person.c.wd == 1, person.c.other == 0)
    stmt = (
        sa.select(
            Programme.name.label("programme"),
            person.c.staff_group_code,
            sa.func.count().label("applied"),
            sa.func.coalesce(sa.func.sum(person.c.enr), 0).label("enrolled"),
            sa.func.coalesce(sa.func.sum(person.c.comp), 0).label("completed"),
            _sum(sa.and_(left, person.c.wd_started == 0)).label("withdrawn_before_start"),
            _sum(sa.and_(left, person.c.wd_started == 1)).label("withdrawn_after_start"),
            _sum(sa.and_(person.c.wd == 1, person.c.other == 1)).label("re_enrolled"),
        )
        .join(Programme, Programme.id == person.c.programme_id)
        .group_by(Programme.name, person.c.staff_group_code)
    )
    return frame(session, stmt)


def monthly_enrolments(
    session: Session, viewer: Viewer, f: Filters, start: date | None, end: date | None,
    groups: tuple[str, ...],
) -> pd.DataFrame:  # fmt: skip
    """Staff enrolments per month of enrolment, and how many are from ``groups``.

    Returns:
        ``year``, ``month``, ``enrolments`` (staff only), ``from_groups``.
    """
    sub = (
        sa.select(
            Enrolment.enrolled_on,
            Participant.staff_group_code,
            StaffGroupRef.is_staff,
        )
        .join(Participant, Enrolment.participant_id == Participant.id)
        .join(StaffGroupRef, Participant.staff_group_code == StaffGroupRef.code)
        .join(Cohort, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.enrolled_on.is_not(None), StaffGroupRef.is_staff.is_(True))
    )
    sub = restrict_directorate(sub, Participant.directorate_id, viewer)
    sub = restrict_programme(sub, Cohort.programme_id, viewer)
    sub = directorate_filter(sub, Participant.directorate_id, f)
    sub = programme_filter(sub, Cohort.programme_id, f)
    sub = cohort_filter(sub, Cohort.id, f)
    if start is not None:
        sub = sub.where(Enrolment.enrolled_on >= start)
    if end is not None:
        sub = sub.where(Enrolment.enrolled_on <= end)
    sub = sub.subquery()
    year, month = year_month(sub.c.enrolled_on)
    stmt = (
        sa.select(
            year,
            month,
            sa.func.count().label("enrolments"),
            _sum(sub.c.staff_group_code.in_(list(groups) or [""])).label("from_groups"),
        )
        .group_by(year, month)
        .order_by(year, month)
    )
    return frame(session, stmt)
