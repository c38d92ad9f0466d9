"""Every tool is declared whole: the tool, its status line, an offline intent and an answer.

`cloudstro.tools.TOOLS` is the one list of tools; the offline responder's rules and answer
writers name tools from it. These tests fail when a tool is added without one of its parts, or
when a rule or writer names a tool that is not in the list (a rename on one side only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest
from langchain.tools import tool

from cloudstro.agent.offline_answers import WRITERS
from cloudstro.agent.offline_intents import RULES, IntentRule, understand
from cloudstro.tools import ALL_TOOLS, TOOLS, ToolSpec, tool_status
from cloudstro.tools.spec import READING_YOUR_DATA


def missing_parts(tools: Iterable[ToolSpec], rules: Iterable[IntentRule],
                  writers: Mapping[str, object]) -> list[str]:
    """What is missing or dangling between the tool list and the offline responder."""
    tools, rules = list(tools), list(rules)
    names = [spec.name for spec in tools]
    asked_for = {rule.tool for rule in rules}
    problems = [f"{spec.name}: no status" for spec in tools if not spec.status.strip()]
    problems += [f"{name}: no offline intent" for name in names if name not in asked_for]
    problems += [f"{name}: no offline answer" for name in names if name not in writers]
    problems += [f"rule {rule.name}: {rule.tool} is not a tool" for rule in rules
                 if rule.tool not in names]
    problems += [f"answer for {name}: not a tool" for name in writers if name not in names]
    return problems


@tool
def connect_example_account() -> str:
    """A tool declared without its offline parts."""
    return "ok"


def test_every_tool_has_a_status_an_offline_intent_and_an_offline_answer() -> None:
    assert missing_parts(TOOLS, RULES, WRITERS) == []


def test_a_tool_added_without_its_offline_parts_is_reported() -> None:
    added = ToolSpec(connect_example_account, status="is preparing a link…")
    unstated = ToolSpec(connect_example_account, status=" ")
    assert missing_parts([*TOOLS, added], RULES, WRITERS) == [
        "connect_example_account: no offline intent",
        "connect_example_account: no offline answer"]
    assert missing_parts([unstated], [], {})[0] == "connect_example_account: no status"


def test_a_rule_or_answer_for_a_tool_that_is_gone_is_reported() -> None:
    remaining = [spec for spec in TOOLS if spec.name != "get_post_engagement"]
    assert missing_parts(remaining, RULES, WRITERS) == [
        "rule post_history: get_post_engagement is not a tool",
        "answer for get_post_engagement: not a tool"]


def test_the_graph_binds_the_declared_tools_once_in_their_declared_order() -> None:
    names = [spec.name for spec in TOOLS]
    assert [t.name for t in ALL_TOOLS] == names
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("spec", TOOLS, ids=lambda spec: spec.name)
def test_a_channel_shows_the_declared_status_while_a_tool_runs(spec: ToolSpec) -> None:
    assert tool_status(spec.name) == spec.status


def test_the_two_tools_with_their_own_status_and_a_name_the_model_made_up() -> None:
    assert tool_status("get_best_time_to_post") == "is checking when your audience is active…"
    assert tool_status("get_performance_summary") == "is reading your performance…"
    assert tool_status("get_everything") == READING_YOUR_DATA == "is reading your data…"


@pytest.mark.parametrize(("question", "intent", "call"), [
    ("Remember that video beats images for me.", "remember", "save_insight"),
    ("When should I post on Instagram?", "best_time", "get_best_time_to_post"),
    ("Which hashtags work for me?", "content", "get_content_performance"),
    ("Compare my platforms this quarter", "compare", "get_performance_summary"),
    ("What were my top posts last 14 days?", "top_posts", "get_top_posts"),
    ("How did I do this week?", "summary", "get_performance_summary"),
    ("any recommendations?", "insights", "list_my_insights"),
    ("how many followers do I have", "accounts", "list_my_accounts"),
    ("what is my timezone", "profile", "get_my_profile"),
    ("velocity of twitter#123", "post_history", "get_post_engagement"),
    ("show my latest tweets", "posts", "list_my_posts"),
    ("tell me a joke", "unknown", None),
])
def test_the_first_matching_rule_names_the_tool_call(question: str, intent: str,
                                                     call: str | None) -> None:
    understood = understand(question)
    assert understood.name == intent
    assert [name for name, _ in understood.tool_calls] == ([call] if call else [])
