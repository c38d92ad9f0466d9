"""One Slack message in, one answer out: once per event, for the right person, never silence.

Every listener in `bolt_app` hands its event here after Slack has been acknowledged. The order
is fixed: claim the event id (so a redelivered event, on this process or another, is dropped),
resolve who is asking (an unlinked person gets the linking help and the agent is never called),
then run the turn and deliver it. DMs and assistant threads stream the answer as it is written;
channel mentions get the whole answer, converted to mrkdwn and split within Slack's limits.
Either way the answer passes through `cloudstro.slackkit.safe_text`, because the model quotes
posts: nothing it writes becomes a mention, a ping or a link to a host CloudStro does not vouch
for. Whatever fails, the claim included (the store may be down), becomes a short apology in the
thread whenever Slack can be reached: an acknowledged event is never redelivered, so silence
would be final. A store outage in the middle of a turn ends it the same way (the agent raises
it rather than answering around it); only a stream that has already begun in the thread ends
with the apology in place of being left open.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from cloudstro.agent.turns import APOLOGY, Done, MessageRejected, Reply, TextDelta, ToolEvent
from cloudstro.channels.slack.connect_reply import LinkIssuer, connect_blocks, offers_a_link
from cloudstro.channels.slack.format import SECTION_LIMIT, split_message, to_mrkdwn
from cloudstro.channels.slack.identity import NOT_LINKED, SlackIdentity
from cloudstro.ingest.oauth import SlackRequester
from cloudstro.slackkit.safe_text import MarkdownStream, mrkdwn_object
from cloudstro.store import Store
from cloudstro.store.claims import ClaimsRepository
from cloudstro.store.errors import StoreUnavailableError
from cloudstro.store.runtime_keys import slack_event_key as event_key

log = logging.getLogger("cloudstro.slack")

EVENT_LEASE_SECONDS = 180  # held while a turn runs; a crashed turn frees it before the last retry
EVENT_DONE_SECONDS = 24 * 3600  # longer than Slack's whole retry schedule
FEEDBACK_SECONDS = 90 * 24 * 3600
FEEDBACK_ACTION = "cloudstro_feedback"
STREAM_PIECE = 4000  # well under chat.*Stream's 12,000-character chunk limit
TITLE_CHARS = 60

GREETING = ("Hi! I answer questions about your social-media accounts from your own data: "
            "how posts did, when to post, what content works.")
SUGGESTED_PROMPTS = (
    {"title": "How did I do this week?", "message": "How did I do this week?"},
    {"title": "When should I post?", "message": "When should I post on Instagram?"},
    {"title": "What content works?", "message": "Which of my posts worked best this month?"},
    {"title": "Which hashtags work?", "message": "Which hashtags work for me?"},
)


@dataclass(frozen=True)
class SlackTurn:
    """A message to answer, reduced to what the answer depends on."""

    event_id: str | None
    team_id: str | None
    channel: str
    thread_ts: str
    slack_user: str
    text: str
    stream: bool  # DMs and assistant threads stream; channel mentions post whole
    assistant_thread: bool  # status and title calls only exist there

    @property
    def thread_id(self) -> str:
        # Memory follows the Slack thread: the same thread is the same conversation.
        return f"slack-{self.channel}-{self.thread_ts}"

    @property
    def requester(self) -> SlackRequester:
        """Who asks, for the connection links this turn may hand out."""
        return SlackRequester(self.slack_user, self.team_id)


class Conversations:
    def __init__(self, store: Store, assistant: Any,
                 claims: ClaimsRepository | None = None,
                 issue_link: LinkIssuer | None = None) -> None:
        self.store = store
        self.assistant = assistant
        self.claims = claims or store.claims
        self.identity = SlackIdentity(store)
        self.issue_link = issue_link  # Connect buttons under answers, when set

    # ------------------------------------------------------------------ turns

    def answer(self, turn: SlackTurn, client: WebClient) -> None:
        if not self._claim_or_apologise(turn, client):
            return
        delivered = False
        try:
            who = self.identity.resolve(turn.slack_user, turn.team_id, client)
            if who.user_id is None:
                log.info("unlinked slack user %s in %s", turn.slack_user, turn.channel)
                self._post_whole(client, turn, NOT_LINKED.format(slack_user=turn.slack_user),
                                 feedback=False)
                delivered = True
            else:
                delivered = self._run_turn(turn, who.user_id, client)
        except Exception as exc:
            _log_failure(f"slack turn failed in {turn.channel}", exc)
            delivered = delivered or self._apologise(client, turn)
        finally:
            self._finish(turn.event_id, delivered)

    def _run_turn(self, turn: SlackTurn, user_id: str, client: WebClient) -> bool:
        try:
            self.assistant.check_message(turn.text)
        except MessageRejected as exc:
            self._post_whole(client, turn, f"I can't answer that: {exc}.", feedback=False)
            return True
        if turn.assistant_thread:
            self._status(client, turn, "is thinking…")
            self._title_if_new(client, turn, user_id)
        started = time.perf_counter()
        if turn.stream:
            reply = self._stream(turn, user_id, client)
        else:
            reply = self.assistant.respond(user_id, turn.thread_id, turn.text,
                                           slack=turn.requester)
            if offers_a_link(reply.tool_calls):
                self._post_to_asker_only(client, turn, user_id, reply)
            else:
                self._post_whole(client, turn, reply.reply, feedback=not reply.failed)
        log.info("answered %s for %s in %.2fs (tools: %s%s)", turn.thread_id, user_id,
                 time.perf_counter() - started, [c.name for c in reply.tool_calls],
                 ", failed" if reply.failed else "")
        return True

    def _stream(self, turn: SlackTurn, user_id: str, client: WebClient) -> Reply:
        """Stream the model's text; then make sure the thread ends with exactly the final reply."""
        # Imported here, not at the top: the tools bring LangChain, which the agent has loaded
        # by now anyway, while an acknowledgement on a cold Lambda must not wait for it.
        from cloudstro.tools import tool_status

        events = iter(self.assistant.stream(user_id, turn.thread_id, turn.text,
                                            slack=turn.requester))
        stream = client.chat_stream(channel=turn.channel, thread_ts=turn.thread_ts,
                                    recipient_team_id=turn.team_id,
                                    recipient_user_id=turn.slack_user)
        segment = ""  # text streamed since the last tool call: the final answer's beginning
        safe = MarkdownStream()
        reply: Reply | None = None
        try:
            for event in events:
                if isinstance(event, TextDelta):
                    segment += event.text
                    for piece in _pieces(safe.feed(event.text), STREAM_PIECE):
                        stream.append(markdown_text=piece)
                elif isinstance(event, ToolEvent) and event.phase == "start":
                    segment = ""
                    if turn.assistant_thread:
                        self._status(client, turn, tool_status(event.name))
                elif isinstance(event, Done):
                    reply = event.reply
        except Exception as exc:
            if stream.ts is None:
                raise  # nothing reached the thread yet: `answer` posts the apology
            _log_failure(f"streamed turn failed in {turn.channel}", exc)
            reply = Reply(turn.thread_id, APOLOGY, failed=True)
            segment += "\n\n"
        reply = reply or Reply(turn.thread_id, APOLOGY, failed=True)
        rest = safe.feed(_remainder(segment, reply.reply)) + safe.finish()
        for piece in _pieces(rest, STREAM_PIECE):
            stream.append(markdown_text=piece)
        stream.stop(blocks=None if reply.failed
                    else self._connect_offer(turn, user_id, reply) + feedback_blocks())
        return reply

    def _connect_offer(self, turn: SlackTurn, user_id: str,
                       reply: Reply) -> list[dict[str, Any]]:
        """Connect buttons for this private answer (see `connect_reply`); a button that cannot
        be made leaves the answer as it is."""
        if self.issue_link is None:
            return []
        try:
            return connect_blocks(self.store, self.issue_link, user_id, turn.requester,
                                  turn.text, reply.tool_calls)
        except Exception as exc:
            _log_failure(f"no connect button in {turn.channel}", exc)
            return []

    # ------------------------------------------------------------------ assistant threads

    def greet(self, *, event_id: str | None, team_id: str | None, channel: str, thread_ts: str,
              slack_user: str, client: WebClient) -> None:
        """A new assistant thread: a greeting and prompts, or the linking help if unlinked."""
        turn = SlackTurn(event_id, team_id, channel, thread_ts, slack_user, "", True, True)
        if not self._claim_or_apologise(turn, client):
            return
        delivered = False
        try:
            who = self.identity.resolve(slack_user, team_id, client)
            if who.user_id is None:
                self._post_whole(client, turn, NOT_LINKED.format(slack_user=slack_user),
                                 feedback=False)
            else:
                client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=GREETING)
                client.assistant_threads_setSuggestedPrompts(
                    channel_id=channel, thread_ts=thread_ts, title="Try asking:",
                    prompts=[dict(p) for p in SUGGESTED_PROMPTS])
            delivered = True
        except Exception as exc:
            _log_failure(f"assistant thread greeting failed in {channel}", exc)
            delivered = self._apologise(client, turn)
        finally:
            self._finish(event_id, delivered)

    # ------------------------------------------------------------------ feedback

    def record_feedback(self, *, slack_user: str, team_id: str | None, channel: str,
                        message_ts: str, thread_ts: str | None, value: str) -> None:
        """One vote per person per answer (a second click replaces the first), kept 90 days."""
        if value not in ("good", "bad"):
            log.warning("ignored feedback value %r from %s", value, slack_user)
            return
        user_id = self.identity.linked_user(slack_user, team_id)
        self.store.feedback.put(
            channel, message_ts, slack_user,
            {"value": value, "slackUserId": slack_user, "slackTeamId": team_id,
             "userId": user_id, "channel": channel, "messageTs": message_ts,
             "threadId": f"slack-{channel}-{thread_ts}" if thread_ts else None,
             "createdAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
            ttl_seconds=FEEDBACK_SECONDS)
        log.info("feedback %s on %s/%s from %s (%s)", value, channel, message_ts, slack_user,
                 user_id or "unlinked")

    # ------------------------------------------------------------------ delivery

    def _post_whole(self, client: WebClient, turn: SlackTurn, markdown: str,
                    feedback: bool) -> None:
        parts = split_message(to_mrkdwn(markdown), SECTION_LIMIT) or ["…"]
        for index, part in enumerate(parts):
            blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn_object(part)}]
            if feedback and index == len(parts) - 1:
                blocks += feedback_blocks()
            client.chat_postMessage(channel=turn.channel, thread_ts=turn.thread_ts, text=part,
                                    blocks=blocks)

    def _post_to_asker_only(self, client: WebClient, turn: SlackTurn, user_id: str,
                            reply: Reply) -> None:
        """An answer holding a connect link, in a channel: the link is bound to the person who
        asked, so only they see it (an ephemeral message in the thread), with its button."""
        parts = split_message(to_mrkdwn(reply.reply), SECTION_LIMIT) or ["…"]
        for index, part in enumerate(parts):
            blocks: list[dict[str, Any]] = [{"type": "section", "text": mrkdwn_object(part)}]
            if index == len(parts) - 1:
                blocks += self._connect_offer(turn, user_id, reply)
            client.chat_postEphemeral(channel=turn.channel, user=turn.slack_user,
                                      thread_ts=turn.thread_ts, text=part, blocks=blocks)

    def _apologise(self, client: WebClient, turn: SlackTurn) -> bool:
        """The one apology for a message that cannot be answered, posted in its thread."""
        try:
            client.chat_postMessage(channel=turn.channel, thread_ts=turn.thread_ts,
                                    text=APOLOGY)
            return True
        except (SlackApiError, SlackRequestError, OSError) as exc:
            log.error("could not post the apology in %s: %s", turn.channel, exc)
            return False

    def _status(self, client: WebClient, turn: SlackTurn, status: str) -> None:
        _quietly(lambda: client.assistant_threads_setStatus(
            channel_id=turn.channel, thread_ts=turn.thread_ts, status=status))

    def _title_if_new(self, client: WebClient, turn: SlackTurn, user_id: str) -> None:
        if self.assistant.history(user_id, turn.thread_id) is None:
            title = " ".join(turn.text.split())
            title = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"
            _quietly(lambda: client.assistant_threads_setTitle(
                channel_id=turn.channel, thread_ts=turn.thread_ts, title=title))

    # ------------------------------------------------------------------ claims

    def _claim_or_apologise(self, turn: SlackTurn, client: WebClient) -> bool:
        """Whether this process answers the event; a claim that fails (the store is down)
        gets the apology, as nothing else can be answered without the store."""
        try:
            return self._claim(turn.event_id)
        except Exception as exc:
            _log_failure(f"could not claim event {turn.event_id} in {turn.channel}", exc)
            self._apologise(client, turn)
            return False

    def _claim(self, event_id: str | None) -> bool:
        if not event_id:
            return True  # nothing to de-duplicate on (never the case for Events API events)
        if self.claims.claim(event_key(event_id), EVENT_LEASE_SECONDS):
            return True
        log.info("event %s already handled or in progress; not answering again", event_id)
        return False

    def _finish(self, event_id: str | None, delivered: bool) -> None:
        if not event_id:
            return
        try:
            if delivered:
                self.claims.mark_done(event_key(event_id), EVENT_DONE_SECONDS)
            else:
                # Nothing reached the thread: let Slack's redelivery try again.
                self.claims.release(event_key(event_id))
        except Exception as exc:
            _log_failure(f"could not settle the claim on event {event_id}", exc)


def _log_failure(what: str, error: Exception) -> None:
    """An outage is expected and says what it is in one line; anything else gets its traceback."""
    if isinstance(error, StoreUnavailableError):
        log.error("%s: the data store is unavailable: %s", what, error)
    else:
        log.error("%s", what, exc_info=error)


def feedback_blocks() -> list[dict[str, Any]]:
    return [{"type": "context_actions", "elements": [{
        "type": "feedback_buttons", "action_id": FEEDBACK_ACTION,
        "positive_button": {"text": {"type": "plain_text", "text": "Good answer"},
                            "value": "good", "accessibility_label": "Mark this answer as good"},
        "negative_button": {"text": {"type": "plain_text", "text": "Bad answer"},
                            "value": "bad", "accessibility_label": "Mark this answer as bad"},
    }]}]


def _remainder(streamed_segment: str, final: str) -> str:
    """What to add so the streamed message ends with the final reply (cut-short note, apology)."""
    if final.startswith(streamed_segment):
        return final[len(streamed_segment):]
    if streamed_segment.strip() and streamed_segment.rstrip().endswith(final.strip()):
        return ""
    return ("\n\n" if streamed_segment.strip() else "") + final


def _pieces(text: str, size: int) -> list[str]:
    return [text[start:start + size] for start in range(0, len(text), size)]


def _quietly(call: Callable[[], Any]) -> None:
    """Status and title are niceties: a failure is logged and the answer goes on."""
    try:
        call()
    except (SlackApiError, SlackRequestError, OSError) as exc:
        log.warning("slack status/title call failed: %s", exc)
