"""Benchmarks: ``python -m qinet bench stats|pages`` prints medians over repeated runs.

The stats suite mirrors the R timings in ``tests/reference/README.md`` (10,000
series × 24 points; one series of 100,000 points) so the figures compare
directly. Results measured on this project's machine are kept in
``benchmarks/README.md``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

SEED = 20250611  # the seed the R reference timings used (a different generator, same shape)


def _time(fn: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    fn()  # warm-up (imports, first allocation)
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs


def _long_frame(n_series: int, n_points: int, rng: np.random.Generator) -> pd.DataFrame:
    values = np.round(rng.normal(50, 5, n_series * n_points), 2)
    return pd.DataFrame(
        {
            "series_id": np.repeat(np.arange(n_series), n_points),
            "idx": np.tile(np.arange(n_points), n_series),
            "value": values,
        }
    )


def stats_cases(rng: np.random.Generator) -> list[tuple[str, str, float, Callable[[], object]]]:
    """The stats benchmark cases: (key, description, target seconds, callable)."""
    from qinet.stats.limits import p_chart_batch
    from qinet.stats.runchart import compute_run_chart_batch
    from qinet.stats.spc import SpcOptions, compute_xmr
    from qinet.stats.summary import compute_xmr_batch
    from qinet.stats.suppression import suppress_counts

    many = _long_frame(10_000, 24, rng)
    one = np.round(rng.normal(50, 5, 100_000), 2)
    denominators = rng.integers(50, 400, 10_000 * 24)
    props = pd.DataFrame(
        {
            "series_id": many["series_id"],
            "idx": many["idx"],
            "numerator": rng.binomial(denominators, 0.3),
            "denominator": denominators,
        }
    )
    options = SpcOptions()
    # a whole-network funnel: 2,000 cohort × staff-group rows × 6 stages, half of them zero
    funnel = pd.DataFrame(rng.choice([0, 1, 3, 8, 15, 40, 120], size=(2_000, 6),
                                     p=[0.5, 0.05, 0.05, 0.05, 0.1, 0.15, 0.1]))  # fmt: skip
    return [
        ("a", "10,000 series × 24 points, XmR, all rules + summary",
         0.5, lambda: compute_xmr_batch(many, options=options)),
        ("b", "10,000 series × 24 points, Anhøj run charts",
         0.5, lambda: compute_run_chart_batch(many)),
        ("c", "1 series × 100,000 points, XmR, all rules",
         0.1, lambda: compute_xmr(one, options=options)),
        ("d", "10,000 p-chart series × 24 points, per-point limits + outside",
         float("nan"), lambda: p_chart_batch(props)),
        ("e", "2,000 × 6 funnel table, primary + secondary suppression",
         1.0, lambda: suppress_counts(funnel, 11)),
    ]


def run(suite: str, *, repeats: int = 7) -> int:
    """Run a suite and print one line per case with its median.

    Args:
        suite: ``"stats"`` or ``"pages"``.
        repeats: Timed runs per case (after one warm-up).

    Returns:
        0 when every case with a target met it, else 1.
    """
    rng = np.random.default_rng(SEED)
    if suite == "import":
        from qinet.imports.bench import run_import_bench

        return run_import_bench(repeats=min(repeats, 3))
    if suite == "pages":
        from qinet.bench_pages import page_cases

        cases = page_cases(repeats)
    else:
        cases = stats_cases(rng)
    print(f"qinet bench {suite}: median of {repeats} runs after a warm-up")
    ok = True
    for key, description, target, fn in cases:
        median, _runs = _time(fn, repeats)
        verdict = ""
        if not np.isnan(target):
            met = median < target
            ok &= met
            verdict = f"target < {target:g} s: {'met' if met else 'MISSED'}"
        print(f"({key}) {description:<58} {median * 1000:9.1f} ms  {verdict}")
    return 0 if ok else 1
