"""A connected platform account: the stored record (tokens as ciphertext) and the token-free
summary that is all the agent may see of it."""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from cloudstro.store.records.base import OptionalOnRead, Platform, Record, Stored, fill_from_key
from cloudstro.store.records.timestamps import UtcDateTime

# "reauth_required": the platform refused the account's tokens and its owner must reconnect
# it; sync skips it meanwhile and `statusReason` says why. The seed lists "active"/"inactive".
AccountStatus = Literal["active", "inactive", "reauth_required"]
REAUTH_REQUIRED: AccountStatus = "reauth_required"


class SocialAccount(Record):
    """A connected platform account as stored: `accessToken`/`refreshToken` hold ciphertext.

    Only `store.accounts` writes these, after encrypting; agent-facing reads use
    `AccountSummary`, which has no token attributes at all.
    """

    DERIVED: ClassVar[tuple[str, ...]] = ("platformAccountId", "id", "accountStatus",
                                          "accountType")

    userId: str = Field(min_length=1)
    platformAccountId: str
    id: str
    platform: Platform
    accountId: str = Field(min_length=1)
    accountName: OptionalOnRead[str] = None
    accountHandle: OptionalOnRead[str] = None
    profilePicture: str | None = None
    followerCount: OptionalOnRead[int] = Field(default=None, ge=0)
    followingCount: OptionalOnRead[int] = Field(default=None, ge=0)
    accessToken: str = Field(repr=False)
    refreshToken: str | None = Field(default=None, repr=False)
    tokenExpiresAt: OptionalOnRead[UtcDateTime] = None
    isActive: bool = True
    connectedAt: OptionalOnRead[UtcDateTime] = None
    lastSyncAt: UtcDateTime | None = None
    syncStatus: Literal["active", "error", "paused"] = "active"
    permissions: list[str] = Field(default_factory=list)
    platformSpecificData: dict[str, Any] | None = None
    createdAt: OptionalOnRead[UtcDateTime] = None
    updatedAt: OptionalOnRead[UtcDateTime] = None
    accountStatus: AccountStatus
    # Why the account is not active (our own words, never a platform's response body).
    statusReason: str | None = Field(default=None, max_length=300)
    accountType: str = "social_media"

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        fill_from_key(data, "platformAccountId", "platform", "accountId")

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        platform, account_id = data.get("platform"), data.get("accountId")
        if platform and account_id:
            data.setdefault("platformAccountId", f"{platform}#{account_id}")
            if data.get("userId"):
                data.setdefault("id", f"{data['userId']}#{platform}#{account_id}")
        if "accountStatus" not in data:
            data["accountStatus"] = "active" if data.get("isActive", True) else "inactive"
        data.setdefault("accountType", "social_media")

    @model_validator(mode="after")
    def _key_matches(self) -> Self:
        expected = f"{self.platform}#{self.accountId}"
        if self.platformAccountId != expected:
            raise ValueError(
                f"platformAccountId must be {expected!r}, got {self.platformAccountId!r}")
        return self


class AccountSummary(Stored):
    """What the agent may know of an account: no tokens, encrypted or not.

    Only ever read, so everything but the key is optional: a count the item lacks is unknown.
    """

    model_config = ConfigDict(extra="ignore")

    userId: str = Field(min_length=1)
    platform: Platform
    platformAccountId: str
    accountName: str | None = None
    accountHandle: str | None = None
    followerCount: int | None = None
    followingCount: int | None = None
    isActive: bool = True
    accountStatus: AccountStatus | None = None
    statusReason: str | None = None
    syncStatus: str | None = None
    lastSyncAt: UtcDateTime | None = None
    connectedAt: UtcDateTime | None = None

    PROJECTION: ClassVar[tuple[str, ...]] = (
        "userId", "platform", "platformAccountId", "accountName", "accountHandle", "followerCount",
        "followingCount", "isActive", "accountStatus", "statusReason", "syncStatus", "lastSyncAt",
        "connectedAt",
    )

    @property
    def label(self) -> str:
        """How the owner recognises the account: its handle, else its name, else its id on
        the platform (an account synced before its profile was read has neither)."""
        return (self.accountHandle or self.accountName
                or self.platformAccountId.partition("#")[2] or self.platformAccountId)

    @property
    def needs_reconnecting(self) -> bool:
        """The platform refused the tokens: only the owner reconnecting the account helps."""
        return self.accountStatus == REAUTH_REQUIRED

    @classmethod
    def _fill_on_read(cls, data: dict[str, Any]) -> None:
        fill_from_key(data, "platformAccountId", "platform", "accountId")
