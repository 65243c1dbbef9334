"""qinet against qicharts2 0.8.1 reference outputs (tests/reference/qic_*.csv.gz)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qinet.refcheck import read_reference
from qinet.refcheck.qic import POINT_NUMERIC, check, run_job
from qinet.stats.runchart import compute_run_chart, crossings_min

pytestmark = pytest.mark.unit

REF = Path(__file__).resolve().parents[1] / "reference"

_VARIANTS = read_reference(REF, "qic_variants.csv")
_INPUTS = read_reference(REF, "series_inputs.csv")
_SUB = read_reference(REF, "subgroup_observations.csv")
_CATALOG = read_reference(REF, "series_catalog.csv").drop_duplicates("series_id")
_POINTS = read_reference(REF, "qic_points.csv")
_SERIES = read_reference(REF, "qic_series.csv")
_KIND = _CATALOG.set_index("series_id")["kind"]
JOBS = [tuple(r) for r in _VARIANTS[["series_id", "chart", "variant"]].itertuples(index=False)]


def _job(series_id: str, chart: str, variant: str):
    row = _VARIANTS[
        (_VARIANTS.series_id == series_id)
        & (_VARIANTS.chart == chart)
        & (_VARIANTS.variant == variant)
    ].iloc[0]
    inputs = _INPUTS[_INPUTS.series_id == series_id].sort_values("idx")
    sub = _SUB[_SUB.series_id == series_id]
    return run_job(row, inputs, sub, str(_KIND[series_id]))


def _bool(s: pd.Series) -> np.ndarray:
    return s.astype(str).str.upper().eq("TRUE").to_numpy()


@pytest.mark.parametrize(("series_id", "chart", "variant"), JOBS)
def test_points_match_qicharts2(series_id, chart, variant):
    points, _ = _job(series_id, chart, variant)
    ref = _POINTS[
        (_POINTS.series_id == series_id) & (_POINTS.chart == chart) & (_POINTS.variant == variant)
    ].sort_values("idx")
    assert len(points) == len(ref)
    for col in POINT_NUMERIC:
        expected = ref[col].to_numpy(dtype=float)
        got = points[col].to_numpy(dtype=float)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected), err_msg=col)
        ok = ~np.isnan(expected)
        assert got[ok] == pytest.approx(expected[ok], rel=1e-9), col
    assert (points["sigma_signal"].to_numpy() == _bool(ref["sigma_signal"])).all()
    assert (points["runs_signal"].to_numpy() == _bool(ref["runs_signal"])).all()


@pytest.mark.parametrize(("series_id", "chart", "variant"), JOBS)
def test_series_statistics_match_qicharts2(series_id, chart, variant):
    _, parts = _job(series_id, chart, variant)
    ref = _SERIES[
        (_SERIES.series_id == series_id) & (_SERIES.chart == chart) & (_SERIES.variant == variant)
    ].sort_values("part")
    assert parts["part"].tolist() == ref["part"].tolist()
    for col in (
        "longest_run",
        "longest_run_max",
        "n_crossings",
        "n_crossings_min",
        "sigma_signal_count",
    ):
        expected = [None if pd.isna(v) else int(v) for v in ref[col]]
        got = [None if v is None or pd.isna(v) else int(v) for v in parts[col]]
        assert got == expected, col
    assert parts["runs_signal"].tolist() == _bool(ref["runs_signal"]).tolist()


RUN_JOBS = [j for j in JOBS if j[1] == "run"]


@pytest.mark.parametrize(("series_id", "chart", "variant"), RUN_JOBS)
def test_compute_run_chart_matches_qicharts2(series_id, chart, variant):
    """The public run-chart function itself (not only the refcheck path) agrees."""
    row = _VARIANTS[
        (_VARIANTS.series_id == series_id)
        & (_VARIANTS.variant == variant)
        & (_VARIANTS.chart == "run")
    ].iloc[0]
    if _KIND[series_id] == "sub":
        y = _SUB[_SUB.series_id == series_id].groupby("idx")["obs"].mean().to_numpy()
    else:
        inp = _INPUTS[_INPUTS.series_id == series_id].sort_values("idx")
        y = inp["y"].to_numpy(float)
        if _KIND[series_id] in ("prop", "rate"):
            y = y / inp["n"].to_numpy(float)
    part = None if pd.isna(row["part"]) else int(row["part"])
    freeze = None if pd.isna(row["freeze"]) else int(row["freeze"])
    rc = compute_run_chart(y, baseline_n=freeze, phase_starts=(part,) if part else ())
    ref = _SERIES[
        (_SERIES.series_id == series_id) & (_SERIES.chart == "run") & (_SERIES.variant == variant)
    ].sort_values("part")
    per_phase = rc.groupby("phase").first()
    for col in ("n_useful", "longest_run", "longest_run_max", "n_crossings", "n_crossings_min"):
        expected = [None if pd.isna(v) else int(v) for v in ref[col]]
        got = [None if pd.isna(v) else int(v) for v in per_phase[col]]
        assert got == expected, col
    assert per_phase["runs_signal"].tolist() == _bool(ref["runs_signal"]).tolist()
    assert per_phase["median"].to_numpy() == pytest.approx(ref["cl_first"].to_numpy(), rel=1e-12)


def test_crossings_min_matches_every_reference_row():
    ok = _SERIES.dropna(subset=["n_useful", "n_crossings_min"])
    ok = ok[ok.n_useful > 0]
    assert len(ok) > 100
    for n_useful, expected in zip(ok.n_useful, ok.n_crossings_min, strict=True):
        assert crossings_min(int(n_useful)) == int(expected)


def test_refcheck_agrees_everywhere():
    results = check(REF)
    assert {r.file for r in results} == {"qic_points.csv", "qic_series.csv"}
    assert {r.kind for r in results} == set(_VARIANTS.chart)
    for r in results:
        assert r.total > 0
        assert r.agree == r.total, (r.file, r.kind, r.differences)
        assert not [d for d in r.differences if not d.startswith("deliberate:")]
