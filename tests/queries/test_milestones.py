"""Plan updates and the timeline queries on SQLite and PostgreSQL: scoped writes, history kept."""

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from qinet import db, demo
from qinet import models as m
from qinet.access import Viewer
from qinet.domain import MilestoneStatus, Role
from qinet.errors import NotPermittedError
from qinet.filters import Filters
from qinet.queries import milestones as q
from qinet.views import timeline as tv
from qinet.views.base import ViewContext

pytestmark = pytest.mark.db

TODAY = demo.DEMO_TODAY
ADMIN = Viewer("admin@x", Role.ADMIN)


@pytest.fixture
def world(session):
    demo.build(session, seed=11, scale="small")
    session.commit()
    progs = dict(session.execute(sa.select(m.Programme.code, m.Programme.id)).all())
    return session, progs


def _open_milestone(s, programme_id: int) -> m.Milestone:
    return s.execute(
        sa.select(m.Milestone).where(m.Milestone.programme_id == programme_id,
                                     m.Milestone.actual_date.is_(None)).order_by(m.Milestone.id)
    ).scalars().first()  # fmt: skip


def _count(s) -> int:
    return s.execute(sa.select(sa.func.count(m.MilestoneRevision.id))).scalar_one()


def test_lead_update_adds_a_revision_and_keeps_history(world, engine):
    s, progs = world
    lead = Viewer("lead@x", Role.PROGRAMME_LEAD, programme_ids=frozenset({progs["SSQ"]}))
    ms = _open_milestone(s, progs["SSQ"])
    baseline, old_forecast = ms.baseline_date, ms.forecast_date
    history = s.execute(sa.select(m.MilestoneRevision.id, m.MilestoneRevision.forecast_date)
                        .where(m.MilestoneRevision.milestone_id == ms.id)).all()  # fmt: skip
    q.record_update(s, lead, q.PlanUpdate(ms.id, "Moved for the ward move",
                                          forecast_date=date(2026, 1, 14)), TODAY)  # fmt: skip
    s.commit()
    # A reload: a new engine and session see the change and the untouched history.
    eng = db.make_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        with db.session_scope(eng) as s2:
            row = s2.get(m.Milestone, ms.id)
            assert row.baseline_date == baseline and row.forecast_date == date(2026, 1, 14)
            revs = s2.execute(sa.select(m.MilestoneRevision).where(
                m.MilestoneRevision.milestone_id == ms.id).order_by(m.MilestoneRevision.id)
            ).scalars().all()  # fmt: skip
            assert [(r.id, r.forecast_date) for r in revs[:-1]] == [tuple(h) for h in history]
            last = revs[-1]
            assert (last.forecast_date, last.recorded_by, last.note, last.revised_on) == (
                date(2026, 1, 14), "lead@x", "Moved for the ward move", TODAY)
        view = tv.build(ViewContext(eng, lead, Filters(), TODAY))
        assert "Moved for the ward move" in set(view.history["Reason"])
        moved = view.history[view.history["Reason"] == "Moved for the ward move"]
        assert moved["Moved (days)"].iloc[0] == f"{(date(2026, 1, 14) - old_forecast).days:+d}"
    finally:
        eng.dispose()


def test_actual_date_marks_done(world):
    s, progs = world
    ms = _open_milestone(s, progs["ASP"])
    q.record_update(s, ADMIN, q.PlanUpdate(ms.id, "Delivered", actual_date=TODAY), TODAY)
    s.flush()
    assert ms.status is MilestoneStatus.COMPLETE and ms.actual_date == TODAY


def test_lead_cannot_update_another_programme_even_by_crafting_input(world):
    s, progs = world
    lead = Viewer("lead@x", Role.PROGRAMME_LEAD, programme_ids=frozenset({progs["SSQ"]}))
    other = _open_milestone(s, progs["ASP"])
    before = _count(s)
    with pytest.raises(NotPermittedError):
        q.record_update(s, lead, q.PlanUpdate(other.id, "Sneaky", forecast_date=TODAY), TODAY)
    with pytest.raises(NotPermittedError):  # no such milestone
        q.record_update(s, lead, q.PlanUpdate(999_999, "x", forecast_date=TODAY), TODAY)
    assert _count(s) == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DIRECTORATE_LEAD])
def test_viewers_and_directorate_leads_cannot_update(world, role):
    s, progs = world
    who = Viewer("v@x", role, directorate_ids=frozenset({1}))
    ms = _open_milestone(s, progs["SSQ"])
    with pytest.raises(NotPermittedError):
        q.record_update(s, who, q.PlanUpdate(ms.id, "x", forecast_date=TODAY), TODAY)
    assert s.execute(q.editable_stmt(who)).all() == []


@pytest.mark.parametrize(("update", "field"), [
    (dict(actual_date=date(2025, 10, 1), reason="Done"), "Actual date"),
    (dict(forecast_date=date(2020, 3, 23), reason="Moved"), "Forecast date"),
    (dict(forecast_date=date(2025, 12, 1), reason="   "), "Reason"),
    (dict(reason="Nothing to say"), "Update"),
    (dict(status=MilestoneStatus.COMPLETE, reason="Done"), "Actual date"),
])  # fmt: skip
def test_bad_input_names_the_field_and_writes_nothing(world, update, field):
    s, progs = world
    ms = _open_milestone(s, progs["SSQ"])
    before = (_count(s), ms.forecast_date, ms.status, ms.actual_date)
    with pytest.raises(q.PlanUpdateError) as err:
        q.record_update(s, ADMIN, q.PlanUpdate(ms.id, **update), TODAY)
    assert err.value.field == field
    assert (_count(s), ms.forecast_date, ms.status, ms.actual_date) == before


def test_cohorts_follow_the_scope_and_filters(world):
    s, progs = world
    lead = Viewer("lead@x", Role.PROGRAMME_LEAD, programme_ids=frozenset({progs["SSQ"]}))
    c = q.cohorts(s, lead, Filters())
    assert set(c["programme_id"]) == {progs["SSQ"]} and len(c) == 3
    one = q.cohorts(s, ADMIN, Filters(cohort="Cohort 4"))
    assert one["cohort"].tolist() == ["Cohort 4"]
    assert isinstance(q.revisions(s, ADMIN, Filters()), pd.DataFrame)
