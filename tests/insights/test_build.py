"""Each insight type on data whose answer is known, and the too-little-data path."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from cloudstro.insights.build import (
    MODEL,
    build_all,
    content_insight,
    focus_insight,
    timing_insight,
    trend_insight,
)
from tests.insights.data import NOW, USER, VIDEO, timing_posts
from tests.support.builders import make_post


def test_optimal_timing_finds_the_hour_in_the_users_zone_in_the_seed_format():
    insight = timing_insight(USER, timing_posts(), "America/New_York", None, NOW)
    data = insight.data
    assert insight.insightId == "optimal_timing_all" and insight.platform is None
    assert data["optimalTimes"][0] == "18:00"  # 22:00/23:00 UTC; the user's 18:00
    assert data["timezone"] == "America/New_York" and data["basedOnPosts"] == 120
    assert re.fullmatch(r"\d+%", data["expectedEngagementIncrease"])
    assert all(set(slot) == {"dayOfWeek", "hour", "score", "posts"}
               for slot in data["optimalSlots"])
    assert data["optimalSlots"][0]["hour"] == 18
    assert insight.confidence >= 0.5 and data["halvesAgreeing"] == 2
    assert insight.recommendation is not None and insight.reasoning is not None
    assert "18:00" in insight.recommendation and "120 posts" in insight.reasoning
    assert insight.validUntil - insight.generatedAt == timedelta(days=7)
    assert int(insight.validUntil.timestamp()) == insight.TTL
    assert insight.metadata is not None
    assert insight.metadata.aiModel == MODEL and insight.metadata.dataPoints == 120
    assert insight.metadata.version == "1.0"


def test_confidence_follows_the_evidence_not_a_constant():
    strong = timing_insight(USER, timing_posts(120), "America/New_York", None, NOW)
    weak = timing_insight(USER, timing_posts(16, seed=5), "America/New_York", None, NOW)
    assert weak.confidence < strong.confidence


def test_too_little_data_gives_no_times_and_says_how_many_more_posts():
    insight = timing_insight(USER, timing_posts(6), "America/New_York", "twitter", NOW)
    assert insight.insightId == "optimal_timing_twitter"
    assert insight.confidence < 0.5
    assert insight.data["optimalTimes"] == [] and insight.data["postsNeeded"] == 4
    assert "4 more needed" in insight.recommendation


def test_content_strategy_names_the_format_that_wins_with_its_evidence():
    rng = random.Random(1)
    posts = []
    for i in range(60):
        video = i % 2 == 0
        likes = round((240 if video else 100) * rng.lognormvariate(0, 0.25))
        posts.append(make_post(f"p{i}", NOW - timedelta(days=1 + i), likes,
                               media=VIDEO if video else None))
    insight = content_insight(USER, posts, None, NOW)
    winner = insight.data["winners"][0]
    assert winner["label"] in {"video posts", "with media"}
    assert winner["posts"] == 30 and winner["lift"] > 0.3 and winner["confidence"] >= 0.6
    assert insight.confidence == winner["confidence"]
    assert "lean on" in insight.recommendation and winner["label"] in insight.recommendation
    assert any(loser["label"] in {"text posts", "text only"} for loser in insight.data["losers"])


def test_content_strategy_with_no_real_difference_recommends_nothing():
    rng = random.Random(2)
    posts = [make_post(f"p{i}", NOW - timedelta(days=1 + i),
                       round(100 * rng.lognormvariate(0, 0.3)),
                       media=VIDEO if i % 2 else None) for i in range(40)]
    insight = content_insight(USER, posts, None, NOW)
    assert insight.confidence < 0.3
    assert "lean on" not in insight.recommendation


def test_platform_focus_ranks_per_post_and_reports_per_follower():
    rng = random.Random(4)
    posts = [make_post(f"t{i}", NOW - timedelta(days=1 + i), round(50 * rng.uniform(0.8, 1.2)),
                       platform="twitter", author="tw") for i in range(20)]
    posts += [make_post(f"i{i}", NOW - timedelta(days=1 + i),
                        round(500 * rng.uniform(0.8, 1.2)), platform="instagram", author="ig")
              for i in range(20)]
    insight = focus_insight(USER, posts, {"twitter": 1_000, "instagram": 50_000}, NOW)
    assert insight is not None and insight.insightId == "platform_focus_all"
    assert insight.data["focus"] == "instagram" and insight.data["nextBest"] == "twitter"
    assert 8 < insight.data["ratioToNextBest"] < 12
    assert insight.confidence >= 0.6
    rows = {row["platform"]: row for row in insight.data["platforms"]}
    assert rows["twitter"]["perPostPer1kFollowers"] > rows["instagram"]["perPostPer1kFollowers"]
    assert insight.reasoning is not None and "Per follower, Twitter/X leads" in insight.reasoning
    assert focus_insight(USER, posts[:20], {}, NOW) is None  # one platform: nothing to compare


def test_engagement_trend_measures_the_week_and_flags_outliers():
    rng = random.Random(5)
    posts = []
    for i in range(20):
        posts.append(make_post(f"old{i}", NOW - timedelta(days=8, hours=i * 5),
                               round(100 * rng.uniform(0.9, 1.1))))
        posts.append(make_post(f"new{i}", NOW - timedelta(days=1, hours=i * 5),
                               round(200 * rng.uniform(0.9, 1.1))))
    posts.append(make_post("viral", NOW - timedelta(hours=3), 1500))
    posts.append(make_post("flop", NOW - timedelta(hours=4), 10))
    insight = trend_insight(USER, posts, {}, NOW)
    assert insight is not None and insight.recommendation is not None
    data = insight.data
    assert data["posts"] == 22 and data["previousPosts"] == 20
    assert "up" in insight.recommendation and insight.confidence >= 0.6
    assert data["overPerformers"][0]["postId"] == "twitter#viral"
    assert data["underPerformers"][0]["postId"] == "twitter#flop"
    assert data["interactionsChange"].startswith("+")


def test_build_all_covers_every_type_and_platform_it_has_posts_for():
    posts = timing_posts(60, platform="twitter") + timing_posts(8, platform="tiktok")
    ids = {insight.insightId for insight in build_all(USER, "America/New_York", posts, {}, NOW)}
    assert {"optimal_timing_all", "optimal_timing_twitter", "optimal_timing_tiktok",
            "content_strategy_all", "content_strategy_twitter", "platform_focus_all",
            "engagement_trend_all"} <= ids


def test_a_thin_best_hour_is_marked_in_the_insight_data_and_the_sentence():
    zone = ZoneInfo("UTC")
    rng = random.Random(2)
    plan = [(9, 1.2)] * 30 + [(12, 1.0)] * 30 + [(15, 1.0)] * 30 + [(20, 1.0)] * 30 \
        + [(17, 1.8)] * 3
    posts = [make_post(f"p{i}", (NOW - timedelta(days=1 + i % 90)).astimezone(zone).replace(
                 hour=hour, minute=10), round(100 * lift * rng.lognormvariate(0, 0.25)))
             for i, (hour, lift) in enumerate(plan)]
    insight = timing_insight(USER, posts, "UTC", None, NOW)
    first, second = insight.data["optimalHours"][:2]
    assert (first["label"], first["thin"], first["evidence"]) == ("17:00", True, "thin: 3 posts")
    assert second["thin"] is False and second["evidence"] == f"{second['posts']} posts"
    assert "17:00 (thin evidence)" in insight.recommendation
    assert insight.data["outcome"] == "interactions / account median"
    assert all(set(entry) == {"label", "posts", "thin", "evidence"}
               for entry in insight.data["slotEvidence"])
