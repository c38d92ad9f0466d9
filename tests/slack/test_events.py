"""The Slack app end to end: signed requests to uvicorn, answers recorded by the mock Web API.

Every test here goes through the real stack a Slack workspace would hit: an HTTP POST with
Slack's signature to `POST /slack/events` on a uvicorn server, bolt's request handling, the
agent with the offline model on DynamoDB Local demo data, and Web API calls to the mock.
"""

from __future__ import annotations

import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from langchain_core.language_models.chat_models import BaseChatModel

from cloudstro.agent.service import APOLOGY
from cloudstro.channels.slack.conversation import FEEDBACK_ACTION
from cloudstro.channels.slack.identity import LINK_SK, link_key
from cloudstro.store.runtime_keys import slack_event_key as event_key
from tests.support.mock_slack import TEAM
from tests.support.slack import (
    ALICE,
    SpyAssistant,
    dm,
    mention,
    new_channel,
    new_ts,
    post_action,
    post_event,
    real_assistant,
    serve,
    signed_headers,
    thread_started,
    wait_quiet,
)

pytestmark = pytest.mark.integration

ANSWER_WAIT = 30.0


def _has_feedback(blocks: list[dict]) -> bool:
    return any(b.get("type") == "context_actions" and any(
        e.get("type") == "feedback_buttons" and e.get("action_id") == FEEDBACK_ACTION
        for e in b.get("elements", [])) for b in blocks)


# ---------------------------------------------------------------------- signatures


def test_signature_checked_before_anything(served, slack_world):
    channel = new_channel()
    payload = dm(channel, "How did I do this week?")
    body = json.dumps(payload)

    bad = signed_headers(body)
    bad["x-slack-signature"] = "v0=" + "0" * 64
    assert httpx.post(f"{served.url}/slack/events", content=body, headers=bad).status_code == 401

    stale = signed_headers(body, timestamp=int(time.time()) - 600)
    assert httpx.post(f"{served.url}/slack/events", content=body,
                      headers=stale).status_code == 401

    wrong_secret = signed_headers(body, secret="not-the-secret")
    assert httpx.post(f"{served.url}/slack/events", content=body,
                      headers=wrong_secret).status_code == 401

    challenge = {"type": "url_verification", "token": "x", "challenge": "c-123"}
    ok = post_event(served.url, challenge)
    assert ok.status_code == 200 and ok.json()["challenge"] == "c-123"

    not_utf8 = b"\xff\xfe\x00garbage"
    assert httpx.post(f"{served.url}/slack/events", content=not_utf8,
                      headers=signed_headers("x")).status_code == 400

    wait_quiet(slack_world.slack, 0.3)
    assert slack_world.slack.answers(channel) == []
    assert served.assistant.turns_in(channel) == []


# ---------------------------------------------------------------------- conversations


def test_dm_gets_exactly_one_streamed_answer_with_feedback(served, slack_world):
    slack, channel = slack_world.slack, new_channel()
    payload = dm(channel, "How did I do this week?")
    started = time.monotonic()
    response = post_event(served.url, payload)
    ack_seconds = time.monotonic() - started
    assert response.status_code == 200 and ack_seconds < 3.0

    slack.wait_for(lambda: slack.answers(channel), ANSWER_WAIT, "the DM answer")
    wait_quiet(slack)
    answers = slack.answers(channel)
    assert len(answers) == 1
    answer = answers[0]
    assert answer["kind"] == "stream"
    assert answer["thread_ts"] == payload["event"]["ts"]  # answered in the message's thread
    assert "interactions" in answer["text"]  # the performance summary, from the demo data
    assert _has_feedback(answer["blocks"])
    start = slack.calls_to("chat.startStream", channel=channel)[0].params
    assert start["recipient_user_id"] == ALICE and start["recipient_team_id"] == TEAM

    turns = served.assistant.turns_in(channel)
    assert turns == [("stream", "demo_user_000", f"slack-{channel}-{payload['event']['ts']}",
                      "How did I do this week?")]
    claim = slack_world.claims.get_claim(event_key(payload["event_id"]))
    assert claim["done"] is True and claim["expiresAt"] > time.time() + 3600


def test_follow_up_in_the_thread_continues_the_conversation(served, slack_world):
    slack, channel = slack_world.slack, new_channel()
    first = dm(channel, "How did I do this week?")
    post_event(served.url, first)
    slack.wait_for(lambda: len(slack.answers(channel)) == 1, ANSWER_WAIT, "first answer")
    root = first["event"]["ts"]
    post_event(served.url, dm(channel, "When should I post on instagram?", thread_ts=root))
    slack.wait_for(lambda: len(slack.answers(channel)) == 2, ANSWER_WAIT, "second answer")
    thread_ids = {t[2] for t in served.assistant.turns_in(channel)}
    assert thread_ids == {f"slack-{channel}-{root}"}
    history = served.assistant.history("demo_user_000", f"slack-{channel}-{root}")
    assert [turn["role"] for turn in history if turn["role"] == "user"] == ["user", "user"]


def test_redelivered_event_is_answered_once(served, slack_world):
    slack, channel = slack_world.slack, new_channel()
    payload = dm(channel, "How did I do this week?")
    statuses = [post_event(served.url, payload).status_code,
                post_event(served.url, payload, retry_num=1).status_code,
                post_event(served.url, payload, retry_num=2).status_code]
    assert statuses == [200, 200, 200]
    slack.wait_for(lambda: slack.answers(channel), ANSWER_WAIT, "the answer")
    wait_quiet(slack, 1.0)
    assert len(slack.answers(channel)) == 1
    assert len(served.assistant.turns_in(channel)) == 1
    # a redelivery after the answer went out is dropped too
    post_event(served.url, payload, retry_num=3)
    wait_quiet(slack, 0.8)
    assert len(slack.answers(channel)) == 1
    assert len(served.assistant.turns_in(channel)) == 1


def test_dedup_holds_across_two_separately_built_apps(slack_world):
    """Two app instances (two 'processes') on one DynamoDB: the same event answers once."""
    slack = slack_world.slack
    with serve(slack_world) as one, serve(slack_world) as two:
        channels = [new_channel() for _ in range(5)]
        payloads = [dm(channel, "How did I do this week?") for channel in channels]
        with ThreadPoolExecutor(max_workers=10) as pool:
            results = list(pool.map(lambda job: post_event(*job), [
                (server.url, payload) for payload in payloads for server in (one, two)]))
        assert all(r.status_code == 200 for r in results)
        for channel in channels:
            slack.wait_for(lambda c=channel: slack.answers(c), ANSWER_WAIT, f"answer in {channel}")
        wait_quiet(slack, 1.0)
        for channel in channels:
            assert len(slack.answers(channel)) == 1
            assert len(one.assistant.turns_in(channel)) + len(
                two.assistant.turns_in(channel)) == 1


def test_fifty_concurrent_events_acked_fast_and_each_answered_once(served, slack_world):
    slack = slack_world.slack
    channels = [new_channel() for _ in range(50)]
    bodies = [json.dumps(dm(channel, "How did I do this week?")) for channel in channels]
    clients = [httpx.Client(timeout=10) for _ in bodies]  # built first: their setup is not the ack
    start_together = threading.Barrier(len(bodies))

    def timed(index: int) -> tuple[int, float]:
        headers = signed_headers(bodies[index])
        start_together.wait()
        started = time.monotonic()
        response = clients[index].post(f"{served.url}/slack/events", content=bodies[index],
                                       headers=headers)
        return response.status_code, time.monotonic() - started

    began = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
            results = list(pool.map(timed, range(len(bodies))))
    finally:
        for client in clients:
            client.close()
    acks = sorted(seconds for _, seconds in results)
    assert [status for status, _ in results] == [200] * 50
    assert acks[-1] < 3.0, f"slowest ack {acks[-1]:.2f}s"
    slack.wait_for(lambda: all(slack.answers(c) for c in channels), 60.0, "all 50 answers")
    answered = time.monotonic() - began
    wait_quiet(slack, 1.0)
    assert all(len(slack.answers(c)) == 1 for c in channels)
    assert all(len(served.assistant.turns_in(c)) == 1 for c in channels)
    print(f"\n50 concurrent DMs: ack median {acks[25] * 1000:.0f} ms, max "
          f"{acks[-1] * 1000:.0f} ms; all answered in {answered:.1f}s")


def test_unlinked_user_gets_linking_help_and_no_agent_call(served, slack_world):
    slack, channel = slack_world.slack, new_channel()
    slack.add_user("U0STRANGER", "nobody-here@example.com")
    slack.add_user("U0NOEMAIL", None)
    post_event(served.url, dm(channel, "How did I do this week?", user="U0STRANGER"))
    post_event(served.url, dm(channel, "And my best posts?", user="U0NOEMAIL"))
    slack.wait_for(lambda: len(slack.answers(channel)) == 2, ANSWER_WAIT, "two linking replies")
    wait_quiet(slack)
    for answer in slack.answers(channel):
        assert answer["kind"] == "post"
        assert "isn't linked" in answer["text"] and "link-slack" in answer["text"]
        assert "interactions" not in answer["text"] and not _has_feedback(answer["blocks"])
    assert served.assistant.turns_in(channel) == []
    assert slack_world.claims.get_record(link_key("U0STRANGER"), LINK_SK) is None


def test_first_message_links_by_email_then_uses_the_link(served, slack_world):
    slack, channel = slack_world.slack, new_channel()
    slack.add_user("U0BOB", "demo001@example.com")
    post_event(served.url, dm(channel, "How did I do this week?", user="U0BOB"))
    slack.wait_for(lambda: len(slack.answers(channel)) == 1, ANSWER_WAIT, "first answer")
    profile = slack_world.store.users.get("demo_user_001")
    assert profile.slackUserId == "U0BOB" and profile.slackTeamId == TEAM
    link = slack_world.claims.get_record(link_key("U0BOB"), LINK_SK)
    assert link["userId"] == "demo_user_001" and "expiresAt" not in link
    lookups = len(slack.calls_to("users.info", user="U0BOB"))
    assert lookups == 1

    post_event(served.url, dm(channel, "When should I post on instagram?", user="U0BOB"))
    slack.wait_for(lambda: len(slack.answers(channel)) == 2, ANSWER_WAIT, "second answer")
    assert len(slack.calls_to("users.info", user="U0BOB")) == lookups  # no second lookup
    assert {t[1] for t in served.assistant.turns_in(channel)} == {"demo_user_001"}


def test_assistant_thread_prompts_status_title_and_streamed_answer(served, slack_world):
    slack, channel, thread = slack_world.slack, new_channel(), new_ts()
    assert post_event(served.url, thread_started(channel, thread)).status_code == 200
    slack.wait_for(lambda: slack.calls_to("assistant.threads.setSuggestedPrompts",
                                          channel_id=channel), ANSWER_WAIT, "suggested prompts")
    prompts = slack.calls_to("assistant.threads.setSuggestedPrompts", channel_id=channel)
    assert len(prompts) == 1 and prompts[0].params["thread_ts"] == thread
    assert {p["message"] for p in prompts[0].params["prompts"]} >= {"How did I do this week?"}
    greeting = slack.answers(channel)
    assert len(greeting) == 1 and greeting[0]["thread_ts"] == thread

    question = dm(channel, "When should I post on instagram?", thread_ts=thread)
    post_event(served.url, question)
    slack.wait_for(lambda: len(slack.answers(channel)) == 2, ANSWER_WAIT, "the answer")
    wait_quiet(slack)
    statuses = [c.params["status"] for c in slack.calls_to("assistant.threads.setStatus",
                                                           channel_id=channel)]
    assert statuses and statuses[0] == "is thinking…"
    titles = slack.calls_to("assistant.threads.setTitle", channel_id=channel)
    assert [c.params["title"] for c in titles] == ["When should I post on instagram?"]
    answer = slack.answers(channel)[-1]
    assert answer["kind"] == "stream" and answer["thread_ts"] == thread
    assert "Best times to post on Instagram" in answer["text"]
    assert _has_feedback(answer["blocks"])
    start_ts = slack.calls_to("chat.startStream", channel=channel)[0].at
    assert slack.calls_to("assistant.threads.setStatus", channel_id=channel)[0].at < start_ts
    assert served.assistant.turns_in(channel)[0][2] == f"slack-{channel}-{thread}"


def test_mention_is_answered_in_its_thread_as_mrkdwn(served, slack_world):
    slack, channel = slack_world.slack, new_channel("C")
    payload = mention(channel, "How did I do this week?")
    post_event(served.url, payload)
    slack.wait_for(lambda: slack.answers(channel), ANSWER_WAIT, "the mention answer")
    wait_quiet(slack)
    answers = slack.answers(channel)
    assert len(answers) == 1
    answer = answers[0]
    assert answer["kind"] == "post" and answer["thread_ts"] == payload["event"]["ts"]
    assert "**" not in answer["text"]  # Markdown bold became mrkdwn bold
    assert re.search(r"(?<!\*)\*[\d,]+ posts\*(?!\*)", answer["text"]), answer["text"]
    assert _has_feedback(answer["blocks"])
    assert served.assistant.turns_in(channel) == [
        ("respond", "demo_user_000", f"slack-{channel}-{payload['event']['ts']}",
         "How did I do this week?")]


def test_bot_messages_and_edits_get_no_answer(served, slack_world):
    slack, channel = slack_world.slack, new_channel()
    bot = dm(channel, "I am another bot", user="U0OTHERBOT", bot_id="B0OTHER",
             subtype="bot_message")
    own = dm(channel, "my own message", user="UBOTCLOUDSTRO", bot_id="BBOTCLOUDSTRO")
    edit = dm(channel, "", subtype="message_changed",
              message={"type": "message", "user": ALICE, "text": "How did I do?", "ts": "1.0"})
    edit["event"].pop("user")
    deleted = dm(channel, "", subtype="message_deleted", deleted_ts="1.0")
    statuses = [post_event(served.url, p).status_code for p in (bot, own, edit, deleted)]
    assert statuses == [200, 200, 200, 200]
    wait_quiet(slack, 1.0)
    assert slack.answers(channel) == []
    assert served.assistant.turns_in(channel) == []
    for payload in (bot, own, edit, deleted):
        assert slack_world.claims.get_claim(event_key(payload["event_id"])) is None


class BrokenModel(BaseChatModel):
    """A model whose every call fails, as Bedrock does when it is down."""

    @property
    def _llm_type(self) -> str:
        return "broken"

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        raise RuntimeError("model unavailable")


class ExplodingAssistant(SpyAssistant):
    def respond(self, *args, **kwargs):
        super().respond(*args, **kwargs)
        raise RuntimeError("the agent crashed")


def test_agent_failure_becomes_an_apology(slack_world):
    slack = slack_world.slack
    broken = SpyAssistant(real_assistant(slack_world, model=BrokenModel()))
    with serve(slack_world, broken) as server:
        channel = new_channel()
        post_event(server.url, dm(channel, "How did I do this week?"))
        slack.wait_for(lambda: slack.answers(channel), ANSWER_WAIT, "the apology")
        answer = slack.answers(channel)[0]
        assert APOLOGY in answer["text"] and not _has_feedback(answer["blocks"])

    exploding = ExplodingAssistant(real_assistant(slack_world))
    with serve(slack_world, exploding) as server:
        channel = new_channel("C")
        payload = mention(channel, "How did I do this week?")
        post_event(server.url, payload)
        slack.wait_for(lambda: slack.answers(channel), ANSWER_WAIT, "the apology")
        wait_quiet(slack)
        answers = slack.answers(channel)
        assert len(answers) == 1 and answers[0]["text"] == APOLOGY
        assert answers[0]["thread_ts"] == payload["event"]["ts"]
        assert len(exploding.turns_in(channel)) == 1


def test_rate_limited_post_is_retried(served, slack_world):
    slack, channel = slack_world.slack, new_channel("C")
    slack.rate_limit("chat.postMessage", times=1, retry_after=0)
    post_event(served.url, mention(channel, "How did I do this week?"))
    slack.wait_for(lambda: slack.answers(channel), ANSWER_WAIT, "the answer after a 429")
    wait_quiet(slack)
    posts = [c for c in slack.calls if c.method == "chat.postMessage"
             and c.params.get("channel") == channel]
    assert [p.params.get("_failed") for p in posts] == [429, None]  # retried once, then posted


def test_feedback_click_is_recorded(served, slack_world):
    channel, message_ts, thread = new_channel(), new_ts(), new_ts()
    action = {"type": "block_actions", "user": {"id": ALICE, "team_id": TEAM},
              "team": {"id": TEAM}, "api_app_id": "A0CLOUDSTRO",
              "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                            "thread_ts": thread},
              "channel": {"id": channel}, "message": {"ts": message_ts, "thread_ts": thread},
              "trigger_id": "1.2.3", "response_url": slack_world.slack.base_url + "hook",
              "actions": [{"type": "feedback_buttons", "action_id": FEEDBACK_ACTION,
                           "block_id": "b1", "value": "bad", "action_ts": new_ts()}]}
    response = post_action(served.url, action)
    assert response.status_code == 200
    key = (f"FEEDBACK#{channel}#{message_ts}", f"SLACKUSER#{ALICE}")
    deadline = time.monotonic() + 10
    record = None
    while record is None and time.monotonic() < deadline:
        record = slack_world.claims.get_record(*key)
        time.sleep(0.05)
    assert record is not None, "no feedback record"
    assert record["value"] == "bad" and record["threadId"] == f"slack-{channel}-{thread}"
    assert 89 * 86400 < record["expiresAt"] - time.time() <= 90 * 86400
