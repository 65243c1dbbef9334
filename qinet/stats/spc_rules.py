"""XmR special-cause rules as vectorised steps (outside limits, shift, trend, two of three).

Each step marks the points of every window that fires, per segment, as NHSRplotthedots'
``rule_*`` columns; a window that contains a missing point never fires. The codes give
the highest-priority rule per point, and the point types follow the improvement direction.
"""

from __future__ import annotations

import numpy as np

from qinet.domain import PointType
from qinet.stats.core import pos_or_default, spread_back, window_count
from qinet.stats.rules import SpcRules

# special_cause_type codes, in priority order (0 = common cause)
CODE_COMMON, CODE_ABOVE_UCL, CODE_BELOW_LCL, CODE_TREND_UP, CODE_TREND_DOWN = 0, 1, 2, 3, 4
CODE_TWO_ABOVE, CODE_TWO_BELOW, CODE_SHIFT_ABOVE, CODE_SHIFT_BELOW = 5, 6, 7, 8
TYPE_SIGN = np.array([0, 1, -1, 1, -1, 1, -1, 1, -1], dtype=np.int8)

POINT_TYPES = np.array(
    [
        PointType.CONCERN.value,
        PointType.COMMON_CAUSE.value,
        PointType.IMPROVEMENT.value,
        PointType.NEUTRAL_LOW.value,
        PointType.NEUTRAL_HIGH.value,
    ],
    dtype=object,
)


def find_outside(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Strictly above the upper or below the lower limit (NaN never counts)."""
    with np.errstate(invalid="ignore"):
        return (y > upper) | (y < lower)


def find_shift(rtm: np.ndarray, n: int, pos: np.ndarray | None = None) -> np.ndarray:
    """Members of runs of ``n`` or more points on the same side of the mean.

    A point on the mean (0) or missing (NaN) breaks the run; every point of the run
    is flagged (PTD ``ptd_part_of_seven_trend(ptd_seven_point_one_side_mean(rtm))``).
    """
    pos = pos_or_default(pos, len(rtm))
    whole = pos >= n - 1
    end = whole & ((window_count(rtm == 1, n) == n) | (window_count(rtm == -1, n) == n))
    return spread_back(end, n)


def diff_signs(y: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Sign of each difference from the previous point within its segment (0 at a start)."""
    d = np.full(len(y), np.nan)
    if len(y) > 1:
        d[1:] = np.sign(np.diff(y))
    d[pos == 0] = np.nan
    return d


def find_trend(
    y: np.ndarray, n: int, pos: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Members of strictly rising and of strictly falling runs of ``n`` or more points.

    A tie (equal consecutive values) or a missing value breaks the run.

    Returns:
        ``(rising, falling)`` membership flags.
    """
    y = np.asarray(y, dtype=float)
    pos = pos_or_default(pos, len(y))
    d = diff_signs(y, pos)
    whole = pos >= n - 1
    rising_end = whole & (window_count(d == 1, n - 1) == n - 1)
    falling_end = whole & (window_count(d == -1, n - 1) == n - 1)
    return spread_back(rising_end, n), spread_back(falling_end, n)


def find_two_of_three(
    close: np.ndarray, rtm: np.ndarray, pos: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two or three of three consecutive points beyond a 2σ line, all on one side.

    Only the close points of a firing window are members (PTD
    ``ptd_part_of_two_in_three``).

    Returns:
        ``(members, window_fires)`` where ``window_fires[i]`` means the window of
        three points ending at ``i`` fires.
    """
    pos = pos_or_default(pos, len(close))
    fires = (
        (pos >= 2)
        & (window_count(close, 3) >= 2)
        & ((window_count(rtm == 1, 3) == 3) | (window_count(rtm == -1, 3) == 3))
    )
    return close & spread_back(fires, 3), fires


def special_cause_codes(
    outside: np.ndarray,
    above_upper: np.ndarray,
    rising: np.ndarray,
    falling: np.ndarray,
    y: np.ndarray,
    pos: np.ndarray,
    two: np.ndarray,
    shift: np.ndarray,
    rtm: np.ndarray,
) -> np.ndarray:
    """Code of the highest-priority rule: outside > trend > two-in-three > shift."""
    d = diff_signs(y, pos)
    d_next = np.append(d[1:], np.nan)
    # a peak/trough in a rising and a falling trend takes the later trend (PTD: right side)
    trend_up = rising & ~(falling & (d_next == -1))
    above = rtm > 0
    return np.select(
        [outside, rising | falling, two, shift],
        [
            np.where(above_upper, CODE_ABOVE_UCL, CODE_BELOW_LCL),
            np.where(trend_up, CODE_TREND_UP, CODE_TREND_DOWN),
            np.where(above, CODE_TWO_ABOVE, CODE_TWO_BELOW),
            np.where(above, CODE_SHIFT_ABOVE, CODE_SHIFT_BELOW),
        ],
        CODE_COMMON,
    ).astype(np.int8)


def point_type_codes(codes: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Index into ``POINT_TYPES``: sign of the type × improvement direction."""
    sign = TYPE_SIGN[codes]
    oriented = sign * direction  # -1 concern, 0 common, +1 improvement
    neutral = (direction == 0) & (sign != 0)
    return np.where(neutral, np.where(sign > 0, 4, 3), oriented + 1)


def type_labels(rules: SpcRules) -> np.ndarray:
    """PTD ``special_cause_type`` words per code, with the preset's shift and trend lengths."""
    return np.array(
        [
            "Common Cause",
            "Above UCL",
            "Below LCL",
            f"{rules.trend} Point Trend (Increasing)",
            f"{rules.trend} Point Trend (Decreasing)",
            "2 in 3 Above CL",
            "2 in 3 Below CL",
            f"{rules.shift} Points Above CL",
            f"{rules.shift} Points Below CL",
        ],
        dtype=object,
    )

