"""Shared pieces for the import tests: load templates, dump the stored rows, build files."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from qinet import db
from qinet.imports import import_file
from qinet.imports.kinds import Context
from qinet.imports.templates import ORDER, template_csv
from qinet.models import Base


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    """Rows (the first is the header) as CSV bytes."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(encoding)


def load_examples(engine: sa.Engine, upto: str | None = None) -> None:
    """Import every template's example row (in dependency order), up to and including ``upto``."""
    kinds = ORDER if upto is None else ORDER[: ORDER.index(upto) + 1]
    with db.session_scope(engine) as s:
        for kind in kinds:
            import_file(s, kind, template_csv(kind), f"{kind}.csv", Context("test"))


def dump(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every stored row of every table, sorted: compare before and after a refused import."""
    out = {}
    with engine.connect() as conn:
        for name, table in sorted(Base.metadata.tables.items()):
            rows = conn.execute(sa.select(table)).all()
            out[name] = sorted(tuple(map(str, r)) for r in rows)
    return out
