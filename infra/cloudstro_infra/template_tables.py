"""Tables as the synthesised template declares them, turned back into CreateTable requests.

Two checks read the template through this one function: that every table equals its spec's
`create_request()` (so `cloudstro db create-tables` and the stack cannot differ), and the
shape test that creates the template's tables in moto and runs the store against them.
Plain Python, no CDK import, so the product's own environment can run it too.
"""

from __future__ import annotations

from typing import Any

GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"


def _index(index: dict[str, Any]) -> dict[str, Any]:
    return {"IndexName": index["IndexName"], "KeySchema": index["KeySchema"],
            "Projection": index["Projection"]}


def create_requests(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Table name → the CreateTable request the template's definition amounts to."""
    requests: dict[str, dict[str, Any]] = {}
    for resource in template["Resources"].values():
        if resource["Type"] != GLOBAL_TABLE:
            continue
        props = resource["Properties"]
        request: dict[str, Any] = {
            "TableName": props["TableName"],
            "BillingMode": props["BillingMode"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = [_index(i) for i in props["GlobalSecondaryIndexes"]]
        if props.get("LocalSecondaryIndexes"):
            request["LocalSecondaryIndexes"] = [_index(i) for i in props["LocalSecondaryIndexes"]]
        requests[props["TableName"]] = request
    return requests


def ttl_attributes(template: dict[str, Any]) -> dict[str, str | None]:
    """Table name → its TTL attribute (None when TTL is off)."""
    found: dict[str, str | None] = {}
    for resource in template["Resources"].values():
        if resource["Type"] == GLOBAL_TABLE:
            ttl = resource["Properties"].get("TimeToLiveSpecification") or {}
            found[resource["Properties"]["TableName"]] = (
                ttl.get("AttributeName") if ttl.get("Enabled") else None)
    return found


def normalised(request: dict[str, Any]) -> dict[str, Any]:
    """The same request with list order removed where DynamoDB ignores it."""
    out = dict(request)
    out["AttributeDefinitions"] = sorted(request["AttributeDefinitions"],
                                         key=lambda a: a["AttributeName"])
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if kind in request:
            out[kind] = sorted(request[kind], key=lambda i: i["IndexName"])
    return out
