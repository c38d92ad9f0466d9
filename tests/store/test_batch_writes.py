"""Batch writes: validation before any request, 25-item chunks, UnprocessedItems retries."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cloudstro.store import Store
from cloudstro.store.base import BATCH_SIZE, MAX_BATCH_ATTEMPTS
from cloudstro.store.errors import UnprocessedItemsError
from cloudstro.store.records import SocialPost
from tests.support.builders import post, post_data


def _count(store: Store, table: str) -> int:
    return store.dynamo.table(table).scan(Select="COUNT")["Count"]


def test_one_invalid_record_means_nothing_is_written(store: Store) -> None:
    raw = [post_data(post_id=str(n)) for n in range(30)]
    raw[17]["createdAt"] = "2025-09-20T10:00:00"  # naive: refused
    with pytest.raises(ValidationError, match="createdAt"):
        store.posts.put_many([SocialPost.model_validate(item) for item in raw])
    assert store.dynamo.meter.total_requests == 0  # validation fails before any request
    assert _count(store, store.names.posts) == 0


def test_put_many_builds_every_item_before_the_first_request(store: Store) -> None:
    """A non-record in the list fails while items are built, before any BatchWriteItem."""
    good = [post(post_id=str(n)) for n in range(30)]
    with pytest.raises(AttributeError):
        store.posts.put_many([*good, {"userId": "u"}])  # type: ignore[list-item]
    assert "BatchWriteItem" not in store.dynamo.meter.requests
    assert _count(store, store.names.posts) == 0


class FlakyBatchWrites:
    """Wraps the real batch_write_item: the first `flaky_calls` calls leave half unprocessed."""

    def __init__(self, real: Any, flaky_calls: int) -> None:
        self.real = real
        self.flaky_calls = flaky_calls
        self.sent: list[int] = []

    def __call__(self, RequestItems: dict[str, list[dict[str, Any]]], **kwargs: Any) -> dict:
        ((table, requests),) = RequestItems.items()
        self.sent.append(len(requests))
        if len(self.sent) <= self.flaky_calls:
            half = len(requests) // 2 or 1
            self.real(RequestItems={table: requests[:-half]}, **kwargs)
            return {"UnprocessedItems": {table: requests[-half:]}}
        return self.real(RequestItems=RequestItems, **kwargs)


def test_unprocessed_items_are_retried_until_written(moto_store: Store,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr("cloudstro.store.base.time.sleep", sleeps.append)
    flaky = FlakyBatchWrites(moto_store.dynamo.client.batch_write_item, flaky_calls=3)
    monkeypatch.setattr(moto_store.dynamo.client, "batch_write_item", flaky)
    progress: list[int] = []

    posts = [post(post_id=str(n)) for n in range(60)]
    assert moto_store.posts.put_many(posts, progress=progress.append) == 60

    assert all(size <= BATCH_SIZE for size in flaky.sent)
    assert flaky.sent == [25, 12, 6, 3, 25, 10]  # first chunk: 3 partial writes, 1 retry more
    assert len(sleeps) == 3 and all(0 < pause <= 2.0 for pause in sleeps)
    assert progress == [25, 25, 10]
    stored = {p.postId for p in moto_store.posts.list_for_user("user_1")}
    assert stored == {p.postId for p in posts}


def test_persistent_unprocessed_items_raise(moto_store: Store,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cloudstro.store.base.time.sleep", lambda _seconds: None)
    calls: list[int] = []

    def never(RequestItems: dict[str, list[dict[str, Any]]], **_: Any) -> dict:
        ((_table, requests),) = RequestItems.items()
        calls.append(len(requests))
        return {"UnprocessedItems": RequestItems}

    monkeypatch.setattr(moto_store.dynamo.client, "batch_write_item", never)
    with pytest.raises(UnprocessedItemsError, match="still unprocessed") as caught:
        moto_store.posts.put_many([post(post_id=str(n)) for n in range(30)])
    assert caught.value.count == 25
    assert calls == [25] * MAX_BATCH_ATTEMPTS  # the first chunk never got through; no second


def test_duplicate_keys_in_one_batch_collapse_to_the_last(store: Store) -> None:
    first = post(post_id="1", content="first")
    last = post(post_id="1", content="last")
    assert store.posts.put_many([first, post(post_id="2"), last]) == 2
    stored = store.posts.get("user_1", "twitter#1")
    assert stored is not None and stored.content == "last"
