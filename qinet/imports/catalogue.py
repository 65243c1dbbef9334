"""Every plain import kind by name, in the order the Data page and the command line list them.

The kinds are defined by area (``kinds_reference``, ``kinds_projects``,
``kinds_engagement``, ``survey_responses``); the workforce and MDC formats are added in
``qinet.imports``.
"""

from __future__ import annotations

from qinet.imports import kinds_engagement, kinds_projects, kinds_reference, survey_responses
from qinet.imports.kinds import Kind

KINDS: dict[str, Kind] = {
    k.name: k for k in (
        *kinds_reference.KINDS,
        *kinds_projects.KINDS,
        *kinds_engagement.KINDS,
        survey_responses.KIND,
    )
}
