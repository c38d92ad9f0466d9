"""Every access pattern of the seed, run on moto and on DynamoDB Local (`-m integration`).

The `store` fixture is parametrized over both engines, so each assertion here holds on
AWS's own engine as well as on the fast in-process one.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr, ValidationError

from cloudstro.store import Store
from cloudstro.store.codec import from_item, to_item
from cloudstro.store.errors import TableMissingError, UserNotFoundError
from cloudstro.store.records import (
    AccountSummary,
    AIInsight,
    DigestPreferences,
    EngagementSnapshot,
    Record,
    SocialAccount,
    SocialPost,
    UserProfile,
)
from tests.support.builders import account_fields, insight, post, user
from tests.support.request_log import RequestLog, projected_names
from tests.support.seed import seed_examples
from tests.support.settings import make_settings

TOKEN_ATTRIBUTES = {"accessToken", "refreshToken"}


def _no_scan(store: Store) -> None:
    assert "Scan" not in store.dynamo.meter.requests, store.dynamo.meter.requests


def _key_conditions(log: RequestLog) -> list[str]:
    return [body["KeyConditionExpression"] for body in log.of("Query")]


# ------------------------------------------------------------------------ seed round trip

SEED_TABLES: list[tuple[str, type[Record], tuple[str, str]]] = [
    ("users", UserProfile, ("userId", "recordType")),
    ("accounts", SocialAccount, ("userId", "platformAccountId")),
    ("posts", SocialPost, ("userId", "postId")),
    ("engagement", EngagementSnapshot, ("userId", "engagementId")),
    ("insights", AIInsight, ("userId", "insightId"))]


@pytest.mark.parametrize("index", range(5), ids=[role for role, _, _ in SEED_TABLES])
def test_seed_example_round_trips_unchanged(store: Store, index: int) -> None:
    original = seed_examples()[index]
    role, model, key_names = SEED_TABLES[index]
    table = store.dynamo.table(getattr(store.names, role))
    table.put_item(Item=to_item(copy.deepcopy(original)))
    raw = table.get_item(Key={name: original[name] for name in key_names},
                         ConsistentRead=True)["Item"]
    plain = from_item(raw)
    assert plain == original
    assert model.model_validate(plain).to_record() == original


def test_seed_examples_round_trip_through_repositories(store: Store) -> None:
    user_ex, _account, post_ex, engagement_ex, insight_ex = seed_examples()
    store.users.put(UserProfile.model_validate(user_ex))
    store.posts.put(SocialPost.model_validate(post_ex))
    store.engagement.put(EngagementSnapshot.model_validate(engagement_ex))
    store.insights.put(AIInsight.model_validate(insight_ex))
    stored_user = store.users.get("user_12345")
    stored_post = store.posts.get("user_12345", "twitter#1234567890")
    assert stored_user is not None and stored_user.to_record() == user_ex
    assert stored_post is not None and stored_post.to_record() == post_ex
    history = store.engagement.history_for_post("user_12345", "1234567890")
    assert [snapshot.to_record() for snapshot in history] == [engagement_ex]
    stored_insight = store.insights.get("user_12345", insight_ex["insightId"])
    assert stored_insight is not None and stored_insight.to_record() == insight_ex


# ------------------------------------------------------------------------ users


def test_users_get_and_find_by_email(store: Store, request_log: RequestLog) -> None:
    alice, bob = user("alice"), user("bob", timezone="Europe/Berlin")
    store.users.put_many([alice, bob])
    request_log.clear()
    assert store.users.get("alice") == alice
    assert store.users.get("nobody") is None
    assert store.users.find_by_email("bob@example.com") == bob
    assert store.users.find_by_email("nobody@example.com") is None
    get = request_log.of("GetItem")[0]
    assert get["Key"] == {"userId": {"S": "alice"}, "recordType": {"S": "USER_PROFILE"}}
    by_email = request_log.of("Query")[0]
    assert by_email["IndexName"] == "email-index"
    _no_scan(store)


def test_users_link_slack_set_timezone_set_digest(store: Store) -> None:
    store.users.put(user("alice"))
    store.users.link_slack("alice", "U123", "T9")
    store.users.set_timezone("alice", "America/New_York")
    digest = DigestPreferences(enabled=True, cadence="daily", time="08:30", slackChannel="C1")
    store.users.set_digest("alice", digest)
    profile = store.users.get("alice")
    assert profile is not None
    assert (profile.slackUserId, profile.slackTeamId) == ("U123", "T9")
    assert profile.timezone == "America/New_York" and profile.zone == "America/New_York"
    assert profile.digest == digest
    assert profile.updatedAt is not None
    assert profile.updatedAt > datetime(2025, 9, 20, 10, tzinfo=UTC)
    assert store.users.get_if_linked("alice", "U123") == profile
    assert store.users.get_if_linked("alice", "U999") is None
    _no_scan(store)


def test_users_updates_refuse_unknown_user_and_bad_timezone(store: Store) -> None:
    store.users.put(user("alice"))
    with pytest.raises(UserNotFoundError, match="ghost"):
        store.users.link_slack("ghost", "U1", None)
    with pytest.raises(UserNotFoundError, match="ghost"):
        store.users.set_digest("ghost", DigestPreferences())
    assert store.users.get("ghost") is None  # no stub item was created
    with pytest.raises(ValidationError, match="timezone"):
        store.users.set_timezone("alice", "Mars/Olympus")
    alice = store.users.get("alice")
    assert alice is not None and alice.timezone is None


# ------------------------------------------------------------------------ accounts


def _connect_three(store: Store) -> None:
    store.accounts.connect(account_fields("alice", "twitter", "111"), SecretStr("tw-a"),
                           SecretStr("tw-a-refresh"))
    store.accounts.connect(account_fields("alice", "twitter", "222", isActive=False),
                           SecretStr("tw-b"))
    store.accounts.connect(account_fields("alice", "instagram", "333"), SecretStr("ig"))
    store.accounts.connect(account_fields("bob", "twitter", "444"), SecretStr("bob-tw"))


def test_seed_repository_example_create_and_get_user_accounts(store: Store,
                                                              request_log: RequestLog) -> None:
    """The seed's SocialMediaRepository: createAccount ~ connect, getUserAccounts ~ list."""
    created = store.accounts.connect(account_fields("alice", "twitter", "111", isActive=False),
                                     SecretStr("plain"))
    assert created.platformAccountId == "twitter#111"
    assert (created.accountStatus, created.accountType) == ("inactive", "social_media")
    request_log.clear()
    listed = store.accounts.list_for_user("alice")
    assert [summary.platformAccountId for summary in listed] == ["twitter#111"]
    (query,) = request_log.of("Query")
    assert query["KeyConditionExpression"].count("=") == 1
    assert list(query["ExpressionAttributeValues"].values()) == [{"S": "alice"}]
    assert "FilterExpression" not in query and "IndexName" not in query


def test_accounts_access_patterns(store: Store, request_log: RequestLog) -> None:
    _connect_three(store)
    request_log.clear()
    store.dynamo.meter.reset()

    mine = store.accounts.list_for_user("alice")
    assert sorted(summary.platformAccountId for summary in mine) == [
        "instagram#333", "twitter#111", "twitter#222"]
    assert all(isinstance(summary, AccountSummary) for summary in mine)
    assert store.accounts.list_for_user("alice", limit=2) == mine[:2]

    summary = store.accounts.get_summary("alice", "twitter", "222")
    assert summary is not None
    assert (summary.accountHandle, summary.isActive) == ("@twitter222", False)
    assert store.accounts.get_summary("alice", "twitter", "444") is None  # bob's, not alice's

    on_twitter = store.accounts.list_for_platform("alice", "twitter")
    assert [s.platformAccountId for s in on_twitter] == ["twitter#111", "twitter#222"]
    _no_scan(store)
    assert "begins_with" in _key_conditions(request_log)[-1]

    active = store.accounts.by_platform_status("twitter", "active")
    assert sorted((s.userId, s.platformAccountId) for s in active) == [
        ("alice", "twitter#111"), ("bob", "twitter#444")]
    inactive = store.accounts.by_platform_status("twitter", "inactive")
    assert [(s.userId, s.platformAccountId) for s in inactive] == [("alice", "twitter#222")]
    assert request_log.of("Query")[-1]["IndexName"] == "platform-accountStatus-index"
    _no_scan(store)


def test_tokens_encrypted_at_rest_and_never_read_on_summary_paths(
        store: Store, request_log: RequestLog) -> None:
    _connect_three(store)
    raw = store.dynamo.table(store.names.accounts).get_item(
        Key={"userId": "alice", "platformAccountId": "twitter#111"})["Item"]
    assert raw["accessToken"] != "tw-a" and raw["accessToken"].startswith("fernet:")
    assert raw["refreshToken"] != "tw-a-refresh" and raw["refreshToken"].startswith("fernet:")
    assert "tw-a" not in str(raw)

    request_log.clear()
    summaries = [*store.accounts.list_for_user("alice"),
                 store.accounts.get_summary("alice", "twitter", "111"),
                 *store.accounts.list_for_platform("alice", "twitter"),
                 *store.accounts.by_platform_status("twitter")]
    for summary in summaries:
        assert summary is not None
        dumped = summary.model_dump()
        assert not TOKEN_ATTRIBUTES & set(dumped)
        assert not any(hasattr(summary, name) for name in TOKEN_ATTRIBUTES)
        assert "fernet:" not in repr(summary) and "tw-a" not in repr(summary)
    reads = request_log.of("Query") + request_log.of("GetItem")
    assert len(reads) == 4
    for request in reads:
        names = projected_names(request)
        assert names == set(AccountSummary.PROJECTION)
        assert not TOKEN_ATTRIBUTES & names

    credentials = store.accounts.credentials("alice", "twitter", "111")
    assert credentials is not None and credentials.refresh_token is not None
    assert credentials.access_token.get_secret_value() == "tw-a"
    assert credentials.refresh_token.get_secret_value() == "tw-a-refresh"
    assert "tw-a" not in repr(credentials)
    no_refresh = store.accounts.credentials("alice", "instagram", "333")
    assert no_refresh is not None
    assert no_refresh.access_token.get_secret_value() == "ig" and no_refresh.refresh_token is None
    assert store.accounts.credentials("alice", "twitter", "999") is None


def test_social_account_repr_hides_tokens(store: Store) -> None:
    account = store.accounts.prepare(account_fields("alice"), SecretStr("plain-access"),
                                     SecretStr("plain-refresh"))
    assert account.accessToken.startswith("fernet:")
    for text in (repr(account), str(account)):
        assert "accessToken" not in text and "refreshToken" not in text
        assert account.accessToken not in text and "plain-access" not in text


# ------------------------------------------------------------------------ posts


def _some_posts() -> list[SocialPost]:
    return [
        post(user_id="alice", platform="twitter", post_id="1", created_at="2025-09-01T09:00:00Z"),
        post(user_id="alice", platform="twitter", post_id="2", created_at="2025-09-10T09:00:00Z"),
        post(user_id="alice", platform="instagram", post_id="3",
             created_at="2025-09-05T09:00:00Z"),
        post(user_id="alice", platform="tiktok", post_id="4", created_at="2025-09-20T09:00:00Z"),
        post(user_id="bob", platform="twitter", post_id="5", created_at="2025-09-15T09:00:00Z"),
    ]


def test_posts_get_and_list_for_user(store: Store, request_log: RequestLog) -> None:
    posts = _some_posts()
    assert store.posts.put_many(posts) == 5
    request_log.clear()
    assert store.posts.get("alice", "twitter#1") == posts[0]
    assert store.posts.get("alice", "twitter#5") is None

    everything = store.posts.list_for_user("alice")
    assert {p.postId for p in everything} == {"twitter#1", "twitter#2", "instagram#3",
                                             "tiktok#4"}
    twitter = store.posts.list_for_user("alice", platform="twitter")
    assert [p.postId for p in twitter] == ["twitter#1", "twitter#2"]
    platform_query = request_log.of("Query")[-1]
    assert "begins_with" in platform_query["KeyConditionExpression"]
    assert {"S": "twitter#"} in platform_query["ExpressionAttributeValues"].values()
    assert "FilterExpression" not in platform_query
    _no_scan(store)


def test_posts_list_in_period_newest_first(store: Store, request_log: RequestLog) -> None:
    store.posts.put_many(_some_posts())
    request_log.clear()
    start = datetime(2025, 9, 5, 9, tzinfo=UTC)
    end = datetime(2025, 9, 20, 9, tzinfo=UTC)
    in_period = store.posts.list_in_period("alice", start, end)
    assert [p.postId for p in in_period] == ["twitter#2", "instagram#3"]  # end is exclusive
    twitter = store.posts.list_in_period("alice", start - timedelta(days=30), end,
                                         platform="twitter")
    assert [p.postId for p in twitter] == ["twitter#2", "twitter#1"]
    assert [p.postId for p in store.posts.list_in_period(
        "alice", start - timedelta(days=30), end, limit=1)] == ["twitter#2"]
    queries = request_log.of("Query")
    # The period is the key condition on the user's by-date index, never a partition filter.
    assert {q["IndexName"] for q in queries} == {"userId-createdAtISO-index"}
    assert all("BETWEEN" in q["KeyConditionExpression"] for q in queries)
    assert "FilterExpression" not in queries[0]
    assert "begins_with" in queries[1]["FilterExpression"]  # the platform, within the period
    _no_scan(store)


def test_a_period_read_costs_the_period_not_the_history(store: Store) -> None:
    old = [post(user_id="alice", platform="twitter", post_id=f"{n:04d}",
                created_at=(datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=n)).isoformat())
           for n in range(300)]
    recent = [post(user_id="alice", platform="twitter", post_id=f"9{n:03d}",
                   created_at=(datetime(2025, 9, 1, tzinfo=UTC) + timedelta(hours=n)).isoformat())
              for n in range(3)]
    store.posts.put_many(old + recent)
    store.dynamo.meter.reset()
    week = store.posts.list_in_period("alice", datetime(2025, 8, 30, tzinfo=UTC),
                                      datetime(2025, 9, 6, tzinfo=UTC))
    assert [p.id for p in week] == ["9002", "9001", "9000"]
    assert store.dynamo.meter.requests == {"Query": 1}
    assert store.dynamo.meter.bytes_read < 10_000  # three posts, not three hundred


def test_posts_recent_on_platform_uses_the_gsi(store: Store, request_log: RequestLog) -> None:
    store.posts.put_many(_some_posts())
    request_log.clear()
    recent = store.posts.recent_on_platform("twitter", datetime(2025, 9, 5, tzinfo=UTC))
    assert [(p.userId, p.postId) for p in recent] == [("bob", "twitter#5"),
                                                      ("alice", "twitter#2")]
    assert [p.postId for p in store.posts.recent_on_platform(
        "twitter", datetime(2025, 1, 1, tzinfo=UTC), limit=1)] == ["twitter#5"]
    query = request_log.of("Query")[0]
    assert query["IndexName"] == "platform-createdAtISO-index"
    assert query["ScanIndexForward"] is False
    _no_scan(store)


def test_pagination_past_one_megabyte(store: Store, request_log: RequestLog) -> None:
    filler = "x" * 4000
    posts = [post(user_id="alice", platform="twitter" if n % 2 else "instagram",
                  post_id=f"{n:04d}", content=f"{n} {filler}",
                  created_at=(datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=n)).isoformat())
             for n in range(400)]
    assert store.posts.put_many(posts) == 400
    assert store.dynamo.meter.requests["BatchWriteItem"] >= 16
    store.dynamo.meter.reset()
    request_log.clear()

    everything = store.posts.list_for_user("alice")
    assert len(everything) == 400
    assert {p.postId for p in everything} == {p.postId for p in posts}
    assert store.dynamo.meter.requests["Query"] >= 2
    assert "ExclusiveStartKey" in request_log.of("Query")[1]

    store.dynamo.meter.reset()
    period = store.posts.list_in_period("alice", datetime(2025, 1, 1, tzinfo=UTC),
                                        datetime(2025, 2, 1, tzinfo=UTC))
    assert len(period) == 400
    assert store.dynamo.meter.requests["Query"] >= 2

    store.dynamo.meter.reset()
    request_log.clear()
    five = store.posts.list_for_user("alice", limit=5)
    assert len(five) == 5
    assert store.dynamo.meter.requests == {"Query": 1}
    assert request_log.of("Query")[0]["Limit"] == 5

    store.dynamo.meter.reset()
    twitter = store.posts.list_for_user("alice", platform="twitter", limit=3)
    assert [p.platform for p in twitter] == ["twitter"] * 3
    assert store.dynamo.meter.requests == {"Query": 1}
    _no_scan(store)


# ------------------------------------------------------------------------ engagement


def test_engagement_history_and_period(store: Store, request_log: RequestLog) -> None:
    tweet = post(user_id="alice", platform="twitter", post_id="1")
    tweet_12 = post(user_id="alice", platform="twitter", post_id="12")  # shares a text prefix
    reel = post(user_id="alice", platform="instagram", post_id="2")
    day = datetime(2025, 9, 20, tzinfo=UTC)
    snapshots = [EngagementSnapshot.measure(source, day + timedelta(hours=hours),
                                            likes=hours, shares=0, comments=0)
                 for source in (tweet, tweet_12, reel) for hours in (1, 5, 30)]
    store.engagement.put_many(snapshots)
    request_log.clear()

    history = store.engagement.history_for_post("alice", "twitter#1")
    assert [s.likes for s in history] == [1, 5, 30]  # time order; twitter#12 not included
    assert {s.postId for s in history} == {"twitter#1"}
    assert len(store.engagement.history_for_post("alice", "twitter#1", limit=2)) == 2
    assert "begins_with" in _key_conditions(request_log)[0]

    period = store.engagement.in_period("alice", day, day + timedelta(hours=6))
    assert sorted((s.postId, s.likes) for s in period) == sorted(
        (p, h) for p in ("twitter#1", "twitter#12", "instagram#2") for h in (1, 5))
    twitter_period = store.engagement.in_period("alice", day, day + timedelta(days=2),
                                                platform="twitter")
    assert {s.platform for s in twitter_period} == {"twitter"} and len(twitter_period) == 6
    assert len(store.engagement.for_user("alice")) == 9
    assert len(store.engagement.for_user("alice", platform="instagram")) == 3
    assert store.engagement.for_user("bob") == []
    _no_scan(store)


# ------------------------------------------------------------------------ insights

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)  # far ahead, so no engine's TTL sweeper runs


def _window(**kwargs):
    """An insight generated a day before NOW, valid for a week unless overridden."""
    kwargs.setdefault("generated_at", NOW - timedelta(days=1))
    kwargs.setdefault("valid_until", (NOW + timedelta(days=6)).isoformat())
    kwargs.setdefault("user_id", "alice")
    return insight(**kwargs)


def test_insights_list_for_user_and_by_type(store: Store, request_log: RequestLog) -> None:
    timing = _window(suffix="t", insight_type="optimal_timing")
    strategy = _window(suffix="s", insight_type="content_strategy")
    other_user = _window(user_id="bob", suffix="b")
    store.insights.put_many([timing, strategy, other_user])
    request_log.clear()
    assert {i.insightId for i in store.insights.list_for_user("alice")} == {
        timing.insightId, strategy.insightId}
    assert store.insights.list_for_user("alice", insight_type="content_strategy") == [strategy]
    assert "begins_with" in _key_conditions(request_log)[1]
    assert len(store.insights.list_for_user("alice", limit=1)) == 1
    _no_scan(store)


def test_active_insights_filter(store: Store) -> None:
    live = _window(suffix="live", confidence=0.9)
    live_low = _window(suffix="low", confidence=0.6)
    live_strategy = _window(suffix="strat", insight_type="content_strategy", confidence=0.85,
                            platform="instagram")
    expired = _window(suffix="expired", valid_until=(NOW - timedelta(minutes=1)).isoformat(),
                      generated_at=NOW - timedelta(days=3))
    inactive = _window(suffix="inactive", isActive=False)
    ttl_passed = _window(suffix="ttl", TTL=int((NOW - timedelta(hours=1)).timestamp()))
    store.insights.put_many([live, live_low, live_strategy, expired, inactive, ttl_passed])
    # the TTL-passed item is still stored (deletion lags), so only the read's filter hides it
    assert store.insights.get("alice", ttl_passed.insightId) == ttl_passed

    assert [i.insightId for i in store.insights.active("alice", now=NOW)] == [
        live.insightId, live_strategy.insightId, live_low.insightId]  # most confident first
    assert store.insights.active("alice", now=NOW, min_confidence=0.8) == [live, live_strategy]
    assert store.insights.active("alice", now=NOW, insight_type="content_strategy") == [
        live_strategy]
    assert store.insights.active("alice", now=NOW, insight_type="optimal_timing",
                                 min_confidence=0.7) == [live]
    assert store.insights.active("alice", now=NOW, platform="instagram") == [live_strategy]
    assert store.insights.active("alice", now=NOW, limit=1) == [live]
    assert store.insights.active("alice", now=NOW + timedelta(days=7)) == []
    _no_scan(store)


def test_high_confidence_uses_the_gsi(store: Store, request_log: RequestLog) -> None:
    store.insights.put_many([
        _window(user_id="alice", insight_type="content_strategy", suffix="a", confidence=0.95),
        _window(user_id="bob", insight_type="content_strategy", suffix="b", confidence=0.81),
        _window(user_id="carol", insight_type="content_strategy", suffix="c", confidence=0.8),
        _window(user_id="dave", insight_type="optimal_timing", suffix="d", confidence=0.99),
    ])
    request_log.clear()
    high = store.insights.high_confidence("content_strategy", 0.8)
    assert [(i.userId, i.confidence) for i in high] == [("alice", 0.95), ("bob", 0.81)]
    assert len(store.insights.high_confidence("content_strategy", 0.8, limit=1)) == 1
    query = request_log.of("Query")[0]
    assert query["IndexName"] == "insightType-confidenceScore-index"
    assert "confidenceScore" in query["ExpressionAttributeNames"].values()
    assert {"N": "0.8"} in query["ExpressionAttributeValues"].values()
    assert query["ScanIndexForward"] is False


def test_insight_writes_are_idempotent(store: Store) -> None:
    first = _window(suffix="same")
    store.insights.put(first)
    store.insights.put(first)
    store.insights.put(first.rebuild(recommendation="updated"))
    stored = store.insights.list_for_user("alice")
    assert len(stored) == 1
    assert stored[0].recommendation == "updated"
    store.insights.put_many([first, first])  # duplicate keys in one batch collapse, no error
    assert store.insights.list_for_user("alice") == [first]
    store.insights.delete("alice", first.insightId)
    assert store.insights.list_for_user("alice") == []


# ------------------------------------------------------------------------ errors


def test_missing_table_says_how_to_create_it(store: Store) -> None:
    elsewhere = Store(store.dynamo, make_settings("never-created-"))
    with pytest.raises(TableMissingError) as caught:
        elsewhere.users.get("alice")
    assert "cloudstro db create-tables" in str(caught.value)
    assert "never-created-cloudstro-users" in str(caught.value)
    with pytest.raises(TableMissingError, match="cloudstro db create-tables"):
        elsewhere.posts.list_for_user("alice")
    with pytest.raises(TableMissingError, match="cloudstro db create-tables"):
        elsewhere.posts.put_many([post()])
    with pytest.raises(TableMissingError, match="cloudstro db create-tables"):
        elsewhere.ping()
    store.ping()  # the real tables answer
