"""The offline responder through the real graph, tools and store: what it calls and says."""

from __future__ import annotations

import json
import re

import pytest

from cloudstro.agent.prompts import load_prompt
from cloudstro.agent.service import MessageRejected
from tests.support.constants import DEMO_USER as USER
from tests.support.constants import NOW

CASES = [
    ("show my recent posts on instagram", "list_my_posts", {"platform": "instagram"}),
    ("what were my top posts this month?", "get_top_posts", {"days": 30}),
    ("how did I do this week?", "get_performance_summary", {"days": 7}),
    ("how did I do this month", "get_performance_summary", {"days": 30}),
    ("when should I post on TikTok?", "get_best_time_to_post", {"platform": "tiktok"}),
    ("best time to post?", "get_best_time_to_post", {}),
    ("which hashtags work?", "get_content_performance", {}),
    ("compare my platforms", "get_performance_summary", {"days": 30}),
    ("show my insights", "list_my_insights", {}),
    ("which accounts are connected?", "list_my_accounts", {}),
    ("show my profile", "get_my_profile", {}),
]


@pytest.mark.parametrize(("question", "tool", "args"), CASES)
def test_each_common_question_calls_its_tool(offline_assistant, question, tool, args):
    reply = offline_assistant.respond(USER, None, question, now=NOW)
    assert not reply.failed
    assert [call.name for call in reply.tool_calls] == [tool]
    for key, value in args.items():
        assert reply.tool_calls[0].args[key] == value
    assert "I couldn't get that" not in reply.reply


def test_weekly_summary_quotes_the_store_numbers(offline_assistant, demo_store):
    reply = offline_assistant.respond(USER, None, "how did I do this week?", now=NOW)
    from datetime import timedelta

    posts = demo_store.posts.list_in_period(USER, NOW - timedelta(days=7), NOW)
    interactions = sum(p.engagementScore for p in posts)
    assert f"**{len(posts)} posts**" in reply.reply
    assert f"{interactions:,}" in reply.reply
    assert "interactions per" in reply.reply or "engagement rate" in reply.reply


def test_banner_once_per_thread_and_help_for_unknown(offline_assistant):
    banner = load_prompt("offline_intro")
    first = offline_assistant.respond(USER, "t-banner", "show my profile", now=NOW)
    second = offline_assistant.respond(USER, "t-banner", "which accounts are connected?", now=NOW)
    assert banner in first.reply
    assert banner not in second.reply
    unknown = offline_assistant.respond(USER, "t-banner", "what's the weather in Paris?", now=NOW)
    assert unknown.tool_calls == []
    assert "I can answer these from your data" in unknown.reply


def test_remember_stores_a_user_note_insight(offline_assistant, demo_store):
    reply = offline_assistant.respond(USER, None, "Remember that video beats images for me",
                                      now=NOW)
    assert [c.name for c in reply.tool_calls] == ["save_insight"]
    notes = demo_store.insights.active(USER, insight_type="user_note", now=NOW)
    assert [n.recommendation for n in notes] == ["Video beats images for me"]
    assert notes[0].confidence == 1.0
    listed = offline_assistant.respond(USER, None, "show my insights", now=NOW)
    assert "Video beats images for me" in listed.reply


def test_accounts_answer_never_carries_tokens(offline_assistant, demo_store):
    reply = offline_assistant.respond(USER, None, "which accounts are connected?", now=NOW)
    raw = demo_store.dynamo.table(demo_store.names.accounts).scan()["Items"]
    for item in raw:
        assert item["accessToken"] not in reply.reply
    assert "fernet:" not in reply.reply and "token" not in reply.reply.lower()
    assert re.search(r"\d[\d,]* followers", reply.reply)


def test_tool_result_for_the_model_is_bounded(offline_assistant):
    state_reply = offline_assistant.respond(USER, "t-bound", "show my recent posts", now=NOW)
    state = offline_assistant.graph.get_state(offline_assistant._config(USER, "t-bound"))
    tool_messages = [m for m in state.values["messages"] if m.type == "tool"]
    assert tool_messages and all(len(m.content) < 12_000 for m in tool_messages)
    assert len(json.loads(tool_messages[0].content)["posts"]) <= 5
    assert state_reply.reply


@pytest.mark.parametrize("message", ["", "   ", "x" * 4001])
def test_empty_or_overlong_message_is_refused(offline_assistant, message):
    with pytest.raises(MessageRejected) as caught:
        offline_assistant.respond(USER, None, message, now=NOW)
    assert caught.value.code in {"empty_message", "message_too_long"}


def test_stream_yields_tool_events_text_deltas_and_a_final_reply(offline_assistant):
    from cloudstro.agent.service import Done, TextDelta, ToolEvent

    events = list(offline_assistant.stream(USER, "t-stream", "how did I do this week?",
                                           now=NOW))
    tools = [e for e in events if isinstance(e, ToolEvent)]
    assert [(e.name, e.phase, e.ok) for e in tools] == [
        ("get_performance_summary", "start", True), ("get_performance_summary", "end", True)]
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 5
    done = events[-1]
    assert isinstance(done, Done)
    assert "".join(deltas).strip() == done.reply.reply
    assert [c.name for c in done.reply.tool_calls] == ["get_performance_summary"]
    history = offline_assistant.history(USER, "t-stream")
    assert history[-1]["text"] == done.reply.reply
