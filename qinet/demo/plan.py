"""Demo plan: programme milestones with baselines, revisions, forecasts and fates."""

from __future__ import annotations

from datetime import date, timedelta

from qinet.demo.catalogue import (
    PROGRAMMES,
)
from qinet.demo.world import (
    DEMO_TODAY,
    _rng,
    _World,
)
from qinet.domain import (
    MilestoneStatus,
)

# --- Milestones ----------------------------------------------------------------------------

_MILESTONE_TITLES = (
    "Programme charter signed off",
    "Recruitment opens",
    "Launch event",
    "Measurement plan agreed",
    "Mid-point learning session",
    "Interim report to the board",
    "Patient partner panel established",
    "Celebration and sharing event",
    "Final evaluation report",
    "Sustainability and spread plan agreed",
)
# Each milestone's fate, cycled per programme so every programme has a mix.
_FATES = (
    "complete",
    "complete_late",
    "slipped",
    "late",
    "due_soon",
    "on_track",
    "complete",
    "slipped_due_soon",
    "at_risk",
    "on_track",
)


def _milestones(w: _World) -> None:
    rng = _rng(w.seed, 7)
    owners = (
        "Programme lead",
        "QI team",
        "Improvement faculty",
        "Evaluation lead",
        "Patient partner lead",
        "Communications",
    )
    for pi, prog in enumerate(PROGRAMMES):
        count = 6 + (pi * 3) % 5  # 6..10
        for k in range(count):
            fate = _FATES[(k + pi) % len(_FATES)]
            if fate in ("complete", "complete_late"):
                baseline = DEMO_TODAY - timedelta(days=int(rng.integers(60, 540)))
            elif fate in ("late", "slipped"):
                baseline = DEMO_TODAY - timedelta(days=int(rng.integers(40, 200)))
            elif fate in ("due_soon", "slipped_due_soon"):
                baseline = DEMO_TODAY + timedelta(days=int(rng.integers(3, 28)))
            else:
                baseline = DEMO_TODAY + timedelta(days=int(rng.integers(45, 300)))
            forecast, actual = baseline, None
            revisions: list[tuple[date, date, MilestoneStatus, str]] = []
            set_on = min(prog.starts_on, baseline - timedelta(days=120))
            revisions.append((set_on, baseline, MilestoneStatus.NOT_STARTED, "Baseline plan"))
            if fate == "complete":
                actual = baseline - timedelta(days=int(rng.integers(0, 10)))
                status = MilestoneStatus.COMPLETE
                revisions.append((actual, baseline, status, "Delivered"))
            elif fate == "complete_late":
                forecast = baseline + timedelta(days=int(rng.integers(20, 60)))
                forecast = min(forecast, DEMO_TODAY - timedelta(days=5))
                revisions.append(
                    (
                        baseline - timedelta(days=14),
                        forecast,
                        MilestoneStatus.AT_RISK,
                        "Venue not available; moved",
                    )
                )
                actual = forecast
                status = MilestoneStatus.COMPLETE
                revisions.append((actual, forecast, status, "Delivered late"))
            elif fate == "late":
                forecast = DEMO_TODAY - timedelta(days=int(rng.integers(5, 30)))
                forecast = max(forecast, baseline)
                status = MilestoneStatus.LATE
                revisions.append(
                    (
                        baseline,
                        forecast,
                        MilestoneStatus.AT_RISK,
                        "Waiting for data access approval",
                    )
                )
            elif fate == "slipped":
                first = baseline + timedelta(days=int(rng.integers(30, 60)))
                forecast = DEMO_TODAY + timedelta(days=int(rng.integers(40, 120)))
                status = MilestoneStatus.AT_RISK
                revisions.append(
                    (
                        baseline - timedelta(days=10),
                        first,
                        MilestoneStatus.AT_RISK,
                        "Clinical pressures over winter",
                    )
                )
                revisions.append(
                    (
                        min(first, DEMO_TODAY) - timedelta(days=7),
                        forecast,
                        MilestoneStatus.AT_RISK,
                        "Re-planned with the steering group",
                    )
                )
            elif fate == "slipped_due_soon":
                forecast = DEMO_TODAY + timedelta(days=int(rng.integers(5, 29)))
                baseline = forecast - timedelta(days=int(rng.integers(45, 90)))
                revisions[0] = (set_on, baseline, MilestoneStatus.NOT_STARTED, "Baseline plan")
                status = MilestoneStatus.ON_TRACK
                revisions.append(
                    (
                        baseline - timedelta(days=7),
                        forecast,
                        MilestoneStatus.AT_RISK,
                        "Moved after cohort start slipped",
                    )
                )
            elif fate == "due_soon":
                status = MilestoneStatus.ON_TRACK
                revisions.append((DEMO_TODAY - timedelta(days=30), forecast, status, "On track"))
            elif fate == "at_risk":
                forecast = baseline + timedelta(days=int(rng.integers(14, 45)))
                status = MilestoneStatus.AT_RISK
                revisions.append(
                    (DEMO_TODAY - timedelta(days=10), forecast, status, "Key speaker unavailable")
                )
            else:
                status = MilestoneStatus.NOT_STARTED
            mid = w.ids("milestone")
            w.add("milestone", id=mid, programme_id=w.prog_id[prog.code],
                  title=_MILESTONE_TITLES[k], owner=owners[(k + pi) % len(owners)],
                  baseline_date=baseline, forecast_date=forecast, actual_date=actual,
                  status=status)  # fmt: skip
            for revised_on, fc, st, note in sorted(revisions, key=lambda r: r[0]):
                w.add("milestone_revision", id=w.ids("milestone_revision"), milestone_id=mid,
                      revised_on=min(revised_on, DEMO_TODAY), forecast_date=fc, status=st,
                      note=note)  # fmt: skip
