"""A store outage ends a turn as what it is; a model or tool failure still ends in an apology.

The store here points at a loopback port nobody listens on, so every DynamoDB call is refused
as from a stopped engine (the store's default attempts are spent in milliseconds).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver

from cloudstro.agent.service import APOLOGY, Assistant, Done, TextDelta, ToolEvent
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import (
    StoreThrottledError,
    StoreUnavailableError,
    StoreUnreachableError,
    TableMissingError,
)
from cloudstro.tools.common import guarded
from tests.support.constants import DEMO_USER as USER
from tests.support.constants import NOW
from tests.support.scripted_model import ScriptedChatModel, call
from tests.support.servers import free_port
from tests.support.settings import make_settings


@pytest.fixture
def down_store() -> Store:
    settings = make_settings(f"d{uuid.uuid4().hex[:8]}-",
                             DYNAMODB_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}")
    return Store(Dynamo(settings), settings)


class BrokenModel(ScriptedChatModel):
    """A model whose service fails on every call."""

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the model service failed")


def test_an_outage_before_the_turn_raises_the_stores_error(down_store: Store) -> None:
    """Memory is read first: without it there is no turn to answer."""
    model = ScriptedChatModel(script=[AIMessage(content="never written")])
    assistant = Assistant(down_store, model=model)
    with pytest.raises(StoreUnreachableError):
        assistant.respond(USER, None, "how did I do this week?", now=NOW)
    with pytest.raises(StoreUnreachableError):
        list(assistant.stream(USER, None, "how did I do this week?", now=NOW))
    assert model.seen == [], "the model is never asked without memory"


def test_an_outage_inside_a_tool_ends_the_turn(down_store: Store) -> None:
    """The model is not asked to write around an outage it cannot fix."""
    model = ScriptedChatModel(script=[call("list_my_posts", {"limit": 5}),
                                      AIMessage(content="Your data store could not be read.")])
    assistant = Assistant(down_store, model=model, checkpointer=InMemorySaver())
    with pytest.raises(StoreUnreachableError):
        assistant.respond(USER, None, "show my posts", now=NOW)
    assert len(model.seen) == 1, "no second model call to explain the tool's error"


def test_a_streamed_turn_reports_the_tool_start_then_raises(down_store: Store) -> None:
    model = ScriptedChatModel(script=[call("list_my_posts", {"limit": 5}),
                                      AIMessage(content="Your data store could not be read.")])
    assistant = Assistant(down_store, model=model, checkpointer=InMemorySaver())
    seen: list[Any] = []
    with pytest.raises(StoreUnreachableError):
        for event in assistant.stream(USER, None, "show my posts", now=NOW):
            seen.append(event)
    assert [type(event) for event in seen] == [ToolEvent]
    assert not any(isinstance(event, (TextDelta, Done)) for event in seen)


def test_a_model_failure_is_still_an_apology(down_store: Store) -> None:
    assistant = Assistant(down_store, model=BrokenModel(script=[]),
                          checkpointer=InMemorySaver())
    reply = assistant.respond(USER, None, "how did I do?", now=NOW)
    assert reply.failed and reply.reply == APOLOGY
    events = list(assistant.stream(USER, None, "how did I do?", now=NOW))
    assert isinstance(events[-1], Done) and events[-1].reply.failed


@pytest.mark.parametrize("outage", [
    StoreUnreachableError("http://127.0.0.1:1", "connection refused"),
    StoreThrottledError("DynamoDB throttled requests to 'posts'"),
    StoreUnavailableError("DynamoDB failed a request on its side"),
], ids=lambda error: type(error).__name__)
def test_a_tool_lets_an_outage_through(outage: StoreUnavailableError) -> None:
    @guarded
    def read_posts() -> dict[str, Any]:
        raise outage

    with pytest.raises(type(outage)):
        read_posts()


def test_a_tool_still_turns_a_missing_table_into_an_error_result() -> None:
    @guarded
    def read_posts() -> dict[str, Any]:
        raise TableMissingError("posts", "http://127.0.0.1:1")

    assert "not set up" in read_posts()["error"]
