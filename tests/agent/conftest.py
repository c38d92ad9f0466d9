"""Agent fixtures: a store with a small, deterministic demo dataset."""

from __future__ import annotations

import pytest

from cloudstro.agent.offline import OfflineChatModel
from cloudstro.agent.service import Assistant
from cloudstro.store.demo import seed_demo
from tests.support.constants import UNTIL


@pytest.fixture
def demo_store(moto_store):
    seed_demo(moto_store, users=2, days=21, seed=11, until=UNTIL)
    return moto_store


@pytest.fixture
def offline_assistant(demo_store):
    return Assistant(demo_store, model=OfflineChatModel())
