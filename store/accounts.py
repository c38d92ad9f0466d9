"""cloudstro-social-accounts: connections, with tokens encrypted on the way in.

Agent-facing reads project only `AccountSummary`'s attributes, so ciphertext never even
leaves DynamoDB on those paths; `credentials()` is the one decrypting read, for sync jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import SecretStr

from cloudstro.store.base import Repository
from cloudstro.store.crypto import TokenCipher
from cloudstro.store.dynamo import Dynamo
from cloudstro.store.records import AccountSummary, SocialAccount


@dataclass(frozen=True)
class AccountCredentials:
    access_token: SecretStr
    refresh_token: SecretStr | None


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

    def list_for_user(self, user_id: str, limit: int | None = None) -> list[AccountSummary]:
        """The seed's "all social accounts for user": one Query, token attributes not read."""
        items = self._query(KeyConditionExpression=Key("userId").eq(user_id), limit=limit,
                            projection=AccountSummary.PROJECTION)
        return [AccountSummary.model_validate(item) for item in items]

    def get_summary(self, user_id: str, platform: str, account_id: str) -> AccountSummary | None:
        """The seed's "specific platform account" as a GetItem on the full key."""
        item = self._get({"userId": user_id, "platformAccountId": f"{platform}#{account_id}"},
                         projection=AccountSummary.PROJECTION)
        return AccountSummary.model_validate(item) if item else None

    def list_for_platform(self, user_id: str, platform: str) -> list[AccountSummary]:
        """A user's accounts on one platform: a key condition on the sort-key prefix."""
        items = self._query(KeyConditionExpression=Key("userId").eq(user_id)
                            & Key("platformAccountId").begins_with(f"{platform}#"),
                            projection=AccountSummary.PROJECTION)
        return [AccountSummary.model_validate(item) for item in items]

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
                           limit: int | None = None) -> list[AccountSummary]:
        """Cross-user GSI read for batch jobs (the seed's platform-accountStatus-index)."""
        items = self._query(IndexName="platform-accountStatus-index", limit=limit,
                            KeyConditionExpression=Key("platform").eq(platform)
                            & Key("accountStatus").eq(status),
                            projection=AccountSummary.PROJECTION)
        return [AccountSummary.model_validate(item) for item in items]
