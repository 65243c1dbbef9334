"""The words of a chart: number and date formats, hover text and the text alternative.

Shared by :mod:`qinet.charts.spc` and :mod:`qinet.charts.runchart` (which draw) and by
pages that print the same numbers. Pure text; no Plotly.
"""

from __future__ import annotations

import textwrap
from datetime import date
from html import escape

import numpy as np
import pandas as pd

from qinet.charts.palette import POINT_TYPE_LABELS
from qinet.domain import PointType
from qinet.formatting import ValueFormat, fmt_date

LABEL_CHARS = 38  # annotation text on the chart is cut to this many characters


def safe(text: object) -> str:
    """Data-derived text made inert for Plotly's small HTML subset."""
    return escape(str(text), quote=False)


def short(text: str, limit: int = LABEL_CHARS) -> str:
    """Text cut to ``limit`` characters with an ellipsis (chart labels)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def wrap_lines(text: str, width: int, separators: tuple[str, ...] = (" · ", ", ")) -> list[str]:
    """Lines of at most ``width`` characters, broken at the first separator that fits.

    "p chart (proportion) · Making Data Count 2024: shift 6, trend 6" becomes two lines at
    the " · " (dropped at the break), not "… shift" / "6, trend 6"; then at ", " (the comma
    kept); a part still too long wraps at spaces.
    """
    if len(text) <= width:
        return [text]
    if not separators:
        return textwrap.wrap(text, width) or [text]
    sep, rest = separators[0], separators[1:]
    tail = sep.rstrip() if sep.strip() == "," else ""
    pieces = text.split(sep)
    lines = [pieces[0]]
    for part in pieces[1:]:
        if len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines[-1] += tail
            lines.append(part)
    return [short_line for line in lines for short_line in wrap_lines(line, width, rest)]


def fmt_value(value: float, *, percent: bool = False) -> str:
    """A value as people read it: ``21.3``, ``1,234``, ``0.125`` or ``12.5%``.

    Args:
        value: The number (NaN shows as an en dash).
        percent: Show a proportion as a percentage.

    Returns:
        The formatted text.
    """
    if value is None or not np.isfinite(value):
        return "–"
    if percent:
        return f"{value * 100:.1f}%"
    a = abs(value)
    if a >= 1000:
        return f"{value:,.0f}"
    if a >= 10:
        return f"{value:.1f}"
    if a >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def value_text(value: float, fmt: ValueFormat | None, percent: bool, *, stat: bool = False) -> str:
    """A value through the measure's format when given (the one formatter), else legacy."""
    if fmt is not None:
        return fmt.text(value, stat=stat)
    return fmt_value(value, percent=percent)


def date_label(value: object) -> str:
    """A date as people read it (``28 Apr 2025``); "" for a missing date."""
    return fmt_date(value)


def hover_text(
    result: pd.DataFrame,
    centre_col: str,
    centre_name: str,
    unit: str,
    percent: bool,
    fmt: ValueFormat | None = None,
) -> list[str]:
    """Hover text per point: date, value, point type, reason, centre and limits."""
    n = len(result)
    is_percent = percent if fmt is None else fmt.is_percent
    unit_text = f" {safe(unit)}" if unit and not is_percent else ""
    dates = result["date"] if "date" in result else pd.Series([pd.NaT] * n)
    labels = [date_label(d) or f"Point {i + 1}" for i, d in enumerate(dates)]
    values = result["value"].to_numpy(dtype=float)
    pts = (
        result["point_type"].astype(str).to_numpy()
        if "point_type" in result
        else np.full(n, PointType.COMMON_CAUSE.value, dtype=object)
    )
    reasons = result["reason"].astype(str).to_numpy() if "reason" in result else np.full(n, "")
    excluded = (
        result["excluded"].to_numpy(dtype=bool) if "excluded" in result else np.zeros(n, bool)
    )
    centre = result[centre_col].to_numpy(dtype=float)
    has_limits = "upl" in result and "lpl" in result
    lpl = result["lpl"].to_numpy(dtype=float) if has_limits else np.full(n, np.nan)
    upl = result["upl"].to_numpy(dtype=float) if has_limits else np.full(n, np.nan)
    type_labels = {k.value: POINT_TYPE_LABELS[k] for k in PointType}
    out = []
    for i in range(n):
        lines = [
            f"<b>{labels[i]}</b>",
            f"Value: {value_text(values[i], fmt, percent)}{unit_text}",
            type_labels[pts[i]],
        ]
        if reasons[i]:
            lines += ["• " + safe(part) for part in reasons[i].split("; ") if part]
        if excluded[i]:
            lines.append("Excluded from the limits and rules (ghosted)")
        extra = f"{centre_name} {value_text(centre[i], fmt, percent, stat=True)}"
        if np.isfinite(lpl[i]) and np.isfinite(upl[i]):
            extra += (
                f" · limits {value_text(lpl[i], fmt, percent, stat=True)} to "
                f"{value_text(upl[i], fmt, percent, stat=True)}"
            )
        lines.append(extra)
        out.append("<br>".join(lines))
    return out


def alt_text(
    result: pd.DataFrame,
    *,
    title: str,
    unit: str = "",
    chart: str = "SPC chart",
    percent: bool = False,
    fmt: ValueFormat | None = None,
) -> str:
    """A screen-reader description of a chart built from ``result``.

    Args:
        result: An SPC or run-chart result frame (with ``point_type`` and ``reason``).
        title: The measure's name.
        unit: The unit of the values.
        chart: What kind of chart, e.g. ``"XmR chart"``.
        percent: Values are proportions shown as percentages.
        fmt: The measure's value format (overrides ``percent``).

    Returns:
        A few plain sentences: points and dates, the latest centre line and limits,
        counts of special-cause points and the latest signal.
    """
    n = len(result)
    if n == 0:
        return f"{chart} of {title}: no data yet."
    values = result["value"].to_numpy(dtype=float)
    shown = int(np.isfinite(values).sum())
    dates = pd.to_datetime(result["date"]) if "date" in result else pd.Series([pd.NaT] * n)
    span = ""
    if dates.notna().any():
        span = f" from {date_label(dates.min())} to {date_label(dates.max())}"
    last = result.iloc[-1]
    centre_col = "mean" if "mean" in result else "median"
    parts = [f"{chart} of {title}: {shown} points{span}."]
    phases = int(result["phase"].max()) + 1 if "phase" in result else 1
    if phases > 1:
        parts.append(f"{phases} phases; the latest phase is described.")
    is_percent = percent if fmt is None else fmt.is_percent
    u = f" {unit}" if unit and not is_percent else ""
    centre = f"{centre_col} {value_text(float(last[centre_col]), fmt, percent, stat=True)}{u}"
    if "lpl" in result and np.isfinite(last["lpl"]) and np.isfinite(last["upl"]):
        centre += (
            f", process limits {value_text(float(last['lpl']), fmt, percent, stat=True)} to "
            f"{value_text(float(last['upl']), fmt, percent, stat=True)}"
        )
    parts.append(f"Latest value {value_text(float(last['value']), fmt, percent)}{u}; {centre}.")
    pt = result["point_type"].astype(str) if "point_type" in result else pd.Series([], dtype=str)
    counts = {k: int((pt == k.value).sum()) for k in PointType}
    special = n - counts[PointType.COMMON_CAUSE] if len(pt) else 0
    if special:
        parts.append(
            f"{special} special-cause points: {counts[PointType.IMPROVEMENT]} improvement, "
            f"{counts[PointType.CONCERN]} concern, "
            f"{counts[PointType.NEUTRAL_HIGH] + counts[PointType.NEUTRAL_LOW]} neutral."
        )
    else:
        parts.append("No special-cause points.")
    reasons = result["reason"].astype(str) if "reason" in result else pd.Series([], dtype=str)
    flagged = reasons[reasons != ""]
    if len(flagged):
        parts.append(f"Latest signal: {flagged.iloc[-1]}.")
    return " ".join(parts)


def chart_dates(result: pd.DataFrame) -> list[date]:
    """The period dates of a result, for pickers (e.g. where a phase break may start).

    Args:
        result: An engine result frame with a ``date`` column.

    Returns:
        The dates, in order (missing dates left out).
    """
    if "date" not in result:
        return []
    return [d.date() for d in pd.to_datetime(result["date"]).dropna()]
