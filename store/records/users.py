"""A user's profile record, with the preferences the assistant and the digest read."""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from cloudstro.store.records.base import OptionalOnRead, Platform, Record, Stored
from cloudstro.store.records.timestamps import WEEKDAYS, UtcDateTime


class AIPreferences(Stored):

    contentStyle: str = "professional"
    postingFrequency: str = "daily"
    preferredTimes: list[str] = Field(default_factory=list)

    @field_validator("preferredTimes")
    @classmethod
    def _hh_mm(cls, times: list[str]) -> list[str]:
        for value in times:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
                raise ValueError(f"preferred time {value!r} is not HH:MM (24-hour)")
        return times


class DigestPreferences(Stored):
    """When and where a user's scheduled digest goes; times are in the user's timezone."""

    enabled: bool = False
    cadence: Literal["daily", "weekly"] = "weekly"
    dayOfWeek: Literal[WEEKDAYS] = "Monday"  # type: ignore[valid-type]
    time: str = "09:00"
    slackChannel: str | None = None

    @field_validator("time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"digest time {value!r} is not HH:MM (24-hour)")
        return value


class UserProfile(Record):
    DERIVED: ClassVar[tuple[str, ...]] = ("recordType", "accountType", "status")

    userId: str = Field(min_length=1)
    recordType: Literal["USER_PROFILE"] = "USER_PROFILE"
    email: OptionalOnRead[str] = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    username: OptionalOnRead[str] = Field(default=None, min_length=1)
    fullName: OptionalOnRead[str] = None
    avatar: str | None = None
    subscription: Literal["premium", "basic", "free"] = "free"
    socialAccountsConnected: list[Platform] = Field(default_factory=list)
    aiPreferences: AIPreferences = Field(default_factory=AIPreferences)
    createdAt: OptionalOnRead[UtcDateTime] = None
    updatedAt: OptionalOnRead[UtcDateTime] = None
    isActive: bool = True
    lastLoginAt: UtcDateTime | None = None
    accountType: str = "USER_ACCOUNT"
    status: Literal["active", "inactive"]
    # Added by CloudStro: best times and digests are expressed in this IANA zone. Absent on
    # older profiles, which read as UTC (see `zone`) without rewriting the stored item.
    timezone: str | None = None
    slackUserId: str | None = None
    slackTeamId: str | None = None
    digest: DigestPreferences | None = None

    @classmethod
    def _derive(cls, data: dict[str, Any]) -> None:
        data.setdefault("recordType", "USER_PROFILE")
        data.setdefault("accountType", "USER_ACCOUNT")
        if "status" not in data:
            data["status"] = "active" if data.get("isActive", True) else "inactive"

    @property
    def zone(self) -> str:
        """The IANA zone best times and digests use: the profile's, else UTC."""
        return self.timezone or "UTC"

    @property
    def display_name(self) -> str:
        """How to address the user: full name, else username, else the user id."""
        return self.fullName or self.username or self.userId

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value
