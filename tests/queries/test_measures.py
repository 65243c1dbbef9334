"""Measure queries and phase-break writers, on SQLite and PostgreSQL, with scope enforced."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from qinet import models as m
from qinet.access import Viewer
from qinet.domain import (
    AnnotationKind,
    ChartType,
    Frequency,
    ImprovementDirection,
    MeasureType,
    MilestoneStatus,
    OrganisationType,
    ProgrammeKind,
    ProjectStatus,
    Role,
)
from qinet.errors import NotFoundError, NotPermittedError
from qinet.filters import Filters
from qinet.queries import measures as q
from qinet.stats.rules import MDC_2024

pytestmark = pytest.mark.db

START = date(2024, 1, 1)
N_POINTS = 30
ADMIN = Viewer("admin@x", Role.ADMIN)
LEAD = Viewer("lead@x", Role.PROGRAMME_LEAD)
VIEWER = Viewer("viewer@x", Role.VIEWER)


@pytest.fixture
def world(session):
    """Two directorates, a project and measure in each, 30 weekly points, a PDSA, a milestone."""
    org = m.Organisation(code="ORG", name="Trust", kind=OrganisationType.ACUTE_TRUST)
    session.add(org)
    session.flush()
    med = m.Directorate(organisation_id=org.id, code="MED", name="Medicine")
    sur = m.Directorate(organisation_id=org.id, code="SUR", name="Surgery")
    prog = m.Programme(code="PRG", name="Flow", kind=ProgrammeKind.COLLABORATIVE, starts_on=START)
    session.add_all([med, sur, prog])
    session.flush()
    ids = {}
    for code, d in (("QI-1", med), ("QI-2", sur)):
        p = m.Project(
            code=code,
            title=f"Project {code}",
            directorate_id=d.id,
            programme_id=prog.id,
            status=ProjectStatus.TESTING,
            started_on=START,
        )
        session.add(p)
        session.flush()
        meas = m.Measure(
            project_id=p.id,
            name="Waits",
            measure_type=MeasureType.OUTCOME,
            unit="mins",
            frequency=Frequency.WEEKLY,
            chart_type=ChartType.XMR,
            improvement_direction=ImprovementDirection.DECREASE,
        )
        session.add(meas)
        session.flush()
        for i in range(N_POINTS):
            session.add(
                m.Observation(
                    measure_id=meas.id,
                    period_start=START + timedelta(weeks=i),
                    value=20.0 - (3 if i >= 15 else 0) + (i % 3),
                )
            )
        session.add(
            m.Annotation(
                measure_id=meas.id,
                on_date=START + timedelta(weeks=15),
                kind=AnnotationKind.PDSA,
                title="PDSA 1",
                detail="",
                created_by="demo",
                created_at=datetime(2024, 6, 1, tzinfo=UTC),
            )
        )
        ids[code] = meas.id
    session.add(
        m.Milestone(
            programme_id=prog.id,
            title="Go-live",
            owner="PMO",
            baseline_date=START + timedelta(weeks=10),
            forecast_date=START + timedelta(weeks=12),
            actual_date=None,
            status=MilestoneStatus.ON_TRACK,
        )
    )
    session.commit()
    ids["med_dir"], ids["sur_dir"] = med.id, sur.id
    return ids


def _med_lead(world) -> Viewer:
    return Viewer("med@x", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({world["med_dir"]}))


def test_reads_are_scoped(session, world):
    med = _med_lead(world)
    assert q.measure_header(session, ADMIN, world["QI-2"])["project_code"] == "QI-2"
    assert q.measure_header(session, med, world["QI-1"])["directorate"] == "Medicine"
    with pytest.raises(NotFoundError):
        q.measure_header(session, med, world["QI-2"])
    assert q.observations(session, med, world["QI-2"]).empty
    assert len(q.observations(session, med, world["QI-1"])) == N_POINTS
    assert q.annotations(session, med, world["QI-2"]).empty
    assert q.milestones(session, med, world["QI-2"]).empty
    plan = q.milestones(session, med, world["QI-1"])
    assert list(plan["title"]) == ["Go-live"] and plan["on_date"].iloc[0] == START + timedelta(
        weeks=12
    )
    picker = q.picker(session, med, Filters())
    assert set(picker["project_code"]) == {"QI-1"}
    assert set(q.picker(session, ADMIN, Filters(directorate="Surgery"))["project_code"]) == {"QI-2"}


def test_period_filter_limits_observations(session, world):
    f = Filters(period="Last 6 months")
    today = START + timedelta(weeks=N_POINTS - 1)
    rows = q.observations(session, ADMIN, world["QI-1"], f, today)
    assert 0 < len(rows) < N_POINTS


def test_confirm_and_undo_a_phase_break(session, world):
    mid = world["QI-1"]
    on = START + timedelta(weeks=15, days=-2)  # snaps to the first period on or after it
    note = q.confirm_phase_break(
        session,
        ADMIN,
        mid,
        on,
        "  New triage   rota ",
        min_points_per_phase=MDC_2024.min_points_per_phase,
    )
    session.commit()
    rows = q.annotations(session, ADMIN, mid)
    pb = rows[rows["kind"] == AnnotationKind.PHASE_BREAK.value]
    assert len(pb) == 1
    row = pb.iloc[0]
    assert row["on_date"] == START + timedelta(weeks=15)
    assert row["detail"] == "New triage rota" and row["created_by"] == "admin@x"
    assert row["created_at"] is not None
    with pytest.raises(q.PhaseBreakError, match="already starts"):
        q.confirm_phase_break(session, LEAD, mid, START + timedelta(weeks=15), "again")
    q.undo_phase_break(session, LEAD, note.id)
    session.commit()
    assert q.annotations(session, ADMIN, mid)["kind"].tolist() == ["pdsa"]
    audit = q.annotations(session, ADMIN, mid, include_retracted=True)
    undone = audit[audit["kind"] == "phase_break"].iloc[0]
    assert undone["retracted_by"] == "lead@x" and undone["retracted_at"] is not None
    with pytest.raises(q.PhaseBreakError, match="already undone"):
        q.undo_phase_break(session, ADMIN, note.id)


def test_viewers_cannot_confirm_or_undo(session, world):
    mid = world["QI-1"]
    with pytest.raises(NotPermittedError):
        q.confirm_phase_break(session, VIEWER, mid, START + timedelta(weeks=15), "why")
    with pytest.raises(NotPermittedError):
        q.confirm_phase_break(session, _med_lead(world), mid, START + timedelta(weeks=15), "why")
    note = q.confirm_phase_break(session, ADMIN, mid, START + timedelta(weeks=15), "why")
    session.commit()
    with pytest.raises(NotPermittedError):
        q.undo_phase_break(session, VIEWER, note.id)
    assert (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(m.Annotation)
            .where(m.Annotation.retracted_at.is_not(None))
        )
        == 0
    )


def test_out_of_scope_measure_is_not_found(session, world):
    scoped_lead = Viewer("pl@x", Role.PROGRAMME_LEAD, programme_ids=frozenset({999}))
    with pytest.raises(NotFoundError):
        q.confirm_phase_break(session, scoped_lead, world["QI-1"], START + timedelta(weeks=15), "x")
    with pytest.raises(NotFoundError):
        q.confirm_phase_break(session, ADMIN, 123456, START + timedelta(weeks=15), "x")
    note = q.confirm_phase_break(session, ADMIN, world["QI-1"], START + timedelta(weeks=15), "x")
    session.commit()
    with pytest.raises(NotFoundError):
        q.undo_phase_break(session, scoped_lead, note.id)


@pytest.mark.parametrize(
    ("weeks", "reason", "match"),
    [
        (15, "   ", "reason is required"),
        (0, "why", "not inside"),
        (N_POINTS + 5, "why", "not inside"),
        (25, "why", "at least 12 points"),
        (5, "why", "at least 12 points"),
    ],
)
def test_confirm_validates_reason_date_and_phase_length(session, world, weeks, reason, match):
    with pytest.raises(q.PhaseBreakError, match=match):
        q.confirm_phase_break(
            session,
            ADMIN,
            world["QI-1"],
            START + timedelta(weeks=weeks),
            reason,
            min_points_per_phase=MDC_2024.min_points_per_phase,
            preset_label=MDC_2024.label,
        )


def test_no_minimum_without_a_preset_minimum(session, world):
    note = q.confirm_phase_break(session, LEAD, world["QI-1"], START + timedelta(weeks=25), "why")
    assert note.kind is AnnotationKind.PHASE_BREAK
