"""Data page (admins): import files, templates, the audit log and the data-quality report.

Who imports: administrators only. Programme leads add or correct their own measures'
values through the data-entry form on the Measures page (scope-checked, undoable);
file imports touch reference data and thousands of rows at once, so they stay with admins.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from qinet import db
from qinet.access import Viewer
from qinet.filters import Filters
from qinet.formatting import fmt_date
from qinet.imports import (
    ALL_KINDS,
    PREVIEW_ROWS,
    ImportRejected,
    Result,
    import_file,
    import_instrument,
    import_mdc,
)
from qinet.imports import audit as audit_log
from qinet.imports.kinds import Context
from qinet.imports.problems import MAX_LISTED, Problem
from qinet.imports.reading import MAX_UPLOAD_BYTES
from qinet.imports.templates import template_csv, template_names, template_xlsx
from qinet.models import Project
from qinet.queries import dataquality, quality
from qinet.queries.scope import scoped_projects
from qinet.queries.version import data_version as version_of
from qinet.stats.rules import DEFAULT_SPC_PRESET, SPC_PRESETS
from qinet.ui import cache, components
from qinet.ui.components import md_escape
from qinet.ui.context import PageContext

MDC = "mdc"
INSTRUMENT = "instrument"  # a survey definition (.json), as shipped in qinet/instruments
CHECKED_KEY = "_data_checked"  # (kind, digest, …) of the file that passed its dry run
CHECK_CACHE_KEY = "_data_check"  # ((token, data version), Result or ImportRejected)


@st.cache_data(ttl=300, show_spinner=False)
def _quality(url: str, viewer: Viewer, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    with db.session_scope(cache.engine_for(url)) as s:
        return quality.table_counts(s), quality.measure_completeness(s, viewer, f)


@st.cache_data(ttl=300, show_spinner=False)
def _quality_checks(
    url: str, viewer: Viewer, f: Filters, today: date, minimum: int
) -> list[dataquality.Check]:
    """The data-quality report, cached like the counts (it re-read every observation per rerun).

    A write anywhere bumps the data version, which clears this with every other cache.
    """
    completeness = _quality(url, viewer, f)[1]
    with db.session_scope(cache.engine_for(url)) as s:
        return dataquality.report(s, completeness, today, minimum)


COMPLETENESS_LABELS = {
    "project_code": "Project",
    "measure": "Measure",
    "frequency": "Frequency",
    "points": "Points",
    "first_period": "First period",
    "last_period": "Last period",
    "missing_periods": "Missing periods",
    "issues": "Issues",
}
TABLE_LABELS = {"table": "Table", "rows": "Rows"}


def completeness_display(flagged: pd.DataFrame) -> pd.DataFrame:
    """The completeness table as people read it: human labels, dates as 28 Apr 2025."""
    out = flagged[list(COMPLETENESS_LABELS)].copy()
    for col in ("first_period", "last_period"):
        out[col] = out[col].map(fmt_date)
    out["frequency"] = out["frequency"].astype(str).str.capitalize()
    return out.rename(columns=COMPLETENESS_LABELS)


def check_display(rows: pd.DataFrame) -> pd.DataFrame:
    """A data-quality list as people read it (dates as 28 Apr 2025); its CSV keeps ISO dates."""
    out = rows.copy()
    if "Period" in out:
        out["Period"] = out["Period"].map(fmt_date)
    if "Last scored" in out:
        out["Last scored"] = out["Last scored"].map(fmt_date).replace("", "Never")
    if "Frequency" in out:
        out["Frequency"] = out["Frequency"].astype(str).str.capitalize()
    return out


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (date, pd.Timestamp)):
        return fmt_date(value)
    return str(value)


def preview_display(preview: pd.DataFrame) -> pd.DataFrame:
    """An import preview as people read it: 1 Oct 2025, Yes / No, blanks for empty cells."""
    shown = preview.astype(object).map(_cell)
    shown.columns = [str(col).replace("_", " ").capitalize() for col in shown.columns]
    return shown


TEMPLATE_LABELS = {
    "mdc-metrics": "MDC metric table",
    "mdc-data": "MDC raw data table",
    MDC: "MDC SPC tool tables (metric + data)",
    INSTRUMENT: "Survey instrument (questions, domains, scale; .json)",
}


def _kind_label(name: str) -> str:
    return TEMPLATE_LABELS.get(name) or ALL_KINDS[name].label


def _project_codes(ctx: PageContext) -> list[str]:
    with db.session_scope(ctx.engine) as s:
        ids = scoped_projects(ctx.viewer, Filters()).scalar_subquery()
        return list(
            s.scalars(sa.select(Project.code).where(Project.id.in_(ids)).order_by(Project.code))
        )


def _run(
    ctx: PageContext, kind: str, files: list, project: str | None, add_orgs: bool, dry_run: bool
) -> Result:
    ictx = Context(user_key=ctx.viewer.user_key, add_organisations=add_orgs)
    with db.session_scope(ctx.engine) as s:
        if kind == MDC:
            return import_mdc(
                s,
                (files[0].getvalue(), files[0].name),
                (files[1].getvalue(), files[1].name),
                project or "",
                ictx,
                dry_run=dry_run,
            )
        if kind == INSTRUMENT:
            return import_instrument(s, files[0].getvalue(), files[0].name, ictx, dry_run=dry_run)
        return import_file(s, kind, files[0].getvalue(), files[0].name, ictx, dry_run=dry_run)


def _problem_text(p: Problem) -> str:
    """``Row 3, column **period_start**: '31/02/2025' is not a date`` (data escaped)."""
    where = []
    if p.row is not None:
        where.append(f"Row {p.row}")
    if p.column:
        where.append(f"column **{md_escape(p.column)}**")
    return (", ".join(where) + ": " if where else "") + md_escape(p.reason)


def _report(ctx: PageContext, exc: ImportRejected) -> None:
    """Every problem as row, column and reason (listed, capped, counted; all in the CSV)."""
    st.error(
        md_escape(exc.summary()) + " Nothing was written. Fix these rows and upload the "
        "file again.",
        icon=":material/error:",
    )
    shown = exc.problems[:MAX_LISTED]
    st.markdown("\n".join(f"- {_problem_text(p)}" for p in shown))
    if len(exc.problems) > len(shown):
        rest = len(exc.problems) - len(shown)
        st.caption(f"… and {rest:,} more problem{'s' if rest != 1 else ''} (all are in the CSV).")
    table = pd.DataFrame(
        {
            "Row": [p.row or "" for p in exc.problems],
            "Column": [p.column or "" for p in exc.problems],
            "Problem": [p.reason for p in exc.problems],
        }
    )
    # About the uploaded file, not the sidebar's filters: named for the whole network, today.
    view = replace(ctx.view, filters=Filters(), today=date.today())
    components.download_csv(
        table, view, "import-problems", label="Problems CSV", key="dl_import_problems"
    )


def _preview(result: Result) -> None:
    c = result.counts
    a, b, d = st.columns(3)
    components.kpi(a, "Rows to add", f"{c['added']:,}")
    components.kpi(b, "Rows to change", f"{c['changed']:,}")
    components.kpi(d, "Rows unchanged", f"{c['unchanged']:,}")
    for note in result.notes:
        st.caption(md_escape(note))
    if result.ignored:
        st.caption(
            "Columns ignored (not part of this kind): " + md_escape(", ".join(result.ignored))
        )
    if len(result.preview):
        shown = preview_display(result.preview)
        st.dataframe(shown, hide_index=True, width="stretch", key="import_preview")
        if len(result.preview) >= PREVIEW_ROWS:
            st.caption(f"The first {PREVIEW_ROWS} rows are shown.")


def _importer(ctx: PageContext) -> None:
    st.subheader("Import a file")
    # the smaller of Streamlit's upload limit (config.toml: 10 MB) and qinet's reader's, so
    # the caption agrees with the uploader's own "10MB per file" (it said 25 MB)
    limit_mb = min(int(st.get_option("server.maxUploadSize")), MAX_UPLOAD_BYTES // 2**20)
    st.caption(
        f"CSV (UTF-8 or Windows-1252) or Excel .xlsx, up to {limit_mb} MB. The whole file is "
        "checked first: a file with any bad row writes nothing. Re-importing the same "
        "file changes nothing."
    )
    kinds = [*ALL_KINDS, MDC, INSTRUMENT]
    kind = st.selectbox(
        "What the file holds",
        kinds,
        format_func=_kind_label,
        index=kinds.index("observations"),
        key="import_kind",
    )
    if kind in ALL_KINDS:
        st.caption(
            f"One row per {md_escape(ALL_KINDS[kind].key_note)}: an existing row is "
            "updated, a new one added."
        )
    project, add_orgs = None, False
    if kind == MDC:
        project = st.selectbox(
            "Project the metrics belong to", _project_codes(ctx), key="mdc_project"
        )
        files = [
            st.file_uploader("Metric table", type=["csv", "xlsx"], key="mdc_metrics"),
            st.file_uploader("Raw data table", type=["csv", "xlsx"], key="mdc_data"),
        ]
    elif kind == INSTRUMENT:
        st.caption(
            "One survey per instrument code: importing it again updates the survey and its "
            "questions (by question code), never duplicates them."
        )
        files = [st.file_uploader("Instrument definition", type=["json"], key="instrument_file")]
    else:
        files = [st.file_uploader("File", type=["csv", "xlsx"], key="import_file")]
        if kind == "workforce":
            add_orgs = st.checkbox(
                "Add organisations the database does not know yet", key="import_add_orgs"
            )
    if not all(files):
        components.empty_state("Choose a file to check it. Nothing is written until you confirm.")
        return
    digest = hashlib.sha256(b"".join(f.getvalue() for f in files)).hexdigest()
    token = (kind, digest, project, add_orgs)
    with ctx.engine.connect() as conn:
        version = version_of(conn)
    cached = st.session_state.get(CHECK_CACHE_KEY)
    if cached is not None and cached[0] == (token, version):
        outcome = cached[1]  # same file, same data: no need to check again on this rerun
    else:
        try:
            outcome = _run(ctx, kind, files, project, add_orgs, dry_run=True)
        except ImportRejected as exc:
            outcome = exc
        st.session_state[CHECK_CACHE_KEY] = ((token, version), outcome)
    if isinstance(outcome, ImportRejected):
        st.session_state.pop(CHECKED_KEY, None)
        _report(ctx, outcome)
        return
    result = outcome
    st.session_state[CHECKED_KEY] = token
    c = result.counts
    st.success(
        f"The file passed every check: {c['added']:,} to add, {c['changed']:,} to change, "
        f"{c['unchanged']:,} already stored. Nothing is written until you confirm.",
        icon=":material/check:",
    )
    _preview(result)
    total = result.counts["added"] + result.counts["changed"]
    if total == 0:
        st.info("Everything in this file is already stored; there is nothing to import.")
        return
    if st.button(
        f"Import {total:,} row{'s' if total != 1 else ''}", type="primary", key="import_confirm"
    ):
        if st.session_state.get(CHECKED_KEY) != token:
            st.warning("The file changed since it was checked; check it again.")
            return
        try:
            done = _run(ctx, kind, files, project, add_orgs, dry_run=False)
        except ImportRejected as exc:
            _report(ctx, exc)
            return
        cache.clear_data_caches()
        st.session_state.pop(CHECKED_KEY, None)
        st.session_state.pop(CHECK_CACHE_KEY, None)
        st.session_state["_data_done"] = done.summary()
        st.rerun()


def _templates() -> None:
    st.subheader("Templates")
    st.caption("A header row, an example row, and (in Excel) a notes sheet describing each column.")
    name = st.selectbox("Template", template_names(), key="template_kind", format_func=_kind_label)
    a, b = st.columns(2)
    a.download_button(
        "CSV template",
        data=template_csv(name),
        file_name=f"qinet-{name}-template.csv",
        mime="text/csv",
        key="tpl_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    b.download_button(
        "Excel template",
        data=template_xlsx(name),
        file_name=f"qinet-{name}-template.xlsx",
        key="tpl_xlsx",
        on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )


def _audit(ctx: PageContext) -> None:
    st.subheader("Audit log")
    with db.session_scope(ctx.engine) as s:
        log = audit_log.log_frame(s)
    if log.empty:
        components.empty_state("No imports or entries yet.")
        return
    shown = log.copy()
    shown["When"] = pd.to_datetime(shown["When"]).dt.strftime("%d %b %Y %H:%M")
    shown["Undone at"] = pd.to_datetime(shown["Undone at"]).dt.strftime("%d %b %Y %H:%M").fillna("")
    shown["SHA-256"] = shown["SHA-256"].str[:12]
    st.dataframe(shown, hide_index=True, width="stretch", key="audit_table")
    view = replace(ctx.view, filters=Filters())  # the log is not filtered by the sidebar
    components.download_csv(log, view, "audit-log", label="Audit log CSV", key="dl_audit")


def _checks(ctx: PageContext) -> None:
    st.subheader("Data-quality report")
    preset = SPC_PRESETS.get(ctx.settings.spc_preset, SPC_PRESETS[DEFAULT_SPC_PRESET])
    minimum = max(12, preset.min_points_for_limits)
    checks = _quality_checks(ctx.url, ctx.viewer, ctx.filters, ctx.today, minimum)
    for check in checks:
        n = len(check.rows)
        label = f"{check.title}: {n:,}" + ("" if n else " ✓")
        with st.expander(label, expanded=False):
            if not n:
                st.caption("Nothing to fix.")
                continue
            st.dataframe(
                check_display(check.rows), hide_index=True, width="stretch", key=f"dq_{check.key}"
            )
            st.caption(
                f"To fix: import corrected {md_escape(_kind_label(check.fix).lower())} "
                "(template above)."
            )
            components.download_csv(
                check.rows,
                ctx.view,
                f"data-quality-{check.key}",
                label="Download list",
                key=f"dl_dq_{check.key}",
            )


def render(ctx: PageContext) -> None:
    """Import, templates, audit log, data-quality report and table sizes."""
    done = st.session_state.pop("_data_done", None)
    if done:
        st.success(md_escape(done) + " Every page shows the new data.", icon=":material/check:")
    with components.panel("Import"):
        _importer(ctx)
    with components.panel("Templates"):
        _templates()
    counts, completeness = _quality(ctx.url, ctx.viewer, ctx.filters)
    with components.panel("Data-quality report"):
        _checks(ctx)
    with components.panel("Audit log"):
        _audit(ctx)
    with components.panel("Measure completeness"):
        st.subheader("Measure completeness")
        flagged = completeness[completeness["issues"] != ""]
        c1, c2, c3 = st.columns(3)
        components.kpi(c1, "Measures", f"{len(completeness):,}")
        components.kpi(c2, "Measures with issues", f"{len(flagged):,}")
        components.kpi(c3, "Missing periods", f"{int(completeness['missing_periods'].sum()):,}")
        if flagged.empty:
            components.empty_state("Every measure in this view is complete.")
        else:
            st.dataframe(completeness_display(flagged), hide_index=True, width="stretch")
        components.download_csv(completeness, ctx.view, "data-quality")
    with components.panel("Tables"):
        st.subheader("Tables")
        st.dataframe(counts.rename(columns=TABLE_LABELS), hide_index=True, width="content")
        components.download_csv(counts, ctx.view, "data-tables", label="Table sizes CSV")
        if ctx.synthetic:
            st.caption("This database holds synthetic demo data created by `qinet demo`.")
