"""Insights engine benchmark: does the stored best time find a planted hour, and what does a
best-time question cost once an insight is stored?

Runs on DynamoDB Local, started here in a temporary folder on a free loopback port (the
engine's npm package is reused from the project's `.cloudstro/engine` cache when present).

1. Quality. Demo users (store.demo: several timezones, lognormal noise, content and account
   size effects, uneven habitual posting) each hide a best local hour. Each user keeps a
   random subset of their posts (8 to 200) so some have too little data. `refresh_all` runs
   the real engine; then, per user, is the hidden hour among `optimalTimes` of the stored
   `optimal_timing_all` insight? The baseline, in the same run and on the same posts: the
   three UTC hours with the highest mean raw interactions. Calibration: of insights with
   confidence >= 0.8, the share that holds the hidden hour.
2. Cost. One user with 100 posts, one with 10,000: DynamoDB requests (store.dynamo.meter) for
   a best-time question through the agent's tool with a fresh stored insight, and without.

    .venv/bin/python benchmarks/bench_insights.py [--users 150] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _harness import free_port  # noqa: E402
from langchain_core.tools import StructuredTool  # noqa: E402

from cloudstro.config import Settings  # noqa: E402
from cloudstro.insights import refresh_all, refresh_user  # noqa: E402
from cloudstro.insights.build import insight_id  # noqa: E402
from cloudstro.store import Store  # noqa: E402
from cloudstro.store.demo import generate_demo  # noqa: E402
from cloudstro.store.dynamo import Dynamo  # noqa: E402
from cloudstro.store.local import LocalEngine  # noqa: E402
from cloudstro.store.records import SocialPost, UserProfile  # noqa: E402
from cloudstro.tools.context import UserContext  # noqa: E402
from cloudstro.tools.posts import get_best_time_to_post  # noqa: E402
from tests.support.tables import create_unswept_tables  # noqa: E402

NOW = datetime(2026, 11, 25, tzinfo=UTC)
POST_TARGETS = (8, 20, 30, 40, 60, 100, 200)
CONFIDENT = 0.8


def start_engine(folder: Path) -> LocalEngine:
    cache = Path(os.environ.get("CLOUDSTRO_TEST_ENGINE_DIR", ROOT / ".cloudstro")) / "engine"
    if cache.is_dir():
        (folder / "engine").symlink_to(cache, target_is_directory=True)
    engine = LocalEngine(folder, free_port())
    engine.start(in_memory=True)
    return engine


def open_store(engine: LocalEngine, folder: Path) -> Store:
    os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                       "CLOUDSTRO_DATA_DIR": str(folder / "data")})
    # Only the engine is named: everything else comes from the environment set just above.
    overrides: dict[str, Any] = {"DYNAMODB_ENDPOINT_URL": engine.endpoint}
    settings = Settings(**overrides)
    dynamo = Dynamo(settings)
    # The run's clock is fixed (NOW) so its figures repeat: unswept tables keep what it wrote.
    create_unswept_tables(dynamo)
    return Store(dynamo, settings)


def naive_utc_top(posts: list[SocialPost], top_n: int = 3) -> list[int]:
    """The baseline: mean raw interactions by UTC hour, highest first."""
    by_hour: dict[int, list[int]] = defaultdict(list)
    for post in posts:
        by_hour[post.createdAt.hour].append(post.engagement.interactions)
    means = {hour: statistics.fmean(values) for hour, values in by_hour.items()}
    return sorted(means, key=means.__getitem__, reverse=True)[:top_n]


def quality(store: Store, users: int, seed: int) -> None:
    data = generate_demo(users=users, days=120, seed=seed, until=NOW)
    rng = random.Random(seed)
    by_user: dict[str, list[SocialPost]] = defaultdict(list)
    for post in data.posts:
        by_user[post.userId].append(post)
    kept: dict[str, list[SocialPost]] = {}
    profiles = [profile.rebuild(isActive=True) for profile in data.users]
    for index, profile in enumerate(profiles):
        posts = by_user[profile.userId]
        target = POST_TARGETS[index % len(POST_TARGETS)]
        kept[profile.userId] = rng.sample(posts, min(target, len(posts)))
    started = time.perf_counter()
    store.users.put_many(profiles)
    store.posts.put_many([post for posts in kept.values() for post in posts])
    written = sum(len(posts) for posts in kept.values())
    print(f"loaded {len(profiles)} users, {written} posts in "
          f"{time.perf_counter() - started:.1f}s "
          f"(timezones: {len({p.zone for p in profiles})})")

    summary = refresh_all(store, workers=4, batch_size=25, now=NOW)
    per_user = [user.seconds for user in summary.refreshed]
    print(f"refresh --all: {summary.text()}; per user median "
          f"{statistics.median(per_user) * 1000:.0f} ms, max {max(per_user) * 1000:.0f} ms "
          f"(4 workers)")

    cohorts: dict[str, list[tuple[bool, bool, float, bool]]] = defaultdict(list)
    confident_right = confident_total = 0
    guarded_small = small = 0
    for profile in profiles:
        user_id = profile.userId
        posts = kept[user_id]
        truth = data.best_hours[user_id]
        insight = store.insights.get(user_id, insight_id("optimal_timing", None))
        hours = [int(label[:2]) for label in (insight.data["optimalTimes"] if insight else [])]
        confidence = insight.confidence if insight else 0.0
        right = truth in hours
        baseline = truth in naive_utc_top(posts)
        n = len(posts)
        cohort = "<10 posts" if n < 10 else "10-39 posts" if n < 40 else ">=40 posts"
        cohorts[cohort].append((right, baseline, confidence, bool(hours)))
        if confidence >= CONFIDENT:
            confident_total += 1
            confident_right += right
        if n < 10:
            small += 1
            guarded_small += (not hours and confidence < 0.5)

    print("\nhidden best local hour among the stored optimalTimes (top 3):")
    print(f"{'cohort':<12} {'users':>5} {'engine':>8} {'baseline UTC':>13} {'mean conf':>10}")
    for cohort in ("<10 posts", "10-39 posts", ">=40 posts"):
        rows = cohorts.get(cohort, [])
        if not rows:
            continue
        engine = sum(r[0] for r in rows) / len(rows)
        base = sum(r[1] for r in rows) / len(rows)
        mean_conf = statistics.fmean(r[2] for r in rows)
        print(f"{cohort:<12} {len(rows):>5} {engine:>8.0%} {base:>13.0%} {mean_conf:>10.2f}")
    print(f"users with <10 posts given no times and confidence < 0.5: {guarded_small}/{small}")
    share = confident_right / confident_total if confident_total else float("nan")
    print(f"calibration: confidence >= {CONFIDENT}: {confident_right}/{confident_total} right "
          f"({share:.0%})")
    bands = ((0.0, 0.01), (0.01, 0.5), (0.5, 0.8), (0.8, 1.01))
    for low, high in bands:
        rows = [r for rows in cohorts.values() for r in rows if low <= r[2] < high and r[3]]
        if rows:
            print(f"  confidence [{low:.2f}, {min(high, 1):.2f}): {len(rows):>4} insights with "
                  f"times, {sum(r[0] for r in rows) / len(rows):.0%} right")


def _synthetic_user(store: Store, user_id: str, count: int, seed: int) -> None:
    rng = random.Random(seed)
    store.users.put(UserProfile.model_validate({
        "userId": user_id, "email": f"{user_id}@example.com", "username": user_id,
        "fullName": user_id, "createdAt": NOW - timedelta(days=400),
        "updatedAt": NOW, "timezone": "Europe/Berlin"}))
    posts = []
    for i in range(count):
        created = NOW - timedelta(seconds=rng.randrange(60, 360 * 86400))
        lift = 2.0 if created.hour == 17 else 1.0
        likes = int(50 * lift * rng.lognormvariate(0, 0.5))
        posts.append(SocialPost.model_validate({
            "userId": user_id, "id": f"{i:06d}", "platform": ("twitter", "tiktok")[i % 2],
            "content": f"post {i}", "authorId": "acct", "authorName": "A",
            "authorHandle": "@a", "engagement": {"likes": likes, "shares": 1, "comments": 1},
            "createdAt": created, "fetchedAt": NOW}))
    store.posts.put_many(posts)


def cost(store: Store) -> None:
    print("\nDynamoDB requests for one best-time question (agent tool, all platforms):")
    meter = store.dynamo.meter
    assert (isinstance(get_best_time_to_post, StructuredTool)
            and get_best_time_to_post.func is not None)
    for user_id, count in (("bench_100", 100), ("bench_10000", 10_000)):
        started = time.perf_counter()
        _synthetic_user(store, user_id, count, seed=count)
        loaded = time.perf_counter() - started
        runtime = SimpleNamespace(context=UserContext(user_id, store, NOW))

        meter.reset()
        started = time.perf_counter()
        cold = get_best_time_to_post.func(runtime, platform=None)
        cold_s = time.perf_counter() - started
        cold_requests = meter.snapshot()

        meter.reset()
        started = time.perf_counter()
        warm = get_best_time_to_post.func(runtime, platform=None)
        warm_s = time.perf_counter() - started
        warm_requests = meter.snapshot()
        assert warm["optimal_hours"] == cold["optimal_hours"], "stored answer differs"

        started = time.perf_counter()
        refreshed = refresh_user(store, user_id, NOW)
        refresh_s = time.perf_counter() - started
        print(f"  {count:>6} posts (loaded in {loaded:.1f}s): no fresh insight "
              f"{cold_requests['total_requests']} requests {cold_requests['requests']} "
              f"{cold_s * 1000:.0f} ms; fresh insight {warm_requests['total_requests']} "
              f"request(s) {warm_requests['requests']} {warm_s * 1000:.1f} ms "
              f"[{warm['source'][:30]}...]; full refresh {refresh_s * 1000:.0f} ms "
              f"({len(refreshed.written)} insights)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=154)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cloudstro-bench-") as folder:
        engine = start_engine(Path(folder))
        try:
            store = open_store(engine, Path(folder))
            print(f"DynamoDB Local at {engine.endpoint}")
            quality(store, args.users, args.seed)
            cost(store)
        finally:
            engine.stop()


if __name__ == "__main__":
    main()
