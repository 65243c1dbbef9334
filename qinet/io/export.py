"""CSV extracts that are safe to open in a spreadsheet.

Every download in qinet goes through ``to_csv_bytes``: string cells that a
spreadsheet would run as a formula are neutralised (OWASP "CSV injection",
CWE-1236), real numbers stay numbers, and the file is ``utf-8-sig`` so Excel
reads accents and the ø in Anhøj correctly.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

# OWASP CSV injection guidance plus ASVS 1.2.10: =, +, -, @, tab, carriage return, NUL.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise_cell(value: object) -> object:
    """Prefix a string that a spreadsheet would treat as a formula with a quote.

    Args:
        value: Any cell value.

    Returns:
        The value unchanged unless it is a string starting with a formula
        trigger, in which case ``'`` is prepended.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and column name) neutralised.

    Only object/string columns are touched, so negative numbers stay numeric.
    """
    out = df.copy()
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[col] = series.map(neutralise_cell, na_action="ignore").astype(object)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """Encode a frame as a formula-safe, Excel-friendly CSV.

    Args:
        df: The data behind what is on screen (already filtered and suppressed).

    Returns:
        ``utf-8-sig`` encoded CSV bytes with RFC 4180 quoting and CRLF line ends.
    """
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def extract_filename(
    page: str, description: str, on: date, *, synthetic: bool = False, suffix: str = "csv"
) -> str:
    """File name from the page, the filter description and the date.

    Args:
        page: Page or panel name, e.g. ``"measures"``.
        description: ``Filters.describe()``.
        on: The extract date.
        synthetic: Mark the file as synthetic demo data (``qinet-synthetic_…``), so a
            file that travels on its own still says so.
        suffix: File extension without the dot.

    Returns:
        e.g. ``qinet_measures_medicine-fy-2024-25_2025-09-30.csv``.
    """

    def slug(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "all"

    prefix = "qinet-synthetic" if synthetic else "qinet"
    return f"{prefix}_{slug(page)}_{slug(description)}_{on.isoformat()}.{suffix}"
