"""One round trip for two tables: the profile with a stored insight (the best-time answer's
fast path), and what happens when DynamoDB leaves keys unprocessed."""

from __future__ import annotations

from typing import Any

import pytest

from cloudstro.store import Store
from cloudstro.store.base import MAX_BATCH_ATTEMPTS
from cloudstro.store.errors import UnprocessedItemsError
from tests.support.builders import insight, user


@pytest.fixture
def stored(moto_store: Store) -> tuple[Store, str]:
    moto_store.users.put(user("alice", timezone="Asia/Tokyo"))
    kept = insight("alice")
    moto_store.insights.put(kept)
    moto_store.dynamo.meter.reset()
    return moto_store, kept.insightId


def test_profile_and_insight_come_back_from_one_request(stored: tuple[Store, str]) -> None:
    store, insight_id = stored
    profile, found = store.profile_and_insight("alice", insight_id)
    assert profile is not None and profile.zone == "Asia/Tokyo"
    assert found is not None and found.insightId == insight_id
    assert store.dynamo.meter.snapshot()["requests"] == {"BatchGetItem": 1}


def test_missing_items_are_none_on_either_side(stored: tuple[Store, str]) -> None:
    store, insight_id = stored
    assert store.profile_and_insight("alice", "optimal_timing_nope")[1] is None
    assert store.profile_and_insight("bob", insight_id) == (None, None)


def test_unprocessed_keys_of_both_tables_are_retried(stored: tuple[Store, str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store, insight_id = stored
    sleeps: list[float] = []
    monkeypatch.setattr("cloudstro.store.base.time.sleep", sleeps.append)
    real = store.dynamo.client.batch_get_item
    asked: list[list[str]] = []

    def one_table_at_a_time(RequestItems: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        asked.append(sorted(RequestItems))
        first, *rest = sorted(RequestItems)
        answer = real(RequestItems={first: RequestItems[first]}, **kwargs)
        answer["UnprocessedKeys"] = {table: RequestItems[table] for table in rest}
        return answer

    monkeypatch.setattr(store.dynamo.client, "batch_get_item", one_table_at_a_time)
    profile, found = store.profile_and_insight("alice", insight_id)
    assert profile is not None and found is not None
    assert [len(tables) for tables in asked] == [2, 1]
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 2.0


def test_keys_never_processed_raise_instead_of_reading_as_missing(
        stored: tuple[Store, str], monkeypatch: pytest.MonkeyPatch) -> None:
    store, insight_id = stored
    monkeypatch.setattr("cloudstro.store.base.time.sleep", lambda _seconds: None)
    calls: list[int] = []

    def never(RequestItems: dict[str, Any], **_: Any) -> dict[str, Any]:
        calls.append(len(RequestItems))
        return {"Responses": {}, "UnprocessedKeys": RequestItems}

    monkeypatch.setattr(store.dynamo.client, "batch_get_item", never)
    with pytest.raises(UnprocessedItemsError, match="still unprocessed"):
        store.profile_and_insight("alice", insight_id)
    assert calls == [2] * MAX_BATCH_ATTEMPTS
