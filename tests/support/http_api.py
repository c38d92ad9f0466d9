"""The HTTP API under test: its signing secret and demo users, bearer tokens, the stack a test
talks to (and variants of it with other settings), and a reader for Server-Sent Events."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from cloudstro.agent.service import Assistant
from cloudstro.channels.app import create_app
from cloudstro.channels.http.auth import SigningSecret, issue_token
from cloudstro.config import Settings
from cloudstro.store import Store
from cloudstro.store.local import LocalEngine
from tests.support.servers import LiveServer, start_server
from tests.support.settings import make_settings
from tests.support.waiting import wait_for

SECRET = SigningSecret(b"http-tests-" + b"s" * 40, "tests")
USERS = [f"demo_user_{index:03d}" for index in range(10)]


def token_for(user_id: str, ttl: timedelta = timedelta(hours=1)) -> str:
    return issue_token(SECRET, user_id, ttl)


def auth(user_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user_id)}"}


@dataclass
class ApiStack:
    settings: Settings
    store: Store
    server: LiveServer

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)

    def app(self, settings: Settings, assistant: Assistant | None = None) -> Any:
        """The API app over this stack's tables with these settings."""
        return create_app(settings, self.store, assistant, auth_secret=SECRET)

    @contextmanager
    def variant(self, assistant: Assistant | None = None, **changes: Any) -> Iterator[str]:
        """A second server on the same tables with some settings changed; yields its URL."""
        server = start_server(self.app(self.settings.model_copy(update=changes), assistant))
        try:
            yield server.url
        finally:
            server.stop()


def stack_settings(engine: LocalEngine, data_dir: Path) -> Settings:
    # Explicit values, not the environment: a module-scoped fixture is set up before the
    # per-test environment isolation runs, so nothing here may come from the developer's shell.
    return make_settings(
        f"h{uuid.uuid4().hex[:8]}-", _env_file=None, DYNAMODB_ENDPOINT_URL=engine.endpoint,
        CLOUDSTRO_LLM="offline", CLOUDSTRO_DATA_DIR=str(data_dir), AWS_REGION="us-east-1",
        CLOUDSTRO_RATE_LIMIT_PER_MINUTE="100000", CLOUDSTRO_MAX_MESSAGE_CHARS="4000",
        CLOUDSTRO_TURN_TIMEOUT_S="60", CLOUDSTRO_HTTP_MAX_BODY_BYTES="65536",
        # OAuth apps, so starting a connection answers a link (no platform is ever called).
        TWITTER_CLIENT_ID="x-app", INSTAGRAM_CLIENT_ID="ig-app", INSTAGRAM_CLIENT_SECRET="ig-s",
        FACEBOOK_APP_ID="fb-app", FACEBOOK_APP_SECRET="fb-s", TIKTOK_CLIENT_ID="tt-key",
        TIKTOK_CLIENT_SECRET="tt-s")


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Server-Sent Events as (event, data) pairs; comment lines are skipped."""
    events = []
    for block in text.split("\n\n"):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def access_records(records: Callable[[], list[logging.LogRecord]],
                   path: str) -> list[logging.LogRecord]:
    """The access-log records of `path`, waited for: the server writes a request's line when
    the request is done, just after its response has reached the client."""
    def found() -> list[logging.LogRecord]:
        return [r for r in records() if r.name == "cloudstro.http.access"
                and getattr(r, "fields", {}).get("path") == path]

    wait_for(lambda: bool(found()), seconds=10)
    return found()
