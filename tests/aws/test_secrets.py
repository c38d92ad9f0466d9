"""Credentials from the deployment's Secrets Manager secret, on moto."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from cloudstro.config import get_settings
from cloudstro.config.secrets import load_secret_into_environment


@pytest.fixture
def secret_arn(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        arn = client.create_secret(Name="cloudstro/test/app", SecretString=json.dumps({
            "SLACK_SIGNING_SECRET": "signing-from-secret", "SLACK_BOT_TOKEN": "xoxb-from-secret",
            "CLOUDSTRO_AUTH_SECRET": "auth-from-secret", "NOT_A_SETTING": "ignored"}))["ARN"]
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.setenv("CLOUDSTRO_SECRET_ARN", arn)
        get_settings.cache_clear()
        yield arn
    for name in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "CLOUDSTRO_AUTH_SECRET"):
        os.environ.pop(name, None)
    get_settings.cache_clear()


def test_known_keys_reach_the_settings_and_a_value_set_on_purpose_wins(
        secret_arn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-set-on-the-function")
    get_settings.cache_clear()

    loaded = load_secret_into_environment()

    assert loaded == ["CLOUDSTRO_AUTH_SECRET", "SLACK_SIGNING_SECRET"]
    settings = get_settings()
    assert settings.slack_signing_secret is not None
    assert settings.slack_signing_secret.get_secret_value() == "signing-from-secret"
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-set-on-the-function"
    assert "NOT_A_SETTING" not in os.environ


def test_the_placeholder_before_anything_is_stored_loads_nothing(secret_arn: str) -> None:
    client = boto3.client("secretsmanager", region_name="us-east-1")
    client.put_secret_value(SecretId=secret_arn, SecretString="not json yet")
    assert load_secret_into_environment() == []
    assert get_settings().slack_signing_secret is None


def test_without_a_secret_arn_nothing_is_read() -> None:
    assert load_secret_into_environment(client=object()) == []
