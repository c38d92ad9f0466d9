"""Data-layer test fixtures: one `store` over both engines, seed records, request capture.

`store` runs each repository test twice: on moto (fast, in-process) and on DynamoDB Local
(AWS's own engine, marked `integration`), so the same assertions hold on both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cloudstro.store import Store

REPO = Path(__file__).resolve().parents[2]
# The schema as the team keeps it beside the repository, and the copy shipped in docs/.
SHARED_SEED_FILE = REPO / ".." / "shared" / "seed" / "000_4e9ebaa66f4e8680.txt"
REPO_SEED_FILE = REPO / "docs" / "schema.md"
SEED_FILE = SHARED_SEED_FILE if SHARED_SEED_FILE.exists() else REPO_SEED_FILE


def seed_examples() -> list[dict[str, Any]]:
    """The five ```json blocks that follow "**Example Record:**", in the seed's table order."""
    text = SEED_FILE.read_text(encoding="utf-8")
    blocks = re.findall(r"\*\*Example Record:\*\*\s*```json\s*(.*?)```", text, re.DOTALL)
    return [json.loads(block) for block in blocks]


@pytest.fixture(params=["moto", pytest.param("local", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest) -> Store:
    """The same Store API on moto and on DynamoDB Local; the meter starts at zero."""
    chosen: Store = request.getfixturevalue(f"{request.param}_store")
    chosen.dynamo.meter.reset()
    return chosen


@dataclass
class RequestLog:
    """Every DynamoDB request a client sent, as (operation, JSON body), captured at before-call."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        body = params.get("body") or b"{}"
        if isinstance(body, bytes):
            body = body.decode()
        self.calls.append((model.name, json.loads(body)))

    def of(self, operation: str) -> list[dict[str, Any]]:
        return [body for name, body in self.calls if name == operation]

    def operations(self) -> list[str]:
        return [name for name, _ in self.calls]

    def clear(self) -> None:
        self.calls.clear()


@pytest.fixture
def request_log(store: Store) -> Iterator[RequestLog]:
    log = RequestLog()
    events = store.dynamo.client.meta.events
    events.register("before-call.dynamodb", log.record, unique_id="test-request-log")
    yield log
    events.unregister("before-call.dynamodb", unique_id="test-request-log")


def projected_names(request: dict[str, Any]) -> set[str]:
    """The attribute names a request's ProjectionExpression reads, aliases resolved."""
    names = request.get("ExpressionAttributeNames", {})
    return {names.get(part.strip(), part.strip())
            for part in request["ProjectionExpression"].split(",")}
