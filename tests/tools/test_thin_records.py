"""A thin post never ends an answer, and an unreadable one is counted in it (offline agent)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from cloudstro.store import Store
from cloudstro.store.codec import to_item
from cloudstro.tools import get_top_posts, list_my_posts
from cloudstro.tools.context import UserContext
from tests.support.constants import DEMO_USER as USER
from tests.support.constants import NOW


def _raw_post(store: Store, platform: str, post_id: str, content: str, created: str,
              created_iso: str) -> None:
    """A post as an older importer wrote it: no authorId/authorName/authorHandle/fetchedAt."""
    store.dynamo.table(store.names.posts).put_item(Item=to_item({
        "userId": USER, "postId": f"{platform}#{post_id}", "id": post_id, "platform": platform,
        "content": content, "engagement": {"likes": 900, "shares": 90, "comments": 45},
        "createdAt": created, "createdAtISO": created_iso, "hashtags": [], "mentions": [],
    }))


def _thin(store: Store) -> str:
    platform = store.accounts.list_for_user(USER)[0].platform
    moment = (NOW - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _raw_post(store, platform, "thin1", "Imported long ago, still ours", moment, moment)
    return platform


def _unreadable(store: Store, platform: str) -> None:
    moment = (NOW - timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _raw_post(store, platform, "broken1", "never shown", "not a time", moment)


def _call(tool: Any, store: Store, **args: Any) -> dict[str, Any]:
    runtime = SimpleNamespace(context=UserContext(user_id=USER, store=store, now=NOW))
    return tool.func(runtime=runtime, **args)


def test_show_my_top_posts_answers_with_a_thin_post_among_them(offline_assistant, demo_store):
    before = _call(get_top_posts, demo_store)["posts_analyzed"]
    _thin(demo_store)

    result = _call(get_top_posts, demo_store)
    assert "error" not in result
    assert result["posts_analyzed"] == before + 1
    assert "unreadable" not in result

    reply = offline_assistant.respond(USER, None, "show my top posts", now=NOW)
    assert not reply.failed
    assert [call.name for call in reply.tool_calls] == ["get_top_posts"]
    assert "I couldn't get that" not in reply.reply and "Field required" not in reply.reply
    assert "**Top**" in reply.reply and "could not be read" not in reply.reply

    latest = offline_assistant.respond(USER, None, "show my latest posts", now=NOW)
    assert "Imported long ago, still ours" in latest.reply


def test_an_unreadable_post_is_counted_in_the_tool_result_and_the_answer(offline_assistant,
                                                                          demo_store):
    platform = _thin(demo_store)
    _unreadable(demo_store, platform)

    result = _call(get_top_posts, demo_store)
    assert result["unreadable"] == {"post": 1}
    assert result["top"]
    listed = _call(list_my_posts, demo_store, sort_by="recency", limit=3)
    assert listed["unreadable"] == {"post": 1}
    assert listed["posts"][0]["content"] == "Imported long ago, still ours"

    reply = offline_assistant.respond(USER, None, "show my top posts", now=NOW)
    assert not reply.failed
    assert "**Top**" in reply.reply
    assert "1 post could not be read." in reply.reply
    assert "never shown" not in reply.reply
