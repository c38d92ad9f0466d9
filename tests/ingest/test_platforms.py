"""Instagram, Facebook and TikTok against their stand-ins, and malformed answers everywhere."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from cloudstro.store import Store
from tests.support.standins import StandIns
from tests.support.sync import NOW, USER, Sleeps, connect, make_engine, seed_posts


def test_instagram_follows_paging_without_tokens_in_urls_and_maps_insights(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["instagram"]
    posts = seed_posts(state, 130, spacing=timedelta(hours=12))  # 65 days: inside 90
    connect(moto_store, state, "instagram", refresh=None, expires_in=timedelta(days=50))
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "instagram", state.account_id)

    assert result.status == "ok", result.errors
    assert result.new_posts == 130 and result.snapshots == 130
    assert state.requests_to("/media") == 2 and state.requests_to("/insights") == 130
    assert state.leaked_query_tokens == 0
    newest = posts[0]
    [snapshot] = moto_store.engagement.history_for_post(USER, f"instagram#{newest.id}")
    assert (snapshot.likes, snapshot.comments, snapshot.shares, snapshot.views) == (
        newest.likes, newest.comments, newest.shares, newest.views)
    post = moto_store.posts.get(USER, f"instagram#{newest.id}")
    assert post is not None and post.url == f"https://www.instagram.com/p/{newest.id}/"
    assert post.media is not None and post.media[0].type == "image"


def test_instagram_retired_metric_falls_back_metric_by_metric_once(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["instagram"]
    posts = seed_posts(state, 3)
    state.retired_metrics = {"views"}  # as `impressions` was in 2025
    connect(moto_store, state, "instagram", refresh=None, expires_in=timedelta(days=50))
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "instagram", state.account_id)

    assert result.status == "ok", result.errors
    # first media: the full call fails, then six single-metric calls; the other two media
    # ask once each without the refused name
    assert state.requests_to("/insights") == 1 + 6 + 2
    snapshot = moto_store.engagement.history_for_post(USER, f"instagram#{posts[1].id}")[0]
    assert snapshot.views is None  # refused metric: unknown, not zero
    assert (snapshot.likes, snapshot.shares) == (posts[1].likes, posts[1].shares)


def test_instagram_empty_insights_keep_numbers_unknown(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["instagram"]
    [post] = seed_posts(state, 1)
    state.empty_insights = {post.id}
    connect(moto_store, state, "instagram", refresh=None, expires_in=timedelta(days=50))
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "instagram", state.account_id)

    assert result.status == "ok", result.errors
    assert result.new_posts == 1
    assert result.snapshots == 1  # with the counts the listing reported, and only those
    [snapshot] = moto_store.engagement.history_for_post(USER, f"instagram#{post.id}")
    assert (snapshot.likes, snapshot.comments) == (post.likes, post.comments)
    assert (snapshot.shares, snapshot.views, snapshot.reach, snapshot.saves) == (
        None, None, None, None)
    stored = moto_store.posts.get(USER, f"instagram#{post.id}")
    assert stored is not None
    assert (stored.engagement.likes, stored.engagement.comments) == (post.likes, post.comments)
    assert stored.engagement.views is None


def test_instagram_long_lived_token_is_renewed_a_week_ahead_and_never_logged(
        moto_store: Store, standins: StandIns, sleeps: Sleeps,
        caplog: pytest.LogCaptureFixture) -> None:
    state = standins.states["instagram"]
    seed_posts(state, 1)
    connect(moto_store, state, "instagram", refresh=None, expires_in=timedelta(days=3))
    caplog.set_level(logging.DEBUG)
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "instagram", state.account_id)
    # the renewal sends the token in a query string; no log line of ours or of the HTTP
    # libraries may carry it (the stand-in's own server log plays the platform's side)
    assert state.requests_to("/refresh_access_token") == 1
    lines = [record.getMessage() for record in caplog.records
             if not record.name.startswith("uvicorn")]
    assert lines and not any("access-0" in line or "ig-access-1" in line for line in lines)

    assert result.status == "ok", result.errors
    stored = moto_store.accounts.token_state(USER, "instagram", state.account_id)
    assert stored is not None and stored.access_token.get_secret_value() == "ig-access-1"
    assert stored.expires_at == NOW + timedelta(days=60)
    assert set(state.bearer_tokens_seen) == {"ig-access-1"}


def test_facebook_posts_with_counts_reach_and_summed_reactions(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["facebook"]
    posts = seed_posts(state, 150, spacing=timedelta(hours=3))
    posts[0].shares = 0  # Facebook omits `shares`; that is a real zero there
    connect(moto_store, state, "facebook", refresh=None, expires_in=timedelta(days=3650))
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "facebook", state.account_id)

    assert result.status == "ok", result.errors
    assert result.new_posts == 150
    assert state.requests_to("/published_posts") == 2 and state.leaked_query_tokens == 0
    [snapshot] = moto_store.engagement.history_for_post(USER, f"facebook#{posts[0].id}")
    assert (snapshot.likes, snapshot.comments, snapshot.shares) == (
        posts[0].likes, posts[0].comments, 0)
    assert snapshot.views is None  # Facebook reports reach here, not views


def test_tiktok_cursor_paging_rate_limit_and_renewal_on_access_token_invalid(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["tiktok"]
    seed_posts(state, 45)
    connect(moto_store, state, "tiktok", expires_in=timedelta(days=1))
    state.fail_next("/v2/video/list/", 429, {"data": {}, "error": {
        "code": "rate_limit_exceeded", "message": "The API rate limit was exceeded.",
        "log_id": "x"}})
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "tiktok", state.account_id)
    assert result.status == "ok", result.errors
    assert result.new_posts == 45
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 0.5  # one backoff with jitter
    assert state.requests_to("/v2/video/list/") == 4  # 429, then 20 + 20 + 5

    state.access_tokens.clear()
    for post in state.posts:
        post.views += 1000
    state.log.clear()
    with make_engine(moto_store, standins, sleeps, now=NOW + timedelta(hours=3)) as engine:
        again = engine.sync_account(USER, "tiktok", state.account_id)
    assert again.status == "ok", again.errors
    assert [path for _, path, _ in state.log[:3]] == [
        "/v2/video/list/", "/v2/oauth/token/", "/v2/video/list/"]  # 401, renew, retry
    assert state.requests_to("/v2/video/query/") == 1  # young posts: 20 ids per query
    assert again.updated_posts > 0


def test_posts_older_than_the_backfill_horizon_are_not_read(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["tiktok"]
    seed_posts(state, 30, spacing=timedelta(days=5))  # 150 days of videos
    connect(moto_store, state, "tiktok")
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "tiktok", state.account_id)
    assert result.new_posts == 18  # 0..85 days old; day 90 is past the horizon by an hour
    assert state.requests_to("/v2/video/list/") == 1


def test_malformed_answers_name_platform_and_field_and_spare_other_accounts(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    x, tiktok, ig = (standins.states[p] for p in ("twitter", "tiktok", "instagram"))
    for state, platform in ((x, "twitter"), (tiktok, "tiktok"), (ig, "instagram")):
        seed_posts(state, 2)
        connect(moto_store, state, platform, refresh="refresh-0" if platform != "instagram"
                else None, expires_in=timedelta(days=30))
    x.fail_next("/2/users/", 200, {"data": [{"id": "1", "text": "hi",
                                             "created_at": "2026-08-30T10:00:00.000Z"}],
                                   "meta": {"result_count": 1}})
    tiktok.fail_next("/v2/video/list/", 200, {"data": {"videos": "none", "cursor": 0,
                                                       "has_more": False},
                                              "error": {"code": "ok"}})
    ig.fail_next("/media", 200, "<html>maintenance</html>")
    with make_engine(moto_store, standins, sleeps) as engine:
        results = {r.platform: r for r in engine.sync_many(engine.accounts_of(USER))}

    assert results["twitter"].errors == [
        "twitter: malformed response: field 'data[0].public_metrics' (missing)"]
    assert results["tiktok"].errors == [
        "tiktok: malformed response: field 'data.videos' (expected a list, got str)"]
    assert results["instagram"].errors == [
        "instagram: malformed response: field 'body' (/v24.0/17841400000000001/media did not "
        "answer JSON)"]
    assert all(r.status == "error" for r in results.values())
    assert moto_store.posts.list_for_user(USER) == []


def test_a_value_the_records_refuse_is_an_error_of_that_account_only(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    x = standins.states["twitter"]
    connect(moto_store, x, "twitter")
    x.fail_next("/2/users/", 200, {"data": [{
        "id": "", "text": "hi", "created_at": "2026-08-30T10:00:00.000Z",
        "public_metrics": {"like_count": 1, "reply_count": 0, "retweet_count": 0,
                           "quote_count": 0}}], "meta": {"result_count": 1}})
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "twitter", x.account_id)
    assert result.status == "error"
    assert result.errors == ["twitter: a post did not fit the posts table "
                             "(SocialPost field 'postId')"]
    assert moto_store.posts.list_for_user(USER) == []
