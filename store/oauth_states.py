"""Pending account connections on the runtime table: the server side of an OAuth `state`.

The `state` a platform sends back to the callback is the only thing binding the callback to
the CloudStro user who asked to connect (the callback carries no bearer token), so it must be
unguessable, short-lived and usable once. Each pending connection is one runtime item (key from
`runtime_keys.oauth_state_key`) holding the user, the platform and the PKCE verifier, with the
table's TTL attribute `expiresAt`. `take` is a conditional delete that also requires the item to
be unexpired: of two callbacks racing with one state, DynamoDB lets exactly one have it, and a
replay finds nothing. TTL deletion lags, so expiry is judged by `expiresAt`, never by presence.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, SecretStr

from cloudstro.store.codec import from_item, to_item
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.runtime_keys import OAUTH_STATE_SK, oauth_state_key


class PendingConnection(BaseModel):
    """Who asked to connect which platform, and the PKCE verifier the code exchange needs."""

    model_config = ConfigDict(extra="ignore")

    userId: str
    platform: str
    redirectUri: str
    codeVerifier: SecretStr | None = None
    expiresAt: int


class StateProblem(StrEnum):
    """Why a state cannot be used, in the words a person is shown."""

    UNKNOWN = "unknown"  # never issued, or already used
    EXPIRED = "expired"


class PendingConnections:
    """Pending connections by state: written by `begin`, taken once by the callback."""

    def __init__(self, dynamo: Dynamo, table_name: str) -> None:
        self.dynamo = dynamo
        self.table_name = table_name
        self.table = dynamo.table(table_name)

    def put(self, state: str, pending: PendingConnection) -> None:
        item: dict[str, Any] = {"PK": oauth_state_key(state), "SK": OAUTH_STATE_SK,
                                "userId": pending.userId, "platform": pending.platform,
                                "redirectUri": pending.redirectUri,
                                "expiresAt": pending.expiresAt}
        if pending.codeVerifier is not None:
            item["codeVerifier"] = pending.codeVerifier.get_secret_value()
        with self.dynamo.translate_errors(self.table_name):
            self.table.put_item(Item=to_item(item),
                                ConditionExpression="attribute_not_exists(PK)")

    def take(self, state: str, now: datetime) -> PendingConnection | StateProblem:
        """The pending connection, removed so no one can use the state again; or why not."""
        key = {"PK": oauth_state_key(state), "SK": OAUTH_STATE_SK}
        with self.dynamo.translate_errors(self.table_name):
            try:
                answer = self.table.delete_item(
                    Key=key, ReturnValues="ALL_OLD",
                    ConditionExpression="attribute_exists(PK) AND expiresAt > :now",
                    ExpressionAttributeValues={":now": int(now.timestamp())})
            except ClientError as exc:  # a lost condition is an answer here, not an error
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                answer = None
        if answer is None:
            return self._problem(key)
        return PendingConnection.model_validate(from_item(answer["Attributes"]))

    def _problem(self, key: dict[str, str]) -> StateProblem:
        with self.dynamo.translate_errors(self.table_name):
            item = self.table.get_item(Key=key, ConsistentRead=True,
                                       ProjectionExpression="PK").get("Item")
        # Still there after a failed take: only expiry keeps an existing state from being used.
        return StateProblem.EXPIRED if item else StateProblem.UNKNOWN
