"""Fuzzing: thousands of malformed files; none raises an unhandled error, none changes a row."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from qinet import db
from qinet.imports import ImportRejected, import_file, import_instrument, import_mdc
from qinet.imports.kinds import Context
from tests.imports.helpers import csv_bytes, dump, load_examples

pytestmark = pytest.mark.db

HEADER = ["project_code", "measure", "period_start", "numerator", "denominator", "note"]
GOOD = ["PRJ-X1", "Falls per 1,000 bed days", "2024-07-01", "12", "2450", "ok"]

_DIR = Path(tempfile.mkdtemp(prefix="qinet-fuzz-"))
ENGINE = db.make_engine(f"sqlite:///{_DIR / 'fuzz.db'}")
db.create_schema(ENGINE)
load_examples(ENGINE)
BEFORE = dump(ENGINE)

BAD_CELLS = {
    "period_start": st.sampled_from(
        [
            "31/02/2024",
            "2024-13-01",
            "yesterday",
            "2024/07/01",
            "01-07-2024",
            "0000-00-00",
            "=TODAY()",
        ]
    ),
    "numerator": st.sampled_from(["twelve", "1e", "--3", "NaN", "inf", "-4", "1,2,3x"]),
    "denominator": st.sampled_from(["0", "-1", "abc", "1O0"]),
    "project_code": st.sampled_from(["NOPE", "<script>", "=cmd|'/c calc'!A1"]),
    "measure": st.sampled_from(["Unknown", "@SUM(1)", "x" * 300]),
}


@st.composite
def bad_rows(draw) -> list[list[str]]:
    """Valid-looking rows with at least one certainly bad cell, plus random noise."""
    n = draw(st.integers(1, 12))
    rows = []
    for _ in range(n):
        row = list(GOOD)
        row[2] = f"20{draw(st.integers(10, 30))}-{draw(st.integers(1, 12)):02d}-01"
        row[5] = draw(st.text(max_size=30))
        rows.append(row)
    column = draw(st.sampled_from(sorted(BAD_CELLS)))
    where = draw(st.integers(0, n - 1))
    rows[where][HEADER.index(column)] = draw(BAD_CELLS[column])
    if draw(st.booleans()):
        rows.append(list(rows[0]))  # a duplicate key too
    return rows


def _assert_refused(call) -> None:
    with pytest.raises(ImportRejected) as caught, db.session_scope(ENGINE) as s:
        call(s)
    assert caught.value.problems and caught.value.report()
    assert dump(ENGINE) == BEFORE


FUZZ = settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(
    rows=bad_rows(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    drop=st.sets(st.sampled_from(HEADER), max_size=2),
)
def test_malformed_csv_is_refused_and_writes_nothing(rows, encoding, drop):
    keep = [i for i, h in enumerate(HEADER) if h not in drop]
    table = [[HEADER[i] for i in keep]] + [[r[i] for i in keep] for r in rows]
    try:
        data = csv_bytes(table, encoding)
    except UnicodeEncodeError:
        data = csv_bytes(table, "utf-8")
    _assert_refused(lambda s: import_file(s, "observations", data, "f.csv", Context("fuzz")))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt"]))
def test_random_bytes_are_refused(data, name):
    _assert_refused(lambda s: import_file(s, "observations", data, name, Context("fuzz")))


def _workbook(rows: list[list[str]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        wb.active.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=bad_rows(), cut=st.floats(0.05, 0.95))
def test_bad_and_truncated_xlsx_are_refused(rows, cut):
    whole = _workbook(rows)
    _assert_refused(lambda s: import_file(s, "observations", whole, "f.xlsx", Context("fuzz")))
    part = whole[: int(len(whole) * cut)]
    _assert_refused(lambda s: import_file(s, "observations", part, "f.xlsx", Context("fuzz")))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    date=st.sampled_from(["2024-02-30", "tomorrow", "", "2024130"]),
    value=st.sampled_from(["x", "", "1..2"]),
    flag=st.sampled_from(["2", "maybe", "1"]),
)
def test_malformed_mdc_tables_are_refused(date, value, flag):
    metrics = csv_bytes(
        [
            ["MetricID", "MetricName", "ChartType", "MetricImprovement"],
            ["M1", "Falls", "XmR", "Down"],
        ]
    )
    data = csv_bytes(
        [
            ["MetricID", "Date", "Value", "GhostFlag"],
            ["M1", "20240101", "3", "0"],
            ["M1", date, value, flag],
        ]
    )
    _assert_refused(
        lambda s: import_mdc(s, (metrics, "m.csv"), (data, "d.csv"), "PRJ-X1", Context("fuzz"))
    )


SURVEY_HEADER = ["survey", "wave", "response_ref", "participant", "staff_group", "directorate",
                 "submitted_on", "question", "answer"]  # fmt: skip
SURVEY_GOOD = ["Improvement capability self-assessment", "Cohort 1 pre", "R-1", "P-90001",
               "Nursing and Midwifery Registered", "RXX-MED", "2024-05-03", "Q1", "4"]  # fmt: skip
SURVEY_BAD = {
    "answer": st.sampled_from(["6", "0", "four", "4.5", "-1", "=1+3", ""]),
    "question": st.sampled_from(["Q9", "=Q1", "<b>Q1</b>", ""]),
    "submitted_on": st.sampled_from(["31/02/2024", "2024-13-01", "soon", ""]),
    "wave": st.sampled_from(["Cohort 9 post", "@wave", ""]),
    "participant": st.sampled_from(["P-NOPE", "+44 7700 900000"]),
    "staff_group": st.sampled_from(["Wizards", ""]),
    "directorate": st.sampled_from(["NOPE"]),
    "survey": st.sampled_from(["No such survey", "x" * 300]),
}


@st.composite
def bad_survey_rows(draw) -> list[list[str]]:
    """Survey-export rows (distinct responses) with at least one certainly bad cell."""
    n = draw(st.integers(1, 10))
    rows = []
    for i in range(n):
        row = list(SURVEY_GOOD)
        row[2] = f"R-{i}"
        row[8] = str(draw(st.integers(1, 5)))
        rows.append(row)
    column = draw(st.sampled_from(sorted(SURVEY_BAD)))
    rows[draw(st.integers(0, n - 1))][SURVEY_HEADER.index(column)] = draw(SURVEY_BAD[column])
    if draw(st.booleans()):
        rows.append(list(rows[0]))  # the same response and question twice
    return rows


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=bad_survey_rows(),  # a missing required column is a refusal of its own
    drop=st.sets(st.sampled_from([h for h in SURVEY_HEADER
                                  if h not in ("participant", "directorate")]), max_size=1),
)  # fmt: skip
def test_malformed_survey_exports_are_refused_and_write_nothing(rows, drop):
    keep = [i for i, h in enumerate(SURVEY_HEADER) if h not in drop]
    data = csv_bytes([[SURVEY_HEADER[i] for i in keep]] + [[r[i] for i in keep] for r in rows])
    _assert_refused(lambda s: import_file(s, "survey_responses", data, "f.csv", Context("fuzz")))


INSTRUMENT = json.loads(
    (Path(__file__).resolve().parents[2] / "qinet/instruments/qi_skills_confidence.json")
    .read_text(encoding="utf-8")
)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-20, 20) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from([("code",), ("name",), ("kind",), ("scale",), ("scale", "min"),
                          ("scale", "max"), ("scale", "anchors"), ("questions",),
                          ("questions", 0), ("questions", 0, "code"), ("questions", 4, "reverse"),
                          ("questions", 8, "domain")]),
    value=JSON_VALUES,
    drop=st.booleans(),
)  # fmt: skip
def test_malformed_instruments_never_raise_anything_else_and_write_nothing(path, value, drop):
    raw = json.loads(json.dumps(INSTRUMENT))
    holder = raw
    for step in path[:-1]:
        holder = holder[step]
    if drop and isinstance(holder, dict):
        holder.pop(path[-1])
    else:
        holder[path[-1]] = value
    data = json.dumps(raw).encode()
    try:
        with db.session_scope(ENGINE) as s:
            import_instrument(s, data, "i.json", Context("fuzz"), dry_run=True)
    except ImportRejected as exc:
        assert exc.problems and exc.report()
    assert dump(ENGINE) == BEFORE
