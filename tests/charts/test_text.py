import pytest


@pytest.mark.unit
def test_subtitles_wrap_at_the_separator_to_fit_a_phone():
    """Two lines at the " · ", not a preset's numbers split from their names."""
    from qinet.charts.text import wrap_lines

    sub = "p chart (proportion) · Making Data Count 2024: shift 6, trend 6"
    assert wrap_lines(sub, 52) == ["p chart (proportion)",
                                   "Making Data Count 2024: shift 6, trend 6"]  # fmt: skip
    assert wrap_lines("run chart · Anhøj", 52) == ["run chart · Anhøj"]
    long = "x " * 40
    assert all(len(line) <= 52 for line in wrap_lines(long, 52))
    assert wrap_lines("", 52) == [""]
    assert wrap_lines("Anhøj rules: longest run > log2(n)+3, crossings < 5th percentile", 52) == [
        "Anhøj rules: longest run > log2(n)+3,", "crossings < 5th percentile"]  # fmt: skip
