"""X sync against the local X stand-in: paging, since_id, rate limits and rotating tokens."""

from __future__ import annotations

from datetime import timedelta

from cloudstro.ingest.engine import AccountSyncResult
from cloudstro.store import Store
from tests.support.standins import PlatformState, StandIns
from tests.support.sync import NOW, USER, Sleeps, connect, make_engine, seed_posts

X = "twitter"


def _first_sync(store: Store, standins: StandIns, sleeps: Sleeps, posts: int
                ) -> tuple[PlatformState, AccountSyncResult]:
    """The X account connected with `posts` posts on the stand-in, and synced once at NOW."""
    state = standins.states[X]
    seed_posts(state, posts)
    connect(store, state, X)
    with make_engine(store, standins, sleeps) as engine:
        return state, engine.sync_account(USER, X, state.account_id)


def test_first_sync_pages_through_the_timeline_and_writes_one_post_and_snapshot_each(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state, result = _first_sync(moto_store, standins, sleeps, 250)

    assert result.status == "ok", result.errors
    assert result.new_posts == 250 and result.snapshots == 250
    assert state.requests_to("/2/users/") == 3  # 100 + 100 + 50: the paging minimum
    assert result.requests == 3
    posts = moto_store.posts.list_for_user(USER, platform=X)
    assert len(posts) == 250
    newest = max(posts, key=lambda p: p.createdAt)
    assert newest.postId == "twitter#1000250"
    assert newest.hashtags == ["launch", "tips"]
    assert newest.engagement.likes == 10 and newest.engagement.views is None
    assert newest.createdAt == NOW - timedelta(hours=1)
    snapshot = moto_store.engagement.history_for_post(USER, newest.postId)
    assert [s.timestamp for s in snapshot] == [NOW]


def test_resync_with_nothing_new_asks_from_since_id_and_writes_nothing(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state, _ = _first_sync(moto_store, standins, sleeps, 120)
    state.log.clear()

    later = NOW + timedelta(minutes=30)  # inside every post's refresh window
    moto_store.dynamo.meter.reset()
    with make_engine(moto_store, standins, sleeps, now=later) as engine:
        again = engine.sync_account(USER, X, state.account_id)
    # no post is read: the account's next-due time says nothing can be due yet
    assert "Query" not in moto_store.dynamo.meter.requests

    assert again.status == "ok", again.errors
    assert (again.new_posts, again.updated_posts, again.snapshots) == (0, 0, 0)
    assert again.requests == 1
    assert state.log[0][2]["since_id"] == "1000120"
    assert len(moto_store.engagement.for_user(USER)) == 120


def test_new_posts_and_due_refreshes_on_a_later_run(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states[X]
    old = seed_posts(state, 20, spacing=timedelta(hours=1))  # all under 48 h old
    connect(moto_store, state, X, expires_in=timedelta(days=1))
    with make_engine(moto_store, standins, sleeps) as engine:
        engine.sync_account(USER, X, state.account_id)
    seed_posts(state, 10, newest=NOW + timedelta(hours=3, minutes=30), first_id=2_000_000,
               spacing=timedelta(minutes=10))
    for post in old:
        post.likes += 100
    state.log.clear()

    later = NOW + timedelta(hours=4)  # past the 3 h tier of the young posts
    with make_engine(moto_store, standins, sleeps, now=later) as engine:
        result = engine.sync_account(USER, X, state.account_id)

    assert result.status == "ok", result.errors
    assert result.new_posts == 10 and result.updated_posts == 20
    assert result.snapshots == 30
    assert state.requests_to("/2/tweets") == 1  # 20 ids in one lookup
    history = moto_store.engagement.history_for_post(USER, f"twitter#{old[0].id}")
    assert [s.likes for s in history] == [old[0].likes - 100, old[0].likes]
    refreshed = moto_store.posts.get(USER, f"twitter#{old[0].id}")
    assert refreshed is not None and refreshed.fetchedAt == later


def test_429_waits_until_the_announced_reset_then_continues(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states[X]
    seed_posts(state, 150)
    connect(moto_store, state, X)
    reset = int(NOW.timestamp()) + 7
    state.fail_next("/2/users/", 429, {"title": "Too Many Requests", "detail":
                                       "Too Many Requests", "type": "about:blank",
                                       "status": 429},
                    headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, X, state.account_id)

    assert result.status == "ok", result.errors
    assert sleeps == [7.0]
    assert result.new_posts == 150


def test_a_spent_budget_with_a_distant_reset_stops_the_account_keeping_what_was_stored(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states[X]
    seed_posts(state, 250)
    connect(moto_store, state, X)
    # The first page arrives with the window spent until an hour from now.
    state.rate_headers = {"x-rate-limit-remaining": "0",
                          "x-rate-limit-reset": str(int(NOW.timestamp()) + 3600)}
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, X, state.account_id)

    assert result.status == "error"
    assert result.errors[0].startswith("twitter: rate limited on /2/users/")
    assert sleeps == [] and result.requests == 1
    assert len(moto_store.posts.list_for_user(USER)) == 100  # the page that arrived is kept
    view = moto_store.accounts.sync_view(USER, X, state.account_id)
    assert view is not None and view.syncStatus == "error"
    assert view.syncState == {"interrupted": True}  # the mark did not move past a gap

    state.rate_headers = None
    later = NOW + timedelta(hours=1, minutes=5)
    with make_engine(moto_store, standins, sleeps, now=later) as engine:
        resumed = engine.sync_account(USER, X, state.account_id)

    assert resumed.status == "ok", resumed.errors
    assert resumed.new_posts == 150  # only the gap; the kept page is not written again
    assert len(moto_store.posts.list_for_user(USER)) == 250
    assert len(moto_store.engagement.for_user(USER)) == 250
    view = moto_store.accounts.sync_view(USER, X, state.account_id)
    assert view is not None and view.syncState["newestId"] == "1000250"
