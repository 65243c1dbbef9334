"""Schema constraints hold on SQLite and PostgreSQL alike (run through the migration)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from qinet import models as m
from qinet.domain import (
    ChartType,
    EnrolmentStatus,
    Frequency,
    ImprovementDirection,
    MeasureType,
    OrganisationType,
    ProgrammeKind,
    ProjectStatus,
    Role,
    StaffGroup,
)

pytestmark = pytest.mark.db


@pytest.fixture
def base(session) -> dict[str, int]:
    """One of everything the constrained rows hang from, committed."""
    org = m.Organisation(code="ORG", name="Test Trust", kind=OrganisationType.ACUTE_TRUST)
    session.add(org)
    session.flush()
    directorate = m.Directorate(organisation_id=org.id, code="D1", name="Medicine")
    group = m.StaffGroupRef(
        code=StaffGroup.NURSING_MIDWIFERY.value,
        label="Nursing",
        is_staff=True,
        hard_to_reach=False,
        sort_order=1,
    )
    programme = m.Programme(
        code="P1", name="Programme", kind=ProgrammeKind.NETWORK, starts_on=date(2024, 1, 1)
    )
    session.add_all([directorate, group, programme])
    session.flush()
    cohort = m.Cohort(
        programme_id=programme.id,
        name="C1",
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 6, 30),
        planned_places=10,
    )
    person = m.Participant(
        reference="P-00001",
        organisation_id=org.id,
        directorate_id=directorate.id,
        staff_group_code=group.code,
    )
    project = m.Project(
        code="QI-1",
        title="T",
        directorate_id=directorate.id,
        status=ProjectStatus.TESTING,
        started_on=date(2024, 2, 1),
    )
    session.add_all([cohort, person, project])
    session.flush()
    measure = m.Measure(
        project_id=project.id,
        name="M",
        measure_type=MeasureType.OUTCOME,
        frequency=Frequency.WEEKLY,
        chart_type=ChartType.P,
        improvement_direction=ImprovementDirection.INCREASE,
    )
    session.add(measure)
    session.commit()
    return {
        "org": org.id,
        "directorate": directorate.id,
        "programme": programme.id,
        "cohort": cohort.id,
        "participant": person.id,
        "project": project.id,
        "measure": measure.id,
    }


def _rejects(session, obj, error=IntegrityError) -> None:
    session.add(obj)
    with pytest.raises(error):
        session.flush()
    session.rollback()


def test_valid_rows_are_accepted(session, base) -> None:
    session.add(
        m.Observation(
            measure_id=base["measure"], period_start=date(2024, 1, 1), numerator=3, denominator=10
        )
    )
    session.flush()
    assert session.scalar(sa.select(sa.func.count()).select_from(m.Observation)) == 1


def test_numerator_above_denominator_rejected(session, base) -> None:
    _rejects(
        session,
        m.Observation(
            measure_id=base["measure"], period_start=date(2024, 1, 1), numerator=11, denominator=10
        ),
    )


def test_observation_takes_its_measures_chart_type(session, base) -> None:
    obs = m.Observation(measure_id=base["measure"], period_start=date(2024, 1, 1), numerator=1,
                        denominator=2)
    session.add(obs)
    session.flush()
    assert obs.chart_type is ChartType.P


def _u_measure(session, base) -> int:
    measure = m.Measure(
        project_id=base["project"], name="Interruptions per drug round",
        measure_type=MeasureType.PROCESS, frequency=Frequency.WEEKLY, chart_type=ChartType.U,
        improvement_direction=ImprovementDirection.DECREASE,
    )
    session.add(measure)
    session.flush()
    return measure.id


def test_a_rate_may_exceed_one_per_unit_of_exposure(session, base) -> None:
    # u chart: 31 interruptions in 10 drug rounds is a rate of 3.1, and must be storable.
    mid = _u_measure(session, base)
    session.add(m.Observation(measure_id=mid, period_start=date(2024, 1, 1), numerator=31,
                              denominator=10))
    session.flush()
    assert session.scalar(sa.select(m.Observation.chart_type).where(
        m.Observation.measure_id == mid)) is ChartType.U


def test_observation_chart_type_must_match_its_measure(session, base) -> None:
    # Claiming "u" for a p-chart measure (to dodge the proportion check) breaks the key.
    _rejects(
        session,
        m.Observation(measure_id=base["measure"], chart_type=ChartType.U,
                      period_start=date(2024, 1, 1), numerator=11, denominator=10),
    )


def test_changing_a_measure_to_a_p_chart_checks_its_observations(session, base) -> None:
    mid = _u_measure(session, base)
    session.add(m.Observation(measure_id=mid, period_start=date(2024, 1, 1), numerator=31,
                              denominator=10))
    session.commit()
    session.execute(sa.update(m.Measure).where(m.Measure.id == mid).values(chart_type=ChartType.C))
    session.commit()  # cascades to the observation's copy
    assert session.scalar(sa.select(m.Observation.chart_type).where(
        m.Observation.measure_id == mid)) is ChartType.C
    with pytest.raises(IntegrityError):
        session.execute(
            sa.update(m.Measure).where(m.Measure.id == mid).values(chart_type=ChartType.P)
        )
        session.flush()
    session.rollback()


def test_zero_denominator_rejected(session, base) -> None:
    _rejects(
        session,
        m.Observation(
            measure_id=base["measure"], period_start=date(2024, 1, 1), numerator=0, denominator=0
        ),
    )


def test_duplicate_observation_period_rejected(session, base) -> None:
    session.add(m.Observation(measure_id=base["measure"], period_start=date(2024, 1, 1), value=1.0))
    session.commit()
    _rejects(
        session, m.Observation(measure_id=base["measure"], period_start=date(2024, 1, 1), value=2.0)
    )


@pytest.mark.parametrize("score", [0.0, 5.5])
def test_progress_score_off_the_ihi_scale_rejected(session, base, score) -> None:
    _rejects(
        session,
        m.ProgressScore(project_id=base["project"], scored_on=date(2024, 3, 1), score=score),
    )


def test_enrolment_completed_before_enrolled_rejected(session, base) -> None:
    _rejects(
        session,
        m.Enrolment(
            participant_id=base["participant"],
            cohort_id=base["cohort"],
            status=EnrolmentStatus.COMPLETED,
            applied_on=date(2024, 1, 1),
            enrolled_on=date(2024, 2, 1),
            completed_on=date(2024, 1, 15),
        ),
    )


def test_enrolled_before_applied_rejected(session, base) -> None:
    _rejects(
        session,
        m.Enrolment(
            participant_id=base["participant"],
            cohort_id=base["cohort"],
            status=EnrolmentStatus.ENROLLED,
            applied_on=date(2024, 2, 1),
            enrolled_on=date(2024, 1, 1),
        ),
    )


def test_unknown_enum_string_rejected_by_orm(session, base) -> None:
    _rejects(session, m.Organisation(code="X", name="X", kind="hospital"), StatementError)


def test_unknown_enum_string_rejected_by_database(session, base) -> None:
    with pytest.raises(IntegrityError):
        session.execute(
            sa.text("INSERT INTO organisation (code, name, kind) VALUES ('X', 'X', 'hospital')")
        )
    session.rollback()


def test_directorate_lead_without_directorate_rejected(session, base) -> None:
    _rejects(session, m.UserRoleAssignment(user_key="a@b.example", role=Role.DIRECTORATE_LEAD))


def test_programme_lead_without_programme_rejected(session, base) -> None:
    _rejects(session, m.UserRoleAssignment(user_key="a@b.example", role=Role.PROGRAMME_LEAD))


def test_scoped_roles_accepted(session, base) -> None:
    session.add_all(
        [
            m.UserRoleAssignment(user_key="a@b.example", role=Role.ADMIN),
            m.UserRoleAssignment(
                user_key="b@b.example", role=Role.VIEWER, directorate_id=base["directorate"]
            ),
            m.UserRoleAssignment(
                user_key="c@b.example", role=Role.PROGRAMME_LEAD, programme_id=base["programme"]
            ),
        ]
    )
    session.flush()


def test_foreign_keys_enforced(session, base) -> None:
    _rejects(session, m.Directorate(organisation_id=9999, code="D9", name="Nowhere"))
    _rejects(session, m.Observation(measure_id=9999, period_start=date(2024, 1, 1), value=1.0))


def test_negative_headcount_rejected(session, base) -> None:
    _rejects(
        session,
        m.WorkforceBaseline(
            organisation_id=base["org"],
            directorate_id=base["directorate"],
            staff_group_code="nursing_midwifery",
            as_at=date(2025, 3, 31),
            headcount=-1,
        ),
    )
