"""Agreement checks against reference outputs laid out like ``shared/spc-reference``.

``python -m qinet check-reference DIR`` runs the engine over every series in
DIR and counts, per file and chart kind, how many values agree. Files may be
plain ``.csv`` or gzipped ``.csv.gz`` (as kept in ``tests/reference``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class CheckResult:
    """Agreement for one reference file and one chart kind.

    Attributes:
        file: Reference file name, e.g. ``ptd_points.csv``.
        kind: Chart kind or column group, e.g. ``xmr`` or ``p``.
        agree: Values that agree with the reference.
        total: Values compared.
        differences: Human-readable descriptions of the first disagreements and of
            documented deliberate differences (prefixed ``deliberate:``).
    """

    file: str
    kind: str
    agree: int = 0
    total: int = 0
    differences: list[str] = field(default_factory=list)


def read_reference(directory: Path, name: str) -> pd.DataFrame:
    """Read ``name`` (e.g. ``"ptd_points.csv"``) from ``directory``, plain or gzipped.

    Args:
        directory: Folder laid out like ``shared/spc-reference``.
        name: File name without the ``.gz`` suffix.

    Returns:
        The CSV as a DataFrame with ``NA`` read as missing.

    Raises:
        FileNotFoundError: Neither ``name`` nor ``name.gz`` exists in the folder.
    """
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.exists():
            return pd.read_csv(candidate, keep_default_na=True, na_values=["NA"])
    raise FileNotFoundError(f"{name} (or {name}.gz) not found in {directory}")
