"""One error hierarchy leaves the store, and one paging loop serves Query and Scan."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from botocore.exceptions import ClientError
from fastapi import FastAPI

from cloudstro.channels.errors import install_error_handlers
from cloudstro.cli.common import STORE_ERRORS
from cloudstro.store import Store
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import (
    ConditionFailedError,
    NotFoundError,
    StoreError,
    StoreRequestRefusedError,
    StoreUnavailableError,
    StoreUsageError,
    TableMissingError,
    UserNotFoundError,
)
from cloudstro.store.records import DigestPreferences, UserProfile
from tests.support.servers import LiveServer, start_server


def _client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "refused"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "PutItem")


@pytest.mark.parametrize(("code", "kind"), [
    ("ConditionalCheckFailedException", ConditionFailedError),
    ("ValidationException", StoreRequestRefusedError),
    ("ResourceNotFoundException", TableMissingError),
])
def test_every_sdk_refusal_leaves_the_store_as_a_store_error(code: str,
                                                             kind: type[StoreError]) -> None:
    dynamo = Dynamo(endpoint_url="http://127.0.0.1:1", use_local=True)
    with pytest.raises(kind) as raised, dynamo.translate_errors("cloudstro-users"):
        raise _client_error(code)
    assert not isinstance(raised.value, StoreUnavailableError)
    if isinstance(raised.value, StoreRequestRefusedError):
        assert raised.value.code == code and isinstance(raised.value, StoreUsageError)


def test_an_unknown_user_is_the_stores_not_found_error(moto_store: Store) -> None:
    for attempt in (lambda: moto_store.users.require("ghost"),
                    lambda: moto_store.users.link_slack("ghost", "U1", None),
                    lambda: moto_store.users.set_digest("ghost", DigestPreferences())):
        with pytest.raises(UserNotFoundError, match="no user 'ghost'") as raised:
            attempt()
        assert raised.value.user_id == "ghost"
        assert isinstance(raised.value, NotFoundError) and isinstance(raised.value, StoreError)
    assert moto_store.users.get("ghost") is None  # the refused update created no stub


def test_commands_catch_store_errors_without_the_builtin_lookup_error() -> None:
    assert LookupError not in STORE_ERRORS
    assert isinstance(UserNotFoundError("ghost"), STORE_ERRORS)


def test_a_scan_follows_every_page_through_the_one_loop(moto_store: Store) -> None:
    profiles = [UserProfile.model_validate({
        "userId": f"u{index}", "email": f"u{index}@example.com", "username": f"u{index}",
        "fullName": f"User {index}",
        "isActive": index != 3, "createdAt": "2026-11-01T00:00:00Z",
        "updatedAt": "2026-11-01T00:00:00Z"}) for index in range(7)]
    moto_store.users.put_many(profiles)
    moto_store.dynamo.meter.reset()
    ids = sorted(moto_store.users.iter_active_ids(page_size=2))
    assert ids == ["u0", "u1", "u2", "u4", "u5", "u6"]
    assert moto_store.dynamo.meter.requests["Scan"] >= 4  # 7 items, 2 per page, then the end


@pytest.fixture
def failing_app() -> Iterator[LiveServer]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/condition")
    def condition() -> None:
        raise ConditionFailedError("cloudstro-runtime")

    @app.get("/outage")
    def outage() -> None:
        raise StoreUnavailableError("DynamoDB throttled requests")

    server = start_server(app)
    try:
        yield server
    finally:
        server.stop()


def test_a_usage_error_is_a_server_bug_not_an_outage(failing_app: LiveServer) -> None:
    """A request the code got wrong is a 500, as before the store had its own error for it;
    only an outage tells the caller to try again shortly."""
    with httpx.Client(base_url=failing_app.url, timeout=10) as client:
        bug, outage = client.get("/condition"), client.get("/outage")
    assert bug.status_code == 500 and bug.json()["error"]["code"] == "internal_error"
    assert outage.status_code == 503
