"""Named errors raised inside qinet and caught once, per panel, in ``qinet.ui``.

Every message is written for a person: it names the setting, row, column or
argument that is wrong and says what would be right.
"""

from __future__ import annotations


class QinetError(Exception):
    """Base class for every error qinet raises on purpose."""


class ConfigError(QinetError):
    """A setting is missing or malformed; the message names the setting."""

    def __init__(self, setting: str, reason: str) -> None:
        self.setting = setting
        self.reason = reason
        super().__init__(f"{setting}: {reason}")


class DatabaseUnavailableError(QinetError):
    """The database named by a setting cannot be reached or written."""

    def __init__(self, setting: str, reason: str) -> None:
        self.setting = setting
        self.reason = reason
        super().__init__(f"{setting}: {reason}")


class InsufficientDataError(QinetError):
    """Too few points for what was asked (for example limits on a short series)."""

    def __init__(self, n: int, needed: int, what: str = "this chart") -> None:
        self.n = n
        self.needed = needed
        super().__init__(f"{what} needs at least {needed} points; there are {n}.")


class InvalidSeriesError(QinetError):
    """A series handed to the statistics engine is malformed (names the argument)."""


class NotPermittedError(QinetError):
    """The signed-in user's role does not allow this action or this data."""


class NotFoundError(QinetError):
    """A requested record (measure, project, programme…) does not exist or is out of scope."""


class PhaseBreakError(QinetError):
    """A phase break cannot be confirmed or undone as asked (the message says why)."""


class DatabaseNotEmptyError(QinetError):
    """Demo data may only be written into an empty database."""


class InvalidUpdateError(QinetError):
    """A recorded update (e.g. a progress score) is not valid; the message says what to fix."""
