"""Demo projects and measures: statuses, progress, teams and designed measure series.

Each series is redrawn from the same generator until its designed SPC patterns show.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from qinet.demo.catalogue import (
    DETERIORATION,
    DIRECTORATES,
    MEASURE_CATALOGUE,
    MISSING,
    OUTLIER,
    PHASE_BREAK,
    SHIFT,
    SHOWCASE_PROJECT,
    STABLE,
    TREND,
    TWO_OF_THREE,
    MeasureDef,
    ProjectDef,
    project_measures,
)
from qinet.demo.world import (
    DEMO_TODAY,
    SG,
    SizeSpec,
    World,
    last_period,
    period_starts,
    section_pyrng,
    section_rng,
)
from qinet.domain import (
    AnnotationKind,
    ChartType,
    EnrolmentStatus,
    Frequency,
    ImprovementDirection,
    ProjectStatus,
)


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


_STATUS_SCORE: dict[ProjectStatus, tuple[float, float]] = {
    ProjectStatus.IDEA: (0.5, 1.0), ProjectStatus.PLANNING: (1.0, 1.5),
    ProjectStatus.TESTING: (2.0, 3.0), ProjectStatus.IMPLEMENTING: (3.0, 3.5),
    ProjectStatus.SUSTAINING: (4.0, 4.5), ProjectStatus.SPREADING: (4.5, 4.5),
    ProjectStatus.COMPLETE: (4.5, 5.0), ProjectStatus.STOPPED: (1.5, 2.5),
}  # fmt: skip


def _project_defs(spec: SizeSpec) -> list[tuple[ProjectDef, int]]:
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


def build_projects(w: World) -> None:
    """Projects with their measures, observations and annotations (designed signals)."""
    rng = section_rng(w.seed, 4)
    prng = section_pyrng(w.seed, 4)
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
            directorate, title = _copy_site(pdef, copy, index, directorate, extra_dirs)
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
            for md in project_measures(pdef)
        )
        started = min(started, DEMO_TODAY - timedelta(days=int(longest * 0.6)))
        w.add("project", id=pid, code=f"QI-{pid:04d}", title=title, aim=pdef.aim,
              directorate_id=directorate["id"], programme_id=w.prog_id[pdef.programme],
              cohort_id=cohort["id"] if cohort else None,
              lead_participant_id=lead_e["person"]["id"] if lead_e else None,
              status=status, started_on=started)  # fmt: skip
        _team(w, rng, pid, lead_e, candidates + pool)
        _progress(w, rng, pid, status, started)
        for mdef in project_measures(pdef):
            _measure(w, prng, rng, pid, pdef, mdef, copy, status)


def _copy_site(pdef: ProjectDef, copy: int, index: int, directorate: dict,
               extra_dirs: list[dict]) -> tuple[dict, str]:  # fmt: skip
    """A repeated project's directorate (every other copy elsewhere) and its title."""
    if extra_dirs and copy % 2 == 0:
        directorate = extra_dirs[(index + copy) % len(extra_dirs)]
    return directorate, f"{pdef.title} ({directorate['name']}, team {copy + 1})"


def _team(w: World, rng: np.random.Generator, pid: int, lead_e: dict | None,
          extra: list[dict]) -> None:  # fmt: skip
    """The project's lead, two to five members and sometimes a patient partner."""
    team = {lead_e["person"]["id"]: "lead"} if lead_e else {}
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


def _progress(w: World, rng: np.random.Generator, pid: int, status: ProjectStatus,
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


def _measure(w: World, prng: random.Random, rng: np.random.Generator, project_id: int,
             pdef: ProjectDef, mdef: MeasureDef, copy: int,
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
    periods = period_starts(mdef.frequency, n, last_period(mdef.frequency, end))
    series = _design_series(rng, mdef, n)
    w.patterns[mdef.name if copy == 0 else f"{mdef.name} [{project_id}]"] = mdef.patterns
    w.add("measure", id=mid, project_id=project_id, name=mdef.name,
          definition=f"{mdef.name}, counted {mdef.frequency.value} by the project team.",
          measure_type=mdef.measure_type, unit=mdef.unit, frequency=mdef.frequency,
          chart_type=mdef.chart, improvement_direction=mdef.direction, target=mdef.target,
          multiplier=mdef.multiplier,
          baseline_points=12 if n >= 30 and prng.random() < 0.3 else None)  # fmt: skip
    _observations(w, mid, mdef, series, periods, n)
    _measure_annotations(w, prng, mid, mdef, series, periods, n)


def _observations(w: World, mid: int, mdef: MeasureDef, series: _Series, periods: list[date],
                  n: int) -> None:  # fmt: skip
    """The series as observation rows, with a designed gap (and a note after it)."""
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


def _measure_annotations(w: World, prng: random.Random, mid: int, mdef: MeasureDef,
                         series: _Series, periods: list[date], n: int) -> None:  # fmt: skip
    """The PDSA or change idea at the change, a phase break and a note on the outlier."""
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


@dataclass
class _Layout:
    """Where a series' designed effects go (sigma units, + means better); no randomness."""

    effect: np.ndarray
    change: int | None = None
    phase_at: int | None = None
    outlier_at: int | None = None
    two3: int | None = None
    forced_trend: tuple[int, int] | None = None


def _lay_out_level(pats: set[str], n: int, lay: _Layout) -> None:
    """The change point and the new level: a trend then a level, a trend, or a shift."""
    effect = lay.effect
    if SHIFT in pats or PHASE_BREAK in pats or TREND in pats or DETERIORATION in pats:
        lay.change = int(n * (0.45 if n >= 30 else 0.4))
    if TREND in pats and (SHIFT in pats or PHASE_BREAK in pats):
        # PDSA, then 7 steadily improving points, then a sustained new level.
        change = lay.change = min(lay.change, n - 17)
        effect[change : change + 7] = np.linspace(0.45, 3.2, 7)
        effect[change + 7 :] = 3.2
        lay.forced_trend = (change, 7)
    elif TREND in pats:
        change = lay.change = n - 8
        effect[change : change + 7] = np.linspace(0.45, 3.0, 7)
        effect[change + 7 :] = 3.0
        lay.forced_trend = (change, 7)
    elif SHIFT in pats:
        change = lay.change = min(lay.change, n - 10)
        effect[change:] = 2.6


def _lay_out_breaks(pats: set[str], n: int, lay: _Layout) -> None:
    """A phase break where the change is embedded, and a late deterioration."""
    if PHASE_BREAK in pats:
        if TREND in pats:
            lay.phase_at = lay.change + 7  # the new level is embedded once the trend ends
        elif SHIFT in pats:
            lay.phase_at = min(lay.change + 3, n - 9)
        else:
            lay.phase_at = lay.change
            lay.effect[lay.phase_at :] = 3.0
    if DETERIORATION in pats:
        start = n - 10
        lay.effect[start:] -= 2.6
        change = lay.change
        lay.change = change if change is not None and change < start else None
        if SHIFT not in pats and TREND not in pats:
            lay.change = None


def _lay_out(pats: set[str], n: int) -> _Layout:
    """The designed effects of a series of ``n`` points with patterns ``pats``."""
    lay = _Layout(effect=np.zeros(n))
    _lay_out_level(pats, n, lay)
    _lay_out_breaks(pats, n, lay)
    if OUTLIER in pats:
        lay.outlier_at = int(n * 0.3)
    if TWO_OF_THREE in pats:
        lay.two3 = int(n * 0.6)
    return lay


def _shape_noise(noise: np.ndarray, lay: _Layout) -> None:
    """Keep a designed trend monotone and a two-of-three window exact (in place)."""
    if lay.forced_trend:
        a, k = lay.forced_trend
        # Keep the trend strictly monotone: small, sorted noise on its points.
        noise[a : a + k] = np.sort(noise[a : a + k] * 0.1)
        if a > 0:
            noise[a - 1] = min(noise[a - 1], noise[a] - 0.1)
    two3 = lay.two3
    if two3 is not None:
        noise[two3] = noise[two3 + 2] = 0.0
        lay.effect[two3] = lay.effect[two3 + 2] = 2.75
        lay.effect[two3 + 1] = 0.0
        noise[two3 + 1] = float(np.clip(noise[two3 + 1], -0.5, 0.5))


def _design_series(rng: np.random.Generator, mdef: MeasureDef, n: int) -> _Series:
    """Generate a series with the designed patterns, redrawing noise until they show.

    Effects are laid out in sigma units along the improvement direction; a stable
    series is redrawn until no special-cause rule fires. Redraws use the same
    generator, so the result is still a pure function of the seed.
    """
    sign = -1.0 if mdef.direction is ImprovementDirection.DECREASE else 1.0
    pats = set(mdef.patterns)
    for _attempt in range(200):
        lay = _lay_out(pats, n)
        noise = rng.standard_normal(n)
        _shape_noise(noise, lay)
        latent = lay.effect + noise
        if lay.outlier_at is not None:
            latent[lay.outlier_at] = -6.5 if OUTLIER in pats and SHIFT in pats else 6.5
        series = _realise(rng, mdef, sign, latent)
        series.change, series.phase_at, series.outlier_at = (
            lay.change,
            lay.phase_at,
            lay.outlier_at,
        )
        if _check(mdef, series, pats, lay.phase_at):
            return series
    raise RuntimeError(f"could not design a series for {mdef.name!r}")  # pragma: no cover


def _realise(rng: np.random.Generator, mdef: MeasureDef, sign: float,
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


def _check_inputs(mdef: MeasureDef, s: _Series) -> tuple[np.ndarray, float, np.ndarray]:
    """(values, centre, per-point sigma) as the measure's chart type works them out."""
    if mdef.chart in (ChartType.P, ChartType.U):
        num, den = np.array(s.numerator), np.array(s.denominator)
        y = num / den
        centre = num.sum() / den.sum()
        if mdef.chart is ChartType.P:
            sd = np.sqrt(centre * (1 - centre) / den)
        else:
            sd = np.sqrt(centre / den)
        return y, centre, sd
    y = np.array(s.value, dtype=float)
    centre = y.mean()
    sd = np.full(len(y), _xmr_sigma(y))
    if mdef.chart is ChartType.C:
        sd = np.full(len(y), math.sqrt(max(centre, 0.5)))
    return y, centre, sd


def _designed_fire(sig: dict[str, bool], pats: set[str]) -> bool:
    """Every designed pattern's rule fires (an outlier-free two-of-three included)."""
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


def _check(mdef: MeasureDef, s: _Series, pats: set[str], phase_at: int | None) -> bool:
    """Do the designed rules fire (and, for stable series, nothing else)?"""
    y, centre, sd = _check_inputs(mdef, s)
    if (sd <= 0).any():
        return False
    if phase_at is not None and SHIFT not in pats and TREND not in pats:
        # Phase-break series: the step itself must be a signal on one set of limits.
        return _signals(y, sd, centre)["run7"]
    sig = _signals(y, sd, centre)
    if STABLE in pats:
        return not any(sig.values())
    return _designed_fire(sig, pats)
