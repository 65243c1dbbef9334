"""Survey instruments as data: questions grouped into domains, a scale with anchors, reversal.

Each instrument is one JSON file in this folder (documented in ``README.md``), so the
demo and importers build surveys from the same definitions and nothing is re-typed.
Stdlib only: the files are read with :mod:`importlib.resources`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

ALLOWED_POINTS = (4, 5, 7, 11)  # scale lengths the Capability page knows how to draw
FILES = {
    "qi-skills-confidence": "qi_skills_confidence.json",
    "joy-in-work-pulse": "joy_in_work_pulse.json",
    "team-psychological-safety": "team_psychological_safety.json",
}


class InstrumentError(ValueError):
    """An instrument definition is malformed (the message names the file and field)."""


@dataclass(frozen=True)
class Question:
    """One item: its code, domain, wording and whether agreement means a worse state."""

    code: str
    domain: str
    text: str
    reverse: bool


@dataclass(frozen=True)
class Instrument:
    """A questionnaire definition (one scale shared by all its questions)."""

    code: str
    name: str
    kind: str
    description: str
    stem: str
    scale_min: int
    scale_max: int
    anchors: tuple[str, ...]
    questions: tuple[Question, ...]

    @property
    def points(self) -> int:
        """Number of answer options (e.g. 7 for a 1–7 scale)."""
        return self.scale_max - self.scale_min + 1

    @property
    def domains(self) -> tuple[str, ...]:
        """Domains in the order their first question appears."""
        return tuple(dict.fromkeys(q.domain for q in self.questions))


def parse(data: dict, source: str = "instrument") -> Instrument:
    """Validate one instrument definition.

    Args:
        data: The decoded JSON.
        source: Where it came from, for messages.

    Returns:
        The instrument.

    Raises:
        InstrumentError: A field is missing or inconsistent (named in the message).
    """
    try:
        scale = data["scale"]
        lo, hi = int(scale["min"]), int(scale["max"])
        anchors = tuple(str(a) for a in scale["anchors"])
        questions = tuple(
            Question(str(q["code"]), str(q["domain"]), str(q["text"]), bool(q["reverse"]))
            for q in data["questions"]
        )
        inst = Instrument(str(data["code"]), str(data["name"]), str(data["kind"]),
                          str(data.get("description", "")), str(data.get("stem", "")), lo, hi,
                          anchors, questions)  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise InstrumentError(f"{source}: missing or invalid field {exc}") from exc
    if inst.kind not in ("capability", "pulse"):
        raise InstrumentError(f"{source}: kind must be 'capability' or 'pulse', not {inst.kind!r}")
    if inst.points not in ALLOWED_POINTS or lo < 0 or hi > 10:
        raise InstrumentError(f"{source}: scale {lo}–{hi} is not a 4-, 5-, 7- or 11-point scale")
    if len(anchors) != inst.points:
        raise InstrumentError(
            f"{source}: scale has {inst.points} points but {len(anchors)} anchors"
        )
    codes = [q.code for q in questions]
    if not questions or len(set(codes)) != len(codes):
        raise InstrumentError(f"{source}: questions must be present with unique codes")
    if any(len(c) > 20 for c in codes):
        raise InstrumentError(f"{source}: question codes must be at most 20 characters")
    return inst


def load(code: str) -> Instrument:
    """One of the shipped instruments by its code (see ``FILES``)."""
    name = FILES[code]
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return parse(json.loads(text), name)


QI_SKILLS = "qi-skills-confidence"
JOY_IN_WORK = "joy-in-work-pulse"
PSYCHOLOGICAL_SAFETY = "team-psychological-safety"
