"""Shipped instrument definitions: valid, and the psychological-safety scale's shape."""

import pytest

from qinet import instruments as ins

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("code", sorted(ins.FILES))
def test_every_shipped_instrument_loads(code):
    inst = ins.load(code)
    assert inst.code == code
    assert inst.points in ins.ALLOWED_POINTS and len(inst.anchors) == inst.points


def test_psychological_safety_has_seven_items_on_seven_points_three_reversed():
    inst = ins.load(ins.PSYCHOLOGICAL_SAFETY)
    assert len(inst.questions) == 7 and inst.points == 7
    assert sum(q.reverse for q in inst.questions) == 3


def test_skills_self_assessment_has_domains_and_joy_pulse_a_reversed_item():
    skills = ins.load(ins.QI_SKILLS)
    assert skills.kind == "capability" and len(skills.domains) >= 3
    joy = ins.load(ins.JOY_IN_WORK)
    assert joy.kind == "pulse" and any(q.reverse for q in joy.questions)


GOOD = {"code": "x", "name": "X", "kind": "pulse",
        "scale": {"min": 0, "max": 10, "anchors": [str(i) for i in range(11)]},
        "questions": [{"code": "A", "domain": "D", "text": "t", "reverse": False}]}


@pytest.mark.parametrize(("change", "message"), [
    ({"kind": "quiz"}, "kind must be"),
    ({"scale": {"min": 1, "max": 6, "anchors": list("abcdef")}}, "not a 4-, 5-, 7- or 11-point"),
    ({"scale": {"min": 1, "max": 4, "anchors": list("abc")}}, "4 points but 3 anchors"),
    ({"questions": []}, "unique codes"),
    ({"questions": [{"code": "A"}]}, "missing or invalid field"),
])  # fmt: skip
def test_bad_definitions_are_named(change, message):
    assert ins.parse(GOOD).points == 11
    with pytest.raises(ins.InstrumentError, match=message):
        ins.parse({**GOOD, **change}, "bad.json")
