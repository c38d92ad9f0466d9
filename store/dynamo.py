"""One DynamoDB connection per process: endpoint choice, time budget, error translation,
request metering.

The endpoint rule is the product's "local is real" decision: an explicit
`DYNAMODB_ENDPOINT_URL` wins; with none and no AWS credentials, the local DynamoDB that
`cloudstro db start` runs is used; otherwise AWS itself.

Every client (the repositories' and the conversation checkpointer's) is built from
`bounded_config`, so no DynamoDB call waits longer than its connect and read timeouts times its
attempts; and `translate_errors` is the one place an SDK failure becomes a store error (see
`store.errors`), so callers handle `StoreError` and never botocore's own exceptions.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError, NoCredentialsError
from botocore.exceptions import ConnectionError as SdkConnectionError

from cloudstro.config import Settings, get_settings
from cloudstro.store.errors import (
    ConditionFailedError,
    IndexMissingError,
    StoreError,
    StoreRequestRefusedError,
    StoreThrottledError,
    StoreUnavailableError,
    StoreUnreachableError,
    TableMissingError,
)

_LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
_THROTTLE_CODES = {"ProvisionedThroughputExceededException", "ThrottlingException",
                   "RequestLimitExceeded"}
_SERVER_FAILURE_CODES = {"InternalServerError", "ServiceUnavailable", "InternalFailure"}


@dataclass
class RequestMeter:
    """Counts DynamoDB requests, consumed capacity and response bytes, per operation.

    Hooked onto botocore's `after-call` event, so it sees exactly what went over the wire,
    retries included; benchmarks and tests read it to prove an access pattern's cost.
    """

    requests: Counter[str] = field(default_factory=Counter)
    capacity_units: float = 0.0
    bytes_read: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity") if isinstance(parsed, dict) else None
        units = 0.0
        if isinstance(consumed, dict):
            units = float(consumed.get("CapacityUnits", 0.0))
        elif isinstance(consumed, list):
            units = sum(float(entry.get("CapacityUnits", 0.0)) for entry in consumed)
        size = len(getattr(http_response, "content", b"") or b"")
        with self._lock:
            self.requests[model.name] += 1
            self.capacity_units += units
            self.bytes_read += size

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.capacity_units = 0.0
            self.bytes_read = 0

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": dict(self.requests), "total_requests": self.total_requests,
                    "capacity_units": round(self.capacity_units, 2),
                    "bytes_read": self.bytes_read}


_METERED_OPERATIONS = ("GetItem", "Query", "Scan", "BatchGetItem", "PutItem", "BatchWriteItem",
                       "UpdateItem", "DeleteItem")


def report_consumed_capacity(client: Any) -> None:
    """Ask DynamoDB to report the capacity each request consumed, so the meter sees cost.

    The parameter changes only the response (a few bytes), never what is read or billed.
    """

    def ask(params: dict[str, Any], **_: Any) -> None:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")

    for operation in _METERED_OPERATIONS:
        client.meta.events.register(f"provide-client-params.dynamodb.{operation}", ask)


def _names_a_missing_index(code: str, message: str) -> bool:
    """DynamoDB says "does not have the specified index" (ValidationException); some
    emulators say "Invalid index" (ResourceNotFoundException). Both mean the same."""
    return (code == "ValidationException" and "specified index" in message) or (
        code == "ResourceNotFoundException" and "index" in message.lower())


def bounded_config(settings: Settings) -> Config:
    """The SDK configuration every DynamoDB client uses: bounded attempts, each bounded in time.

    Standard retry mode backs off with jitter between attempts (under a second for the first
    retry); connection errors, timeouts, throttling and 5xx answers are what it retries.
    """
    return Config(connect_timeout=settings.dynamodb_connect_timeout_s,
                  read_timeout=settings.dynamodb_read_timeout_s,
                  retries={"total_max_attempts": settings.dynamodb_max_attempts,
                           "mode": "standard"},
                  max_pool_connections=64)


def credentials_available() -> bool:
    try:
        return boto3.Session().get_credentials() is not None
    except Exception:  # a broken profile file counts as "none"
        return False


def resolve_endpoint(settings: Settings) -> tuple[str | None, bool]:
    """(endpoint_url or None for AWS, whether it is the local engine)."""
    if settings.dynamodb_endpoint_url:
        url = settings.dynamodb_endpoint_url
        return url, url.startswith(("http://127.", "http://localhost"))
    if not credentials_available():
        return settings.local_dynamodb_url, True
    return None, False


class Dynamo:
    """The process's DynamoDB handles, table names and meter."""

    def __init__(self, settings: Settings | None = None, *, endpoint_url: str | None = None,
                 use_local: bool | None = None) -> None:
        self.settings = settings or get_settings()
        if endpoint_url is None and use_local is None:
            endpoint_url, use_local = resolve_endpoint(self.settings)
        self.endpoint_url = endpoint_url
        self.is_local = bool(use_local)
        session_kwargs: dict[str, Any] = {"region_name": self.settings.aws_region}
        if self.is_local and not credentials_available():
            session_kwargs.update(_LOCAL_CREDENTIALS)
        session = boto3.Session(**session_kwargs)
        self.resource = session.resource("dynamodb", endpoint_url=endpoint_url,
                                         config=bounded_config(self.settings))
        self.client = self.resource.meta.client
        self.meter = RequestMeter()
        self.client.meta.events.register("after-call.dynamodb", self.meter.record)
        report_consumed_capacity(self.client)

    @property
    def endpoint_label(self) -> str:
        return self.endpoint_url or f"AWS DynamoDB ({self.settings.aws_region})"

    def table(self, name: str) -> Any:
        return self.resource.Table(name)

    @contextmanager
    def translate_errors(self, table: str) -> Iterator[None]:
        """Turn SDK failures into errors that say what to do.

        Anything transient (no connection, a timeout, a dropped connection, throttling, a 5xx)
        becomes a `StoreUnavailableError`; a failed condition a `ConditionFailedError` for the
        caller that asked for the condition; any other refusal a `StoreRequestRefusedError`.
        """
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = error.get("Code", ""), error.get("Message", "")
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            if _names_a_missing_index(code, message):
                raise IndexMissingError(table, message) from exc
            if code == "ResourceNotFoundException":
                raise TableMissingError(table, self.endpoint_label) from exc
            if code in _THROTTLE_CODES:
                raise StoreThrottledError(f"DynamoDB throttled requests to {table!r}") from exc
            if status >= 500 or code in _SERVER_FAILURE_CODES:
                raise StoreUnavailableError(
                    f"DynamoDB failed a request to {table!r} on its side ({code or status})"
                ) from exc
            if code == "ConditionalCheckFailedException":
                raise ConditionFailedError(table) from exc
            raise StoreRequestRefusedError(table, code or str(status), message) from exc
        except (SdkConnectionError, HTTPClientError) as exc:
            # EndpointConnectionError, ConnectTimeoutError (connect), ReadTimeoutError and
            # ConnectionClosedError (an answer that never came or was cut off).
            raise StoreUnreachableError(self.endpoint_label, str(exc)) from exc
        except NoCredentialsError as exc:
            raise StoreError(
                "no AWS credentials found for DynamoDB; set DYNAMODB_ENDPOINT_URL for a local "
                "engine or configure AWS credentials"
            ) from exc
