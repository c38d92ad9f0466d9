"""Putting a digest in Slack: where it goes, the message, then the chart.

The message goes first and alone decides "sent"; the chart follows as a file in the same
conversation. A chart that fails to upload leaves a complete digest without its picture,
which is better than a second copy of the message on a retry. The client comes from
`cloudstro.slackkit.client`, the one the live Slack app uses too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from cloudstro.digests.blocks import digest_blocks, fallback_text
from cloudstro.digests.model import Digest
from cloudstro.store.records import UserProfile

log = logging.getLogger("cloudstro.digests")


def destination(profile: UserProfile) -> str | None:
    """The chosen channel, else a DM to the linked Slack user; None when there is neither."""
    prefs = profile.digest
    if prefs is not None and prefs.slackChannel:
        return prefs.slackChannel
    return profile.slackUserId


@dataclass(frozen=True)
class Delivery:
    channel: str  # the conversation the message landed in (a DM's D... id for a user)
    ts: str


def post_message(client: WebClient, channel: str, digest: Digest) -> Delivery:
    """chat.postMessage with the digest's blocks; raises SlackApiError/SlackClientError."""
    response = client.chat_postMessage(channel=channel, text=fallback_text(digest),
                                       blocks=digest_blocks(digest), unfurl_links=False,
                                       unfurl_media=False)
    return Delivery(channel=str(response.get("channel") or channel), ts=str(response["ts"]))


def upload_chart(client: WebClient, delivery: Delivery, digest: Digest, png: bytes) -> str | None:
    """files_upload_v2 into the message's conversation; the reason on failure, else None."""
    filename = f"digest-{digest.occurrence_key.replace('#', '-')}.png"
    try:
        client.files_upload_v2(
            channel=delivery.channel, content=png, filename=filename,
            title=f"When your posts did best ({digest.timezone})",
            alt_txt=("Heatmap of how posts did by weekday and hour in "
                     f"{digest.timezone}, against the typical post"))
    except SlackApiError as exc:
        return f"chart upload failed: {exc.response.get('error', 'unknown error')}"
    except SlackClientError as exc:
        return f"chart upload failed: {type(exc).__name__}"
    return None
