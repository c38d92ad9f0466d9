"""A digest as a Slack message: Block Kit within Slack's limits, plus the notification text.

Slack rejects a whole message for one oversized block (`invalid_blocks`), and a digest's text
comes partly from user content (post text, handles, stored insights, post URLs), so every such
text goes through `cloudstro.slackkit.safe_text` (it shows as written and never forms a
mention, ping or link; a post's link is there only when its URL is the platform's own
permalink), every text is clipped, the block count is capped, and the limits are checked once
more before returning: the message either fits or is never sent half-built.
"""

from __future__ import annotations

from typing import Any

from cloudstro.digests.model import Digest, PostLine
from cloudstro.slackkit.safe_text import mrkdwn_link, mrkdwn_object, mrkdwn_text
from cloudstro.store.platforms import shown_name as platform_name

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK_CHARS = 3000
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn_object(clip(text, MAX_SECTION_CHARS))}


def _context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [
        mrkdwn_object(clip(text, MAX_SECTION_CHARS)) for text in texts[:MAX_CONTEXT_ELEMENTS]]}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.0f}%"


def _lift(value: float) -> str:
    return f"{value * 100:+.0f}% vs typical"


def _post(post: PostLine) -> str:
    name = platform_name(post.platform)
    link = mrkdwn_link(post.url, name, platform=post.platform, show_rejected_url=False)
    velocity = ", ".join(part for part in (
        f"1h: {post.interactions_1h:,}" if post.interactions_1h is not None else "1h: unknown",
        f"24h: {post.interactions_24h:,}" if post.interactions_24h is not None else
        "24h: unknown",
    ))
    note = f" ({post.velocity_note})" if post.velocity_note else ""
    return (f"{link} · {post.posted} · *{post.interactions:,}* interactions "
            f"({_lift(post.lift)}) · {velocity}{note}\n>{mrkdwn_text(post.content)}")


def title(digest: Digest) -> str:
    kind = "daily" if digest.cadence == "daily" else "weekly"
    return clip(f"Your {kind} CloudStro digest", MAX_HEADER_CHARS)


def fallback_text(digest: Digest) -> str:
    """The notification and screen-reader text: the headline alone."""
    return clip(f"{title(digest)}: {digest.headline}", MAX_FALLBACK_CHARS)


def digest_blocks(digest: Digest) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title(digest),
                                    "emoji": True}},
        _context(f"{mrkdwn_text(digest.period_label)} · compared with "
                 f"{mrkdwn_text(digest.previous_label)}"),
    ]
    if digest.summary:
        blocks.append(_section(mrkdwn_text(digest.summary)))
    blocks.append(_section(f"*{mrkdwn_text(digest.headline)}*"))

    if digest.platforms:
        lines = []
        for row in digest.platforms:
            rate = (f"{row.engagement_rate:.2f}% engagement rate"
                    if row.engagement_rate is not None else "engagement rate unknown")
            followers = (f"{row.followers:,} followers, " if row.followers is not None else "")
            lines.append(
                f"*{platform_name(row.platform)}*: {row.posts} posts, {row.interactions:,} "
                f"interactions ({_pct(row.interactions_change_pct)} vs "
                f"{row.previous_interactions:,}), {rate} "
                f"_({mrkdwn_text(row.engagement_rate_denominator)})_, {followers}"
                f"{mrkdwn_text(row.follower_note)}")
        blocks.append(_section("\n".join(lines)))

    if digest.top_posts:
        blocks.append({"type": "divider"})
        blocks.append(_section("*Top posts*\n" + "\n".join(_post(p) for p in digest.top_posts)))
    if digest.weakest:
        blocks.append(_section("*Weakest post*\n" + _post(digest.weakest)))

    if digest.best_times:
        best = digest.best_times
        if best.slots:
            slots = ", ".join(f"{s.label} ({_lift(s.expected_lift)}, {s.posts} posts, "
                              f"{s.score:.0%} likely better)" for s in best.slots)
        else:
            slots = mrkdwn_text(best.message)
        blocks.append(_section(f"*Best times to post* (confidence {best.confidence:.2f}): "
                               f"{slots}\n_{mrkdwn_text(best.source)}_"))

    if digest.insights:
        lines = [f"• {mrkdwn_text(i.recommendation)} _(confidence {i.confidence:.2f})_"
                 for i in digest.insights]
        blocks.append(_section("*Insights*\n" + "\n".join(lines)))

    if digest.caveats:
        # One element, not one per caveat: a context block holds at most 10 elements.
        blocks.append(_context("\n".join(f":warning: {mrkdwn_text(c)}" for c in digest.caveats)))

    if len(blocks) > MAX_BLOCKS:  # cannot happen with today's sections; kept as a hard stop
        blocks = [*blocks[: MAX_BLOCKS - 1], _context("(digest shortened to fit Slack)")]
    check_limits(blocks)
    return blocks


def check_limits(blocks: list[dict[str, Any]]) -> None:
    """Raise ValueError naming the first block that Slack would refuse."""
    if len(blocks) > MAX_BLOCKS:
        raise ValueError(f"{len(blocks)} blocks; Slack allows {MAX_BLOCKS}")
    for index, block in enumerate(blocks):
        kind = block["type"]
        if kind == "header" and len(block["text"]["text"]) > MAX_HEADER_CHARS:
            raise ValueError(f"block {index}: header over {MAX_HEADER_CHARS} characters")
        if kind == "section" and len(block["text"]["text"]) > MAX_SECTION_CHARS:
            raise ValueError(f"block {index}: section over {MAX_SECTION_CHARS} characters")
        if kind == "context":
            elements = block["elements"]
            if len(elements) > MAX_CONTEXT_ELEMENTS:
                raise ValueError(f"block {index}: {len(elements)} context elements")
            for element in elements:
                if len(element["text"]) > MAX_SECTION_CHARS:
                    raise ValueError(f"block {index}: context text over "
                                     f"{MAX_SECTION_CHARS} characters")
