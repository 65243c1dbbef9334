"""Agreement of qinet's XmR pipeline with NHSRplotthedots 0.2.2 reference outputs.

Reads ``series_catalog.csv``, ``series_inputs.csv``, ``ptd_configs.csv``,
``ptd_points.csv`` and ``ptd_series.csv`` from a folder laid out like
``shared/spc-reference`` (plain or gzipped), runs :func:`qinet.stats.spc.compute_xmr`
with the ``PTD`` preset for every (series, configuration) job found in the reference,
and counts agreeing values per kind. Everything is driven by the files: a folder with
more series or configurations is checked the same way.

Deliberate differences are reported (prefixed ``deliberate:``) and not counted:

* where the reference has ``error`` set (NHSRplotthedots stopped, e.g. "missing value
  where TRUE/FALSE needed" when a gap falls inside a run of rising points), qinet returns
  a defined result instead: a rule window containing a gap does not signal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from qinet.domain import AssuranceState, ImprovementDirection
from qinet.refcheck import CheckResult, read_reference
from qinet.stats.rules import PTD
from qinet.stats.spc import SpcOptions, compute_xmr
from qinet.stats.summary import assurance_icon_name, summarise, variation_icon_name

PTD_ASSURANCE_TYPE = {
    AssuranceState.PASS: "consistent_pass",
    AssuranceState.FAIL: "consistent_fail",
    AssuranceState.INCONSISTENT: "inconsistent",
    AssuranceState.NO_TARGET: None,
}
"""qinet assurance state → NHSRplotthedots ``assurance_type``."""

_RULE_COLUMNS = {
    "rule_outside": "rule_outside",
    "rule_trend": "rule_trend",
    "rule_two_in_three": "rule_two_of_three",
    "rule_shift": "rule_shift",
    "outside_limits": "outside_limits",
    "special_cause_flag": "special_cause_flag",
}
_LIMIT_COLUMNS = {"mean_col": "mean", "lpl": "lpl", "upl": "upl"}
_REL_TOL = 1e-9
_MAX_LISTED = 20


@dataclass(frozen=True)
class PtdJob:
    """One ``ptd_spc`` call of the reference and the inputs qinet needs to repeat it.

    Attributes:
        series_id: Series in ``series_catalog.csv``.
        config_id: Configuration in ``ptd_configs.csv``.
        idx: 1-based reference ``idx`` of each point given to ``ptd_spc``.
        values: The values (NA rows removed for ``drop_na_rows`` configurations).
        dates: Their dates.
        options: The equivalent qinet options (``PTD`` preset).
        error: The reference's ``error`` text, or None.
    """

    series_id: str
    config_id: str
    idx: np.ndarray
    values: np.ndarray
    dates: pd.Series
    options: SpcOptions
    error: str | None


def _is_true(value: object) -> bool:
    return bool(value) if not pd.isna(value) else False


def _target(config: pd.Series, catalog: pd.Series) -> float | None:
    raw = config["target"]
    if pd.isna(raw):
        return None
    if isinstance(raw, str) and raw in catalog.index:
        return float(catalog[raw])
    return float(raw)


def options_for(config: pd.Series, catalog: pd.Series, n: int) -> SpcOptions:
    """Options equivalent to one reference configuration of one series.

    Args:
        config: A row of ``ptd_configs.csv``.
        catalog: The series' row of ``series_catalog.csv``.
        n: Number of points given to ``ptd_spc`` (after any NA rows are dropped).

    Returns:
        Options with the ``PTD`` preset, screening as configured, direction, target,
        rebase phase and ``fix_after_n_points``.
    """
    rules = PTD if _is_true(config["screen_outliers"]) else replace(PTD, screen_moving_ranges=False)
    phase_starts: tuple[int, ...] = ()
    if _is_true(config["rebase"]) and not pd.isna(catalog.get("rebase_idx")):
        start = int(catalog["rebase_idx"]) - 1
        if 0 < start < n:
            phase_starts = (start,)
    fix = config["fix_after_n_points"]
    return SpcOptions(
        rules=rules,
        improvement_direction=ImprovementDirection(config["improvement_direction"]),
        target=_target(config, catalog),
        phase_starts=phase_starts,
        fix_after_n_points=None if pd.isna(fix) else int(fix),
    )


def jobs(directory: Path) -> Iterator[PtdJob]:
    """Every (series, configuration) job in the reference folder.

    Args:
        directory: Folder laid out like ``shared/spc-reference``.

    Yields:
        One :class:`PtdJob` per (series_id, config_id) pair of ``ptd_series.csv``.
    """
    catalog = read_reference(directory, "series_catalog.csv").set_index("series_id")
    inputs = read_reference(directory, "series_inputs.csv")
    configs = read_reference(directory, "ptd_configs.csv").set_index("config_id")
    series = read_reference(directory, "ptd_series.csv")
    by_series = {sid: g.sort_values("idx") for sid, g in inputs.groupby("series_id", sort=False)}
    pairs = series.drop_duplicates(["series_id", "config_id"])
    for row in pairs.itertuples(index=False):
        data = by_series[row.series_id]
        config = configs.loc[row.config_id]
        if _is_true(config["drop_na_rows"]):
            data = data[data["value"].notna()]
        yield PtdJob(
            series_id=row.series_id,
            config_id=row.config_id,
            idx=data["idx"].to_numpy(),
            values=data["value"].to_numpy(dtype=float),
            dates=pd.to_datetime(data["date"]).reset_index(drop=True),
            options=options_for(config, catalog.loc[row.series_id], len(data)),
            error=None if pd.isna(row.error) else str(row.error),
        )


def _error_text(error: str) -> str:
    """The R condition message, e.g. ``missing value where TRUE/FALSE needed``."""
    return error.rsplit("!", 1)[-1].strip() if "!" in error else error.strip()[:120]


def _same_float(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= _REL_TOL * np.maximum(np.abs(a), np.abs(b))
    return both_nan | (close & ~np.isnan(a) & ~np.isnan(b))


def _as_bool(values: pd.Series) -> np.ndarray:
    """Reference booleans with NA read as False (PTD treats NA as common cause)."""
    return values.map(lambda v: False if pd.isna(v) else bool(v)).to_numpy(dtype=bool)


class _Tally:
    def __init__(self) -> None:
        self.results: dict[tuple[str, str], CheckResult] = {}

    def add(self, file: str, kind: str, agree: np.ndarray, where: list[str]) -> None:
        result = self.results.setdefault((file, kind), CheckResult(file=file, kind=kind))
        agree = np.asarray(agree, dtype=bool)
        result.agree += int(agree.sum())
        result.total += int(agree.size)
        for text in np.asarray(where, dtype=object)[~agree][:_MAX_LISTED]:
            if len(result.differences) < _MAX_LISTED:
                result.differences.append(str(text))

    def deliberate(self, file: str, kind: str, text: str) -> None:
        result = self.results.setdefault((file, kind), CheckResult(file=file, kind=kind))
        result.differences.append(f"deliberate: {text}")


def _check_points(tally: _Tally, job: PtdJob, ref: pd.DataFrame, res: pd.DataFrame) -> None:
    ref = ref.set_index("idx").loc[job.idx]
    label = [f"{job.series_id}/{job.config_id} idx {i}" for i in job.idx]
    file = "ptd_points.csv"
    agree = np.concatenate(
        [
            _same_float(ref[r].to_numpy(dtype=float), res[q].to_numpy(dtype=float))
            for r, q in _LIMIT_COLUMNS.items()
        ]
    )
    where = [f"{lab} {r}" for r in _LIMIT_COLUMNS for lab in label]
    tally.add(file, "limits", agree, where)
    agree = np.concatenate(
        [_as_bool(ref[r]) == res[q].to_numpy(dtype=bool) for r, q in _RULE_COLUMNS.items()]
    )
    where = [f"{lab} {r}" for r in _RULE_COLUMNS for lab in label]
    tally.add(file, "rule flags", agree, where)
    for kind, column in (
        ("special_cause_type", "special_cause_type"),
        ("point_type", "point_type"),
    ):
        ours = res[column].to_numpy(dtype=object)
        tally.add(
            file,
            kind,
            ref[column].to_numpy(dtype=object) == ours,
            [f"{lab} {column}: qinet {o}" for lab, o in zip(label, ours, strict=True)],
        )
    tally.add(
        file,
        "short_group_warning",
        _as_bool(ref["short_group_warning"]) == res["short_group_warning"].to_numpy(dtype=bool),
        label,
    )


def group_summaries(result: pd.DataFrame) -> list[dict[str, object]]:
    """PTD ``summary()`` rows (one per phase) from a qinet result.

    Args:
        result: A :func:`compute_xmr` result.

    Returns:
        Per phase: ``rebase_group``, ``common_cause``, ``special_cause_improvement``,
        ``special_cause_concern``, ``variation_type`` (point type of the phase's last
        point), ``assurance_type`` (last phase only) and the series-wide
        ``variation_icon`` / ``assurance_icon`` file names.
    """
    overall = summarise(result)
    icon = variation_icon_name(overall.variation)
    a_icon = assurance_icon_name(overall.assurance)
    last_phase = int(result["phase"].iloc[-1]) if len(result) else 0
    out = []
    for phase, group in result.groupby("phase", sort=True):
        pt = group["point_type"]
        out.append(
            {
                "rebase_group": int(phase),
                "common_cause": int(len(group) - group["special_cause_flag"].sum()),
                "special_cause_improvement": int((pt == "special_cause_improvement").sum()),
                "special_cause_concern": int((pt == "special_cause_concern").sum()),
                "variation_type": str(pt.iloc[-1]),
                "assurance_type": (
                    PTD_ASSURANCE_TYPE[overall.assurance] if phase == last_phase else None
                ),
                "variation_icon": None if icon is None else f"{icon}.svg",
                "assurance_icon": None if a_icon is None else f"{a_icon}.svg",
            }
        )
    return out


def _check_series(tally: _Tally, job: PtdJob, ref: pd.DataFrame, res: pd.DataFrame) -> None:
    ours = {g["rebase_group"]: g for g in group_summaries(res)}
    file = "ptd_series.csv"
    for row in ref.itertuples(index=False):
        mine = ours.get(int(row.rebase_group), {})
        lab = f"{job.series_id}/{job.config_id} group {row.rebase_group}"
        for column in ("common_cause", "special_cause_improvement", "special_cause_concern"):
            tally.add(
                file,
                "counts",
                np.array([mine.get(column) == int(getattr(row, column))]),
                [f"{lab} {column}: qinet {mine.get(column)}"],
            )
        for column in ("variation_type", "assurance_type", "variation_icon", "assurance_icon"):
            expected = getattr(row, column)
            expected = None if pd.isna(expected) else str(expected)
            tally.add(
                file,
                "variation/assurance",
                np.array([mine.get(column) == expected]),
                [f"{lab} {column}: qinet {mine.get(column)}, reference {expected}"],
            )


def check(directory: Path) -> list[CheckResult]:
    """Compare qinet with every NHSRplotthedots job in the reference folder.

    Args:
        directory: Folder laid out like ``shared/spc-reference`` (``.csv`` or ``.csv.gz``).

    Returns:
        One :class:`CheckResult` per file and kind (``limits``, ``rule flags``,
        ``special_cause_type``, ``point_type``, ``short_group_warning``, ``counts``,
        ``variation/assurance``); deliberate differences are listed, not counted.

    Raises:
        FileNotFoundError: A reference file is missing from the folder.
    """
    points = read_reference(directory, "ptd_points.csv")
    series = read_reference(directory, "ptd_series.csv")
    points_by = {k: g for k, g in points.groupby(["series_id", "config_id"], sort=False)}
    series_by = {k: g for k, g in series.groupby(["series_id", "config_id"], sort=False)}
    tally = _Tally()
    for job in jobs(directory):
        key = (job.series_id, job.config_id)
        result = compute_xmr(job.values, dates=job.dates, options=job.options)
        if job.error is not None:
            flagged = int(result["special_cause_flag"].sum())
            tally.deliberate(
                "ptd_series.csv",
                "variation/assurance",
                f"{job.series_id}/{job.config_id}: NHSRplotthedots stopped with an error "
                f"({_error_text(job.error)}); qinet returns a defined result "
                f"in which rule windows containing a gap do not signal ({flagged} special "
                "cause points).",
            )
            continue
        if key in points_by:
            _check_points(tally, job, points_by[key], result)
        _check_series(tally, job, series_by[key], result)
    return list(tally.results.values())
