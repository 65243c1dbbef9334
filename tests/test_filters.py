from datetime import date

import pytest

from qinet.filters import ALL_TIME, Filters, Period, parse_period, period_options

pytestmark = pytest.mark.unit


def test_from_params_treats_blank_and_all_as_no_filter():
    f = Filters.from_params({"directorate": "Medicine", "programme": "", "cohort": "All",
                             "period": ALL_TIME, "junk": "x"})
    assert f == Filters(directorate="Medicine")


def test_from_params_takes_first_of_repeated_values_and_truncates_junk():
    f = Filters.from_params({"directorate": ["Surgery", "Medicine"], "cohort": "x" * 500})
    assert f.directorate == "Surgery"
    assert len(f.cohort) == 200


def test_round_trip_through_params():
    f = Filters(directorate="Medicine", programme="Support services QI", period="FY 2024/25")
    assert Filters.from_params(f.to_params()) == f


def test_describe_joins_chosen_filters():
    f = Filters(directorate="Medicine", programme="Support services QI", period="FY 2024/25")
    assert f.describe() == "Medicine · Support services QI · FY 2024/25"
    assert Filters().describe() == "Whole network · All time"


def test_describe_with_dates_spells_out_financial_year():
    f = Filters(directorate="Medicine", programme="Support services QI", period="FY 2024/25")
    assert f.describe_with_dates(date(2025, 9, 30)) == (
        "Medicine · Support services QI · Apr 2024 – Mar 2025"
    )
    assert Filters(period="FY 2024/25").describe_with_dates(date(2025, 1, 1)) == (
        "Whole network · Apr 2024 – Mar 2025"
    )


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("FY 2024/25", Period(date(2024, 4, 1), date(2025, 3, 31))),
        ("FY 2024/26", None),  # inconsistent years
        ("Last 12 months", Period(date(2024, 10, 1), date(2025, 9, 30))),
        ("Last 1 months", Period(date(2025, 9, 1), date(2025, 9, 30))),
        ("Last 99 months", None),
        ("All time", None),
        ("'; DROP TABLE project; --", None),
        (None, None),
    ],
)
def test_parse_period(label, expected):
    assert parse_period(label, date(2025, 9, 30)) == expected


def test_period_options_newest_first_from_first_year():
    opts = period_options(date(2025, 9, 30), 2023)
    assert opts == ["All time", "Last 12 months", "Last 6 months", "FY 2025/26", "FY 2024/25",
                    "FY 2023/24"]
    # Before April the current financial year started the previous calendar year.
    assert period_options(date(2025, 3, 31), 2024)[3] == "FY 2024/25"


def test_previous_period_steps_back_whole_months():
    assert Period(date(2024, 4, 1), date(2025, 3, 31)).previous() == Period(
        date(2023, 4, 1), date(2024, 3, 31)
    )  # across a leap day
    assert Period(date(2025, 4, 1), date(2025, 9, 30)).previous() == Period(
        date(2024, 10, 1), date(2025, 3, 31)
    )
    assert Period(date(2025, 1, 1), date(2025, 1, 31)).previous() == Period(
        date(2024, 12, 1), date(2024, 12, 31)
    )


def test_previous_period_of_odd_days_has_same_length():
    p = Period(date(2025, 4, 3), date(2025, 9, 20))
    prev = p.previous()
    assert prev.end == date(2025, 4, 2)
    assert prev.end - prev.start == p.end - p.start
