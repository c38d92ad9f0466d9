"""Request paths get a short DynamoDB budget; batch commands a long one."""

from __future__ import annotations

import pytest

from cloudstro.cli import common
from cloudstro.config import get_settings
from tests.support.settings import make_settings


def test_batch_budget_is_longer_and_leaves_everything_else_alone():
    settings = make_settings("p-", DYNAMODB_READ_TIMEOUT_S="2", DYNAMODB_MAX_ATTEMPTS="2",
                             DYNAMODB_BATCH_READ_TIMEOUT_S="45",
                             DYNAMODB_BATCH_MAX_ATTEMPTS="7")
    batch = settings.for_batch()
    assert (batch.dynamodb_read_timeout_s, batch.dynamodb_max_attempts) == (45, 7)
    assert (settings.dynamodb_read_timeout_s, settings.dynamodb_max_attempts) == (2, 2)
    assert batch.social_posts_table == "p-cloudstro-social-posts"
    assert batch.dynamodb_connect_timeout_s == settings.dynamodb_connect_timeout_s


@pytest.mark.parametrize(("batch", "read_timeout", "attempts"), [(False, 2, 2), (True, 30, 5)])
def test_commands_open_the_store_with_their_budget(monkeypatch, batch, read_timeout, attempts):
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:9")  # never called here
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    for name in ("DYNAMODB_READ_TIMEOUT_S", "DYNAMODB_MAX_ATTEMPTS",
                 "DYNAMODB_BATCH_READ_TIMEOUT_S", "DYNAMODB_BATCH_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        store = common.open_store(quiet=True, batch=batch)
    finally:
        get_settings.cache_clear()
    config = store.dynamo.client.meta.config
    assert config.read_timeout == read_timeout
    assert config.retries["total_max_attempts"] == attempts
