"""Reach against the workforce: the one computation behind the Overview and Engagement.

Pure (no Streamlit). :func:`staff_group_raw` reads the scoped counts (aggregated in SQL by
:mod:`qinet.queries.engagement`); :func:`reach_table` adds rates, shares, the
representation ratio and the under-represented flag, suppressed. The Overview's reach
tile, chart and call-out and the Engagement page's reach tables all come from here, so
"hard to reach", a programme's target groups and "under-represented" mean one thing.

Definitions (stated on the page):

* **Hard to reach**: a fixed list of staff groups (setting ``QINET_HARD_TO_REACH``).
* **Under-represented**: a measured comparison: the group's share of participants is below
  ``QINET_UNDER_REPRESENTED_RATIO`` × its share of the workforce (its representation ratio).
  A group whose count is suppressed is flagged only when even ``threshold − 1`` people would
  be too few.
* A programme aimed at named staff groups (``programme_target_group``) is measured against
  those groups' workforce only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from qinet import db
from qinet.access import Viewer
from qinet.domain import StaffGroup
from qinet.filters import Filters
from qinet.queries import engagement as q
from qinet.stats.suppression import suppress_rows

if TYPE_CHECKING:  # views read settings the page passes in; no runtime dependency
    from qinet.config import Settings

SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class ReachRules:
    """The two definitions the page states: hard to reach (a list) and under-represented.

    Attributes:
        hard_to_reach: Staff-group codes (``QINET_HARD_TO_REACH``).
        ratio: Flag a group whose representation ratio is below this
            (``QINET_UNDER_REPRESENTED_RATIO``).
        spc_preset: Rule set for the reach p-chart (``QINET_SPC_PRESET``).
    """

    hard_to_reach: tuple[str, ...] = tuple(g.value for g in StaffGroup if g.hard_to_reach)
    ratio: float = 0.5
    spc_preset: str = "MDC_2024"

    @classmethod
    def from_settings(cls, settings: Settings) -> ReachRules:
        """The definitions from the deployment's settings (one place for every page)."""
        return cls(
            hard_to_reach=tuple(settings.hard_to_reach),
            ratio=float(settings.under_represented_ratio),
            spc_preset=str(settings.spc_preset),
        )

    def hard_to_reach_labels(self) -> list[str]:
        """The hard-to-reach groups' labels, in the setting's order."""
        return [StaffGroup(c).label for c in self.hard_to_reach]

    def rule_text(self) -> str:
        """The under-represented rule in words."""
        return (
            "Under-represented: a staff group's share of participants is below "
            f"{self.ratio:g} × its share of the workforce (representation ratio below "
            f"{self.ratio:g})."
        )


def reach_table(
    raw: pd.DataFrame, key: str, threshold: int, ratio: float
) -> tuple[pd.DataFrame, float]:
    """Participation per row against the workforce, suppressed, with the flag.

    Args:
        raw: One row per group: ``key`` (its label), ``engaged``, ``headcount`` (0 when
            unknown) and optionally ``in_denominator`` (False for a staff group outside a
            programme's targets) and ``hard_to_reach``.
        key: The label column (``staff_group``, ``directorate`` or ``organisation``).
        threshold: Smallest count that may be shown.
        ratio: Representation ratio below which a row is under-represented.

    Returns:
        ``(table, overall_rate)``; the table keeps the input columns and adds ``rate``,
        ``per_1000``, ``share_participants``, ``share_workforce``, ``representation``,
        ``suppressed``, ``under_represented`` and ``engaged_text``. Counts and the values
        derived from them are NaN where suppressed (primary and secondary).
    """
    df = raw.copy()
    if "in_denominator" not in df:
        df["in_denominator"] = True
    if "hard_to_reach" not in df:
        df["hard_to_reach"] = False
    extra = ["rate", "per_1000", "share_participants", "share_workforce", "representation",
             "suppressed", "under_represented", "engaged_text"]  # fmt: skip
    if df.empty:
        return pd.DataFrame(columns=[*df.columns, *extra]), float("nan")
    df["engaged"] = df["engaged"].astype(int)
    df["headcount"] = df["headcount"].astype(int)
    base = df["in_denominator"].astype(bool) & (df["headcount"] > 0)
    total_h = float(df.loc[base, "headcount"].sum())
    total_e = float(df.loc[base, "engaged"].sum())
    overall = total_e / total_h if total_h else float("nan")
    h = df["headcount"].where(base).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df["rate"] = df["engaged"] / h
        df["per_1000"] = df["rate"] * 1000
        df["share_participants"] = np.where(base, df["engaged"] / total_e, np.nan) if total_e \
            else np.nan  # fmt: skip
        df["share_workforce"] = h / total_h if total_h else np.nan
        df["representation"] = df["rate"] / overall if overall else np.nan
    cols = ["rate", "per_1000", "share_participants", "representation"]
    out = suppress_rows(df, "engaged", cols, threshold)
    hidden = out["suppressed"].to_numpy(dtype=bool)
    raw_e = df["engaged"].to_numpy(dtype=float)
    primary = hidden & (raw_e > 0) & (raw_e < threshold)
    with np.errstate(invalid="ignore", divide="ignore"):
        best = ((threshold - 1) / h.to_numpy(float)) / overall if overall else np.nan
        rep = out["representation"].to_numpy(float)
        flag = np.where(primary, best < ratio, ~hidden & (rep < ratio))
    out["under_represented"] = base.to_numpy() & flag & np.isfinite(overall)
    out["engaged_text"] = np.where(
        hidden, SUPPRESSED, [f"{int(v):,}" if not pd.isna(v) else "" for v in out["engaged"]]
    )
    return out.reset_index(drop=True), overall


def label_codes(labels: pd.DataFrame, code_col: str, name: str) -> dict:
    """Code → label mapping from a reference frame."""
    return dict(zip(labels[code_col], labels[name], strict=True))


def staff_rows(
    people: pd.DataFrame, workforce: pd.DataFrame, groups: pd.DataFrame,
    rules: ReachRules, targets: tuple[str, ...], staff_group: str | None,
) -> pd.DataFrame:  # fmt: skip
    """Staff groups with participants and headcount (Overview-compatible columns)."""
    g = groups.copy()
    if staff_group is not None:
        g = g[g["staff_group"] == staff_group]
    e = people.groupby("staff_group_code", as_index=False)["participants"].sum()
    w = workforce.groupby("staff_group_code", as_index=False)["headcount"].sum()
    out = g.merge(e, on="staff_group_code", how="left").merge(w, on="staff_group_code",
                                                                 how="left")  # fmt: skip
    out["engaged"] = pd.to_numeric(out["participants"]).fillna(0).astype(int)
    out["is_staff"] = out["is_staff"].astype(bool)
    out["headcount"] = pd.to_numeric(out["headcount"]).fillna(0).astype(int).where(
        out["is_staff"], 0
    )
    out["hard_to_reach"] = out["staff_group_code"].isin(rules.hard_to_reach)
    out["target"] = out["staff_group_code"].isin(targets) if targets else out["is_staff"]
    out["in_denominator"] = out["target"]
    if targets:
        # The Overview's tile and chart read ``headcount``: outside the targets it is not
        # part of this programme's reach.
        out.loc[~out["target"], "headcount"] = 0
    return out.drop(columns="participants").reset_index(drop=True)


def staff_group_raw(
    engine: Engine, viewer: Viewer, f: Filters, as_of: date, rules: ReachRules
) -> pd.DataFrame:
    """Participants and headcount per staff group at ``as_of`` (the Overview's reach input).

    Args:
        engine: Database engine.
        viewer: Who is looking (scope applied in every query).
        f: Filters.
        as_of: Participants enrolled by, and the baseline at or before, this date.
        rules: Hard-to-reach list (fills ``hard_to_reach``).

    Returns:
        ``staff_group_code``, ``staff_group``, ``is_staff``, ``sort_order``, ``engaged``,
        ``headcount`` (0 outside the denominator), ``hard_to_reach``, ``target``,
        ``in_denominator``. Raw counts: pass through :func:`reach_table`.
    """
    with db.session_scope(engine) as s:
        people = q.participants_by_cell(s, viewer, f, as_of)
        workforce = workforce_for(q.workforce_cells(s, viewer, f, as_of), s, f)
        groups = q.staff_groups(s)
        _, targets = q.target_groups(s, viewer, f)
    return staff_rows(people, workforce, groups, rules, targets, f.staff_group)


def workforce_for(cells: pd.DataFrame, s: Session, f: Filters) -> pd.DataFrame:
    """Baseline cells of the staff-group filter's group only (all when no filter)."""
    if f.staff_group is None or cells.empty:
        return cells
    groups = q.staff_groups(s)
    codes = set(groups.loc[groups["staff_group"] == f.staff_group, "staff_group_code"])
    return cells[cells["staff_group_code"].isin(codes)]


def place_rows(
    people: pd.DataFrame, workforce: pd.DataFrame, staff_codes: set[str], key_id: str,
    names: pd.DataFrame, key: str, hard: set[str],
) -> pd.DataFrame:  # fmt: skip
    """Participants (staff in the denominator groups) and headcount per directorate/organisation."""
    p = people[people["staff_group_code"].isin(staff_codes) & people[key_id].notna()]
    w = workforce[workforce["staff_group_code"].isin(staff_codes) & workforce[key_id].notna()]
    e = p.groupby(key_id, as_index=False)["participants"].sum()
    h = w.groupby(key_id, as_index=False)["headcount"].sum()
    ids = names[[key_id, key]]
    ids = ids[ids[key_id].isin(set(h[key_id]) | set(e[key_id]))]
    out = ids.merge(e, on=key_id, how="left").merge(h, on=key_id, how="left")
    out["engaged"] = pd.to_numeric(out["participants"]).fillna(0).astype(int)
    out["headcount"] = pd.to_numeric(out["headcount"]).fillna(0).astype(int)
    hard_e = p[p["staff_group_code"].isin(hard)].groupby(key_id)["participants"].sum()
    out["hard_to_reach_engaged"] = out[key_id].map(hard_e).fillna(0).astype(int)
    out["in_denominator"] = True
    return out.drop(columns="participants").sort_values(key).reset_index(drop=True)


# --- display helpers (shared by the engagement views) ---------------------------


def pct(v: float, digits: int = 1) -> str:
    """A share as a percentage, blank when missing."""
    return "" if v is None or pd.isna(v) else f"{v:.{digits}%}"


def num(v: float, digits: int = 1) -> str:
    """A number with thousands separators, blank when missing."""
    return "" if v is None or pd.isna(v) else f"{v:,.{digits}f}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 person``, ``2 people``: a count with the right noun."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def suppress_small(df: pd.DataFrame, count: str, threshold: int,
                     derived: list[str] | None = None) -> pd.DataFrame:  # fmt: skip
    """Rows with ``count`` suppressed (primary and secondary); empty frames pass through."""
    if df.empty:
        return df.assign(suppressed=pd.Series(dtype=bool))
    return suppress_rows(df.reset_index(drop=True), count, derived or [], threshold)


def count_text(v: float) -> str:
    """A count as shown: "suppressed" where hidden."""
    return SUPPRESSED if pd.isna(v) else f"{int(v):,}"


def reach_frames(table: pd.DataFrame, key: str, label: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(display, extract) for a reach table."""
    shown = table
    display = pd.DataFrame({
        label: shown[key].astype(str),
        "Participants": shown["engaged_text"],
        "Headcount": [f"{int(h):,}" if h > 0 else "—" for h in shown["headcount"]],
        "Per 1,000 headcount": shown["per_1000"].map(num),
        "Share of participants": shown["share_participants"].map(pct),
        "Share of workforce": shown["share_workforce"].map(pct),
        "Representation ratio": shown["representation"].map(lambda v: num(v, 2)),
        "Under-represented": np.where(shown["under_represented"], "⚠ Yes", ""),
    })  # fmt: skip
    if "hard_to_reach" in shown and key == "staff_group":
        display.insert(1, "Hard to reach", np.where(shown["hard_to_reach"], "Yes", ""))
    extract = pd.DataFrame({
        label: shown[key].astype(str),
        "Participants": shown["engaged"],
        "Suppressed": np.where(shown["suppressed"], "yes", ""),
        "Headcount": shown["headcount"].where(shown["headcount"] > 0),
        "Participants per 1,000 headcount": shown["per_1000"].round(1),
        "Share of participants (%)": (shown["share_participants"] * 100).round(1),
        "Share of workforce (%)": (shown["share_workforce"] * 100).round(1),
        "Representation ratio": shown["representation"].round(2),
        "Under-represented": np.where(shown["under_represented"], "yes", ""),
    })  # fmt: skip
    if key == "staff_group":
        extract.insert(1, "Hard to reach", np.where(shown["hard_to_reach"], "yes", ""))
    return display, extract
