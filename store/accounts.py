"""cloudstro-social-accounts: connections, with tokens encrypted on the way in.

Agent-facing reads project only `AccountSummary`'s attributes, so ciphertext never even
leaves DynamoDB on those paths; `credentials()` and `token_state()` are the decrypting reads,
for sync jobs.

Token rotation is the dangerous part of sync: X and TikTok refresh tokens are single-use, so a
refresh token spent by one process and then spent again by another breaks the account's chain.
A refresh therefore runs under a lease on the account item (a conditional write on
`tokenVersion`), and the rotated tokens are written, still under that condition, before the new
access token is used. Sync state (high-water marks, status, the reason an account needs
reconnecting) lives on the same item, beside the seed's attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from boto3.dynamodb.conditions import Key
from pydantic import BaseModel, ConfigDict, SecretStr

from cloudstro.store.base import ReadList, Repository
from cloudstro.store.codec import to_item
from cloudstro.store.crypto import TokenCipher
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.errors import ConditionFailedError
from cloudstro.store.records import (
    REAUTH_REQUIRED,
    AccountSummary,
    SocialAccount,
    UtcDateTime,
    iso_z,
)


@dataclass(frozen=True)
class AccountCredentials:
    access_token: SecretStr
    refresh_token: SecretStr | None


@dataclass(frozen=True)
class TokenState:
    """Decrypted tokens with the version a rotation must still find to win its write."""

    access_token: SecretStr
    refresh_token: SecretStr | None
    expires_at: datetime | None
    version: int

    def __repr__(self) -> str:  # never the token text, even in a debugger or a log of locals
        return f"TokenState(version={self.version}, expires_at={self.expires_at})"


class SyncView(BaseModel):
    """What sync and `accounts list` read of an account: status and cursors, no tokens."""

    model_config = ConfigDict(extra="ignore")

    userId: str
    platform: str
    accountId: str
    platformAccountId: str
    accountName: str = ""
    accountHandle: str = ""
    # A plain string: a status this version does not know must not stop sync of the user's
    # other accounts (anything but "active" is skipped).
    accountStatus: str = "active"
    statusReason: str | None = None
    syncStatus: str = "active"
    lastSyncAt: UtcDateTime | None = None
    tokenExpiresAt: UtcDateTime | None = None
    syncState: dict[str, Any] = {}
    postCount: int = 0

    PROJECTION: ClassVar[tuple[str, ...]] = (
        "userId", "platform", "accountId", "platformAccountId", "accountName", "accountHandle",
        "accountStatus", "statusReason", "syncStatus", "lastSyncAt", "tokenExpiresAt",
        "syncState", "postCount",
    )


def new_account_fields(user_id: str, platform: str, account_id: str, *, username: str | None,
                       token_expires_at: datetime, now: datetime) -> dict[str, Any]:
    """The seed's attributes of a newly connected account, before its tokens are added.

    Follower counts start at 0 until a profile read fills them; a connection without a known
    expiry (Facebook page tokens) carries a far-future `tokenExpiresAt`.
    """
    handle = username or account_id
    return {"userId": user_id, "platform": platform, "accountId": account_id,
            "accountName": handle, "accountHandle": handle if handle.startswith("@")
            else f"@{handle}", "followerCount": 0, "followingCount": 0,
            "tokenExpiresAt": token_expires_at, "connectedAt": now, "createdAt": now,
            "updatedAt": now, "isActive": True, "permissions": ["read"]}


class AccountsRepository(Repository):
    role = "accounts"
    key_names = ("userId", "platformAccountId")

    def __init__(self, dynamo: Dynamo, table_name: str, cipher: TokenCipher) -> None:
        super().__init__(dynamo, table_name)
        self._cipher = cipher

    def connect(self, fields: dict[str, Any], access_token: SecretStr,
                refresh_token: SecretStr | None = None) -> SocialAccount:
        """Validate and store a connection; plaintext tokens are encrypted before the write."""
        return self._store(self.prepare(fields, access_token, refresh_token))

    def prepare(self, fields: dict[str, Any], access_token: SecretStr,
                refresh_token: SecretStr | None = None) -> SocialAccount:
        record = dict(fields)
        record["accessToken"] = self._cipher.encrypt(access_token.get_secret_value())
        if refresh_token is not None:
            record["refreshToken"] = self._cipher.encrypt(refresh_token.get_secret_value())
        return SocialAccount.model_validate(record)

    def put_many_prepared(self, accounts: list[SocialAccount]) -> int:
        """Batch-store accounts built with `prepare` (their tokens already encrypted)."""
        return self._batch_put([account.to_record() for account in accounts])

    def _store(self, account: SocialAccount) -> SocialAccount:
        self._put(account.to_record())
        return account

    def list_for_user(self, user_id: str, limit: int | None = None
                      ) -> ReadList[AccountSummary]:
        """The seed's "all social accounts for user": one Query, token attributes not read."""
        items = self._query(KeyConditionExpression=Key("userId").eq(user_id), limit=limit,
                            projection=AccountSummary.PROJECTION)
        return self._read_all(AccountSummary, items)

    def get_summary(self, user_id: str, platform: str, account_id: str) -> AccountSummary | None:
        """The seed's "specific platform account" as a GetItem on the full key."""
        item = self._get({"userId": user_id, "platformAccountId": f"{platform}#{account_id}"},
                         projection=AccountSummary.PROJECTION)
        return self._read_one(AccountSummary, item)

    def list_for_platform(self, user_id: str, platform: str) -> ReadList[AccountSummary]:
        """A user's accounts on one platform: a key condition on the sort-key prefix."""
        items = self._query(KeyConditionExpression=Key("userId").eq(user_id)
                            & Key("platformAccountId").begins_with(f"{platform}#"),
                            projection=AccountSummary.PROJECTION)
        return self._read_all(AccountSummary, items)

    def credentials(self, user_id: str, platform: str, account_id: str
                    ) -> AccountCredentials | None:
        """Decrypted tokens for platform sync; never called on an agent or HTTP path."""
        item = self._get({"userId": user_id, "platformAccountId": f"{platform}#{account_id}"},
                         projection=("accessToken", "refreshToken"))
        if not item:
            return None
        refresh = item.get("refreshToken")
        return AccountCredentials(
            SecretStr(self._cipher.decrypt(item["accessToken"])),
            SecretStr(self._cipher.decrypt(refresh)) if refresh else None,
        )

    def by_platform_status(self, platform: str, status: str = "active",
                           limit: int | None = None) -> ReadList[AccountSummary]:
        """Cross-user GSI read for batch jobs (the seed's platform-accountStatus-index)."""
        items = self._query(IndexName="platform-accountStatus-index", limit=limit,
                            KeyConditionExpression=Key("platform").eq(platform)
                            & Key("accountStatus").eq(status),
                            projection=AccountSummary.PROJECTION)
        return self._read_all(AccountSummary, items)

    # ------------------------------------------------------------------ sync

    def _key(self, user_id: str, platform: str, account_id: str) -> dict[str, str]:
        return {"userId": user_id, "platformAccountId": f"{platform}#{account_id}"}

    def sync_view(self, user_id: str, platform: str, account_id: str) -> SyncView | None:
        item = self._get(self._key(user_id, platform, account_id),
                         projection=SyncView.PROJECTION)
        return SyncView.model_validate(item) if item else None

    def sync_views(self, user_id: str) -> list[SyncView]:
        """A user's accounts with status and sync cursors: one Query, no token attributes."""
        items = self._query(KeyConditionExpression=Key("userId").eq(user_id),
                            projection=SyncView.PROJECTION)
        return [SyncView.model_validate(item) for item in items]

    def sync_views_by_status(self, platform: str, status: str = "active") -> list[SyncView]:
        """Every account on `platform` in `status`, across users (batch jobs only; GSI read)."""
        items = self._query(IndexName="platform-accountStatus-index",
                            KeyConditionExpression=Key("platform").eq(platform)
                            & Key("accountStatus").eq(status),
                            projection=SyncView.PROJECTION)
        return [SyncView.model_validate(item) for item in items]

    def token_state(self, user_id: str, platform: str, account_id: str) -> TokenState | None:
        """Decrypted tokens and their version (strongly consistent: a rotation may be fresh)."""
        with self.dynamo.translate_errors(self.table_name):
            item = self.table.get_item(
                Key=self._key(user_id, platform, account_id), ConsistentRead=True,
                ProjectionExpression="accessToken, refreshToken, tokenExpiresAt, tokenVersion",
            ).get("Item")
        if not item:
            return None
        refresh = item.get("refreshToken")
        expires = item.get("tokenExpiresAt")
        return TokenState(
            SecretStr(self._cipher.decrypt(item["accessToken"])),
            SecretStr(self._cipher.decrypt(refresh)) if refresh else None,
            datetime.fromisoformat(expires.replace("Z", "+00:00")) if expires else None,
            int(item.get("tokenVersion", 0)),
        )

    def lease_refresh(self, user_id: str, platform: str, account_id: str, *, version: int,
                      owner: str, now: datetime, seconds: int = 60) -> bool:
        """Take the right to spend the current refresh token; False if another process has it.

        Succeeds only while the tokens are still at `version` and no unexpired lease is held,
        so of two syncs racing to refresh, exactly one calls the platform.
        """
        at = int(now.timestamp())
        return self._conditional_update(
            self._key(user_id, platform, account_id),
            "SET refreshLeaseOwner = :owner, refreshLeaseUntil = :until",
            "(tokenVersion = :v OR (attribute_not_exists(tokenVersion) AND :v = :zero)) AND "
            "(attribute_not_exists(refreshLeaseUntil) OR refreshLeaseUntil < :now "
            "OR refreshLeaseOwner = :owner)",
            {":owner": owner, ":until": at + seconds, ":v": version, ":zero": 0, ":now": at},
        )

    def store_rotated_tokens(self, user_id: str, platform: str, account_id: str, *,
                             version: int, owner: str, access_token: SecretStr,
                             refresh_token: SecretStr | None, expires_at: datetime | None,
                             now: datetime) -> bool:
        """Write refreshed tokens (encrypted) if this process still holds the lease at `version`.

        A `refresh_token` of None keeps the stored one (platforms that do not rotate).
        """
        names = ["accessToken = :access", "tokenVersion = :next", "updatedAt = :now"]
        values: dict[str, Any] = {
            ":access": self._cipher.encrypt(access_token.get_secret_value()),
            ":next": version + 1, ":v": version, ":zero": 0, ":owner": owner,
            ":now": iso_z(now),
        }
        if refresh_token is not None:
            names.append("refreshToken = :refresh")
            values[":refresh"] = self._cipher.encrypt(refresh_token.get_secret_value())
        if expires_at is not None:
            names.append("tokenExpiresAt = :expires")
            values[":expires"] = iso_z(expires_at)
        return self._conditional_update(
            self._key(user_id, platform, account_id),
            "SET " + ", ".join(names) + " REMOVE refreshLeaseOwner, refreshLeaseUntil",
            "(tokenVersion = :v OR (attribute_not_exists(tokenVersion) AND :v = :zero)) AND "
            "refreshLeaseOwner = :owner",
            values,
        )

    def release_refresh_lease(self, user_id: str, platform: str, account_id: str, *,
                              owner: str) -> None:
        self._conditional_update(self._key(user_id, platform, account_id),
                                 "REMOVE refreshLeaseOwner, refreshLeaseUntil",
                                 "refreshLeaseOwner = :owner", {":owner": owner})

    def mark_reauth_required(self, user_id: str, platform: str, account_id: str, reason: str,
                             now: datetime) -> None:
        """The platform refused the tokens: the owner must reconnect; sync skips the account."""
        self._conditional_update(
            self._key(user_id, platform, account_id),
            "SET accountStatus = :status, statusReason = :reason, syncStatus = :error, "
            "updatedAt = :now REMOVE refreshLeaseOwner, refreshLeaseUntil",
            "attribute_exists(userId)",
            {":status": REAUTH_REQUIRED, ":reason": reason[:300], ":error": "error",
             ":now": iso_z(now)},
        )

    def record_sync(self, user_id: str, platform: str, account_id: str, *,
                    state: dict[str, Any], new_posts: int, failed: bool, now: datetime) -> None:
        """Save the high-water marks and outcome of one run (only what was stored counts)."""
        self._conditional_update(
            self._key(user_id, platform, account_id),
            "SET syncState = :state, lastSyncAt = :now, syncStatus = :status, updatedAt = :now "
            "ADD postCount :new",
            "attribute_exists(userId)",
            {":state": state, ":now": iso_z(now), ":status": "error" if failed else "active",
             ":new": new_posts},
        )

    def add_with_tokens(self, fields: dict[str, Any], access_token: SecretStr,
                        refresh_token: SecretStr | None) -> SocialAccount:
        """Store a new connection, or reconnect an existing one.

        A new account starts at token version 0 with an empty sync state. Reconnecting keeps
        the account's sync state and post count, replaces its tokens, clears
        `reauth_required`, and bumps the token version so a refresh in flight with the old
        tokens cannot overwrite the new ones.
        """
        account = self.prepare(fields, access_token, refresh_token)
        record = account.to_record()
        try:
            self._put({**record, "tokenVersion": 0, "syncState": {}, "postCount": 0},
                      ConditionExpression="attribute_not_exists(userId)")
            return account
        except ConditionFailedError:
            pass  # already connected: reconnect below
        sets = ["accessToken = :access", "tokenExpiresAt = :expires", "accountName = :name",
                "accountHandle = :handle", "accountStatus = :active", "isActive = :true",
                "syncStatus = :active", "updatedAt = :now",
                "tokenVersion = if_not_exists(tokenVersion, :zero) + :one"]
        removes = ["statusReason", "refreshLeaseOwner", "refreshLeaseUntil"]
        values: dict[str, Any] = {
            ":access": record["accessToken"], ":expires": record["tokenExpiresAt"],
            ":name": record["accountName"], ":handle": record["accountHandle"],
            ":active": "active", ":true": True, ":now": record["updatedAt"], ":zero": 0,
            ":one": 1}
        if "refreshToken" in record:
            sets.append("refreshToken = :refresh")
            values[":refresh"] = record["refreshToken"]
        else:
            removes.append("refreshToken")
        self._conditional_update(self._key(account.userId, account.platform, account.accountId),
                                 f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
                                 "attribute_exists(userId)", values)
        return account

    def remove(self, user_id: str, platform: str, account_id: str) -> bool:
        """Delete a connection (its posts stay); False when there was none."""
        return self._conditional_delete(self._key(user_id, platform, account_id))

    def _conditional_update(self, key: dict[str, str], update: str, condition: str,
                            values: dict[str, Any]) -> bool:
        return self._conditionally(lambda: self.table.update_item(
            Key=key, UpdateExpression=update, ConditionExpression=condition,
            ExpressionAttributeValues=to_item(values)))

    def _conditional_delete(self, key: dict[str, str]) -> bool:
        return self._conditionally(lambda: self.table.delete_item(
            Key=key, ConditionExpression="attribute_exists(userId)"))
