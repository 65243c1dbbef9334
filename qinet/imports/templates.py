"""Blank templates per kind: a CSV (header + example row) and a workbook with a notes sheet.

The example rows refer to each other (organisation ``RXX``, directorate ``RXX-MED``,
programme ``PRG-X``, project ``PRJ-X1``…), so importing every template in ``ORDER``
into an empty database loads a small, consistent example.
"""

from __future__ import annotations

import csv
import io

from qinet.imports import ALL_KINDS, mdc
from qinet.imports.fields import Field

ORDER = (
    "organisations",
    "directorates",
    "staff_groups",
    "staff_group_aliases",
    "programmes",
    "cohorts",
    "participants",
    "enrolments",
    "projects",
    "measures",
    "observations",
    "annotations",
    "progress_scores",
    "milestones",
    "workforce",
    "surveys",
    "survey_questions",
    "survey_waves",
    "survey_responses",
    "events",
    "event_attendance",
    "event_group_counts",
)


def _fields(kind: str) -> tuple[Field, ...]:
    if kind == "mdc-metrics":
        return mdc.METRIC_FIELDS
    if kind == "mdc-data":
        return mdc.DATA_FIELDS
    return ALL_KINDS[kind].fields


def template_names() -> list[str]:
    """Every template: the import kinds, then the two MDC tables."""
    return [*ORDER, "mdc-metrics", "mdc-data"]


def template_csv(kind: str) -> bytes:
    """UTF-8 CSV with the header and the example row."""
    fields = _fields(kind)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.name for f in fields])
    writer.writerow([f.example for f in fields])
    return out.getvalue().encode("utf-8")


def notes_rows(kind: str) -> list[tuple[str, str, str]]:
    """(column, required?, what it holds) for the notes sheet."""
    rows = []
    for f in _fields(kind):
        what = {
            "date": "date (YYYY-MM-DD)",
            "month": "date or month (2017-SEP)",
            "int": "whole number",
            "float": "number",
            "bool": "yes / no",
            "choice": "one of the listed values",
            "text": "text",
        }[f.kind]
        rows.append(
            (
                f.name,
                "required" if f.required else "optional",
                f"{what}. {f.note}".strip().rstrip(".") + ".",
            )
        )
    return rows


def template_xlsx(kind: str) -> bytes:
    """Workbook: sheet ``data`` (header + example row) and sheet ``notes``."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    fields = _fields(kind)
    ws.append([f.name for f in fields])
    ws.append([f.example for f in fields])  # examples as text: nothing is evaluated
    notes = wb.create_sheet("notes")
    notes.append(["column", "required", "what it holds"])
    for row in notes_rows(kind):
        notes.append(list(row))
    label = ALL_KINDS[kind].key_note if kind in ALL_KINDS else "see the MDC tool guide"
    notes.append([])
    notes.append(
        ["natural key", "", f"one row per {label}: re-importing updates, never duplicates"]
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
