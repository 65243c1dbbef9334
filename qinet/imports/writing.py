"""Preview (added / changed / unchanged by natural key) and the one-transaction write."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qinet.imports.kinds import Kind
from qinet.imports.problems import reject

CHUNK = 2000


@dataclass
class Plan:
    """What an import would do: rows to add, rows to change (with their ids), unchanged."""

    kind: Kind
    added: pd.DataFrame
    changed: pd.DataFrame
    unchanged: int

    @property
    def counts(self) -> dict[str, int]:
        """``{"added": n, "changed": n, "unchanged": n}``."""
        return {"added": len(self.added), "changed": len(self.changed), "unchanged": self.unchanged}


def _native(value: object) -> object:
    """numpy/pandas scalars to plain Python, NaN/NaT to None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _cmp(value: object) -> object:
    """A comparable form: dates as ISO, numbers rounded, text as-is."""
    value = _native(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return value  # SQLite returns ISO date text for raw reads
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return round(float(value), 9)
    return value


def _key_text(col: pd.Series) -> pd.Series:
    """A key column as comparable lower-case text ("" for blank), vectorised."""
    col = col.astype(object)
    blank = col.isna()
    out = col.astype(str).str.strip().str.lower()
    out = out.str.replace(r"^(\d{4}-\d{2}-\d{2})[ t]00:00:00$", r"\1", regex=True)
    return out.where(~blank, "")


def _pk(table: sa.Table) -> sa.Column:
    return next(iter(table.primary_key.columns))


def _existing(session: Session, kind: Kind, rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    table = kind.table
    first = kind.key[0]
    wanted = sorted({_native(v) for v in rows[first] if _native(v) is not None}, key=str)
    cols = [_pk(table).label("_pk")] + [table.c[c] for c in columns]
    found: list[tuple] = []
    for i in range(0, len(wanted), CHUNK):
        part = wanted[i : i + CHUNK]
        found += [
            tuple(r) for r in session.execute(sa.select(*cols).where(table.c[first].in_(part)))
        ]
    names = ["_pk", *columns]
    return pd.DataFrame(found, columns=names)


def plan(session: Session, kind: Kind, rows: pd.DataFrame) -> Plan:
    """Compare file rows with stored rows on the kind's natural key."""
    columns = [c for c in rows.columns if c not in kind.insert_only]
    values = [c for c in columns if c not in kind.key]
    existing = _existing(session, kind, rows, columns)

    def keys(frame: pd.DataFrame) -> pd.Series:
        parts = [_key_text(frame[k]) for k in kind.key]
        out = parts[0]
        for part in parts[1:]:
            out = out + "\x1f" + part
        return out

    rows = rows.copy()
    rows["_key"] = keys(rows) if len(rows) else pd.Series(dtype=object)
    if existing.empty:
        return Plan(kind, rows.drop(columns="_key"), rows.iloc[0:0].drop(columns="_key"), 0)
    existing["_key"] = keys(existing)
    stored = existing.set_index("_key")
    known = rows["_key"].isin(stored.index)
    added = rows[~known].drop(columns="_key")
    matched = rows[known]
    old = stored.loc[matched["_key"]]
    differs = np.zeros(len(matched), dtype=bool)
    for c in values + list(kind.key):
        new = matched[c].map(_cmp).to_numpy(dtype=object)
        was = old[c].map(_cmp).to_numpy(dtype=object)
        if c in kind.key:
            continue  # same key (case-insensitively); case changes of a key are not updates
        differs |= np.array([a != b for a, b in zip(new, was, strict=True)], dtype=bool)
    changed = matched[differs].drop(columns="_key").copy()
    changed["_id"] = old["_pk"].to_numpy()[differs]
    return Plan(kind, added, changed, int((~differs).sum()))


def _column(col: pd.Series) -> list:
    """A column as plain Python values (None for blanks), vectorised where the dtype allows."""
    if col.dtype.kind in "biuf":
        values = col.to_numpy().tolist()
        return [None if isinstance(v, float) and math.isnan(v) else v for v in values]
    values = [None if v is None or v != v else v for v in col.to_numpy(dtype=object)]
    if any(isinstance(v, (np.generic, pd.Timestamp)) for v in values):
        return [_native(v) for v in values]
    return values


def _records(frame: pd.DataFrame) -> list[dict]:
    cols = list(frame.columns)
    data = [_column(frame[c]) for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*data, strict=True)]


def _insert(session: Session, table: sa.Table, frame: pd.DataFrame) -> None:
    """Bulk insert through the driver's executemany (fast; values are plain Python)."""
    conn = session.connection()
    missing = {  # SQLAlchemy binds a column with a Python default even when not given
        c.name: c.default.arg
        for c in table.columns
        if c.name not in frame.columns and c.default is not None and c.default.is_scalar
    }
    if missing:
        frame = frame.assign(**missing)
    cols = list(frame.columns)
    compiled = (
        sa.insert(table).values({c: sa.bindparam(c) for c in cols}).compile(dialect=conn.dialect)
    )
    data = [_column(frame[c]) for c in cols]
    if compiled.positional:
        order = [cols.index(name) for name in compiled.positiontup]
        params = [tuple(row[i] for i in order) for row in zip(*data, strict=True)]
    else:
        params = [dict(zip(cols, row, strict=True)) for row in zip(*data, strict=True)]
    conn.exec_driver_sql(str(compiled), params)


def _update(session: Session, p: Plan) -> None:
    """Update changed rows by primary key (or by the natural key for composite-key tables)."""
    table = p.kind.table
    pk = list(table.primary_key.columns)
    values = [c for c in p.changed.columns if c not in ("_id", *p.kind.key, *p.kind.insert_only)]
    if len(pk) == 1:
        where = [pk[0] == sa.bindparam("_id")]
        keys = ["_id"]
    else:
        where = [table.c[k] == sa.bindparam(f"k_{k}") for k in p.kind.key]
        keys = list(p.kind.key)
    stmt = sa.update(table).where(*where).values({c: sa.bindparam(f"v_{c}") for c in values})
    recs = []
    for r in _records(p.changed):
        rec = {f"v_{c}": r[c] for c in values}
        if len(pk) == 1:
            rec["_id"] = r["_id"]
        else:
            rec.update({f"k_{k}": r[k] for k in keys})
        recs.append(rec)
    session.connection().execute(stmt, recs)


def apply(session: Session, p: Plan, file_name: str = "") -> None:
    """Write the plan's inserts and updates in the session's transaction.

    Raises:
        ImportRejected: The database refused a row (a rule the file checks missed);
            the caller's transaction is then rolled back, so nothing is written.
    """
    table = p.kind.table
    try:
        with session.begin_nested():
            if len(p.added):
                _insert(session, table, p.added)
            if len(p.changed):
                _update(session, p)
    except IntegrityError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise reject(
            f"the database refused the rows ({reason}); nothing was written", file_name
        ) from None
