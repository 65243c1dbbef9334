"""What a run chart's signals mean for a reader: point types and the variation state.

Run-chart rules are of two kinds. *Directional* ones mark points on one side: a long run
or shift (above or below the median), a trend (rising or falling) and an astronomical
point; those points are improvement or concern by the measure's improvement direction,
exactly as special-cause points on an SPC chart. *Non-directional* ones describe a whole
phase: too few crossings (Anhøj) and too few or too many runs (IHI) say the variation is
not random but point nowhere, so they are reported as :attr:`VariationState.NON_RANDOM`,
never as improvement or concern.

The functions are vectorised, so the Measures page (one series) and the Overview matrix
(thousands of series) share them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from qinet.domain import PointType, VariationState

_MEMBER_COLUMNS = ("in_long_run", "rule_shift", "rule_astronomical")

NON_DIRECTIONAL_PREFIXES = ("Only ", "Too few runs", "Too many runs")
"""Run-chart reason clauses that describe a whole phase and have no direction."""


def is_non_directional(clause: str) -> bool:
    """True for a run-chart reason clause with no direction (too few crossings or runs)."""
    return clause.startswith(NON_DIRECTIONAL_PREFIXES)


def run_sides(cols: Mapping[str, object]) -> np.ndarray:
    """Side of each point's directional signal: +1 high, −1 low, 0 none.

    Args:
        cols: A run-chart result (frame or column mapping) with ``value`` and ``median``,
            and whichever rule columns its rules produce (``in_long_run``, ``rule_shift``,
            ``rule_astronomical``, ``rule_trend`` with ``trend_direction``).

    Returns:
        An int8 array. A trend point takes the way its trend goes (trend outranks shift,
        as in Making Data Count); other members take their side of the median.
    """
    y = np.asarray(cols["value"], dtype=float)
    med = np.asarray(cols["median"], dtype=float)
    member = np.zeros(y.size, dtype=bool)
    for name in _MEMBER_COLUMNS:
        if name in cols:
            member |= np.asarray(cols[name], dtype=bool)
    with np.errstate(invalid="ignore"):
        side = np.where(member, np.sign(y - med), 0.0)
    side = np.nan_to_num(side).astype(np.int8)
    if "rule_trend" in cols:
        trend = np.asarray(cols["rule_trend"], dtype=bool)
        side[trend] = np.asarray(cols["trend_direction"], dtype=np.int8)[trend]
    return side


def run_point_types(side: np.ndarray, direction_sign: np.ndarray | int) -> np.ndarray:
    """Point types (``PointType`` values) from signal sides and improvement direction.

    Args:
        side: From :func:`run_sides`.
        direction_sign: +1 higher is better, −1 lower is better, 0 neither (scalar or
            one per point).

    Returns:
        An object array of ``PointType`` values.
    """
    d = np.broadcast_to(np.asarray(direction_sign), side.shape)
    good = side * d
    return np.select(
        [side == 0, (d == 0) & (side > 0), (d == 0) & (side < 0), good > 0],
        [
            PointType.COMMON_CAUSE.value,
            PointType.NEUTRAL_HIGH.value,
            PointType.NEUTRAL_LOW.value,
            PointType.IMPROVEMENT.value,
        ],
        PointType.CONCERN.value,
    ).astype(object)


def run_variation(
    side: np.ndarray, non_random: np.ndarray, direction_sign: np.ndarray
) -> np.ndarray:
    """Variation state (``VariationState`` values) of run charts from their last points.

    Args:
        side: Side of each last point's directional signal (:func:`run_sides`).
        non_random: Whether each last point's phase has a non-directional signal.
        direction_sign: +1, −1 or 0 per series.

    Returns:
        Improvement/concern/neutral high or low for a directional signal on the last
        point; otherwise ``non_random`` for a phase-wide signal; otherwise common cause.
    """
    side = np.asarray(side)
    d = np.asarray(direction_sign)
    good = side * d
    return np.select(
        [
            (side > 0) & (d == 0),
            (side < 0) & (d == 0),
            (good > 0) & (side > 0),
            (good > 0) & (side < 0),
            (good < 0) & (side > 0),
            (good < 0) & (side < 0),
            np.asarray(non_random, dtype=bool),
        ],
        [
            VariationState.NEUTRAL_HIGH.value,
            VariationState.NEUTRAL_LOW.value,
            VariationState.IMPROVEMENT_HIGH.value,
            VariationState.IMPROVEMENT_LOW.value,
            VariationState.CONCERN_HIGH.value,
            VariationState.CONCERN_LOW.value,
            VariationState.NON_RANDOM.value,
        ],
        VariationState.COMMON_CAUSE.value,
    ).astype(object)
