"""Variation and assurance state per measure, and the batch path over many series.

:func:`summarise` reads a :func:`qinet.stats.spc.compute_xmr` result and returns a
:class:`SpcSummary`: the Making Data Count variation icon (from the last point, as
NHSRplotthedots ``summary()``), the assurance icon (target against the last row's
limits) and counts for the latest phase. :func:`compute_xmr_batch` runs thousands of
series through the same vectorised pipeline in one pass and summarises them all.

Decisions:

* Counts (``common_cause``, ``special_cause_*``) and ``n_phase_last`` describe the
  **latest phase** (PTD reports them per rebase group; the latest is the current process).
* ``variation`` is :attr:`VariationState.NOT_ENOUGH_DATA` when the series is empty or the
  latest phase has too few points for limits under the preset (``limits_shown`` False,
  e.g. fewer than 13 points under Making Data Count); otherwise it follows the last
  point's ``point_type`` and the improvement direction, as ``ptd_get_icons``.
* ``assurance`` follows PTD: for "increase", target > upper limit → FAIL, target < lower
  limit → PASS, anything else (equality and missing limits included) → INCONSISTENT;
  "decrease" swaps PASS and FAIL; a neutral direction or no target → NO_TARGET.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from qinet.domain import AssuranceState, ImprovementDirection, PointType, VariationState
from qinet.errors import InvalidSeriesError
from qinet.stats.core import DIRECTION_SIGN, Flat, none_if_nat, segment_ids
from qinet.stats.spc import RESULT_COLUMNS, SpcOptions, run_flat, validate_options

_VARIATION = np.array(
    [
        VariationState.COMMON_CAUSE,
        VariationState.IMPROVEMENT_HIGH,
        VariationState.IMPROVEMENT_LOW,
        VariationState.CONCERN_HIGH,
        VariationState.CONCERN_LOW,
        VariationState.NEUTRAL_HIGH,
        VariationState.NEUTRAL_LOW,
        VariationState.NOT_ENOUGH_DATA,
    ],
    dtype=object,
)
_ASSURANCE = np.array(
    [
        AssuranceState.NO_TARGET,
        AssuranceState.PASS,
        AssuranceState.FAIL,
        AssuranceState.INCONSISTENT,
    ],
    dtype=object,
)


@dataclass(frozen=True)
class SpcSummary:
    """The state of one measure's XmR chart.

    Attributes:
        n: Points in the series (missing ones included).
        n_phase_last: Points in the latest phase.
        mean: Centre line at the last point.
        lpl: Lower process limit at the last point (NaN when not shown).
        upl: Upper process limit at the last point (NaN when not shown).
        common_cause: Common-cause points in the latest phase.
        special_cause_improvement: Improvement points in the latest phase.
        special_cause_concern: Concern points in the latest phase.
        special_cause_neutral: Neutral special-cause points in the latest phase.
        variation: Variation icon state.
        assurance: Assurance icon state.
        last_value: The last value (NaN when missing).
        last_date: The last date, or None.
        latest_signal_reason: Reason for the most recent special-cause point ("" if none).
        latest_signal_idx: 0-based position of that point, or None.
        latest_signal_date: Its date, or None.
        warnings: Plain-English warnings about the series.
    """

    n: int
    n_phase_last: int
    mean: float
    lpl: float
    upl: float
    common_cause: int
    special_cause_improvement: int
    special_cause_concern: int
    special_cause_neutral: int
    variation: VariationState
    assurance: AssuranceState
    last_value: float
    last_date: pd.Timestamp | None
    latest_signal_reason: str
    latest_signal_idx: int | None
    latest_signal_date: pd.Timestamp | None
    warnings: tuple[str, ...]


SUMMARY_COLUMNS = tuple(f.name for f in fields(SpcSummary))


def _variation_codes(
    point_type: np.ndarray, direction: np.ndarray, enough: np.ndarray
) -> np.ndarray:
    """Index into ``_VARIATION`` from the last point's type and the direction."""
    increase = direction > 0
    return np.select(
        [
            ~enough,
            point_type == PointType.IMPROVEMENT.value,
            point_type == PointType.CONCERN.value,
            point_type == PointType.NEUTRAL_HIGH.value,
            point_type == PointType.NEUTRAL_LOW.value,
        ],
        [7, np.where(increase, 1, 2), np.where(increase, 4, 3), 5, 6],
        0,
    )


def _assurance_codes(
    target: np.ndarray, lpl: np.ndarray, upl: np.ndarray, direction: np.ndarray
) -> np.ndarray:
    """Index into ``_ASSURANCE`` (PTD ``ptd_calculate_assurance_type``)."""
    with np.errstate(invalid="ignore"):
        above = target > upl
        below = target < lpl
    inc = np.select([above, below], [2, 1], 3)
    dec = np.select([below, above], [2, 1], 3)
    code = np.where(direction > 0, inc, dec)
    return np.where((direction == 0) | np.isnan(target), 0, code)


def variation_icon_name(state: VariationState) -> str | None:
    """NHSRplotthedots variation icon name (file name without ``.svg``).

    Args:
        state: A variation state.

    Returns:
        ``"common_cause"``, ``"improvement_high"``, ``"concern_low"``, … or None for
        :attr:`VariationState.NOT_ENOUGH_DATA` or ``NON_RANDOM`` (PTD has no such icons).
    """
    if state in (VariationState.NOT_ENOUGH_DATA, VariationState.NON_RANDOM):
        return None
    return str(state.value)


def assurance_icon_name(state: AssuranceState) -> str | None:
    """NHSRplotthedots assurance icon name (file name without ``.svg``).

    Args:
        state: An assurance state.

    Returns:
        ``"pass"``, ``"fail"`` or ``"inconsistent"``; None when there is no target.
    """
    if state is AssuranceState.NO_TARGET:
        return None
    return str(state.value)


def _direction_of(result: pd.DataFrame) -> int:
    options = result.attrs.get("options")
    if options is None:
        return 1
    return DIRECTION_SIGN[ImprovementDirection(options.improvement_direction)]


def summarise(result: pd.DataFrame) -> SpcSummary:
    """Summarise one :func:`~qinet.stats.spc.compute_xmr` result.

    Args:
        result: A ``compute_xmr`` (or ``apply_rules``) result, with its ``attrs``.

    Returns:
        The variation and assurance state, latest-phase counts, the latest signal
        and the warnings.

    Raises:
        InvalidSeriesError: ``result`` lacks the documented columns.
    """
    missing = [c for c in RESULT_COLUMNS if c not in result.columns]
    if missing:
        raise InvalidSeriesError(f"result: missing columns {missing}; pass a compute_xmr result")
    warnings = tuple(result.attrs.get("warnings", ()))
    direction = _direction_of(result)
    n = len(result)
    if n == 0:
        return SpcSummary(
            0, 0, np.nan, np.nan, np.nan, 0, 0, 0, 0,
            VariationState.NOT_ENOUGH_DATA, AssuranceState.NO_TARGET,
            np.nan, None, "", None, None, warnings,
        )  # fmt: skip
    last = result.iloc[-1]
    in_last = result["phase"].to_numpy() == last["phase"]
    pt = result["point_type"].to_numpy()[in_last]
    variation = _VARIATION[
        _variation_codes(
            np.array([last["point_type"]], dtype=object),
            np.array([direction]),
            np.array([bool(last["limits_shown"])]),
        )[0]
    ]
    assurance = _ASSURANCE[
        _assurance_codes(
            np.array([float(last["target"])]),
            np.array([float(last["lpl"])]),
            np.array([float(last["upl"])]),
            np.array([direction]),
        )[0]
    ]
    flagged = np.flatnonzero(result["special_cause_flag"].to_numpy())
    if len(flagged):
        sig = result.iloc[flagged[-1]]
        reason, sig_idx, sig_date = str(sig["reason"]), int(sig["idx"]), sig["date"]
    else:
        reason, sig_idx, sig_date = "", None, None
    return SpcSummary(
        n=n,
        n_phase_last=int(in_last.sum()),
        mean=float(last["mean"]),
        lpl=float(last["lpl"]),
        upl=float(last["upl"]),
        common_cause=int((pt == PointType.COMMON_CAUSE.value).sum()),
        special_cause_improvement=int((pt == PointType.IMPROVEMENT.value).sum()),
        special_cause_concern=int((pt == PointType.CONCERN.value).sum()),
        special_cause_neutral=int(
            np.isin(pt, [PointType.NEUTRAL_HIGH.value, PointType.NEUTRAL_LOW.value]).sum()
        ),
        variation=VariationState(variation),
        assurance=AssuranceState(assurance),
        last_value=float(last["value"]),
        last_date=none_if_nat(last["date"]),
        latest_signal_reason=reason,
        latest_signal_idx=sig_idx,
        latest_signal_date=none_if_nat(sig_date),
        warnings=warnings,
    )


# --- batch --------------------------------------------------------------------------------


def _direction_column(values: pd.Series, default: int) -> np.ndarray:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lookup = []
    for u in uniques:
        try:
            lookup.append(DIRECTION_SIGN[ImprovementDirection(str(u).lower())])
        except ValueError as exc:
            raise InvalidSeriesError(
                f"direction: {u!r} is not one of increase, decrease, neutral"
            ) from exc
    table = np.array([*lookup, default], dtype=np.int8)
    return table[np.where(codes < 0, len(lookup), codes)]


def batch_summary(
    cols: dict[str, np.ndarray],
    series_start: np.ndarray,
    phase_start: np.ndarray,
    direction: np.ndarray,
    warnings: list[tuple[int, str]],
) -> dict[str, object]:
    """Summary columns for every series, from the flat result columns."""
    n = len(series_start)
    first = np.flatnonzero(series_start)
    last = np.append(first[1:] - 1, n - 1)
    series = segment_ids(series_start)
    seg = segment_ids(phase_start)
    in_last = seg == seg[last][series]
    n_series = len(first)
    pt = cols["point_type"]

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(series[mask & in_last], minlength=n_series).astype(np.int64)

    flagged = cols["special_cause_flag"]
    marker = np.where(flagged, np.arange(n), -1)
    latest = np.maximum.reduceat(marker, first) if n else np.zeros(0, dtype=np.int64)
    has = latest >= 0
    safe = np.where(has, latest, 0)
    reason = np.where(has, cols["reason"][safe], "").astype(object)
    sig_idx = np.where(has, cols["idx"][safe], 0).astype(object)
    sig_idx[~has] = None
    sig_date = np.where(has, cols["date"][safe], np.datetime64("NaT", "ns"))
    variation = _VARIATION[_variation_codes(pt[last], direction[last], cols["limits_shown"][last])]
    assurance = _ASSURANCE[
        _assurance_codes(
            cols["target"][last], cols["lpl"][last], cols["upl"][last], direction[last]
        )
    ]
    texts = np.empty(n_series, dtype=object)
    texts[:] = [()] * n_series
    for s, text in warnings:
        texts[s] = (*texts[s], text)
    return {
        "n": np.diff(np.append(first, n)),
        "n_phase_last": np.bincount(series[in_last], minlength=n_series),
        "mean": cols["mean"][last],
        "lpl": cols["lpl"][last],
        "upl": cols["upl"][last],
        "common_cause": count(pt == PointType.COMMON_CAUSE.value),
        "special_cause_improvement": count(pt == PointType.IMPROVEMENT.value),
        "special_cause_concern": count(pt == PointType.CONCERN.value),
        "special_cause_neutral": count(
            (pt == PointType.NEUTRAL_HIGH.value) | (pt == PointType.NEUTRAL_LOW.value)
        ),
        "variation": variation,
        "assurance": assurance,
        "last_value": cols["value"][last],
        "last_date": cols["date"][last],
        "latest_signal_reason": reason,
        "latest_signal_idx": sig_idx,
        "latest_signal_date": sig_date,
        "warnings": texts,
    }


def _order(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Series codes (in first-appearance order) and the row order sorted by series, idx."""
    codes, uniques = pd.factorize(frame["series_id"], sort=False)
    if (codes < 0).any():
        raise InvalidSeriesError("series_id: every row needs a series id")
    idx = frame["idx"].to_numpy()
    order = np.lexsort((idx, codes))
    return codes, order, pd.Index(uniques, name="series_id")


def compute_xmr_batch(
    frame: pd.DataFrame,
    *,
    options_by_series: dict | None = None,
    options: SpcOptions = SpcOptions(),  # noqa: B008 - frozen dataclass, safe default
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """XmR charts and summaries for many series in one vectorised pass.

    Args:
        frame: Long frame with ``series_id``, ``idx`` (order within the series) and
            ``value``; optionally ``date``, ``target`` and ``direction`` (per row, they
            override the options' target and improvement direction).
        options_by_series: Options for particular series ids; the rest use ``options``.
            Series sharing one options object are computed together.
        options: Options for every other series.

    Returns:
        ``(points, summary)``: the points frame has ``series_id`` and the columns of
        :func:`~qinet.stats.spc.compute_xmr`, sorted by series (first appearance) and
        ``idx``; the summary frame has one row per series with the
        :class:`SpcSummary` fields and a ``series_id`` column.

    Raises:
        InvalidSeriesError: A required column is missing, a value is malformed, or an
            option does not fit a series (the message names it).
    """
    needed = [c for c in ("series_id", "idx", "value") if c not in frame.columns]
    if needed:
        raise InvalidSeriesError(f"frame: missing column(s) {needed}")
    options_by_series = options_by_series or {}
    codes, order, ids = _order(frame)
    codes = codes[order]
    value = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)[order]
    bad = np.isinf(value)
    if bad.any():
        raise InvalidSeriesError("value: infinite values cannot be charted; leave them blank")
    dates = None
    if "date" in frame.columns:
        dates = pd.to_datetime(frame["date"]).to_numpy(dtype="datetime64[ns]")[order]
    n = len(value)
    series_start = np.ones(n, dtype=bool)
    if n:
        series_start[1:] = codes[1:] != codes[:-1]
    local = np.arange(n) - np.flatnonzero(series_start)[segment_ids(series_start)] if n else codes

    option_of_series = np.zeros(len(ids), dtype=np.int64)
    groups: list[SpcOptions] = [options]
    if options_by_series:
        position = {opt: i for i, opt in enumerate(groups)}
        for sid, opt in options_by_series.items():
            where = ids.get_indexer([sid])[0]
            if where < 0:
                continue
            if opt not in position:
                position[opt] = len(groups)
                groups.append(opt)
            option_of_series[where] = position[opt]
    group_of_row = option_of_series[codes]

    lengths = np.bincount(codes, minlength=len(ids))
    points = {name: [] for name in RESULT_COLUMNS}
    rows: list[np.ndarray] = []
    summaries: list[dict[str, object]] = []
    summary_series: list[np.ndarray] = []
    for g, opt in enumerate(groups):
        rows_g = np.flatnonzero(group_of_row == g) if len(groups) > 1 else np.arange(n)
        if len(rows_g) == 0:
            continue
        series_g = np.unique(codes[rows_g])
        for length in np.unique(lengths[series_g]):
            validate_options(opt, int(length))
        start_g = series_start[rows_g]
        local_g = local[rows_g]
        phase_start = start_g | np.isin(local_g, np.asarray(opt.phase_starts, dtype=np.int64))
        excluded = np.isin(local_g, np.asarray(opt.excluded, dtype=np.int64))
        direction = np.full(len(rows_g), DIRECTION_SIGN[opt.improvement_direction], np.int8)
        if "direction" in frame.columns:
            direction = _direction_column(frame["direction"].iloc[order[rows_g]], direction[0])
        target = np.full(len(rows_g), np.nan if opt.target is None else float(opt.target))
        if "target" in frame.columns:
            given = pd.to_numeric(frame["target"], errors="coerce").to_numpy(float)[order[rows_g]]
            target = np.where(np.isnan(given), target, given)
        y = value[rows_g]
        flat = Flat(
            y=np.where(excluded, np.nan, y),
            value=y,
            series_start=start_g,
            phase_start=phase_start,
            excluded=excluded,
            direction=direction,
            target=target,
            dates=None if dates is None else dates[rows_g],
        )
        cols, warnings = run_flat(flat, opt, None)
        for name in RESULT_COLUMNS:
            points[name].append(cols[name])
        rows.append(rows_g)
        summaries.append(batch_summary(cols, start_g, phase_start, direction, warnings))
        summary_series.append(series_g)

    if n == 0:
        merged = {name: np.zeros(0) for name in RESULT_COLUMNS}
        summary = {k: [] for k in SUMMARY_COLUMNS}
        series_order = np.zeros(0, dtype=np.int64)
    elif len(rows) == 1:
        merged = {name: points[name][0] for name in RESULT_COLUMNS}
        summary = summaries[0]
        series_order = summary_series[0]
    else:
        back = np.argsort(np.concatenate(rows), kind="stable")
        merged = {name: np.concatenate(points[name])[back] for name in RESULT_COLUMNS}
        s_back = np.argsort(np.concatenate(summary_series), kind="stable")
        summary = {
            k: np.concatenate([np.asarray(s[k]) for s in summaries])[s_back]
            for k in SUMMARY_COLUMNS
        }
        series_order = np.arange(len(ids))
    out = pd.DataFrame({"series_id": ids.to_numpy()[codes], **merged})
    out.attrs["options"] = options
    out.attrs["options_by_series"] = dict(options_by_series)
    summary_frame = pd.DataFrame({"series_id": ids.to_numpy()[series_order], **summary})
    return out, summary_frame
