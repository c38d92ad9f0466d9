"""Talking to the Slack app under test: its signing secret and test user, the demo world it
answers from, an assistant that records its turns, the app served on 127.0.0.1, signed
requests, and the event payloads Slack sends.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI
from slack_sdk.signature import SignatureVerifier

from cloudstro.agent.offline import OfflineChatModel
from cloudstro.agent.service import Assistant
from cloudstro.channels.app import create_app
from cloudstro.channels.http.auth import SigningSecret
from cloudstro.config import Settings, fixed_clock
from cloudstro.store import Store
from cloudstro.store.claims import ClaimsRepository
from tests.support.mock_slack import TEAM, MockSlack
from tests.support.servers import start_server

SECRET = "test-signing-secret"
UNTIL = datetime(2026, 11, 25, tzinfo=UTC)
# The agent's clock in these tests: the demo data ends at UNTIL, and "this week" must mean the
# same week to the data and to the code that answers, whatever day the suite runs.
NOW = UNTIL
ALICE = "U0ALICE"  # Slack user whose email is demo_user_000's
ALICE_EMAIL = "demo000@example.com"


@dataclass
class World:
    settings: Settings
    store: Store
    slack: MockSlack
    claims: ClaimsRepository


def real_assistant(world: World, settings: Settings | None = None,
                   model: Any | None = None) -> Assistant:
    """The real agent on the world's store, offline, with its clock at NOW."""
    return Assistant(world.store, settings or world.settings, model=model or OfflineChatModel(),
                     clock=fixed_clock(NOW))


class SpyAssistant:
    """The real agent, with a record of every turn the Slack app asked it for."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.turns: list[tuple[str, str, str, str]] = []  # (how, user_id, thread_id, message)
        self._lock = threading.Lock()

    def _note(self, how: str, user_id: str, thread_id: str | None, message: str) -> None:
        with self._lock:
            self.turns.append((how, user_id, thread_id or "", message))

    def respond(self, user_id: str, thread_id: str | None, message: str, now: Any = None,
                slack: Any = None):
        self._note("respond", user_id, thread_id, message)
        return self.inner.respond(user_id, thread_id, message, now, slack=slack)

    def stream(self, user_id: str, thread_id: str | None, message: str, now: Any = None,
               slack: Any = None):
        self._note("stream", user_id, thread_id, message)
        return self.inner.stream(user_id, thread_id, message, now, slack=slack)

    def turns_in(self, channel: str) -> list[tuple[str, str, str, str]]:
        with self._lock:
            return [t for t in self.turns if t[2].startswith(f"slack-{channel}-")]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass
class Served:
    url: str
    app: FastAPI
    assistant: Any


@contextmanager
def serve(world: World, assistant: Any | None = None) -> Iterator[Served]:
    """A FastAPI app with the Slack endpoint installed, served by uvicorn on 127.0.0.1."""
    assistant = assistant or SpyAssistant(real_assistant(world))
    # The same app `cloudstro serve` runs: the HTTP API and Slack share it.
    # The spy (or a test's stand-in) answers like an Assistant, by delegation, not inheritance.
    api = create_app(world.settings, world.store, cast(Assistant, assistant),
                     auth_secret=SigningSecret(b"s" * 32, "tests"))
    assert any(getattr(route, "path", "") == "/slack/events" for route in api.routes)
    live = start_server(api, lifespan="off")
    try:
        yield Served(live.url, api, assistant)
    finally:
        live.stop()


# ---------------------------------------------------------------------- requests


def signed_headers(body: str, *, timestamp: int | None = None, secret: str = SECRET,
                   content_type: str = "application/json") -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None  # None only without a timestamp
    return {"content-type": content_type, "x-slack-request-timestamp": ts,
            "x-slack-signature": signature}


def post_event(url: str, payload: dict[str, Any], *, retry_num: int | None = None,
               client: httpx.Client | None = None) -> httpx.Response:
    body = json.dumps(payload)
    headers = signed_headers(body)
    if retry_num is not None:
        headers.update({"x-slack-retry-num": str(retry_num),
                        "x-slack-retry-reason": "http_timeout"})
    if client is not None:
        return client.post(f"{url}/slack/events", content=body, headers=headers)
    return httpx.post(f"{url}/slack/events", content=body, headers=headers, timeout=10)


def post_action(url: str, payload: dict[str, Any]) -> httpx.Response:
    body = urlencode({"payload": json.dumps(payload)})
    return httpx.post(f"{url}/slack/events", content=body, timeout=10,
                      headers=signed_headers(body,
                                             content_type="application/x-www-form-urlencoded"))


# ---------------------------------------------------------------------- payloads


def new_channel(prefix: str = "D") -> str:
    return prefix + uuid.uuid4().hex[:10].upper()


def new_ts() -> str:
    return f"{int(time.time())}.{uuid.uuid4().int % 1_000_000:06d}"


def envelope(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0CLOUDSTRO",
            "type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:12]}",
            "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": "UBOTCLOUDSTRO", "is_bot": True,
                                "is_enterprise_install": False}]}


def dm(channel: str, text: str, *, user: str = ALICE, ts: str | None = None,
       thread_ts: str | None = None, **extra: Any) -> dict[str, Any]:
    ts = ts or new_ts()
    event = {"type": "message", "user": user, "text": text, "ts": ts, "channel": channel,
             "channel_type": "im", "event_ts": ts, **extra}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return envelope(event)


def mention(channel: str, text: str, *, user: str = ALICE, ts: str | None = None,
            thread_ts: str | None = None) -> dict[str, Any]:
    ts = ts or new_ts()
    event = {"type": "app_mention", "user": user, "text": f"<@UBOTCLOUDSTRO> {text}", "ts": ts,
             "channel": channel, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return envelope(event)


def thread_started(channel: str, thread_ts: str, *, user: str = ALICE) -> dict[str, Any]:
    return envelope({"type": "assistant_thread_started", "event_ts": new_ts(),
                     "assistant_thread": {"user_id": user, "channel_id": channel,
                                          "thread_ts": thread_ts,
                                          "context": {"channel_id": "C0GENERAL", "team_id": TEAM,
                                                      "enterprise_id": None}}})


def wait_quiet(slack: MockSlack, quiet: float = 0.6, timeout: float = 15.0) -> None:
    """Wait until no Slack call has arrived for `quiet` seconds (stragglers would show up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        last = slack.calls[-1].at if slack.calls else 0.0
        if time.monotonic() - last >= quiet:
            return
        time.sleep(0.05)
