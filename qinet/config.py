"""Settings, declared once: name, default and help, read from the environment.

The README documents every setting in this list (a test checks it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
        "QINET_AUTH",
        "auto",
        "auto: sign-in when .streamlit/secrets.toml has an [auth] section, no sign-in only "
        "over the synthetic demo data; none: allow no sign-in (everyone an admin) over real "
        "data, for one analyst's laptop; oidc: refuse to start without a valid [auth] section.",
    ),
)

AUTH_CHOICES = ("auto", "none", "oidc")


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one process."""

    database_url: str
    small_number_threshold: int
    demo_seed: int
    create_demo: bool
    spc_preset: str
    auth: str = "auto"


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
        auth=auth,
    )
