"""What a digest says, how it looks in Slack, and its chart (moto: fast)."""

from __future__ import annotations

import io
from datetime import timedelta

from langchain_core.messages import AIMessage
from PIL import Image

from cloudstro.digests.blocks import (
    MAX_BLOCKS,
    MAX_HEADER_CHARS,
    MAX_SECTION_CHARS,
    digest_blocks,
    fallback_text,
)
from cloudstro.digests.chart import render_heatmap
from cloudstro.digests.content import build_digest
from cloudstro.digests.schedule import latest_occurrence
from cloudstro.digests.summary import summarize
from cloudstro.store import Store
from tests.support.builders import add_account, add_posts, add_user, insight
from tests.support.constants import NOW
from tests.support.images import png_size
from tests.support.scripted_model import ScriptedChatModel

WEEK_START = NOW - timedelta(days=8)  # the weekly period is Mon 16 Nov 09:00 to Mon 23 Nov


def _digest(store: Store, user_id: str, previous: dict | None = None):
    profile = store.users.get(user_id)
    assert profile is not None and profile.digest is not None
    occurrence = latest_occurrence(profile.digest, profile.zone, NOW)
    assert occurrence is not None
    return build_digest(store, profile, occurrence, NOW, previous)


def _texts(blocks: list[dict]) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [element["text"] for element in block.get("elements", [])]
    return "\n".join(parts)


def test_user_with_no_data_gets_a_short_digest_that_says_so(moto_store: Store) -> None:
    add_user(moto_store, "empty", slack_user="U0EMPTY")
    digest = _digest(moto_store, "empty")
    assert not digest.has_data
    assert "No posts" in digest.headline
    assert digest.heatmap is None and digest.top_posts == [] and digest.platforms == []
    blocks = digest_blocks(digest)
    assert len(blocks) <= 5
    assert "No connected accounts" in _texts(blocks)


def test_digest_compares_periods_ranks_posts_and_reads_velocity(moto_store: Store) -> None:
    add_user(moto_store, "u1", timezone="Europe/London")
    add_account(moto_store, "u1", "twitter", followerCount=2000)
    add_account(moto_store, "u1", "instagram", "222", followerCount=900,
                syncStatus="error", lastSyncAt="2026-11-20T08:00:00Z")
    add_posts(moto_store, "u1", "twitter", WEEK_START + timedelta(hours=1), 6,
              every=timedelta(hours=20))
    add_posts(moto_store, "u1", "instagram", WEEK_START + timedelta(hours=2), 3,
              every=timedelta(hours=30), views=False)
    # The week before: fewer, smaller posts.
    add_posts(moto_store, "u1", "twitter", WEEK_START - timedelta(days=6), 2,
              every=timedelta(hours=30), snapshots=False, tag="old")
    digest = _digest(moto_store, "u1")

    assert digest.has_data and digest.occurrence_key == "weekly#2026-11-23"
    twitter = next(row for row in digest.platforms if row.platform == "twitter")
    assert twitter.posts == 6 and twitter.followers == 2000
    assert twitter.engagement_rate is not None
    assert "views on 6 of 6" in twitter.engagement_rate_denominator
    assert twitter.follower_note == "follower change unknown (no history)"
    assert "up" in digest.headline and "on the previous week" in digest.headline
    # Top posts are the most-engaging for their account; the weakest is not among them.
    assert len(digest.top_posts) == 3
    assert digest.weakest is not None
    assert digest.weakest.postId not in {p.postId for p in digest.top_posts}
    top = digest.top_posts[0]
    assert top.interactions_1h is not None and top.interactions_24h is not None
    assert top.interactions_1h < top.interactions_24h
    # Caveats name the failing account and the posts without views.
    assert any("Instagram @instagram222: failed to sync" in c for c in digest.caveats)
    assert any("report no views (Instagram)" in c for c in digest.caveats)
    assert digest.best_times is not None and "computed" in digest.best_times.source


def test_follower_change_comes_from_the_previous_sent_digest(moto_store: Store) -> None:
    add_user(moto_store, "u2")
    add_account(moto_store, "u2", "twitter", followerCount=2150)
    add_posts(moto_store, "u2", "twitter", WEEK_START + timedelta(hours=1), 3)
    sent = {"done": True, "followers": {"twitter": 2000}, "periodEnd": "2026-11-16T09:00:00Z"}
    row = _digest(moto_store, "u2", sent).platforms[0]
    assert row.follower_change == 150
    assert row.follower_note == "+150 followers since the previous digest (2026-11-16)"
    unsent = {**sent, "done": False}  # a claim that never went out is no baseline
    assert _digest(moto_store, "u2", unsent).platforms[0].follower_change is None


def test_stored_timing_insight_is_used_with_its_confidence(moto_store: Store) -> None:
    from cloudstro.insights.build import timing_insight

    add_user(moto_store, "u3")
    posts = add_posts(moto_store, "u3", "twitter", NOW - timedelta(days=60), 40,
                      every=timedelta(hours=31), snapshots=False)
    stored = timing_insight("u3", posts, "UTC", None, NOW - timedelta(days=1))
    moto_store.insights.put(stored)
    moto_store.insights.put(insight("u3", "content_strategy", confidence=0.8,
                                    generated_at=NOW - timedelta(days=1),
                                    valid_until="2026-12-30T00:00:00Z",
                                    recommendation="Use two hashtags"))
    digest = _digest(moto_store, "u3")
    assert digest.best_times.source.startswith("stored insight")
    assert digest.best_times.confidence == stored.confidence
    assert [i.recommendation for i in digest.insights] == ["Use two hashtags"]


def test_stored_timing_insight_of_another_zone_is_recomputed_in_the_users_zone(
        moto_store: Store) -> None:
    from cloudstro.insights.build import timing_insight

    add_user(moto_store, "u3", timezone="Asia/Tokyo")
    posts = add_posts(moto_store, "u3", "twitter", NOW - timedelta(days=60), 40,
                      every=timedelta(hours=31), snapshots=False)
    moto_store.insights.put(timing_insight("u3", posts, "UTC", None, NOW - timedelta(days=1)))
    digest = _digest(moto_store, "u3")
    assert digest.best_times.source.startswith("computed from your last")
    stored_hours = timing_insight("u3", posts, "UTC", None, NOW).data["optimalTimes"]
    tokyo_hours = timing_insight("u3", posts, "Asia/Tokyo", None, NOW).data["optimalTimes"]
    assert stored_hours != tokyo_hours
    shown = [line.label for line in digest.best_times.slots]
    assert any(hour in label for label in shown for hour in tokyo_hours[:1])


def test_block_kit_limits_hold_for_a_user_with_lots_of_data(moto_store: Store) -> None:
    add_user(moto_store, "big", timezone="America/New_York")
    noisy = "<!channel> & <https://evil.example|click> " + "very long words " * 200
    for number, platform in enumerate(("twitter", "instagram", "facebook", "tiktok",
                                       "rednote")):
        for account in range(6):
            add_account(moto_store, "big", platform, f"{number}{account}",
                        accountHandle="@" + "h" * 80, syncStatus="error")
        add_posts(moto_store, "big", platform, WEEK_START + timedelta(hours=1), 40,
                  every=timedelta(hours=4), content=noisy, views=platform != "instagram",
                  snapshots=False)
    for index in range(6):
        moto_store.insights.put(insight("big", "engagement_trend", suffix=str(index),
                                        generated_at=NOW - timedelta(days=1),
                                        valid_until="2026-12-30T00:00:00Z",
                                        recommendation="Keep going " + "x" * 2900))
    digest = _digest(moto_store, "big")
    assert len(digest.caveats) > 30
    blocks = digest_blocks(digest)
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER_CHARS
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_CHARS
        for element in block.get("elements", []):
            assert len(element["text"]) <= MAX_SECTION_CHARS
    text = _texts(blocks)
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp;" in text
    assert len(fallback_text(digest)) <= 3000


def test_chart_is_a_decodable_png_of_the_expected_size(moto_store: Store) -> None:
    add_user(moto_store, "c1", timezone="Asia/Tokyo")
    add_posts(moto_store, "c1", "tiktok", NOW - timedelta(days=30), 60, every=timedelta(hours=11),
              snapshots=False)
    digest = _digest(moto_store, "c1")
    assert digest.heatmap is not None and digest.heatmap.total_posts == 60
    data = render_heatmap(digest.heatmap)
    width, height = png_size(data)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.size == (width, height) and width > 700 and height > 200
    # Slots with posts are coloured, slots without are the "no posts" grey.
    colors = image.getcolors(maxcolors=1 << 16)
    assert colors is not None and len(colors) > 10


def test_model_summary_goes_on_top_and_a_failing_model_is_left_out(moto_store: Store) -> None:
    add_user(moto_store, "s1")
    add_posts(moto_store, "s1", "twitter", WEEK_START + timedelta(hours=1), 4)
    digest = _digest(moto_store, "s1")
    model = ScriptedChatModel(script=[AIMessage(content="A strong week on Twitter/X.")])
    digest.summary = summarize(digest, model)
    assert digest.summary == "A strong week on Twitter/X."
    prompt = model.seen[0]
    assert "Use only numbers that appear in the JSON" in prompt[0].content
    assert digest.headline in prompt[1].content and "heatmap" not in prompt[1].content
    blocks = digest_blocks(digest)
    assert blocks[2]["text"]["text"] == "A strong week on Twitter/X."

    broken = ScriptedChatModel(script=[])  # raises when called
    assert summarize(digest, broken) is None
    assert summarize(digest, None) is None
