"""qinet's XmR pipeline against NHSRplotthedots 0.2.2 reference outputs (tests/reference)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qinet.refcheck import read_reference
from qinet.refcheck.ptd import PtdJob, check, group_summaries, jobs
from qinet.stats.spc import compute_xmr

pytestmark = pytest.mark.unit

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
JOBS = list(jobs(REFERENCE))
POINTS = {
    k: g.set_index("idx")
    for k, g in read_reference(REFERENCE, "ptd_points.csv").groupby(
        ["series_id", "config_id"], sort=False
    )
}
SERIES = {
    k: g
    for k, g in read_reference(REFERENCE, "ptd_series.csv").groupby(
        ["series_id", "config_id"], sort=False
    )
}
OK_JOBS = [j for j in JOBS if j.error is None]
ERROR_JOBS = [j for j in JOBS if j.error is not None]


def _id(job: PtdJob) -> str:
    return f"{job.series_id}-{job.config_id}"


def _bool(col: pd.Series) -> np.ndarray:
    return np.array([False if pd.isna(v) else bool(v) for v in col])


def test_every_reference_job_is_covered():
    # the reference folder's own counts (tests/reference/README.md), stated by hand: 582
    # (series, configuration) jobs, 13 of which NHSRplotthedots stopped on with an error
    assert (len(OK_JOBS), len(ERROR_JOBS)) == (569, 13)
    # jobs come from ptd_series.csv; the points come from another file and must match them
    assert {(j.series_id, j.config_id) for j in OK_JOBS} == set(POINTS)
    assert not {(j.series_id, j.config_id) for j in ERROR_JOBS} & set(POINTS)


@pytest.mark.parametrize("job", OK_JOBS, ids=_id)
def test_points_agree_with_ptd(job: PtdJob):
    ref = POINTS[(job.series_id, job.config_id)].loc[job.idx]
    res = compute_xmr(job.values, dates=job.dates, options=job.options)
    for ours, theirs in (("mean", "mean_col"), ("lpl", "lpl"), ("upl", "upl")):
        np.testing.assert_allclose(
            res[ours].to_numpy(float), ref[theirs].to_numpy(float), rtol=1e-9, equal_nan=True
        )
    for ours, theirs in (
        ("rule_outside", "rule_outside"),
        ("rule_trend", "rule_trend"),
        ("rule_two_of_three", "rule_two_in_three"),
        ("rule_shift", "rule_shift"),
        ("outside_limits", "outside_limits"),
        ("special_cause_flag", "special_cause_flag"),
        ("short_group_warning", "short_group_warning"),
    ):
        assert res[ours].tolist() == _bool(ref[theirs]).tolist(), ours
    assert res["special_cause_type"].tolist() == ref["special_cause_type"].tolist()
    assert res["point_type"].tolist() == ref["point_type"].tolist()
    np.testing.assert_allclose(
        res["relative_to_mean"].to_numpy(float),
        ref["relative_to_mean"].to_numpy(float),
        equal_nan=True,
    )
    assert (res["reason"] != "").tolist() == res["special_cause_flag"].tolist()


@pytest.mark.parametrize("job", OK_JOBS, ids=_id)
def test_summary_agrees_with_ptd(job: PtdJob):
    res = compute_xmr(job.values, dates=job.dates, options=job.options)
    ours = {g["rebase_group"]: g for g in group_summaries(res)}
    for row in SERIES[(job.series_id, job.config_id)].itertuples(index=False):
        mine = ours[int(row.rebase_group)]
        for column in ("common_cause", "special_cause_improvement", "special_cause_concern"):
            assert mine[column] == int(getattr(row, column)), column
        for column in ("variation_type", "assurance_type", "variation_icon", "assurance_icon"):
            expected = getattr(row, column)
            assert mine[column] == (None if pd.isna(expected) else expected), column


@pytest.mark.parametrize("job", ERROR_JOBS, ids=_id)
def test_where_ptd_errored_qinet_gives_the_documented_result(job: PtdJob):
    """PTD stops on a gap inside a rising run; qinet's windows containing the gap don't fire."""
    assert "missing value where TRUE/FALSE needed" in job.error
    res = compute_xmr(job.values, dates=job.dates, options=job.options)
    gap = np.flatnonzero(np.isnan(job.values))
    assert len(gap) and not res.loc[gap, "special_cause_flag"].any()
    assert (res.loc[gap, "point_type"] == "common_cause").all()
    assert any("missing value" in w for w in res.attrs["warnings"])


def _dropna_twin(config_id: str) -> str:
    head, _, rest = config_id.partition("_")
    return f"{head}_dropna" + (f"_{rest}" if rest else "")


DROPNA_PAIRS = [j for j in ERROR_JOBS if (j.series_id, _dropna_twin(j.config_id)) in POINTS]


def test_some_errored_jobs_have_a_dropna_twin():
    assert {(j.series_id, j.config_id) for j in DROPNA_PAIRS} == {
        ("na_trend_n20", "inc"),
        ("na_trend_n20", "dec_target_mid"),
    }


@pytest.mark.parametrize("job", DROPNA_PAIRS, ids=_id)
def test_gap_free_rows_give_ptds_dropna_limits(job: PtdJob):
    """The errored job's options on the gap-free rows reproduce PTD's *_dropna limits."""
    ref = POINTS[(job.series_id, _dropna_twin(job.config_id))]
    dropped = compute_xmr(job.values[~np.isnan(job.values)], options=job.options)
    assert len(dropped) == len(ref) == int(np.sum(~np.isnan(job.values)))
    for ours, theirs in (("mean", "mean_col"), ("lpl", "lpl"), ("upl", "upl")):
        np.testing.assert_allclose(
            dropped[ours].to_numpy(float), ref[theirs].to_numpy(float), rtol=1e-9
        )


def test_na_trend_pinned_values():
    job = next(j for j in ERROR_JOBS if j.series_id == "na_trend_n20" and j.config_id == "inc")
    res = compute_xmr(job.values, dates=job.dates, options=job.options)
    gap = int(np.flatnonzero(np.isnan(job.values))[0])
    # rising on both sides of the gap: the windows that avoid the gap still fire
    assert res["rule_trend"].sum() == len(res) - 1
    assert not res.loc[gap, "rule_trend"]


def test_refcheck_agrees_everywhere():
    results = check(REFERENCE)
    kinds = {(r.file, r.kind) for r in results}
    assert {
        ("ptd_points.csv", "limits"),
        ("ptd_points.csv", "rule flags"),
        ("ptd_points.csv", "point_type"),
        ("ptd_points.csv", "short_group_warning"),
        ("ptd_series.csv", "variation/assurance"),
    } <= kinds
    for r in results:
        assert r.total > 0
        assert r.agree == r.total, (
            r.kind,
            [d for d in r.differences if not d.startswith("deliberate")],
        )
    deliberate = [d for r in results for d in r.differences if d.startswith("deliberate:")]
    assert len(deliberate) == len(ERROR_JOBS)
