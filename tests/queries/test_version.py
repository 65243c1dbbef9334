"""The data version: starts at 0, every bump adds one, every writer bumps it with its write."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from qinet import db
from qinet.access import Viewer
from qinet.domain import AnnotationKind, MilestoneStatus, Role
from qinet.models import Annotation, Milestone, Observation, ProgressScore, Project
from qinet.queries import measures as q
from qinet.queries.version import bump_data_version, data_version

pytestmark = pytest.mark.db

ADMIN = Viewer("admin@x", Role.ADMIN)


def test_starts_at_zero_and_counts_bumps(engine: sa.Engine) -> None:
    with db.session_scope(engine) as s:
        assert data_version(s) == 0
        bump_data_version(s)
        assert data_version(s) == 1
    with db.session_scope(engine) as s:
        bump_data_version(s)
        bump_data_version(s)
    with db.session_scope(engine) as s:
        assert data_version(s) == 3


def test_a_rolled_back_write_leaves_the_version(engine: sa.Engine) -> None:
    with db.session_scope(engine) as s:
        bump_data_version(s)
    with pytest.raises(RuntimeError), db.session_scope(engine) as s:
        bump_data_version(s)
        raise RuntimeError("the write failed")
    with db.session_scope(engine) as s:
        assert data_version(s) == 1


def test_another_engine_sees_the_bump(db_url: str, engine: sa.Engine) -> None:
    """Two engines stand for two replicas (or a replica and the command line)."""
    other = db.make_engine(db_url)
    try:
        with db.session_scope(other) as s:
            before = data_version(s)
        with db.session_scope(engine) as s:
            bump_data_version(s)
        with db.session_scope(other) as s:
            assert data_version(s) == before + 1
    finally:
        other.dispose()


def test_phase_break_confirm_and_undo_bump_it(engine: sa.Engine) -> None:
    from qinet import demo

    with db.session_scope(engine) as s:
        demo.build(s, seed=7, scale="small")
    with db.session_scope(engine) as s:
        start = data_version(s)
        with_breaks = sa.select(Annotation.measure_id).where(
            Annotation.kind == AnnotationKind.PHASE_BREAK
        )
        measure_id = s.scalar(
            sa.select(Observation.measure_id)
            .where(Observation.measure_id.not_in(with_breaks))
            .group_by(Observation.measure_id)
            .having(sa.func.count() >= 30)
            .order_by(Observation.measure_id)
            .limit(1)
        )
        periods = s.scalars(
            sa.select(Observation.period_start)
            .where(Observation.measure_id == measure_id)
            .order_by(Observation.period_start)
        ).all()
        made = q.confirm_phase_break(s, ADMIN, measure_id, periods[15], "New triage rota")
    with db.session_scope(engine) as s:
        assert data_version(s) == start + 1
        q.undo_phase_break(s, ADMIN, made.id)
    with db.session_scope(engine) as s:
        assert data_version(s) == start + 2


def test_plan_and_project_updates_bump_it(engine: sa.Engine) -> None:
    """The Timeline's and the Projects page's writers bump it in their own transaction."""
    from qinet import demo
    from qinet.queries import milestones, projects, reference

    with db.session_scope(engine) as s:
        demo.build(s, seed=7, scale="small")
    with db.session_scope(engine) as s:
        today = reference.reference_date(s, date.today())
        start = data_version(s)
        ms = s.scalars(sa.select(Milestone).order_by(Milestone.id).limit(1)).one()
        update = milestones.PlanUpdate(ms.id, "Agreed at steering group",
                                       status=MilestoneStatus.AT_RISK)  # fmt: skip
        milestones.record_update(s, ADMIN, update, today)
    with db.session_scope(engine) as s:
        assert data_version(s) == start + 1
        project_id = s.scalar(sa.select(Project.id).order_by(Project.id).limit(1))
        current = s.scalar(
            sa.select(ProgressScore.score).where(ProgressScore.project_id == project_id)
            .order_by(ProgressScore.scored_on.desc()).limit(1)
        )  # fmt: skip
        score = 4.5 if current != 4.5 else 4.0
        projects.record_update(s, ADMIN, project_id, score=score, status=None,
                               note="Two measures sustained", on=today,
                               at=datetime.now(UTC))  # fmt: skip
    with db.session_scope(engine) as s:
        assert data_version(s) == start + 2


def test_a_refused_plan_update_leaves_it(engine: sa.Engine) -> None:
    from qinet import demo
    from qinet.queries import milestones

    with db.session_scope(engine) as s:
        demo.build(s, seed=7, scale="small")
    with db.session_scope(engine) as s:
        start = data_version(s)
        ms_id = s.scalar(sa.select(Milestone.id).order_by(Milestone.id).limit(1))
    with pytest.raises(milestones.PlanUpdateError), db.session_scope(engine) as s:
        milestones.record_update(s, ADMIN, milestones.PlanUpdate(ms_id, " "), date(2025, 1, 1))
    with db.session_scope(engine) as s:
        assert data_version(s) == start
