"""Matching a file's columns to a kind and validating every row with pandera.

The pandera schema is built from the kind's ``Field`` list; it runs lazily so every
failing cell is reported (capped and counted by the caller), not only the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from qinet.imports.fields import (
    Field,
    blank,
    in_range,
    kind_phrase,
    normalise_name,
    typed,
    valid,
)
from qinet.imports.problems import ImportRejected, Problem


@dataclass(frozen=True)
class Matched:
    """A file's cells renamed to canonical columns, plus the ignored extras."""

    frame: pd.DataFrame
    ignored: tuple[str, ...]


def match_columns(
    frame: pd.DataFrame,
    fields: Sequence[Field],
    file_name: str = "",
    aliases: dict[str, str] | None = None,
) -> Matched:
    """Rename columns to the fields' names (case/space-insensitive); name what is missing.

    Args:
        frame: Text cells with the file's header.
        fields: The kind's columns.
        file_name: For messages.
        aliases: Extra accepted header names (normalised) → canonical name.

    Raises:
        ImportRejected: A required column is missing, or a column appears twice.
    """
    wanted = {normalise_name(f.name): f.name for f in fields}
    wanted.update(aliases or {})
    rename: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for col in frame.columns:
        target = wanted.get(normalise_name(col))
        if target is None:
            if str(col).strip():
                ignored.append(str(col))
            continue
        if target in rename.values():
            problems.append(Problem(f"the column appears twice (as `{col}`)", column=target))
        rename[col] = target
    missing = [f.name for f in fields if f.required and f.name not in rename.values()]
    for name in missing:
        problems.append(Problem("this required column is missing", column=name))
    if problems:
        raise ImportRejected(problems, file_name)
    keep = [c for c in frame.columns if c in rename]
    out = frame.loc[:, keep].copy()
    out.columns = [rename[c] for c in keep]
    for f in fields:
        if f.name not in out.columns:
            out[f.name] = ""
    out = out[[f.name for f in fields]].astype(str)
    out = out[~out.apply(lambda c: c.str.strip() == "").all(axis=1)]  # blank rows: skipped
    return Matched(out, tuple(ignored))


def _show(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "…")


def _checks(field: Field) -> list[pa.Check]:
    checks = [pa.Check(lambda s, f=field: valid(f, s), name=f"kind:{field.name}")]
    if field.required:
        checks.append(pa.Check(lambda s: ~blank(s), name=f"required:{field.name}"))
    if field.max_len is not None:
        checks.append(
            pa.Check(
                lambda s, n=field.max_len: s.str.strip().str.len() <= n, name=f"length:{field.name}"
            )
        )
    if field.minimum is not None or field.maximum is not None:
        checks.append(pa.Check(lambda s, f=field: in_range(f, s), name=f"range:{field.name}"))
    return checks


def _reason(check: str, field: Field, value: object) -> str:
    kind = check.split(":", 1)[0]
    if kind == "required":
        return "a value is required"
    if kind == "length":
        return f"text longer than {field.max_len} characters"
    if kind == "range":
        lo = "" if field.minimum is None else f"at least {field.minimum:g}"
        hi = "" if field.maximum is None else f"at most {field.maximum:g}"
        return f"{_show(value)} is out of range (must be {' and '.join(p for p in (lo, hi) if p)})"
    if kind == "duplicate":
        return f"{_show(value)} repeats a row above (same {field.note})"
    return f"{_show(value)} is not {kind_phrase(field)}"


def validate(
    matched: Matched, fields: Sequence[Field], key: Sequence[str], file_name: str = ""
) -> pd.DataFrame:
    """Like :func:`check`, raising :class:`ImportRejected` when any cell fails."""
    out, problems = check(matched, fields, key)
    if problems:
        raise ImportRejected(problems, file_name)
    return out


def check(
    matched: Matched, fields: Sequence[Field], key: Sequence[str]
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check every cell with a pandera schema; return the typed frame and the problems.

    Args:
        matched: Output of :func:`match_columns`.
        fields: The kind's columns.
        key: Columns whose combination must not repeat within the file.

    Returns:
        The frame with each column parsed (dates, numbers, booleans, choices, text;
        ``None`` for blanks), indexed by spreadsheet row number.

        Failing cells are ``None``. Also every problem (row, column, reason), sorted.
    """
    frame = matched.frame
    schema = pa.DataFrameSchema(
        {f.name: pa.Column(None, checks=_checks(f), nullable=False) for f in fields},
        strict=False,
        coerce=False,
    )
    problems: list[Problem] = []
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        by_name = {f.name: f for f in fields}
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        for _, case in cases.iterrows():
            check = str(case["check"])
            column = case["column"]
            if column not in by_name:
                continue
            problems.append(
                Problem(
                    _reason(check, by_name[column], case["failure_case"]),
                    row=int(case["index"]),
                    column=str(column),
                )
            )
    out = pd.DataFrame({f.name: typed(f, frame[f.name]) for f in fields}, index=frame.index)
    if key and len(out):
        norm = out[list(key)].apply(lambda s: s.map(lambda v: str(v).strip().lower()))
        dup = norm.duplicated(keep="first") & out[list(key)].notna().all(axis=1)
        for row in out.index[dup]:
            values = ", ".join(f"{k} {frame.at[row, k]!r}" for k in key)
            problems.append(Problem(f"repeats an earlier row ({values})", row=int(row)))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return out, problems
