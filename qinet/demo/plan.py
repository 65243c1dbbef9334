"""Demo plan: programme milestones with baselines, revisions, forecasts and fates."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from qinet.demo.catalogue import (
    PROGRAMMES,
)
from qinet.demo.world import (
    DEMO_TODAY,
    World,
    section_rng,
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


_OWNERS = (
    "Programme lead",
    "QI team",
    "Improvement faculty",
    "Evaluation lead",
    "Patient partner lead",
    "Communications",
)

_Revision = tuple[date, date, MilestoneStatus, str]
# (baseline, forecast, actual, status) after a fate has played out
_Outcome = tuple[date, date, date | None, MilestoneStatus]


def _baseline(fate: str, rng: np.random.Generator) -> date:
    """The planned date: long past for delivered, recent for late, soon or later for the rest."""
    if fate in ("complete", "complete_late"):
        return DEMO_TODAY - timedelta(days=int(rng.integers(60, 540)))
    if fate in ("late", "slipped"):
        return DEMO_TODAY - timedelta(days=int(rng.integers(40, 200)))
    if fate in ("due_soon", "slipped_due_soon"):
        return DEMO_TODAY + timedelta(days=int(rng.integers(3, 28)))
    return DEMO_TODAY + timedelta(days=int(rng.integers(45, 300)))


def _complete(rng: np.random.Generator, baseline: date, set_on: date,
              revisions: list[_Revision]) -> _Outcome:  # fmt: skip
    actual = baseline - timedelta(days=int(rng.integers(0, 10)))
    revisions.append((actual, baseline, MilestoneStatus.COMPLETE, "Delivered"))
    return baseline, baseline, actual, MilestoneStatus.COMPLETE


def _complete_late(rng: np.random.Generator, baseline: date, set_on: date,
                   revisions: list[_Revision]) -> _Outcome:  # fmt: skip
    forecast = baseline + timedelta(days=int(rng.integers(20, 60)))
    forecast = min(forecast, DEMO_TODAY - timedelta(days=5))
    revisions.append(
        (baseline - timedelta(days=14), forecast, MilestoneStatus.AT_RISK,
         "Venue not available; moved")
    )  # fmt: skip
    revisions.append((forecast, forecast, MilestoneStatus.COMPLETE, "Delivered late"))
    return baseline, forecast, forecast, MilestoneStatus.COMPLETE


def _late(rng: np.random.Generator, baseline: date, set_on: date,
          revisions: list[_Revision]) -> _Outcome:  # fmt: skip
    forecast = DEMO_TODAY - timedelta(days=int(rng.integers(5, 30)))
    forecast = max(forecast, baseline)
    revisions.append(
        (baseline, forecast, MilestoneStatus.AT_RISK, "Waiting for data access approval")
    )
    return baseline, forecast, None, MilestoneStatus.LATE


def _slipped(rng: np.random.Generator, baseline: date, set_on: date,
             revisions: list[_Revision]) -> _Outcome:  # fmt: skip
    first = baseline + timedelta(days=int(rng.integers(30, 60)))
    forecast = DEMO_TODAY + timedelta(days=int(rng.integers(40, 120)))
    revisions.append(
        (baseline - timedelta(days=10), first, MilestoneStatus.AT_RISK,
         "Clinical pressures over winter")
    )  # fmt: skip
    revisions.append(
        (min(first, DEMO_TODAY) - timedelta(days=7), forecast, MilestoneStatus.AT_RISK,
         "Re-planned with the steering group")
    )  # fmt: skip
    return baseline, forecast, None, MilestoneStatus.AT_RISK


def _slipped_due_soon(rng: np.random.Generator, baseline: date, set_on: date,
                      revisions: list[_Revision]) -> _Outcome:  # fmt: skip
    forecast = DEMO_TODAY + timedelta(days=int(rng.integers(5, 29)))
    baseline = forecast - timedelta(days=int(rng.integers(45, 90)))
    revisions[0] = (set_on, baseline, MilestoneStatus.NOT_STARTED, "Baseline plan")
    revisions.append(
        (baseline - timedelta(days=7), forecast, MilestoneStatus.AT_RISK,
         "Moved after cohort start slipped")
    )  # fmt: skip
    return baseline, forecast, None, MilestoneStatus.ON_TRACK


def _due_soon(rng: np.random.Generator, baseline: date, set_on: date,
              revisions: list[_Revision]) -> _Outcome:  # fmt: skip
    revisions.append(
        (DEMO_TODAY - timedelta(days=30), baseline, MilestoneStatus.ON_TRACK, "On track")
    )
    return baseline, baseline, None, MilestoneStatus.ON_TRACK


def _at_risk(rng: np.random.Generator, baseline: date, set_on: date,
             revisions: list[_Revision]) -> _Outcome:  # fmt: skip
    forecast = baseline + timedelta(days=int(rng.integers(14, 45)))
    revisions.append(
        (DEMO_TODAY - timedelta(days=10), forecast, MilestoneStatus.AT_RISK,
         "Key speaker unavailable")
    )  # fmt: skip
    return baseline, forecast, None, MilestoneStatus.AT_RISK


def _not_started(rng: np.random.Generator, baseline: date, set_on: date,
                 revisions: list[_Revision]) -> _Outcome:  # fmt: skip
    return baseline, baseline, None, MilestoneStatus.NOT_STARTED


_PLAY_OUT = {
    "complete": _complete,
    "complete_late": _complete_late,
    "late": _late,
    "slipped": _slipped,
    "slipped_due_soon": _slipped_due_soon,
    "due_soon": _due_soon,
    "at_risk": _at_risk,
}
"""How each fate plays out: its revisions (appended) and final dates and status."""


def build_milestones(w: World) -> None:
    """Milestones per programme, each with a fate, its revision history and its status."""
    rng = section_rng(w.seed, 7)
    for pi, prog in enumerate(PROGRAMMES):
        count = 6 + (pi * 3) % 5  # 6..10
        for k in range(count):
            fate = _FATES[(k + pi) % len(_FATES)]
            baseline = _baseline(fate, rng)
            set_on = min(prog.starts_on, baseline - timedelta(days=120))
            revisions: list[_Revision] = [
                (set_on, baseline, MilestoneStatus.NOT_STARTED, "Baseline plan")
            ]
            play = _PLAY_OUT.get(fate, _not_started)
            baseline, forecast, actual, status = play(rng, baseline, set_on, revisions)
            mid = w.ids("milestone")
            w.add("milestone", id=mid, programme_id=w.prog_id[prog.code],
                  title=_MILESTONE_TITLES[k], owner=_OWNERS[(k + pi) % len(_OWNERS)],
                  baseline_date=baseline, forecast_date=forecast, actual_date=actual,
                  status=status)  # fmt: skip
            for revised_on, fc, st, note in sorted(revisions, key=lambda r: r[0]):
                w.add("milestone_revision", id=w.ids("milestone_revision"), milestone_id=mid,
                      revised_on=min(revised_on, DEMO_TODAY), forecast_date=fc, status=st,
                      note=note)  # fmt: skip
