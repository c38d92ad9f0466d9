"""A finding with no recommendation is not listed as an active insight."""

from __future__ import annotations

import random
from datetime import timedelta

from cloudstro.insights.build import content_insight
from tests.insights.data import NOW, USER, VIDEO
from tests.support.builders import make_post


def _flat_posts() -> list:
    rng = random.Random(2)
    return [make_post(f"p{i}", NOW - timedelta(days=1 + i),
                      round(100 * rng.lognormvariate(0, 0.05)),
                      media=VIDEO if i % 2 else None) for i in range(40)]


def test_no_winner_reads_as_no_clear_winner_yet_and_is_not_listed_as_active(moto_store):
    insight = content_insight(USER, _flat_posts(), None, NOW)
    assert insight.confidence == 0
    assert insight.recommendation.startswith("No clear winner yet")
    assert "40 posts" in insight.recommendation
    moto_store.insights.put(insight)

    assert moto_store.insights.active(USER, now=NOW) == []  # nothing to act on
    # The content tool's fast path still reads the stored analysis by id.
    assert moto_store.insights.get(USER, insight.insightId) is not None
