"""OAuth states on the runtime table: pending connections, and the Slack sign-ins that vouch
for the browser finishing one.

The `state` a platform sends back to the callback is the only thing binding the callback to
the CloudStro user who asked to connect (the callback carries no bearer token), so it must be
unguessable, short-lived and usable once. Each pending connection is one runtime item (key from
`runtime_keys.oauth_state_key`) holding the user, the platform and the PKCE verifier, with the
table's TTL attribute `expiresAt`. `take` is a conditional delete that also requires the item to
be unexpired: of two callbacks racing with one state, DynamoDB lets exactly one have it, and a
replay finds nothing. TTL deletion lags, so expiry is judged by `expiresAt`, never by presence.

Every connection is finished only by one browser: `bind_browser` records a digest of that
browser's key, once the browser signed in to Slack as the user a Slack link was made for, or
once the person confirmed the page that names whose profile the link connects to. A sign-in in
progress is its own item (same key function, sort key `SLACK_SIGNIN_SK`), taken once like a
pending connection.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, SecretStr

from cloudstro.store.codec import from_item, to_item
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.runtime_keys import OAUTH_STATE_SK, SLACK_SIGNIN_SK, oauth_state_key


class PendingConnection(BaseModel):
    """Who asked to connect which platform, and the PKCE verifier the code exchange needs.

    `slackUserId` (and `slackTeamId`) when a Slack user vouches for the link: only a browser
    signed in as that Slack user may finish it. `browserKeyHash` names the one browser that
    may finish it, once it signed in (or, without a Slack user, confirmed the link's page).
    """

    model_config = ConfigDict(extra="ignore")

    userId: str
    platform: str
    redirectUri: str
    codeVerifier: SecretStr | None = None
    expiresAt: int
    slackUserId: str | None = None
    slackTeamId: str | None = None
    browserKeyHash: str | None = None

    @property
    def needs_slack_signin(self) -> bool:
        return self.slackUserId is not None


class SlackSignIn(BaseModel):
    """A Slack sign-in under way: the connection it vouches for, the browser that started it,
    and the OpenID nonce the identity token must carry back.

    `connectionState` is kept as it is, since the platform's authorize URL must carry it; it
    completes nothing on its own, because such a connection finishes only in the browser whose
    key digest the sign-in binds to it."""

    model_config = ConfigDict(extra="ignore")

    connectionState: SecretStr
    browserKeyHash: str
    nonce: str
    expiresAt: int


Record = TypeVar("Record", bound=BaseModel)


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
        self._states = _OnceItems(dynamo, table_name, self.table)

    def put(self, state: str, pending: PendingConnection) -> None:
        item: dict[str, Any] = {"PK": oauth_state_key(state), "SK": OAUTH_STATE_SK,
                                **pending.model_dump(exclude_none=True,
                                                     exclude={"codeVerifier"})}
        if pending.codeVerifier is not None:
            item["codeVerifier"] = pending.codeVerifier.get_secret_value()
        self._states.put(item)

    def take(self, state: str, now: datetime) -> PendingConnection | StateProblem:
        """The pending connection, removed so no one can use the state again; or why not."""
        return _parsed(PendingConnection, self._states.take(self._key(state), now))

    def peek(self, state: str, now: datetime) -> PendingConnection | StateProblem:
        """The pending connection, left in place (the link's page and the Slack sign-in read
        it before the platform's callback takes it); or why it cannot be used."""
        return _parsed(PendingConnection, self._states.read(self._key(state), now))

    def bind_browser(self, state: str, browser_key_hash: str, now: datetime
                     ) -> PendingConnection | None:
        """Name the one browser that may finish this connection (naming the same browser
        again is fine: a double click) and return the connection; None when it is gone,
        expired, or another browser was named first."""
        with self.dynamo.translate_errors(self.table_name):
            try:
                answer = self.table.update_item(
                    Key=self._key(state), UpdateExpression="SET browserKeyHash = :browser",
                    ConditionExpression="attribute_exists(PK) AND expiresAt > :now "
                                        "AND (attribute_not_exists(browserKeyHash) "
                                        "OR browserKeyHash = :browser)",
                    ExpressionAttributeValues={":browser": browser_key_hash,
                                               ":now": int(now.timestamp())},
                    ReturnValues="ALL_NEW")
            except ClientError as exc:
                if not _lost_condition(exc):
                    raise
                return None
        return PendingConnection.model_validate(from_item(answer["Attributes"]))

    @staticmethod
    def _key(state: str) -> dict[str, str]:
        return {"PK": oauth_state_key(state), "SK": OAUTH_STATE_SK}


class SlackSignIns:
    """Slack sign-ins under way, by their own OpenID `state`: written when a browser opens a
    connection link made in Slack, taken once when Slack sends that browser back."""

    def __init__(self, dynamo: Dynamo, table_name: str) -> None:
        self._states = _OnceItems(dynamo, table_name, dynamo.table(table_name))

    def put(self, state: str, signin: SlackSignIn) -> None:
        self._states.put({**self._key(state), **signin.model_dump(exclude={"connectionState"}),
                          "connectionState": signin.connectionState.get_secret_value()})

    def take(self, state: str, now: datetime) -> SlackSignIn | StateProblem:
        return _parsed(SlackSignIn, self._states.take(self._key(state), now))

    @staticmethod
    def _key(state: str) -> dict[str, str]:
        return {"PK": oauth_state_key(state), "SK": SLACK_SIGNIN_SK}


class _OnceItems:
    """Items keyed by a secret state that expire at `expiresAt` and are used once."""

    def __init__(self, dynamo: Dynamo, table_name: str, table: Any) -> None:
        self.dynamo = dynamo
        self.table_name = table_name
        self.table = table

    def put(self, item: dict[str, Any]) -> None:
        with self.dynamo.translate_errors(self.table_name):
            self.table.put_item(Item=to_item(item),
                                ConditionExpression="attribute_not_exists(PK)")

    def take(self, key: dict[str, str], now: datetime) -> dict[str, Any] | StateProblem:
        """The item, removed so no one can use the state again; or why not."""
        with self.dynamo.translate_errors(self.table_name):
            try:
                answer = self.table.delete_item(
                    Key=key, ReturnValues="ALL_OLD",
                    ConditionExpression="attribute_exists(PK) AND expiresAt > :now",
                    ExpressionAttributeValues={":now": int(now.timestamp())})
            except ClientError as exc:  # a lost condition is an answer here, not an error
                if not _lost_condition(exc):
                    raise
                answer = None
        if answer is None:
            return self._problem(key)
        taken: dict[str, Any] = from_item(answer["Attributes"])
        return taken

    def read(self, key: dict[str, str], now: datetime) -> dict[str, Any] | StateProblem:
        with self.dynamo.translate_errors(self.table_name):
            item = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
        if item is None:
            return StateProblem.UNKNOWN
        found: dict[str, Any] = from_item(item)
        return found if int(found["expiresAt"]) > now.timestamp() else StateProblem.EXPIRED

    def _problem(self, key: dict[str, str]) -> StateProblem:
        with self.dynamo.translate_errors(self.table_name):
            item = self.table.get_item(Key=key, ConsistentRead=True,
                                       ProjectionExpression="PK").get("Item")
        # Still there after a failed take: only expiry keeps an existing state from being used.
        return StateProblem.EXPIRED if item else StateProblem.UNKNOWN


def _parsed(model: type[Record], found: dict[str, Any] | StateProblem) -> Record | StateProblem:
    return found if isinstance(found, StateProblem) else model.model_validate(found)


def _lost_condition(exc: ClientError) -> bool:
    code: object = exc.response.get("Error", {}).get("Code")
    return code == "ConditionalCheckFailedException"
