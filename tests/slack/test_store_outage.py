"""A Slack message during a store outage gets a short apology in its thread, never silence.

Slack is acknowledged at once and never redelivers an acknowledged event, so a turn that cannot
run (the store is down before the event could even be claimed) must still say so while Slack can
be reached. The app here is served by uvicorn and signed requests reach it as from Slack; its
DynamoDB endpoint is a loopback port nobody listens on, so every store call is refused. An outage
that begins in the middle of a turn (DynamoDB Local behind a proxy that goes down while the model
thinks) ends the same way, not in an answer written around the tools' failures.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from slack_sdk import WebClient

from cloudstro.agent.memory import make_checkpointer
from cloudstro.agent.service import APOLOGY, Assistant, TextDelta
from cloudstro.channels.slack.conversation import Conversations, SlackTurn
from cloudstro.config import fixed_clock
from cloudstro.store import Store
from cloudstro.store.claims import ClaimsRepository
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import StoreUnreachableError
from cloudstro.store.local import LocalEngine
from tests.support.flaky_proxy import FlakyProxy
from tests.support.mock_slack import TEAM, MockSlack
from tests.support.outage_model import OutageWhileThinking
from tests.support.servers import free_port
from tests.support.settings import make_settings
from tests.support.slack import (
    ALICE,
    NOW,
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
    slack.wait_for(lambda: bool(slack.answers(channel)), APOLOGY_WAIT, "the apology")
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


@dataclass
class MidTurnOutage:
    served: Served
    model_steps: list[int]


@pytest.fixture(params=["whole-store", "data-tables-only"])
def failing_mid_turn(request: pytest.FixtureRequest, slack_world: World,
                     local_engine: LocalEngine) -> Iterator[MidTurnOutage]:
    """The shared demo world; the agent reads it through a proxy that goes down while the
    model thinks. Either the whole store fails (claims and memory too), or only the tables the
    tools read (conversation memory still answers, as when one table is throttled)."""
    proxy = FlakyProxy(local_engine.port)
    settings = slack_world.settings.model_copy(update={"dynamodb_endpoint_url": proxy.url})
    dynamo = Dynamo(settings)
    store = Store(dynamo, settings)
    steps: list[int] = []

    def take_down() -> None:
        steps.append(1)
        proxy.down()

    model = OutageWhileThinking(take_store_down=take_down)
    if request.param == "whole-store":
        world = World(settings, store, slack_world.slack,
                      ClaimsRepository(dynamo, store.names.runtime))
        assistant = real_assistant(world, model=model)
    else:
        world = slack_world
        assistant = Assistant(store, settings, model=model, clock=fixed_clock(NOW),
                              checkpointer=make_checkpointer(slack_world.store.dynamo))
    try:
        with serve(world, assistant) as running:
            yield MidTurnOutage(running, steps)
    finally:
        proxy.close()


@pytest.mark.parametrize("message", [dm, mention], ids=["dm-streamed", "mention-whole"])
def test_an_outage_in_the_middle_of_a_turn_gets_the_apology(failing_mid_turn, slack_world,
                                                            message):
    """Claimed and linked while DynamoDB answered; its tools then meet the outage, which ends
    the turn: the model is not asked again to write an answer around the tools' failures."""
    channel = new_channel("D" if message is dm else "C")
    payload = message(channel, "How did I do this week?")
    assert post_event(failing_mid_turn.served.url, payload).status_code == 200
    [answer] = _apologies(slack_world.slack, channel)
    assert answer["text"] == APOLOGY and answer["thread_ts"] == payload["event"]["ts"]
    assert answer["blocks"] == [], "an apology, not an answer with feedback buttons"
    assert len(failing_mid_turn.model_steps) == 1


PARAGRAPH = "So far the week looks steady.\n\n"


class OutageAfterText:
    """An agent whose store fails after it has written `written` paragraphs of its answer."""

    def __init__(self, written: int) -> None:
        self.written = written

    def check_message(self, text: str) -> str:
        return text

    def stream(self, user_id: str, thread_id: str, text: str, now: object = None,
               slack: object = None):
        if self.written:
            yield TextDelta(PARAGRAPH * self.written)
        raise StoreUnreachableError("http://127.0.0.1:1", "connection refused")


@pytest.mark.parametrize(("written", "kind"), [(0, "post"), (20, "stream")],
                         ids=["nothing-streamed-yet", "stream-begun"])
def test_a_streamed_turn_that_meets_an_outage_ends_with_one_apology(slack_world, written, kind):
    """Nothing in the thread yet: the apology is posted. A stream already visible there is
    ended with it rather than left open beside a second message."""
    conversations = Conversations(slack_world.store, OutageAfterText(written),
                                  slack_world.claims)
    channel, ts = new_channel(), new_ts()
    turn = SlackTurn(f"Ev{uuid.uuid4().hex[:12]}", TEAM, channel, ts, ALICE,
                     "How did I do this week?", stream=True, assistant_thread=False)
    conversations.answer(turn, WebClient(token="xoxb-test-token",
                                         base_url=slack_world.slack.base_url))
    [answer] = slack_world.slack.answers(channel)
    assert answer["kind"] == kind and answer["thread_ts"] == ts and answer["blocks"] == []
    assert answer["text"].startswith(PARAGRAPH * written) and answer["text"].endswith(APOLOGY)
