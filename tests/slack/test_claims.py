"""Conditional-write claims on the runtime table (moto for the rules, DynamoDB Local for a race)."""

from __future__ import annotations

import threading
import time

import pytest

from cloudstro.store.claims import ClaimsRepository


@pytest.fixture
def claims(moto_store):
    return ClaimsRepository(moto_store.dynamo, moto_store.names.runtime, owner="one")


@pytest.fixture
def rival(moto_store):
    return ClaimsRepository(moto_store.dynamo, moto_store.names.runtime, owner="two")


def test_only_the_first_claim_wins(claims, rival):
    assert claims.claim("job#1", 60) is True
    assert rival.claim("job#1", 60) is False
    assert claims.claim("job#1", 60) is False  # not re-entrant either
    item = claims.get_claim("job#1")
    assert item["owner"] == "one" and item["done"] is False
    assert item["expiresAt"] - item["claimedAt"] == 60


def test_an_expired_claim_is_free_even_before_ttl_deletes_it(claims, rival):
    now = time.time()
    assert claims.claim("job#2", 10, now=now - 100)
    assert rival.claim("job#2", 10, now=now) is True
    assert claims.get_claim("job#2")["owner"] == "two"


def test_release_frees_only_your_own_unfinished_claim(claims, rival):
    assert claims.claim("job#3", 60)
    assert rival.release("job#3") is False
    assert claims.release("job#3") is True
    assert rival.claim("job#3", 60) is True


def test_mark_done_keeps_the_claim_and_blocks_release(claims, rival):
    assert claims.claim("job#4", 60)
    assert rival.mark_done("job#4") is False
    assert claims.mark_done("job#4", ttl_seconds=3600) is True
    item = claims.get_claim("job#4")
    assert item["done"] is True and item["expiresAt"] > time.time() + 3000
    assert claims.release("job#4") is False
    assert rival.claim("job#4", 60) is False


def test_bad_ttl_is_refused(claims):
    with pytest.raises(ValueError, match="ttl_seconds"):
        claims.claim("job#5", 0)


def test_records_round_trip_and_expire(claims):
    claims.put_record("FEEDBACK#C1#1.0", "SLACKUSER#U1", {"value": "good", "score": 0.5})
    assert claims.get_record("FEEDBACK#C1#1.0", "SLACKUSER#U1")["score"] == 0.5
    claims.put_record("OLD", "X", {"v": 1}, ttl_seconds=10, now=time.time() - 100)
    assert claims.get_record("OLD", "X") is None
    assert claims.get_record("MISSING", "X") is None


@pytest.mark.integration
def test_racing_processes_on_dynamodb_local_get_one_winner(slack_world):
    repos = [ClaimsRepository(slack_world.store.dynamo, slack_world.store.names.runtime)
             for _ in range(2)]
    key = f"race#{time.time_ns()}"
    wins: list[bool] = []
    start = threading.Barrier(20)

    def attempt(index: int) -> None:
        start.wait()
        wins.append(repos[index % 2].claim(key, 60))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 19 + [True]
