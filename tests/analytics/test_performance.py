from datetime import UTC, datetime

import pytest

from cloudstro.analytics import Period, summarize_performance
from tests.support.builders import make_post

PERIOD = Period.last(7, datetime(2026, 11, 24, tzinfo=UTC))


def test_per_platform_overall_and_change():
    current = [
        make_post("t1", "2026-11-20T10:00:00Z", 80, 10, 10, views=1000),
        make_post("t2", "2026-11-21T10:00:00Z", 40, 5, 5, views=None),
        make_post("i1", "2026-11-22T10:00:00Z", 300, 0, 100, platform="instagram",
                  author="ig"),
    ]
    previous = [
        make_post("t0", "2026-11-12T10:00:00Z", 50, 0, 0, views=1000),
        make_post("o0", "2026-11-01T10:00:00Z", 50),  # outside both periods
    ]
    summary = summarize_performance(current, PERIOD, previous,
                                    followers={"twitter": 2000, "instagram#ig": 8000})
    assert summary.period == "last 7 days (2026-11-17 to 2026-11-23)"  # end is exclusive
    assert summary.previous_period == "previous 7 days (2026-11-10 to 2026-11-16)"
    twitter, instagram = summary.platforms
    assert (twitter.platform, instagram.platform) == ("twitter", "instagram")
    assert twitter.posts == 2 and twitter.interactions == 150
    assert (twitter.likes, twitter.shares, twitter.comments) == (120, 15, 15)
    assert twitter.views == 1000 and twitter.posts_with_views == 1
    assert twitter.engagement_rate == 10.0  # 100 interactions / 1000 views; t2 has no views
    assert twitter.engagement_rate_denominator == "views on 1 of 2 posts that report views"
    assert twitter.engagement_per_post == 75.0
    assert twitter.engagement_per_1k_followers == 75.0
    assert twitter.change.posts_pct == 100.0
    assert twitter.change.interactions_pct == 200.0
    assert twitter.change.previous_engagement_rate == 5.0
    assert twitter.change.engagement_rate_pct == 100.0
    assert twitter.change.engagement_rate_points == 5.0

    assert instagram.views is None and instagram.engagement_rate is None
    assert instagram.change.posts_pct is None  # nothing before: no percent change
    assert instagram.engagement_per_1k_followers == 50.0

    overall = summary.overall
    assert overall.platform == "all" and overall.posts == 3 and overall.interactions == 550
    assert overall.engagement_rate == 10.0
    assert overall.engagement_per_1k_followers == pytest.approx(55.0)
    assert overall.followers_denominator is not None
    assert "10,000 followers" in overall.followers_denominator
    assert any("left out" in note for note in summary.notes)


def test_no_views_anywhere_is_unknown_not_zero():
    posts = [make_post("t1", "2026-11-20T10:00:00Z", 5)]
    summary = summarize_performance(posts, PERIOD, [])
    assert summary.overall.engagement_rate is None
    assert summary.overall.views is None
    assert summary.overall.engagement_per_1k_followers is None
    assert summary.overall.change.interactions_pct is None
