"""Bearer tokens: every way a token can be wrong is a 401, and the secret is never guessed."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cloudstro.channels.http.auth import (
    AuthNotConfigured,
    SigningSecret,
    TokenError,
    is_loopback,
    issue_token,
    resolve_secret,
    verify_token,
)
from cloudstro.cli.main import _register_optional_commands, cli
from cloudstro.config import Settings, get_settings
from tests.support.http_api import SECRET, USERS, ApiStack, auth

ALICE = USERS[0]
OTHER_SECRET = SigningSecret(b"another-deployment-" + b"k" * 40, "other")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _forge(payload: dict) -> str:
    """A token whose payload was edited after signing (the signature is the original's)."""
    genuine = issue_token(SECRET, ALICE, timedelta(hours=1))
    version, _, signature = genuine.split(".")
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{version}.{body}.{signature}"


# ------------------------------------------------------------------ tokens, no server

def test_token_round_trip_carries_the_claims() -> None:
    token = issue_token(SECRET, ALICE, timedelta(days=2), now=T0)
    claims = verify_token(SECRET, token, now=T0 + timedelta(days=1))
    assert claims.sub == ALICE
    assert claims.exp - claims.iat == 2 * 86400
    assert len(claims.jti) == 24
    assert issue_token(SECRET, ALICE, timedelta(days=2), now=T0) != token, "jti is unique"


@pytest.mark.parametrize(("token", "code"), [
    ("", "invalid_token"),
    ("not-a-token", "invalid_token"),
    ("cs1.abc", "invalid_token"),
    ("cs1.a.b.c", "invalid_token"),
    ("jwt.eyJ.abc", "invalid_token"),
    ("cs1.!!!.abc", "invalid_token"),
])
def test_malformed_tokens_are_refused(token: str, code: str) -> None:
    with pytest.raises(TokenError) as caught:
        verify_token(SECRET, token)
    assert caught.value.code == code


def test_expiry_and_future_issue_are_refused() -> None:
    token = issue_token(SECRET, ALICE, timedelta(hours=1), now=T0)
    with pytest.raises(TokenError) as caught:
        verify_token(SECRET, token, now=T0 + timedelta(hours=1))
    assert caught.value.code == "token_expired"
    with pytest.raises(TokenError, match="future"):
        verify_token(SECRET, token, now=T0 - timedelta(hours=1))


def test_signature_from_another_secret_or_edited_payload_is_refused() -> None:
    with pytest.raises(TokenError, match="signature"):
        verify_token(SECRET, issue_token(OTHER_SECRET, ALICE, timedelta(hours=1)))
    with pytest.raises(TokenError, match="signature"):
        verify_token(SECRET, _forge({"sub": USERS[1], "iat": 0, "exp": 2**40, "jti": "x"}))


def test_user_ids_that_could_escape_their_namespace_are_refused() -> None:
    for bad in ("a/b", "", "x" * 129, "bob smith"):
        with pytest.raises(ValueError, match="not valid"):
            issue_token(SECRET, bad, timedelta(hours=1))


# ------------------------------------------------------------------ the secret

def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(**{"_env_file": None, "CLOUDSTRO_DATA_DIR": str(tmp_path / "data"), **values})


def test_configured_secret_wins_and_must_be_long(tmp_path: Path) -> None:
    secret = resolve_secret(_settings(tmp_path, CLOUDSTRO_AUTH_SECRET="z" * 40),
                            store_is_local=False, host="0.0.0.0")
    assert secret.value == b"z" * 40 and secret.source == "CLOUDSTRO_AUTH_SECRET"
    assert "z" * 40 not in repr(secret)
    with pytest.raises(AuthNotConfigured, match="at least 32"):
        resolve_secret(_settings(tmp_path, CLOUDSTRO_AUTH_SECRET="short"),
                       store_is_local=True, host="127.0.0.1")


@pytest.mark.parametrize(("store_is_local", "host", "why"), [
    (False, "127.0.0.1", "not the local engine"),
    (True, "0.0.0.0", "reachable from other machines"),
    (True, "192.168.1.10", "reachable from other machines"),
    (False, None, "not the local engine"),
])
def test_without_a_secret_only_the_local_demo_runs(tmp_path: Path, store_is_local: bool,
                                                   host: str | None, why: str) -> None:
    with pytest.raises(AuthNotConfigured, match=why):
        resolve_secret(_settings(tmp_path), store_is_local=store_is_local, host=host)
    assert not (tmp_path / "data").exists(), "no key file is written when refusing"


def test_local_demo_keeps_one_private_key_file(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = resolve_secret(settings, store_is_local=True, host="127.0.0.1")
    again = resolve_secret(settings, store_is_local=True, host="localhost")
    for_cli = resolve_secret(settings, store_is_local=True, host=None)
    assert first.value == again.value == for_cli.value and len(first.value) >= 32
    key_file = Path(first.source)
    assert key_file.parent == tmp_path / "data"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert sorted(p.name for p in key_file.parent.iterdir()) == [key_file.name]


def test_loopback_detection() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "10.0.0.1", "example.com"]))


# ------------------------------------------------------------------ the CLI

@pytest.fixture
def runner() -> CliRunner:
    _register_optional_commands()
    return CliRunner()


def test_token_issue_prints_a_token_the_server_accepts(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch, local_store) -> None:
    from cloudstro.store.demo import seed_demo

    seed_demo(local_store, users=1, days=2, seed=3)
    monkeypatch.setenv("CLOUDSTRO_AUTH_SECRET", "c" * 48)
    get_settings.cache_clear()
    result = runner.invoke(cli, ["token", "issue", "--user", "demo_user_000", "--ttl", "0.5"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    claims = verify_token(SigningSecret(b"c" * 48), token)
    assert claims.sub == "demo_user_000" and claims.exp - claims.iat == 43200
    missing = runner.invoke(cli, ["token", "issue", "--user", "nobody_here"])
    assert missing.exit_code != 0 and "no user 'nobody_here'" in missing.output
    unchecked = runner.invoke(cli, ["token", "issue", "--user", "nobody_here",
                                    "--no-check-user"])
    assert unchecked.exit_code == 0


def test_serve_refuses_a_public_host_without_a_secret(
        runner: CliRunner, local_settings: Settings, restore_logging: None) -> None:
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "9"])
    assert result.exit_code != 0
    assert "CLOUDSTRO_AUTH_SECRET is not set" in result.output
    assert "reachable from other machines" in result.output


def test_token_issue_refuses_a_cloud_store_without_a_secret(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    get_settings.cache_clear()
    result = runner.invoke(cli, ["token", "issue", "--user", "u1", "--no-check-user"])
    assert result.exit_code != 0 and "not the local engine" in result.output


# ------------------------------------------------------------------ through the server

def _bad_headers() -> dict[str, tuple[dict[str, str], str]]:
    expired = issue_token(SECRET, ALICE, timedelta(hours=1),
                          now=datetime.now(UTC) - timedelta(hours=2))
    return {
        "missing": ({}, "missing_token"),
        "wrong scheme": ({"Authorization": f"Basic {issue_token(SECRET, ALICE, timedelta(1))}"},
                         "invalid_token"),
        "bare scheme": ({"Authorization": "Bearer"}, "invalid_token"),
        "malformed": ({"Authorization": "Bearer abc.def"}, "invalid_token"),
        "bad signature": ({"Authorization":
                           f"Bearer {issue_token(OTHER_SECRET, ALICE, timedelta(1))}"},
                          "invalid_token"),
        "edited payload": ({"Authorization": "Bearer " + _forge(
            {"sub": USERS[1], "iat": 0, "exp": 2**40, "jti": "x"})}, "invalid_token"),
        "expired": ({"Authorization": f"Bearer {expired}"}, "token_expired"),
        "unknown user": ({"Authorization":
                          f"Bearer {issue_token(SECRET, 'ghost_user', timedelta(1))}"},
                         "unknown_user"),
    }


@pytest.mark.integration
@pytest.mark.parametrize("case", list(_bad_headers()))
def test_every_auth_failure_is_a_401_with_a_challenge(api: ApiStack, case: str) -> None:
    headers, code = _bad_headers()[case]
    with api.client() as client:
        responses = [client.post("/v1/chat", json={"message": "How did I do?"},
                                 headers=headers),
                     client.post("/v1/chat/stream", json={"message": "How did I do?"},
                                 headers=headers),
                     client.get("/v1/threads/anything", headers=headers)]
    for response in responses:
        assert response.status_code == 401, (case, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["requestId"] == response.headers["x-request-id"]


@pytest.mark.integration
def test_valid_token_is_accepted(api: ApiStack) -> None:
    with api.client() as client:
        response = client.get("/v1/threads/none-yet", headers=auth(ALICE))
    assert response.status_code == 404, "authenticated; the thread simply does not exist"
