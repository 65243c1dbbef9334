"""``python -m qinet bench import``: 100,000 observations and a 50,000-row workforce file.

Each file is imported into a fresh SQLite database, timed from the file's bytes to the
commit (reading, validation, preview, write and the audit row).
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from qinet import db
from qinet.imports import import_file
from qinet.imports.kinds import Context
from qinet.imports.staffgroups import SHIPPED
from qinet.imports.templates import ORDER, template_csv

N_MEASURES = 100
N_PERIODS = 1000


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def observation_file(rng: np.random.Generator) -> bytes:
    """100 measures × 1,000 weeks of XmR values (100,000 rows)."""
    weeks = [(date(2006, 1, 2) + timedelta(weeks=i)).isoformat() for i in range(N_PERIODS)]
    return _csv(
        pd.DataFrame(
            {
                "project_code": "PRJ-X1",
                "measure": np.repeat([f"Measure {i:03d}" for i in range(N_MEASURES)], N_PERIODS),
                "period_start": np.tile(weeks, N_MEASURES),
                "value": np.round(rng.normal(50, 5, N_MEASURES * N_PERIODS), 2),
            }
        )
    )


def workforce_file(rng: np.random.Generator) -> bytes:
    """NHS Digital layout: 12 months × 70 organisations × 12 staff groups × 5 nationalities."""
    groups = [n for n in SHIPPED if n != "Unknown"][:12]
    months = [
        f"2024-{m}"
        for m in (
            "JAN",
            "FEB",
            "MAR",
            "APR",
            "MAY",
            "JUN",
            "JUL",
            "AUG",
            "SEP",
            "OCT",
            "NOV",
            "DEC",
        )
    ]
    orgs = [(f"R{i:03d}", f"Bench Trust {i:03d} NHS Foundation Trust") for i in range(70)]
    nations = ["UK", "EU", "Asia", "Africa", "Unknown"]
    idx = pd.MultiIndex.from_product([months, range(len(orgs)), groups, nations])
    frame = idx.to_frame(index=False, name=["Month", "org", "Staff group", "Nationality"])
    frame.insert(1, "Organisation code", frame.pop("org").map(lambda i: orgs[i][0]))
    frame.insert(2, "Organisation name", frame["Organisation code"].map(dict(orgs)))
    frame["FTE"] = np.round(rng.uniform(1, 400, len(frame)), 5)
    return _csv(frame)


def _fresh(folder: Path, name: str):  # noqa: ANN202 - Engine
    engine = db.make_engine(f"sqlite:///{folder / name}")
    db.create_schema(engine)
    ctx = Context("bench")
    with db.session_scope(engine) as s:
        for kind in ORDER[: ORDER.index("projects") + 1]:
            import_file(s, kind, template_csv(kind), f"{kind}.csv", ctx)
        measures = pd.DataFrame(
            {
                "project_code": "PRJ-X1",
                "name": [f"Measure {i:03d}" for i in range(N_MEASURES)],
                "measure_type": "outcome",
                "frequency": "weekly",
                "chart_type": "xmr",
                "improvement_direction": "increase",
            }
        )
        import_file(s, "measures", _csv(measures), "measures.csv", ctx)
    return engine


def run_import_bench(repeats: int = 3) -> int:
    """Time both imports; print medians and whether the 10 s targets are met."""
    rng = np.random.default_rng(20250611)
    cases = [
        (
            "a",
            "100,000-row observation import (CSV, fresh measures)",
            "observations",
            observation_file(rng),
            {},
        ),
        (
            "b",
            "50,000-row NHS Digital workforce file (+ new organisations)",
            "workforce",
            workforce_file(rng),
            {"add_organisations": True},
        ),
    ]
    print(f"qinet bench import: median of {repeats} runs, each into a fresh SQLite database")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for key, text, kind, data, opts in cases:
            rows = data.count(b"\n") - 1
            runs, cpu = [], []
            for i in range(repeats):
                engine = _fresh(Path(tmp), f"{key}{i}.db")
                started, cpu_started = time.perf_counter(), time.process_time()
                with db.session_scope(engine) as s:
                    result = import_file(s, kind, data, f"{kind}.csv", Context("bench", **opts))
                runs.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
                engine.dispose()
            median = statistics.median(runs)
            met = median < 10
            ok &= met
            print(
                f"({key}) {text:<60} {rows:>7,} rows {median:6.2f} s "
                f"(CPU {statistics.median(cpu):.2f} s)  "
                f"target < 10 s: {'met' if met else 'MISSED'}  ({result.summary()})"
            )
    return 0 if ok else 1
