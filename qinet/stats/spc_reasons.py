"""Plain-English reasons for XmR special-cause points, naming each rule and its window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qinet.stats.core import window_count
from qinet.stats.run_reasons import counted
from qinet.stats.spc_rules import CODE_COMMON, diff_signs

# --- reasons ------------------------------------------------------------------------------


def _labels(
    index: np.ndarray, dates: np.ndarray | None, monthly: bool, local: np.ndarray
) -> np.ndarray:
    """Text naming points: ``"7"`` (1-based within the series) without dates, else the date."""
    if dates is None:
        return (local[index] + 1).astype(str).astype(object)
    chosen = dates[index]
    # as people read dates: "Apr 2024" for monthly series, "17 Jan 2023" otherwise
    codes, uniques = pd.factorize(pd.DatetimeIndex(chosen))
    ts = pd.Series(uniques)
    month = ts.dt.strftime("%b %Y")
    words = (month if monthly else ts.dt.day.astype(str) + " " + month).to_numpy(dtype=object)
    text = np.where(codes >= 0, words[np.maximum(codes, 0)] if len(words) else "", "")
    text = text.astype(object)
    missing = np.isnat(chosen)
    if missing.any():
        text[missing] = ("point " + (local[index[missing]] + 1).astype(str)).astype(object)
    return text


def _span_text(
    first: np.ndarray,
    last: np.ndarray,
    dates: np.ndarray | None,
    monthly: bool,
    local: np.ndarray,
) -> np.ndarray:
    a = _labels(first, dates, monthly, local)
    b = _labels(last, dates, monthly, local)
    if dates is None:
        text = np.where(first == last, "point " + a, "points " + a + "–" + b)
    else:
        text = np.where(first == last, a, a + " to " + b)
    return text.astype(object)


def _runs(member: np.ndarray, link: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Blocks of consecutive members joined where ``link`` holds.

    Returns:
        ``(block_of_point, block_first, block_last)``; ``block_of_point`` is -1 for
        non-members.
    """
    prev = np.concatenate(([False], member[:-1] & link[1:])) if len(member) else member
    starts = member & ~prev
    nxt = np.concatenate((link[1:] & member[1:], [False])) if len(member) else member
    ends = member & ~nxt
    block = np.where(member, np.cumsum(starts) - 1, -1)
    return block, np.flatnonzero(starts), np.flatnonzero(ends)


def _run_clause(
    member: np.ndarray,
    link: np.ndarray,
    words: np.ndarray,
    dates: np.ndarray | None,
    monthly: bool,
    local: np.ndarray,
) -> np.ndarray:
    """``"<k> points in a row <words> (<span>)"`` on every member, "" elsewhere."""
    out = np.full(len(member), "", dtype=object)
    block, first, last = _runs(member, link)
    if len(first) == 0:
        return out
    text = (
        counted(last - first + 1, "point").to_numpy(dtype=object)
        + " in a row "
        + words[first]
        + " ("
        + _span_text(first, last, dates, monthly, local)
        + ")"
    )
    out[member] = text[block[member]]
    return out


def reason_texts(
    *,
    codes: np.ndarray,
    outside: np.ndarray,
    above_upper: np.ndarray,
    rising: np.ndarray,
    falling: np.ndarray,
    two: np.ndarray,
    fires: np.ndarray,
    close: np.ndarray,
    shift: np.ndarray,
    rtm: np.ndarray,
    y: np.ndarray,
    pos: np.ndarray,
    dates: np.ndarray | None,
    monthly: bool,
    centre_name: str,
    local: np.ndarray,
    latest_of_series: np.ndarray | None = None,
) -> np.ndarray:
    """Plain-English reason for every special point (built only from flagged runs).

    With ``latest_of_series`` (the series id of every point) only the last special
    point of each series gets its text: all a summary needs, at a fraction of the cost.
    """
    n = len(codes)
    reason = np.full(n, "", dtype=object)
    flagged = codes != CODE_COMMON
    if not flagged.any():
        return reason
    if latest_of_series is not None:
        idx = np.flatnonzero(flagged)
        owner = latest_of_series[idx]
        last = np.concatenate((owner[1:] != owner[:-1], [True]))
        flagged = np.zeros(n, dtype=bool)
        flagged[idx[last]] = True
    clauses: list[np.ndarray] = []
    idx = np.flatnonzero(outside & flagged)
    c = np.full(n, "", dtype=object)
    if len(idx):
        words = np.where(
            above_upper[idx], "Above the upper process limit", "Below the lower process limit"
        ).astype(object)
        c[idx] = words + " (" + _span_text(idx, idx, dates, monthly, local) + ")"
    clauses.append(c)
    d = diff_signs(y, pos)
    ones = np.full(n, "rising", dtype=object)
    clauses.append(_run_clause(rising, d == 1, ones, dates, monthly, local))
    clauses.append(
        _run_clause(falling, d == -1, np.full(n, "falling", dtype=object), dates, monthly, local)
    )
    c = np.full(n, "", dtype=object)
    idx = np.flatnonzero(two & flagged)
    if len(idx):
        nxt = np.append(fires[1:], False)
        end = np.where(fires[idx], idx, np.where(nxt[idx], idx + 1, idx + 2))
        k = window_count(close, 3)[end]
        side = np.where(rtm[idx] > 0, "upper", "lower").astype(object)
        c[idx] = (
            k.astype(str).astype(object)
            + " of 3 points beyond the "
            + side
            + " 2σ line ("
            + _span_text(end - 2, end, dates, monthly, local)
            + ")"
        )
    clauses.append(c)
    # A run never continues across a phase or series start (pos == 0 there).
    same_side = (
        np.concatenate(([False], (rtm[1:] == rtm[:-1]) & (pos[1:] != 0)))
        if n
        else np.zeros(0, bool)
    )
    words = np.where(rtm > 0, f"above the {centre_name}", f"below the {centre_name}")
    clauses.append(_run_clause(shift, same_side, words.astype(object), dates, monthly, local))
    sel = np.flatnonzero(flagged)
    text = clauses[0][sel]
    for clause in clauses[1:]:
        part = clause[sel]
        both = (text != "") & (part != "")
        text = np.where(both, text + "; " + part, text + part)
    reason[sel] = text
    return reason

