"""Data in: import CSV and Excel files of every core kind, all or nothing.

Pipeline per file: read (``reading``) → match columns (``validation.match_columns``) →
validate every cell with pandera (``validation.validate``) → resolve names to ids
(``kinds``) → preview added / changed / unchanged on the natural key (``writing.plan``)
→ write in one transaction with an audit row and a data-version bump (``writing``,
``audit``). Any problem anywhere raises :class:`ImportRejected` listing each row,
column and reason, and nothing is written. Special formats: ``workforce`` (NHS Digital,
ESR) and ``mdc`` (Making Data Count SPC tool tables).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session

from qinet.imports import audit, instrument, mdc, survey_responses, workforce
from qinet.imports.catalogue import KINDS
from qinet.imports.kinds import Context, Kind, build_rows
from qinet.imports.problems import ImportRejected, Problem, reject
from qinet.imports.reading import read_upload
from qinet.imports.validation import check, match_columns, validate
from qinet.imports.writing import Plan, apply, plan

__all__ = [
    "ALL_KINDS",
    "Context",
    "ImportRejected",
    "Problem",
    "Result",
    "import_file",
    "import_instrument",
    "import_mdc",
    "kind_for",
]

ALL_KINDS: dict[str, Kind] = {**KINDS, "workforce": workforce.KIND}
PREVIEW_ROWS = 200
OTHER_LABELS = {"mdc": "MDC tables", instrument.NAME: instrument.LABEL}


@dataclass
class Result:
    """What an import did (or, on a dry run, would do)."""

    kind: str
    file_name: str
    sha256: str
    counts: dict[str, int]
    ignored: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    written: bool = False

    def summary(self) -> str:
        """One line such as ``Observations: 120 added, 3 changed, 40 unchanged.``."""
        c = self.counts
        verb = "" if self.written else " (dry run: nothing written)"
        label = ALL_KINDS[self.kind].label if self.kind in ALL_KINDS else OTHER_LABELS[self.kind]
        return (
            f"{label}: "
            f"{c['added']:,} added, {c['changed']:,} changed, "
            f"{c['unchanged']:,} unchanged{verb}."
        )


def kind_for(name: str) -> Kind:
    """The kind called ``name`` (``observations``…).

    Raises:
        ImportRejected: No such kind (the message lists them).
    """
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in ALL_KINDS:
        raise reject(
            f"{name!r} is not a kind of import; choose one of "
            f"{', '.join([*ALL_KINDS, 'mdc', instrument.NAME])}"
        )
    return ALL_KINDS[key]


def _status(index: pd.Index, p: Plan) -> pd.Series:
    status = pd.Series("unchanged", index=index, dtype=object)
    status[status.index.isin(p.added.index)] = "added"
    status[status.index.isin(p.changed.index)] = "changed"
    return status


def _preview(typed: pd.DataFrame, status: pd.Series) -> pd.DataFrame:
    out = typed.copy()
    out.insert(0, "Change", status)
    out.insert(0, "Row", out.index)
    order = out["Change"].map({"added": 0, "changed": 1, "unchanged": 2})
    return out.assign(_o=order).sort_values(["_o", "Row"]).drop(columns="_o").head(PREVIEW_ROWS)


def _finish(session: Session, nested, result: Result, ctx: Context, dry_run: bool) -> Result:  # noqa: ANN001
    if dry_run:
        nested.rollback()
        return result
    audit.record(
        session,
        user_key=ctx.user_key,
        kind=result.kind,
        file_name=result.file_name,
        sha256=result.sha256,
        added=result.counts["added"],
        changed=result.counts["changed"],
        unchanged=result.counts["unchanged"],
        at=ctx.now,
    )
    nested.commit()
    result.written = True
    return result


def import_file(
    session: Session,
    kind_name: str,
    data: bytes,
    file_name: str,
    ctx: Context | None = None,
    *,
    dry_run: bool = False,
) -> Result:
    """Import one file of one kind, all or nothing, inside the session's transaction.

    Args:
        session: Open session; the caller commits (``db.session_scope``).
        kind_name: A name from ``ALL_KINDS``.
        data: The file's bytes (CSV or .xlsx).
        file_name: Its name (extension decides the reader; kept in the audit log).
        ctx: Who imports, and options.
        dry_run: Validate and preview only; nothing is written.

    Returns:
        The counts, ignored columns, notes and a preview.

    Raises:
        ImportRejected: Every problem found; nothing was written.
    """
    ctx = ctx or Context()
    kind = kind_for(kind_name)
    table = read_upload(data, file_name)
    frame, notes = table.frame, []
    aliases = None
    if kind.name == "workforce":
        frame, notes = workforce.prepare(frame)
        aliases = workforce.HEADER_ALIASES
    matched = match_columns(frame, kind.fields, file_name, aliases)
    if table.encoding == "Windows-1252":
        notes.append("read as Windows-1252 text (save as 'CSV UTF-8' to avoid this)")
    typed, problems = check(matched, kind.fields, kind.file_key)
    nested = session.begin_nested()
    try:
        if problems:
            _also_references(session, kind, typed, ctx, problems)
            raise ImportRejected(problems, file_name)
        rows = build_rows(session, kind, typed, ctx, file_name)
        if kind.name == "workforce":
            workforce.check_rows(rows, file_name)
        if kind.name == survey_responses.NAME:  # two tables: responses, then answers
            counts, status, note = survey_responses.write(session, rows, file_name)
            notes.append(note)
        else:
            p = plan(session, kind, rows)
            apply(session, p, file_name)
            counts, status = p.counts, _status(typed.index, p)
    except BaseException:
        nested.rollback()
        raise
    preview = _preview(typed, status) if kind.name != "workforce" else _workforce_preview(rows, p)
    result = Result(
        kind.name,
        file_name,
        hashlib.sha256(data).hexdigest(),
        counts,
        matched.ignored,
        notes,
        preview,
    )
    return _finish(session, nested, result, ctx, dry_run)


def _also_references(
    session: Session, kind: Kind, typed: pd.DataFrame, ctx: Context, problems: list[Problem]
) -> None:
    """Add unknown-reference problems to the cell problems, so one report lists both."""
    more: list[Problem] = []
    try:
        kind.build(session, typed, ctx, more)
    except Exception:  # noqa: BLE001 - best effort on a file already refused
        return
    seen = {(p.row, p.column) for p in problems}
    problems.extend(p for p in more if (p.row, p.column) not in seen)
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))


def _workforce_preview(rows: pd.DataFrame, p: Plan) -> pd.DataFrame:
    out = rows.copy()
    status = pd.Series("unchanged", index=out.index, dtype=object)
    status[status.index.isin(p.added.index)] = "added"
    status[status.index.isin(p.changed.index)] = "changed"
    out.insert(0, "Change", status)
    return out.head(PREVIEW_ROWS)


def import_mdc(
    session: Session,
    metrics: tuple[bytes, str],
    data: tuple[bytes, str],
    project_code: str,
    ctx: Context | None = None,
    *,
    dry_run: bool = False,
) -> Result:
    """Load a Making Data Count metric table and data table into one project.

    Args:
        session: Open session; the caller commits.
        metrics: (bytes, file name) of the metric table.
        data: (bytes, file name) of the raw data table.
        project_code: The project the metrics become measures of.
        ctx: Who imports, and options.
        dry_run: Validate and preview only.

    Raises:
        ImportRejected: Every problem found in either table; nothing was written.
    """
    ctx = ctx or Context()
    (mbytes, mname), (dbytes, dname) = metrics, data
    mt, dt = read_upload(mbytes, mname), read_upload(dbytes, dname)
    if not mdc.looks_like_metrics(list(mt.frame.columns)) and mdc.looks_like_metrics(
        list(dt.frame.columns)
    ):
        (mt, mname), (dt, dname) = (dt, dname), (mt, mname)
    mtyped = validate(
        match_columns(mt.frame, mdc.METRIC_FIELDS, mname), mdc.METRIC_FIELDS, ("MetricID",), mname
    )
    dmatched = match_columns(dt.frame, mdc.DATA_FIELDS, dname)
    dtyped = validate(dmatched, mdc.DATA_FIELDS, (), dname)
    nested = session.begin_nested()
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    try:
        parts = mdc.build(session, mtyped, dtyped, project_code, ctx, dname)
        mplan = plan(session, mdc.KIND_MEASURES, parts["measures"])
        apply(session, mplan, mname)
        project_id = int(parts["measures"]["project_id"].iloc[0])
        ids = mdc.measure_ids(session, project_id)
        obs = parts["observations"].copy()
        found = obs.pop("measure_name").map(lambda n: ids[n.lower()])
        obs["measure_id"] = found.map(lambda t: t[0])
        obs["chart_type"] = found.map(lambda t: t[1])
        obs["numerator"] = None
        obs["denominator"] = None
        obs["note"] = None
        oplan = plan(session, mdc.KIND_OBSERVATIONS, obs)
        apply(session, oplan, dname)
        notes = parts["annotations"].copy()
        if len(notes):
            notes["measure_id"] = notes.pop("measure_name").map(lambda n: ids[n.lower()][0])
            aplan = plan(session, mdc.KIND_ANNOTATIONS, notes)
            apply(session, aplan, dname)
            plans = (mplan, oplan, aplan)
        else:
            plans = (mplan, oplan)
        for pl in plans:
            for k, v in pl.counts.items():
                counts[k] += v
    except BaseException:
        nested.rollback()
        raise
    lines = [
        f"{pl.kind.label}: {pl.counts['added']:,} added, {pl.counts['changed']:,} changed, "
        f"{pl.counts['unchanged']:,} unchanged"
        for pl in plans
    ]
    preview = parts["measures"][["name", "chart_type", "improvement_direction", "frequency"]]
    digest = hashlib.sha256(mbytes + b"\0" + dbytes).hexdigest()
    result = Result(
        "mdc",
        f"{mname} + {dname}",
        digest,
        counts,
        dmatched.ignored,
        lines,
        preview.reset_index(drop=True),
    )
    return _finish(session, nested, result, ctx, dry_run)


def import_instrument(
    session: Session,
    data: bytes,
    file_name: str,
    ctx: Context | None = None,
    *,
    dry_run: bool = False,
) -> Result:
    """Create or update a survey and its questions from an instrument definition (JSON).

    Idempotent on the instrument code; see :mod:`qinet.imports.instrument`.

    Raises:
        ImportRejected: A field is wrong (named by its path) or the survey conflicts with
            a stored one; nothing was written.
    """
    ctx = ctx or Context()
    nested = session.begin_nested()
    try:
        done = instrument.write(session, data, file_name)
    except BaseException:
        nested.rollback()
        raise
    result = Result(
        instrument.NAME,
        file_name,
        hashlib.sha256(data).hexdigest(),
        done.counts,
        notes=done.notes,
        preview=done.preview,
    )
    return _finish(session, nested, result, ctx, dry_run)
