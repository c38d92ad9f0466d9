"""The data layer: table specs, record models and one repository per table.

`Store` wires the repositories to one DynamoDB connection; everything above this package
reaches DynamoDB only through it. It is imported on first use (PEP 562), so importing a pure
module of this package (record models, the platform registry) does not load boto3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudstro.store.connection import Store


def __getattr__(name: str) -> Any:
    if name == "Store":
        from cloudstro.store.connection import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Store"]
