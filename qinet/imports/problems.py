"""What is wrong with a file: problems that name the row, column and reason."""

from __future__ import annotations

from dataclasses import dataclass

from qinet.errors import QinetError

MAX_LISTED = 50


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused; ``row`` is the spreadsheet row (header is row 1)."""

    reason: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        """e.g. ``row 14, column `date`: '31/02/2024' is not a date``."""
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column `{self.column}`")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class ImportRejected(QinetError):
    """The file was refused; nothing was written. Carries every problem found."""

    def __init__(self, problems: list[Problem], file_name: str = "") -> None:
        self.problems = list(problems)
        self.file_name = file_name
        super().__init__(self.summary())

    def summary(self) -> str:
        """One line such as ``data.csv was not imported: 3 problems.``."""
        n = len(self.problems)
        name = self.file_name or "The file"
        return f"{name} was not imported: {n} problem{'s' if n != 1 else ''}."

    def report(self, limit: int = MAX_LISTED) -> str:
        """The summary, then each problem on its own line (capped, with the rest counted)."""
        lines = [self.summary()]
        lines += [f"  {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            rest = len(self.problems) - limit
            lines.append(f"  … and {rest} more problem{'s' if rest != 1 else ''}.")
        return "\n".join(lines)


def reject(reason: str, file_name: str = "") -> ImportRejected:
    """A rejection with one whole-file problem."""
    return ImportRejected([Problem(reason)], file_name)
