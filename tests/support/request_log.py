"""A recorder of the DynamoDB requests a client sends, so tests can count and read them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


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


def projected_names(request: dict[str, Any]) -> set[str]:
    """The attribute names a request's ProjectionExpression reads, aliases resolved."""
    names = request.get("ExpressionAttributeNames", {})
    return {names.get(part.strip(), part.strip())
            for part in request["ProjectionExpression"].split(",")}
