"""The import engine on SQLite and PostgreSQL: templates, all-or-nothing, upserts, formats."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa

from qinet import db
from qinet.imports import ImportRejected, import_file, import_mdc
from qinet.imports.kinds import Context
from qinet.imports.templates import ORDER, template_csv, template_names, template_xlsx
from qinet.models import ImportLog, Measure, Observation, WorkforceBaseline
from qinet.queries.version import data_version
from tests.imports.helpers import csv_bytes, dump, load_examples

pytestmark = pytest.mark.db


def _import(engine, kind, data, name, **kw):
    ctx = Context("tester", add_organisations=kw.pop("add_organisations", False))
    with db.session_scope(engine) as s:
        return import_file(s, kind, data, name, ctx, **kw)


def test_every_template_example_imports_and_reimport_changes_nothing(engine):
    for kind in ORDER:
        first = _import(engine, kind, template_csv(kind), f"{kind}.csv")
        assert first.counts == {"added": 1, "changed": 0, "unchanged": 0}, kind
        again = _import(engine, kind, template_xlsx(kind), f"{kind}.xlsx")
        assert again.counts == {"added": 0, "changed": 0, "unchanged": 1}, kind
    with engine.connect() as c:
        assert c.scalar(sa.select(sa.func.count()).select_from(ImportLog)) == 2 * len(ORDER)
        assert data_version(c) == 2 * len(ORDER)
    assert set(template_names()) >= set(ORDER) | {"mdc-metrics", "mdc-data"}


def test_xlsx_template_has_a_notes_sheet():
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx("observations")))
    assert wb.sheetnames == ["data", "notes"]
    assert [c.value for c in wb["data"][1]][:3] == ["project_code", "measure", "period_start"]
    notes = {row[0]: row[2] for row in wb["notes"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert "first day" in notes["period_start"]


def test_every_bad_row_is_listed_and_nothing_is_written(engine):
    load_examples(engine, upto="measures")
    before = dump(engine)
    bad = csv_bytes(
        [
            ["Project Code", "MEASURE", "period start", "numerator", "denominator", "colour"],
            ["PRJ-X1", "Falls per 1,000 bed days", "2024-01-01", "3", "100", "red"],
            ["PRJ-X1", "Falls per 1,000 bed days", "31/02/2024", "3", "100", ""],
            ["PRJ-X1", "Falls per 1,000 bed days", "2024-03-01", "many", "100", ""],
            ["PRJ-X1", "No such measure", "2024-04-01", "1", "100", ""],
            ["PRJ-X1", "Falls per 1,000 bed days", "2024-01-01", "4", "100", ""],
            ["PRJ-X1", "Falls per 1,000 bed days", "2024-06-01", "4", "0", ""],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        _import(engine, "observations", bad, "falls.csv")
    lines = [str(p) for p in caught.value.problems]
    assert (
        "row 3, column `period_start`: '31/02/2024' is not a date (YYYY-MM-DD or DD/MM/YYYY)"
        in lines
    )
    assert "row 4, column `numerator`: 'many' is not a number" in lines
    assert any(x.startswith("row 5, column `measure`: 'No such measure'") for x in lines)
    assert any(x.startswith("row 6: repeats an earlier row") for x in lines)
    assert any(x.startswith("row 7, column `denominator`") for x in lines)
    assert dump(engine) == before


def test_missing_column_is_named_and_unknown_columns_are_listed(engine):
    with pytest.raises(ImportRejected) as caught:
        _import(engine, "organisations", csv_bytes([["code", "name"], ["A", "B"]]), "o.csv")
    assert str(caught.value.problems[0]) == "column `kind`: this required column is missing"
    ok = _import(
        engine,
        "organisations",
        csv_bytes([[" CODE ", "Name", "Kind", "Notes"], ["A1", "Alpha", "Acute trust", "x"]]),
        "o.csv",
    )
    assert ok.ignored == ("Notes",) and ok.counts["added"] == 1


def test_upsert_changes_only_what_differs(engine):
    load_examples(engine, upto="observations")
    rows = [
        ["project_code", "measure", "period_start", "numerator", "denominator", "ghosted"],
        ["PRJ-X1", "Falls per 1,000 bed days", "2024-07-01", "13", "2450", "yes"],
        ["PRJ-X1", "Falls per 1,000 bed days", "01/08/2024", "9", "2400", "no"],
    ]
    result = _import(engine, "observations", csv_bytes(rows), "o.csv")
    assert result.counts == {"added": 1, "changed": 1, "unchanged": 0}
    with engine.connect() as c:
        got = c.execute(
            sa.select(
                Observation.period_start, Observation.numerator, Observation.ghosted
            ).order_by(Observation.period_start)
        ).all()
    assert [(r[0], r[1], bool(r[2])) for r in got] == [
        (date(2024, 7, 1), 13.0, True),
        (date(2024, 8, 1), 9.0, False),
    ]


def test_a_rate_keeps_its_multiplier_and_only_rates_take_one(engine):
    load_examples(engine, upto="measures")
    with engine.connect() as c:
        stored = c.execute(sa.select(Measure.chart_type, Measure.multiplier)).one()
    assert (str(stored[0]), stored[1]) == ("u", 1000)  # the template's example: per 1,000
    head = ["project_code", "name", "measure_type", "frequency", "chart_type",
            "improvement_direction", "multiplier"]  # fmt: skip
    before = dump(engine)
    bad = csv_bytes(
        [
            head,
            ["PRJ-X1", "Length of stay", "outcome", "monthly", "xmr", "decrease", "100"],
            ["PRJ-X1", "Pressure ulcers", "outcome", "monthly", "u", "decrease", "7"],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        _import(engine, "measures", bad, "m.csv")
    lines = [str(p) for p in caught.value.problems]
    assert "row 2, column `multiplier`: only a u chart (a rate) takes a multiplier" in lines
    assert "row 3, column `multiplier`: a multiplier is one of 1, 100, 1000, 10000" in lines
    assert dump(engine) == before
    ok = [head, ["PRJ-X1", "Length of stay", "outcome", "monthly", "xmr", "decrease", ""]]
    assert _import(engine, "measures", csv_bytes(ok), "m.csv").counts["added"] == 1


def test_formulas_and_html_are_stored_as_text(engine):
    load_examples(engine, upto="observations")
    rows = [
        ["project_code", "measure", "period_start", "numerator", "denominator", "note"],
        ["PRJ-X1", "Falls per 1,000 bed days", "2024-09-01", "1", "10", '=HYPERLINK("x")'],
        ["PRJ-X1", "Falls per 1,000 bed days", "2024-10-01", "1", "10", "<b>bold</b>"],
    ]
    _import(engine, "observations", csv_bytes(rows), "o.csv")
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(rows[0])
    wb.active.append(["PRJ-X1", "Falls per 1,000 bed days", "2024-11-01", 1, 10, "=1+1"])
    buf = io.BytesIO()
    wb.save(buf)
    _import(engine, "observations", buf.getvalue(), "o.xlsx")
    with engine.connect() as c:
        notes = set(c.scalars(sa.select(Observation.note)))
    assert {'=HYPERLINK("x")', "<b>bold</b>", "=1+1"} <= notes


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        ("code,name,kind\n".encode("utf-16"), "o.csv", "UTF-16"),
        (b"\x00\x01\x02binary\x00", "o.csv", "binary"),
        (b"PK\x03\x04rest", "o.csv", "zip or Excel"),
        (b"not a workbook", "o.xlsx", "not a readable .xlsx"),
        (b"BIG", "o.csv", "over the 25 MB limit"),
        (b"code,name", "o.ods", "only .xlsx"),
    ],
    ids=["utf16", "binary", "zip-as-csv", "bad-xlsx", "too-big", "ods"],
)
def test_unreadable_files_are_refused_by_name(engine, data, name, says):
    data = b"x" * 30_000_000 if data == b"BIG" else data
    with pytest.raises(ImportRejected) as caught:
        _import(engine, "organisations", data, name)
    assert says in caught.value.report()


def test_windows_1252_is_read(engine):
    data = "code,name,kind\nZ1,Caf\u00e9 Care Alliance \u2013 North,voluntary\n".encode("cp1252")
    result = _import(engine, "organisations", data, "o.csv")
    assert result.counts["added"] == 1 and "Windows-1252" in result.notes[0]


def test_zip_bomb_is_refused(engine):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    with pytest.raises(ImportRejected) as caught:
        _import(engine, "organisations", buf.getvalue(), "bomb.xlsx")
    assert "zip bomb" in caught.value.report()


def _nhs_digital() -> bytes:
    return csv_bytes(
        [
            [
                "Month",
                "Organisation code",
                "Organisation name",
                "Staff group",
                "Nationality",
                "FTE",
            ],
            [
                "2017-SEP",
                "RXX",
                "Example Hospitals NHS Trust",
                "Nurses & health visitors",
                "UK",
                "100.12345",
            ],
            [
                "2017-SEP",
                "RXX",
                "Example Hospitals NHS Trust",
                "Nurses & health visitors",
                "EU",
                "20.00001",
            ],
            ["2017-SEP", "RXX", "Example Hospitals NHS Trust", "Midwives", "UK", "10"],
            [
                "2017-SEP",
                "RXX",
                "Example Hospitals NHS Trust",
                "Add Prof Scientific and Technic",
                "UK",
                "5.5",
            ],
            ["2017-SEP", "RXX", "Example Hospitals NHS Trust", "Unknown", "UK", "1"],
            ["2017-SEP", "RXX", "Example Hospitals NHS Trust", "Total", "UK", "999"],
        ]
    )


def test_nhs_digital_workforce_becomes_an_organisation_level_baseline(engine):
    load_examples(engine, upto="organisations")
    result = _import(engine, "workforce", _nhs_digital(), "nhs.csv")
    assert result.counts["added"] == 3  # nurses and midwives both count as nursing & midwifery
    assert any("total" in n for n in result.notes)
    with engine.connect() as c:
        rows = {r.staff_group_code: r for r in c.execute(sa.select(WorkforceBaseline))}
    nursing = rows["nursing_midwifery"]
    assert nursing.directorate_id is None and nursing.headcount is None
    assert nursing.as_at == date(2017, 9, 30)
    assert nursing.fte == pytest.approx(130.12346)  # nationality breakdown summed away
    assert rows["add_prof_scientific"].fte == 5.5 and "unknown" in rows
    assert _import(engine, "workforce", _nhs_digital(), "nhs.csv").counts["unchanged"] == 3


def test_long_layout_skips_other_levels_and_keeps_headcount_and_fte(engine):
    load_examples(engine, upto="organisations")
    data = csv_bytes(
        [
            [
                "DATA_MONTH",
                "DATA_LEVEL",
                "REGION",
                "ORG_CODE",
                "ORG_NAME",
                "MAIN_STAFF_GROUP",
                "STAFF_GROUP_1",
                "FTE",
                "HEADCOUNT",
            ],
            ["2024-MAR", "National", "", "", "England", "x", "HCHS doctors", "99999", "99999"],
            [
                "2024-MAR",
                "Organisation",
                "North",
                "RXX",
                "Example Hospitals NHS Trust",
                "Professionally qualified clinical staff",
                "HCHS doctors",
                "310.5",
                "342",
            ],
        ]
    )
    result = _import(engine, "workforce", data, "esr.csv")
    assert result.counts["added"] == 1 and any("other levels" in n for n in result.notes)
    with engine.connect() as c:
        row = c.execute(sa.select(WorkforceBaseline)).one()
    assert (row.staff_group_code, row.headcount, row.fte) == ("medical_dental", 342, 310.5)


def test_unknown_organisations_are_listed_unless_added(engine):
    data = csv_bytes(
        [
            ["Month", "Organisation code", "Organisation name", "Staff group", "FTE"],
            ["2024-MAR", "R1A", "Alpha NHS Trust", "Midwives", "3"],
            ["2024-MAR", "R1B", "Beta Mental Health NHS Trust", "Midwives", "4"],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        _import(engine, "workforce", data, "w.csv")
    assert "2 unknown organisations: R1A Alpha NHS Trust; R1B Beta" in caught.value.report()
    assert _import(engine, "workforce", data, "w.csv", add_organisations=True).counts["added"] == 2


def test_unmapped_staff_group_names_the_accepted_ones(engine):
    load_examples(engine, upto="organisations")
    data = csv_bytes(
        [
            ["as_at", "organisation_code", "staff_group", "headcount"],
            ["2024-03-31", "RXX", "Wizards", "3"],
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        _import(engine, "workforce", data, "w.csv")
    text = caught.value.report()
    assert "'Wizards' is not a known staff group" in text and "HCHS doctors" in text
    alias = csv_bytes([["name", "staff_group_code"], ["Wizards", "allied_health"]])
    _import(engine, "staff_group_aliases", alias, "a.csv")
    assert _import(engine, "workforce", data, "w.csv").counts["added"] == 1


def test_dry_run_writes_nothing(engine):
    before = dump(engine)
    result = _import(engine, "organisations", template_csv("organisations"), "o.csv", dry_run=True)
    assert result.counts["added"] == 1 and not result.written
    assert dump(engine) == before


MDC_METRICS = csv_bytes(
    [
        [
            "MetricID",
            "MetricName",
            "ChartType",
            "MetricImprovement",
            "MetricConflictRule",
            "DateFormat",
            "MetricFormat",
            "LowMeanWarningValue",
            "XAxisTitle",
            "YAxisTitle",
        ],
        ["M1", "Falls", "XmR", "Down", "Improvement", "d/m/yy", "General", "", "Month", "Falls"],
    ]
)


def mdc_data(n: int = 30, groups: tuple[str, ...] = ("Ward 7",)) -> bytes:
    """An MDC raw data table: a phase break at point 16, a ghost at 10, a note at 20."""
    header = [
        "MetricID",
        "Group",
        "GroupParent",
        "GroupHierarchyOrder",
        "Filter1",
        "Filter2",
        "Date",
        "Value",
        "RecalculateLimitsFlag",
        "GhostFlag",
        "Annotation",
    ]
    rows = [header]
    for g in groups:
        for i in range(n):
            year, month = 2022 + (i // 12), i % 12 + 1
            value = (12 if i < 16 else 7) + (i * 7 % 5) / 2
            rows.append(
                [
                    "M1",
                    g,
                    "",
                    "",
                    "",
                    "",
                    f"{year}{month:02d}01",
                    f"{value:g}",
                    "1" if i == 16 else "0",
                    "1" if i == 10 else "0",
                    "Sensor mats on every bay" if i == 20 else "",
                ]
            )
    return csv_bytes(rows)


def test_mdc_tables_load_into_a_project(engine):
    load_examples(engine, upto="projects")
    with db.session_scope(engine) as s:
        result = import_mdc(
            s, (MDC_METRICS, "metrics.csv"), (mdc_data(), "data.csv"), "PRJ-X1", Context("tester")
        )
    assert result.counts["added"] == 1 + 30 + 2
    with engine.connect() as c:
        kinds = sorted(c.scalars(sa.text("SELECT kind FROM annotation")))
        ghosts = c.scalar(sa.text("SELECT count(*) FROM observation WHERE ghosted"))
        measure = c.execute(
            sa.text("SELECT name, chart_type, improvement_direction FROM measure")
        ).one()
    assert kinds == ["note", "phase_break"] and ghosts == 1
    assert tuple(measure) == ("Falls", "xmr", "decrease")
    with db.session_scope(engine) as s:
        again = import_mdc(
            s, (MDC_METRICS, "metrics.csv"), (mdc_data(), "data.csv"), "PRJ-X1", Context("tester")
        )
    assert again.counts["added"] == 0 and again.counts["changed"] == 0


def test_mdc_groups_become_one_measure_each(engine):
    load_examples(engine, upto="projects")
    with db.session_scope(engine) as s:
        import_mdc(
            s,
            (MDC_METRICS, "m.csv"),
            (mdc_data(14, ("Ward 7", "Ward 9")), "d.csv"),
            "PRJ-X1",
            Context("tester"),
        )
    with engine.connect() as c:
        names = sorted(c.scalars(sa.text("SELECT name FROM measure")))
    assert names == ["Falls — Ward 7", "Falls — Ward 9"]


def test_mdc_refuses_an_unknown_project_and_t_charts(engine):
    load_examples(engine, upto="projects")
    with db.session_scope(engine) as s, pytest.raises(ImportRejected) as caught:
        import_mdc(s, (MDC_METRICS, "m.csv"), (mdc_data(), "d.csv"), "NOPE", Context("t"))
    assert "'NOPE' is not a known project code" in caught.value.report()
    t_chart = MDC_METRICS.replace(b"XmR", b"T")
    with db.session_scope(engine) as s, pytest.raises(ImportRejected) as caught:
        import_mdc(s, (t_chart, "m.csv"), (mdc_data(), "d.csv"), "PRJ-X1", Context("t"))
    report = caught.value.report()
    assert "row 2, column `ChartType`: 'T' charts are not loaded from MDC tables" in report


def test_large_files_keep_spreadsheet_row_numbers(engine):
    load_examples(engine, upto="measures")
    rows = [["project_code", "measure", "period_start", "numerator", "denominator"]]
    for i in range(3000):
        year, month = 1900 + i // 12, i % 12 + 1
        rows.append(["PRJ-X1", "Falls per 1,000 bed days", f"{year}-{month:02d}-01", "1", "9"])
    rows[2500][3] = "oops"
    data = csv_bytes(rows).replace(b"\n", b"\n\n", 1)  # a blank line after the header
    with pytest.raises(ImportRejected) as caught:
        _import(engine, "observations", data, "big.csv")
    texts = [str(p) for p in caught.value.problems]
    assert texts == ["row 2502, column `numerator`: 'oops' is not a number"]  # blank row skipped


def test_event_counts_update_in_place(engine):
    load_examples(engine)
    rows = [["event", "held_on", "staff_group", "attendees"],
            ["Spring learning session", "12/06/2024", "Estates and Ancillary", "20"],
            ["Spring learning session", "2024-06-12", "Medical and Dental", "3"]]  # fmt: skip
    result = _import(engine, "event_group_counts", csv_bytes(rows), "counts.csv")
    assert result.counts == {"added": 1, "changed": 1, "unchanged": 0}
    with engine.connect() as c:
        got = dict(
            c.execute(sa.text("SELECT staff_group_code, attendees FROM event_group_count")).all()
        )
    assert got == {"estates_ancillary": 20, "medical_dental": 3}
