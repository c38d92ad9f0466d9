"""The Slack app: every listener registered here, each acknowledging first and working after.

Every listener is split into an acknowledgement (instant, so Slack hears back well within its
3-second limit) and a lazy function that does the work: on a server the lazy function runs on
this process's worker pool after the HTTP 200 has gone out; on AWS Lambda bolt re-invokes the
function for it. The same registrations therefore serve HTTP, Socket Mode and Lambda.

Which events answer: a DM to the app (not a bot's, not an edit), a message in an assistant
thread, an @mention in a channel (answered in its thread), and a new assistant thread (greeting
and suggested prompts). Every other message event is acknowledged and ignored, so Slack does not
redeliver it. The Home tab, its Connect/Reconnect buttons and the digest form register from
`account_listeners`.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, Assistant
from slack_bolt.lazy_listener.thread_runner import ThreadLazyListenerRunner
from slack_sdk import WebClient

from cloudstro.channels.slack.account_listeners import register_account_listeners
from cloudstro.channels.slack.connect_reply import link_issuer
from cloudstro.channels.slack.conversation import FEEDBACK_ACTION, Conversations, SlackTurn
from cloudstro.config import Settings, utc_now
from cloudstro.ingest.oauth.browser import signin_configured
from cloudstro.slackkit.client import SlackNotConfigured, web_client
from cloudstro.store import Store

log = logging.getLogger("cloudstro.slack")

_USER_MESSAGE_SUBTYPES = (None, "file_share")  # a file with a caption is still a question


__all__ = ["SlackNotConfigured", "build_slack_app", "register_listeners"]


def build_slack_app(store: Store, assistant: Any, settings: Settings, *,
                    process_before_response: bool = False, socket_mode: bool = False,
                    client: WebClient | None = None, workers: int | None = None) -> App:
    """A bolt App wired to the agent. `process_before_response=True` is the Lambda setting."""
    signing_secret = settings.slack_signing_secret
    if signing_secret is None and not socket_mode:
        raise SlackNotConfigured("SLACK_SIGNING_SECRET is not set (Basic Information → "
                                 "App Credentials → Signing Secret)")
    app = App(
        client=client or web_client(settings),
        signing_secret=signing_secret.get_secret_value() if signing_secret else "",
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,  # no network call at start; auth.test on first use
        process_before_response=process_before_response,
        listener_executor=ThreadPoolExecutor(max_workers=4, thread_name_prefix="slack-ack"),
        # Named in the library's namespace: bolt writes request bodies into its log text, so
        # its lines are treated as library lines (text withheld, see channels/http/logs.py).
        logger=logging.getLogger("slack_bolt.cloudstro"),
    )
    if not process_before_response:
        # Acknowledgements and answers get separate pools: a burst of slow answers can never
        # queue a button click's acknowledgement past Slack's 3 seconds.
        pool = ThreadPoolExecutor(max_workers=workers or settings.slack_workers,
                                  thread_name_prefix="slack-answer")
        app.listener_runner.lazy_listener_runner = ThreadLazyListenerRunner(app.logger, pool)
    # Links and stored changes keep the agent's clock (a fixed one in tests and benchmarks).
    clock = getattr(assistant, "clock", utc_now)
    links = link_issuer(store, settings, clock)
    if not signin_configured(settings):
        log.warning("Sign in with Slack is off (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not "
                    "set): a connection link made in Slack can be finished by whoever opens it "
                    "and continues past the page that names the asker (see docs/slack.md)")
    conversations = Conversations(store, assistant, issue_link=links)
    register_listeners(app, conversations)
    register_account_listeners(app, store, conversations.identity, links, clock)
    return app


def register_listeners(app: App, conversations: Conversations) -> None:
    def acknowledge(ack: Any) -> None:
        ack()

    # --- assistant threads (the app's split view / "Agents & AI apps")
    def greet_thread(body: dict[str, Any], client: WebClient) -> None:
        thread = body["event"]["assistant_thread"]
        conversations.greet(event_id=body.get("event_id"), team_id=_team(body),
                            channel=thread["channel_id"], thread_ts=thread["thread_ts"],
                            slack_user=thread["user_id"], client=client)

    def answer_in_assistant_thread(body: dict[str, Any], client: WebClient) -> None:
        event = body["event"]
        conversations.answer(SlackTurn(
            body.get("event_id"), _team(body), event["channel"], event["thread_ts"],
            event["user"], event.get("text") or "", stream=True, assistant_thread=True), client)

    helper = Assistant(logger=logging.getLogger("slack_bolt.cloudstro.assistant"))
    helper.thread_started(lazy=[greet_thread])(acknowledge)
    helper.user_message(lazy=[answer_in_assistant_thread])(acknowledge)
    app.assistant(helper)

    # --- direct messages outside an assistant thread
    def answer_dm(body: dict[str, Any], client: WebClient) -> None:
        event = body["event"]
        conversations.answer(SlackTurn(
            body.get("event_id"), _team(body), event["channel"],
            event.get("thread_ts") or event["ts"], event["user"], event.get("text") or "",
            stream=True, assistant_thread=False), client)

    app.event("message", matchers=[_is_person_writing_in_dm])(ack=acknowledge,
                                                              lazy=[answer_dm])

    # --- @mentions in channels: answered in the mention's thread, posted whole
    def answer_mention(body: dict[str, Any], client: WebClient, context: Any) -> None:
        event = body["event"]
        if event.get("bot_id") or event.get("subtype") not in _USER_MESSAGE_SUBTYPES:
            return
        conversations.answer(SlackTurn(
            body.get("event_id"), _team(body), event["channel"],
            event.get("thread_ts") or event["ts"], event["user"],
            _without_mention(event.get("text") or "", context.bot_user_id),
            stream=False, assistant_thread=False), client)

    app.event("app_mention")(ack=acknowledge, lazy=[answer_mention])

    # --- everything else that arrives as a message event (edits, deletes, bots, channel chatter)
    app.event("message")(acknowledge)

    # --- feedback buttons under answers
    def record_feedback(body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        message = body.get("message") or {}
        conversations.record_feedback(
            slack_user=(body.get("user") or {}).get("id", ""),
            team_id=(body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id"),
            channel=container.get("channel_id") or (body.get("channel") or {}).get("id", ""),
            message_ts=container.get("message_ts") or message.get("ts", ""),
            thread_ts=container.get("thread_ts") or message.get("thread_ts"),
            value=str(action.get("value", "")))

    app.action(FEEDBACK_ACTION)(ack=acknowledge, lazy=[record_feedback])


def _is_person_writing_in_dm(event: dict[str, Any]) -> bool:
    return (event.get("channel_type") == "im"
            and event.get("subtype") in _USER_MESSAGE_SUBTYPES
            and not event.get("bot_id")
            and bool(event.get("user")))


def _team(body: dict[str, Any]) -> str | None:
    return body.get("team_id") or (body.get("event") or {}).get("team")


def _without_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    else:
        text = re.sub(r"^\s*<@[UW][A-Z0-9]+>", " ", text)
    return " ".join(text.split())
