"""The demo world's catalogue, as pure data.

Organisations, workforce mixes, programmes, projects and measures, and the SPC
patterns each measure is designed to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from qinet.domain import (
    ChartType,
    Frequency,
    ImprovementDirection,
    MeasureType,
    OrganisationType,
    ProgrammeKind,
    StaffGroup,
)

SG = StaffGroup

# --- Designed SPC patterns -----------------------------------------------------------------

STABLE = "stable"
SHIFT = "shift"
TREND = "trend"
OUTLIER = "outlier"
TWO_OF_THREE = "two_of_three"
PHASE_BREAK = "phase_break"
DETERIORATION = "deterioration"
MISSING = "missing"

PATTERNS: Mapping[str, str] = MappingProxyType(
    {
        STABLE: "common-cause variation only: no point outside the limits, no run of 7, "
        "no trend of 6, no two-of-three beyond 2 sigma",
        SHIFT: "a sustained shift (at least 9 points) in the improvement direction, starting "
        "at a dated PDSA annotation",
        TREND: "7 consecutive points moving in the improvement direction (after a PDSA)",
        OUTLIER: "a single astronomical point well beyond the 3-sigma limits",
        TWO_OF_THREE: "two of three consecutive points beyond 2 sigma (inside 3 sigma), same side",
        PHASE_BREAK: "a step change embedded by a change idea, recorded as a phase_break "
        "annotation with its reason (limits recalculated from there)",
        DETERIORATION: "a sustained shift in the wrong direction (special cause concern)",
        MISSING: "one to three periods with no observation",
    }
)

SUPPORT_SERVICES_PROGRAMME = "Behind the Scenes: Support Services QI"
SHOWCASE_MEASURE = "Discharges before noon (%)"
SHOWCASE_PROJECT = "Home for lunch: earlier discharges on medical wards"

# --- Reference catalogues --------------------------------------------------------------------

ORGANISATIONS: tuple[tuple[str, str, OrganisationType], ...] = (
    ("KMH", "Kestrel Moor Hospitals NHS Foundation Trust", OrganisationType.ACUTE_TRUST),
    ("WMW", "Wexley Mind & Wellbeing NHS Trust", OrganisationType.MENTAL_HEALTH_TRUST),
    ("KCP", "Kestrel Moor Community & Primary Care Partnership",
     OrganisationType.COMMUNITY_PRIMARY_CARE),
    ("WCA", "Wexley Care & Voluntary Alliance", OrganisationType.SOCIAL_CARE),
    ("UWX", "University of Wexley Improvement Science Unit", OrganisationType.ACADEMIC),
)  # fmt: skip

# Workforce mix profiles: share of headcount by staff group.
MIX: dict[str, dict[StaffGroup, float]] = {
    "ward": {SG.NURSING_MIDWIFERY: 0.40, SG.MEDICAL_DENTAL: 0.14, SG.ALLIED_HEALTH: 0.06,
             SG.ADDITIONAL_CLINICAL: 0.24, SG.ESTATES_ANCILLARY: 0.03,
             SG.ADMIN_CLERICAL: 0.10, SG.HEALTHCARE_SCIENTISTS: 0.01,
             SG.ADD_PROF_SCIENTIFIC: 0.01, SG.STUDENTS: 0.01},
    "maternity": {SG.NURSING_MIDWIFERY: 0.46, SG.MEDICAL_DENTAL: 0.12, SG.ALLIED_HEALTH: 0.05,
                  SG.ADDITIONAL_CLINICAL: 0.22, SG.ESTATES_ANCILLARY: 0.02,
                  SG.ADMIN_CLERICAL: 0.10, SG.STUDENTS: 0.03},
    "diagnostics": {SG.NURSING_MIDWIFERY: 0.06, SG.MEDICAL_DENTAL: 0.10, SG.ALLIED_HEALTH: 0.22,
                    SG.ADDITIONAL_CLINICAL: 0.12, SG.ADMIN_CLERICAL: 0.14,
                    SG.HEALTHCARE_SCIENTISTS: 0.24, SG.ADD_PROF_SCIENTIFIC: 0.12},
    "estates": {SG.ESTATES_ANCILLARY: 0.74, SG.ADMIN_CLERICAL: 0.14,
                SG.ADDITIONAL_CLINICAL: 0.06, SG.ADD_PROF_SCIENTIFIC: 0.06},
    "corporate": {SG.ADMIN_CLERICAL: 0.84, SG.ADD_PROF_SCIENTIFIC: 0.06,
                  SG.NURSING_MIDWIFERY: 0.04, SG.ESTATES_ANCILLARY: 0.06},
    "mental_health": {SG.NURSING_MIDWIFERY: 0.34, SG.MEDICAL_DENTAL: 0.07,
                      SG.ALLIED_HEALTH: 0.09, SG.ADDITIONAL_CLINICAL: 0.28,
                      SG.ADMIN_CLERICAL: 0.12, SG.ADD_PROF_SCIENTIFIC: 0.08,
                      SG.ESTATES_ANCILLARY: 0.02},
    "community": {SG.NURSING_MIDWIFERY: 0.44, SG.ALLIED_HEALTH: 0.18,
                  SG.ADDITIONAL_CLINICAL: 0.20, SG.ADMIN_CLERICAL: 0.14,
                  SG.MEDICAL_DENTAL: 0.02, SG.STUDENTS: 0.02},
    "primary_care": {SG.NURSING_MIDWIFERY: 0.18, SG.MEDICAL_DENTAL: 0.16,
                     SG.ALLIED_HEALTH: 0.06, SG.ADDITIONAL_CLINICAL: 0.16,
                     SG.ADMIN_CLERICAL: 0.40, SG.ADD_PROF_SCIENTIFIC: 0.04},
    "social_care": {SG.ADDITIONAL_CLINICAL: 0.70, SG.ADMIN_CLERICAL: 0.14,
                    SG.ALLIED_HEALTH: 0.06, SG.NURSING_MIDWIFERY: 0.04,
                    SG.ESTATES_ANCILLARY: 0.06},
    "academic": {SG.ADD_PROF_SCIENTIFIC: 0.55, SG.ADMIN_CLERICAL: 0.30,
                 SG.HEALTHCARE_SCIENTISTS: 0.10, SG.STUDENTS: 0.05},
}  # fmt: skip

# (organisation code, directorate code, name, mix profile, headcount)
DIRECTORATES: tuple[tuple[str, str, str, str, int], ...] = (
    ("KMH", "MED", "Medicine", "ward", 2200),
    ("KMH", "SUR", "Surgery", "ward", 1650),
    ("KMH", "WAC", "Women & Children", "maternity", 900),
    ("KMH", "DIA", "Diagnostics", "diagnostics", 760),
    ("KMH", "EST", "Estates & Facilities", "estates", 880),
    ("KMH", "COR", "Corporate Services", "corporate", 700),
    ("WMW", "AMH", "Adult Mental Health", "mental_health", 1050),
    ("WMW", "OPM", "Older People's Mental Health", "mental_health", 460),
    ("KCP", "CNS", "Community Nursing", "community", 820),
    ("KCP", "PCN", "Primary Care Network", "primary_care", 480),
    ("WCA", "ASC", "Adult Social Care", "social_care", 560),
    ("UWX", "ISU", "Improvement Science", "academic", 60),
)

EXTRA_DIRECTORATES: tuple[tuple[str, str, str], ...] = (
    ("KMH", "Emergency Care", "ward"), ("KMH", "Cancer Services", "ward"),
    ("KMH", "Theatres & Anaesthetics", "ward"), ("KMH", "Cardiology", "ward"),
    ("KMH", "Children's Services", "maternity"), ("KMH", "Pharmacy", "diagnostics"),
    ("KMH", "Pathology", "diagnostics"), ("KMH", "Radiology", "diagnostics"),
    ("KMH", "Therapies", "community"), ("KMH", "Catering & Hotel Services", "estates"),
    ("KMH", "Digital Services", "corporate"), ("KMH", "Finance", "corporate"),
    ("WMW", "Learning Disabilities", "mental_health"),
    ("WMW", "Children & Young People's MH", "mental_health"),
    ("WMW", "Forensic Services", "mental_health"), ("WMW", "Crisis Services", "mental_health"),
    ("WMW", "Support Services", "estates"), ("KCP", "Urgent Community Response", "community"),
    ("KCP", "District Nursing East", "community"), ("KCP", "District Nursing West", "community"),
    ("KCP", "Practice Support", "primary_care"), ("WCA", "Home Care", "social_care"),
    ("WCA", "Residential Care", "social_care"), ("WCA", "Volunteer Services", "corporate"),
)  # fmt: skip

# Relative propensity of each staff group to take part in the general programmes.
PROPENSITY: dict[StaffGroup, float] = {
    SG.NURSING_MIDWIFERY: 1.0, SG.MEDICAL_DENTAL: 0.8, SG.ALLIED_HEALTH: 1.5,
    SG.ADDITIONAL_CLINICAL: 0.18, SG.ESTATES_ANCILLARY: 0.07, SG.ADMIN_CLERICAL: 0.22,
    SG.HEALTHCARE_SCIENTISTS: 0.7, SG.ADD_PROF_SCIENTIFIC: 1.0, SG.STUDENTS: 0.5,
}  # fmt: skip
# The support-services programme recruits exactly the groups the others miss.
SUPPORT_MIX: dict[StaffGroup, float] = {
    SG.ESTATES_ANCILLARY: 0.38, SG.ADDITIONAL_CLINICAL: 0.27, SG.ADMIN_CLERICAL: 0.30,
    SG.ADD_PROF_SCIENTIFIC: 0.05,
}  # fmt: skip

BANDS: dict[StaffGroup, tuple[str, ...]] = {
    SG.NURSING_MIDWIFERY: ("Band 5", "Band 5", "Band 6", "Band 6", "Band 7", "Band 8a"),
    SG.MEDICAL_DENTAL: ("Medical", ),
    SG.ALLIED_HEALTH: ("Band 5", "Band 6", "Band 6", "Band 7", "Band 8a"),
    SG.ADDITIONAL_CLINICAL: ("Band 2", "Band 3", "Band 3", "Band 4"),
    SG.ESTATES_ANCILLARY: ("Band 2", "Band 2", "Band 3", "Band 4"),
    SG.ADMIN_CLERICAL: ("Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7"),
    SG.HEALTHCARE_SCIENTISTS: ("Band 5", "Band 6", "Band 7", "Band 8a", "Band 8b"),
    SG.ADD_PROF_SCIENTIFIC: ("Band 6", "Band 7", "Band 8a", "Band 8b"),
    SG.STUDENTS: ("Student", ),
}  # fmt: skip


@dataclass(frozen=True)
class ProgrammeDef:
    """One improvement programme of the demo network and who it draws in."""

    code: str
    name: str
    kind: ProgrammeKind
    lead_org: str
    description: str
    starts_on: date
    ends_on: date | None
    cohorts: tuple[tuple[str, date, date, int], ...]  # name, start, end, planned places
    support_mix: bool = False
    capability_survey: bool = False


PROGRAMMES: tuple[ProgrammeDef, ...] = (
    ProgrammeDef(
        "NET", "Kestrel Vale Improvement Network", ProgrammeKind.NETWORK, "KMH",
        "A cross-organisation network of people who deliver, manage or use services, with an "
        "improvement development scheme that pairs each member with a mentor and a project.",
        date(2023, 4, 1), None,
        (("Development Scheme 2023/24", date(2023, 9, 1), date(2024, 6, 30), 30),
         ("Development Scheme 2024/25", date(2024, 9, 1), date(2025, 6, 30), 32),
         ("Development Scheme 2025/26", date(2025, 9, 1), date(2026, 6, 30), 34)),
        capability_survey=True,
    ),
    ProgrammeDef(
        "SSQ", SUPPORT_SERVICES_PROGRAMME, ProgrammeKind.DEVELOPMENT_SCHEME, "KMH",
        "Quality improvement training in working hours for porters, domestics, catering, "
        "healthcare assistants and administrative staff, with coaching for their own projects.",
        date(2024, 1, 1), date(2026, 3, 31),
        (("Wave 1", date(2024, 2, 1), date(2024, 10, 31), 16),
         ("Wave 2", date(2024, 11, 1), date(2025, 7, 31), 18),
         ("Wave 3", date(2025, 9, 1), date(2026, 3, 31), 18)),
        support_mix=True, capability_survey=True,
    ),
    ProgrammeDef(
        "ASP", "Aspiring Improvers", ProgrammeKind.COHORT_PROGRAMME, "WMW",
        "A six-month cohort programme for staff and patient partners taking their first "
        "steps in improvement, with action-learning sets and a project.",
        date(2023, 6, 1), date(2026, 5, 31),
        (("Cohort 1", date(2023, 10, 1), date(2024, 3, 31), 24),
         ("Cohort 2", date(2024, 4, 1), date(2024, 9, 30), 24),
         ("Cohort 3", date(2025, 1, 6), date(2025, 6, 30), 26),
         ("Cohort 4", date(2025, 11, 3), date(2026, 5, 1), 26)),
        capability_survey=True,
    ),
    ProgrammeDef(
        "JOY", "Joy in Work Breakthrough Collaborative", ProgrammeKind.COLLABORATIVE, "KCP",
        "Ward and team-based breakthrough collaborative testing changes that restore joy "
        "in work, with monthly pulse surveys and learning sessions.",
        date(2024, 9, 1), date(2025, 12, 31),
        (("Teams 2024/25", date(2024, 10, 1), date(2025, 9, 30), 36),
         ("Spread teams 2025", date(2025, 4, 1), date(2025, 12, 31), 28)),
    ),
    ProgrammeDef(
        "CUL", "Improvement Everywhere", ProgrammeKind.CULTURE_PROGRAMME, "KMH",
        "Trust-wide QI culture programme: bronze (e-learning) and silver (one-day) "
        "improvement training open to every member of staff.",
        date(2023, 4, 1), None,
        (("Bronze & Silver 2023/24", date(2023, 4, 1), date(2024, 3, 31), 60),
         ("Bronze & Silver 2024/25", date(2024, 4, 1), date(2025, 3, 31), 64),
         ("Bronze & Silver 2025/26", date(2025, 4, 1), date(2026, 3, 31), 60)),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class MeasureDef:
    """One measure in the catalogue: its chart, level, spread and designed patterns."""

    name: str
    measure_type: MeasureType
    chart: ChartType
    frequency: Frequency
    direction: ImprovementDirection
    unit: str
    centre: float  # baseline mean (value, proportion, rate per exposure unit or count)
    spread: float  # noise sd (xmr/run); typical denominator (p/u); ignored for c
    patterns: tuple[str, ...]
    points: int
    target: float | None = None  # on the displayed scale (per ``multiplier`` for rates)
    change: str = ""  # PDSA or change idea tested at the change point
    multiplier: int = 1  # u charts: rate shown per 100 / 1,000 / 10,000 units of exposure


@dataclass(frozen=True)
class ProjectDef:
    """One project in the catalogue, with the measures that fit its topic."""

    title: str
    directorate: str
    programme: str
    aim: str
    measures: tuple[MeasureDef, ...]
    repeatable: bool = True


_INC, _DEC, _NEU = (ImprovementDirection.INCREASE, ImprovementDirection.DECREASE,
                    ImprovementDirection.NEUTRAL)  # fmt: skip
_W, _M = Frequency.WEEKLY, Frequency.MONTHLY
_OUT, _PRO, _BAL = MeasureType.OUTCOME, MeasureType.PROCESS, MeasureType.BALANCING
_X, _R, _P, _U, _C = ChartType.XMR, ChartType.RUN, ChartType.P, ChartType.U, ChartType.C


def _md(
    name,
    mtype,
    chart,
    freq,
    direction,
    unit,
    centre,
    spread,
    patterns,
    points,
    target=None,
    change="",
    multiplier=1,
):  # noqa: ANN001, ANN202 - terse catalogue helper
    return MeasureDef(name, mtype, chart, freq, direction, unit, centre, spread,
                       tuple(patterns), points, target, change, multiplier)  # fmt: skip


# The project and measure catalogue. The patterns listed are what each series is built
# to show; tests and the pages rely on them. Repeated (large scale) copies keep them.
MEASURE_CATALOGUE: tuple[ProjectDef, ...] = (
    ProjectDef(SHOWCASE_PROJECT, "Medicine", "NET",
        "Increase the share of discharges before noon on the three medical wards from 18% to "
        "35% by March 2026.",
        (_md(SHOWCASE_MEASURE, _OUT, _X, _W, _INC, "%", 18.0, 2.2, [SHIFT, TREND], 52,
             target=35.0, change="PDSA 1: board round moved to 08:30 with a discharge "
             "checklist"),
         _md("Length of stay (days)", _BAL, _X, _W, _DEC, "days", 7.2, 0.45, [STABLE], 52),
         _md("Discharge summaries completed by 11:00", _PRO, _P, _W, _INC, "proportion",
             0.35, 70, [SHIFT, MISSING], 40, target=0.6,
             change="PDSA 2: junior doctor discharge summary slot")),
        repeatable=False),
    ProjectDef("Safer mobility: fewer inpatient falls", "Medicine", "CUL",
        "Reduce inpatient falls on elderly care wards by 30% within 12 months.",
        (_md("Inpatient falls per 1,000 bed days", _OUT, _U, _M, _DEC,
             "falls per 1,000 bed days", 0.0065, 2900, [SHIFT], 36, target=4.5,
             change="Change idea: bay nursing for high-risk patients", multiplier=1000),
         _md("Falls risk assessments within 6 hours", _PRO, _P, _W, _INC, "proportion",
             0.62, 55, [TREND, PHASE_BREAK], 48, target=0.9,
             change="Assessment moved into the admission bundle"))),
    ProjectDef("Sepsis six within the hour", "Medicine", "ASP",
        "95% of patients with red-flag sepsis receive antibiotics within 60 minutes.",
        (_md("Time to antibiotics (minutes)", _OUT, _X, _W, _DEC, "minutes", 74.0, 9.0,
             [OUTLIER, SHIFT], 44, target=60.0,
             change="PDSA 1: sepsis trolley on every ward"),)),
    ProjectDef("Medicines on time", "Medicine", "NET",
        "Halve omitted critical medicine doses on acute medical wards.",
        (_md("Omitted critical doses", _OUT, _C, _W, _DEC, "doses", 9.0, 0, [STABLE], 40),
         _md("Drug rounds with an interruption-free tabard", _PRO, _R, _W, _INC, "%",
             55.0, 6.0, [TREND], 30, change="PDSA 1: do-not-disturb tabards trialled"))),
    ProjectDef("Theatre first-case on time", "Surgery", "CUL",
        "Start 85% of first theatre cases within 15 minutes of the scheduled time.",
        (_md("Minutes late for first case", _OUT, _X, _W, _DEC, "minutes", 24.0, 4.0,
             [TWO_OF_THREE], 40, target=15.0),
         _md("Day-of-surgery cancellations", _BAL, _C, _M, _DEC, "cancellations", 14.0, 0,
             [STABLE], 30))),
    ProjectDef("Up and moving on day one", "Surgery", "ASP",
        "Mobilise 80% of elective hip and knee patients on the day of surgery.",
        (_md("Patients mobilised on day of surgery", _OUT, _P, _W, _INC, "proportion",
             0.48, 30, [SHIFT, PHASE_BREAK], 45, target=0.8,
             change="Physiotherapy cover extended to 19:00"),)),
    ProjectDef("Skin-to-skin in the first hour", "Women & Children", "NET",
        "Increase skin-to-skin contact within an hour of birth to 90%.",
        (_md("Babies with skin-to-skin in first hour", _OUT, _P, _M, _INC, "proportion",
             0.71, 240, [TREND], 30, target=0.9, change="PDSA 1: theatre skin-to-skin "
             "checklist"),
         _md("Paediatric early warning scores complete", _PRO, _P, _W, _INC, "proportion",
             0.83, 60, [STABLE], 36))),
    ProjectDef("Faster CT reporting", "Diagnostics", "CUL",
        "Report 90% of inpatient CT scans within 24 hours.",
        (_md("CT report turnaround (hours)", _OUT, _X, _W, _DEC, "hours", 27.0, 3.0,
             [SHIFT, MISSING], 48, target=24.0, change="PDSA 1: reporting hot-seat rota"),
         _md("Blood samples rejected", _OUT, _P, _W, _DEC, "proportion", 0.045, 900,
             [OUTLIER], 40))),
    ProjectDef("Porter response to urgent requests", "Estates & Facilities", "SSQ",
        "Respond to 95% of urgent portering requests within 15 minutes.",
        (_md("Urgent porter response time (minutes)", _OUT, _X, _W, _DEC, "minutes", 19.0,
             2.5, [SHIFT, TREND], 40, target=15.0,
             change="PDSA 1: radio dispatch replaces the paper job board"),
         _md("Porter jobs completed on first request", _PRO, _P, _W, _INC, "proportion",
             0.81, 160, [STABLE], 40))),
    ProjectDef("Less food waste on wards", "Estates & Facilities", "SSQ",
        "Cut plated food waste from ward meals by a quarter.",
        (_md("Ward food waste (kg per day)", _OUT, _X, _M, _DEC, "kg", 58.0, 4.0,
             [PHASE_BREAK], 30, change="Menu ordering moved to the bedside tablet"),
         _md("Patient meal satisfaction score", _BAL, _R, _M, _INC, "score", 3.6, 0.2,
             [STABLE], 24))),
    ProjectDef("Cleaner, faster bed turnaround", "Estates & Facilities", "SSQ",
        "Make a bed ready for the next patient within 60 minutes of discharge.",
        (_md("Bed turnaround after discharge (minutes)", _OUT, _X, _W, _DEC, "minutes", 96.0,
             9.0, [OUTLIER, DETERIORATION], 44, target=60.0),
         _md("Cleaning audit score (%)", _PRO, _X, _M, _INC, "%", 91.0, 1.6, [STABLE], 24,
             target=95.0))),
    ProjectDef("Time to hire", "Corporate Services", "SSQ",
        "Reduce time from advert to start date to under 60 days.",
        (_md("Days from advert to start", _OUT, _X, _M, _DEC, "days", 82.0, 6.0, [TREND],
             30, target=60.0, change="PDSA 1: conditional offers sent on interview day"),
         _md("Invoices paid within 30 days", _PRO, _P, _M, _INC, "proportion", 0.88, 1200,
             [STABLE], 30))),
    ProjectDef("Restrictive practice: safer wards", "Adult Mental Health", "ASP",
        "Reduce restrictive interventions by 40% through safety huddles.",
        (_md("Restrictive interventions", _OUT, _C, _W, _DEC, "incidents", 12.0, 0,
             [SHIFT], 48, change="PDSA 1: daily safety huddle with patients"),
         _md("Physical health checks completed", _PRO, _P, _M, _INC, "proportion", 0.56,
             140, [TWO_OF_THREE], 30, target=0.75))),
    ProjectDef("Fewer missed community appointments", "Adult Mental Health", "JOY",
        "Reduce did-not-attend rates at community clinics to below 10%.",
        (_md("Appointments not attended", _OUT, _P, _W, _DEC, "proportion", 0.16, 180,
             [SHIFT], 40, target=0.1, change="PDSA 1: text reminders 48 hours ahead"),)),
    ProjectDef("Meaningful days on the dementia ward", "Older People's Mental Health", "JOY",
        "Offer every patient at least two hours of meaningful activity a day.",
        (_md("Activity hours per patient per day", _OUT, _R, _W, _INC, "hours", 1.1, 0.12,
             [SHIFT], 36, target=2.0, change="PDSA 1: activity co-ordinator on late shift"),
         _md("Falls on the dementia ward", _BAL, _C, _M, _DEC, "falls", 7.0, 0, [STABLE],
             24))),
    ProjectDef("Pressure ulcer prevention at home", "Community Nursing", "NET",
        "Reduce category 2+ pressure ulcers acquired on the community caseload by 50%.",
        (_md("Pressure ulcers per 100 caseload patients", _OUT, _U, _M, _DEC,
             "per 100 caseload patients", 0.012, 1500, [SHIFT], 30,
             change="Change idea: SSKIN bundle for carers", multiplier=100),
         _md("Insulin visits in the agreed window", _PRO, _P, _W, _INC, "proportion", 0.74,
             90, [TREND], 40, target=0.9, change="PDSA 1: route planning by postcode"))),
    ProjectDef("Annual reviews on time", "Primary Care Network", "CUL",
        "Complete 90% of long-term condition reviews in the birthday month.",
        (_md("Reviews completed in birthday month", _OUT, _P, _M, _INC, "proportion", 0.64,
             400, [PHASE_BREAK], 30, target=0.9,
             change="Recall letters replaced with text invitations"),
         _md("Prescription queries", _BAL, _C, _W, _DEC, "queries", 22.0, 0, [OUTLIER], 36))),
    ProjectDef("Home from hospital within 48 hours", "Adult Social Care", "NET",
        "Start 80% of home-care packages within 48 hours of a discharge request.",
        (_md("Packages started within 48 hours", _OUT, _P, _W, _INC, "proportion", 0.52, 40,
             [SHIFT], 40, target=0.8, change="PDSA 1: trusted assessor in discharge lounge"),
         _md("Missed home-care calls", _BAL, _C, _W, _DEC, "calls", 6.0, 0,
             [DETERIORATION], 40))),
    ProjectDef("Coaching that sticks", "Improvement Science", "NET",
        "Double the hours of QI coaching delivered to project teams.",
        (_md("QI coaching hours delivered", _PRO, _R, _M, _INC, "hours", 40.0, 5.0, [TREND],
             24, change="PDSA 1: coaching offered in team huddles"),)),
    ProjectDef("Joy in work on Ward 7", "Medicine", "JOY",
        "Raise the ward's joy-in-work huddle score from 3.1 to 4.0.",
        (_md("Joy-in-work huddle score", _OUT, _R, _W, _INC, "score", 3.1, 0.15, [SHIFT],
             40, target=4.0, change="PDSA 1: 'what matters to you' board at handover"),
         _md("Staff sickness absence (days)", _BAL, _X, _M, _DEC, "days", 41.0, 4.0,
             [STABLE], 24))),
    ProjectDef("Fewer interruptions at the nurses' station", "Surgery", "JOY",
        "Reduce interruptions during medicine rounds by half.",
        (_md("Interruptions per drug round", _OUT, _X, _W, _DEC, "interruptions", 8.0, 1.0,
             [TWO_OF_THREE, MISSING], 36),)),
    ProjectDef("Typing turnaround for clinic letters", "Corporate Services", "SSQ",
        "Send 90% of outpatient letters within 7 days of clinic.",
        (_md("Letters sent within 7 days", _OUT, _P, _W, _INC, "proportion", 0.69, 300,
             [SHIFT], 44, target=0.9, change="PDSA 1: speech-recognition pilot"),)),
    ProjectDef("Safe handover between shifts", "Adult Mental Health", "CUL",
        "Use the structured handover tool at every shift change.",
        (_md("Handovers using the structured tool", _PRO, _P, _W, _INC, "proportion", 0.58,
             28, [STABLE], 30),)),
    ProjectDef("Outpatient waiting room flow", "Diagnostics", "ASP",
        "Cut average waits in the phlebotomy waiting room to under 20 minutes.",
        (_md("Phlebotomy wait (minutes)", _OUT, _X, _W, _DEC, "minutes", 31.0, 3.5,
             [SHIFT, PHASE_BREAK], 48, target=20.0, change="Booked slots introduced"),)),
    ProjectDef("Volunteer ward companions", "Adult Social Care", "JOY",
        "Provide a volunteer companion for every patient without visitors.",
        (_md("Companion visits per week", _PRO, _C, _W, _INC, "visits", 16.0, 0, [TREND],
             30, change="PDSA 1: volunteer rota by text message"),)),
    ProjectDef("Clean linen where it is needed", "Estates & Facilities", "SSQ",
        "Eliminate linen shortages on wards.",
        (_md("Ward linen shortages reported", _OUT, _C, _W, _DEC, "shortages", 10.0, 0,
             [SHIFT], 40, change="PDSA 1: top-up levels set per ward"),)),
    ProjectDef("Welcoming front desk", "Primary Care Network", "SSQ",
        "Answer 80% of calls to the surgery within 2 minutes.",
        (_md("Calls answered within 2 minutes", _OUT, _P, _W, _INC, "proportion", 0.55, 450,
             [TREND], 36, target=0.8, change="PDSA 1: call-back queue"),)),
    ProjectDef("Early warning scores on time", "Older People's Mental Health", "ASP",
        "Record NEWS2 observations on time for 95% of patients.",
        (_md("NEWS2 observations on time", _PRO, _P, _W, _INC, "proportion", 0.77, 45,
             [STABLE], 30),)),
    ProjectDef("Community wound care formulary", "Community Nursing", "CUL",
        "Use formulary dressings for 90% of wound care.",
        (_md("Formulary dressings used", _PRO, _P, _M, _INC, "proportion", 0.71, 600,
             [SHIFT], 24, change="Formulary boxes in every car"),
         _md("Nurse mileage per visit", _BAL, _X, _M, _NEU, "miles", 6.4, 0.4, [STABLE],
             24))),
    ProjectDef("Maternity triage waits", "Women & Children", "ASP",
        "See 90% of women attending triage within 15 minutes.",
        (_md("Seen within 15 minutes", _OUT, _P, _W, _INC, "proportion", 0.66, 50,
             [STABLE], 30),)),
    ProjectDef("Reducing agency shifts", "Surgery", "CUL",
        "Halve unplanned agency nursing shifts.",
        (_md("Agency shifts per week", _OUT, _C, _W, _DEC, "shifts", 30.0, 0, [TREND], 40,
             change="PDSA 1: internal bank incentives"),)),
    ProjectDef("Medicines reconciliation within 24 hours", "Medicine", "ASP",
        "Reconcile medicines for 90% of admissions within 24 hours.",
        (_md("Reconciled within 24 hours", _PRO, _P, _W, _INC, "proportion", 0.72, 110,
             [SHIFT], 40, target=0.9, change="PDSA 1: pharmacy technician on admissions"),)),
    ProjectDef("Timely care plans in crisis teams", "Adult Mental Health", "NET",
        "Agree a crisis plan within 72 hours for every new referral.",
        (_md("Crisis plans within 72 hours", _PRO, _P, _M, _INC, "proportion", 0.61, 85,
             [STABLE], 24),)),
    ProjectDef("Patient partners on every project", "Improvement Science", "NET",
        "Involve a patient partner in 75% of network projects.",
        (_md("Projects with a patient partner (%)", _PRO, _R, _M, _INC, "%", 38.0, 4.0,
             [SHIFT], 24, target=75.0, change="PDSA 1: patient partner matching service"),)),
    ProjectDef("Hydration rounds", "Older People's Mental Health", "SSQ",
        "Offer a drink to every patient every two hours.",
        (_md("Hydration rounds completed", _PRO, _P, _W, _INC, "proportion", 0.64, 84,
             [SHIFT], 36, change="PDSA 1: housekeeper-led drinks trolley"),)),
    ProjectDef("Sharps safety", "Diagnostics", "CUL",
        "Eliminate needlestick injuries in the phlebotomy service.",
        (_md("Needlestick injuries", _OUT, _C, _M, _DEC, "injuries", 3.0, 0, [STABLE], 30),)),
    ProjectDef("Discharge medicines ready on time", "Surgery", "NET",
        "Have discharge medicines ready two hours before planned discharge.",
        (_md("Discharge medicines ready 2 hours before", _PRO, _P, _W, _INC, "proportion",
             0.5, 60, [STABLE], 24),)),
    ProjectDef("Safe staffing huddles", "Women & Children", "JOY",
        "Hold a safe staffing huddle at the start of every shift.",
        (_md("Shifts starting with a huddle", _PRO, _R, _W, _INC, "%", 62.0, 5.0, [STABLE],
             30),)),
    ProjectDef("Reablement at home", "Adult Social Care", "ASP",
        "Increase the proportion of people independent after reablement.",
        (_md("Independent after reablement", _OUT, _P, _M, _INC, "proportion", 0.58, 70,
             [STABLE], 24),)),
    ProjectDef("Repeat prescriptions on time", "Primary Care Network", "NET",
        "Issue 95% of repeat prescriptions within two working days.",
        (_md("Repeat prescriptions issued in 2 days", _PRO, _P, _W, _INC, "proportion",
             0.82, 500, [STABLE], 24),)),
)  # fmt: skip

# Second measures (balancing and process) for the catalogue projects that list only one,
# by project title: each belongs to its project's topic, as a clinician would expect.
# Names are distinct across the catalogue.
SECONDARY_MEASURES: Mapping[str, MeasureDef] = MappingProxyType({
    "Sepsis six within the hour":
        _md("Sepsis screening tool completed", _PRO, _P, _W, _INC, "proportion", 0.78, 65,
            [STABLE], 44),
    "Up and moving on day one":
        _md("Patients mobilised with a physio present", _BAL, _P, _W, _NEU, "proportion",
            0.4, 30, [STABLE], 36),
    "Fewer missed community appointments":
        _md("Clinic slots left unfilled", _BAL, _C, _W, _DEC, "slots", 11.0, 0, [STABLE], 36),
    "Coaching that sticks":
        _md("Project teams rating their coaching as useful (%)", _PRO, _R, _M, _INC, "%",
            72.0, 5.0, [STABLE], 24),
    "Fewer interruptions at the nurses' station":
        _md("Drug round duration (minutes)", _BAL, _X, _W, _DEC, "minutes", 95.0, 8.0,
            [STABLE], 36),
    "Typing turnaround for clinic letters":
        _md("Letters returned for correction", _BAL, _P, _W, _DEC, "proportion", 0.08, 300,
            [STABLE], 44),
    "Safe handover between shifts":
        _md("Staff reporting a good handover", _PRO, _R, _M, _INC, "%", 64.0, 5.0, [SHIFT],
            24, change="PDSA 1: handover script on a lanyard card"),
    "Outpatient waiting room flow":
        _md("Phlebotomy appointments cancelled", _BAL, _C, _W, _DEC, "appointments", 13.0, 0,
            [STABLE], 48),
    "Volunteer ward companions":
        _md("Volunteer hours logged", _PRO, _X, _W, _INC, "hours", 120.0, 12.0,
            [DETERIORATION], 30),
    "Clean linen where it is needed":
        _md("Linen cages delivered on time", _PRO, _P, _W, _INC, "proportion", 0.84, 120,
            [STABLE], 36),
    "Welcoming front desk":
        _md("Callers abandoning the queue", _BAL, _P, _W, _DEC, "proportion", 0.18, 420,
            [TWO_OF_THREE], 36),
    "Early warning scores on time":
        _md("Deteriorating patients escalated in time", _BAL, _P, _W, _INC, "proportion",
            0.7, 40, [STABLE], 30),
    "Maternity triage waits":
        _md("Triage calls per shift", _BAL, _X, _W, _NEU, "calls", 31.0, 3.0, [OUTLIER], 30),
    "Reducing agency shifts":
        _md("Agency spend (£k per week)", _BAL, _X, _W, _DEC, "£k", 42.0, 5.0, [SHIFT], 40,
            change="Change idea: weekly rota sign-off by matron"),
    "Medicines reconciliation within 24 hours":
        _md("Pharmacist time on admissions (hours)", _BAL, _X, _W, _NEU, "hours", 21.0, 2.0,
            [STABLE], 40),
    "Timely care plans in crisis teams":
        _md("Crisis line calls answered", _BAL, _P, _M, _INC, "proportion", 0.86, 300,
            [STABLE], 24),
    "Patient partners on every project":
        _md("Network members attending a project meeting", _PRO, _R, _M, _INC, "%", 52.0,
            5.0, [STABLE], 24),
    "Hydration rounds":
        _md("Patients drinking 1.5 litres a day", _OUT, _P, _W, _INC, "proportion", 0.45, 40,
            [TREND], 36, change="PDSA 1: coloured jugs by intake"),
    "Sharps safety":
        _md("Sharps bins overfilled at audit", _PRO, _C, _M, _DEC, "bins", 6.0, 0, [STABLE],
            30),
    "Discharge medicines ready on time":
        _md("Prescriptions waiting over 2 hours", _BAL, _C, _W, _DEC, "prescriptions", 9.0, 0,
            [STABLE], 24),
    "Safe staffing huddles":
        _md("Huddle attendance (%)", _PRO, _X, _W, _INC, "%", 71.0, 5.0, [STABLE], 30),
    "Reablement at home":
        _md("Reablement packages started within 3 days", _PRO, _P, _M, _INC, "proportion",
            0.66, 60, [STABLE], 24),
    "Repeat prescriptions on time":
        _md("Repeat prescription requests received online", _PRO, _P, _W, _INC, "proportion",
            0.38, 500, [SHIFT], 24, change="PDSA 1: online ordering promoted at reception"),
})  # fmt: skip


def project_measures(pdef: ProjectDef) -> tuple[MeasureDef, ...]:
    """A project's measures: its own, plus its ``SECONDARY_MEASURES`` entry if it has one."""
    extra = SECONDARY_MEASURES.get(pdef.title)
    return (*pdef.measures, extra) if extra is not None else pdef.measures


def designed_patterns() -> dict[tuple[str, str], tuple[str, ...]]:
    """(project title, measure name) → designed patterns, for the catalogue projects.

    Returns:
        One entry per measure of the small demo (large-scale copies repeat them).
    """
    return {
        (p.title, md.name): md.patterns for p in MEASURE_CATALOGUE for md in project_measures(p)
    }
