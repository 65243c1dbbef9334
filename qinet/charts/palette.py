"""Colours and marker shapes for SPC and run charts, in one frozen dataclass.

The SPC status colours are Making Data Count's, as NHSRplotthedots ``ptd_spc_colours()``
uses them; lines and text use the NHS identity palette (``nhsuk-frontend``
``_colours.scss``). Status is never shown by colour alone (WCAG 1.4.1): every point
type also has its own marker shape and a text label, and excluded points are hollow.
"""

from __future__ import annotations

from dataclasses import dataclass

from qinet.domain import PointType


@dataclass(frozen=True)
class Palette:
    """Every colour and marker shape a chart or icon uses.

    Attributes:
        improvement: Special cause, improvement (MDC blue).
        concern: Special cause, concern (MDC orange).
        neutral: Special cause where neither direction is better (MDC purple).
        common_cause: Common-cause points (MDC grey).
        target: Target line (MDC red).
        mean: Centre line (MDC black).
        line: The line joining the points (NHS grey 2).
        limit: Process limits (NHS grey 1, dashed).
        two_sigma: 2σ lines (NHS grey 2, dotted).
        phase: Phase-break markers (NHS blue).
        annotation: PDSA / change-idea markers and their text (NHS black).
        milestone: Programme milestone markers (NHS dark pink).
        suggestion: Suggested (unconfirmed) phase breaks (NHS warm yellow).
        text: Body text (NHS black).
        background: Icon and chart background.
        symbols: Marker shape per point type, in ``PointType`` order.
        excluded_suffix: Plotly symbol suffix drawing a hollow marker.
    """

    improvement: str = "#00b0f0"
    concern: str = "#e46c0a"
    neutral: str = "#490092"
    common_cause: str = "#a6a6a6"
    target: str = "#de1b1b"
    mean: str = "#000000"
    line: str = "#768692"
    limit: str = "#4c6272"
    two_sigma: str = "#768692"
    phase: str = "#005eb8"
    annotation: str = "#212b32"
    milestone: str = "#7c2855"
    suggestion: str = "#ffb81c"
    text: str = "#212b32"
    background: str = "#ffffff"
    symbols: tuple[tuple[str, str], ...] = (
        (PointType.COMMON_CAUSE.value, "circle"),
        (PointType.IMPROVEMENT.value, "diamond"),
        (PointType.CONCERN.value, "square"),
        (PointType.NEUTRAL_HIGH.value, "triangle-up"),
        (PointType.NEUTRAL_LOW.value, "triangle-down"),
    )
    excluded_suffix: str = "-open"

    def colour(self, point_type: PointType | str) -> str:
        """Marker colour of a point type.

        Args:
            point_type: A ``PointType`` or its value.

        Returns:
            A hex colour.
        """
        pt = PointType(point_type)
        if pt is PointType.IMPROVEMENT:
            return self.improvement
        if pt is PointType.CONCERN:
            return self.concern
        if pt in (PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW):
            return self.neutral
        return self.common_cause

    def symbol(self, point_type: PointType | str, *, excluded: bool = False) -> str:
        """Plotly marker symbol of a point type (hollow when excluded).

        Args:
            point_type: A ``PointType`` or its value.
            excluded: The point is ghosted (shown, left out of limits and rules).

        Returns:
            A Plotly symbol name such as ``"diamond"`` or ``"circle-open"``.
        """
        shape = dict(self.symbols)[PointType(point_type).value]
        return shape + self.excluded_suffix if excluded else shape


POINT_TYPE_LABELS: dict[PointType, str] = {
    PointType.COMMON_CAUSE: "Common cause",
    PointType.IMPROVEMENT: "Special cause – improvement",
    PointType.CONCERN: "Special cause – concern",
    PointType.NEUTRAL_HIGH: "Special cause – neutral (high)",
    PointType.NEUTRAL_LOW: "Special cause – neutral (low)",
}
"""Legend and hover text per point type, so status is never colour-only."""

MDC_PALETTE = Palette()
"""The default palette: Making Data Count status colours on NHS greys."""


AXIS_TEXT = "#425563"
"""NHS dark grey for tick labels and axis titles: 7.6:1 on white (WCAG AA asks 4.5:1).

Streamlit's chart theme draws them in #808495 (3.7:1), so every figure shown on a page
gets this colour explicitly (:func:`readable_axes`); the board pack uses no Streamlit theme.
"""


def readable_axes(fig):  # noqa: ANN001, ANN201 - a plotly Figure, returned for chaining
    """Tick labels, axis titles and the legend in colours with enough contrast (in place)."""
    fig.update_xaxes(tickfont_color=AXIS_TEXT, title_font_color=AXIS_TEXT)
    fig.update_yaxes(tickfont_color=AXIS_TEXT, title_font_color=AXIS_TEXT)
    fig.update_layout(legend_font_color=MDC_PALETTE.text)
    return fig

