"""Run charts: median centre line, runs and crossings, Anhøj and IHI rules.

Everything here is pure numpy/pandas and vectorised: one engine analyses any number of
groups (phases of one series, or thousands of series at once) without a Python loop per
point. The public entry points are:

* :func:`compute_run_chart` — one series, optional phases and baseline, either rule set;
* :func:`compute_run_chart_batch` — many series in one pass;
* :func:`anhoej_statistics` — the Anhøj numbers for one set of values around a centre;
* :func:`crossings_min` / :func:`runs_limits` — the critical values behind the rules.

**Anhøj rules** reproduce qicharts2 0.8.1 ``runs.analysis`` exactly: points on the centre
line and missing points are dropped first (``n_useful`` is what remains);
``longest_run_max = round(log2(n_useful)) + 3`` (R rounds halves to even, as numpy does);
``n_crossings_min = qbinom(0.05, n_useful - 1, 0.5)``; the signal is
``longest_run > longest_run_max or n_crossings < n_crossings_min``.

**IHI rules** follow Perla, Provost & Murray (2011), with these operational choices, which
qinet documents rather than hides:

* *Shift*: ``rules.shift`` or more consecutive points on one side of the median. Points on
  the median neither break nor count towards a shift; missing points are skipped.
* *Trend*: ``rules.trend`` or more consecutive points all going up or all going down.
  IHI convention: a repeated value neither counts nor breaks the trend (it is skipped).
  Missing values are skipped too. Every point inside the trend window is flagged.
* *Runs*: too few or too many runs for the number of useful observations (10–60), read
  from the **printed** Table 1 of Perla, Provost & Murray (2011), transcribed in
  :data:`IHI_RUNS_TABLE` (adapted there from Swed & Eisenhart 1943). Fewer runs than the
  lower limit, or more than the upper limit, signals; a count equal to a limit does not.
  The printed table is not an exact 5 % rule at every n, so it is transcribed, not
  computed. The exact Swed–Eisenhart computation is kept as a separately named function,
  :func:`swed_eisenhart_runs_limits`, and is not used by the IHI preset.
* *Astronomical point*: IHI leaves this to judgement ("a single point obviously different
  from all the others"). qinet marks a phase's single highest or single lowest point when
  the gap between it and the nearest other point is more than :data:`ASTRONOMICAL_Z` = 3.5
  robust standard deviations of the phase (IQR / 1.349; when the IQR is 0,
  1.2533 × the mean absolute deviation from the median). At most two points per phase can
  be marked, each isolated from every other point; a series that moves between levels
  marks nothing (its shift and runs are what the other rules see).
* *Ties with the centre line* are decided in the data's own precision: a point whose
  difference from the centre rounds to zero at one decimal more than the phase's values
  carry (at most 12) is on the centre line, so a frozen median of 87.1 and 87.3 held as
  87.19999999999999 has a later 87.2 on it, not above it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd

from qinet.errors import InvalidSeriesError
from qinet.stats.rules import ANHOEJ, RunChartRules

ASTRONOMICAL_Z = 3.5  # gap, in robust σ, between a lone extreme point and all the others
_IQR_Z = 1.349  # IQR / 1.349 estimates σ for normal data
_MEANAD_Z = 1.253314  # √(π/2): mean absolute deviation → σ, used when the IQR is 0
_MAX_DECIMALS = 12  # precision search stops here (beyond it, floats carry no decimal meaning)

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


def _crossings_min_array(n_useful: np.ndarray, quantile: float) -> np.ndarray:
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


# --- statistics for one set of values ------------------------------------------------------


@dataclass(frozen=True)
class AnhoejStats:
    """Anhøj runs analysis of one phase, as qicharts2 ``summary()`` reports it.

    Attributes:
        n_useful: Points neither missing nor on the centre line.
        longest_run: Longest run of useful points on one side (None when n_useful is 0).
        longest_run_max: Longest run expected (None when n_useful is 0).
        n_crossings: Times the (useful) series crosses the centre line (None when 0 useful).
        n_crossings_min: Fewest crossings expected (None when n_useful is 0).
        signal: ``longest_run > longest_run_max or n_crossings < n_crossings_min``.
    """

    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    signal: bool


def anhoej_statistics(values, centre, *, quantile: float = 0.05) -> AnhoejStats:
    """Anhøj runs analysis of ``values`` around ``centre`` (qicharts2 ``runs.analysis``).

    Args:
        values: Sequence of numbers; NaN means missing.
        centre: The centre line, a scalar or one value per point.
        quantile: Binomial quantile for the crossings rule (0.05 in qicharts2).

    Returns:
        The statistics; all None with ``signal=False`` when no point is useful.

    Raises:
        InvalidSeriesError: ``centre`` has a different length from ``values``.
    """
    y = np.asarray(values, dtype=float)
    cl = (
        np.broadcast_to(np.asarray(centre, dtype=float), y.shape)
        if np.ndim(centre) == 0
        else (np.asarray(centre, dtype=float))
    )
    if cl.shape != y.shape:
        raise InvalidSeriesError(
            f"centre: length {cl.shape[0]} does not match values (length {y.shape[0]})"
        )
    s = np.sign(y - cl)
    s = s[(s != 0) & ~np.isnan(s)]
    n = int(s.size)
    if n == 0:
        return AnhoejStats(0, None, None, None, None, False)
    starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    lengths = np.diff(np.append(starts, n))
    longest = int(lengths.max())
    lmax = longest_run_max(n)
    crossings = int(starts.size - 1)
    cmin = crossings_min(n, quantile)
    return AnhoejStats(n, longest, lmax, crossings, cmin, bool(longest > lmax or crossings < cmin))


# --- the vectorised engine -----------------------------------------------------------------


def _group_starts(groups: np.ndarray) -> np.ndarray:
    """Boolean array: True where a new group starts (groups are contiguous)."""
    first = np.ones(groups.size, dtype=bool)
    if groups.size > 1:
        first[1:] = groups[1:] != groups[:-1]
    return first


def _run_structure(sign: np.ndarray, useful: np.ndarray, groups: np.ndarray, n_groups: int):
    """Runs of useful points with the same sign, within groups (points off the run get -1)."""
    pos = np.flatnonzero(useful)
    g_u = groups[pos]
    s_u = sign[pos]
    new = np.ones(pos.size, dtype=bool)
    if pos.size > 1:
        new[1:] = (g_u[1:] != g_u[:-1]) | (s_u[1:] != s_u[:-1])
    run_global = np.cumsum(new) - 1  # run number across all groups
    n_runs_total = int(new.sum())
    run_len = np.bincount(run_global, minlength=n_runs_total)
    run_group = g_u[new]
    run_start_pos = pos[new]
    run_end_pos = pos[np.append(np.flatnonzero(new)[1:] - 1, pos.size - 1)] if pos.size else pos
    # run number within its group
    group_first_run = np.full(n_groups, -1, dtype=np.int64)
    if n_runs_total:
        firsts = np.flatnonzero(_group_starts(run_group))
        group_first_run[run_group[firsts]] = firsts
    run_in_group = np.arange(n_runs_total) - group_first_run[run_group]
    n_useful = np.bincount(g_u, minlength=n_groups)
    n_runs = np.bincount(run_group, minlength=n_groups)
    longest = np.zeros(n_groups, dtype=np.int64)
    if n_runs_total:
        np.maximum.at(longest, run_group, run_len)
    point_run = np.full(sign.size, -1, dtype=np.int64)
    point_run[pos] = run_global
    return {
        "point_run": point_run,
        "run_len": run_len,
        "run_group": run_group,
        "run_sign": s_u[new] if pos.size else s_u,
        "run_start": run_start_pos,
        "run_end": run_end_pos,
        "run_in_group": run_in_group,
        "n_useful": n_useful,
        "n_runs": n_runs,
        "longest": longest,
    }


def _group_median(values: np.ndarray, mask: np.ndarray, groups: np.ndarray, n_groups: int):
    v = np.where(mask, values, np.nan)
    med = pd.Series(v).groupby(groups, sort=True).median()
    out = np.full(n_groups, np.nan)
    out[med.index.to_numpy()] = med.to_numpy()
    return out


def _trend_flags(values: np.ndarray, groups: np.ndarray, trend: int):
    """IHI trend membership: ties and missing values are skipped (neither count nor break)."""
    n = values.size
    ok = ~np.isnan(values)
    pos = np.flatnonzero(ok)
    v = values[pos]
    g = groups[pos]
    keep = np.ones(pos.size, dtype=bool)
    if pos.size > 1:
        keep[1:] = (g[1:] != g[:-1]) | (v[1:] != v[:-1])
    kpos = pos[keep]
    kv = v[keep]
    kg = g[keep]
    flags = np.zeros(n, dtype=bool)
    windows: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    if kpos.size < 2:
        return flags, (np.empty(0, int), np.empty(0, int), np.empty(0, int), np.empty(0))
    d = np.sign(np.diff(kv))
    d[kg[1:] != kg[:-1]] = 0  # no trend across group boundaries
    new = np.ones(d.size, dtype=bool)
    new[1:] = d[1:] != d[:-1]
    run_id = np.cumsum(new) - 1
    run_len = np.bincount(run_id)  # diffs per run
    run_dir = d[new]
    hit = (run_dir != 0) & (run_len + 1 >= trend)
    diff_in = hit[run_id]
    kflag = np.zeros(kpos.size, dtype=bool)
    kflag[:-1] |= diff_in
    kflag[1:] |= diff_in
    # every original non-missing point maps to its kept representative; a repeated value is
    # inside the window when the diff leaving its representative is part of the trend
    rep = np.cumsum(keep) - 1
    rep_flag = kflag[rep]
    is_repeat = ~keep
    leaving = np.zeros(kpos.size, dtype=bool)
    leaving[:-1] = diff_in
    pflag = np.where(is_repeat, leaving[rep], rep_flag)
    flags[pos] = pflag
    # window description for reasons: start/end positions, number of distinct points, direction
    starts_d = np.flatnonzero(new)[hit]
    lens = run_len[hit]
    start_pos = kpos[starts_d]
    end_pos = kpos[starts_d + lens]
    windows.append((start_pos, end_pos, lens + 1, run_dir[hit]))
    return flags, windows[0]


def data_decimals(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Decimal places each group's values carry (the most any value needs, at most 12)."""
    v = values[~np.isnan(values)]
    g = groups[~np.isnan(values)]
    need = np.full(v.size, _MAX_DECIMALS, dtype=np.int64)
    open_ = np.ones(v.size, dtype=bool)
    scale = np.maximum(np.abs(v), 1.0)
    for d in range(_MAX_DECIMALS):
        exact = open_ & (np.abs(np.round(v, d) - v) <= 1e-9 * scale)
        need[exact] = d
        open_ &= ~exact
        if not open_.any():
            break
    out = np.zeros(n_groups, dtype=np.int64)
    np.maximum.at(out, g, need)
    return out


def centre_sign(
    values: np.ndarray, centre: np.ndarray, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """Side of the centre line (+1, −1, 0 on it, NaN missing) in the data's own precision.

    The difference is rounded to one decimal more than the group's values carry (a median
    of two values can need one more), so float noise in a centre such as
    87.19999999999999 cannot put a point of 87.2 off the line.
    """
    diff = values - centre
    dec = np.minimum(data_decimals(values, groups, n_groups) + 1, _MAX_DECIMALS)
    tol = 0.5 * np.power(10.0, -dec.astype(float))[groups]
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(diff) < tol, 0.0, np.sign(diff))


def _astronomical(values: np.ndarray, groups: np.ndarray, n_groups: int):
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


def _labels(positions: np.ndarray, date_labels: np.ndarray | None) -> np.ndarray:
    if date_labels is not None:
        return date_labels[positions]
    return (positions + 1).astype(str).astype(object)


def _window_text(start: np.ndarray, end: np.ndarray, date_labels, noun: str) -> pd.Series:
    a = pd.Series(_labels(start, date_labels), dtype=object)
    b = pd.Series(_labels(end, date_labels), dtype=object)
    if date_labels is None:
        return noun + " " + a + "–" + b
    return a + " – " + b


def _analyse(
    values: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    centre: np.ndarray,
    rules: RunChartRules,
    date_labels: np.ndarray | None,
    with_reasons: bool = True,
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Analyse contiguous groups around a per-group centre; returns (point cols, group frame)."""
    cl = centre[groups]
    sign = centre_sign(values, cl, groups, n_groups)
    useful = ~np.isnan(sign) & (sign != 0)
    rs = _run_structure(sign, useful, groups, n_groups)
    n_useful = rs["n_useful"]
    point_run = rs["point_run"]
    run_in_group = np.full(values.size, -1, dtype=np.int64)
    member = point_run >= 0
    run_in_group[member] = rs["run_in_group"][point_run[member]]
    cols: dict[str, np.ndarray] = {
        "median": cl,
        "useful": useful,
        "run_id": run_in_group,
    }
    has = n_useful > 0
    per_group: dict[str, np.ndarray] = {"n_useful": n_useful}
    reason = np.full(values.size, "", dtype=object) if with_reasons else None
    if rules.method == "anhoej":
        lmax = np.full(n_groups, np.nan)
        lmax[has] = np.round(np.log2(n_useful[has])) + 3
        cmin = np.full(n_groups, np.nan)
        cmin[has] = _crossings_min_array(n_useful[has], rules.crossings_quantile)
        longest = np.where(has, rs["longest"], np.nan)
        ncross = np.where(has, np.maximum(rs["n_runs"] - 1, 0), np.nan)
        long_sig = has & (longest > lmax)
        cross_sig = has & (ncross < cmin)
        signal = long_sig | cross_sig
        per_group.update(
            longest_run=longest,
            longest_run_max=lmax,
            n_crossings=ncross,
            n_crossings_min=cmin,
            runs_signal=signal,
        )
        too_long_run = rs["run_len"] > lmax[rs["run_group"]]
        in_long = np.zeros(values.size, dtype=bool)
        in_long[point_run >= 0] = too_long_run[point_run[point_run >= 0]]
        for name in ("longest_run", "longest_run_max", "n_crossings", "n_crossings_min"):
            cols[name] = per_group[name][groups]
        cols["runs_signal"] = signal[groups]
        cols["in_long_run"] = in_long
        cols["non_random"] = cross_sig[groups]
        cols["signal"] = signal[groups]
        if with_reasons:
            _anhoej_reasons(
                reason,
                rs,
                too_long_run,
                lmax,
                n_useful,
                ncross,
                cmin,
                cross_sig,
                groups,
                date_labels,
            )
    else:
        _ihi(values, groups, n_groups, cl, rs, rules, cols, per_group, reason, date_labels)
    if with_reasons:
        cols["reason"] = reason
    return cols, pd.DataFrame(per_group)


def _anhoej_reasons(
    reason, rs, too_long_run, lmax, n_useful, ncross, cmin, cross_sig, groups, date_labels
) -> None:
    runs = np.flatnonzero(too_long_run)
    if runs.size:
        grp = rs["run_group"][runs]
        side = np.where(rs["run_sign"][runs] > 0, "above", "below")
        text = (
            "Run of "
            + pd.Series(rs["run_len"][runs]).astype(str)
            + " points "
            + pd.Series(side, dtype=object)
            + " the median ("
            + _window_text(rs["run_start"][runs], rs["run_end"][runs], date_labels, "points")
            + "), longer than the "
            + pd.Series(lmax[grp].astype(int)).astype(str)
            + " expected for "
            + pd.Series(n_useful[grp]).astype(str)
            + " useful points"
        ).to_numpy(dtype=object)
        pr = rs["point_run"]
        member = pr >= 0
        idx = np.flatnonzero(member)
        lookup = np.full(rs["run_len"].size, None, dtype=object)
        lookup[runs] = text
        t = lookup[pr[idx]]
        has = t != None  # noqa: E711 - elementwise comparison on an object array
        _append(reason, idx[has], t[has])
    gs = np.flatnonzero(cross_sig)
    if gs.size:
        text = (
            "Only "
            + pd.Series(ncross[gs].astype(int)).astype(str)
            + " crossings of the median, fewer than the "
            + pd.Series(cmin[gs].astype(int)).astype(str)
            + " expected for "
            + pd.Series(n_useful[gs]).astype(str)
            + " useful points"
        ).to_numpy(dtype=object)
        lookup = np.full(n_useful.size, None, dtype=object)
        lookup[gs] = text
        t = lookup[groups]
        idx = np.flatnonzero(t != None)  # noqa: E711
        _append(reason, idx, t[idx])


def _append(reason: np.ndarray, idx: np.ndarray, text: np.ndarray) -> None:
    if idx.size == 0:
        return
    cur = reason[idx]
    reason[idx] = np.where(cur == "", text, cur + "; " + text)


def _ihi(values, groups, n_groups, cl, rs, rules, cols, per_group, reason, date_labels) -> None:
    n_useful = rs["n_useful"]
    pr = rs["point_run"]
    # shift: runs of useful points (points on the median skipped) of length >= shift
    shift_run = rs["run_len"] >= rules.shift
    rule_shift = np.zeros(values.size, dtype=bool)
    rule_shift[pr >= 0] = shift_run[pr[pr >= 0]]
    # trend
    rule_trend, (t_start, t_end, t_len, t_dir) = _trend_flags(values, groups, rules.trend)
    # runs table
    lower = np.full(n_groups, np.nan)
    upper = np.full(n_groups, np.nan)
    for u in np.unique(n_useful):
        lim = runs_limits(int(u))
        if lim is not None:
            sel = n_useful == u
            lower[sel], upper[sel] = lim
    n_runs = np.where(n_useful > 0, rs["n_runs"], np.nan)
    too_few = n_runs < lower
    too_many = n_runs > upper
    runs_sig = too_few | too_many
    # astronomical: a lone extreme far from every other point of its phase
    rule_astro, astro_gap = _astronomical(values, groups, n_groups)
    per_group.update(
        n_runs=n_runs,
        runs_lower=lower,
        runs_upper=upper,
        rule_runs=runs_sig,
    )
    cols["n_runs"] = n_runs[groups]
    cols["runs_lower"] = lower[groups]
    cols["runs_upper"] = upper[groups]
    cols["rule_shift"] = rule_shift
    cols["rule_trend"] = rule_trend
    cols["rule_runs"] = runs_sig[groups]
    cols["rule_astronomical"] = rule_astro
    cols["non_random"] = runs_sig[groups]
    trend_dir = np.zeros(values.size, dtype=np.int8)
    t_idx = np.flatnonzero(rule_trend)
    if t_idx.size:
        trend_dir[t_idx] = t_dir[np.searchsorted(t_start, t_idx, side="right") - 1]
    cols["trend_direction"] = trend_dir
    cols["signal"] = rule_shift | rule_trend | runs_sig[groups] | rule_astro
    if reason is None:
        return
    runs = np.flatnonzero(shift_run)
    if runs.size:
        side = np.where(rs["run_sign"][runs] > 0, "above", "below")
        text = (
            "Shift: "
            + pd.Series(rs["run_len"][runs]).astype(str)
            + " points in a row "
            + pd.Series(side, dtype=object)
            + " the median ("
            + _window_text(rs["run_start"][runs], rs["run_end"][runs], date_labels, "points")
            + "), at least "
            + str(rules.shift)
        ).to_numpy(dtype=object)
        lookup = np.full(rs["run_len"].size, None, dtype=object)
        lookup[runs] = text
        idx = np.flatnonzero(rule_shift)
        _append(reason, idx, lookup[pr[idx]])
    if t_start.size:
        text = (
            "Trend: "
            + pd.Series(t_len).astype(str)
            + " points in a row "
            + pd.Series(np.where(t_dir > 0, "rising", "falling"), dtype=object)
            + " ("
            + _window_text(t_start, t_end, date_labels, "points")
            + "), at least "
            + str(rules.trend)
        ).to_numpy(dtype=object)
        # map each flagged point to the window(s) containing it: a turning point can end
        # one trend and start the next, and then carries both
        idx = np.flatnonzero(rule_trend)
        w = np.searchsorted(t_start, idx, side="right") - 1
        shared = (w > 0) & (t_end[np.maximum(w - 1, 0)] >= idx)
        _append(reason, idx[shared], text[w[shared] - 1])
        _append(reason, idx, text[w])
    gs = np.flatnonzero(runs_sig)
    if gs.size:
        few = too_few[gs]
        text = (
            pd.Series(np.where(few, "Too few runs: ", "Too many runs: "), dtype=object)
            + pd.Series(n_runs[gs].astype(int)).astype(str)
            + " runs, "
            + pd.Series(np.where(few, "fewer than ", "more than "), dtype=object)
            + pd.Series(np.where(few, lower[gs], upper[gs]).astype(int)).astype(str)
            + " expected for "
            + pd.Series(n_useful[gs]).astype(str)
            + " useful points"
        ).to_numpy(dtype=object)
        lookup = np.full(n_groups, None, dtype=object)
        lookup[gs] = text
        t = lookup[groups]
        idx = np.flatnonzero(t != None)  # noqa: E711
        _append(reason, idx, t[idx])
    idx = np.flatnonzero(rule_astro)
    if idx.size:
        text = (
            "Astronomical point: far from all the others (point "
            + pd.Series(_labels(idx, date_labels), dtype=object)
            + ", "
            + pd.Series(np.round(astro_gap[idx], 1)).astype(str)
            + " robust standard deviations from the nearest other point; more than "
            + f"{ASTRONOMICAL_Z:g}"
            + " signals)"
        ).to_numpy(dtype=object)
        _append(reason, idx, text)


# --- public API ----------------------------------------------------------------------------


def _phase_codes(n: int, phase_starts: tuple[int, ...]) -> np.ndarray:
    starts = [int(p) for p in phase_starts]
    if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
        raise InvalidSeriesError(f"phase_starts: must be strictly increasing, got {starts}")
    if starts and (starts[0] < 1 or starts[-1] >= n):
        raise InvalidSeriesError(
            f"phase_starts: each start must be a position between 1 and {n - 1}, got {starts}"
        )
    phase = np.zeros(n, dtype=np.int64)
    if starts:
        phase[np.asarray(starts)] = 1
        phase = np.cumsum(phase)
    return phase


def compute_run_chart(
    values,
    *,
    dates=None,
    rules: RunChartRules = ANHOEJ,
    phase_starts: tuple[int, ...] = (),
    baseline_n: int | None = None,
    centre: float | None = None,
) -> pd.DataFrame:
    """Run chart of one series: median centre line per phase and the chosen run-chart rules.

    Args:
        values: The series in time order; NaN means missing.
        dates: Optional dates, one per value, used in ``reason`` texts.
        rules: ``ANHOEJ`` (qicharts2 semantics) or ``IHI``.
        phase_starts: 0-based positions where a new phase starts. Medians and rules are
            computed separately per phase.
        baseline_n: Compute the median from the first ``baseline_n`` points only (qicharts2
            ``freeze``); the rules still use every point. Ignored when ``phase_starts`` is
            given (as qicharts2 ignores ``freeze`` with ``part``), with a warning.
        centre: A fixed centre line instead of the median.

    Returns:
        One row per point with columns ``idx`` (0-based position), ``date``, ``value``,
        ``phase`` (0-based), ``baseline``, ``median`` (centre line), ``useful``, ``run_id``
        (run number within the phase, <NA> for points that are not useful), ``n_useful``,
        then for Anhøj ``longest_run``, ``longest_run_max``, ``n_crossings``,
        ``n_crossings_min``, ``runs_signal`` (per phase), ``in_long_run`` (points of a run
        longer than ``longest_run_max``); for IHI ``n_runs``, ``runs_lower``, ``runs_upper``,
        ``rule_shift``, ``rule_trend``, ``rule_runs``, ``rule_astronomical``; and in both
        ``signal`` and ``reason`` (plain English, empty when the point does not signal).
        ``attrs["rules"]`` holds the rule set and ``attrs["warnings"]`` a list of strings.

    Raises:
        InvalidSeriesError: ``dates`` has the wrong length, ``phase_starts`` is out of range
            or unordered, ``baseline_n`` is below 1, or ``rules.method`` is unknown.
    """
    y = np.asarray(values, dtype=float).ravel()
    n = y.size
    if rules.method not in ("anhoej", "ihi"):
        raise InvalidSeriesError(f"rules: unknown method {rules.method!r}")
    date_labels = None
    date_col = None
    if dates is not None:
        date_col = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
        if len(date_col) != n:
            raise InvalidSeriesError(
                f"dates: length {len(date_col)} does not match values (length {n})"
            )
        day = date_col.dt.day.astype("Int64").astype(str)
        labels = day + " " + date_col.dt.strftime("%b %Y")  # "1 Jan 2024" on every platform
        date_labels = labels.where(date_col.notna(), "missing date").to_numpy(object)
    warnings: list[str] = []
    phase = _phase_codes(n, tuple(phase_starts))
    n_phases = int(phase[-1]) + 1 if n else 0
    baseline = np.ones(n, dtype=bool)
    if baseline_n is not None:
        if baseline_n < 1:
            raise InvalidSeriesError(f"baseline_n: must be at least 1, got {baseline_n}")
        if phase_starts:
            warnings.append("baseline_n is ignored when phases are given (as qicharts2 freeze).")
        else:
            baseline = np.arange(n) < baseline_n
    if centre is not None:
        cl = np.full(n_phases, float(centre))
    else:
        cl = _group_median(y, baseline, phase, n_phases)
    cols, per_phase = _analyse(y, phase, n_phases, cl, rules, date_labels)
    if rules.method == "ihi":
        out_of_table = (per_phase["n_useful"] < IHI_RUNS_TABLE_MIN_N) | (
            per_phase["n_useful"] > IHI_RUNS_TABLE_MAX_N
        )
        for p in np.flatnonzero(out_of_table.to_numpy()):
            warnings.append(
                f"Phase {p + 1}: the runs rule needs 10–60 useful points "
                f"(there are {int(per_phase['n_useful'].iloc[p])}); it was not applied."
            )
    frame = pd.DataFrame(
        {
            "idx": np.arange(n),
            "date": date_col if date_col is not None else pd.Series([pd.NaT] * n),
            "value": y,
            "phase": phase,
            "baseline": baseline,
        }
    )
    for k, v in cols.items():
        frame[k] = v
    frame["run_id"] = pd.array(np.where(cols["run_id"] >= 0, cols["run_id"], 0), dtype="Int64")
    frame.loc[cols["run_id"] < 0, "run_id"] = pd.NA
    frame.insert(
        frame.columns.get_loc("run_id") + 1, "n_useful", per_phase["n_useful"].to_numpy()[phase]
    )
    frame = _int_columns(frame)
    frame.attrs["rules"] = rules
    frame.attrs["warnings"] = warnings
    return frame


_INT_COLS = (
    "longest_run",
    "longest_run_max",
    "n_crossings",
    "n_crossings_min",
    "n_runs",
    "runs_lower",
    "runs_upper",
)


def _int_columns(frame: pd.DataFrame) -> pd.DataFrame:
    for c in _INT_COLS:
        if c in frame:
            frame[c] = pd.array(np.round(frame[c].to_numpy(dtype=float)), dtype="Float64").astype(
                "Int64"
            )
    return frame


def compute_run_chart_batch(
    frame: pd.DataFrame, rules: RunChartRules = ANHOEJ
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run charts for many series in one vectorised pass (median of each whole series).

    Args:
        frame: Columns ``series_id``, ``idx`` and ``value``; one row per point. Rows are
            sorted by ``series_id`` then ``idx`` before analysis.
        rules: ``ANHOEJ`` or ``IHI``.

    Returns:
        ``(points, per_series)``. ``points`` has ``series_id``, ``idx``, ``value`` and the
        per-point columns of :func:`compute_run_chart` except ``date`` and ``reason``;
        ``per_series`` has one row per series with ``series_id``, ``median``, ``n_useful``
        and the per-phase statistics of the chosen rules.

    Raises:
        InvalidSeriesError: A required column is missing.
    """
    missing = {"series_id", "idx", "value"} - set(frame.columns)
    if missing:
        raise InvalidSeriesError(f"frame: missing column(s) {sorted(missing)}")
    df = frame[["series_id", "idx", "value"]].sort_values(["series_id", "idx"], kind="stable")
    codes, uniques = pd.factorize(df["series_id"], sort=False)
    codes = np.asarray(codes, dtype=np.int64)
    n_groups = len(uniques)
    y = df["value"].to_numpy(dtype=float)
    # after sorting by series_id, factorize codes are contiguous and increasing
    med = _group_median(y, np.ones(y.size, dtype=bool), codes, n_groups)
    cols, per = _analyse(y, codes, n_groups, med, rules, None, with_reasons=False)
    points = pd.DataFrame(
        {"series_id": df["series_id"].to_numpy(), "idx": df["idx"].to_numpy(), "value": y}
    )
    for k, v in cols.items():
        points[k] = v
    points["run_id"] = np.where(cols["run_id"] >= 0, cols["run_id"], -1)
    per.insert(0, "series_id", uniques)
    per.insert(1, "median", med)
    return points, per
