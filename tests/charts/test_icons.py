"""The Making Data Count icons: valid, self-contained SVG with a text equivalent per state."""

import xml.etree.ElementTree as ET

import pytest

from qinet.charts import icons
from qinet.charts.palette import MDC_PALETTE
from qinet.domain import AssuranceState, VariationState

pytestmark = pytest.mark.unit

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _letters(root: ET.Element) -> str:
    return "".join(t.text or "" for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("state", list(VariationState))
def test_variation_icon_is_valid_svg_with_its_label(state):
    svg = icons.variation_svg(state, size=48)
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "48" and root.get("role") == "img"
    label = icons.variation_label(state)
    assert root.find(f"{SVG}title").text == label
    assert root.get("aria-label") == label
    # self-contained: no scripts, links or external references
    assert "<script" not in svg and "href" not in svg and "url(" not in svg


@pytest.mark.parametrize(
    ("state", "colour", "letter"),
    [
        (VariationState.COMMON_CAUSE, MDC_PALETTE.common_cause, ""),
        (VariationState.IMPROVEMENT_HIGH, MDC_PALETTE.improvement, "H"),
        (VariationState.IMPROVEMENT_LOW, MDC_PALETTE.improvement, "L"),
        (VariationState.CONCERN_HIGH, MDC_PALETTE.concern, "H"),
        (VariationState.CONCERN_LOW, MDC_PALETTE.concern, "L"),
        (VariationState.NEUTRAL_HIGH, MDC_PALETTE.neutral, "H"),
        (VariationState.NEUTRAL_LOW, MDC_PALETTE.neutral, "L"),
    ],
)
def test_variation_icon_ring_colour_and_letter(state, colour, letter):
    root = _parse(icons.variation_svg(state))
    ring = root.find(f"{SVG}circle")
    assert ring.get("stroke") == colour
    assert _letters(root) == letter


def test_high_icons_rise_and_low_icons_fall():
    def dot_heights(state):
        root = _parse(icons.variation_svg(state))
        return [float(c.get("cy")) for c in root.findall(f"{SVG}circle")[1:]]

    high, low, flat = (
        dot_heights(s)
        for s in (
            VariationState.IMPROVEMENT_HIGH,
            VariationState.CONCERN_LOW,
            VariationState.COMMON_CAUSE,
        )
    )
    assert high == sorted(high, reverse=True)  # SVG y grows downwards
    assert low == sorted(low)
    assert len(set(flat)) == 1


@pytest.mark.parametrize(
    ("state", "letter", "colour"),
    [
        (AssuranceState.PASS, "P", MDC_PALETTE.improvement),
        (AssuranceState.FAIL, "F", MDC_PALETTE.concern),
        (AssuranceState.INCONSISTENT, "?", MDC_PALETTE.common_cause),
        (AssuranceState.NO_TARGET, "–", MDC_PALETTE.common_cause),
    ],
)
def test_assurance_icon(state, letter, colour):
    svg = icons.assurance_svg(state)
    root = _parse(svg)
    assert _letters(root) == letter
    assert root.find(f"{SVG}circle").get("stroke") == colour
    assert root.find(f"{SVG}title").text == icons.assurance_label(state)


def test_labels_accept_values_and_are_distinct():
    assert icons.variation_label("improvement_high") == icons.variation_label(
        VariationState.IMPROVEMENT_HIGH
    )
    assert len({icons.variation_label(s) for s in VariationState}) == len(VariationState)
    assert len({icons.assurance_label(s) for s in AssuranceState}) == len(AssuranceState)
    assert "target" in icons.assurance_label(AssuranceState.PASS)


def test_unknown_state_is_refused():
    with pytest.raises(ValueError):
        icons.variation_svg("sideways")
