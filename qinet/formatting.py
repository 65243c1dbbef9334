"""Numbers, dates and words as people read them: the one formatter for every page and file.

A measure's values are written the same way on the chart's hover, the axis, the tables,
the tiles, the board pack and (as numbers) in CSV extracts, so "22.5" and "22.5%" or a
target of 35% beside 90.0% cannot happen. :func:`measure_format` decides, from the
measure's chart type, unit and multiplier alone (never from the data), how its values
read:

* p chart: a proportion (0–1) shown as a percentage with one decimal (``72.4%``);
* unit ``%`` (a percentage entered as a value): one decimal and a ``%`` sign;
* c and g charts (counts): whole numbers, centre and limits with one decimal;
* t charts (time between events): one decimal;
* a u chart with a multiplier (per 100, 1,000 or 10,000): one decimal of the scaled rate;
  a u chart without one: three significant figures (``0.00650``);
* anything else: one decimal, thousands separated.

CSV extracts keep numbers as numbers, rounded to the same precision (:func:`round_values`),
with proportions still 0–1 so a spreadsheet can compute with them. Dates on screen read
``28 Apr 2025`` (:func:`fmt_date`); CSVs carry ISO dates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from qinet.domain import ChartType

DASH = "–"


@dataclass(frozen=True)
class ValueFormat:
    """How one measure's values read.

    Attributes:
        proportion: Values are 0–1 proportions shown as percentages (p charts).
        percent_sign: Values are already percentages (unit ``%``): add the sign.
        decimals: Decimal places of a value (on the shown scale), or None to use
            ``significant`` figures instead.
        stat_decimals: Decimal places of a centre line or limit.
        significant: Significant figures when ``decimals`` is None.
        unit: The unit as people say it (``falls per 1,000 bed days``), "" when none.
    """

    proportion: bool = False
    percent_sign: bool = False
    decimals: int | None = 1
    stat_decimals: int | None = 1
    significant: int = 3
    unit: str = ""

    @property
    def is_percent(self) -> bool:
        """True when values read as percentages (either kind)."""
        return self.proportion or self.percent_sign

    def text(self, value: object, *, stat: bool = False, with_unit: bool = False) -> str:
        """One value as text, e.g. ``72.4%``, ``1.4``, ``1,234.5`` (en dash when missing).

        Args:
            value: The number on the measure's displayed scale.
            stat: A centre line or limit (may carry one more decimal than a count).
            with_unit: Append the unit (never for percentages, whose sign says it).
        """
        number = _as_float(value)
        if number is None:
            return DASH
        decimals = self.stat_decimals if stat else self.decimals
        if self.proportion:
            body = f"{number * 100:,.{decimals if decimals is not None else 1}f}%"
        elif decimals is None:
            body = _significant(number, self.significant + (1 if stat else 0))
        else:
            body = f"{number:,.{decimals}f}"
        if self.percent_sign:
            body += "%"
        if with_unit and self.unit and not self.is_percent:
            body += f" {self.unit}"
        return body

    def csv_decimals(self, *, stat: bool = False) -> int | None:
        """Decimal places for a CSV number (proportions keep 0–1, so two more)."""
        decimals = self.stat_decimals if stat else self.decimals
        if decimals is None:
            return None
        return decimals + 2 if self.proportion else decimals

    def round_values(self, values: object, *, stat: bool = False) -> object:
        """Numbers rounded to this measure's precision, for CSV extracts (NaN stays NaN).

        Args:
            values: A number, array or Series.
            stat: Centre lines and limits.
        """
        decimals = self.csv_decimals(stat=stat)
        digits = self.significant + (1 if stat else 0)
        if isinstance(values, pd.Series):
            return values.map(lambda v: _round_one(v, decimals, digits)).astype(float)
        if isinstance(values, np.ndarray):
            return np.array([_round_one(v, decimals, digits) for v in values], dtype=float)
        return _round_one(values, decimals, digits)

    @property
    def axis_tickformat(self) -> str | None:
        """Plotly ``tickformat`` for the value axis (percentages of proportions)."""
        return ".0%" if self.proportion else None


def _as_float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _significant(number: float, digits: int) -> str:
    if number == 0:
        return "0"
    if abs(number) >= 10 ** (digits - 1):
        return f"{number:,.0f}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(number))))
    return f"{number:,.{decimals}f}"


def _round_one(value: object, decimals: int | None, digits: int) -> float:
    number = _as_float(value)
    if number is None:
        return float("nan")
    if decimals is not None:
        return round(number, decimals)
    if number == 0:
        return 0.0
    return round(number, max(0, digits - 1 - math.floor(math.log10(abs(number)))))


def per_text(multiplier: object) -> str:
    """``per 1,000`` for a multiplier of 1,000; "" for 1 or none."""
    m = _as_float(multiplier)
    if m is None or m == 1:
        return ""
    return f"per {m:,.0f}"


def measure_format(chart: ChartType | str | None, unit: object = "", multiplier: object = 1
                   ) -> ValueFormat:  # fmt: skip
    """How a measure's values read, from its chart type, unit and multiplier (never data).

    Args:
        chart: The measure's chart type (None or unknown: a plain value).
        unit: The measure's unit text (``%`` means values are percentages already).
        multiplier: A u chart's rate multiplier (1 for none).

    Returns:
        The :class:`ValueFormat`.
    """
    unit_text = "" if unit is None or (isinstance(unit, float) and math.isnan(unit)) else str(unit)
    unit_text = unit_text.strip()
    try:
        kind = ChartType(str(chart)) if chart is not None else None
    except ValueError:
        kind = None
    m = _as_float(multiplier) or 1.0
    if kind is ChartType.P:
        return ValueFormat(proportion=True, unit="")
    if unit_text == "%":
        return ValueFormat(percent_sign=True, unit="")
    if kind in (ChartType.C, ChartType.G):
        return ValueFormat(decimals=0, stat_decimals=1, unit=unit_text)
    if kind is ChartType.U and m == 1:
        return ValueFormat(decimals=None, stat_decimals=None, unit=unit_text)
    return ValueFormat(decimals=1, stat_decimals=1, unit=unit_text)


def format_for(row: object) -> ValueFormat:
    """:func:`measure_format` from a row with ``chart_type``, ``unit`` and ``multiplier``."""
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    return measure_format(get("chart_type"), get("unit", ""), get("multiplier", 1))


def fmt_date(value: object) -> str:
    """A date as people read it on screen: ``28 Apr 2025`` ("" when missing)."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%b %Y')}"


def iso_date(value: object) -> str:
    """A date for a CSV: ``2025-04-28`` ("" when missing)."""
    if value is None or (not isinstance(value, (date, datetime)) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).date().isoformat()


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 missing period``, ``2 missing periods`` (``many`` for irregular plurals)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


VALUE_COLUMNS = ("value", "target", "latest_value", "target_value", "last_value")
"""CSV columns holding a measure's values (rounded to the value precision)."""
STAT_COLUMNS = ("centre", "lower_limit", "upper_limit", "lower_2s", "upper_2s", "mr", "lower",
                "upper")  # fmt: skip
"""CSV columns holding centre lines, limits and moving ranges (one more decimal for counts)."""


def round_extract(frame: pd.DataFrame, fmt: ValueFormat) -> pd.DataFrame:
    """A copy of an extract with its value and limit columns at the measure's precision.

    Numbers stay numbers (a proportion stays 0–1); only the noise digits go
    (``0.0014214641080312722`` → ``0.0014``, ``1.4214…`` per 1,000 → ``1.4``).
    """
    out = frame.copy()
    for col in out.columns:
        if col in VALUE_COLUMNS or col in STAT_COLUMNS:
            values = pd.to_numeric(out[col], errors="coerce")
            out[col] = fmt.round_values(values, stat=col in STAT_COLUMNS)
    return out
