"""Sign-in mode and identity, decided from plain data so they can be tested without Streamlit.

qinet fails closed: a secrets file that exists must hold a valid ``[auth]``
section, or the app stops with one line naming the file and the problem. No
sign-in (everyone an admin) is allowed without asking only over the synthetic
demo data; over real data it needs ``QINET_AUTH=none``.

Users are keyed on a stable claim (Entra ID ``tid`` + ``oid``, else issuer +
``sub``); an email is used to match ``user_role`` rows only when the provider
marks it verified.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qinet.errors import ConfigError

PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
SHARED_KEYS = ("redirect_uri", "cookie_secret")
PROJECT_SECRETS = ".streamlit/secrets.toml"


@dataclass(frozen=True)
class AuthMode:
    """How this process lets people in, decided once at start.

    Attributes:
        signed_in: True when every visitor must sign in with OpenID Connect.
        reason: Why, in a few words for the sidebar.
    """

    signed_in: bool
    reason: str

    def describe(self) -> str:
        """One line for the sidebar, e.g. ``Sign-in: on (OpenID Connect)``."""
        return f"Sign-in: {'on' if self.signed_in else 'off'} ({self.reason})"


def read_secrets_files(paths: Iterable[str | Path]) -> tuple[dict[str, Any], list[Path]]:
    """Parse every secrets file that exists, as Streamlit would merge them (later wins).

    Streamlit logs a parse error and carries on as if the file were empty; qinet
    parses the files itself so that a broken file stops the app instead.

    Args:
        paths: Candidate files (Streamlit's ``secrets.files`` option).

    Returns:
        The merged top-level tables and the files that exist.

    Raises:
        ConfigError: A file exists but cannot be read or does not parse; names the file.
    """
    merged: dict[str, Any] = {}
    found: list[Path] = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            continue
        found.append(path)
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(path), f"does not parse as TOML ({exc})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(path), f"cannot be read ({exc})") from None
    return merged, found


def _require(table: Mapping[str, Any], keys: Iterable[str], where: str, section: str) -> None:
    for key in keys:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(where, f"[{section}] has no {key} (a non-empty string is needed)")


def check_auth_section(secrets: Mapping[str, Any], where: str) -> None:
    """Check that ``secrets`` holds an ``[auth]`` section Streamlit's ``st.login`` can use.

    Args:
        secrets: The parsed secrets.
        where: The file (or source) to name in the error.

    Raises:
        ConfigError: The section is missing, misspelt or lacks a required key.
    """
    section = secrets.get("auth")
    if section is None:
        near = [k for k in secrets if k.strip().lower() in ("auth", "oauth", "oidc", "login")]
        hint = f" (found [{near[0]}]; section names are case-sensitive)" if near else ""
        raise ConfigError(where, f"has no [auth] section{hint}")
    if not isinstance(section, Mapping):
        raise ConfigError(where, "auth must be a [auth] table, not a single value")
    _require(section, SHARED_KEYS, where, "auth")
    if not section["redirect_uri"].rstrip().endswith("/oauth2callback"):
        raise ConfigError(where, "[auth] redirect_uri must end with /oauth2callback")
    providers = {k: v for k, v in section.items() if isinstance(v, Mapping)}
    if not providers or any(k in section for k in PROVIDER_KEYS):
        _require(section, PROVIDER_KEYS, where, "auth")
    for name, provider in providers.items():
        if "_" in name:
            raise ConfigError(where, f"[auth.{name}]: provider names cannot contain '_'")
        _require(provider, PROVIDER_KEYS, where, f"auth.{name}")


def decide_mode(
    auth_setting: str, synthetic: bool, secrets: Mapping[str, Any] | None, where: str
) -> AuthMode:
    """Decide the sign-in mode; never falls back to no sign-in when secrets exist.

    Args:
        auth_setting: ``QINET_AUTH`` (``auto``, ``none`` or ``oidc``).
        synthetic: True when the database holds the synthetic demo data.
        secrets: Parsed secrets, or ``None`` when no secrets file exists.
        where: The secrets file to name in messages.

    Returns:
        The mode.

    Raises:
        ConfigError: Secrets exist but are not a valid ``[auth]`` setup, or no sign-in is
            configured over real data without ``QINET_AUTH=none``.
    """
    if secrets is not None:
        check_auth_section(secrets, where)
        return AuthMode(True, "OpenID Connect")
    if auth_setting == "oidc":
        raise ConfigError("QINET_AUTH", f"is oidc but there is no secrets file ({where})")
    if synthetic:
        return AuthMode(False, "synthetic demo data, everyone is an admin")
    if auth_setting == "none":
        return AuthMode(False, "QINET_AUTH=none, everyone is an admin")
    raise ConfigError(
        "QINET_AUTH",
        f"the database holds real data but sign-in is not configured: add an [auth] section "
        f"to {where}, or set QINET_AUTH=none on a single analyst's laptop",
    )


@dataclass(frozen=True)
class Identity:
    """Who signed in, from the ID token's claims.

    Attributes:
        subject: Stable key: ``entra:<tid>/<oid>`` or ``<issuer>#<sub>``; "" when absent.
        email: The email, only when the provider marks it verified.
        display: What to call them on screen (never used to grant anything).
        roles: Values of the token's ``roles`` claim.
    """

    subject: str
    email: str | None
    display: str
    roles: tuple[str, ...]


def _truthy(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    """Key a signed-in user on stable claims; keep the email only if verified.

    Args:
        claims: ``st.user`` as a mapping (the ID token's claims).

    Returns:
        The ``Identity``.
    """
    oid, tid = claims.get("oid"), claims.get("tid")
    sub, iss = claims.get("sub"), claims.get("iss")
    if oid and tid:
        subject = f"entra:{tid}/{oid}"
    elif sub:
        subject = f"{iss or 'oidc'}#{sub}"
    else:
        subject = ""
    raw_email = claims.get("email")
    email = str(raw_email).strip() if raw_email and _truthy(claims.get("email_verified")) else None
    display = str(raw_email or claims.get("preferred_username") or claims.get("name") or subject)
    roles = claims.get("roles") or []
    if isinstance(roles, str):
        roles = [roles]
    return Identity(subject, email, display, tuple(str(r) for r in roles))


def token_expired(claims: Mapping[str, Any], now: float) -> bool:
    """True when the ID token's ``exp`` has passed (Streamlit does not check it).

    Token roles then last as long as the provider's token, not the 30-day cookie.
    """
    exp = claims.get("exp")
    try:
        return exp is not None and float(exp) <= now
    except (TypeError, ValueError):
        return True
