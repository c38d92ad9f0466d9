"""One Slack DM to an account's owner when the platform stops accepting CloudStro's access.

Sync marks an account `reauth_required` when a platform refuses to renew its tokens; from then
on nothing of that account is updated until its owner reconnects it, and only the owner can.
So the owner is told, once: a claim on the runtime table (`reauth_notice_key`, one per account
and token version) is taken before the DM is sent and kept for `NOTICE_SECONDS`, so two sync
processes, or the same refused tokens marked again by later runs, never send a second copy;
tokens from a later reconnection that are refused in turn get their own notice. A DM that
could not be sent releases the claim, so the next mark tries again. The message's Reconnect
button carries no link of its own (a link lasts ten minutes; the DM may be read days later):
clicking it makes the Slack app issue a fresh one.

This runs inside sync, a batch job, so it talks to Slack only through `slackkit`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from cloudstro.config import Settings
from cloudstro.slackkit.client import SlackNotConfigured, web_client
from cloudstro.slackkit.connect_blocks import reauth_notice
from cloudstro.store import Store
from cloudstro.store.errors import StoreError
from cloudstro.store.runtime_keys import reauth_notice_key

log = logging.getLogger("cloudstro.slack")

NOTICE_SECONDS = 90 * 24 * 3600  # refused tokens are refused for good; keep the notice long


@dataclass(frozen=True)
class AccountRefused:
    """An account the platform stopped accepting: whose, which, and the platform's reason."""

    user_id: str
    platform: str
    account_id: str
    account_name: str | None
    reason: str | None
    token_version: int | None  # the refused tokens' version (a reconnection changes it)


class ReauthNotices:
    """Sends the reconnect DM at most once per account (see the module docstring)."""

    def __init__(self, store: Store, client: WebClient) -> None:
        self.store = store
        self.client = client

    @classmethod
    def from_settings(cls, store: Store, settings: Settings) -> ReauthNotices | None:
        """Notices through the bot's client; None when Slack is not set up (nothing to send)."""
        try:
            return cls(store, web_client(settings))
        except SlackNotConfigured:
            return None

    def send(self, refused: AccountRefused) -> bool:
        """True when this call sent the DM; never raises (sync goes on either way)."""
        key = reauth_notice_key(refused.user_id, f"{refused.platform}#{refused.account_id}",
                                refused.token_version)
        try:
            if not self.store.claims.claim(key, NOTICE_SECONDS):
                return False  # already told, or being told by another process
            profile = self.store.users.get(refused.user_id)
        except StoreError as exc:
            log.warning("reconnect notice for a %s account not sent: %s", refused.platform,
                        type(exc).__name__)
            return False
        if profile is None or not profile.slackUserId:
            log.info("reconnect notice for %s: no linked Slack user", refused.user_id)
            self._settle(key, done=True)
            return False
        text, blocks = reauth_notice(refused.platform, refused.account_name, refused.reason)
        try:
            self.client.chat_postMessage(channel=profile.slackUserId, text=text, blocks=blocks,
                                         unfurl_links=False, unfurl_media=False)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("reconnect notice to %s failed: %s", refused.user_id,
                        type(exc).__name__)
            self._settle(key, done=False)
            return False
        self._settle(key, done=True)
        log.info("reconnect notice sent to %s for a %s account", refused.user_id,
                 refused.platform)
        return True

    def _settle(self, key: str, *, done: bool) -> None:
        try:
            if done:
                self.store.claims.mark_done(key, NOTICE_SECONDS)
            else:
                self.store.claims.release(key)
        except StoreError as exc:
            log.warning("could not record the reconnect notice: %s", type(exc).__name__)
