"""Demo progress updates: the note a lead recorded with each project's latest score.

Deterministic (no randomness): one ``project_update`` per scored project, dated with its
latest score, with a note a clinician would recognise for that point on the IHI scale;
completed and stopped projects record their closing status in the same update.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

_NOTES = (
    (2.0, "Team formed and charter agreed; baseline data collection under way."),
    (3.0, "Changes tested on one ward; the measures show no improvement yet."),
    (4.0, "The run chart shows a shift since the changes; spreading to a second team."),
    (5.1, "Improvement sustained on the SPC chart for several months; handing over to "
          "business as usual."),
)  # fmt: skip
_CLOSING = {
    "complete": ("sustaining", "Project closed: the new process is standard work."),
    "stopped": ("testing", "Project stopped: the team could not be released to test changes."),
}


def add_updates(rows: dict[str, list[dict[str, Any]]], recorded_by: str = "demo") -> None:
    """Append one ``project_update`` row per scored project to the demo's row lists.

    Args:
        rows: The demo builder's rows per table (``project`` and ``progress_score`` filled).
        recorded_by: Who the updates are attributed to.
    """
    scores: dict[int, list[dict[str, Any]]] = {}
    for row in rows["progress_score"]:
        scores.setdefault(row["project_id"], []).append(row)
    status = {p["id"]: str(getattr(p["status"], "value", p["status"])) for p in rows["project"]}
    next_id = len(rows["project_update"]) + 1
    for pid in sorted(scores):
        history = sorted(scores[pid], key=lambda r: r["scored_on"])
        last = history[-1]
        previous = history[-2]["score"] if len(history) > 1 else None
        note = next(text for upper, text in _NOTES if last["score"] < upper)
        closing = _CLOSING.get(status.get(pid, ""))
        rows["project_update"].append({
            "id": next_id, "project_id": pid, "recorded_on": last["scored_on"],
            "recorded_at": datetime.combine(last["scored_on"], time(10, 0), tzinfo=UTC),
            "recorded_by": recorded_by, "score": last["score"], "previous_score": previous,
            "status": status[pid] if closing else None,
            "previous_status": closing[0] if closing else None,
            "note": f"{note} {closing[1]}" if closing else note,
        })  # fmt: skip
        next_id += 1
