"""The synthetic demo network: deterministic, sized as documented, identical on SQLite and
PostgreSQL, and carrying every designed pattern (checked with plain pandas, not qinet.stats)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from qinet import db, demo
from qinet import models as m
from qinet.domain import StaffGroup

pytestmark = pytest.mark.db

KEY_TABLES = (
    "participant",
    "enrolment",
    "measure",
    "observation",
    "annotation",
    "survey_answer",
    "milestone",
    "workforce_baseline",
)


def _norm(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 9))
    if isinstance(value, bool):
        return str(int(value))
    return str(value)


def _checksum(engine, table: str) -> str:
    t = m.Base.metadata.tables[table]
    order = list(t.primary_key.columns)
    h = hashlib.sha256()
    with engine.connect() as conn:
        for row in conn.execute(sa.select(t).order_by(*order)):
            h.update("|".join(_norm(v) for v in row).encode())
            h.update(b"\n")
    return h.hexdigest()


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in m.Base.metadata.sorted_tables
        }


def _build(url: str, seed: int, spec: demo.SizeSpec | None = None) -> sa.Engine:
    engine = db.make_engine(url)
    db.create_schema(engine)
    with db.session_scope(engine) as s:
        if spec is None:
            demo.build(s, seed=seed, scale="small")
        else:
            demo.build_with_spec(s, seed=seed, spec=spec)
    return engine


@pytest.fixture(scope="module")
def pg_demo_engine(pg_server, demo_seed):
    url = pg_server.create_database("qinet_demo")
    engine = _build(url, demo_seed)
    yield engine
    engine.dispose()
    pg_server.drop_database(url)


@pytest.fixture(scope="module")
def frames(demo_engine) -> dict[str, pd.DataFrame]:
    with demo_engine.connect() as conn:
        return {
            name: pd.read_sql(sa.select(m.Base.metadata.tables[name]), conn)
            for name in (
                "measure",
                "observation",
                "annotation",
                "participant",
                "workforce_baseline",
                "milestone",
                "milestone_revision",
                "survey_response",
                "survey_wave",
                "survey",
                "project",
                "user_role",
                "directorate",
                "programme",
                "enrolment",
                "cohort",
            )
        }


# --- Determinism and sizes ------------------------------------------------------------------


def test_same_seed_same_rows_different_seed_different(tmp_path, demo_engine, demo_seed) -> None:
    again = _build(f"sqlite:///{tmp_path / 'again.db'}", demo_seed)
    other = _build(f"sqlite:///{tmp_path / 'other.db'}", demo_seed + 1)
    try:
        for table in KEY_TABLES:
            assert _checksum(again, table) == _checksum(demo_engine, table), table
        assert _checksum(other, "observation") != _checksum(demo_engine, "observation")
        assert _checksum(other, "participant") != _checksum(demo_engine, "participant")
    finally:
        again.dispose()
        other.dispose()


def test_small_sizes_in_range(demo_engine) -> None:
    n = _counts(demo_engine)
    assert n["organisation"] >= 4
    assert 10 <= n["directorate"] <= 14
    assert n["staff_group"] == len(StaffGroup) == 12
    assert n["programme"] == 5
    assert 10 <= n["cohort"] <= 20
    assert 300 <= n["participant"] <= 450
    assert 36 <= n["project"] <= 48
    assert 80 <= n["measure"] <= 100
    assert 1500 <= n["observation"] <= 5000
    assert n["survey"] >= 2 and n["survey_response"] >= 500
    assert 30 <= n["milestone"] <= 50 and n["milestone_revision"] > n["milestone"]
    assert n["user_role"] == len(demo.DEMO_USERS)
    # empty until someone imports a file or writes a board-pack commentary
    loaded_by_people = {"import_log", "staff_group_alias", "pack_commentary"}
    assert all(v > 0 for k, v in n.items() if v is not None and k not in loaded_by_people), n


def test_workforce_headcount_in_the_thousands(frames) -> None:
    wb = frames["workforce_baseline"]
    by_date = wb.groupby("as_at")["headcount"].sum()
    assert len(by_date) == 2
    assert all(8_000 <= v <= 12_000 for v in by_date)


def test_identical_on_sqlite_and_postgresql(demo_engine, pg_demo_engine) -> None:
    assert _counts(pg_demo_engine) == _counts(demo_engine)
    for table in (*KEY_TABLES, "survey_response", "event_group_count", "progress_score"):
        assert _checksum(pg_demo_engine, table) == _checksum(demo_engine, table), table


def test_postgresql_sequences_moved_past_demo_rows(pg_demo_engine) -> None:
    with db.session_scope(pg_demo_engine) as s:
        org = m.Organisation(code="NEW", name="New partner", kind="voluntary")
        s.add(org)
        s.flush()
        assert org.id > len(demo.ORGANISATIONS)
        s.rollback()


def test_dataset_info_marks_synthetic(demo_engine, demo_seed) -> None:
    with db.session_scope(demo_engine) as s:
        assert db.is_synthetic(s)
        assert s.get(m.DatasetInfo, "demo_seed").value == str(demo_seed)
        assert s.get(m.DatasetInfo, "demo_scale").value == "small"


def test_build_refuses_a_non_empty_database(demo_engine) -> None:
    with db.session_scope(demo_engine) as s, pytest.raises(demo.DatabaseNotEmptyError):
        demo.build(s, seed=1)


def test_unknown_scale_rejected(tmp_path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    db.create_schema(engine)
    with db.session_scope(engine) as s, pytest.raises(ValueError, match="scale"):
        demo.build(s, seed=1, scale="huge")
    engine.dispose()


def test_tiny_spec_builds_a_smaller_world(tmp_path) -> None:
    spec = demo.SizeSpec(projects=6, cohort_scale=0.3, pulse_waves=3, pulse_responses=(5, 8))
    engine = _build(f"sqlite:///{tmp_path / 'tiny.db'}", 3, spec)
    try:
        n = _counts(engine)
        assert n["project"] == 6
        assert n["participant"] < 200
        with engine.connect() as conn:
            waves = conn.execute(
                sa.text("SELECT count(*) FROM survey_wave WHERE kind = 'pulse' GROUP BY survey_id")
            ).scalars().all()
        assert waves == [3, 3]  # joy-in-work and psychological-safety pulses
    finally:
        engine.dispose()


def test_large_spec_is_larger_without_building_it() -> None:
    assert demo.LARGE.projects > 30 * demo.SMALL.projects
    assert demo.SPECS["large"] is demo.LARGE


# --- Designed patterns ----------------------------------------------------------------------


def _series(frames, name: str) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
    measure = frames["measure"].set_index("name").loc[name]
    obs = frames["observation"]
    obs = obs[obs["measure_id"] == measure["id"]].sort_values("period_start")
    ann = frames["annotation"]
    return measure, obs, ann[ann["measure_id"] == measure["id"]]


def _values(measure, obs: pd.DataFrame) -> tuple[np.ndarray, float, np.ndarray]:
    """y, centre line and per-point sigma for the measure's chart type."""
    chart = measure["chart_type"]
    if chart in ("p", "u"):
        num, den = obs["numerator"].to_numpy(float), obs["denominator"].to_numpy(float)
        y, centre = num / den, num.sum() / den.sum()
        sd = np.sqrt(centre * (1 - centre) / den) if chart == "p" else np.sqrt(centre / den)
        return y, centre, sd
    y = obs["value"].to_numpy(float)
    centre = y.mean()
    if chart == "c":
        return y, centre, np.full(len(y), np.sqrt(centre))
    return y, centre, np.full(len(y), np.abs(np.diff(y)).mean() / 1.128)


def _longest(signs) -> int:
    best = run = 0
    prev = 0
    for s in signs:
        run = run + 1 if s != 0 and s == prev else (1 if s != 0 else 0)
        prev = s
        best = max(best, run)
    return best


def _rules(y, centre, sd) -> dict[str, bool]:
    z = (y - centre) / sd
    two3 = any(
        ((z[i : i + 3] > 2).sum() >= 2) or ((z[i : i + 3] < -2).sum() >= 2)
        for i in range(len(z) - 2)
    )
    return {
        "outside": bool((np.abs(z) > 3).any()),
        "run7": _longest(np.sign(np.round(y - centre, 12))) >= 7,
        "trend6": _longest(np.sign(np.diff(y))) >= 5,
        "two_of_three": bool(two3),
    }


def test_every_pattern_is_designed_somewhere() -> None:
    designed = demo.designed_patterns()
    used = {p for pats in designed.values() for p in pats}
    assert used == set(demo.PATTERNS)
    assert demo.SHOWCASE_MEASURE in {name for _, name in designed}


def test_showcase_has_pdsa_then_trend_and_shift(frames) -> None:
    measure, obs, ann = _series(frames, demo.SHOWCASE_MEASURE)
    assert measure["chart_type"] == "xmr" and measure["improvement_direction"] == "increase"
    pdsa = ann[ann["kind"] == "pdsa"]["on_date"].min()
    assert pd.notna(pdsa)
    values = obs["value"].to_numpy(float)
    after = obs[obs["period_start"] >= pdsa]["value"].to_numpy(float)
    median = np.median(values)
    assert _longest(np.sign(after - median)) >= 6 and (after[-6:] > median).all()
    assert _longest(np.sign(np.diff(after))) >= 5  # 6 points rising
    assert demo.designed_patterns()[(demo.SHOWCASE_PROJECT, demo.SHOWCASE_MEASURE)] == (
        demo.SHIFT,
        demo.TREND,
    )


@pytest.mark.parametrize(("key", "patterns"), sorted(demo.designed_patterns().items()))
def test_designed_pattern_fires(frames, key, patterns) -> None:
    _, name = key
    measure, obs, ann = _series(frames, name)
    assert 12 <= len(obs) <= 60
    chart = measure["chart_type"]
    if chart == "p":
        assert (obs["numerator"] <= obs["denominator"]).all()
    if chart in ("p", "u"):
        assert obs["denominator"].gt(0).all() and obs["value"].isna().all()
    else:
        assert obs["value"].notna().all() and obs["denominator"].isna().all()
    y, centre, sd = _values(measure, obs)
    fired = _rules(y, centre, sd)
    if demo.STABLE in patterns:
        assert not any(fired.values()), fired
    if {demo.SHIFT, demo.DETERIORATION, demo.PHASE_BREAK} & set(patterns):
        assert fired["run7"]
    if demo.TREND in patterns:
        assert fired["trend6"]
    if demo.OUTLIER in patterns:
        assert fired["outside"]
    if demo.TWO_OF_THREE in patterns:
        assert fired["two_of_three"] and not fired["outside"]
    if demo.SHIFT in patterns or demo.TREND in patterns:
        assert (ann["kind"].isin(["pdsa", "change_idea"])).any()
    if demo.PHASE_BREAK in patterns:
        breaks = ann[ann["kind"] == "phase_break"]
        assert len(breaks) == 1 and breaks["detail"].str.len().iloc[0] > 10
    if demo.MISSING in patterns:
        step = 7 if measure["frequency"] == "weekly" else 31
        gaps = pd.to_datetime(obs["period_start"]).diff().dt.days.dropna()
        assert (gaps > step).any()


def test_improvement_shift_goes_the_right_way(frames) -> None:
    measure, obs, ann = _series(frames, "Time to antibiotics (minutes)")
    change = ann[ann["kind"] == "pdsa"]["on_date"].min()
    before = obs[obs["period_start"] < change]["value"].median()
    after = obs[obs["period_start"] >= change]["value"].median()
    assert measure["improvement_direction"] == "decrease" and after < before


# --- Reach, surveys, milestones, users ------------------------------------------------------


def test_reach_is_uneven(frames) -> None:
    wb = frames["workforce_baseline"]
    wb = wb[wb["as_at"] == wb["as_at"].max()].groupby("staff_group_code")["headcount"].sum()
    people = frames["participant"]["staff_group_code"].value_counts()
    rate = (people / wb).dropna()
    assert rate["estates_ancillary"] < rate["nursing_midwifery"] / 1.5
    assert rate["admin_clerical"] < rate["allied_health"]
    assert people.get("patient_carer", 0) >= 10 and people.get("volunteer", 0) >= 3


def test_support_services_programme_reaches_hard_to_reach(frames) -> None:
    prog = frames["programme"].set_index("name").loc[demo.SUPPORT_SERVICES_PROGRAMME, "id"]
    cohorts = frames["cohort"][frames["cohort"]["programme_id"] == prog]["id"]
    enrolled = frames["enrolment"][frames["enrolment"]["cohort_id"].isin(cohorts)]
    groups = enrolled.merge(frames["participant"], left_on="participant_id", right_on="id")
    hard = {g.value for g in StaffGroup if g.hard_to_reach}
    assert groups["staff_group_code"].isin(hard).mean() > 0.8


def test_enrolment_dates_are_consistent(frames) -> None:
    e = frames["enrolment"]
    assert (e["enrolled_on"].isna() | (e["enrolled_on"] >= e["applied_on"])).all()
    done = e[e["completed_on"].notna()]
    assert (done["completed_on"] >= done["enrolled_on"]).all()
    assert set(e["status"]) == {"applied", "enrolled", "completed", "withdrawn"}
    assert (e[e["status"] == "withdrawn"]["withdrawn_on"].notna()).all()


def test_capability_breakdowns_cross_the_suppression_threshold(frames) -> None:
    waves = frames["survey_wave"].merge(
        frames["survey"], left_on="survey_id", right_on="id", suffixes=("", "_survey")
    )
    capability = waves[waves["kind_survey"] == "capability"]["id"]
    r = frames["survey_response"]
    r = r[r["wave_id"].isin(capability)]
    assert r["participant_id"].notna().all()
    cells = r.groupby(["wave_id", "staff_group_code"]).size()
    assert (cells >= 11).any() and (cells < 11).any()
    pulse = frames["survey_response"][~frames["survey_response"]["wave_id"].isin(capability)]
    assert pulse["participant_id"].isna().all() and pulse["directorate_id"].notna().all()


def test_post_scores_higher_than_pre(demo_engine) -> None:
    sql = """
        SELECT w.kind, AVG(a.value) AS mean
        FROM survey_answer a JOIN survey_response r ON r.id = a.response_id
        JOIN survey_wave w ON w.id = r.wave_id WHERE w.kind IN ('pre', 'post') GROUP BY w.kind
    """
    with demo_engine.connect() as conn:
        means = dict(conn.execute(sa.text(sql)).all())
    assert means["post"] > means["pre"] + 0.5


def test_milestones_slipped_late_and_due_soon(frames) -> None:
    ms = frames["milestone"]
    today = demo.DEMO_TODAY
    slipped = ms[ms["forecast_date"] > ms["baseline_date"]]
    late = ms[(ms["forecast_date"] < today) & ms["actual_date"].isna()]
    due = ms[
        (ms["forecast_date"] >= today)
        & (ms["forecast_date"] <= today + timedelta(30))
        & ms["actual_date"].isna()
    ]
    done = ms[ms["status"] == "complete"]
    assert len(slipped) >= 3 and len(late) >= 2 and len(due) >= 2 and len(done) >= 5
    assert ms.groupby("programme_id").size().between(6, 10).all()
    revisions = frames["milestone_revision"].groupby("milestone_id").size()
    assert revisions.loc[slipped["id"]].min() >= 2


def test_demo_users_have_their_roles(frames) -> None:
    ur = frames["user_role"]
    dirs = frames["directorate"].set_index("id")["name"]
    progs = frames["programme"].set_index("id")["name"]
    for email, (role, scopes) in demo.DEMO_USERS.items():
        rows = ur[ur["user_key"] == email]
        assert set(rows["role"]) == {role.value}
        names = {dirs.get(d) for d in rows["directorate_id"].dropna()} | {
            progs.get(p) for p in rows["programme_id"].dropna()
        }
        assert names == set(scopes)
