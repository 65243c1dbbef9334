"""Progress scores: labels, project-level counts, stale-score rules, portfolio by month."""

from datetime import date

import pandas as pd
import pytest

from qinet.stats import progress
from qinet.views import projects as views

pytestmark = pytest.mark.unit

TODAY = date(2025, 9, 30)


def _row(**kw):
    base = {"status": "testing", "score": 2.0, "scored_on": date(2025, 9, 1), "measures": 2,
            "improving": 0, "latest_signal_date": pd.NaT}
    return {**base, **kw}


def test_score_labels_follow_the_ihi_scale():
    assert progress.score_label(0.5) == "0.5 · Intent to participate"
    assert progress.score_label(3.5) == "3.5 · Improvement"
    assert progress.score_label(5.0) == "5.0 · Outstanding sustainable results"
    assert progress.score_label(None) == "Not scored"


def test_old_score_with_a_later_signal_is_stale():
    row = _row(scored_on=date(2025, 6, 1), latest_signal_date=pd.Timestamp("2025-08-04"))
    reason = progress.stale_reason(row, TODAY, 90)
    assert reason == ("Score not updated for 121 days (since 1 Jun 2025) although a measure has "
                      "signalled since (latest signal 4 Aug 2025).")


def test_old_score_without_a_new_signal_is_not_stale():
    # the signal predates the score: the score already took it into account
    row = _row(scored_on=date(2025, 6, 1), latest_signal_date=pd.Timestamp("2025-05-01"))
    assert progress.stale_reason(row, TODAY, 90) == ""
    # 89 days: under the setting
    row = _row(scored_on=date(2025, 7, 3), latest_signal_date=pd.Timestamp("2025-08-04"))
    assert progress.stale_reason(row, TODAY, 90) == ""
    assert progress.stale_reason(row, TODAY, 60) != ""  # the setting decides


def test_completed_projects_are_not_flagged_for_age():
    row = _row(status="complete", scored_on=date(2024, 1, 1),
               latest_signal_date=pd.Timestamp("2025-08-04"))
    assert progress.stale_reason(row, TODAY, 90) == ""


def test_high_score_without_improving_measures_is_flagged():
    reason = progress.stale_reason(_row(score=3.5, measures=3), TODAY, 90)
    assert reason == ("Score 3.5 (Improvement) but none of its 3 measures shows improvement at "
                      "the latest point.")
    assert "its one measure does not" in progress.stale_reason(_row(score=4.0, measures=1),
                                                                TODAY, 90)
    assert "it has no measures" in progress.stale_reason(_row(score=4.0, measures=0), TODAY, 90)
    assert progress.stale_reason(_row(score=3.5, improving=1), TODAY, 90) == ""
    assert progress.stale_reason(_row(score=3.0), TODAY, 90) == ""
    assert progress.stale_reason(_row(score=4.0, status="stopped"), TODAY, 90) == ""


def test_both_reasons_are_given():
    row = _row(score=4.0, scored_on=date(2025, 1, 1), latest_signal_date=pd.Timestamp("2025-03-03"))
    reason = progress.stale_reason(row, TODAY, 90)
    assert reason.startswith("Score not updated for 272 days")
    assert "Score 4.0 (Significant improvement) but none of its 2 measures" in reason


def test_project_measure_counts_and_project_counts():
    measures = pd.DataFrame({"measure_id": [1, 2, 3, 4, 5], "project_id": [10, 10, 20, 30, 30]})
    matrix = pd.DataFrame({
        "measure_id": [1, 2, 3, 4, 5],
        "variation": ["improvement_high", "improvement_low", "concern_low", "common_cause",
                      "not_enough_data"],
        "latest_signal_date": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01", None,
                                              None]),
    })  # fmt: skip
    c = progress.project_measure_counts(measures, matrix)
    assert c.loc[10, "measures"] == 2 and c.loc[10, "improving"] == 2
    assert c.loc[20, "improving"] == 0 and c.loc[20, "signalling"] == 1
    assert c.loc[10, "latest_signal_date"] == pd.Timestamp("2025-03-01")
    assert pd.isna(c.loc[30, "latest_signal_date"])
    register = pd.DataFrame({"status": ["testing", "complete", "stopped", "idea"],
                             "measures": [2, 1, 2, 0], "improving": [2, 0, 0, 0]})
    counts = progress.project_counts(register)
    assert counts == progress.ProjectCounts(projects=4, active=2, with_measures=3, improving=1,
                                            measures=5, improving_measures=2)


def test_scores_by_month_carries_each_score_forward():
    history = pd.DataFrame({
        "project_id": [1, 1, 2, 2, 3],
        "scored_on": [date(2025, 1, 10), date(2025, 3, 5), date(2025, 2, 1), date(2025, 2, 20),
                      date(2025, 3, 31)],
        "score": [1.0, 2.5, 0.5, 1.0, 4.0],
    })  # fmt: skip
    months = progress.month_ends(date(2025, 1, 1), date(2025, 3, 31))
    assert months == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)]
    out = progress.scores_by_month(history, months)
    assert out.loc[date(2025, 1, 31), "projects"] == 1
    assert out.loc[date(2025, 1, 31), 1.0] == 1
    # February: project 1 at 1.0, project 2 at its latest (1.0, not 0.5)
    assert out.loc[date(2025, 2, 28), 1.0] == 2 and out.loc[date(2025, 2, 28), 0.5] == 0
    assert out.loc[date(2025, 2, 28), "median"] == 1.0
    # March: 2.5, 1.0, 4.0 → median 2.5; the scored-on-the-last-day project counts
    last = out.loc[date(2025, 3, 31)]
    assert (last[2.5], last[1.0], last[4.0], last["projects"]) == (1, 1, 1, 3)
    assert last["median"] == 2.5
    assert int(last[list(progress.IHI_LABELS)].sum()) == 3


def test_split_detail_finds_predicted_and_learned():
    assert views.split_detail("Predicted: fewer falls. Learned: only on nights.") == (
        "fewer falls.", "only on nights.", "")
    assert views.split_detail("Tested on one ward. Prediction: 10% fewer") == (
        "10% fewer", "", "Tested on one ward.")
    assert views.split_detail(None) == ("", "", "")
    assert views.split_detail("Plain note") == ("", "", "Plain note")


def test_filter_register_by_search_status_score_and_flag():
    from qinet.ui.projects import filter_register

    reg = pd.DataFrame({
        "code": ["QI-0001", "QI-0002", "QI-0003"], "title": ["Falls", "Sepsis", "Porters"],
        "programme": ["A", "B", ""], "directorate": ["Medicine", "Surgery", "Estates"],
        "lead_staff_group": ["Medical & Dental", "Nursing", "Estates & Ancillary"],
        "status_label": ["Testing", "Complete", "Testing"],
        "score_label": ["2.0 · Activity, but no changes", "3.5 · Improvement", "Not scored"],
        "stale": ["", "Score 3.5 …", ""],
    })  # fmt: skip
    assert list(filter_register(reg, "estates", [], [], False)["code"]) == ["QI-0003"]
    assert list(filter_register(reg, "", ["Testing"], [], False)["code"]) == ["QI-0001", "QI-0003"]
    assert list(filter_register(reg, "", [], ["3.5 · Improvement"], False)["code"]) == ["QI-0002"]
    assert list(filter_register(reg, "", [], [], True)["code"]) == ["QI-0002"]
    assert filter_register(reg, "(", [], [], False).empty  # no regex
