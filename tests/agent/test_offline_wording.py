"""The offline responder's sentences: counted nouns, thin slots named, no empty claims listed."""

from __future__ import annotations

import pytest

from cloudstro.agent.offline_answers import best_time, insights
from cloudstro.analytics.wording import counted


@pytest.mark.parametrize(("number", "noun", "plural", "expected"), [
    (1, "post", None, "1 post"), (0, "post", None, "0 posts"), (2, "insight", None, "2 insights"),
    (1200, "post", None, "1,200 posts"), (2, "reply", "replies", "2 replies"),
])
def test_counted_nouns(number, noun, plural, expected):
    assert counted(number, noun, plural) == expected


def test_one_insight_is_one_insight_not_insight_s():
    text = insights({"count": 1, "insights": [{
        "recommendation": "Post video", "platform": None, "confidence": 0.7,
        "validUntil": "2026-12-09T00:00:00Z"}]})
    assert text.startswith("1 active insight:") and "(s)" not in text


def test_a_thin_slot_says_so_and_a_solid_one_does_not():
    result = {"platform": "instagram", "enough_data": True, "timezone": "Europe/Paris",
              "posts_analyzed": 64, "confidence": 0.61,
              "optimal_hours": [{"label": "18:00", "expected_lift": 0.3, "posts": 7},
                                {"label": "09:00", "expected_lift": 0.2, "posts": 2,
                                 "thin": True}],
              "optimal_slots": [{"dayOfWeek": "Tuesday", "hour": 18, "posts": 1, "thin": True}]}
    text = best_time(result)
    assert "**18:00**" in text and "(7 posts at that hour)" in text
    assert "(2 posts, thin evidence at that hour)" in text
    assert "Tuesday 18:00 (1 post, thin evidence)" in text
