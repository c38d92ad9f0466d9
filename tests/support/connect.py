"""Connecting accounts through the real server: its movable clock, the stack a test drives (a
browser's round trip through the local OAuth providers), and the paths and waits it needs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from cloudstro.agent.service import Assistant
from cloudstro.channels.http.connections import request_clock
from cloudstro.config import Settings
from tests.connect.provider import Authorizer, Providers
from tests.support.builders import user
from tests.support.http_api import ApiStack, auth
from tests.support.standins import PlatformState


class MovableClock:
    """A clock a test sets: the server reads `moment` wherever it asks for now."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class ConnectStack(ApiStack):
    """The API stack with the local OAuth providers behind it and a clock the test moves."""

    providers: Providers
    clock: MovableClock

    def app(self, settings: Settings, assistant: Assistant | None = None) -> Any:
        """The API app, its connections on this stack's movable clock."""
        app = super().app(settings, assistant)
        app.dependency_overrides[request_clock] = lambda: self.clock
        return app

    def state(self, platform: str) -> PlatformState:
        return self.providers.standins.states[platform]

    def authorizer(self, platform: str) -> Authorizer:
        return self.providers.authorizers[platform]

    def new_user(self) -> str:
        user_id = f"maker_{uuid.uuid4().hex[:8]}"
        self.store.users.put(user(user_id, timezone="UTC"))
        return user_id

    def link(self, client: httpx.Client, user_id: str, platform: str) -> str:
        """POST /v1/connections/{platform}: CloudStro's link for the connection."""
        answer = client.post(f"/v1/connections/{platform}", headers=auth(user_id))
        assert answer.status_code == 200, answer.text
        return answer.json()["authorizeUrl"]

    def confirm(self, client: httpx.Client, link: str) -> str:
        """Open a link's page in this browser and continue: the platform's authorize URL."""
        shown = client.get(link, follow_redirects=False)
        assert shown.status_code == 200 and "Continue to" in shown.text, shown.text
        onward = client.post(link, follow_redirects=False)
        assert onward.status_code == 303, onward.text
        return onward.headers["location"]

    def start(self, client: httpx.Client, user_id: str, platform: str) -> str:
        """Ask for a link and continue from its page in this browser: the platform's
        authorize URL, which only this browser can finish."""
        return self.confirm(client, self.link(client, user_id, platform))

    def approve(self, client: httpx.Client, authorize_url: str) -> str:
        """The person approves on the platform: the callback URL it redirects the browser to."""
        answer = client.get(authorize_url, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]

    def connect(self, client: httpx.Client, user_id: str, platform: str) -> httpx.Response:
        """The whole browser round trip: start, approve, come back to the callback."""
        return client.get(self.approve(client, self.start(client, user_id, platform)))


def account_path(platform: str, account_id: str) -> str:
    return f"/v1/connections/{quote(f'{platform}#{account_id}', safe='')}"


