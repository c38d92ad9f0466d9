"""A Slack message during a store outage gets a short apology in its thread, never silence.

Slack is acknowledged at once and never redelivers an acknowledged event, so a turn that cannot
run (the store is down before the event could even be claimed) must still say so while Slack can
be reached. The app here is served by uvicorn and signed requests reach it as from Slack; its
DynamoDB endpoint is a loopback port nobody listens on, so every store call is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from cloudstro.agent.service import APOLOGY
from cloudstro.channels.slack.conversation import Conversations, SlackTurn
from cloudstro.store import Store
from cloudstro.store.claims import ClaimsRepository
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import StoreUnreachableError
from tests.conftest import make_settings
from tests.servers import free_port
from tests.slack.conftest import (
    SECRET,
    Served,
    World,
    dm,
    mention,
    new_channel,
    new_ts,
    post_event,
    real_assistant,
    serve,
    thread_started,
    wait_quiet,
)
from tests.slack.mock_slack import TEAM, MockSlack

pytestmark = pytest.mark.integration

APOLOGY_WAIT = 30.0


@pytest.fixture(scope="module")
def down() -> Iterator[World]:
    """An app whose DynamoDB refuses every connection, and the mock Slack it answers to."""
    with MockSlack() as slack:
        settings = make_settings(
            f"o{uuid.uuid4().hex[:8]}-", DYNAMODB_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
            CLOUDSTRO_LLM="offline", SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.base_url, SLACK_WORKERS="4")
        dynamo = Dynamo(settings)
        store = Store(dynamo, settings)
        yield World(settings, store, slack, ClaimsRepository(dynamo, store.names.runtime))


@pytest.fixture(scope="module")
def served_down(down: World) -> Iterator[Served]:
    with serve(down, real_assistant(down)) as running:
        yield running


def _apologies(slack: MockSlack, channel: str) -> list[dict]:
    slack.wait_for(lambda: slack.answers(channel), APOLOGY_WAIT, "the apology")
    wait_quiet(slack)
    return slack.answers(channel)


def test_dm_during_an_outage_gets_an_apology_in_its_thread(served_down, down):
    channel = new_channel()
    payload = dm(channel, "How did I do this week?", user="U0ANYONE")
    assert post_event(served_down.url, payload).status_code == 200
    [answer] = _apologies(down.slack, channel)
    assert answer["text"] == APOLOGY and answer["thread_ts"] == payload["event"]["ts"]


def test_mention_during_an_outage_gets_an_apology_in_its_thread(served_down, down):
    channel = new_channel("C")
    payload = mention(channel, "How did I do this week?", user="U0ANYONE")
    assert post_event(served_down.url, payload).status_code == 200
    [answer] = _apologies(down.slack, channel)
    assert answer["text"] == APOLOGY and answer["thread_ts"] == payload["event"]["ts"]


def test_new_assistant_thread_during_an_outage_gets_an_apology(served_down, down):
    channel, thread = new_channel(), new_ts()
    assert post_event(served_down.url,
                      thread_started(channel, thread, user="U0ANYONE")).status_code == 200
    [answer] = _apologies(down.slack, channel)
    assert answer["text"] == APOLOGY and answer["thread_ts"] == thread


class UnreachableClaims:
    """Claims whose table answers nothing, as the store reports it after its retries."""

    def __getattr__(self, name: str):
        def unreachable(*args: object, **kwargs: object) -> None:
            raise StoreUnreachableError("http://127.0.0.1:1", "connection refused")
        return unreachable


def test_a_store_error_on_the_claim_becomes_the_apology(down):
    """The same through the store's own error, with the agent never asked."""
    asked: list[str] = []

    class Assistant:
        def __getattr__(self, name: str):
            asked.append(name)
            raise AssertionError("the agent must not be asked without the store")

    conversations = Conversations(down.store, Assistant(), UnreachableClaims())  # type: ignore[arg-type]
    channel, ts = new_channel(), new_ts()
    turn = SlackTurn(f"Ev{uuid.uuid4().hex[:12]}", TEAM, channel, ts, "U0ANYONE", "hi",
                     stream=True, assistant_thread=False)
    conversations.answer(turn, WebClient(token="xoxb-test-token", base_url=down.slack.base_url))
    [answer] = down.slack.answers(channel)
    assert answer["text"] == APOLOGY and answer["thread_ts"] == ts and asked == []


def test_no_apology_when_slack_cannot_be_reached_either(down, caplog):
    """Nothing to post to: the failure is logged and the worker carries on."""
    conversations = Conversations(down.store, object(), UnreachableClaims())  # type: ignore[arg-type]
    turn = SlackTurn("Ev0UNREACHABLE", TEAM, new_channel(), new_ts(), "U0ANYONE", "hi",
                     stream=True, assistant_thread=False)
    closed = WebClient(token="xoxb-test-token", base_url=f"http://127.0.0.1:{free_port()}/")
    conversations.answer(turn, closed)  # returns, never raises
    assert "could not post the apology" in caplog.text
