import pytest

from cloudstro.analytics import content_performance, rank_posts, top_and_bottom
from tests.support.builders import make_post

IMAGE = [{"type": "image", "url": "https://example.com/i.png"}]
VIDEO = [{"type": "video", "url": "https://example.com/v.mp4"}]


def _posts():
    # Median interactions is 9, so outcome = (likes + 1) / 10.
    return [
        make_post("a", "2026-11-01T10:00:00Z", 39, hashtags=["#Launch"], media=IMAGE,
                  content="x" * 100),
        make_post("b", "2026-11-02T10:00:00Z", 39, hashtags=["launch"], media=IMAGE,
                  content="x" * 100),
        make_post("c", "2026-11-03T10:00:00Z", 39, hashtags=["launch", "news"], media=VIDEO,
                  content="x" * 100),
        make_post("d", "2026-11-04T10:00:00Z", 9, hashtags=["news"]),
        make_post("e", "2026-11-05T10:00:00Z", 9, hashtags=["news"]),
        make_post("f", "2026-11-06T10:00:00Z", 4),
        make_post("g", "2026-11-07T10:00:00Z", 4),
        make_post("h", "2026-11-08T10:00:00Z", 9),
        make_post("i", "2026-11-09T10:00:00Z", 9),
    ]


def test_content_groups_have_known_lifts():
    report = content_performance(_posts(), top_n=5, min_posts=3)
    # Overall geometric mean of outcomes: (4^3 * 1^4 * 0.5^2)^(1/9) = 16^(1/9).
    overall = 16 ** (1 / 9)
    assert report.posts_analyzed == 9
    assert report.hashtags_considered == 2
    top = report.top_hashtags[0]
    assert top.label == "#launch" and top.posts == 3
    assert top.lift == pytest.approx(round(4 / overall - 1, 3))
    assert top.mean_interactions == 39.0
    assert report.bottom_hashtags[0].label == "#news"
    assert report.bottom_hashtags[0].lift == pytest.approx(round(4 ** (1 / 3) / overall - 1, 3))
    media = {e.label: e for e in report.media}
    assert media["with media"].posts == 3 and media["text only"].posts == 6
    types = {e.label: e for e in report.content_types}
    assert types["image_post"].posts == 2 and types["image_post"].lift is None  # < min_posts
    assert types["video_post"].posts == 1
    length = {e.label: e.posts for e in report.length}
    assert length == {"under 80 chars": 6, "80-160 chars": 3}
    counts = {e.label: e.posts for e in report.hashtag_count}
    assert counts == {"no hashtags": 4, "1-2 hashtags": 5}


def test_rank_and_top_bottom_are_compact_and_size_fair():
    small = [make_post(f"s{i}", f"2026-11-0{i + 1}T10:00:00Z", likes, author="small",
                       content="word " * 60, hashtags=[f"t{j}" for j in range(8)])
             for i, likes in enumerate([9, 9, 99])]
    big = [make_post(f"b{i}", f"2026-11-0{i + 1}T12:00:00Z", likes, author="big",
                     platform="instagram", views=100000)
           for i, likes in enumerate([999, 999, 1199])]
    posts = small + big
    ranked = rank_posts(posts, by="engagement", limit=2)
    assert [p.postId for p in ranked] == ["instagram#b2", "instagram#b1"]
    assert ranked[0].engagement_rate == 1.2
    assert rank_posts(posts, by="recency", limit=1)[0].postId == "instagram#b2"

    tb = top_and_bottom(posts, n=1)
    assert tb.top[0].postId == "twitter#s2"  # 10x its account's median beats 1.2x
    assert tb.top[0].lift == pytest.approx(9.0)
    assert tb.top[0].views is None and tb.top[0].engagement_rate is None
    assert len(tb.top[0].content) <= 120 and len(tb.top[0].hashtags) == 5
    assert tb.bottom[0].lift == pytest.approx(0.0)
    assert tb.posts_analyzed == 6
