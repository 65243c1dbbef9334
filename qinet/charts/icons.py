"""Making Data Count variation and assurance icons as self-contained inline SVG.

Drawn here in the Making Data Count style (a ringed circle with a letter and a short
run of dots) rather than copied, so they carry no external files, fonts or scripts and
are safe to pass to ``st.image`` or ``st.html``, or to embed in a board pack. Every
icon has a ``<title>`` and an ``aria-label`` with the same words as
:func:`variation_label` / :func:`assurance_label`, so the state is never told by
colour alone.

Public API: :func:`variation_svg`, :func:`assurance_svg`, :func:`variation_label`,
:func:`assurance_label`.
"""

from __future__ import annotations

from html import escape

from qinet.charts.palette import MDC_PALETTE, Palette
from qinet.domain import AssuranceState, VariationState

VIEWBOX = 100  # icons are drawn on a 100 × 100 canvas and scaled by ``size``
_RING = 7  # ring stroke width on that canvas
_FONT = "Arial, Helvetica, sans-serif"

_VARIATION_LABELS: dict[VariationState, str] = {
    VariationState.COMMON_CAUSE: "Common cause variation: no significant change",
    VariationState.IMPROVEMENT_HIGH: "Special cause variation: improvement (higher values)",
    VariationState.IMPROVEMENT_LOW: "Special cause variation: improvement (lower values)",
    VariationState.CONCERN_HIGH: "Special cause variation: concern (higher values)",
    VariationState.CONCERN_LOW: "Special cause variation: concern (lower values)",
    VariationState.NEUTRAL_HIGH: (
        "Special cause variation: higher values (neither better nor worse)"
    ),
    VariationState.NEUTRAL_LOW: "Special cause variation: lower values (neither better nor worse)",
    VariationState.NOT_ENOUGH_DATA: "Not enough data for process limits yet",
    VariationState.NON_RANDOM: (
        "Non-random variation: the run chart's points are not random (no direction)"
    ),
}

_ASSURANCE_LABELS: dict[AssuranceState, str] = {
    AssuranceState.PASS: "Assurance: will consistently meet the target",
    AssuranceState.FAIL: "Assurance: will consistently miss the target",
    AssuranceState.INCONSISTENT: "Assurance: will hit and miss the target at random",
    AssuranceState.NO_TARGET: "No target set, so no assurance",
}


def variation_label(state: VariationState | str) -> str:
    """Plain-English label of a variation state (the icon's text equivalent).

    Args:
        state: A ``VariationState`` or its value.

    Returns:
        e.g. ``"Special cause variation: improvement (higher values)"``.
    """
    return _VARIATION_LABELS[VariationState(state)]


def assurance_label(state: AssuranceState | str) -> str:
    """Plain-English label of an assurance state (the icon's text equivalent).

    Args:
        state: An ``AssuranceState`` or its value.

    Returns:
        e.g. ``"Assurance: will consistently meet the target"``.
    """
    return _ASSURANCE_LABELS[AssuranceState(state)]


def _variation_style(state: VariationState, p: Palette) -> tuple[str, str, int]:
    """(colour, letter, slope) where slope is +1 rising dots, −1 falling, 0 flat."""
    return {
        VariationState.COMMON_CAUSE: (p.common_cause, "", 0),
        VariationState.IMPROVEMENT_HIGH: (p.improvement, "H", 1),
        VariationState.IMPROVEMENT_LOW: (p.improvement, "L", -1),
        VariationState.CONCERN_HIGH: (p.concern, "H", 1),
        VariationState.CONCERN_LOW: (p.concern, "L", -1),
        VariationState.NEUTRAL_HIGH: (p.neutral, "H", 1),
        VariationState.NEUTRAL_LOW: (p.neutral, "L", -1),
        VariationState.NOT_ENOUGH_DATA: (p.common_cause, "–", 0),
        VariationState.NON_RANDOM: (p.neutral, "N", 0),
    }[state]


def _frame(label: str, size: int, body: str, ring: str, p: Palette, dashed: bool) -> str:
    title = escape(label)
    dash = ' stroke-dasharray="10 7"' if dashed else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {VIEWBOX} {VIEWBOX}" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<circle cx="50" cy="50" r="{50 - _RING / 2 - 1}" fill="{p.background}" '
        f'stroke="{ring}" stroke-width="{_RING}"{dash}/>'
        f"{body}</svg>"
    )


def _letter(text: str, colour: str, y: float, font_size: int) -> str:
    if not text:
        return ""
    return (
        f'<text x="50" y="{y}" text-anchor="middle" font-family="{_FONT}" '
        f'font-size="{font_size}" font-weight="bold" fill="{colour}">{escape(text)}</text>'
    )


def variation_svg(
    state: VariationState | str, *, size: int = 64, palette: Palette = MDC_PALETTE
) -> str:
    """The Making Data Count variation icon for a state, as an inline SVG string.

    Common cause is a grey ring with a flat run of grey dots; special cause is a ring in
    the improvement, concern or neutral colour with "H" (higher) or "L" (lower) and a
    run of dots rising or falling, its last points in the same colour.

    Args:
        state: A ``VariationState`` or its value.
        size: Width and height in pixels.
        palette: Colours.

    Returns:
        A complete ``<svg>…</svg>`` element with a ``<title>``.
    """
    s = VariationState(state)
    colour, letter, slope = _variation_style(s, palette)
    dots = []
    n = 5
    for i in range(n):
        x = 24 + i * 13
        y = 66 - slope * (i - 2) * 5
        special = slope != 0 and i >= n - 2
        fill = colour if special else palette.common_cause
        dots.append(f'<circle cx="{x}" cy="{y}" r="4.5" fill="{fill}"/>')
    if s is VariationState.NOT_ENOUGH_DATA:
        dots = []
        body = _letter("–", palette.common_cause, 64, 44)
    else:
        joined = " ".join(f"{24 + i * 13},{66 - slope * (i - 2) * 5}" for i in range(n))
        line = (
            f'<polyline points="{joined}" fill="none" stroke="{palette.common_cause}" '
            'stroke-width="2"/>'
        )
        body = _letter(letter, colour, 44, 34) + line + "".join(dots)
    return _frame(
        variation_label(s), size, body, colour, palette, s is VariationState.NOT_ENOUGH_DATA
    )


def assurance_svg(
    state: AssuranceState | str, *, size: int = 64, palette: Palette = MDC_PALETTE
) -> str:
    """The Making Data Count assurance icon for a state, as an inline SVG string.

    "P" (blue) when the process will consistently meet the target, "F" (orange) when it
    will consistently miss it, "?" (grey) when the target lies between the limits, and a
    dashed grey ring with a dash when there is no target.

    Args:
        state: An ``AssuranceState`` or its value.
        size: Width and height in pixels.
        palette: Colours.

    Returns:
        A complete ``<svg>…</svg>`` element with a ``<title>``.
    """
    s = AssuranceState(state)
    colour, letter = {
        AssuranceState.PASS: (palette.improvement, "P"),
        AssuranceState.FAIL: (palette.concern, "F"),
        AssuranceState.INCONSISTENT: (palette.common_cause, "?"),
        AssuranceState.NO_TARGET: (palette.common_cause, "–"),
    }[s]
    target = (
        f'<line x1="22" y1="74" x2="78" y2="74" stroke="{palette.target}" stroke-width="3" '
        'stroke-dasharray="6 4"/>'
        if s is not AssuranceState.NO_TARGET
        else ""
    )
    body = _letter(letter, colour, 63, 46) + target
    return _frame(assurance_label(s), size, body, colour, palette, s is AssuranceState.NO_TARGET)
