"""Every demo measure belongs to its project's topic (issue 13: no crisis-line calls on a
medicines-reconciliation project, no linen cages on an outpatient-flow project)."""

from __future__ import annotations

import re

import pytest

from qinet.demo.catalogue import MEASURE_CATALOGUE, SECONDARY_MEASURES, project_measures
from qinet.demo.rare_events import RARE_EVENT_MEASURES

pytestmark = pytest.mark.unit

GENERIC = {"time", "hour", "with", "from", "days", "week", "pati", "staf", "ever", "mean",
           "minu", "than", "more", "fewe", "each", "thei"}  # fmt: skip
# Pairs whose link is clinical rather than a shared word (reviewed): NEWS2 observations
# exist to escalate deteriorating patients; a front desk answers callers; reconciliation is
# pharmacist work on admission; discharge medicines wait on prescriptions.
REVIEWED = {
    ("Early warning scores on time", "Deteriorating patients escalated in time"),
    ("Welcoming front desk", "Callers abandoning the queue"),
    ("Medicines reconciliation within 24 hours", "Pharmacist time on admissions (hours)"),
    ("Discharge medicines ready on time", "Prescriptions waiting over 2 hours"),
}


def _stems(text: str) -> set[str]:
    return {w[:4] for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 4} - GENERIC


def test_secondary_measures_are_assigned_by_project_not_by_position() -> None:
    titles = {p.title for p in MEASURE_CATALOGUE}
    assert set(SECONDARY_MEASURES) <= titles
    singles = {p.title for p in MEASURE_CATALOGUE if len(p.measures) == 1}
    assert singles == set(SECONDARY_MEASURES)  # every single-measure project gets its own


@pytest.mark.parametrize("project", [p for p in MEASURE_CATALOGUE if p.title in SECONDARY_MEASURES],
                         ids=lambda p: p.title)  # fmt: skip
def test_secondary_measure_shares_its_projects_topic(project) -> None:
    extra = SECONDARY_MEASURES[project.title]
    if (project.title, extra.name) in REVIEWED:
        return
    context = _stems(" ".join([project.title, project.aim, project.measures[0].name]))
    assert _stems(extra.name) & context, (project.title, extra.name)


def test_the_reported_nonsense_pairings_are_gone() -> None:
    pairs = {(p.title, m.name) for p in MEASURE_CATALOGUE for m in project_measures(p)}
    assert ("Medicines reconciliation within 24 hours", "Crisis line calls answered") not in pairs
    assert ("Outpatient waiting room flow", "Linen cages delivered on time") not in pairs
    assert ("Timely care plans in crisis teams", "Crisis line calls answered") in pairs
    assert ("Clean linen where it is needed", "Linen cages delivered on time") in pairs


def test_rare_event_measures_fit_their_projects() -> None:
    titles = {p.title: p for p in MEASURE_CATALOGUE}
    for d in RARE_EVENT_MEASURES:
        project = titles[d.project]
        assert _stems(d.name) & _stems(project.title + " " + project.aim), d.name
