import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cloudstro.analytics import best_posting_times
from tests.analytics.synthetic import naive_local_top, naive_utc_top, synthetic_user
from tests.support.builders import make_post

TIMEZONES = ("America/New_York", "Asia/Tokyo")


def _recovery(n_posts: int, users: int, seed: int = 7) -> tuple[float, float, float]:
    rng = random.Random(seed)
    eb = utc = local = 0
    for i in range(users):
        tz = TIMEZONES[i % 2]
        user = synthetic_user(rng, n_posts, tz, peak_lift=1.5, width=1.0, noise=0.5)
        result = best_posting_times(user.posts, tz)
        eb += user.best_hour in [s.hour for s in result.optimal_hours]
        utc += user.best_hour in naive_utc_top(user.posts)
        local += user.best_hour in naive_local_top(user.posts, tz)
    return eb / users, utc / users, local / users


def test_planted_best_hour_is_recovered_and_beats_naive_baselines():
    started = time.perf_counter()
    eb, utc, local = _recovery(60, users=100)
    assert eb >= 0.90, (eb, utc, local)
    assert utc <= eb - 0.5  # raw means by UTC hour: wrong clock and dominated by account size
    assert local <= eb - 0.2  # right clock, but raw means and no shrinkage
    assert time.perf_counter() - started < 5


def test_below_minimum_recommends_nothing():
    zone = ZoneInfo("Asia/Tokyo")
    posts = [make_post(f"p{i}", datetime(2026, 11, 1 + i, 9, tzinfo=zone), 10 + i)
             for i in range(8)]
    result = best_posting_times(posts, "Asia/Tokyo")
    assert result.enough_data is False
    assert result.posts_needed == 2
    assert "need 2 more posts" in result.message
    assert result.optimal_hours == [] and result.optimal_slots == []
    assert result.confidence == 0
    assert result.expected_engagement_increase is None


def test_slots_are_in_the_users_timezone_and_fields_are_filled():
    zone = ZoneInfo("America/New_York")
    rng = random.Random(3)
    posts = []
    start = datetime(2026, 9, 1, tzinfo=zone)
    for i in range(120):
        hour = [9, 13, 18, 21][i % 4]
        day = start + timedelta(days=i // 2)
        created = day.replace(hour=hour)
        likes = round((300 if hour == 18 else 100) * rng.lognormvariate(0, 0.3))
        posts.append(make_post(f"p{i}", created, likes))
    result = best_posting_times(posts, "America/New_York", platform="twitter")
    assert result.enough_data and result.posts_needed == 0
    assert result.optimal_hours[0].hour == 18  # 22:00/23:00 UTC; the user's 18:00
    assert result.optimal_hours[0].label == "18:00"
    assert result.optimal_hours[0].posts == 30
    assert 1.0 < result.optimal_hours[0].expected_lift < 2.2
    assert result.optimal_hours[0].score > 0.99
    assert all(s.hour == 18 for s in result.optimal_slots)
    assert 0.7 < result.confidence <= 1
    assert result.expected_engagement_increase is not None
    assert "America/New_York" in result.method and "k=" in result.method
    assert len(result.model_dump_json()) < 3000


def test_confidence_grows_with_evidence():
    def run(n: int) -> float:
        user = synthetic_user(random.Random(11), n, "Asia/Tokyo", peak_lift=1.5, width=1.0,
                              noise=0.5)
        return best_posting_times(user.posts, "Asia/Tokyo").confidence

    assert run(40) < run(400)
    assert run(400) > 0.8


def test_no_signal_gives_low_confidence():
    rng = random.Random(5)
    zone = ZoneInfo("UTC")
    posts = [make_post(f"p{i}", datetime(2026, 10, 1, tzinfo=zone) + timedelta(hours=7 * i),
                       round(100 * rng.lognormvariate(0, 0.5))) for i in range(60)]
    result = best_posting_times(posts, "UTC")
    assert result.confidence < 0.5
