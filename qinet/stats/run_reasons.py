"""Plain-English reasons for run-chart signals (Anhøj); shared text helpers for IHI's."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qinet.stats.rules import RunChartRules
from qinet.stats.run_limits import ASTRONOMICAL_Z


def point_labels(positions: np.ndarray, date_labels: np.ndarray | None) -> np.ndarray:
    """Text naming points: the date label, or the 1-based position without dates."""
    if date_labels is not None:
        return date_labels[positions]
    return (positions + 1).astype(str).astype(object)


def counted(n, word: str, many: str | None = None) -> pd.Series:
    """``"1 crossing"``, ``"3 crossings"`` for each count: reason texts read as people write.

    Args:
        n: Whole-number counts (array-like).
        word: The singular noun.
        many: The plural when it is not ``word + "s"``.

    Returns:
        An object Series of "<count> <noun>" strings, index 0…len-1.
    """
    counts = np.asarray(n).astype(np.int64)
    nouns = np.where(counts == 1, word, many or word + "s").astype(object)
    return pd.Series(counts).astype(str).astype(object) + " " + pd.Series(nouns, dtype=object)


def window_text(start: np.ndarray, end: np.ndarray, date_labels, noun: str) -> pd.Series:
    """"points 3–9" or "1 Mar 2024 – 1 Sep 2024" for each window."""
    a = pd.Series(point_labels(start, date_labels), dtype=object)
    b = pd.Series(point_labels(end, date_labels), dtype=object)
    if date_labels is None:
        return noun + " " + a + "–" + b
    return a + " – " + b


def anhoej_reasons(
    reason, rs, too_long_run, lmax, n_useful, ncross, cmin, cross_sig, groups, date_labels
) -> None:
    """Append the Anhøj reasons (long run; too few crossings) to ``reason``."""
    runs = np.flatnonzero(too_long_run)
    if runs.size:
        grp = rs["run_group"][runs]
        side = np.where(rs["run_sign"][runs] > 0, "above", "below")
        text = (
            "Run of "
            + counted(rs["run_len"][runs], "point")
            + " "
            + pd.Series(side, dtype=object)
            + " the median ("
            + window_text(rs["run_start"][runs], rs["run_end"][runs], date_labels, "points")
            + "), longer than the "
            + pd.Series(lmax[grp].astype(int)).astype(str)
            + " expected for "
            + counted(n_useful[grp], "useful point")
        ).to_numpy(dtype=object)
        pr = rs["point_run"]
        member = pr >= 0
        idx = np.flatnonzero(member)
        lookup = np.full(rs["run_len"].size, None, dtype=object)
        lookup[runs] = text
        t = lookup[pr[idx]]
        has = t != None  # noqa: E711 - elementwise comparison on an object array
        append_reason(reason, idx[has], t[has])
    gs = np.flatnonzero(cross_sig)
    if gs.size:
        text = (
            "Only "
            + counted(ncross[gs], "crossing")
            + " of the median, fewer than the "
            + pd.Series(cmin[gs].astype(int)).astype(str)
            + " expected for "
            + counted(n_useful[gs], "useful point")
        ).to_numpy(dtype=object)
        lookup = np.full(n_useful.size, None, dtype=object)
        lookup[gs] = text
        t = lookup[groups]
        idx = np.flatnonzero(t != None)  # noqa: E711
        append_reason(reason, idx, t[idx])


def append_reason(reason: np.ndarray, idx: np.ndarray, text: np.ndarray) -> None:
    """Join ``text`` onto the reasons at ``idx`` with "; "."""
    if idx.size == 0:
        return
    cur = reason[idx]
    reason[idx] = np.where(cur == "", text, cur + "; " + text)



def ihi_reasons(
    reason: np.ndarray,
    rs: dict,
    rules: RunChartRules,
    *,
    shift_run: np.ndarray,
    rule_shift: np.ndarray,
    rule_trend: np.ndarray,
    trend_windows: tuple,
    runs_info: tuple,
    groups: np.ndarray,
    n_groups: int,
    astro: tuple,
    date_labels: np.ndarray | None,
) -> None:
    """Append the IHI rules' reasons (shift, trend, runs, astronomical) to ``reason``."""
    t_start, t_end, t_len, t_dir = trend_windows
    runs_sig, too_few, n_runs, lower, upper, n_useful = runs_info
    rule_astro, astro_gap = astro
    pr = rs["point_run"]
    runs_idx = np.flatnonzero(shift_run)
    if runs_idx.size:
        side = np.where(rs["run_sign"][runs_idx] > 0, "above", "below")
        text = (
            "Shift: "
            + counted(rs["run_len"][runs_idx], "point")
            + " in a row "
            + pd.Series(side, dtype=object)
            + " the median ("
            + window_text(rs["run_start"][runs_idx], rs["run_end"][runs_idx], date_labels, "points")
            + "), at least "
            + str(rules.shift)
        ).to_numpy(dtype=object)
        lookup = np.full(rs["run_len"].size, None, dtype=object)
        lookup[runs_idx] = text
        idx = np.flatnonzero(rule_shift)
        append_reason(reason, idx, lookup[pr[idx]])
    if t_start.size:
        text = (
            "Trend: "
            + counted(t_len, "point")
            + " in a row "
            + pd.Series(np.where(t_dir > 0, "rising", "falling"), dtype=object)
            + " ("
            + window_text(t_start, t_end, date_labels, "points")
            + "), at least "
            + str(rules.trend)
        ).to_numpy(dtype=object)
        # map each flagged point to the window(s) containing it: a turning point can end
        # one trend and start the next, and then carries both
        idx = np.flatnonzero(rule_trend)
        w = np.searchsorted(t_start, idx, side="right") - 1
        shared = (w > 0) & (t_end[np.maximum(w - 1, 0)] >= idx)
        append_reason(reason, idx[shared], text[w[shared] - 1])
        append_reason(reason, idx, text[w])
    gs = np.flatnonzero(runs_sig)
    if gs.size:
        few = too_few[gs]
        text = (
            pd.Series(np.where(few, "Too few runs: ", "Too many runs: "), dtype=object)
            + counted(n_runs[gs], "run")
            + ", "
            + pd.Series(np.where(few, "fewer than ", "more than "), dtype=object)
            + pd.Series(np.where(few, lower[gs], upper[gs]).astype(int)).astype(str)
            + " expected for "
            + counted(n_useful[gs], "useful point")
        ).to_numpy(dtype=object)
        lookup = np.full(n_groups, None, dtype=object)
        lookup[gs] = text
        t = lookup[groups]
        idx = np.flatnonzero(t != None)  # noqa: E711
        append_reason(reason, idx, t[idx])
    idx = np.flatnonzero(rule_astro)
    if idx.size:
        text = (
            "Astronomical point: far from all the others (point "
            + pd.Series(point_labels(idx, date_labels), dtype=object)
            + ", "
            + pd.Series(np.round(astro_gap[idx], 1)).astype(str)
            + " robust standard deviations from the nearest other point; more than "
            + f"{ASTRONOMICAL_Z:g}"
            + " signals)"
        ).to_numpy(dtype=object)
        append_reason(reason, idx, text)
