"""Digest fixtures: a Slack client pointed at the mock Web API (`slack`, in the root conftest)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from tests.support.mock_slack import MockSlack


@pytest.fixture
def client(slack: MockSlack) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=slack.base_url)
