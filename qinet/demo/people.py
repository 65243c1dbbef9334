"""Demo people: pseudonymised participants, enrolments, roles and events attended.

Events carry staff-group counts for open events.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from qinet.demo.catalogue import (
    BANDS,
    PROPENSITY,
    SUPPORT_MIX,
    ProgrammeDef,
)
from qinet.demo.world import (
    DEMO_TODAY,
    SG,
    World,
    section_rng,
)
from qinet.domain import (
    HARD_TO_REACH,
    EnrolmentStatus,
    EventKind,
    ParticipantRole,
    StaffGroup,
)


def _pick_directorate(w: World, rng: np.random.Generator, group: StaffGroup) -> dict:
    weights = np.array([w.workforce.get((d["id"], group), 0) for d in w.dirs], dtype=float)
    if weights.sum() == 0:
        return w.dirs[int(rng.integers(len(w.dirs)))]
    return w.dirs[int(rng.choice(len(w.dirs), p=weights / weights.sum()))]


def _new_participant(w: World, rng: np.random.Generator, group: StaffGroup,
                     directorate: dict | None, org: str) -> dict:  # fmt: skip
    pid = w.ids("participant")
    band = None
    if group in BANDS:
        options = BANDS[group]
        band = options[int(rng.integers(len(options)))]
    person = {"id": pid, "group": group, "dir": directorate, "org": org}
    w.participants.append(person)
    w.add("participant", id=pid, reference=f"P-{pid:05d}",
          organisation_id=w.org_id[org], directorate_id=directorate["id"] if directorate else None,
          staff_group_code=group.value, band=band)  # fmt: skip
    return person


def _returning(w: World, rng: np.random.Generator, prog: ProgrammeDef,
               enrolled_here: set[int]) -> dict | None:  # fmt: skip
    """Sometimes someone comes back for another programme (if they fit it)."""
    if w.participants and rng.random() < 0.14:
        cand = w.participants[int(rng.integers(len(w.participants)))]
        fits = cand["group"] in HARD_TO_REACH if prog.support_mix else True
        if fits and cand["id"] not in enrolled_here:
            return cand
    return None


def _newcomer(w: World, rng: np.random.Generator, prog: ProgrammeDef,
              staff_groups: list[StaffGroup], probs: np.ndarray) -> dict:  # fmt: skip
    """A new participant: a patient, volunteer or partner now and then, else staff."""
    roll = rng.random()
    if not prog.support_mix and roll < 0.07 and prog.code in ("NET", "ASP", "JOY"):
        group = SG.PATIENT_CARER
    elif not prog.support_mix and roll < 0.10:
        group = SG.VOLUNTEER if roll < 0.09 else SG.PARTNER_ORGANISATION
    else:
        group = staff_groups[int(rng.choice(len(staff_groups), p=probs))]
    if group.is_staff:
        d = _pick_directorate(w, rng, group)
        return _new_participant(w, rng, group, d, d["org"])
    org = "WCA" if group is not SG.PATIENT_CARER else prog.lead_org
    return _new_participant(w, rng, group, None, org)


def _participant_roles(w: World, rng: np.random.Generator) -> None:
    """Patient partners, mentors, Q members, improvement connectors and coaches."""
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


def build_participants(w: World) -> None:
    """Participants and enrolments, cohort by cohort, with deliberately uneven reach."""
    rng = section_rng(w.seed, 3)
    staff_groups = [g for g in StaffGroup if g.is_staff]
    # General reach: workforce × propensity (nursing, medical, AHP over-represented).
    totals = {g: sum(v for (_, gg), v in w.workforce.items() if gg is g) for g in staff_groups}
    general = np.array([totals[g] * PROPENSITY[g] for g in staff_groups])
    general = general / general.sum()
    support = np.array([SUPPORT_MIX.get(g, 0.0) for g in staff_groups])
    support = support / support.sum()
    for c in w.cohorts:
        prog: ProgrammeDef = c["programme"]
        n = max(3, int(round(c["places"] * rng.uniform(0.8, 1.08))))
        enrolled_here: set[int] = set()
        probs = support if prog.support_mix else general
        for _ in range(n):
            person = _returning(w, rng, prog, enrolled_here)
            if person is None:
                person = _newcomer(w, rng, prog, staff_groups, probs)
            enrolled_here.add(person["id"])
            _enrol(w, rng, person, c)
    _participant_roles(w, rng)


def _enrol(w: World, rng: np.random.Generator, person: dict, c: dict) -> None:
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


# --- Events ------------------------------------------------------------------------------


def build_events(w: World) -> None:
    """Cohort sessions with who attended, then open events counted by staff group."""
    rng = section_rng(w.seed, 6)
    _cohort_sessions(w, rng)
    _open_events(w, rng)


def _cohort_sessions(w: World, rng: np.random.Generator) -> None:
    """Three or four sessions per cohort; attendance falls off a little each time."""
    for c in w.cohorts:
        members = [e for e in w.enrolments if e["cohort"] is c and e["enrolled"]]
        n_sessions = 4 if (c["end"] - c["start"]).days > 200 else 3
        span = (c["end"] - c["start"]).days
        prog: ProgrammeDef = c["programme"]
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


def _open_events(w: World, rng: np.random.Generator) -> None:
    """Open events: counted by staff group, with the same uneven reach."""
    opens = (
        ("Improvement world café", EventKind.WORLD_CAFE, date(2024, 2, 15), "NET", 70),
        ("Kestrel Vale QI Festival 2024", EventKind.FESTIVAL, date(2024, 6, 20), "CUL", 240),
        ("Hack day: fixing the little things", EventKind.HACK_DAY, date(2024, 11, 7), "SSQ", 45),
        ("Improvement world café", EventKind.WORLD_CAFE, date(2025, 3, 13), "NET", 80),
        ("Kestrel Vale QI Festival 2025", EventKind.FESTIVAL, date(2025, 6, 19), "CUL", 280),
        ("Network meeting: spreading what works", EventKind.NETWORK_MEETING, date(2025, 9, 11),
         "NET", 55),
    )  # fmt: skip
    share = {g: PROPENSITY.get(g, 0.0) for g in StaffGroup}
    share.update({SG.PATIENT_CARER: 0.4, SG.VOLUNTEER: 0.2, SG.PARTNER_ORGANISATION: 0.15})
    for name, kind, held, prog, size in opens:
        eid = w.ids("event")
        w.add("event", id=eid, programme_id=w.prog_id[prog], directorate_id=None, name=name,
              kind=kind, held_on=held, open_event=True)  # fmt: skip
        mix = dict(share)
        if prog == "SSQ":
            mix.update({g: SUPPORT_MIX[g] * 4 for g in SUPPORT_MIX})
        total = sum(mix.values())
        for g in StaffGroup:
            expected = size * w.spec.open_event_scale * mix[g] / total
            count = int(rng.poisson(expected)) if expected > 0 else 0
            if count:
                w.add("event_group_count", event_id=eid, staff_group_code=g.value,
                      attendees=count)  # fmt: skip
