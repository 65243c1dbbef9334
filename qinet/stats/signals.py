"""A measure's tables: the chart's CSV extract and the list of distinct signals."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import pandas as pd

from qinet.stats.measure_types import MeasureAnalysis
from qinet.stats.runstates import is_non_directional

_SPC_EXTRACT = (
    "phase",
    "excluded",
    "mean",
    "lpl",
    "upl",
    "lower_2s",
    "upper_2s",
    "limits_shown",
    "rule_outside",
    "rule_shift",
    "rule_trend",
    "rule_two_of_three",
    "special_cause_type",
    "point_type",
    "reason",
    "target",
)
_RUN_EXTRACT = (
    "phase",
    "excluded",
    "median",
    "useful",
    "in_long_run",
    "runs_signal",
    "rule_shift",
    "rule_trend",
    "rule_runs",
    "rule_astronomical",
    "signal",
    "point_type",
    "reason",
    "target",
)


def extract_frame(analysis: MeasureAnalysis, labels: Mapping[str, object]) -> pd.DataFrame:
    """The chart's CSV: every point with limits, flags, point type, reason and preset.

    Args:
        analysis: An :func:`analyse_measure` result.
        labels: Constant columns to put first, in order (e.g. ``measure_id``,
            ``measure``, ``project_code``, ``project``, ``filters``).

    Returns:
        One row per period: the label columns, ``chart``, ``preset_key``,
        ``preset_name``, ``preset_version``, ``point`` (1-based), ``period_start``,
        ``value`` (and ``numerator``/``denominator`` for p/u), then the chart's
        centre, limits, rule flags, ``point_type``, ``reason`` and ``target``.
    """
    r = analysis.result
    out = pd.DataFrame(index=range(len(r)))
    for key, value in labels.items():
        out[key] = value
    out["chart"] = analysis.drawn_as.value
    out["preset_key"] = analysis.preset.key
    out["preset_name"] = analysis.preset.label
    out["preset_version"] = getattr(analysis.preset, "version", "")
    out["point"] = r["idx"].to_numpy() + 1
    out["period_start"] = pd.to_datetime(r["date"]).dt.date.to_numpy()
    out["value"] = r["value"].to_numpy()
    for col in ("numerator", "denominator"):
        if col in r:
            out[col] = r[col].to_numpy()
    for col in _SPC_EXTRACT if analysis.is_spc else _RUN_EXTRACT:
        if col in r:
            out[col] = r[col].to_numpy()
    return out.rename(
        columns={"mean": "centre", "median": "centre", "lpl": "lower_limit", "upl": "upper_limit"}
    )


_SPAN = re.compile(r"\(([^()]+?) (?:to|–) ([^()]+?)\)")


def _label_dates(dates: pd.Series) -> dict[str, date]:
    """Every way a reason text can name a period (``Apr 2024``, ``1 Apr 2024``, ISO forms)."""
    out: dict[str, date] = {}
    for ts in dates.dropna():
        d = ts.date()
        for label in (f"{ts.day} {ts:%b %Y}", f"{ts:%b %Y}", ts.strftime("%Y-%m-%d"),
                      ts.strftime("%Y-%m")):  # fmt: skip
            out.setdefault(label, d)
    return out


def signal_list(analysis: MeasureAnalysis) -> pd.DataFrame:
    """Each distinct signal once, in the order it first appears, with where it applies.

    A point's ``reason`` joins one clause per rule ("Above the upper process limit
    (…); 6 points in a row above the mean (…)"); neighbouring points repeat the same
    run clause. This splits the reasons into clauses and keeps each clause once. Where
    a clause names its window ("(Apr 2024 to Sep 2024)") ``from`` and ``to`` are that
    window, so the table and its text agree (two-of-three windows include a point that
    is not itself beyond 2σ); otherwise they are the first and last point showing it.

    Args:
        analysis: An :func:`analyse_measure` result.

    Returns:
        Columns ``from`` and ``to``, ``points`` (points showing the signal),
        ``point_type`` (of its first point; empty for a run chart's signals with no
        direction: too few crossings or runs), ``non_random`` (True for those) and
        ``signal``.
    """
    r = analysis.result
    rows: dict[str, dict] = {}
    dates = pd.to_datetime(r["date"]) if "date" in r else pd.Series([pd.NaT] * len(r))
    pts = r["point_type"].astype(str).to_numpy() if "point_type" in r else [""] * len(r)
    run = not analysis.is_spc
    for i, reason in enumerate(r["reason"].astype(str).to_numpy() if "reason" in r else []):
        for clause in filter(None, reason.split("; ")):
            d = None if pd.isna(dates.iloc[i]) else dates.iloc[i].date()
            if clause not in rows:
                flat = run and is_non_directional(clause)
                rows[clause] = {
                    "from": d,
                    "to": d,
                    "points": 0,
                    "point_type": "" if flat else pts[i],
                    "non_random": flat,
                    "signal": clause,
                }
            rows[clause]["to"] = d
            rows[clause]["points"] += 1
    labels = _label_dates(dates) if rows else {}
    for row in rows.values():
        m = _SPAN.search(row["signal"])
        if m and m.group(1) in labels and m.group(2) in labels:
            row["from"], row["to"] = labels[m.group(1)], labels[m.group(2)]
    return pd.DataFrame(
        list(rows.values()),
        columns=["from", "to", "points", "point_type", "non_random", "signal"],
    )
