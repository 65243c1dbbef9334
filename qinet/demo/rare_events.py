"""Rare-event measures for the demo: a t chart and a g chart, one point per event.

Teams watch rare harms by the gap between them rather than by monthly counts, which are
mostly zero. Two catalogue projects get one such measure each (first copy only):

* "Safer mobility: fewer inpatient falls" — *days between inpatient falls with harm*
  (t chart): about one fall with harm every three weeks across the elderly care wards,
  stretching to about every six weeks once bay nursing is in place;
* "Sharps safety" — *blood tests between needlestick injuries* (g chart): about one
  injury per 1,200 blood tests in the phlebotomy service, fewer after safety-engineered
  needles.

Each observation is one event: ``period_start`` is the event's date and ``value`` the
gap since the previous one. Drawn from their own generator, so the rest of the demo is
unchanged by them and the same seed gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from qinet.domain import AnnotationKind, ChartType, Frequency, ImprovementDirection, MeasureType

SECTION = 11
"""Generator section (``numpy.random.default_rng([seed, SECTION])``)."""


@dataclass(frozen=True)
class RareEventDef:
    """One rare-event measure: where it goes and how its gaps are drawn.

    Attributes:
        project: Catalogue title of the project it belongs to.
        name: Measure name.
        chart: ``ChartType.T`` (time between) or ``ChartType.G`` (cases between).
        unit: What the gap is counted in.
        definition: How the team records it.
        events: Events in the series.
        mean_gap: Mean gap before the change.
        mean_gap_after: Mean gap after the change.
        per_day: Cases per day (g charts: turns a gap in cases into days); 1 for t.
        change: The change idea tested, dated at the event where it starts.
        change_at: Event position of the change.
    """

    project: str
    name: str
    chart: ChartType
    unit: str
    definition: str
    events: int
    mean_gap: float
    mean_gap_after: float
    per_day: float
    change: str
    change_at: int


RARE_EVENT_MEASURES: tuple[RareEventDef, ...] = (
    RareEventDef(
        "Safer mobility: fewer inpatient falls",
        "Days between inpatient falls with harm",
        ChartType.T,
        "days",
        "One point per inpatient fall with moderate or severe harm on the elderly care "
        "wards: the number of days since the previous one.",
        28,
        21.0,
        42.0,
        1.0,
        "Change idea: bay nursing for high-risk patients",
        14,
    ),
    RareEventDef(
        "Sharps safety",
        "Blood tests between needlestick injuries",
        ChartType.G,
        "blood tests",
        "One point per needlestick injury in the phlebotomy service: the number of blood "
        "tests taken since the previous injury.",
        26,
        1200.0,
        2600.0,
        130.0,
        "PDSA 1: safety-engineered needles in every phlebotomy bay",
        13,
    ),
)


def _gaps(rng: np.random.Generator, d: RareEventDef) -> np.ndarray:
    """Gaps between events: exponential (t, whole days ≥ 1) or geometric (g, cases ≥ 0)."""
    mean = np.where(np.arange(d.events) < d.change_at, d.mean_gap, d.mean_gap_after)
    if d.chart is ChartType.T:
        return np.maximum(np.round(rng.exponential(mean)), 1.0)
    return (rng.geometric(1.0 / (mean + 1.0)) - 1).astype(float)


def _dates(gaps: np.ndarray, per_day: float, last: date) -> list[date]:
    """Event dates ending shortly before ``last``, one per gap, strictly increasing."""
    days = np.maximum(np.round(gaps / per_day), 1).astype(int)
    ends = np.cumsum(days)
    start = last - timedelta(days=int(ends[-1]))
    return [start + timedelta(days=int(e)) for e in ends]


def add_rare_event_measures(world: Any, seed: int, today: date) -> None:
    """Add the t and g measures to their projects in ``world`` (a ``qinet.demo.world.World``).

    Args:
        world: The demo's in-memory world (rows per table, id counters, patterns).
        seed: The demo seed.
        today: The demo's reference date (the last event falls before it).
    """
    rng = np.random.default_rng([seed, SECTION])
    project_ids = {row["title"]: row["id"] for row in world.rows["project"]}
    created = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    for d in RARE_EVENT_MEASURES:
        gaps = _gaps(rng, d)
        pid = project_ids.get(d.project)
        if pid is None:  # a world cut shorter than the catalogue
            continue
        dates = _dates(gaps, d.per_day, today - timedelta(days=int(rng.integers(3, 20))))
        mid = world.ids("measure")
        world.patterns[d.name] = ()
        world.add("measure", id=mid, project_id=pid, name=d.name, definition=d.definition,
                  measure_type=MeasureType.OUTCOME, unit=d.unit, frequency=Frequency.MONTHLY,
                  chart_type=d.chart, improvement_direction=ImprovementDirection.INCREASE,
                  target=None, baseline_points=None, multiplier=1)  # fmt: skip
        for on, gap in zip(dates, gaps, strict=True):
            world.add("observation", id=world.ids("observation"), measure_id=mid,
                      chart_type=d.chart, period_start=on, value=float(gap), numerator=None,
                      denominator=None, note=None)  # fmt: skip
        world.add("annotation", id=world.ids("annotation"), measure_id=mid,
                  on_date=dates[d.change_at], kind=AnnotationKind.CHANGE_IDEA
                  if d.change.startswith("Change") else AnnotationKind.PDSA,
                  title=d.change, detail="Tested on one ward first, then extended.",
                  created_by="demo", created_at=created, retracted_by=None,
                  retracted_at=None)  # fmt: skip
