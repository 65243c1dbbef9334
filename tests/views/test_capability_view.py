"""Capability view model on a small hand-made survey: scoring, suppression, extracts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qinet.queries.capability import ALL_ITEMS as ALL_KEY
from qinet.stats.surveys import domain_scores
from qinet.views import capability as v
from qinet.views import capability_tables as vt

pytestmark = pytest.mark.unit

QUESTIONS = pd.DataFrame({
    "question_id": [1, 2, 3], "code": ["Q1", "Q2", "Q3"],
    "text": ["Safe to speak", "Mistakes held against me", "Skills used"],
    "domain": ["Safety", "Safety", "Use"], "reverse_scored": [False, True, False],
    "position": [1, 2, 3],
})  # fmt: skip
SURVEY = {"survey_id": 1, "name": "Test survey", "kind": "capability", "anonymous": False,
          "scale_min": 1, "scale_max": 7, "scale_anchors": "|".join("ABCDEFG")}


def _data(responses: list[tuple[int, int | None, str, int, tuple[int, int, int]]],
          waves=None) -> vt.SurveyData:  # fmt: skip
    """responses: (wave_id, participant, staff group, directorate, answers to Q1..Q3)."""
    waves = waves if waves is not None else pd.DataFrame({
        "wave_id": [1, 2, 3], "wave": ["C1 pre", "C1 mid", "C1 post"],
        "wave_kind": ["pre", "mid", "post"],
        "opens_on": pd.to_datetime(["2024-01-01", "2024-06-01", "2024-12-01"]),
        "cohort_id": [7, 7, 7], "cohort": ["Cohort 1"] * 3,
    })  # fmt: skip
    rows, ans = [], []
    for rid, (wave, person, group, directorate, values) in enumerate(responses, start=1):
        rows.append({"response_id": rid, "wave_id": wave, "participant_id": person,
                     "staff_group_code": group, "directorate_id": directorate})
        ans += [{"response_id": rid, "question_id": q, "value": val}
                for q, val in zip((1, 2, 3), values, strict=True)]
    r, a = pd.DataFrame(rows), pd.DataFrame(ans)
    counts = a.merge(r, on="response_id").groupby(["wave_id", "question_id", "value"]).size()
    counts = counts.rename("n").reset_index()
    dom = domain_scores(a, QUESTIONS, 1, 7)
    overall = domain_scores(a, QUESTIONS.assign(domain=ALL_KEY), 1, 7)
    scores = pd.concat([dom, overall]).merge(r, on="response_id")
    scores["participant_id"] = scores["participant_id"].astype("Float64")
    return vt.SurveyData(SURVEY, QUESTIONS, v._label_waves(waves, "capability"), counts,
                        scores.drop(columns="items"), {"N": "Nursing", "A": "Admin"},
                        {1: "Medicine", 2: "Surgery"})  # fmt: skip


def _people(wave: int, n: int, start: int = 0, group: str = "N", directorate: int = 1,
            values=(5, 2, 6)) -> list:  # fmt: skip
    return [(wave, start + i, group, directorate, values) for i in range(n)]


def test_wave_suppression_at_the_threshold_boundary():
    data = _data(_people(1, 10) + _people(2, 11) + _people(3, 12))
    summary = vt.wave_summary(data, 11)
    overall = summary[summary["score"] == vt.ALL_ITEMS].set_index("wave")
    assert overall.loc["Pre", "hidden"] and np.isnan(overall.loc["Pre", "mean"])
    assert overall.loc["Pre", "note"] == "Hidden: fewer than 11 responses"
    assert not overall.loc["Mid", "hidden"] and overall.loc["Mid", "respondents"] == 11
    assert not overall.loc["Post", "hidden"] and overall.loc["Post", "respondents"] == 12


def test_scores_are_reverse_scored_means():
    data = _data(_people(1, 12, values=(5, 2, 6)))
    summary = vt.wave_summary(data, 11).set_index("score")
    # Q2 answered 2 on 1–7 counts as 6: Safety = (5 + 6) / 2 = 5.5; overall = (5 + 6 + 6) / 3
    assert summary.loc["Domain: Safety", "mean"] == pytest.approx(5.5)
    assert summary.loc[vt.ALL_ITEMS, "mean"] == pytest.approx(17 / 3)
    assert summary.loc["Q2 · Mistakes held against me", "mean"] == pytest.approx(6)
    assert summary.loc["Q2 · Mistakes held against me", "share_6"] == pytest.approx(1.0)


def test_breakdown_hides_small_groups_and_one_more_secondary():
    # one wave: Admin 10 (primary), Surgery-side group of 11 hidden too (secondary), 30 shown
    data = _data(_people(1, 10, group="A") + _people(1, 11, 100, group="X")
                 + _people(1, 30, 200, group="N"))  # fmt: skip
    data = vt.SurveyData(data.survey, data.questions, data.waves, data.counts, data.scores,
                        {"N": "Nursing", "A": "Admin", "X": "Estates"}, data.directorate_labels)
    long = vt.breakdown(data, ALL_KEY, "Staff group", 11).set_index("group")
    assert long.loc["Admin", "hidden"] and long.loc["Admin", "note"].startswith("Hidden: fewer")
    assert long.loc["Estates", "hidden"] and "worked out" in long.loc["Estates", "note"]
    assert np.isnan(long.loc["Estates", "respondents"]) and np.isnan(long.loc["Estates", "mean"])
    assert not long.loc["Nursing", "hidden"] and long.loc["Nursing", "respondents"] == 30
    ex = vt.breakdown_extract(long.reset_index(), "Staff group", "S", vt.ALL_ITEMS)
    assert ex.loc[ex["Staff group"] == "Estates", "Respondents"].isna().all()


def test_breakdown_at_12_needs_no_secondary():
    data = _data(_people(1, 12, group="A") + _people(1, 30, 200, group="N"))
    long = vt.breakdown(data, ALL_KEY, "Staff group", 11)
    assert not long["hidden"].any()


@pytest.mark.parametrize(("pairs", "shown"), [(10, False), (11, True), (12, True)])
def test_paired_change_suppressed_below_the_threshold(pairs, shown):
    data = _data(_people(1, pairs, values=(3, 5, 3)) + _people(3, pairs, values=(5, 3, 5)))
    t = vt.paired(data, 11)
    row = t[(t["score"] == vt.ALL_ITEMS) & (t["comparison"] == "Pre → post")].iloc[0]
    assert row["hidden"] is not shown
    if shown:
        # everyone moved 3→5, 5→3 (reversed: 3→5), 3→5: change +2 for all, no variation
        assert row["mean_change"] == pytest.approx(2) and row["pairs"] == pairs
        assert row["improved"] == pairs
    else:
        assert np.isnan(row["mean_change"]) and np.isnan(row["pairs"])
        assert row["note"] == "Hidden: fewer than 11 pairs"


def test_improved_same_declined_counts_get_secondary_suppression():
    # 14 pairs: 10 improve, 3 stay the same, 1 declines: all three counts are below 11
    before = _people(1, 14, values=(3, 5, 3))
    after = (_people(3, 10, values=(5, 3, 5)) + _people(3, 3, 10, values=(3, 5, 3))
             + _people(3, 1, 13, values=(1, 7, 1)))  # fmt: skip
    t = vt.paired(_data(before + after), 11)
    row = t[(t["score"] == vt.ALL_ITEMS) & (t["comparison"] == "Pre → post")].iloc[0]
    assert row["pairs"] == 14
    assert np.isnan(row["same"]) and np.isnan(row["declined"])
    assert np.isnan(row["improved"])  # 10 is below 11 as well
    assert row["counts_note"].startswith("Counts below 11 hidden")


def test_single_small_outcome_hides_a_second_cell():
    # 25 pairs: 20 improve, 5 stay the same, 0 decline → 'same' hidden, then the smallest
    # other non-zero cell (improved) is hidden so 'same' cannot be recovered as 25 − 20.
    before = _people(1, 25, values=(3, 5, 3))
    after = _people(3, 20, values=(5, 3, 5)) + _people(3, 5, 20, values=(3, 5, 3))
    t = vt.paired(_data(before + after), 11)
    row = t[(t["score"] == vt.ALL_ITEMS) & (t["comparison"] == "Pre → post")].iloc[0]
    assert np.isnan(row["same"]) and np.isnan(row["improved"]) and row["declined"] == 0
    ex = vt.paired_extract(t, "S")
    assert ex["Same"].isna().any() and "Counts below 11" in " ".join(ex["Note"])


def test_extract_of_the_wave_table_has_no_suppressed_numbers():
    data = _data(_people(1, 10) + _people(2, 11) + _people(3, 12))
    summary = vt.wave_summary(data, 11)
    ex = vt.wave_extract(summary, "S", list("ABCDEFG"), 1)
    hidden = ex[ex["Note"] != ""]
    assert len(hidden) and hidden.drop(columns=["Survey", "Score or question", "Domain",
                                                "Reverse-scored", "Wave", "Wave opens",
                                                "Note"]).isna().all().all()  # fmt: skip
    assert set(ex["Wave opens"]) == {"2024-01-01", "2024-06-01", "2024-12-01"}  # ISO dates
    display = vt.wave_display(summary)
    assert (display["Pre"] == "Hidden: fewer than 11 responses").all()


def test_item_options_and_domain_of_a_question():
    opts = vt.item_options(QUESTIONS)
    assert opts[:3] == [vt.ALL_ITEMS, "Domain: Safety", "Domain: Use"]
    assert v._score_key("Q2 · Mistakes held against me", QUESTIONS) == ("Safety",
                                                                        "Domain: Safety")


def test_anchors_fall_back_to_numbers():
    assert vt.anchors_of(SURVEY) == list("ABCDEFG")
    assert vt.anchors_of({**SURVEY, "scale_anchors": None}) == [str(i) for i in range(1, 8)]
