"""Workforce baselines from qinet's template, NHS Digital workforce statistics or ESR extracts.

Recognised from the header:

* NHS Digital monthly workforce statistics: ``Month, Organisation code, Organisation
  name, Staff group, FTE`` (plus breakdown columns such as nationality, summed away);
* the long layout ``DATA_MONTH, DATA_LEVEL, …, ORG_CODE, ORG_NAME, MAIN_STAFF_GROUP,
  STAFF_GROUP_1, FTE, HEADCOUNT`` (rows whose ``DATA_LEVEL`` is national, regional…
  are skipped; ``STAFF_GROUP_1`` is used when present);
* ESR extracts and qinet's template (``as_at, organisation_code, directorate_code,
  staff_group, headcount, fte``).

Natural key: organisation, directorate (blank for an organisation-level baseline),
staff group and date. Rows sharing a key are summed (headcount and FTE apart).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qinet import models as m
from qinet.domain import OrganisationType
from qinet.imports import staffgroups
from qinet.imports.fields import Field, normalise_name
from qinet.imports.kinds import Context, Kind, resolve, staff_group_codes
from qinet.imports.problems import ImportRejected, Problem

FIELDS = (
    Field(
        "as_at",
        "month",
        example="2025-03-31",
        note="date of the snapshot, or a month such as 2017-SEP (month end)",
    ),
    Field(
        "organisation_code",
        "text",
        False,
        max_len=20,
        example="RXX",
        note="ODS code; organisation_name is used when the code is blank or unknown",
    ),
    Field("organisation_name", "text", False, max_len=200, example="Example Hospitals NHS Trust"),
    Field(
        "directorate_code",
        "text",
        False,
        max_len=20,
        example="RXX-MED",
        note="blank for an organisation-level baseline",
    ),
    Field(
        "staff_group",
        "text",
        max_len=200,
        example="Nurses & health visitors",
        note="qinet label, NHS Digital or ESR staff-group name (see staff_group_aliases)",
    ),
    Field("headcount", "float", False, minimum=0, example="412", note="people"),
    Field("fte", "float", False, minimum=0, example="371.24530", note="full-time equivalent"),
    Field(
        "data_level",
        "text",
        False,
        max_len=80,
        example="",
        note="rows at levels other than organisation (national, region…) are skipped",
    ),
)

HEADER_ALIASES = {
    "month": "as_at",
    "data_month": "as_at",
    "date": "as_at",
    "period": "as_at",
    "org_code": "organisation_code",
    "organisation_code": "organisation_code",
    "org_name": "organisation_name",
    "organisation": "organisation_name",
    "staff_group_1": "staff_group",
    "staff_group": "staff_group",
    "directorate": "directorate_code",
    "total_fte": "fte",
    "fte_total": "fte",
}

ORG_LEVELS = frozenset({"organisation", "org", "trust", "provider", "organisation level"})


def prepare(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Pick the staff-group column and drop rows at other levels or aggregates.

    Returns:
        The frame to validate and notes for the report (rows skipped and why).
    """
    notes: list[str] = []
    names = {normalise_name(c): c for c in frame.columns}
    if "staff_group_1" in names and "main_staff_group" in names:
        frame = frame.drop(columns=[names["main_staff_group"]])
    elif "main_staff_group" in names and "staff_group" not in names:
        frame = frame.rename(columns={names["main_staff_group"]: "staff_group"})
    if "data_level" in names:
        level = frame[names["data_level"]].astype(str).str.strip().str.lower()
        keep = level.isin(ORG_LEVELS) | (level == "")
        if (~keep).any():
            notes.append(f"{int((~keep).sum()):,} rows at other levels (national, region…) skipped")
        frame = frame[keep]
    group_col = next(
        (c for c in frame.columns if HEADER_ALIASES.get(normalise_name(c)) == "staff_group"), None
    )
    if group_col is not None:
        agg = frame[group_col].map(staffgroups.norm).isin(staffgroups.AGGREGATES)
        if agg.any():
            notes.append(f"{int(agg.sum()):,} total or grouping rows skipped")
        frame = frame[~agg]
    return frame, notes


def _guess_kind(name: str) -> str:
    low = name.lower()
    if "mental health" in low or "partnership" in low:
        return OrganisationType.MENTAL_HEALTH_TRUST.value
    if "community" in low or "primary care" in low:
        return OrganisationType.COMMUNITY_PRIMARY_CARE.value
    return OrganisationType.ACUTE_TRUST.value


def _organisations(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.Series:
    by_code = {
        str(c).lower(): i for c, i in s.execute(sa.select(m.Organisation.code, m.Organisation.id))
    }
    by_name = {
        str(n).lower(): i for n, i in s.execute(sa.select(m.Organisation.name, m.Organisation.id))
    }
    code = df["organisation_code"].map(lambda v: by_code.get(str(v).lower()) if v else None)
    name = df["organisation_name"].map(lambda v: by_name.get(str(v).lower()) if v else None)
    ids = code.where(code.notna(), name)
    none = df["organisation_code"].isna() & df["organisation_name"].isna()
    for row in df.index[none]:
        p.append(
            Problem(
                "an organisation_code or organisation_name is required",
                int(row),
                "organisation_code",
            )
        )
    unknown = ids.isna() & ~none
    if unknown.any():
        pairs = df.loc[unknown, ["organisation_code", "organisation_name"]].drop_duplicates()
        if ctx.add_organisations:
            for code_v, name_v in pairs.itertuples(index=False):
                new = m.Organisation(
                    code=str(code_v or name_v)[:20],
                    name=str(name_v or code_v),
                    kind=_guess_kind(str(name_v or "")),
                )
                s.add(new)
                s.flush()
                for row in df.index[
                    unknown
                    & (df["organisation_code"].fillna("") == (code_v or ""))
                    & (df["organisation_name"].fillna("") == (name_v or ""))
                ]:
                    ids[row] = new.id
        else:
            listed = "; ".join(
                f"{c or '?'} {n or ''}".strip() for c, n in pairs.itertuples(index=False)
            )
            p.append(
                Problem(
                    f"{len(pairs)} unknown organisation{'s' if len(pairs) != 1 else ''}: "
                    f"{listed}. Load them as organisations first, or import with "
                    "--add-organisations (tick 'add unknown organisations' on the Data "
                    "page)",
                    column="organisation_code",
                )
            )
    return ids


def _build(s: Session, df: pd.DataFrame, ctx: Context, p: list[Problem]) -> pd.DataFrame:
    org = _organisations(s, df, ctx, p)
    dirs = {
        str(c).lower(): (i, o)
        for c, i, o in s.execute(
            sa.select(m.Directorate.code, m.Directorate.id, m.Directorate.organisation_id)
        )
    }
    dir_id = resolve(
        df, "directorate_code", {k: v[0] for k, v in dirs.items()}, "directorate code", p
    )
    for row in df.index[dir_id.notna() & org.notna()]:
        code = str(df.at[row, "directorate_code"]).lower()
        if dirs[code][1] != org[row]:
            p.append(
                Problem(
                    f"{df.at[row, 'directorate_code']!r} belongs to another organisation",
                    int(row),
                    "directorate_code",
                )
            )
    group = staff_group_codes(s, df, "staff_group", p)
    neither = df["headcount"].isna() & df["fte"].isna()
    for row in df.index[neither]:
        p.append(Problem("a headcount or an fte is required", int(row), "headcount"))
    out = pd.DataFrame(
        {
            "organisation_id": org,
            "directorate_id": dir_id,
            "staff_group_code": group,
            "as_at": df["as_at"],
            "headcount": df["headcount"],
            "fte": df["fte"],
        }
    )
    if p:
        return out
    keys = ["organisation_id", "directorate_id", "staff_group_code", "as_at"]
    summed = (
        out.groupby(keys, dropna=False, sort=False)
        .agg(
            headcount=("headcount", lambda x: x.dropna().sum() if x.notna().any() else None),
            fte=("fte", lambda x: round(float(x.dropna().sum()), 5) if x.notna().any() else None),
        )
        .reset_index()
    )
    summed["headcount"] = summed["headcount"].map(
        lambda v: None if v is None or pd.isna(v) else int(round(v))
    )
    return summed.astype(object).where(summed.notna(), None)


KIND = Kind(
    "workforce",
    "Workforce baseline (headcount and FTE)",
    m.Base.metadata.tables["workforce_baseline"],
    FIELDS,
    (),
    ("organisation_id", "directorate_id", "staff_group_code", "as_at"),
    "organisation, directorate (blank at organisation level), staff group and date",
    _build,
)


def check_rows(rows: pd.DataFrame, file_name: str) -> None:
    """Refuse a file with nothing left after skipping other levels and totals."""
    if rows.empty:
        raise ImportRejected([Problem("no organisation-level staff-group rows to load")], file_name)
