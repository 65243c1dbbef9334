"""Domain vocabulary shared by every layer: enums and small value types.

Values are stored in the database as their lower-case string (``StrEnum``
with ``native_enum=False``), so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

from enum import StrEnum


class OrganisationType(StrEnum):
    """Kinds of partner organisation in an improvement network."""

    ACUTE_TRUST = "acute_trust"
    MENTAL_HEALTH_TRUST = "mental_health_trust"
    COMMUNITY_PRIMARY_CARE = "community_primary_care"
    SOCIAL_CARE = "social_care"
    VOLUNTARY = "voluntary"
    ACADEMIC = "academic"


class StaffGroup(StrEnum):
    """NHS workforce staff groups (NHS Digital ESR groupings) plus non-staff partners."""

    NURSING_MIDWIFERY = "nursing_midwifery"
    MEDICAL_DENTAL = "medical_dental"
    ALLIED_HEALTH = "allied_health"
    ADDITIONAL_CLINICAL = "additional_clinical"
    ESTATES_ANCILLARY = "estates_ancillary"
    ADMIN_CLERICAL = "admin_clerical"
    HEALTHCARE_SCIENTISTS = "healthcare_scientists"
    ADD_PROF_SCIENTIFIC = "add_prof_scientific"
    STUDENTS = "students"
    PATIENT_CARER = "patient_carer"
    VOLUNTEER = "volunteer"
    PARTNER_ORGANISATION = "partner_organisation"

    @property
    def label(self) -> str:
        """Human label as used in NHS workforce statistics."""
        return STAFF_GROUP_LABELS[self]

    @property
    def hard_to_reach(self) -> bool:
        """Groups that rarely take part in QI training (porters, cleaners, HCAs, admin)."""
        return self in HARD_TO_REACH

    @property
    def is_staff(self) -> bool:
        """False for patients, carers, volunteers and partner organisations."""
        return self not in NON_STAFF


STAFF_GROUP_LABELS: dict[StaffGroup, str] = {
    StaffGroup.NURSING_MIDWIFERY: "Nursing & Midwifery Registered",
    StaffGroup.MEDICAL_DENTAL: "Medical & Dental",
    StaffGroup.ALLIED_HEALTH: "Allied Health Professionals",
    StaffGroup.ADDITIONAL_CLINICAL: "Additional Clinical Services",
    StaffGroup.ESTATES_ANCILLARY: "Estates & Ancillary",
    StaffGroup.ADMIN_CLERICAL: "Administrative & Clerical",
    StaffGroup.HEALTHCARE_SCIENTISTS: "Healthcare Scientists",
    StaffGroup.ADD_PROF_SCIENTIFIC: "Additional Professional Scientific & Technical",
    StaffGroup.STUDENTS: "Students",
    StaffGroup.PATIENT_CARER: "Patient / service user / carer",
    StaffGroup.VOLUNTEER: "Volunteer",
    StaffGroup.PARTNER_ORGANISATION: "Partner organisation",
}

HARD_TO_REACH: frozenset[StaffGroup] = frozenset(
    {
        StaffGroup.ESTATES_ANCILLARY,
        StaffGroup.ADDITIONAL_CLINICAL,
        StaffGroup.ADMIN_CLERICAL,
    }
)

NON_STAFF: frozenset[StaffGroup] = frozenset(
    {StaffGroup.PATIENT_CARER, StaffGroup.VOLUNTEER, StaffGroup.PARTNER_ORGANISATION}
)


class ProgrammeKind(StrEnum):
    """The shapes improvement programmes take."""

    NETWORK = "network"
    DEVELOPMENT_SCHEME = "development_scheme"
    COHORT_PROGRAMME = "cohort_programme"
    COLLABORATIVE = "collaborative"
    CULTURE_PROGRAMME = "culture_programme"
    COMMUNITY_OF_PRACTICE = "community_of_practice"


class ParticipantRole(StrEnum):
    """Roles a participant may hold besides taking part."""

    MENTOR = "mentor"
    Q_MEMBER = "q_member"
    PATIENT_PARTNER = "patient_partner"
    IMPROVEMENT_CONNECTOR = "improvement_connector"
    COACH = "coach"


class EnrolmentStatus(StrEnum):
    """Enrolment funnel: applied → enrolled → completed, or withdrawn."""

    APPLIED = "applied"
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class ProjectStatus(StrEnum):
    """Life cycle of a QI project."""

    IDEA = "idea"
    PLANNING = "planning"
    TESTING = "testing"
    IMPLEMENTING = "implementing"
    SUSTAINING = "sustaining"
    SPREADING = "spreading"
    COMPLETE = "complete"
    STOPPED = "stopped"

    @property
    def is_active(self) -> bool:
        """Projects still under way (not complete or stopped)."""
        return self not in (ProjectStatus.COMPLETE, ProjectStatus.STOPPED)


# IHI Project Progress Scale (Institute for Healthcare Improvement), 0.5 to 5.0.
IHI_PROGRESS_SCORES: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)


class MeasureType(StrEnum):
    """The family of measures in a QI project."""

    OUTCOME = "outcome"
    PROCESS = "process"
    BALANCING = "balancing"


class Frequency(StrEnum):
    """How often a measure is observed."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ChartType(StrEnum):
    """Chart a measure is drawn on by default."""

    RUN = "run"
    XMR = "xmr"
    P = "p"
    U = "u"
    C = "c"
    T = "t"  # time (e.g. days) between rare events
    G = "g"  # opportunities (e.g. cases) between rare events

    @property
    def needs_denominator(self) -> bool:
        """True for p and u charts, which plot numerator / denominator."""
        return self in (ChartType.P, ChartType.U)

    @property
    def takes_multiplier(self) -> bool:
        """True for u charts: a rate may be shown per 100, 1,000 or 10,000 units of exposure."""
        return self is ChartType.U


RATE_MULTIPLIERS: tuple[int, ...] = (1, 100, 1000, 10000)
"""Allowed ``Measure.multiplier`` values: a rate shown per 1, 100, 1,000 or 10,000 units."""


class ImprovementDirection(StrEnum):
    """Which way is better for a measure."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"


class AnnotationKind(StrEnum):
    """Dated notes on a measure: PDSA cycles, change ideas, phase breaks."""

    PDSA = "pdsa"
    CHANGE_IDEA = "change_idea"
    PHASE_BREAK = "phase_break"
    NOTE = "note"


class SurveyKind(StrEnum):
    """Capability self-assessments are paired pre/post; pulses are repeated snapshots."""

    CAPABILITY = "capability"
    PULSE = "pulse"


class WaveKind(StrEnum):
    """Where in a programme a survey wave falls."""

    PRE = "pre"
    MID = "mid"
    POST = "post"
    PULSE = "pulse"


class EventKind(StrEnum):
    """Learning and engagement events."""

    LEARNING_SESSION = "learning_session"
    TRAINING = "training"
    WORLD_CAFE = "world_cafe"
    FESTIVAL = "festival"
    HACK_DAY = "hack_day"
    NETWORK_MEETING = "network_meeting"


class MilestoneStatus(StrEnum):
    """Status of a plan milestone."""

    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LATE = "late"
    COMPLETE = "complete"
    CANCELLED = "cancelled"


class Role(StrEnum):
    """Who may see and do what; directorate scoping is enforced in queries."""

    ADMIN = "admin"
    PROGRAMME_LEAD = "programme_lead"
    DIRECTORATE_LEAD = "directorate_lead"
    VIEWER = "viewer"


class VariationState(StrEnum):
    """Making Data Count variation icon states (from the last point)."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"
    NOT_ENOUGH_DATA = "not_enough_data"
    NON_RANDOM = "non_random"  # run chart: a signal with no direction (too few crossings/runs)


class AssuranceState(StrEnum):
    """Making Data Count assurance icon states (target against the process limits)."""

    PASS = "pass"  # consistently hits the target
    FAIL = "fail"  # consistently misses the target
    INCONSISTENT = "inconsistent"  # target lies within the limits
    NO_TARGET = "no_target"


class PointType(StrEnum):
    """Per-point classification, as NHSRplotthedots ``point_type``."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"
