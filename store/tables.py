"""The tables, once: key schemas, indexes, billing and TTL for creation, tests and deployment.

`table_specs()` is the single source of truth. `create_tables()` turns it into tables and is
safe to run any number of times: it creates only what is missing and only switches on TTL
where it is off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from cloudstro.config import Settings
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import StoreRequestRefusedError

KeyType = Literal["S", "N"]


@dataclass(frozen=True)
class Key:
    name: str
    type: KeyType = "S"


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition: Key
    sort: Key | None = None


@dataclass(frozen=True)
class TableSpec:
    role: str
    name: str
    partition: Key
    sort: Key
    indexes: tuple[IndexSpec, ...] = ()
    ttl_attribute: str | None = None
    # Same partition key, another sort key; DynamoDB allows these only at table creation.
    local_indexes: tuple[IndexSpec, ...] = ()
    purpose: str = ""

    def create_request(self) -> dict[str, Any]:
        """The CreateTable request: on-demand billing, every index projecting all attributes."""
        keys = [self.partition, self.sort]
        for index in (*self.indexes, *self.local_indexes):
            keys += [index.partition] + ([index.sort] if index.sort else [])
        definitions = {key.name: key.type for key in keys}
        request: dict[str, Any] = {
            "TableName": self.name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": kind} for name, kind in definitions.items()
            ],
            "KeySchema": _key_schema(self.partition, self.sort),
        }
        if self.indexes:
            request["GlobalSecondaryIndexes"] = [
                {"IndexName": index.name, "KeySchema": _key_schema(index.partition, index.sort),
                 "Projection": {"ProjectionType": "ALL"}}
                for index in self.indexes
            ]
        if self.local_indexes:
            request["LocalSecondaryIndexes"] = [
                {"IndexName": index.name, "KeySchema": _key_schema(index.partition, index.sort),
                 "Projection": {"ProjectionType": "ALL"}}
                for index in self.local_indexes
            ]
        return request


def _key_schema(partition: Key, sort: Key | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
    if sort:
        schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
    return schema


@dataclass(frozen=True)
class TableNames:
    users: str
    accounts: str
    posts: str
    engagement: str
    insights: str
    checkpoints: str
    runtime: str

    @classmethod
    def from_settings(cls, settings: Settings) -> TableNames:
        return cls(settings.users_table, settings.social_accounts_table,
                   settings.social_posts_table, settings.social_engagement_table,
                   settings.ai_insights_table, settings.checkpoints_table, settings.runtime_table)


# A user's posts (and snapshots) by date. The schema's sort keys start with the platform and
# post id, so without these a "last 7 days" question reads the user's whole history; with
# them it reads that week. Named like the schema's indexes.
POSTS_BY_DATE = IndexSpec("userId-createdAtISO-index", Key("userId"), Key("createdAtISO"))
ENGAGEMENT_BY_TIME = IndexSpec("userId-timestampISO-index", Key("userId"), Key("timestampISO"))


def table_specs(settings: Settings) -> list[TableSpec]:
    names = TableNames.from_settings(settings)
    user = Key("userId")
    return [
        TableSpec("users", names.users, user, Key("recordType"),
                  (IndexSpec("email-index", Key("email"), Key("userId")),),
                  purpose="user profiles and preferences"),
        TableSpec("accounts", names.accounts, user, Key("platformAccountId"),
                  (IndexSpec("platform-accountStatus-index", Key("platform"),
                             Key("accountStatus")),),
                  purpose="connected social accounts (tokens encrypted)"),
        TableSpec("posts", names.posts, user, Key("postId"),
                  (IndexSpec("platform-createdAtISO-index", Key("platform"),
                             Key("createdAtISO")),),
                  local_indexes=(POSTS_BY_DATE,),
                  purpose="posts from every platform"),
        TableSpec("engagement", names.engagement, user, Key("engagementId"),
                  local_indexes=(ENGAGEMENT_BY_TIME,),
                  purpose="engagement snapshots over time"),
        TableSpec("insights", names.insights, user, Key("insightId"),
                  (IndexSpec("insightType-confidenceScore-index", Key("insightType"),
                             Key("confidenceScore", "N")),),
                  ttl_attribute="TTL", purpose="recommendations with confidence"),
        TableSpec("checkpoints", names.checkpoints, Key("PK"), Key("SK"),
                  ttl_attribute="ttl", purpose="agent conversation memory"),
        TableSpec("runtime", names.runtime, Key("PK"), Key("SK"),
                  ttl_attribute="expiresAt",
                  purpose="short-lived claims: Slack event dedup, digest sends"),
    ]


@dataclass
class CreateReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    ttl_enabled: list[str] = field(default_factory=list)
    # Existing tables lacking an index the product reads (indexes that cannot be added later).
    missing_indexes: dict[str, list[str]] = field(default_factory=dict)


def create_tables(dynamo: Dynamo, specs: list[TableSpec] | None = None,
                  progress: Callable[[str], None] = lambda _line: None,
                  timeout_s: float = 120.0) -> CreateReport:
    """Create missing tables, wait until each is ACTIVE, switch TTL on; report what changed."""
    specs = specs if specs is not None else table_specs(dynamo.settings)
    client = dynamo.client
    report = CreateReport()
    with dynamo.translate_errors("(listing tables)"):
        existing = set(_list_tables(client))
    for spec in specs:
        if spec.name in existing:
            report.existing.append(spec.name)
            progress(f"exists   {spec.name}")
            continue
        try:
            with dynamo.translate_errors(spec.name):
                client.create_table(**spec.create_request())
        except StoreRequestRefusedError as exc:  # another process created it since the list
            if exc.code != "ResourceInUseException":
                raise
            report.existing.append(spec.name)
            continue
        report.created.append(spec.name)
        progress(f"created  {spec.name}")
    for spec in specs:
        with dynamo.translate_errors(spec.name):
            _wait_active(client, spec.name, timeout_s)
            missing = _missing_indexes(client, spec) if spec.name in report.existing else []
            ttl_enabled = bool(spec.ttl_attribute) and _enable_ttl(client, spec)
        if missing:
            report.missing_indexes[spec.name] = missing
            progress(f"warning  {spec.name} has no {', '.join(missing)}: it was created before "
                     "these indexes; recreate it (export, delete, create-tables, import)")
        if ttl_enabled:
            report.ttl_enabled.append(spec.name)
            progress(f"ttl on   {spec.name}.{spec.ttl_attribute}")
    return report


def _list_tables(client: Any) -> list[str]:
    names: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = client.list_tables(**kwargs)
        names += page.get("TableNames", [])
        if "LastEvaluatedTableName" not in page:
            return names
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]


def _wait_active(client: Any, name: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.describe_table(TableName=name)["Table"]["TableStatus"]
        if status == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"table {name!r} still {status} after {timeout_s:.0f}s")
        time.sleep(0.5)


def _missing_indexes(client: Any, spec: TableSpec) -> list[str]:
    table = client.describe_table(TableName=spec.name)["Table"]
    present = {index["IndexName"] for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
               for index in table.get(kind, [])}
    return [index.name for index in (*spec.indexes, *spec.local_indexes)
            if index.name not in present]


def _enable_ttl(client: Any, spec: TableSpec) -> bool:
    description = client.describe_time_to_live(TableName=spec.name)["TimeToLiveDescription"]
    if description.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        return False
    client.update_time_to_live(
        TableName=spec.name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
    )
    return True


def delete_tables(dynamo: Dynamo, specs: list[TableSpec] | None = None) -> list[str]:
    """Drop the product's tables (tests and `db reset` only)."""
    specs = specs if specs is not None else table_specs(dynamo.settings)
    existing = set(_list_tables(dynamo.client))
    dropped = []
    for spec in specs:
        if spec.name in existing:
            dynamo.client.delete_table(TableName=spec.name)
            dropped.append(spec.name)
    return dropped
