"""ORM models: the relational schema of qinet (SQLAlchemy 2.x, typed, portable).

Enums are stored as strings (``native_enum=False``) and checked by constraints,
so SQLite and PostgreSQL hold the same values. People are pseudonymised: a
participant has a reference, never a name or an email.

The models live in one module per area; this package re-exports every name, so
``from qinet.models import Measure`` (and ``qinet.models.Base.metadata`` for Alembic)
sees the whole schema.
"""

from qinet.models.access import UserRoleAssignment
from qinet.models.base import NAMING_CONVENTION, Base, enum_column
from qinet.models.data_in import DataVersion, ImportLog, StaffGroupAlias
from qinet.models.events import Event, EventAttendance, EventGroupCount
from qinet.models.programmes import (
    Cohort,
    Enrolment,
    Milestone,
    MilestoneRevision,
    Participant,
    ParticipantRoleAssignment,
    Programme,
    ProgrammeTargetGroup,
)
from qinet.models.projects import (
    Annotation,
    Measure,
    Observation,
    ProgressScore,
    Project,
    ProjectMember,
    ProjectUpdate,
)
from qinet.models.reference import (
    DatasetInfo,
    Directorate,
    Organisation,
    StaffGroupRef,
    WorkforceBaseline,
)
from qinet.models.surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyWave

__all__ = [
    "enum_column",
    "Base",
    "NAMING_CONVENTION",
    "DatasetInfo",
    "Organisation",
    "Directorate",
    "StaffGroupRef",
    "WorkforceBaseline",
    "Programme",
    "ProgrammeTargetGroup",
    "Cohort",
    "Participant",
    "ParticipantRoleAssignment",
    "Enrolment",
    "Milestone",
    "MilestoneRevision",
    "Project",
    "ProjectMember",
    "ProgressScore",
    "ProjectUpdate",
    "Measure",
    "Observation",
    "Annotation",
    "Survey",
    "SurveyQuestion",
    "SurveyWave",
    "SurveyResponse",
    "SurveyAnswer",
    "Event",
    "EventAttendance",
    "EventGroupCount",
    "UserRoleAssignment",
    "StaffGroupAlias",
    "ImportLog",
    "DataVersion",
]
