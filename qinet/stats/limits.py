"""qicharts2-compatible centre lines and 3σ/2σ limits for Shewhart charts.

Chart types (``Chart``): i, mr, c, p, pp (Laney p′), u, up (Laney u′), g, t (from
:func:`chart_limits`) and xbar, s (from raw observations, :func:`subgroup_limits`). The
semantics are those of qicharts2 0.8.1 (see ``tests/reference/README.md``):

* limits are computed separately per phase (qicharts2 ``part``); ``freeze = k`` computes
  them from the first k points (the baseline) and is ignored when phases are given;
* moving ranges are never bridged across a missing value; with ``screen_mr`` (qicharts2's
  ``qic.screenedmr``, TRUE once the package is attached) ranges ``>= 3.267 × mean`` are dropped
  and the mean recomputed (i, t, pp, up);
* p: ``cl = Σnum/Σden``, limits clipped to [0, 1]; u/c/g/t: lower limits clipped at 0; a
  point with a missing numerator or denominator (or a zero denominator) is missing, with no
  limits;
* g plots the *median* as its centre line; t works on ``y ** (1/3.6)`` and back-transforms;
* xbar/s use exact c4/c5 constants and the pooled SD when subgroup sizes vary in a phase;
* non-finite limits are NaN; ``sigma_signal`` is strict ``y > ucl or y < lcl``.

Everything is vectorised over groups (phases, or series in :func:`p_chart_batch`).
"""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
import pandas as pd

from qinet.domain import ChartType
from qinet.errors import InvalidSeriesError
from qinet.stats.core import group_median, phase_codes
from qinet.stats.rules import D2, MR_SCREEN, MR_UCL

T_CHART_EXPONENT = 3.6  # qicharts2 / Provost & Murray: y ** (1/3.6) is roughly normal


class Chart(StrEnum):
    """Chart types with control limits, named as qicharts2 names them."""

    I = "i"  # noqa: E741 - the chart is called "i"
    MR = "mr"
    C = "c"
    P = "p"
    PP = "pp"
    U = "u"
    UP = "up"
    G = "g"
    T = "t"
    XBAR = "xbar"
    S = "s"


LIMIT_CHART: dict[ChartType, Chart] = {
    t: Chart(t.value) for t in ChartType if t.value in {c.value for c in Chart}
}
"""The engine's chart for each product chart type drawn from :func:`chart_limits`.

``ChartType`` is what a measure is (run, xmr, p, u, c, …); ``Chart`` is the wider set of
qicharts2 charts the limits engine computes (i, mr, pp, up, xbar, s, …). This mapping is
the one place the two meet; XmR and run charts have their own engines.
"""

_NEEDS_N = {Chart.P, Chart.PP, Chart.U, Chart.UP}
_SUBGROUP = {Chart.XBAR, Chart.S}


LIMIT_FIELDS = ("centre", "lower", "upper", "lower_2s", "upper_2s")
"""Field names of ``qinet.stats.spc.PerPointLimits``, in order."""


def limit_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-point limits as numpy arrays keyed like ``qinet.stats.spc.PerPointLimits``.

    ``PerPointLimits(**limit_arrays(chart_limits("p", num, den)))`` hands qicharts2-style
    p/u/c limits to the Making Data Count pipeline without this module importing it.

    Args:
        frame: Result of :func:`chart_limits` or :func:`subgroup_limits`.

    Returns:
        ``centre``, ``lower``, ``upper``, ``lower_2s`` and ``upper_2s`` as float arrays.
    """
    columns = ("cl", "lcl", "ucl", "lcl_95", "ucl_95")
    return {f: frame[c].to_numpy(dtype=float) for f, c in zip(LIMIT_FIELDS, columns, strict=True)}


# --- group helpers (groups are contiguous integer codes 0..G-1) -----------------------------


def _gsum(x: np.ndarray, mask: np.ndarray, g: np.ndarray, ng: int) -> np.ndarray:
    m = mask & ~np.isnan(x)
    return np.bincount(g[m], x[m], minlength=ng)


def _gmean(x: np.ndarray, mask: np.ndarray, g: np.ndarray, ng: int) -> np.ndarray:
    m = mask & ~np.isnan(x)
    s = np.bincount(g[m], x[m], minlength=ng)
    c = np.bincount(g[m], minlength=ng)
    with np.errstate(invalid="ignore", divide="ignore"):
        return s / c


def _average_moving_range(
    x: np.ndarray, base: np.ndarray, g: np.ndarray, ng: int, screen: bool
) -> np.ndarray:
    """qicharts2 AMR of consecutive baseline points per group, optionally screened."""
    if x.size < 2:
        return np.full(ng, np.nan)
    mr = np.abs(np.diff(x))
    valid = base[1:] & base[:-1] & (g[1:] == g[:-1]) & ~np.isnan(mr)
    gg = g[1:]
    amr = _gmean(mr, valid, gg, ng)
    if screen:
        with np.errstate(invalid="ignore"):
            keep = valid & (mr < MR_SCREEN * amr[gg])
        amr = _gmean(mr, keep, gg, ng)
    return amr


def _c4(n: np.ndarray) -> np.ndarray:
    """c4(n) = sqrt(2/(n-1)) Γ(n/2)/Γ((n-1)/2), exactly as qicharts2 (NaN for n <= 1)."""
    n = np.asarray(n, dtype=float)
    out = np.full(n.shape, np.nan)
    for v in np.unique(n[n > 1]):
        out[n == v] = math.sqrt(2 / (v - 1)) * math.exp(
            math.lgamma(v / 2) - math.lgamma((v - 1) / 2)
        )
    return out


# --- the engine ----------------------------------------------------------------------------


def compute_limits(
    chart: Chart,
    y: np.ndarray,
    n: np.ndarray | None,
    g: np.ndarray,
    ng: int,
    base: np.ndarray,
    screen: bool,
    sub: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Plotted statistic, centre line and limits for contiguous groups."""
    k3, k2 = 3.0, 2.0
    if chart in (Chart.I, Chart.T):
        x = y ** (1 / T_CHART_EXPONENT) if chart is Chart.T else y
        cl_g = _gmean(x, base, g, ng)
        cl = cl_g[g]
        amr = _average_moving_range(x - cl, base, g, ng, screen)
        sd = (amr / D2)[g]
        out = {
            "y": x,
            "cl": cl,
            "lcl": cl - k3 * sd,
            "ucl": cl + k3 * sd,
            "lcl_95": cl - k2 * sd,
            "ucl_95": cl + k2 * sd,
        }
        if chart is Chart.T:
            with np.errstate(invalid="ignore"):
                out = {k: np.power(v, T_CHART_EXPONENT) for k, v in out.items()}
            lcl = out["lcl"]
            lcl[np.isnan(lcl) | (lcl < 0)] = 0.0
        return out
    if chart is Chart.MR:
        mr = np.full(y.size, np.nan)
        if y.size > 1:
            d = np.abs(np.diff(y))
            same = g[1:] == g[:-1]
            mr[1:] = np.where(same, d, np.nan)
        cl = _gmean(mr, base, g, ng)[g]
        zero = np.zeros(y.size)
        return {
            "y": mr,
            "cl": cl,
            "lcl": zero,
            "ucl": MR_UCL * cl,
            "lcl_95": zero.copy(),
            "ucl_95": (MR_UCL / 3) * 2 * cl,
        }
    if chart is Chart.C:
        cl = _gmean(y, base, g, ng)[g]
        sd = np.sqrt(cl)
        return _clip(
            {
                "y": y,
                "cl": cl,
                "lcl": cl - k3 * sd,
                "ucl": cl + k3 * sd,
                "lcl_95": cl - k2 * sd,
                "ucl_95": cl + k2 * sd,
            },
            lower=0.0,
        )
    if chart in _NEEDS_N:
        assert n is not None
        ok = ~np.isnan(y) & ~np.isnan(n) & (n > 0)
        num = np.where(ok, y, np.nan)
        den = np.where(ok, n, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = num / den
            cl = (_gsum(num, base, g, ng) / _gsum(den, base, g, ng))[g]
            binomial = chart in (Chart.P, Chart.PP)
            sd = np.sqrt(cl * (1 - cl) / den) if binomial else np.sqrt(cl / den)
        if chart in (Chart.PP, Chart.UP):
            with np.errstate(invalid="ignore", divide="ignore"):
                z = (p - cl) / sd
            amr = _average_moving_range(z, base, g, ng, screen)
            sd = sd * (amr / D2)[g]
        out = {
            "y": p,
            "cl": cl,
            "lcl": cl - k3 * sd,
            "ucl": cl + k3 * sd,
            "lcl_95": cl - k2 * sd,
            "ucl_95": cl + k2 * sd,
        }
        upper = 1.0 if chart in (Chart.P, Chart.PP) else None
        return _clip(out, lower=0.0, upper=upper)
    if chart is Chart.G:
        mean = _gmean(y, base, g, ng)[g]
        sd = np.sqrt(mean * (mean + 1))
        out = _clip(
            {
                "y": y,
                "cl": mean,
                "lcl": mean - k3 * sd,
                "ucl": mean + k3 * sd,
                "lcl_95": mean - k2 * sd,
                "ucl_95": mean + k2 * sd,
            },
            lower=0.0,
        )
        out["cl"] = group_median(y, base, g, ng)[g]
        return out
    if chart in _SUBGROUP:
        assert sub is not None
        means, sds, sizes = sub
        n_unique = pd.Series(sizes).groupby(g).nunique().to_numpy()
        var_n = (n_unique > 1)[g] if ng else np.zeros(0, dtype=bool)
        pooled_num = _gsum((sizes - 1) * sds**2, base, g, ng)
        pooled_den = np.bincount(g[base], (sizes - 1)[base], minlength=ng)
        with np.errstate(invalid="ignore", divide="ignore"):
            pooled = np.sqrt(pooled_num / pooled_den)[g]
        mean_sd = _gmean(sds, base, g, ng)[g]
        sigma = np.where(var_n, pooled, mean_sd)
        c4 = _c4(sizes)
        if chart is Chart.XBAR:
            cl = (
                _gsum(sizes * means, base, g, ng) / np.bincount(g[base], sizes[base], minlength=ng)
            )[g]
            with np.errstate(invalid="ignore", divide="ignore"):
                a = 1 / (c4 * np.sqrt(sizes))
            return {
                "y": means,
                "cl": cl,
                "lcl": cl - k3 * a * sigma,
                "ucl": cl + k3 * a * sigma,
                "lcl_95": cl - k2 * a * sigma,
                "ucl_95": cl + k2 * a * sigma,
            }
        c5 = np.sqrt(1 - c4**2)
        cl = sigma
        with np.errstate(invalid="ignore"):
            b3 = np.where(np.isnan(c4), np.nan, np.maximum(0, 1 - k3 * c5 / c4))
            b3_95 = np.where(np.isnan(c4), np.nan, np.maximum(0, 1 - k2 * c5 / c4))
        return {
            "y": sds,
            "cl": cl,
            "lcl": b3 * cl,
            "ucl": (1 + k3 * c5 / c4) * cl,
            "lcl_95": b3_95 * cl,
            "ucl_95": (1 + k2 * c5 / c4) * cl,
        }
    raise InvalidSeriesError(f"chart: {chart!r} has no limits")  # pragma: no cover


def _clip(out: dict[str, np.ndarray], lower: float | None = None, upper: float | None = None):
    for key in ("lcl", "lcl_95") if lower is not None else ():
        v = out[key]
        v[np.isfinite(v) & (v < lower)] = lower
    for key in ("ucl", "ucl_95") if upper is not None else ():
        v = out[key]
        v[np.isfinite(v) & (v > upper)] = upper
    return out


def _finish(out: dict[str, np.ndarray], phase: np.ndarray, base: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(out)
    for key in ("cl", "lcl", "ucl", "lcl_95", "ucl_95"):
        v = frame[key].to_numpy(dtype=float, copy=True)
        v[~np.isfinite(v)] = np.nan
        frame[key] = v
    yv = frame["y"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        sig = (yv > frame["ucl"].to_numpy()) | (yv < frame["lcl"].to_numpy())
    frame["sigma_signal"] = sig
    frame["phase"] = phase
    frame["baseline"] = base
    return frame


def _parse_chart(chart: str | Chart) -> Chart:
    try:
        return Chart(str(chart).lower())
    except ValueError:
        names = ", ".join(c.value for c in Chart)
        raise InvalidSeriesError(
            f"chart: unknown chart type {chart!r}; use one of {names}"
        ) from None


def _phases_and_baseline(
    length: int, freeze: int | None, phase_starts: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    starts = [int(p) for p in phase_starts]
    phase = phase_codes(length, tuple(starts))
    warnings: list[str] = []
    base = np.ones(length, dtype=bool)
    if freeze is not None:
        if int(freeze) < 1:
            raise InvalidSeriesError(f"freeze: must be at least 1, got {freeze}")
        if starts:
            warnings.append("freeze is ignored when phases are given (as in qicharts2).")
        else:
            base = np.arange(length) < int(freeze)
    return phase, base, warnings


def chart_limits(
    chart: str | Chart,
    y,
    n=None,
    *,
    freeze: int | None = None,
    phase_starts: tuple[int, ...] = (),
    screen_mr: bool = True,
) -> pd.DataFrame:
    """Centre line and limits per point for one series, as qicharts2 ``qic()`` computes them.

    Args:
        chart: One of i, mr, c, p, pp, u, up, g, t (see :class:`Chart`); xbar and s need
            raw observations, see :func:`subgroup_limits`.
        y: Values in time order (numerators for p/pp, counts for u/up); NaN is missing.
        n: Denominators (p/pp) or exposures (u/up); required for those charts only.
        freeze: Compute the centre line and limits from the first ``freeze`` points.
            Ignored, with a warning, when ``phase_starts`` is given.
        phase_starts: 0-based positions where a new phase (qicharts2 ``part``) starts.
        screen_mr: Drop moving ranges ``>= 3.267 ×`` their mean before estimating sigma
            (qicharts2 ``qic.screenedmr``); applies to i, t, pp and up.

    Returns:
        One row per point with ``y`` (the plotted statistic: proportion or rate for p/u
        charts, moving range for mr, back-transformed value for t), ``cl``, ``lcl``, ``ucl``,
        ``lcl_95``, ``ucl_95`` (NaN where not finite), ``sigma_signal`` (strict),
        ``phase`` (0-based) and ``baseline``. ``attrs["chart"]`` and ``attrs["warnings"]``
        are set.

    Raises:
        InvalidSeriesError: Unknown chart type; ``n`` missing, of the wrong length, or
            negative; a numerator above its denominator (p/pp); a time between events that
            is not positive (t); xbar/s asked for here; bad ``freeze`` or ``phase_starts``.
    """
    kind = _parse_chart(chart)
    if kind in _SUBGROUP:
        raise InvalidSeriesError(
            f"chart: {kind.value} charts need raw observations; use subgroup_limits()"
        )
    yv = np.asarray(y, dtype=float).ravel()
    nv = None
    if kind in _NEEDS_N:
        if n is None:
            raise InvalidSeriesError(f"n: a {kind.value} chart needs denominators")
        nv = np.asarray(n, dtype=float).ravel()
        if nv.size != yv.size:
            raise InvalidSeriesError(f"n: length {nv.size} does not match y (length {yv.size})")
        with np.errstate(invalid="ignore"):
            if np.any(nv < 0):
                raise InvalidSeriesError(
                    f"n: denominators must not be negative (position {int(np.argmax(nv < 0))})"
                )
            if np.any(yv < 0):
                raise InvalidSeriesError(
                    f"y: numerators must not be negative (position {int(np.argmax(yv < 0))})"
                )
            if kind in (Chart.P, Chart.PP) and np.any(yv > nv):
                raise InvalidSeriesError(
                    f"y: numerator exceeds denominator at position {int(np.argmax(yv > nv))}"
                )
    elif n is not None:
        nn = np.asarray(n, dtype=float).ravel()
        if nn.size != yv.size:
            raise InvalidSeriesError(f"n: length {nn.size} does not match y (length {yv.size})")
    if kind is Chart.T and np.nanmin(yv, initial=np.inf) <= 0:
        raise InvalidSeriesError("y: times between events must be greater than zero")
    phase, base, warnings = _phases_and_baseline(yv.size, freeze, tuple(phase_starts))
    ng = int(phase[-1]) + 1 if yv.size else 0
    out = compute_limits(kind, yv, nv, phase, ng, base, screen_mr)
    frame = _finish(out, phase, base)
    if nv is not None:
        frame.insert(1, "n", nv)
    frame.attrs["chart"] = kind
    frame.attrs["warnings"] = warnings
    return frame


def subgroup_limits(
    chart: str | Chart,
    subgroups,
    observations,
    *,
    freeze: int | None = None,
    phase_starts: tuple[int, ...] = (),
) -> pd.DataFrame:
    """Xbar or s chart limits from raw observations, as qicharts2 computes them.

    Args:
        chart: ``"xbar"`` or ``"s"``.
        subgroups: Subgroup label of each observation (sortable; subgroups are plotted in
            sorted order).
        observations: The observations; NaN is ignored.
        freeze: Baseline of the first ``freeze`` subgroups (ignored with phases).
        phase_starts: 0-based subgroup positions where a new phase starts.

    Returns:
        One row per subgroup with ``subgroup``, ``size`` (non-missing observations), ``y``
        (subgroup mean for xbar, SD for s), ``cl``, ``lcl``, ``ucl``, ``lcl_95``,
        ``ucl_95``, ``sigma_signal``, ``phase`` and ``baseline``.

    Raises:
        InvalidSeriesError: Unknown or non-subgroup chart type, mismatched lengths, or bad
            ``freeze`` / ``phase_starts``.
    """
    kind = _parse_chart(chart)
    if kind not in _SUBGROUP:
        raise InvalidSeriesError(f"chart: {kind.value} is not a subgroup chart; use chart_limits()")
    obs = pd.Series(np.asarray(observations, dtype=float).ravel())
    sg = pd.Series(np.asarray(subgroups).ravel())
    if sg.size != obs.size:
        raise InvalidSeriesError(
            f"subgroups: length {sg.size} does not match observations (length {obs.size})"
        )
    grouped = obs.groupby(sg, sort=True)
    sizes = grouped.count().to_numpy(dtype=float)
    means = grouped.mean().to_numpy(dtype=float)
    sds = grouped.std(ddof=1).to_numpy(dtype=float)
    labels = grouped.count().index
    phase, base, warnings = _phases_and_baseline(sizes.size, freeze, tuple(phase_starts))
    ng = int(phase[-1]) + 1 if sizes.size else 0
    out = compute_limits(kind, means, None, phase, ng, base, False, sub=(means, sds, sizes))
    frame = _finish(out, phase, base)
    frame.insert(0, "subgroup", labels.to_numpy())
    frame.insert(1, "size", sizes.astype(int))
    frame.attrs["chart"] = kind
    frame.attrs["warnings"] = warnings
    return frame


def p_chart_batch(frame: pd.DataFrame, *, chart: str | Chart = Chart.P) -> pd.DataFrame:
    """P (or pp, u, up) chart limits for many series in one vectorised pass.

    Args:
        frame: Columns ``series_id``, ``idx``, ``numerator``, ``denominator``; sorted by
            series and idx before analysis. Each series is one phase, no freeze.
        chart: ``"p"`` (default), ``"pp"``, ``"u"`` or ``"up"``.

    Returns:
        One row per point with ``series_id``, ``idx``, ``y``, ``cl``, ``lcl``, ``ucl``,
        ``lcl_95``, ``ucl_95`` and ``sigma_signal``.

    Raises:
        InvalidSeriesError: Missing columns, a chart type without denominators, negative
            denominators, or numerators above denominators (p/pp).
    """
    kind = _parse_chart(chart)
    if kind not in _NEEDS_N:
        raise InvalidSeriesError(f"chart: {kind.value} is not a chart with denominators")
    missing = {"series_id", "idx", "numerator", "denominator"} - set(frame.columns)
    if missing:
        raise InvalidSeriesError(f"frame: missing column(s) {sorted(missing)}")
    df = frame.sort_values(["series_id", "idx"], kind="stable")
    codes, uniques = pd.factorize(df["series_id"])
    g = np.asarray(codes, dtype=np.int64)
    y = df["numerator"].to_numpy(dtype=float)
    n = df["denominator"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        if np.any(n < 0):
            raise InvalidSeriesError("denominator: must not be negative")
        if kind in (Chart.P, Chart.PP) and np.any(y > n):
            raise InvalidSeriesError("numerator: exceeds denominator")
    out = compute_limits(kind, y, n, g, len(uniques), np.ones(y.size, dtype=bool), True)
    res = _finish(out, g, np.ones(y.size, dtype=bool)).drop(columns=["phase", "baseline"])
    res.insert(0, "series_id", df["series_id"].to_numpy())
    res.insert(1, "idx", df["idx"].to_numpy())
    return res
