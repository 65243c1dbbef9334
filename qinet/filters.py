"""The shared filter value object: what a user has narrowed the dashboard to.

A ``Filters`` is built from URL query parameters (so a link reopens the same
view), turned into WHERE clauses by ``qinet.queries``, and described in one
line (``describe()``) for page captions, CSV file names and the board pack, so
what is shown and what is exported always say the same thing. Values are the
human labels that appear in the URL (``?directorate=Medicine``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

FILTER_KEYS: tuple[str, ...] = (
    "organisation",
    "directorate",
    "programme",
    "cohort",
    "staff_group",
    "period",
)

ALL_TIME = "All time"
_FY = re.compile(r"^FY (\d{4})/(\d{2})$")
_LAST_MONTHS = re.compile(r"^Last (\d{1,2}) months$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Period:
    """A closed date range, inclusive at both ends."""

    start: date
    end: date

    def describe(self) -> str:
        """``Apr 2024 – Mar 2025``."""
        return (
            f"{_MONTHS[self.start.month - 1]} {self.start.year} – "
            f"{_MONTHS[self.end.month - 1]} {self.end.year}"
        )

    def previous(self) -> Period:
        """The period of the same length immediately before this one.

        Whole months step back by months (the year before FY 2024/25 is FY 2023/24,
        leap day or not); other ranges step back by the same number of days.
        """
        end = self.start - timedelta(days=1)
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            index = self.start.year * 12 + self.start.month - 1 - months
            return Period(date(index // 12, index % 12 + 1, 1), end)
        return Period(end - (self.end - self.start), end)


def financial_year_label(year_start: int) -> str:
    """NHS financial year label, e.g. ``FY 2024/25`` for April 2024 to March 2025."""
    return f"FY {year_start}/{(year_start + 1) % 100:02d}"


def period_options(today: date, first_year: int) -> list[str]:
    """Period choices offered in the sidebar, newest first.

    Args:
        today: The reference date (the data's latest date for demo data).
        first_year: Earliest financial year to offer.

    Returns:
        ``["All time", "Last 12 months", "FY 2025/26", …]``.
    """
    current_fy = today.year if today.month >= 4 else today.year - 1
    years = [financial_year_label(y) for y in range(current_fy, first_year - 1, -1)]
    return [ALL_TIME, "Last 12 months", "Last 6 months", *years]


def parse_period(label: str | None, today: date) -> Period | None:
    """Turn a period label into dates; ``None`` for all time or an unknown label.

    Args:
        label: A value from ``period_options``.
        today: Reference date for relative periods.

    Returns:
        The ``Period``, or ``None`` meaning no date restriction.
    """
    if not label or label == ALL_TIME:
        return None
    if m := _FY.match(label):
        start_year = int(m.group(1))
        if (start_year + 1) % 100 != int(m.group(2)):
            return None
        return Period(date(start_year, 4, 1), date(start_year + 1, 3, 31))
    if m := _LAST_MONTHS.match(label):
        months = int(m.group(1))
        if not 1 <= months <= 36:
            return None
        first = date(today.year, today.month, 1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return Period(first, today)
    return None


@dataclass(frozen=True)
class Filters:
    """What the user has filtered to; ``None`` means no restriction on that field.

    Attributes:
        organisation: Organisation name.
        directorate: Directorate name.
        programme: Programme name.
        cohort: Cohort name (within the programme).
        staff_group: Staff-group label.
        period: Period label (``FY 2024/25``, ``Last 12 months``, ``All time``).
    """

    organisation: str | None = None
    directorate: str | None = None
    programme: str | None = None
    cohort: str | None = None
    staff_group: str | None = None
    period: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> Filters:
        """Build from query parameters or session state; blanks and "All" become ``None``.

        Args:
            params: A mapping such as ``st.query_params`` or ``st.session_state``.

        Returns:
            The ``Filters``; unknown keys are ignored.
        """
        values: dict[str, str | None] = {}
        for key in FILTER_KEYS:
            raw = params.get(key)
            if isinstance(raw, list | tuple):
                raw = raw[0] if raw else None
            text = str(raw).strip() if raw is not None else ""
            values[key] = None if text in ("", "All", ALL_TIME) else text[:200]
        return cls(**values)

    def to_params(self) -> dict[str, str]:
        """The non-empty fields as query parameters."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}

    def period_range(self, today: date) -> Period | None:
        """The selected period as dates, or ``None`` for all time."""
        return parse_period(self.period, today)

    def without(self, *names: str) -> Filters:
        """A copy with the named fields cleared (e.g. for option lists that narrow)."""
        return replace(self, **dict.fromkeys(names))

    def describe(self) -> str:
        """One line such as ``Medicine · Support services QI · Apr 2024 – Mar 2025``.

        The period is shown as its label; ``describe_with_dates`` spells out the
        dates of relative periods.
        """
        parts = [
            v
            for v in (
                self.organisation,
                self.directorate,
                self.programme,
                self.cohort,
                self.staff_group,
                self.period,
            )
            if v
        ]
        return " · ".join(parts) if parts else "Whole network · All time"

    def describe_with_dates(self, today: date) -> str:
        """Like ``describe`` but with the period written as months (``Apr 2024 – Mar 2025``)."""
        period = self.period_range(today)
        base = self.without("period").describe() if self.to_params().keys() - {"period"} else ""
        when = period.describe() if period else "All time"
        return f"{base} · {when}" if base else f"Whole network · {when}"
