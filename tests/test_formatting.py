"""The one formatter: a measure's values read the same everywhere, dates and plurals too."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from qinet.formatting import fmt_date, iso_date, measure_format, plural, round_extract

pytestmark = pytest.mark.unit


def test_percentages_read_the_same_for_proportions_and_percent_units() -> None:
    assert measure_format("p", "proportion").text(0.225) == "22.5%"
    assert measure_format("xmr", "%").text(22.5) == "22.5%"
    assert measure_format("run", "%").text(35) == "35.0%"
    assert measure_format("p", "proportion").text(0.9) == "90.0%"


def test_rates_counts_and_plain_values() -> None:
    assert measure_format("u", "falls per 1,000 bed days", 1000).text(1.42146) == "1.4"
    assert measure_format("u", "per bed day", 1).text(0.0014214641080312722) == "0.00142"
    assert measure_format("c", "doses").text(9) == "9"
    assert measure_format("c", "doses").text(9.333, stat=True) == "9.3"
    assert measure_format("g", "blood tests").text(1960.5, stat=True) == "1,960.5"
    assert measure_format("xmr", "minutes").text(74) == "74.0"
    assert measure_format("xmr", "minutes").text(np.nan) == "–"
    assert measure_format("xmr", "minutes").text(None) == "–"
    assert (
        measure_format("u", "falls per 1,000 bed days", 1000).text(1.4, with_unit=True)
        == "1.4 falls per 1,000 bed days"
    )


def test_csv_numbers_at_the_measures_precision() -> None:
    fmt = measure_format("u", "per bed day", 1)
    assert fmt.round_values(0.0014214641080312722) == 0.00142
    per_k = measure_format("u", "falls per 1,000 bed days", 1000)
    frame = pd.DataFrame({"value": [1.42146, np.nan], "centre": [1.234567, 1.234567],
                          "point": [1, 2]})  # fmt: skip
    out = round_extract(frame, per_k)
    assert out["value"].iloc[0] == 1.4 and np.isnan(out["value"].iloc[1])
    assert out["centre"].iloc[0] == 1.2 and out["point"].tolist() == [1, 2]
    p = measure_format("p", "proportion")
    assert p.round_values(0.72345678) == 0.723  # 72.3% kept as a 0–1 proportion


def test_dates_and_plurals() -> None:
    assert fmt_date(date(2025, 4, 28)) == "28 Apr 2025"
    assert fmt_date(pd.Timestamp("2025-06-01")) == "1 Jun 2025"
    assert fmt_date(None) == "" and fmt_date(pd.NaT) == ""
    assert iso_date(date(2025, 4, 28)) == "2025-04-28"
    assert plural(1, "missing period") == "1 missing period"
    assert plural(2, "missing period") == "2 missing periods"
    assert plural(3, "blank value") == "3 blank values"


def test_engine_warnings_use_proper_plurals() -> None:
    from qinet.stats.spc import compute_xmr

    one = compute_xmr([1, 2, np.nan, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1])
    two = compute_xmr([1, 2, np.nan, 3, 2, np.nan, 2, 3, 2, 1, 2, 3, 2, 1])
    words = " ".join(one.attrs["warnings"] + two.attrs["warnings"])
    assert "(s)" not in words
    assert "1 missing value (point 3) is left as a gap" in words
    assert "2 missing values (points 3, 6) are left as gaps" in words
