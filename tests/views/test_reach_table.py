"""The reach table (page, CSV, pack): small numbers hidden, under-representation still flagged."""

import pandas as pd
import pytest

from qinet.views.reach import reach_table

pytestmark = pytest.mark.unit

RATIO = 0.5  # the default representation ratio (QINET_UNDER_REPRESENTED_RATIO)


def _raw(engaged, headcount):
    n = len(engaged)
    return pd.DataFrame({
        "staff_group": [f"G{i}" for i in range(n)],
        "engaged": engaged,
        "headcount": headcount,
    })  # fmt: skip


@pytest.mark.parametrize(
    ("engaged", "hidden"),
    [
        ([0, 50, 60], [False, False, False]),
        ([10, 50, 60], [True, True, False]),  # 10 < 11 and its smallest neighbour hidden too
        ([11, 50, 60], [False, False, False]),
        ([12, 50, 60], [False, False, False]),
    ],
)
def test_reach_table_suppresses_small_groups_and_a_second_one(engaged, hidden):
    table, overall = reach_table(_raw(engaged, [1000, 500, 400]), "staff_group", 11, RATIO)
    assert table["suppressed"].tolist() == hidden
    assert table.loc[table["suppressed"], "rate"].isna().all()
    assert set(table.loc[table["suppressed"], "engaged_text"]) <= {"suppressed"}
    assert not any(str(e) in set(table["engaged_text"]) for e in engaged if 0 < e < 11)
    assert overall == pytest.approx(sum(engaged) / 1900)


def test_under_represented_is_flagged_even_when_suppressed():
    # overall 210/2000 = 10.5%; group 0 has at most 10 of 1000 (1%) -> under-represented;
    # group 1 is hidden only to protect group 0 (its rate is unknown), so it is not flagged
    table, _ = reach_table(_raw([5, 100, 105], [1000, 500, 500]), "staff_group", 11, RATIO)
    assert table["under_represented"].tolist() == [True, False, False]
