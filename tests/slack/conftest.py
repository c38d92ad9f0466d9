"""Slack fixtures: a mock Web API, demo data on DynamoDB Local, and the app served by uvicorn.

The demo data (2 users, 30 days) is written once per session into its own tables; each test
talks to it through fresh Slack channels, so tests never see each other's answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import click
import pytest

from cloudstro.cli.slack import register
from cloudstro.store import Store
from cloudstro.store.claims import ClaimsRepository
from cloudstro.store.demo import seed_demo
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.tables import delete_tables
from tests.support.mock_slack import MockSlack
from tests.support.settings import make_settings
from tests.support.slack import ALICE, ALICE_EMAIL, SECRET, UNTIL, Served, World, serve
from tests.support.tables import create_unswept_tables


@pytest.fixture(scope="session")
def slack_world(local_engine: Any) -> Iterator[World]:
    with MockSlack({ALICE: {"email": ALICE_EMAIL}}) as slack:
        settings = make_settings(
            f"s{uuid.uuid4().hex[:8]}-", DYNAMODB_ENDPOINT_URL=local_engine.endpoint,
            CLOUDSTRO_LLM="offline", SLACK_BOT_TOKEN="xoxb-test-token",
            SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.base_url, SLACK_WORKERS="8")
        dynamo = Dynamo(settings)
        create_unswept_tables(dynamo)
        store = Store(dynamo, settings)
        seed_demo(store, users=2, days=30, seed=29, until=UNTIL)
        yield World(settings, store, slack, ClaimsRepository(dynamo, store.names.runtime))
        delete_tables(dynamo)


@pytest.fixture
def command_line(restore_logging: None) -> click.Group:
    """`cloudstro` with the Slack commands; what `cloudstro slack` sets up in the process's
    logging (content-free records, JSON lines) is undone after the test."""
    group = click.Group("cloudstro")
    register(group)
    return group


@pytest.fixture
def served(slack_world: World) -> Iterator[Served]:
    with serve(slack_world) as running:
        yield running
