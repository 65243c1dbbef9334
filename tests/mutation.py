"""Planted-fault (mutation) check over the code whose mistakes cost most.

Each mutant is one small textual fault — a preset number, a comparison, a limit constant,
a suppression threshold, a scope filter made a no-op — applied alone to a fresh copy of
the working tree, then the tests that should notice it are run there. A mutant is
*killed* when at least one of those tests fails, and *survives* when they all pass.

Run with ``make mutation`` (or ``python tests/mutation.py [name ...]``); it is kept out of
``make test`` because it runs the chosen tests once per mutant. The score and survivors
are recorded in tests/README.md.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STATS_TESTS = (
    "tests/stats/test_presets_pinned.py",
    "tests/stats/test_spc.py",
    "tests/stats/test_runchart.py",
    "tests/stats/test_run_signals.py",
    "tests/stats/test_portfolio.py",
    "tests/stats/test_measure.py",
    "tests/stats/test_limits.py",
    "tests/stats/test_summary.py",
)
SUPPRESSION_TESTS = ("tests/stats/test_suppression.py",
                     "tests/stats/test_suppression_properties.py", "tests/stats/test_portfolio.py",
                     "tests/views/test_reach_table.py")
# The Medicine lead's Overview (chart, tiles, reach CSV, board pack) is where a small count
# would show first; -x stops at the first failure.
OVERVIEW_TESTS = (
    "tests/app/test_suppression_everywhere.py::"
    "test_no_small_count_on_any_page_chart_csv_or_pack[medicine lead-pages/overview.py]",
    "tests/app/test_overview_page.py",
)
SCOPE_TESTS = ("tests/queries", "tests/app/test_roles.py", "-k", "sqlite or not db_url")
SCOPE_APP_TESTS = ("tests/app/test_roles.py", "-k", "url_parameters and foreign")


@dataclass(frozen=True)
class Mutant:
    """One planted fault: replace ``old`` by ``new``.

    ``old`` must occur exactly once in the file, or, with ``after``, once after the first
    occurrence of ``after`` up to the next blank line (e.g. inside one preset's block).
    """

    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    after: str = ""

    def apply(self, text: str) -> str | None:
        """The mutated text, or None when ``old`` is not found exactly once where it should be."""
        start = text.find(self.after) if self.after else 0
        if start < 0:
            return None
        end = text.find("\n\n", start) if self.after else len(text)
        region = text[start : end if end >= 0 else len(text)]
        if region.count(self.old) != 1:
            return None
        return text[:start] + region.replace(self.old, self.new) + text[start + len(region) :]


MUTANTS = (
    # --- rule presets (qinet/stats/rules.py): the published numbers ---------------------------
    Mutant("MDC_2024 shift 6 -> 7", "qinet/stats/rules.py",
           "    shift=6,", "    shift=7,", STATS_TESTS, after='key="MDC_2024"'),
    Mutant("MDC_2024 trend 6 -> 5", "qinet/stats/rules.py",
           "    trend=6,", "    trend=5,", STATS_TESTS, after='key="MDC_2024"'),
    Mutant("MDC_2024 limits from 13 -> 12 points", "qinet/stats/rules.py",
           "    min_points_for_limits=13,", "    min_points_for_limits=12,", STATS_TESTS),
    Mutant("PTD shift 7 -> 8", "qinet/stats/rules.py",
           "    shift=7,\n    trend=7,", "    shift=8,\n    trend=7,", STATS_TESTS),
    Mutant("PTD trend 7 -> 6", "qinet/stats/rules.py",
           "    shift=7,\n    trend=7,", "    shift=7,\n    trend=6,", STATS_TESTS),
    Mutant("LIFE_QI shift 8 -> 7", "qinet/stats/rules.py",
           "    shift=8,\n    trend=6,", "    shift=7,\n    trend=6,", STATS_TESTS),
    Mutant("PTD two-of-three counts points beyond 3 sigma", "qinet/stats/rules.py",
           "    two_of_three=True,\n    two_of_three_counts_beyond_limits=False,",
           "    two_of_three=True,\n    two_of_three_counts_beyond_limits=True,", STATS_TESTS),
    Mutant("IHI trend 5 -> 6", "qinet/stats/rules.py",
           "    trend=5,", "    trend=6,", STATS_TESTS, after='method="ihi"'),
    # --- limits ---------------------------------------------------------------------------
    Mutant("XmR constant 2.66 -> 2.67", "qinet/stats/rules.py",
           "XMR_LIMIT = 2.66 ", "XMR_LIMIT = 2.67 ", STATS_TESTS),
    Mutant("mR screening 3.267 -> 3.27", "qinet/stats/rules.py",
           "MR_SCREEN = 3.267 ", "MR_SCREEN = 3.27 ", STATS_TESTS),
    Mutant("XmR formula: 2-sigma line at the limit", "qinet/stats/core.py",
           "    half_2s = XMR_LIMIT * TWO_SIGMA_FRACTION * amr",
           "    half_2s = XMR_LIMIT * amr", STATS_TESTS),
    Mutant("portfolio XmR ignores the per-series baseline", "qinet/stats/portfolio.py",
           "screen=rules.screen_moving_ranges, baseline=base)",
           "screen=rules.screen_moving_ranges, baseline=None)", STATS_TESTS),
    # --- run-chart rules (compute_run_chart, the pages' path) ------------------------------
    Mutant("Anhoej too few crossings < -> <=", "qinet/stats/runchart.py",
           "cross_sig = has & (ncross < cmin)", "cross_sig = has & (ncross <= cmin)", STATS_TESTS),
    Mutant("Anhoej long run > -> >=", "qinet/stats/runchart.py",
           "long_sig = has & (longest > lmax)", "long_sig = has & (longest >= lmax)", STATS_TESTS),
    Mutant("IHI too few runs < -> <=", "qinet/stats/runchart.py",
           "too_few = n_runs < lower", "too_few = n_runs <= lower", STATS_TESTS),
    Mutant("IHI printed table row n=20 replaced by Swed-Eisenhart", "qinet/stats/run_limits.py",
           "20: (6, 16),", "20: (7, 15),", STATS_TESTS),
    Mutant("astronomical cut-off 3.5 -> 2", "qinet/stats/run_limits.py",
           "ASTRONOMICAL_Z = 3.5 ", "ASTRONOMICAL_Z = 2.0 ", STATS_TESTS),
    Mutant("centre-line ties back to exact float comparison", "qinet/stats/run_limits.py",
           "TIE_RELATIVE = 1e-9 ", "TIE_RELATIVE = 0.0 ", STATS_TESTS),
    # --- suppression ------------------------------------------------------------------------
    Mutant("suppression < threshold -> <= threshold", "qinet/stats/suppression.py",
           "return (values > 0) & (values < threshold)",
           "return (values > 0) & (values <= threshold)", SUPPRESSION_TESTS),
    Mutant("no secondary suppression in a table (bridges never closed)",
           "qinet/stats/suppression.py",
           "    while bridges := _bridges(mask):", "    while bridges := []:", SUPPRESSION_TESTS),
    Mutant("no secondary suppression in one row", "qinet/stats/suppression.py",
           "    if mask.sum() == 1:", "    if mask.sum() == -1:", SUPPRESSION_TESTS),
    Mutant("bridge test misses a bridge whose child was reached two steps later",
           "qinet/stats/suppression.py",
           "                if low[vertex] > order[parent]:",
           "                if low[vertex] > order[parent] + 1:", SUPPRESSION_TESTS),
    Mutant("zeros hidden as readily as counts", "qinet/stats/suppression.py",
           "_ZERO_CELL_COST = 1e9", "_ZERO_CELL_COST = 0.0", SUPPRESSION_TESTS),
    Mutant("cycle search pays again for cells already hidden", "qinet/stats/suppression.py",
           "_cheapest_path(np.where(mask, 0.0, cost), *bridge)",
           "_cheapest_path(cost, *bridge)", SUPPRESSION_TESTS),
    Mutant("Overview reach suppression threshold 1 (page and pack)", "qinet/ui/overview.py",
           "    threshold = ctx.settings.small_number_threshold\n",
           "    threshold = 1\n", OVERVIEW_TESTS),
    Mutant("reach view ignores its threshold", "qinet/views/overview.py",
           '    table, overall = rc.reach_table(raw, "staff_group", threshold, rules.ratio)',
           '    table, overall = rc.reach_table(raw, "staff_group", 1, rules.ratio)',
           OVERVIEW_TESTS),
    # --- scope ------------------------------------------------------------------------------
    Mutant("restrict_programme is a no-op", "qinet/queries/scope.py",
           "    return stmt.where(column.in_(sorted(viewer.programme_ids)))",
           "    return stmt", SCOPE_TESTS),
    Mutant("restrict_directorate is a no-op (pages only)", "qinet/queries/scope.py",
           "    return stmt.where(column.in_(sorted(viewer.directorate_ids)))",
           "    return stmt", SCOPE_APP_TESTS),
    Mutant("restrict_directorate is a no-op", "qinet/queries/scope.py",
           "    return stmt.where(column.in_(sorted(viewer.directorate_ids)))",
           "    return stmt", SCOPE_TESTS),
)

_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "data", "__pycache__", ".pytest_cache", ".ruff_cache", "*.db", "node_modules"
)


def _run(tree: Path, tests: tuple[str, ...]) -> tuple[bool, str]:
    """Run ``tests`` in ``tree``; (passed, last line of pytest's output)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-rf", "-p", "no:cacheprovider", *tests],
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
    except subprocess.TimeoutExpired:
        return False, "timed out after 900 s (a hang is noticed: counted as killed)"
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    failed = [line.split(" - ")[0] for line in lines if line.startswith("FAILED ")]
    last = lines[-1] if lines else proc.stderr.strip()[-200:]
    return proc.returncode == 0, "; ".join([last, *failed[:1]])


def main(argv: list[str]) -> int:
    """Apply each mutant in turn to a copy of the tree; print killed/survived and the score."""
    chosen = [m for m in MUTANTS if not argv or any(a.lower() in m.name.lower() for a in argv)]
    with tempfile.TemporaryDirectory(prefix="qinet-mutation-") as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(ROOT, tree, ignore=_IGNORE)
        killed, survivors = 0, []
        for m in chosen:
            target = tree / m.path
            original = target.read_text(encoding="utf-8")
            mutated = m.apply(original)
            if mutated is None:
                print(f"BROKEN   {m.name}: the text to change is not found exactly once")
                return 2
            target.write_text(mutated, encoding="utf-8")
            start = time.monotonic()
            try:
                passed, last = _run(tree, m.tests)
            finally:
                target.write_text(original, encoding="utf-8")
            verdict = "SURVIVED" if passed else "killed  "
            print(f"{verdict} {m.name}  ({time.monotonic() - start:.0f} s; {last})", flush=True)
            if passed:
                survivors.append(m.name)
            else:
                killed += 1
    print(f"\nmutation score: {killed}/{len(chosen)} killed")
    for name in survivors:
        print(f"  survivor: {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
