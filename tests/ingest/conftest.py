"""Sync fixtures: the four platform stand-ins (started once per module), reset for each test,
and a fresh record of an engine's sleeps (see `tests.support.sync` for the rest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.standins import StandIns, start_standins
from tests.support.sync import ACCOUNT_IDS, Sleeps


@pytest.fixture(scope="module")
def running_standins() -> Iterator[StandIns]:
    standins = start_standins(ACCOUNT_IDS)
    yield standins
    standins.stop()


@pytest.fixture
def standins(running_standins: StandIns) -> StandIns:
    running_standins.reset(ACCOUNT_IDS)
    return running_standins


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
