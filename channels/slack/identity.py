"""Who is asking: a Slack user resolved to a CloudStro user id, or to nobody.

The cheap path is a link record in the runtime table (`store.slack_links`, keyed by the Slack
user id) → `userId` (no expiry): one GetItem, plus a GetItem on the profile to confirm the
profile still carries that Slack id (so re-linking or deleting a profile takes effect at once).
Slack user ids are unique across workspaces, so the team is kept on the record and checked, not
put in the key; that lets `cloudstro users link-slack` work without knowing the team.

The first time an unknown Slack user writes, `users.info` gives their email (scope
`users:read.email`) and the users table's `email-index` finds the profile; the link is then
written on the profile (`slackUserId`, `slackTeamId`) and as the link record, so the email
lookup happens once per person. A Slack user with no matching email stays unlinked and is never
answered with data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cloudstro.store import Store
from cloudstro.store.runtime import SlackLinksRepository
from cloudstro.store.runtime_keys import SLACK_LINK_SK as LINK_SK
from cloudstro.store.runtime_keys import slack_link_key as link_key

log = logging.getLogger("cloudstro.slack")

__all__ = ["HOW_TO_LINK", "LINK_SK", "NOT_LINKED", "Resolution", "SlackIdentity", "link_key"]

# How an unlinked person gets linked (Markdown; `{slack_user}` is their Slack user id), told in
# a reply to their message and on their Home tab.
HOW_TO_LINK = (
    "Ask your CloudStro admin to link you with "
    "`cloudstro users link-slack --user <your CloudStro user id> --slack-user {slack_user}`, "
    "or make sure your Slack profile email is the same as your CloudStro email"
)
NOT_LINKED = (
    "I can't answer yet: your Slack account isn't linked to a CloudStro account, so I don't "
    f"know whose data to use. {HOW_TO_LINK} and write again."
)


@dataclass(frozen=True)
class Resolution:
    user_id: str | None
    how: str  # "link" | "email" | "unlinked"


class SlackIdentity:
    def __init__(self, store: Store, records: SlackLinksRepository | None = None) -> None:
        self.store = store
        self.records = records or store.slack_links

    def resolve(self, slack_user_id: str, team_id: str | None,
                client: WebClient | None) -> Resolution:
        """The CloudStro user behind a Slack user; `client` is used only when not yet linked."""
        linked = self.linked_user(slack_user_id, team_id)
        if linked:
            return Resolution(linked, "link")
        if client is None:
            return Resolution(None, "unlinked")
        email = self._email_of(slack_user_id, client)
        if not email:
            return Resolution(None, "unlinked")
        profile = self.store.users.find_by_email(email)
        if profile is None:
            profile = self.store.users.find_by_email(email.lower())
        if profile is None:
            log.info("slack user %s has no CloudStro profile with their email", slack_user_id)
            return Resolution(None, "unlinked")
        self.link(profile.userId, slack_user_id, team_id)
        log.info("linked slack user %s to %s by email", slack_user_id, profile.userId)
        return Resolution(profile.userId, "email")

    def linked_user(self, slack_user_id: str, team_id: str | None = None) -> str | None:
        record = self.records.get(slack_user_id)
        if not record:
            return None
        linked_team = record.get("slackTeamId")
        if linked_team and team_id and linked_team != team_id:
            return None
        user_id = record.get("userId")
        profile = self.store.users.get_if_linked(user_id, slack_user_id) if user_id else None
        return profile.userId if profile else None

    def link(self, user_id: str, slack_user_id: str, team_id: str | None) -> None:
        """Profile first (`UserNotFoundError` for an unknown user), then the lookup record."""
        if not slack_user_id.strip() or not slack_user_id[:1].isalpha():
            raise ValueError(f"{slack_user_id!r} is not a Slack user id (they look like U0123ABCD)")
        self.store.users.link_slack(user_id, slack_user_id, team_id)
        self.records.put(user_id, slack_user_id, team_id,
                         datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    @staticmethod
    def _email_of(slack_user_id: str, client: WebClient) -> str | None:
        try:
            response = client.users_info(user=slack_user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", slack_user_id,
                        exc.response.get("error") if exc.response else exc)
            return None
        user = response.get("user") or {}
        if user.get("is_bot") or user.get("deleted"):
            return None
        email = (user.get("profile") or {}).get("email")
        return email.strip() if isinstance(email, str) and email.strip() else None
