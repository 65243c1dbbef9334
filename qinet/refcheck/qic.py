"""Agreement of qinet's run charts and Shewhart limits with qicharts2 0.8.1 reference outputs.

:func:`check` replays every job in ``qic_variants.csv`` (inputs from ``series_inputs.csv``,
``subgroup_observations.csv`` and ``series_catalog.csv``) through
:func:`qinet.stats.limits.chart_limits` / :func:`~qinet.stats.limits.subgroup_limits` and
:func:`qinet.stats.runchart.compute_run_chart`, and counts agreeing values:

* ``qic_points.csv``, per point: cl, lcl, ucl, lcl_95, ucl_95 (relative tolerance 1e-9,
  missing equals missing), sigma_signal and runs_signal;
* ``qic_series.csv``, per part: longest_run, longest_run_max, n_crossings,
  n_crossings_min, runs_signal and sigma_signal_count.

Everything is driven by the files present, so a folder with more series works the same.
There are no deliberate differences from qicharts2 in these outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from qinet.refcheck import CheckResult, read_reference
from qinet.stats.limits import chart_limits, subgroup_limits
from qinet.stats.rules import ANHOEJ
from qinet.stats.runchart import compute_run_chart

REL_TOL = 1e-9
POINT_NUMERIC = ("cl", "lcl", "ucl", "lcl_95", "ucl_95")
POINT_FLAGS = ("sigma_signal", "runs_signal")
SERIES_COLUMNS = (
    "longest_run",
    "longest_run_max",
    "n_crossings",
    "n_crossings_min",
    "runs_signal",
    "sigma_signal_count",
)
_LIMIT_CHARTS = {"pp": "pp", "up": "up"}


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= REL_TOL * np.maximum(np.abs(a), np.abs(b))
    return both_nan | near


def _optional_int(v) -> int | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or pd.isna(v):
        return None
    return int(v)


def run_job(
    job: pd.Series, inputs: pd.DataFrame, subgroups: pd.DataFrame | None, kind: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute one qicharts2 job with qinet.

    Args:
        job: A row of ``qic_variants.csv``.
        inputs: The rows of ``series_inputs.csv`` for the series, sorted by idx.
        subgroups: The rows of ``subgroup_observations.csv`` for the series, or None.
        kind: The series kind from ``series_catalog.csv``.

    Returns:
        ``(points, parts)``: per point ``idx``, ``cl``, ``lcl``, ``ucl``, ``lcl_95``,
        ``ucl_95``, ``sigma_signal``, ``runs_signal``; per part (1-based ``part``) the
        columns of ``qic_series.csv`` that are compared.
    """
    chart = str(job["chart"])
    freeze = _optional_int(job["freeze"])
    part = _optional_int(job["part"])
    phase_starts = (part,) if part is not None else ()
    screen = bool(job["qic_screenedmr"])
    if kind == "sub":
        obs = subgroups.sort_values(["idx", "obs_no"])
        if chart == "run":
            y = obs.groupby("idx", sort=True)["obs"].mean().to_numpy(dtype=float)
            res = None
        else:
            res = subgroup_limits(
                chart, obs["idx"], obs["obs"], freeze=freeze, phase_starts=phase_starts
            )
            y = res["y"].to_numpy(dtype=float)
    else:
        raw = inputs["y"].to_numpy(dtype=float)
        den = inputs["n"].to_numpy(dtype=float)
        has_n = kind in ("prop", "rate")
        if chart == "run":
            res = None
            y = raw / den if has_n else raw
        else:
            res = chart_limits(
                chart,
                raw,
                den if has_n else None,
                freeze=freeze,
                phase_starts=phase_starts,
                screen_mr=screen,
            )
            y = res["y"].to_numpy(dtype=float)
    if res is None:
        rc = compute_run_chart(y, baseline_n=freeze, phase_starts=phase_starts)
        points = pd.DataFrame({"cl": rc["median"].to_numpy(dtype=float)})
        for c in ("lcl", "ucl", "lcl_95", "ucl_95"):
            points[c] = np.nan
        points["sigma_signal"] = False
        phase = rc["phase"].to_numpy()
    else:
        points = res[["cl", "lcl", "ucl", "lcl_95", "ucl_95", "sigma_signal"]].copy()
        phase = res["phase"].to_numpy()
    points.insert(0, "idx", np.arange(1, len(points) + 1))
    runs = np.zeros(len(points), dtype=bool)
    rows = []
    cl = points["cl"].to_numpy(dtype=float)
    for p in np.unique(phase):
        sel = phase == p
        # the pages' own run-chart function, around this phase's centre line
        st = compute_run_chart(y[sel], rules=ANHOEJ, centre=_phase_centre(cl[sel])).iloc[0]
        signal = bool(st["runs_signal"]) and chart != "mr"  # qicharts2: FALSE for mr
        runs[sel] = signal
        rows.append(
            {
                "part": int(p) + 1,
                "longest_run": _int_or_none(st["longest_run"]),
                "longest_run_max": _int_or_none(st["longest_run_max"]),
                "n_crossings": _int_or_none(st["n_crossings"]),
                "n_crossings_min": _int_or_none(st["n_crossings_min"]),
                "runs_signal": signal,
                "sigma_signal_count": int(points["sigma_signal"].to_numpy()[sel].sum()),
            }
        )
    points["runs_signal"] = runs
    return points, pd.DataFrame(rows)


def _phase_centre(cl: np.ndarray) -> float:
    """The one centre line of a phase (qicharts2 draws one per part)."""
    known = cl[~np.isnan(cl)]
    if known.size and np.any(known != known[0]):
        raise ValueError("a qicharts2 centre line varies within a part")
    return float(known[0]) if known.size else np.nan


def _int_or_none(value: object) -> int | None:
    return None if pd.isna(value) else int(value)


def _as_bool(s: pd.Series) -> np.ndarray:
    return s.astype(str).str.upper().eq("TRUE").to_numpy()


def check(directory: Path) -> list[CheckResult]:
    """Compare qinet with ``qic_points.csv`` and ``qic_series.csv`` for every job.

    Args:
        directory: Folder laid out like ``shared/spc-reference`` (plain or gzipped CSVs).

    Returns:
        One :class:`CheckResult` per (file, chart type), in the order first met.

    Raises:
        FileNotFoundError: A required reference file is missing.
    """
    directory = Path(directory)
    variants = read_reference(directory, "qic_variants.csv")
    inputs = read_reference(directory, "series_inputs.csv")
    catalog = read_reference(directory, "series_catalog.csv")
    ref_points = read_reference(directory, "qic_points.csv")
    ref_series = read_reference(directory, "qic_series.csv")
    try:
        sub_obs = read_reference(directory, "subgroup_observations.csv")
    except FileNotFoundError:
        sub_obs = pd.DataFrame(columns=["series_id", "idx", "obs_no", "obs"])
    kinds = catalog.drop_duplicates("series_id").set_index("series_id")["kind"]
    inputs_by = {k: v.sort_values("idx") for k, v in inputs.groupby("series_id", sort=False)}
    sub_by = {k: v for k, v in sub_obs.groupby("series_id", sort=False)}
    pts_by = {k: v for k, v in ref_points.groupby(["series_id", "chart", "variant"], sort=False)}
    ser_by = {k: v for k, v in ref_series.groupby(["series_id", "chart", "variant"], sort=False)}

    results: dict[tuple[str, str], CheckResult] = {}

    def result(file: str, chart: str) -> CheckResult:
        return results.setdefault((file, chart), CheckResult(file=file, kind=chart))

    for job in variants.itertuples(index=False):
        row = pd.Series(job._asdict())
        key = (row["series_id"], row["chart"], row["variant"])
        chart = str(row["chart"])
        pres = result("qic_points.csv", chart)
        sres = result("qic_series.csv", chart)
        label = "/".join(map(str, key))
        try:
            points, parts = run_job(
                row,
                inputs_by.get(row["series_id"]),
                sub_by.get(row["series_id"]),
                str(kinds[row["series_id"]]),
            )
        except Exception as exc:  # noqa: BLE001 - a failing job is reported, not fatal
            for res, refs, cols in (
                (pres, pts_by.get(key), POINT_NUMERIC + POINT_FLAGS),
                (sres, ser_by.get(key), SERIES_COLUMNS),
            ):
                res.total += 0 if refs is None else len(refs) * len(cols)
                res.differences.append(f"{label}: qinet failed: {exc}")
            continue
        ref = pts_by.get(key)
        if ref is not None:
            merged = ref.merge(points, on="idx", how="left", suffixes=("_ref", ""))
            for col in POINT_NUMERIC:
                ok = _close(merged[f"{col}_ref"], merged[col])
                _tally(pres, ok, label, col, merged["idx"])
            for col in POINT_FLAGS:
                ok = _as_bool(merged[f"{col}_ref"]) == merged[col].fillna(False).to_numpy(bool)
                _tally(pres, ok, label, col, merged["idx"])
        sref = ser_by.get(key)
        if sref is not None:
            merged = sref.merge(parts, on="part", how="left", suffixes=("_ref", ""))
            for col in SERIES_COLUMNS:
                if col == "runs_signal":
                    ok = _as_bool(merged[f"{col}_ref"]) == merged[col].fillna(False).to_numpy(bool)
                else:
                    a = pd.to_numeric(merged[f"{col}_ref"], errors="coerce").to_numpy(float)
                    b = pd.to_numeric(merged[col], errors="coerce").to_numpy(float)
                    ok = _close(a, b)
                _tally(sres, ok, label, col, merged["part"])
    return list(results.values())


def _tally(res: CheckResult, ok: np.ndarray, label: str, col: str, where: pd.Series) -> None:
    res.total += int(ok.size)
    res.agree += int(ok.sum())
    if len(res.differences) < 20:
        for w in where.to_numpy()[~ok][:3]:
            res.differences.append(f"{label} {col} at {w}")
