"""The Slack library's own log lines carry no message text once logging is configured.

Bolt logs the whole body of a request whose signature fails (and, at debug level, events and
responses). Lambda hands requests to bolt directly, so this is bolt's own path, not our
endpoint's pre-check.
"""

from __future__ import annotations

import json
import logging
import time

import pytest
from pydantic import SecretStr
from slack_bolt import BoltRequest

from cloudstro.channels.slack.bolt_app import build_slack_app
from cloudstro.config import Settings
from tests.support.slack import World, dm, new_channel, real_assistant

pytestmark = pytest.mark.integration

SECRET_WORDS = "my secret launch plan"


def test_a_failed_signature_check_logs_no_message_text(
        slack_world: World, content_free_records: None,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app = build_slack_app(slack_world.store, real_assistant(slack_world), slack_world.settings)
    body = json.dumps(dm(new_channel(), SECRET_WORDS))
    response = app.dispatch(BoltRequest(body=body, headers={
        "content-type": "application/json", "x-slack-request-timestamp": str(int(time.time())),
        "x-slack-signature": "v0=" + "0" * 64}))
    assert response.status == 401
    refused = [r for r in caplog.records if r.name == "slack_bolt.RequestVerification"]
    assert refused, "bolt still reports the refusal (logger and level)"
    assert SECRET_WORDS not in caplog.text


def test_the_app_warns_at_start_while_sign_in_with_slack_is_off(
        slack_world: World, caplog: pytest.LogCaptureFixture) -> None:
    def warnings_at_start(settings: Settings) -> list[str]:
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="cloudstro.slack"):
            build_slack_app(slack_world.store, real_assistant(slack_world), settings)
        return [r.getMessage() for r in caplog.records if "Sign in with Slack" in r.getMessage()]

    signin = slack_world.settings.model_copy(update={
        "slack_client_id": "slack-app", "slack_client_secret": SecretStr("slack-app-secret")})

    (warning,) = warnings_at_start(slack_world.settings)
    assert "can be finished by whoever opens it and continues past the page" in warning
    assert warnings_at_start(signin) == []
