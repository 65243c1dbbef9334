"""Capability charts: the diverging bar splits the neutral answer; paired CIs drawn."""

import numpy as np
import pandas as pd
import pytest

from qinet.charts import capability as c

pytestmark = pytest.mark.unit


def test_diverging_bar_puts_neutral_half_each_side_and_disagreement_left():
    shares = pd.DataFrame([[0.1, 0.1, 0.2, 0.3, 0.3]], index=["Pre"], columns=[1, 2, 3, 4, 5])
    fig = c.diverging_figure(shares, anchors=list("abcde"), title="T", hidden=["Post"],
                             hidden_text="Hidden: fewer than 11 responses")
    xs = {t.name: [] for t in fig.data}
    for t in fig.data:
        xs[t.name].append(float(np.asarray(t.x)[0]))
    assert sorted(xs["c"]) == [-0.1, 0.1]  # neutral split about zero
    assert xs["a"] == [-0.1] and xs["b"] == [-0.1]
    assert xs["d"] == [0.3] and xs["e"] == [0.3]
    assert fig.layout.barmode == "relative"
    assert fig.layout.annotations[0].text == "Hidden: fewer than 11 responses"
    assert list(fig.layout.yaxis.categoryarray) == ["Post", "Pre"]


def test_four_point_scale_has_no_neutral():
    shares = pd.DataFrame([[0.25, 0.25, 0.25, 0.25]], index=["W"], columns=[1, 2, 3, 4])
    fig = c.diverging_figure(shares, anchors=list("abcd"), title="T")
    assert len(fig.data) == 4 and c.NEUTRAL not in {t.marker.color for t in fig.data}


def test_paired_figure_draws_intervals_and_skips_hidden_rows():
    t = pd.DataFrame({"score": ["All", "All", "D"], "comparison": ["Pre → post", "Pre → mid",
                      "Pre → post"], "mean_change": [0.5, 0.2, np.nan],
                      "ci_low": [0.3, -0.1, np.nan], "ci_high": [0.7, 0.5, np.nan],
                      "pairs": [30, 25, np.nan]})  # fmt: skip
    fig = c.paired_figure(t, title="P")
    assert {tr.name for tr in fig.data} == {"Pre → post", "Pre → mid"}
    post = next(tr for tr in fig.data if tr.name == "Pre → post")
    assert list(post.error_x.array) == pytest.approx([0.2])
    assert "too few" not in c.paired_alt_text(t)
    assert "0.50" in c.paired_alt_text(t)
