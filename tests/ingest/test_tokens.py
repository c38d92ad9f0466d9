"""Token renewal: ahead of expiry, once on rejection, rotated tokens stored before use and
never spent twice, a refused refresh marking the account, and no token in any output."""

from __future__ import annotations

import threading
from datetime import timedelta

from cloudstro.config import fixed_clock
from cloudstro.ingest.registry import connector_class
from cloudstro.ingest.tokens import TokenKeeper
from cloudstro.store import Store
from tests.support.standins import StandIns
from tests.support.sync import NOW, USER, Sleeps, connect, make_engine, seed_posts, sync_settings


def test_401_refreshes_once_stores_the_rotated_tokens_and_retries(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["twitter"]
    seed_posts(state, 5)
    connect(moto_store, state, "twitter", expires_in=timedelta(hours=1))
    state.access_tokens.clear()  # the platform revoked the access token early: 401
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "twitter", state.account_id)

    assert result.status == "ok", result.errors
    assert result.new_posts == 5
    assert state.spent_refresh_tokens == {"refresh-0"}
    stored = moto_store.accounts.token_state(USER, "twitter", state.account_id)
    assert stored is not None
    assert stored.refresh_token is not None
    assert stored.refresh_token.get_secret_value() == "refresh-1"
    assert stored.access_token.get_secret_value() == "access-1"
    assert stored.version == 1
    assert stored.expires_at == NOW + timedelta(seconds=7200)
    # the ciphertext is what DynamoDB holds
    raw = moto_store.accounts.table.get_item(
        Key={"userId": USER, "platformAccountId": f"twitter#{state.account_id}"})["Item"]
    assert "refresh-1" not in str(raw) and "access-1" not in str(raw)

    # The next rejection spends the stored, rotated token, never the spent one.
    state.access_tokens.clear()
    with make_engine(moto_store, standins, sleeps, now=NOW + timedelta(hours=4)) as engine:
        again = engine.sync_account(USER, "twitter", state.account_id)
    assert again.status == "ok", again.errors
    assert state.spent_refresh_tokens == {"refresh-0", "refresh-1"}
    assert state.reused_refresh_tokens == []


def test_a_token_about_to_expire_is_renewed_before_the_first_request(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["tiktok"]
    seed_posts(state, 3)
    connect(moto_store, state, "tiktok", expires_in=timedelta(minutes=2))
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "tiktok", state.account_id)

    assert result.status == "ok", result.errors
    assert state.bearer_tokens_seen and set(state.bearer_tokens_seen) == {"access-1"}
    assert state.log[0][1] == "/v2/oauth/token/"


def test_a_rotated_token_that_cannot_be_stored_is_never_used(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    """The new access token must not reach the platform before its refresh token is stored."""
    state = standins.states["twitter"]
    seed_posts(state, 3)
    connect(moto_store, state, "twitter", expires_in=timedelta(minutes=1))
    accounts = moto_store.accounts
    original = accounts.store_rotated_tokens

    def lease_stolen(*args, **kwargs):  # another process took over between refresh and write
        accounts.release_refresh_lease(USER, "twitter", state.account_id, owner=kwargs["owner"])
        accounts.lease_refresh(USER, "twitter", state.account_id, version=0, owner="other",
                               now=NOW)
        return original(*args, **kwargs)

    accounts.store_rotated_tokens = lease_stolen  # type: ignore[method-assign]
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "twitter", state.account_id)

    assert result.status == "error"
    assert "lost the token refresh lease" in result.errors[0]
    assert "access-1" not in state.bearer_tokens_seen
    assert moto_store.posts.list_for_user(USER) == []


def test_two_processes_needing_a_refresh_spend_the_refresh_token_once(
        local_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    """On DynamoDB Local, whose conditional writes are atomic across threads (moto's are not)."""
    state = standins.states["twitter"]
    connect(local_store, state, "twitter", expires_in=timedelta(minutes=1))
    settings = sync_settings(local_store, standins)
    connector_type, rules_type = connector_class("twitter")
    results: dict[str, str] = {}
    gate = threading.Barrier(2)

    def one(owner: str) -> None:
        import httpx

        from cloudstro.ingest.http import PlatformHttp

        with httpx.Client() as client:
            http = PlatformHttp("twitter", settings.twitter_api_url, rules_type(), client=client)
            connector = connector_type(http, state.account_id, settings)
            keeper = TokenKeeper(local_store.accounts, USER, "twitter", state.account_id,
                                 owner=owner, clock=fixed_clock(NOW),
                                 refresher=connector.refresh_tokens,
                                 refresh_ahead=timedelta(minutes=5),
                                 sleep=lambda _s: None)
            gate.wait()
            results[owner] = keeper.access_token()

    threads = [threading.Thread(target=one, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert state.reused_refresh_tokens == []
    assert state.spent_refresh_tokens == {"refresh-0"}
    assert results == {"a": "access-1", "b": "access-1"}
    stored = local_store.accounts.token_state(USER, "twitter", state.account_id)
    assert stored is not None and stored.version == 1


def test_a_refused_refresh_marks_the_account_and_the_other_accounts_still_sync(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    x, tiktok = standins.states["twitter"], standins.states["tiktok"]
    seed_posts(x, 4)
    seed_posts(tiktok, 4)
    connect(moto_store, x, "twitter")
    connect(moto_store, tiktok, "tiktok")
    x.access_tokens.clear()
    x.refuse_refresh = True
    with make_engine(moto_store, standins, sleeps) as engine:
        results = engine.sync_many(engine.accounts_of(USER), workers=2)

    by_platform = {result.platform: result for result in results}
    assert by_platform["twitter"].status == "reauth_required"
    assert by_platform["tiktok"].status == "ok" and by_platform["tiktok"].new_posts == 4
    view = moto_store.accounts.sync_view(USER, "twitter", x.account_id)
    assert view is not None and view.accountStatus == "reauth_required"
    assert view.statusReason == "the platform refused the token refresh (invalid_request)"
    # the marked account is skipped afterwards rather than retried against the platform
    x.log.clear()
    with make_engine(moto_store, standins, sleeps) as engine:
        again = engine.sync_account(USER, "twitter", x.account_id)
    assert again.status == "skipped" and x.log == []
    everything = " ".join(" ".join(r.errors) for r in [*results, again])
    for token in ("access-0", "refresh-0"):
        assert token not in everything


def test_a_facebook_page_token_rejected_with_190_needs_reconnecting(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["facebook"]
    seed_posts(state, 2)
    connect(moto_store, state, "facebook", refresh=None, expires_in=timedelta(days=3650))
    state.access_tokens.clear()
    with make_engine(moto_store, standins, sleeps) as engine:
        result = engine.sync_account(USER, "facebook", state.account_id)
    assert result.status == "reauth_required"
    assert result.requests == 1
    view = moto_store.accounts.sync_view(USER, "facebook", state.account_id)
    assert view is not None and view.accountStatus == "reauth_required"


def test_reconnecting_replaces_tokens_clears_reauth_and_keeps_the_sync_state(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["twitter"]
    seed_posts(state, 6)
    connect(moto_store, state, "twitter")
    with make_engine(moto_store, standins, sleeps) as engine:
        engine.sync_account(USER, "twitter", state.account_id)
    moto_store.accounts.mark_reauth_required(USER, "twitter", state.account_id,
                                             "the platform refused the token refresh", NOW)

    connect(moto_store, state, "twitter", access="access-new", refresh="refresh-new")

    view = moto_store.accounts.sync_view(USER, "twitter", state.account_id)
    assert view is not None
    assert (view.accountStatus, view.statusReason) == ("active", None)
    assert view.postCount == 6 and view.syncState["newestId"] == "1000006"
    tokens = moto_store.accounts.token_state(USER, "twitter", state.account_id)
    assert tokens is not None and tokens.version == 1
    assert tokens.access_token.get_secret_value() == "access-new"
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "refresh-new"


def test_a_missing_client_setting_is_an_error_not_a_reconnect(
        moto_store: Store, standins: StandIns, sleeps: Sleeps) -> None:
    state = standins.states["tiktok"]
    seed_posts(state, 2)
    connect(moto_store, state, "tiktok", expires_in=timedelta(minutes=1))
    with make_engine(moto_store, standins, sleeps, tiktok_client_secret=None) as engine:
        result = engine.sync_account(USER, "tiktok", state.account_id)
    assert result.status == "error"
    assert result.errors == ["tiktok: TIKTOK_CLIENT_SECRET is not set, so the account's tokens "
                             "cannot be renewed"]
    assert state.spent_refresh_tokens == set()
    view = moto_store.accounts.sync_view(USER, "tiktok", state.account_id)
    assert view is not None and view.accountStatus == "active"

    with make_engine(moto_store, standins, sleeps) as engine:  # configured: the lease is free
        again = engine.sync_account(USER, "tiktok", state.account_id)
    assert again.status == "ok" and again.new_posts == 2
