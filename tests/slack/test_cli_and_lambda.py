"""`cloudstro users link-slack`, `cloudstro slack`, and the Lambda entry point."""

from __future__ import annotations

import json
import threading
import time
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from slack_bolt.adapter.aws_lambda.lazy_listener_runner import LambdaLazyListenerRunner

from cloudstro.channels.slack.identity import LINK_SK, SlackIdentity, link_key
from cloudstro.channels.slack.lambda_handler import ScreenedSlackHandler, build_handler
from cloudstro.store.demo import seed_demo
from tests.support.slack import (
    UNTIL,
    SpyAssistant,
    dm,
    mention,
    new_channel,
    real_assistant,
    signed_headers,
    wait_quiet,
)

pytestmark = pytest.mark.integration



def test_link_slack_links_by_hand(local_store, command_line):
    seed_demo(local_store, users=2, days=2, seed=5, until=UNTIL)
    runner = CliRunner()
    result = runner.invoke(command_line, ["users", "link-slack", "--user", "demo_user_001",
                                          "--slack-user", "U0CAROL", "--team", "T0TEST"])
    assert result.exit_code == 0, result.output
    assert "Linked Slack user U0CAROL to demo_user_001" in result.output
    profile = local_store.users.get("demo_user_001")
    assert (profile.slackUserId, profile.slackTeamId) == ("U0CAROL", "T0TEST")
    identity = SlackIdentity(local_store)
    assert identity.linked_user("U0CAROL", "T0TEST") == "demo_user_001"
    assert identity.linked_user("U0CAROL", "T0OTHER") is None  # another workspace's U0CAROL

    unknown = runner.invoke(command_line, ["users", "link-slack", "--user", "nobody",
                                           "--slack-user", "U0DAVE"])
    assert unknown.exit_code == 1 and "no user 'nobody'" in unknown.output
    assert identity.records.get_record(link_key("U0DAVE"), LINK_SK) is None  # nothing half-done

    bad = runner.invoke(command_line, ["users", "link-slack", "--user", "demo_user_000",
                                       "--slack-user", "alice@example.com"])
    assert bad.exit_code == 1 and "not a Slack member id" in bad.output
    assert local_store.users.get("demo_user_000").slackUserId is None


def test_socket_mode_needs_an_app_token(command_line):
    result = CliRunner().invoke(command_line, ["slack"])
    assert result.exit_code == 1 and "SLACK_APP_TOKEN is not set" in result.output


class SelfInvokingLambda:
    """Stands in for `lambda:InvokeFunction` on itself: runs the lazy half on another thread."""

    def __init__(self) -> None:
        self.invocations: list[dict] = []
        self.handler: ScreenedSlackHandler | None = None  # set once the handler is built
        self.threads: list[threading.Thread] = []

    def invoke(self, FunctionName: str, InvocationType: str, Payload: str) -> dict:
        event = json.loads(Payload)
        self.invocations.append({"function": FunctionName, "type": InvocationType,
                                 "lazy": event["headers"].get("x-slack-bolt-lazy-function-name")})
        assert self.handler is not None
        thread = threading.Thread(target=self.handler.handle, args=(event, CONTEXT))
        thread.start()
        self.threads.append(thread)
        return {"StatusCode": 202}


CONTEXT = SimpleNamespace(function_name="cloudstro-slack", aws_request_id="req-1",
                          invoked_function_arn="arn:aws:lambda:us-east-1:1:function:cloudstro")


def _lambda_event(payload: dict) -> dict:
    body = json.dumps(payload)
    return {"requestContext": {"http": {"method": "POST"}}, "isBase64Encoded": False,
            "body": body, "headers": signed_headers(body)}


def test_lambda_acks_then_answers_once_through_self_invocation(slack_world):
    spy = SpyAssistant(real_assistant(slack_world))
    handler = build_handler(slack_world.store, spy, slack_world.settings)
    fake = SelfInvokingLambda()
    fake.handler = handler
    runner = handler.app.listener_runner.lazy_listener_runner
    assert isinstance(runner, LambdaLazyListenerRunner)  # what bolt's Lambda handler installs
    runner.lambda_client = fake
    slack, channel = slack_world.slack, new_channel("C")
    payload = mention(channel, "How did I do this week?")

    started = time.monotonic()
    response = handler.handle(_lambda_event(payload), CONTEXT)
    ack_seconds = time.monotonic() - started
    assert response["statusCode"] == 200 and ack_seconds < 3.0
    assert fake.invocations == [{"function": CONTEXT.invoked_function_arn, "type": "Event",
                                 "lazy": "answer_mention"}]
    slack.wait_for(lambda: slack.answers(channel), 30, "the Lambda answer")

    again = handler.handle(_lambda_event(payload), CONTEXT)  # Slack redelivers
    assert again["statusCode"] == 200
    for thread in fake.threads:
        thread.join(timeout=30)
    wait_quiet(slack)
    assert len(slack.answers(channel)) == 1
    assert len(spy.turns_in(channel)) == 1

    bad = _lambda_event(dm(channel, "hi"))
    bad["headers"]["x-slack-signature"] = "v0=" + "0" * 64
    assert handler.handle(bad, CONTEXT)["statusCode"] == 401
