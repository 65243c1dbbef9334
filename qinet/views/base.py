"""The pieces every view model is made of: its input, extracts and sections.

Pure (no Streamlit). A page's view module builds these once per rerun; the
page lays them out and the board pack reuses them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from qinet.access import Viewer
from qinet.filters import Filters


@dataclass(frozen=True)
class ViewContext:
    """What a view needs to know about the request, resolved once per rerun.

    Attributes:
        engine: Database engine (views open their own short sessions).
        viewer: Who is looking; every query applies their scope.
        filters: The sidebar filters in force.
        today: The data's "today" (the demo data's reference date, else the real date).
        synthetic: True over the synthetic demo data (extract names say so).
        scope: A scoped viewer's areas (e.g. ``Medicine``), "" when unrestricted.
        small_number_threshold: Counts below this are suppressed.
    """

    engine: Engine
    viewer: Viewer
    filters: Filters
    today: date
    synthetic: bool = False
    scope: str = ""
    small_number_threshold: int = 11

    def describe(self) -> str:
        """The filters in words, naming a scoped viewer's areas instead of "Whole network"."""
        text = self.filters.describe()
        return text.replace("Whole network", self.scope, 1) if self.scope else text

    def describe_with_dates(self) -> str:
        """``describe()`` with the period's dates, for page captions and the board pack."""
        text = self.filters.describe_with_dates(self.today)
        return text.replace("Whole network", self.scope, 1) if self.scope else text


@dataclass(frozen=True)
class Extract:
    """The data behind one table or chart, as its CSV will hold it.

    Attributes:
        name: File-name stem, e.g. ``engagement-reach``.
        frame: Scoped, filtered and suppressed; human column labels; ISO dates.
        label: Download button text.
    """

    name: str
    frame: pd.DataFrame
    label: str = "Download CSV"


@dataclass(frozen=True)
class Section:
    """One titled block of a page that the board pack can reuse as it is.

    Attributes:
        heading: Section heading, e.g. "Reach by staff group".
        sentences: Plain-English statements of what it shows (true to the statistics).
        table: Display-ready frame (formatted for people), or ``None``.
        figure: A Plotly figure, or ``None``.
        alt_text: Text alternative for the figure (what it shows and its signals).
        extract: The CSV behind it, or ``None``.
    """

    heading: str
    sentences: tuple[str, ...] = ()
    table: pd.DataFrame | None = None
    figure: Any = None
    alt_text: str = ""
    extract: Extract | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
