"""Demo plan history: who recorded each revision, a programme-wide pause and a re-planned cohort.

Added on top of ``qinet.demo.plan.build_milestones`` (which lays out each milestone's fate):

* every revision names who recorded it (the milestone's owning team; "Programme
  office" for the baseline plan) and, when it marks a milestone done, the actual date;
* the improvement network pauses for thirteen weeks in the 2024/25 winter, as
  programmes did in spring 2020: faculty redeployed, its open milestones moved on
  the same day, then one brought forward again at the restart;
* Aspiring Improvers re-plans Cohort 4: planned to start on 1 Sep 2025, moved to
  3 Nov 2025 (the cohort's dates in the data) to re-open recruitment.

Deterministic: no random numbers; dates are fixed so the story reads the same always.
"""

from __future__ import annotations

from datetime import date, timedelta

from qinet.demo.world import World
from qinet.domain import MilestoneStatus as S

PAUSE_ON = date(2024, 12, 9)
PAUSE_DAYS = 91  # thirteen weeks
PAUSE_REASON = (
    "Programme paused for 13 weeks: improvement faculty redeployed to winter "
    "pressures (agreed by the steering group)"
)
RESTART_ON = date(2025, 3, 10)
REPLANNED_COHORT = ("ASP", "Cohort 4 starts", date(2025, 9, 1), date(2025, 11, 3))
OFFICE = "Programme office"

# (programme, title, owner, baseline, actual after the pause, brought forward at restart?)
_PAUSED = (
    ("NET", "Mentor matching complete", "Improvement faculty", date(2025, 1, 15),
     date(2025, 4, 3), True),
    ("NET", "Learning set 3", "Improvement faculty", date(2025, 2, 12), date(2025, 5, 14), False),
    ("NET", "Annual network conference", "Communications", date(2025, 6, 12), date(2025, 9, 11),
     False),
)  # fmt: skip


def _revision(w: World, mid: int, on: date, forecast: date, status: S, note: str, by: str,
              actual: date | None = None) -> None:  # fmt: skip
    w.add("milestone_revision", id=w.ids("milestone_revision"), milestone_id=mid, revised_on=on,
          forecast_date=forecast, status=status, note=note, recorded_by=by,
          actual_date=actual)  # fmt: skip


def _milestone(w: World, code: str, title: str, owner: str, baseline: date, forecast: date,
               actual: date | None, status: S) -> int:  # fmt: skip
    mid = w.ids("milestone")
    w.add("milestone", id=mid, programme_id=w.prog_id[code], title=title, owner=owner,
          baseline_date=baseline, forecast_date=forecast, actual_date=actual,
          status=status)  # fmt: skip
    return mid


def add_plan_history(w: World, today: date) -> None:
    """Fill in who recorded each revision, then add the pause and the re-planned cohort.

    Args:
        w: The demo world being built, after ``build_milestones``.
        today: The demo's "today" (no revision is dated after it).
    """
    milestones = {r["id"]: r for r in w.rows["milestone"]}
    for rev in w.rows["milestone_revision"]:
        ms = milestones[rev["milestone_id"]]
        baseline = rev["note"] == "Baseline plan"
        rev.setdefault("recorded_by", OFFICE if baseline else ms["owner"])
        done = rev["status"] == S.COMPLETE
        rev.setdefault("actual_date", ms["actual_date"] if done else None)

    for code, title, owner, baseline, actual, forward in _PAUSED:
        moved = baseline + timedelta(days=PAUSE_DAYS)
        mid = _milestone(w, code, title, owner, baseline, actual, actual, S.COMPLETE)
        _revision(w, mid, date(2024, 4, 1), baseline, S.NOT_STARTED, "Baseline plan", OFFICE)
        _revision(w, mid, PAUSE_ON, moved, S.AT_RISK, PAUSE_REASON, OFFICE)
        if forward:
            _revision(w, mid, RESTART_ON, actual, S.ON_TRACK,
                      "Restarted early: mentors matched online", owner)  # fmt: skip
        _revision(w, mid, min(actual, today), actual, S.COMPLETE, "Delivered after the pause",
                  owner, actual)  # fmt: skip

    code, title, planned, replanned = REPLANNED_COHORT
    mid = _milestone(w, code, title, "Programme lead", planned, replanned, None, S.ON_TRACK)
    _revision(w, mid, date(2025, 1, 6), planned, S.NOT_STARTED, "Baseline plan", OFFICE)
    _revision(w, mid, date(2025, 6, 20), replanned, S.ON_TRACK,
              "Cohort 4 re-planned: recruitment re-opened to reach more support staff; "
              "new start agreed with the steering group", "Programme lead")  # fmt: skip
