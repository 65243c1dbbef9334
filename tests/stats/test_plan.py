"""The one milestone rule at its edges, and on the demo data (issue 13: no contradictions)."""

from datetime import date, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from qinet.stats import plan

pytestmark = pytest.mark.unit

TODAY = date(2025, 9, 30)
D = timedelta


def one(baseline, forecast=None, actual=None, status="on_track", today=TODAY) -> pd.Series:
    ms = pd.DataFrame({"baseline_date": [baseline], "forecast_date": [forecast],
                       "actual_date": [actual], "status": [status]})  # fmt: skip
    return plan.assess(ms, today).iloc[0]


def test_due_today_is_due_not_late():
    r = one(TODAY, TODAY)
    assert r["state"] == plan.ON_TRACK and r["due_soon"] and r["days_overdue"] == 0
    assert r["slip_days"] == 0


def test_one_day_past_plan_is_late_even_with_a_forecast_ahead():
    # Issue 13: planned for 27 Jul, not done by today: late, not "due in the next 30 days".
    r = one(date(2025, 7, 27), TODAY + D(10))
    assert r["state"] == plan.LATE and not r["due_soon"]
    assert r["days_overdue"] == 65 and r["slip_days"] == 75
    r = one(TODAY - D(1), TODAY - D(1))
    assert r["state"] == plan.LATE and r["days_overdue"] == 1


def test_forecast_passed_and_not_done_slips_at_least_to_today():
    r = one(TODAY - D(20), TODAY - D(5), status="at_risk")
    assert r["state"] == plan.LATE and r["slip_days"] == 20 and r["days_overdue"] == 20


def test_done_late_and_done_early():
    late = one(TODAY - D(40), TODAY - D(10), TODAY - D(10), "complete")
    assert late["state"] == plan.DONE and late["done_late"] and late["slip_days"] == 30
    early = one(TODAY - D(40), TODAY - D(45), TODAY - D(45), "complete")
    assert early["state"] == plan.DONE and not early["done_late"] and early["slip_days"] == -5
    on_day = one(TODAY - D(40), TODAY - D(40), TODAY - D(40), "complete")
    assert not on_day["done_late"] and on_day["slip_days"] == 0


def test_an_actual_date_after_today_is_not_done_yet():
    r = one(TODAY + D(5), TODAY + D(5), TODAY + D(5), "on_track")
    assert r["state"] == plan.ON_TRACK and r["due_soon"]


def test_no_forecast_uses_the_planned_date():
    assert one(TODAY + D(60), None, status="not_started")["state"] == plan.NOT_STARTED
    r = one(TODAY + D(10), None, status="not_started")
    assert r["due_soon"] and r["slip_days"] == 0
    r = one(TODAY - D(3), None, status="not_started")
    assert r["state"] == plan.LATE and r["slip_days"] == 3


@pytest.mark.parametrize(("slip", "state"), [
    (0, plan.ON_TRACK), (plan.SLIP_TOLERANCE_DAYS, plan.ON_TRACK),
    (plan.SLIP_TOLERANCE_DAYS + 1, plan.AT_RISK), (-10, plan.ON_TRACK),
])  # fmt: skip
def test_slip_beyond_the_tolerance_is_at_risk_never_on_track(slip, state):
    baseline = TODAY + D(40)
    assert one(baseline, baseline + D(slip))["state"] == state


def test_recorded_statuses_can_make_it_worse_not_better():
    assert one(TODAY + D(40), TODAY + D(40), status="at_risk")["state"] == plan.AT_RISK
    assert one(TODAY + D(40), TODAY + D(40), status="late")["state"] == plan.LATE
    assert one(TODAY - D(1), TODAY + D(5), status="on_track")["state"] == plan.LATE
    c = one(TODAY - D(40), TODAY - D(40), status="cancelled")
    assert c["state"] == plan.CANCELLED and not c["due_soon"] and c["days_overdue"] == 0


def test_due_window_edges():
    assert one(TODAY + D(30), TODAY + D(30))["due_soon"]
    assert not one(TODAY + D(31), TODAY + D(31))["due_soon"]


def test_forecast_moved_back_then_forward():
    revs = pd.DataFrame({
        "milestone_id": [1, 1, 1, 1],
        "revised_on": [date(2025, 1, 1), date(2025, 3, 1), date(2025, 5, 1), date(2025, 6, 1)],
        "forecast_date": [date(2025, 6, 1), date(2025, 9, 1), date(2025, 7, 15),
                          date(2025, 7, 15)],
        "status": ["not_started", "at_risk", "on_track", "complete"],
    })  # fmt: skip
    moves = plan.forecast_moves(revs)["moved_days"].tolist()
    assert moves == [0, 92, -48, 0]
    ms = pd.DataFrame({"milestone_id": [1], "baseline_date": [date(2025, 6, 1)],
                       "forecast_date": [date(2025, 7, 15)], "actual_date": [date(2025, 7, 15)],
                       "status": ["complete"]})  # fmt: skip
    # On 1 Apr the forecast believed was 1 Sep (92 days of slip, at risk, not late yet).
    then = plan.as_of(ms, revs, date(2025, 4, 1)).iloc[0]
    assert then["state"] == plan.AT_RISK and then["slip_days"] == 92
    # Brought forward again on 1 May: 44 days of slip, still beyond tolerance.
    then = plan.as_of(ms, revs, date(2025, 5, 2)).iloc[0]
    assert then["state"] == plan.AT_RISK and then["slip_days"] == 44
    # Before the first revision it was not planned; at the end, done 44 days late.
    assert plan.as_of(ms, revs, date(2024, 12, 1)).iloc[0]["state"] == "not_planned"
    now = plan.as_of(ms, revs, TODAY, TODAY).iloc[0]
    assert now["state"] == plan.DONE and now["done_late"] and now["slip_days"] == 44


def test_slip_in_words():
    assert plan.slip_sentence(1) == "1 day behind plan"
    assert plan.slip_sentence(-3) == "3 days ahead of plan"
    assert plan.slip_sentence(0) == "On plan"


def test_empty_frames():
    empty = pd.DataFrame(columns=["baseline_date", "forecast_date", "actual_date", "status"])
    assert plan.assess(empty, TODAY).empty
    due, overdue, done_late = plan.due_and_late(plan.assess(empty, TODAY))
    assert due.empty and overdue.empty and done_late.empty


def test_demo_plan_never_contradicts_itself(demo_engine):
    """On the demo data: nothing on track beyond the tolerance; nothing past due listed as due."""
    with demo_engine.connect() as conn:
        ms = pd.read_sql(sa.text(
            "SELECT m.id AS milestone_id, p.name AS programme, m.title, m.owner, "
            "m.baseline_date, m.forecast_date, m.actual_date, m.status "
            "FROM milestone m JOIN programme p ON p.id = m.programme_id"), conn)  # fmt: skip
    a = plan.assess(ms, TODAY)
    on_track = a[a["state"].isin([plan.ON_TRACK, plan.NOT_STARTED])]
    assert (on_track["slip_days"] <= plan.SLIP_TOLERANCE_DAYS).all()
    due, overdue, done_late = plan.due_and_late(a)
    assert (pd.to_datetime(due["baseline_date"]) >= pd.Timestamp(TODAY)).all()
    assert (pd.to_datetime(due["forecast_date"]) >= pd.Timestamp(TODAY)).all()
    assert not set(due["title"] + due["programme"]) & set(overdue["title"] + overdue["programme"])
    # Every open milestone whose planned date has passed is in the overdue list.
    open_ = a[~a["state"].isin([plan.DONE, plan.CANCELLED])]
    past = open_[pd.to_datetime(open_["baseline_date"]) < pd.Timestamp(TODAY)]
    assert len(past) and len(overdue) == (a["state"] == plan.LATE).sum() >= len(past)
    # The designed stories are there: the pause (done late) and the re-planned cohort (late).
    assert "Mentor matching complete" in set(done_late["title"])
    assert "Cohort 4 starts" in set(overdue["title"])
    assert (overdue["status"] == "Late").all() and (done_late["days_slipped"] > 0).all()
