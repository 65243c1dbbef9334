"""Survey statistics: reverse scoring, domain scores, wave summaries and paired change.

Pure functions over NumPy and pandas (no database, no Streamlit). The paired change is
the classical paired t analysis: for n people answering before and after, the
differences d = after − before have mean d̄ and standard deviation s (n − 1 in the
denominator); the 95 % confidence interval is d̄ ± t(0.975, n − 1) · s / √n and the
effect size is Cohen's d_z = d̄ / s. The Student t quantile is computed here (from the
regularised incomplete beta function) rather than adding SciPy to the fixed stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
SAME_TOLERANCE = 1e-9  # a change smaller than this (floating-point noise) counts as "same"
# Cohen (1988) conventions, applied to |d_z|: below 0.2 negligible, 0.2 small, 0.5 medium,
# 0.8 large. They are rough guides for comparing studies, not thresholds of importance.
EFFECT_BANDS = ((0.2, "negligible"), (0.5, "small"), (0.8, "medium"), (math.inf, "large"))


# --- Student t quantile -------------------------------------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                + a * math.log(x) + b * math.log1p(-x))  # fmt: skip
    front = math.exp(ln_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` degrees of freedom."""
    x = df / (df + t * t)
    tail = 0.5 * betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t (e.g. ``t_quantile(0.975, 9)`` = 2.262).

    Args:
        p: Probability, 0 < p < 1.
        df: Degrees of freedom, > 0.

    Returns:
        t such that P(T ≤ t) = p, to about 1e-10.

    Raises:
        ValueError: ``p`` or ``df`` out of range.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be between 0 and 1, got {p}")
    if df <= 0:
        raise ValueError(f"df must be positive, got {df}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):  # bisection: t_cdf is monotone, so this always converges
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2.0


# --- Scoring --------------------------------------------------------------------------------


def reverse_score(values, scale_min: int, scale_max: int, reverse) -> np.ndarray:
    """Answers with reverse-scored items turned round, so a high score is always better.

    A reverse-scored answer v counts as ``scale_min + scale_max − v`` (on 1–7, 7 → 1, 2 → 6).

    Args:
        values: Answers.
        scale_min: Lowest point of the scale.
        scale_max: Highest point of the scale.
        reverse: True where the item is reverse-scored (one flag, or one per answer).

    Returns:
        The scored answers as floats.
    """
    v = np.asarray(values, dtype=float)
    flip = np.broadcast_to(np.asarray(reverse, dtype=bool), v.shape)
    return np.where(flip, scale_min + scale_max - v, v)


def domain_scores(answers: pd.DataFrame, questions: pd.DataFrame, scale_min: int,
                  scale_max: int) -> pd.DataFrame:  # fmt: skip
    """Each respondent's domain scores: the mean of their answered items after reversal.

    Args:
        answers: ``response_id``, ``question_id``, ``value``.
        questions: ``question_id``, ``domain``, ``reverse_scored``.
        scale_min: Lowest point of the scale.
        scale_max: Highest point of the scale.

    Returns:
        ``response_id``, ``domain``, ``score``, ``items`` (items answered).
    """
    a = answers.merge(questions[["question_id", "domain", "reverse_scored"]], on="question_id")
    a = a.assign(scored=reverse_score(a["value"], scale_min, scale_max, a["reverse_scored"]))
    out = a.groupby(["response_id", "domain"], sort=False)["scored"].agg(["mean", "size"])
    return out.reset_index().rename(columns={"mean": "score", "size": "items"})


# --- Paired change --------------------------------------------------------------------------


@dataclass(frozen=True)
class PairedChange:
    """Paired before/after change for one score (see the module docstring for the method).

    Attributes:
        n_pairs: People with both scores.
        mean_before: Mean score before.
        mean_after: Mean score after.
        mean_change: Mean of the differences (after − before).
        sd_change: Standard deviation of the differences (n − 1 denominator); NaN if n < 2.
        ci_low: Lower end of the confidence interval of the mean change.
        ci_high: Upper end.
        t_crit: The t quantile used.
        d_z: Cohen's d_z = mean change / SD of the differences (NaN if SD is 0 or n < 2).
        improved: People whose score went up.
        same: People whose score did not change.
        declined: People whose score went down.
        confidence: The confidence level (0.95).
    """

    n_pairs: int
    mean_before: float
    mean_after: float
    mean_change: float
    sd_change: float
    ci_low: float
    ci_high: float
    t_crit: float
    d_z: float
    improved: int
    same: int
    declined: int
    confidence: float = CONFIDENCE


def paired_change(before, after, *, confidence: float = CONFIDENCE) -> PairedChange:
    """Mean change with its paired-t confidence interval, d_z and who improved.

    Args:
        before: Scores before, one per person.
        after: The same people's scores after, in the same order.
        confidence: Confidence level of the interval.

    Returns:
        The :class:`PairedChange` (NaN statistics where n is too small).

    Raises:
        ValueError: ``before`` and ``after`` differ in length or hold missing values.
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    if b.shape != a.shape:
        raise ValueError(f"before has {b.size} scores but after has {a.size}")
    if np.isnan(b).any() or np.isnan(a).any():
        raise ValueError("paired scores must not be missing")
    d = a - b
    n = int(d.size)
    nan = float("nan")
    mean = float(d.mean()) if n else nan
    sd = float(d.std(ddof=1)) if n >= 2 else nan
    t_crit = t_quantile(0.5 + confidence / 2.0, n - 1) if n >= 2 else nan
    half = t_crit * sd / math.sqrt(n) if n >= 2 else nan
    d_z = mean / sd if n >= 2 and sd > 0 else nan
    return PairedChange(
        n_pairs=n,
        mean_before=float(b.mean()) if n else nan,
        mean_after=float(a.mean()) if n else nan,
        mean_change=mean,
        sd_change=sd,
        ci_low=mean - half,
        ci_high=mean + half,
        t_crit=t_crit,
        d_z=d_z,
        improved=int((d > SAME_TOLERANCE).sum()),
        same=int((np.abs(d) <= SAME_TOLERANCE).sum()),
        declined=int((d < -SAME_TOLERANCE).sum()),
        confidence=confidence,
    )


def effect_size_words(d_z: float) -> str:
    """Cohen's d_z in words, e.g. "a medium improvement (d_z 0.62)".

    The size follows Cohen's conventional bands on |d_z|; the direction is that of the
    mean change (scores are oriented so that up is better).
    """
    if d_z is None or not np.isfinite(d_z):
        return "not enough variation to size the change"
    size = next(label for bound, label in EFFECT_BANDS if abs(d_z) < bound)
    if size == "negligible":
        return f"a negligible change (d_z {d_z:.2f})"
    way = "improvement" if d_z > 0 else "decline"
    return f"a {size} {way} (d_z {d_z:.2f})"


def pair_scores(scores: pd.DataFrame, before_wave: str, after_wave: str) -> pd.DataFrame:
    """Join each participant's score before with their score after, per domain.

    Args:
        scores: ``participant_id``, ``cohort_id``, ``wave_kind``, ``domain``, ``score``.
            Rows without a participant are ignored (anonymous responses cannot be paired).
        before_wave: Wave kind before, e.g. ``"pre"``.
        after_wave: Wave kind after, e.g. ``"post"``.

    Returns:
        ``participant_id``, ``cohort_id``, ``domain``, ``before``, ``after``; a person who
        answered a wave twice in the same cohort contributes the mean of their answers.
    """
    s = scores.dropna(subset=["participant_id"])
    keys = ["participant_id", "cohort_id", "domain"]
    s = s.groupby([*keys, "wave_kind"], dropna=False, observed=True)["score"].mean().reset_index()
    b = s[s["wave_kind"] == before_wave].drop(columns="wave_kind")
    a = s[s["wave_kind"] == after_wave].drop(columns="wave_kind")
    b, a = b.rename(columns={"score": "before"}), a.rename(columns={"score": "after"})
    return b.merge(a, on=keys, how="inner")
