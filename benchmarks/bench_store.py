"""What the repositories cost over raw boto3, and how a user's full post read grows.

For every read the agent's tools use, the repository call and the same request made with
raw boto3 (same table resource, same parameters, same pagination loop, items left as boto3
returns them) run interleaved in one process against one DynamoDB Local. Printed per read:
median times and their ratio, requests and read units per call against the fewest the access
pattern allows, and response bytes. Then `posts.list_for_user` at 100, 1,000 and 10,000
posts, and where the repository's time goes on the largest read.

Run: `.venv/bin/python benchmarks/bench_store.py` (3-5 minutes on an idle 2-core machine;
`--help` for knobs).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from _harness import (
    GROWTH_SIZES,
    NOW,
    UNTIL,
    bench_store,
    eventual_read_units,
    heading,
    interleaved,
    item_size,
    kib,
    local_engine,
    markdown_table,
    median,
    metered,
    minimum_pages,
    ms,
    note,
    percentile,
    seed_growth_users,
    seed_insights,
    timed,
)
from boto3.dynamodb.conditions import Attr, Key

from cloudstro.store import Store
from cloudstro.store.codec import from_item
from cloudstro.store.demo import DEMO_USER_PREFIX, seed_demo
from cloudstro.store.records import AccountSummary, SocialPost, iso_z
from cloudstro.store.tables import ENGAGEMENT_BY_TIME, POSTS_BY_DATE

GOAL_RATIO = 1.15
DEMO_USERS, DEMO_DAYS, DEMO_SEED = 3, 120, 7


# ------------------------------------------------------------------------------ raw baseline


def projection_params(attributes: tuple[str, ...]) -> dict[str, Any]:
    names = {f"#p{index}": name for index, name in enumerate(attributes)}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}


def raw_get(table: Any, key: dict[str, str], projection: tuple[str, ...] = ()) -> Any:
    params: dict[str, Any] = {"Key": key, "ReturnConsumedCapacity": "TOTAL"}
    if projection:
        params.update(projection_params(projection))
    return table.get_item(**params).get("Item")


def raw_query(table: Any, *, limit: int | None = None, has_filter: bool = False,
              **params: Any) -> list[dict[str, Any]]:
    """The repositories' pagination loop, minus decoding and validation."""
    params = {**params, "ReturnConsumedCapacity": "TOTAL"}
    items: list[dict[str, Any]] = []
    while True:
        if limit is not None and not has_filter:
            params["Limit"] = limit - len(items)
        page = table.query(**params)
        for item in page.get("Items", []):
            items.append(item)
            if limit is not None and len(items) >= limit:
                return items
        last_key = page.get("LastEvaluatedKey")
        if not last_key:
            return items
        params["ExclusiveStartKey"] = last_key


# ------------------------------------------------------------------------------ the reads


@dataclass
class Read:
    """One repository read, its raw twin, and the items DynamoDB must read to answer it."""

    name: str
    repo: Callable[[], Any]
    raw: Callable[[], Any]
    evaluated: Callable[[], list[dict[str, Any]]]  # every item the request has to read
    is_get: bool = False


def build_reads(store: Store, user_id: str) -> list[Read]:
    users = store.dynamo.table(store.names.users)
    accounts = store.dynamo.table(store.names.accounts)
    posts = store.dynamo.table(store.names.posts)
    engagement = store.dynamo.table(store.names.engagement)
    insights = store.dynamo.table(store.names.insights)

    profile = store.users.get(user_id)
    assert profile is not None
    email = profile.email
    assert email is not None  # every demo user has one
    account = store.accounts.list_for_user(user_id)[0]
    platform = account.platform
    account_id = account.platformAccountId.split("#", 1)[1]
    all_posts = store.posts.list_for_user(user_id)
    post = max(all_posts, key=lambda p: p.engagementScore)
    month_start, week_start = NOW - timedelta(days=30), NOW - timedelta(days=7)

    user_key = Key("userId").eq(user_id)
    profile_key = {"userId": user_id, "recordType": "USER_PROFILE"}
    account_key = {"userId": user_id, "platformAccountId": account.platformAccountId}
    post_key = {"userId": user_id, "postId": post.postId}
    platform_posts = user_key & Key("postId").begins_with(f"{platform}#")
    post_history = user_key & Key("engagementId").begins_with(f"{post.postId}#")
    timing = user_key & Key("insightId").begins_with("optimal_timing_")
    live = (Attr("isActive").eq(True) & Attr("validUntilISO").gt(iso_z(NOW))
            & (Attr("TTL").not_exists() | Attr("TTL").gt(int(NOW.timestamp()))))

    month = user_key & Key("createdAtISO").between(iso_z(month_start), iso_z(NOW))
    week = user_key & Key("timestampISO").between(iso_z(week_start), iso_z(NOW))

    def whole(table: Any, condition: Any, **extra: Any) -> Callable[[], list[dict[str, Any]]]:
        return lambda: raw_query(table, KeyConditionExpression=condition, **extra)

    def one(table: Any, key: dict[str, str]) -> Callable[[], list[dict[str, Any]]]:
        return lambda: [raw_get(table, key)]

    return [
        Read("users.get", lambda: store.users.get(user_id),
             lambda: raw_get(users, profile_key), one(users, profile_key), is_get=True),
        Read("users.find_by_email", lambda: store.users.find_by_email(email),
             lambda: raw_query(users, IndexName="email-index", limit=1,
                               KeyConditionExpression=Key("email").eq(email)),
             lambda: raw_query(users, IndexName="email-index", limit=1,
                               KeyConditionExpression=Key("email").eq(email))),
        Read("accounts.list_for_user", lambda: store.accounts.list_for_user(user_id),
             lambda: raw_query(accounts, KeyConditionExpression=user_key,
                               **projection_params(AccountSummary.PROJECTION)),
             whole(accounts, user_key)),
        Read("accounts.get_summary",
             lambda: store.accounts.get_summary(user_id, platform, account_id),
             lambda: raw_get(accounts, account_key, AccountSummary.PROJECTION),
             one(accounts, account_key), is_get=True),
        Read("posts.get", lambda: store.posts.get(user_id, post.postId),
             lambda: raw_get(posts, post_key), one(posts, post_key), is_get=True),
        Read("posts.list_for_user (all)", lambda: store.posts.list_for_user(user_id),
             lambda: raw_query(posts, KeyConditionExpression=user_key),
             whole(posts, user_key)),
        Read(f"posts.list_for_user ({platform})",
             lambda: store.posts.list_for_user(user_id, platform),
             lambda: raw_query(posts, KeyConditionExpression=platform_posts),
             whole(posts, platform_posts)),
        Read("posts.list_in_period (30 d)",
             lambda: store.posts.list_in_period(user_id, month_start, NOW),
             lambda: raw_query(posts, IndexName=POSTS_BY_DATE.name, ScanIndexForward=False,
                               KeyConditionExpression=month),
             whole(posts, month, IndexName=POSTS_BY_DATE.name)),
        Read("engagement.history_for_post",
             lambda: store.engagement.history_for_post(user_id, post.postId),
             lambda: raw_query(engagement, KeyConditionExpression=post_history),
             whole(engagement, post_history)),
        Read("engagement.in_period (7 d)",
             lambda: store.engagement.in_period(user_id, week_start, NOW),
             lambda: raw_query(engagement, IndexName=ENGAGEMENT_BY_TIME.name,
                               KeyConditionExpression=week),
             whole(engagement, week, IndexName=ENGAGEMENT_BY_TIME.name)),
        Read("insights.active", lambda: store.insights.active(user_id, now=NOW),
             lambda: raw_query(insights, KeyConditionExpression=user_key, has_filter=True,
                               FilterExpression=live),
             whole(insights, user_key)),
        Read("insights.list_for_user (type)",
             lambda: store.insights.list_for_user(user_id, "optimal_timing"),
             lambda: raw_query(insights, KeyConditionExpression=timing, has_filter=True,
                               FilterExpression=Attr("insightType").eq("optimal_timing")),
             whole(insights, timing)),
    ]


# ------------------------------------------------------------------------------ measuring


def repetitions(seconds_per_call: float, budget_s: float, low: int = 15, high: int = 300) -> int:
    return max(low, min(high, int(budget_s / max(2 * seconds_per_call, 1e-4))))


def count_of(result: Any) -> int:
    if result is None:
        return 0
    return len(result) if isinstance(result, list) else 1


def minimum_cost(read: Read) -> tuple[int, float, int]:
    """(fewest requests, fewest read units, item bytes) the access pattern needs."""
    items = [item for item in read.evaluated() if item]
    total = sum(item_size(item) for item in items)
    if read.is_get:
        return 1, eventual_read_units(total), total
    return minimum_pages(total), eventual_read_units(total), total


def compare_reads(store: Store, reads: list[Read], budget_s: float) -> list[float]:
    heading("Repository reads beside raw boto3 (same request, interleaved)")
    meter = store.dynamo.meter
    rows, ratios = [], []
    for read in reads:
        result, repo_cost = metered(meter, read.repo)
        _, raw_cost = metered(meter, read.raw)
        fewest, fewest_units, evaluated_bytes = minimum_cost(read)
        read.repo(), read.raw()
        one_call, _ = timed(read.repo)
        reps = repetitions(one_call, budget_s)
        samples = interleaved({"repo": read.repo, "raw": read.raw}, reps)
        repo_ms, raw_ms = median(samples["repo"]), median(samples["raw"])
        ratio = repo_ms / raw_ms
        ratios.append(ratio)
        at_minimum = (repo_cost.requests == fewest
                      and repo_cost.capacity_units <= fewest_units + 1e-9)
        same_as_raw = (repo_cost.requests, repo_cost.capacity_units) == (
            raw_cost.requests, raw_cost.capacity_units)
        rows.append([
            read.name, count_of(result), reps, ms(repo_ms), ms(raw_ms), f"{ratio:.2f}x",
            f"{min(samples['repo']) / min(samples['raw']):.2f}x",
            ms(percentile(samples["repo"], 90)), ms(percentile(samples["raw"], 90)),
            repo_cost.requests, fewest, f"{repo_cost.capacity_units:g}", f"{fewest_units:g}",
            kib(evaluated_bytes), kib(repo_cost.bytes_read),
            ("yes" if at_minimum else "NO") + ("" if same_as_raw else " (raw differs)"),
        ])
    print(markdown_table(
        ["read", "items", "reps", "repo ms", "raw ms", "ratio", "ratio (best)", "repo p90",
         "raw p90", "requests", "min req", "RCU", "min RCU", "item KiB", "wire KiB", "at minimum"],
        rows))
    within = sum(ratio <= GOAL_RATIO for ratio in ratios)
    geo = 1.0
    for ratio in ratios:
        geo *= ratio
    geo **= 1 / len(ratios)
    note(f"\nOverall: median ratio {median(ratios):.2f}x, geometric mean {geo:.2f}x, worst "
         f"{max(ratios):.2f}x; {within}/{len(ratios)} reads within the {GOAL_RATIO}x goal.")
    note("ratio: median repo time / median raw time; ratio (best): fastest repo call / "
         "fastest raw call, less sensitive to other work on the machine.")
    note("RCU: read units per call as DynamoDB reported them (eventually consistent reads); "
         "min RCU: the units for the items the key condition must read (projection and filter "
         "do not reduce them). item KiB: those items' billed size; wire KiB: response bytes.")
    return ratios


def growth(store: Store, users: dict[int, str], reps: int, budget_s: float) -> None:
    heading("posts.list_for_user as a user's posts grow (whole partition, every call)")
    table = store.dynamo.table(store.names.posts)
    meter = store.dynamo.meter
    rows, period_rows = [], []
    fortnight = NOW - timedelta(days=14)
    for size, user_id in sorted(users.items()):
        def repo(user_id: str = user_id) -> list[SocialPost]:
            return store.posts.list_for_user(user_id)

        def raw(user_id: str = user_id) -> list[dict[str, Any]]:
            return raw_query(table, KeyConditionExpression=Key("userId").eq(user_id))

        def period(user_id: str = user_id) -> list[SocialPost]:
            return store.posts.list_in_period(user_id, fortnight, NOW)

        (first_s, posts), cost = metered(meter, partial(timed, repo))
        raw_items = raw()
        assert len(posts) == size == len(raw_items)
        total = sum(item_size(item) for item in raw_items)
        rounds = max(3, min(reps, int(budget_s / (3 * first_s))))
        samples = interleaved({"repo": repo, "raw": raw, "period": period}, rounds, warmup=0)
        repo_s, raw_s = median(samples["repo"]), median(samples["raw"])
        rows.append([f"{size:,}", rounds, ms(repo_s), ms(raw_s), f"{repo_s / raw_s:.2f}x",
                     f"{min(samples['repo']) / min(samples['raw']):.2f}x",
                     cost.requests, minimum_pages(total), f"{cost.capacity_units:g}",
                     kib(total), kib(cost.bytes_read),
                     f"{repo_s / size * 1e6:.0f}", f"{raw_s / size * 1e6:.0f}"])
        def partition_filter(user_id: str = user_id) -> list[dict[str, Any]]:
            """How the same question read before the by-date index: the whole partition."""
            return raw_query(table, KeyConditionExpression=Key("userId").eq(user_id),
                             has_filter=True,
                             FilterExpression=Attr("createdAtISO").gte(iso_z(fortnight))
                             & Attr("createdAtISO").lt(iso_z(NOW)))

        recent, period_cost = metered(meter, period)
        _, filter_cost = metered(meter, partition_filter)
        filter_s = median([timed(partition_filter)[0] for _ in range(3)])
        saved = filter_cost.capacity_units / max(period_cost.capacity_units, 0.5)
        period_rows.append([f"{size:,}", len(recent), ms(median(samples["period"])),
                            period_cost.requests, f"{period_cost.capacity_units:g}",
                            kib(period_cost.bytes_read), ms(filter_s),
                            f"{filter_cost.capacity_units:g}",
                            f"{saved:.0f}x"])
    print(markdown_table(
        ["posts", "reps", "repo ms", "raw ms", "ratio", "ratio (best)", "requests", "min req",
         "RCU", "item KiB", "wire KiB", "repo µs/post", "raw µs/post"], rows))
    note("\nThe same users' last 14 days (`posts.list_in_period`, what a weekly summary reads) "
         "through the by-date index, beside the whole-partition filter the schema's keys alone "
         "would need. The index reads the period's posts only, so its cost follows the period, "
         "not the history.\n")
    print(markdown_table(["posts", "in period", "index ms", "index requests", "index RCU",
                          "index wire KiB", "partition filter ms", "partition filter RCU",
                          "RCU saved"], period_rows))


def decode_items(items: list[dict[str, Any]]) -> list[Any]:
    return [from_item(item) for item in items]


def validate_posts(items: list[Any]) -> list[SocialPost]:
    return [SocialPost.model_validate(i) for i in items]


def breakdown(store: Store, user_id: str, size: int, reps: int) -> None:
    """Split a large read into request+parse, Decimal clean-up and validation.

    Also times one candidate saving: validating boto3's items directly. Pydantic converts an
    integral `Decimal` to `int` and any `Decimal` to `float` on typed fields itself, so for a
    fully typed model the `from_item` walk is redundant; the models it yields are compared.
    """
    heading(f"Where the time goes: posts.list_for_user, {size:,} posts")
    table = store.dynamo.table(store.names.posts)
    condition = Key("userId").eq(user_id)
    wire, decode, validate, direct, repo = [], [], [], [], []
    for _ in range(reps):
        seconds, items = timed(lambda: raw_query(table, KeyConditionExpression=condition))
        wire.append(seconds)
        seconds, plain = timed(partial(decode_items, items))
        decode.append(seconds)
        seconds, _ = timed(partial(validate_posts, plain))
        validate.append(seconds)
        seconds, _ = timed(partial(validate_posts, items))
        direct.append(seconds)
        seconds, _ = timed(lambda: store.posts.list_for_user(user_id))
        repo.append(seconds)
    base = median(wire)
    parts = base + median(decode) + median(validate)
    rows = [
        ["request, JSON parse, boto3 deserialise (the raw baseline)", ms(base), "1.00x",
         f"{base / size * 1e6:.0f}"],
        ["codec.from_item: Decimal -> int/float, every item", ms(median(decode)),
         f"+{median(decode) / base:.2f}x", f"{median(decode) / size * 1e6:.0f}"],
        ["SocialPost.model_validate, every item", ms(median(validate)),
         f"+{median(validate) / base:.2f}x", f"{median(validate) / size * 1e6:.0f}"],
        ["sum of the three steps", ms(parts), f"{parts / base:.2f}x",
         f"{parts / size * 1e6:.0f}"],
        ["repository call, end to end (timed separately)", ms(median(repo)),
         f"{median(repo) / base:.2f}x", f"{median(repo) / size * 1e6:.0f}"],
        ["candidate: model_validate on boto3's items, no from_item", ms(median(direct)),
         f"+{median(direct) / base:.2f}x", f"{median(direct) / size * 1e6:.0f}"],
    ]
    items = raw_query(table, KeyConditionExpression=condition)
    same = ([SocialPost.model_validate(i) for i in items]
            == [SocialPost.model_validate(from_item(i)) for i in items])
    print(markdown_table(["step", "median ms", "vs raw", "µs per post"], rows))
    note(f"\nThe candidate yields {'the same' if same else 'DIFFERENT'} models as "
         "from_item + model_validate on these items.")

    profiler = cProfile.Profile()
    profiler.enable()
    store.posts.list_for_user(user_id)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(14)
    note("\ncProfile of one call, top functions by own time:\n```")
    note("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))
    note("```")


# ------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=6.0,
                        help="seconds of timed calls per read (both sides), default 6")
    parser.add_argument("--growth-reps", type=int, default=7,
                        help="most interleaved repetitions per size in the growth run (at "
                             "least 3), default 7")
    parser.add_argument("--growth-budget", type=float, default=45.0,
                        help="seconds of timed calls per size in the growth run, default 45")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(GROWTH_SIZES),
                        help="post counts for the growth run, default 100 1000 10000")
    args = parser.parse_args()
    started = time.perf_counter()
    with local_engine() as engine:
        note(f"# Store benchmark\n\nDynamoDB Local at {engine.endpoint} (in memory).")
        store = bench_store(engine)
        seeded, _ = timed(lambda: seed_demo(store, users=DEMO_USERS, days=DEMO_DAYS,
                                            seed=DEMO_SEED, until=UNTIL))
        counts = {user: len(store.posts.list_for_user(user))
                  for user in (f"{DEMO_USER_PREFIX}{index:03d}" for index in range(DEMO_USERS))}
        user_id = sorted(counts, key=counts.__getitem__)[len(counts) // 2]  # the median user
        seed_insights(store, user_id)
        note(f"Seeded {DEMO_USERS} demo users x {DEMO_DAYS} days in {seeded:.1f}s; reads use "
             f"{user_id} ({counts[user_id]:,} posts, 3 snapshots each, 20 insights).")
        growth_s, users = timed(lambda: seed_growth_users(store, args.sizes, note))
        note(f"Growth users seeded in {growth_s:.1f}s.")

        compare_reads(store, build_reads(store, user_id), args.budget)
        growth(store, users, args.growth_reps, args.growth_budget)
        # Per-post costs are linear (see the growth table), so the middle size shows the
        # split without spending minutes on the largest.
        middle = sorted(users)[len(users) // 2]
        breakdown(store, users[middle], middle, reps=5)
    note(f"\nTotal run time {time.perf_counter() - started:.0f}s.")


if __name__ == "__main__":
    main()
