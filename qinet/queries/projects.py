"""Projects and their measures, scoped to the viewer."""

from __future__ import annotations

import sqlalchemy as sa

from qinet.access import Viewer
from qinet.filters import Filters
from qinet.models import Directorate, Measure, Programme, Project
from qinet.queries.scope import scoped_projects


def projects_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """The project register rows the viewer may see under the filters.

    Args:
        viewer: Who is looking.
        f: Filters (organisation, directorate, programme, cohort).

    Returns:
        A statement with id, code, title, status, directorate, programme, started_on.
    """
    return (
        sa.select(
            Project.id.label("project_id"),
            Project.code,
            Project.title,
            Project.status,
            Project.started_on,
            Directorate.id.label("directorate_id"),
            Directorate.name.label("directorate"),
            Programme.id.label("programme_id"),
            Programme.name.label("programme"),
        )
        .join(Directorate, Project.directorate_id == Directorate.id)
        .outerjoin(Programme, Project.programme_id == Programme.id)
        .where(Project.id.in_(scoped_projects(viewer, f).scalar_subquery()))
        .order_by(Project.code)
    )


def measures_stmt(viewer: Viewer, f: Filters) -> sa.Select:
    """Measures of the projects the viewer may see, with their project's labels."""
    return (
        sa.select(
            Measure.id.label("measure_id"),
            Measure.name.label("measure"),
            Measure.measure_type,
            Measure.unit,
            Measure.frequency,
            Measure.chart_type,
            Measure.improvement_direction,
            Measure.target,
            Measure.baseline_points,
            Measure.multiplier,
            Project.id.label("project_id"),
            Project.code.label("project_code"),
            Project.title.label("project"),
            Project.status.label("project_status"),
            Directorate.name.label("directorate"),
            Programme.name.label("programme"),
        )
        .join(Project, Measure.project_id == Project.id)
        .join(Directorate, Project.directorate_id == Directorate.id)
        .outerjoin(Programme, Project.programme_id == Programme.id)
        .where(Project.id.in_(scoped_projects(viewer, f).scalar_subquery()))
        .order_by(Project.code, Measure.name)
    )


def measure_label(project_code: str, measure_name: str) -> str:
    """The one label for a measure in pickers, links and URLs: ``PRJ-012 · Falls per …``.

    The Measures page's URL parameter ``measure`` carries this label, so the
    Overview matrix links to a measure by building the same string.
    """
    return f"{project_code} · {measure_name}"
