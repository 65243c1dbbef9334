"""Overview queries on SQLite and PostgreSQL: headline counts, reach, milestones, portfolio."""

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from qinet import demo
from qinet import models as m
from qinet.access import Viewer
from qinet.domain import Role
from qinet.filters import Filters
from qinet.queries import milestones as mq
from qinet.queries import overview as q
from qinet.queries.scope import frame
from qinet.stats import plan
from qinet.stats.measure import analyse_measure
from qinet.stats.portfolio import summary_matrix
from qinet.stats.rules import ANHOEJ, MDC_2024

pytestmark = pytest.mark.db

TODAY = demo.DEMO_TODAY
ADMIN = Viewer("admin", Role.ADMIN)


@pytest.fixture
def demo_session(session):
    demo.build(session, seed=11, scale="small")
    session.commit()
    return session


def _dir_id(s, name: str) -> int:
    return s.execute(sa.select(m.Directorate.id).where(m.Directorate.name == name)).scalar_one()


def test_comparison_windows():
    fy = q.comparison(Filters(period="FY 2024/25"), TODAY)
    assert (fy.start, fy.end) == (date(2024, 4, 1), date(2025, 3, 31))
    assert fy.previous_end == date(2024, 3, 31) and "Apr 2023" in fy.label
    all_time = q.comparison(Filters(), TODAY)
    assert all_time.start is None and all_time.end == TODAY
    assert all_time.previous_end == TODAY - timedelta(days=365)
    assert "12 months earlier" in all_time.label


def test_headline_counts_match_the_rows_and_respect_scope(demo_session):
    s = demo_session
    projects = frame(s, sa.select(m.Project.id, m.Project.status, m.Project.started_on,
                                  m.Project.directorate_id))
    projects["status"] = projects["status"].map(str)
    active = projects[~projects["status"].isin(["complete", "stopped"])]
    assert q.active_projects(s, ADMIN, Filters(), TODAY) == len(active)
    cut = date(2024, 9, 30)
    assert q.active_projects(s, ADMIN, Filters(), cut) == int((active["started_on"] <= cut).sum())

    enrol = frame(s, sa.select(m.Enrolment.participant_id, m.Enrolment.completed_on))
    done = enrol.dropna(subset=["completed_on"])
    start, end = date(2024, 4, 1), date(2025, 3, 31)
    in_fy = done[(done["completed_on"] >= start) & (done["completed_on"] <= end)]
    assert q.completed_participants(s, ADMIN, Filters(), start, end) == in_fy[
        "participant_id"].nunique()
    assert q.completed_participants(s, ADMIN, Filters(), None, TODAY) == done[
        "participant_id"].nunique()

    med = _dir_id(s, "Medicine")
    lead = Viewer("lead", Role.DIRECTORATE_LEAD, directorate_ids=frozenset({med}))
    n_med = int((active["directorate_id"] == med).sum())
    assert q.active_projects(s, lead, Filters(), TODAY) == n_med
    # a directorate filter the lead may not see cannot widen their scope
    assert q.active_projects(s, lead, Filters(directorate="Surgery"), TODAY) == 0
    assert q.active_projects(s, ADMIN, Filters(directorate="Medicine"), TODAY) == n_med


def test_milestones_states_now_and_before_and_the_plan(demo_session):
    s = demo_session
    ms = mq.milestones(s, ADMIN, Filters())
    revs = mq.revisions(s, ADMIN, Filters())
    assert len(ms) == s.execute(sa.select(sa.func.count(m.Milestone.id))).scalar_one()
    now = plan.as_of(ms, revs, TODAY, TODAY)
    counts = plan.counts(now)
    assert sum(counts.values()) == len(ms)
    assert counts["late"] >= 1 and counts["done"] >= 1
    year_ago = plan.as_of(ms, revs, TODAY - timedelta(days=365), TODAY)
    assert set(year_ago["state"]) <= {*plan.STATES, "not_planned"}
    due, late, _ = plan.due_and_late(plan.assess(ms, TODAY))
    assert len(late) == counts["late"]
    assert (pd.to_datetime(due["forecast_date"]) >= pd.Timestamp(TODAY)).all()
    assert (pd.to_datetime(due["forecast_date"])
            <= pd.Timestamp(TODAY + timedelta(days=plan.DUE_SOON_DAYS))).all()
    assert (late["days_late"] >= 0).all()

    prog = s.execute(sa.select(m.Programme.id, m.Programme.name).limit(1)).one()
    lead = Viewer("pl", Role.PROGRAMME_LEAD, programme_ids=frozenset({prog.id}))
    theirs = mq.milestones(s, lead, Filters())
    assert set(theirs["programme"]) == {prog.name}
    assert mq.milestones(s, ADMIN, Filters(programme=prog.name))["programme"].eq(prog.name).all()


def test_portfolio_matrix_equals_the_engine_for_every_demo_measure(demo_session):
    s = demo_session
    measures = q.portfolio_measures(s, ADMIN, Filters())
    obs = q.portfolio_observations(s, ADMIN, Filters(), None, TODAY)
    breaks = frame(s, q.phase_breaks_stmt(ADMIN, Filters()))
    matrix = summary_matrix(measures, obs, breaks, spc_rules=MDC_2024, run_rules=ANHOEJ)
    assert len(matrix) == len(measures) > 20
    for (_, meas), (_, row) in zip(measures.iterrows(), matrix.iterrows(), strict=True):
        rows = obs[obs["measure_id"] == meas["measure_id"]]
        a = analyse_measure(
            rows, chart=meas["chart_type"], direction=meas["improvement_direction"],
            target=meas["target"], preset=ANHOEJ if meas["chart_type"] == "run" else MDC_2024,
            phase_starts=breaks.loc[breaks["measure_id"] == meas["measure_id"], "on_date"],
            baseline_points=meas["baseline_points"], multiplier=meas["multiplier"],
        )
        assert (row["variation"], row["assurance"], row["latest_signal_reason"]) == (
            a.summary.variation.value, a.summary.assurance.value, a.summary.latest_signal_reason
        ), meas["measure"]
        assert row["last_value"] == pytest.approx(a.summary.last_value, nan_ok=True)
        assert row["centre"] == pytest.approx(a.summary.centre, nan_ok=True)
    assert {"t", "g"} <= set(matrix["chart"])  # rare-event measures are in the matrix too
