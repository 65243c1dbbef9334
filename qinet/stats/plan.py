"""The one milestone rule: status, slip and due/late from the same dates, so they cannot disagree.

The Timeline page, the Overview's plan panel and the board pack all read
:func:`assess`; nothing else classifies a milestone. Pure pandas: no database.

For each milestone on ``today``:

* ``done`` — it has an actual date on or before today (or was recorded complete).
  ``done_late`` when the actual date is after the baseline (planned) date.
* ``cancelled`` — recorded as cancelled; left out of due and late.
* ``late`` — not done and today is past its planned date or its forecast
  (whichever comes first), or the lead recorded it late. A milestone planned for
  27 Jul and not done by 30 Sep is late even if its forecast has moved to October.
* ``at_risk`` — not late, but recorded at risk, or its forecast has slipped more than
  :data:`SLIP_TOLERANCE_DAYS` past the planned date.
* ``not_started`` / ``on_track`` — not late, not at risk: the recorded status.

Slip (days) is the expected date minus the planned date: the actual date when done;
otherwise the forecast (the planned date when there is none), but never earlier than
today for a milestone still open (it cannot now be done before today). Negative slip
is a milestone done, or forecast, early.

"Due soon" is an open milestone that is not late whose forecast falls between today
and today + :data:`DUE_SOON_DAYS` inclusive ("due today" is due, not late).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

SLIP_TOLERANCE_DAYS = 14  # a forecast up to two weeks past plan can still be "on track"
DUE_SOON_DAYS = 30  # "due in the next 30 days"

DONE, ON_TRACK, AT_RISK, LATE, NOT_STARTED, CANCELLED = (
    "done", "on_track", "at_risk", "late", "not_started", "cancelled",
)  # fmt: skip
STATES = (LATE, AT_RISK, ON_TRACK, NOT_STARTED, DONE, CANCELLED)

# Words and shapes, so colour never carries the status alone (WCAG 1.4.1).
STATE_LABEL = {
    DONE: "Done",
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    LATE: "Late",
    NOT_STARTED: "Not started",
    CANCELLED: "Cancelled",
}
STATE_SYMBOL = {  # Plotly marker symbols
    DONE: "circle",
    ON_TRACK: "diamond",
    AT_RISK: "triangle-up",
    LATE: "x",
    NOT_STARTED: "square-open",
    CANCELLED: "line-ew-open",
}
STATE_ICON = {DONE: "●", ON_TRACK: "◆", AT_RISK: "▲", LATE: "✖", NOT_STARTED: "□", CANCELLED: "—"}

_RECORDED_COMPLETE = "complete"


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce")


def assess(ms: pd.DataFrame, today: date) -> pd.DataFrame:
    """Status, slip and due/late for each milestone on ``today`` (see the module docstring).

    Args:
        ms: One row per milestone with ``baseline_date``, ``forecast_date`` (may be
            missing), ``actual_date`` (may be missing) and ``status`` (the recorded
            status: ``not_started``, ``on_track``, ``at_risk``, ``late``,
            ``complete`` or ``cancelled``).
        today: The data's "today".

    Returns:
        ``ms`` with ``state`` (one of :data:`STATES`), ``state_label``,
        ``expected_date``, ``slip_days`` (int), ``done_late`` (bool), ``due_soon`` (bool),
        ``days_overdue`` (int; 0 unless late) added.
    """
    out = ms.copy()
    if out.empty:
        return out.assign(
            state=pd.Series(dtype=object), state_label=pd.Series(dtype=object),
            expected_date=pd.Series(dtype="datetime64[ns]"),
            slip_days=pd.Series(dtype=int), done_late=pd.Series(dtype=bool),
            due_soon=pd.Series(dtype=bool), days_overdue=pd.Series(dtype=int),
        )  # fmt: skip
    day = pd.Timestamp(today)
    recorded = out["status"].astype(str).fillna("")
    baseline = _dates(out["baseline_date"])
    forecast = _dates(out["forecast_date"]).fillna(baseline)
    actual = _dates(out["actual_date"])
    actual = actual.where(actual <= day)  # an actual date in the future is not yet done

    cancelled = recorded.eq(CANCELLED)
    done = ~cancelled & (actual.notna() | recorded.eq(_RECORDED_COMPLETE))
    open_ = ~cancelled & ~done

    expected = actual.where(actual.notna(), forecast)
    expected = expected.where(~open_, forecast.where(forecast >= day, day))
    slip = (expected - baseline).dt.days.fillna(0).astype(int)

    first_due = pd.concat([baseline, forecast], axis=1).min(axis=1)
    late = open_ & ((first_due < day) | recorded.eq(LATE))
    at_risk = open_ & ~late & (recorded.eq(AT_RISK) | (slip > SLIP_TOLERANCE_DAYS))
    not_started = open_ & ~late & ~at_risk & recorded.eq(NOT_STARTED)

    state = pd.Series(ON_TRACK, index=out.index, dtype=object)
    state[not_started] = NOT_STARTED
    state[at_risk] = AT_RISK
    state[late] = LATE
    state[done] = DONE
    state[cancelled] = CANCELLED

    horizon = day + pd.Timedelta(days=DUE_SOON_DAYS)
    out["state"] = state
    out["state_label"] = state.map(STATE_LABEL)
    out["expected_date"] = expected
    out["slip_days"] = slip
    out["done_late"] = done & (slip > 0)
    out["due_soon"] = open_ & ~late & (forecast >= day) & (forecast <= horizon)
    overdue = (day - first_due).dt.days.clip(lower=0).fillna(0).astype(int)
    out["days_overdue"] = overdue.where(late, 0)
    return out


def counts(assessed: pd.DataFrame) -> dict[str, int]:
    """``{state: count}`` for every state in :data:`STATES` (zeros included)."""
    vc = assessed["state"].value_counts() if len(assessed) else pd.Series(dtype=int)
    return {s: int(vc.get(s, 0)) for s in STATES}


def slip_sentence(slip_days: int) -> str:
    """``"12 days late against plan"``, ``"3 days early"``, ``"On plan"`` — slip in words."""
    n = abs(int(slip_days))
    unit = "day" if n == 1 else "days"
    if slip_days > 0:
        return f"{n} {unit} behind plan"
    if slip_days < 0:
        return f"{n} {unit} ahead of plan"
    return "On plan"


def as_of(
    ms: pd.DataFrame, revs: pd.DataFrame, on: date, today: date | None = None
) -> pd.DataFrame:
    """:func:`assess` on a past date, from what the revisions said then.

    Each milestone takes the forecast and status of its latest revision made on or
    before ``on`` (its actual date only if it is on or before ``on``); milestones
    with no revision yet are ``not_planned`` and count nowhere else.

    Args:
        ms: Milestones (``milestone_id``, ``baseline_date``, ``actual_date``, …).
        revs: Revisions (``milestone_id``, ``revised_on``, ``forecast_date``, ``status``),
            oldest first.
        on: The date to look back to.
        today: The data's "today": on or after it, the current values are used as they are.

    Returns:
        The :func:`assess` columns, plus ``forecast_on`` (the forecast believed on ``on``).
    """
    if ms.empty:
        return assess(ms, on).assign(forecast_on=pd.Series(dtype=object))
    if today is not None and on >= today:
        return assess(ms, on).assign(forecast_on=ms["forecast_date"])
    known = revs[_dates(revs["revised_on"]) <= pd.Timestamp(on)]
    latest = known.groupby("milestone_id").tail(1).set_index("milestone_id")
    then = ms.copy()
    then["status"] = then["milestone_id"].map(latest["status"]).astype(object)
    then["forecast_date"] = then["milestone_id"].map(latest["forecast_date"])
    actual = _dates(then["actual_date"])
    then["actual_date"] = actual.where(actual <= pd.Timestamp(on))
    planned = then["status"].notna()
    out = assess(then.fillna({"status": ""}), on)
    out.loc[~planned, "state"] = "not_planned"
    out.loc[~planned, "state_label"] = "Not yet planned"
    out["forecast_on"] = then["forecast_date"]
    return out


def forecast_moves(revs: pd.DataFrame) -> pd.DataFrame:
    """How far each revision moved its milestone's forecast, in days (first revision: 0).

    Args:
        revs: Revisions of one or more milestones (``milestone_id``, ``forecast_date``),
            oldest first.

    Returns:
        ``revs`` with ``moved_days``: positive when the forecast moved later,
        negative when it was brought forward.
    """
    out = revs.copy()
    if out.empty:
        return out.assign(moved_days=pd.Series(dtype=int))
    fc = _dates(out["forecast_date"])
    prev = fc.groupby(out["milestone_id"]).shift(1)
    out["moved_days"] = (fc - prev).dt.days.fillna(0).astype(int)
    return out


_TABLE = ["programme", "title", "owner", "baseline_date", "forecast_date", "actual_date",
          "status", "days_slipped"]  # fmt: skip


def due_and_late(assessed: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three "due and late" lists, from :func:`assess` output (never a second rule).

    Args:
        assessed: :func:`assess` rows (with ``programme``, ``title``, ``owner``).

    Returns:
        ``(due, overdue, done_late)`` with ``programme``, ``title``, ``owner``,
        ``baseline_date``, ``forecast_date``, ``actual_date``, ``status``
        (the state in words), ``days_slipped``; ``overdue`` adds ``days_late``.
    """
    if assessed.empty:
        empty = pd.DataFrame(columns=_TABLE)
        return empty, empty.assign(days_late=pd.Series(dtype=int)), empty
    base = assessed.assign(status=assessed["state_label"], days_slipped=assessed["slip_days"])
    due = base.loc[base["due_soon"], _TABLE].sort_values(["forecast_date", "programme"])
    overdue = base.loc[base["state"].eq(LATE), [*_TABLE, "days_overdue"]]
    overdue = overdue.rename(columns={"days_overdue": "days_late"}).sort_values(
        ["days_late", "programme"], ascending=[False, True]
    )
    done_late = base.loc[base["done_late"], _TABLE].sort_values(
        ["actual_date", "programme"], ascending=[False, True]
    )
    return (due.reset_index(drop=True), overdue.reset_index(drop=True),
            done_late.reset_index(drop=True))  # fmt: skip
