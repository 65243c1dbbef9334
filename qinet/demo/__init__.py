"""Deterministic synthetic demo data: a fictional regional improvement network.

``build(session, seed=…, scale="small")`` fills an empty database with the
*Kestrel Moor & Wexley Improvement Network* — five invented organisations, their
directorates and workforce, five improvement programmes with cohorts, pseudonymised
participants (``P-00042``), projects with measures whose series carry designed SPC
signals, capability and pulse surveys, events, milestones and demo sign-in roles.

Everything is derived from the seed and the fixed ``DEMO_TODAY`` (never the real
clock), so the same seed gives identical rows on SQLite and PostgreSQL. Rows are
written with bulk ``insert()`` statements and explicit primary keys; PostgreSQL
sequences are moved past them afterwards so later inserts do not collide.

Designed signals: every measure built from ``MEASURE_CATALOGUE`` carries the
patterns listed there (``PATTERNS`` describes each), and ``DemoSummary.patterns``
maps every measure name built to its patterns. ``SHOWCASE_MEASURE`` has a PDSA
annotation, a trend and a sustained shift.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import sqlalchemy as sa
from sqlalchemy import insert
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.demo.catalogue import (  # noqa: F401 - re-exported: the demo API
    _BANDS,
    _EXTRA_DIRECTORATES,
    _MIX,
    _PROPENSITY,
    _SUPPORT_MIX,
    DETERIORATION,
    DIRECTORATES,
    MEASURE_CATALOGUE,
    MISSING,
    ORGANISATIONS,
    OUTLIER,
    PATTERNS,
    PHASE_BREAK,
    PROGRAMMES,
    SECONDARY_MEASURES,
    SHIFT,
    SHOWCASE_MEASURE,
    SHOWCASE_PROJECT,
    STABLE,
    SUPPORT_SERVICES_PROGRAMME,
    TREND,
    TWO_OF_THREE,
    _md,
    _MeasureDef,
    _ProgrammeDef,
    _project_measures,
    _ProjectDef,
    designed_patterns,
)
from qinet.domain import (
    HARD_TO_REACH,
    AnnotationKind,
    ChartType,
    EnrolmentStatus,
    EventKind,
    Frequency,
    ImprovementDirection,
    MilestoneStatus,
    ParticipantRole,
    ProjectStatus,
    Role,
    StaffGroup,
    SurveyKind,
    WaveKind,
)
from qinet.errors import DatabaseNotEmptyError  # noqa: F401 - re-exported (raised here)

# The fixed "today" of the demo world: every date is laid out relative to it.
DEMO_TODAY = date(2025, 9, 30)
NETWORK_NAME = "Kestrel Moor & Wexley Improvement Network"

SG = StaffGroup

# --- Demo sign-in --------------------------------------------------------------------------

DEMO_USERS: Mapping[str, tuple[Role, tuple[str, ...]]] = MappingProxyType(
    {
        "admin@demo.nhs.example": (Role.ADMIN, ()),
        "programme.lead@demo.nhs.example": (Role.PROGRAMME_LEAD, (SUPPORT_SERVICES_PROGRAMME,)),
        "medicine.lead@demo.nhs.example": (Role.DIRECTORATE_LEAD, ("Medicine",)),
        "estates.viewer@demo.nhs.example": (Role.VIEWER, ("Estates & Facilities",)),
    }
)


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


def _rng(seed: int, section: int) -> np.random.Generator:
    """An independent generator per section, so one section's changes don't ripple."""
    return np.random.default_rng([seed, section])


def _pyrng(seed: int, section: int) -> random.Random:
    return random.Random(f"{seed}:{section}")


def _period_starts(freq: Frequency, n: int, last: date) -> list[date]:
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


def _last_period(freq: Frequency, end: date) -> date:
    if freq is Frequency.WEEKLY:
        monday = end - timedelta(days=end.weekday())
        return monday - timedelta(weeks=1)  # last complete week
    first = end.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)  # last complete month


def _signals(y: np.ndarray, sd: np.ndarray, centre: float | np.ndarray) -> dict[str, bool]:
    """Special-cause rules on a series, given its centre and per-point sigma (XmR style)."""
    z = (y - centre) / sd
    side = np.sign(np.round(z, 9))
    run, longest = 0, 0
    for i in range(len(side)):
        run = run + 1 if i and side[i] != 0 and side[i] == side[i - 1] else (1 if side[i] else 0)
        longest = max(longest, run)
    diffs = np.sign(np.diff(y))
    trend, best = 0, 0
    for i in range(len(diffs)):
        trend = (
            trend + 1
            if i and diffs[i] != 0 and diffs[i] == diffs[i - 1]
            else (1 if diffs[i] else 0)
        )
        best = max(best, trend)
    two3 = False
    for i in range(len(z) - 2):
        w = z[i : i + 3]
        if (w > 2).sum() >= 2 or (w < -2).sum() >= 2:
            two3 = True
    return {
        "outside": bool((np.abs(z) > 3).any()),
        "run7": longest >= 7,
        "trend6": best + 1 >= 6,
        "two_of_three": two3,
    }


def _xmr_sigma(y: np.ndarray) -> float:
    mr = np.abs(np.diff(y))
    return float(mr.mean() / 1.128) if len(mr) else 1.0


# --- The builder -------------------------------------------------------------------------


class _Ids:
    """Explicit primary keys, so rows link without RETURNING and match across backends."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def __call__(self, table: str) -> int:
        value = self._next.get(table, 1)
        self._next[table] = value + 1
        return value


class _World:
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
        self.rows[table].append(row)
        return row


def build(
    session: Session, *, seed: int, scale: Literal["small", "large"] = "small"
) -> DemoSummary:
    """Fill an empty database with the synthetic demo network.

    Args:
        session: An open session on a migrated, empty database (the caller commits).
        seed: Random seed; the same seed gives identical rows on every backend.
        scale: ``"small"`` (the app's first start and tests) or ``"large"`` (benchmarks:
            about 3,000 measures, 150,000 observations and 20,000 participants).

    Returns:
        A ``DemoSummary`` with row counts per table and the designed patterns.

    Raises:
        ValueError: ``scale`` is not one of the known sizes.
        DatabaseNotEmptyError: The database already holds organisations or dataset facts.
    """
    if scale not in SPECS:
        raise ValueError(f"scale must be one of {', '.join(SPECS)}, got {scale!r}")
    return build_with_spec(session, seed=seed, spec=SPECS[scale], scale_name=scale)


def build_with_spec(
    session: Session, *, seed: int, spec: SizeSpec, scale_name: str = "custom"
) -> DemoSummary:
    """Build the demo network at an explicit size (``build`` with a ``SizeSpec``).

    Args:
        session: An open session on a migrated, empty database.
        seed: Random seed.
        spec: The sizes to build.
        scale_name: Recorded in ``dataset_info`` as ``demo_scale``.

    Returns:
        A ``DemoSummary``.

    Raises:
        DatabaseNotEmptyError: The database already holds data.
    """
    for model in (m.Organisation, m.DatasetInfo, m.Participant):
        if session.scalar(sa.select(sa.func.count()).select_from(model)):
            raise DatabaseNotEmptyError(
                "demo data can only be loaded into an empty database; "
                f"table {model.__tablename__!r} already has rows"
            )
    w = _World(seed, spec)
    _reference(w)
    _workforce(w)
    _programmes(w)
    _participants(w)
    _projects(w)
    _surveys(w)
    _events(w)
    _milestones(w)
    _access(w)
    w.add("dataset_info", key="synthetic", value="true")
    w.add("dataset_info", key="demo_seed", value=str(seed))
    w.add("dataset_info", key="demo_scale", value=scale_name)
    # Relative periods ("Last 12 months") are measured from the data's own "today".
    w.add("dataset_info", key="reference_date", value=DEMO_TODAY.isoformat())
    w.add("dataset_info", key="network_name", value=NETWORK_NAME)
    _write(session, w)
    return DemoSummary(
        seed=seed,
        scale=scale_name,
        rows=MappingProxyType({t: len(r) for t, r in w.rows.items()}),
        patterns=MappingProxyType(dict(w.patterns)),
    )


def _write(session: Session, w: _World) -> None:
    """One bulk insert per table, parents first; then move PostgreSQL sequences on."""
    chunk = 20_000
    for table in m.Base.metadata.sorted_tables:
        rows = w.rows[table.name]
        for i in range(0, len(rows), chunk):
            session.execute(insert(table), rows[i : i + chunk])
    session.flush()
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        for table in m.Base.metadata.sorted_tables:
            col = table.c.get("id")
            if col is None or not col.primary_key or not w.rows[table.name]:
                continue
            session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT MAX(id) FROM {table.name}))"
                )
            )


# --- Sections ----------------------------------------------------------------------------


def _reference(w: _World) -> None:
    for code, name, kind in ORGANISATIONS:
        oid = w.ids("organisation")
        w.org_id[code] = oid
        w.add("organisation", id=oid, code=code, name=name, kind=kind)
    for order, group in enumerate(StaffGroup, start=1):
        w.add("staff_group", code=group.value, label=group.label, is_staff=group.is_staff,
              hard_to_reach=group.hard_to_reach, sort_order=order)  # fmt: skip
    rng = _rng(w.seed, 1)
    specs = [(o, c, n, p, int(h * w.spec.headcount_scale)) for o, c, n, p, h in DIRECTORATES]
    for i, (org, name, profile) in enumerate(_EXTRA_DIRECTORATES[: w.spec.extra_directorates]):
        specs.append((org, f"X{i + 1:02d}", name, profile, int(rng.integers(300, 1400))))
    for org, code, name, profile, headcount in specs:
        did = w.ids("directorate")
        d = {"id": did, "org": org, "name": name, "profile": profile, "headcount": headcount}
        w.dirs.append(d)
        w.dir_by_name[name] = d
        w.add("directorate", id=did, organisation_id=w.org_id[org], code=code, name=name)


def _workforce(w: _World) -> None:
    rng = _rng(w.seed, 2)
    for d in w.dirs:
        mix = _MIX[d["profile"]]
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


def _programmes(w: _World) -> None:
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


def _pick_directorate(w: _World, rng: np.random.Generator, group: StaffGroup) -> dict:
    weights = np.array([w.workforce.get((d["id"], group), 0) for d in w.dirs], dtype=float)
    if weights.sum() == 0:
        return w.dirs[int(rng.integers(len(w.dirs)))]
    return w.dirs[int(rng.choice(len(w.dirs), p=weights / weights.sum()))]


def _new_participant(w: _World, rng: np.random.Generator, group: StaffGroup,
                     directorate: dict | None, org: str) -> dict:  # fmt: skip
    pid = w.ids("participant")
    band = None
    if group in _BANDS:
        options = _BANDS[group]
        band = options[int(rng.integers(len(options)))]
    person = {"id": pid, "group": group, "dir": directorate, "org": org}
    w.participants.append(person)
    w.add("participant", id=pid, reference=f"P-{pid:05d}",
          organisation_id=w.org_id[org], directorate_id=directorate["id"] if directorate else None,
          staff_group_code=group.value, band=band)  # fmt: skip
    return person


def _participants(w: _World) -> None:
    """Participants and enrolments, cohort by cohort, with deliberately uneven reach."""
    rng = _rng(w.seed, 3)
    staff_groups = [g for g in StaffGroup if g.is_staff]
    # General reach: workforce × propensity (nursing, medical, AHP over-represented).
    totals = {g: sum(v for (_, gg), v in w.workforce.items() if gg is g) for g in staff_groups}
    general = np.array([totals[g] * _PROPENSITY[g] for g in staff_groups])
    general = general / general.sum()
    support = np.array([_SUPPORT_MIX.get(g, 0.0) for g in staff_groups])
    support = support / support.sum()
    for c in w.cohorts:
        prog: _ProgrammeDef = c["programme"]
        n = max(3, int(round(c["places"] * rng.uniform(0.8, 1.08))))
        enrolled_here: set[int] = set()
        for _ in range(n):
            person = None
            # Some people come back for another programme.
            if w.participants and rng.random() < 0.14:
                cand = w.participants[int(rng.integers(len(w.participants)))]
                fits = cand["group"] in HARD_TO_REACH if prog.support_mix else True
                if fits and cand["id"] not in enrolled_here:
                    person = cand
            if person is None:
                roll = rng.random()
                if not prog.support_mix and roll < 0.07 and prog.code in ("NET", "ASP", "JOY"):
                    group = SG.PATIENT_CARER
                elif not prog.support_mix and roll < 0.10:
                    group = SG.VOLUNTEER if roll < 0.09 else SG.PARTNER_ORGANISATION
                else:
                    probs = support if prog.support_mix else general
                    group = staff_groups[int(rng.choice(len(staff_groups), p=probs))]
                if group.is_staff:
                    d = _pick_directorate(w, rng, group)
                    person = _new_participant(w, rng, group, d, d["org"])
                else:
                    org = "WCA" if group is not SG.PATIENT_CARER else prog.lead_org
                    person = _new_participant(w, rng, group, None, org)
            enrolled_here.add(person["id"])
            _enrol(w, rng, person, c)
    # Roles.
    for person in w.participants:
        roles = []
        if person["group"] is SG.PATIENT_CARER:
            roles.append(ParticipantRole.PATIENT_PARTNER)
        r = rng.random()
        if person["group"].is_staff:
            if r < 0.06:
                roles.append(ParticipantRole.MENTOR)
            if 0.05 < r < 0.14:
                roles.append(ParticipantRole.Q_MEMBER)
            if rng.random() < 0.10:
                roles.append(ParticipantRole.IMPROVEMENT_CONNECTOR)
            if rng.random() < 0.03:
                roles.append(ParticipantRole.COACH)
        for role in roles:
            w.add("participant_role", id=w.ids("participant_role"),
                  participant_id=person["id"], role=role)  # fmt: skip


def _enrol(w: _World, rng: np.random.Generator, person: dict, c: dict) -> None:
    start, end = c["start"], c["end"]
    applied = start - timedelta(days=int(rng.integers(14, 60)))
    enrolled = completed = withdrawn = None
    r = rng.random()
    if end < DEMO_TODAY:  # finished cohort
        enrolled = start - timedelta(days=int(rng.integers(0, 10)))
        if r < 0.76:
            status = EnrolmentStatus.COMPLETED
            completed = min(end + timedelta(days=int(rng.integers(0, 21))), DEMO_TODAY)
        elif r < 0.91:
            status = EnrolmentStatus.WITHDRAWN
            span = max(1, (end - start).days)
            withdrawn = start + timedelta(days=int(rng.integers(7, span)))
        else:
            status = EnrolmentStatus.ENROLLED  # finished the course, project not yet signed off
    elif start <= DEMO_TODAY:  # running
        enrolled = start - timedelta(days=int(rng.integers(0, 10)))
        if r < 0.86:
            status = EnrolmentStatus.ENROLLED
        elif r < 0.94:
            status = EnrolmentStatus.WITHDRAWN
            span = max(2, (DEMO_TODAY - start).days)
            withdrawn = start + timedelta(days=int(rng.integers(1, span)))
        else:
            status, enrolled = EnrolmentStatus.APPLIED, None
            applied = min(applied, DEMO_TODAY)
    else:  # future intake
        applied = min(applied, DEMO_TODAY - timedelta(days=int(rng.integers(0, 20))))
        if r < 0.35:
            status = EnrolmentStatus.ENROLLED
            enrolled = min(applied + timedelta(days=int(rng.integers(3, 20))), DEMO_TODAY)
        else:
            status = EnrolmentStatus.APPLIED
    eid = w.ids("enrolment")
    w.enrolments.append({"id": eid, "person": person, "cohort": c, "status": status,
                         "enrolled": enrolled, "completed": completed,
                         "withdrawn": withdrawn})  # fmt: skip
    w.add("enrolment", id=eid, participant_id=person["id"], cohort_id=c["id"], status=status,
          applied_on=applied, enrolled_on=enrolled, completed_on=completed,
          withdrawn_on=withdrawn)  # fmt: skip


_STATUS_SCORE: dict[ProjectStatus, tuple[float, float]] = {
    ProjectStatus.IDEA: (0.5, 1.0), ProjectStatus.PLANNING: (1.0, 1.5),
    ProjectStatus.TESTING: (2.0, 3.0), ProjectStatus.IMPLEMENTING: (3.0, 3.5),
    ProjectStatus.SUSTAINING: (4.0, 4.5), ProjectStatus.SPREADING: (4.5, 4.5),
    ProjectStatus.COMPLETE: (4.5, 5.0), ProjectStatus.STOPPED: (1.5, 2.5),
}  # fmt: skip


def _project_defs(spec: SizeSpec) -> list[tuple[_ProjectDef, int]]:
    """The catalogue, cut or repeated (as copy number > 0) to the requested project count."""
    out = [(p, 0) for p in MEASURE_CATALOGUE[: spec.projects]]
    repeatable = [p for p in MEASURE_CATALOGUE if p.repeatable]
    copy = 1
    while len(out) < spec.projects:
        for p in repeatable:
            if len(out) >= spec.projects:
                break
            out.append((p, copy))
        copy += 1
    return out


def _projects(w: _World) -> None:
    rng = _rng(w.seed, 4)
    prng = _pyrng(w.seed, 4)
    statuses = list(ProjectStatus)
    status_weights = np.array([0.06, 0.10, 0.24, 0.20, 0.14, 0.06, 0.14, 0.06])
    by_programme: dict[str, list[dict]] = {}
    for e in w.enrolments:
        if e["status"] is not EnrolmentStatus.APPLIED and e["person"]["group"].is_staff:
            by_programme.setdefault(e["cohort"]["programme"].code, []).append(e)
    extra_dirs = w.dirs[len(DIRECTORATES) :]
    for index, (pdef, copy) in enumerate(_project_defs(w.spec)):
        pid = w.ids("project")
        directorate = w.dir_by_name[pdef.directorate]
        title = pdef.title
        if copy:
            if extra_dirs and copy % 2 == 0:
                directorate = extra_dirs[(index + copy) % len(extra_dirs)]
            title = f"{pdef.title} ({directorate['name']}, team {copy + 1})"
        if index == 0:
            status = ProjectStatus.SUSTAINING
        else:
            status = statuses[int(rng.choice(len(statuses), p=status_weights))]
        pool = by_programme.get(pdef.programme, [])
        same_dir = [e for e in pool if e["person"]["dir"] is directorate]
        candidates = same_dir or pool
        lead_e = candidates[int(rng.integers(len(candidates)))] if candidates else None
        cohort = lead_e["cohort"] if lead_e else None
        started = (cohort["start"] if cohort else date(2024, 1, 1)) + timedelta(
            days=int(rng.integers(14, 70))
        )
        longest = max(
            md.points * (7 if md.frequency is Frequency.WEEKLY else 30.4)
            for md in _project_measures(pdef)
        )
        started = min(started, DEMO_TODAY - timedelta(days=int(longest * 0.6)))
        w.add("project", id=pid, code=f"QI-{pid:04d}", title=title, aim=pdef.aim,
              directorate_id=directorate["id"], programme_id=w.prog_id[pdef.programme],
              cohort_id=cohort["id"] if cohort else None,
              lead_participant_id=lead_e["person"]["id"] if lead_e else None,
              status=status, started_on=started)  # fmt: skip
        # Team.
        team = {lead_e["person"]["id"]: "lead"} if lead_e else {}
        extra = candidates + pool
        for _ in range(int(rng.integers(2, 6))):
            if extra:
                other = extra[int(rng.integers(len(extra)))]["person"]["id"]
                team.setdefault(other, "member")
        if rng.random() < 0.4:
            partners = [p for p in w.participants if p["group"] is SG.PATIENT_CARER]
            if partners:
                team.setdefault(partners[int(rng.integers(len(partners)))]["id"], "patient partner")
        for person_id, team_role in sorted(team.items()):
            w.add("project_member", project_id=pid, participant_id=person_id,
                  team_role=team_role)  # fmt: skip
        _progress(w, rng, pid, status, started)
        for mdef in _project_measures(pdef):
            _measure(w, prng, rng, pid, pdef, mdef, copy, status)


def _progress(w: _World, rng: np.random.Generator, pid: int, status: ProjectStatus,
              started: date) -> None:  # fmt: skip
    lo, hi = _STATUS_SCORE[status]
    final = float(lo + 0.5 * int(rng.integers(0, int((hi - lo) / 0.5) + 1)))
    months = max(1, (DEMO_TODAY.year - started.year) * 12 + DEMO_TODAY.month - started.month)
    n = min(max(2, months // 2), 10)
    scores = np.linspace(0.5, final if status is not ProjectStatus.STOPPED else final + 0.5, n)
    scores = np.round(scores * 2) / 2
    scores = np.maximum.accumulate(scores)
    if status is ProjectStatus.STOPPED:
        scores[-1] = final  # the one that slid back before it was stopped
    for i, s in enumerate(scores):
        on = started + timedelta(days=int(round(i * (DEMO_TODAY - started).days / n)) + 1)
        w.add("progress_score", id=w.ids("progress_score"), project_id=pid, scored_on=on,
              score=float(min(max(s, 0.5), 5.0)))  # fmt: skip


def _measure(w: _World, prng: random.Random, rng: np.random.Generator, project_id: int,
             pdef: _ProjectDef, mdef: _MeasureDef, copy: int,
             status: ProjectStatus) -> None:  # fmt: skip
    mid = w.ids("measure")
    n = (
        max(mdef.points, w.spec.min_points)
        if copy == 0
        else max(w.spec.min_points, mdef.points - int(rng.integers(0, 8)))
    )
    end = DEMO_TODAY
    if status in (ProjectStatus.COMPLETE, ProjectStatus.STOPPED) and pdef.title != SHOWCASE_PROJECT:
        end = DEMO_TODAY - timedelta(days=90)
    periods = _period_starts(mdef.frequency, n, _last_period(mdef.frequency, end))
    series = _design_series(rng, mdef, n)
    w.patterns[mdef.name if copy == 0 else f"{mdef.name} [{project_id}]"] = mdef.patterns
    w.add("measure", id=mid, project_id=project_id, name=mdef.name,
          definition=f"{mdef.name}, counted {mdef.frequency.value} by the project team.",
          measure_type=mdef.measure_type, unit=mdef.unit, frequency=mdef.frequency,
          chart_type=mdef.chart, improvement_direction=mdef.direction, target=mdef.target,
          baseline_points=12 if n >= 30 and prng.random() < 0.3 else None)  # fmt: skip
    missing: set[int] = set()
    if MISSING in mdef.patterns:
        k = series.change or n // 2
        missing = {max(2, k - 5), max(2, k - 4)} if k > 8 else {n - 3}
    for i, period in enumerate(periods):
        if i in missing:
            continue
        num, den, val = series.numerator[i], series.denominator[i], series.value[i]
        note = None
        if i - 1 in missing:
            note = "Previous period(s) not collected: audit lead on leave"
        elif series.outlier_at == i:
            note = "Unusual period: checked and confirmed"
        w.add("observation", id=w.ids("observation"), measure_id=mid, chart_type=mdef.chart,
              period_start=period, value=val, numerator=num, denominator=den,
              note=note)  # fmt: skip
    created = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    if series.change is not None:
        kind = (
            AnnotationKind.PDSA if mdef.change.startswith("PDSA") else (AnnotationKind.CHANGE_IDEA)
        )
        title = mdef.change or "PDSA 1: first test of change"
        w.add("annotation", id=w.ids("annotation"), measure_id=mid,
              on_date=periods[series.change], kind=kind, title=title[:200],
              detail="Tested on one ward/team first, then extended.", created_by="demo",
              created_at=created, retracted_by=None, retracted_at=None)  # fmt: skip
        if series.change + 6 < n and prng.random() < 0.5:
            w.add("annotation", id=w.ids("annotation"), measure_id=mid,
                  on_date=periods[series.change + 4], kind=AnnotationKind.PDSA,
                  title="PDSA 2: adapted after team feedback", detail="", created_by="demo",
                  created_at=created, retracted_by=None, retracted_at=None)  # fmt: skip
    if series.phase_at is not None:
        w.add("annotation", id=w.ids("annotation"), measure_id=mid,
              on_date=periods[series.phase_at], kind=AnnotationKind.PHASE_BREAK,
              title="New process embedded",
              detail=f"Change embedded as standard work ({mdef.change or 'new process'}); "
              "limits recalculated from here.", created_by="demo", created_at=created,
              retracted_by=None, retracted_at=None)  # fmt: skip
    if series.outlier_at is not None:
        w.add("annotation", id=w.ids("annotation"), measure_id=mid,
              on_date=periods[series.outlier_at], kind=AnnotationKind.NOTE,
              title="One-off event", detail="A single unusual period (e.g. IT outage, "
              "major incident).", created_by="demo", created_at=created,
              retracted_by=None, retracted_at=None)  # fmt: skip


@dataclass
class _Series:
    value: list[float | None]
    numerator: list[float | None]
    denominator: list[float | None]
    change: int | None = None
    phase_at: int | None = None
    outlier_at: int | None = None


def _design_series(rng: np.random.Generator, mdef: _MeasureDef, n: int) -> _Series:
    """Generate a series with the designed patterns, redrawing noise until they show.

    Effects are laid out in sigma units along the improvement direction; a stable
    series is redrawn until no special-cause rule fires. Redraws use the same
    generator, so the result is still a pure function of the seed.
    """
    sign = -1.0 if mdef.direction is ImprovementDirection.DECREASE else 1.0
    pats = set(mdef.patterns)
    for _attempt in range(200):
        effect = np.zeros(n)  # in sigma units, + means "better"
        change = phase_at = outlier_at = None
        if SHIFT in pats or PHASE_BREAK in pats or TREND in pats or DETERIORATION in pats:
            change = int(n * (0.45 if n >= 30 else 0.4))
        forced_trend: tuple[int, int] | None = None
        if TREND in pats and (SHIFT in pats or PHASE_BREAK in pats):
            # PDSA, then 7 steadily improving points, then a sustained new level.
            change = min(change, n - 17)
            effect[change : change + 7] = np.linspace(0.45, 3.2, 7)
            effect[change + 7 :] = 3.2
            forced_trend = (change, 7)
        elif TREND in pats:
            change = n - 8
            effect[change : change + 7] = np.linspace(0.45, 3.0, 7)
            effect[change + 7 :] = 3.0
            forced_trend = (change, 7)
        elif SHIFT in pats:
            change = min(change, n - 10)
            effect[change:] = 2.6
        if PHASE_BREAK in pats:
            if TREND in pats:
                phase_at = change + 7  # the new level is embedded once the trend ends
            elif SHIFT in pats:
                phase_at = min(change + 3, n - 9)
            else:
                phase_at = change
                effect[phase_at:] = 3.0
        if DETERIORATION in pats:
            start = n - 10
            effect[start:] -= 2.6
            change = change if change is not None and change < start else None
            if SHIFT not in pats and TREND not in pats:
                change = None
        if OUTLIER in pats:
            outlier_at = int(n * 0.3)
        two3 = None
        if TWO_OF_THREE in pats:
            two3 = int(n * 0.6)
        noise = rng.standard_normal(n)
        if forced_trend:
            a, k = forced_trend
            # Keep the trend strictly monotone: small, sorted noise on its points.
            noise[a : a + k] = np.sort(noise[a : a + k] * 0.1)
            if a > 0:
                noise[a - 1] = min(noise[a - 1], noise[a] - 0.1)
        if two3 is not None:
            noise[two3] = noise[two3 + 2] = 0.0
            effect[two3] = effect[two3 + 2] = 2.75
            effect[two3 + 1] = 0.0
            noise[two3 + 1] = float(np.clip(noise[two3 + 1], -0.5, 0.5))
        latent = effect + noise
        if outlier_at is not None:
            latent[outlier_at] = -6.5 if OUTLIER in pats and SHIFT in pats else 6.5
        series = _realise(rng, mdef, sign, latent)
        series.change, series.phase_at, series.outlier_at = change, phase_at, outlier_at
        if _check(mdef, series, pats, phase_at):
            return series
    raise RuntimeError(f"could not design a series for {mdef.name!r}")  # pragma: no cover


def _realise(rng: np.random.Generator, mdef: _MeasureDef, sign: float,
             latent: np.ndarray) -> _Series:  # fmt: skip
    """Turn sigma-unit latent values into the measure's own values / counts."""
    n = len(latent)
    chart = mdef.chart
    if chart in (ChartType.XMR, ChartType.RUN):
        y = mdef.centre + sign * latent * mdef.spread
        y = np.maximum(np.round(y, 1 if mdef.spread >= 0.5 else 2), 0.0)
        return _Series([float(v) for v in y], [None] * n, [None] * n)
    if chart is ChartType.C:
        lam = mdef.centre
        y = np.maximum(np.round(lam + sign * latent * math.sqrt(lam)), 0)
        return _Series([float(v) for v in y], [None] * n, [None] * n)
    den = np.maximum(np.round(mdef.spread * rng.uniform(0.85, 1.15, n)), 5)
    if chart is ChartType.P:
        p = mdef.centre
        sd = np.sqrt(p * (1 - p) / den)
        num = np.clip(np.round(den * (p + sign * latent * sd)), 0, den)
    else:  # u
        u = mdef.centre
        sd = np.sqrt(u / den)
        num = np.clip(np.round(den * (u + sign * latent * sd)), 0, den)
    return _Series([None] * n, [float(v) for v in num], [float(v) for v in den])


def _check(mdef: _MeasureDef, s: _Series, pats: set[str], phase_at: int | None) -> bool:
    """Do the designed rules fire (and, for stable series, nothing else)?"""
    if mdef.chart in (ChartType.P, ChartType.U):
        num, den = np.array(s.numerator), np.array(s.denominator)
        y = num / den
        centre = num.sum() / den.sum()
        if mdef.chart is ChartType.P:
            sd = np.sqrt(centre * (1 - centre) / den)
        else:
            sd = np.sqrt(centre / den)
    else:
        y = np.array(s.value, dtype=float)
        centre = y.mean()
        sd = np.full(len(y), _xmr_sigma(y))
        if mdef.chart is ChartType.C:
            sd = np.full(len(y), math.sqrt(max(centre, 0.5)))
    if (sd <= 0).any():
        return False
    if phase_at is not None and SHIFT not in pats and TREND not in pats:
        # Phase-break series: the step itself must be a signal on one set of limits.
        return _signals(y, sd, centre)["run7"]
    sig = _signals(y, sd, centre)
    if STABLE in pats:
        return not any(sig.values())
    ok = True
    if SHIFT in pats or DETERIORATION in pats or PHASE_BREAK in pats:
        ok &= sig["run7"]
    if TREND in pats:
        ok &= sig["trend6"]
    if OUTLIER in pats:
        ok &= sig["outside"]
    if TWO_OF_THREE in pats:
        ok &= sig["two_of_three"] and not sig["outside"]
    return bool(ok)


# --- Surveys -----------------------------------------------------------------------------

CAPABILITY_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("CAP1", "I can describe the model for improvement and PDSA cycles."),
    ("CAP2", "I can write a clear, measurable aim statement."),
    ("CAP3", "I can plot and interpret a run chart."),
    ("CAP4", "I can map a process and find where it fails."),
    ("CAP5", "I feel confident leading a small test of change."),
    ("CAP6", "I know how to involve patients and service users in improvement."),
    ("CAP7", "I know who to ask for improvement support in my organisation."),
)
PULSE_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("JOY1", "I feel valued by my team."),
    ("JOY2", "I can speak up about things that worry me."),
    ("JOY3", "I had fun at work this month."),
    ("JOY4", "I have the time and equipment to do my job well."),
    ("JOY5", "I would recommend my team as a place to work."),
)


def _surveys(w: _World) -> None:
    rng = _rng(w.seed, 5)
    # Capability self-assessments, pre/mid/post per cohort, linked to participants.
    for prog in PROGRAMMES:
        if not prog.capability_survey:
            continue
        sid = w.ids("survey")
        w.add("survey", id=sid, name=f"{prog.name}: QI skills and confidence",
              kind=SurveyKind.CAPABILITY, programme_id=w.prog_id[prog.code], anonymous=False,
              scale_min=1, scale_max=5)  # fmt: skip
        qids = []
        for pos, (code, text) in enumerate(CAPABILITY_QUESTIONS, start=1):
            qid = w.ids("survey_question")
            qids.append(qid)
            w.add("survey_question", id=qid, survey_id=sid, code=code, text=text, position=pos)
        people_effect: dict[int, float] = {}
        for c in (c for c in w.cohorts if c["programme"] is prog):
            members = [e for e in w.enrolments if e["cohort"] is c and e["enrolled"]]
            mid_date = c["start"] + (c["end"] - c["start"]) / 2
            for kind, opens, lift, rate in (
                (WaveKind.PRE, c["start"], 0.0, 0.88),
                (WaveKind.MID, mid_date, 0.55, 0.66),
                (WaveKind.POST, c["end"], 1.15, 0.62),
            ):
                if opens > DEMO_TODAY:
                    continue
                wid = w.ids("survey_wave")
                w.add("survey_wave", id=wid, survey_id=sid, cohort_id=c["id"], kind=kind,
                      name=f"{c['name']} — {kind.value}", opens_on=opens)  # fmt: skip
                for e in members:
                    if kind is WaveKind.POST and e["status"] is EnrolmentStatus.WITHDRAWN:
                        continue
                    if kind is not WaveKind.PRE and e["withdrawn"] and e["withdrawn"] < opens:
                        continue
                    if rng.random() > rate:
                        continue
                    person = e["person"]
                    base = people_effect.setdefault(person["id"], float(rng.normal(2.3, 0.45)))
                    submitted = min(opens + timedelta(days=int(rng.integers(0, 14))), DEMO_TODAY)
                    _response(w, rng, wid, person["id"], person["group"],
                              person["dir"]["id"] if person["dir"] else None, submitted, qids,
                              base + lift, 0.7)  # fmt: skip
    # Joy-in-work pulse: anonymous, monthly, with staff group and directorate only.
    joy = next(p for p in PROGRAMMES if p.code == "JOY")
    sid = w.ids("survey")
    w.add(
        "survey",
        id=sid,
        name="Joy in work pulse",
        kind=SurveyKind.PULSE,
        programme_id=w.prog_id[joy.code],
        anonymous=True,
        scale_min=1,
        scale_max=5,
    )
    qids = []
    for pos, (code, text) in enumerate(PULSE_QUESTIONS, start=1):
        qid = w.ids("survey_question")
        qids.append(qid)
        w.add("survey_question", id=qid, survey_id=sid, code=code, text=text, position=pos)
    joy_dirs = [
        w.dir_by_name[n]
        for n in (
            "Medicine",
            "Surgery",
            "Adult Mental Health",
            "Older People's Mental Health",
            "Women & Children",
            "Community Nursing",
            "Adult Social Care",
        )
    ]
    joy_dirs += w.dirs[len(DIRECTORATES) :]
    weights = []
    pairs = []
    for d in joy_dirs:
        for g in StaffGroup:
            hc = w.workforce.get((d["id"], g), 0)
            if hc:
                pairs.append((d, g))
                weights.append(hc * (_PROPENSITY.get(g, 0.5) ** 0.5))
    probs = np.array(weights) / sum(weights)
    months = _period_starts(Frequency.MONTHLY, w.spec.pulse_waves, DEMO_TODAY.replace(day=1))
    for i, month in enumerate(months):
        wid = w.ids("survey_wave")
        w.add("survey_wave", id=wid, survey_id=sid, cohort_id=None, kind=WaveKind.PULSE,
              name=f"Pulse {month:%b %Y}", opens_on=month)  # fmt: skip
        lo, hi = w.spec.pulse_responses
        k = int(rng.integers(lo, hi + 1))
        picks = rng.choice(len(pairs), size=k, p=probs)
        mean = 3.0 + 0.6 * i / max(1, len(months) - 1)
        for j in picks:
            d, g = pairs[int(j)]
            submitted = month + timedelta(days=int(rng.integers(0, 14)))
            _response(w, rng, wid, None, g, d["id"], submitted, qids, mean, 0.85)


def _response(w: _World, rng: np.random.Generator, wave_id: int, participant_id: int | None,
              group: StaffGroup, directorate_id: int | None, submitted: date,
              qids: Sequence[int], mean: float, sd: float) -> None:  # fmt: skip
    rid = w.ids("survey_response")
    w.add(
        "survey_response",
        id=rid,
        wave_id=wave_id,
        participant_id=participant_id,
        staff_group_code=group.value,
        directorate_id=directorate_id,
        submitted_on=submitted,
    )
    values = np.clip(np.round(mean + rng.normal(0, sd, len(qids))), 1, 5)
    answers = w.rows["survey_answer"]
    for qid, v in zip(qids, values, strict=True):
        answers.append({"response_id": rid, "question_id": qid, "value": int(v)})


# --- Events ------------------------------------------------------------------------------


def _events(w: _World) -> None:
    rng = _rng(w.seed, 6)
    for c in w.cohorts:
        members = [e for e in w.enrolments if e["cohort"] is c and e["enrolled"]]
        n_sessions = 4 if (c["end"] - c["start"]).days > 200 else 3
        span = (c["end"] - c["start"]).days
        prog: _ProgrammeDef = c["programme"]
        for k in range(n_sessions):
            held = c["start"] + timedelta(days=int(span * k / n_sessions) + 7)
            if held > DEMO_TODAY:
                break
            eid = w.ids("event")
            kind = EventKind.TRAINING if prog.code == "CUL" else EventKind.LEARNING_SESSION
            w.add("event", id=eid, programme_id=w.prog_id[prog.code], directorate_id=None,
                  name=f"{prog.name} — {c['name']}: session {k + 1}", kind=kind, held_on=held,
                  open_event=False)  # fmt: skip
            rate = 0.9 - 0.07 * k
            for e in members:
                if e["withdrawn"] and e["withdrawn"] < held:
                    continue
                if rng.random() < rate:
                    w.add("event_attendance", event_id=eid, participant_id=e["person"]["id"])
    # Open events: counted by staff group, with the same uneven reach.
    opens = (
        ("Improvement world café", EventKind.WORLD_CAFE, date(2024, 2, 15), "NET", 70),
        ("Kestrel Vale QI Festival 2024", EventKind.FESTIVAL, date(2024, 6, 20), "CUL", 240),
        ("Hack day: fixing the little things", EventKind.HACK_DAY, date(2024, 11, 7), "SSQ", 45),
        ("Improvement world café", EventKind.WORLD_CAFE, date(2025, 3, 13), "NET", 80),
        ("Kestrel Vale QI Festival 2025", EventKind.FESTIVAL, date(2025, 6, 19), "CUL", 280),
        ("Network meeting: spreading what works", EventKind.NETWORK_MEETING, date(2025, 9, 11),
         "NET", 55),
    )  # fmt: skip
    share = {g: _PROPENSITY.get(g, 0.0) for g in StaffGroup}
    share.update({SG.PATIENT_CARER: 0.4, SG.VOLUNTEER: 0.2, SG.PARTNER_ORGANISATION: 0.15})
    for name, kind, held, prog, size in opens:
        eid = w.ids("event")
        w.add("event", id=eid, programme_id=w.prog_id[prog], directorate_id=None, name=name,
              kind=kind, held_on=held, open_event=True)  # fmt: skip
        mix = dict(share)
        if prog == "SSQ":
            mix.update({g: _SUPPORT_MIX[g] * 4 for g in _SUPPORT_MIX})
        total = sum(mix.values())
        for g in StaffGroup:
            expected = size * w.spec.open_event_scale * mix[g] / total
            count = int(rng.poisson(expected)) if expected > 0 else 0
            if count:
                w.add("event_group_count", event_id=eid, staff_group_code=g.value,
                      attendees=count)  # fmt: skip


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


def _access(w: _World) -> None:
    prog_by_name = {p.name: w.prog_id[p.code] for p in PROGRAMMES}
    for email, (role, scopes) in DEMO_USERS.items():
        if not scopes:
            w.add("user_role", id=w.ids("user_role"), user_key=email, role=role,
                  directorate_id=None, programme_id=None)  # fmt: skip
        for scope in scopes:
            if role is Role.PROGRAMME_LEAD:
                w.add("user_role", id=w.ids("user_role"), user_key=email, role=role,
                      directorate_id=None, programme_id=prog_by_name[scope])  # fmt: skip
            else:
                w.add(
                    "user_role",
                    id=w.ids("user_role"),
                    user_key=email,
                    role=role,
                    directorate_id=w.dir_by_name[scope]["id"],
                    programme_id=None,
                )
