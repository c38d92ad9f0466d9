"""Crossing the DynamoDB boundary: floats become `Decimal` going in, plain numbers coming out.

DynamoDB has one number type and boto3 refuses Python floats, so every write goes through
`to_item`; every read goes through `from_item` so callers never see a `Decimal`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def to_item(value: Any) -> Any:
    """A JSON-shaped value made storable: floats to exact-decimal text, `None` entries dropped."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        # str() keeps the shortest round-tripping form: 3.74 stays 3.74, not 3.7400000000000002.
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: to_item(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [to_item(item) for item in value]
    return value


def from_item(value: Any) -> Any:
    """A stored value made plain: integral decimals to `int`, others to `float`, sets to lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: from_item(item) for key, item in value.items()}
    if isinstance(value, list | set | frozenset):
        return [from_item(item) for item in value]
    return value
