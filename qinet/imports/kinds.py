"""The import-kind framework: a kind's columns and natural key, and resolving names to ids.

Each kind states its natural key (``Kind.key_note``): a row whose key already exists
updates that row, otherwise a new row is added, so re-importing a file changes nothing.
Names in files (organisation codes, project codes, measure names…) are resolved to ids
by the helpers here; an unknown one is a row problem naming the value. The kinds
themselves live in ``kinds_reference``, ``kinds_projects`` and ``kinds_engagement``
and are listed by name in ``catalogue.KINDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.domain import (
    ChartType,
)
from qinet.imports import staffgroups
from qinet.imports.fields import Field
from qinet.imports.problems import ImportRejected, Problem


@dataclass
class Context:
    """Who is importing and with which options."""

    user_key: str = "cli"
    add_organisations: bool = False
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


Build = Callable[[Session, pd.DataFrame, Context, list[Problem]], pd.DataFrame]


@dataclass(frozen=True)
class Kind:
    """One kind of import.

    Attributes:
        name: As typed on the command line (``observations``).
        label: For people.
        table: The table written.
        fields: The file's columns.
        file_key: Columns that may not repeat within a file.
        key: Table columns of the natural key (upsert on these).
        key_note: The natural key in words.
        build: Typed file rows → table rows (with the key columns); adds row problems.
            ``None`` for a table written from a structured file, not from rows (the
            survey and questions of an instrument JSON): only its key and preview are used.
        insert_only: Columns set on insert but never compared or updated.
    """

    name: str
    label: str
    table: sa.Table
    fields: tuple[Field, ...]
    file_key: tuple[str, ...]
    key: tuple[str, ...]
    key_note: str
    build: Build | None = None
    insert_only: tuple[str, ...] = ()


def choices(enum: type) -> tuple[str, ...]:
    """The stored values of an enum (the accepted words in a file)."""
    return tuple(e.value for e in enum)


def name_ids(session: Session, stmt: sa.Select) -> dict:
    """``{lower-case key: id}`` from a two-column select (key text, id)."""
    return {str(k).strip().lower(): i for k, i in session.execute(stmt)}


def resolve(
    df: pd.DataFrame,
    column: str,
    table: dict,
    what: str,
    problems: list[Problem],
    keys: pd.Series | None = None,
) -> pd.Series:
    """Map a column of names to ids, adding a problem for each unknown name.

    Args:
        df: Typed rows (index = spreadsheet row).
        column: The column reported in problems.
        table: ``{lower-case name: id}``.
        what: Noun for messages (``organisation code``).
        problems: Appended to.
        keys: Lookup keys when they differ from the column (composite keys).

    Returns:
        Ids (``None`` where blank or unknown).
    """
    raw = df[column]
    look = keys if keys is not None else raw.map(lambda v: None if v is None else str(v).lower())
    out = look.map(lambda k: table.get(k) if k is not None else None)
    bad = raw.notna() & out.isna()
    for row in df.index[bad]:
        problems.append(Problem(f"{raw[row]!r} is not a known {what}", row=int(row), column=column))
    return out.astype(object).where(out.notna(), None)


def pair_key(df: pd.DataFrame, a: str, b: str) -> pd.Series:
    """A lookup key from two columns (``None`` where either is blank), for composite names."""
    return pd.Series(
        [
            None if x is None or y is None else f"{str(x).lower()}\x1f{str(y).lower()}"
            for x, y in zip(df[a], df[b], strict=True)
        ],
        index=df.index,
        dtype=object,
    )


def organisation_ids(s: Session) -> dict:
    """``{code: id}`` of organisations."""
    return name_ids(s, sa.select(m.Organisation.code, m.Organisation.id))


def directorate_ids(s: Session) -> dict:
    """``{code: id}`` of directorates."""
    return name_ids(s, sa.select(m.Directorate.code, m.Directorate.id))


def programme_ids(s: Session) -> dict:
    """``{code: id}`` of programmes."""
    return name_ids(s, sa.select(m.Programme.code, m.Programme.id))


def project_ids(s: Session) -> dict:
    """``{code: id}`` of projects."""
    return name_ids(s, sa.select(m.Project.code, m.Project.id))


def participant_ids(s: Session) -> dict:
    """``{reference: id}`` of participants."""
    return name_ids(s, sa.select(m.Participant.reference, m.Participant.id))


def cohort_ids(s: Session) -> dict:
    """``{programme code + cohort name: id}`` of cohorts."""
    rows = s.execute(sa.select(m.Programme.code, m.Cohort.name, m.Cohort.id).join(m.Programme))
    return {f"{p.lower()}\x1f{c.lower()}": i for p, c, i in rows}


def measure_ids(s: Session) -> dict:
    """``{project code + measure name: (id, chart type)}`` of measures."""
    rows = s.execute(
        sa.select(m.Project.code, m.Measure.name, m.Measure.id, m.Measure.chart_type).join(
            m.Project
        )
    )
    return {f"{p.lower()}\x1f{n.lower()}": (i, ChartType(c).value) for p, n, i, c in rows}


def staff_group_codes(
    s: Session, df: pd.DataFrame, column: str, problems: list[Problem]
) -> pd.Series:
    """Resolve staff-group names (code, label, NHS Digital, ESR or an admin's alias)."""
    staffgroups.ensure_standard(s)
    table = staffgroups.mapping(s)
    if any(table.get(staffgroups.norm(v)) == staffgroups.UNKNOWN_CODE for v in df[column].dropna()):
        staffgroups.ensure_unknown(s)
    out = df[column].map(lambda v: None if v is None else table.get(staffgroups.norm(v)))
    bad = df[column].notna() & out.isna()
    if bad.any():
        names = "; ".join(staffgroups.accepted_names(s))
        for row in df.index[bad]:
            problems.append(
                Problem(
                    f"{df.at[row, column]!r} is not a known staff group (accepted: {names})",
                    row=int(row),
                    column=column,
                )
            )
    return out


def check_dates(df: pd.DataFrame, before: str, after: str, problems: list[Problem]) -> None:
    """A problem for each row whose ``after`` date is before its ``before`` date."""
    bad = df[before].notna() & df[after].notna()
    bad &= pd.Series(
        [
            a is not None and b is not None and b < a
            for a, b in zip(df[before], df[after], strict=True)
        ],
        index=df.index,
    )
    for row in df.index[bad]:
        problems.append(
            Problem(
                f"{df.at[row, after]} is before {before} {df.at[row, before]}",
                row=int(row),
                column=after,
            )
        )


def text_field(
    name: str, example: str, note: str = "", required: bool = True, n: int = 200
) -> Field:
    """A text column of a template."""
    return Field(name, "text", required, max_len=n, example=example, note=note)


def date_field(name: str, example: str, note: str = "", required: bool = True) -> Field:
    """A date column of a template."""
    return Field(name, "date", required, example=example, note=note)


def choice_field(name: str, enum: type, example: str, required: bool = True) -> Field:
    """A column holding one of an enum's values (listed in the note)."""
    return Field(
        name,
        "choice",
        required,
        choices=choices(enum),
        example=example,
        note="one of " + ", ".join(choices(enum)),
    )


def build_rows(
    session: Session, kind: Kind, typed: pd.DataFrame, ctx: Context, file_name: str = ""
) -> pd.DataFrame:
    """Resolve names to ids; raise every row problem at once.

    Raises:
        ImportRejected: Unknown references or broken cross-column rules.
    """
    problems: list[Problem] = []
    rows = kind.build(session, typed, ctx, problems)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise ImportRejected(problems, file_name)
    return rows
