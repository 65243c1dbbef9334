"""Survey statistics pinned against hand-computed values."""

import math

import numpy as np
import pandas as pd
import pytest

from qinet.stats import surveys as s

pytestmark = pytest.mark.unit


def test_paired_change_matches_the_hand_computed_example():
    # before 2 3 3 4 2, after 3 4 3 5 4 → differences 1 1 0 1 2
    # mean d = 5/5 = 1.0; deviations 0 0 −1 0 1 → SS = 2, variance = 2/4 = 0.5, SD = √0.5
    # SE = √0.5/√5 = 0.316228; t(0.975, 4) = 2.776445; half-width = 0.877989
    # CI = 0.122011 to 1.877989; d_z = 1/√0.5 = 1.414214; improved 4, same 1, declined 0
    pc = s.paired_change([2, 3, 3, 4, 2], [3, 4, 3, 5, 4])
    assert pc.n_pairs == 5
    assert pc.mean_before == pytest.approx(2.8)
    assert pc.mean_after == pytest.approx(3.8)
    assert pc.mean_change == pytest.approx(1.0)
    assert pc.sd_change == pytest.approx(math.sqrt(0.5))
    assert pc.t_crit == pytest.approx(2.776445, abs=1e-6)
    assert pc.ci_low == pytest.approx(0.122011, abs=1e-6)
    assert pc.ci_high == pytest.approx(1.877989, abs=1e-6)
    assert pc.d_z == pytest.approx(1.414214, abs=1e-6)
    assert (pc.improved, pc.same, pc.declined) == (4, 1, 0)


def test_paired_change_with_a_decline_and_no_variation():
    pc = s.paired_change([4, 4, 4], [3, 3, 3])
    assert pc.mean_change == -1 and pc.sd_change == 0
    assert math.isnan(pc.d_z)  # no variation: no effect size
    assert pc.declined == 3
    one = s.paired_change([1], [2])
    assert one.n_pairs == 1 and math.isnan(one.ci_low)


def test_paired_change_rejects_unequal_or_missing_scores():
    with pytest.raises(ValueError, match="before has 2 scores but after has 3"):
        s.paired_change([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="missing"):
        s.paired_change([1, np.nan], [1, 2])


@pytest.mark.parametrize(("p", "df", "expected"), [
    (0.975, 1, 12.706205), (0.975, 2, 4.302653), (0.975, 4, 2.776445), (0.975, 9, 2.262157),
    (0.975, 30, 2.042272), (0.95, 10, 1.812461), (0.025, 4, -2.776445), (0.5, 7, 0.0),
])  # fmt: skip
def test_t_quantile_matches_published_tables(p, df, expected):
    assert s.t_quantile(p, df) == pytest.approx(expected, abs=1e-5)


def test_t_quantile_rejects_bad_arguments():
    with pytest.raises(ValueError):
        s.t_quantile(1.0, 3)
    with pytest.raises(ValueError):
        s.t_quantile(0.9, 0)


def test_reverse_scoring_on_a_seven_point_scale():
    got = s.reverse_score([1, 2, 4, 7, 7], 1, 7, [True, True, True, True, False])
    assert got.tolist() == [7, 6, 4, 1, 7]
    assert s.reverse_score([0, 10, 3], 0, 10, True).tolist() == [10, 0, 7]  # 11-point 0–10
    assert s.reverse_score([1, 4], 1, 4, False).tolist() == [1, 4]  # 4-point, not reversed


def test_domain_scores_are_means_after_reversal():
    answers = pd.DataFrame({"response_id": [1, 1, 1, 2, 2, 2],
                            "question_id": [10, 11, 12, 10, 11, 12],
                            "value": [6, 2, 5, 7, 7, 1]})
    questions = pd.DataFrame({"question_id": [10, 11, 12], "domain": ["A", "A", "B"],
                              "reverse_scored": [False, True, False]})
    got = s.domain_scores(answers, questions, 1, 7).set_index(["response_id", "domain"])
    # response 1, domain A: 6 and (8 − 2 = 6) → 6; response 2: 7 and (8 − 7 = 1) → 4
    assert got.loc[(1, "A"), "score"] == 6
    assert got.loc[(2, "A"), "score"] == 4
    assert got.loc[(1, "B"), "score"] == 5 and got.loc[(1, "A"), "items"] == 2


@pytest.mark.parametrize(("d", "words"), [
    (0.1, "a negligible change (d_z 0.10)"), (0.35, "a small improvement (d_z 0.35)"),
    (-0.6, "a medium decline (d_z -0.60)"), (1.2, "a large improvement (d_z 1.20)"),
    (float("nan"), "not enough variation to size the change"),
])  # fmt: skip
def test_effect_size_in_words(d, words):
    assert s.effect_size_words(d) == words


def test_pairs_join_the_same_person_in_the_same_cohort():
    scores = pd.DataFrame({
        "participant_id": [1, 1, 2, 3, 3, np.nan],
        "cohort_id": [5, 5, 5, 5, 6, 5],
        "wave_kind": ["pre", "post", "pre", "pre", "post", "post"],
        "domain": ["All"] * 6,
        "score": [2.0, 3.0, 2.5, 1.0, 4.0, 5.0],
    })  # fmt: skip
    pairs = s.pair_scores(scores, "pre", "post")
    # person 2 has no post; person 3's post is in another cohort; anonymous rows never pair
    assert pairs[["participant_id", "before", "after"]].values.tolist() == [[1, 2.0, 3.0]]
