"""Conversation memory is durable: it survives a new process, on DynamoDB Local."""

from __future__ import annotations

import pytest

from cloudstro.agent.offline import OfflineChatModel
from cloudstro.agent.service import Assistant
from cloudstro.store import Store
from cloudstro.store.demo import seed_demo
from cloudstro.store.dynamo import Dynamo
from tests.support.constants import DEMO_OTHER as OTHER
from tests.support.constants import DEMO_USER as USER
from tests.support.constants import NOW, UNTIL

pytestmark = pytest.mark.integration


def test_memory_across_turns_and_a_process_restart(local_store):
    seed_demo(local_store, users=2, days=14, seed=5, until=UNTIL)
    first = Assistant(local_store, model=OfflineChatModel())
    opening = first.respond(USER, "t-memory", "show my profile", now=NOW)
    assert "offline mode" in opening.reply

    # A new process: new connections, new checkpointer, nothing shared in memory.
    restarted_store = Store(Dynamo(local_store.settings), local_store.settings)
    second = Assistant(restarted_store, model=OfflineChatModel())
    follow_up = second.respond(USER, "t-memory", "which accounts are connected?", now=NOW)
    assert "offline mode" not in follow_up.reply  # it remembers it already said so

    history = second.history(USER, "t-memory")
    assert history is not None
    assert [turn["role"] for turn in history if turn["text"]] == [
        "user", "assistant", "user", "assistant"]
    assert history[0]["text"] == "show my profile"
    assert history[-1]["text"] == follow_up.reply

    # The same thread id under another user is a different, empty conversation.
    assert second.history(OTHER, "t-memory") is None
    checkpoints = restarted_store.dynamo.client.scan(
        TableName=local_store.settings.checkpoints_table, ProjectionExpression="PK")["Items"]
    assert checkpoints and all(f"{USER}/t-memory" in item["PK"] for item in checkpoints)
