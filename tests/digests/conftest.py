"""Digest fixtures: the mock Slack Web API and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from tests.slack.mock_slack import MockSlack


@pytest.fixture
def slack() -> Iterator[MockSlack]:
    with MockSlack() as mock:
        yield mock


@pytest.fixture
def client(slack: MockSlack) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=slack.base_url)
