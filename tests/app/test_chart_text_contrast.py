"""Every chart on every page draws its axis text with enough contrast (WCAG 1.4.3, 4.5:1).

axe cannot judge text inside a Plotly chart, and Streamlit's chart theme greys tick labels
and axis titles to #808495 (3.7:1 on white). Pages draw through ``components.chart``, which
sets them explicitly; this reads each figure's spec as the browser receives it.
"""

from __future__ import annotations

import json

import pytest

from qinet.charts.palette import AXIS_TEXT

pytestmark = pytest.mark.app

MEASURE = "QI-0001 · Discharge summaries completed by 11:00"
# (page, URL parameters, session state): every kind of chart the pages draw
CASES = {
    "overview": ("pages/overview.py", {}, {}),
    "measure chart": ("pages/measures.py", {"measure": MEASURE}, {}),
    "small multiples": ("pages/measures.py", {"measure": MEASURE},
                        {"measure_view": "All measures in this project"}),
    "engagement": ("pages/engagement.py", {}, {}),
    "capability": ("pages/capability.py", {}, {}),
    "pulse by directorate": ("pages/capability.py", {},
                             {"cap_survey": "Team psychological safety pulse",
                              "cap_pulse_view": "By directorate"}),
    "timeline": ("pages/timeline.py", {}, {}),
    "portfolio": ("pages/projects.py", {}, {"projects_tab": "Portfolio"}),
    "project": ("pages/projects.py", {"project": "QI-0001"}, {}),
}


def contrast(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_contrast_function_and_the_colour_chosen():
    """Streamlit's own tick grey fails; NHS dark grey passes with room."""
    assert round(contrast("#808495"), 2) == 3.72
    assert contrast(AXIS_TEXT) >= 7
    assert round(contrast("#000000"), 1) == 21.0


def _axis_problems(spec: dict, where: str) -> list[str]:
    problems = []
    layout = spec.get("layout", {})
    axes = [k for k in layout if k.startswith(("xaxis", "yaxis"))] or ["xaxis", "yaxis"]
    for name in axes:
        axis = layout.get(name, {})
        if axis.get("visible") is False or axis.get("showticklabels") is False:
            continue
        for part, colour in (("ticks", axis.get("tickfont", {}).get("color")),
                             ("title", axis.get("title", {}).get("font", {}).get("color"))):
            if colour is None or contrast(colour) < 4.5:
                problems.append(f"{where}: {name} {part} colour {colour!r}")
    return problems


@pytest.mark.parametrize("case", list(CASES))
def test_every_chart_has_readable_axis_text(make_app, case):
    page, params, state = CASES[case]
    at = make_app(params=params, run=False)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert charts, f"{case}: no chart drawn on the demo data"
    problems = [p for i, c in enumerate(charts)
                for p in _axis_problems(json.loads(c.proto.spec), f"{case} chart {i}")]  # fmt: skip
    assert problems == []
