"""Demo programme target groups: the support-services programme is aimed at named groups.

Its reach is then measured against those groups' workforce, so nurses and doctors are not
called under-represented in a programme that was never meant for them.
"""

from __future__ import annotations

from qinet.demo.catalogue import PROGRAMMES
from qinet.demo.world import World
from qinet.domain import StaffGroup

# Programme code → the staff groups it is aimed at (the rest reach everyone).
TARGET_GROUPS: dict[str, tuple[StaffGroup, ...]] = {
    "SSQ": (
        StaffGroup.ESTATES_ANCILLARY,
        StaffGroup.ADDITIONAL_CLINICAL,
        StaffGroup.ADMIN_CLERICAL,
    ),
}


def add_target_groups(w: World) -> None:
    """Add ``programme_target_group`` rows for the demo programmes aimed at named groups."""
    for p in PROGRAMMES:
        for group in TARGET_GROUPS.get(p.code, ()):
            w.add("programme_target_group", programme_id=w.prog_id[p.code],
                  staff_group_code=group.value)  # fmt: skip
