"""cloudstro-users: profiles, email lookup, Slack links and preferences."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from pydantic import ValidationError

from cloudstro.store.base import Repository
from cloudstro.store.errors import UserNotFoundError
from cloudstro.store.records import DigestPreferences, UserProfile

PROFILE = "USER_PROFILE"


class UsersRepository(Repository):
    role = "users"
    key_names = ("userId", "recordType")

    def get(self, user_id: str) -> UserProfile | None:
        """GetItem on the profile key: one request, one read unit."""
        return self._read_one(UserProfile, self._get({"userId": user_id, "recordType": PROFILE}))

    def put(self, profile: UserProfile) -> None:
        self._put(profile.to_record())

    def put_many(self, profiles: list[UserProfile]) -> int:
        return self._batch_put([profile.to_record() for profile in profiles])

    def find_by_email(self, email: str) -> UserProfile | None:
        """The seed's email-index lookup; emails are unique per person, so the first match."""
        for item in self._query(IndexName="email-index", limit=1,
                                KeyConditionExpression=Key("email").eq(email)):
            return self._read_one(UserProfile, item)
        return None

    def get_if_linked(self, user_id: str, slack_user_id: str) -> UserProfile | None:
        """The profile, if it still carries this Slack link (a re-link elsewhere ends it)."""
        profile = self.get(user_id)
        return profile if profile and profile.slackUserId == slack_user_id else None

    def link_slack(self, user_id: str, slack_user_id: str, slack_team_id: str | None) -> None:
        """Keep the Slack identity on the profile so later messages and digests skip lookup."""
        values: dict[str, Any] = {":s": slack_user_id, ":u": _now_iso()}
        expression = "SET slackUserId = :s, updatedAt = :u"
        if slack_team_id:
            expression += ", slackTeamId = :t"
            values[":t"] = slack_team_id
        self._update(user_id, expression, values)

    def set_timezone(self, user_id: str, timezone: str) -> None:
        UserProfile.model_validate({**self.require(user_id).to_record(), "timezone": timezone})
        self._update(user_id, "SET #tz = :z, updatedAt = :u",
                     {":z": timezone, ":u": _now_iso()}, names={"#tz": "timezone"})

    def set_digest(self, user_id: str, digest: DigestPreferences) -> None:
        self._update(user_id, "SET digest = :d, updatedAt = :u",
                     {":d": digest.model_dump(mode="json", exclude_none=True),
                      ":u": _now_iso()})

    def iter_active(self, page_size: int = 100,
                    on_invalid: Callable[[str, ValidationError], None] | None = None
                    ) -> Iterator[UserProfile]:
        """Every active profile, for batch jobs (digests, insight refresh) only.

        A job that visits every user must read every user, so this is a Scan; no request
        path calls it. With `on_invalid`, a malformed profile is reported there and skipped
        instead of ending the walk for everyone after it.
        """
        for item in self._scan_active(page_size):
            try:
                yield UserProfile.from_stored(item)
            except ValidationError as exc:
                if on_invalid is None:
                    raise
                on_invalid(str(item.get("userId", "?")), exc)

    def iter_active_ids(self, page_size: int = 100) -> Iterator[str]:
        """Every active user's id, for batch jobs that read each profile themselves."""
        for item in self._scan_active(page_size, projection="userId"):
            yield str(item["userId"])

    def _scan_active(self, page_size: int, projection: str | None = None
                     ) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {"FilterExpression": Attr("isActive").eq(True),
                                  "Limit": page_size}
        if projection:
            kwargs["ProjectionExpression"] = projection
        return self._scan(has_filter=True, **kwargs)

    def require(self, user_id: str) -> UserProfile:
        """The profile, or `UserNotFoundError` for a user id nobody has."""
        profile = self.get(user_id)
        if profile is None:
            raise UserNotFoundError(user_id)
        return profile

    def _update(self, user_id: str, expression: str, values: dict[str, Any],
                names: dict[str, str] | None = None) -> None:
        """An UpdateItem that only succeeds on an existing profile (never creates a stub);
        `UserNotFoundError` when there is none."""
        kwargs: dict[str, Any] = {
            "Key": {"userId": user_id, "recordType": PROFILE},
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
            "ConditionExpression": "attribute_exists(userId)",
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        if not self._conditionally(lambda: self.table.update_item(**kwargs)):
            raise UserNotFoundError(user_id)


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
