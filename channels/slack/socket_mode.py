"""The Slack app over Socket Mode: events arrive on a websocket this process opens to Slack.

No public URL is needed. With the app-level token (`xapp-...`), `apps.connections.open` returns
a short-lived `wss://` URL; every event then arrives on that socket in an envelope and is
acknowledged by its envelope id over the same socket, within Slack's 3 seconds, before any
answer is worked on. `apps.connections.open` is an ordinary Web API call, so it goes to the
same `SLACK_API_URL` as every other call (the app's own client carries it). bolt's built-in
client is used because it needs no extra dependency and reconnects by itself when Slack
rotates the connection.

`SocketModeApp.connect()` returns once connected and `close()` stops it, so the command line
and tests drive the same object; nothing here installs signal handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from cloudstro.channels.slack.bolt_app import build_slack_app
from cloudstro.config import Settings
from cloudstro.slackkit.client import SlackNotConfigured
from cloudstro.store import Store

log = logging.getLogger("cloudstro.slack")

APP_TOKEN_PREFIX = "xapp-"


def app_token(settings: Settings) -> str:
    """The app-level token, or a SlackNotConfigured naming what to set (no network call)."""
    if settings.slack_app_token is None:
        raise SlackNotConfigured("SLACK_APP_TOKEN is not set: create an app-level token with "
                                 "the connections:write scope (Basic Information → App-Level "
                                 "Tokens); see docs/slack.md")
    token = settings.slack_app_token.get_secret_value().strip()
    if not token.startswith(APP_TOKEN_PREFIX):
        # A bot token here is the usual mix-up; Slack would refuse it only after a round trip.
        raise SlackNotConfigured("SLACK_APP_TOKEN is not an app-level token: it must start "
                                 f"with {APP_TOKEN_PREFIX} (the bot token, xoxb-..., belongs "
                                 "in SLACK_BOT_TOKEN)")
    return token


class SocketModeApp:
    """The bolt app and its Socket Mode connection, started and stopped as one."""

    def __init__(self, store: Store, assistant: Any, settings: Settings, *,
                 workers: int | None = None) -> None:
        token = app_token(settings)
        self.app: App = build_slack_app(store, assistant, settings, socket_mode=True,
                                        workers=workers)
        # The app's client already points at SLACK_API_URL and retries; passing it makes
        # apps.connections.open use that same base URL rather than slack.com.
        self.handler = SocketModeHandler(self.app, token, web_client=self.app.client)

    def connect(self) -> None:
        """Open the connection; a refused token raises slack_sdk's SlackApiError."""
        self.handler.connect()

    def is_connected(self) -> bool:
        return self.handler.client.is_connected()

    def close(self) -> None:
        """Disconnect, then let answers already started finish before the pools stop."""
        self.handler.close()
        self.app.listener_runner.listener_executor.shutdown(wait=True)
        lazy = self.app.listener_runner.lazy_listener_runner
        executor = getattr(lazy, "executor", None)
        if executor is not None and executor is not self.app.listener_runner.listener_executor:
            executor.shutdown(wait=True)
        log.info("Socket Mode connection closed")
