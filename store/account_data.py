"""Deleting what was synced from one connected account: its posts and their snapshots.

Disconnecting keeps the data by default (a person may reconnect, and their history is theirs);
asked to delete it, only the posts that account authored go, found with key conditions in the
owner's partition (`begins_with(postId, "<platform>#")`, the same for snapshot ids), never a
Scan. Snapshot ids begin with their post's id, so one Query finds the snapshots to drop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from boto3.dynamodb.conditions import Key

from cloudstro.store.base import pages
from cloudstro.store.connection import Store


def delete_account_data(store: Store, user_id: str, platform: str, account_id: str) -> int:
    """Delete the posts `account_id` authored on `platform`, and their snapshots; the count of
    posts deleted."""
    prefix = f"{platform}#"
    post_ids = {item["postId"] for item in _query(
        store, store.names.posts, "postId", user_id, prefix, ("postId", "authorId"))
        if item.get("authorId") == account_id}
    if not post_ids:
        return 0
    snapshot_ids = [item["engagementId"] for item in _query(
        store, store.names.engagement, "engagementId", user_id, prefix, ("engagementId",))
        if "#".join(item["engagementId"].split("#", 2)[:2]) in post_ids]
    _delete(store, store.names.engagement, "engagementId", user_id, snapshot_ids)
    _delete(store, store.names.posts, "postId", user_id, sorted(post_ids))
    return len(post_ids)


def _query(store: Store, table_name: str, sort_key: str, user_id: str, prefix: str,
           projection: tuple[str, ...]) -> Iterable[dict[str, Any]]:
    table = store.dynamo.table(table_name)
    params: dict[str, Any] = {
        "KeyConditionExpression": Key("userId").eq(user_id) & Key(sort_key).begins_with(prefix),
        "ProjectionExpression": ", ".join(f"#{name}" for name in projection),
        "ExpressionAttributeNames": {f"#{name}": name for name in projection}}
    for page in pages(store.dynamo, table_name, table.query, params):
        yield from page.get("Items", [])


def _delete(store: Store, table_name: str, sort_key: str, user_id: str,
            ids: list[str]) -> None:
    """Batched deletes (boto3's batch writer sends 25 at a time and resends unprocessed ones)."""
    table = store.dynamo.table(table_name)
    with store.dynamo.translate_errors(table_name), table.batch_writer() as batch:
        for item_id in ids:
            batch.delete_item(Key={"userId": user_id, sort_key: item_id})
