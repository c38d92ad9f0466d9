"""The App Home tab: a person's connected accounts, their digest, and the buttons to change both.

Slack sends `app_home_opened` each time someone opens the tab; the view is rebuilt from the
store and published for that person alone (`views.publish`), so it is never older than the
last visit and the authorize links on its Connect and Reconnect buttons are freshly issued
(each is good for ten minutes). A Slack user who is not linked to a CloudStro profile sees how
to get linked and nothing else: no account, no setting, no button that acts for anyone.

Account names and the platform's refusal reason are data and go through `safe_text`; a
platform that cannot be connected on this server (no OAuth client configured) shows why in
place of its button instead of breaking the tab.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from cloudstro.channels.slack.connect_reply import LinkIssuer
from cloudstro.channels.slack.identity import HOW_TO_LINK, SlackIdentity
from cloudstro.digests.preferences import CHANNEL_ID
from cloudstro.ingest.oauth import ConnectError, SlackRequester
from cloudstro.slackkit.connect_blocks import link_button
from cloudstro.slackkit.safe_text import escape_mrkdwn, mrkdwn_object, mrkdwn_text
from cloudstro.store import Store
from cloudstro.store.platforms import API_PLATFORMS, REGISTRY, display_name
from cloudstro.store.records import AccountSummary, DigestPreferences, UserProfile

log = logging.getLogger("cloudstro.slack")

EDIT_DIGEST_ACTION = "cloudstro_edit_digest"
ACCOUNTS_SHOWN = 40  # a Home view holds at most 100 blocks; the rest is summarised

NOT_LINKED_HOME = (
    "Your Slack account isn't linked to a CloudStro account yet, so there is nothing to show "
    f"here. {HOW_TO_LINK}, then open this tab again."
)



class HomeTab:
    """Builds and publishes the Home tab of one Slack user at a time."""

    def __init__(self, store: Store, identity: SlackIdentity, issue_link: LinkIssuer) -> None:
        self.store = store
        self.identity = identity
        self.issue_link = issue_link

    def publish(self, slack_user: str, team_id: str | None, client: WebClient) -> None:
        who = self.identity.resolve(slack_user, team_id, client)
        view = (unlinked_view(slack_user) if who.user_id is None
                else self.view_for(who.user_id, SlackRequester(slack_user, team_id)))
        client.views_publish(user_id=slack_user, view=view)

    def view_for(self, user_id: str, requester: SlackRequester) -> dict[str, Any]:
        profile = self.store.users.get(user_id)
        if profile is None:  # the link outlived the profile
            return unlinked_view("")
        accounts = list(self.store.accounts.list_for_user(user_id, limit=ACCOUNTS_SHOWN + 1))
        return home_view(profile, accounts, self._links(user_id, requester, accounts))

    def _links(self, user_id: str, requester: SlackRequester,
               accounts: list[AccountSummary]) -> dict[str, str | None]:
        """An authorize URL per platform that shows a button (None: cannot connect here)."""
        wanted: set[str] = {a.platform for a in accounts if a.needs_reconnecting}
        wanted |= set(API_PLATFORMS) - {a.platform for a in accounts}
        links: dict[str, str | None] = {}
        for platform in sorted(wanted & set(API_PLATFORMS)):
            try:
                links[platform] = self.issue_link(user_id, platform, requester)
            except ConnectError as exc:
                log.info("no %s link on the Home tab: %s", platform, type(exc).__name__)
                links[platform] = None
        return links


# ---------------------------------------------------------------------------- views


def unlinked_view(slack_user: str) -> dict[str, Any]:
    """What a person not linked to CloudStro sees: how to get linked, and no data."""
    blocks: list[Block] = [
        HeaderBlock(text="CloudStro"),
        SectionBlock(text=mrkdwn_object(escape_mrkdwn(NOT_LINKED_HOME).format(
            slack_user=mrkdwn_text(slack_user) if slack_user else "&lt;your Slack user id&gt;"))),
    ]
    return View(type="home", blocks=blocks).to_dict()


def home_view(profile: UserProfile, accounts: list[AccountSummary],
              links: dict[str, str | None]) -> dict[str, Any]:
    """The linked user's Home: accounts (status, last sync, Reconnect), Connect, digest."""
    zone = ZoneInfo(profile.zone)
    blocks: list[Block] = [HeaderBlock(text="Your accounts")]
    shown = accounts[:ACCOUNTS_SHOWN]
    if not shown:
        blocks.append(SectionBlock(text=mrkdwn_object(
            "No accounts are connected yet. Connect one below; its first numbers arrive "
            "a few minutes after you approve CloudStro on the platform.")))
    for account in shown:
        blocks.append(_account_section(account, zone, links))
    if len(accounts) > ACCOUNTS_SHOWN:
        blocks.append(ContextBlock(elements=[mrkdwn_object(
            f"Showing the first {ACCOUNTS_SHOWN} accounts.")]))
    blocks += _connect_blocks({a.platform for a in accounts}, links)
    blocks += [DividerBlock(), HeaderBlock(text="Your digest"),
               SectionBlock(text=mrkdwn_object(digest_summary(profile)),
                            accessory=ButtonElement(text="Edit", action_id=EDIT_DIGEST_ACTION,
                                                    value="digest"))]
    return View(type="home", blocks=blocks).to_dict()


def _account_section(account: AccountSummary, zone: ZoneInfo,
                     links: dict[str, str | None]) -> SectionBlock:
    name = display_name(account.platform)
    handle = account.label
    synced = (f"last sync {_local(account.lastSyncAt, zone)}" if account.lastSyncAt
              else "not synced yet")
    if account.needs_reconnecting:
        reason = f" ({mrkdwn_text(account.statusReason)})" if account.statusReason else ""
        text = (f"*{name}* {mrkdwn_text(handle)}\n:warning: Needs reconnecting{reason}; "
                f"{synced}.")
        url = links.get(account.platform)
        accessory = (link_button("reconnect", account.platform, url,
                                 account_id=account.platformAccountId.split("#", 1)[-1])
                     if url else None)
        if accessory is None:
            text += "\nReconnecting is not set up on this server."
        return SectionBlock(text=mrkdwn_object(text), accessory=accessory)
    status = account.accountStatus or "active"
    return SectionBlock(text=mrkdwn_object(
        f"*{name}* {mrkdwn_text(handle)}\n{mrkdwn_text(status.capitalize())}; {synced}."))


def _connect_blocks(connected: set[str], links: dict[str, str | None]) -> list[Block]:
    """A Connect button per platform the user has no account on, or why it cannot be."""
    missing = [p for p in API_PLATFORMS if p not in connected]
    buttons = [link_button("connect", p, url) for p in missing if (url := links.get(p))]
    unavailable = [display_name(p) for p in missing if not links.get(p)]
    blocks: list[Block] = []
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    notes = []
    if unavailable:
        notes.append(f"Connecting {', '.join(unavailable)} is not set up on this server.")
    imported = [info.display_name for info in REGISTRY.values() if not info.has_api]
    if imported:
        notes.append(f"{', '.join(imported)} posts arrive by import (`cloudstro import`).")
    if notes:
        blocks.append(ContextBlock(elements=[mrkdwn_object(" ".join(notes))]))
    return blocks


def digest_summary(profile: UserProfile) -> str:
    prefs = profile.digest or DigestPreferences()
    when = (f"daily at {prefs.time}" if prefs.cadence == "daily"
            else f"every {prefs.dayOfWeek} at {prefs.time}")
    channel = prefs.slackChannel
    where = ("as a DM to you" if not channel
             else f"in <#{channel}>" if CHANNEL_ID.fullmatch(channel)
             else f"in {mrkdwn_text(channel)}")
    state = "On" if prefs.enabled else "Off"
    return (f"*{state}*: {when} ({mrkdwn_text(profile.zone)}), {where}.\n"
            f"Your timezone: {mrkdwn_text(profile.zone)}. Best times to post are given in it.")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def link_modal(platform: str, url: str | None, problem: str | None = None) -> dict[str, Any]:
    """A small window holding a freshly issued Reconnect link (or why there is none)."""
    name = display_name(platform)
    if url is None:
        blocks: list[Block] = [SectionBlock(text=mrkdwn_object(
            mrkdwn_text(problem or f"Reconnecting {name} is not possible right now.")))]
    else:
        blocks = [SectionBlock(
            text=mrkdwn_object(f"Approve CloudStro on {name} again; the link works once, "
                               "for ten minutes."),
            accessory=link_button("reconnect", platform, url))]
    return View(type="modal", title=f"Reconnect {name}"[:24], close="Done",
                blocks=blocks).to_dict()
