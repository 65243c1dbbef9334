"""Column definitions and the vectorised parsers behind them (text in, typed values out).

Dates are ISO (``2024-04-01``) or UK (``01/04/2024``); numbers are plain decimals
(thousands commas allowed); yes/no columns take yes/no, true/false, y/n or 1/0;
choices match case- and space-insensitively (``XmR`` → ``xmr``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

TRUE_WORDS = frozenset({"yes", "y", "true", "1", "t"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "f"})


@dataclass(frozen=True)
class Field:
    """One column of an import kind.

    Attributes:
        name: Canonical column name (files match it case- and space-insensitively).
        kind: ``text``, ``int``, ``float``, ``date``, ``bool`` or ``choice``.
        required: The column must be present and every value filled in.
        choices: Allowed values for ``choice``.
        max_len: Longest text accepted.
        minimum: Smallest number accepted.
        maximum: Largest number accepted.
        example: The template's example value.
        note: What it means (the template's notes sheet).
    """

    name: str
    kind: str = "text"
    required: bool = True
    choices: tuple[str, ...] = ()
    max_len: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    example: str = ""
    note: str = ""


def normalise_name(text: object) -> str:
    """``' Period Start '`` → ``period_start``: how headers are compared."""
    return re.sub(r"[\s_\-]+", "_", str(text).strip().lower()).strip("_")


def blank(s: pd.Series) -> pd.Series:
    """True where a cell is empty (after trimming spaces)."""
    return s.astype(str).str.strip() == ""


def parse_date(s: pd.Series) -> pd.Series:
    """ISO or UK day-first dates; NaT where a cell is not a real date."""
    text = s.astype(str).str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    return iso.fillna(uk)


def parse_month(s: pd.Series) -> pd.Series:
    """Dates, or months such as ``2017-SEP``, ``SEP-2017`` or ``September 2017`` (month end)."""
    text = s.astype(str).str.strip()
    out = parse_date(s)
    for fmt in ("%Y-%b", "%b-%Y", "%B %Y", "%b %Y", "%Y-%m", "%Y%m"):
        month = pd.to_datetime(text.str.title(), format=fmt, errors="coerce")
        out = out.fillna(month + pd.offsets.MonthEnd(0))
    return out


def parse_number(s: pd.Series) -> pd.Series:
    """Decimal numbers (``1,234.5`` allowed); NaN where a cell is not a number."""
    text = s.astype(str).str.strip().str.replace(",", "", regex=False)
    text = text.where(~text.str.lower().isin(["nan", "inf", "-inf", "infinity"]), "x")
    return pd.to_numeric(text, errors="coerce")


def parse_bool(s: pd.Series) -> pd.Series:
    """yes/no words to booleans (``None`` where unrecognised or blank)."""
    low = s.astype(str).str.strip().str.lower()
    out = pd.Series([None] * len(s), index=s.index, dtype=object)
    out[low.isin(TRUE_WORDS)] = True
    out[low.isin(FALSE_WORDS)] = False
    return out


def choice_key(text: str) -> str:
    """How choices compare: ``'Acute trust'`` and ``'acute_trust'`` are the same."""
    return re.sub(r"[\s\-_/]+", "_", text.strip().lower())


def parse_choice(s: pd.Series, choices: tuple[str, ...]) -> pd.Series:
    """Map cells to the canonical choice; ``None`` where not one of them."""
    table = {choice_key(c): c for c in choices}
    return s.astype(str).map(lambda v: table.get(choice_key(v)))


def valid(field: Field, s: pd.Series) -> pd.Series:
    """True where a filled-in cell parses as the field's kind (blank cells are True)."""
    empty = blank(s)
    if field.kind == "date":
        ok = parse_date(s).notna()
    elif field.kind == "month":
        ok = parse_month(s).notna()
    elif field.kind in ("int", "float"):
        num = parse_number(s)
        ok = num.notna() & np.isfinite(num.fillna(0))
        if field.kind == "int":
            ok &= (num.fillna(0) % 1) == 0
    elif field.kind == "bool":
        ok = parse_bool(s).notna()
    elif field.kind == "choice":
        ok = parse_choice(s, field.choices).notna()
    else:
        ok = pd.Series(True, index=s.index)
    return ok | empty


def in_range(field: Field, s: pd.Series) -> pd.Series:
    """True where a number is within the field's limits (other cells True)."""
    num = parse_number(s)
    ok = pd.Series(True, index=s.index)
    if field.minimum is not None:
        ok &= ~(num < field.minimum)
    if field.maximum is not None:
        ok &= ~(num > field.maximum)
    return ok


def kind_phrase(field: Field) -> str:
    """What a cell should be, for messages: ``a date (YYYY-MM-DD or DD/MM/YYYY)``."""
    return {
        "date": "a date (YYYY-MM-DD or DD/MM/YYYY)",
        "month": "a date or a month such as 2017-SEP",
        "int": "a whole number",
        "float": "a number",
        "bool": "yes or no",
        "choice": "one of " + ", ".join(field.choices),
    }.get(field.kind, "text")


def typed(field: Field, s: pd.Series) -> pd.Series:
    """The parsed column (after validation): dates, numbers, booleans, choices or text."""
    empty = blank(s)
    if field.kind == "date":
        out = parse_date(s).dt.date
    elif field.kind == "month":
        out = parse_month(s).dt.date
    elif field.kind == "int":
        out = parse_number(s).round().astype("Int64").astype(object)
    elif field.kind == "float":
        out = parse_number(s).astype(object)
    elif field.kind == "bool":
        out = parse_bool(s)
    elif field.kind == "choice":
        out = parse_choice(s, field.choices)
    else:
        out = s.astype(str).str.strip()
    out = out.astype(object)
    out[empty] = None
    return out.where(pd.notna(out), None)
