"""Demo surveys: capability self-assessments (pre, mid, post) and joy-in-work pulses.

Questions, scales and anchors come from the shipped instruments (``qinet/instruments``),
through :mod:`qinet.demo.surveys_instruments`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from qinet import instruments
from qinet.demo.catalogue import (
    DIRECTORATES,
    PROGRAMMES,
    PROPENSITY,
)
from qinet.demo.surveys_instruments import DemoQuestion, add_questions, answers, survey_row
from qinet.demo.world import (
    DEMO_TODAY,
    World,
    period_starts,
    section_rng,
)
from qinet.domain import (
    EnrolmentStatus,
    Frequency,
    StaffGroup,
    SurveyKind,
    WaveKind,
)

# --- Surveys -----------------------------------------------------------------------------

def build_surveys(w: World) -> None:
    """Capability self-assessments per cohort, then the anonymous joy-in-work pulse."""
    rng = section_rng(w.seed, 5)
    _capability_surveys(w, rng)
    _pulse_survey(w, rng)


def _capability_surveys(w: World, rng: np.random.Generator) -> None:
    """Capability self-assessments, pre/mid/post per cohort, linked to participants."""
    skills = instruments.load(instruments.QI_SKILLS)
    for prog in PROGRAMMES:
        if not prog.capability_survey:
            continue
        sid = w.ids("survey")
        w.add("survey", id=sid, name=f"{prog.name}: QI skills and confidence",
              kind=SurveyKind.CAPABILITY, programme_id=w.prog_id[prog.code], anonymous=False,
              **survey_row(skills))  # fmt: skip
        qids = add_questions(w, sid, skills)
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
                _capability_wave(w, rng, wid, kind, opens, lift, rate, members, qids,
                                 people_effect)  # fmt: skip


def _capability_wave(w: World, rng: np.random.Generator, wid: int, kind: WaveKind,
                     opens: date, lift: float, rate: float, members: list[dict],
                     qids: list[int], people_effect: dict[int, float]) -> None:  # fmt: skip
    """One wave's responses: the members still enrolled who answer, each a little better."""
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


_JOY_DIRECTORATES = (
    "Medicine",
    "Surgery",
    "Adult Mental Health",
    "Older People's Mental Health",
    "Women & Children",
    "Community Nursing",
    "Adult Social Care",
)


def _pulse_pairs(w: World) -> tuple[list[tuple[dict, StaffGroup]], np.ndarray]:
    """(directorate, staff group) cells the pulse samples, weighted by headcount and reach."""
    joy_dirs = [w.dir_by_name[n] for n in _JOY_DIRECTORATES]
    joy_dirs += w.dirs[len(DIRECTORATES) :]
    weights = []
    pairs = []
    for d in joy_dirs:
        for g in StaffGroup:
            hc = w.workforce.get((d["id"], g), 0)
            if hc:
                pairs.append((d, g))
                weights.append(hc * (PROPENSITY.get(g, 0.5) ** 0.5))
    return pairs, np.array(weights) / sum(weights)


def _pulse_survey(w: World, rng: np.random.Generator) -> None:
    """Joy-in-work pulse: anonymous, monthly, with staff group and directorate only."""
    joy = next(p for p in PROGRAMMES if p.code == "JOY")
    inst = instruments.load(instruments.JOY_IN_WORK)
    sid = w.ids("survey")
    w.add(
        "survey",
        id=sid,
        name=inst.name,
        kind=SurveyKind.PULSE,
        programme_id=w.prog_id[joy.code],
        anonymous=True,
        **survey_row(inst),
    )
    qids = add_questions(w, sid, inst)
    pairs, probs = _pulse_pairs(w)
    months = period_starts(Frequency.MONTHLY, w.spec.pulse_waves, DEMO_TODAY.replace(day=1))
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


def _response(w: World, rng: np.random.Generator, wave_id: int, participant_id: int | None,
              group: StaffGroup, directorate_id: int | None, submitted: date,
              qids: Sequence[DemoQuestion], mean: float, sd: float) -> None:  # fmt: skip
    """One response and its answers, each on its question's own scale (see ``answers``)."""
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
    rows = w.rows["survey_answer"]
    for qid, v in answers(rng, list(qids), mean, sd):
        rows.append({"response_id": rid, "question_id": qid, "value": v})
