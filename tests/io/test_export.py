import io

import pandas as pd
import pytest

from qinet.io.export import extract_filename, neutralise_cell, to_csv_bytes

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("bad", ["=1+1", "+1", "-cmd", "@SUM(A1)", "\tx", "\rx", "\0x",
                                 '=HYPERLINK("http://evil","click")'])
def test_formula_triggers_are_neutralised(bad):
    assert neutralise_cell(bad) == "'" + bad


@pytest.mark.parametrize("ok", ["Medicine", "", " =not first", -3.5, 0, None])
def test_other_values_unchanged(ok):
    assert neutralise_cell(ok) == ok


def test_csv_keeps_negative_numbers_numeric_and_escapes_strings():
    df = pd.DataFrame({"measure_id": [1, 2], "label": ['=HYPERLINK("x")', "-dash"],
                       "change": [-2.5, 3.0]})
    raw = to_csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")  # utf-8-sig BOM for Excel
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert back["change"].tolist() == [-2.5, 3.0]
    assert back["label"].tolist() == ["'=HYPERLINK(\"x\")", "'-dash"]
    assert b"\r\n" in raw


def test_column_names_are_neutralised_too():
    raw = to_csv_bytes(pd.DataFrame({"=evil": [1]}))
    assert raw.decode("utf-8-sig").splitlines()[0] == "'=evil"


def test_string_dtype_columns_are_escaped():
    df = pd.DataFrame({"label": pd.array(["=x", "y"], dtype="string")})
    text = to_csv_bytes(df).decode("utf-8-sig")
    assert "'=x" in text


def test_filename_has_page_filters_and_date():
    from datetime import date

    name = extract_filename("Measures", "Medicine · FY 2024/25", date(2025, 9, 30))
    assert name == "qinet_measures_medicine-fy-2024-25_2025-09-30.csv"
    assert extract_filename("x", "", date(2025, 1, 1)) == "qinet_x_all_2025-01-01.csv"
    assert extract_filename("x", "", date(2025, 1, 1), synthetic=True).startswith(
        "qinet-synthetic_x_"
    )
