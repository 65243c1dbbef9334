"""Critical values for run charts: Anhøj limits, the printed IHI runs table, unusual points.

What counts as unusual on a run chart, each with its source: the Anhøj longest-run and
crossings limits (qicharts2), the printed IHI runs table (Perla et al. 2011, Table 1) and
the exact Swed–Eisenhart limits kept for comparison, the astronomical-point rule, and
how a point is judged to sit on the centre line in the data's own precision. The rules
themselves are applied in :mod:`qinet.stats.runchart`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd

from qinet.errors import InvalidSeriesError

ASTRONOMICAL_Z = 3.5  # gap, in robust σ, between a lone extreme point and all the others
_IQR_Z = 1.349  # IQR / 1.349 estimates σ for normal data
_MEANAD_Z = 1.253314  # √(π/2): mean absolute deviation → σ, used when the IQR is 0
TIE_RELATIVE = 1e-9  # differences below this share of the values' size are float noise

IHI_RUNS_TABLE_SOURCE = (
    "Perla RJ, Provost LP, Murray SK (2011) The run chart: a simple analytical tool for "
    "learning from variation in healthcare processes. BMJ Qual Saf 20:46–51, Table 1 "
    "(adapted from Swed FS, Eisenhart C (1943) Ann Math Stat 14:66–87)"
)
# Printed Table 1: useful observations -> (lower, upper) limit of the number of runs.
IHI_RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (10, 19),
    28: (10, 20), 29: (10, 20), 30: (11, 21), 31: (11, 22), 32: (11, 23), 33: (12, 23),
    34: (12, 24), 35: (12, 24), 36: (13, 25), 37: (13, 25), 38: (14, 26), 39: (14, 26),
    40: (15, 27), 41: (15, 27), 42: (16, 28), 43: (16, 28), 44: (17, 29), 45: (17, 30),
    46: (17, 31), 47: (18, 31), 48: (18, 32), 49: (19, 32), 50: (19, 33), 51: (20, 33),
    52: (20, 34), 53: (21, 34), 54: (21, 35), 55: (22, 35), 56: (22, 35), 57: (23, 36),
    58: (23, 37), 59: (24, 38), 60: (24, 38),
}  # fmt: skip
IHI_RUNS_TABLE_MIN_N = min(IHI_RUNS_TABLE)  # 10
IHI_RUNS_TABLE_MAX_N = max(IHI_RUNS_TABLE)  # 60
RUNS_TAIL_PROBABILITY = 0.025  # 5% two-sided, as Swed & Eisenhart's (1943) tables
_EXACT_QBINOM_MAX_SIZE = 2000  # exact integer arithmetic up to here; log-space (checked) above


# --- critical values -------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _qbinom_half_exact(size: int, p_num: int, p_den: int) -> int:
    """Smallest k with P(Bin(size, ½) <= k) >= p_num/p_den, in exact integer arithmetic."""
    total = 1 << size
    term = 1
    cumulative = 1
    k = 0
    while cumulative * p_den < p_num * total:
        k += 1
        term = term * (size - k + 1) // k
        cumulative += term
    return k


@lru_cache(maxsize=4096)
def _qbinom_half(size: int, quantile: float) -> int:
    """R's ``qbinom(quantile, size, 0.5)``: smallest k with CDF(k) >= quantile."""
    if size <= 0:
        return 0
    frac = _as_fraction(quantile)
    if size <= _EXACT_QBINOM_MAX_SIZE:
        return _qbinom_half_exact(size, *frac)
    # log-space pmf via cumulative sums of log ratios, then confirm exactly near the boundary
    half = size // 2 + 1
    i = np.arange(1, half + 1, dtype=float)
    log_c = np.concatenate(([0.0], np.cumsum(np.log(size - i + 1) - np.log(i))))
    pmf = np.exp(log_c - size * math.log(2.0))
    cdf = np.cumsum(pmf)
    k = int(np.searchsorted(cdf, quantile, side="left"))
    lo_margin = abs(cdf[k] - quantile) / quantile
    hi_margin = abs(cdf[k - 1] - quantile) / quantile if k > 0 else 1.0
    if min(lo_margin, hi_margin) < 1e-8:  # too close to call in floating point
        return _qbinom_half_exact(size, *frac)
    return k


def _as_fraction(quantile: float) -> tuple[int, int]:
    """Exact-ish rational form of a quantile such as 0.05 (as 1/20)."""
    f = Fraction(quantile).limit_denominator(1_000_000)
    return f.numerator, f.denominator


def crossings_min(n_useful: int, quantile: float = 0.05) -> int:
    """Fewest crossings expected for ``n_useful`` points: ``qbinom(quantile, n_useful - 1, ½)``.

    Computed exactly with integer binomial sums (``math.comb`` arithmetic) up to 2001 useful
    points and in log space above that, falling back to exact sums whenever the floating-point
    result is within 1e-8 of the boundary.

    Args:
        n_useful: Number of useful observations (not missing, not on the centre line).
        quantile: Lower-tail probability; 0.05 for the Anhøj rules.

    Returns:
        The critical number of crossings; fewer than this signals.

    Raises:
        InvalidSeriesError: ``n_useful`` is negative.
    """
    if n_useful < 0:
        raise InvalidSeriesError(f"n_useful: must be >= 0, got {n_useful}")
    return _qbinom_half(max(int(n_useful) - 1, 0), float(quantile))


def longest_run_max(n_useful: int) -> int:
    """Longest run expected for ``n_useful`` points: ``round(log2(n_useful)) + 3`` (Schilling).

    Args:
        n_useful: Number of useful observations (must be positive).

    Returns:
        The critical run length; a longer run signals.
    """
    return int(np.round(np.log2(n_useful))) + 3


def crossings_min_array(n_useful: np.ndarray, quantile: float) -> np.ndarray:
    """``crossings_min`` for many group sizes at once (one exact look-up per distinct size)."""
    uniq, inv = np.unique(n_useful, return_inverse=True)
    table = np.array([_qbinom_half(max(int(u) - 1, 0), quantile) for u in uniq], dtype=float)
    return table[inv]


def _runs_pmf(n1: int, n2: int) -> dict[int, int]:
    """Swed–Eisenhart: counts of arrangements with r runs (divide by C(n1+n2, n1))."""
    out: dict[int, int] = {}
    for r in range(2, n1 + n2 + 1):
        k, odd = divmod(r, 2)
        if odd:
            c = math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k) + math.comb(n1 - 1, k) * math.comb(
                n2 - 1, k - 1
            )
        else:
            c = 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
        if c:
            out[r] = c
    return out


def runs_limits(n_useful: int) -> tuple[int, int] | None:
    """IHI runs-rule limits for ``n_useful`` observations, as printed (Perla et al. 2011).

    Args:
        n_useful: Number of useful observations (not missing, not on the median).

    Returns:
        ``(lower, upper)`` from :data:`IHI_RUNS_TABLE`: fewer runs than ``lower`` or more
        than ``upper`` signals; None outside the printed range of 10–60 observations.
    """
    return IHI_RUNS_TABLE.get(int(n_useful))


@lru_cache(maxsize=128)
def swed_eisenhart_runs_limits(n_useful: int) -> tuple[int, int] | None:
    """Exact Swed–Eisenhart runs limits at 5 % two-sided (not the printed IHI table).

    The useful observations are split as evenly as possible above and below the median;
    the lower limit is the smallest r with ``P(R <= r) > 0.025``, the upper the largest
    with ``P(R >= r) > 0.025``. It differs from the printed table at 18 of its 51 sizes,
    so the IHI preset does not use it; it is kept, labelled, for comparison.

    Args:
        n_useful: Number of useful observations (at least 2).

    Returns:
        ``(lower, upper)``, or None below 2 observations.
    """
    if n_useful < 2:
        return None
    n1 = n_useful // 2
    n2 = n_useful - n1
    counts = _runs_pmf(n1, n2)
    total = math.comb(n_useful, n1)
    # exact comparisons with the 2.5% tail: P(R <= r) > 0.025  <=>  40 * cum > total
    lower = upper = None
    cum = 0
    for r in sorted(counts):
        cum += counts[r]
        if 40 * cum > total:
            lower = r
            break
    cum = 0
    for r in sorted(counts, reverse=True):
        cum += counts[r]
        if 40 * cum > total:
            upper = r
            break
    assert lower is not None and upper is not None
    return lower, upper


def centre_sign(
    values: np.ndarray, centre: np.ndarray, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """Side of the centre line (+1, −1, 0 on it, NaN missing), blind to float noise.

    A difference smaller than :data:`TIE_RELATIVE` of the values' size is arithmetic
    noise, not data: a median of 87.1 and 87.3 held as 87.19999999999999 has a later 87.2
    on it. A real difference — even a mean centre line 0.05 from a count — is far larger.
    ``groups`` and ``n_groups`` are accepted for the engine's calling convention.
    """
    del groups, n_groups
    diff = values - centre
    scale = np.maximum(np.maximum(np.abs(values), np.abs(centre)), 1.0)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(diff) <= TIE_RELATIVE * scale, 0.0, np.sign(diff))


def astronomical_points(values: np.ndarray, groups: np.ndarray, n_groups: int):
    """Isolated extreme points: (flags, gap in robust σ per point, NaN where not an extreme).

    Only a group's single highest and single lowest point are candidates; one is marked
    when its gap to the nearest other point exceeds ``ASTRONOMICAL_Z`` robust standard
    deviations of the group (IQR / 1.349; 1.2533 × mean absolute deviation from the
    median when the IQR is 0).
    """
    flags = np.zeros(values.size, dtype=bool)
    score = np.full(values.size, np.nan)
    ok = np.flatnonzero(~np.isnan(values))
    if ok.size < 3:
        return flags, score
    order = ok[np.lexsort((values[ok], groups[ok]))]
    v = values[order]
    g = groups[order]
    frame = pd.Series(v).groupby(g, sort=True)
    q = frame.quantile([0.25, 0.75]).unstack()
    med = frame.median()
    mean_ad = pd.Series(np.abs(v - med.reindex(g).to_numpy())).groupby(g, sort=True).mean()
    iqr = (q[0.75] - q[0.25]).to_numpy()
    scale = np.where(iqr > 0, iqr / _IQR_Z, _MEANAD_Z * mean_ad.to_numpy())
    count = frame.size().to_numpy()
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    last = np.r_[first[1:] - 1, v.size - 1]
    big = count >= 3
    first, last, scale = first[big], last[big], scale[big]
    gap_low = (v[first + 1] - v[first]) / np.where(scale > 0, scale, np.nan)
    gap_high = (v[last] - v[last - 1]) / np.where(scale > 0, scale, np.nan)
    for pos, gap in ((first, gap_low), (last, gap_high)):
        mark = gap > ASTRONOMICAL_Z
        flags[order[pos[mark]]] = True
        score[order[pos[mark]]] = gap[mark]
    return flags, score

