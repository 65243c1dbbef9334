"""The demo world's frame: its today, sizes, ids and rows, and what everything hangs on.

The fixed ``DEMO_TODAY``, the size specifications, the id counters and the in-memory rows
per table, and the organisations, directorates, workforce and programmes.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

import numpy as np

from qinet import models as m
from qinet.demo.catalogue import (
    DIRECTORATES,
    EXTRA_DIRECTORATES,
    MIX,
    ORGANISATIONS,
    PROGRAMMES,
)
from qinet.domain import (
    Frequency,
    StaffGroup,
)

# The fixed "today" of the demo world: every date is laid out relative to it.
DEMO_TODAY = date(2025, 9, 30)
NETWORK_NAME = "Kestrel Moor & Wexley Improvement Network"

SG = StaffGroup


# --- Size specification --------------------------------------------------------------------


@dataclass(frozen=True)
class SizeSpec:
    """How big a demo world to build (``SMALL`` for the app and tests, ``LARGE`` for benchmarks).

    Attributes:
        extra_directorates: Directorates added to the twelve core ones.
        headcount_scale: Multiplier on the core directorates' workforce.
        cohort_scale: Multiplier on each cohort's planned places.
        projects: Number of projects (the catalogue is repeated across sites beyond it).
        min_points: Fewest observations in a measure series.
        pulse_waves: Monthly joy-in-work pulse waves.
        pulse_responses: Range of responses per pulse wave.
        open_event_scale: Multiplier on open-event attendance counts.
    """

    extra_directorates: int = 0
    headcount_scale: float = 1.0
    cohort_scale: float = 1.0
    projects: int = 40
    min_points: int = 12
    pulse_waves: int = 12
    pulse_responses: tuple[int, int] = (45, 80)
    open_event_scale: float = 1.0


SMALL = SizeSpec()
LARGE = SizeSpec(
    extra_directorates=24,
    headcount_scale=3.0,
    cohort_scale=55.0,
    projects=1500,
    min_points=40,
    pulse_waves=24,
    pulse_responses=(700, 1000),
    open_event_scale=8.0,
)
SPECS: Mapping[str, SizeSpec] = MappingProxyType({"small": SMALL, "large": LARGE})


@dataclass(frozen=True)
class DemoSummary:
    """What ``build`` wrote.

    Attributes:
        seed: The seed used.
        scale: ``"small"``, ``"large"`` or ``"custom"``.
        rows: Rows written per table name (every table, zero included).
        patterns: Measure name → designed patterns (see ``PATTERNS``).
    """

    seed: int
    scale: str
    rows: Mapping[str, int]
    patterns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        """Rows written across all tables."""
        return sum(self.rows.values())

    def __getitem__(self, table: str) -> int:
        """Row count of one table, e.g. ``summary["observation"]``."""
        return self.rows[table]


# --- Helpers -------------------------------------------------------------------------------


def section_rng(seed: int, section: int) -> np.random.Generator:
    """An independent generator per section, so one section's changes don't ripple."""
    return np.random.default_rng([seed, section])


def section_pyrng(seed: int, section: int) -> random.Random:
    """A stdlib generator per section (for choices), independent like ``section_rng``."""
    return random.Random(f"{seed}:{section}")


def period_starts(freq: Frequency, n: int, last: date) -> list[date]:
    """The ``n`` period starts of a series ending at ``last`` (weekly or monthly)."""
    if freq is Frequency.WEEKLY:
        return [last - timedelta(weeks=n - 1 - i) for i in range(n)]
    out = []
    y, mo = last.year, last.month
    for _ in range(n):
        out.append(date(y, mo, 1))
        mo -= 1
        if mo == 0:
            y, mo = y - 1, 12
    return out[::-1]


def last_period(freq: Frequency, end: date) -> date:
    """The start of the last complete period before ``end``."""
    if freq is Frequency.WEEKLY:
        monday = end - timedelta(days=end.weekday())
        return monday - timedelta(weeks=1)  # last complete week
    first = end.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)  # last complete month


# --- The builder -------------------------------------------------------------------------


class _Ids:
    """Explicit primary keys, so rows link without RETURNING and match across backends."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def __call__(self, table: str) -> int:
        value = self._next.get(table, 1)
        self._next[table] = value + 1
        return value


class World:
    """Row lists per table, generated in memory before one bulk insert per table."""

    def __init__(self, seed: int, spec: SizeSpec) -> None:
        self.seed = seed
        self.spec = spec
        self.ids = _Ids()
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in m.Base.metadata.tables}
        self.patterns: dict[str, tuple[str, ...]] = {}
        self.org_id: dict[str, int] = {}
        self.dirs: list[dict[str, Any]] = []  # id, name, org, profile, headcount
        self.dir_by_name: dict[str, dict[str, Any]] = {}
        self.prog_id: dict[str, int] = {}
        self.cohorts: list[dict[str, Any]] = []
        self.participants: list[dict[str, Any]] = []
        self.enrolments: list[dict[str, Any]] = []
        self.workforce: dict[tuple[int, StaffGroup], int] = {}  # 2025 headcounts

    def add(self, table: str, **row: Any) -> dict[str, Any]:
        """Queue one row for ``table`` (written in bulk by ``build``); returns it."""
        self.rows[table].append(row)
        return row


# --- Sections ----------------------------------------------------------------------------


def build_reference(w: World) -> None:
    """Organisations and directorates (the core ones plus the size's extras)."""
    for code, name, kind in ORGANISATIONS:
        oid = w.ids("organisation")
        w.org_id[code] = oid
        w.add("organisation", id=oid, code=code, name=name, kind=kind)
    for order, group in enumerate(StaffGroup, start=1):
        w.add("staff_group", code=group.value, label=group.label, is_staff=group.is_staff,
              hard_to_reach=group.hard_to_reach, sort_order=order)  # fmt: skip
    rng = section_rng(w.seed, 1)
    specs = [(o, c, n, p, int(h * w.spec.headcount_scale)) for o, c, n, p, h in DIRECTORATES]
    for i, (org, name, profile) in enumerate(EXTRA_DIRECTORATES[: w.spec.extra_directorates]):
        specs.append((org, f"X{i + 1:02d}", name, profile, int(rng.integers(300, 1400))))
    for org, code, name, profile, headcount in specs:
        did = w.ids("directorate")
        d = {"id": did, "org": org, "name": name, "profile": profile, "headcount": headcount}
        w.dirs.append(d)
        w.dir_by_name[name] = d
        w.add("directorate", id=did, organisation_id=w.org_id[org], code=code, name=name)


def build_workforce(w: World) -> None:
    """Headcount per directorate and staff group: the denominators of reach."""
    rng = section_rng(w.seed, 2)
    for d in w.dirs:
        mix = MIX[d["profile"]]
        for as_at, growth in ((date(2024, 3, 31), 1.0), (date(2025, 3, 31), 1.025)):
            for group, share in mix.items():
                expected = d["headcount"] * share * growth
                headcount = max(1, int(round(expected * rng.normal(1.0, 0.03))))
                w.add(
                    "workforce_baseline",
                    id=w.ids("workforce_baseline"),
                    organisation_id=w.org_id[d["org"]],
                    directorate_id=d["id"],
                    staff_group_code=group.value,
                    as_at=as_at,
                    headcount=headcount,
                )
                if as_at.year == 2025:
                    w.workforce[(d["id"], group)] = headcount


def build_programmes(w: World) -> None:
    """Programmes and their cohorts."""
    for p in PROGRAMMES:
        pid = w.ids("programme")
        w.prog_id[p.code] = pid
        w.add("programme", id=pid, code=p.code, name=p.name, kind=p.kind,
              lead_organisation_id=w.org_id[p.lead_org], description=p.description,
              starts_on=p.starts_on, ends_on=p.ends_on)  # fmt: skip
        for name, start, end, places in p.cohorts:
            cid = w.ids("cohort")
            planned = int(round(places * w.spec.cohort_scale))
            w.cohorts.append({"id": cid, "programme": p, "name": name, "start": start,
                              "end": end, "places": planned})  # fmt: skip
            w.add("cohort", id=cid, programme_id=pid, name=name, starts_on=start,
                  ends_on=end, planned_places=planned)  # fmt: skip
