"""Settings, declared once: name, default and help, read from the environment.

The README documents every setting in this list (a test checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qinet.domain import StaffGroup
from qinet.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    """One environment setting with its default and a sentence of help."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "QINET_DATABASE_URL",
        "sqlite:///data/qinet.db",
        "SQLAlchemy database URL. SQLite by default; a postgresql+psycopg:// URL "
        "switches to a shared PostgreSQL database.",
    ),
    Setting(
        "QINET_SMALL_NUMBER_THRESHOLD",
        "11",
        "Breakdowns with fewer responses or people than this are suppressed "
        "(NHS Staff Survey convention: 11).",
    ),
    Setting(
        "QINET_DEMO_SEED",
        "20240401",
        "Seed for the synthetic demo data created on first start.",
    ),
    Setting(
        "QINET_CREATE_DEMO",
        "1",
        "1 creates the synthetic demo data when the database is empty; 0 leaves it empty.",
    ),
    Setting(
        "QINET_SPC_PRESET",
        "MDC_2024",
        "Default SPC rule set: MDC_2024 (Making Data Count 2024), PTD (NHSRplotthedots) "
        "or LIFE_QI.",
    ),
    Setting(
        "QINET_HARD_TO_REACH",
        "estates_ancillary,additional_clinical,admin_clerical",
        "The hard-to-reach staff groups (comma-separated staff-group codes): the one "
        "definition behind the Overview tile, the reach call-out and the Engagement page.",
    ),
    Setting(
        "QINET_UNDER_REPRESENTED_RATIO",
        "0.5",
        "A staff group is flagged under-represented when its share of participants is below "
        "this fraction of its share of the workforce (representation ratio; 0.5 = half).",
    ),
    Setting(
        "QINET_AUTH",
        "auto",
        "auto: sign-in when .streamlit/secrets.toml has an [auth] section, no sign-in only "
        "over the synthetic demo data; none: allow no sign-in (everyone an admin) over real "
        "data, for one analyst's laptop; oidc: refuse to start without a valid [auth] section.",
    ),
    Setting(
        "QINET_STALE_SCORE_DAYS",
        "90",
        "A project's progress score is flagged as possibly stale when it has not been "
        "updated for this many days while its measures have shown a signal.",
    ),
)

AUTH_CHOICES = ("auto", "none", "oidc")

STAFF_GROUP_CODES: tuple[str, ...] = tuple(g.value for g in StaffGroup)
"""Staff-group codes a setting may name (``qinet.domain.StaffGroup`` values)."""


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one process."""

    database_url: str
    small_number_threshold: int
    demo_seed: int
    create_demo: bool
    spc_preset: str
    hard_to_reach: tuple[str, ...] = ("estates_ancillary", "additional_clinical", "admin_clerical")
    under_represented_ratio: float = 0.5
    auth: str = "auto"
    stale_score_days: int = 90


def _codes(environ: Mapping[str, str], name: str, default: str) -> tuple[str, ...]:
    raw = environ.get(name, default)
    codes = tuple(dict.fromkeys(c.strip().lower() for c in raw.split(",") if c.strip()))
    unknown = [c for c in codes if c not in STAFF_GROUP_CODES]
    if unknown:
        raise ConfigError(
            name, f"names unknown staff group(s) {', '.join(unknown)}; known: "
            + ", ".join(STAFF_GROUP_CODES)
        )
    if not codes:
        raise ConfigError(name, "must name at least one staff group")
    return codes


def _ratio(environ: Mapping[str, str], name: str, default: str) -> float:
    raw = environ.get(name, default).strip()
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, f"must be a number between 0 and 1, got {raw!r}") from None
    if not 0 < value <= 1:
        raise ConfigError(name, f"must be above 0 and at most 1, got {value}")
    return value


def _int(environ: Mapping[str, str], name: str, default: str, minimum: int) -> int:
    raw = environ.get(name, default).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {value}")
    return value


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read and check every setting from an environment mapping.

    Args:
        environ: Usually ``os.environ``; tests pass a dict.

    Returns:
        The frozen ``Settings``.

    Raises:
        ConfigError: A value is malformed; the message names the setting.
    """
    defaults = {s.name: s.default for s in SETTINGS}
    url = environ.get("QINET_DATABASE_URL", defaults["QINET_DATABASE_URL"]).strip()
    if not url or "://" not in url:
        raise ConfigError(
            "QINET_DATABASE_URL",
            f"is not a database URL ({url!r}); expected e.g. sqlite:///data/qinet.db "
            "or postgresql+psycopg://user:password@host/dbname",
        )
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise ConfigError(
            "QINET_DATABASE_URL", "must start with sqlite:// or postgresql+psycopg://"
        )
    preset = environ.get("QINET_SPC_PRESET", defaults["QINET_SPC_PRESET"]).strip().upper()
    known = ("MDC_2024", "PTD", "LIFE_QI")
    if preset not in known:
        raise ConfigError("QINET_SPC_PRESET", f"must be one of {', '.join(known)}, got {preset!r}")
    create = environ.get("QINET_CREATE_DEMO", defaults["QINET_CREATE_DEMO"]).strip()
    if create not in ("0", "1"):
        raise ConfigError("QINET_CREATE_DEMO", f"must be 0 or 1, got {create!r}")
    auth = environ.get("QINET_AUTH", defaults["QINET_AUTH"]).strip().lower()
    if auth not in AUTH_CHOICES:
        raise ConfigError("QINET_AUTH", f"must be one of {', '.join(AUTH_CHOICES)}, got {auth!r}")
    return Settings(
        database_url=url,
        small_number_threshold=_int(
            environ, "QINET_SMALL_NUMBER_THRESHOLD", defaults["QINET_SMALL_NUMBER_THRESHOLD"], 1
        ),
        demo_seed=_int(environ, "QINET_DEMO_SEED", defaults["QINET_DEMO_SEED"], 0),
        create_demo=create == "1",
        spc_preset=preset,
        hard_to_reach=_codes(environ, "QINET_HARD_TO_REACH", defaults["QINET_HARD_TO_REACH"]),
        under_represented_ratio=_ratio(
            environ, "QINET_UNDER_REPRESENTED_RATIO", defaults["QINET_UNDER_REPRESENTED_RATIO"]
        ),
        auth=auth,
        stale_score_days=_int(
            environ, "QINET_STALE_SCORE_DAYS", defaults["QINET_STALE_SCORE_DAYS"], 1
        ),
    )
