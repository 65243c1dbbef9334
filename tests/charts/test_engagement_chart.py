"""Reach chart: ticks never repeat, labels sit above the bars, the overall line is labelled once."""

import numpy as np
import pandas as pd
import pytest

from qinet.charts.engagement import percent_ticks, reach_figure

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("upper", [0.0011, 0.004, 0.012, 0.019, 0.03, 0.05, 0.09, 0.26, 1.0])
def test_percent_ticks_never_read_the_same(upper):
    step, fmt = percent_ticks(upper)
    decimals = int(fmt[1:-1])
    ticks = np.arange(0, upper + step / 2, step)
    labels = [f"{t * 100:.{decimals}f}%" for t in ticks]
    assert len(labels) == len(set(labels)), labels
    assert 2 <= len(ticks) <= 7


def test_reach_figure_keeps_value_labels_clear_of_the_overall_line():
    table = pd.DataFrame({
        "staff_group": ["Nursing & Midwifery Registered", "Estates & Ancillary", "Students"],
        "hard_to_reach": [False, True, False],
        "engaged": [146.0, 20.0, np.nan],
        "headcount": [3058, 871, 87],
        "rate": [146 / 3058, 20 / 871, np.nan],
        "suppressed": [False, False, True],
        "under_represented": [False, True, False],
        "engaged_text": ["146", "20", "suppressed"],
    })  # fmt: skip
    fig = reach_figure(table, 0.033, threshold=11)
    assert fig.data[0].text is None  # no text on the bars themselves
    labels = [a for a in fig.layout.annotations if a.xref == "paper"]
    # each group's name and value sit above its bar (full width on a phone), no tick labels
    assert [a.text for a in labels] == [
        "<b>Nursing &amp; Midwifery Registered</b><br>4.8% (146/3,058)",
        "<b>Estates &amp; Ancillary</b><br>2.3% (20/871) · under-represented",
        "<b>Students</b><br>suppressed"]  # fmt: skip
    assert all(a.x == 0 and a.xanchor == "left" and a.yanchor == "bottom" and a.yshift > 0
               for a in labels)  # fmt: skip
    assert [a.y for a in labels] == list(fig.data[0].y)
    assert fig.layout.yaxis.showticklabels is False and fig.layout.xaxis.tickangle == 0
    overall = [a for a in fig.layout.annotations if "All staff groups" in (a.text or "")]
    assert len(overall) == 1 and overall[0].yref == "paper" and overall[0].yanchor == "bottom"
    assert fig.layout.xaxis.tickformat == ".0%" and fig.layout.xaxis.dtick == 0.01
