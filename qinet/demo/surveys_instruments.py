"""Demo surveys built from the shipped instruments (``qinet/instruments``).

The capability self-assessment and the joy-in-work pulse are written by
:mod:`qinet.demo.surveys` using the helpers here (questions, answers on each instrument's own scale,
reverse-scored items answered the "wrong" way round). The team psychological-safety pulse
is built entirely here: a monthly anonymous 7-point pulse in a handful of directorates,
where one directorate's scores rise after its joy-in-work work starts (a shift the Anhøj
rules find) and the others hold steady.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from qinet.demo.world import DEMO_TODAY, World, period_starts
from qinet.domain import Frequency, StaffGroup, SurveyKind, WaveKind
from qinet.instruments import PSYCHOLOGICAL_SAFETY, Instrument, load

PS_DIRECTORATES = ("Medicine", "Surgery", "Adult Mental Health", "Women & Children",
                   "Community Nursing")  # fmt: skip
PS_IMPROVER = "Adult Mental Health"  # its psychological safety rises half-way through
PS_SECTION = 15  # random stream of its own, so other sections are unaffected
# Typical respondents per directorate per month, at every scale (the same five directorates),
# so the large benchmark set grows by only ~3k responses.
PS_PER_DIRECTORATE = 24


@dataclass(frozen=True)
class DemoQuestion:
    """A question as the answer generator needs it."""

    id: int
    reverse: bool
    lo: int
    hi: int


def survey_row(inst: Instrument) -> dict[str, Any]:
    """The instrument's columns of a ``survey`` row (scale, anchors, instrument code)."""
    return {
        "instrument": inst.code,
        "scale_min": inst.scale_min,
        "scale_max": inst.scale_max,
        "scale_anchors": "|".join(inst.anchors),
    }


def add_questions(w: World, survey_id: int, inst: Instrument) -> list[DemoQuestion]:
    """Add the instrument's questions to a demo survey.

    Args:
        w: The demo world.
        survey_id: The survey the questions belong to.
        inst: The instrument.

    Returns:
        The questions in order, for :func:`answers`.
    """
    out = []
    for pos, q in enumerate(inst.questions, start=1):
        qid = w.ids("survey_question")
        w.add("survey_question", id=qid, survey_id=survey_id, code=q.code, text=q.text,
              position=pos, domain=q.domain, reverse_scored=q.reverse)  # fmt: skip
        out.append(DemoQuestion(qid, q.reverse, inst.scale_min, inst.scale_max))
    return out


def answers(
    rng: np.random.Generator, questions: list[DemoQuestion], mean: float, sd: float
) -> list[tuple[int, int]]:
    """One respondent's answers.

    ``mean`` and ``sd`` are on a 1–5 "how good is it" scale; each item maps them onto its
    own scale, and a reverse-scored item is answered low when things are good.

    Returns:
        ``(question_id, value)`` pairs.
    """
    noise = rng.normal(0, sd, len(questions))
    out = []
    for q, e in zip(questions, noise, strict=True):
        span = q.hi - q.lo
        good = q.lo + (mean - 1 + e) / 4 * span
        value = int(np.clip(np.round(good), q.lo, q.hi))
        out.append((q.id, q.lo + q.hi - value if q.reverse else value))
    return out


def add_psychological_safety(w: World) -> None:
    """The team psychological-safety pulse: monthly, anonymous, in five directorates.

    Run by the joy-in-work collaborative over the same months as its joy-in-work pulse.
    """
    months = period_starts(Frequency.MONTHLY, w.spec.pulse_waves, DEMO_TODAY.replace(day=1))
    programme_id = w.prog_id["JOY"]
    inst = load(PSYCHOLOGICAL_SAFETY)
    rng = np.random.default_rng([w.seed, PS_SECTION])
    sid = w.ids("survey")
    w.add("survey", id=sid, name=inst.name, kind=SurveyKind.PULSE, programme_id=programme_id,
          anonymous=True, **survey_row(inst))  # fmt: skip
    questions = add_questions(w, sid, inst)
    dirs = [w.dir_by_name[n] for n in PS_DIRECTORATES if n in w.dir_by_name]
    per_dir = PS_PER_DIRECTORATE
    for i, month in enumerate(months):
        wid = w.ids("survey_wave")
        w.add("survey_wave", id=wid, survey_id=sid, cohort_id=None, kind=WaveKind.PULSE,
              name=f"Pulse {month:%b %Y}", opens_on=month)  # fmt: skip
        for d in dirs:
            groups = [g for g in StaffGroup if w.workforce.get((d["id"], g), 0)]
            if not groups:
                continue
            weights = np.array([w.workforce[(d["id"], g)] for g in groups], dtype=float)
            k = int(rng.integers(int(per_dir * 0.6), int(per_dir * 1.4) + 1))
            level = 3.1
            if d["name"] == PS_IMPROVER and i >= len(months) // 2:
                level = 3.7
            for j in rng.choice(len(groups), size=k, p=weights / weights.sum()):
                rid = w.ids("survey_response")
                submitted = month + timedelta(days=int(rng.integers(0, 14)))
                w.add("survey_response", id=rid, wave_id=wid, participant_id=None,
                      staff_group_code=groups[int(j)].value, directorate_id=d["id"],
                      submitted_on=submitted)  # fmt: skip
                person = level + rng.normal(0, 0.35)
                for qid, value in answers(rng, questions, person, 0.6):
                    w.rows["survey_answer"].append(
                        {"response_id": rid, "question_id": qid, "value": value}
                    )
