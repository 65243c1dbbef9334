"""NHS England *Making Data Count* SPC tool tables: a metric table and a raw data table.

A team that runs the MDC tool loads its two tables unchanged into one project:

* each ``MetricID`` becomes a measure of the chosen project (named ``MetricName``);
  a metric with several ``Group`` values (or ``Filter1``/``Filter2`` combinations)
  becomes **one measure per group**, named ``MetricName — Group`` — groups are wards
  or sites whose series are charted separately in the tool, never added together;
* ``ChartType`` XmR → an XmR chart (``Run`` → a run chart; T and G metrics are refused:
  load rare-event measures as t or g measures with the plain measures and observations
  kinds, one row per event); ``MetricImprovement`` Up / Down / Neither → increase /
  decrease / neutral; ``MetricFormat`` Percentage → unit "proportion";
* each data row becomes an observation (``Date`` as yyyymmdd, ISO or dd/mm/yyyy);
  ``GhostFlag`` 1 → a ghosted point (shown hollow, out of the limits);
  ``RecalculateLimitsFlag`` 1 → a phase break on that date; ``Annotation`` text → a note.

The other metric columns (conflict rule, date format, axis titles and limits, low-mean
warning) are read and not used. Re-loading the same tables changes nothing.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.imports.catalogue import KINDS
from qinet.imports.fields import Field
from qinet.imports.kinds import Context
from qinet.imports.problems import ImportRejected, Problem

METRIC_FIELDS = (
    Field("MetricID", "text", max_len=60, example="M1", note="links the data rows"),
    Field("MetricName", "text", max_len=180, example="Falls per 1,000 bed days"),
    Field("ChartType", "text", example="XmR", note="XmR or Run"),
    Field("MetricImprovement", "choice", choices=("Up", "Down", "Neither"), example="Down"),
    Field("MetricConflictRule", "text", False, example="Improvement"),
    Field("DateFormat", "text", False, example="d/m/yy"),
    Field("MetricFormat", "text", False, example="General", note="General or Percentage"),
    Field("LowMeanWarningValue", "text", False, example=""),
)

DATA_FIELDS = (
    Field("MetricID", "text", max_len=60, example="M1"),
    Field("Group", "text", False, max_len=60, example="Ward 7"),
    Field("GroupParent", "text", False, example=""),
    Field("GroupHierarchyOrder", "text", False, example=""),
    Field("Filter1", "text", False, max_len=60, example=""),
    Field("Filter2", "text", False, max_len=60, example=""),
    Field("Date", "text", example="20240401", note="yyyymmdd"),
    Field("Value", "float", example="6.2"),
    Field("RecalculateLimitsFlag", "bool", False, example="0"),
    Field("GhostFlag", "bool", False, example="0"),
    Field("Annotation", "text", False, max_len=4000, example=""),
)

CHARTS = {"xmr": "xmr", "i": "xmr", "run": "run"}
DIRECTIONS = {"up": "increase", "down": "decrease", "neither": "neutral"}


def looks_like_metrics(columns: list[str]) -> bool:
    """True when a header is an MDC metric table."""
    low = {str(c).strip().lower() for c in columns}
    return {"metricid", "metricname", "charttype"} <= low


def looks_like_data(columns: list[str]) -> bool:
    """True when a header is an MDC raw data table."""
    low = {str(c).strip().lower() for c in columns}
    return {"metricid", "date", "value"} <= low and "metricname" not in low


def parse_dates(s: pd.Series) -> pd.Series:
    """``20240401`` (the tool's yyyymmdd), ISO or dd/mm/yyyy; NaT where not a date."""
    text = s.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    out = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    out = out.fillna(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))
    return out.fillna(pd.to_datetime(text, format="%d/%m/%Y", errors="coerce"))


def _measure_name(name: str, parts: list[str]) -> str:
    extra = [p for p in parts if p]
    return " — ".join([name, *extra])[:200]


def build(
    s: Session,
    metrics: pd.DataFrame,
    data: pd.DataFrame,
    project_code: str,
    ctx: Context,
    file_name: str,
) -> dict[str, pd.DataFrame]:
    """Typed metric and data rows → measure, observation and annotation rows.

    Returns:
        ``{"measures": …, "observations": …, "annotations": …}``; the observation and
        annotation frames carry ``measure_name`` until measures have ids.

    Raises:
        ImportRejected: Unknown project, unsupported chart type, unknown metric ids,
            bad dates or a repeated date within one measure.
    """
    p: list[Problem] = []
    project_id = s.scalar(
        sa.select(m.Project.id).where(sa.func.lower(m.Project.code) == project_code.lower())
    )
    if project_id is None:
        raise ImportRejected(
            [Problem(f"{project_code!r} is not a known project code (--project)")], file_name
        )
    info: dict[str, dict] = {}
    for row, r in metrics.iterrows():
        chart = CHARTS.get(str(r["ChartType"]).strip().lower())
        if chart is None:
            p.append(
                Problem(
                    f"{r['ChartType']!r} charts are not loaded from MDC tables (XmR or "
                    "Run); load t and g measures with the measures and observations templates",
                    int(row),
                    "ChartType",
                )
            )
        fmt = str(r["MetricFormat"] or "").strip().lower()
        info[str(r["MetricID"]).strip().lower()] = {
            "name": r["MetricName"],
            "chart": chart,
            "direction": DIRECTIONS[str(r["MetricImprovement"]).lower()],
            "unit": "proportion" if fmt.startswith("perc") else "",
        }
    dates = parse_dates(data["Date"])
    for row in data.index[dates.isna()]:
        p.append(Problem(f"{data.at[row, 'Date']!r} is not a date (yyyymmdd)", int(row), "Date"))
    mid = data["MetricID"].map(lambda v: str(v).strip().lower())
    for row in data.index[~mid.isin(list(info))]:
        p.append(
            Problem(
                f"{data.at[row, 'MetricID']!r} is not in the metric table", int(row), "MetricID"
            )
        )
    if p:
        p.sort(key=lambda x: (x.row or 0, x.column or ""))
        raise ImportRejected(p, file_name)
    parts = data[["Group", "Filter1", "Filter2"]].fillna("")
    groups = parts.assign(mid=mid).drop_duplicates()
    split = groups.groupby("mid").size() > 1
    names = [
        _measure_name(info[k]["name"], [g, f1, f2] if split.get(k, False) else [])
        for k, g, f1, f2 in zip(
            mid, parts["Group"], parts["Filter1"], parts["Filter2"], strict=True
        )
    ]
    obs = pd.DataFrame(
        {
            "measure_name": names,
            "period_start": dates.dt.date,
            "value": data["Value"],
            "ghosted": data["GhostFlag"].fillna(False),
            "mid": mid,
        },
        index=data.index,
    )
    dup = obs.duplicated(["measure_name", "period_start"])
    for row in obs.index[dup]:
        p.append(
            Problem(
                f"a second value for {obs.at[row, 'measure_name']!r} on "
                f"{obs.at[row, 'period_start']}",
                int(row),
                "Date",
            )
        )
    if p:
        raise ImportRejected(p, file_name)
    measures = obs.drop_duplicates("measure_name")
    frequency = {}
    for name, part in obs.groupby("measure_name"):
        gaps = pd.Series(sorted(part["period_start"])).diff().dropna().map(lambda d: d.days)
        frequency[name] = "weekly" if len(gaps) and gaps.median() <= 10 else "monthly"
    mrows = pd.DataFrame(
        {
            "project_id": project_id,
            "name": measures["measure_name"],
            "measure_type": "outcome",
            "frequency": measures["measure_name"].map(frequency),
            "chart_type": measures["mid"].map(lambda k: info[k]["chart"]),
            "improvement_direction": measures["mid"].map(lambda k: info[k]["direction"]),
            "unit": measures["mid"].map(lambda k: info[k]["unit"]),
            "definition": "Loaded from the Making Data Count SPC tool tables",
        }
    )
    notes = []
    flags = data["RecalculateLimitsFlag"].fillna(False).astype(bool)
    for row in data.index[flags]:
        notes.append(
            (
                obs.at[row, "measure_name"],
                obs.at[row, "period_start"],
                "phase_break",
                "Limits recalculated (MDC tool)",
                "",
            )
        )
    for row in data.index[data["Annotation"].notna()]:
        text = str(data.at[row, "Annotation"])
        notes.append(
            (
                obs.at[row, "measure_name"],
                obs.at[row, "period_start"],
                "note",
                text[:200],
                text if len(text) > 200 else "",
            )
        )
    arows = pd.DataFrame(notes, columns=["measure_name", "on_date", "kind", "title", "detail"])
    arows["created_by"] = ctx.user_key
    arows["created_at"] = ctx.now
    return {"measures": mrows, "observations": obs.drop(columns="mid"), "annotations": arows}


def measure_ids(s: Session, project_id: int) -> dict[str, tuple[int, str]]:
    """Measure name (lower case) → (id, chart type) within a project."""
    rows = s.execute(
        sa.select(m.Measure.name, m.Measure.id, m.Measure.chart_type).where(
            m.Measure.project_id == project_id
        )
    )
    return {n.lower(): (i, str(getattr(c, "value", c))) for n, i, c in rows}


KIND_MEASURES = KINDS["measures"]
KIND_OBSERVATIONS = KINDS["observations"]
KIND_ANNOTATIONS = KINDS["annotations"]
