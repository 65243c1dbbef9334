"""Sign-in mode and identity rules (pure): fail closed, stable keys, verified emails only."""

import pytest

from qinet.auth import (
    check_auth_section,
    decide_mode,
    identity_from_claims,
    read_secrets_files,
    token_expired,
)
from qinet.errors import ConfigError

pytestmark = pytest.mark.unit

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x",
    "client_id": "c",
    "client_secret": "s",
    "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
}


def test_broken_file_names_the_file(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text('[auth]\nclient_id = "x\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_secrets_files([tmp_path / "missing.toml", path])
    assert str(err.value).startswith(f"{path}: does not parse as TOML")


def test_absent_files_are_skipped(tmp_path):
    assert read_secrets_files([tmp_path / "none.toml"]) == ({}, [])


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({"Auth": AUTH}, "has no [auth] section (found [Auth]"),
        ({"other": 1}, "has no [auth] section"),
        ({"auth": "yes"}, "auth must be a [auth] table"),
        ({"auth": {**AUTH, "client_id": ""}}, "[auth] has no client_id"),
        ({"auth": {**AUTH, "redirect_uri": "http://x/"}}, "must end with /oauth2callback"),
        ({"auth": {k: AUTH[k] for k in ("redirect_uri", "cookie_secret")}},
         "[auth] has no client_id"),
        ({"auth": {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x",
                   "entra": {"client_id": "c"}}}, "[auth.entra] has no client_secret"),
    ],
)
def test_invalid_auth_sections_are_refused(secrets, message):
    with pytest.raises(ConfigError) as err:
        check_auth_section(secrets, "f.toml")
    assert message in str(err.value)


def test_named_providers_are_accepted():
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    check_auth_section({"auth": {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x",
                                 "entra": provider}}, "f.toml")  # fmt: skip


@pytest.mark.parametrize("setting", ["auto", "none", "oidc"])
@pytest.mark.parametrize("synthetic", [True, False])
def test_valid_secrets_always_mean_sign_in(setting, synthetic):
    assert decide_mode(setting, synthetic, {"auth": AUTH}, "f").signed_in


def test_no_secrets():
    assert not decide_mode("auto", True, None, "f").signed_in
    assert not decide_mode("none", False, None, "f").signed_in
    for setting, synthetic in (("auto", False), ("oidc", True)):
        with pytest.raises(ConfigError) as err:
            decide_mode(setting, synthetic, None, "f")
        assert err.value.setting == "QINET_AUTH"


def test_identity_prefers_entra_ids_and_keeps_only_verified_email():
    who = identity_from_claims({"oid": "o", "tid": "t", "sub": "s", "iss": "i",
                                "email": "a@b", "email_verified": "true", "roles": "Admin"})
    assert (who.subject, who.email, who.roles) == ("entra:t/o", "a@b", ("Admin",))
    who = identity_from_claims({"sub": "s", "iss": "https://idp", "email": "a@b"})
    assert (who.subject, who.email, who.display) == ("https://idp#s", None, "a@b")
    assert identity_from_claims({"email": "a@b", "email_verified": False}).email is None


def test_token_expiry():
    assert token_expired({"exp": 100}, 200)
    assert not token_expired({"exp": 300}, 200)
    assert not token_expired({}, 200)
    assert token_expired({"exp": "soon"}, 200)
