"""Agent fixtures: a store with a small, deterministic demo dataset and a fixed 'now'."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloudstro.agent.offline import OfflineChatModel
from cloudstro.agent.service import Assistant
from cloudstro.store.demo import seed_demo

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
UNTIL = datetime(2026, 11, 25, tzinfo=UTC)
USER = "demo_user_000"
OTHER = "demo_user_001"


@pytest.fixture
def demo_store(moto_store):
    seed_demo(moto_store, users=2, days=21, seed=11, until=UNTIL)
    return moto_store


@pytest.fixture
def offline_assistant(demo_store):
    return Assistant(demo_store, model=OfflineChatModel())
