"""Table creation and connection errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from email.utils import parsedate_to_datetime

import pytest

from cloudstro.config import Settings, get_settings
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import StoreUnreachableError
from cloudstro.store.tables import create_tables, delete_tables, table_specs
from tests.support.builders import user
from tests.support.settings import make_settings
from tests.support.tables import create_unswept_tables
from tests.support.waiting import wait_for

EXPECTED_INDEXES = {
    "users": {"email-index": [("email", "HASH", "S"), ("userId", "RANGE", "S")]},
    "accounts": {"platform-accountStatus-index": [("platform", "HASH", "S"),
                                                  ("accountStatus", "RANGE", "S")]},
    "posts": {"platform-createdAtISO-index": [("platform", "HASH", "S"),
                                              ("createdAtISO", "RANGE", "S")]},
    "engagement": {},
    "insights": {"insightType-confidenceScore-index": [("insightType", "HASH", "S"),
                                                       ("confidenceScore", "RANGE", "N")]},
    "checkpoints": {},
    "runtime": {},
}
EXPECTED_KEYS = {
    "users": [("userId", "HASH", "S"), ("recordType", "RANGE", "S")],
    "accounts": [("userId", "HASH", "S"), ("platformAccountId", "RANGE", "S")],
    "posts": [("userId", "HASH", "S"), ("postId", "RANGE", "S")],
    "engagement": [("userId", "HASH", "S"), ("engagementId", "RANGE", "S")],
    "insights": [("userId", "HASH", "S"), ("insightId", "RANGE", "S")],
    "checkpoints": [("PK", "HASH", "S"), ("SK", "RANGE", "S")],
    "runtime": [("PK", "HASH", "S"), ("SK", "RANGE", "S")],
}
EXPECTED_TTL = {"insights": "TTL", "checkpoints": "ttl", "runtime": "expiresAt"}


@pytest.fixture(params=["moto", pytest.param("local", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Tables made by the product's own `create_tables`, TTL on, on both engines.

    The shared DynamoDB Local stores leave TTL off (tests/support/tables.py says why); here the
    tables themselves are under test, and nothing is read back after an expiry. The meter
    starts at zero.
    """
    if request.param == "moto":
        chosen: Store = request.getfixturevalue("moto_store")
        chosen.dynamo.meter.reset()
        yield chosen
        return
    settings: Settings = request.getfixturevalue("local_settings").for_batch()
    dynamo = Dynamo(settings)
    create_tables(dynamo)
    dynamo.meter.reset()
    try:
        yield Store(dynamo, settings)
    finally:
        delete_tables(dynamo, table_specs(settings))


def _keys(schema: list[dict], types: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(key["AttributeName"], key["KeyType"], types[key["AttributeName"]])
            for key in schema]


def test_create_tables_is_idempotent(store: Store) -> None:
    names = [spec.name for spec in table_specs(store.settings)]
    report = create_tables(store.dynamo)
    assert report.created == [] and report.ttl_enabled == []
    assert report.existing == names
    assert "CreateTable" not in store.dynamo.meter.requests
    assert "UpdateTimeToLive" not in store.dynamo.meter.requests


def test_tables_match_the_seed(store: Store) -> None:
    client = store.dynamo.client
    for spec in table_specs(store.settings):
        table = client.describe_table(TableName=spec.name)["Table"]
        types = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
        assert _keys(table["KeySchema"], types) == EXPECTED_KEYS[spec.role], spec.name
        indexes = {index["IndexName"]: _keys(index["KeySchema"], types)
                   for index in table.get("GlobalSecondaryIndexes", [])}
        assert indexes == EXPECTED_INDEXES[spec.role], spec.name
        for index in table.get("GlobalSecondaryIndexes", []):
            assert index["Projection"]["ProjectionType"] == "ALL"
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST", spec.name
        ttl = client.describe_time_to_live(TableName=spec.name)["TimeToLiveDescription"]
        if spec.role in EXPECTED_TTL:
            assert ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING"), spec.name
            assert ttl["AttributeName"] == EXPECTED_TTL[spec.role]
        else:
            assert ttl["TimeToLiveStatus"] == "DISABLED", spec.name


def test_default_table_names_are_the_seeds() -> None:
    names = {spec.role: spec.name for spec in table_specs(get_settings())}
    assert names == {"users": "cloudstro-users", "accounts": "cloudstro-social-accounts",
                     "posts": "cloudstro-social-posts",
                     "engagement": "cloudstro-social-engagement",
                     "insights": "cloudstro-ai-insights",
                     "checkpoints": "cloudstro-agent-checkpoints",
                     "runtime": "cloudstro-runtime"}


def test_table_names_overridable_by_environment(moto_store: Store,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYNAMODB_USERS_TABLE", "acme-users")
    monkeypatch.setenv("DYNAMODB_AI_INSIGHTS_TABLE", "acme-insights")
    get_settings.cache_clear()
    settings = get_settings()
    names = {spec.role: spec.name for spec in table_specs(settings)}
    assert names["users"] == "acme-users" and names["insights"] == "acme-insights"
    assert names["posts"] == "cloudstro-social-posts"

    dynamo = Dynamo(settings, endpoint_url=None, use_local=False)
    report = create_tables(dynamo)
    assert sorted(report.created) == ["acme-insights", "acme-users"]
    acme = Store(dynamo, settings)
    acme.users.put(user("alice"))
    assert acme.users.get("alice") == user("alice")
    assert moto_store.users.get("alice") is None  # the default table was not touched
    assert dynamo.table("acme-users").get_item(
        Key={"userId": "alice", "recordType": "USER_PROFILE"})["Item"]["email"] == \
        "alice@example.com"


@pytest.mark.timeout(15)
def test_unreachable_endpoint_is_named_and_does_not_hang() -> None:
    dynamo = Dynamo(make_settings(), endpoint_url="http://127.0.0.1:9", use_local=True)
    started = time.monotonic()
    with pytest.raises(StoreUnreachableError) as caught:
        Store(dynamo).users.get("alice")
    assert time.monotonic() - started < 10
    assert caught.value.endpoint == "http://127.0.0.1:9"
    assert "http://127.0.0.1:9" in str(caught.value)
    assert "cloudstro db start" in str(caught.value)
    with pytest.raises(StoreUnreachableError, match=r"127\.0\.0\.1:9"):
        create_tables(dynamo)


def test_by_date_local_indexes_exist(store: Store) -> None:
    client = store.dynamo.client
    expected = {store.names.posts: ("userId-createdAtISO-index", "createdAtISO"),
                store.names.engagement: ("userId-timestampISO-index", "timestampISO")}
    for table_name, (index_name, sort_key) in expected.items():
        table = client.describe_table(TableName=table_name)["Table"]
        local = {index["IndexName"]: index for index in table.get("LocalSecondaryIndexes", [])}
        assert list(local) == [index_name]
        assert [key["AttributeName"] for key in local[index_name]["KeySchema"]] == [
            "userId", sort_key]


def test_an_existing_table_without_an_index_is_reported(moto_store: Store) -> None:
    client = moto_store.dynamo.client
    spec = next(s for s in table_specs(moto_store.settings) if s.role == "engagement")
    client.delete_table(TableName=spec.name)

    client.create_table(**replace(spec, local_indexes=()).create_request())
    lines: list[str] = []
    report = create_tables(moto_store.dynamo, progress=lines.append)
    assert report.missing_indexes == {spec.name: ["userId-timestampISO-index"]}
    assert any("recreate" in line for line in lines)


def test_reading_an_index_the_table_lacks_says_how_to_fix_it(moto_store: Store) -> None:
    from datetime import UTC, datetime

    from cloudstro.store.errors import IndexMissingError

    client = moto_store.dynamo.client
    spec = next(s for s in table_specs(moto_store.settings) if s.role == "posts")
    client.delete_table(TableName=spec.name)
    client.create_table(**replace(spec, local_indexes=()).create_request())
    with pytest.raises(IndexMissingError) as caught:
        moto_store.posts.list_in_period("alice", datetime(2025, 1, 1, tzinfo=UTC),
                                        datetime(2025, 2, 1, tzinfo=UTC))
    assert spec.name in str(caught.value)
    assert "cloudstro db create-tables" in str(caught.value)


@pytest.mark.integration
def test_local_engine_sweeps_expired_items_only_where_ttl_is_on(local_settings: Settings
                                                                ) -> None:
    """Why every DynamoDB Local stack in the tests has unswept tables: the engine deletes an
    item whose TTL lies before the wall clock within seconds, and tests write such items
    whenever their clock is a fixed day in the past."""
    dynamo = Dynamo(local_settings.for_batch())
    runtime = next(spec for spec in table_specs(local_settings) if spec.role == "runtime")
    swept = replace(runtime, name=f"{runtime.name}-swept")
    unswept = replace(runtime, name=f"{runtime.name}-unswept", ttl_attribute=None)
    create_tables(dynamo, [swept, unswept])
    key = {"PK": "STATE#past", "SK": "STATE"}
    # A day before the engine's own clock (its Date header): the sweeper goes by the wall
    # clock, whatever clock this test process runs on.
    answer = dynamo.client.list_tables(Limit=1)["ResponseMetadata"]["HTTPHeaders"]
    expired = int(parsedate_to_datetime(answer["date"]).timestamp()) - 86_400
    try:
        for spec in (swept, unswept):
            dynamo.table(spec.name).put_item(Item={**key, "expiresAt": expired})

        def present(spec_name: str) -> bool:
            return "Item" in dynamo.table(spec_name).get_item(Key=key, ConsistentRead=True)

        wait_for(lambda: not present(swept.name), seconds=60)
        assert present(unswept.name)
    finally:
        delete_tables(dynamo, [swept, unswept])


@pytest.mark.integration
def test_unswept_tables_differ_from_the_products_only_in_ttl(local_settings: Settings) -> None:
    dynamo = Dynamo(local_settings.for_batch())
    report = create_unswept_tables(dynamo)
    try:
        assert report.created == [spec.name for spec in table_specs(local_settings)]
        assert report.ttl_enabled == []
        for spec in table_specs(local_settings):
            table = dynamo.client.describe_table(TableName=spec.name)["Table"]
            expected = spec.create_request()
            assert table["KeySchema"] == expected["KeySchema"], spec.name
            assert {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])} == {
                i["IndexName"] for i in expected.get("GlobalSecondaryIndexes", [])}, spec.name
            ttl = dynamo.client.describe_time_to_live(TableName=spec.name)
            assert ttl["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED", spec.name
    finally:
        delete_tables(dynamo, table_specs(local_settings))
